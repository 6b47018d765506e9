/*
 * Two-dimensional walk cases (ept_model_linear): guest paging, SDM Vol. 3A
 * chapter 4, on top of EPT, SDM Vol. 3C 29.3.  Fixture: linear_fixture.h.
 */
#include "linear_fixture.h"
#include "../lib/x86/ad_model.h"

UNIT(l4_read_ok, "lin.4l.read-ok", "SDM 4.5 4-level walk then 29.3: order of GPAs")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x123);
	expect_eq("trace length", t.n, 5);
	expect_eq("1st: PML4E", t.e[0].gpa, E4(G_PML4, 3));
	expect_eq("2nd: PDPTE", t.e[1].gpa, E4(G_PDPT, 5));
	expect_eq("3rd: PDE", t.e[2].gpa, E4(G_PD, 7));
	expect_eq("4th: PTE", t.e[3].gpa, E4(G_PT, 9));
	expect_eq("4th kind", t.e[3].kind, EPT_ACCESS_PAGING);
	expect_eq("final", t.e[4].gpa, G_DATA + 0x123);
	expect_eq("final kind", t.e[4].kind, EPT_ACCESS_READ);
	expect_eq("order unambiguous", o.order_ambiguous, 0);
}

UNIT(l4_pml4_np, "lin.4l.pml4-np", "SDM 4.7: not-present PML4E -> #PF, P = 0")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, PTE_WRITE, 0, 0, 0);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_pf(&o, 0, GLA4);
	expect_eq("level", o.guest_fault.level, 4);
	expect_eq("one read", t.n, 1);
}

UNIT(l4_pte_np_user_write, "lin.4l.pte-np.user-write", "SDM 4.7: error code W|U for a user write")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, true);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, PTE_USER);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_W | PFEC_U, GLA4);
	expect_eq("level", o.guest_fault.level, 1);
}

UNIT(l4_rsvd, "lin.4l.rsvd-phys", "SDM 4.5 Table 4-18: bits 51:M reserved -> RSVD")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, GFL | BIT(51), 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLA4);
	expect_eq("level", o.guest_fault.level, 2);
}

UNIT(l4_rsvd_ept_ad, "lin.4l.rsvd.ept-ad", "SDM 29.3.5: a guest #PF leaves the EPT A/D of the reads before it, the faulting entry's read included (found by ept_fuzz)")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	struct ad_flags f;

	fixture(&m, P_AD); guest4(&g, 0, 0, 0, GFL | BIT(51));
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLA4);
	/* the PTE read completed through EPT (its content faulted): with A/D
	 * on it is a write for EPT -- A and D of its page's EPT PTE set */
	f = ad_model_ept(&m, &o, &t, ept_pte_hpa(G_PT));
	expect_eq("PT page EPT A", f.a, AD_SET);
	expect_eq("PT page EPT D", f.d, AD_SET);
	f = ad_model_ept(&m, &o, &t, ept_pte_hpa(G_PD));
	expect_eq("PD page EPT D", f.d, AD_SET);
	/* the data page was never accessed */
	f = ad_model_ept(&m, &o, &t, ept_pte_hpa(G_DATA));
	expect_eq("data page EPT A", f.a, AD_CLEAR);
	expect_eq("data page EPT D", f.d, AD_CLEAR);
}

UNIT(l4_xd_no_nxe, "lin.4l.xd-without-nxe", "SDM 4.5: XD reserved when IA32_EFER.NXE = 0")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, true);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL | PTE_NX);
	g.efer &= ~EFER_NXE;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD | PFEC_W | PFEC_U, GLA4);
}

UNIT(l4_nx, "lin.4l.nx-fetch", "SDM 4.6: fetch from XD page faults; I/D set (PAE & NXE)")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_FETCH, false);
	fixture(&m, P_STD); guest4(&g, GFL | PTE_NX, 0, 0, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_I, GLA4);
}

UNIT(l4_user_sup, "lin.4l.user-on-supervisor", "SDM 4.6: user access to supervisor-mode address")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, true);
	fixture(&m, P_STD); guest4(&g, 0, GFL & ~PTE_USER, 0, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_U, GLA4);
}

UNIT(l4_wp1, "lin.4l.wp1", "SDM 4.6: supervisor write to read-only page with CR0.WP = 1")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, GFL & ~PTE_WRITE, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_W, GLA4);
}

UNIT(l4_wp0, "lin.4l.wp0", "SDM 4.6: CR0.WP = 0 lets supervisor writes through")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_RMW, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, GFL & ~PTE_WRITE, 0);
	g.cr0 &= ~X86_CR0_WP;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x123);
}

UNIT(l4_smep, "lin.4l.smep", "SDM 4.6: SMEP forbids supervisor fetch from user-mode address")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_FETCH, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	g.cr4 |= X86_CR4_SMEP; g.efer &= ~EFER_NXE;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_I, GLA4);
}

UNIT(l4_smap, "lin.4l.smap", "SDM 4.6: SMAP, explicit supervisor read, AC = 0")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	g.cr4 |= X86_CR4_SMAP;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P, GLA4);
}

UNIT(l4_smap_ac, "lin.4l.smap-ac", "SDM 4.6: SMAP, explicit access allowed with AC = 1")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	g.cr4 |= X86_CR4_SMAP; g.rflags_ac = true;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	la.implicit = true;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P, GLA4);
}

