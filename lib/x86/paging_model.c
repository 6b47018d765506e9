/*
 * paging_model.c: guest paging (SDM Vol. 3A chapter 4) on top of
 * ept_model_access().  See paging_model.h.
 */
#include "paging_model.h"

enum guest_mode { MODE_32, MODE_PAE, MODE_LONG };

struct gwalk {
	unsigned n;
	uint64_t gpa[5], val[5];
	uint8_t level[5];
};

static void ad_merge(struct ept_translation *acc, const struct ept_translation *t)
{
	unsigned i, j;

	for (i = 0; i < t->nr_ad; i++) {
		for (j = 0; j < acc->nr_ad; j++)
			if (acc->ad[j].hpa == t->ad[i].hpa)
				break;
		if (j == acc->nr_ad) {
			if (acc->nr_ad == EPT_AD_MAX)
				continue;       /* cannot happen: 6 x 5 < 32 */
			acc->ad[acc->nr_ad++] = t->ad[i];
		} else {
			acc->ad[j].set_a |= t->ad[i].set_a;
			acc->ad[j].set_d |= t->ad[i].set_d;
		}
	}
}

static void trace_add(struct ept_trace *tr, uint64_t gpa, enum ept_access_kind k,
		      unsigned level, bool a, bool d)
{
	if (tr->n < EPT_TRACE_MAX) {
		struct ept_trace_entry *e = &tr->e[tr->n];
		e->gpa = gpa;
		e->kind = k;
		e->guest_level = (uint8_t)level;
		e->set_a = a;
		e->set_d = d;
		e->user = false;
	}
	tr->n++;
}

static uint64_t read_guest_entry(const struct ept_model *m, uint64_t hpa, unsigned size)
{
	uint64_t v = m->read(m->ctx, hpa & ~7ull);

	if (size == 4)
		v = (v >> ((hpa & 4) * 8)) & 0xffffffffull;
	return v;
}

/*
 * Reserved bits of a present guest paging-structure entry (SDM Vol. 3A
 * 4.3 Table 4-4..4-6, 4.4.2 Tables 4-8..4-11, 4.5 Tables 4-14..4-20, and
 * 4.7 "RSVD flag").  M = MAXPHYADDR.
 */
static uint64_t guest_rsvd(const struct guest_state *g, enum guest_mode mode,
			   unsigned M, uint64_t e, unsigned level)
{
	bool nxe = g->efer & EFER_NXE;
	uint64_t r = 0;

	if (mode == MODE_32) {
		/* Table 4-4: 4-MByte PDE (CR4.PSE = 1): bits 20:13 hold address
		 * bits 39:32 (M-1:32 where M < 40); bit 21 and the rest reserved. */
		if (level == 2 && (g->cr4 & X86_CR4_PSE) && (e & PTE_PSE)) {
			unsigned lo = 13 + (M < 40 ? M : 40) - 32;
			r = BITS(21, lo);
		}
		return e & r;
	}
	if (mode == MODE_PAE) {
		/* Tables 4-8..4-11: bits 62:M reserved; 63 (XD) reserved if
		 * IA32_EFER.NXE = 0. */
		r = BITS(62, M);
	} else {
		/* Tables 4-14..4-20: bits 51:M reserved (62:52 ignored / PK). */
		if (M < 52)
			r = BITS(51, M);
		/* PML5E, PML4E: bit 7 (PS) reserved. */
		if (level >= 4)
			r |= PTE_PSE;
		/* PDPTE with PS = 1: reserved unless 1-GByte pages are supported;
		 * otherwise bits 29:13 reserved. */
		if (level == 3 && (e & PTE_PSE))
			r |= g->gbpages ? BITS(29, 13) : PTE_PSE;
	}
	if (!nxe)
		r |= PTE_NX;
	/* 2-MByte PDE: bits 20:13 reserved. */
	if (level == 2 && (e & PTE_PSE))
		r |= BITS(20, 13);
	return e & r;
}

static bool ept_ad_would_fail(const struct ept_model *m, const struct linear_access *la,
			      uint64_t gpa)
{
	struct ept_access a = {
		.gpa = gpa, .kind = EPT_ACCESS_PAGING_AD, .gla = la->gla,
		.gla_valid = true,
	};
	struct ept_outcome t;

	return ept_model_access(m, &a, &t) != EPT_OUTCOME_TRANSLATION;
}

/*
 * Could a guest A/D update of an entry read before the deciding access
 * (entries [0, upto)) stop the access first?  The SDM does not order
 * accessed-flag updates against the rest of the walk (Vol. 3A 4.8).
 */
