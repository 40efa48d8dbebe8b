// Elementwise kernels with AVX2 and FMA, selected at run time. Swift compiles its portable
// SIMD types for baseline x86-64 (SSE2, no FMA) and cannot enable more per function, so
// SquireTensor's Swift versions run at a fraction of these on the same CPU; they remain the
// fallback and the reference these are tested against.

#include "CSquireTensorKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

int squire_tensor_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define AVX2 __attribute__((target("avx2,fma")))

// e^(high + low): VectorMath.exp(_:plus:) — x = n·ln2 + r, a degree-7 Taylor polynomial,
// 2^n from exponent bits in two halves, ±∞, underflow and NaN as libm.
AVX2 static inline __m256 expSplit(__m256 high, __m256 low) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    const __m256 lowest = _mm256_set1_ps(-103.97208f), highest = _mm256_set1_ps(88.72283f);
    __m256 x = _mm256_add_ps(high, low);
    __m256 clamped = _mm256_min_ps(_mm256_max_ps(x, lowest), highest);
    __m256 shifted = _mm256_fmadd_ps(clamped, _mm256_set1_ps(1.4426950408889634f), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256i whole = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256 r = _mm256_add_ps(_mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), high),
                             _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-06f), low));
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i half = _mm256_srai_epi32(whole, 1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 scaleA = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
    __m256 scaleB = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(whole, half), bias), 23));
    __m256 result = _mm256_mul_ps(_mm256_mul_ps(p, scaleA), scaleB);
    result = _mm256_blendv_ps(result, _mm256_setzero_ps(), _mm256_cmp_ps(x, lowest, _CMP_LT_OQ));
    result = _mm256_blendv_ps(result, _mm256_set1_ps(__builtin_inff()), _mm256_cmp_ps(x, highest, _CMP_GT_OQ));
    return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// erfc(a/√2) for a ≥ 0: VectorMath.erfcOfScaled — Numerical Recipes' erfcc, with z² = a²/2
// formed exactly from a 12-bit head and a tail.
AVX2 static inline __m256 erfcOfScaled(__m256 a) {
    __m256 z = _mm256_mul_ps(a, _mm256_set1_ps(0.70710677f));
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_set1_ps(0.5f), z, _mm256_set1_ps(1.0f)));
    __m256 p = _mm256_set1_ps(0.17087277f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.82215223f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.48851587f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.13520398f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.27886807f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.18628806f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.09678418f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.37409196f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.00002368f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.26551223f));
    __m256 head = _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32((int)0xFFFFF000u)));
    __m256 tail = _mm256_sub_ps(a, head);
    __m256 headSquareHalf = _mm256_mul_ps(_mm256_mul_ps(head, head), _mm256_set1_ps(0.5f));
    __m256 rest = _mm256_mul_ps(_mm256_fmadd_ps(_mm256_add_ps(head, head), tail, _mm256_mul_ps(tail, tail)), _mm256_set1_ps(0.5f));
    __m256 negative = _mm256_sub_ps(_mm256_setzero_ps(), headSquareHalf);
    return _mm256_mul_ps(t, expSplit(negative, _mm256_sub_ps(p, rest)));
}

AVX2 static inline __m256 gelu8(__m256 x) {
    __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    __m256 tailMass = erfcOfScaled(magnitude);
    __m256 nonNegative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    __m256 cdfTwice = _mm256_blendv_ps(tailMass, _mm256_sub_ps(_mm256_set1_ps(2.0f), tailMass), nonNegative);
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), cdfTwice);
}

// Φ(x) + x·φ(x): VectorMath.geluDerivative, with x clamped to ±40 (beyond, the derivative
// is exactly 0 or 1 in float) and NaN passed through.
AVX2 static inline __m256 geluDerivative8(__m256 input) {
    __m256 x = _mm256_min_ps(_mm256_max_ps(input, _mm256_set1_ps(-40.0f)), _mm256_set1_ps(40.0f));
    __m256 tailMass = erfcOfScaled(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x));
    __m256 nonNegative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    __m256 cdf = _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_blendv_ps(tailMass, _mm256_sub_ps(_mm256_set1_ps(2.0f), tailMass), nonNegative));
    __m256 minusHalfSquare = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(-0.5f), x), x);
    __m256 density = _mm256_mul_ps(expSplit(minusHalfSquare, _mm256_setzero_ps()), _mm256_set1_ps(0.3989422804014327f));
    __m256 result = _mm256_fmadd_ps(x, density, cdf);
    return _mm256_blendv_ps(result, input, _mm256_cmp_ps(input, input, _CMP_UNORD_Q));
}

// Applies `kernel` to `count` floats; the tail goes through the same arithmetic, padded to a
// full vector.
#define MAP_VECTORS(kernel, x, y, count)                                         \
    do {                                                                         \
        ptrdiff_t i = 0;                                                         \
        for (; i + 8 <= (count); i += 8) _mm256_storeu_ps((y) + i, kernel(_mm256_loadu_ps((x) + i))); \
        if (i < (count)) {                                                       \
            float in[8] = {0}, out[8];                                           \
            memcpy(in, (x) + i, (size_t)((count) - i) * sizeof(float));          \
            _mm256_storeu_ps(out, kernel(_mm256_loadu_ps(in)));                  \
            memcpy((y) + i, out, (size_t)((count) - i) * sizeof(float));         \
        }                                                                        \
    } while (0)

AVX2 void squire_gelu_avx2(const float *x, float *y, ptrdiff_t count) { MAP_VECTORS(gelu8, x, y, count); }

AVX2 void squire_gelu_derivative_avx2(const float *x, float *y, ptrdiff_t count) { MAP_VECTORS(geluDerivative8, x, y, count); }

#else

// Other architectures take SquireTensor's Swift path; this is never called there.
int squire_tensor_has_avx2(void) { return 0; }
void squire_gelu_avx2(const float *x, float *y, ptrdiff_t count) { (void)x; (void)y; (void)count; }
void squire_gelu_derivative_avx2(const float *x, float *y, ptrdiff_t count) { (void)x; (void)y; (void)count; }

#endif
