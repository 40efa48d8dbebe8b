// Integer matrix products for quantized linear layers, written with AVX2 intrinsics because
// Swift's portable SIMD types have no u8 x s8 multiply-add (vpmaddubsw), which does 32
// multiply-adds per instruction, nor VNNI's vpdpbusd, which CPUs with AVX-512 VNNI run
// instead. SquireQuantization falls back to its Swift SIMD path when the CPU lacks AVX2 or on
// other architectures.

#include "CSquireQuantKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

int squire_quant_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define AVX2 __attribute__((target("avx2,fma")))
// vpdpbusd on 256-bit vectors: AVX-512 VNNI with AVX-512 VL (Ice Lake and later, Zen 4).
#define VNNI __attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni")))

int squire_quant_has_vnni(void) {
    __builtin_cpu_init();
    return squire_quant_has_avx2() && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

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

AVX2 static inline int32_t sum8i(__m256i x) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

AVX2 void squire_quantize_rows_q8_avx2(const float *x, ptrdiff_t rows, ptrdiff_t k, int levels, int8_t *q, float *scales) {
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
        float scale = absMax / (float)levels;
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
            out[l] = (int8_t)(v > levels ? levels : (v < -levels ? -levels : v));
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

// What the tiled kernels below do not take (VNNI's products of few rows, rows too long for
// their int32 sums): 2 × 4 blocks of dot products straight from the weight rows, with `a`'s
// sign moved onto the weights, for any values in [-127, 127] with one scale per row.
AVX2 static void gemmQ8Signed(const int8_t *a, const float *sa, ptrdiff_t m,
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

// The 4-bit kernel works on tiles of 8 output columns. For each tile it first gathers the
// columns' packed bytes so that one 32-byte vector holds bytes 4q..4q+3 of every column's
// block in dword j (column j): its low nibbles are values 4q..4q+3 of the 8 columns, its
// high nibbles values 16+4q..16+4q+3. Each row then broadcasts the matching 4 activation
// bytes, and one vpmaddubsw multiplies them by all 8 columns at once: 32 multiply-adds with
// no horizontal sums. The nibbles stay unsigned ([0, 15], the value plus 8), so the kernel
// subtracts 8 · Σ activations of the block afterwards instead of re-signing every weight.

enum { tileColumns = 8, tileRows = 4 };

// Eight consecutive weight rows (`w`, `k / 2` bytes each) rearranged as described above into
// tw[4b..4b+3] for every block b, and their scales (`sw`, `groups` each) into ts[b].
AVX2 static void gatherTile(const uint8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t groups, __m256i *tw, __m256 *ts) {
    const ptrdiff_t rowBytes = k / 2, blocks = k / 32, perGroup = blocks / groups;
    for (ptrdiff_t b = 0; b < blocks; b++) {
        const uint8_t *p = w + 16 * b;
        __m256i y0 = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(p + 4 * rowBytes)), _mm_loadu_si128((const __m128i *)p));
        __m256i y1 = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(p + 5 * rowBytes)), _mm_loadu_si128((const __m128i *)(p + rowBytes)));
        __m256i y2 = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(p + 6 * rowBytes)), _mm_loadu_si128((const __m128i *)(p + 2 * rowBytes)));
        __m256i y3 = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(p + 7 * rowBytes)), _mm_loadu_si128((const __m128i *)(p + 3 * rowBytes)));
        __m256i t0 = _mm256_unpacklo_epi32(y0, y1), t1 = _mm256_unpackhi_epi32(y0, y1);
        __m256i t2 = _mm256_unpacklo_epi32(y2, y3), t3 = _mm256_unpackhi_epi32(y2, y3);
        tw[4 * b] = _mm256_unpacklo_epi64(t0, t2);
        tw[4 * b + 1] = _mm256_unpackhi_epi64(t0, t2);
        tw[4 * b + 2] = _mm256_unpacklo_epi64(t1, t3);
        tw[4 * b + 3] = _mm256_unpackhi_epi64(t1, t3);
    }
    const __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)groups));
    for (ptrdiff_t g = 0; g < groups; g++) {
        __m256 scales = _mm256_i32gather_ps(sw + g, index, 4);
        for (ptrdiff_t b = g * perGroup; b < (g + 1) * perGroup; b++) ts[b] = scales;
    }
}

