/*
 * ept_model.c: see ept_model.h for what the model takes and returns.
 * Every SDM rule is stated once, here, with its section.  Section numbers
 * are those of the current SDM Vol. 3C (EPT in 29.3, exit qualification
 * in 28.2.1, VM-entry checks in 26.2.1.1, INVEPT/INVVPID in 31.3).
 */
#include "ept_model.h"

struct ept_caps ept_caps_from_msrs(uint64_t cap, uint64_t p2, unsigned maxphyaddr)
{
	struct ept_caps c = {
		.maxphyaddr = (uint8_t)maxphyaddr,
		.exec_only = cap & EPT_CAP_EXEC_ONLY,
		.walk4 = cap & EPT_CAP_WALK_LENGTH_4,
		.walk5 = cap & EPT_CAP_WALK_LENGTH_5,
		.memtype_uc = cap & EPT_CAP_MEMTYPE_UC,
		.memtype_wb = cap & EPT_CAP_MEMTYPE_WB,
		.page_2m = cap & EPT_CAP_PAGE_2M,
		.page_1g = cap & EPT_CAP_PAGE_1G,
		.ad = cap & EPT_CAP_AD,
		.adv_exit_info = cap & EPT_CAP_ADV_EXIT_INFO,
		.sss = cap & EPT_CAP_SUPERVISOR_SHADOW_STACK,
		.invept = cap & EPT_CAP_INVEPT,
		.invept_single = cap & EPT_CAP_INVEPT_SINGLE,
		.invept_all = cap & EPT_CAP_INVEPT_ALL,
		.invvpid = cap & VPID_CAP_INVVPID,
		.invvpid_addr = cap & VPID_CAP_INVVPID_ADDR,
		.invvpid_single = cap & VPID_CAP_INVVPID_SINGLE,
		.invvpid_all = cap & VPID_CAP_INVVPID_ALL,
		.invvpid_single_nonglobal = cap & VPID_CAP_INVVPID_SINGLE_NONGLOBAL,
		.mbec = p2 & CPU2_MODE_BASED_EPT_EXEC,
		.ve = p2 & CPU2_EPT_VIOLATION_VE,
		.spp = p2 & CPU2_SUBPAGE_WRITE_PERMS,
	};
	return c;
}

/* Bits N-1:12 of an entry, N = MAXPHYADDR. */
static inline uint64_t addr_bits(const struct ept_model *m, unsigned lo)
{
	return ept_phys_mask(m->caps.maxphyaddr) & ~((1ull << lo) - 1);
}

/*
 * SDM 29.3.2: "If bits 2:0 of an EPT paging-structure entry are all 0, the
 * entry is not present"; the processor ignores bits 62:3 of such an entry
 * (bit 63 is suppress-#VE).  With "mode-based execute control for EPT" = 1
 * an entry is present if any of bits 2:0 or bit 10 (XU) is 1.
 */
bool ept_entry_present(const struct ept_model *m, uint64_t e)
{
	return (e & EPT_RWX_MASK) || (m->ctl.mbec && (e & EPT_USER_EXEC));
}

static inline bool is_leaf(uint64_t e, unsigned level)
{
	/* 29.3.2: a PTE always maps a page; a PDE/PDPTE does iff bit 7 is 1.
	 * Bit 7 of a PML4E/PML5E is reserved (checked as such below). */
	return level == EPT_LEVEL_PTE ||
	       ((level == EPT_LEVEL_PDE || level == EPT_LEVEL_PDPTE) &&
		(e & EPT_LARGE_PAGE));
}

/*
 * SDM 29.3.3.1, EPT misconfigurations, for one present entry.  Checked in
 * the order listed there; when one entry breaks several rules the first is
 * reported (the exit does not say which, so this is for diagnostics only).
 */
