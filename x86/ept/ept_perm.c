/*
 * ept_perm: the single-level EPT permission matrix, four tests of one
 * family (unittests.cfg selects each with extra_params=):
 *   ept_perm           4K EPT leaf
 *   ept_perm_ad        4K EPT leaf, EPT accessed/dirty flags on (EPTP bit 6)
 *   ept_perm_large     2M and 1G EPT leaves
 *   ept_perm_large_ad  2M and 1G EPT leaves, EPT A/D on
 * For each EPT level of the walk each of the 8 R/W/X values on that entry
 * alone, and each access kind (data read, data write, instruction fetch,
 * locked read-modify-write) at page offset 0x5a8 of the test window.  What
 * it proves, with every expectation from the reference model:
 *   - not present, misconfiguration (W without R, X-only without the
 *     capability) and violation are told apart at every level;
 *   - qualification bits 3-5 are the AND of bits 0-2 over the walk, with
 *     the GPA and GLA of the access;
 *   - a completed access reads or writes the right bytes, a stopped write
 *     leaves memory alone;
 *   - the EPT and guest accessed/dirty flags of the walk are exactly what
 *     the SDM requires (none at all with EPT A/D off).
 * A large leaf needs IA32_VMX_EPT_VPID_CAP bit 16 (2M) / bit 17 (1G);
 * without it every case of that size is skipped naming the bit.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/ept_matrix.h"

static void perm_family(const uint64_t *sizes, unsigned n, bool ad)
{
	report_prefix_push("ept.perm");
	for (unsigned i = 0; i < n; i++)
		matrix_perm_leaf(sizes[i], ad);
	report_prefix_pop();
}

static const uint64_t size_4k[] = { PAGE_4K };
static const uint64_t size_large[] = { PAGE_2M, PAGE_1G };

static void ept_perm(void) { perm_family(size_4k, 1, false); }
static void ept_perm_ad(void) { perm_family(size_4k, 1, true); }
static void ept_perm_large(void) { perm_family(size_large, 2, false); }
static void ept_perm_large_ad(void) { perm_family(size_large, 2, true); }

TEST("ept_perm", ept_perm);
TEST("ept_perm_ad", ept_perm_ad);
TEST("ept_perm_large", ept_perm_large);
TEST("ept_perm_large_ad", ept_perm_large_ad);