UNIT(l4_pk, "lin.4l.pkru-ad", "SDM 4.6.2: PKRU access-disable, user data read")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, true);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL | (2ull << 59));
	g.cr4 |= X86_CR4_PKE; g.pkru = 1u << 4;  /* AD for key 2 */
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_U | PFEC_PK, GLA4);
}

UNIT(l4_noncanon, "lin.4l.noncanonical", "SDM 4.5: non-canonical address -> #GP, no access")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	la.gla = 0x0000900000000000ull;
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_GUEST_FAULT);
	expect_eq("vector", o.guest_fault.vector, GUEST_VECTOR_GP);
	expect_eq("no access", t.n, 0);
}

UNIT(l4_1g, "lin.4l.1g-page", "SDM 4.5: PDPTE PS=1 maps 1 GByte")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	hm_set(&h, E4(G_PDPT, 5), GFL | PTE_PSE);       /* frame 0 */
	la.gla = (3ull << 39) | (5ull << 30) | 0x100123;
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, 0x100123);
	expect_eq("trace", t.n, 3);
}

UNIT(l4_1g_nogb, "lin.4l.1g-unsupported", "SDM 4.5: PDPTE PS reserved without 1-GByte pages")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	g.gbpages = false;
	hm_set(&h, E4(G_PDPT, 5), GFL | PTE_PSE);
	la.gla = (3ull << 39) | (5ull << 30) | 0x100123;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, la.gla);
}

UNIT(l4_2m_rsvd, "lin.4l.2m-bit13", "SDM 4.5 Table 4-17: 2M PDE bits 20:13 reserved")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, GFL | PTE_PSE | BIT(13), 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLA4);
}

UNIT(l4_pml4_ps, "lin.4l.pml4-ps", "SDM 4.5 Table 4-15: PML4E bit 7 reserved")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, GFL | PTE_PSE, 0, 0, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLA4);
}

/* ---- EPT outcomes inside the walk ---- */
UNIT(e_pml4_np, "lin.ept.pml4-page-np", "SDM 28.2.1: paging-structure read: bit 0, bit 7 = 1, bit 8 = 0")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, true);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_PML4, 0);
	hm_set(&h, ept_pte_hpa(G_PML4), 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | GV, MASK_STD, E4(G_PML4, 3), 0);
	expect_eq("gla", o.violation.gla, GLA4);
}

UNIT(e_pt_ad_ro, "lin.ept.pt-page-ro-ad", "Table 28-7 note: A/D on, paging read violation sets bits 0 and 1")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_PT, 1 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | QW | RD | GV, MASK_STD, E4(G_PT, 9), 3);
}

UNIT(e_pt_noad_ro_ok, "lin.ept.pt-page-ro-noad", "SDM 29.3.3.2: without A/D, read-only guest tables suffice")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_PT, 1 | WB); ept_page(G_PD, 1 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
}

UNIT(e_final_ro, "lin.ept.final-write-ro", "SDM 28.2.1: final access: bits 1, 7, 8")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_DATA, 1 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QW | RD | GV | TA, MASK_STD, G_DATA + 0x123, 4);
}

UNIT(e_final_adv, "lin.ept.final-adv", "SDM 28.2.1 bits 9-11 from the guest translation")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, true);
	fixture(&m, P_ADV); guest4(&g, 0, 0, GFL | PTE_NX, 0);
	ept_page(G_DATA, 4 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | EX | GV | TA | EPT_QUAL_USER_LINEAR | EPT_QUAL_WRITABLE_LINEAR |
		    EPT_QUAL_XD_LINEAR, ~(UXQ | EPT_QUAL_SSS), G_DATA + 0x123, 4);
}

UNIT(e_final_adv_ro_sup, "lin.ept.final-adv-ro-sup", "SDM 28.2.1 bits 9-11: supervisor, read-only, executable")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_ADV); guest4(&g, 0, GFL & ~PTE_USER, 0, GFL & ~PTE_WRITE);
	ept_page(G_DATA, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | GV | TA, ~(UXQ | EPT_QUAL_SSS), G_DATA + 0x123, 4);
}

UNIT(e_guest_a_update, "lin.ept.guest-a-update", "SDM 29.3.3.2: guest A update is a data write")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL & ~PTE_ACCESSED);
	ept_page(G_PT, 1 | WB);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_viol(&o, QW | RD | GV, MASK_STD & ~QR, E4(G_PT, 9), 4);
	expect_eq("trace kind", t.e[4].kind, EPT_ACCESS_PAGING_AD);
	expect_eq("trace set_a", t.e[4].set_a, 1);
}

UNIT(e_guest_ad_trace, "lin.guest-ad.trace", "SDM 4.8: A in every entry, D in the leaf; before the access")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_WRITE, false);
	fixture(&m, P_STD);
	guest4(&g, GFL & ~PTE_ACCESSED, 0, 0, GFL & ~(PTE_ACCESSED | PTE_DIRTY));
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("trace length", t.n, 7);
	expect_eq("5th: PML4E A", t.e[4].gpa, E4(G_PML4, 3));
	expect_eq("5th set_d", t.e[4].set_d, 0);
	expect_eq("6th: PTE A+D", t.e[5].gpa, E4(G_PT, 9));
	expect_eq("6th set_d", t.e[5].set_d, 1);
	expect_eq("7th: final write", t.e[6].kind, EPT_ACCESS_WRITE);
	expect_eq("step", o.step, 6);
}