enum ept_misconfig_rule ept_entry_misconfig(const struct ept_model *m,
					    uint64_t e, unsigned level)
{
	uint64_t rwx = e & EPT_RWX_MASK;
	uint64_t mt;

	/* "bits 2:0 ... is either 010b (write-only) or 110b (write/execute)" */
	if (rwx == EPT_WRITE)
		return EPT_MC_WRITE_ONLY;
	if (rwx == (EPT_WRITE | EPT_EXEC))
		return EPT_MC_WRITE_EXEC;
	/* "bits 2:0 ... is 100b (execute-only) and this value is not supported
	 * by the logical processor" (A.10, EPT_VPID_CAP bit 0).  The rule names
	 * bits 2:0 only: an MBEC entry with bits 2:0 = 000b and XU = 1 is not
	 * listed, so it is not a misconfiguration here (see report/unsure). */
	if (rwx == EPT_EXEC && !m->caps.exec_only)
		return EPT_MC_EXEC_ONLY_UNSUPPORTED;

	/* The entry is present; "a reserved bit is set.  This includes the
	 * setting of a bit in the range 51:12 that is beyond the logical
	 * processor's physical-address width."  Which bits are reserved per
	 * entry format: 29.3.2, Tables 29-1..29-7. */
	if (e & BITS(51, 12) & ~ept_phys_mask(m->caps.maxphyaddr))
		return EPT_MC_RSVD_PHYS;

	switch (level) {
	case EPT_LEVEL_PML5E:
	case EPT_LEVEL_PML4E:
		/* Tables 29-1/29-2: PML5E and PML4E bits 7:3 reserved. */
		if (e & BITS(7, 3))
			return EPT_MC_RSVD_PML_7_3;
		return EPT_MC_NONE;
	case EPT_LEVEL_PDPTE:
		if (!(e & EPT_LARGE_PAGE)) {
			/* Table 29-4: PDPTE referencing a PD, bits 6:3 reserved. */
			return (e & BITS(6, 3)) ? EPT_MC_RSVD_NONLEAF_6_3 : EPT_MC_NONE;
		}
		/* 29.3.2: "Not all processors allow bit 7 of an EPT PDPTE to be
		 * set to 1" (A.10 bit 17); where not allowed it is a reserved bit. */
		if (!m->caps.page_1g)
			return EPT_MC_LARGE_UNSUPPORTED;
		/* Table 29-3: 1-GByte page, bits 29:12 reserved. */
		if (e & BITS(29, 12))
			return EPT_MC_RSVD_1G_29_12;
		break;
	case EPT_LEVEL_PDE:
		if (!(e & EPT_LARGE_PAGE))
			/* Table 29-6: PDE referencing a PT, bits 6:3 reserved. */
			return (e & BITS(6, 3)) ? EPT_MC_RSVD_NONLEAF_6_3 : EPT_MC_NONE;
		/* A.10 bit 16: 2-MByte pages; as for 1-GByte pages above. */
		if (!m->caps.page_2m)
			return EPT_MC_LARGE_UNSUPPORTED;
		/* Table 29-5: 2-MByte page, bits 20:12 reserved. */
		if (e & BITS(20, 12))
			return EPT_MC_RSVD_2M_20_12;
		break;
	default: /* PTE, Table 29-7: bit 7 ignored, no other reserved bits */
		break;
	}
	/* "The entry is the last one used to translate a guest physical address
	 * ... and the value of bits 5:3 (EPT memory type) is 2, 3, or 7". */
	mt = (e & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT;
	if (mt == 2 || mt == 3 || mt == 7)
		return EPT_MC_MEMTYPE;
	return EPT_MC_NONE;
}

/* What an access kind needs from the EPT entries. */
struct ept_needs {
	bool r, w, x;           /* x: XS, or XU for user-mode linear addresses under MBEC */
	bool dirty;             /* counts as a write for EPT dirty flags (29.3.5) */
};

static struct ept_needs ept_needs_of(const struct ept_model *m,
				     const struct ept_access *a)
{
	struct ept_needs n = { 0 };
	bool ad = m->eptp & EPTP_AD_ENABLE;

	/* SDM 29.3.3.2, EPT violations: */
	switch (a->kind) {
	case EPT_ACCESS_READ:
		n.r = true;     /* "The access is a data read and bit 0 was clear" */
		break;
	case EPT_ACCESS_WRITE:
		n.w = n.dirty = true;   /* "a data write and bit 1 was clear" */
		break;
	case EPT_ACCESS_RMW:
		n.r = n.w = n.dirty = true;
		break;
	case EPT_ACCESS_FETCH:
		n.x = true;     /* "an instruction fetch and bit 2 [bit 10] was clear" */
		break;
	case EPT_ACCESS_PAGING:
		/* "Reads by the logical processor of guest paging structures to
		 * translate a linear address are considered to be data reads."
		 * "If bit 6 of the EPT pointer (EPTP) is 1 ..., processor accesses
		 * to guest paging-structure entries are treated as writes with
		 * regard to EPT violations." and, 29.3.5, as writes for the EPT
		 * dirty flag. */
		n.r = true;
		n.w = n.dirty = ad;
		break;
	case EPT_ACCESS_PAGING_AD:
		/* "Writes by the logical processor to guest paging structures to
		 * update accessed and dirty flags are considered to be data writes." */
		n.w = n.dirty = true;
		break;
	case EPT_ACCESS_PDPTE_LOAD:
		/* "(This does not apply to loads of the PDPTE registers by the MOV
		 * to CR instruction for PAE paging ... Those loads of guest PDPTEs
		 * are treated as reads and do not cause EPT violations due to a
		 * guest-physical address not being writable.)" */
		n.r = true;
		break;
	}
	return n;
}

/*
 * Supervisor shadow-stack pages, SDM 29.3.3.2: with EPTP bit 7 = 1
 * ("enable supervisor shadow-stack control", 25.6.11) a supervisor
 * shadow-stack access, read or write, causes an EPT violation iff bit 0
 * (read) is 0 in any EPT paging-structure entry used to translate the
 * GPA, bit 1 (write) is 0 in any of them other than the one that maps the
 * page, or bit 60 (supervisor shadow stack) is 0 in the one that maps the
 * page.  The rule takes the place of the data read/write rules for such
 * an access: the leaf's bit 1 does not matter, and a leaf without bit 60
 * stops even a write it allows.  User shadow-stack accesses (CPL 3, and
 * WRUSS), and every access with EPTP bit 7 = 0 (bit 60 then ignored),
 * follow the ordinary rules.  Not-present entries and misconfigurations
 * end the walk first, as for any access.
 */
static bool ept_sss_applies(const struct ept_model *m, const struct ept_access *a)
{
	return (m->eptp & EPTP_SSS_ENABLE) && a->shadow_stack && !a->user_access;
}

/* and_bits: the AND over the whole walk; and_above: over every entry but
 * the leaf; leaf: the entry that maps the page. */
static bool ept_sss_allowed(uint64_t and_bits, uint64_t and_above, uint64_t leaf)
{
	return (and_bits & EPT_READ) && (and_above & EPT_WRITE) &&
	       (leaf & EPT_SUPERVISOR_SHADOW_STACK);
}

/* rwx accumulated over the walk: bit 0 R, 1 W, 2 X(S), 10 XU. */
static bool ept_access_allowed(const struct ept_model *m,
			       const struct ept_access *a, uint64_t and_bits,
			       uint64_t and_above, uint64_t leaf)
{
	struct ept_needs n = ept_needs_of(m, a);
	uint64_t xbit = EPT_EXEC;

	if (ept_sss_applies(m, a))
		return ept_sss_allowed(and_bits, and_above, leaf);

	/* 29.3.3.2: with MBEC, a fetch from a supervisor-mode linear address
	 * needs bit 2 (XS) in every entry, one from a user-mode linear address
	 * needs bit 10 (XU).  With CR0.PG = 0 every linear address is user-mode
	 * (Table 28-7, bit 9), so the caller passes user = true there. */
	if (m->ctl.mbec && a->user)
		xbit = EPT_USER_EXEC;
	if (n.r && !(and_bits & EPT_READ))
		return false;
	if (n.w && !(and_bits & EPT_WRITE))
		return false;
	if (n.x && !(and_bits & xbit))
		return false;
	return true;
}

/* Qualification bit 12 of EPT violations and PML-full exits (28.2.1 /
 * 28.2.3): undefined if "NMI exiting" = 1 and "virtual NMIs" = 0, or if
 * the VM exit sets the valid bit of the IDT-vectoring information (event
 * delivery); otherwise 1 iff the access was part of an IRET that unblocked
 * NMIs (virtual-NMI blocking with "virtual NMIs" = 1). */
bool ept_nmi_unblock_defined(const struct ept_controls *ctl, bool event_delivery)
{
	return !((ctl->nmi_exiting && !ctl->virtual_nmis) || event_delivery);
}

/*
 * The exit qualification of an EPT violation and the mask of bits the SDM
 * defines for it: SDM 28.2.1, Table 28-7.  `and_bits` is the AND of the
 * entries used to translate the GPA, up to and including a not-present one.
 * `leaf` is the entry that maps the page, if the walk reached one.
 */
static uint64_t ept_qualification(const struct ept_model *m,
				  const struct ept_access *a, uint64_t and_bits,
				  const uint64_t *leaf, struct ept_violation *v)
{
	uint64_t q = 0, mask = ~0ull, rules = 0;
	bool gla_valid = a->gla_valid && a->kind != EPT_ACCESS_PDPTE_LOAD;
	bool translated;

	/* Bits 0-2: data read / data write / instruction fetch. */
	switch (a->kind) {
	case EPT_ACCESS_READ:
	case EPT_ACCESS_PDPTE_LOAD:
		q |= EPT_QUAL_READ;
		break;
	case EPT_ACCESS_WRITE:
		q |= EPT_QUAL_WRITE;
		break;
	case EPT_ACCESS_FETCH:
		q |= EPT_QUAL_FETCH;
		break;
	case EPT_ACCESS_RMW:
		/* 28.2.1: "An EPT violation that occurs as a result of execution
		 * of a read-modify-write operation sets bit 1 (data write).
		 * Whether it also sets bit 0 (data read) is implementation-specific". */
		q |= EPT_QUAL_WRITE | EPT_QUAL_READ;
		mask &= ~EPT_QUAL_READ;
		rules |= EPT_RULE(QUAL_RMW_READ);
		break;
	case EPT_ACCESS_PAGING:
		/* Table 28-7 note: "If accessed and dirty flags for EPT are enabled,
		 * processor accesses to guest paging-structure entries are treated
		 * as writes ... If such an access causes an EPT violation, the
		 * processor sets both bit 0 and bit 1 of the exit qualification." */
		q |= EPT_QUAL_READ;
		if (m->eptp & EPTP_AD_ENABLE) {
			q |= EPT_QUAL_WRITE;
			rules |= EPT_RULE(QUAL_PAGING_RW);
		}
		break;
	case EPT_ACCESS_PAGING_AD:
		/* A data write (29.3.3.2).  The A/D update is a locked
		 * read-modify-write of the guest entry (Vol. 3A 4.8), so bit 0 is
		 * left to the implementation as for any RMW (28.2.1) -- unless EPT
		 * A/D is on: then it is a processor access to a guest
		 * paging-structure entry and the Table 28-7 note above sets both
		 * bit 0 and bit 1. */
		q |= EPT_QUAL_WRITE | EPT_QUAL_READ;
		if (!(m->eptp & EPTP_AD_ENABLE))
			mask &= ~EPT_QUAL_READ;
		rules |= (m->eptp & EPTP_AD_ENABLE) ? EPT_RULE(QUAL_PAGING_RW) : EPT_RULE(QUAL_AD_READ);
		break;
	}

	/* Bits 3-5: "The logical-AND of bit 0/1/2 in the EPT paging-structure
	 * entries used to translate the guest-physical address of the access
	 * causing the EPT violation".  A not-present entry is one of those
	 * entries, so it contributes its zeros. */
	if (and_bits & EPT_READ)
		q |= EPT_QUAL_READABLE;
	if (and_bits & EPT_WRITE)
		q |= EPT_QUAL_WRITABLE;
	if (and_bits & EPT_EXEC)
		q |= EPT_QUAL_EXECUTABLE;

	/* Bit 6: "If the mode-based execute control VM-execution control is 0,
	 * the value of this bit is undefined.  If that control is 1, this bit
	 * is the logical-AND of bit 10 in the EPT paging-structure entries". */
	if (m->ctl.mbec) {
		if (and_bits & EPT_USER_EXEC)
			q |= EPT_QUAL_USER_EXECUTABLE;
	} else {
		mask &= ~EPT_QUAL_USER_EXECUTABLE;
		rules |= EPT_RULE(QUAL_BIT6_UNDEF);
	}

	/* Bit 7: "Set if the guest linear-address field is valid ... for all
	 * EPT violations except those resulting from an attempt to load the
	 * guest PDPTEs as part of the execution of the MOV CR instruction". */
	if (gla_valid)
		q |= EPT_QUAL_GLA_VALID;
	else
		rules |= EPT_RULE(QUAL_GLA_INVALID);

	/* Bit 8: "If bit 7 is 1: set if the access ... is to a guest-physical
	 * address that is the translation of a linear address; clear if the
	 * access ... is to a paging-structure entry as part of a page walk or
	 * the update of an accessed or dirty bit.  Reserved if bit 7 is 0
	 * (cleared to 0)."  Reserved-and-cleared is a defined value: compared. */
	translated = gla_valid && a->kind != EPT_ACCESS_PAGING &&
		     a->kind != EPT_ACCESS_PAGING_AD;
	if (translated)
		q |= EPT_QUAL_TRANSLATED_ACCESS;
	rules |= translated ? EPT_RULE(QUAL_TRANSLATED) : gla_valid ? EPT_RULE(QUAL_PAGING_ENTRY) : 0;

	/* Bits 9-11 (advanced VM-exit information for EPT violations, A.10 bit
	 * 22): user-mode linear address / read-write page / execute-disable.
	 * Defined only if the processor reports that support and bit 8 (hence
	 * bit 7) is 1; "otherwise, this bit is undefined". */
	if (m->caps.adv_exit_info && translated) {
		if (a->user)
			q |= EPT_QUAL_USER_LINEAR;
		if (a->writable)
			q |= EPT_QUAL_WRITABLE_LINEAR;
		if (a->xd)
			q |= EPT_QUAL_XD_LINEAR;
		rules |= EPT_RULE(QUAL_ADV_INFO);
	} else {
		mask &= ~(EPT_QUAL_USER_LINEAR | EPT_QUAL_WRITABLE_LINEAR |
			  EPT_QUAL_XD_LINEAR);
		rules |= EPT_RULE(QUAL_ADV_UNDEF);
	}

	/* Bit 12: NMI unblocking due to IRET, ept_nmi_unblock_defined(). */
	if (!ept_nmi_unblock_defined(&m->ctl, a->event_delivery)) {
		mask &= ~EPT_QUAL_NMI_UNBLOCKING;
		rules |= EPT_RULE(QUAL_BIT12_UNDEF);
	} else if (a->iret_nmi_unblock) {
		q |= EPT_QUAL_NMI_UNBLOCKING;
		rules |= EPT_RULE(QUAL_NMI_UNBLOCK);
	}

	/* Bit 13: "Set if the access causing the EPT violation was a
	 * shadow-stack access." */
	if (a->shadow_stack) {
		q |= EPT_QUAL_SHADOW_STACK;
		rules |= EPT_RULE(QUAL_SHADOW_STACK);
	}

	/* Bit 14: "If supervisor shadow-stack control is enabled (by setting
	 * bit 7 of EPTP), this bit is the same as bit 60 in the EPT
	 * paging-structure entry that maps the page ...  Otherwise (or if
	 * translation of the guest-physical address terminates before reaching
	 * an EPT paging-structure entry that maps a page), this bit is undefined." */
	if ((m->eptp & EPTP_SSS_ENABLE) && leaf) {
		if (*leaf & EPT_SUPERVISOR_SHADOW_STACK)
			q |= EPT_QUAL_SSS;
	} else {
		mask &= ~EPT_QUAL_SSS;
		rules |= EPT_RULE(QUAL_BIT14_UNDEF);
	}

	/* Bits 15 (guest-paging verification) and 16 (asynchronous access)
	 * are 0 for the synchronous, non-HLAT accesses modeled here; 63:17
	 * are reserved (cleared to 0).  All compared. */

	v->qual = q;
	v->qual_mask = mask;
	v->gla_valid = gla_valid;
	v->gla = gla_valid ? a->gla : 0;
	v->gpa = a->gpa;
	/* The GPA field receives "the guest-physical address that caused the
	 * EPT violation" (27.2.1).  A PDPTE load reads the 32-byte PDPT; which
	 * of its bytes the processor names is not specified: bits 4:0 free. */
	v->gpa_mask = a->kind == EPT_ACCESS_PDPTE_LOAD ? ~0x1full : ~0ull;
	if (a->kind == EPT_ACCESS_PDPTE_LOAD)
		rules |= EPT_RULE(QUAL_PDPTE_GPA);
	return rules;
}

/*
 * EPT accessed and dirty flags, SDM 29.3.5 (only with EPTP bit 6 = 1):
 * "Whenever the processor uses an EPT paging-structure entry as part of
 * guest-physical-address translation, it sets the accessed flag in that
 * entry"; "Whenever there is a write to a guest-physical address, the
 * processor sets the dirty flag ... in the EPT paging-structure entry that
 * identifies the final physical address"; guest paging-structure accesses
 * count as writes for this (see ept_needs_of).  Only produced for a
 * completed translation: which flags an access that faults leaves set is
 * not specified.
 */
static void ept_ad_updates(const struct ept_model *m, const struct ept_access *a,
			   const uint64_t *hpas, unsigned top, unsigned leaf_level,
			   struct ept_translation *t)
{
	unsigned l;
	bool dirty = ept_needs_of(m, a).dirty;

	t->nr_ad = 0;
	if (!(m->eptp & EPTP_AD_ENABLE))
		return;
	for (l = top; l >= leaf_level; l--) {
		struct ept_ad_update *u = &t->ad[t->nr_ad++];
		u->hpa = hpas[l];
		u->level = (uint8_t)l;
		u->set_a = true;
		u->set_d = dirty && l == leaf_level;
	}
}

/* The rule names of a violation's missing permission and of a
 * misconfiguration (enum ept_rule), for outcome.rules. */
static uint64_t ept_violation_rules(const struct ept_model *m, const struct ept_access *a,
				    uint64_t and_bits)
{
	struct ept_needs n = ept_needs_of(m, a);
	bool user_x = m->ctl.mbec && a->user;

	if (ept_sss_applies(m, a))
		return EPT_RULE(SSS_DECIDES);
	if (a->kind == EPT_ACCESS_PDPTE_LOAD)
		return EPT_RULE(VIOL_PDPTE_LOAD);
	if (n.r && !(and_bits & EPT_READ))
		return EPT_RULE(VIOL_READ);
	if (n.w && !(and_bits & EPT_WRITE))
		return a->kind == EPT_ACCESS_PAGING ? EPT_RULE(VIOL_PAGING_WRITE) :
		       a->kind == EPT_ACCESS_PAGING_AD ? EPT_RULE(VIOL_GUEST_AD) :
		       EPT_RULE(VIOL_WRITE);
	return user_x ? EPT_RULE(VIOL_FETCH_USER) : EPT_RULE(VIOL_FETCH);
}

static uint64_t ept_misconfig_rules(enum ept_misconfig_rule r, uint64_t e)
{
	switch (r) {
	case EPT_MC_WRITE_ONLY: return EPT_RULE(MC_WRITE_ONLY);
	case EPT_MC_WRITE_EXEC: return EPT_RULE(MC_WRITE_EXEC);
	case EPT_MC_EXEC_ONLY_UNSUPPORTED: return EPT_RULE(MC_EXEC_ONLY);
	case EPT_MC_RSVD_PHYS: return EPT_RULE(MC_RSVD_PHYS);
	case EPT_MC_RSVD_PML_7_3: return EPT_RULE(MC_PML_7_3);
	case EPT_MC_RSVD_NONLEAF_6_3: return EPT_RULE(MC_NONLEAF_6_3);
	case EPT_MC_LARGE_UNSUPPORTED: return EPT_RULE(MC_LARGE_UNSUP);
	case EPT_MC_RSVD_1G_29_12:
		return (e & BITS(29, 12)) == BIT(12) ? EPT_RULE(MC_1G_BIT12) : EPT_RULE(MC_1G_RSVD);
	case EPT_MC_RSVD_2M_20_12:
		return (e & BITS(20, 12)) == BIT(12) ? EPT_RULE(MC_2M_BIT12) : EPT_RULE(MC_2M_RSVD);
	case EPT_MC_MEMTYPE: return EPT_RULE(MC_MEMTYPE);
	default: return 0;
	}
}

static uint64_t ept_ve_rules(const struct ept_model *m, uint64_t e)
{
	if (!m->ctl.ve)
		return 0;
	return (e & EPT_SUPPRESS_VE) ? EPT_RULE(VE_SUPPRESSED) : EPT_RULE(VE_CONVERTIBLE);
}

static inline unsigned ept_walk_levels(uint64_t eptp)
{
	return (unsigned)((eptp & EPTP_WALK_LENGTH_MASK) >> EPTP_WALK_LENGTH_SHIFT) + 1;
}

/* The entries the walk of 29.3.2 reads for gpa, top level first; it ends
 * with a not-present entry, a misconfigured one or the leaf. */
unsigned ept_walk_entries(const struct ept_model *m, uint64_t gpa,
			  struct ept_walk_entry out[EPT_MAX_LEVELS])
{
	uint64_t table = m->eptp & addr_bits(m, 12);
	unsigned top = ept_walk_levels(m->eptp), l, n = 0;

	for (l = top; l >= 1; l--) {
		struct ept_walk_entry *w = &out[n++];

		w->level = (uint8_t)l;
		w->hpa = table + ((gpa >> (12 + 9 * (l - 1))) & 511) * 8;
		w->value = m->read(m->ctx, w->hpa);
		if (!ept_entry_present(m, w->value) ||
		    ept_entry_misconfig(m, w->value, l) != EPT_MC_NONE || is_leaf(w->value, l))
			break;
		table = w->value & addr_bits(m, 12);
	}
	return n;
}

/*
 * One guest-physical access (SDM 29.3.2 walk, 29.3.3 outcome).
 *
 * Precedence, SDM 29.3.3: "An EPT misconfiguration occurs when, in the
 * course of translating a guest-physical address, the logical processor
 * encounters an EPT paging-structure entry that contains an unsupported
 * value.  An EPT violation occurs when there is no EPT misconfiguration but
 * the EPT paging-structure entries disallow an access."  So permissions are
 * judged only after the whole walk: a lower-level misconfiguration wins
 * over a missing permission higher up.  A not-present entry ends the walk
 * ("uses the entry neither to reference another EPT paging-structure entry
 * nor to produce a physical address"), so nothing below it is examined.
 */
enum ept_outcome_kind ept_model_access(const struct ept_model *m,
				       const struct ept_access *a,
				       struct ept_outcome *o)
{
	uint64_t hpas[EPT_MAX_LEVELS + 1], e = 0;
	uint64_t and_bits = EPT_RWX_MASK | EPT_USER_EXEC, and_above = and_bits;
	uint64_t table = m->eptp & addr_bits(m, 12);
	unsigned top = ept_walk_levels(m->eptp), l;

	o->step = 0;
	o->order_ambiguous = false;
	o->unmodeled = EPT_UNMODELED_NONE;
	o->rules = 0;

	/* 29.3.2 describes a 4-level walk of GPA bits 47:0 and does not say
	 * what a processor with MAXPHYADDR > 48 does with a GPA that has any of
	 * bits 51:48 set (older editions: no such processor exists).  Such an
	 * access is not predicted, rather than translated as if those bits
	 * were 0. */
	if (top == 4 && (a->gpa & BITS(51, 48))) {
		o->kind = EPT_OUTCOME_UNMODELED;
		o->unmodeled = EPT_UNMODELED_GPA_ABOVE_48;
		o->rules = EPT_RULE(UNMODELED);
		return o->kind;
	}

	for (l = top; l >= 1; l--) {
		unsigned shift = 12 + 9 * (l - 1);
		enum ept_misconfig_rule rule;

		hpas[l] = table + ((a->gpa >> shift) & 511) * 8;
		e = m->read(m->ctx, hpas[l]);
		and_above = and_bits;
		and_bits &= e;
		if (!ept_entry_present(m, e)) {
			o->kind = EPT_OUTCOME_VIOLATION;
			o->rules = EPT_RULE(NOT_PRESENT) | ept_ve_rules(m, e) |
				   ept_qualification(m, a, and_bits, NULL, &o->violation);
			o->violation.level = (uint8_t)l;
			o->violation.entry_hpa = hpas[l];
			o->violation.entry = e;
			/* 29.3.2: a not-present violation is convertible to #VE
			 * only if bit 63 of that entry is 0. */
			o->violation.ve_convertible =
				m->ctl.ve && !(e & EPT_SUPPRESS_VE);
			return o->kind;
		}
		rule = ept_entry_misconfig(m, e, l);
		if (rule != EPT_MC_NONE) {
			o->kind = EPT_OUTCOME_MISCONFIG;
			o->misconfig.gpa = a->gpa;
			/* As for a violation (ept_qualification()): a PDPTE load
			 * reads all four PDPTEs; the GPA may name any of them. */
			o->misconfig.gpa_mask = a->kind == EPT_ACCESS_PDPTE_LOAD ?
						~0x1full : ~0ull;
			o->misconfig.entry_hpa = hpas[l];
			o->misconfig.entry = e;
			o->misconfig.level = (uint8_t)l;
			o->misconfig.rule = rule;
			o->rules = ept_misconfig_rules(rule, e);
			return o->kind;
		}
		if (is_leaf(e, l))
			break;
		table = e & addr_bits(m, 12);
	}

	/* ept_sss_applies(): the supervisor shadow-stack rule decides. */
	if (ept_sss_applies(m, a))
		o->rules |= EPT_RULE(SSS_DECIDES);

	if (!ept_access_allowed(m, a, and_bits, and_above, e)) {
		struct ept_needs n = ept_needs_of(m, a);

		/* SPP (29.3.4, spp_model.c) decides an eligible write: one EPT
		 * stops for lack of write permission alone, which is never why
		 * the supervisor shadow-stack rule stops an access. */
		if (!ept_sss_applies(m, a) &&
		    spp_write_eligible(m->ctl.spp, l, e, and_bits,
				       n.w && (a->kind == EPT_ACCESS_WRITE || a->kind == EPT_ACCESS_RMW) &&
				       a->gla_valid)) {
			struct spp_table t = { m->ctl.spptp, m->caps.maxphyaddr, m->read, m->ctx };
			bool nmi_undef = (m->ctl.nmi_exiting && !m->ctl.virtual_nmis) || a->event_delivery;

			switch (spp_model_write(&t, a->gpa, a->size, nmi_undef, a->iret_nmi_unblock, &o->spp)) {
			case SPP_MISS:
			case SPP_MISCONFIG:
				o->rules = EPT_RULE(SPP_DECIDES);
				return o->kind = EPT_OUTCOME_SPP_EVENT;
			case SPP_ALLOW:
				o->rules = EPT_RULE(SPP_DECIDES);
				goto translated;
			case SPP_DENY:
				break;
			}
		}
		o->kind = EPT_OUTCOME_VIOLATION;
		o->rules |= ept_violation_rules(m, a, and_bits) | ept_ve_rules(m, e) |
			    ept_qualification(m, a, and_bits, &e, &o->violation);
		o->violation.level = (uint8_t)l;
		o->violation.entry_hpa = hpas[l];
		o->violation.entry = e;
		/* 26.5.7.1: otherwise the suppress-#VE bit of the entry that maps
		 * the page decides. */
		o->violation.ve_convertible = m->ctl.ve && !(e & EPT_SUPPRESS_VE);
		return o->kind;
	}

translated:
	{
		struct ept_translation *t = &o->translation;
		unsigned shift = 12 + 9 * (l - 1);
		uint64_t off = (1ull << shift) - 1;

		o->kind = EPT_OUTCOME_TRANSLATION;
		t->level = (uint8_t)l;
		t->page_size = 1ull << shift;
		t->hpa = (e & addr_bits(m, shift)) | (a->gpa & off);
		t->leaf = e;
		t->memtype = (uint8_t)((e & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT);
		t->ipat = e & EPT_IGNORE_PAT;
		ept_ad_updates(m, a, hpas, top, l, t);
		o->rules |= (l == EPT_LEVEL_PTE ? EPT_RULE(TRANS_4K) :
			     l == EPT_LEVEL_PDE ? EPT_RULE(TRANS_2M) : EPT_RULE(TRANS_1G)) |
			    (t->nr_ad ? EPT_RULE(AD_EPT_A) : 0) |
			    (t->nr_ad && t->ad[t->nr_ad - 1].set_d ? EPT_RULE(AD_EPT_D) : 0);
	}
	return o->kind;
}

const char *const ept_rule_names[EPT_RULE_NR] = {
#define EPT_RULE_NAME(e, name, sdm) [EPT_RULE_##e] = name,
	EPT_RULES(EPT_RULE_NAME)
#undef EPT_RULE_NAME
};
const char *const ept_rule_sdm[EPT_RULE_NR] = {
#define EPT_RULE_SDM(e, name, sdm) [EPT_RULE_##e] = sdm,
	EPT_RULES(EPT_RULE_SDM)
#undef EPT_RULE_SDM
};
_Static_assert(EPT_RULE_NR <= 64, "outcome.rules is one 64-bit word");

const char *ept_misconfig_rule_name(enum ept_misconfig_rule rule)
{
	switch (rule) {
	case EPT_MC_NONE: return "none";
	case EPT_MC_WRITE_ONLY: return "SDM 29.3.3.1: bits 2:0 = 010b (write-only)";
	case EPT_MC_WRITE_EXEC: return "SDM 29.3.3.1: bits 2:0 = 110b (write/execute)";
	case EPT_MC_EXEC_ONLY_UNSUPPORTED: return "SDM 29.3.3.1: bits 2:0 = 100b, execute-only unsupported";
	case EPT_MC_RSVD_PHYS: return "SDM 29.3.3.1: reserved bit in 51:MAXPHYADDR";
	case EPT_MC_RSVD_PML_7_3: return "SDM 29.3.2: PML5E/PML4E reserved bits 7:3";
	case EPT_MC_RSVD_NONLEAF_6_3: return "SDM 29.3.2: non-leaf PDPTE/PDE reserved bits 6:3";
	case EPT_MC_LARGE_UNSUPPORTED: return "SDM 29.3.2: bit 7 set, page size unsupported";
	case EPT_MC_RSVD_1G_29_12: return "SDM 29.3.2: 1-GByte page reserved bits 29:12";
	case EPT_MC_RSVD_2M_20_12: return "SDM 29.3.2: 2-MByte page reserved bits 20:12";
	case EPT_MC_MEMTYPE: return "SDM 29.3.3.1: leaf memory type 2, 3 or 7";
	case EPT_MC_NR: break;
	}
	return "?";
}

const struct ept_qual_bit_info ept_qual_bits[EPT_QUAL_NR_BITS] = {
	{ "data read", NULL },
	{ "data write", NULL },
	{ "instruction fetch", NULL },
	{ "readable: AND of EPT bit 0 (read) over the entries used", NULL },
	{ "writable: AND of EPT bit 1 (write) over the entries used", NULL },
	{ "executable: AND of EPT bit 2 (execute / supervisor execute) over the entries used", NULL },
	{ "user-mode executable: AND of EPT bit 10 over the entries used",
	  "\"mode-based execute control for EPT\" = 1; otherwise undefined" },
	{ "guest linear-address field valid", NULL },
	{ "access to the translation of a linear address (0: guest paging-structure access or A/D update)",
	  "bit 7 = 1; otherwise reserved (cleared to 0)" },
	{ "user-mode linear address",
	  "advanced VM-exit information for EPT violations (EPT_VPID_CAP bit 22) and bit 8 = 1; otherwise undefined" },
	{ "writable linear address (read/write)",
	  "advanced VM-exit information for EPT violations (EPT_VPID_CAP bit 22) and bit 8 = 1; otherwise undefined" },
	{ "execute-disable linear address",
	  "advanced VM-exit information for EPT violations (EPT_VPID_CAP bit 22) and bit 8 = 1; otherwise undefined" },
	{ "NMI unblocking due to IRET",
	  "not (\"NMI exiting\" = 1 and \"virtual NMIs\" = 0), and not during event delivery; otherwise undefined" },
	{ "shadow-stack access", NULL },
	{ "supervisor shadow-stack page (EPT leaf bit 60)",
	  "EPTP bit 7 = 1 and the walk reached the entry that maps the page; otherwise undefined" },
	{ "guest-paging verification (HLAT)", NULL },
	{ "asynchronous to instruction execution", NULL },
};

const char *ept_unmodeled_reason_name(enum ept_unmodeled_reason r)
{
	switch (r) {
	case EPT_UNMODELED_NONE: return "none";
	case EPT_UNMODELED_GPA_ABOVE_48: return "SDM 29.3.2: 4-level EPT and GPA bits 51:48 not 0 (not modeled)";
	}
	return "?";
}

const char *ept_outcome_kind_name(enum ept_outcome_kind kind)
{
	switch (kind) {
	case EPT_OUTCOME_TRANSLATION: return "translation";
	case EPT_OUTCOME_VIOLATION: return "EPT violation";
	case EPT_OUTCOME_MISCONFIG: return "EPT misconfiguration";
	case EPT_OUTCOME_GUEST_FAULT: return "guest fault";
	case EPT_OUTCOME_UNMODELED: return "unmodeled";
	case EPT_OUTCOME_SPP_EVENT: return "SPP-related event";
	}
	return "?";
}

uint64_t ept_expected_exit_reason(const struct ept_outcome *o)
{
	switch (o->kind) {
	case EPT_OUTCOME_VIOLATION: return EXIT_REASON_EPT_VIOLATION;
	case EPT_OUTCOME_MISCONFIG: return EXIT_REASON_EPT_MISCONFIG;
	case EPT_OUTCOME_SPP_EVENT: return EXIT_REASON_SPP_EVENT;
	default: return EPT_EXIT_NONE;
	}
}

/*
 * SDM 29.3.7.2: with CR0.CD = 0, "If IPAT (ignore PAT) is set, the memory
 * type is the EPT memory type; otherwise the EPT memory type is combined with the PAT type
 * as an MTRR type would be", per SDM 12.5.2.2 Table 12-7 (effective
 * page-level memory types, P6 family and later).  Rows: EPT (MTRR) type;
 * columns: PAT type.  0xff marks a reserved input.
 */
uint8_t ept_effective_memtype(uint8_t ept_type, bool ipat, uint8_t pat, bool cr0_cd)
{
	enum { UC = MEMTYPE_UC, WC = MEMTYPE_WC, WT = MEMTYPE_WT,
	       WP = MEMTYPE_WP, WB = MEMTYPE_WB, UM = MEMTYPE_UC_MINUS,
	       XX = 0xff };
	/* index: PAT type 0..7 (2, 3 reserved) */
	static const uint8_t table[8][8] = {
		/* PAT:   UC  WC  2   3   WT  WP  WB  UC- */
		[UC] = { UC, WC, XX, XX, UC, UC, UC, UC },
		[WC] = { UC, WC, XX, XX, UC, UC, WC, WC },
		[WT] = { UC, WC, XX, XX, WT, WP, WT, UC },
		[WP] = { UC, WC, XX, XX, WT, WP, WP, WC },
		[WB] = { UC, WC, XX, XX, WT, WP, WB, UC },
		[2] = { XX, XX, XX, XX, XX, XX, XX, XX },
		[3] = { XX, XX, XX, XX, XX, XX, XX, XX },
		[7] = { XX, XX, XX, XX, XX, XX, XX, XX },
	};
	if (ept_type > 7 || ept_type == 2 || ept_type == 3 || ept_type == 7)
		return XX;
	/* "If CR0.CD = 1, the effective memory type is UC." (the guest's CR0:
	 * that is the CR0 in VMX non-root operation) */
	if (cr0_cd)
		return UC;
	if (ipat)
		return ept_type;
	if (pat > 7)
		return XX;
	return table[ept_type][pat];
}

/* SDM 29.3.7.1: "If CR0.CD = 0, the memory type used for any such reference
 * is the EPT paging-structure memory type, which is specified in bits 2:0 of
 * the extended-page-table pointer (EPTP).  If CR0.CD = 1, the memory type
 * used for any such reference is uncacheable (UC)." */
uint8_t ept_paging_memtype(uint64_t eptp, bool cr0_cd)
{
	return cr0_cd ? MEMTYPE_UC : (uint8_t)(eptp & EPTP_MEMTYPE_MASK);
}

const char *ept_memtype_name(uint8_t type)
{
	static const char *const names[8] = {
		"UC", "WC", "reserved(2)", "reserved(3)", "WT", "WP", "WB", "UC-",
	};
	return type < 8 ? names[type] : "reserved";
}

/*
 * SDM 26.2.1.1, checks on VM-execution control fields, "If the enable EPT
 * VM-execution control is 1, the EPTP VM-execution control field must
 * satisfy the following checks" (format: 25.6.11, Table 25-9).
 */
enum ept_eptp_rule ept_eptp_check(const struct ept_caps *caps, uint64_t eptp)
{
	uint64_t mt = eptp & EPTP_MEMTYPE_MASK;
	unsigned walk = (unsigned)((eptp & EPTP_WALK_LENGTH_MASK) >> EPTP_WALK_LENGTH_SHIFT);

	/* "The EPT memory type (bits 2:0) must be a value supported by the
	 * processor as indicated in the IA32_VMX_EPT_VPID_CAP MSR": UC if bit 8,
	 * WB if bit 14. */
	if (!((mt == MEMTYPE_UC && caps->memtype_uc) ||
	      (mt == MEMTYPE_WB && caps->memtype_wb)))
		return EPT_EPTP_MEMTYPE;
	/* "Bits 5:3 (1 less than the EPT page-walk length) must indicate a
	 * supported EPT page-walk length": 3 if bit 6, 4 if bit 7. */
	if (!((walk == 3 && caps->walk4) || (walk == 4 && caps->walk5)))
		return EPT_EPTP_WALK_LENGTH;
	/* "Bit 6 (enable bit for accessed and dirty flags for EPT) must be 0 if
	 * bit 21 of the IA32_VMX_EPT_VPID_CAP MSR is read as 0". */
	if ((eptp & EPTP_AD_ENABLE) && !caps->ad)
		return EPT_EPTP_AD_UNSUPPORTED;
	/* "Reserved bits 11:7 and 63:N (where N is the processor's
	 * physical-address width) must all be 0"; bit 7 is the supervisor
	 * shadow-stack enable where A.10 bit 23 reports that support. */
	if ((eptp & EPTP_RESERVED_11_8) ||
	    ((eptp & EPTP_SSS_ENABLE) && !caps->sss))
		return EPT_EPTP_RSVD_11_7;
	if (eptp & ~ept_phys_mask(caps->maxphyaddr))
		return EPT_EPTP_RSVD_PHYS;
	return EPT_EPTP_OK;
}

const char *ept_eptp_rule_name(enum ept_eptp_rule rule)
{
	switch (rule) {
	case EPT_EPTP_OK: return "valid";
	case EPT_EPTP_MEMTYPE: return "SDM 26.2.1.1: EPTP memory type unsupported";
	case EPT_EPTP_WALK_LENGTH: return "SDM 26.2.1.1: EPTP page-walk length unsupported";
	case EPT_EPTP_AD_UNSUPPORTED: return "SDM 26.2.1.1: EPTP A/D enable without support";
	case EPT_EPTP_RSVD_11_7: return "SDM 26.2.1.1: EPTP reserved bits 11:7";
	case EPT_EPTP_RSVD_PHYS: return "SDM 26.2.1.1: EPTP reserved bits 63:MAXPHYADDR";
	}
	return "?";
}

/* INVEPT operation pseudocode (SDM 31.3, "INVEPT"). */
enum ept_inv_rule ept_invept_check(const struct ept_caps *caps,
				   uint64_t type, uint64_t desc_lo)
{
	/* "IF IA32_VMX_EPT_VPID_CAP MSR indicates that processor does not
	 * support INVEPT_TYPE THEN VMfail(Invalid operand to INVEPT/INVVPID)" */
	if (!((type == INVEPT_SINGLE_CONTEXT && caps->invept_single) ||
	      (type == INVEPT_ALL_CONTEXT && caps->invept_all)))
		return EPT_INV_TYPE_UNSUPPORTED;
	/* Single-context: "IF VM entry with the 'enable EPT' VM execution
	 * control set to 1 would fail due to the EPTP value THEN VMfail" */
	if (type == INVEPT_SINGLE_CONTEXT && ept_eptp_check(caps, desc_lo) != EPT_EPTP_OK)
		return EPT_INV_BAD_EPTP;
	return EPT_INV_OK;
}

/* INVVPID operation pseudocode (SDM 31.3, "INVVPID"). */
enum ept_inv_rule ept_invvpid_check(const struct ept_caps *caps,
				    uint64_t type, uint64_t desc_lo,
				    uint64_t desc_hi, unsigned la_width)
{
	bool ok;

	switch (type) {
	case INVVPID_INDIVIDUAL_ADDR: ok = caps->invvpid_addr; break;
	case INVVPID_SINGLE_CONTEXT: ok = caps->invvpid_single; break;
	case INVVPID_ALL_CONTEXT: ok = caps->invvpid_all; break;
	case INVVPID_SINGLE_CONTEXT_NONGLOBAL: ok = caps->invvpid_single_nonglobal; break;
	default: ok = false; break;
	}
	if (!ok)
		return EPT_INV_TYPE_UNSUPPORTED;
	/* "IF INVVPID_DESC[63:16] != 0 THEN VMfail(...)" (all types) */
	if (desc_lo & BITS(63, 16))
		return EPT_INV_RSVD_DESC;
	/* Types 0, 1, 3: "IF VPID = 0 THEN VMfail(...)"; type 2 excludes VPID
	 * 0000H by definition and does not check. */
	if (type != INVVPID_ALL_CONTEXT && (desc_lo & 0xffff) == 0)
		return EPT_INV_VPID_ZERO;
	/* Type 0: "IF (GL_ADDR is not in a canonical form) THEN VMfail(...)" */
	if (type == INVVPID_INDIVIDUAL_ADDR) {
		unsigned sh = 64 - la_width;
		if ((uint64_t)((int64_t)(desc_hi << sh) >> sh) != desc_hi)
			return EPT_INV_NONCANONICAL;
	}
	return EPT_INV_OK;
}

const char *ept_inv_rule_name(enum ept_inv_rule rule)
{
	switch (rule) {
	case EPT_INV_OK: return "ok";
	case EPT_INV_TYPE_UNSUPPORTED: return "SDM 31.3: type not supported";
	case EPT_INV_BAD_EPTP: return "SDM 31.3: INVEPT single-context, EPTP invalid";
	case EPT_INV_RSVD_DESC: return "SDM 31.3: INVVPID descriptor bits 63:16 set";
	case EPT_INV_VPID_ZERO: return "SDM 31.3: INVVPID VPID 0";
	case EPT_INV_NONCANONICAL: return "SDM 31.3: INVVPID non-canonical address";
	}
	return "?";
}

unsigned ept_inv_expected_error(enum ept_inv_rule rule)
{
	return rule == EPT_INV_OK ? 0 : VMXERR_INVALID_INVEPT_INVVPID_OPERAND;
}

/*
 * INVEPT / INVVPID in the order of their SDM 31.3 Operation sections
 * (see ept_model.h for the list).  The table is the order; ept_inv_expect()
 * walks it.
 */
const struct ept_inv_step_info ept_inv_steps[EPT_INV_STEP_NR] = {
	{ EPT_INV_STEP_UD_UNSUPPORTED, "ud-unsupported",
	  "SDM 31.3 #UD: EPT/VPID or INVEPT/INVVPID not supported (EPT_VPID_CAP bit 20/32)" },
	{ EPT_INV_STEP_UD_MODE, "ud-mode",
	  "SDM 31.3: IF (not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or "
	  "(IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD" },
	{ EPT_INV_STEP_VMEXIT, "vmexit", "SDM 31.3: ELSIF in VMX non-root operation THEN VM exit" },
	{ EPT_INV_STEP_GP_CPL, "gp-cpl", "SDM 31.3: ELSIF CPL > 0 THEN #GP(0)" },
	{ EPT_INV_STEP_TYPE, "type",
	  "SDM 31.3: IF IA32_VMX_EPT_VPID_CAP MSR indicates that processor does not support the type "
	  "THEN VMfail(Invalid operand to INVEPT/INVVPID)" },
	{ EPT_INV_STEP_DESC_READ, "desc-read",
	  "SDM 31.3: ELSE (the type is supported) INVEPT_DESC/INVVPID_DESC := value of bits 127:0 of the "
	  "memory operand: its faults (#GP(0) for a non-canonical address) come after the type check" },
	{ EPT_INV_STEP_DESC, "descriptor",
	  "SDM 31.3: descriptor checks (INVEPT single-context EPTP; INVVPID 63:16, VPID 0, canonical) "
	  "THEN VMfail(Invalid operand to INVEPT/INVVPID)" },
	{ EPT_INV_STEP_SUCCEED, "succeed", "SDM 31.3: invalidate; VMsucceed" },
};

bool ept_inv_insn_supported(const struct ept_caps *caps, bool invvpid)
{
	return invvpid ? caps->invvpid : caps->invept;
}

enum ept_inv_result ept_inv_expect(const struct ept_caps *caps,
				   const struct ept_inv_facts *f,
				   struct ept_inv_expect *out)
{
	unsigned i;

	out->rule = EPT_INV_OK;
	out->vm_insn_error = 0;
	for (i = 0; i < EPT_INV_STEP_NR; i++) {
		enum ept_inv_step s = ept_inv_steps[i].step;
		enum ept_inv_rule r = EPT_INV_OK;

		out->step = s;
		switch (s) {
		case EPT_INV_STEP_UD_UNSUPPORTED:
			if (f->unsupported)
				return out->result = EPT_INV_RES_UD;
			break;
		case EPT_INV_STEP_UD_MODE:
			if (f->not_vmx_mode)
				return out->result = EPT_INV_RES_UD;
			break;
		case EPT_INV_STEP_VMEXIT:
			if (f->non_root)
				return out->result = EPT_INV_RES_VMEXIT;
			break;
		case EPT_INV_STEP_GP_CPL:
			if (f->cpl > 0)
				return out->result = EPT_INV_RES_GP;
			break;
		case EPT_INV_STEP_TYPE:
		case EPT_INV_STEP_DESC:
			r = f->invvpid ? ept_invvpid_check(caps, f->type, f->desc_lo, f->desc_hi,
							   f->la_width ? f->la_width : 48)
				       : ept_invept_check(caps, f->type, f->desc_lo);
			/* The type check comes first in both checkers. */
			if (s == EPT_INV_STEP_TYPE ? r == EPT_INV_TYPE_UNSUPPORTED
						   : r != EPT_INV_OK) {
				out->rule = r;
				if (f->no_current_vmcs)
					return out->result = EPT_INV_RES_VMFAIL_INVALID;
				out->vm_insn_error = ept_inv_expected_error(r);
				return out->result = EPT_INV_RES_VMFAIL_VALID;
			}
			break;
		case EPT_INV_STEP_DESC_READ:
			if (f->desc_fault)
				return out->result = EPT_INV_RES_GP;
			break;
		case EPT_INV_STEP_SUCCEED:
		case EPT_INV_STEP_NR:
			break;
		}
	}
	out->step = EPT_INV_STEP_SUCCEED;
	return out->result = EPT_INV_RES_SUCCEED;
}

const char *ept_inv_result_name(enum ept_inv_result r)
{
	switch (r) {
	case EPT_INV_RES_SUCCEED: return "VMsucceed";
	case EPT_INV_RES_UD: return "#UD";
	case EPT_INV_RES_VMEXIT: return "VM exit";
	case EPT_INV_RES_GP: return "#GP(0)";
	case EPT_INV_RES_VMFAIL_INVALID: return "VMfailInvalid";
	case EPT_INV_RES_VMFAIL_VALID: return "VMfailValid(28)";
	}
	return "?";
}
