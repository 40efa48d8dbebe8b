#ifndef CSQUIRE_TENSOR_KERNELS_H
#define CSQUIRE_TENSOR_KERNELS_H

#include <stddef.h>

/// Tells the CPU the caller is in a spin-wait loop (x86 `pause`, Arm `yield`), so the loop
/// neither floods the memory system with loads nor starves a sibling hardware thread.
static inline void squire_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

/// 1 when the CPU runs AVX2 and FMA (and the kernels below may be called), 0 otherwise.
int squire_tensor_has_avx2(void);

/// `y[i] = x[i] · Φ(x[i])`, GELU in BERT's exact erf form, for `count` floats; the same
/// algorithm as SquireTensor's Swift `VectorMath.gelu`, eight lanes of AVX2 with FMA.
void squire_gelu_avx2(const float *x, float *y, ptrdiff_t count);

/// GELU's derivative `Φ(x) + x·φ(x)` for `count` floats, as `VectorMath.geluDerivative`.
void squire_gelu_derivative_avx2(const float *x, float *y, ptrdiff_t count);

/// `C = alpha · A · Bᵀ + beta · C` for row-major `A` (`m × k`), `B` (`n × k`) and `C` (`m × n`),
/// without packing either operand: for short `A` (a few dozen rows), where packing `B` would
/// cost as much as the product. With `beta == 0`, `C` is not read.
void squire_sgemm_nt_avx2(const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                          ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, float beta);

#endif
