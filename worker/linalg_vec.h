/* linalg_vec.h — what the kernel files share: 4-lane vectors (GCC vector
 * extensions), the build variants a kernel is compiled in, and the
 * multiply-add whose rounding the variant decides.
 *
 * An internal header of worker/linalg*.c, nothing else: it switches off the
 * compiler's own contraction of a·b + c for the rest of the file that
 * includes it, so include it after the system headers.  Its helpers are
 * macros, not functions, so that they stay inside the hot loops of the file
 * using them; the short names (MADD4, LOAD4, …) are visible only there.
 */
#ifndef LRS_LINALG_VEC_H
#define LRS_LINALG_VEC_H

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define LRS_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LRS_VECTOR_CLONES
#define LRS_VECTOR_CLONES
#endif

/* Fused multiply-add.  Where the CPU has AVX2 + FMA, every kernel (naive ones
 * included) runs a copy of its body built for avx2+fma whose multiply-adds
 * are explicit fma() (fused: one rounding); elsewhere a copy whose a·b + c
 * rounds twice.  The compiler may not contract a·b + c by itself in a file
 * including this header, so the choice is ours alone, and all kernels agree
 * bit for bit on a given machine whatever the optimisation level (test_linalg
 * checks it). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define LRS_FMA_TARGET __attribute__((target("avx2,fma")))
#define LRS_FMA_AVAILABLE() (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
#else
#define LRS_FMA_TARGET
#define LRS_FMA_AVAILABLE() 0
#endif

/* Defines name(params) running name##_body(fused, args…) built for avx2+fma
 * with fused = 1 where the CPU has both, else built plain (and cloned for
 * AVX2 without FMA) with fused = 0.  Every kernel goes through this. */
#define LRS_FUSED_VARIANTS(name, params, ...)                                                \
    LRS_FMA_TARGET static void name##_fused params { name##_body(1, __VA_ARGS__); }          \
    LRS_VECTOR_CLONES static void name##_unfused params { name##_body(0, __VA_ARGS__); }     \
    static void name params                                                                  \
    {                                                                                        \
        if (LRS_FMA_AVAILABLE())                                                             \
            name##_fused(__VA_ARGS__);                                                       \
        else                                                                                 \
            name##_unfused(__VA_ARGS__);                                                     \
    }

/* c ← c + a·b for a scalar c, and for a 4-lane vector c and b with a scalar
 * a: fused (one rounding) when the variable `fused` is set, a constant in
 * every build variant.  Compilers turn the four lane fma()s into one vector
 * instruction from -O2 on. */
#define MADD1(c, a, b) ((c) = fused ? __builtin_fma((a), (b), (c)) : (c) + (a) * (b))
#define MADD4(c, a, b)                                                                       \
    do {                                                                                     \
        const double a_ = (a);                                                               \
        const lrs_v4d b_ = (b);                                                              \
        if (fused) {                                                                         \
            lrs_v4d r_ = {__builtin_fma(a_, b_[0], (c)[0]), __builtin_fma(a_, b_[1], (c)[1]),  \
                          __builtin_fma(a_, b_[2], (c)[2]), __builtin_fma(a_, b_[3], (c)[3])}; \
            (c) = r_;                                                                        \
        } else {                                                                             \
            (c) = (c) + a_ * b_;                                                             \
        }                                                                                    \
    } while (0)

/* Inlined into each build variant of the kernel that calls it. */
#define LRS_INLINE static inline __attribute__((always_inline))

/* 4 doubles, and 4 integers for their masks (relu, the last rows of a block). */
typedef double lrs_v4d __attribute__((vector_size(32), aligned(8), may_alias));
typedef long long lrs_v4l __attribute__((vector_size(32), aligned(8), may_alias));

/* Macros, not functions: a 32-byte vector may not cross a call in the default
 * (SSE) ABI. */
#define LOAD4(p) (*(const lrs_v4d *)(p))
#define STORE4(p, v) (*(lrs_v4d *)(p) = (v))

#endif
