// The one header of the libpng shim: pixel-dqn uses only libpng's simplified API (png_image),
// which reports errors in a struct field instead of longjmp, which Swift cannot cross.
#include <png.h>
