/*
 * Cases for lib/x86/spp_model.c: sub-page write permissions (SDM 29.3.4),
 * alone and through ept_model_access(); SPP-related event qualification
 * (28.2.1) and the SPPTP VM-entry checks (26.2.1.1).
 */
#include "ept_fixture.h"
#include "../lib/x86/spp_model.h"

#define SPPT_L4 0x100000ull
#define SPPT_L3 0x101000ull
#define SPPT_L2 0x102000ull
#define SPPT_L1 0x103000ull
#define GPA_S   0x0000123456789000ull

static uint64_t spp_hpa(unsigned level)
{
	static const uint64_t t[5] = { 0, SPPT_L1, SPPT_L2, SPPT_L3, SPPT_L4 };
	return t[level] + ((GPA_S >> (12 + 9 * (level - 1))) & 511) * 8;
}

/* A full SPP walk for GPA_S: the SPPL1E is @vec; level @ol gets @ov in
 * place of its flags (bits 11:0 and 63:46). */
static void build_spp(struct hostmem *h, uint64_t vec, unsigned ol, uint64_t ov)
{
	static const uint64_t next[5] = { 0, 0, SPPT_L1, SPPT_L2, SPPT_L3 };

	memset((char *)h->q + SPPT_L4, 0, 4 * PAGE);
	for (unsigned l = 4; l >= 2; l--)
		hm_set(h, spp_hpa(l), next[l] | (l == ol ? ov : SPP_VALID));
	hm_set(h, spp_hpa(1), vec);
}

static struct spp_table spp_tab(struct hostmem *h)
{
	struct spp_table t = { SPPT_L4, 46, hostmem_read, h };
	return t;
}

static const struct walk_row {
	const char *name, *sdm;
	uint64_t vec;
	unsigned ol;
	uint64_t ov;
	unsigned off, size;
	enum spp_result want;
	uint8_t level;
	uint32_t denied;
} walk_rows[] = {
	{ "spp.walk.allow0", "SDM 29.3.4.2: sub-page 0 writable (bit 0)", 1, 0, 0, 0, 8, SPP_ALLOW, 1, 0 },
	{ "spp.walk.deny0", "SDM 29.3.4.2: sub-page 0 not writable", 4, 0, 0, 0, 8, SPP_DENY, 1, 1 },
	{ "spp.walk.allow31", "SDM 29.3.4.2: sub-page 31 is bit 62", BIT(62), 0, 0, 0xf80, 8, SPP_ALLOW, 1, 0 },
	{ "spp.walk.deny31", "SDM 29.3.4.2: sub-page 31 is bit 62", BIT(60), 0, 0, 0xf80, 8, SPP_DENY, 1,
	  1u << 31 },
	{ "spp.walk.subpage-bounds", "SDM 29.3.4.2: byte 127 is sub-page 0", 1, 0, 0, 0x7f, 1, SPP_ALLOW, 1, 0 },
	{ "spp.walk.subpage-128", "SDM 29.3.4.2: byte 128 is sub-page 1", 1, 0, 0, 0x80, 1, SPP_DENY, 1, 2 },
	{ "spp.walk.straddle-deny", "SDM 29.3.4: a write to two sub-pages needs both", 1, 0, 0, 0x7c, 8,
	  SPP_DENY, 1, 2 },
	{ "spp.walk.straddle-deny-low", "SDM 29.3.4: a write to two sub-pages needs both", 4, 0, 0, 0x7c, 8,
	  SPP_DENY, 1, 1 },
	{ "spp.walk.straddle-allow", "SDM 29.3.4: a write to two sub-pages needs both", 5, 0, 0, 0x7c, 8,
	  SPP_ALLOW, 1, 0 },
	{ "spp.walk.size0", "size 0 counts as one byte", 1, 0, 0, 0x7f, 0, SPP_ALLOW, 1, 0 },
	{ "spp.walk.miss4", "SDM 29.3.4.2: SPPL4E bit 0 = 0: SPPT miss", 1, 4, 0, 0, 8, SPP_MISS, 4, 0 },
	{ "spp.walk.miss3", "SDM 29.3.4.2: SPPL3E bit 0 = 0: SPPT miss", 1, 3, 0, 0, 8, SPP_MISS, 3, 0 },
	{ "spp.walk.miss2", "SDM 29.3.4.2: SPPL2E bit 0 = 0: SPPT miss", 1, 2, 0, 0, 8, SPP_MISS, 2, 0 },
	{ "spp.walk.miss-rsvd", "SDM 29.3.4.2: not valid wins over reserved bits", 1, 3, BIT(1), 0, 8,
	  SPP_MISS, 3, 0 },
	{ "spp.walk.rsvd1-4", "SDM 29.3.4.2: non-leaf bits 11:1 reserved", 1, 4, SPP_VALID | BIT(1), 0, 8,
	  SPP_MISCONFIG, 4, 0 },
	{ "spp.walk.rsvd11-3", "SDM 29.3.4.2: non-leaf bits 11:1 reserved", 1, 3, SPP_VALID | BIT(11), 0, 8,
	  SPP_MISCONFIG, 3, 0 },
	{ "spp.walk.rsvd-phys-2", "SDM 29.3.4.2: non-leaf bits 63:N reserved", 1, 2, SPP_VALID | BIT(46), 0,
	  8, SPP_MISCONFIG, 2, 0 },
	{ "spp.walk.rsvd63-2", "SDM 29.3.4.2: non-leaf bits 63:N reserved", 1, 2, SPP_VALID | BIT(63), 0,
	  8, SPP_MISCONFIG, 2, 0 },
	{ "spp.walk.l1-odd", "SDM 29.3.4.2: SPPL1E odd bits reserved", 1 | BIT(1), 0, 0, 0, 8,
	  SPP_MISCONFIG, 1, 0 },
	{ "spp.walk.l1-odd63", "SDM 29.3.4.2: SPPL1E odd bits reserved", 1 | BIT(63), 0, 0, 0, 8,
	  SPP_MISCONFIG, 1, 0 },
};

