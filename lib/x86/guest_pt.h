/*
 * The guest's own page tables, for every paging mode the suite runs
 * guests in: 32-bit (4-byte entries), PAE, 4-level and 5-level.
 *
 * Tables are allocated from host memory (GPA = HPA under the identity
 * EPT) unless a test moves one to a GPA of its choosing with
 * gpt_relocate_table(): the parent entry (or CR3) then holds the new GPA,
 * and the test maps that GPA in EPT to the table's HPA, with whatever
 * permissions it wants to test.  Levels count from the leaf: 1 = PTE,
 * 2 = PDE, 3 = PDPTE, 4 = PML4E, 5 = PML5E.
 */
#ifndef LIB_X86_GUEST_PT_H
#define LIB_X86_GUEST_PT_H

#include <stdbool.h>
#include <stdint.h>

enum guest_paging_mode {
	GUEST_PAGING_32BIT = 2,		/* CR4.PAE = 0: two levels of 4-byte entries */
	GUEST_PAGING_PAE = 3,		/* PDPTEs + two levels of 8-byte entries */
	GUEST_PAGING_4LEVEL = 4,
	GUEST_PAGING_5LEVEL = 5,
};

#define GPT_MAX_TABLES 64

struct guest_pt {
	enum guest_paging_mode mode;
	unsigned levels;
	uint64_t root_gpa;		/* what CR3 points to */
	unsigned nr_tables;
	struct { uint64_t gpa, hpa; } tables[GPT_MAX_TABLES];
};

void gpt_init(struct guest_pt *g, enum guest_paging_mode mode);
/* CR3 for this hierarchy (PCD/PWT clear). */
uint64_t gpt_cr3(const struct guest_pt *g);
/* The CR0/CR4/EFER paging bits of this mode (PG, PAE, LME/LMA, LA57, PSE). */
void gpt_mode_regs(const struct guest_pt *g, uint64_t *cr0_set, uint64_t *cr4_set,
		   uint64_t *cr4_clear, uint64_t *efer);

/*
 * Map @gla -> @gpa with a leaf of @page_size (4K; 2M, 4M in 32-bit mode;
 * 1G) and @flags (PTE_WRITE, PTE_USER, PTE_NX, PTE_ACCESSED, PTE_DIRTY,
 * ...; PTE_PRESENT is added).  Tables on the way get P|W|U, so the leaf
 * alone decides the attributes.
 */
void gpt_map(struct guest_pt *g, uint64_t gla, uint64_t gpa, uint64_t page_size, uint64_t flags);
/* Identity-map [0, len) with the largest leaf the mode has (2M or 4M). */
void gpt_map_identity(struct guest_pt *g, uint64_t len, uint64_t flags);

/* GPA of the entry at @level that translates @gla (0 when absent). */
uint64_t gpt_entry_gpa(const struct guest_pt *g, uint64_t gla, unsigned level);
/* GPA of the table holding that entry (the entry's page). */
uint64_t gpt_table_gpa(const struct guest_pt *g, uint64_t gla, unsigned level);
/* Read or modify that entry through its HPA. */
uint64_t gpt_entry_read(const struct guest_pt *g, uint64_t gla, unsigned level);
void gpt_entry_update(struct guest_pt *g, uint64_t gla, unsigned level, uint64_t set, uint64_t clear);

/* Point the reference to the table holding the @level entry for @gla at
 * @new_gpa instead; returns the table's HPA, which the test maps there. */
uint64_t gpt_relocate_table(struct guest_pt *g, uint64_t gla, unsigned level, uint64_t new_gpa);

/* Whether entry @e at @level maps a page (Vol. 3A 4.3-4.5): every PTE, a
 * PDE or PDPTE with PS = 1; never a PAE PDPTE (a register without PS). */
bool gpt_entry_is_leaf(enum guest_paging_mode mode, unsigned level, uint64_t e);

/* GPA -> HPA of a table of this hierarchy (identity when not relocated). */
uint64_t gpt_table_hpa(const struct guest_pt *g, uint64_t table_gpa);

#endif
