/*
 * spp_model.c: see spp_model.h.  SDM Vol. 3C 29.3.4 (sub-page write
 * permissions), 28.2.1 (exit qualification of SPP-related events),
 * 26.2.1.1 (SPPTP VM-entry checks).
 */
#include "spp_model.h"

static inline uint64_t phys_mask(unsigned maxphyaddr)
{
	return maxphyaddr >= 64 ? ~0ull : (1ull << maxphyaddr) - 1;
}

bool spp_write_eligible(bool spp_ctl, unsigned leaf_level, uint64_t leaf, uint64_t and_bits,
			bool linear_data_write)
{
	/* 29.3.4.1: SPP applies only to guest-physical addresses mapped by an
	 * EPT PTE with bit 61 (SPP) set while the control is 1, and only to
	 * writes that EPT would otherwise stop for lack of write permission
	 * alone: the walk must allow reads.  Processor writes to guest
	 * paging structures (A/D updates) are not eligible. */
	return spp_ctl && linear_data_write && leaf_level == EPT_LEVEL_PTE &&
	       (leaf & EPT_SUBPAGE_WRITE_PERM) && (and_bits & EPT_READ) &&
	       !(and_bits & EPT_WRITE);
}

static void spp_event(struct spp_walk *w, enum spp_result r, uint64_t gpa,
		      bool nmi_undefined, bool iret_nmi_unblock)
{
	w->result = r;
	w->gpa = gpa;
	/* 28.2.1, SPP-related events: bit 11 is 1 for an SPPT miss and 0 for
	 * an SPPT misconfiguration; bit 12 is NMI unblocking due to IRET,
	 * undefined under the same conditions as for EPT violations (NMI
	 * exiting without virtual NMIs, or the exit during event delivery).
	 * The other bits are not defined for this exit: only 12:11 compared. */
	w->qual = (r == SPP_MISS ? SPP_QUAL_MISS : 0) |
		  (iret_nmi_unblock ? SPP_QUAL_NMI_UNBLOCKING : 0);
	w->qual_mask = SPP_QUAL_MISS | (nmi_undefined ? 0 : SPP_QUAL_NMI_UNBLOCKING);
}

enum spp_result spp_model_write(const struct spp_table *t, uint64_t gpa, unsigned size,
				bool nmi_undefined, bool iret_nmi_unblock, struct spp_walk *w)
{
	uint64_t table = t->spptp & BITS(51, 12) & phys_mask(t->maxphyaddr);
	uint64_t rsvd_nonleaf = SPP_NONLEAF_RSVD_11_1 | ~phys_mask(t->maxphyaddr);
	unsigned first, last, l, i;
	uint64_t e = 0;

	w->written = w->denied = 0;
	w->qual = w->qual_mask = 0;
	w->gpa = 0;
	/* 29.3.4.2: the SPP table walk, 4 levels, 9 GPA bits a level from bit
	 * 47 down to bit 12, like a 4-level EPT walk. */
	for (l = 4; l >= 1; l--) {
		w->entry_hpa = table + ((gpa >> (12 + 9 * (l - 1))) & 511) * 8;
		e = t->read(t->ctx, w->entry_hpa);
		w->entry = e;
		w->level = (uint8_t)l;
		if (l == 1)
			break;
		/* An SPPL4E/SPPL3E/SPPL2E with bit 0 = 0: SPPT miss. */
		if (!(e & SPP_VALID)) {
			spp_event(w, SPP_MISS, gpa, nmi_undefined, iret_nmi_unblock);
			return w->result;
		}
		/* A valid one with a reserved bit (11:1, or 63:N beyond the
		 * physical-address width): SPPT misconfiguration. */
		if (e & rsvd_nonleaf) {
			spp_event(w, SPP_MISCONFIG, gpa, nmi_undefined, iret_nmi_unblock);
			return w->result;
		}
		table = e & BITS(51, 12) & phys_mask(t->maxphyaddr);
	}
	/* The SPPL1E: odd bits reserved (misconfiguration). */
	if (e & SPP_L1_RSVD_ODD) {
		spp_event(w, SPP_MISCONFIG, gpa, nmi_undefined, iret_nmi_unblock);
		return w->result;
	}
	/* Sub-page i is bytes 128i..128i+127 of the page; its write permission
	 * is bit 2i.  A write is allowed only if every sub-page it writes is. */
	if (size == 0)
		size = 1;
	first = (unsigned)((gpa & 0xfff) >> SPP_SUBPAGE_SHIFT);
	last = (unsigned)(((gpa & 0xfff) + size - 1) >> SPP_SUBPAGE_SHIFT);
	if (last >= SPP_SUBPAGES)
		last = SPP_SUBPAGES - 1;
	for (i = first; i <= last; i++) {
		w->written |= 1u << i;
		if (!(e & SPP_WRITE_BIT(i)))
			w->denied |= 1u << i;
	}
	w->result = w->denied ? SPP_DENY : SPP_ALLOW;
	return w->result;
}

const char *spp_result_name(enum spp_result r)
{
	switch (r) {
	case SPP_ALLOW: return "SPP allows the write";
	case SPP_DENY: return "SPP denies the write: EPT violation";
	case SPP_MISS: return "SPPT miss: exit 66";
	case SPP_MISCONFIG: return "SPPT misconfiguration: exit 66";
	}
	return "?";
}

enum spp_spptp_rule spp_spptp_check(unsigned maxphyaddr, uint64_t spptp)
{
	/* 26.2.1.1: "If the 'sub-page write permissions for EPT' VM-execution
	 * control is 1, the SPPTP must satisfy: bits 11:0 of the address must
	 * be 0; the address should not set any bits beyond the processor's
	 * physical-address width." */
	if (spptp & BITS(11, 0))
		return SPP_SPPTP_RSVD_11_0;
	if (spptp & ~phys_mask(maxphyaddr))
		return SPP_SPPTP_RSVD_PHYS;
	return SPP_SPPTP_OK;
}

const char *spp_spptp_rule_name(enum spp_spptp_rule r)
{
	switch (r) {
	case SPP_SPPTP_OK: return "valid";
	case SPP_SPPTP_RSVD_11_0: return "SDM 26.2.1.1: SPPTP bits 11:0";
	case SPP_SPPTP_RSVD_PHYS: return "SDM 26.2.1.1: SPPTP bits 63:N";
	}
	return "?";
}
