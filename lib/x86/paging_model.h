/*
 * paging_model: the guest-paging half of the two-dimensional walk
 * (guest paging: SDM Vol. 3A chapter 4; each guest-physical access it makes
 * goes through ept_model_access(), SDM Vol. 3C 29.3.3).
 *
 * ept_model_linear() takes the guest's CR0/CR3/CR4/EFER (and, for PAE, the
 * PDPTE registers) and one linear access, and lists the guest-physical
 * accesses in the order the model assumes the processor makes them:
 *   1. each guest paging-structure entry, top level first
 *      (EPT_ACCESS_PAGING; PAE PDPTEs are registers, not read here);
 *   2. the guest A/D updates, top level first, the leaf's A and D in one
 *      update (EPT_ACCESS_PAGING_AD);
 *   3. the final access.
 * It returns the first outcome that stops the access: an EPT violation or
 * misconfiguration on one of those accesses, a guest #PF (or #GP for a
 * non-canonical address) when the guest's own tables fault first, or the
 * translation of the final access (with the EPT A/D updates of the whole
 * walk merged).  o->step indexes the trace entry that decided it.
 *
 * The SDM does not order guest A/D updates against later reads of the
 * walk, against each other, or against the EPT check of the final access;
 * o->order_ambiguous is set when another order could stop the access at a
 * different place (e.g. a failing A/D write and a failing final access),
 * and a test must then not compare the outcome.
 *
 * Guest modes: 4-level and 5-level (CR4.LA57), PAE, 32-bit (4-MByte pages
 * with CR4.PSE), and CR0.PG = 0 (unrestricted guest: GPA = linear address).
 * Shadow-stack accesses (CR4.CET = 1): the access-rights rule of
 * shadow-stack pages (Vol. 3A 4.6.1) and the #PF error code's SS flag;
 * the caller passes only accesses that happen (CR4.CET = 1, shadow
 * stacks enabled at that CPL).
 * Not modeled: PCIDE effects (none on a walk), CR4.PKS, protection keys
 * of a user-mode shadow-stack access (the key is checked as for a data
 * access), HLAT, SGX.  CR0.CD is taken as 0.
 */
#ifndef LIB_X86_PAGING_MODEL_H
#define LIB_X86_PAGING_MODEL_H

#include "ept_model.h"

struct guest_state {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t pdpte[4];      /* PAE: the PDPTE registers */
	uint32_t pkru;          /* CR4.PKE */
	bool rflags_ac;         /* SMAP override for explicit accesses */
	bool gbpages;           /* CPUID.80000001H:EDX[26] as the guest sees it */
	/* Guest MAXPHYADDR is the model's caps.maxphyaddr. */
};

enum linear_kind {
	LINEAR_READ = 1,
	LINEAR_WRITE,
	LINEAR_FETCH,
	LINEAR_RMW,
};

struct linear_access {
	uint64_t gla;
	enum linear_kind kind;
	bool user;              /* CPL = 3, or WRUSS (a user-mode access) */
	bool shadow_stack;      /* a shadow-stack access (CALL/RET, WRSS,
				   INCSSP, ...): kind READ or WRITE */
	bool implicit;          /* implicit supervisor access (GDT, ...) */
	bool iret_nmi_unblock, event_delivery;  /* qualification bit 12 */
	uint8_t size;           /* bytes of the final access (SPP); 0: 1 */
};

#define EPT_TRACE_MAX   16
struct ept_trace_entry {
	uint64_t gpa;
	enum ept_access_kind kind;
	uint8_t guest_level;    /* 0 for the final access */
	bool set_a, set_d;      /* EPT_ACCESS_PAGING_AD: guest flags set */
	bool user;              /* final access: user-mode linear address
				   (selects XU vs XS for fetches under MBEC) */
};
struct ept_trace {
	uint8_t n;
	struct ept_trace_entry e[EPT_TRACE_MAX];
};

/* Page-fault error code bits (SDM Vol. 3A 4.7). */
#define PFEC_P          BIT(0)
#define PFEC_W          BIT(1)
#define PFEC_U          BIT(2)
#define PFEC_RSVD       BIT(3)
#define PFEC_I          BIT(4)
#define PFEC_PK         BIT(5)
#define PFEC_SS         BIT(6)
#define GUEST_VECTOR_GP 13
#define GUEST_VECTOR_PF 14

/* trace may be NULL. Returns o->kind. */
enum ept_outcome_kind ept_model_linear(const struct ept_model *m,
				       const struct guest_state *g,
				       const struct linear_access *la,
				       struct ept_outcome *o,
				       struct ept_trace *trace);

/*
 * The memory references of a two-dimensional walk, in order (issue 9's
 * trace): for each of the first `upto` guest-physical accesses of a trace,
 * the EPT entries its walk reads, top first (ept_walk_entries()), then, for
 * a guest paging-structure read that translated, the read of the guest
 * entry itself (ept_level 0, hpa = where it is).  Guest A/D writes are not
 * references of the walk and are left out; the final data access adds its
 * EPT entries only.  For a complete walk of N guest levels over M EPT
 * levels: (N+1)(M+1)-1 references.  Returns the number written (at most
 * EPT_REFS_MAX).
 */
#define EPT_REFS_MAX    ((EPT_MAX_LEVELS + 1) * (EPT_MAX_LEVELS + 1))
struct ept_ref {
	uint8_t step;           /* index in the trace */
	uint8_t guest_level;    /* 0: the final access */
	uint8_t ept_level;      /* level of the EPT entry; 0: the guest entry */
	uint64_t gpa;           /* of the guest-physical access */
	uint64_t hpa;           /* of the EPT entry, or of the guest entry */
};
unsigned ept_trace_refs(const struct ept_model *m, const struct ept_trace *tr,
			unsigned upto, struct ept_ref out[EPT_REFS_MAX]);

/*
 * PAE PDPTE load by MOV to CR0/CR3/CR4 (SDM Vol. 3A 4.4.1): one read of
 * the 32-byte PDPT at CR3[31:5] through EPT (EPT_ACCESS_PDPTE_LOAD:
 * qualification bit 7 clear).  On EPT_OUTCOME_TRANSLATION, pdpte[] holds
 * the loaded values; a reserved bit in a present PDPTE gives
 * EPT_OUTCOME_GUEST_FAULT with #GP(0).  (VM entry with EPT loads the
 * PDPTEs from the VMCS, not from memory: SDM 27.3.2.4.)
 */
enum ept_outcome_kind ept_model_pae_load_pdptes(const struct ept_model *m,
						uint64_t cr3, uint64_t pdpte[4],
						struct ept_outcome *o);

#endif