static void walk_row(const void *arg)
{
	const struct walk_row *r = arg;
	static struct hostmem h;
	struct spp_table t = spp_tab(&h);
	struct spp_walk w;

	h.bad_reads = 0;
	build_spp(&h, r->vec, r->ol, r->ov);
	expect_eq("result", spp_model_write(&t, GPA_S + r->off, r->size, false, false, &w), r->want);
	expect_eq("level", w.level, r->level);
	expect_eq("entry hpa", w.entry_hpa, spp_hpa(r->level));
	if (r->want == SPP_ALLOW || r->want == SPP_DENY) {
		expect_eq("denied", w.denied, r->denied);
	} else {
		expect_eq("qualification", w.qual, r->want == SPP_MISS ? SPP_QUAL_MISS : 0);
		expect_eq("qualification mask", w.qual_mask, SPP_QUAL_MISS | SPP_QUAL_NMI_UNBLOCKING);
		expect_eq("gpa", w.gpa, GPA_S + r->off);
	}
	expect_true("name", spp_result_name(r->want)[0] != '?');
	expect_eq("no stray reads", h.bad_reads, 0);
}

UNIT(spp_nmi_bit, "spp.event.nmi-bit12", "SDM 28.2.1: SPP event bit 12 as for EPT violations")
{
	static struct hostmem h;
	struct spp_table t = spp_tab(&h);
	struct spp_walk w;

	build_spp(&h, 1, 3, 0);
	spp_model_write(&t, GPA_S, 8, false, true, &w);
	expect_eq("IRET unblocking sets bit 12", w.qual, SPP_QUAL_MISS | SPP_QUAL_NMI_UNBLOCKING);
	spp_model_write(&t, GPA_S, 8, true, true, &w);
	expect_eq("undefined: bit 12 out of the mask", w.qual_mask, SPP_QUAL_MISS);
}