UNIT(e_ambiguous, "lin.order-ambiguous", "SDM 4.8: A updates not ordered against later reads")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, GFL & ~PTE_ACCESSED, 0, 0);
	ept_page(G_PDPT, 1 | WB);
	ept_page(G_PT, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | GV, MASK_STD, E4(G_PT, 9), 3);
	expect_eq("ambiguous", o.order_ambiguous, 1);
}

UNIT(e_misconfig, "lin.ept.misconfig-on-pd-page", "SDM 29.3.3.1 applies to paging-structure accesses")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_FETCH, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_PD, 7 | MT(2));
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("kind", o.kind, EPT_OUTCOME_MISCONFIG);
	expect_eq("gpa", o.misconfig.gpa, E4(G_PD, 7));
	expect_eq("step", o.step, 2);
	expect_eq("rule", o.misconfig.rule, EPT_MC_MEMTYPE);
}

UNIT(e_ad_merge, "lin.ept.ad-merged", "SDM 29.3.5: EPT A/D of the whole walk, paging reads dirty")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	unsigned i, nd = 0;
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("distinct EPT entries", o.translation.nr_ad, 8);
	for (i = 0; i < o.translation.nr_ad; i++)
		nd += o.translation.ad[i].set_d;
	expect_eq("dirty: the 4 guest-table PTEs", nd, 4);
}

/* ---- PAE ---- */
UNIT(pae_read, "lin.pae.read-ok", "SDM 4.4: PAE walk, PDPTE from the register")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = { .gla = GLAP, .kind = LINEAR_READ };
	fixture(&m, P_STD); guestpae(&g, 0, 0);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x123);
	expect_eq("trace: PDE, PTE, final", t.n, 3);
	expect_eq("first read is the PDE", t.e[0].gpa, E4(G_PD, 7));
}

UNIT(pae_pdpte_np, "lin.pae.pdpte-np", "SDM 4.4.2: PDPTE register P = 0 -> #PF, no memory access")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = { .gla = GLAP, .kind = LINEAR_WRITE };
	fixture(&m, P_STD); guestpae(&g, 0, 0);
	g.pdpte[2] = 0;
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_pf(&o, PFEC_W, GLAP);
	expect_eq("no access", t.n, 0);
}

UNIT(pae_rsvd62, "lin.pae.rsvd-bit62", "SDM 4.4.2 Table 4-11: PAE bits 62:M reserved")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = { .gla = GLAP, .kind = LINEAR_READ };
	fixture(&m, P_STD); guestpae(&g, 0, GFL | BIT(62));
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLAP);
}

UNIT(pae_2m, "lin.pae.2m", "SDM 4.4.2: PAE PDE PS = 1 maps 2 MBytes")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = { .gla = GLAP, .kind = LINEAR_READ };
	fixture(&m, P_STD); guestpae(&g, 0, 0);
	hm_set(&h, E4(G_PD, 7), 0x000000 | GFL | PTE_PSE);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("hpa", o.translation.hpa, (9ull << 12) | 0x123);
}

UNIT(pae_load_ok, "lin.pae.pdpte-load", "SDM 4.4.1: MOV CR3 loads 4 PDPTEs from CR3[31:5]")
{
	struct ept_model m; struct ept_outcome o; uint64_t p[4];
	fixture(&m, P_STD);
	hm_set(&h, G_PAEPDPT + 0x20 + 16, G_PD | 1);
	ept_model_pae_load_pdptes(&m, G_PAEPDPT + 0x20, p, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("pdpte2", p[2], G_PD | 1);
	expect_eq("pdpte0", p[0], 0);
}

UNIT(pae_load_np, "lin.pae.pdpte-load-np", "SDM 28.2.1: PDPTE load violation: bit 0, bits 7/8 clear")
{
	struct ept_model m; struct ept_outcome o; uint64_t p[4];
	fixture(&m, P_AD);
	ept_page(G_PAEPDPT, 0);
	ept_model_pae_load_pdptes(&m, G_PAEPDPT + 0x20, p, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_VIOLATION);
	expect_masked("qual", o.violation.qual, QR, MASK_STD);
	expect_masked("gpa", o.violation.gpa, G_PAEPDPT + 0x20, ~0x1full);
	expect_eq("gpa mask", o.violation.gpa_mask, ~0x1full);
	expect_eq("gla invalid", o.violation.gla_valid, 0);
}

UNIT(pae_load_ro_ad, "lin.pae.pdpte-load-ro-ad", "SDM 29.3.3.2: PDPTE loads are reads even with EPT A/D")
{
	struct ept_model m; struct ept_outcome o; uint64_t p[4];
	fixture(&m, P_AD);
	ept_page(G_PAEPDPT, 1 | WB);
	ept_model_pae_load_pdptes(&m, G_PAEPDPT, p, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
}

UNIT(pae_load_rsvd, "lin.pae.pdpte-load-rsvd", "SDM 4.4.1: reserved PDPTE bit -> #GP on MOV CR")
{
	struct ept_model m; struct ept_outcome o; uint64_t p[4];
	fixture(&m, P_STD);
	hm_set(&h, G_PAEPDPT + 8, G_PD | 1 | PTE_WRITE);
	ept_model_pae_load_pdptes(&m, G_PAEPDPT, p, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_GUEST_FAULT);
	expect_eq("vector", o.guest_fault.vector, GUEST_VECTOR_GP);
}

/* ---- 32-bit paging ---- */
UNIT(p32_read, "lin.32.read-ok", "SDM 4.3: 32-bit walk, 4-byte entries")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = { .gla = GLA32, .kind = LINEAR_READ };
	fixture(&m, P_STD); guest32(&g, 0, 0);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x123);
	expect_eq("PDE gpa", t.e[0].gpa, G_PD + 20);
	expect_eq("PTE gpa", t.e[1].gpa, G_PT + 36);
}