AVX2 static inline __m256i broadcast4(const int8_t *x) {
    int32_t v;
    __builtin_memcpy(&v, x, 4);
    return _mm256_set1_epi32(v);
}

// Rows [0, R) of `a` against one gathered tile, added to c[r, 0..<columns]. `sums8` holds
// 8 · Σ activations per row and block. Instantiated below for AVX2 and for AVX-512 VNNI with
// their own `accumulateQ4` (one row's products of a block quarter, added to the row's two
// accumulators) and `totalQ4` (a block's int32 sum per column from both).
#define TILE_ROWS_Q4(TARGET, SUFFIX)                                                                           \
    TARGET static inline __attribute__((always_inline)) void tileRowsQ4##SUFFIX(                               \
        int R, const int8_t *a, ptrdiff_t k, const float *sa, const int32_t *sums8, ptrdiff_t blocks,          \
        const __m256i *tw, const __m256 *ts, float *c, ptrdiff_t ldc, ptrdiff_t columns) {                     \
        const __m256i low = _mm256_set1_epi8(0x0F);                                                            \
        __m256 f[tileRows];                                                                                    \
        for (int r = 0; r < R; r++) f[r] = _mm256_setzero_ps();                                                \
        for (ptrdiff_t b = 0; b < blocks; b++) {                                                               \
            __m256i acc[tileRows], acc2[tileRows];                                                             \
            for (int r = 0; r < R; r++) acc[r] = acc2[r] = _mm256_setzero_si256();                             \
            for (int q = 0; q < 4; q++) {                                                                      \
                __m256i v = _mm256_load_si256(tw + 4 * b + q);                                                 \
                __m256i lo = _mm256_and_si256(v, low), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);    \
                for (int r = 0; r < R; r++) accumulateQ4##SUFFIX(&acc[r], &acc2[r], lo, hi, a + r * k + 32 * b + 4 * q); \
            }                                                                                                  \
            for (int r = 0; r < R; r++) {                                                                      \
                __m256i d = _mm256_sub_epi32(totalQ4##SUFFIX(acc[r], acc2[r]), _mm256_set1_epi32(sums8[r * blocks + b])); \
                __m256 scale = _mm256_mul_ps(ts[b], _mm256_set1_ps(sa[r * blocks + b]));                        \
                f[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d), scale, f[r]);                                     \
            }                                                                                                  \
        }                                                                                                      \
        for (int r = 0; r < R; r++) addRow(c + r * ldc, f[r], columns);                                        \
    }                                                                                                          \
    TARGET static void rowsQ4##SUFFIX##1(ROWS_Q4_PARAMETERS) { tileRowsQ4##SUFFIX(1, ROWS_Q4_ARGUMENTS); }     \
    TARGET static void rowsQ4##SUFFIX##2(ROWS_Q4_PARAMETERS) { tileRowsQ4##SUFFIX(2, ROWS_Q4_ARGUMENTS); }     \
    TARGET static void rowsQ4##SUFFIX##3(ROWS_Q4_PARAMETERS) { tileRowsQ4##SUFFIX(3, ROWS_Q4_ARGUMENTS); }     \
    TARGET static void rowsQ4##SUFFIX##4(ROWS_Q4_PARAMETERS) { tileRowsQ4##SUFFIX(4, ROWS_Q4_ARGUMENTS); }

#define ROWS_Q4_PARAMETERS const int8_t *a, ptrdiff_t k, const float *sa, const int32_t *sums8, ptrdiff_t blocks, \
                           const __m256i *tw, const __m256 *ts, float *c, ptrdiff_t ldc, ptrdiff_t columns
#define ROWS_Q4_ARGUMENTS a, k, sa, sums8, blocks, tw, ts, c, ldc, columns
typedef void (*RowsQ4)(ROWS_Q4_PARAMETERS);

// c[0..<columns] += the first `columns` lanes of `f`.
AVX2 static inline void addRow(float *c, __m256 f, ptrdiff_t columns) {
    if (columns == tileColumns) {
        _mm256_storeu_ps(c, _mm256_add_ps(_mm256_loadu_ps(c), f));
    } else {
        float lanes[tileColumns];
        _mm256_storeu_ps(lanes, f);
        for (ptrdiff_t j = 0; j < columns; j++) c[j] += lanes[j];
    }
}

