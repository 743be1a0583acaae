// The plastic kernel for CPUs with AVX2 and FMA (compiled with -mavx2 -mfma; used only when the CPU
// has them, see plastic_kernel.cpp).
#define DOPA_KERNEL_ISA avx2
#include "dopa/nn/plastic_kernel_impl.h"