UNIT(p32_4m, "lin.32.4m-pse36", "SDM 4.3 Table 4-4: 4-MByte page, PDE 20:13 -> address 39:32")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = { .gla = GLA32, .kind = LINEAR_READ };
	fixture(&m, P_STD);
	guest32(&g, (uint32_t)(0x00400000u | (1u << 13) | GFL | PTE_PSE), 0);
	g.cr4 = X86_CR4_PSE;
	ept_model_linear(&m, &g, &la, &o, NULL);
	/* GPA 0x1_0040_9123 is not mapped by the fixture's EPT: a violation
	 * that names the GPA the 4-MByte page produced. */
	expect_eq("kind", o.kind, EPT_OUTCOME_VIOLATION);
	expect_eq("gpa", o.violation.gpa, 0x100000000ull | 0x400000 | (9u << 12) | 0x123);
}

UNIT(p32_nopse, "lin.32.ps-ignored-without-pse", "SDM 4.3: PDE bit 7 ignored when CR4.PSE = 0")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = { .gla = GLA32, .kind = LINEAR_READ };
	fixture(&m, P_STD); guest32(&g, (uint32_t)(G_PT | GFL | PTE_PSE), 0);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x123);
}

UNIT(p32_4m_rsvd, "lin.32.4m-bit21", "SDM 4.3 Table 4-4: 4-MByte PDE bit 21 reserved")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = { .gla = GLA32, .kind = LINEAR_WRITE, .user = true };
	fixture(&m, P_STD); guest32(&g, (uint32_t)(0x00400000u | (1u << 21) | GFL | PTE_PSE), 0);
	g.cr4 = X86_CR4_PSE;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD | PFEC_W | PFEC_U, GLA32);
}

UNIT(p32_fetch_noid, "lin.32.fetch-no-id-bit", "SDM 4.7: I/D clear without SMEP and without PAE+NXE")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = { .gla = GLA32, .kind = LINEAR_FETCH };
	fixture(&m, P_STD); guest32(&g, 0, (uint32_t)G_DATA | PTE_WRITE);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, 0, GLA32);
}

/* ---- paging off, 5-level ---- */
UNIT(pgoff, "lin.pg-off", "SDM 29.3.1: CR0.PG = 0: the linear address is the GPA")
{
	struct ept_model m; struct guest_state g = { .cr0 = X86_CR0_PE }; struct ept_outcome o;
	struct ept_trace t;
	struct linear_access la = { .gla = G_DATA + 0x77, .kind = LINEAR_WRITE };
	fixture(&m, P_STD);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x77);
	expect_eq("one access", t.n, 1);
}

UNIT(pgoff_adv, "lin.pg-off.adv", "SDM 28.2.1 bits 9-11 with CR0.PG = 0: user, writable, executable")
{
	struct ept_model m; struct guest_state g = { .cr0 = X86_CR0_PE }; struct ept_outcome o;
	struct linear_access la = { .gla = G_DATA + 0x77, .kind = LINEAR_FETCH };
	fixture(&m, P_ADV);
	ept_page(G_DATA, 3 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QX | RD | WR | GV | TA | EPT_QUAL_USER_LINEAR | EPT_QUAL_WRITABLE_LINEAR,
		    ~(UXQ | EPT_QUAL_SSS), G_DATA + 0x77, 0);
}

UNIT(pgoff_mbec, "lin.pg-off.mbec", "SDM 29.3.3.2: with CR0.PG = 0 fetches are user-mode: XU")
{
	struct ept_model m; struct guest_state g = { .cr0 = X86_CR0_PE }; struct ept_outcome o;
	struct linear_access la = { .gla = G_DATA, .kind = LINEAR_FETCH };
	fixture(&m, P_MBEC);
	ept_page(G_DATA, 5 | WB);               /* XS only */
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("kind", o.kind, EPT_OUTCOME_VIOLATION);
}

UNIT(l5, "lin.5l.read-ok", "SDM 4.5: CR4.LA57 adds the PML5 level")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	g.cr4 |= X86_CR4_LA57; g.cr3 = G_PML5;
	la.gla = GLA4 | (4ull << 48);
	hm_set(&h, E4(G_PML5, 4), G_PML4 | GFL);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("trace", t.n, 6);
	expect_eq("first: PML5E", t.e[0].gpa, E4(G_PML5, 4));
}

