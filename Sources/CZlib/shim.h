// zlib (Debian zlib1g-dev): inflate for PNG mask images (Microscale.PNGImage).
#include <zlib.h>
