/*
 * ept_sizes_ad: ept_sizes.c with EPT accessed/dirty flags on (EPTP bit 6,
 * IA32_VMX_EPT_VPID_CAP bit 21): the same cases, plus after each completed
 * access the A/D flags SDM 29.3.5 requires along the whole two-dimensional
 * walk (guest paging-structure reads count as writes, so the EPT leaves
 * mapping the guest's 1G/2M/4K page tables get D too).
 */
#define EPT_SIZES_AD    true
#define EPT_SIZES_NAME  "ept_sizes_ad"
/* guest 4K and 2M pages; guest 1G pages: ept_sizes_ad1g.c */
#define EPT_SIZES_GUEST_FIRST 0
#define EPT_SIZES_GUEST_LAST  1
#include "ept_sizes.c"