/* ---- issue 8 points 1, 3, 4 in the two-dimensional walk ---- */
UNIT(e_amb_final, "lin.order-ambiguous.final-fails-too",
     "SDM 4.8 / 29.3.3.2: guest D write not ordered against the final access's EPT check")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = lin(LINEAR_WRITE, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL & ~PTE_DIRTY);
	ept_page(G_PT, 5 | WB);
	ept_page(G_DATA, 5 | WB);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_viol(&o, QW | RD | EX | GV, MASK_STD & ~QR, E4(G_PT, 9), 4);
	expect_eq("ambiguous", o.order_ambiguous, 1);
}

UNIT(e_amb_final_ok, "lin.order-ambiguous.final-allowed",
     "SDM 4.8: a failing guest D write is definite when the final access is allowed")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL & ~PTE_DIRTY);
	ept_page(G_PT, 5 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QW | RD | EX | GV, MASK_STD & ~QR, E4(G_PT, 9), 4);
	expect_eq("not ambiguous", o.order_ambiguous, 0);
}

UNIT(e_amb_final_only, "lin.order-ambiguous.only-final-fails",
     "SDM 29.3.3.2: guest A/D writes allowed, final access fails: one answer")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_WRITE, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL & ~PTE_DIRTY);
	ept_page(G_DATA, 5 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QW | RD | EX | GV | TA, MASK_STD, G_DATA + 0x123, 5);
	expect_eq("not ambiguous", o.order_ambiguous, 0);
}

UNIT(e_guest_a_update_ad, "lin.ept.guest-a-update.ad-on",
     "SDM 29.3.3.2: EPT A/D on, the read of the entry needs W already and stops first")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_AD); guest4(&g, 0, 0, 0, GFL & ~PTE_ACCESSED);
	/* With EPT A/D on, the read of a guest entry is itself a write for
	 * EPT, so a guest A/D update can never be the access that fails in a
	 * walk: the read of the same entry failed before it, bits 0 and 1. */
	ept_page(G_PT, 1 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | QW | RD | GV, MASK_STD, E4(G_PT, 9), 3);
}

UNIT(pae_load_mc, "lin.pae.pdpte-load-misconfig", "SDM 27.2.1: PDPTE-load misconfiguration, GPA bits 4:0 free")
{
	struct ept_model m; struct ept_outcome o; uint64_t p[4];
	fixture(&m, P_STD);
	ept_page(G_PAEPDPT, 7 | MT(2));
	ept_model_pae_load_pdptes(&m, G_PAEPDPT + 0x20, p, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_MISCONFIG);
	expect_masked("gpa", o.misconfig.gpa, G_PAEPDPT + 0x20 + 0x18, o.misconfig.gpa_mask);
	expect_eq("gpa mask", o.misconfig.gpa_mask, ~0x1full);
}

/* ---- MAXPHYADDR of real parts: 36, 39, 40, 46, 52 (issue 8 point 7) ----
 * Each case: EPT entries (bit M-1 is address, bit M reserved), the EPTP,
 * guest 4-level / PAE / 32-bit PSE-36 entries, the PAE PDPTE registers;
 * with 5-level EPT too, and M = 52 with 4-level EPT (GPA bit 51). */
struct m_row { const char *name; unsigned M; bool five; };
static const struct m_row m_rows[] = {
	{ "maxphy.36.4l", 36, false }, { "maxphy.39.4l", 39, false },
	{ "maxphy.40.4l", 40, false }, { "maxphy.46.4l", 46, false },
	{ "maxphy.52.4l", 52, false }, { "maxphy.36.5l", 36, true },
	{ "maxphy.46.5l", 46, true }, { "maxphy.52.5l", 52, true },
};

static void m_profile(struct ept_model *m, const struct m_row *r)
{
	fixture(m, P_STD);
	m->caps.maxphyaddr = (uint8_t)r->M;
	if (r->five) {
		/* PML5 at page 6, entry 0 -> the fixture's PML4 (page 1). */
		hm_set(&h, 6 * PAGE, 1 * PAGE | 7);
		m->eptp = EPTP_5L | 6 * PAGE;
	}
}

