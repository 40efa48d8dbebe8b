// C = alpha · A · Bᵀ + beta · C for a few rows of A, straight from B's own row-major layout.
//
// OpenBLAS packs B into its panel layout on every call. With a linear layer's weights as B
// and one short sentence as A (m ≈ 20 rows), packing the weights costs about as much as
// multiplying them: a `perf record` of batch-1 embedding spent 40% of its time in
// sgemm_incopy. Each output here is a dot product of two contiguous rows, so nothing is
// packed: tiles of up to 6 rows × 2 columns keep 12 accumulators of 8 lanes in registers.
//
// Columns are the outer loop: two rows of B are read from memory once, then reused from L1
// by every tile of A's rows. A model's weights do not fit in L3, so B comes from DRAM, and
// the hardware prefetchers fall behind it: with both cores on a 19-row product across six
// layers' weights, the kernel ran 1.5× slower than on weights already in cache. So the first
// tile of each pair of columns prefetches the next pair into L2, one cache line per step of k,
// which brings it within 10% of the cached case. Neither change alters the order of any sum,
// so results are bitwise those of the blocked kernel before them.

#include "CSquireTensorKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE __attribute__((always_inline)) static inline

// Lanes 0..<count set, for loading the last `count` (< 8) floats of a row.
AVX2 INLINE __m256i tailMask(ptrdiff_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AVX2 INLINE float sum8(__m256 x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// One tile of `rows` (1–6) × `columns` (1–2) outputs; both are constants at every call, so
// the loops unroll and the accumulators stay in registers. When `next0` is set, the tile also
// prefetches the rows `next0` and `next1` of B, 64 bytes of each every other step of k:
// the same pace at which it reads its own two.
AVX2 INLINE void tile(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                      ptrdiff_t k, float alpha, float beta, int rows, int columns, const float *next0, const float *next1) {
    __m256 acc[6][2];
    for (int r = 0; r < 6; r++)
        for (int j = 0; j < 2; j++) acc[r][j] = _mm256_setzero_ps();
    ptrdiff_t l = 0;
    for (; l + 8 <= k; l += 8) {
        if (next0 && (l & 15) == 0) {
            _mm_prefetch((const char *)(next0 + l), _MM_HINT_T1);
            _mm_prefetch((const char *)(next1 + l), _MM_HINT_T1);
        }
        __m256 x[6], y[2];
        for (int r = 0; r < rows; r++) x[r] = _mm256_loadu_ps(a + r * lda + l);
        for (int j = 0; j < columns; j++) y[j] = _mm256_loadu_ps(b + j * ldb + l);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++) acc[r][j] = _mm256_fmadd_ps(x[r], y[j], acc[r][j]);
    }
    if (l < k) {
        __m256i mask = tailMask(k - l);
        __m256 x[6], y[2];
        for (int r = 0; r < rows; r++) x[r] = _mm256_maskload_ps(a + r * lda + l, mask);
        for (int j = 0; j < columns; j++) y[j] = _mm256_maskload_ps(b + j * ldb + l, mask);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++) acc[r][j] = _mm256_fmadd_ps(x[r], y[j], acc[r][j]);
    }
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < columns; j++) {
            float *out = c + r * ldc + j;
            float value = alpha * sum8(acc[r][j]);
            // beta = 0 must not read C, which may be uninitialized.
            *out = beta == 0 ? value : value + beta * *out;
        }
    }
}

// Every row of A against `columns` (1–2, a constant) rows of B; the first tile prefetches
// `next0` / `next1` when set.
AVX2 INLINE void columnTile(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                            ptrdiff_t m, ptrdiff_t k, float alpha, float beta, int columns,
                            const float *next0, const float *next1) {
    ptrdiff_t i = 0;
    for (; i + 6 <= m; i += 6) {
        tile(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 6, columns, next0, next1);
        next0 = next1 = 0;
    }
    const float *x = a + i * lda;
    float *y = c + i * ldc;
    switch (m - i) {
    case 5: tile(x, lda, b, ldb, y, ldc, k, alpha, beta, 5, columns, next0, next1); break;
    case 4: tile(x, lda, b, ldb, y, ldc, k, alpha, beta, 4, columns, next0, next1); break;
    case 3: tile(x, lda, b, ldb, y, ldc, k, alpha, beta, 3, columns, next0, next1); break;
    case 2: tile(x, lda, b, ldb, y, ldc, k, alpha, beta, 2, columns, next0, next1); break;
    case 1: tile(x, lda, b, ldb, y, ldc, k, alpha, beta, 1, columns, next0, next1); break;
    }
}

AVX2 void squire_sgemm_nt_avx2(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                               ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, float beta) {
    ptrdiff_t j = 0;
    for (; j + 2 <= n; j += 2) {
        // The next pair, or the single column after it, or nothing.
        const float *next0 = j + 2 < n ? b + (j + 2) * ldb : 0;
        const float *next1 = j + 3 < n ? b + (j + 3) * ldb : next0;
        columnTile(a, lda, b + j * ldb, ldb, c + j, ldc, m, k, alpha, beta, 2, next0, next1);
    }
    if (j < n) columnTile(a, lda, b + j * ldb, ldb, c + j, ldc, m, k, alpha, beta, 1, 0, 0);
}

#else

void squire_sgemm_nt_avx2(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                          ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, float beta) {
    (void)a; (void)lda; (void)b; (void)ldb; (void)c; (void)ldc; (void)m; (void)n; (void)k; (void)alpha; (void)beta;
}

#endif
