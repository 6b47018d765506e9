/* Shared fixture for the EPT unit tests: profiles and a table builder. */
#ifndef UNIT_EPT_FIXTURE_H
#define UNIT_EPT_FIXTURE_H

#include "hostmem.h"
#include "harness.h"

/* Qualification bits, short names for hand-written expectations. */
#define QR  EPT_QUAL_READ
#define QW  EPT_QUAL_WRITE
#define QX  EPT_QUAL_FETCH
#define RD  EPT_QUAL_READABLE
#define WR  EPT_QUAL_WRITABLE
#define EX  EPT_QUAL_EXECUTABLE
#define UXQ EPT_QUAL_USER_EXECUTABLE
#define GV  EPT_QUAL_GLA_VALID
#define TA  EPT_QUAL_TRANSLATED_ACCESS
#define ADV_BITS (EPT_QUAL_USER_LINEAR | EPT_QUAL_WRITABLE_LINEAR | EPT_QUAL_XD_LINEAR)
/* Default profile: no MBEC (bit 6 undefined), no advanced information
 * (9-11 undefined), no EPTP SSS (14 undefined). */
#define MASK_STD (~(UXQ | ADV_BITS | EPT_QUAL_SSS))

#define WB   ((uint64_t)MEMTYPE_WB << EPT_MEMTYPE_SHIFT)
#define MT(t) ((uint64_t)(t) << EPT_MEMTYPE_SHIFT)
#define PS   EPT_LARGE_PAGE
#define XU   EPT_USER_EXEC

#define DATA_HPA 0x40000000ull          /* 1-GByte aligned, never read */
#define GPA_T    0x0000123456789abcull  /* 4-level test GPA */
#define GPA_T5   0x00ab123456789abcull  /* 5-level test GPA (bits 56:48 used) */
#define GLA_T    0x00007fffdead0abcull

enum prof {
	P_STD, P_AD, P_NOXO, P_NOLARGE, P_NO2M, P_ADV, P_MBEC, P_5L, P_M39,
	P_M52, P_VE, P_NMIX, P_VNMI, P_SSS, P_SPP, P_SSS5, P_SSS_SPP, P_NR
};

static inline struct ept_caps caps_std(void)
{
	struct ept_caps c = {
		.maxphyaddr = 46, .exec_only = true, .walk4 = true, .walk5 = true,
		.memtype_uc = true, .memtype_wb = true, .page_2m = true,
		.page_1g = true, .ad = true, .invept = true, .invept_single = true,
		.invept_all = true, .invvpid = true, .invvpid_addr = true,
		.invvpid_single = true, .invvpid_all = true,
		.invvpid_single_nonglobal = true, .mbec = true, .ve = true,
		.spp = true, .sss = true,
	};
	return c;
}

#define EPTP_4L (MEMTYPE_WB | (3ull << EPTP_WALK_LENGTH_SHIFT))
#define EPTP_5L (MEMTYPE_WB | (4ull << EPTP_WALK_LENGTH_SHIFT))
#define ROOT_HPA PAGE

static inline void profile(enum prof p, struct ept_model *m, struct hostmem *h)
{
	memset(m, 0, sizeof(*m));
	m->caps = caps_std();
	m->eptp = EPTP_4L | ROOT_HPA;
	m->read = hostmem_read;
	m->ctx = h;
	switch (p) {
	case P_AD: m->eptp |= EPTP_AD_ENABLE; break;
	case P_NOXO: m->caps.exec_only = false; break;
	case P_NOLARGE: m->caps.page_1g = m->caps.page_2m = false; break;
	case P_NO2M: m->caps.page_2m = false; break;
	case P_ADV: m->caps.adv_exit_info = true; break;
	case P_MBEC: m->ctl.mbec = true; break;
	case P_5L: m->eptp = EPTP_5L | ROOT_HPA; break;
	case P_M39: m->caps.maxphyaddr = 39; break;
	case P_M52: m->caps.maxphyaddr = 52; break;
	case P_VE: m->ctl.ve = true; break;
	case P_NMIX: m->ctl.nmi_exiting = true; break;
	case P_VNMI: m->ctl.nmi_exiting = m->ctl.virtual_nmis = true; break;
	case P_SSS: m->eptp |= EPTP_SSS_ENABLE; break;
	case P_SPP: m->ctl.spp = true; break;
	case P_SSS5: m->eptp = EPTP_5L | ROOT_HPA | EPTP_SSS_ENABLE; break;
	case P_SSS_SPP: m->eptp |= EPTP_SSS_ENABLE; m->ctl.spp = true; break;
	default: break;
	}
}

static inline unsigned prof_levels(const struct ept_model *m)
{
	return (unsigned)((m->eptp & EPTP_WALK_LENGTH_MASK) >> EPTP_WALK_LENGTH_SHIFT) + 1;
}

/* Table page of level l in a walk of `levels`: the root is page 1. */
static inline uint64_t table_page(unsigned levels, unsigned l)
{
	return (uint64_t)(levels - l + 1) * PAGE;
}

/* Default flags of an entry at level l of a walk whose leaf is `leaf`. */
static inline uint64_t default_flags(const struct ept_model *m, unsigned l, unsigned leaf)
{
	uint64_t f = EPT_RWX_MASK | (m->ctl.mbec ? XU : 0);

	if (l == leaf)
		f |= WB | (leaf > 1 ? PS : 0);
	return f;
}

/*
 * Build one walk for gpa: entries at levels top..leaf; ov[l] (if ovset has
 * bit l) replaces the non-address bits of level l.  hpas[l] receives the
 * entry addresses.  Tables are pages 1..5; the leaf maps DATA_HPA.
 */
static inline void build_walk(struct hostmem *h, const struct ept_model *m,
			      uint64_t gpa, unsigned leaf, unsigned ovset,
			      const uint64_t *ov, uint64_t *hpas)
{
	unsigned levels = prof_levels(m), l;

	memset(h->q, 0, 7 * PAGE);
	h->bad_reads = 0;
	for (l = levels; l >= leaf; l--) {
		uint64_t f = (ovset & (1u << l)) ? ov[l] : default_flags(m, l, leaf);
		uint64_t addr = l > leaf ? table_page(levels, l - 1) : DATA_HPA;
		uint64_t hpa = table_page(levels, l) + ept_index(gpa, l) * 8;

		hm_set(h, hpa, f | addr);
		if (hpas)
			hpas[l] = hpa;
	}
}

#endif
