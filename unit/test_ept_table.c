/*
 * Hand-written single-access cases (ept_model_access), one table row each.
 * Each row names the SDM rule it pins down.  Unless a row overrides them,
 * entries are RWX (non-leaf) / RWX+WB (leaf) and the access carries a
 * valid GLA, so bits 7 and 8 are set for the translation of a linear
 * address.
 */
#include "ept_fixture.h"

/* A_U: user-mode address; A_UA: user-mode access (CPL 3, WRUSS) */
enum { A_U = 1, A_W = 2, A_XD = 4, A_SS = 8, A_IRET = 16, A_EVD = 32, A_NOGLA = 64, A_UA = 128 };
enum { VE_YES = 1, VE_NO = 2 };

struct row {
	const char *name, *sdm;
	enum prof prof;
	uint8_t leaf;                   /* 1, 2, 3 (0 means 1) */
	uint8_t la; uint64_t fa;        /* override: level la gets flags fa */
	uint8_t lb; uint64_t fb;
	enum ept_access_kind kind;
	unsigned attr;
	enum ept_outcome_kind want;
	uint64_t qual, mask;            /* mask 0 means MASK_STD */
	uint8_t level;                  /* expected level (violation/misconfig/translation) */
	enum ept_misconfig_rule rule;
	uint64_t hpa;                   /* translation: expected HPA (0: DATA_HPA + 4K offset) */
	uint8_t ve;
	enum ept_unmodeled_reason unmodeled;
};

#define R  EPT_ACCESS_READ
#define W  EPT_ACCESS_WRITE
#define X  EPT_ACCESS_FETCH
#define RMW EPT_ACCESS_RMW
#define PG EPT_ACCESS_PAGING
#define PGAD EPT_ACCESS_PAGING_AD
#define PDPTE EPT_ACCESS_PDPTE_LOAD
#define TR(l)  .want = EPT_OUTCOME_TRANSLATION, .level = (l)
#define VI(l, q) .want = EPT_OUTCOME_VIOLATION, .level = (l), .qual = (q)
#define MC(l, r) .want = EPT_OUTCOME_MISCONFIG, .level = (l), .rule = (r)
#define UM(r) .want = EPT_OUTCOME_UNMODELED, .unmodeled = (r)
#define L1(f) .la = 1, .fa = (f)
#define L2(f) .la = 2, .fa = (f)
#define L3(f) .la = 3, .fa = (f)
#define L4(f) .la = 4, .fa = (f)
#define L5(f) .la = 5, .fa = (f)

#define NP "SDM 29.3.3.2: not-present entry -> EPT violation; 28.2.1 bits 3-5 AND"
#define PERM_R "SDM 29.3.3.2: data read needs bit 0 in every entry"
#define PERM_W "SDM 29.3.3.2: data write needs bit 1 in every entry"
#define PERM_X "SDM 29.3.3.2: fetch needs bit 2 in every entry"
#define AND35 "SDM 28.2.1 Table 28-7 bits 3-5: AND over the walk"
#define MC_RWX "SDM 29.3.3.1: bits 2:0 = 010b/110b misconfigured"
#define MC_XO "SDM 29.3.3.1: 100b misconfigured iff execute-only unsupported"
#define MC_RSVD "SDM 29.3.3.1/29.3.2: reserved bit in a present entry"
#define MC_MT "SDM 29.3.3.1: leaf memory type 2, 3, 7 reserved"
#define IGN "SDM 29.3.2: ignored bit does not change the outcome"
#define PREC "SDM 29.3.3: violation only when there is no misconfiguration"
#define SSS_OK "SDM 29.3.3.2: EPTP bit 7, supervisor shadow-stack access: R everywhere, W above the leaf, bit 60 in the leaf"
#define SSS_R "SDM 29.3.3.2: EPTP bit 7, supervisor shadow-stack access: bit 0 clear in an entry"
#define SSS_W "SDM 29.3.3.2: EPTP bit 7, supervisor shadow-stack access: bit 1 clear above the leaf"
#define SSS_60 "SDM 29.3.3.2: EPTP bit 7, supervisor shadow-stack access: bit 60 clear in the leaf"
#define SSS_USER "SDM 29.3.3.2: user shadow-stack accesses: ordinary rules"
#define SSS_OFF "SDM 29.3.3.2: EPTP bit 7 = 0: bit 60 ignored, ordinary rules"
#define SSB EPT_SUPERVISOR_SHADOW_STACK
#define SQ  (GV | TA | EPT_QUAL_SHADOW_STACK)
#define SSM (~(UXQ | ADV_BITS))     /* EPTP bit 7 and a leaf: bit 14 defined */

