#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/guest_pt.h"
#include "x86/processor.h"

static unsigned entry_size(const struct guest_pt *g)
{
	return g->mode == GUEST_PAGING_32BIT ? 4 : 8;
}

/* Bits of the linear address that index a table at @level (SDM 4.3-4.5). */
static unsigned index_of(const struct guest_pt *g, uint64_t gla, unsigned level)
{
	if (g->mode == GUEST_PAGING_32BIT)
		return (gla >> (12 + 10 * (level - 1))) & 1023;
	if (g->mode == GUEST_PAGING_PAE && level == 3)
		return (gla >> 30) & 3;
	return (gla >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t level_size(const struct guest_pt *g, unsigned level)
{
	if (g->mode == GUEST_PAGING_32BIT)
		return 1ull << (12 + 10 * (level - 1));
	return 1ull << (12 + 9 * (level - 1));
}

static uint64_t addr_mask(const struct guest_pt *g)
{
	return g->mode == GUEST_PAGING_32BIT ? 0xfffff000ull : BITS(51, 12);
}

uint64_t gpt_table_hpa(const struct guest_pt *g, uint64_t gpa)
{
	for (unsigned i = 0; i < g->nr_tables; i++)
		if (g->tables[i].gpa == gpa)
			return g->tables[i].hpa;
	return gpa;
}

static uint64_t new_table(struct guest_pt *g)
{
	uint64_t hpa = (uintptr_t)alloc_page();

	if (g->nr_tables < GPT_MAX_TABLES) {
		g->tables[g->nr_tables].gpa = hpa;
		g->tables[g->nr_tables].hpa = hpa;
		g->nr_tables++;
	}
	return hpa;
}

static uint64_t read_entry(const struct guest_pt *g, uint64_t table_gpa, unsigned idx)
{
	uint64_t hpa = gpt_table_hpa(g, table_gpa) + idx * entry_size(g);

	if (entry_size(g) == 4)
		return *(volatile uint32_t *)(uintptr_t)hpa;
	return *(volatile uint64_t *)(uintptr_t)hpa;
}

static void write_entry(const struct guest_pt *g, uint64_t table_gpa, unsigned idx, uint64_t val)
{
	uint64_t hpa = gpt_table_hpa(g, table_gpa) + idx * entry_size(g);

	if (entry_size(g) == 4)
		*(volatile uint32_t *)(uintptr_t)hpa = (uint32_t)val;
	else
		*(volatile uint64_t *)(uintptr_t)hpa = val;
}

void gpt_init(struct guest_pt *g, enum guest_paging_mode mode)
{
	memset(g, 0, sizeof(*g));
	g->mode = mode;
	g->levels = mode;
	g->root_gpa = new_table(g);
}

uint64_t gpt_cr3(const struct guest_pt *g)
{
	return g->root_gpa;
}

void gpt_mode_regs(const struct guest_pt *g, uint64_t *cr0_set, uint64_t *cr4_set,
		   uint64_t *cr4_clear, uint64_t *efer)
{
	*cr0_set = X86_CR0_PG | X86_CR0_PE;
	*efer = 0;
	switch (g->mode) {
	case GUEST_PAGING_32BIT:
		*cr4_set = X86_CR4_PSE;
		*cr4_clear = X86_CR4_PAE | X86_CR4_LA57;
		break;
	case GUEST_PAGING_PAE:
		*cr4_set = X86_CR4_PAE;
		*cr4_clear = X86_CR4_LA57;
		break;
	case GUEST_PAGING_4LEVEL:
		*cr4_set = X86_CR4_PAE;
		*cr4_clear = X86_CR4_LA57;
		*efer = EFER_LME | EFER_LMA;
		break;
	case GUEST_PAGING_5LEVEL:
		*cr4_set = X86_CR4_PAE | X86_CR4_LA57;
		*cr4_clear = 0;
		*efer = EFER_LME | EFER_LMA;
		break;
	}
}

/* Non-leaf entries: P|W|U, so that the leaf alone decides.  PAE PDPTEs
 * have no W/U bits: those positions are reserved (SDM 4.4.1). */
static uint64_t table_entry_bits(const struct guest_pt *g, unsigned level)
{
	if (g->mode == GUEST_PAGING_PAE && level == 3)
		return PTE_PRESENT;
	return PTE_PRESENT | PTE_WRITE | PTE_USER;
}

void gpt_map(struct guest_pt *g, uint64_t gla, uint64_t gpa, uint64_t page_size, uint64_t flags)
{
	uint64_t table = g->root_gpa;
	unsigned leaf = 1;

	while (level_size(g, leaf) != page_size) {
		if (++leaf > g->levels) {
			report(false, "guest-pt", "no %#lx-byte pages in paging mode %d",
			       page_size, g->mode);
			test_abort();
		}
	}
	for (unsigned level = g->levels; level > leaf; level--) {
		unsigned idx = index_of(g, gla, level);
		uint64_t e = read_entry(g, table, idx);

		if (!(e & PTE_PRESENT)) {
			e = new_table(g) | table_entry_bits(g, level);
			write_entry(g, table, idx, e);
		} else if (gpt_entry_is_leaf(g->mode, level, e)) {
			report(false, "guest-pt", "GLA %#lx: a large page is in the way at level %u",
			       gla, level);
			test_abort();
		}
		table = e & addr_mask(g);
	}
	{
		uint64_t e = (gpa & ~(page_size - 1)) | flags | PTE_PRESENT;
		if (leaf > 1) {
			e |= PTE_PSE;
			/* 32-bit 4M pages: PA bits 39:32 go to PDE bits 20:13 (PSE-36) */
			if (g->mode == GUEST_PAGING_32BIT)
				e = (e & 0xffc00fffull) | ((gpa >> 32 & 0xff) << 13);
		}
		write_entry(g, table, index_of(g, gla, leaf), e);
	}
}

void gpt_map_identity(struct guest_pt *g, uint64_t len, uint64_t flags)
{
	uint64_t size = g->mode == GUEST_PAGING_32BIT ? (1ull << 22) : (1ull << 21);

	for (uint64_t a = 0; a < len; a += size)
		gpt_map(g, a, a, size, flags);
}

uint64_t gpt_table_gpa(const struct guest_pt *g, uint64_t gla, unsigned want)
{
	uint64_t table = g->root_gpa;

	for (unsigned level = g->levels; level > want; level--) {
		uint64_t e = read_entry(g, table, index_of(g, gla, level));
		if (!(e & PTE_PRESENT))
			return 0;
		if (gpt_entry_is_leaf(g->mode, level, e))
			return 0;
		table = e & addr_mask(g);
	}
	return table;
}

uint64_t gpt_entry_gpa(const struct guest_pt *g, uint64_t gla, unsigned level)
{
	uint64_t table = gpt_table_gpa(g, gla, level);

	return table ? table + index_of(g, gla, level) * entry_size(g) : 0;
}

uint64_t gpt_entry_read(const struct guest_pt *g, uint64_t gla, unsigned level)
{
	uint64_t table = gpt_table_gpa(g, gla, level);

	return table ? read_entry(g, table, index_of(g, gla, level)) : 0;
}

void gpt_entry_update(struct guest_pt *g, uint64_t gla, unsigned level, uint64_t set, uint64_t clear)
{
	uint64_t table = gpt_table_gpa(g, gla, level);
	unsigned idx = index_of(g, gla, level);

	if (!table) {
		report(false, "guest-pt", "no level-%u entry for GLA %#lx", level, gla);
		test_abort();
	}
	write_entry(g, table, idx, (read_entry(g, table, idx) & ~clear) | set);
}

uint64_t gpt_relocate_table(struct guest_pt *g, uint64_t gla, unsigned level, uint64_t new_gpa)
{
	uint64_t old_gpa = gpt_table_gpa(g, gla, level), hpa;

	if (!old_gpa) {
		report(false, "guest-pt", "no level-%u table for GLA %#lx", level, gla);
		test_abort();
	}
	hpa = gpt_table_hpa(g, old_gpa);
	for (unsigned i = 0; i < g->nr_tables; i++)
		if (g->tables[i].gpa == old_gpa)
			g->tables[i].gpa = new_gpa;
	if (level == g->levels) {
		g->root_gpa = new_gpa;
	} else {
		uint64_t parent = gpt_table_gpa(g, gla, level + 1);
		unsigned idx = index_of(g, gla, level + 1);
		uint64_t e = read_entry(g, parent, idx);
		write_entry(g, parent, idx, (e & ~addr_mask(g)) | new_gpa);
	}
	return hpa;
}

bool gpt_entry_is_leaf(enum guest_paging_mode mode, unsigned level, uint64_t e)
{
	if (level == 1)
		return true;
	if (mode == GUEST_PAGING_PAE && level == 3)
		return false;
	return level <= 3 && (e & PTE_PSE);
}
