/*
 * ept_model: a pure model of Intel EPT translation (SDM Vol. 3C 29.3),
 * the EPT-violation exit qualification (SDM 28.2.1, Table 28-7), the EPTP
 * VM-entry checks (SDM 26.2.1.1) and the INVEPT/INVVPID operand checks
 * (SDM 31.3).  The guest-paging half of the two-dimensional walk is in
 * paging_model.h.
 *
 * WHAT IT TAKES
 *   struct ept_model: the processor's capabilities (struct ept_caps, from
 *   ept_caps_from_msrs() or set by hand), the EPTP, the VM-execution
 *   controls that change EPT (struct ept_controls), and an accessor
 *   read(ctx, hpa) returning the 64-bit EPT entry at a host-physical
 *   address.  The model only ever reads through it; it never writes, so
 *   it walks the very tables a test built and predicts what the processor
 *   does to them.
 *   struct ept_access: one guest-physical access: GPA, kind (data read,
 *   write, instruction fetch, read-modify-write, guest paging-structure
 *   read, guest A/D update, PAE PDPTE load), and for linear accesses the
 *   GLA, whether it is valid, and the guest paging attributes of the
 *   linear address (user/supervisor, writable, execute-disable).  Whether
 *   the access is "the translation of a linear address" (qualification
 *   bit 8) follows from the kind.
 *
 * WHAT IT RETURNS (struct ept_outcome), exactly one of
 *   EPT_OUTCOME_TRANSLATION  HPA, leaf level and page size, the leaf's EPT
 *                            memory type and IPAT, and the EPT entries
 *                            whose accessed/dirty flags the processor sets
 *                            (only when EPTP bit 6 enables them).
 *   EPT_OUTCOME_VIOLATION    exit qualification, qual_mask (the bits the
 *                            SDM defines for this case), GPA (+gpa_mask),
 *                            GLA and whether the GLA field is valid.
 *   EPT_OUTCOME_MISCONFIG    the entry (HPA, value, level) and the rule
 *                            (enum ept_misconfig_rule; ept_misconfig_rule_name()).
 *   EPT_OUTCOME_GUEST_FAULT  (linear walks only) the guest's own paging
 *                            faulted first: vector, error code, CR2.
 *   EPT_OUTCOME_UNMODELED    the case depends on something the model does
 *                            not predict (a GPA above bit 47 under a
 *                            4-level EPT); a test must skip it
 *                            (o.unmodeled says why).
 *   EPT_OUTCOME_SPP_EVENT    a write SPP decided met an SPPT miss or
 *                            misconfiguration: exit 66, o.spp (spp_model.h);
 *                            a write SPP allows is a translation, one it
 *                            denies a violation.
 *
 * HOW THE MASK WORKS
 *   A test compares (got ^ o.violation.qual) & o.violation.qual_mask == 0.
 *   A bit is in the mask iff the SDM defines its value for this exit; every
 *   bit the SDM leaves undefined or implementation-specific is cleared, and
 *   the one function that builds the qualification (ept_qualification() in
 *   ept_model.c) says, next to each decision, which SDM sentence allows it.
 *   Bits 63:17 are reserved (cleared to 0) and stay in the mask.  Bit 8
 *   with bit 7 = 0 is "reserved (cleared to 0)" in Table 28-7, so it is
 *   compared as 0, not masked.  A PDPTE load also masks GPA bits 4:0
 *   (o.violation.gpa_mask, o.misconfig.gpa_mask): compare
 *   (got ^ gpa) & gpa_mask == 0.
 *
 * BUILD: the kernels link lib/x86/ept_model.c and lib/x86/paging_model.c.
 * Stack: ept_model_access() ~100 bytes; ept_model_linear() ~2 KB.
 *
 * WHERE THE RULES LIVE (ept_model.c)
 *   - presence of an entry ............... ept_entry_present()      29.3.2
 *   - every misconfiguration rule ......... ept_entry_misconfig()    29.3.3.1
 *   - misconfiguration vs violation ....... ept_model_access()       29.3.3
 *   - every permission rule ............... ept_access_allowed()     29.3.3.2
 *   - supervisor shadow-stack pages ....... ept_sss_applies/allowed() 29.3.3.2
 *   - exit qualification and its mask ..... ept_qualification()      28.2.1
 *   - accessed and dirty flags ............ ept_ad_updates()         29.3.5
 *   - EPT/PAT memory type, CR0.CD ......... ept_effective_memtype()  29.3.7.2
 *   - EPT paging-structure memory type .... ept_paging_memtype()     29.3.7.1
 *   - EPTP at VM entry .................... ept_eptp_check()         26.2.1.1
 *   - INVEPT / INVVPID operands ........... ept_invept_check() etc.  31.3
 *   - INVEPT / INVVPID step order ......... ept_inv_steps[], ept_inv_expect()  31.3
 *   - qualification bit names ............. ept_qual_bits[]          Table 28-7
 *   - page-modification logging ........... pml_model.h              29.3.6
 *
 * Pure C: no I/O, no global mutable state, no allocation.  Builds
 * freestanding (only <stdint.h>, <stdbool.h>, <stddef.h>) and hosted.
 */