// vpmaddubsw sums pairs into int16: each lane gathers 16 products of a weight in [0, 15] and
// an activation in [-127, 127] over a block, at most 30480 in magnitude, so it cannot overflow.
// One accumulator suffices: its adds are short.
AVX2 static inline void accumulateQ4Avx2(__m256i *acc, __m256i *unused, __m256i lo, __m256i hi, const int8_t *x) {
    (void)unused;
    __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(lo, broadcast4(x)), _mm256_maddubs_epi16(hi, broadcast4(x + 16)));
    *acc = _mm256_add_epi16(*acc, p);
}
AVX2 static inline __m256i totalQ4Avx2(__m256i acc, __m256i unused) {
    (void)unused;
    return _mm256_madd_epi16(acc, _mm256_set1_epi16(1));
}
TILE_ROWS_Q4(AVX2, Avx2)

// vpdpbusd adds four products straight into int32; low and high nibbles go to separate
// accumulators because each vpdpbusd waits for the last one on its accumulator.
VNNI static inline void accumulateQ4Vnni(__m256i *acc, __m256i *acc2, __m256i lo, __m256i hi, const int8_t *x) {
    *acc = _mm256_dpbusd_epi32(*acc, lo, broadcast4(x));
    *acc2 = _mm256_dpbusd_epi32(*acc2, hi, broadcast4(x + 16));
}
VNNI static inline __m256i totalQ4Vnni(__m256i acc, __m256i acc2) { return _mm256_add_epi32(acc, acc2); }
TILE_ROWS_Q4(VNNI, Vnni)

// Asks for the cache lines of [from, to).
AVX2 static inline void prefetchBytes(const void *from, const void *to) {
    for (const char *p = from; p < (const char *)to; p += 64) _mm_prefetch(p, _MM_HINT_T0);
}

// Asks for the packed weights and scales of columns [from, to), which are contiguous.
AVX2 static inline void prefetchColumns(const uint8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t groups, ptrdiff_t from, ptrdiff_t to) {
    prefetchBytes(w + from * (k / 2), w + to * (k / 2));
    prefetchBytes(sw + from * groups, sw + to * groups);
}

