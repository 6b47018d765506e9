/*
 * The outcome record: everything architecturally defined about how one
 * case ended, in one structure that every test fills twice -- once from
 * the reference model (what the SDM requires: the expected record, with
 * a mask of the bits defined for this case) and once from what the
 * processor did (the observed record).  outcome_check() compares the two
 * whole and reports each field that differs.
 *
 * Fields (their names are the ones known-deviation entries excuse):
 */
#ifndef LIB_X86_OUTCOME_H
#define LIB_X86_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>

#define OUTCOME_FIELDS(X)							\
	X(REASON,     "reason",     "exit reason (bit 31: VM-entry failure)")	\
	X(QUAL,       "qual",       "exit qualification")			\
	X(GPA,        "gpa",        "guest-physical address field")		\
	X(GLA,        "gla",        "guest-linear address field")		\
	X(IDT_VEC,    "idt_vec",    "IDT-vectoring information")		\
	X(INSN_ERR,   "insn_err",   "VM-instruction error / VMfail kind")	\
	X(VECTOR,     "vector",     "VM-exit interruption information")	\
	X(ERROR_CODE, "error_code", "exception error code")			\
	X(CR2,        "cr2",        "page-fault linear address")		\
	X(INTR,       "intr",       "guest interruptibility state")		\
	X(DATA,       "data",       "what a completed access read, wrote or fetched") \
	X(MEM,        "mem",        "memory after a stopped write")		\
	X(EPT_AD,     "ept_ad",     "EPT accessed/dirty flags, 2 bits an entry") \
	X(GUEST_AD,   "guest_ad",   "guest paging A/D flags, 2 bits an entry")	\
	X(VALUE,      "value",      "a register or VMCS value the SDM defines") \
	X(VE_REASON,  "ve_reason",  "#VE information area: exit reason (offset 0)") \
	X(VE_BUSY,    "ve_busy",    "#VE information area: busy word (offset 4)") \
	X(VE_QUAL,    "ve_qual",    "#VE information area: exit qualification (offset 8)") \
	X(VE_GLA,     "ve_gla",     "#VE information area: guest-linear address (offset 16)") \
	X(VE_GPA,     "ve_gpa",     "#VE information area: guest-physical address (offset 24)") \
	X(VE_INDEX,   "ve_index",   "#VE information area: EPTP index (offset 32)")

enum outcome_field {
#define OUTCOME_ENUM(e, name, words) FLD_##e,
	OUTCOME_FIELDS(OUTCOME_ENUM)
#undef OUTCOME_ENUM
	FLD_NR
};

extern const char *const outcome_field_names[FLD_NR];

/* The A/D entries behind FLD_EPT_AD / FLD_GUEST_AD: entry i is bits 2i (A)
 * and 2i+1 (D), top level first. */
#define OUTCOME_AD_MAX 6

struct outcome {
	uint64_t v[FLD_NR];
	/* expected record: the bits the SDM defines for this case (0: the
	 * field is not part of this case's outcome) */
	uint64_t mask[FLD_NR];
	/* names of the A/D entries, for the diagnostics */
	uint8_t nr_ept_ad, nr_guest_ad;
	uint8_t ept_ad_level[OUTCOME_AD_MAX], guest_ad_level[OUTCOME_AD_MAX];
	/* expected record: "exit 48 qual 0x181", "completes"... */
	char describe[80];
	/* expected record: the model rules that decided it (EPT_RULE() bits of
	 * lib/x86/ept_model.h); outcome_check() puts their names in the
	 * deviation context (rule= entries) for the case's checks */
	uint64_t rules;
};

static inline void outcome_set(struct outcome *o, enum outcome_field f, uint64_t v, uint64_t mask)
{
	o->v[f] = v;
	o->mask[f] = mask;
}

/*
 * One case's checks, each one TAP line over its fields:
 *   <id>       reason, qual, gpa, gla, idt_vec, insn_err, vector,
 *              error_code, cr2, intr, value, and mem (memory after a
 *              stopped write is part of how the exit ended the access);
 *   <id>.data  data, when the case defines it (a completed access);
 *   <id>.ad    ept_ad / guest_ad, when the case defines them;
 *   <id>.ve    the #VE information area words (ve_*), when defined.
 * Which checks a case reports depends on the expected record only, so a
 * flip run prints the same ids.  When the exit reason differs from the
 * expected one, the fields the SDM defines only for the expected exit
 * (qual, gpa, gla, error_code, cr2) are not compared (a "# ... not
 * compared" line says so): the reason already fails the check.  The TAP words are "@words -> describe".
 * Returns whether <id> matched (unperturbed: see report_fields()).
 */
/* The names of the EPT_RULE() bits of @rules (lib/x86/ept_model.h) into
 * @names (EPT_RULE_NR entries); returns how many. */
unsigned outcome_rule_names(uint64_t rules, const char **names);

bool outcome_check(const char *id, const char *words, const struct outcome *want,
		   const struct outcome *got);

#endif
