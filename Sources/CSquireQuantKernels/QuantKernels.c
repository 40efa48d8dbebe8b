// Integer matrix products for quantized linear layers, written with AVX2 intrinsics because
// Swift's portable SIMD types have no u8 x s8 multiply-add (vpmaddubsw), which does 32
// multiply-adds per instruction. SquireQuantization falls back to its Swift SIMD path when
// the CPU lacks AVX2 or on other architectures.

#include "CSquireQuantKernels.h"

#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

int squire_quant_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define AVX2 __attribute__((target("avx2,fma")))

// 32 products of `a` and `w` summed in pairs, then in fours, into 8 int32 lanes. vpmaddubsw
// multiplies unsigned by signed bytes, so `a`'s sign moves onto `w`; with both in [-127, 127]
// a pair sums to at most 2 * 127 * 127, inside int16.
AVX2 static inline __m256i dot32(__m256i absA, __m256i a, __m256i w, __m256i ones) {
    __m256i pairs = _mm256_maddubs_epi16(absA, _mm256_sign_epi8(w, a));
    return _mm256_madd_epi16(pairs, ones);
}

// The four lane sums of four accumulators, in order.
AVX2 static inline __m128i sum4(__m256i x, __m256i y, __m256i z, __m256i u) {
    __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(x, y), _mm256_hadd_epi32(z, u));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

AVX2 static inline float sum8f(__m256 x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AVX2 static inline int32_t sum8i(__m256i x) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

AVX2 void squire_quantize_rows_q8_avx2(const float *x, ptrdiff_t rows, ptrdiff_t k, int8_t *q, float *scales) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *row = x + r * k;
        int8_t *out = q + r * k;
        __m256 maximum = _mm256_setzero_ps();
        // vmaxps drops a NaN in its first operand, so non-finite values are flagged apart:
        // "not less than infinity" holds for infinity and for NaN.
        __m256 nonFinite = _mm256_setzero_ps();
        const __m256 infinity = _mm256_set1_ps(INFINITY);
        ptrdiff_t l = 0;
        for (; l + 8 <= k; l += 8) {
            __m256 magnitude = _mm256_andnot_ps(signMask, _mm256_loadu_ps(row + l));
            maximum = _mm256_max_ps(maximum, magnitude);
            nonFinite = _mm256_or_ps(nonFinite, _mm256_cmp_ps(magnitude, infinity, _CMP_NLT_UQ));
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(maximum), _mm256_extractf128_ps(maximum, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float absMax = _mm_cvtss_f32(m4);
        int bad = _mm256_movemask_ps(nonFinite) != 0;
        for (; l < k; l++) {
            bad |= !isfinite(row[l]);
            absMax = fmaxf(absMax, fabsf(row[l]));
        }
        if (bad) {
            // The caller refuses the input on seeing a non-finite scale.
            scales[r] = NAN;
            continue;
        }
        float scale = absMax / 127.0f;
        scales[r] = scale;
        float inverse = scale > 0 ? 1.0f / scale : 0.0f;
        const __m256 inv = _mm256_set1_ps(inverse);
        // vpackss* interleave the two 128-bit halves; this permutation puts them back in order.
        const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        l = 0;
        for (; l + 32 <= k; l += 32) {
            __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + l), inv));
            __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + l + 8), inv));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + l + 16), inv));
            __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + l + 24), inv));
            __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
            _mm256_storeu_si256((__m256i *)(out + l), _mm256_permutevar8x32_epi32(packed, order));
        }
        for (; l < k; l++) {
            float v = nearbyintf(row[l] * inverse);
            out[l] = (int8_t)(v > 127 ? 127 : (v < -127 ? -127 : v));
        }
    }
}

// Columns [j0, j1) in blocks small enough that a block of weights stays in L2 while every
// row of `a` passes over it.
static ptrdiff_t columnBlock(ptrdiff_t rowBytes) {
    ptrdiff_t block = (128 * 1024) / (rowBytes > 0 ? rowBytes : 1);
    block -= block % 4;
    return block < 4 ? 4 : block;
}

AVX2 static inline int32_t dotTail8(const int8_t *a, const int8_t *w, ptrdiff_t from, ptrdiff_t k) {
    int32_t sum = 0;
    for (ptrdiff_t l = from; l < k; l++) sum += (int32_t)a[l] * (int32_t)w[l];
    return sum;
}

AVX2 static int32_t dot8(const int8_t *a, const int8_t *w, ptrdiff_t k) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    ptrdiff_t l = 0;
    for (; l + 32 <= k; l += 32) {
        __m256i va = _mm256_loadu_si256((const __m256i *)(a + l));
        __m256i vw = _mm256_loadu_si256((const __m256i *)(w + l));
        acc = _mm256_add_epi32(acc, dot32(_mm256_abs_epi8(va), va, vw, ones));
    }
    return sum8i(acc) + dotTail8(a, w, l, k);
}