AVX2 static void gemmQ4(const int8_t *a, const float *sa, ptrdiff_t m, const uint8_t *w, const float *sw,
                        ptrdiff_t k, ptrdiff_t group, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc,
                        const RowsQ4 rowsQ4[tileRows + 1]) {
    const ptrdiff_t blocks = k / 32, groups = k / group;
    // Rows in bands whose activations stay in L2 while every column tile passes over them;
    // within a band each tile is gathered once, so the gathering is repaid over many rows.
    ptrdiff_t band = (128 * 1024) / k;
    band = band < tileRows ? tileRows : band - band % tileRows;
    if (band > m) band = m;
    // One allocation: the gathered tile and its scales per block, each band row's block
    // sums, and a last tile narrower than 8 columns padded to 8 (0x88 bytes are values 0).
    const size_t tileBytes = (size_t)blocks * 4 * sizeof(__m256i), scaleBytes = (size_t)blocks * sizeof(__m256);
    const size_t sumBytes = ((size_t)band * (size_t)blocks * sizeof(int32_t) + 31) / 32 * 32;
    const size_t padBytes = (size_t)tileColumns * (size_t)(k / 2), padScaleBytes = (size_t)tileColumns * (size_t)groups * sizeof(float);
    uint8_t *scratch = aligned_alloc(32, tileBytes + scaleBytes + sumBytes + (padBytes + padScaleBytes + 31) / 32 * 32);
    if (!scratch) abort();
    __m256i *tw = (__m256i *)scratch;
    __m256 *ts = (__m256 *)(scratch + tileBytes);
    int32_t *sums8 = (int32_t *)(scratch + tileBytes + scaleBytes);
    uint8_t *padW = scratch + tileBytes + scaleBytes + sumBytes;
    float *padS = (float *)(padW + padBytes);
    const ptrdiff_t full = j0 + (j1 - j0) / tileColumns * tileColumns;
    const __m256i unsignedOnes = _mm256_set1_epi8(1), ones = _mm256_set1_epi16(1);
    for (ptrdiff_t i0 = 0; i0 < m; i0 += band) {
        const ptrdiff_t rows = m - i0 < band ? m - i0 : band;
        const int8_t *ab = a + i0 * k;
        const float *sab = sa + i0 * blocks;
        for (ptrdiff_t r = 0; r < rows * blocks; r++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(ab + 32 * r));
            sums8[r] = 8 * sum8i(_mm256_madd_epi16(_mm256_maddubs_epi16(unsignedOnes, x), ones));
        }
        prefetchColumns(w, sw, k, groups, j0, j0 + 2 * tileColumns < j1 ? j0 + 2 * tileColumns : j1);
        for (ptrdiff_t j = j0; j < j1; j += tileColumns) {
            const ptrdiff_t columns = j1 - j < tileColumns ? j1 - j : tileColumns;
            // Weights arrive from L3 or memory (a model's layers do not fit in L2); asking two
            // tiles ahead hides the latency that would otherwise stall every gather.
            const ptrdiff_t ahead = j + 2 * tileColumns;
            if (ahead < j1) prefetchColumns(w, sw, k, groups, ahead, ahead + tileColumns < j1 ? ahead + tileColumns : j1);
            if (j < full) {
                gatherTile(w + j * (k / 2), sw + j * groups, k, groups, tw, ts);
            } else {
                memset(padW, 0x88, padBytes);
                memcpy(padW, w + j * (k / 2), (size_t)columns * (size_t)(k / 2));
                memset(padS, 0, padScaleBytes);
                memcpy(padS, sw + j * groups, (size_t)columns * (size_t)groups * sizeof(float));
                gatherTile(padW, padS, k, groups, tw, ts);
            }
            for (ptrdiff_t r = 0; r < rows; r += tileRows) {
                const ptrdiff_t count = rows - r < tileRows ? rows - r : tileRows;
                rowsQ4[count](ab + r * k, k, sab + r * blocks, sums8 + r * blocks, blocks, tw, ts, c + (i0 + r) * ldc + j, ldc, columns);
            }
        }
    }
    free(scratch);
}

void squire_gemm_q4_avx2(const int8_t *a, const float *sa, ptrdiff_t m, const uint8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t group, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    static const RowsQ4 rows[tileRows + 1] = {0, rowsQ4Avx21, rowsQ4Avx22, rowsQ4Avx23, rowsQ4Avx24};
    gemmQ4(a, sa, m, w, sw, k, group, j0, j1, c, ldc, rows);
}

void squire_gemm_q4_vnni(const int8_t *a, const float *sa, ptrdiff_t m, const uint8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t group, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    static const RowsQ4 rows[tileRows + 1] = {0, rowsQ4Vnni1, rowsQ4Vnni2, rowsQ4Vnni3, rowsQ4Vnni4};
    gemmQ4(a, sa, m, w, sw, k, group, j0, j1, c, ldc, rows);
}

// The int8 kernels for many rows use the 4-bit kernel's tiles: 8 columns gathered so that
// dword j of a vector holds 4 consecutive weights of column j, times 4 broadcast activations,
// which needs no horizontal sums. Both multiply-adds want one unsigned operand, so activations
// are stored shifted up and the shift times Σ weights is subtracted per column at the end:
// - VNNI: vpdpbusd adds four products straight into int32; activations keep 8 bits with one
//   scale per row and are stored plus 128 (in [1, 255]).
// - AVX2: vpmaddubsw sums pairs into int16 and saturates, so activations get 7 bits ([-63, 63],
//   stored plus 64 in [1, 127]): a pair is then at most 2 · 127 · 127. That saves the sign
//   trick's extra instructions. To win back the lost bit, AVX2 activations carry one scale per
//   block of 64 values, which confines all-MiniLM-L6-v2's outlier dimensions to their blocks
//   (ONNX Runtime's "reduce_range" drops a bit of the weights instead, for the same reason).
// Every sum stays in int32 for k up to 65,000 (255 · 127 · k < 2³¹).

enum { tileRowsQ8 = 8, maximumDepthQ8 = 65000 };