#ifndef LIB_X86_EPT_MODEL_H
#define LIB_X86_EPT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmx_arch.h"
#include "spp_model.h"

#define EPT_MAX_LEVELS  5
/* Distinct EPT entries a whole two-dimensional walk can touch:
 * 5 EPT levels x (5 guest levels + final access). */
#define EPT_AD_MAX      32
/* ept_expected_exit_reason() for outcomes that cause no VM exit. */
#define EPT_EXIT_NONE   UINT64_MAX

struct ept_caps {
	uint8_t maxphyaddr;             /* CPUID.80000008H:EAX[7:0] */
	bool exec_only;                 /* EPT_VPID_CAP bit 0 */
	bool walk4, walk5;              /* bits 6, 7 */
	bool memtype_uc, memtype_wb;    /* bits 8, 14 */
	bool page_2m, page_1g;          /* bits 16, 17 */
	bool ad;                        /* bit 21 */
	bool adv_exit_info;             /* bit 22 */
	bool sss;                       /* bit 23: supervisor shadow stack */
	bool invept, invept_single, invept_all;                 /* 20, 25, 26 */
	bool invvpid, invvpid_addr, invvpid_single, invvpid_all,
	     invvpid_single_nonglobal;                          /* 32, 40-43 */
	bool mbec;                      /* PROCBASED_CTLS2 allowed-1 bit 22 */
	bool ve;                        /* allowed-1 bit 18 */
	bool spp;                       /* allowed-1 bit 23 */
};

/*
 * ept_vpid_cap: IA32_VMX_EPT_VPID_CAP.  procbased2_allowed1: the allowed-1
 * settings of the secondary controls, i.e. bits 63:32 of
 * IA32_VMX_PROCBASED_CTLS2 shifted down (a CPU2_* mask).
 */
struct ept_caps ept_caps_from_msrs(uint64_t ept_vpid_cap,
				   uint64_t procbased2_allowed1,
				   unsigned maxphyaddr);

struct ept_controls {
	bool mbec;              /* "mode-based execute control for EPT" */
	bool ve;                /* "EPT-violation #VE" */
	bool spp;               /* "sub-page write permissions for EPT" */
	uint64_t spptp;         /* SPP-table pointer (spp_model.h) */
	bool nmi_exiting;       /* pin-based, for qualification bit 12 */
	bool virtual_nmis;
};

struct ept_model {
	struct ept_caps caps;
	uint64_t eptp;          /* A/D (bit 6) and SSS (bit 7) come from here */
	struct ept_controls ctl;
	uint64_t (*read)(void *ctx, uint64_t hpa);
	void *ctx;
};

enum ept_access_kind {
	EPT_ACCESS_READ = 1,    /* data read */
	EPT_ACCESS_WRITE,       /* data write */
	EPT_ACCESS_FETCH,       /* instruction fetch */
	EPT_ACCESS_RMW,         /* read-modify-write (locked op, XCHG...) */
	EPT_ACCESS_PAGING,      /* read of a guest paging-structure entry */
	EPT_ACCESS_PAGING_AD,   /* guest A/D-flag update of such an entry */
	EPT_ACCESS_PDPTE_LOAD,  /* PAE PDPTE load by MOV to CR0/CR3/CR4 */
};