static const struct row rows[] = {
	/* ---- leaf permission matrix, 4K (SDM 29.3.3.2, 28.2.1) ---- */
	{ "perm.np.read", NP, P_STD, 1, L1(0), .kind = R, VI(1, QR | GV | TA) },
	{ "perm.np.write", NP, P_STD, 1, L1(0), .kind = W, VI(1, QW | GV | TA) },
	{ "perm.np.fetch", NP, P_STD, 1, L1(0), .kind = X, VI(1, QX | GV | TA) },
	{ "perm.r.read", PERM_R, P_STD, 1, L1(1 | WB), .kind = R, TR(1) },
	{ "perm.r.write", PERM_W, P_STD, 1, L1(1 | WB), .kind = W, VI(1, QW | RD | GV | TA) },
	{ "perm.r.fetch", PERM_X, P_STD, 1, L1(1 | WB), .kind = X, VI(1, QX | RD | GV | TA) },
	{ "perm.rw.read", PERM_R, P_STD, 1, L1(3 | WB), .kind = R, TR(1) },
	{ "perm.rw.write", PERM_W, P_STD, 1, L1(3 | WB), .kind = W, TR(1) },
	{ "perm.rw.fetch", PERM_X, P_STD, 1, L1(3 | WB), .kind = X, VI(1, QX | RD | WR | GV | TA) },
	{ "perm.x.read", PERM_R, P_STD, 1, L1(4 | WB), .kind = R, VI(1, QR | EX | GV | TA) },
	{ "perm.x.write", PERM_W, P_STD, 1, L1(4 | WB), .kind = W, VI(1, QW | EX | GV | TA) },
	{ "perm.x.fetch", PERM_X, P_STD, 1, L1(4 | WB), .kind = X, TR(1) },
	{ "perm.rx.read", PERM_R, P_STD, 1, L1(5 | WB), .kind = R, TR(1) },
	{ "perm.rx.write", PERM_W, P_STD, 1, L1(5 | WB), .kind = W, VI(1, QW | RD | EX | GV | TA) },
	{ "perm.rx.fetch", PERM_X, P_STD, 1, L1(5 | WB), .kind = X, TR(1) },
	{ "perm.rwx.read", PERM_R, P_STD, 1, L1(7 | WB), .kind = R, TR(1) },
	{ "perm.rwx.write", PERM_W, P_STD, 1, L1(7 | WB), .kind = W, TR(1) },
	{ "perm.rwx.fetch", PERM_X, P_STD, 1, L1(7 | WB), .kind = X, TR(1) },
	/* RMW: bit 1 set, bit 0 implementation-specific (28.2.1) */
	{ "rmw.r", "SDM 28.2.1: RMW sets bit 1, bit 0 impl.-specific", P_STD, 1, L1(1 | WB), .kind = RMW,
	  VI(1, QW | QR | RD | GV | TA), .mask = MASK_STD & ~QR },
	{ "rmw.x", "SDM 28.2.1: RMW sets bit 1, bit 0 impl.-specific", P_STD, 1, L1(4 | WB), .kind = RMW,
	  VI(1, QW | EX | GV | TA), .mask = MASK_STD & ~QR },
	{ "rmw.np", "SDM 28.2.1: RMW sets bit 1, bit 0 impl.-specific", P_STD, 1, L1(0), .kind = RMW,
	  VI(1, QW | GV | TA), .mask = MASK_STD & ~QR },
	{ "rmw.rw", PERM_W, P_STD, 1, L1(3 | WB), .kind = RMW, TR(1) },

	/* ---- non-leaf permissions: AND over every level ---- */
	{ "and.pml4.r.write", AND35, P_STD, 1, L4(1), .kind = W, VI(1, QW | RD | GV | TA) },
	{ "and.pml4.rw.fetch", AND35, P_STD, 1, L4(3), .kind = X, VI(1, QX | RD | WR | GV | TA) },
	{ "and.pml4.x.read", AND35, P_STD, 1, L4(4), .kind = R, VI(1, QR | EX | GV | TA) },
	{ "and.pdpt.r.write", AND35, P_STD, 1, L3(1), .kind = W, VI(1, QW | RD | GV | TA) },
	{ "and.pdpt.rx.write", AND35, P_STD, 1, L3(5), .kind = W, VI(1, QW | RD | EX | GV | TA) },
	{ "and.pd.x.read", AND35, P_STD, 1, L2(4), .kind = R, VI(1, QR | EX | GV | TA) },
	{ "and.pd.rw.fetch", AND35, P_STD, 1, L2(3), .kind = X, VI(1, QX | RD | WR | GV | TA) },
	{ "and.mixed", AND35, P_STD, 1, L4(5), .lb = 1, .fb = 3 | WB, .kind = W, VI(1, QW | RD | GV | TA) },
	{ "and.mixed.read-ok", AND35, P_STD, 1, L4(5), .lb = 1, .fb = 3 | WB, .kind = R, TR(1) },
	{ "and.2m.pdpt-ro", AND35, P_STD, 2, L3(1), .kind = W, VI(2, QW | RD | GV | TA) },
	{ "and.1g.pml4-xo", AND35, P_STD, 3, L4(4), .kind = R, VI(3, QR | EX | GV | TA) },

	/* ---- not present at every level; its other bits are ignored ---- */
	{ "np.pml4", NP, P_STD, 1, L4(0), .kind = R, VI(4, QR | GV | TA) },
	{ "np.pdpt", NP, P_STD, 1, L3(0), .kind = W, VI(3, QW | GV | TA) },
	{ "np.pd", NP, P_STD, 1, L2(0), .kind = X, VI(2, QX | GV | TA) },
	{ "np.pml5", NP, P_5L, 1, L5(0), .kind = R, VI(5, QR | GV | TA) },
	{ "np.pml4.garbage", "SDM 29.3.2: not-present entry, bits 62:3 ignored", P_STD, 1,
	  L4(BITS(62, 3)), .kind = R, VI(4, QR | GV | TA) },
	{ "np.pdpt.garbage", "SDM 29.3.2: not-present entry, bits 62:3 ignored", P_STD, 1,
	  L3(PS | MT(2) | BITS(51, 46)), .kind = R, VI(3, QR | GV | TA) },
	{ "np.pd.garbage", "SDM 29.3.2: not-present entry, bits 62:3 ignored", P_STD, 1,
	  L2(BITS(6, 3)), .kind = W, VI(2, QW | GV | TA) },
	{ "np.pte.memtype7", "SDM 29.3.2: not-present entry, bits 62:3 ignored", P_STD, 1,
	  L1(MT(7)), .kind = R, VI(1, QR | GV | TA) },
	{ "np.pte.bit63", "SDM 29.3.2: not-present entry, bit 63 is suppress-#VE only", P_STD, 1,
	  L1(EPT_SUPPRESS_VE), .kind = R, VI(1, QR | GV | TA) },
	{ "np.pte.xu-no-mbec", "SDM 29.3.2: bit 10 makes an entry present only under MBEC", P_STD, 1,
	  L1(XU | WB), .kind = X, .attr = A_U, VI(1, QX | GV | TA) },
	{ "np.after-ro", NP, P_STD, 1, L2(1), .lb = 1, .fb = 0, .kind = R, VI(1, QR | GV | TA) },
	{ "np.under-x", NP, P_STD, 1, L3(4), .lb = 2, .fb = 0, .kind = X, VI(2, QX | GV | TA) },

	/* ---- bits 2:0 misconfigurations, every level ---- */
	{ "mc.wo.pte", MC_RWX, P_STD, 1, L1(2 | WB), .kind = R, MC(1, EPT_MC_WRITE_ONLY) },
	{ "mc.wx.pte", MC_RWX, P_STD, 1, L1(6 | WB), .kind = X, MC(1, EPT_MC_WRITE_EXEC) },
	{ "mc.wo.pd", MC_RWX, P_STD, 1, L2(2), .kind = W, MC(2, EPT_MC_WRITE_ONLY) },
	{ "mc.wx.pd", MC_RWX, P_STD, 1, L2(6), .kind = R, MC(2, EPT_MC_WRITE_EXEC) },
	{ "mc.wo.pdpt", MC_RWX, P_STD, 1, L3(2), .kind = R, MC(3, EPT_MC_WRITE_ONLY) },
	{ "mc.wx.pdpt", MC_RWX, P_STD, 1, L3(6), .kind = W, MC(3, EPT_MC_WRITE_EXEC) },
	{ "mc.wo.pml4", MC_RWX, P_STD, 1, L4(2), .kind = X, MC(4, EPT_MC_WRITE_ONLY) },
	{ "mc.wx.pml4", MC_RWX, P_STD, 1, L4(6), .kind = R, MC(4, EPT_MC_WRITE_EXEC) },
	{ "mc.wo.pml5", MC_RWX, P_5L, 1, L5(2), .kind = R, MC(5, EPT_MC_WRITE_ONLY) },
	{ "mc.wo.2m", MC_RWX, P_STD, 2, L2(2 | WB | PS), .kind = R, MC(2, EPT_MC_WRITE_ONLY) },
	{ "mc.wx.1g", MC_RWX, P_STD, 3, L3(6 | WB | PS), .kind = W, MC(3, EPT_MC_WRITE_EXEC) },
	{ "mc.xo.pte", MC_XO, P_NOXO, 1, L1(4 | WB), .kind = X, MC(1, EPT_MC_EXEC_ONLY_UNSUPPORTED) },
	{ "mc.xo.pd", MC_XO, P_NOXO, 1, L2(4), .kind = X, MC(2, EPT_MC_EXEC_ONLY_UNSUPPORTED) },
	{ "mc.xo.pml4", MC_XO, P_NOXO, 1, L4(4), .kind = R, MC(4, EPT_MC_EXEC_ONLY_UNSUPPORTED) },
	{ "mc.xo.supported.pd", MC_XO, P_STD, 1, L2(4), .kind = X, TR(1) },
	{ "mc.noxo.rx-ok", MC_XO, P_NOXO, 1, L1(5 | WB), .kind = X, TR(1) },

	/* ---- reserved bits 51:MAXPHYADDR (MAXPHYADDR 46 unless stated) ---- */
	{ "rsvd.phys.pml4", MC_RSVD, P_STD, 1, L4(7 | BIT(46)), .kind = R, MC(4, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.pdpt", MC_RSVD, P_STD, 1, L3(7 | BIT(47)), .kind = R, MC(3, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.pd", MC_RSVD, P_STD, 1, L2(7 | BIT(50)), .kind = W, MC(2, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.pte", MC_RSVD, P_STD, 1, L1(7 | WB | BIT(51)), .kind = X, MC(1, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.2m", MC_RSVD, P_STD, 2, L2(7 | WB | PS | BIT(46)), .kind = R, MC(2, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.1g", MC_RSVD, P_STD, 3, L3(7 | WB | PS | BIT(49)), .kind = R, MC(3, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.pml5", MC_RSVD, P_5L, 1, L5(7 | BIT(46)), .kind = R, MC(5, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.m39", MC_RSVD, P_M39, 1, L1(7 | WB | BIT(39)), .kind = R, MC(1, EPT_MC_RSVD_PHYS) },
	{ "rsvd.phys.m39.bit38-addr", "SDM 29.3.2: bits N-1:12 are address", P_M39, 1,
	  L1(7 | WB | BIT(38)), .kind = R, TR(1), .hpa = DATA_HPA | BIT(38) | 0xabc },
	{ "rsvd.phys.m52.bit51-addr", "SDM 29.3.2: N = 52 leaves no reserved address bit", P_M52, 1,
	  L1(7 | WB | BIT(51)), .kind = R, TR(1), .hpa = DATA_HPA | BIT(51) | 0xabc },
	{ "rsvd.phys.np-ignored", "SDM 29.3.2: not-present entry, bits 62:3 ignored", P_STD, 1,
	  L1(BIT(46)), .kind = R, VI(1, QR | GV | TA) },

	/* ---- PML4E/PML5E bits 7:3 ---- */
	{ "rsvd.pml4.bit3", MC_RSVD " (PML4E 7:3)", P_STD, 1, L4(7 | BIT(3)), .kind = R, MC(4, EPT_MC_RSVD_PML_7_3) },
	{ "rsvd.pml4.bit4", MC_RSVD " (PML4E 7:3)", P_STD, 1, L4(7 | BIT(4)), .kind = R, MC(4, EPT_MC_RSVD_PML_7_3) },
	{ "rsvd.pml4.bit5", MC_RSVD " (PML4E 7:3)", P_STD, 1, L4(7 | BIT(5)), .kind = W, MC(4, EPT_MC_RSVD_PML_7_3) },
	{ "rsvd.pml4.bit6", MC_RSVD " (PML4E 7:3)", P_STD, 1, L4(7 | BIT(6)), .kind = X, MC(4, EPT_MC_RSVD_PML_7_3) },
	{ "rsvd.pml4.bit7", MC_RSVD " (PML4E bit 7)", P_STD, 1, L4(7 | BIT(7)), .kind = R, MC(4, EPT_MC_RSVD_PML_7_3) },
	{ "rsvd.pml5.bit3", MC_RSVD " (PML5E 7:3)", P_5L, 1, L5(7 | BIT(3)), .kind = R, MC(5, EPT_MC_RSVD_PML_7_3) },
	{ "rsvd.pml5.bit7", MC_RSVD " (PML5E bit 7)", P_5L, 1, L5(7 | BIT(7)), .kind = W, MC(5, EPT_MC_RSVD_PML_7_3) },
	{ "ign.pml4.bits11-8", IGN " (PML4E 11:8)", P_STD, 1, L4(7 | BITS(11, 8)), .kind = R, TR(1) },
	{ "ign.pml4.bits63-52", IGN " (PML4E 63:52)", P_STD, 1, L4(7 | BITS(63, 52)), .kind = W, TR(1) },

	/* ---- non-leaf PDPTE/PDE bits 6:3 ---- */
	{ "rsvd.pdpt.bit3", MC_RSVD " (PDPTE 6:3)", P_STD, 1, L3(7 | BIT(3)), .kind = R, MC(3, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pdpt.bit4", MC_RSVD " (PDPTE 6:3)", P_STD, 1, L3(7 | BIT(4)), .kind = R, MC(3, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pdpt.bit5", MC_RSVD " (PDPTE 6:3)", P_STD, 1, L3(7 | BIT(5)), .kind = R, MC(3, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pdpt.bit6", MC_RSVD " (PDPTE 6:3)", P_STD, 1, L3(7 | BIT(6)), .kind = R, MC(3, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pd.bit3", MC_RSVD " (PDE 6:3)", P_STD, 1, L2(7 | BIT(3)), .kind = W, MC(2, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pd.bit4", MC_RSVD " (PDE 6:3)", P_STD, 1, L2(7 | BIT(4)), .kind = W, MC(2, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pd.bit5", MC_RSVD " (PDE 6:3)", P_STD, 1, L2(7 | BIT(5)), .kind = X, MC(2, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "rsvd.pd.bit6", MC_RSVD " (PDE 6:3)", P_STD, 1, L2(7 | BIT(6)), .kind = X, MC(2, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "ign.pd.bits11-8", IGN " (PDE 11:8)", P_STD, 1, L2(7 | BITS(11, 8)), .kind = R, TR(1) },

	/* ---- large pages ---- */
	{ "large.1g.nocap", "SDM 29.3.2/A.10 bit 17: PDPTE bit 7 needs 1G support", P_NOLARGE, 3,
	  .kind = R, MC(3, EPT_MC_LARGE_UNSUPPORTED) },
	{ "large.2m.nocap", "SDM 29.3.2/A.10 bit 16: PDE bit 7 needs 2M support", P_NOLARGE, 2,
	  .kind = R, MC(2, EPT_MC_LARGE_UNSUPPORTED) },
	{ "large.2m.no2m-only", "SDM 29.3.2/A.10 bit 16: PDE bit 7 needs 2M support", P_NO2M, 2,
	  .kind = W, MC(2, EPT_MC_LARGE_UNSUPPORTED) },
	{ "large.1g.no2m-ok", "SDM A.10: 1G support independent of 2M", P_NO2M, 3, .kind = W, TR(3),
	  .hpa = DATA_HPA | (GPA_T & 0x3fffffff) },
	{ "large.2m.ok", "SDM 29.3.2: 2-MByte page address N-1:21", P_STD, 2, .kind = R, TR(2),
	  .hpa = DATA_HPA | (GPA_T & 0x1fffff) },
	{ "large.1g.ok", "SDM 29.3.2: 1-GByte page address N-1:30", P_STD, 3, .kind = X, TR(3),
	  .hpa = DATA_HPA | (GPA_T & 0x3fffffff) },
	{ "large.2m.bit12", MC_RSVD " (2M 20:12)", P_STD, 2, L2(7 | WB | PS | BIT(12)), .kind = R, MC(2, EPT_MC_RSVD_2M_20_12) },
	{ "large.2m.bit16", MC_RSVD " (2M 20:12)", P_STD, 2, L2(7 | WB | PS | BIT(16)), .kind = W, MC(2, EPT_MC_RSVD_2M_20_12) },
	{ "large.2m.bit20", MC_RSVD " (2M 20:12)", P_STD, 2, L2(7 | WB | PS | BIT(20)), .kind = X, MC(2, EPT_MC_RSVD_2M_20_12) },
	{ "large.2m.bit21-addr", "SDM 29.3.2: 2M bit 21 is address", P_STD, 2, L2(7 | WB | PS | BIT(21)),
	  .kind = R, TR(2), .hpa = DATA_HPA | BIT(21) | (GPA_T & 0x1fffff) },
	{ "large.1g.bit12", MC_RSVD " (1G 29:12)", P_STD, 3, L3(7 | WB | PS | BIT(12)), .kind = R, MC(3, EPT_MC_RSVD_1G_29_12) },
	{ "large.1g.bit21", MC_RSVD " (1G 29:12)", P_STD, 3, L3(7 | WB | PS | BIT(21)), .kind = R, MC(3, EPT_MC_RSVD_1G_29_12) },
	{ "large.1g.bit29", MC_RSVD " (1G 29:12)", P_STD, 3, L3(7 | WB | PS | BIT(29)), .kind = W, MC(3, EPT_MC_RSVD_1G_29_12) },
	{ "large.1g.bit30-addr", "SDM 29.3.2: 1G bit 30 is address", P_STD, 3, L3(7 | WB | PS | BIT(30)),
	  .kind = R, TR(3), .hpa = DATA_HPA | BIT(30) | (GPA_T & 0x3fffffff) },
	{ "large.pte.bit7-ignored", IGN " (PTE bit 7)", P_STD, 1, L1(7 | WB | PS), .kind = R, TR(1) },
	{ "large.2m.np-rsvd-ignored", "SDM 29.3.2: not-present 2M entry ignores 62:3", P_STD, 2,
	  L2(PS | BIT(12) | MT(3)), .kind = R, VI(2, QR | GV | TA) },

	/* ---- leaf memory types ---- */
	{ "mt.pte.uc", "SDM 29.3.7: type 0 (UC) valid", P_STD, 1, L1(7 | MT(0)), .kind = R, TR(1) },
	{ "mt.pte.wc", "SDM 29.3.7: type 1 (WC) valid", P_STD, 1, L1(7 | MT(1)), .kind = R, TR(1) },
	{ "mt.pte.2", MC_MT, P_STD, 1, L1(7 | MT(2)), .kind = R, MC(1, EPT_MC_MEMTYPE) },
	{ "mt.pte.3", MC_MT, P_STD, 1, L1(7 | MT(3)), .kind = W, MC(1, EPT_MC_MEMTYPE) },
	{ "mt.pte.wt", "SDM 29.3.7: type 4 (WT) valid", P_STD, 1, L1(7 | MT(4)), .kind = R, TR(1) },
	{ "mt.pte.wp", "SDM 29.3.7: type 5 (WP) valid", P_STD, 1, L1(7 | MT(5)), .kind = R, TR(1) },
	{ "mt.pte.7", MC_MT, P_STD, 1, L1(7 | MT(7)), .kind = X, MC(1, EPT_MC_MEMTYPE) },
	{ "mt.2m.2", MC_MT, P_STD, 2, L2(7 | PS | MT(2)), .kind = R, MC(2, EPT_MC_MEMTYPE) },
	{ "mt.2m.3", MC_MT, P_STD, 2, L2(7 | PS | MT(3)), .kind = R, MC(2, EPT_MC_MEMTYPE) },
	{ "mt.2m.7", MC_MT, P_STD, 2, L2(7 | PS | MT(7)), .kind = R, MC(2, EPT_MC_MEMTYPE) },
	{ "mt.1g.2", MC_MT, P_STD, 3, L3(7 | PS | MT(2)), .kind = R, MC(3, EPT_MC_MEMTYPE) },
	{ "mt.1g.3", MC_MT, P_STD, 3, L3(7 | PS | MT(3)), .kind = W, MC(3, EPT_MC_MEMTYPE) },
	{ "mt.1g.7", MC_MT, P_STD, 3, L3(7 | PS | MT(7)), .kind = X, MC(3, EPT_MC_MEMTYPE) },
	{ "mt.7.xonly", MC_MT " (even when the access is denied)", P_STD, 1, L1(4 | MT(7)), .kind = R,
	  MC(1, EPT_MC_MEMTYPE) },

	/* ---- ignored bits of present entries ---- */
	{ "ign.pte.bits11-8", IGN " (PTE 11:8, A/D off)", P_STD, 1, L1(7 | WB | BITS(11, 8)), .kind = W, TR(1) },
	{ "ign.pte.bits63-52", IGN " (PTE 63:52, features off)", P_STD, 1, L1(7 | WB | BITS(63, 52)), .kind = R, TR(1) },
	{ "ign.pte.ipat", "SDM 29.3.2: bit 6 is IPAT, not reserved", P_STD, 1, L1(7 | WB | EPT_IGNORE_PAT), .kind = R, TR(1) },
	{ "ign.pdpt.bits63-52", IGN " (PDPTE 63:52)", P_STD, 1, L3(7 | BITS(63, 52)), .kind = R, TR(1) },
	{ "ign.2m.bits11-8", IGN " (2M 11:8)", P_STD, 2, L2(7 | WB | PS | BITS(11, 8)), .kind = R, TR(2),
	  .hpa = DATA_HPA | (GPA_T & 0x1fffff) },

	/* ---- misconfiguration vs violation (SDM 29.3.3) ---- */
	{ "prec.mc-below-noperm", PREC, P_STD, 1, L4(4), .lb = 1, .fb = 7 | MT(2), .kind = R, MC(1, EPT_MC_MEMTYPE) },
	{ "prec.rsvd-below-ro", PREC, P_STD, 1, L4(5), .lb = 2, .fb = 7 | BIT(3), .kind = W,
	  MC(2, EPT_MC_RSVD_NONLEAF_6_3) },
	{ "prec.wo-below-xo", PREC, P_STD, 1, L3(4), .lb = 1, .fb = 2 | WB, .kind = R, MC(1, EPT_MC_WRITE_ONLY) },
	{ "prec.np-above-mc", "SDM 29.3.2: a not-present entry ends the walk", P_STD, 1, L3(0), .lb = 1,
	  .fb = 2 | MT(7), .kind = R, VI(3, QR | GV | TA) },
	{ "prec.first-mc-top", "SDM 29.3.3.1: found walking from the top", P_STD, 1, L4(2), .lb = 1,
	  .fb = 7 | MT(3), .kind = R, MC(4, EPT_MC_WRITE_ONLY) },
	{ "prec.mc-kind-fetch", "SDM 29.3.3.1: misconfiguration independent of access", P_STD, 1,
	  L1(1 | MT(2)), .kind = X, MC(1, EPT_MC_MEMTYPE) },

	/* ---- qualification bits 7-14 ---- */
	{ "q.adv.bits9-11", "SDM 28.2.1 bits 9-11 (advanced information)", P_ADV, 1, L1(4 | WB), .kind = R,
	  .attr = A_U | A_W | A_XD, VI(1, QR | EX | GV | TA | ADV_BITS), .mask = ~(UXQ | EPT_QUAL_SSS) },
	{ "q.adv.zero", "SDM 28.2.1 bits 9-11 (advanced information)", P_ADV, 1, L1(1 | WB), .kind = W,
	  VI(1, QW | RD | GV | TA), .mask = ~(UXQ | EPT_QUAL_SSS) },
	{ "q.adv.user-only", "SDM 28.2.1 bit 9: user-mode linear address", P_ADV, 1, L1(0), .kind = X,
	  .attr = A_U, VI(1, QX | GV | TA | EPT_QUAL_USER_LINEAR), .mask = ~(UXQ | EPT_QUAL_SSS) },
	{ "q.adv.paging-undef", "SDM 28.2.1: bits 9-11 undefined when bit 8 = 0", P_ADV, 1, L1(4 | WB),
	  .kind = PG, .attr = A_U | A_W, VI(1, QR | EX | GV) },
	{ "q.adv.nogla-undef", "SDM 28.2.1: bits 9-11 undefined when bit 7 = 0", P_ADV, 1, L1(0), .kind = R,
	  .attr = A_U | A_NOGLA, VI(1, QR) },
	{ "q.noadv.undef", "SDM 28.2.1: bits 9-11 undefined without advanced information", P_STD, 1,
	  L1(0), .kind = R, .attr = A_U | A_W | A_XD, VI(1, QR | GV | TA) },
	{ "q.nogla.bit8-clear", "SDM 28.2.1: bit 8 reserved (cleared) if bit 7 is 0", P_STD, 1, L1(1 | WB),
	  .kind = W, .attr = A_NOGLA, VI(1, QW | RD) },
	{ "q.paging.noad", "SDM 29.3.3.2: guest paging reads are data reads; bit 8 = 0", P_STD, 1,
	  L1(4 | WB), .kind = PG, VI(1, QR | EX | GV) },
	{ "q.paging.noad.ro-ok", "SDM 29.3.3.2: without EPTP A/D, paging reads need only R", P_STD, 1,
	  L1(1 | WB), .kind = PG, TR(1) },
	{ "q.paging.ad.ro", "SDM 29.3.3.2 + Table 28-7 note: A/D on, paging access is a write; bits 0 and 1",
	  P_AD, 1, L1(1 | WB), .kind = PG, VI(1, QR | QW | RD | GV) },
	{ "q.paging.ad.np", "Table 28-7 note: bits 0 and 1 for a paging access with A/D", P_AD, 1,
	  L2(0), .kind = PG, VI(2, QR | QW | GV) },
	{ "q.paging.ad.pml4-ro", "SDM 29.3.3.2: A/D on, W needed at every level", P_AD, 1, L4(5),
	  .kind = PG, VI(1, QR | QW | RD | EX | GV) },
	{ "q.paging.ad.rw-ok", "SDM 29.3.3.2: A/D on, RW suffices", P_AD, 1, L1(3 | WB), .kind = PG, TR(1) },
	{ "q.pagingad.ro", "SDM 29.3.3.2: guest A/D updates are writes; bit 0 RMW", P_STD, 1, L1(1 | WB),
	  .kind = PGAD, VI(1, QW | RD | GV), .mask = MASK_STD & ~QR },
	{ "q.pagingad.rw-ok", "SDM 29.3.3.2: guest A/D updates are writes", P_STD, 1, L1(3 | WB),
	  .kind = PGAD, TR(1) },
	/* Issue 8 point 4: with EPT A/D on, bit 0 is defined (set) too. */
	{ "q.pagingad.ad.ro", "Table 28-7 note: A/D on, guest A/D update sets bits 0 and 1", P_AD, 1,
	  L1(1 | WB), .kind = PGAD, VI(1, QR | QW | RD | GV) },
	{ "q.pagingad.ad.np", "Table 28-7 note: A/D on, guest A/D update sets bits 0 and 1", P_AD, 1,
	  L2(0), .kind = PGAD, VI(2, QR | QW | GV) },
	{ "q.pagingad.ad.xo-pml4", "Table 28-7 note: A/D on, guest A/D update sets bits 0 and 1", P_AD, 1,
	  L4(4), .kind = PGAD, VI(1, QR | QW | EX | GV) },
	{ "q.pdpte.ad.ro-ok", "SDM 29.3.3.2: PDPTE loads are reads even with A/D", P_AD, 1, L1(1 | WB),
	  .kind = PDPTE, TR(1) },
	{ "q.pdpte.np", "SDM 28.2.1 bit 7: clear for PDPTE loads by MOV CR", P_STD, 1, L1(0), .kind = PDPTE,
	  VI(1, QR) },
	/* Issue 8 point 3: GPA bits 4:0 free for a PDPTE-load misconfiguration. */
	{ "mc.pdpte-load.memtype", "SDM 29.3.3.1 + 27.2.1: PDPTE load, any of the 4 PDPTEs named", P_STD, 1,
	  L1(1 | MT(3)), .kind = PDPTE, MC(1, EPT_MC_MEMTYPE) },
	{ "mc.pdpte-load.wo-pd", "SDM 29.3.3.1 + 27.2.1: PDPTE load, any of the 4 PDPTEs named", P_STD, 1,
	  L2(2), .kind = PDPTE, MC(2, EPT_MC_WRITE_ONLY) },
	{ "q.pdpte.xo", "SDM 28.2.1 bit 7: clear for PDPTE loads by MOV CR", P_ADV, 1, L1(4 | WB),
	  .kind = PDPTE, VI(1, QR | EX) },
	{ "q.nmi.iret", "SDM 28.2.1 bit 12: NMI unblocking due to IRET", P_STD, 1, L1(0), .kind = R,
	  .attr = A_IRET, VI(1, QR | GV | TA | EPT_QUAL_NMI_UNBLOCKING) },
	{ "q.nmi.none", "SDM 28.2.1 bit 12: clear without IRET unblocking", P_VNMI, 1, L1(0), .kind = R,
	  VI(1, QR | GV | TA) },
	{ "q.nmi.vnmi-iret", "SDM 28.2.1 bit 12: virtual-NMI blocking", P_VNMI, 1, L1(1 | WB), .kind = W,
	  .attr = A_IRET, VI(1, QW | RD | GV | TA | EPT_QUAL_NMI_UNBLOCKING) },
	{ "q.nmi.undef-nmix", "SDM 28.2.3: bit 12 undefined, NMI exiting without virtual NMIs", P_NMIX, 1,
	  L1(0), .kind = R, .attr = A_IRET, VI(1, QR | GV | TA | EPT_QUAL_NMI_UNBLOCKING),
	  .mask = MASK_STD & ~EPT_QUAL_NMI_UNBLOCKING },
	{ "q.nmi.undef-evdel", "SDM 28.2.3: bit 12 undefined during event delivery", P_STD, 1, L1(0),
	  .kind = W, .attr = A_EVD, VI(1, QW | GV | TA), .mask = MASK_STD & ~EPT_QUAL_NMI_UNBLOCKING },
	{ "q.ss", "SDM 28.2.1 bit 13: shadow-stack access", P_STD, 1, L1(1 | WB), .kind = W,
	  .attr = A_SS | A_U, VI(1, QW | RD | GV | TA | EPT_QUAL_SHADOW_STACK) },
	{ "q.sss.leaf60", "SDM 28.2.1 bit 14: leaf bit 60 when EPTP bit 7 = 1", P_SSS, 1,
	  L1(4 | WB | EPT_SUPERVISOR_SHADOW_STACK), .kind = R, VI(1, QR | EX | GV | TA | EPT_QUAL_SSS),
	  .mask = ~(UXQ | ADV_BITS) },
	{ "q.sss.leaf60-clear", "SDM 28.2.1 bit 14: leaf bit 60 when EPTP bit 7 = 1", P_SSS, 1,
	  L1(1 | WB), .kind = W, VI(1, QW | RD | GV | TA), .mask = ~(UXQ | ADV_BITS) },
	{ "q.sss.np-undef", "SDM 28.2.1 bit 14: undefined if no entry maps a page", P_SSS, 1, L2(0),
	  .kind = R, VI(2, QR | GV | TA) },
	/* ---- supervisor shadow-stack pages, EPTP bit 7 = 1 (SDM 29.3.3.2):
	 * bit 0 in every entry, bit 1 in every entry but the leaf, bit 60 in
	 * the leaf; the leaf's bit 1 does not matter ---- */
	{ "sss.4k.pte-r-ss.write", SSS_OK, P_SSS, 1, L1(1 | WB | SSB), .kind = W, .attr = A_SS, TR(1) },
	{ "sss.4k.pte-r-ss.read", SSS_OK, P_SSS, 1, L1(1 | WB | SSB), .kind = R, .attr = A_SS, TR(1) },
	{ "sss.4k.pte-rwx-ss.write", SSS_OK, P_SSS, 1, L1(7 | WB | SSB), .kind = W, .attr = A_SS, TR(1) },
	{ "sss.4k.pte-r-ss.rmw", SSS_OK, P_SSS, 1, L1(1 | WB | SSB), .kind = RMW, .attr = A_SS, TR(1) },
	/* bit 0 clear in one entry */
	{ "sss.4k.pte-x-ss.write", SSS_R, P_SSS, 1, L1(4 | WB | SSB), .kind = W, .attr = A_SS,
	  VI(1, QW | EX | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.4k.pte-x-ss.read", SSS_R, P_SSS, 1, L1(4 | WB | SSB), .kind = R, .attr = A_SS,
	  VI(1, QR | EX | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.4k.pml4-x.write", SSS_R, P_SSS, 1, L4(4), .lb = 1, .fb = 1 | WB | SSB, .kind = W,
	  .attr = A_SS, VI(1, QW | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.4k.pdpt-x.read", SSS_R, P_SSS, 1, L3(4), .lb = 1, .fb = 1 | WB | SSB, .kind = R,
	  .attr = A_SS, VI(1, QR | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.4k.pd-x.write", SSS_R, P_SSS, 1, L2(4), .lb = 1, .fb = 1 | WB | SSB, .kind = W,
	  .attr = A_SS, VI(1, QW | SQ | EPT_QUAL_SSS), .mask = SSM },
	/* bit 1 clear in an entry above the leaf */
	{ "sss.4k.pml4-rx.write", SSS_W, P_SSS, 1, L4(5), .lb = 1, .fb = 1 | WB | SSB, .kind = W,
	  .attr = A_SS, VI(1, QW | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.4k.pdpt-r.read", SSS_W, P_SSS, 1, L3(1), .lb = 1, .fb = 7 | WB | SSB, .kind = R,
	  .attr = A_SS, VI(1, QR | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.4k.pd-rx.write", SSS_W, P_SSS, 1, L2(5), .lb = 1, .fb = 3 | WB | SSB, .kind = W,
	  .attr = A_SS, VI(1, QW | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.5l.pml5-rx.write", SSS_W, P_SSS5, 1, L5(5), .lb = 1, .fb = 1 | WB | SSB, .kind = W,
	  .attr = A_SS, VI(1, QW | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.5l.pte-r-ss.write", SSS_OK, P_SSS5, 1, L1(1 | WB | SSB), .kind = W, .attr = A_SS, TR(1),
	  .hpa = DATA_HPA | 0xabc },
	/* bit 60 clear in the leaf: even a write the leaf allows stops */
	{ "sss.4k.pte-rw.write", SSS_60, P_SSS, 1, L1(3 | WB), .kind = W, .attr = A_SS,
	  VI(1, QW | RD | WR | SQ), .mask = SSM },
	{ "sss.4k.pte-rwx.read", SSS_60, P_SSS, 1, L1(7 | WB), .kind = R, .attr = A_SS,
	  VI(1, QR | RD | WR | EX | SQ), .mask = SSM },
	{ "sss.4k.pte-r.rmw", SSS_60 "; RMW bit 0 impl.-specific", P_SSS, 1, L1(1 | WB), .kind = RMW,
	  .attr = A_SS, VI(1, QW | QR | RD | SQ), .mask = SSM & ~QR },
	{ "sss.4k.pd-bit60.pte-rw.write", SSS_60 " (a non-leaf entry's bit 60 is ignored)", P_SSS, 1,
	  L2(7 | SSB), .lb = 1, .fb = 3 | WB, .kind = W, .attr = A_SS, VI(1, QW | RD | WR | SQ), .mask = SSM },
	/* 2-MByte and 1-GByte leaves */
	{ "sss.2m.pde-r-ss.write", SSS_OK, P_SSS, 2, L2(1 | WB | PS | SSB), .kind = W, .attr = A_SS, TR(2),
	  .hpa = DATA_HPA | (GPA_T & 0x1fffff) },
	{ "sss.2m.pde-x-ss.read", SSS_R, P_SSS, 2, L2(4 | WB | PS | SSB), .kind = R, .attr = A_SS,
	  VI(2, QR | EX | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.2m.pml4-x.read", SSS_R, P_SSS, 2, L4(4), .lb = 2, .fb = 1 | WB | PS | SSB, .kind = R,
	  .attr = A_SS, VI(2, QR | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.2m.pdpt-r.write", SSS_W, P_SSS, 2, L3(1), .lb = 2, .fb = 1 | WB | PS | SSB, .kind = W,
	  .attr = A_SS, VI(2, QW | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.2m.pde-rw.write", SSS_60, P_SSS, 2, L2(3 | WB | PS), .kind = W, .attr = A_SS,
	  VI(2, QW | RD | WR | SQ), .mask = SSM },
	{ "sss.2m.pde-rwx.rmw", SSS_60 "; RMW bit 0 impl.-specific", P_SSS, 2, L2(7 | WB | PS), .kind = RMW,
	  .attr = A_SS, VI(2, QW | QR | RD | WR | EX | SQ), .mask = SSM & ~QR },
	{ "sss.1g.pdpt-r-ss.read", SSS_OK, P_SSS, 3, L3(1 | WB | PS | SSB), .kind = R, .attr = A_SS, TR(3),
	  .hpa = DATA_HPA | (GPA_T & 0x3fffffff) },
	{ "sss.1g.pdpt-r-ss.write", SSS_OK, P_SSS, 3, L3(1 | WB | PS | SSB), .kind = W, .attr = A_SS, TR(3),
	  .hpa = DATA_HPA | (GPA_T & 0x3fffffff) },
	{ "sss.1g.pdpt-x-ss.write", SSS_R, P_SSS, 3, L3(4 | WB | PS | SSB), .kind = W, .attr = A_SS,
	  VI(3, QW | EX | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.1g.pml4-rx.write", SSS_W, P_SSS, 3, L4(5), .lb = 3, .fb = 1 | WB | PS | SSB, .kind = W,
	  .attr = A_SS, VI(3, QW | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	{ "sss.1g.pdpt-rwx.read", SSS_60, P_SSS, 3, L3(7 | WB | PS), .kind = R, .attr = A_SS,
	  VI(3, QR | RD | WR | EX | SQ), .mask = SSM },
	/* not present and misconfigured entries end the walk first */
	{ "sss.sup-write.np", "SDM 29.3.2: a not-present entry stops every access; bit 13 set", P_SSS, 1,
	  L2(0), .kind = W, .attr = A_SS, VI(2, QW | SQ) },
	{ "sss.sup-read.np-leaf", "SDM 29.3.2: a not-present leaf; bit 14 undefined", P_SSS, 1,
	  L1(SSB), .kind = R, .attr = A_SS, VI(1, QR | SQ) },
	{ "sss.sup-write.misconfig", "SDM 29.3.3: misconfiguration before any permission rule", P_SSS, 1,
	  L1(1 | MT(7) | SSB), .kind = W, .attr = A_SS, MC(1, EPT_MC_MEMTYPE) },
	/* the access's mode decides, not the address's (CR0.PG = 0: every
	 * linear address is user-mode, qualification bit 9) */
	{ "sss.sup-write.user-address", SSS_OK " (a supervisor access to a user-mode address)", P_SSS, 1,
	  L1(1 | WB | SSB), .kind = W, .attr = A_SS | A_U, TR(1) },
	/* user shadow-stack accesses (CPL 3, WRUSS): ordinary rules */
	{ "sss.user-write.ordinary", SSS_USER, P_SSS, 1, L1(3 | WB), .kind = W, .attr = A_SS | A_U | A_UA, TR(1) },
	{ "sss.user-read.pte-r", SSS_USER, P_SSS, 1, L1(1 | WB), .kind = R, .attr = A_SS | A_U | A_UA, TR(1) },
	{ "sss.user-write.ro", SSS_USER, P_SSS, 1, L1(1 | WB | SSB), .kind = W, .attr = A_SS | A_U | A_UA,
	  VI(1, QW | RD | SQ | EPT_QUAL_SSS), .mask = SSM },
	/* EPTP bit 7 = 0: bit 60 ignored, ordinary rules */
	{ "sss.off.sup-write", SSS_OFF, P_STD, 1, L1(3 | WB), .kind = W, .attr = A_SS, TR(1) },
	{ "sss.off.sup-read.pte-r", SSS_OFF, P_STD, 1, L1(1 | WB), .kind = R, .attr = A_SS, TR(1) },
	{ "sss.off.sup-write-ro", SSS_OFF, P_STD, 1, L1(1 | WB | SSB), .kind = W, .attr = A_SS,
	  VI(1, QW | RD | SQ) },
	/* SPP decides only writes stopped for want of bit 1 alone (29.3.4.1) */
	{ "sss.spp.bit61-no-bit60", "SDM 29.3.3.2, 29.3.4.1: the shadow-stack rule stops it, SPP does not decide",
	  P_SSS_SPP, 1, L1(1 | WB | EPT_SUBPAGE_WRITE_PERM), .kind = W, .attr = A_SS,
	  VI(1, QW | RD | SQ), .mask = SSM },
	{ "sss.spp.bit61-bit60", SSS_OK " (SPP not consulted)", P_SSS_SPP, 1,
	  L1(1 | WB | EPT_SUBPAGE_WRITE_PERM | SSB), .kind = W, .attr = A_SS, TR(1) },
	{ "q.spp.decides", "SDM 29.3.4: SPP decides writes to W=0 pages with bit 61 (empty SPPT: miss)",
	  P_SPP, 1, L1(1 | WB | EPT_SUBPAGE_WRITE_PERM), .kind = W, .want = EPT_OUTCOME_SPP_EVENT },
	{ "q.spp.bit61-clear", "SDM 29.3.4: without bit 61 the write is a violation", P_SPP, 1,
	  L1(1 | WB), .kind = W, VI(1, QW | RD | GV | TA) },

	/* ---- #VE convertibility (suppress-#VE, bit 63) ---- */
	{ "ve.leaf-clear", "SDM 26.5.7.1: convertible iff suppress-#VE of the leaf is 0", P_VE, 1,
	  L1(1 | WB), .kind = W, VI(1, QW | RD | GV | TA), .ve = VE_YES },
	{ "ve.leaf-set", "SDM 26.5.7.1: suppress-#VE = 1 -> VM exit", P_VE, 1,
	  L1(1 | WB | EPT_SUPPRESS_VE), .kind = W, VI(1, QW | RD | GV | TA), .ve = VE_NO },
	{ "ve.np-set", "SDM 29.3.2: not-present entry's bit 63 decides", P_VE, 1, L3(EPT_SUPPRESS_VE),
	  .kind = R, VI(3, QR | GV | TA), .ve = VE_NO },
	{ "ve.np-clear", "SDM 29.3.2: not-present entry's bit 63 decides", P_VE, 1, L3(0),
	  .kind = R, VI(3, QR | GV | TA), .ve = VE_YES },
	{ "ve.off", "SDM 25.6.2: EPT-violation #VE = 0 -> VM exit", P_STD, 1, L1(1 | WB), .kind = W,
	  VI(1, QW | RD | GV | TA), .ve = VE_NO },

	/* ---- mode-based execute control (P_MBEC: defaults carry XU) ---- */
	{ "mbec.user-fetch-xs-only", "SDM 29.3.3.2: MBEC user-mode fetch needs bit 10", P_MBEC, 1,
	  L1(5 | WB), .kind = X, .attr = A_U, VI(1, QX | RD | EX | GV | TA), .mask = ~(ADV_BITS | EPT_QUAL_SSS) },
	{ "mbec.user-fetch-xu", "SDM 29.3.3.2: MBEC user-mode fetch needs bit 10", P_MBEC, 1,
	  L1(1 | XU | WB), .kind = X, .attr = A_U, TR(1) },
	{ "mbec.sup-fetch-xu-only", "SDM 29.3.3.2: MBEC supervisor fetch needs bit 2", P_MBEC, 1,
	  L1(1 | XU | WB), .kind = X, VI(1, QX | RD | UXQ | GV | TA), .mask = ~(ADV_BITS | EPT_QUAL_SSS) },
	{ "mbec.sup-fetch-xs", "SDM 29.3.3.2: MBEC supervisor fetch needs bit 2", P_MBEC, 1,
	  L1(5 | WB), .kind = X, TR(1) },
	{ "mbec.xu-only-present", "SDM 29.3.2: under MBEC bit 10 alone makes an entry present", P_MBEC, 1,
	  L1(XU | WB), .kind = R, VI(1, QR | UXQ | GV | TA), .mask = ~(ADV_BITS | EPT_QUAL_SSS) },
	{ "mbec.xu-only-fetch-user", "SDM 29.3.2: under MBEC bit 10 alone makes an entry present", P_MBEC, 1,
	  L1(XU | WB), .kind = X, .attr = A_U, TR(1) },
	{ "mbec.xu-only-rsvd", "SDM 29.3.3.1: reserved bits checked in a present (XU) entry", P_MBEC, 1,
	  L1(XU | MT(2)), .kind = X, .attr = A_U, MC(1, EPT_MC_MEMTYPE) },
	{ "mbec.pml4-no-xu", "SDM 28.2.1 bit 6: AND of bit 10 over the walk", P_MBEC, 1, L4(7), .kind = X,
	  .attr = A_U, VI(1, QX | RD | WR | EX | GV | TA), .mask = ~(ADV_BITS | EPT_QUAL_SSS) },
	{ "mbec.np", "SDM 29.3.2: under MBEC, bits 2:0 and 10 all 0 -> not present", P_MBEC, 1, L2(0),
	  .kind = X, .attr = A_U, VI(2, QX | GV | TA), .mask = ~(ADV_BITS | EPT_QUAL_SSS) },
	{ "mbec.read-ok-bit6", "SDM 28.2.1 bit 6 defined under MBEC", P_MBEC, 1, L1(4 | XU | WB),
	  .kind = W, VI(1, QW | EX | UXQ | GV | TA), .mask = ~(ADV_BITS | EPT_QUAL_SSS) },

	/* ---- 5-level walks ---- */
	{ "l5.read", "SDM 29.3.2: 5-level walk uses GPA bits 56:48", P_5L, 1, .kind = R, TR(1),
	  .hpa = DATA_HPA | 0xabc },
	{ "l5.pml5-x", AND35, P_5L, 1, L5(4), .kind = W, VI(1, QW | EX | GV | TA) },
	{ "l5.pml5-mt-bits", MC_RSVD " (PML5E 7:3)", P_5L, 1, L5(7 | MT(6)), .kind = R, MC(5, EPT_MC_RSVD_PML_7_3) },
};

static void run_row(const void *arg)
{
	const struct row *c = arg;
	static struct hostmem h;
	struct ept_model m;
	struct ept_outcome o;
	uint64_t ov[6] = { 0 }, hpas[6] = { 0 };
	unsigned ovset = 0, leaf = c->leaf ? c->leaf : 1;
	struct ept_access a = { 0 };

	profile(c->prof, &m, &h);
	if (c->la) { ov[c->la] = c->fa; ovset |= 1u << c->la; }
	if (c->lb) { ov[c->lb] = c->fb; ovset |= 1u << c->lb; }
	a.gpa = prof_levels(&m) == 5 ? GPA_T5 : GPA_T;
	build_walk(&h, &m, a.gpa, leaf, ovset, ov, hpas);
	a.kind = c->kind;
	a.gla = GLA_T;
	a.gla_valid = !(c->attr & A_NOGLA);
	a.user = c->attr & A_U;
	a.writable = c->attr & A_W;
	a.xd = c->attr & A_XD;
	a.shadow_stack = c->attr & A_SS;
	a.user_access = c->attr & A_UA;
	a.iret_nmi_unblock = c->attr & A_IRET;
	a.event_delivery = c->attr & A_EVD;

	ept_model_access(&m, &a, &o);
	expect_eq("outcome kind", o.kind, c->want);
	switch (c->want) {
	case EPT_OUTCOME_VIOLATION: {
		uint64_t mask = c->mask ? c->mask : MASK_STD;
		expect_masked("qualification", o.violation.qual, c->qual, mask);
		expect_eq("qualification mask", o.violation.qual_mask, mask);
		expect_eq("violation level", o.violation.level, c->level);
		expect_eq("violation entry hpa", o.violation.entry_hpa, hpas[c->level]);
		expect_masked("gpa", o.violation.gpa, a.gpa, o.violation.gpa_mask);
		expect_eq("gla", o.violation.gla, (c->qual & GV) ? GLA_T : 0);
		expect_eq("exit reason", ept_expected_exit_reason(&o), EXIT_REASON_EPT_VIOLATION);
		if (c->ve)
			expect_eq("#VE convertible", o.violation.ve_convertible, c->ve == VE_YES);
		break;
	}
	case EPT_OUTCOME_MISCONFIG:
		expect_eq("misconfig rule", o.misconfig.rule, c->rule);
		expect_eq("misconfig level", o.misconfig.level, c->level);
		expect_eq("misconfig entry hpa", o.misconfig.entry_hpa, hpas[c->level]);
		expect_masked("misconfig gpa", o.misconfig.gpa, a.gpa, o.misconfig.gpa_mask);
		expect_eq("misconfig gpa mask", o.misconfig.gpa_mask,
			  c->kind == PDPTE ? ~0x1full : ~0ull);
		expect_eq("exit reason", ept_expected_exit_reason(&o), EXIT_REASON_EPT_MISCONFIG);
		break;
	case EPT_OUTCOME_TRANSLATION:
		expect_eq("leaf level", o.translation.level, c->level);
		expect_eq("hpa", o.translation.hpa, c->hpa ? c->hpa : (DATA_HPA | (a.gpa & 0xfff)));
		expect_eq("no exit", ept_expected_exit_reason(&o), EPT_EXIT_NONE);
		break;
	case EPT_OUTCOME_UNMODELED:
		expect_eq("unmodeled reason", o.unmodeled, c->unmodeled);
		break;
	default:
		break;
	}
	expect_eq("no stray reads", h.bad_reads, 0);
}

__attribute__((constructor)) static void reg_rows(void)
{
	unsigned i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		unit_register(rows[i].name, rows[i].sdm, run_row, &rows[i]);
}
