/*
 * Accessed and dirty flags after one linear access (ad_model.c): the EPT
 * entries of every walk of the two-dimensional walk (SDM Vol. 3C 29.3.5)
 * and the guest's own entries (Vol. 3A 4.8), after completed and stopped
 * accesses.  Fixture: linear_fixture.h (EPT: one PML4E, PDPTE, PDE for
 * GPA 0-2 MiB and a 4K PTE per page, so the PTEs tell the references apart).
 */
#include "../lib/x86/ad_model.h"
#include "linear_fixture.h"

#define EPT_PML4E  (1 * PAGE)		/* shared by every reference */
#define EPT_PDE    (3 * PAGE)
#define UNUSED_GPA 0x50000ull		/* a page no walk touches */

struct ad_run {
	struct ept_model m;
	struct guest_state g;
	struct ept_outcome o;
	struct ept_trace t;
};

/* A 4-level guest access; @page (0: none) gets the EPT PTE flags @flags. */
static void run4(struct ad_run *r, enum prof p, enum linear_kind k, uint64_t f2, uint64_t f1,
		 uint64_t page, uint64_t flags)
{
	struct linear_access la = lin(k, false);

	fixture(&r->m, p);
	guest4(&r->g, 0, 0, f2, f1);
	if (page)
		ept_page(page, flags);
	ept_model_linear(&r->m, &r->g, &la, &r->o, &r->t);
}

static void expect_ept(const char *what, const struct ad_run *r, uint64_t hpa,
		       enum ad_want a, enum ad_want d)
{
	struct ad_flags f = ad_model_ept(&r->m, &r->o, &r->t, hpa);

	expect_eq(what, f.a, a);
	expect_eq(what, f.d, d);
}

UNIT(ad_read_all_walks, "ad.ept.read.every-walk", "SDM 29.3.5: A in every entry of every walk; paging reads are writes: D in the tables' leaves")
{
	struct ad_run r;

	run4(&r, P_AD, LINEAR_READ, 0, 0, 0, 0);
	expect_eq("completes", r.o.kind, EPT_OUTCOME_TRANSLATION);
	expect_ept("PML4 page leaf", &r, ept_pte_hpa(G_PML4), AD_SET, AD_SET);
	expect_ept("PDPT page leaf", &r, ept_pte_hpa(G_PDPT), AD_SET, AD_SET);
	expect_ept("PD page leaf", &r, ept_pte_hpa(G_PD), AD_SET, AD_SET);
	expect_ept("PT page leaf", &r, ept_pte_hpa(G_PT), AD_SET, AD_SET);
	expect_ept("data page leaf: read, no D", &r, ept_pte_hpa(G_DATA), AD_SET, AD_CLEAR);
	expect_ept("shared PML4E: A only", &r, EPT_PML4E, AD_SET, AD_CLEAR);
	expect_ept("unused page leaf", &r, ept_pte_hpa(UNUSED_GPA), AD_CLEAR, AD_CLEAR);
}

UNIT(ad_write_leaf_d, "ad.ept.write.leaf-d", "SDM 29.3.5: a write sets D in the leaf of its GPA")
{
	struct ad_run r;

	run4(&r, P_AD, LINEAR_WRITE, 0, 0, 0, 0);
	expect_ept("data page leaf", &r, ept_pte_hpa(G_DATA), AD_SET, AD_SET);
	expect_ept("PDE: not a leaf, no D", &r, EPT_PDE, AD_SET, AD_CLEAR);
}

UNIT(ad_off, "ad.ept.eptp-bit6-clear", "SDM 29.3.5: with EPTP bit 6 = 0 no EPT flag is set")
{
	struct ad_run r;

	run4(&r, P_STD, LINEAR_WRITE, 0, 0, 0, 0);
	expect_ept("PML4 page leaf", &r, ept_pte_hpa(G_PML4), AD_CLEAR, AD_CLEAR);
	expect_ept("data page leaf", &r, ept_pte_hpa(G_DATA), AD_CLEAR, AD_CLEAR);
	/* stopped at the PD read: not even "may" */
	run4(&r, P_STD, LINEAR_READ, 0, 0, G_PD, 0);
	expect_eq("violation", r.o.kind, EPT_OUTCOME_VIOLATION);
	expect_ept("stopped walk's PDE", &r, EPT_PDE, AD_CLEAR, AD_CLEAR);
}

/* The walk stopped at the PD read (the PD page's EPT PTE not present). */
static void stop_at_pd(struct ad_run *r)
{
	run4(r, P_AD, LINEAR_READ, 0, 0, G_PD, 0);
}

