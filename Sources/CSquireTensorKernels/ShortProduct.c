// C = alpha · A · Bᵀ + beta · C for a few rows of A, straight from B's own row-major layout.
//
// OpenBLAS packs B into its panel layout on every call. With a linear layer's weights as B
// and one short sentence as A (m ≈ 20 rows), packing the weights costs about as much as
// multiplying them: a `perf record` of batch-1 embedding spent 40% of its time in
// sgemm_incopy. Each output here is a dot product of two contiguous rows, so nothing is
// packed: tiles of 3 rows × 4 columns keep 12 accumulators of 8 lanes in registers and read
// every weight once per 3 rows, over blocks of columns small enough to stay in L2.

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

// One tile of `rows` (1–3) × `columns` (1–4) outputs; both are constants at every call, so
// the loops unroll and the accumulators stay in registers.
AVX2 INLINE void tile(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                      ptrdiff_t k, float alpha, float beta, int rows, int columns) {
    __m256 acc[6][2];
    for (int r = 0; r < 6; r++)
        for (int j = 0; j < 2; j++) acc[r][j] = _mm256_setzero_ps();
    ptrdiff_t l = 0;
    for (; l + 8 <= k; l += 8) {
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

AVX2 INLINE void rowTiles(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                          ptrdiff_t k, float alpha, float beta, int rows, ptrdiff_t j0, ptrdiff_t j1) {
    ptrdiff_t j = j0;
    for (; j + 2 <= j1; j += 2) tile(a, lda, b + j * ldb, ldb, c + j, ldc, k, alpha, beta, rows, 2);
    for (; j < j1; j++) tile(a, lda, b + j * ldb, ldb, c + j, ldc, k, alpha, beta, rows, 1);
}

AVX2 void squire_sgemm_nt_avx2(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                               ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, float beta) {
    // About 192 KiB of B per block, a multiple of 4 columns.
    ptrdiff_t block = (192 * 1024) / (4 * (k > 0 ? k : 1));
    block = block < 4 ? 4 : block - block % 4;
    for (ptrdiff_t j0 = 0; j0 < n; j0 += block) {
        ptrdiff_t j1 = j0 + block < n ? j0 + block : n;
        ptrdiff_t i = 0;
        for (; i + 6 <= m; i += 6) rowTiles(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 6, j0, j1);
        switch (m - i) {
        case 5: rowTiles(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 5, j0, j1); break;
        case 4: rowTiles(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 4, j0, j1); break;
        case 3: rowTiles(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 3, j0, j1); break;
        case 2: rowTiles(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 2, j0, j1); break;
        case 1: rowTiles(a + i * lda, lda, b, ldb, c + i * ldc, ldc, k, alpha, beta, 1, j0, j1); break;
        }
    }
}

#else

void squire_sgemm_nt_avx2(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                          ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, float beta) {
    (void)a; (void)lda; (void)b; (void)ldb; (void)c; (void)ldc; (void)m; (void)n; (void)k; (void)alpha; (void)beta;
}

#endif
