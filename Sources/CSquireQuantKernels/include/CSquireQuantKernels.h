#ifndef CSQUIRE_QUANT_KERNELS_H
#define CSQUIRE_QUANT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU runs AVX2 (and the kernels below may be called), 0 otherwise.
int squire_quant_has_avx2(void);

/// 1 when the CPU also runs AVX-512 VNNI on 256-bit vectors (AVX512-VNNI and AVX512-VL), so
/// the `_vnni` kernels below may be called; 0 otherwise.
int squire_quant_has_vnni(void);

/// Quantizes each row of `x` ([rows, k], row-major) symmetrically to integers in
/// [-levels, levels] (`levels` at most 127): `scales[r] = max|x[r, :]| / levels`,
/// `q[r, l] = round(x[r, l] / scales[r])`. A row of zeros gets scale 0 and zeros; a row holding
/// NaN or infinity gets scale NaN.
void squire_quantize_rows_q8_avx2(const float *x, ptrdiff_t rows, ptrdiff_t k, int levels, int8_t *q, float *scales);

/// `c[i, j] += Σ_b (Σ_{l in block b} a[i, l] · w[j, l]) · sa[i, b] · sw[j]` for `i < m`,
/// `j0 <= j < j1`.
///
/// `a` is [m, k] int8 with one scale per `block` values of a row (`sa` is [m, k / block];
/// `block` is k, or a multiple of 4 that divides k), its values in [-63, 63] (vpmaddubsw's
/// int16 pair sums would saturate otherwise); `w` is [n, k] int8 with one scale per row (output
/// channel), its values in [-127, 127]. `c` has row stride `ldc`.
void squire_gemm_q8_avx2(const int8_t *a, const float *sa, ptrdiff_t m,
                         const int8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t block,
                         ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc);

/// `c[i, j] += (Σ_l a[i, l] · w[j, l]) · sa[i] · sw[j]`, with vpdpbusd for 8 rows or more:
/// ``squire_gemm_q8_avx2``'s arguments with one scale per row of `a` (`block` = k) and its
/// values in [-127, 127].
void squire_gemm_q8_vnni(const int8_t *a, const float *sa, ptrdiff_t m,
                         const int8_t *w, const float *sw, ptrdiff_t k,
                         ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc);

/// `c[i, j] += Σ_g sw[j, g] · Σ_{b in g} sa[i, b] · (Σ_{l in block b} a[i, l] · w[j, l])` for
/// `i < m`, `j0 <= j < j1`, with 4-bit weights and activations scaled per block of 32
/// (`sa` is [m, k / 32]).
///
/// `w` holds `k / 2` bytes per output row: in every 32 values, byte `t` carries value `t` in
/// its low nibble and value `t + 16` in its high nibble, each stored plus 8 (so [-8, 7]
/// becomes [0, 15]). `sw` is [n, k / group]; `group` is a multiple of 32 dividing `k`.
void squire_gemm_q4_avx2(const int8_t *a, const float *sa, ptrdiff_t m,
                         const uint8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t group,
                         ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc);

/// ``squire_gemm_q4_avx2`` with vpdpbusd; same arguments, same results up to float rounding.
void squire_gemm_q4_vnni(const int8_t *a, const float *sa, ptrdiff_t m,
                         const uint8_t *w, const float *sw, ptrdiff_t k, ptrdiff_t group,
                         ptrdiff_t j0, ptrdiff_t j1, float *c, ptrdiff_t ldc);

#endif