static bool pending_ad_fails(const struct ept_model *m, const struct linear_access *la,
			     const struct gwalk *w, unsigned upto)
{
	unsigned i;

	for (i = 0; i < upto; i++)
		if (!(w->val[i] & PTE_ACCESSED) && ept_ad_would_fail(m, la, w->gpa[i]))
			return true;
	return false;
}

/* The final access: the translation of the linear address (kind from the
 * linear access, bits 9-11 from the guest translation). */
static void final_access(struct ept_access *a, const struct linear_access *la,
			 uint64_t gpa, bool u_addr, bool rw_addr, bool xd_addr)
{
	switch (la->kind) {
	case LINEAR_READ: a->kind = EPT_ACCESS_READ; break;
	case LINEAR_WRITE: a->kind = EPT_ACCESS_WRITE; break;
	case LINEAR_FETCH: a->kind = EPT_ACCESS_FETCH; break;
	case LINEAR_RMW: a->kind = EPT_ACCESS_RMW; break;
	}
	a->gpa = gpa;
	a->size = la->size;
	a->shadow_stack = la->shadow_stack;
	a->user_access = la->user;
	a->user = u_addr;
	a->writable = rw_addr;
	a->xd = xd_addr;
}

static enum ept_outcome_kind guest_fault(struct ept_outcome *o, uint64_t rule, uint8_t vector,
					 uint32_t ec, uint64_t cr2, unsigned level)
{
	o->kind = EPT_OUTCOME_GUEST_FAULT;
	o->rules |= rule;
	o->guest_fault.vector = vector;
	o->guest_fault.error_code = ec;
	o->guest_fault.cr2 = cr2;
	o->guest_fault.level = (uint8_t)level;
	return o->kind;
}

enum ept_outcome_kind ept_model_linear(const struct ept_model *m,
				       const struct guest_state *g,
				       const struct linear_access *la,
				       struct ept_outcome *o,
				       struct ept_trace *trace)
{
	struct ept_trace local;
	struct ept_translation acc;
	struct gwalk w;
	struct ept_access a = {
		.gla = la->gla, .gla_valid = true,
		.iret_nmi_unblock = la->iret_nmi_unblock,
		.event_delivery = la->event_delivery,
	};
	unsigned M = m->caps.maxphyaddr, esize = 8, top, lvl, i;
	bool write = la->kind == LINEAR_WRITE || la->kind == LINEAR_RMW;
	bool fetch = la->kind == LINEAR_FETCH;
	bool u_addr = true, rw_addr = true, xd_addr = false, nxe;
	bool rw_above = true;   /* R/W in every entry but the one that maps the page */
	enum guest_mode mode;
	uint64_t base, gpa = 0, ec_base;
	uint64_t ad_rules = 0;  /* A/D rules of the accesses before the final one */

	if (!trace)
		trace = &local;
	trace->n = 0;
	acc.nr_ad = 0;
	w.n = 0;
	o->order_ambiguous = false;
	o->rules = 0;

	if (!(g->cr0 & X86_CR0_PG)) {
		/* Paging off (unrestricted guest): the linear address is the
		 * guest-physical address (29.3.1); bits 9-11 then report a
		 * user-mode, writable, executable address (Table 28-7). */
		gpa = la->gla & 0xffffffffull;
		goto final;
	}

	if (g->efer & EFER_LMA) {
		unsigned width = (g->cr4 & X86_CR4_LA57) ? 57 : 48;
		unsigned sh = 64 - width;

		mode = MODE_LONG;
		top = (g->cr4 & X86_CR4_LA57) ? 5 : 4;
		/* Vol. 3A 4.5: a non-canonical linear address faults (#GP) before
		 * any paging-structure access. */
		if ((uint64_t)((int64_t)(la->gla << sh) >> sh) != la->gla) {
			o->step = 0;
			return guest_fault(o, EPT_RULE(GUEST_GP_CANON), GUEST_VECTOR_GP, 0, 0, 0);
		}
		base = g->cr3 & BITS(M - 1, 12);
	} else if (g->cr4 & X86_CR4_PAE) {
		mode = MODE_PAE;
		top = 2;
		base = 0;
	} else {
		mode = MODE_32;
		top = 2;
		esize = 4;
		base = g->cr3 & 0xfffff000ull;
	}
	/* NX exists only with PAE-format entries (Vol. 3A 4.6). */
	nxe = mode != MODE_32 && (g->efer & EFER_NXE);
	/* Error-code bits that depend on the access only (Vol. 3A 4.7):
	 * I/D is set for fetches "if CR4.SMEP = 1 or (CR4.PAE = 1 and
	 * IA32_EFER.NXE = 1)". */
	ec_base = (write ? PFEC_W : 0) | (la->user ? PFEC_U : 0) |
		  (la->shadow_stack ? PFEC_SS : 0) |
		  (fetch && ((g->cr4 & X86_CR4_SMEP) ||
			     ((g->cr4 & X86_CR4_PAE) && (g->efer & EFER_NXE))) ? PFEC_I : 0);

