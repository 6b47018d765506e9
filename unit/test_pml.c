/*
 * Page-modification logging (pml_model.c): SDM Vol. 3C 29.3.6, the
 * PML-full exit qualification (28.2.1) and the VM-entry checks (26.2.1.1).
 */
#include "../lib/x86/pml_model.h"
#include "linear_fixture.h"

#define PML_ADDR 0x300000ull

static struct pml_state pml_on(uint16_t index)
{
	struct pml_state p = { .enabled = true, .address = PML_ADDR, .index = index };
	return p;
}

/* One access through a walk built by build_walk() (leaf level `leaf`). */
static uint64_t one_access(enum prof p, bool ad, unsigned leaf, uint64_t leaf_extra,
			   enum ept_access_kind k, struct pml_state st,
			   struct pml_outcome *po, struct ept_outcome *o, uint64_t *hpas)
{
	struct ept_model m;
	uint64_t ov[6] = { 0 };
	struct ept_access a = { .gpa = GPA_T, .kind = k, .gla = GLA_T, .gla_valid = true };

	profile(p, &m, &h);
	if (ad)
		m.eptp |= EPTP_AD_ENABLE;
	ov[leaf] = default_flags(&m, leaf, leaf) | leaf_extra;
	build_walk(&h, &m, GPA_T, leaf, 1u << leaf, ov, hpas);
	return pml_model_access(&m, &a, &st, po, o);
}

static void logs_one(unsigned leaf, enum ept_access_kind k)
{
	struct pml_outcome po; struct ept_outcome o; uint64_t hpas[6];
	uint64_t r = one_access(P_STD, true, leaf, 0, k, pml_on(7), &po, &o, hpas);
	expect_eq("no exit", r, EPT_EXIT_NONE);
	expect_eq("one entry", po.nr_log, 1);
	expect_eq("entry address: PML address + 8 x index", po.log[0].hpa, PML_ADDR + 7 * 8);
	expect_eq("entry: GPA, 4K-aligned", po.log[0].value, GPA_T & ~0xfffull);
	expect_eq("index decremented", po.index, 6);
	expect_eq("A/D updates: one per level", po.nr_ad, 4 - leaf + 1);
	expect_eq("leaf D set", po.ad[po.nr_ad - 1].set_d, 1);
	expect_eq("leaf is last", po.ad[po.nr_ad - 1].hpa, hpas[leaf]);
	expect_eq("no full exit", po.full_exit, 0);
}

UNIT(pml_w4k, "pml.write.4k.logs", "SDM 29.3.6: D 0->1 logs the GPA, index - 1") { logs_one(1, EPT_ACCESS_WRITE); }
UNIT(pml_w2m, "pml.write.2m.logs-4k-aligned", "SDM 29.3.6: bits 11:0 clear, not the 2M base") { logs_one(2, EPT_ACCESS_WRITE); }
UNIT(pml_w1g, "pml.write.1g.logs-4k-aligned", "SDM 29.3.6: bits 11:0 clear, not the 1G base") { logs_one(3, EPT_ACCESS_WRITE); }
UNIT(pml_rmw, "pml.rmw.logs", "SDM 29.3.5/29.3.6: a locked RMW writes: D, log") { logs_one(1, EPT_ACCESS_RMW); }
UNIT(pml_paging, "pml.paging-read.logs", "SDM 29.3.5: with A/D on guest paging reads are writes: D, log") { logs_one(1, EPT_ACCESS_PAGING); }
UNIT(pml_guest_ad, "pml.guest-ad-update.logs", "SDM 29.3.5: guest A/D updates are writes: D, log") { logs_one(1, EPT_ACCESS_PAGING_AD); }

