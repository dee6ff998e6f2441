// SUNDIALS CVODES (variable-order BDF with error control and quadratures), serial vectors,
// band matrix and band direct solver: Debian's libsundials-dev 6.4.
#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sunmatrix/sunmatrix_band.h>
#include <sunlinsol/sunlinsol_band.h>