AVX2 void squire_gemm_q8_avx2(const int8_t *a, const float *sa, ptrdiff_t m,
                              const int8_t *w, const float *sw, ptrdiff_t k,
                              ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    const __m256i ones = _mm256_set1_epi16(1);
    const ptrdiff_t block = columnBlock(k);
    const ptrdiff_t k32 = k - k % 32;
    for (ptrdiff_t jb = j0; jb < j1; jb += block) {
        const ptrdiff_t je = jb + block < j1 ? jb + block : j1;
        ptrdiff_t i = 0;
        for (; i + 2 <= m; i += 2) {
            const int8_t *a0 = a + i * k, *a1 = a0 + k;
            ptrdiff_t j = jb;
            for (; j + 4 <= je; j += 4) {
                const int8_t *w0 = w + j * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
                __m256i c00 = _mm256_setzero_si256(), c01 = c00, c02 = c00, c03 = c00;
                __m256i c10 = c00, c11 = c00, c12 = c00, c13 = c00;
                for (ptrdiff_t l = 0; l < k32; l += 32) {
                    __m256i x0 = _mm256_loadu_si256((const __m256i *)(a0 + l));
                    __m256i x1 = _mm256_loadu_si256((const __m256i *)(a1 + l));
                    __m256i ax0 = _mm256_abs_epi8(x0), ax1 = _mm256_abs_epi8(x1);
                    __m256i y = _mm256_loadu_si256((const __m256i *)(w0 + l));
                    c00 = _mm256_add_epi32(c00, dot32(ax0, x0, y, ones));
                    c10 = _mm256_add_epi32(c10, dot32(ax1, x1, y, ones));
                    y = _mm256_loadu_si256((const __m256i *)(w1 + l));
                    c01 = _mm256_add_epi32(c01, dot32(ax0, x0, y, ones));
                    c11 = _mm256_add_epi32(c11, dot32(ax1, x1, y, ones));
                    y = _mm256_loadu_si256((const __m256i *)(w2 + l));
                    c02 = _mm256_add_epi32(c02, dot32(ax0, x0, y, ones));
                    c12 = _mm256_add_epi32(c12, dot32(ax1, x1, y, ones));
                    y = _mm256_loadu_si256((const __m256i *)(w3 + l));
                    c03 = _mm256_add_epi32(c03, dot32(ax0, x0, y, ones));
                    c13 = _mm256_add_epi32(c13, dot32(ax1, x1, y, ones));
                }
                __m128i s0 = sum4(c00, c01, c02, c03);
                __m128i s1 = sum4(c10, c11, c12, c13);
                if (k32 < k) {
                    s0 = _mm_add_epi32(s0, _mm_setr_epi32(dotTail8(a0, w0, k32, k), dotTail8(a0, w1, k32, k),
                                                          dotTail8(a0, w2, k32, k), dotTail8(a0, w3, k32, k)));
                    s1 = _mm_add_epi32(s1, _mm_setr_epi32(dotTail8(a1, w0, k32, k), dotTail8(a1, w1, k32, k),
                                                          dotTail8(a1, w2, k32, k), dotTail8(a1, w3, k32, k)));
                }
                __m128 scalesW = _mm_loadu_ps(sw + j);
                float *r0 = c + i * ldc + j, *r1 = r0 + ldc;
                _mm_storeu_ps(r0, _mm_fmadd_ps(_mm_cvtepi32_ps(s0), _mm_mul_ps(scalesW, _mm_set1_ps(sa[i])), _mm_loadu_ps(r0)));
                _mm_storeu_ps(r1, _mm_fmadd_ps(_mm_cvtepi32_ps(s1), _mm_mul_ps(scalesW, _mm_set1_ps(sa[i + 1])), _mm_loadu_ps(r1)));
            }
            for (; j < je; j++) {
                c[i * ldc + j] += (float)dot8(a0, w + j * k, k) * (sa[i] * sw[j]);
                c[(i + 1) * ldc + j] += (float)dot8(a1, w + j * k, k) * (sa[i + 1] * sw[j]);
            }
        }
        for (; i < m; i++) {
            for (ptrdiff_t j = jb; j < je; j++) {
                c[i * ldc + j] += (float)dot8(a + i * k, w + j * k, k) * (sa[i] * sw[j]);
            }
        }
    }
}

// 32 four-bit weights (16 bytes) as signed bytes in [-8, 7], in value order.
AVX2 static inline __m256i unpack32(const uint8_t *bytes) {
    const __m128i low = _mm_set1_epi8(0x0F);
    __m128i b = _mm_loadu_si128((const __m128i *)bytes);
    __m256i v = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(b, 4), low), _mm_and_si128(b, low));
    return _mm256_sub_epi8(v, _mm256_set1_epi8(8));
}

