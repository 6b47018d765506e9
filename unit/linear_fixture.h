/*
 * Shared fixture for the two-dimensional walk tests (test_linear.c,
 * test_pml.c): EPT identity-maps GPA 0-2 MiB with 4K pages (RWX, WB);
 * guest tables at 0x10000.., data page 0x100000.  Guest entries default to
 * P|RW|US|A|D so no guest A/D update happens unless a case clears A/D.
 */
#ifndef UNIT_LINEAR_FIXTURE_H
#define UNIT_LINEAR_FIXTURE_H

#include "../lib/x86/paging_model.h"
#include "ept_fixture.h"

static struct hostmem h;

#define G_PML4  0x10000ull
#define G_PDPT  0x11000ull
#define G_PD    0x12000ull
#define G_PT    0x13000ull
#define G_PML5  0x15000ull
#define G_PAEPDPT 0x14000ull
#define G_DATA  0x100000ull
#define GFL     (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
/* PML4 3, PDPT 5, PD 7, PT 9, offset 0x123 */
#define GLA4    ((3ull << 39) | (5ull << 30) | (7ull << 21) | (9ull << 12) | 0x123)
#define E4(base, idx) ((base) + (idx) * 8)

static inline uint64_t ept_pte_hpa(uint64_t gpa) { return 4 * PAGE + (gpa >> 12) * 8; }

static inline void ept_page(uint64_t gpa, uint64_t flags)
{
	hm_set(&h, ept_pte_hpa(gpa), (gpa & ~0xfffull) | flags);
}

static inline void fixture(struct ept_model *m, enum prof p)
{
	unsigned i;

	profile(p, m, &h);
	memset(h.q, 0, 0x200000);
	h.bad_reads = 0;
	hm_set(&h, 1 * PAGE, 2 * PAGE | 7);
	hm_set(&h, 2 * PAGE, 3 * PAGE | 7);
	hm_set(&h, 3 * PAGE, 4 * PAGE | 7);
	for (i = 0; i < 512; i++)
		hm_set(&h, 4 * PAGE + i * 8, ((uint64_t)i << 12) | 7 | WB);
}

/* A 4-level guest mapping GLA4 -> G_DATA with flags per level (0 = GFL). */
static inline void guest4(struct guest_state *g, uint64_t f4, uint64_t f3, uint64_t f2, uint64_t f1)
{
	memset(g, 0, sizeof(*g));
	g->cr0 = X86_CR0_PG | X86_CR0_PE | X86_CR0_WP;
	g->cr4 = X86_CR4_PAE;
	g->efer = EFER_LMA | EFER_LME | EFER_NXE;
	g->cr3 = G_PML4;
	g->gbpages = true;
	hm_set(&h, E4(G_PML4, 3), G_PDPT | (f4 ? f4 : GFL));
	hm_set(&h, E4(G_PDPT, 5), G_PD | (f3 ? f3 : GFL));
	hm_set(&h, E4(G_PD, 7), G_PT | (f2 ? f2 : GFL));
	hm_set(&h, E4(G_PT, 9), G_DATA | (f1 ? f1 : GFL));
}

static inline struct linear_access lin(enum linear_kind k, bool user)
{
	struct linear_access la = { .gla = GLA4, .kind = k, .user = user };
	return la;
}

static inline void expect_pf(const struct ept_outcome *o, uint32_t ec, uint64_t cr2)
{
	expect_eq("kind", o->kind, EPT_OUTCOME_GUEST_FAULT);
	expect_eq("vector", o->guest_fault.vector, GUEST_VECTOR_PF);
	expect_eq("error code", o->guest_fault.error_code, ec);
	expect_eq("cr2", o->guest_fault.cr2, cr2);
}

static inline void expect_viol(const struct ept_outcome *o, uint64_t qual, uint64_t mask, uint64_t gpa,
			unsigned step)
{
	expect_eq("kind", o->kind, EPT_OUTCOME_VIOLATION);
	expect_masked("qual", o->violation.qual, qual, mask);
	expect_eq("mask", o->violation.qual_mask, mask);
	expect_eq("gpa", o->violation.gpa, gpa);
	expect_eq("step", o->step, step);
}

#define GLAP ((2ull << 30) | (7ull << 21) | (9ull << 12) | 0x123)
static inline void guestpae(struct guest_state *g, uint64_t f2, uint64_t f1)
{
	memset(g, 0, sizeof(*g));
	g->cr0 = X86_CR0_PG | X86_CR0_PE | X86_CR0_WP;
	g->cr4 = X86_CR4_PAE;
	g->efer = EFER_NXE;
	g->pdpte[2] = G_PD | PTE_PRESENT;
	hm_set(&h, E4(G_PD, 7), G_PT | (f2 ? f2 : GFL));
	hm_set(&h, E4(G_PT, 9), G_DATA | (f1 ? f1 : GFL));
}

#define GLA32 ((5u << 22) | (9u << 12) | 0x123)
static inline void guest32(struct guest_state *g, uint32_t pde, uint32_t pte)
{
	memset(g, 0, sizeof(*g));
	g->cr0 = X86_CR0_PG | X86_CR0_PE | X86_CR0_WP;
	g->cr3 = G_PD;
	hm_set32(&h, G_PD + 5 * 4, pde ? pde : (uint32_t)(G_PT | GFL));
	hm_set32(&h, G_PT + 9 * 4, pte ? pte : (uint32_t)(G_DATA | GFL));
}


#endif
