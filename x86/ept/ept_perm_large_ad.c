/*
 * ept_perm_large_ad: the permission matrix over 2M and 1G EPT leaves (see
 * ept_perm_large.c) with EPT accessed/dirty flags on (EPTP bit 6, SDM
 * 29.3.5; skipped naming IA32_VMX_EPT_VPID_CAP bit 21 without them): the
 * dirty flag of a written page is in the large leaf.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/ept_matrix.h"

static void ept_perm_large_ad(void)
{
	report_prefix_push("ept.perm");
	matrix_perm_leaf(PAGE_2M, true);
	matrix_perm_leaf(PAGE_1G, true);
	report_prefix_pop();
}

TEST("ept_perm_large_ad", ept_perm_large_ad);