// Eight weight rows (`w`, `ldw` bytes apart, `k` each) as tw[0..<(k + 3) / 4] (zero past k).
AVX2 static void gatherTileQ8(const int8_t *w, ptrdiff_t ldw, ptrdiff_t k, __m256i *tw) {
    const ptrdiff_t k32 = k - k % 32, quads = (k + 3) / 4;
    for (ptrdiff_t l = 0; l < k32; l += 32) {
        __m256i r[8], t[8], u[8];
        for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_si256((const __m256i *)(w + j * ldw + l));
        for (int j = 0; j < 8; j += 2) {
            t[j] = _mm256_unpacklo_epi32(r[j], r[j + 1]);
            t[j + 1] = _mm256_unpackhi_epi32(r[j], r[j + 1]);
        }
        for (int h = 0; h < 8; h += 4) {
            u[h] = _mm256_unpacklo_epi64(t[h], t[h + 2]);
            u[h + 1] = _mm256_unpackhi_epi64(t[h], t[h + 2]);
            u[h + 2] = _mm256_unpacklo_epi64(t[h + 1], t[h + 3]);
            u[h + 3] = _mm256_unpackhi_epi64(t[h + 1], t[h + 3]);
        }
        __m256i *out = tw + l / 4;
        for (int q = 0; q < 4; q++) {
            out[q] = _mm256_permute2x128_si256(u[q], u[q + 4], 0x20);
            out[q + 4] = _mm256_permute2x128_si256(u[q], u[q + 4], 0x31);
        }
    }
    if (k32 < k) {
        int8_t *tail = (int8_t *)(tw + k32 / 4);
        memset(tail, 0, (size_t)(quads - k32 / 4) * sizeof(__m256i));
        for (ptrdiff_t l = k32; l < k; l++) {
            for (int j = 0; j < 8; j++) tail[((l - k32) / 4) * 32 + 4 * j + (l % 4)] = w[j * ldw + l];
        }
    }
}

// The quads of activation block b: [b · blockQuads, min((b + 1) · blockQuads, quads)).
static inline ptrdiff_t blockEnd(ptrdiff_t b, ptrdiff_t blockQuads, ptrdiff_t quads) {
    return (b + 1) * blockQuads < quads ? (b + 1) * blockQuads : quads;
}

// 128 · Σ weights of each column of a gathered tile, per activation block. Four accumulators,
// so the vpdpbusd chain does not wait on itself.
VNNI static void shiftedSumsVnni(const __m256i *tw, ptrdiff_t quads, ptrdiff_t blockQuads, __m256i *corrections) {
    const __m256i ones = _mm256_set1_epi8(1);
    for (ptrdiff_t b = 0; b * blockQuads < quads; b++) {
        __m256i sums[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
        for (ptrdiff_t q = b * blockQuads, i = 0; q < blockEnd(b, blockQuads, quads); q++, i++) sums[i % 4] = _mm256_dpbusd_epi32(sums[i % 4], ones, tw[q]);
        corrections[b] = _mm256_slli_epi32(_mm256_add_epi32(_mm256_add_epi32(sums[0], sums[1]), _mm256_add_epi32(sums[2], sums[3])), 7);
    }
}

// 64 · Σ weights of each column of a gathered tile, per activation block.
AVX2 static void shiftedSumsAvx2(const __m256i *tw, ptrdiff_t quads, ptrdiff_t blockQuads, __m256i *corrections) {
    const __m256i unsignedOnes = _mm256_set1_epi8(1), ones = _mm256_set1_epi16(1);
    for (ptrdiff_t b = 0; b * blockQuads < quads; b++) {
        __m256i sum = _mm256_setzero_si256();
        for (ptrdiff_t q = b * blockQuads; q < blockEnd(b, blockQuads, quads); q++) {
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(unsignedOnes, tw[q]), ones));
        }
        corrections[b] = _mm256_slli_epi32(sum, 6);
    }
}

#define ROWS_Q8_PARAMETERS const uint8_t *u, ptrdiff_t ldu, ptrdiff_t quads, ptrdiff_t blocks, ptrdiff_t blockQuads, \
                           const float *sa, const __m256i *tw, const __m256i *corrections, __m256 scales,           \
                           float *c, ptrdiff_t ldc, ptrdiff_t columns
#define ROWS_Q8_ARGUMENTS u, ldu, quads, blocks, blockQuads, sa, tw, corrections, scales, c, ldc, columns
typedef void (*RowsQ8)(int R, ROWS_Q8_PARAMETERS);
typedef void (*ShiftedSums)(const __m256i *tw, ptrdiff_t quads, ptrdiff_t blockQuads, __m256i *corrections);

