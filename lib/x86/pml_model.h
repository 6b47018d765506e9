/*
 * pml_model: page-modification logging (PML), a pure model on top of
 * ept_model / paging_model.  SDM Vol. 3C 29.3.6 "Page-Modification
 * Logging"; the PML-full exit qualification in 28.2.1 (exit reason 62);
 * the VM-entry checks in 26.2.1.1.
 *
 * THE RULES (stated once, in pml_model.c, next to the code)
 *   - Before allowing a guest-physical access, the processor may find that
 *     it first needs to set an accessed or dirty flag for EPT (EPTP bit 6,
 *     29.3.5).  Only then does it look at the PML index: outside 0-511 is a
 *     page-modification log-full event, a VM exit; no flag is set and the
 *     access does not happen.  An access that needs no A/D update never
 *     looks at the index (a full log does not stop it).
 *   - Otherwise it sets the flags; if that changed the D flag of the EPT
 *     leaf from 0 to 1 it writes the access's GPA with bits 11:0 cleared to
 *     PML address + 8 x index and decrements the index (0 -> FFFFH).
 *   - So: nothing is logged with EPT A/D off, for reads and fetches, or
 *     when D is already set; 4K/2M/1G leaves all log the 4-KByte-aligned
 *     GPA of the access (not of the page); with EPT A/D on every guest
 *     paging-structure access is a write (29.3.5) and logs the GPA of the
 *     guest entry when it sets D.
 *   - Exit qualification of a PML-full exit: only bit 12 (NMI unblocking
 *     due to IRET) is defined, and not always (see pml_model.c); every
 *     other bit is undefined, so qual_mask is BIT(12) or 0.  The model
 *     predicts no guest-physical or guest-linear address field for it
 *     (27.2.1 defines those for EPT violations and misconfigurations).
 *
 * A two-dimensional walk makes several guest-physical accesses (the trace of
 * ept_model_linear()); each is one "access" above, in trace order, and an
 * earlier access's A/D updates are seen by the later ones.
 *
 * Outcome for an access that the EPT stops (violation, misconfiguration):
 * whether it sets the A flags of the entries its walk used is not specified
 * (29.3.5 describes completed translations): they are listed as "may"
 * (po.may), and with a full log and such a flag still clear the model cannot
 * say whether the PML-full exit or the EPT exit comes: it sets full_may and
 * a test must not compare the exit then.  The flags of the accesses before
 * it are "must" (po.ad); every other flag keeps its value.  The same
 * functions with pml->enabled = false give the EPT A/D expectations of any
 * walk (issue 9: must / may / must-not).
 *
 * Pure C, no I/O, no global mutable state; builds freestanding and hosted.
 * Stack: pml_model_linear() ~3 KB (ept_model_linear() inside), plus the
 * caller's struct pml_outcome (~1.3 KB).
 */
#ifndef LIB_X86_PML_MODEL_H
#define LIB_X86_PML_MODEL_H

#include "paging_model.h"

#define PML_ENTRIES     512             /* 4-KByte log of 64-bit entries */
#define PML_LOG_MAX     EPT_TRACE_MAX   /* at most one entry per access */

struct pml_state {
	bool enabled;           /* "enable PML" secondary control (bit 17) */
	uint64_t address;       /* PML address (VMCS 0x200e) */
	uint16_t index;         /* PML index (guest-state field 0x0812) */
};

struct pml_log_entry {
	uint64_t hpa;           /* PML address + 8 x index at the time */
	uint64_t value;         /* GPA of the access, bits 11:0 clear */
	uint8_t step;           /* trace index of the access that logged it */
};

struct pml_outcome {
	bool full_exit;         /* VM exit 62 instead of the access at full_step */
	bool full_may;          /* a stopped access met a full log: not predicted */
	uint8_t full_step;
	uint64_t qual, qual_mask;       /* of the PML-full exit */
	uint16_t index;         /* PML index after the access (or at the exit) */
	uint8_t nr_log;
	struct pml_log_entry log[PML_LOG_MAX];
	/* EPT A/D flags this access changed from 0 to 1 (accesses that
	 * happened only), top-level entry first per access: must be set. */
	uint8_t nr_ad;
	struct ept_ad_update ad[EPT_AD_MAX];
	/* The access the EPT stopped (violation, misconfiguration): the
	 * entries its walk used whose A flag is still 0.  Whether it sets them
	 * is not specified: may.  It made no write, so no D flag.  Every other
	 * A/D flag keeps its value (a test may check it stays clear). */
	uint8_t nr_may;
	struct ept_ad_update may[EPT_MAX_LEVELS];
};

/* One guest-physical access (ept_model_access() semantics); o receives the
 * EPT outcome had the log not been full.  Returns the exit reason to expect:
 * EXIT_REASON_PML_FULL, 48, 49, or EPT_EXIT_NONE. */
uint64_t pml_model_access(const struct ept_model *m, const struct ept_access *a,
			  const struct pml_state *pml, struct pml_outcome *po,
			  struct ept_outcome *o);

/* One linear access (ept_model_linear() semantics).  trace may be NULL. */
uint64_t pml_model_linear(const struct ept_model *m, const struct guest_state *g,
			  const struct linear_access *la, const struct pml_state *pml,
			  struct pml_outcome *po, struct ept_outcome *o,
			  struct ept_trace *trace);

/* ---- VM entry (SDM 26.2.1.1) ---- */
enum pml_entry_rule {
	PML_ENTRY_OK = 0,
	PML_ENTRY_NO_EPT,               /* "enable PML" without "enable EPT" */
	PML_ENTRY_ADDR_ALIGN,           /* PML address bits 11:0 not 0 */
	PML_ENTRY_ADDR_WIDTH,           /* PML address beyond MAXPHYADDR */
};
/* VMfailValid(VMXERR_ENTRY_INVALID_CONTROL) unless PML_ENTRY_OK.  The PML
 * index is not checked at VM entry. */
enum pml_entry_rule pml_entry_check(const struct ept_caps *caps, bool enable_pml,
				    bool enable_ept, uint64_t pml_address);
const char *pml_entry_rule_name(enum pml_entry_rule r);

#endif