static void run_m(const void *arg)
{
	const struct m_row *r = arg;
	unsigned M = r->M;
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = lin(LINEAR_READ, false);
	struct ept_access a = { .gpa = G_DATA + 0x40, .kind = EPT_ACCESS_READ };
	uint64_t top_hpa = r->five ? 6 * PAGE : 1 * PAGE, p[4];

	/* EPT leaf: bit M-1 is the top address bit; bit M is reserved. */
	m_profile(&m, r);
	ept_page(G_DATA, 7 | WB | BIT(M - 1));
	ept_model_access(&m, &a, &o);
	expect_eq("leaf bit M-1: translation", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("leaf bit M-1: in the HPA", o.translation.hpa, G_DATA + 0x40 + BIT(M - 1));
	ept_page(G_DATA, 7 | WB | (M < 52 ? BIT(M) : 0));
	ept_model_access(&m, &a, &o);
	expect_eq("leaf bit M", o.kind, M < 52 ? EPT_OUTCOME_MISCONFIG : EPT_OUTCOME_TRANSLATION);
	if (M < 52) {
		expect_eq("leaf bit M: rule", o.misconfig.rule, EPT_MC_RSVD_PHYS);
		/* and in the top-level entry */
		ept_page(G_DATA, 7 | WB);
		hm_set(&h, top_hpa, hm_get(&h, top_hpa) | BIT(51));
		ept_model_access(&m, &a, &o);
		expect_eq("top entry bit 51", o.misconfig.rule, EPT_MC_RSVD_PHYS);
		expect_eq("top entry level", o.misconfig.level, r->five ? 5 : 4);
	}

	/* EPTP: bits 63:M reserved. */
	expect_eq("EPTP bit M-1", ept_eptp_check(&m.caps, EPTP_4L | BIT(M - 1)), EPT_EPTP_OK);
	expect_eq("EPTP bit M", ept_eptp_check(&m.caps, EPTP_4L | BIT(M)), EPT_EPTP_RSVD_PHYS);

	/* Guest 4-level: PTE bit M reserved (M < 52), bit M-1 is address;
	 * the GPA it forms is not mapped by the fixture's EPT (or, with bit 51
	 * under a 4-level EPT, not predicted). */
	m_profile(&m, r);
	guest4(&g, 0, 0, 0, GFL | (M < 52 ? BIT(M) : 0));
	ept_model_linear(&m, &g, &la, &o, NULL);
	if (M < 52)
		expect_pf(&o, PFEC_P | PFEC_RSVD, GLA4);
	else
		expect_eq("guest bit 51: not reserved", o.kind, EPT_OUTCOME_TRANSLATION);
	hm_set(&h, E4(G_PT, 9), G_DATA | BIT(M - 1) | GFL);
	ept_model_linear(&m, &g, &la, &o, NULL);
	if (M == 52 && !r->five) {
		expect_eq("GPA bit 51, 4-level EPT", o.kind, EPT_OUTCOME_UNMODELED);
		expect_eq("reason", o.unmodeled, EPT_UNMODELED_GPA_ABOVE_48);
	} else {
		expect_eq("GPA bit M-1: EPT violation", o.kind, EPT_OUTCOME_VIOLATION);
		expect_eq("GPA bit M-1: GPA", o.violation.gpa, G_DATA + 0x123 + BIT(M - 1));
	}

	/* PAE: bits 62:M reserved in the PDE. */
	m_profile(&m, r);
	guestpae(&g, G_PT | GFL | BIT(M), 0);
	la.gla = GLAP;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLAP);
	/* PDPTE load: bits 63:M of a present PDPTE reserved. */
	hm_set(&h, G_PAEPDPT + 8, G_PD | 1 | BIT(M));
	ept_model_pae_load_pdptes(&m, G_PAEPDPT, p, &o);
	expect_eq("PDPTE bit M: #GP", o.guest_fault.vector, GUEST_VECTOR_GP);
	hm_set(&h, G_PAEPDPT + 8, G_PD | 1 | BIT(M - 1));
	ept_model_pae_load_pdptes(&m, G_PAEPDPT, p, &o);
	expect_eq("PDPTE bit M-1: loaded", o.kind, EPT_OUTCOME_TRANSLATION);

	/* 32-bit, 4-MByte page: PDE bits 20:13 hold address bits 39:32; those
	 * at or above M are reserved (bit 21 always). */
	m_profile(&m, r);
	la.gla = GLA32;
	guest32(&g, (uint32_t)(0x00400000u | GFL | PTE_PSE | (M < 40 ? BIT(13 + M - 32) : BIT(21))), 0);
	g.cr4 = X86_CR4_PSE;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_RSVD, GLA32);
	guest32(&g, (uint32_t)(0x00400000u | GFL | PTE_PSE | BIT(13 + (M < 40 ? M : 40) - 33)), 0);
	g.cr4 = X86_CR4_PSE;
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("PSE-36 top address bit: GPA", o.violation.gpa,
		  (1ull << ((M < 40 ? M : 40) - 1)) | 0x400000 | (9u << 12) | 0x123);
}

__attribute__((constructor)) static void reg_m(void)
{
	unsigned i;
	for (i = 0; i < sizeof(m_rows) / sizeof(m_rows[0]); i++)
		unit_register(m_rows[i].name, "SDM 29.3.2/26.2.1.1/4.3-4.5: MAXPHYADDR-dependent bits",
			      run_m, &m_rows[i]);
}

/* ---- the memory references of the 2-D walk (ept_trace_refs) ---- */
static unsigned refs_of(struct ept_model *m, struct guest_state *g, struct linear_access *la,
			struct ept_ref *r, struct ept_outcome *o)
{
	struct ept_trace t;

	ept_model_linear(m, g, la, o, &t);
	return ept_trace_refs(m, &t, o->kind == EPT_OUTCOME_TRANSLATION ? t.n : o->step + 1u, r);
}

UNIT(refs_4x4, "lin.refs.4x4", "2-D walk: (4+1)(4+1)-1 = 24 references, EPT entries then the guest entry")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_ref r[EPT_REFS_MAX];
	struct linear_access la = lin(LINEAR_READ, false);
	unsigned n;
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, GFL & ~PTE_ACCESSED);
	n = refs_of(&m, &g, &la, r, &o);
	expect_eq("24 references (guest A/D write not one)", n, 24);
	expect_eq("1st: EPT PML4E", r[0].hpa, 1 * PAGE);
	expect_eq("1st level", r[0].ept_level, 4);
	expect_eq("4th: EPT PTE of the PML4 page", r[3].hpa, ept_pte_hpa(G_PML4));
	expect_eq("5th: the guest PML4E itself", r[4].hpa, E4(G_PML4, 3));
	expect_eq("5th is the guest read", r[4].ept_level, 0);
	expect_eq("5th guest level", r[4].guest_level, 4);
	expect_eq("24th: EPT PTE of the data page", r[23].hpa, ept_pte_hpa(G_DATA));
	expect_eq("24th: final access", r[23].guest_level, 0);
	expect_eq("24th: its GPA", r[23].gpa, G_DATA + 0x123);
}