	if (mode == MODE_PAE) {
		/* Vol. 3A 4.4.2: the PDPTE comes from the PDPTE registers
		 * (loaded earlier, see ept_model_pae_load_pdptes()). */
		uint64_t pdpte = g->pdpte[(la->gla >> 30) & 3];

		if (!(pdpte & PTE_PRESENT)) {
			o->step = 0;
			return guest_fault(o, EPT_RULE(GUEST_PF_PDPTE), GUEST_VECTOR_PF,
					   (uint32_t)ec_base, la->gla, 3);
		}
		base = pdpte & BITS(M - 1, 12);
	}

	for (lvl = top; lvl >= 1; lvl--) {
		uint64_t idx, e, r;
		bool leaf;

		if (esize == 4)
			idx = (la->gla >> (lvl == 2 ? 22 : 12)) & 1023;
		else
			idx = (la->gla >> (12 + 9 * (lvl - 1))) & 511;
		w.gpa[w.n] = base + idx * esize;
		w.level[w.n] = (uint8_t)lvl;

		/* The read of the guest paging-structure entry through EPT. */
		a.gpa = w.gpa[w.n];
		a.kind = EPT_ACCESS_PAGING;
		trace_add(trace, a.gpa, a.kind, lvl, false, false);
		if (ept_model_access(m, &a, o) != EPT_OUTCOME_TRANSLATION) {
			o->step = (uint8_t)(trace->n - 1);
			o->order_ambiguous = pending_ad_fails(m, la, &w, w.n);
			return o->kind;
		}
		ad_merge(&acc, &o->translation);
		ad_rules |= o->rules & (EPT_RULE(AD_EPT_A) | EPT_RULE(AD_EPT_D));
		e = read_guest_entry(m, o->translation.hpa, esize);
		w.val[w.n] = e;

		/* Vol. 3A 4.7: not present -> #PF with P = 0. */
		if (!(e & PTE_PRESENT)) {
			o->step = (uint8_t)(trace->n - 1);
			o->order_ambiguous = pending_ad_fails(m, la, &w, w.n);
			return guest_fault(o, EPT_RULE(GUEST_PF_NP), GUEST_VECTOR_PF,
					   (uint32_t)ec_base, la->gla, lvl);
		}
		r = guest_rsvd(g, mode, M, e, lvl);
		if (r) {
			o->step = (uint8_t)(trace->n - 1);
			o->order_ambiguous = pending_ad_fails(m, la, &w, w.n);
			return guest_fault(o, EPT_RULE(GUEST_PF_RSVD), GUEST_VECTOR_PF,
					   (uint32_t)(ec_base | PFEC_P | PFEC_RSVD),
					   la->gla, lvl);
		}
		w.n++;

		/* Vol. 3A 4.6: user-mode address iff U/S = 1 in every entry;
		 * writable iff R/W = 1 in every entry; execute-disable iff XD = 1
		 * in any entry (NXE = 1). */
		u_addr = u_addr && (e & PTE_USER);
		rw_above = rw_addr;
		rw_addr = rw_addr && (e & PTE_WRITE);
		if (nxe && (e & PTE_NX))
			xd_addr = true;

		leaf = lvl == 1 ||
		       (lvl == 2 && (e & PTE_PSE) &&
			(mode != MODE_32 || (g->cr4 & X86_CR4_PSE))) ||
		       (lvl == 3 && (e & PTE_PSE));
		if (leaf) {
			if (mode == MODE_32 && lvl == 2) {
				/* 4-MByte page: PDE bits 31:22 and 20:13 (-> 39:32). */
				gpa = (e & 0xffc00000ull) | (((e >> 13) & 0xff) << 32) |
				      (la->gla & 0x3fffffull);
			} else {
				unsigned shift = lvl == 1 ? 12 : lvl == 2 ? 21 : 30;
				gpa = (e & BITS(M - 1, shift)) |
				      (la->gla & ((1ull << shift) - 1));
			}
			break;
		}
		base = esize == 4 ? (e & 0xfffff000ull) : (e & BITS(M - 1, 12));
	}

