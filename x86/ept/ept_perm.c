/*
 * ept_perm: the single-level EPT permission matrix over a 4K EPT leaf.
 * For each EPT level of the walk (PML4E, PDPTE, PDE, PTE) each of the 8
 * R/W/X values on that entry alone, and each access kind (data read, data
 * write, instruction fetch, locked read-modify-write) at page offset 0x5a8
 * of the test window.  The SDM rules the
 * reference model applies:
 *   - an entry with bits 2:0 = 0 is not present: EPT violation (29.3.2);
 *   - W without R, and X-only without the execute-only capability (A.10
 *     bit 0), are misconfigurations at any level: exit 49 (29.3.3.1);
 *   - otherwise an access needs its permission in every entry of the walk:
 *     EPT violation (29.3.3.2), qualification bits 3-5 = the AND of bits
 *     0-2 over the walk, GPA and GLA of the access (28.2.1, Table 28-7);
 *   - a completed access sets the EPT accessed flags of the walk and, for
 *     a write, the leaf's dirty flag (29.3.5).
 * EPT A/D on: ept_perm_ad.c; the 2M and 1G leaves: ept_perm_large*.c
 * (short kernels run in parallel).
 */
#include "libcflat.h"
#include "test.h"
#include "x86/ept_matrix.h"

static void ept_perm(void)
{
	report_prefix_push("ept.perm");
	matrix_perm_leaf(PAGE_4K, false);
	report_prefix_pop();
}

TEST("ept_perm", ept_perm);