struct ept_access {
	uint64_t gpa;
	enum ept_access_kind kind;
	uint64_t gla;
	bool gla_valid;         /* forced false for EPT_ACCESS_PDPTE_LOAD */
	/* Guest paging attributes of the linear address (qualification bits
	 * 9-11); with CR0.PG = 0: user = writable = true, xd = false.
	 * `user` also selects XU vs XS for fetches under MBEC. */
	bool user, writable, xd;
	bool shadow_stack;      /* a shadow-stack access (qualification bit 13) */
	/* The access is a user-mode one (CPL 3, or WRUSS: Vol. 3A 4.6.1),
	 * as opposed to `user`, the mode of the address.  For shadow-stack
	 * accesses it says whether the supervisor shadow-stack rule of EPTP
	 * bit 7 applies (ept_model.c, ept_sss_applies()). */
	bool user_access;
	bool iret_nmi_unblock;  /* IRET executed while NMI(-virtual) blocked */
	bool event_delivery;    /* exit during event delivery: bit 12 undefined */
	uint8_t size;           /* bytes written (SPP sub-pages); 0 counts as 1 */
};

enum ept_outcome_kind {
	EPT_OUTCOME_TRANSLATION = 1,
	EPT_OUTCOME_VIOLATION,
	EPT_OUTCOME_MISCONFIG,
	EPT_OUTCOME_GUEST_FAULT,
	EPT_OUTCOME_UNMODELED,
	EPT_OUTCOME_SPP_EVENT,          /* SPPT miss/misconfiguration: exit 66 (o.spp) */
};

enum ept_misconfig_rule {
	EPT_MC_NONE = 0,
	EPT_MC_WRITE_ONLY,              /* bits 2:0 = 010b */
	EPT_MC_WRITE_EXEC,              /* bits 2:0 = 110b */
	EPT_MC_EXEC_ONLY_UNSUPPORTED,   /* bits 2:0 = 100b, no EPT_CAP_EXEC_ONLY */
	EPT_MC_RSVD_PHYS,               /* a bit in 51:MAXPHYADDR */
	EPT_MC_RSVD_PML_7_3,            /* PML5E/PML4E bits 7:3 (incl. bit 7) */
	EPT_MC_RSVD_NONLEAF_6_3,        /* PDPTE/PDE referencing a table: 6:3 */
	EPT_MC_LARGE_UNSUPPORTED,       /* bit 7 of PDPTE/PDE, no 1G/2M cap */
	EPT_MC_RSVD_1G_29_12,           /* 1-GByte leaf bits 29:12 */
	EPT_MC_RSVD_2M_20_12,           /* 2-MByte leaf bits 20:12 */
	EPT_MC_MEMTYPE,                 /* leaf memory type 2, 3 or 7 */
	EPT_MC_NR
};

enum ept_unmodeled_reason {
	EPT_UNMODELED_NONE = 0,
	EPT_UNMODELED_GPA_ABOVE_48,     /* 4-level EPT, GPA bits 51:48 not all 0 */
};
const char *ept_unmodeled_reason_name(enum ept_unmodeled_reason r);

struct ept_ad_update {
	uint64_t hpa;           /* of the EPT entry */
	uint8_t level;
	bool set_a, set_d;      /* flags that must be 1 after the access */
};

struct ept_translation {
	uint64_t hpa;
	uint8_t level;          /* enum ept_level of the leaf */
	uint64_t page_size;
	uint64_t leaf;          /* the leaf entry's value */
	uint8_t memtype;        /* leaf bits 5:3 */
	bool ipat;
	uint8_t nr_ad;
	struct ept_ad_update ad[EPT_AD_MAX];
};

struct ept_violation {
	uint64_t qual, qual_mask;
	uint64_t gpa, gpa_mask;
	uint64_t gla;
	bool gla_valid;
	uint8_t level;          /* level of the entry that stopped the walk,
				   or of the leaf for a permission violation */
	uint64_t entry_hpa, entry;
	bool ve_convertible;    /* "EPT-violation #VE" = 1 and suppress-#VE
				   (bit 63 of that entry) = 0; the caller adds
				   the other SDM 26.5.7.1 conditions (busy word) */
};

struct ept_misconfig {
	uint64_t gpa;
	uint64_t gpa_mask;      /* GPA bits the SDM defines: ~0x1f for a PAE
				   PDPTE load (any of the four PDPTEs), else ~0 */
	uint64_t entry_hpa, entry;
	uint8_t level;
	enum ept_misconfig_rule rule;
};

