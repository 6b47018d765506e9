/*
 * pml_model.c: page-modification logging, SDM Vol. 3C 29.3.6.  See
 * pml_model.h.  The A/D flags each access finds are those in the tables
 * (m->read) plus those set by the earlier accesses of the same walk, kept
 * in a small overlay: the model never writes.
 */
#include "pml_model.h"

struct overlay {
	const struct ept_model *base;
	unsigned n;
	uint64_t hpa[EPT_AD_MAX], bits[EPT_AD_MAX];
};

static uint64_t overlay_read(void *ctx, uint64_t hpa)
{
	const struct overlay *ov = ctx;
	uint64_t v = ov->base->read(ov->base->ctx, hpa);
	unsigned i;

	for (i = 0; i < ov->n; i++)
		if (ov->hpa[i] == hpa)
			v |= ov->bits[i];
	return v;
}

static void overlay_set(struct overlay *ov, uint64_t hpa, uint64_t bits)
{
	unsigned i;

	for (i = 0; i < ov->n; i++)
		if (ov->hpa[i] == hpa)
			break;
	if (i == ov->n) {
		if (ov->n == EPT_AD_MAX)
			return;         /* cannot happen: a walk touches < 32 entries */
		ov->hpa[ov->n] = hpa;
		ov->bits[ov->n++] = 0;
	}
	ov->bits[i] |= bits;
}

struct sim {
	struct ept_model om;    /* m with read() through the overlay */
	struct overlay ov;
	struct pml_state st;
};

static void sim_init(struct sim *s, const struct ept_model *m, const struct pml_state *pml,
		     struct pml_outcome *po)
{
	s->om = *m;
	s->ov.base = m;
	s->ov.n = 0;
	s->om.read = overlay_read;
	s->om.ctx = &s->ov;
	s->st = *pml;
	po->full_exit = po->full_may = false;
	po->full_step = 0;
	po->qual = po->qual_mask = 0;
	po->nr_log = po->nr_ad = po->nr_may = 0;
	po->index = pml->index;
}

static void full_exit(const struct ept_model *m, const struct ept_access *a,
		      unsigned step, struct pml_outcome *po)
{
	/* 28.2.1: "For a VM exit due to a page-modification log-full event,
	 * only bit 12 of the exit qualification is defined, and only in some
	 * cases" (the same cases as for EPT violations); "all bits other than
	 * bit 12 are undefined". */
	po->full_exit = true;
	po->full_step = (uint8_t)step;
	po->qual = 0;
	po->qual_mask = 0;
	if (ept_nmi_unblock_defined(&m->ctl, a->event_delivery)) {
		po->qual_mask = EPT_QUAL_NMI_UNBLOCKING;
		if (a->iret_nmi_unblock)
			po->qual = EPT_QUAL_NMI_UNBLOCKING;
	}
}

/*
 * One access that the EPT allows.  Returns false if it met a full log.
 * SDM 29.3.6: "Before allowing a guest-physical access, the processor may
 * determine that it first needs to set an accessed or dirty flag for EPT
 * (see Section 29.3.5).  When this happens, the processor examines the PML
 * index.  If the PML index is not in the range 0-511, there is a
 * page-modification log-full event and a VM exit occurs.  In this case, the
 * accessed or dirty flag is not set, and the guest-physical access that
 * triggered the event does not occur."
 */
static bool sim_access(struct sim *s, const struct ept_access *a, unsigned step,
		       struct pml_outcome *po)
{
	struct ept_outcome t;
	const struct ept_translation *tr = &t.translation;
	bool need = false, dirtied = false;
	unsigned i;

	if (ept_model_access(&s->om, a, &t) != EPT_OUTCOME_TRANSLATION)
		return true;    /* A/D bits never change a permission */
	for (i = 0; i < tr->nr_ad; i++) {
		uint64_t cur = s->om.read(s->om.ctx, tr->ad[i].hpa);

		if ((tr->ad[i].set_a && !(cur & EPT_ACCESSED)) ||
		    (tr->ad[i].set_d && !(cur & EPT_DIRTY)))
			need = true;
	}
	if (!need)
		return true;
	if (s->st.enabled && s->st.index >= PML_ENTRIES) {
		full_exit(&s->om, a, step, po);
		return false;
	}
	for (i = 0; i < tr->nr_ad; i++) {
		uint64_t cur = s->om.read(s->om.ctx, tr->ad[i].hpa), bits = 0;

		if (tr->ad[i].set_a && !(cur & EPT_ACCESSED))
			bits |= EPT_ACCESSED;
		if (tr->ad[i].set_d && !(cur & EPT_DIRTY))
			bits |= EPT_DIRTY;
		if (!bits)
			continue;
		overlay_set(&s->ov, tr->ad[i].hpa, bits);
		if (po->nr_ad < EPT_AD_MAX) {
			struct ept_ad_update *u = &po->ad[po->nr_ad++];
			u->hpa = tr->ad[i].hpa;
			u->level = tr->ad[i].level;
			u->set_a = bits & EPT_ACCESSED;
			u->set_d = bits & EPT_DIRTY;
		}
		dirtied |= (bits & EPT_DIRTY) != 0;
	}
	/* "If the processor updated a dirty flag for EPT (changing it from 0
	 * to 1), it then operates as follows: 1. The guest-physical address of
	 * the access is written to the page-modification log ... at the
	 * physical address determined by adding 8 times the PML index to the
	 * PML address.  Bits 11:0 of the value written are always 0 ...
	 * 2. The PML index is decremented by 1 (this may cause the value to
	 * transition from 0 to FFFFH)." */
	if (dirtied && s->st.enabled && po->nr_log < PML_LOG_MAX) {
		struct pml_log_entry *l = &po->log[po->nr_log++];

		l->hpa = s->st.address + 8ull * s->st.index;
		l->value = a->gpa & ~0xfffull;
		l->step = (uint8_t)step;
		s->st.index = (uint16_t)(s->st.index - 1);
	}
	po->index = s->st.index;
	return true;
}

