/* The two-dimensional walk made visible (ept_layout.h). */
#include "libcflat.h"
#include "test.h"
#include "x86/ad_model.h"
#include "x86/alloc.h"
#include "x86/ept_layout.h"
#include "x86/processor.h"

#define GIB (1ull << 30)

static bool pae(const struct ept_env *env)
{
	return env->mode == GUEST_PAGING_PAE && !env->paging_off;
}

/* PAE PDPTEs are registers loaded at VM entry: no reference of the walk. */
static bool walked_level(const struct ept_env *env, unsigned level)
{
	return !(pae(env) && level == 3);
}

static unsigned table_region(const struct ept_env *env, unsigned level)
{
	return env->guest32 ? level : level + 1;
}

bool ept_layout_init(struct ept_env *env, struct ept_layout *l, uint64_t page_hpa,
		     uint64_t guest_page_size, uint64_t offset, const char **why)
{
	struct guest_pt *g = &env->gpt;
	unsigned levels = env->paging_off ? 0 : g->levels, region, top;
	uint64_t gla, gpa, end;

	memset(l, 0, sizeof(*l));
	if (env->paging_off)
		guest_page_size = 0;
	region = guest_page_size == PAGE_1G ? 1 : 0;
	/* the highest table the walk reads (PAE: the PD) */
	top = levels ? table_region(env, walked_level(env, levels) ? levels : levels - 1) : region;
	end = env->window_gpa + (top + 1 + !env->guest32) * GIB;	/* + the unused region */
	if (env->guest32 ? end > (4ull << 30) : end > (1ull << vmx_caps.maxphyaddr)) {
		*why = "no room for a 1-GiB region per guest paging level next to the window";
		return false;
	}
	if (page_hpa + PAGE_2M > GIB || alloc_region_end() > GIB) {
		*why = "RAM above 1 GiB: a region's GPA offset must be its HPA";
		return false;
	}
	gla = env->window_gla + region * GIB + page_hpa;
	gpa = env->window_gpa + region * GIB + page_hpa;
	l->gla = gla + offset;
	l->host = (volatile uint64_t *)(uintptr_t)(page_hpa + offset);
	l->guest_page_size = guest_page_size;
	if (levels)
		gpt_map(g, gla, gpa, guest_page_size, PTE_WRITE);

	/* every table of the walk to its level's region, root first */
	for (unsigned level = levels; level >= 1; level--) {
		uint64_t table = gpt_table_gpa(g, l->gla, level), hpa, at;

		if (!table)
			break;
		hpa = gpt_table_hpa(g, table);
		at = env->window_gpa + table_region(env, level) * GIB + hpa;
		if (walked_level(env, level) && table != at)
			gpt_relocate_table(g, l->gla, level, at);
	}
	if (levels)
		vmcs_write(VMCS_GUEST_CR3, gpt_cr3(g));

	for (unsigned level = levels; level >= 1; level--) {
		uint64_t table = gpt_table_gpa(g, l->gla, level), e;
		struct ept_layout_ref *r;

		if (!table)
			break;
		e = gpt_entry_read(g, l->gla, level);
		if (walked_level(env, level)) {
			r = &l->ref[l->nr_refs++];
			r->guest_level = (uint8_t)level;
			r->gpa = gpt_entry_gpa(g, l->gla, level);
			r->hpa = gpt_table_hpa(g, table) + (r->gpa - table);
		}
		if (gpt_entry_is_leaf(env->mode, level, e))
			break;
	}
	l->ref[l->nr_refs].guest_level = 0;
	l->ref[l->nr_refs].gpa = gpa + offset;
	l->ref[l->nr_refs].hpa = page_hpa + offset;
	l->nr_refs++;
	/* the unused subtree: the region after the last table's (32-bit
	 * guests: may lie above 4 GiB, where no guest address reaches) */
	l->ref[l->nr_refs].guest_level = LAYOUT_UNUSED;
	l->ref[l->nr_refs].gpa = env->window_gpa + (top + 1) * GIB + page_hpa + offset;
	l->ref[l->nr_refs].hpa = page_hpa + offset;
	return true;
}

/* A level of the window's EPT walks no other mapping uses. */
static bool observed_level(const struct ept_env *env, unsigned level)
{
	return level <= EPT_LEVEL_PDPTE || (level == EPT_LEVEL_PML4E && env->window_own_pml4e);
}

