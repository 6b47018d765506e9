/*
 * ept_pml: page-modification logging (SDM Vol. 3C 29.3.6), against the
 * reference model lib/x86/pml_model.h.
 *
 *   ept_pml_<mode>  (long4, pae, pg32, nopg) the window laid out as in
 *                   ept_ad (lib/x86/ept_layout.h: each guest table and
 *                   the final page under EPT entries of its own), "enable
 *                   PML" on, one access -- read, write, locked RMW, fetch
 *                   -- with EPT leaves of 4K, 2M and 1G, and
 *                     clear       every EPT and guest A/D flag clear;
 *                     gad-set     the guest's set, EPT's clear (the walk's
 *                                 reads still set D: they are writes);
 *                     d-set       every EPT flag already set (the guest's
 *                                 clear): nothing to log, and a full log
 *                                 does not stop;
 *                     all-set     every EPT and guest flag already set;
 *                     page-d-set  only the final page's EPT flags set;
 *                     page-ro     the final page's EPT leaf read-only;
 *                   from PML index 511, 3, 1, 0 (room for 512, 4, 2, 1
 *                   entries), FFFFH and 512 (a full log), with EPT A/D on
 *                   (EPTP bit 6) and off (nothing is logged, the index
 *                   never looked at).  Each case compares the outcome
 *                   record: the exit (the access's, or page-modification
 *                   log-full: reason 62, qualification bit 12 where it is
 *                   defined, the access not done) with the data or
 *                   unchanged memory (<id>), the PML index after
 *                   (<id>.index), each log
 *                   entry the model expects (<id>.log.<table>, .log.page,
 *                   .log.fetch-<table> for the guest's code walk: the GPA
 *                   of the access with bits 11:0 clear, in access order),
 *                   that no other slot was written (<id>.log.rest), and
 *                   the A/D flags of every reference of the 2-D walk
 *                   (<id>.ref.<table>: after a log-full exit, exactly the
 *                   flags of the accesses that happened).
 *   ept_pml_entry   the VM-entry checks (26.2.1.1): "enable PML" without
 *                   "enable EPT", PML address bits 11:0 and bits above
 *                   MAXPHYADDR, an out-of-range PML index (not checked).
 *
 * The guest's run is the fetch of its first instruction (a walk through
 * the root table, which maps its code too) and then the access: the model
 * sees both, the second through the A/D flags the first set.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ad_model.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_layout.h"
#include "x86/ept_matrix.h"
#include "x86/pml_model.h"
#include "x86/processor.h"

#define OFFSET          0x5a8
#define LOG_POISON      0x5afe5afe5afe5afeull

static const uint64_t leaf_sizes[] = { PAGE_4K, PAGE_2M, PAGE_1G };

static const struct pml_mode {
	const char *name;
	struct ept_env_config cfg;
} pml_modes[] = {
	{ "long4", { .mode = GUEST_PAGING_4LEVEL } },
	{ "pae",   { .mode = GUEST_PAGING_PAE } },
	{ "pg32",  { .mode = GUEST_PAGING_32BIT } },
	{ "nopg",  { .paging_off = true } },
};

enum variant { V_CLEAR, V_GAD_SET, V_D_SET, V_ALL_SET, V_PAGE_D_SET, V_PAGE_RO, NR_VARIANTS };
static const char *const variant_names[NR_VARIANTS] = {
	"clear", "gad-set", "d-set", "all-set", "page-d-set", "page-ro",
};
static const char *const variant_words[NR_VARIANTS] = {
	"EPT and guest A/D clear", "guest A/D set, EPT A/D clear",
	"EPT A/D already set, guest A/D clear", "EPT and guest A/D already set",
	"the final page's EPT A/D already set", "the final page's EPT leaf read-only",
};

/* names of the accesses a log entry comes from: the guest table read (by
 * level) or the final access */
static const char *const table_names[] = { "page", "pt", "pd", "pdpt", "pml4", "pml5" };

static const uint16_t indexes[] = { 511, 3, 1, 0, 0xffff, 512 };

#define CASES_PER_AD (ARRAY_SIZE(leaf_sizes) * ARRAY_SIZE(matrix_ops) * NR_VARIANTS * ARRAY_SIZE(indexes))