	/* Access rights, Vol. 3A 4.6. */
	{
		bool fault = false, pk = false;
		uint64_t rule = 0;
		uint64_t leaf_e = w.val[w.n - 1];

		if (la->shadow_stack) {
			/* Shadow-stack accesses (CR4.CET = 1) go only to
			 * shadow-stack addresses -- R/W = 0 and D = 1 in the entry
			 * that maps the page, R/W = 1 in every other entry -- of
			 * the access's own mode: user-mode addresses for user-mode
			 * accesses, supervisor-mode ones otherwise.  CR0.WP, SMAP
			 * and XD play no part. */
			bool ss_addr = !(leaf_e & PTE_WRITE) && (leaf_e & PTE_DIRTY) && rw_above;

			if (!ss_addr || u_addr != la->user) {
				fault = true;
				rule = EPT_RULE(GUEST_PF_SS);
			}
		} else if (la->user) {
			/* User-mode accesses: only user-mode addresses; writes need
			 * R/W = 1; fetches need XD = 0. */
			if (!u_addr || (write && !rw_addr) || (fetch && xd_addr)) {
				fault = true;
				rule = !u_addr || write ? EPT_RULE(GUEST_PF_USER) : EPT_RULE(GUEST_PF_XD);
			}
		} else if (fetch) {
			/* Supervisor fetches: XD, and SMEP for user-mode addresses. */
			if (xd_addr || (u_addr && (g->cr4 & X86_CR4_SMEP))) {
				fault = true;
				rule = xd_addr ? EPT_RULE(GUEST_PF_XD) : EPT_RULE(GUEST_PF_SMEP);
			}
		} else {
			/* Supervisor data: SMAP for user-mode addresses (explicit
			 * accesses allowed iff RFLAGS.AC = 1; implicit never); writes
			 * to read-only addresses fault iff CR0.WP = 1. */
			if (u_addr && (g->cr4 & X86_CR4_SMAP) &&
			    (la->implicit || !g->rflags_ac)) {
				fault = true;
				rule = EPT_RULE(GUEST_PF_SMAP);
			}
			if (write && !rw_addr && (g->cr0 & X86_CR0_WP)) {
				fault = true;
				rule |= EPT_RULE(GUEST_PF_WP);
			}
		}
		/* Protection keys (4-level/5-level, CR4.PKE): data accesses to
		 * user-mode addresses; AD denies all, WD denies writes by user
		 * accesses and, with CR0.WP = 1, by supervisor accesses. */
		if (mode == MODE_LONG && (g->cr4 & X86_CR4_PKE) && u_addr && !fetch) {
			unsigned key = (unsigned)((leaf_e >> 59) & 15);
			bool ad = (g->pkru >> (2 * key)) & 1;
			bool wd = (g->pkru >> (2 * key + 1)) & 1;

			if (ad || (write && wd && (la->user || (g->cr0 & X86_CR0_WP)))) {
				pk = true;
				rule |= EPT_RULE(GUEST_PF_PK);
			}
		}
		if (fault || pk) {
			o->step = (uint8_t)(trace->n - 1);
			o->order_ambiguous = pending_ad_fails(m, la, &w, w.n);
			return guest_fault(o, rule, GUEST_VECTOR_PF,
					   (uint32_t)(ec_base | PFEC_P | (pk ? PFEC_PK : 0)),
					   la->gla, w.level[w.n - 1]);
		}
	}