struct ept_guest_fault {
	uint8_t vector;         /* 14 = #PF, 13 = #GP */
	uint32_t error_code;
	uint64_t cr2;
	uint8_t level;          /* guest paging level that faulted (0: none) */
};

/*
 * The model's rules, each with a stable name: every outcome carries the
 * rules that decided it (struct ept_outcome.rules, bit EPT_RULE_x), so a
 * known-deviation entry can name a rule (rule=NAME) instead of check ids,
 * and the fuzzer (x86/ept/ept_fuzz.c) counts how often each decided.
 * Names are part of the deviation-list contract: never rename one.  A new
 * rule: one line here (at most 64 in all) and EPT_RULE(X) in o->rules
 * where the model decides by it (ept_model.c, paging_model.c).
 */
#define EPT_RULES(X)								\
	X(TRANS_4K,          "translation.4k",            "29.3.2: a PTE maps a 4-KByte page") \
	X(TRANS_2M,          "translation.2m",            "29.3.2: a PDE with bit 7 maps a 2-MByte page") \
	X(TRANS_1G,          "translation.1g",            "29.3.2: a PDPTE with bit 7 maps a 1-GByte page") \
	X(NOT_PRESENT,       "violation.not-present",     "29.3.2: bits 2:0 (and XU under MBEC) all 0: walk ends") \
	X(VIOL_READ,         "violation.read",            "29.3.3.2: a data read (or guest paging read) without bit 0") \
	X(VIOL_WRITE,        "violation.write",           "29.3.3.2: a data write or RMW without bit 1") \
	X(VIOL_FETCH,        "violation.fetch",           "29.3.3.2: an instruction fetch without bit 2 (XS)") \
	X(VIOL_FETCH_USER,   "violation.fetch-user",      "29.3.3.2: MBEC: a fetch from a user-mode address without bit 10 (XU)") \
	X(VIOL_PAGING_WRITE, "violation.paging-write",    "29.3.3.2: EPT A/D on: a guest paging-structure access without bit 1") \
	X(VIOL_GUEST_AD,     "violation.guest-ad-update", "29.3.3.2: a guest A/D-flag update (a data write) without bit 1") \
	X(VIOL_PDPTE_LOAD,   "violation.pdpte-load",      "29.3.3.2: a PAE PDPTE load (a read, never for lack of bit 1)") \
	X(VE_CONVERTIBLE,    "violation.ve-convertible",  "26.5.7.1/29.3.2: EPT-violation #VE on and suppress-#VE 0") \
	X(VE_SUPPRESSED,     "violation.ve-suppressed",   "29.3.2: EPT-violation #VE on and suppress-#VE (bit 63) 1") \
	X(MC_WRITE_ONLY,     "misconfig.write-only",      "29.3.3.1: bits 2:0 = 010b") \
	X(MC_WRITE_EXEC,     "misconfig.write-exec",      "29.3.3.1: bits 2:0 = 110b") \
	X(MC_EXEC_ONLY,      "misconfig.exec-only",       "29.3.3.1: bits 2:0 = 100b without execute-only support") \
	X(MC_RSVD_PHYS,      "misconfig.reserved-phys",   "29.3.3.1: a bit in 51:MAXPHYADDR") \
	X(MC_PML_7_3,        "misconfig.pml-reserved",    "29.3.2 Tables 29-1/29-2: PML5E/PML4E bits 7:3") \
	X(MC_NONLEAF_6_3,    "misconfig.nonleaf-reserved", "29.3.2 Tables 29-4/29-6: PDPTE/PDE referencing a table, bits 6:3") \
	X(MC_LARGE_UNSUP,    "misconfig.large-unsupported", "29.3.2: bit 7 of a PDPTE/PDE without 1G/2M support") \
	X(MC_1G_RSVD,        "misconfig.leaf-reserved.1g", "29.3.2 Table 29-3: 1-GByte leaf bits 29:13") \
	X(MC_1G_BIT12,       "misconfig.leaf-reserved.1g.bit12", "29.3.2 Table 29-3: 1-GByte leaf bit 12 alone (no PAT bit in EPT)") \
	X(MC_2M_RSVD,        "misconfig.leaf-reserved.2m", "29.3.2 Table 29-5: 2-MByte leaf bits 20:13") \
	X(MC_2M_BIT12,       "misconfig.leaf-reserved.2m.bit12", "29.3.2 Table 29-5: 2-MByte leaf bit 12 alone (no PAT bit in EPT)") \
	X(MC_MEMTYPE,        "misconfig.memtype",         "29.3.3.1: leaf memory type 2, 3 or 7") \
	X(QUAL_RMW_READ,     "qual.rmw-read-undefined",   "28.2.1: RMW violation, bit 0 implementation-specific") \
	X(QUAL_PAGING_RW,    "qual.paging-ad-read-write", "28.2.1 Table 28-7 note: EPT A/D on, guest paging access: bits 0 and 1") \
	X(QUAL_AD_READ,      "qual.ad-update-read-undefined", "28.2.1: A/D off, guest A/D update (locked RMW): bit 0 implementation-specific") \
	X(QUAL_BIT6_UNDEF,   "qual.bit6-undefined",       "28.2.1: bit 6 undefined without MBEC") \
	X(QUAL_GLA_INVALID,  "qual.gla-invalid",          "28.2.1: bit 7 clear (PDPTE load), bit 8 reserved 0") \
	X(QUAL_PAGING_ENTRY, "qual.paging-entry",         "28.2.1: bit 8 clear: guest paging-structure access or A/D update") \
	X(QUAL_TRANSLATED,   "qual.translated",           "28.2.1: bit 8 set: the translation of a linear address") \
	X(QUAL_ADV_INFO,     "qual.adv-info",             "28.2.1: bits 9-11 defined (EPT_VPID_CAP bit 22, bit 8 = 1)") \
	X(QUAL_ADV_UNDEF,    "qual.adv-info-undefined",   "28.2.1: bits 9-11 undefined") \
	X(QUAL_BIT12_UNDEF,  "qual.bit12-undefined",      "28.2.1: bit 12 undefined (NMI exiting without virtual NMIs, or event delivery)") \
	X(QUAL_NMI_UNBLOCK,  "qual.nmi-unblocking",       "28.2.1: bit 12 set: IRET unblocked NMIs") \
	X(QUAL_SHADOW_STACK, "qual.shadow-stack",         "28.2.1: bit 13: shadow-stack access") \
	X(QUAL_BIT14_UNDEF,  "qual.bit14-undefined",      "28.2.1: bit 14 undefined (EPTP bit 7 = 0, or no leaf reached)") \
	X(QUAL_PDPTE_GPA,    "qual.pdpte-gpa-4-0",        "27.2.1: PDPTE load: GPA bits 4:0 not defined") \
	X(AD_EPT_A,          "ad.ept-accessed",           "29.3.5: EPT accessed flags of a completed translation") \
	X(AD_EPT_D,          "ad.ept-dirty",              "29.3.5: EPT dirty flag of a write's leaf (guest paging accesses count as writes)") \
	X(SPP_DECIDES,       "spp.write",                 "29.3.4: SPP decides an eligible write") \
	X(UNMODELED,         "unmodeled",                 "the model does not predict the case (GPA above bit 47)") \
	X(GUEST_GP_CANON,    "guest.gp-noncanonical",     "Vol. 3A 4.5: a non-canonical linear address: #GP") \
	X(GUEST_PF_NP,       "guest.pf-not-present",      "Vol. 3A 4.7: a guest paging-structure entry not present: #PF") \
	X(GUEST_PF_PDPTE,    "guest.pf-pdpte-not-present", "Vol. 3A 4.4.2: PAE PDPTE register not present: #PF") \
	X(GUEST_PF_RSVD,     "guest.pf-reserved",         "Vol. 3A 4.7: a reserved bit in a guest entry: #PF RSVD") \
	X(GUEST_PF_USER,     "guest.pf-user",             "Vol. 3A 4.6: user access to a supervisor address, or user write/fetch not allowed") \
	X(GUEST_PF_WP,       "guest.pf-write-protect",    "Vol. 3A 4.6: supervisor write to a read-only address with CR0.WP = 1") \
	X(GUEST_PF_XD,       "guest.pf-execute-disable",  "Vol. 3A 4.6: fetch from an execute-disable address") \
	X(GUEST_PF_SMEP,     "guest.pf-smep",             "Vol. 3A 4.6: supervisor fetch from a user-mode address with CR4.SMEP") \
	X(GUEST_PF_SMAP,     "guest.pf-smap",             "Vol. 3A 4.6: supervisor data access to a user-mode address with CR4.SMAP") \
	X(GUEST_PF_PK,       "guest.pf-pkey",             "Vol. 3A 4.6.2: protection key denies the access") \
	X(GUEST_PF_SS,       "guest.pf-shadow-stack",     "Vol. 3A 4.6.1: a shadow-stack access to an address that is no shadow-stack page of its mode") \
	X(GUEST_AD_UPDATE,   "guest.ad-update",           "Vol. 3A 4.8: the walk sets guest A/D flags (data writes through EPT)") \
	X(GUEST_GP_PDPTE,    "guest.gp-pdpte-reserved",   "Vol. 3A 4.4.1: PAE PDPTE load with a reserved bit: #GP(0)") \
	X(SSS_DECIDES,       "sss.supervisor-shadow-stack", "29.3.3.2: EPTP bit 7 = 1: a supervisor shadow-stack access needs bit 0 in every entry, bit 1 in every entry but the leaf, bit 60 in the leaf")

