/*
 * EPT builder: hierarchies with 4K/2M/1G leaves, permissions and raw bits
 * set at a chosen level for a chosen GPA, entries read back for A/D
 * checks, EPTP construction.  Tables come from the page allocator; host
 * memory is identity-mapped, so a table's address is its HPA.
 *
 *     struct ept ept;
 *     ept_init(&ept, 4, MEMTYPE_WB, ad);
 *     ept_map_range(&ept, 0, 0, 4ull << 30, PAGE_2M, EPT_RWX_MASK | EPT_WB);
 *     ept_map(&ept, gpa, hpa, PAGE_4K, EPT_READ | EPT_WB);
 *     ept_set_perms(&ept, gpa, EPT_LEVEL_PDE, EPT_READ);
 *     vmcs_write(VMCS_EPT_POINTER, ept.eptp);
 */
#ifndef LIB_X86_EPT_H
#define LIB_X86_EPT_H

#include <stdbool.h>
#include <stdint.h>
#include "x86/vmx_arch.h"

#define PAGE_4K (1ull << 12)
#define PAGE_2M (1ull << 21)
#define PAGE_1G (1ull << 30)

/* Leaf memory type field values, ready to OR into an entry */
#define EPT_MT(t)       ((uint64_t)(t) << EPT_MEMTYPE_SHIFT)
#define EPT_WB          EPT_MT(MEMTYPE_WB)
#define EPT_UC          EPT_MT(MEMTYPE_UC)

struct ept {
	uint64_t *root;		/* PML4 (or PML5) table */
	unsigned levels;	/* 4 or 5 */
	uint64_t eptp;
};

/* EPTP (SDM 25.6.11): memory type, walk length - 1, A/D enable, root. */
uint64_t ept_make_eptp(uint64_t root_hpa, unsigned memtype, unsigned levels, bool ad);

void ept_init(struct ept *e, unsigned levels, unsigned memtype, bool ad);

/* Level of the leaf that maps a page of @page_size (PTE, PDE, PDPTE). */
enum ept_level ept_leaf_level(uint64_t page_size);
/* Bytes mapped by one entry at @level. */
uint64_t ept_level_size(enum ept_level level);

/*
 * Map one page: a leaf of @page_size at @gpa -> @hpa carrying @leaf_bits
 * (R/W/X, memory type, IPAT, anything).  Missing tables on the way are
 * created with R/W/X = 111b; an existing larger leaf in the way is split
 * into next-size leaves with its own bits, so the rest of its range keeps
 * its mapping.
 */
void ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t page_size, uint64_t leaf_bits);
void ept_map_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
		   uint64_t page_size, uint64_t leaf_bits);

/* The entry at @level for @gpa, or NULL when the walk ends above it. */
uint64_t *ept_entry(struct ept *e, uint64_t gpa, enum ept_level level);
/* Like ept_entry() but the test fails when there is none. */
uint64_t *ept_entry_must(struct ept *e, uint64_t gpa, enum ept_level level);

/* Set R/W/X (bits 2:0) of the entry at @level for @gpa. */
void ept_set_perms(struct ept *e, uint64_t gpa, enum ept_level level, uint64_t rwx);
/* Set and clear arbitrary bits of that entry. */
void ept_set_bits(struct ept *e, uint64_t gpa, enum ept_level level, uint64_t set, uint64_t clear);
/* Clear the accessed and dirty flags along the whole walk for @gpa. */
void ept_clear_ad(struct ept *e, uint64_t gpa);

/* Reads an entry at a host-physical address: the reference model's accessor. */
uint64_t ept_read_hpa(void *ctx, uint64_t hpa);

/* Map all RAM the allocator hands out (plus the kernel) 1:1 with 2M pages,
 * R/W/X, write-back: the ground every EPT test stands on. */
void ept_map_identity(struct ept *e, uint64_t leaf_bits);

/* INVEPT single-context for @e when supported, else all-context. */
void ept_invalidate(const struct ept *e);

#endif
