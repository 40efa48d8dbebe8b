// CBLAS from whichever implementation Debian's alternatives select (OpenBLAS, BLIS,
// the Netlib reference): all share the standard cblas.h interface, so the binary
// follows /usr/lib/*/libblas.so.3 at run time without a rebuild.
#include <cblas.h>
#include <stddef.h>

// LAPACK through its Fortran symbols (column-major, every argument by pointer). The
// trailing size_t parameters are the hidden lengths gfortran passes for CHARACTER
// arguments; declaring them keeps the calls correct under LAPACK >= 3.9.

/// Solves A X = B for a general square A (LU with partial pivoting).
void sgesv_(const int *n, const int *nrhs, float *a, const int *lda, int *ipiv,
            float *b, const int *ldb, int *info);

/// Solves A X = B for a symmetric positive definite A (Cholesky).
void sposv_(const char *uplo, const int *n, const int *nrhs, float *a, const int *lda,
            float *b, const int *ldb, int *info, size_t uplo_len);

/// Eigenvalues and eigenvectors of a symmetric matrix (divide and conquer).
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);

/// Singular value decomposition (divide and conquer).
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda,
             float *s, float *u, const int *ldu, float *vt, const int *ldvt,
             float *work, const int *lwork, int *iwork, int *info, size_t jobz_len);