enum ept_rule {
#define EPT_RULE_ENUM(e, name, sdm) EPT_RULE_##e,
	EPT_RULES(EPT_RULE_ENUM)
#undef EPT_RULE_ENUM
	EPT_RULE_NR
};
#define EPT_RULE(e) (1ull << EPT_RULE_##e)
/* The stable name ("misconfig.memtype") and the SDM rule of each. */
extern const char *const ept_rule_names[EPT_RULE_NR];
extern const char *const ept_rule_sdm[EPT_RULE_NR];

struct ept_outcome {
	enum ept_outcome_kind kind;
	uint64_t rules;         /* EPT_RULE() bits of the rules that decided it */
	struct ept_translation translation;
	struct ept_violation violation;
	struct ept_misconfig misconfig;
	struct ept_guest_fault guest_fault;
	enum ept_unmodeled_reason unmodeled;
	struct spp_walk spp;    /* a write SPP decided (spp_model.h) */
	/* linear walks: index in the trace of the access that decided the
	 * outcome, and whether another order the SDM allows (guest A/D updates
	 * are not ordered against later reads) could give a different one. */
	uint8_t step;
	bool order_ambiguous;
};

/* Translate one guest-physical access.  Returns o->kind. */
enum ept_outcome_kind ept_model_access(const struct ept_model *m,
				       const struct ept_access *a,
				       struct ept_outcome *o);

