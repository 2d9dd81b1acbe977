/* linalg_ref.c — see linalg_ref.h.  C11 mode contracts nothing on its own
 * (-ffp-contract=off), so a + b·c here rounds twice and fma() once. */
#include "worker/linalg_ref.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* c + a·b, rounded once when fused. */
static double madd(int fused, double c, double a, double b)
{
    return fused ? fma(a, b, c) : c + a * b;
}

void lrs_ref_linear_fwd(int fused, int n, int in, int out, const double *X, const double *W,
                        const double *b, double *Y)
{
    for (int r = 0; r < n; r++)
        for (int o = 0; o < out; o++) {
            double acc = 0.0;
            for (int k = 0; k < in; k++)
                acc = madd(fused, acc, X[(size_t)r * in + k], W[(size_t)o * in + k]);
            Y[(size_t)r * out + o] = b ? acc + b[o] : acc;
        }
}

/* db[o] = Σ_r dY[r][o].  For out ≤ 4 the fast kernel keeps four partial
 * sums (rows r mod 4, while whole groups of four rows remain within one
 * 4-lane load of the end) and adds them pairwise, then the leftover rows. */
static void column_sums(int n, int out, const double *dY, double *db)
{
    if (out > 4) {
        for (int o = 0; o < out; o++) {
            double sum = 0.0;
            for (int r = 0; r < n; r++)
                sum += dY[(size_t)r * out + o];
            db[o] = sum;
        }
        return;
    }
    size_t total = (size_t)n * out;
    for (int o = 0; o < out; o++) {
        double p[4] = {0, 0, 0, 0};
        int r = 0;
        for (; r + 4 <= n && (size_t)(r + 3) * out + 4 <= total; r += 4)
            for (int j = 0; j < 4; j++)
                p[j] += dY[(size_t)(r + j) * out + o];
        double sum = (p[0] + p[1]) + (p[2] + p[3]);
        for (; r < n; r++)
            sum += dY[(size_t)r * out + o];
        db[o] = sum;
    }
}

void lrs_ref_linear_bwd_w(int fused, int n, int in, int out, const double *dY, const double *X,
                          double *dW, double *db)
{
    memset(dW, 0, (size_t)out * in * sizeof *dW);
    for (int r = 0; r < n; r++)
        for (int o = 0; o < out; o++)
            for (int k = 0; k < in; k++)
                dW[(size_t)o * in + k] = madd(fused, dW[(size_t)o * in + k],
                                              dY[(size_t)r * out + o], X[(size_t)r * in + k]);
    if (db)
        column_sums(n, out, dY, db);
}

void lrs_ref_linear_bwd_x(int fused, int n, int in, int out, const double *dY, const double *W,
                          double *dX)
{
    for (int r = 0; r < n; r++)
        for (int k = 0; k < in; k++) {
            double acc = 0.0;
            for (int o = 0; o < out; o++)
                acc = madd(fused, acc, dY[(size_t)r * out + o], W[(size_t)o * in + k]);
            dX[(size_t)r * in + k] = acc;
        }
}

double lrs_ref_linear_sse_fm(int fused, int n, int ld, int in, int out, const double *XT,
                             const double *YT, const double *W, const double *b, double scale,
                             double *dW, double *db)
{
    if (dW)
        memset(dW, 0, (size_t)out * in * sizeof *dW);
    if (db)
        memset(db, 0, (size_t)out * sizeof *db);
    double sse = 0.0;
    for (int r = 0; r < n; r++)
        for (int o = 0; o < out; o++) {
            double z = 0.0;
            for (int k = 0; k < in; k++)
                z = madd(fused, z, W[(size_t)o * in + k], XT[(size_t)k * ld + r]);
            if (b)
                z = z + b[o];
            double d = z - YT[(size_t)o * ld + r];
            sse = madd(fused, sse, d, d);
            if (!dW)
                continue;
            double g = scale * d;
            for (int k = 0; k < in; k++)
                dW[(size_t)o * in + k] = madd(fused, dW[(size_t)o * in + k], g,
                                              XT[(size_t)k * ld + r]);
            if (db)
                db[o] = db[o] + g;
        }
    return sse;
}
