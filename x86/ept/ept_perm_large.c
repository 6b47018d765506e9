/*
 * ept_perm_large: the single-level EPT permission matrix (see ept_perm.c)
 * over a 2-MByte EPT leaf (PML4E, PDPTE, PDE) and a 1-GByte EPT leaf
 * (PML4E, PDPTE); with EPT A/D flags on in ept_perm_large_ad.c.  A large leaf needs
 * IA32_VMX_EPT_VPID_CAP bit 16 (2M) / bit 17 (1G); without it every case
 * of that size is skipped naming the bit.  The guest page is 4K; the large
 * leaf maps host memory around the test page, of which only the test page
 * is accessed, and whose restriction only the window GPAs see.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/ept_matrix.h"

static void ept_perm_large(void)
{
	report_prefix_push("ept.perm");
	matrix_perm_leaf(PAGE_2M, false);
	matrix_perm_leaf(PAGE_1G, false);
	report_prefix_pop();
}

TEST("ept_perm_large", ept_perm_large);