const char *ept_misconfig_rule_name(enum ept_misconfig_rule rule);

/* The bits of an EPT-violation exit qualification, SDM 28.2.1 Table 28-7:
 * bit i at index i; bits 63:17 are reserved (cleared to 0).  defined_if is
 * NULL when the bit is always defined, else the condition under which it
 * has its meaning and what it is otherwise (ept_qualification() applies
 * exactly these conditions). */
#define EPT_QUAL_NR_BITS 17
struct ept_qual_bit_info {
	const char *name;
	const char *defined_if;
};
extern const struct ept_qual_bit_info ept_qual_bits[EPT_QUAL_NR_BITS];
const char *ept_outcome_kind_name(enum ept_outcome_kind kind);

/* EXIT_REASON_EPT_VIOLATION (48), EXIT_REASON_EPT_MISCONFIG (49), or
 * EPT_EXIT_NONE.  A convertible violation still returns 48: whether #VE is
 * delivered also depends on the #VE information area (SDM 26.5.7.1). */
uint64_t ept_expected_exit_reason(const struct ept_outcome *o);

/* Effective memory type of a translation with EPT (SDM 29.3.7.2): UC if
 * the guest's CR0.CD = 1; else the EPT type if IPAT, else the EPT type
 * combined with the guest PAT type as the MTRR type would be (SDM 12.5.2.2,
 * Table 12-7).  Returns 0xff for a reserved input. */
uint8_t ept_effective_memtype(uint8_t ept_type, bool ipat, uint8_t pat_type,
			      bool cr0_cd);
/* Memory type of the processor's accesses to the EPT paging structures
 * (SDM 29.3.7.1): UC if CR0.CD = 1, else EPTP bits 2:0. */
