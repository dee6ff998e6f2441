// SuiteSparse UMFPACK (64-bit `umfpack_dl_*` API); headers from Debian's libsuitesparse-dev.
#include <suitesparse/umfpack.h>
static inline long csuitesparse_umfpack_control_size(void) { return UMFPACK_CONTROL; }
static inline long csuitesparse_umfpack_info_size(void) { return UMFPACK_INFO; }
static inline long csuitesparse_umfpack_sys_a(void) { return UMFPACK_A; }
static inline long csuitesparse_umfpack_irstep(void) { return UMFPACK_IRSTEP; }
// glibc allocator tuning for repeated UMFPACK factorisations (Numerics.ProcessMemory).
#include <malloc.h>
static inline void csuitesparse_keep_freed_memory(void) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
}