static const struct elig_row {
	const char *name, *sdm;
	bool ctl;
	unsigned level;
	uint64_t leaf, and_bits;
	bool write;
	bool want;
} elig_rows[] = {
	{ "spp.elig.yes", "SDM 29.3.4.1: SPP PTE, R, no W, a write", true, 1, EPT_SUBPAGE_WRITE_PERM | 1, 1, true, true },
	{ "spp.elig.ctl-off", "SDM 29.3.4.1: needs the control", false, 1, EPT_SUBPAGE_WRITE_PERM | 1, 1, true, false },
	{ "spp.elig.pde", "SDM 29.3.4.1: only 4-KByte pages", true, 2, EPT_SUBPAGE_WRITE_PERM | 1, 1, true, false },
	{ "spp.elig.bit61", "SDM 29.3.4.1: needs bit 61", true, 1, 1, 1, true, false },
	{ "spp.elig.no-read", "SDM 29.3.4.1: the walk must allow reads", true, 1, EPT_SUBPAGE_WRITE_PERM | 4, 4, true, false },
	{ "spp.elig.writable", "SDM 29.3.4.1: a write EPT allows is not SPP's", true, 1, EPT_SUBPAGE_WRITE_PERM | 3, 3, true, false },
	{ "spp.elig.not-write", "SDM 29.3.4.1: only writes to the linear address's translation", true, 1,
	  EPT_SUBPAGE_WRITE_PERM | 1, 1, false, false },
	{ "spp.elig.nonleaf-w", "SDM 29.3.4.1: W missing above the leaf", true, 1, EPT_SUBPAGE_WRITE_PERM | 3, 1, true, true },
};

static void elig_row(const void *arg)
{
	const struct elig_row *r = arg;

	expect_eq("eligible", spp_write_eligible(r->ctl, r->level, r->leaf, r->and_bits, r->write), r->want);
}

/* Through ept_model_access(): SPP decides instead of UNMODELED. */
static const struct model_row {
	const char *name, *sdm;
	enum ept_access_kind kind;
	uint64_t leaf, vec;
	unsigned ol;
	bool gla_valid;
	enum ept_outcome_kind want;
} model_rows[] = {
	{ "spp.model.allow", "SDM 29.3.4: SPP allows: the write completes", EPT_ACCESS_WRITE,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 1, 0, true, EPT_OUTCOME_TRANSLATION },
	{ "spp.model.deny", "SDM 29.3.4: SPP denies: EPT violation", EPT_ACCESS_WRITE,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 4, 0, true, EPT_OUTCOME_VIOLATION },
	{ "spp.model.rmw-allow", "SDM 29.3.4: RMW writes are writes", EPT_ACCESS_RMW,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 1, 0, true, EPT_OUTCOME_TRANSLATION },
	{ "spp.model.miss", "SDM 29.3.4.2: SPPT miss: exit 66", EPT_ACCESS_WRITE,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 1, 2, true, EPT_OUTCOME_SPP_EVENT },
	{ "spp.model.misconfig", "SDM 29.3.4.2: SPPT misconfiguration: exit 66", EPT_ACCESS_WRITE,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 3, 0, true, EPT_OUTCOME_SPP_EVENT },
	{ "spp.model.paging-ad", "SDM 29.3.4.1: guest A/D updates are not eligible", EPT_ACCESS_PAGING_AD,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 1, 0, true, EPT_OUTCOME_VIOLATION },
	{ "spp.model.no-gla", "SDM 29.3.4.1: only translations of linear addresses", EPT_ACCESS_WRITE,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 1, 0, false, EPT_OUTCOME_VIOLATION },
	{ "spp.model.read", "SDM 29.3.4: reads are EPT's alone", EPT_ACCESS_READ,
	  1 | WB | EPT_SUBPAGE_WRITE_PERM, 0, 0, true, EPT_OUTCOME_TRANSLATION },
	{ "spp.model.no-read", "SDM 29.3.4.1: a leaf without R is not eligible", EPT_ACCESS_WRITE,
	  4 | WB | EPT_SUBPAGE_WRITE_PERM, 1, 0, true, EPT_OUTCOME_VIOLATION },
};

