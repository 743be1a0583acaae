// The plastic kernel for any x86-64 (or other) CPU: the compiler's baseline instruction set.
#define DOPA_KERNEL_ISA generic
#include "dopa/nn/plastic_kernel_impl.h"