// One row of `a` (with its scales per 32 values) against one 4-bit weight row.
AVX2 static float dot4(const int8_t *a, const float *sa, const uint8_t *w, const float *scales, ptrdiff_t k, ptrdiff_t group) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t g = 0; g < k; g += group) {
        __m256 sum = _mm256_setzero_ps();
        for (ptrdiff_t l = g; l < g + group; l += 32) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(a + l));
            __m256i d = dot32(_mm256_abs_epi8(x), x, unpack32(w + l / 2), ones);
            sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d), _mm256_set1_ps(sa[l / 32]), sum);
        }
        acc = _mm256_fmadd_ps(sum, _mm256_set1_ps(scales[g / group]), acc);
    }
    return sum8f(acc);
}

AVX2 void squire_gemm_q4_avx2(const int8_t *a, const float *sa, ptrdiff_t m,
                              const uint8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t group,
                              ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    const __m256i ones = _mm256_set1_epi16(1);
    const ptrdiff_t groups = k / group, blocks = k / 32;
    const ptrdiff_t block = columnBlock(k / 2);
    for (ptrdiff_t jb = j0; jb < j1; jb += block) {
        const ptrdiff_t je = jb + block < j1 ? jb + block : j1;
        ptrdiff_t i = 0;
        for (; i + 2 <= m; i += 2) {
            const int8_t *a0 = a + i * k, *a1 = a0 + k;
            const float *sa0 = sa + i * blocks, *sa1 = sa0 + blocks;
            ptrdiff_t j = jb;
            for (; j + 2 <= je; j += 2) {
                const uint8_t *w0 = w + j * (k / 2), *w1 = w0 + k / 2;
                const float *s0 = sw + j * groups, *s1 = s0 + groups;
                __m256 f00 = _mm256_setzero_ps(), f01 = f00, f10 = f00, f11 = f00;
                for (ptrdiff_t g = 0; g < k; g += group) {
                    __m256 g00 = _mm256_setzero_ps(), g01 = g00, g10 = g00, g11 = g00;
                    for (ptrdiff_t l = g; l < g + group; l += 32) {
                        __m256i x0 = _mm256_loadu_si256((const __m256i *)(a0 + l));
                        __m256i x1 = _mm256_loadu_si256((const __m256i *)(a1 + l));
                        __m256i ax0 = _mm256_abs_epi8(x0), ax1 = _mm256_abs_epi8(x1);
                        __m256 b0 = _mm256_set1_ps(sa0[l / 32]), b1 = _mm256_set1_ps(sa1[l / 32]);
                        __m256i y = unpack32(w0 + l / 2);
                        g00 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot32(ax0, x0, y, ones)), b0, g00);
                        g10 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot32(ax1, x1, y, ones)), b1, g10);
                        y = unpack32(w1 + l / 2);
                        g01 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot32(ax0, x0, y, ones)), b0, g01);
                        g11 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot32(ax1, x1, y, ones)), b1, g11);
                    }
                    __m256 e0 = _mm256_set1_ps(s0[g / group]), e1 = _mm256_set1_ps(s1[g / group]);
                    f00 = _mm256_fmadd_ps(g00, e0, f00);
                    f10 = _mm256_fmadd_ps(g10, e0, f10);
                    f01 = _mm256_fmadd_ps(g01, e1, f01);
                    f11 = _mm256_fmadd_ps(g11, e1, f11);
                }
                c[i * ldc + j] += sum8f(f00);
                c[i * ldc + j + 1] += sum8f(f01);
                c[(i + 1) * ldc + j] += sum8f(f10);
                c[(i + 1) * ldc + j + 1] += sum8f(f11);
            }
            for (; j < je; j++) {
                c[i * ldc + j] += dot4(a0, sa0, w + j * (k / 2), sw + j * groups, k, group);
                c[(i + 1) * ldc + j] += dot4(a1, sa1, w + j * (k / 2), sw + j * groups, k, group);
            }
        }
        for (; i < m; i++) {
            for (ptrdiff_t j = jb; j < je; j++) {
                c[i * ldc + j] += dot4(a + i * k, sa + i * blocks, w + j * (k / 2), sw + j * groups, k, group);
            }
        }
    }
}

#else

// Other architectures take SquireQuantization's Swift path; these are never called there.
int squire_quant_has_avx2(void) { return 0; }
void squire_quantize_rows_q8_avx2(const float *x, ptrdiff_t rows, ptrdiff_t k, int8_t *q, float *scales) {
    (void)x; (void)rows; (void)k; (void)q; (void)scales;
}
void squire_gemm_q8_avx2(const int8_t *a, const float *sa, ptrdiff_t m, const int8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    (void)a; (void)sa; (void)m; (void)w; (void)sw; (void)k; (void)j0; (void)j1; (void)c; (void)ldc;
}
void squire_gemm_q4_avx2(const int8_t *a, const float *sa, ptrdiff_t m, const uint8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t group, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    (void)a; (void)sa; (void)m; (void)w; (void)sw; (void)k; (void)group; (void)j0; (void)j1; (void)c; (void)ldc;
}

#endif