	/* Guest A/D updates (Vol. 3A 4.8): A in every entry used, and for a
	 * write D in the entry that maps the page; the leaf's flags in one
	 * update.  Each is a data write through EPT. */
	{
		int first_fail = -1, fails = 0;
		struct ept_outcome fo;

		for (i = 0; i < w.n; i++) {
			bool leaf = i == w.n - 1;
			bool set_a = !(w.val[i] & PTE_ACCESSED);
			bool set_d = leaf && write && !(w.val[i] & PTE_DIRTY);

			if (!set_a && !set_d)
				continue;
			a.gpa = w.gpa[i];
			a.kind = EPT_ACCESS_PAGING_AD;
			if (first_fail < 0) {
				trace_add(trace, a.gpa, a.kind, w.level[i], set_a, set_d);
				if (ept_model_access(m, &a, &fo) != EPT_OUTCOME_TRANSLATION) {
					first_fail = (int)(trace->n - 1);
					*o = fo;
					fails++;
				} else {
					ad_merge(&acc, &fo.translation);
					ad_rules |= fo.rules | EPT_RULE(GUEST_AD_UPDATE);
				}
			} else if (ept_model_access(m, &a, &fo) != EPT_OUTCOME_TRANSLATION) {
				fails++;
			}
		}
		if (first_fail >= 0) {
			/* Vol. 3A 4.8 does not order the A/D writes against each
			 * other, nor against the final access (29.3.3.2 checks
			 * that access separately): if another of them, or the
			 * final access, would fail too, the processor may report
			 * that one instead. */
			struct ept_access f = a;

			final_access(&f, la, gpa, u_addr, rw_addr, xd_addr);
			if (ept_model_access(m, &f, &fo) != EPT_OUTCOME_TRANSLATION)
				fails++;
			o->step = (uint8_t)first_fail;
			o->order_ambiguous = fails > 1;
			return o->kind;
		}
	}

final:
	/* The final access, the translation of the linear address. */
	final_access(&a, la, gpa, u_addr, rw_addr, xd_addr);
	trace_add(trace, gpa, a.kind, 0, false, false);
	if (trace->n <= EPT_TRACE_MAX)
		trace->e[trace->n - 1].user = u_addr;
	ept_model_access(m, &a, o);
	o->step = (uint8_t)(trace->n - 1);
	if (o->kind == EPT_OUTCOME_TRANSLATION) {
		o->rules |= ad_rules;
		ad_merge(&acc, &o->translation);
		for (i = 0; i < acc.nr_ad; i++)
			o->translation.ad[i] = acc.ad[i];
		o->translation.nr_ad = acc.nr_ad;
	}
	return o->kind;
}

unsigned ept_trace_refs(const struct ept_model *m, const struct ept_trace *tr,
			unsigned upto, struct ept_ref out[EPT_REFS_MAX])
{
	unsigned i, j, n = 0;

	if (upto > tr->n)
		upto = tr->n;
	if (upto > EPT_TRACE_MAX)
		upto = EPT_TRACE_MAX;
	for (i = 0; i < upto; i++) {
		const struct ept_trace_entry *e = &tr->e[i];
		struct ept_walk_entry w[EPT_MAX_LEVELS];
		struct ept_access a = { .gpa = e->gpa, .kind = e->kind };
		struct ept_outcome o;
		unsigned nw;

		if (e->kind == EPT_ACCESS_PAGING_AD)
			continue;
		nw = ept_walk_entries(m, e->gpa, w);
		for (j = 0; j < nw && n < EPT_REFS_MAX; j++, n++) {
			out[n].step = (uint8_t)i;
			out[n].guest_level = e->guest_level;
			out[n].ept_level = w[j].level;
			out[n].gpa = e->gpa;
			out[n].hpa = w[j].hpa;
		}
		if (e->kind == EPT_ACCESS_PAGING && n < EPT_REFS_MAX &&
		    ept_model_access(m, &a, &o) == EPT_OUTCOME_TRANSLATION) {
			out[n].step = (uint8_t)i;
			out[n].guest_level = e->guest_level;
			out[n].ept_level = 0;
			out[n].gpa = e->gpa;
			out[n].hpa = o.translation.hpa;
			n++;
		}
	}
	return n;
}

enum ept_outcome_kind ept_model_pae_load_pdptes(const struct ept_model *m,
						uint64_t cr3, uint64_t pdpte[4],
						struct ept_outcome *o)
{
	struct ept_access a = {
		.gpa = cr3 & 0xffffffe0ull, .kind = EPT_ACCESS_PDPTE_LOAD,
	};
	unsigned i, M = m->caps.maxphyaddr;
	uint64_t hpa;

	if (ept_model_access(m, &a, o) != EPT_OUTCOME_TRANSLATION)
		return o->kind;
	hpa = o->translation.hpa;
	for (i = 0; i < 4; i++) {
		pdpte[i] = m->read(m->ctx, hpa + 8 * i);
		/* Vol. 3A 4.4.1, Table 4-8: in a present PDPTE bits 2:1, 8:5 and
		 * 63:M are reserved; a MOV to CR that loads one faults #GP(0). */
		if ((pdpte[i] & PTE_PRESENT) &&
		    (pdpte[i] & (BITS(2, 1) | BITS(8, 5) | BITS(63, M)))) {
			o->step = 0;
			return guest_fault(o, EPT_RULE(GUEST_GP_PDPTE), GUEST_VECTOR_GP, 0, 0, 3);
		}
	}
	return o->kind;
}
