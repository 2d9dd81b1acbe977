/* textesc.h — how lrsweep shows text it did not write itself: one rule, in
 * one place, for every line meant for a human's terminal.
 *
 * Worker and host names, sweep names, error texts, peer identities and the
 * tail of a user's command output come from the network, a database or a
 * user's file.  Printed raw, a byte such as ESC (0x1b) or the C1 CSI (0x9b)
 * would let that text drive the reader's terminal: clear the screen, set
 * its title, or overwrite a line with \r.  lrs_text_escape writes it as:
 *   - printable ASCII (0x20..0x7e) and valid UTF-8 characters: as they are
 *     (é, —, emoji stay readable);
 *   - tab: the two characters \t;
 *   - every other C0 control (\n and \r included: each field is one line;
 *     multi-line text is split into lines first), DEL, and each byte that
 *     does not belong to a valid UTF-8 sequence: \xNN (lowercase hex);
 *   - the C1 controls U+0080..U+009F sent as UTF-8, and the characters that
 *     reorder or break a line (U+061C, U+200E, U+200F, U+2028..U+202E,
 *     U+2066..U+2069): \uNNNN.
 * The result is printable text; escaping it again changes nothing.
 *
 * Machine output (JSON, JSON Lines, CSV) keeps the data as it is stored:
 * JSON escapes control characters itself, and a CSV file is data for a
 * program, not a terminal.
 *
 * lrs_utf8_seq is the byte classification this rule and the stored form of
 * a command's output (lrs_exec_escape_text, common/command.h) share.
 */
#ifndef LRS_TEXTESC_H
#define LRS_TEXTESC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Output bytes that always hold the escaped form of n input bytes (each
 * byte becomes at most 4 characters) and the NUL. */
#define LRS_TEXTESC_SIZE(n) (4 * (size_t)(n) + 1)

/* Length (1..4) of the valid UTF-8 sequence at s (n >= 1 bytes left), its
 * code point in *cp; 0 when s does not start one (a stray continuation
 * byte, a truncated, overlong or surrogate sequence, or one past U+10FFFF).
 * A byte below 0x80 is a sequence of its own, NUL included. */
size_t lrs_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes len bytes of data (NULL: none) escaped as above into out (size
 * bytes, size >= 1), always NUL-terminated; when the whole text does not
 * fit it is cut before the first character (or escape) that would not, so
 * no character or escape is ever split.  Returns out, for use as a printf
 * argument. */
char *lrs_text_escape(const char *data, size_t len, char *out, size_t size);

/* lrs_text_escape of a NUL-terminated string (NULL: ""). */
static inline char *lrs_text_escape_str(const char *s, char *out, size_t size)
{
    return lrs_text_escape(s, s ? strlen(s) : 0, out, size);
}

#endif