UNIT(refs_5x5, "lin.refs.5x5", "2-D walk: 5-level guest over 5-level EPT: 35 references")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_ref r[EPT_REFS_MAX];
	struct linear_access la = lin(LINEAR_READ, false);
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	g.cr4 |= X86_CR4_LA57; g.cr3 = G_PML5;
	la.gla = GLA4 | (4ull << 48);
	hm_set(&h, E4(G_PML5, 4), G_PML4 | GFL);
	expect_eq("5 over 4: 29", refs_of(&m, &g, &la, r, &o), 29);
	hm_set(&h, 6 * PAGE, 1 * PAGE | 7);
	m.eptp = EPTP_5L | 6 * PAGE;
	expect_eq("5 over 5: 35", refs_of(&m, &g, &la, r, &o), 35);
	expect_eq("1st: EPT PML5E", r[0].ept_level, 5);
}

UNIT(refs_small, "lin.refs.pae-32-off", "2-D walk: PAE 14, 32-bit 14, paging off 4 over 4-level EPT")
{
	struct ept_model m; struct guest_state g = { .cr0 = X86_CR0_PE }; struct ept_outcome o;
	struct ept_ref r[EPT_REFS_MAX];
	struct linear_access la = { .gla = G_DATA, .kind = LINEAR_READ };
	fixture(&m, P_STD);
	expect_eq("paging off", refs_of(&m, &g, &la, r, &o), 4);
	guestpae(&g, 0, 0);
	la.gla = GLAP;
	expect_eq("PAE", refs_of(&m, &g, &la, r, &o), 14);
	guest32(&g, 0, 0);
	la.gla = GLA32;
	expect_eq("32-bit", refs_of(&m, &g, &la, r, &o), 14);
}

UNIT(refs_stopped, "lin.refs.stopped-at-pt-page", "2-D walk stopped at reference 19: no later reference")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_ref r[EPT_REFS_MAX];
	struct linear_access la = lin(LINEAR_READ, false);
	unsigned n;
	fixture(&m, P_STD); guest4(&g, 0, 0, 0, 0);
	ept_page(G_PT, 0);
	n = refs_of(&m, &g, &la, r, &o);
	expect_eq("stopped at the PTE read", o.step, 3);
	expect_eq("3 x 5 + 4", n, 19);
	expect_eq("last: the not-present EPT PTE", r[18].hpa, ept_pte_hpa(G_PT));
	expect_eq("it is the violation's entry", o.violation.entry_hpa, r[18].hpa);
}

/* ---- shadow-stack accesses (CR4.CET = 1): Vol. 3A 4.6.1 shadow-stack
 * pages, then EPT with EPTP bit 7 (29.3.3.2) ---- */

/* A supervisor shadow-stack page: R/W = 0, D = 1 in the PTE, R/W = 1 and
 * U/S = 0 above it. */
#define SS_SUP  (PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY)
#define SS_USER (SS_SUP | PTE_USER)
#define SUP_TBL (PTE_PRESENT | PTE_WRITE | PTE_ACCESSED)

static void ss_case(struct ept_model *m, struct guest_state *g, enum prof p,
		    uint64_t f2, uint64_t f1, uint64_t ept_leaf)
{
	fixture(m, p);
	guest4(g, 0, 0, f2, f1);
	g->cr4 |= X86_CR4_CET;
	ept_page(G_DATA, ept_leaf);
}

static struct linear_access ss_lin(enum linear_kind k, bool user)
{
	struct linear_access la = lin(k, user);
	la.shadow_stack = true;
	return la;
}

UNIT(ss_sup_write_ok, "lin.ss.sup-write.ss-page", "SDM 4.6.1: a supervisor shadow-stack write to a supervisor shadow-stack page; 29.3.3.2: EPT R + bit 60")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = ss_lin(LINEAR_WRITE, false);
	ss_case(&m, &g, P_SSS, SUP_TBL, SS_SUP, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, G_DATA + 0x123);
	expect_eq("final kind", t.e[t.n - 1].kind, EPT_ACCESS_WRITE);
	expect_true("rule sss.supervisor-shadow-stack", o.rules & EPT_RULE(SSS_DECIDES));
}

UNIT(ss_sup_read_no60, "lin.ss.sup-read.ept-leaf-rwx", "SDM 29.3.3.2: EPTP bit 7: no bit 60 in the EPT leaf -> violation; bits 13, 14")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_READ, false);
	ss_case(&m, &g, P_SSS, SUP_TBL, SS_SUP, 7 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QR | RD | WR | EX | GV | TA | EPT_QUAL_SHADOW_STACK, ~(UXQ | ADV_BITS),
		    G_DATA + 0x123, 4);
	expect_true("rule sss.supervisor-shadow-stack", o.rules & EPT_RULE(SSS_DECIDES));
}

