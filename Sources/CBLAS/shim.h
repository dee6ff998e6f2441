// OpenBLAS CBLAS interface (pthread flavour on Debian; also declares openblas_set_num_threads).
#include <cblas.h>