void ept_layout_map_ref(struct ept_env *env, struct ept_layout *l, unsigned k,
			uint64_t ept_page_size)
{
	enum ept_level leaf = ept_leaf_level(ept_page_size);
	struct ept_layout_ref *r = &l->ref[k];
	uint64_t page = r->gpa & ~0xfffull;

	/* an entry an earlier case left not present is still the leaf or
	 * table it was: present again, so ept_map() splits or follows it
	 * rather than taking a leaf for a table */
	for (unsigned level = env->ept.levels; level >= EPT_LEVEL_PTE; level--) {
		uint64_t *e = ept_entry(&env->ept, page, level);

		if (!e || !(*e & BITS(51, 12)))
			break;
		if (observed_level(env, level))
			*e |= EPT_RWX_MASK;
		if (level == EPT_LEVEL_PTE || (*e & EPT_LARGE_PAGE))
			break;
	}
	ept_map(&env->ept, page, r->hpa & ~0xfffull, ept_page_size, EPT_RWX_MASK | EPT_WB);
	r->nr_ept = 0;
	for (unsigned level = env->ept.levels; level >= leaf; level--) {
		uint64_t *e;

		/* the unused subtree: only its own entries */
		if (!observed_level(env, level) ||
		    (k == l->nr_refs && level > EPT_LEVEL_PDPTE))
			continue;
		e = ept_entry_must(&env->ept, page, level);
		*e = (*e & ~(EPT_ACCESSED | EPT_DIRTY)) | EPT_RWX_MASK;
		r->ept_hpa[r->nr_ept] = (uintptr_t)e;
		r->ept_level[r->nr_ept++] = (uint8_t)level;
	}
	if (k < l->nr_refs && r->guest_level)
		gpt_entry_update(&env->gpt, l->gla, r->guest_level, 0,
				 PTE_ACCESSED | PTE_DIRTY);
}

void ept_layout_map(struct ept_env *env, struct ept_layout *l, uint64_t ept_page_size,
		    enum guest_op op)
{
	l->ept_page_size = ept_page_size;
	for (unsigned k = 0; k <= l->nr_refs; k++)
		ept_layout_map_ref(env, l, k, ept_page_size);
	if (env->paging_off)
		return;
	/* the guest's code: its entries accessed, so its walk writes nothing */
	for (unsigned level = env->gpt.levels; level >= 1; level--) {
		uint64_t stub = ept_env_stub(env, op), e;

		if (!gpt_table_gpa(&env->gpt, stub, level))
			break;
		e = gpt_entry_read(&env->gpt, stub, level);
		if (walked_level(env, level))
			gpt_entry_update(&env->gpt, stub, level, PTE_ACCESSED, 0);
		if (gpt_entry_is_leaf(env->mode, level, e))
			break;
	}
}

void ept_layout_set_ad(struct ept_env *env, struct ept_layout *l, bool ept, bool guest, bool set)
{
	for (unsigned k = 0; k < l->nr_refs; k++) {
		struct ept_layout_ref *r = &l->ref[k];

		for (unsigned j = 0; ept && j < r->nr_ept; j++) {
			volatile uint64_t *e = (volatile uint64_t *)(uintptr_t)r->ept_hpa[j];
			/* D exists in leaves only (bit 9 is ignored elsewhere) */
			uint64_t ad = EPT_ACCESSED | (j + 1 == r->nr_ept ? EPT_DIRTY : 0);

			*e = set ? *e | ad : *e & ~(EPT_ACCESSED | EPT_DIRTY);
		}
		if (guest && r->guest_level) {
			uint64_t e = gpt_entry_read(&env->gpt, l->gla, r->guest_level);
			uint64_t ad = PTE_ACCESSED |
				      (gpt_entry_is_leaf(env->mode, r->guest_level, e) ? PTE_DIRTY : 0);

			gpt_entry_update(&env->gpt, l->gla, r->guest_level, set ? ad : 0,
					 set ? 0 : PTE_ACCESSED | PTE_DIRTY);
		}
	}
}

const char *ept_layout_ref_name(const struct ept_env *env, const struct ept_layout *l, unsigned k)
{
	static const char *const names[] = { "page", "pt", "pd", "pdpt", "pml4", "pml5" };
	unsigned level = l->ref[k].guest_level;

	(void)env;
	if (level == LAYOUT_UNUSED)
		return "unused";
	return level < ARRAY_SIZE(names) ? names[level] : "?";
}

void ept_layout_want_ref(struct ept_env *env, const struct ept_layout *l, unsigned k,
			 const struct ept_case *c, struct outcome *w)
{
	const struct ept_layout_ref *r = &l->ref[k];
	bool write = guest_op_writes(c->op);

	memset(w, 0, sizeof(*w));
	w->nr_ept_ad = (uint8_t)r->nr_ept;
	for (unsigned j = 0; j < r->nr_ept; j++) {
		struct ad_flags a = ad_model_ept(&env->model, &c->model, &c->trace, r->ept_hpa[j]);
		uint64_t e = *(volatile uint64_t *)(uintptr_t)r->ept_hpa[j];

		/* the processor never clears a flag (29.3.5) */
		if (e & EPT_ACCESSED)
			a.a = AD_SET;
		if (e & EPT_DIRTY)
			a.d = AD_SET;
		outcome_want_ad(w, FLD_EPT_AD, j, a);
		w->ept_ad_level[j] = r->ept_level[j];
	}
	if (r->guest_level && r->guest_level != LAYOUT_UNUSED) {
		uint64_t e = gpt_entry_read(&env->gpt, l->gla, r->guest_level);

		outcome_want_ad(w, FLD_GUEST_AD, 0,
			   ad_model_guest(&c->model, &c->trace, r->guest_level,
					  gpt_entry_is_leaf(env->mode, r->guest_level, e), write, e));
		w->nr_guest_ad = 1;
		w->guest_ad_level[0] = r->guest_level;
	}
}