static void logs_none(enum ept_access_kind k)
{
	struct pml_outcome po; struct ept_outcome o;
	one_access(P_STD, true, 1, 0, k, pml_on(7), &po, &o, NULL);
	expect_eq("translation", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("no entry", po.nr_log, 0);
	expect_eq("index unchanged", po.index, 7);
	expect_eq("A flags set (4 levels)", po.nr_ad, 4);
	expect_eq("no D", po.ad[3].set_d, 0);
}
UNIT(pml_read, "pml.read.no-log", "SDM 29.3.6: a read sets no D: nothing logged") { logs_none(EPT_ACCESS_READ); }
UNIT(pml_fetch, "pml.fetch.no-log", "SDM 29.3.6: a fetch sets no D: nothing logged") { logs_none(EPT_ACCESS_FETCH); }
UNIT(pml_pdpte, "pml.pdpte-load.no-log", "SDM 29.3.5: PDPTE loads are reads: nothing logged") { logs_none(EPT_ACCESS_PDPTE_LOAD); }

UNIT(pml_d_set, "pml.write.d-already-set", "SDM 29.3.6: D already 1: no log, and a full log is never looked at")
{
	struct pml_outcome po; struct ept_outcome o; uint64_t hpas[6];
	struct ept_model m; struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_WRITE };
	struct pml_state st = pml_on(0xffff);
	unsigned l;
	profile(P_AD, &m, &h);
	build_walk(&h, &m, GPA_T, 1, 0, NULL, hpas);
	for (l = 1; l <= 4; l++)
		hm_set(&h, hpas[l], hm_get(&h, hpas[l]) | EPT_ACCESSED | (l == 1 ? EPT_DIRTY : 0));
	expect_eq("no exit", pml_model_access(&m, &a, &st, &po, &o), EPT_EXIT_NONE);
	expect_eq("no entry", po.nr_log, 0);
	expect_eq("no A/D update", po.nr_ad, 0);
	expect_eq("index unchanged", po.index, 0xffff);
	/* Only D missing: the update is needed, the full log stops it. */
	hm_set(&h, hpas[1], hm_get(&h, hpas[1]) & ~EPT_DIRTY);
	expect_eq("D clear: PML-full exit", pml_model_access(&m, &a, &st, &po, &o), EXIT_REASON_PML_FULL);
	expect_eq("nothing set", po.nr_ad, 0);
}

UNIT(pml_read_full, "pml.read.a-clear.full", "SDM 29.3.6: an A update alone meets the full log: exit 62")
{
	struct pml_outcome po; struct ept_outcome o;
	uint64_t r = one_access(P_STD, true, 1, 0, EPT_ACCESS_READ, pml_on(512), &po, &o, NULL);
	expect_eq("exit reason", r, EXIT_REASON_PML_FULL);
	expect_eq("full exit", po.full_exit, 1);
	expect_eq("no flag set", po.nr_ad, 0);
	expect_eq("no entry", po.nr_log, 0);
	expect_eq("index unchanged", po.index, 512);
	expect_eq("qual mask: bit 12 only", po.qual_mask, EPT_QUAL_NMI_UNBLOCKING);
	expect_eq("qual bit 12 clear", po.qual, 0);
}

UNIT(pml_write_full, "pml.write.full", "SDM 29.3.6: index FFFFH: exit 62, no flag, no access")
{
	struct pml_outcome po; struct ept_outcome o;
	uint64_t r = one_access(P_STD, true, 2, 0, EPT_ACCESS_WRITE, pml_on(0xffff), &po, &o, NULL);
	expect_eq("exit reason", r, EXIT_REASON_PML_FULL);
	expect_eq("no flag set", po.nr_ad, 0);
	expect_eq("EPT outcome had the log room", o.kind, EPT_OUTCOME_TRANSLATION);
}

UNIT(pml_index0, "pml.write.index-0", "SDM 29.3.6: index 0 logs at the PML address, then FFFFH")
{
	struct pml_outcome po; struct ept_outcome o;
	one_access(P_STD, true, 1, 0, EPT_ACCESS_WRITE, pml_on(0), &po, &o, NULL);
	expect_eq("entry at the PML address", po.log[0].hpa, PML_ADDR);
	expect_eq("index wraps to FFFFH", po.index, 0xffff);
}

UNIT(pml_index511, "pml.write.index-511", "SDM 29.3.6: 511 is in range: last entry of the page")
{
	struct pml_outcome po; struct ept_outcome o;
	one_access(P_STD, true, 1, 0, EPT_ACCESS_WRITE, pml_on(511), &po, &o, NULL);
	expect_eq("entry at +4088", po.log[0].hpa, PML_ADDR + 4088);
	expect_eq("index 510", po.index, 510);
}

