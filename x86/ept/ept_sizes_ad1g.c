/*
 * ept_sizes_ad1g: ept_sizes_ad.c for guest 1G pages (CPUID.80000001H:
 * EDX[26]) over EPT 4K, 2M and 1G leaves, EPT A/D flags on.
 */
#define EPT_SIZES_AD    true
#define EPT_SIZES_NAME  "ept_sizes_ad1g"
#define EPT_SIZES_GUEST_FIRST 2
#define EPT_SIZES_GUEST_LAST  2
#include "ept_sizes.c"
