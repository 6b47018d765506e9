/*
 * ept_perm2_large: ept_perm2.c (restrictions at two levels at once) over
 * 2M EPT leaves (PML4E, PDPTE, PDE: three pairs) and 1G EPT leaves (PML4E,
 * PDPTE), each skipped naming IA32_VMX_EPT_VPID_CAP bit 16 / 17 when the
 * processor has no such leaves.
 */
#define EPT_PERM2_LARGE
#define EPT_PERM2_NAME "ept_perm2_large"
#include <stdint.h>
#include "x86/ept.h"
static const uint64_t leaf_sizes[] = { PAGE_2M, PAGE_1G };
#include "ept_perm2.c"