static void model_row(const void *arg)
{
	const struct model_row *r = arg;
	static struct hostmem h;
	struct ept_model m;
	struct ept_outcome o;
	struct ept_access a = { .gpa = GPA_S + 0x10, .kind = r->kind, .gla = GLA_T,
				.gla_valid = r->gla_valid, .size = 8 };
	uint64_t ov[6] = { 0 };

	profile(P_SPP, &m, &h);
	m.eptp |= EPTP_AD_ENABLE;
	m.ctl.spptp = SPPT_L4;
	ov[1] = r->leaf;
	build_walk(&h, &m, a.gpa, 1, 1u << 1, ov, NULL);
	build_spp(&h, r->vec, r->ol, r->ol == 3 ? SPP_VALID | BIT(5) : 0);
	ept_model_access(&m, &a, &o);
	expect_eq("kind", o.kind, r->want);
	switch (r->want) {
	case EPT_OUTCOME_TRANSLATION:
		expect_eq("hpa", o.translation.hpa, DATA_HPA | 0x10);
		expect_eq("leaf dirty", o.translation.ad[o.translation.nr_ad - 1].set_d,
			  r->kind != EPT_ACCESS_READ);
		break;
	case EPT_OUTCOME_VIOLATION:
		expect_masked("qualification", o.violation.qual,
			      QW | (r->kind == EPT_ACCESS_PAGING_AD ? QR : 0) | (r->leaf & 1 ? RD : EX) |
			      (r->gla_valid ? GV : 0) |
			      (r->gla_valid && r->kind != EPT_ACCESS_PAGING_AD ? TA : 0),
			      o.violation.qual_mask);
		break;
	case EPT_OUTCOME_SPP_EVENT:
		expect_eq("exit reason", ept_expected_exit_reason(&o), EXIT_REASON_SPP_EVENT);
		expect_eq("qualification", o.spp.qual, r->ol == 2 ? SPP_QUAL_MISS : 0);
		expect_eq("gpa", o.spp.gpa, a.gpa);
		break;
	default:
		break;
	}
	expect_true("kind name", ept_outcome_kind_name(o.kind)[0] != '?');
}

static const struct spptp_row {
	const char *name;
	uint64_t spptp;
	enum spp_spptp_rule want;
} spptp_rows[] = {
	{ "spp.spptp.ok", 0x7000, SPP_SPPTP_OK },
	{ "spp.spptp.bit0", 0x7001, SPP_SPPTP_RSVD_11_0 },
	{ "spp.spptp.bit11", 0x7800, SPP_SPPTP_RSVD_11_0 },
	{ "spp.spptp.phys", BIT(46) | 0x7000, SPP_SPPTP_RSVD_PHYS },
	{ "spp.spptp.bit45", BIT(45), SPP_SPPTP_OK },
};

static void spptp_row(const void *arg)
{
	const struct spptp_row *r = arg;
	enum spp_spptp_rule got = spp_spptp_check(46, r->spptp);

	expect_eq("rule", got, r->want);
	expect_true("rule name", spp_spptp_rule_name(got)[0] != '?');
}

__attribute__((constructor)) static void reg_spp(void)
{
	unsigned i;

	for (i = 0; i < sizeof(walk_rows) / sizeof(walk_rows[0]); i++)
		unit_register(walk_rows[i].name, walk_rows[i].sdm, walk_row, &walk_rows[i]);
	for (i = 0; i < sizeof(elig_rows) / sizeof(elig_rows[0]); i++)
		unit_register(elig_rows[i].name, elig_rows[i].sdm, elig_row, &elig_rows[i]);
	for (i = 0; i < sizeof(model_rows) / sizeof(model_rows[0]); i++)
		unit_register(model_rows[i].name, model_rows[i].sdm, model_row, &model_rows[i]);
	for (i = 0; i < sizeof(spptp_rows) / sizeof(spptp_rows[0]); i++)
		unit_register(spptp_rows[i].name, "SDM 26.2.1.1: SPPTP bits 11:0 and 63:N", spptp_row,
			      &spptp_rows[i]);
}
