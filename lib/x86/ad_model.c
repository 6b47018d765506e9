/* Accessed and dirty flags after one access (ad_model.h). */
#include "ad_model.h"

#define GUEST_A (1ull << 5)
#define GUEST_D (1ull << 6)

static uint8_t strongest(uint8_t x, uint8_t y)
{
	/* SET over MAY over CLEAR: one access that must set a flag wins */
	return x == AD_SET || y == AD_SET ? AD_SET : x == AD_MAY || y == AD_MAY ? AD_MAY : AD_CLEAR;
}

unsigned ad_model_ept_walk(const struct ept_model *m, uint64_t gpa, uint64_t hpa[EPT_MAX_LEVELS],
			   bool *complete)
{
	unsigned levels = (unsigned)((m->eptp >> 3) & 7) + 1, n = 0;
	uint64_t mask = ept_phys_mask(m->caps.maxphyaddr) & ~0xfffull;
	uint64_t table = m->eptp & mask;

	*complete = false;
	for (unsigned lvl = levels; lvl >= 1 && n < EPT_MAX_LEVELS; lvl--) {
		uint64_t at = table + 8 * ((gpa >> (12 + 9 * (lvl - 1))) & 511);
		uint64_t e = m->read(m->ctx, at);

		hpa[n++] = at;
		if (!ept_entry_present(m, e))
			return n;
		if (lvl == 1 || ((lvl == 2 || lvl == 3) && (e & EPT_LARGE_PAGE))) {
			*complete = true;
			return n;
		}
		table = e & mask;
	}
	return n;
}

static bool ept_ad_on(const struct ept_model *m)
{
	return m->eptp & EPTP_AD_ENABLE;
}

struct ad_flags ad_model_ept(const struct ept_model *m, const struct ept_outcome *o,
			     const struct ept_trace *t, uint64_t hpa)
{
	struct ad_flags f = { AD_CLEAR, AD_CLEAR };

	/* 29.3.5: with EPTP bit 6 = 0 the processor sets no EPT A/D flag. */
	if (!ept_ad_on(m))
		return f;
	if (o->kind == EPT_OUTCOME_TRANSLATION) {
		/* Every entry used by the whole two-dimensional walk gets A;
		 * the leaf of each written guest-physical address gets D (the
		 * model's list); an entry no walk used keeps both clear. */
		for (unsigned i = 0; i < o->translation.nr_ad; i++)
			if (o->translation.ad[i].hpa == hpa) {
				f.a = o->translation.ad[i].set_a ? AD_SET : AD_CLEAR;
				f.d = o->translation.ad[i].set_d ? AD_SET : AD_CLEAR;
			}
		return f;
	}
	if (!t)
		return (struct ad_flags){ AD_MAY, AD_MAY };
	/*
	 * A stopped access.  The guest paging-structure reads before the
	 * stop happened (each one's address comes from the one before): their
	 * translations set what they set.  Guest A/D updates are not ordered
	 * against later steps: may.  The access that stopped: entries its
	 * walk read may have A; it wrote nothing, so no D.  A guest fault
	 * stops the walk after its last paging-structure read completed
	 * through EPT (the entry read faulted, not its translation): that
	 * read set its flags like the reads before it.
	 */
	for (unsigned i = 0; i < t->n && i <= o->step; i++) {
		const struct ept_trace_entry *s = &t->e[i];

		if (i < o->step || (o->kind == EPT_OUTCOME_GUEST_FAULT &&
				    s->kind == EPT_ACCESS_PAGING)) {
			struct ept_access a = { .gpa = s->gpa, .kind = s->kind };
			struct ept_outcome so;
			bool ordered = s->kind == EPT_ACCESS_PAGING;

			if (ept_model_access(m, &a, &so) != EPT_OUTCOME_TRANSLATION)
				continue;
			for (unsigned k = 0; k < so.translation.nr_ad; k++) {
				const struct ept_ad_update *u = &so.translation.ad[k];

				if (u->hpa != hpa)
					continue;
				if (u->set_a)
					f.a = strongest(f.a, ordered ? AD_SET : AD_MAY);
				if (u->set_d)
					f.d = strongest(f.d, ordered ? AD_SET : AD_MAY);
			}
		} else {
			uint64_t walk[EPT_MAX_LEVELS];
			bool complete;
			unsigned n = ad_model_ept_walk(m, s->gpa, walk, &complete);

			for (unsigned k = 0; k < n; k++) {
				bool present = k + 1 < n || complete;

				if (walk[k] == hpa && present)
					f.a = strongest(f.a, AD_MAY);
			}
		}
	}
	return f;
}

struct ad_flags ad_model_guest(const struct ept_outcome *o, const struct ept_trace *t,
			       unsigned level, bool leaf, bool write, uint64_t before)
{
	struct ad_flags f = { AD_CLEAR, AD_CLEAR };
	bool read = false, walked = false;

	if (o->kind == EPT_OUTCOME_TRANSLATION) {
		/* Vol. 3A 4.8: A in every entry used; D in the entry that maps
		 * the page, on a write only (bit 6 of a non-leaf entry is
		 * ignored: the processor never sets it). */
		f.a = AD_SET;
		f.d = leaf && write ? AD_SET : AD_CLEAR;
	} else if (t) {
		for (unsigned i = 0; i < t->n && i <= o->step; i++) {
			const struct ept_trace_entry *s = &t->e[i];

			if (s->kind == EPT_ACCESS_PAGING && s->guest_level == level &&
			    (i < o->step || o->kind == EPT_OUTCOME_GUEST_FAULT))
				read = true;
			/* the walk was over: the stop came at an A/D update
			 * or at the final access */
			if (i == o->step && s->kind != EPT_ACCESS_PAGING)
				walked = true;
		}
		/* An entry the walk used before it stopped may have A set (the
		 * SDM does not order the update against the stop); one it never
		 * reached keeps A clear.  D needs a write whose walk was over. */
		if (read && (before & 1))
			f.a = AD_MAY;
		if (leaf && write && walked)
			f.d = AD_MAY;
	} else {
		f.a = f.d = AD_MAY;
	}
	/* flags are sticky: the processor never clears them */
	if (before & GUEST_A)
		f.a = AD_SET;
	if (before & GUEST_D)
		f.d = AD_SET;
	return f;
}