// Rows [0, R) of the shifted activations `u` (row stride `ldu`; `blocks` scales per row in
// `sa`, each covering `blockQuads` quads) against one gathered tile, added to c[r, 0..<columns].
// VNNI keeps 8 rows with two accumulators each (even and odd quads), so that vpdpbusd does not
// wait on itself, in AVX-512's 32 vector registers.
VNNI static inline __attribute__((always_inline)) void tileRowsQ8Vnni(int R, ROWS_Q8_PARAMETERS) {
    __m256 f[tileRowsQ8];
    for (int r = 0; r < R; r++) f[r] = _mm256_setzero_ps();
    for (ptrdiff_t b = 0; b < blocks; b++) {
        __m256i acc[tileRowsQ8], acc2[tileRowsQ8];
        for (int r = 0; r < R; r++) acc[r] = acc2[r] = _mm256_setzero_si256();
        const ptrdiff_t end = blockEnd(b, blockQuads, quads);
        ptrdiff_t q = b * blockQuads;
        for (; q + 2 <= end; q += 2) {
            __m256i v = _mm256_load_si256(tw + q), v2 = _mm256_load_si256(tw + q + 1);
            for (int r = 0; r < R; r++) {
                acc[r] = _mm256_dpbusd_epi32(acc[r], broadcast4((const int8_t *)(u + r * ldu + 4 * q)), v);
                acc2[r] = _mm256_dpbusd_epi32(acc2[r], broadcast4((const int8_t *)(u + r * ldu + 4 * q + 4)), v2);
            }
        }
        if (q < end) {
            __m256i v = _mm256_load_si256(tw + q);
            for (int r = 0; r < R; r++) acc[r] = _mm256_dpbusd_epi32(acc[r], broadcast4((const int8_t *)(u + r * ldu + 4 * q)), v);
        }
        for (int r = 0; r < R; r++) {
            __m256i total = _mm256_sub_epi32(_mm256_add_epi32(acc[r], acc2[r]), corrections[b]);
            f[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_mul_ps(scales, _mm256_set1_ps(sa[r * blocks + b])), f[r]);
        }
    }
    for (int r = 0; r < R; r++) addRow(c + r * ldc, f[r], columns);
}

VNNI static void rowsQ8Vnni(int R, ROWS_Q8_PARAMETERS) {
    switch (R) {
    case 8: tileRowsQ8Vnni(8, ROWS_Q8_ARGUMENTS); break;
    case 7: tileRowsQ8Vnni(7, ROWS_Q8_ARGUMENTS); break;
    case 6: tileRowsQ8Vnni(6, ROWS_Q8_ARGUMENTS); break;
    case 5: tileRowsQ8Vnni(5, ROWS_Q8_ARGUMENTS); break;
    case 4: tileRowsQ8Vnni(4, ROWS_Q8_ARGUMENTS); break;
    case 3: tileRowsQ8Vnni(3, ROWS_Q8_ARGUMENTS); break;
    case 2: tileRowsQ8Vnni(2, ROWS_Q8_ARGUMENTS); break;
    default: tileRowsQ8Vnni(1, ROWS_Q8_ARGUMENTS); break;
    }
}

// AVX2 has 16 vector registers, so it takes 4 rows at a time with one accumulator each: only
// the add is on the accumulator's chain, and it takes one cycle.
AVX2 static inline __attribute__((always_inline)) void tileRowsQ8Avx2(int R, ROWS_Q8_PARAMETERS) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 f[4];
    for (int r = 0; r < R; r++) f[r] = _mm256_setzero_ps();
    for (ptrdiff_t b = 0; b < blocks; b++) {
        __m256i acc[4];
        for (int r = 0; r < R; r++) acc[r] = _mm256_setzero_si256();
        for (ptrdiff_t q = b * blockQuads; q < blockEnd(b, blockQuads, quads); q++) {
            __m256i v = _mm256_load_si256(tw + q);
            for (int r = 0; r < R; r++) {
                __m256i pairs = _mm256_maddubs_epi16(broadcast4((const int8_t *)(u + r * ldu + 4 * q)), v);
                acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(pairs, ones));
            }
        }
        for (int r = 0; r < R; r++) {
            __m256i total = _mm256_sub_epi32(acc[r], corrections[b]);
            f[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_mul_ps(scales, _mm256_set1_ps(sa[r * blocks + b])), f[r]);
        }
    }
    for (int r = 0; r < R; r++) addRow(c + r * ldc, f[r], columns);
}

