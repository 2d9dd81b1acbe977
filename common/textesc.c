/* textesc.c — see textesc.h.  A single pass: classify the character at the
 * cursor (lrs_utf8_seq), pick what stands for it, copy that if it fits. */
#include "common/textesc.h"

#include <stdio.h>

size_t lrs_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t min, c;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Code points at or above U+0080 that are shown as \uNNNN: C1 controls and
 * the bidirectional marks, embeddings, overrides and isolates, and the line
 * and paragraph separators. */
static int unicode_control(uint32_t cp)
{
    return cp <= 0x9F || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

char *lrs_text_escape(const char *data, size_t len, char *out, size_t size)
{
    if (size == 0)
        return out;
    const unsigned char *s = (const unsigned char *)data;
    size_t o = 0;
    for (size_t i = 0; s && i < len;) {
        uint32_t cp = 0;
        size_t n = lrs_utf8_seq(s + i, len - i, &cp);
        char esc[12];
        const char *piece = esc;
        size_t plen;
        if (n == 0 || (cp < 0x80 && (cp < 0x20 || cp == 0x7F) && cp != '\t')) {
            plen = (size_t)snprintf(esc, sizeof esc, "\\x%02x", s[i]);
            n = 1;
        } else if (cp == '\t') {
            piece = "\\t", plen = 2;
        } else if (cp >= 0x80 && unicode_control(cp)) {
            plen = (size_t)snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
        } else {
            piece = data + i, plen = n;
        }
        if (plen > size - 1 - o)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += n;
    }
    out[o] = '\0';
    return out;
}
