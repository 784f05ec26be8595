// libFuzzer's entry point for a program with its own main (declaration only: the library is
// linked by `-sanitize=fuzzer`, in the builds Scripts/fuzz.sh makes).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