AVX2 static void rowsQ8Avx2(int R, ROWS_Q8_PARAMETERS) {
    for (int r = 0; r < R; r += 4) {
        const uint8_t *ur = u + r * ldu;
        const float *sr = sa + r * blocks;
        float *cr = c + r * ldc;
        switch (R - r < 4 ? R - r : 4) {
        case 4: tileRowsQ8Avx2(4, ur, ldu, quads, blocks, blockQuads, sr, tw, corrections, scales, cr, ldc, columns); break;
        case 3: tileRowsQ8Avx2(3, ur, ldu, quads, blocks, blockQuads, sr, tw, corrections, scales, cr, ldc, columns); break;
        case 2: tileRowsQ8Avx2(2, ur, ldu, quads, blocks, blockQuads, sr, tw, corrections, scales, cr, ldc, columns); break;
        default: tileRowsQ8Avx2(1, ur, ldu, quads, blocks, blockQuads, sr, tw, corrections, scales, cr, ldc, columns); break;
        }
    }
}

// `a` plus `shift` in bands of rows, against every gathered tile of columns [j0, j1). `sa`
// holds one scale per `block` values of each row (`block` is k or a multiple of 4 dividing k).
AVX2 static void gemmQ8Tiled(const int8_t *a, const float *sa, ptrdiff_t m,
                             const int8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t block,
                             ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc,
                             uint8_t shift, RowsQ8 rowsQ8, ShiftedSums shiftedSums) {
    const ptrdiff_t quads = (k + 3) / 4, ldu = 4 * quads;
    const ptrdiff_t blocks = k / block, blockQuads = blocks == 1 ? quads : block / 4;
    ptrdiff_t band = (128 * 1024) / ldu;
    band = band < tileRowsQ8 ? tileRowsQ8 : band - band % tileRowsQ8;
    if (band > m) band = m;
    // The gathered tile, its corrections per block, a band of shifted activations, and a last
    // tile narrower than 8 columns padded with zero weights.
    const size_t tileBytes = (size_t)quads * sizeof(__m256i), correctionBytes = (size_t)blocks * sizeof(__m256i);
    const size_t bandBytes = ((size_t)band * (size_t)ldu + 31) / 32 * 32, padBytes = (size_t)tileColumns * (size_t)k;
    uint8_t *scratch = aligned_alloc(32, tileBytes + correctionBytes + bandBytes + (padBytes + 31) / 32 * 32);
    if (!scratch) abort();
    __m256i *tw = (__m256i *)scratch, *corrections = (__m256i *)(scratch + tileBytes);
    uint8_t *u = scratch + tileBytes + correctionBytes, *pad = u + bandBytes;
    const ptrdiff_t full = j0 + (j1 - j0) / tileColumns * tileColumns;
    const __m256i shifts = _mm256_set1_epi8((char)shift);
    for (ptrdiff_t i0 = 0; i0 < m; i0 += band) {
        const ptrdiff_t rows = m - i0 < band ? m - i0 : band;
        for (ptrdiff_t r = 0; r < rows; r++) {
            const int8_t *x = a + (i0 + r) * k;
            uint8_t *y = u + r * ldu;
            ptrdiff_t l = 0;
            for (; l + 32 <= k; l += 32) {
                _mm256_storeu_si256((__m256i *)(y + l), _mm256_add_epi8(_mm256_loadu_si256((const __m256i *)(x + l)), shifts));
            }
            for (; l < k; l++) y[l] = (uint8_t)(x[l] + shift);
            for (; l < ldu; l++) y[l] = shift;
        }
        prefetchBytes(w + j0 * k, w + (j0 + 2 * tileColumns < j1 ? j0 + 2 * tileColumns : j1) * k);
        for (ptrdiff_t j = j0; j < j1; j += tileColumns) {
            const ptrdiff_t columns = j1 - j < tileColumns ? j1 - j : tileColumns;
            // As in the 4-bit kernel, ask for the weights two tiles ahead.
            const ptrdiff_t ahead = j + 2 * tileColumns;
            if (ahead < j1) prefetchBytes(w + ahead * k, w + (ahead + tileColumns < j1 ? ahead + tileColumns : j1) * k);
            __m256 scales;
            if (j < full) {
                gatherTileQ8(w + j * k, k, k, tw);
                scales = _mm256_loadu_ps(sw + j);
            } else {
                memset(pad, 0, padBytes);
                memcpy(pad, w + j * k, (size_t)columns * (size_t)k);
                gatherTileQ8((const int8_t *)pad, k, k, tw);
                float s[tileColumns] = {0};
                memcpy(s, sw + j, (size_t)columns * sizeof(float));
                scales = _mm256_loadu_ps(s);
            }
            shiftedSums(tw, quads, blockQuads, corrections);
            for (ptrdiff_t r = 0; r < rows; r += tileRowsQ8) {
                const int count = (int)(rows - r < tileRowsQ8 ? rows - r : tileRowsQ8);
                rowsQ8(count, u + r * ldu, ldu, quads, blocks, blockQuads, sa + (i0 + r) * blocks, tw, corrections, scales,
                       c + (i0 + r) * ldc + j, ldc, columns);
            }
        }
    }
    free(scratch);
}

