/* See ve_outcome.h. */
#include "libcflat.h"
#include "x86/ve_outcome.h"

void outcome_want_ve_area(struct outcome *w, const struct ve_area *a)
{
	outcome_set(w, FLD_VE_REASON, a->exit_reason, ~0u);
	outcome_set(w, FLD_VE_BUSY, a->busy, ~0u);
	outcome_set(w, FLD_VE_QUAL, a->qual, a->qual_mask);
	outcome_set(w, FLD_VE_GLA, a->gla, a->gla_mask);
	outcome_set(w, FLD_VE_GPA, a->gpa, a->gpa_mask);
	outcome_set(w, FLD_VE_INDEX, a->eptp_index, 0xffff);
}

void outcome_got_ve_area(struct outcome *g, const volatile struct ve_info *a)
{
	g->v[FLD_VE_REASON] = a->exit_reason;
	g->v[FLD_VE_BUSY] = a->busy;
	g->v[FLD_VE_QUAL] = a->exit_qualification;
	g->v[FLD_VE_GLA] = a->gla;
	g->v[FLD_VE_GPA] = a->gpa;
	g->v[FLD_VE_INDEX] = a->eptp_index;
}

void ve_area_snapshot(struct ve_snapshot *s, const volatile struct ve_info *a)
{
	const volatile uint8_t *p = (const volatile uint8_t *)a;

	for (unsigned i = 0; i < VE_AREA_BYTES; i++)
		s->b[i] = p[i];
}

bool ve_area_kept_check(const char *id, const struct ve_snapshot *s,
			const volatile struct ve_info *a)
{
	const volatile uint8_t *p = (const volatile uint8_t *)a;
	unsigned changed = 0;
	char cid[128];

	for (unsigned i = 0; i < VE_AREA_BYTES; i++)
		changed += p[i] != s->b[i];
	snprintf(cid, sizeof(cid), "%s.ve-kept", id);
	return report_expect_u64(cid, "value", changed, 0,
				 "no #VE: the information area is not written (bytes changed)");
}

void outcome_want_entry(struct outcome *w, unsigned vm_insn_error, const char *why)
{
	if (!vm_insn_error) {
		outcome_set(w, FLD_REASON, EXIT_REASON_VMCALL, ~0u);
		outcome_set(w, FLD_INSN_ERR, 0, ~0u);
		snprintf(w->describe, sizeof(w->describe), "VM entry succeeds");
	} else {
		outcome_set(w, FLD_REASON, 0xffffffffu, ~0u);
		outcome_set(w, FLD_INSN_ERR, vm_insn_error, ~0u);
		snprintf(w->describe, sizeof(w->describe), "VMfailValid(%u): %s", vm_insn_error, why);
	}
}