struct pml_run {
	struct ept_env env;
	const struct pml_mode *m;
	bool ad;
	const char *why;
	struct ept_layout lay;
	volatile uint64_t *log;
	/* the model's view of the run: the fetch, then the access */
	struct pml_outcome fetch, access;
	struct ept_outcome fetch_o, access_o;
	struct ept_trace fetch_trace, trace;
	bool access_ran;	/* the fetch went through: the access was modeled */
	struct outcome want[LAYOUT_MAX_REFS], got[LAYOUT_MAX_REFS];
};

static const char *pml_why(void)
{
	if (!vmx_has_proc2(CPU2_ENABLE_PML))
		return "IA32_VMX_PROCBASED_CTLS2 bit 49 (allowed-1 of \"enable PML\") = 0";
	return NULL;
}

/* Every EPT entry of the identity map (the guest's code, its identity
 * tables) accessed, every leaf dirty: the guest's own walk needs no flag
 * and logs nothing, so only the window's references do. */
static void identity_ad_set(struct ept_env *env)
{
	uint64_t end = ALIGN_UP(alloc_region_end(), PAGE_2M);

	for (uint64_t gpa = 0; gpa < end; gpa += PAGE_2M)
		for (unsigned level = env->ept.levels; level >= EPT_LEVEL_PTE; level--) {
			uint64_t *e = ept_entry(&env->ept, gpa, level);

			if (!e)
				break;
			if (level == EPT_LEVEL_PTE || (*e & EPT_LARGE_PAGE)) {
				*e |= EPT_ACCESSED | EPT_DIRTY;
				break;
			}
			*e |= EPT_ACCESSED;
		}
}

/* The model's read of the tables after the fetch's A/D updates. */
struct after_fetch {
	const struct ept_model *base;
	const struct pml_outcome *fetch;
};

static uint64_t read_after_fetch(void *ctx, uint64_t hpa)
{
	const struct after_fetch *a = ctx;
	uint64_t v = a->base->read(a->base->ctx, hpa);

	for (unsigned i = 0; i < a->fetch->nr_ad; i++)
		if (a->fetch->ad[i].hpa == hpa)
			v |= (a->fetch->ad[i].set_a ? EPT_ACCESSED : 0) |
			     (a->fetch->ad[i].set_d ? EPT_DIRTY : 0);
	return v;
}

static const enum linear_kind op_kinds[] = {
	[GUEST_OP_READ] = LINEAR_READ, [GUEST_OP_WRITE] = LINEAR_WRITE,
	[GUEST_OP_FETCH] = LINEAR_FETCH, [GUEST_OP_RMW] = LINEAR_RMW,
};

/* Returns the exit reason the model expects for the whole run. */
static uint64_t model_run(struct pml_run *s, enum guest_op op, uint16_t index)
{
	struct ept_env *env = &s->env;
	struct pml_state st = { .enabled = true, .address = (uintptr_t)s->log, .index = index };
	struct linear_access fetch = { .gla = ept_env_stub(env, op), .kind = LINEAR_FETCH };
	struct linear_access la = { .gla = s->lay.gla, .kind = op_kinds[op] };
	struct after_fetch af = { &env->model, &s->fetch };
	struct ept_model m2;
	struct guest_state gs;
	uint64_t reason;

	if (env->mode == GUEST_PAGING_PAE && !env->paging_off)
		ept_env_sync_pdptes(env);
	ept_env_guest_state(&gs);
	env->model.eptp = vmcs_read(VMCS_EPT_POINTER);
	memset(&s->access, 0, sizeof(s->access));
	s->trace.n = 0;
	s->access_ran = false;
	reason = pml_model_linear(&env->model, &gs, &fetch, &st, &s->fetch, &s->fetch_o,
				  &s->fetch_trace);
	if (s->fetch.full_exit || s->fetch_o.kind != EPT_OUTCOME_TRANSLATION)
		return reason;
	m2 = env->model;
	m2.read = read_after_fetch;
	m2.ctx = &af;
	st.index = s->fetch.index;
	s->access_ran = true;
	return pml_model_linear(&m2, &gs, &la, &st, &s->access, &s->access_o, &s->trace);
}

static bool full_exit(const struct pml_run *s)
{
	return s->fetch.full_exit || s->access.full_exit;
}

/* After a log-full exit: exactly the flags the accesses that happened set
 * (29.3.6: the access that met the full log sets none), and the guest
 * A/D updates of the window's walk made before it. */
