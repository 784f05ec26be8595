// The one header of the giflib shim: pixel-dqn writes animated GIFs with giflib's low-level
// encoder (EGif*) and reads them back with DGifSlurp; giflib reports errors by return codes.
#include <gif_lib.h>