uint8_t ept_paging_memtype(uint64_t eptp, bool cr0_cd);
const char *ept_memtype_name(uint8_t type);

/* ---- VM-entry check of the EPTP (SDM 26.2.1.1) ---- */
enum ept_eptp_rule {
	EPT_EPTP_OK = 0,
	EPT_EPTP_MEMTYPE,               /* bits 2:0 not a supported UC/WB */
	EPT_EPTP_WALK_LENGTH,           /* bits 5:3 not 3 (4-level) / 4 (5-level) as supported */
	EPT_EPTP_AD_UNSUPPORTED,        /* bit 6 set without EPT_CAP_AD */
	EPT_EPTP_RSVD_11_7,             /* bits 11:8, or bit 7 without SSS cap */
	EPT_EPTP_RSVD_PHYS,             /* bits 63:MAXPHYADDR */
};
enum ept_eptp_rule ept_eptp_check(const struct ept_caps *caps, uint64_t eptp);
const char *ept_eptp_rule_name(enum ept_eptp_rule rule);

/* ---- INVEPT / INVVPID operands (SDM 31.3 instruction pages) ---- */
enum ept_inv_rule {
	EPT_INV_OK = 0,
	EPT_INV_TYPE_UNSUPPORTED,       /* type not reported by EPT_VPID_CAP */
	EPT_INV_BAD_EPTP,               /* single-context: EPTP fails 26.2.1.1 */
	EPT_INV_RSVD_DESC,              /* INVVPID descriptor bits 63:16 */
	EPT_INV_VPID_ZERO,              /* VPID 0 with type 0, 1 or 3 */
	EPT_INV_NONCANONICAL,           /* individual-address, bad address */
};
/* desc_lo = descriptor bits 63:0 (the EPTP); bits 127:64 are not checked
 * by the INVEPT operation pseudocode, so they are not an input. */
enum ept_inv_rule ept_invept_check(const struct ept_caps *caps,
				   uint64_t type, uint64_t desc_lo);
/* la_width: linear-address width canonicality is checked against (48, or
 * 57 on processors with 5-level paging). */
enum ept_inv_rule ept_invvpid_check(const struct ept_caps *caps,
				    uint64_t type, uint64_t desc_lo,
				    uint64_t desc_hi, unsigned la_width);
const char *ept_inv_rule_name(enum ept_inv_rule rule);
/* 0 for success, else VMXERR_INVALID_INVEPT_INVVPID_OPERAND (VMfailValid). */
unsigned ept_inv_expected_error(enum ept_inv_rule rule);

/*
 * INVEPT / INVVPID step by step (SDM 31.3, each instruction's "Operation"
 * pseudocode and exception lists).  The steps, in the order the processor
 * takes them; the first that fails decides the result:
 *   1. #UD: the instruction is not supported (listed under #UD: INVEPT
 *      needs EPT_VPID_CAP bit 20 (and the "enable EPT" control allowed-1),
 *      INVVPID bit 32 (and "enable VPID")); a decode-time condition.
 *   2. #UD: not in VMX operation, CR0.PE = 0, RFLAGS.VM = 1, or
 *      IA32_EFER.LMA = 1 and CS.L = 0.
 *   3. VM exit: in VMX non-root operation.
 *   4. #GP(0): CPL > 0.
 *   5. VMfail: the type is not supported (EPT_VPID_CAP).
 *   6. VMfail: the descriptor (INVEPT single-context: the EPTP would fail
 *      VM entry; INVVPID: bits 63:16, then VPID 0, then a non-canonical
 *      address) -- ept_invept_check() / ept_invvpid_check().
 *   7. VMsucceed.
 * "VMfail" is VMfailValid(28) when there is a current VMCS and
 * VMfailInvalid when there is none (SDM 31.2, "VMfail(ErrorNumber)").  The
 * pseudocode has no separate check for a current VMCS: with none, a valid
 * INVEPT/INVVPID succeeds.  Faults on reading the memory operand (#GP,
 * #SS, #PF) are not ordered by the pseudocode against step 5 and are not
 * an input here: the caller passes a readable descriptor.
 */