static void want_ref_full(struct pml_run *s, unsigned k, struct outcome *w)
{
	const struct ept_layout_ref *r = &s->lay.ref[k];
	const struct pml_outcome *po[2] = { &s->fetch, &s->access };

	memset(w, 0, sizeof(*w));
	w->nr_ept_ad = (uint8_t)r->nr_ept;
	for (unsigned j = 0; j < r->nr_ept; j++) {
		uint64_t e = *(volatile uint64_t *)(uintptr_t)r->ept_hpa[j];
		struct ad_flags a = { !!(e & EPT_ACCESSED), !!(e & EPT_DIRTY) };

		for (unsigned p = 0; p < 2; p++)
			for (unsigned i = 0; i < po[p]->nr_ad; i++)
				if (po[p]->ad[i].hpa == r->ept_hpa[j]) {
					a.a |= po[p]->ad[i].set_a;
					a.d |= po[p]->ad[i].set_d;
				}
		outcome_want_ad(w, FLD_EPT_AD, j, a);
		w->ept_ad_level[j] = r->ept_level[j];
	}
	if (r->guest_level && r->guest_level != LAYOUT_UNUSED) {
		uint64_t e = gpt_entry_read(&s->env.gpt, s->lay.gla, r->guest_level);
		struct ad_flags a = { !!(e & PTE_ACCESSED), !!(e & PTE_DIRTY) };

		if (s->access.full_exit)
			for (unsigned i = 0; i < s->access.full_step && i < s->trace.n; i++) {
				const struct ept_trace_entry *t = &s->trace.e[i];

				if (t->kind == EPT_ACCESS_PAGING_AD && t->guest_level == r->guest_level) {
					a.a |= t->set_a;
					a.d |= t->set_d;
				}
			}
		outcome_want_ad(w, FLD_GUEST_AD, 0, a);
		w->nr_guest_ad = 1;
		w->guest_ad_level[0] = r->guest_level;
	}
}

/*
 * The exit and what the access did, in one check: with PML a different
 * exit (the log-full one) is what keeps the access from happening, so the
 * data belongs with the exit here.  (The window's A/D flags are in the
 * reference rows.)
 */
static void exit_check(const char *id, const char *words, const struct ept_case *c)
{
	static const enum outcome_field fields[] = {
		FLD_REASON, FLD_QUAL, FLD_GPA, FLD_GLA, FLD_IDT_VEC, FLD_INSN_ERR, FLD_VECTOR,
		FLD_ERROR_CODE, FLD_CR2, FLD_INTR, FLD_VALUE, FLD_DATA, FLD_MEM,
	};
	struct check_field f[ARRAY_SIZE(fields)];
	unsigned n = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++)
		if (c->want.mask[fields[i]])
			f[n++] = (struct check_field){ outcome_field_names[fields[i]],
						       c->got.v[fields[i]], c->want.v[fields[i]],
						       c->want.mask[fields[i]] };
	if (!report_fields(id, f, n, "%s -> %s", words, c->want.describe))
		vmx_exit_report_info(&c->exit);
}

