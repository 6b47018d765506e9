/*
 * An access whose bytes lie in two pages (a page-spanning operand or
 * instruction) is two guest-physical accesses.  When one part causes an
 * EPT violation, SDM Vol. 3C 27.2.1 defines the guest-physical-address
 * field as "the guest-physical address that caused the EPT violation" and
 * the guest-linear-address field as a linear address that "may translate
 * to" it -- it does not say which byte of that part.  So the model fixes
 * the page of each (bits 63:12) and leaves bits 11:0 open; everything else
 * about the outcome is the violating part's.
 */
#ifndef LIB_X86_SPLIT_MODEL_H
#define LIB_X86_SPLIT_MODEL_H

#include <stdint.h>

/* Narrow the masks of the GPA and GLA fields of a violating part. */
static inline void split_access_masks(uint64_t *gpa_mask, uint64_t *gla_mask)
{
	*gpa_mask &= ~0xfffull;
	*gla_mask &= ~0xfffull;
}

#endif
