// The plastic kernel for CPUs with AVX-512 (F, VL, BW, DQ): 16 floats per instruction, and masked
// loop tails (N = 100 is not a multiple of the vector width). Used only when the CPU has them.
#define DOPA_KERNEL_ISA avx512
#include "dopa/nn/plastic_kernel_impl.h"