static void pml_case(void *ctx, unsigned i)
{
	struct pml_run *s = ctx;
	struct ept_env *env = &s->env;
	struct ept_layout *l = &s->lay;
	/* EPT A/D off: only "clear" (there is no EPT flag to preset) */
	unsigned nv = s->ad ? NR_VARIANTS : 1, ix = i % ARRAY_SIZE(indexes);
	enum variant v = (enum variant)((i / ARRAY_SIZE(indexes)) % nv);
	enum guest_op op = matrix_ops[(i / (ARRAY_SIZE(indexes) * nv)) % ARRAY_SIZE(matrix_ops)];
	uint64_t leaf = leaf_sizes[i / (ARRAY_SIZE(indexes) * nv * ARRAY_SIZE(matrix_ops))];
	uint16_t index = indexes[ix];
	const char *why = s->why;
	char id[96], words[200], cid[128];
	struct ept_case c = { .op = op, .gla = l->gla, .host = l->host, .expect_run = true };
	bool write = op == GUEST_OP_WRITE || op == GUEST_OP_RMW;
	unsigned nr_log = 0, rest = 0;
	uint64_t reason, got_index;

	snprintf(id, sizeof(id), "e%s.%s.%s.idx%u", matrix_size_id(leaf), guest_op_name(op), variant_names[v],
		 index);
	snprintf(words, sizeof(words), "%s, %s guest, EPT A/D %s, EPT leaves %s, %s, PML index %#x",
		 guest_op_name(op), s->m->name, s->ad ? "on" : "off", matrix_size_name(leaf),
		 variant_words[v], index);
	if (!why)
		why = matrix_ept_size_missing(leaf);
	if (why) {
		report_skip(id, words, "%s", why);
		return;
	}

	/* the state: tables, flags, the log poisoned, the index */
	ept_layout_map(env, l, leaf, op);
	identity_ad_set(env);
	switch (v) {
	case V_GAD_SET:
		ept_layout_set_ad(env, l, false, true, true);
		break;
	case V_D_SET:
	case V_ALL_SET:
		ept_layout_set_ad(env, l, true, v == V_ALL_SET, true);
		break;
	case V_PAGE_D_SET:
	case V_PAGE_RO: {
		const struct ept_layout_ref *r = &l->ref[l->nr_refs - 1];

		for (unsigned j = 0; j < r->nr_ept; j++) {
			volatile uint64_t *e = (volatile uint64_t *)(uintptr_t)r->ept_hpa[j];

			if (v == V_PAGE_D_SET)
				*e |= EPT_ACCESSED | (j + 1 == r->nr_ept ? EPT_DIRTY : 0);
			else if (j + 1 == r->nr_ept)
				*e = (*e & ~EPT_RWX_MASK) | EPT_READ;
		}
		break;
	}
	default:
		break;
	}
	for (unsigned k = 0; k < PML_ENTRIES; k++)
		s->log[k] = LOG_POISON;
	vmcs_write(VMCS_GUEST_PML_INDEX, index);

	/* the model: the EPT outcome (ept_case_expect), then PML over it */
	ept_case_expect(env, &c);
	reason = model_run(s, op, index);
	if (c.model.kind == EPT_OUTCOME_UNMODELED || c.model.order_ambiguous ||
	    s->fetch.full_may || s->access.full_may) {
		report_skip(id, words, "%s", s->fetch.full_may || s->access.full_may ?
			    "an access the EPT stops meets a full log: which exit comes first is not specified (29.3.6)" :
			    "the reference model does not predict this case");
		return;
	}
	/* The reference rows and the guest walk's flags come below, from the
	 * model with PML; the window's .ad check of ept_case is not made. */
	c.want.mask[FLD_EPT_AD] = c.want.mask[FLD_GUEST_AD] = 0;
	if (full_exit(s)) {
		const struct pml_outcome *f = s->fetch.full_exit ? &s->fetch : &s->access;

		outcome_set(&c.want, FLD_REASON, reason, ~0u);
		outcome_set(&c.want, FLD_QUAL, f->qual, f->qual_mask);
		outcome_set(&c.want, FLD_GPA, 0, 0);
		outcome_set(&c.want, FLD_GLA, 0, 0);
		outcome_set(&c.want, FLD_VECTOR, 0, INTR_INFO_VALID);
		outcome_set(&c.want, FLD_ERROR_CODE, 0, 0);
		outcome_set(&c.want, FLD_CR2, 0, 0);
		/* "the guest-physical access that triggered the event does not
		 * occur": no data; a write leaves memory as it was */
		outcome_set(&c.want, FLD_DATA, 0, 0);
		outcome_set(&c.want, FLD_MEM, CASE_PATTERN, write ? ~0ull : 0);
		snprintf(c.want.describe, sizeof(c.want.describe), "exit 62 (PML log full)");
		for (unsigned k = 0; k <= l->nr_refs; k++)
			want_ref_full(s, k, &s->want[k]);
	} else {
		for (unsigned k = 0; k <= l->nr_refs; k++)
			ept_layout_want_ref(env, l, k, &c, &s->want[k]);
	}

	ept_case_run(env, &c);
	exit_check(id, words, &c);

	got_index = vmcs_read(VMCS_GUEST_PML_INDEX) & 0xffff;
	snprintf(cid, sizeof(cid), "%s.index", id);
	report_expect_u64(cid, "value", got_index, s->access_ran ? s->access.index : s->fetch.index,
			  "the PML index after the run (29.3.6)");
	for (unsigned p = 0; p < 2; p++) {
		const struct pml_outcome *lo = p ? &s->access : &s->fetch;
		const struct ept_trace *t = p ? &s->trace : &s->fetch_trace;

		if (p && !s->access_ran)
			break;
		for (unsigned e = 0; e < lo->nr_log; e++) {
			unsigned slot = (unsigned)((lo->log[e].hpa - (uintptr_t)s->log) / 8);
			unsigned level = lo->log[e].step < t->n ? t->e[lo->log[e].step].guest_level : 0;

			snprintf(cid, sizeof(cid), "%s.log.%s%s", id, p ? "" : "fetch-",
				 level < ARRAY_SIZE(table_names) ? table_names[level] : "?");
			report_expect_u64(cid, "value", s->log[slot], lo->log[e].value,
					  "log entry %u in slot %u: GPA %#lx with bits 11:0 clear (29.3.6)",
					  nr_log++, slot, lo->log[e].value);
		}
	}
	/* every slot the model leaves alone still holds the poison */
	for (unsigned k = 0; k < PML_ENTRIES; k++) {
		bool logged = false;

		for (unsigned p = 0; p < 2; p++) {
			const struct pml_outcome *lo = p ? &s->access : &s->fetch;

			for (unsigned e = 0; e < lo->nr_log; e++)
				logged |= lo->log[e].hpa == (uintptr_t)&s->log[k];
		}
		rest += !logged && s->log[k] != LOG_POISON;
	}
	snprintf(cid, sizeof(cid), "%s.log.rest", id);
	report_expect_u64(cid, "value", rest, 0, "no other log slot written (of %u)", PML_ENTRIES);

	for (unsigned k = 0; k <= l->nr_refs; k++) {
		ept_layout_got_ref(env, l, k, &s->got[k]);
		ept_layout_check_ref(env, l, k, id, &s->want[k], &s->got[k]);
	}
}