void ept_layout_got_ref(struct ept_env *env, const struct ept_layout *l, unsigned k,
			struct outcome *g)
{
	const struct ept_layout_ref *r = &l->ref[k];

	memset(g, 0, sizeof(*g));
	for (unsigned j = 0; j < r->nr_ept; j++) {
		uint64_t e = *(volatile uint64_t *)(uintptr_t)r->ept_hpa[j];

		g->v[FLD_EPT_AD] |= (uint64_t)!!(e & EPT_ACCESSED) << (2 * j) |
				    (uint64_t)!!(e & EPT_DIRTY) << (2 * j + 1);
	}
	if (r->guest_level && r->guest_level != LAYOUT_UNUSED) {
		uint64_t e = gpt_entry_read(&env->gpt, l->gla, r->guest_level);

		g->v[FLD_GUEST_AD] = (uint64_t)!!(e & PTE_ACCESSED) | (uint64_t)!!(e & PTE_DIRTY) << 1;
	}
}

static const char *const ept_names[] = { "?", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };

bool ept_layout_check_ref(const struct ept_env *env, const struct ept_layout *l, unsigned k,
			  const char *id, const struct outcome *w, const struct outcome *g)
{
	const char *name = ept_layout_ref_name(env, l, k);
	struct check_field f[2];
	char cid[128], what[64];
	unsigned n = 0;
	bool pass;

	f[n++] = (struct check_field){ "ept_ad", g->v[FLD_EPT_AD], w->v[FLD_EPT_AD],
				       w->mask[FLD_EPT_AD] };
	if (w->nr_guest_ad)
		f[n++] = (struct check_field){ "guest_ad", g->v[FLD_GUEST_AD],
					       w->v[FLD_GUEST_AD], w->mask[FLD_GUEST_AD] };
	snprintf(cid, sizeof(cid), "%s.ref.%s", id, name);
	snprintf(what, sizeof(what), k < l->nr_refs ? "the %s reference's walk" :
		 "an EPT subtree no walk uses (%s)", name);
	pass = report_fields(cid, f, n, "%s: EPT A/D (SDM 29.3.5)%s", what,
			     w->nr_guest_ad ? " and the guest entry's A/D (Vol. 3A 4.8)" : "");
	if (!pass)
		for (unsigned j = 0; j < w->nr_ept_ad; j++)
			report_info("ept_ad bits %u/%u: EPT %s", 2 * j, 2 * j + 1,
				    ept_names[w->ept_ad_level[j]]);
	return pass;
}

void ept_layout_print(struct ept_env *env, const struct ept_layout *l, const struct ept_case *c)
{
	struct ept_ref refs[EPT_REFS_MAX];
	unsigned upto = c->model.kind == EPT_OUTCOME_TRANSLATION ? c->trace.n : c->model.step + 1u;

	for (unsigned k = 0; k <= l->nr_refs; k++) {
		const struct ept_layout_ref *r = &l->ref[k];
		char buf[256];
		unsigned len = 0;

		for (unsigned j = 0; j < r->nr_ept && len < sizeof(buf); j++) {
			uint64_t e = *(volatile uint64_t *)(uintptr_t)r->ept_hpa[j];

			len += snprintf(buf + len, sizeof(buf) - len, " | EPT %s @%#lx %c%c",
					ept_names[r->ept_level[j]], r->ept_hpa[j],
					e & EPT_ACCESSED ? 'A' : '-', e & EPT_DIRTY ? 'D' : '-');
		}
		report_info("trace %-6s gpa %#lx hpa %#lx%s", ept_layout_ref_name(env, l, k),
			    r->gpa, r->hpa, buf);
	}
	report_info("trace: %u memory references up to the one that decided (%s), the model's "
		    "count (ept_trace_refs()); %u guest levels, %u EPT levels, leaf %s",
		    ept_trace_refs(&env->model, &c->trace, upto, refs),
		    ept_outcome_kind_name(c->model.kind), l->nr_refs - 1, env->ept.levels,
		    l->ept_page_size == PAGE_4K ? "4K" : l->ept_page_size == PAGE_2M ? "2M" : "1G");
}