UNIT(pml_ad_off, "pml.ad-off.nothing", "SDM 29.3.6: EPT A/D off: no flags, no log, no full exit")
{
	struct pml_outcome po; struct ept_outcome o;
	uint64_t r = one_access(P_STD, false, 1, 0, EPT_ACCESS_WRITE, pml_on(0xffff), &po, &o, NULL);
	expect_eq("no exit", r, EPT_EXIT_NONE);
	expect_eq("no entry", po.nr_log, 0);
	expect_eq("no A/D", po.nr_ad, 0);
	r = one_access(P_STD, false, 1, 0, EPT_ACCESS_WRITE, pml_on(5), &po, &o, NULL);
	expect_eq("index unchanged", po.index, 5);
}

UNIT(pml_disabled, "pml.disabled.flags-only", "SDM 29.3.6: without enable PML, D is set, nothing logged")
{
	struct pml_outcome po; struct ept_outcome o;
	struct pml_state st = { .enabled = false, .address = PML_ADDR, .index = 0xffff };
	uint64_t r = one_access(P_STD, true, 1, 0, EPT_ACCESS_WRITE, st, &po, &o, NULL);
	expect_eq("no exit with index FFFFH", r, EPT_EXIT_NONE);
	expect_eq("no entry", po.nr_log, 0);
	expect_eq("D set", po.ad[3].set_d, 1);
}

static void full_qual(enum prof p, bool iret, bool evd, uint64_t want, uint64_t want_mask)
{
	struct ept_model m; struct pml_outcome po; struct ept_outcome o;
	struct pml_state st = pml_on(0xffff);
	struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_WRITE, .gla = GLA_T,
				.gla_valid = true, .iret_nmi_unblock = iret, .event_delivery = evd };
	profile(p, &m, &h);
	m.eptp |= EPTP_AD_ENABLE;
	build_walk(&h, &m, GPA_T, 1, 0, NULL, NULL);
	expect_eq("exit 62", pml_model_access(&m, &a, &st, &po, &o), EXIT_REASON_PML_FULL);
	expect_eq("qual mask", po.qual_mask, want_mask);
	expect_masked("qual", po.qual, want, want_mask ? want_mask : 1);
}
UNIT(pml_q_iret, "pml.full.qual.iret", "SDM 28.2.1: PML-full bit 12, NMI unblocking due to IRET")
{ full_qual(P_STD, true, false, EPT_QUAL_NMI_UNBLOCKING, EPT_QUAL_NMI_UNBLOCKING); }
UNIT(pml_q_vnmi, "pml.full.qual.vnmi-iret", "SDM 28.2.1: PML-full bit 12 with virtual NMIs")
{ full_qual(P_VNMI, true, false, EPT_QUAL_NMI_UNBLOCKING, EPT_QUAL_NMI_UNBLOCKING); }
UNIT(pml_q_nmix, "pml.full.qual.nmi-exiting-undefined", "SDM 28.2.1: bit 12 undefined: NMI exiting, no virtual NMIs")
{ full_qual(P_NMIX, true, false, 0, 0); }
UNIT(pml_q_evd, "pml.full.qual.event-delivery-undefined", "SDM 28.2.1: bit 12 undefined during event delivery")
{ full_qual(P_STD, true, true, 0, 0); }

UNIT(pml_viol_full, "pml.violation.full-may", "SDM 29.3.5/29.3.6: a stopped access with a full log: not predicted")
{
	struct pml_outcome po; struct ept_outcome o;
	struct ept_model m; uint64_t ov[6] = { 0 };
	struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_WRITE };
	struct pml_state st = pml_on(0xffff);

	profile(P_AD, &m, &h);
	ov[1] = 1 | WB;         /* read-only leaf: a write violation */
	build_walk(&h, &m, GPA_T, 1, 1u << 1, ov, NULL);
	expect_eq("EPT violation reported", pml_model_access(&m, &a, &st, &po, &o),
		  EXIT_REASON_EPT_VIOLATION);
	expect_eq("full may come first", po.full_may, 1);
	st = pml_on(3);
	pml_model_access(&m, &a, &st, &po, &o);
	expect_eq("room in the log: definite", po.full_may, 0);
	expect_eq("nothing logged", po.nr_log, 0);
}