/* The EPT stopped the access at gpa: which A flags of the entries its walk
 * used it sets is not specified (29.3.5 describes completed translations),
 * hence also whether a full log is met first (see pml_model.h). */
static void sim_stopped(const struct sim *s, const struct ept_outcome *o, uint64_t gpa,
			struct pml_outcome *po)
{
	struct ept_walk_entry w[EPT_MAX_LEVELS];
	unsigned i, n;

	if ((o->kind != EPT_OUTCOME_VIOLATION && o->kind != EPT_OUTCOME_MISCONFIG) ||
	    !(s->om.eptp & EPTP_AD_ENABLE))
		return;
	n = ept_walk_entries(&s->om, gpa, w);
	for (i = 0; i < n; i++) {
		struct ept_ad_update *u;

		if (!ept_entry_present(&s->om, w[i].value) || (w[i].value & EPT_ACCESSED))
			continue;
		u = &po->may[po->nr_may++];
		u->hpa = w[i].hpa;
		u->level = w[i].level;
		u->set_a = true;
		u->set_d = false;
	}
	if (po->nr_may && s->st.enabled && s->st.index >= PML_ENTRIES)
		po->full_may = true;
}

static uint64_t exit_reason(const struct pml_outcome *po, const struct ept_outcome *o)
{
	return po->full_exit ? EXIT_REASON_PML_FULL : ept_expected_exit_reason(o);
}

uint64_t pml_model_access(const struct ept_model *m, const struct ept_access *a,
			  const struct pml_state *pml, struct pml_outcome *po,
			  struct ept_outcome *o)
{
	struct sim s;

	sim_init(&s, m, pml, po);
	if (ept_model_access(m, a, o) == EPT_OUTCOME_TRANSLATION)
		sim_access(&s, a, 0, po);
	else
		sim_stopped(&s, o, a->gpa, po);
	return exit_reason(po, o);
}

uint64_t pml_model_linear(const struct ept_model *m, const struct guest_state *g,
			  const struct linear_access *la, const struct pml_state *pml,
			  struct pml_outcome *po, struct ept_outcome *o,
			  struct ept_trace *trace)
{
	struct ept_trace local;
	struct sim s;
	unsigned i, upto;

	if (!trace)
		trace = &local;
	sim_init(&s, m, pml, po);
	ept_model_linear(m, g, la, o, trace);
	/* Accesses that happened: all of the trace when the access completed
	 * or the guest's own paging faulted (its reads went through), else
	 * those before the access the EPT stopped. */
	if (o->kind == EPT_OUTCOME_TRANSLATION || o->kind == EPT_OUTCOME_GUEST_FAULT)
		upto = trace->n;
	else
		upto = o->step;
	if (upto > EPT_TRACE_MAX)
		upto = EPT_TRACE_MAX;
	for (i = 0; i < upto; i++) {
		const struct ept_trace_entry *e = &trace->e[i];
		struct ept_access a = {
			.gpa = e->gpa, .kind = e->kind, .gla = la->gla, .gla_valid = true,
			.user = e->user, .iret_nmi_unblock = la->iret_nmi_unblock,
			.event_delivery = la->event_delivery,
		};

		if (!sim_access(&s, &a, i, po))
			return EXIT_REASON_PML_FULL;
	}
	if (upto == o->step && o->step < trace->n && o->step < EPT_TRACE_MAX)
		sim_stopped(&s, o, trace->e[o->step].gpa, po);
	return exit_reason(po, o);
}

/*
 * SDM 26.2.1.1: "If the 'enable PML' VM-execution control is 1, the 'enable
 * EPT' VM-execution control must also be 1.  In addition, the PML address
 * must satisfy the following checks: Bits 11:0 of the address must be 0.
 * The address should not set any bits beyond the processor's
 * physical-address width."
 */
enum pml_entry_rule pml_entry_check(const struct ept_caps *caps, bool enable_pml,
				    bool enable_ept, uint64_t addr)
{
	if (!enable_pml)
		return PML_ENTRY_OK;
	if (!enable_ept)
		return PML_ENTRY_NO_EPT;
	if (addr & 0xfff)
		return PML_ENTRY_ADDR_ALIGN;
	if (addr & ~ept_phys_mask(caps->maxphyaddr))
		return PML_ENTRY_ADDR_WIDTH;
	return PML_ENTRY_OK;
}

const char *pml_entry_rule_name(enum pml_entry_rule r)
{
	switch (r) {
	case PML_ENTRY_OK: return "valid";
	case PML_ENTRY_NO_EPT: return "SDM 26.2.1.1: enable PML requires enable EPT";
	case PML_ENTRY_ADDR_ALIGN: return "SDM 26.2.1.1: PML address bits 11:0 not 0";
	case PML_ENTRY_ADDR_WIDTH: return "SDM 26.2.1.1: PML address beyond MAXPHYADDR";
	}
	return "?";
}