static const struct pml_mode *mode_named(const char *name)
{
	for (unsigned m = 0; m < ARRAY_SIZE(pml_modes); m++)
		if (!strcmp(pml_modes[m].name, name))
			return &pml_modes[m];
	test_abort();
}

static void pml_family(const char *mode_name)
{
	static struct pml_run s;
	const struct pml_mode *m = mode_named(mode_name);

	for (int ad = 1; ad >= 0; ad--) {
		struct ept_env_config cfg = m->cfg;
		/* in a 4M block, not its first 2M nor the first 4K of that: every
		 * guest entry of the walk and the access lie at an offset other
		 * than 0 of their page (the log's bits 11:0 show) */
		uint64_t page = (uintptr_t)alloc_aligned(2 * PAGE_2M, 2 * PAGE_2M) + PAGE_2M + 0x5000;
		bool have_env;

		memset(&s, 0, sizeof(s));
		s.m = m;
		s.ad = ad;
		cfg.ad = ad;
		report_prefix_pushf("ept.pml.%s.ad-%s", m->name, ad ? "on" : "off");
		have_env = ept_env_init(&s.env, &cfg, &s.why);
		if (have_env && !s.why)
			s.why = pml_why();
		if (have_env && !s.why &&
		    ept_layout_init(&s.env, &s.lay, page, PAGE_4K, OFFSET, &s.why)) {
			s.log = alloc_page();
			vmcs_write(VMCS_PML_ADDRESS, (uintptr_t)s.log);
			vmx_enable_proc2(CPU2_ENABLE_PML);
		}
		cases_run(ad ? CASES_PER_AD : CASES_PER_AD / NR_VARIANTS, pml_case, &s);
		if (have_env)
			ept_env_exit(&s.env);
		report_prefix_pop();
	}
}

/* ---- ept_pml_entry: the VM-entry checks ---- */

struct entry_case {
	char id[32];
	char what[96];
	bool ept;
	uint64_t address;
	uint16_t index;
};

#define ENTRY_CASES_MAX (2 + 12 + 64 + 3)

struct entry_test {
	struct ept_env env;
	const char *why;
	unsigned n;
	struct entry_case cases[ENTRY_CASES_MAX];
	uint64_t log;
};

