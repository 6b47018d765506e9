/*
 * Hand-written cases for translations and A/D lists, the EPTP VM-entry
 * checks, INVEPT/INVVPID operands, capabilities and memory types.
 */
#include "ept_fixture.h"

static struct hostmem h;

static void access_(struct ept_model *m, enum ept_access_kind k, uint64_t gpa,
		    struct ept_outcome *o)
{
	struct ept_access a = { .gpa = gpa, .kind = k, .gla = GLA_T, .gla_valid = true };
	ept_model_access(m, &a, o);
}

/* ---- translations and EPT A/D (SDM 29.3.2, 29.3.5) ---- */

UNIT(tr_4k_fields, "tr.4k.fields", "SDM 29.3.2: 4K leaf: HPA, size, memtype, IPAT")
{
	struct ept_model m; struct ept_outcome o; uint64_t ov[6] = { 0 };
	profile(P_STD, &m, &h);
	ov[1] = 7 | MT(MEMTYPE_WT) | EPT_IGNORE_PAT;
	build_walk(&h, &m, GPA_T, 1, 1u << 1, ov, NULL);
	access_(&m, EPT_ACCESS_READ, GPA_T, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, DATA_HPA + 0xabc);
	expect_eq("page size", o.translation.page_size, 4096);
	expect_eq("memtype", o.translation.memtype, MEMTYPE_WT);
	expect_eq("ipat", o.translation.ipat, 1);
	expect_eq("no A/D without EPTP bit 6", o.translation.nr_ad, 0);
}

UNIT(tr_2m_size, "tr.2m.size", "SDM 29.3.2: 2M leaf page size")
{
	struct ept_model m; struct ept_outcome o;
	profile(P_STD, &m, &h);
	build_walk(&h, &m, GPA_T, 2, 0, NULL, NULL);
	access_(&m, EPT_ACCESS_WRITE, GPA_T, &o);
	expect_eq("size", o.translation.page_size, 2ull << 20);
	expect_eq("memtype", o.translation.memtype, MEMTYPE_WB);
	expect_eq("ipat", o.translation.ipat, 0);
}

UNIT(tr_1g_size, "tr.1g.size", "SDM 29.3.2: 1G leaf page size")
{
	struct ept_model m; struct ept_outcome o;
	profile(P_STD, &m, &h);
	build_walk(&h, &m, GPA_T, 3, 0, NULL, NULL);
	access_(&m, EPT_ACCESS_FETCH, GPA_T, &o);
	expect_eq("size", o.translation.page_size, 1ull << 30);
	expect_eq("level", o.translation.level, 3);
}

