/* numfmt.c — see numfmt.h.
 *
 * Shortest round trip: the fewest significant digits (at most 17) whose
 * decimal reads back as the same double, found from the exact 17-digit
 * decimal of v in extended precision, then laid out as Python's repr.
 */
#include "common/numfmt.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact powers of ten: long doubles (64-bit significand) up to 1e27.  The
 * 17-digit rounding below needs at least that precision. */
_Static_assert(LDBL_MANT_DIG >= 64, "format_double needs an extended long double");
static const long double pow10_ld[28] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};   /* exact: 5^27 < 2^64 */

static const uint64_t pow10_u[19] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL};

/* Rounds v (> 0) to `digits` significant digits, scaled by 10^scale with
 * scale = digits - 1 - e10: one rounding of a product (or quotient) by an
 * exact power of ten in long double. */
static uint64_t scaled_digits(double v, int scale)
{
    long double x = scale >= 0 ? (long double)v * pow10_ld[scale] : (long double)v / pow10_ld[-scale];
    return (uint64_t)(x + 0.5L);   /* x > 0: round half up */
}

/* Whether the decimal m · 10^-scale (|scale| <= 27, m < 2^64) reads back as
 * exactly v.  The quotient is rounded once to long double (64-bit
 * significand; m and 10^|scale| are exact there) and then to double; the
 * two roundings agree with one correct rounding unless the long double lands
 * exactly on a midpoint between two doubles, which is refused. */
static int reads_back(uint64_t m, int scale, double v)
{
    if (scale < -27 || scale > 27)
        return 0;
    long double y = scale >= 0 ? (long double)m / pow10_ld[scale] : (long double)m * pow10_ld[-scale];
#if LDBL_MANT_DIG == 64 && defined(__x86_64__)
    uint64_t bits;   /* x87 extended: the significand, integer bit included, comes first */
    memcpy(&bits, &y, sizeof bits);
    if ((bits & 0x7ff) == 0x400)
        return 0;
    return (double)y == v;
#else
    (void)y;   /* other long double formats: keep 17 digits, always exact */
    (void)v;
    return 0;
#endif
}

/* Shortest-ish decimal that reads back as exactly v: rounds to 17
 * significant digits, which always round-trips (the long-double product is
 * within 0.006 units of the exact one), then tries the 15- and 16-digit
 * roundings of those digits, each checked exactly (reads_back).  Writes JSON: digits,
 * fraction or exponent.  Returns the length; buf has 32 bytes. */
/* The digits m (15 to 17 of them, no sign) and decimal exponent e10 of the
 * shortest-ish form of v > 0: v ≈ m · 10^(e10 - digits + 1).  -1 for
 * magnitudes outside 1e-10 … 1e42, where 10^scale is not exact. */
static int shortest_digits(double v, uint64_t *m_out, int *e10_out)
{
    /* v in [2^(b-1), 2^b): the estimate is e10 or one less. */
    int bexp;
    frexp(v, &bexp);
    int e10 = (int)floor((bexp - 1) * 0.30102999566398120);
    if (e10 < -10 || e10 > 41)
        return -1;
    uint64_t m = scaled_digits(v, 16 - e10);
    if (m >= pow10_u[17]) {
        e10++;
        m = scaled_digits(v, 16 - e10);
    }
    /* Shorter candidates from the 17 digits, each checked exactly. */
    uint64_t m15 = (m + 50) / 100, m16 = (m + 5) / 10;
    int e15 = e10, e16 = e10;
    if (m15 == pow10_u[15]) {   /* 9.99…5 rounded up to 10.0… */
        m15 /= 10;
        e15++;
    }
    if (m16 == pow10_u[16]) {
        m16 /= 10;
        e16++;
    }
    if (reads_back(m15, 14 - e15, v)) {
        m = m15;
        e10 = e15;
    } else if (reads_back(m16, 15 - e16, v)) {
        m = m16;
        e10 = e16;
    }
    *m_out = m;
    *e10_out = e10;
    return 0;
}

/* Writes digits m with decimal exponent e10 as Python's repr does: fixed
 * notation for 1e-4 <= v < 1e16 (always with a fraction, "60.0"), else
 * "d.ddde-07".  Returns the end of the text. */
static char *write_decimal(char *p, uint64_t m, int e10)
{
    char d[20];   /* digits, least significant first */
    int nd = 0;
    for (uint64_t t = m; t; t /= 10)
        d[nd++] = (char)('0' + t % 10);
    int lo = 0;
    while (lo < nd - 1 && d[lo] == '0')
        lo++;
    int sig = nd - lo;   /* significant digits; the first is d[nd-1] */
    if (e10 >= 0 && e10 < 16) {
        for (int i = 0; i <= e10; i++)
            *p++ = i < sig ? d[nd - 1 - i] : '0';
        *p++ = '.';
        if (sig <= e10 + 1)
            *p++ = '0';
        for (int i = e10 + 1; i < sig; i++)
            *p++ = d[nd - 1 - i];
        return p;
    }
    if (e10 < 0 && e10 >= -4) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -e10 - 1; i++)
            *p++ = '0';
        for (int i = 0; i < sig; i++)
            *p++ = d[nd - 1 - i];
        return p;
    }
    *p++ = d[nd - 1];
    if (sig > 1)
        *p++ = '.';
    for (int i = 1; i < sig; i++)
        *p++ = d[nd - 1 - i];
    *p++ = 'e';
    *p++ = e10 < 0 ? '-' : '+';
    int ae = e10 < 0 ? -e10 : e10;
    if (ae >= 100)
        *p++ = (char)('0' + ae / 100);
    *p++ = (char)('0' + ae / 10 % 10);
    *p++ = (char)('0' + ae % 10);
    return p;
}

static int format_double(double v, char *buf)
{
    char *p = buf;
    if (v == 0.0 || !isfinite(v)) {
        const char *text = !isfinite(v) ? "null" : signbit(v) ? "-0.0" : "0.0";
        strcpy(buf, text);
        return (int)strlen(text);
    }
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    uint64_t m;
    int e10;
    if (shortest_digits(v, &m, &e10) < 0) {
        /* Rare magnitudes: the C library, shortest of 15..17 digits. */
        for (int digits = 15;; digits++) {
            int n = snprintf(p, 31, "%.*g", digits, v);
            if (digits == 17 || strtod(p, NULL) == v)
                return (int)(p - buf) + n;
        }
    }
    p = write_decimal(p, m, e10);
    *p = '\0';
    return (int)(p - buf);
}

int lrs_fmt_number(double v, char *buf, size_t size)
{
    char tmp[40];
    int n = format_double(v, tmp);
    if ((size_t)n >= size)
        return -1;
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
}

int lrs_fmt_display(double v, int digits, char *buf, size_t size)
{
    int n;
    if (isnan(v))
        n = snprintf(buf, size, "-");
    else if (isinf(v))
        n = snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
    else
        n = snprintf(buf, size, "%.*g", digits, v);
    return n >= 0 && (size_t)n < size ? n : -1;
}

void lrs_fmt_print(FILE *out, int width, int digits, double v)
{
    char text[48];
    if (lrs_fmt_display(v, digits, text, sizeof text) < 0)
        snprintf(text, sizeof text, "?");
    fprintf(out, "%*s", width, text);
}