UNIT(ad_stop_earlier_set, "ad.ept.stopped.earlier-references-set", "SDM 29.3.5: the references before the stop translated: their flags are set")
{
	struct ad_run r;

	stop_at_pd(&r);
	expect_eq("violation", r.o.kind, EPT_OUTCOME_VIOLATION);
	expect_eq("at the PD read", r.o.step, 2);
	expect_ept("PML4 page leaf", &r, ept_pte_hpa(G_PML4), AD_SET, AD_SET);
	expect_ept("PDPT page leaf", &r, ept_pte_hpa(G_PDPT), AD_SET, AD_SET);
}

UNIT(ad_stop_walk_may, "ad.ept.stopped.walk-may", "SDM 29.3.5: the stopped access's present entries may have A (not ordered against the stop), never D")
{
	struct ad_run r;

	/* the final access stopped: a write to a read-only leaf */
	run4(&r, P_AD, LINEAR_WRITE, 0, 0, G_DATA, EPT_READ | WB);
	expect_eq("violation", r.o.kind, EPT_OUTCOME_VIOLATION);
	expect_ept("data page leaf", &r, ept_pte_hpa(G_DATA), AD_MAY, AD_CLEAR);
	expect_ept("PT page leaf: read before", &r, ept_pte_hpa(G_PT), AD_SET, AD_SET);
}

UNIT(ad_stop_np_clear, "ad.ept.stopped.not-present-and-later-clear", "SDM 29.3.2, 29.3.5: a not-present entry is not used; references after the stop leave no flag")
{
	struct ad_run r;

	stop_at_pd(&r);
	expect_ept("the PD page's not-present PTE", &r, ept_pte_hpa(G_PD), AD_CLEAR, AD_CLEAR);
	expect_ept("PT page leaf: after the stop", &r, ept_pte_hpa(G_PT), AD_CLEAR, AD_CLEAR);
	expect_ept("data page leaf: after the stop", &r, ept_pte_hpa(G_DATA), AD_CLEAR, AD_CLEAR);
}

UNIT(ad_misconfig_may, "ad.ept.misconfig.walk-may", "SDM 29.3.3.1, 29.3.5: a misconfigured leaf ends the access; its walk's entries may have A")
{
	struct ad_run r;

	run4(&r, P_AD, LINEAR_WRITE, 0, 0, G_DATA, EPT_WRITE | WB);
	expect_eq("misconfiguration", r.o.kind, EPT_OUTCOME_MISCONFIG);
	expect_ept("data page leaf", &r, ept_pte_hpa(G_DATA), AD_MAY, AD_CLEAR);
}

static struct ad_flags guest(const struct ad_run *r, unsigned level, bool leaf, bool write,
			     uint64_t before)
{
	return ad_model_guest(&r->o, &r->t, level, leaf, write, before);
}

UNIT(ad_guest_complete, "ad.guest.complete", "SDM Vol. 3A 4.8: A in every entry used, D in the leaf on a write only")
{
	struct ad_run r;
	uint64_t clear = PTE_PRESENT | PTE_WRITE | PTE_USER;
	struct ad_flags f;

	run4(&r, P_AD, LINEAR_READ, clear, clear, 0, 0);
	f = guest(&r, 1, true, false, clear);
	expect_eq("PTE A", f.a, AD_SET);
	expect_eq("PTE D after a read", f.d, AD_CLEAR);
	run4(&r, P_AD, LINEAR_WRITE, clear, clear, 0, 0);
	f = guest(&r, 1, true, true, clear);
	expect_eq("PTE D after a write", f.d, AD_SET);
	f = guest(&r, 2, false, true, clear);
	expect_eq("PDE A", f.a, AD_SET);
	expect_eq("PDE: no D (not a leaf)", f.d, AD_CLEAR);
}

UNIT(ad_guest_stopped, "ad.guest.stopped", "SDM Vol. 3A 4.8: entries read before the stop may have A; entries never reached keep A clear; set flags stay set")
{
	struct ad_run r;
	struct ad_flags f;

	stop_at_pd(&r);
	f = guest(&r, 4, false, false, PTE_PRESENT);
	expect_eq("PML4E read before: may", f.a, AD_MAY);
	f = guest(&r, 1, true, false, PTE_PRESENT);
	expect_eq("PTE never reached", f.a, AD_CLEAR);
	f = guest(&r, 1, true, true, PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY);
	expect_eq("sticky A", f.a, AD_SET);
	expect_eq("sticky D", f.d, AD_SET);
}