/* ---- two-dimensional walks: every guest-physical access of the trace ---- */
UNIT(pml_lin_read, "pml.lin.4x4.read", "SDM 29.3.5/29.3.6: A/D on: each guest table page logged once, read final not")
{
	struct ept_model m; struct guest_state g; struct pml_outcome po; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	struct pml_state st = pml_on(511);
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, 0);
	expect_eq("no exit", pml_model_linear(&m, &g, &la, &st, &po, &o, NULL), EPT_EXIT_NONE);
	expect_eq("4 entries", po.nr_log, 4);
	expect_eq("1st: PML4 page", po.log[0].value, G_PML4);
	expect_eq("2nd: PDPT page", po.log[1].value, G_PDPT);
	expect_eq("3rd: PD page", po.log[2].value, G_PD);
	expect_eq("4th: PT page", po.log[3].value, G_PT);
	expect_eq("4th at index 508", po.log[3].hpa, PML_ADDR + 508 * 8);
	expect_eq("index", po.index, 507);
	/* 3 shared upper EPT entries + 5 leaves, each set once */
	expect_eq("A/D updates", po.nr_ad, 8);
}

UNIT(pml_lin_write, "pml.lin.4x4.write", "SDM 29.3.6: the final write logs the data page last")
{
	struct ept_model m; struct guest_state g; struct pml_outcome po; struct ept_outcome o;
	struct ept_trace t;
	struct linear_access la = lin(LINEAR_WRITE, false);
	struct pml_state st = pml_on(100);
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, GFL & ~(PTE_ACCESSED | PTE_DIRTY));
	pml_model_linear(&m, &g, &la, &st, &po, &o, &t);
	expect_eq("trace: 4 reads, PTE A/D update, final", t.n, 6);
	expect_eq("5 entries (the A/D update finds D set)", po.nr_log, 5);
	expect_eq("last: the data page", po.log[4].value, G_DATA);
	expect_eq("last step: the final access", po.log[4].step, 5);
	expect_eq("index", po.index, 95);
}

UNIT(pml_lin_full, "pml.lin.full-mid-walk", "SDM 29.3.6: the log fills during the walk: exit at the next update")
{
	struct ept_model m; struct guest_state g; struct pml_outcome po; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	struct pml_state st = pml_on(1);
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, 0);
	expect_eq("exit 62", pml_model_linear(&m, &g, &la, &st, &po, &o, NULL), EXIT_REASON_PML_FULL);
	expect_eq("two entries first", po.nr_log, 2);
	expect_eq("at index 1", po.log[0].hpa, PML_ADDR + 8);
	expect_eq("at index 0", po.log[1].hpa, PML_ADDR);
	expect_eq("at the PDE read", po.full_step, 2);
	expect_eq("index FFFFH", po.index, 0xffff);
}

UNIT(pml_lin_noad, "pml.lin.ad-off", "SDM 29.3.6: EPT A/D off: a 2-D write logs nothing")
{
	struct ept_model m; struct guest_state g; struct pml_outcome po; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, false);
	struct pml_state st = pml_on(0xffff);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	expect_eq("no exit", pml_model_linear(&m, &g, &la, &st, &po, &o, NULL), EPT_EXIT_NONE);
	expect_eq("no entry", po.nr_log, 0);
}

UNIT(pml_lin_fault, "pml.lin.guest-fault-after-reads", "SDM 29.3.6: reads before a guest #PF still log")
{
	struct ept_model m; struct guest_state g; struct pml_outcome po; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	struct pml_state st = pml_on(10);
	fixture(&m, P_AD); guest4(&g, 0, 0, PTE_WRITE, 0);     /* PDE not present */
	pml_model_linear(&m, &g, &la, &st, &po, &o, NULL);
	expect_eq("guest #PF", o.kind, EPT_OUTCOME_GUEST_FAULT);
	expect_eq("3 table pages logged", po.nr_log, 3);
}

/* ---- VM entry ---- */
UNIT(pml_entry, "pml.entry-checks", "SDM 26.2.1.1: enable PML needs enable EPT; PML address aligned, in width")
{
	struct ept_caps c = caps_std();
	expect_eq("ok", pml_entry_check(&c, true, true, 0x5000), PML_ENTRY_OK);
	expect_eq("no EPT", pml_entry_check(&c, true, false, 0x5000), PML_ENTRY_NO_EPT);
	expect_eq("bit 0", pml_entry_check(&c, true, true, 0x5001), PML_ENTRY_ADDR_ALIGN);
	expect_eq("bit 11", pml_entry_check(&c, true, true, 0x5800), PML_ENTRY_ADDR_ALIGN);
	expect_eq("bit 46", pml_entry_check(&c, true, true, BIT(46)), PML_ENTRY_ADDR_WIDTH);
	expect_eq("bit 45", pml_entry_check(&c, true, true, BIT(45)), PML_ENTRY_OK);
	c.maxphyaddr = 39;
	expect_eq("M=39 bit 39", pml_entry_check(&c, true, true, BIT(39)), PML_ENTRY_ADDR_WIDTH);
	expect_eq("PML off: not checked", pml_entry_check(&c, false, false, 0x5001), PML_ENTRY_OK);
	expect_eq("name", pml_entry_rule_name(PML_ENTRY_NO_EPT)[0], 'S');
}

