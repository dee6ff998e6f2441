// SuiteSparse UMFPACK (64-bit `umfpack_dl_*` API); headers from Debian's libsuitesparse-dev.
#include <suitesparse/umfpack.h>
static inline long csuitesparse_umfpack_control_size(void) { return UMFPACK_CONTROL; }
static inline long csuitesparse_umfpack_info_size(void) { return UMFPACK_INFO; }
static inline long csuitesparse_umfpack_sys_a(void) { return UMFPACK_A; }