static void entry_one(void *ctx, unsigned i)
{
	struct entry_test *t = ctx;
	const struct entry_case *c = &t->cases[i];
	struct outcome want = { 0 }, got = { 0 };
	enum pml_entry_rule rule;
	struct vmx_exit e;

	if (t->why) {
		report_skip(c->id, c->what, "%s", t->why);
		return;
	}
	rule = pml_entry_check(&t->env.model.caps, true, c->ept, c->address);
	vmcs_write(VMCS_PML_ADDRESS, c->address);
	vmcs_write(VMCS_GUEST_PML_INDEX, c->index);
	if (c->ept)
		vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	else
		vmcs_clear_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
	if (rule != PML_ENTRY_OK) {
		outcome_set(&want, FLD_INSN_ERR, VMXERR_ENTRY_INVALID_CONTROL, 0xffffffffu);
		snprintf(want.describe, sizeof(want.describe), "VMfailValid, error %u (%s)",
			 VMXERR_ENTRY_INVALID_CONTROL, pml_entry_rule_name(rule));
	} else {
		outcome_set(&want, FLD_REASON, EXIT_REASON_VMCALL, 0xffffffffu);
		outcome_set(&want, FLD_IDT_VEC, 0, INTR_INFO_VALID);
		outcome_set(&want, FLD_VECTOR, 0, INTR_INFO_VALID);
		snprintf(want.describe, sizeof(want.describe), "enters, guest VMCALLs (exit 18)");
	}
	/* the guest reads a byte of its own code: the read stub, its first
	 * instruction at an address every configuration maps */
	e = ept_env_run(&t->env, GUEST_OP_READ, ept_env_stub(&t->env, GUEST_OP_READ), 0);
	outcome_got_exit(&got, &e);
	if (!outcome_check(c->id, c->what, &want, &got))
		vmx_exit_report_info(&e);
	vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, CPU2_ENABLE_EPT);
}

static void entry_add(struct entry_test *t, bool ept, uint64_t address, uint16_t index,
		      const char *id, const char *what)
{
	struct entry_case *c = &t->cases[t->n++];

	c->ept = ept;
	c->address = address;
	c->index = index;
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->what, sizeof(c->what), "%s", what);
}

static void ept_pml_entry(void)
{
	static struct entry_test t;
	char id[32], what[96];
	bool have_env;

	memset(&t, 0, sizeof(t));
	report_prefix_push("ept.pml.entry");
	/* EPT A/D off: the guest's run sets no flag, so whatever the PML index
	 * it logs nothing and meets no full log; only the entry checks matter */
	have_env = ept_env_init(&t.env, &(struct ept_env_config){ .ad = false }, &t.why);
	if (have_env && !t.why)
		t.why = pml_why();
	t.log = (uintptr_t)alloc_page();
	entry_add(&t, true, t.log, 511, "valid", "enable PML, PML address page-aligned, index 511");
	entry_add(&t, false, t.log, 511, "no-ept", "enable PML without enable EPT");
	for (unsigned b = 0; b < 12; b++) {
		snprintf(id, sizeof(id), "addr-bit%u", b);
		snprintf(what, sizeof(what), "PML address with bit %u set (bits 11:0 must be 0)", b);
		entry_add(&t, true, t.log | BIT(b), 511, id, what);
	}
	for (unsigned b = 0; b < 64; b++) {
		if (b < 12 || b < vmx_caps.maxphyaddr)
			continue;
		snprintf(id, sizeof(id), "addr-bit%u", b);
		snprintf(what, sizeof(what), "PML address with bit %u set (above MAXPHYADDR %u)", b,
			 vmx_caps.maxphyaddr);
		entry_add(&t, true, t.log | BIT(b), 511, id, what);
	}
	entry_add(&t, true, t.log, 0xffff, "index-ffff", "PML index FFFFH (not checked at VM entry)");
	entry_add(&t, true, t.log, 512, "index-512", "PML index 512 (not checked at VM entry)");
	entry_add(&t, true, t.log, 0x8000, "index-8000", "PML index 8000H (not checked at VM entry)");
	if (have_env && !t.why)
		vmx_enable_proc2(CPU2_ENABLE_PML);
	cases_run(t.n, entry_one, &t);
	if (have_env)
		ept_env_exit(&t.env);
	report_prefix_pop();
}

#define PML_TEST(mode)						\
	static void ept_pml_##mode(void) { pml_family(#mode); }	\
	TEST("ept_pml_" #mode, ept_pml_##mode)

PML_TEST(long4);
PML_TEST(pae);
PML_TEST(pg32);
PML_TEST(nopg);
TEST("ept_pml_entry", ept_pml_entry);