/* ---- EPT A/D after a stopped access: must (earlier accesses), may ---- */
static void stopped(uint64_t ovl, uint64_t fa, unsigned want_may, unsigned top_may)
{
	struct pml_outcome po; struct ept_outcome o; uint64_t hpas[6];
	struct ept_model m; uint64_t ov[6] = { 0 };
	struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_WRITE };
	struct pml_state st = { .enabled = false };
	unsigned i;

	profile(P_AD, &m, &h);
	ov[ovl] = fa;
	build_walk(&h, &m, GPA_T, 1, 1u << ovl, ov, hpas);
	pml_model_access(&m, &a, &st, &po, &o);
	expect_eq("nothing must be set", po.nr_ad, 0);
	expect_eq("may: entries used", po.nr_may, want_may);
	for (i = 0; i < po.nr_may && i < 5; i++) {
		expect_eq("may: top first", po.may[i].level, top_may - i);
		expect_eq("may: entry", po.may[i].hpa, hpas[top_may - i]);
		expect_eq("may: A only", po.may[i].set_a && !po.may[i].set_d, 1);
	}
}
UNIT(pml_may_perm, "ad.stopped.permission", "SDM 29.3.5: a write violation: A of the 4 entries used may be set, no D")
{ stopped(1, 1 | WB, 4, 4); }
UNIT(pml_may_np, "ad.stopped.not-present", "SDM 29.3.2: the not-present entry is not used: 2 entries above it")
{ stopped(2, 0, 2, 4); }
UNIT(pml_may_mc, "ad.stopped.misconfig", "SDM 29.3.3.1: a misconfiguration at the PDE: 3 entries down to it")
{ stopped(2, 7 | BIT(3), 3, 4); }

UNIT(pml_may_lin, "ad.stopped.2d-final", "SDM 29.3.5: earlier accesses' flags must be set; the stopped one's may")
{
	struct ept_model m; struct guest_state g; struct pml_outcome po; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, false);
	struct pml_state st = pml_on(0xffff);
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_DATA, 5 | WB);
	/* the log is full: the first paging read meets it */
	expect_eq("exit 62 first", pml_model_linear(&m, &g, &la, &st, &po, &o, NULL), EXIT_REASON_PML_FULL);
	st.enabled = false;
	pml_model_linear(&m, &g, &la, &st, &po, &o, NULL);
	expect_eq("EPT violation", o.kind, EPT_OUTCOME_VIOLATION);
	expect_eq("must: 3 shared + 4 table leaves", po.nr_ad, 7);
	expect_eq("may: only the data page's PTE", po.nr_may, 1);
	expect_eq("may: that PTE", po.may[0].hpa, ept_pte_hpa(G_DATA));
	expect_eq("no full log: nothing may", po.full_may, 0);
}

UNIT(pml_may_full_set, "pml.violation.a-set-definite", "SDM 29.3.6: no A flag to set: a full log is never met")
{
	struct pml_outcome po; struct ept_outcome o; uint64_t hpas[6];
	struct ept_model m; uint64_t ov[6] = { 0 };
	struct ept_access a = { .gpa = GPA_T, .kind = EPT_ACCESS_WRITE };
	struct pml_state st = pml_on(0xffff);
	unsigned l;
	profile(P_AD, &m, &h);
	ov[1] = 1 | WB;
	build_walk(&h, &m, GPA_T, 1, 1u << 1, ov, hpas);
	for (l = 1; l <= 4; l++)
		hm_set(&h, hpas[l], hm_get(&h, hpas[l]) | EPT_ACCESSED);
	expect_eq("EPT violation", pml_model_access(&m, &a, &st, &po, &o), EXIT_REASON_EPT_VIOLATION);
	expect_eq("definite", po.full_may, 0);
	expect_eq("nothing may", po.nr_may, 0);
}
