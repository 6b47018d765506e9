/*
 * ept_paging (EPT A/D off) and ept_paging_ad (on): EPT violations on the guest's own paging-structure accesses,
 * the first half of the two-dimensional walk, in a 64-bit guest with
 * 4-level paging.
 *
 * The tables that translate the window GLA -- the PML4 table, the window's
 * PDPT, PD and PT -- are moved, one level at a time, to window GPAs
 * (gpt_relocate_table()) whose 4K EPT leaves carry the permissions under
 * test: not present, read-only, read/execute, execute-only (when
 * IA32_VMX_EPT_VPID_CAP bit 0 allows it) and read/write as the control.
 * Each is run with EPT accessed/dirty flags off and on (EPTP bit 6) and
 * with the guest entries' own A/D flags preset and clear, for a read,
 * write, read-modify-write and fetch at the window.
 *
 * What the SDM says, and the reference model computes (ept_model_linear):
 *  - reads of guest paging-structure entries are data reads (29.3.3.2);
 *    with EPT A/D on they are treated as writes, and a violation then sets
 *    qualification bits 0 and 1 (Table 28-7, note on bit 1; 29.3.5);
 *  - guest A/D updates are data writes (29.3.3.2): a read-only page-table
 *    page faults on the update of a clear accessed flag even with EPT A/D
 *    off;
 *  - bit 7 = 1 (the GLA field holds the address being translated), bit
 *    8 = 0 (the access is to a paging-structure entry), the GPA field the
 *    entry's GPA (28.2.1, Table 28-7; 27.2.1 GLA/GPA fields).
 *
 * The PML4 table also maps the guest's code (PML4E 0).  Restricting it
 * stops the guest's first instruction fetch whenever that fetch needs the
 * page (not present, execute-only, or any read with EPT A/D on): the
 * expectation is then the model's outcome for that fetch at the guest's
 * RIP, computed the same way (a fetch walk, GLA = RIP).  PML4E 0 keeps its
 * accessed flag set, so with EPT A/D off a read-only PML4 page lets the
 * code run and the window's own PML4E (1) decides.
 */
#include "ept_paging_body.h"

static void ept_paging(void)
{
	ept_paging_run(false);
}

TEST("ept_paging", ept_paging);
