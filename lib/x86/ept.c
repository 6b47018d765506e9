#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept.h"
#include "x86/profile.h"
#include "x86/vmx.h"

#define ADDR_MASK       BITS(51, 12)

uint64_t ept_make_eptp(uint64_t root_hpa, unsigned memtype, unsigned levels, bool ad)
{
	return root_hpa | memtype |
	       ((uint64_t)(levels - 1) << EPTP_WALK_LENGTH_SHIFT) |
	       (ad ? EPTP_AD_ENABLE : 0);
}

void ept_init(struct ept *e, unsigned levels, unsigned memtype, bool ad)
{
	e->root = alloc_page();
	e->levels = levels;
	e->eptp = ept_make_eptp((uintptr_t)e->root, memtype, levels, ad);
}

uint64_t ept_level_size(enum ept_level level)
{
	return 1ull << (12 + 9 * (level - 1));
}

enum ept_level ept_leaf_level(uint64_t page_size)
{
	switch (page_size) {
	case PAGE_4K: return EPT_LEVEL_PTE;
	case PAGE_2M: return EPT_LEVEL_PDE;
	case PAGE_1G: return EPT_LEVEL_PDPTE;
	}
	report(false, "ept-builder", "bad page size %#lx", page_size);
	test_abort();
}

static unsigned index_at(uint64_t gpa, enum ept_level level)
{
	return (gpa >> (12 + 9 * (level - 1))) & 511;
}

static bool is_leaf(uint64_t entry, enum ept_level level)
{
	return level == EPT_LEVEL_PTE ||
	       ((level == EPT_LEVEL_PDE || level == EPT_LEVEL_PDPTE) && (entry & EPT_LARGE_PAGE));
}

static bool present(uint64_t entry)
{
	return entry & EPT_RWX_MASK;
}

/* Replace a large leaf by a table of next-size leaves with the same bits. */
static void split_leaf(uint64_t *entry, enum ept_level level)
{
	uint64_t *table = alloc_page();
	uint64_t bits = *entry & ~ADDR_MASK & ~EPT_LARGE_PAGE;
	uint64_t base = *entry & ADDR_MASK & ~(ept_level_size(level) - 1);
	uint64_t step = ept_level_size(level - 1);

	for (unsigned i = 0; i < 512; i++)
		table[i] = (base + i * step) | bits | (level - 1 > EPT_LEVEL_PTE ? EPT_LARGE_PAGE : 0);
	/* a non-leaf entry keeps only R/W/X (and A): 6:3 are reserved there */
	*entry = (uintptr_t)table | (bits & (EPT_RWX_MASK | EPT_ACCESSED));
}

void ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t page_size, uint64_t leaf_bits)
{
	enum ept_level leaf = ept_leaf_level(page_size);
	uint64_t *table = e->root;

	for (enum ept_level level = e->levels; level > leaf; level--) {
		uint64_t *entry = &table[index_at(gpa, level)];

		if (present(*entry) && is_leaf(*entry, level))
			split_leaf(entry, level);
		else if (!(*entry & ADDR_MASK))
			*entry = (uintptr_t)alloc_page() | EPT_RWX_MASK;
		table = (uint64_t *)(uintptr_t)(*entry & ADDR_MASK);
	}
	table[index_at(gpa, leaf)] = (hpa & ~(page_size - 1)) | leaf_bits |
				     (leaf > EPT_LEVEL_PTE ? EPT_LARGE_PAGE : 0);
}

void ept_map_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
		   uint64_t page_size, uint64_t leaf_bits)
{
	/* zeroing the new tables is counted as zeroing, not here */
	uint64_t t0 = prof_begin(), z0 = prof_tsc[PROF_ZERO];

	for (uint64_t off = 0; off < len; off += page_size)
		ept_map(e, gpa + off, hpa + off, page_size, leaf_bits);
	prof_end(PROF_EPT, t0 + (prof_tsc[PROF_ZERO] - z0));
}

uint64_t *ept_entry(struct ept *e, uint64_t gpa, enum ept_level want)
{
	uint64_t *table = e->root;

	for (enum ept_level level = e->levels;; level--) {
		uint64_t *entry = &table[index_at(gpa, level)];

		if (level == want)
			return entry;
		if (is_leaf(*entry, level) || !(*entry & ADDR_MASK))
			return NULL;
		/* bits 51:MAXPHYADDR are reserved (SDM 29.3.2), not address:
		 * a test may have set one */
		table = (uint64_t *)(uintptr_t)(*entry & ADDR_MASK & BITS(vmx_caps.maxphyaddr - 1, 0));
	}
}

uint64_t *ept_entry_must(struct ept *e, uint64_t gpa, enum ept_level level)
{
	uint64_t *entry = ept_entry(e, gpa, level);

	if (!entry) {
		report(false, "ept-builder", "no EPT entry at level %d for GPA %#lx", level, gpa);
		test_abort();
	}
	return entry;
}

void ept_set_perms(struct ept *e, uint64_t gpa, enum ept_level level, uint64_t rwx)
{
	ept_set_bits(e, gpa, level, rwx & EPT_RWX_MASK, EPT_RWX_MASK);
}

void ept_set_bits(struct ept *e, uint64_t gpa, enum ept_level level, uint64_t set, uint64_t clear)
{
	uint64_t *entry = ept_entry_must(e, gpa, level);

	*entry = (*entry & ~clear) | set;
}

void ept_clear_ad(struct ept *e, uint64_t gpa)
{
	for (enum ept_level level = e->levels; level >= EPT_LEVEL_PTE; level--) {
		uint64_t *entry = ept_entry(e, gpa, level);
		if (!entry)
			break;
		*entry &= ~(EPT_ACCESSED | EPT_DIRTY);
		if (is_leaf(*entry, level))
			break;
	}
}

uint64_t ept_read_hpa(void *ctx, uint64_t hpa)
{
	(void)ctx;
	return *(volatile uint64_t *)(uintptr_t)hpa;
}

void ept_map_identity(struct ept *e, uint64_t leaf_bits)
{
	uint64_t end = ALIGN_UP(alloc_region_end(), PAGE_2M);

	ept_map_range(e, 0, 0, end, PAGE_2M, leaf_bits);
}

void ept_invalidate(const struct ept *e)
{
	enum vmx_status s;

	if (ept_cap(EPT_CAP_INVEPT_SINGLE))
		s = invept(INVEPT_SINGLE_CONTEXT, e->eptp);
	else
		s = invept(INVEPT_ALL_CONTEXT, 0);
	if (s != VMX_SUCCEED) {
		report(false, "invept", "INVEPT failed: %s", vmx_status_name(s));
		test_abort();
	}
}