UNIT(ss_sup_write_rw_page, "lin.ss.sup-write.rw-page", "SDM 4.6.1: R/W = 1 in the PTE: no shadow-stack page -> #PF P|W|SS")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_WRITE, false);
	ss_case(&m, &g, P_SSS, SUP_TBL, SS_SUP | PTE_WRITE, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_W | PFEC_SS, GLA4);
	expect_true("rule guest.pf-shadow-stack", o.rules & EPT_RULE(GUEST_PF_SS));
}

UNIT(ss_sup_read_d_clear, "lin.ss.sup-read.d-clear", "SDM 4.6.1: D = 0 in the PTE: no shadow-stack page -> #PF P|SS")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_READ, false);
	ss_case(&m, &g, P_SSS, SUP_TBL, SS_SUP & ~PTE_DIRTY, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_SS, GLA4);
}

UNIT(ss_sup_write_pde_ro, "lin.ss.sup-write.pde-ro", "SDM 4.6.1: R/W = 0 above the PTE: no shadow-stack page")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_WRITE, false);
	ss_case(&m, &g, P_SSS, SUP_TBL & ~PTE_WRITE, SS_SUP, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_W | PFEC_SS, GLA4);
}

UNIT(ss_sup_write_user_page, "lin.ss.sup-write.user-page", "SDM 4.6.1: a supervisor shadow-stack access to a user-mode address faults")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_WRITE, false);
	ss_case(&m, &g, P_SSS, 0, SS_USER, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_W | PFEC_SS, GLA4);
}

UNIT(ss_np, "lin.ss.pte-np", "SDM 4.7: SS flag (bit 6) for any #PF of a shadow-stack access")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_READ, false);
	ss_case(&m, &g, P_SSS, SUP_TBL, PTE_WRITE, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_SS, GLA4);
}

UNIT(ss_user_write, "lin.ss.user-write.ordinary-ept", "SDM 4.6.1: WRUSS to a user shadow-stack page; 29.3.3.2: user shadow-stack accesses need EPT bit 1")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_WRITE, true);
	ss_case(&m, &g, P_SSS, 0, SS_USER, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QW | RD | GV | TA | EPT_QUAL_SHADOW_STACK | EPT_QUAL_SSS, ~(UXQ | ADV_BITS),
		    G_DATA + 0x123, 4);
	expect_eq("no sss rule", o.rules & EPT_RULE(SSS_DECIDES), 0);
	ept_page(G_DATA, 3 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("EPT RW, no bit 60: completes", o.kind, EPT_OUTCOME_TRANSLATION);
}

UNIT(ss_user_write_sup_page, "lin.ss.user-write.sup-page", "SDM 4.6.1: a user shadow-stack access to a supervisor-mode address: #PF P|W|U|SS")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_WRITE, true);
	ss_case(&m, &g, P_SSS, SUP_TBL, SS_SUP, 3 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_pf(&o, PFEC_P | PFEC_W | PFEC_U | PFEC_SS, GLA4);
}

UNIT(ss_guest_a, "lin.ss.sup-write.guest-a", "SDM 4.8: a shadow-stack write sets A where clear; D already 1 stays")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o; struct ept_trace t;
	struct linear_access la = ss_lin(LINEAR_WRITE, false);
	ss_case(&m, &g, P_SSS, SUP_TBL, SS_SUP & ~PTE_ACCESSED, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, &t);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("trace: 4 reads, the PTE's A, the write", t.n, 6);
	expect_eq("A update", t.e[4].kind, EPT_ACCESS_PAGING_AD);
	expect_eq("set A", t.e[4].set_a, 1);
	expect_eq("D already set", t.e[4].set_d, 0);
}

UNIT(ss_off, "lin.ss.sup-write.eptp-bit7-clear", "SDM 29.3.3.2: EPTP bit 7 = 0: a supervisor shadow-stack write needs EPT bit 1")
{
	struct ept_model m; struct guest_state g; struct ept_outcome o;
	struct linear_access la = ss_lin(LINEAR_WRITE, false);
	ss_case(&m, &g, P_STD, SUP_TBL, SS_SUP, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QW | RD | GV | TA | EPT_QUAL_SHADOW_STACK, MASK_STD, G_DATA + 0x123, 4);
}

UNIT(ss_pg_off, "lin.ss.pg-off.sup-write", "SDM 29.3.3.2: with CR0.PG = 0 a CPL-0 shadow-stack write is a supervisor one (its address is user-mode: bit 9)")
{
	struct ept_model m; struct guest_state g = { .cr0 = X86_CR0_PE | X86_CR0_WP, .cr4 = X86_CR4_CET };
	struct ept_outcome o;
	struct linear_access la = { .gla = G_DATA + 0x123, .kind = LINEAR_WRITE, .shadow_stack = true };
	fixture(&m, P_SSS);
	ept_page(G_DATA, 1 | WB | EPT_SUPERVISOR_SHADOW_STACK);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_eq("EPT R + bit 60: completes", o.kind, EPT_OUTCOME_TRANSLATION);
	ept_page(G_DATA, 3 | WB);
	ept_model_linear(&m, &g, &la, &o, NULL);
	expect_viol(&o, QW | RD | WR | GV | TA | EPT_QUAL_SHADOW_STACK, ~(UXQ | ADV_BITS), G_DATA + 0x123, 0);
}
