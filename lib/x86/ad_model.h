/*
 * ad_model: what the SDM says the accessed and dirty flags must be after
 * one guest access, entry by entry, for the EPT entries (SDM Vol. 3C
 * 29.3.5) and the guest's own paging-structure entries (SDM Vol. 3A 4.8).
 *
 * Each flag is one of
 *   AD_SET    must be 1 after the access,
 *   AD_CLEAR  must be 0 (the processor never writes it here),
 *   AD_MAY    the SDM allows either (an access stopped part way, where it
 *             does not order the flag updates against the stop).
 * The answer is built from the outcome and the trace of
 * ept_model_linear(): which guest-physical accesses happened before the
 * one that decided the outcome.  Pure: reads the tables through the
 * model's accessor, writes nothing.
 */
#ifndef LIB_X86_AD_MODEL_H
#define LIB_X86_AD_MODEL_H

#include "paging_model.h"

enum ad_want { AD_CLEAR = 0, AD_SET, AD_MAY };

struct ad_flags {
	uint8_t a, d;		/* enum ad_want */
};

/* The EPT entry at host-physical address @hpa. */
struct ad_flags ad_model_ept(const struct ept_model *m, const struct ept_outcome *o,
			     const struct ept_trace *t, uint64_t hpa);

/*
 * The guest paging-structure entry at @level (1 = PTE) of the walk of the
 * access; @leaf: it maps the page; @before: its value before the access
 * (flags already set stay set); @write: the access is a write or RMW.
 */
struct ad_flags ad_model_guest(const struct ept_outcome *o, const struct ept_trace *t,
			       unsigned level, bool leaf, bool write, uint64_t before);

/* The EPT entries the walk of @gpa reads, top level first, down to the
 * leaf or the first entry that is not present (included).  Returns how
 * many; *complete: the walk reached a leaf. */
unsigned ad_model_ept_walk(const struct ept_model *m, uint64_t gpa, uint64_t hpa[EPT_MAX_LEVELS],
			   bool *complete);

#endif