// Without the sign trick the tiled kernel keeps up with the in-place one even for a few rows
// (two-word texts, 4-6 rows: within 5% on Zen 4), so only rows too long for its int32 sums go
// to the latter.
void squire_gemm_q8_avx2(const int8_t *a, const float *sa, ptrdiff_t m,
                         const int8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t block,
                         ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    if (block == k && k > maximumDepthQ8) {
        gemmQ8Signed(a, sa, m, w, sw, k, j0, j1, c, ldc);
    } else {
        gemmQ8Tiled(a, sa, m, w, sw, k, block, j0, j1, c, ldc, 64, rowsQ8Avx2, shiftedSumsAvx2);
    }
}

// Gathering tiles costs more than it saves for a few rows (below about 6 on Zen 4), and the
// tiled kernel's int32 sums bound k.
void squire_gemm_q8_vnni(const int8_t *a, const float *sa, ptrdiff_t m,
                         const int8_t *w, const float *sw, ptrdiff_t k,
                         ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    if (k > maximumDepthQ8 || m < tileRowsQ8) {
        gemmQ8Signed(a, sa, m, w, sw, k, j0, j1, c, ldc);
    } else {
        gemmQ8Tiled(a, sa, m, w, sw, k, k, j0, j1, c, ldc, 128, rowsQ8Vnni, shiftedSumsVnni);
    }
}

#else

// Other architectures take SquireQuantization's Swift path; these are never called there.
int squire_quant_has_avx2(void) { return 0; }
int squire_quant_has_vnni(void) { return 0; }
void squire_quantize_rows_q8_avx2(const float *x, ptrdiff_t rows, ptrdiff_t k, int levels, int8_t *q, float *scales) {
    (void)x; (void)rows; (void)k; (void)levels; (void)q; (void)scales;
}
void squire_gemm_q8_avx2(const int8_t *a, const float *sa, ptrdiff_t m, const int8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t block, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    (void)a; (void)sa; (void)m; (void)w; (void)sw; (void)k; (void)block; (void)j0; (void)j1; (void)c; (void)ldc;
}
void squire_gemm_q4_avx2(const int8_t *a, const float *sa, ptrdiff_t m, const uint8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t group, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    (void)a; (void)sa; (void)m; (void)w; (void)sw; (void)k; (void)group; (void)j0; (void)j1; (void)c; (void)ldc;
}
void squire_gemm_q4_vnni(const int8_t *a, const float *sa, ptrdiff_t m, const uint8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t group, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    squire_gemm_q4_avx2(a, sa, m, w, sw, k, group, j0, j1, c, ldc);
}
void squire_gemm_q8_vnni(const int8_t *a, const float *sa, ptrdiff_t m, const int8_t *w, const float *sw,
                         ptrdiff_t k, ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc) {
    squire_gemm_q8_avx2(a, sa, m, w, sw, k, k, j0, j1, c, ldc);
}

#endif