/* Issue 8 point 5: 1<<48 | X used to translate as X. */
static void gpa_above_48(unsigned bit, bool five, enum ept_outcome_kind want)
{
	struct ept_model m; struct ept_outcome o;
	uint64_t gpa = (five ? GPA_T5 : GPA_T) | BIT(bit);
	profile(five ? P_5L : P_M52, &m, &h);
	m.caps.maxphyaddr = 52;
	build_walk(&h, &m, gpa, 1, 0, NULL, NULL);
	h.bad_reads = 0;
	access_(&m, EPT_ACCESS_READ, gpa, &o);
	expect_eq("kind", o.kind, want);
	if (want == EPT_OUTCOME_UNMODELED) {
		expect_eq("reason", o.unmodeled, EPT_UNMODELED_GPA_ABOVE_48);
		expect_eq("no EPT entry read", h.bad_reads, 0);
	} else {
		expect_eq("hpa", o.translation.hpa, DATA_HPA + 0xabc);
	}
}
UNIT(tr_gpa48_4l, "tr.4l.gpa-bit48-unmodeled", "SDM 29.3.2: 4-level EPT, GPA bit 48: not predicted") { gpa_above_48(48, false, EPT_OUTCOME_UNMODELED); }
UNIT(tr_gpa50_4l, "tr.4l.gpa-bit50-unmodeled", "SDM 29.3.2: 4-level EPT, GPA bit 50: not predicted") { gpa_above_48(50, false, EPT_OUTCOME_UNMODELED); }
UNIT(tr_gpa51_4l, "tr.4l.gpa-bit51-unmodeled", "SDM 29.3.2: 4-level EPT, GPA bit 51: not predicted") { gpa_above_48(51, false, EPT_OUTCOME_UNMODELED); }
UNIT(tr_gpa47_4l, "tr.4l.gpa-bit47-translates", "SDM 29.3.2: 4-level EPT indexes with GPA bits 47:39")
{
	struct ept_model m; struct ept_outcome o;
	profile(P_M52, &m, &h);
	build_walk(&h, &m, GPA_T | BIT(47), 1, 0, NULL, NULL);
	access_(&m, EPT_ACCESS_READ, GPA_T | BIT(47), &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("hpa", o.translation.hpa, DATA_HPA + 0xabc);
}
UNIT(tr_gpa51_5l, "tr.5l.gpa-bit51-translates", "SDM 29.3.2: 5-level EPT indexes with GPA bits 56:48")
{
	gpa_above_48(51, true, EPT_OUTCOME_TRANSLATION);
}
UNIT(unmodeled_names, "names.unmodeled-reasons", "diagnostics: every unmodeled reason names its SDM section")
{
	expect_eq("gpa", ept_unmodeled_reason_name(EPT_UNMODELED_GPA_ABOVE_48)[0], 'S');
}

static void ad_case(enum ept_access_kind k, unsigned leaf, unsigned want_n, bool want_d)
{
	struct ept_model m; struct ept_outcome o; uint64_t hpas[6] = { 0 };
	unsigned i, l;
	profile(P_AD, &m, &h);
	build_walk(&h, &m, GPA_T, leaf, 0, NULL, hpas);
	access_(&m, k, GPA_T, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_eq("nr_ad", o.translation.nr_ad, want_n);
	for (i = 0; i < o.translation.nr_ad && i < 5; i++) {
		l = 4 - i;
		expect_eq("ad hpa (top first)", o.translation.ad[i].hpa, hpas[l]);
		expect_eq("ad level", o.translation.ad[i].level, l);
		expect_eq("A set", o.translation.ad[i].set_a, 1);
		expect_eq("D only on the leaf of a write", o.translation.ad[i].set_d, want_d && l == leaf);
	}
}

UNIT(ad_read_4k, "ad.read.4k", "SDM 29.3.5: A in every entry used, no D for a read") { ad_case(EPT_ACCESS_READ, 1, 4, false); }
UNIT(ad_write_4k, "ad.write.4k", "SDM 29.3.5: D in the leaf for a write") { ad_case(EPT_ACCESS_WRITE, 1, 4, true); }
UNIT(ad_fetch_4k, "ad.fetch.4k", "SDM 29.3.5: no D for a fetch") { ad_case(EPT_ACCESS_FETCH, 1, 4, false); }
UNIT(ad_write_2m, "ad.write.2m", "SDM 29.3.5: D in the 2M leaf") { ad_case(EPT_ACCESS_WRITE, 2, 3, true); }
UNIT(ad_rmw_1g, "ad.rmw.1g", "SDM 29.3.5: D in the 1G leaf for RMW") { ad_case(EPT_ACCESS_RMW, 3, 2, true); }
UNIT(ad_paging, "ad.paging", "SDM 29.3.5: guest paging reads count as writes with A/D on") { ad_case(EPT_ACCESS_PAGING, 1, 4, true); }
UNIT(ad_pdpte, "ad.pdpte-load", "SDM 29.3.3.2: PDPTE loads are reads: no D") { ad_case(EPT_ACCESS_PDPTE_LOAD, 1, 4, false); }
UNIT(ad_guest_ad, "ad.guest-ad-update", "SDM 29.3.5: guest A/D updates are writes") { ad_case(EPT_ACCESS_PAGING_AD, 1, 4, true); }

/* EPTP bits 6 and 7: an allowed supervisor shadow-stack access sets A in
 * every entry and, a write, D in the leaf -- whose bit 1 is 0. */
static void ad_sss_case(enum ept_access_kind k, unsigned leaf, bool want_d)
{
	struct ept_model m; struct ept_outcome o; uint64_t ov[6] = { 0 }, hpas[6] = { 0 };
	struct ept_access a = { .gpa = GPA_T, .kind = k, .gla = GLA_T, .gla_valid = true,
				.shadow_stack = true };
	unsigned i;

	profile(P_SSS, &m, &h);
	m.eptp |= EPTP_AD_ENABLE;
	ov[leaf] = EPT_READ | WB | (leaf > 1 ? PS : 0) | EPT_SUPERVISOR_SHADOW_STACK;
	build_walk(&h, &m, GPA_T, leaf, 1u << leaf, ov, hpas);
	ept_model_access(&m, &a, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_TRANSLATION);
	expect_true("rule sss.supervisor-shadow-stack", o.rules & EPT_RULE(SSS_DECIDES));
	expect_eq("nr_ad", o.translation.nr_ad, 5 - leaf);
	for (i = 0; i < o.translation.nr_ad && i < 4; i++) {
		unsigned l = 4 - i;
		expect_eq("ad hpa (top first)", o.translation.ad[i].hpa, hpas[l]);
		expect_eq("A set", o.translation.ad[i].set_a, 1);
		expect_eq("D only on the leaf of a write", o.translation.ad[i].set_d, want_d && l == leaf);
	}
}

UNIT(ad_sss_write_4k, "ad.sss.write.4k-r", "SDM 29.3.3.2, 29.3.5: an allowed shadow-stack write to an R, bit-60 leaf sets its D") { ad_sss_case(EPT_ACCESS_WRITE, 1, true); }
UNIT(ad_sss_write_2m, "ad.sss.write.2m-r", "SDM 29.3.3.2, 29.3.5: the same on a 2M leaf") { ad_sss_case(EPT_ACCESS_WRITE, 2, true); }
UNIT(ad_sss_read_1g, "ad.sss.read.1g-r", "SDM 29.3.3.2, 29.3.5: a shadow-stack read sets no D") { ad_sss_case(EPT_ACCESS_READ, 3, false); }

UNIT(ad_none_on_violation, "ad.none-on-violation", "SDM 29.3.5: model lists A/D only for completed translations")
{
	struct ept_model m; struct ept_outcome o; uint64_t ov[6] = { 0 };
	profile(P_AD, &m, &h);
	ov[1] = 1 | WB;
	build_walk(&h, &m, GPA_T, 1, 1u << 1, ov, NULL);
	access_(&m, EPT_ACCESS_WRITE, GPA_T, &o);
	expect_eq("kind", o.kind, EPT_OUTCOME_VIOLATION);
	expect_eq("qual", o.violation.qual, QW | RD | GV | TA);
}

UNIT(ad_5level, "ad.5level", "SDM 29.3.5: five entries with a 5-level walk")
{
	struct ept_model m; struct ept_outcome o;
	profile(P_5L, &m, &h);
	m.eptp |= EPTP_AD_ENABLE;
	build_walk(&h, &m, GPA_T5, 1, 0, NULL, NULL);
	access_(&m, EPT_ACCESS_READ, GPA_T5, &o);
	expect_eq("nr_ad", o.translation.nr_ad, 5);
	expect_eq("top entry level", o.translation.ad[0].level, 5);
}

/* ---- EPTP checks at VM entry (SDM 26.2.1.1) ---- */
struct eptp_row { const char *name; uint64_t eptp; int capvar; enum ept_eptp_rule want; };
enum { CV_STD, CV_NOUC, CV_NOWB, CV_NOAD, CV_NO5, CV_NO4, CV_NOSSS, CV_M39 };
static const struct eptp_row eptp_rows[] = {
	{ "eptp.wb-4l", MEMTYPE_WB | (3 << 3) | 0x1000, CV_STD, EPT_EPTP_OK },
	{ "eptp.uc-4l", MEMTYPE_UC | (3 << 3) | 0x1000, CV_STD, EPT_EPTP_OK },
	{ "eptp.uc-unsupported", MEMTYPE_UC | (3 << 3), CV_NOUC, EPT_EPTP_MEMTYPE },
	{ "eptp.wb-unsupported", MEMTYPE_WB | (3 << 3), CV_NOWB, EPT_EPTP_MEMTYPE },
	{ "eptp.memtype-wt", MEMTYPE_WT | (3 << 3), CV_STD, EPT_EPTP_MEMTYPE },
	{ "eptp.memtype-1", MEMTYPE_WC | (3 << 3), CV_STD, EPT_EPTP_MEMTYPE },
	{ "eptp.memtype-7", 7 | (3 << 3), CV_STD, EPT_EPTP_MEMTYPE },
	{ "eptp.walk-1", MEMTYPE_WB | (0 << 3), CV_STD, EPT_EPTP_WALK_LENGTH },
	{ "eptp.walk-3", MEMTYPE_WB | (2 << 3), CV_STD, EPT_EPTP_WALK_LENGTH },
	{ "eptp.walk-6", MEMTYPE_WB | (5 << 3), CV_STD, EPT_EPTP_WALK_LENGTH },
	{ "eptp.walk-5", MEMTYPE_WB | (4 << 3), CV_STD, EPT_EPTP_OK },
	{ "eptp.walk-5-unsupported", MEMTYPE_WB | (4 << 3), CV_NO5, EPT_EPTP_WALK_LENGTH },
	{ "eptp.walk-4-unsupported", MEMTYPE_WB | (3 << 3), CV_NO4, EPT_EPTP_WALK_LENGTH },
	{ "eptp.ad", MEMTYPE_WB | (3 << 3) | EPTP_AD_ENABLE, CV_STD, EPT_EPTP_OK },
	{ "eptp.ad-unsupported", MEMTYPE_WB | (3 << 3) | EPTP_AD_ENABLE, CV_NOAD, EPT_EPTP_AD_UNSUPPORTED },
	{ "eptp.sss", MEMTYPE_WB | (3 << 3) | EPTP_SSS_ENABLE, CV_STD, EPT_EPTP_OK },
	{ "eptp.sss-unsupported", MEMTYPE_WB | (3 << 3) | EPTP_SSS_ENABLE, CV_NOSSS, EPT_EPTP_RSVD_11_7 },
	{ "eptp.bit8", MEMTYPE_WB | (3 << 3) | BIT(8), CV_STD, EPT_EPTP_RSVD_11_7 },
	{ "eptp.bit11", MEMTYPE_WB | (3 << 3) | BIT(11), CV_STD, EPT_EPTP_RSVD_11_7 },
	{ "eptp.bit46", MEMTYPE_WB | (3 << 3) | BIT(46), CV_STD, EPT_EPTP_RSVD_PHYS },
	{ "eptp.bit63", MEMTYPE_WB | (3 << 3) | BIT(63), CV_STD, EPT_EPTP_RSVD_PHYS },
	{ "eptp.bit45-ok", MEMTYPE_WB | (3 << 3) | BIT(45), CV_STD, EPT_EPTP_OK },
	{ "eptp.m39.bit39", MEMTYPE_WB | (3 << 3) | BIT(39), CV_M39, EPT_EPTP_RSVD_PHYS },
};

static struct ept_caps capvar(int v)
{
	struct ept_caps c = caps_std();
	switch (v) {
	case CV_NOUC: c.memtype_uc = false; break;
	case CV_NOWB: c.memtype_wb = false; break;
	case CV_NOAD: c.ad = false; break;
	case CV_NO5: c.walk5 = false; break;
	case CV_NO4: c.walk4 = false; break;
	case CV_NOSSS: c.sss = false; break;
	case CV_M39: c.maxphyaddr = 39; break;
	}
	return c;
}

static void run_eptp(const void *arg)
{
	const struct eptp_row *r = arg;
	struct ept_caps c = capvar(r->capvar);
	expect_eq("eptp rule", ept_eptp_check(&c, r->eptp), r->want);
}

/* ---- INVEPT / INVVPID (SDM 31.3) ---- */
struct inv_row {
	const char *name; bool vpid; int capvar; uint64_t type, lo, hi; unsigned law;
	enum ept_inv_rule want;
};
enum { IV_STD, IV_NOSINGLE, IV_NOALL, IV_NOADDR, IV_NOSNG };
static const struct inv_row inv_rows[] = {
	{ "invept.single-ok", false, IV_STD, 1, EPTP_4L | 0x5000, 0, 48, EPT_INV_OK },
	{ "invept.all-ok", false, IV_STD, 2, 0xdead, 0, 48, EPT_INV_OK },
	{ "invept.type0", false, IV_STD, 0, EPTP_4L, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invept.type3", false, IV_STD, 3, EPTP_4L, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invept.type-huge", false, IV_STD, 1ull << 32 | 1, EPTP_4L, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invept.single-unsupported", false, IV_NOSINGLE, 1, EPTP_4L, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invept.all-unsupported", false, IV_NOALL, 2, 0, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invept.single-bad-memtype", false, IV_STD, 1, MEMTYPE_WT | (3 << 3), 0, 48, EPT_INV_BAD_EPTP },
	{ "invept.single-bad-walk", false, IV_STD, 1, MEMTYPE_WB | (1 << 3), 0, 48, EPT_INV_BAD_EPTP },
	{ "invept.single-rsvd", false, IV_STD, 1, EPTP_4L | BIT(9), 0, 48, EPT_INV_BAD_EPTP },
	{ "invvpid.addr-ok", true, IV_STD, 0, 1, 0x00007fffffff0000ull, 48, EPT_INV_OK },
	{ "invvpid.addr-kernel-ok", true, IV_STD, 0, 5, 0xffff800000000000ull, 48, EPT_INV_OK },
	{ "invvpid.addr-noncanon", true, IV_STD, 0, 1, 0x0000800000000000ull, 48, EPT_INV_NONCANONICAL },
	{ "invvpid.addr-la57-ok", true, IV_STD, 0, 1, 0x0000800000000000ull, 57, EPT_INV_OK },
	{ "invvpid.addr-la57-noncanon", true, IV_STD, 0, 1, 0x0100000000000000ull, 57, EPT_INV_NONCANONICAL },
	{ "invvpid.addr-vpid0", true, IV_STD, 0, 0, 0, 48, EPT_INV_VPID_ZERO },
	{ "invvpid.single-vpid0", true, IV_STD, 1, 0, 0, 48, EPT_INV_VPID_ZERO },
	{ "invvpid.single-ok", true, IV_STD, 1, 0xffff, 0x8000000000000000ull, 48, EPT_INV_OK },
	{ "invvpid.all-vpid0-ok", true, IV_STD, 2, 0, 0, 48, EPT_INV_OK },
	{ "invvpid.nonglobal-vpid0", true, IV_STD, 3, 0, 0, 48, EPT_INV_VPID_ZERO },
	{ "invvpid.rsvd-bit16", true, IV_STD, 1, BIT(16) | 1, 0, 48, EPT_INV_RSVD_DESC },
	{ "invvpid.rsvd-all-context", true, IV_STD, 2, BIT(63), 0, 48, EPT_INV_RSVD_DESC },
	{ "invvpid.type4", true, IV_STD, 4, 1, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invvpid.addr-unsupported", true, IV_NOADDR, 0, 1, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
	{ "invvpid.nonglobal-unsupported", true, IV_NOSNG, 3, 1, 0, 48, EPT_INV_TYPE_UNSUPPORTED },
};

static void run_inv(const void *arg)
{
	const struct inv_row *r = arg;
	struct ept_caps c = caps_std();
	enum ept_inv_rule got;

	if (r->capvar == IV_NOSINGLE) c.invept_single = false;
	if (r->capvar == IV_NOALL) c.invept_all = false;
	if (r->capvar == IV_NOADDR) c.invvpid_addr = false;
	if (r->capvar == IV_NOSNG) c.invvpid_single_nonglobal = false;
	got = r->vpid ? ept_invvpid_check(&c, r->type, r->lo, r->hi, r->law)
		      : ept_invept_check(&c, r->type, r->lo);
	expect_eq("rule", got, r->want);
	expect_eq("VM-instruction error", ept_inv_expected_error(got),
		  r->want == EPT_INV_OK ? 0 : 28);
}

/* ---- capabilities from MSRs (SDM A.10, A.3.3) ---- */
UNIT(caps_bits, "caps.from-msrs.each-bit", "SDM A.10: IA32_VMX_EPT_VPID_CAP bit positions")
{
	struct ept_caps c = ept_caps_from_msrs(BIT(0) | BIT(6) | BIT(14) | BIT(17) | BIT(21) |
					       BIT(23) | BIT(26) | BIT(41), 0, 40);
	expect_eq("exec_only", c.exec_only, 1);
	expect_eq("walk4", c.walk4, 1);
	expect_eq("walk5", c.walk5, 0);
	expect_eq("uc", c.memtype_uc, 0);
	expect_eq("wb", c.memtype_wb, 1);
	expect_eq("2m", c.page_2m, 0);
	expect_eq("1g", c.page_1g, 1);
	expect_eq("ad", c.ad, 1);
	expect_eq("adv", c.adv_exit_info, 0);
	expect_eq("sss", c.sss, 1);
	expect_eq("invept single", c.invept_single, 0);
	expect_eq("invept all", c.invept_all, 1);
	expect_eq("invvpid single", c.invvpid_single, 1);
	expect_eq("invvpid addr", c.invvpid_addr, 0);
	expect_eq("maxphyaddr", c.maxphyaddr, 40);
}

UNIT(caps_complement, "caps.from-msrs.complement", "SDM A.10: each capability from its own bit")
{
	struct ept_caps c = ept_caps_from_msrs(BIT(7) | BIT(8) | BIT(16) | BIT(22) | BIT(25) |
					       BIT(40) | BIT(42) | BIT(43), 0, 52);
	expect_eq("exec_only", c.exec_only, 0);
	expect_eq("walk5", c.walk5, 1);
	expect_eq("uc", c.memtype_uc, 1);
	expect_eq("2m", c.page_2m, 1);
	expect_eq("adv", c.adv_exit_info, 1);
	expect_eq("invept single", c.invept_single, 1);
	expect_eq("invvpid addr", c.invvpid_addr, 1);
	expect_eq("invvpid all", c.invvpid_all, 1);
	expect_eq("invvpid nonglobal", c.invvpid_single_nonglobal, 1);
	expect_eq("ad", c.ad, 0);
}

UNIT(caps_procbased2, "caps.from-msrs.procbased2", "SDM A.3.3 / 25.6.2: MBEC 22, #VE 18, SPP 23 allowed-1")
{
	struct ept_caps c = ept_caps_from_msrs(0, CPU2_MODE_BASED_EPT_EXEC | CPU2_SUBPAGE_WRITE_PERMS, 46);
	expect_eq("mbec", c.mbec, 1);
	expect_eq("ve", c.ve, 0);
	expect_eq("spp", c.spp, 1);
	c = ept_caps_from_msrs(0, CPU2_EPT_VIOLATION_VE, 46);
	expect_eq("ve only", c.ve, 1);
	expect_eq("mbec off", c.mbec, 0);
}

/* ---- effective memory type (SDM 29.3.7.2, Table 12-7) ---- */
struct mt_row { const char *name; uint8_t ept; bool ipat; uint8_t pat, want; bool cd; };
static const struct mt_row mt_rows[] = {
	{ "memtype.ipat-uc", MEMTYPE_UC, true, MEMTYPE_WB, MEMTYPE_UC, false },
	{ "memtype.ipat-wb", MEMTYPE_WB, true, MEMTYPE_UC, MEMTYPE_WB, false },
	{ "memtype.ipat-wp", MEMTYPE_WP, true, MEMTYPE_WC, MEMTYPE_WP, false },
	{ "memtype.wb-wb", MEMTYPE_WB, false, MEMTYPE_WB, MEMTYPE_WB, false },
	{ "memtype.wb-uc", MEMTYPE_WB, false, MEMTYPE_UC, MEMTYPE_UC, false },
	{ "memtype.wb-ucminus", MEMTYPE_WB, false, MEMTYPE_UC_MINUS, MEMTYPE_UC, false },
	{ "memtype.wb-wc", MEMTYPE_WB, false, MEMTYPE_WC, MEMTYPE_WC, false },
	{ "memtype.wb-wt", MEMTYPE_WB, false, MEMTYPE_WT, MEMTYPE_WT, false },
	{ "memtype.wb-wp", MEMTYPE_WB, false, MEMTYPE_WP, MEMTYPE_WP, false },
	{ "memtype.uc-wb", MEMTYPE_UC, false, MEMTYPE_WB, MEMTYPE_UC, false },
	{ "memtype.uc-wc", MEMTYPE_UC, false, MEMTYPE_WC, MEMTYPE_WC, false },
	{ "memtype.wc-ucminus", MEMTYPE_WC, false, MEMTYPE_UC_MINUS, MEMTYPE_WC, false },
	{ "memtype.wc-wb", MEMTYPE_WC, false, MEMTYPE_WB, MEMTYPE_WC, false },
	{ "memtype.wc-wt", MEMTYPE_WC, false, MEMTYPE_WT, MEMTYPE_UC, false },
	{ "memtype.wt-wb", MEMTYPE_WT, false, MEMTYPE_WB, MEMTYPE_WT, false },
	{ "memtype.wt-wp", MEMTYPE_WT, false, MEMTYPE_WP, MEMTYPE_WP, false },
	{ "memtype.wp-wb", MEMTYPE_WP, false, MEMTYPE_WB, MEMTYPE_WP, false },
	{ "memtype.wp-ucminus", MEMTYPE_WP, false, MEMTYPE_UC_MINUS, MEMTYPE_WC, false },
	{ "memtype.wp-wt", MEMTYPE_WP, false, MEMTYPE_WT, MEMTYPE_WT, false },
	{ "memtype.ept-reserved", 2, false, MEMTYPE_WB, 0xff, false },
	{ "memtype.pat-reserved", MEMTYPE_WB, false, 3, 0xff, false },
	/* SDM 29.3.7.2: "If CR0.CD = 1, the effective memory type is UC." */
	{ "memtype.cd.wb-wb", MEMTYPE_WB, false, MEMTYPE_WB, MEMTYPE_UC, true },
	{ "memtype.cd.ipat-wb", MEMTYPE_WB, true, MEMTYPE_WB, MEMTYPE_UC, true },
	{ "memtype.cd.ipat-wt", MEMTYPE_WT, true, MEMTYPE_WC, MEMTYPE_UC, true },
	{ "memtype.cd.wc-wc", MEMTYPE_WC, false, MEMTYPE_WC, MEMTYPE_UC, true },
	{ "memtype.cd.ept-reserved", 7, true, MEMTYPE_WB, 0xff, true },
};

static void run_mt(const void *arg)
{
	const struct mt_row *r = arg;
	expect_eq("effective type", ept_effective_memtype(r->ept, r->ipat, r->pat, r->cd), r->want);
}

UNIT(paging_memtype, "memtype.ept-paging-structures", "SDM 29.3.7.1: EPTP bits 2:0, UC if CR0.CD = 1")
{
	expect_eq("WB EPTP", ept_paging_memtype(EPTP_4L | 0x5000, false), MEMTYPE_WB);
	expect_eq("UC EPTP", ept_paging_memtype((3 << 3) | MEMTYPE_UC, false), MEMTYPE_UC);
	expect_eq("WB EPTP, CR0.CD = 1", ept_paging_memtype(EPTP_4L, true), MEMTYPE_UC);
	expect_eq("name", ept_memtype_name(MEMTYPE_WB)[1], 'B');
}

UNIT(names, "names.every-rule", "diagnostics: every rule has a name naming its SDM section")
{
	unsigned r;
	for (r = EPT_MC_WRITE_ONLY; r < EPT_MC_NR; r++) {
		const char *n = ept_misconfig_rule_name((enum ept_misconfig_rule)r);
		expect_eq("starts with SDM", n[0] == 'S' && n[1] == 'D' && n[2] == 'M', 1);
	}
	expect_eq("eptp name", ept_eptp_rule_name(EPT_EPTP_MEMTYPE)[0], 'S');
	expect_eq("inv name", ept_inv_rule_name(EPT_INV_VPID_ZERO)[0], 'S');
}

__attribute__((constructor)) static void reg_tables(void)
{
	unsigned i;
	for (i = 0; i < sizeof(eptp_rows) / sizeof(eptp_rows[0]); i++)
		unit_register(eptp_rows[i].name, "SDM 26.2.1.1: EPTP checks", run_eptp, &eptp_rows[i]);
	for (i = 0; i < sizeof(inv_rows) / sizeof(inv_rows[0]); i++)
		unit_register(inv_rows[i].name, "SDM 31.3: INVEPT/INVVPID operation, VMfailValid(28)",
			      run_inv, &inv_rows[i]);
	for (i = 0; i < sizeof(mt_rows) / sizeof(mt_rows[0]); i++)
		unit_register(mt_rows[i].name, "SDM 29.3.7.2 / 12.5.2.2 Table 12-7", run_mt, &mt_rows[i]);
}

UNIT(qual_bit_table, "names.qual-bits", "SDM Table 28-7: the conditional bits are 6, 8, 9-11, 12, 14")
{
	unsigned i, cond = 0;
	for (i = 0; i < EPT_QUAL_NR_BITS; i++)
		cond |= (ept_qual_bits[i].defined_if != NULL) << i;
	expect_eq("conditional bits", cond, BIT(6) | BIT(8) | BITS(12, 9) | BIT(14));
	expect_eq("bit 7 name", ept_qual_bits[7].name[0], 'g');
}
