/*
 * ept_perm_ad: the single-level permission matrix of ept_perm.c over a 4K
 * EPT leaf with EPT accessed/dirty flags on (EPTP bit 6; skipped naming
 * IA32_VMX_EPT_VPID_CAP bit 21 without them).  With A/D on, guest
 * paging-structure reads count as writes (SDM 29.3.3.2) and each completed
 * access must leave the A/D flags SDM 29.3.5 requires (<id>.ad checks).
 */
#include "libcflat.h"
#include "test.h"
#include "x86/ept_matrix.h"

static void ept_perm_ad(void)
{
	report_prefix_push("ept.perm");
	matrix_perm_leaf(PAGE_4K, true);
	report_prefix_pop();
}

TEST("ept_perm_ad", ept_perm_ad);