enum ept_inv_step {
	EPT_INV_STEP_UD_UNSUPPORTED = 0,
	EPT_INV_STEP_UD_MODE,
	EPT_INV_STEP_VMEXIT,
	EPT_INV_STEP_GP_CPL,
	EPT_INV_STEP_TYPE,
	EPT_INV_STEP_DESC_READ,
	EPT_INV_STEP_DESC,
	EPT_INV_STEP_SUCCEED,
	EPT_INV_STEP_NR
};

enum ept_inv_result {
	EPT_INV_RES_SUCCEED = 0,        /* VMsucceed: CF = ZF = 0 */
	EPT_INV_RES_UD,                 /* #UD */
	EPT_INV_RES_VMEXIT,             /* VM exit (non-root) */
	EPT_INV_RES_GP,                 /* #GP(0) */
	EPT_INV_RES_VMFAIL_INVALID,     /* CF = 1: no current VMCS */
	EPT_INV_RES_VMFAIL_VALID,       /* ZF = 1, VM-instruction error 28 */
};

struct ept_inv_step_info {
	enum ept_inv_step step;
	const char *name;               /* short, for check ids: "ud-unsupported" */
	const char *sdm;                /* the pseudocode line or exception entry */
};
/* The steps in order (EPT_INV_STEP_NR entries, step i at index i). */
extern const struct ept_inv_step_info ept_inv_steps[EPT_INV_STEP_NR];

/* Every fact the result depends on.  Zero-initialised facts describe a
 * supported instruction in VMX root operation, CPL 0, protected 64-bit mode,
 * with a current VMCS and type 0. */
struct ept_inv_facts {
	bool invvpid;           /* false: INVEPT */
	bool unsupported;       /* step 1: cap bit 20 (32), or the control, is 0 */
	bool not_vmx_mode;      /* step 2 */
	bool non_root;          /* step 3 */
	unsigned cpl;           /* step 4 */
	bool no_current_vmcs;   /* how a VMfail is reported */
	uint64_t type;          /* register operand */
	uint64_t desc_lo, desc_hi;
	bool desc_fault;        /* reading the memory operand faults (its
				   address is not canonical: #GP(0)) */
	unsigned la_width;      /* INVVPID canonicality: 48 or 57 (0 = 48) */
};

struct ept_inv_expect {
	enum ept_inv_step step;         /* the first step that fails, or SUCCEED */
	enum ept_inv_rule rule;         /* steps TYPE and DESC: which operand rule */
	enum ept_inv_result result;
	unsigned vm_insn_error;         /* 28 for VMFAIL_VALID, else 0 */
};

/* The expected result of one INVEPT/INVVPID.  Returns out->result. */
enum ept_inv_result ept_inv_expect(const struct ept_caps *caps,
				   const struct ept_inv_facts *f,
				   struct ept_inv_expect *out);
/* IA32_VMX_EPT_VPID_CAP bit 20 (INVEPT) or 32 (INVVPID); the caller also
 * needs the "enable EPT" / "enable VPID" control's allowed-1 setting. */
bool ept_inv_insn_supported(const struct ept_caps *caps, bool invvpid);
const char *ept_inv_result_name(enum ept_inv_result r);

/* The EPT entries the walk for gpa reads (SDM 29.3.2), top level first,
 * ending with a not-present entry, a misconfigured one or the leaf; for
 * tools and for listing which flags an access may touch.  Returns the
 * number of entries.  (A 4-level walk uses GPA bits 47:0 only here.) */
struct ept_walk_entry {
	uint64_t hpa, value;
	uint8_t level;
};
unsigned ept_walk_entries(const struct ept_model *m, uint64_t gpa,
			  struct ept_walk_entry out[EPT_MAX_LEVELS]);

/* Helpers shared with paging_model.c (and useful to tests). */
static inline uint64_t ept_phys_mask(unsigned maxphyaddr)
{
	return maxphyaddr >= 64 ? ~0ull : (1ull << maxphyaddr) - 1;
}
bool ept_entry_present(const struct ept_model *m, uint64_t e);
/* Whether exit-qualification bit 12 (NMI unblocking due to IRET) is defined
 * for an EPT violation or PML-full exit (SDM 28.2.1, 28.2.3). */
bool ept_nmi_unblock_defined(const struct ept_controls *ctl, bool event_delivery);
enum ept_misconfig_rule ept_entry_misconfig(const struct ept_model *m,
					    uint64_t e, unsigned level);

#endif
