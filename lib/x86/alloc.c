#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/multiboot.h"
#include "x86/profile.h"

#define PAGE_SIZE 4096ull
#define LOW_LIMIT 0x100000ull		/* leave the first MiB to the firmware */
#define HIGH_LIMIT 0x100000000ull	/* boot paging maps the first 4 GiB */

extern char __kernel_end[];

static uint64_t region_start, region_next, region_end;
static void *free_list;

uint64_t alloc_region_start(void) { return region_start; }
uint64_t alloc_region_end(void) { return region_end; }

/* The largest available RAM range above the kernel and the loader's data. */
void alloc_init(const struct multiboot_info *mbi)
{
	uint64_t floor = ALIGN_UP((uint64_t)(uintptr_t)__kernel_end, PAGE_SIZE);

	if (!mbi)
		return;
	if (mbi->flags & MBI_FLAG_MODS) {
		const uint32_t *mod = (const uint32_t *)(uintptr_t)mbi->mods_addr;
		for (uint32_t i = 0; i < mbi->mods_count; i++, mod += 4)
			floor = MAX(floor, ALIGN_UP((uint64_t)mod[1], PAGE_SIZE));
	}

	if (mbi->flags & MBI_FLAG_MMAP) {
		uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
		while (p < end) {
			const struct multiboot_mmap_entry *e = (const void *)(uintptr_t)p;
			uint64_t lo = MAX(e->addr, MAX(floor, LOW_LIMIT));
			uint64_t hi = MIN(e->addr + e->len, HIGH_LIMIT);
			lo = ALIGN_UP(lo, PAGE_SIZE);
			hi &= ~(PAGE_SIZE - 1);
			if (e->type == 1 && hi > lo && hi - lo > region_end - region_start) {
				region_start = lo;
				region_end = hi;
			}
			p += e->size + sizeof(e->size);
		}
	} else if (mbi->flags & MBI_FLAG_MEM) {
		region_start = MAX(floor, LOW_LIMIT);
		region_end = MIN(LOW_LIMIT + (uint64_t)mbi->mem_upper * 1024, HIGH_LIMIT);
	}
	region_next = region_start;
}

static void out_of_memory(size_t size)
{
	report(false, "alloc", "out of memory allocating %zu bytes (region %#lx-%#lx)",
	       size, region_start, region_end);
	test_abort();
}

void *alloc_aligned(size_t size, size_t align)
{
	uint64_t p = ALIGN_UP(region_next, (uint64_t)align);

	if (p + size > region_end || p + size < p)
		out_of_memory(size);
	region_next = ALIGN_UP(p + size, PAGE_SIZE);
	return (void *)(uintptr_t)p;
}

void *alloc_page(void)
{
	void *p = free_list;
	uint64_t t0;

	if (p)
		free_list = *(void **)p;
	else
		p = alloc_aligned(PAGE_SIZE, PAGE_SIZE);
	t0 = prof_begin();
	memset(p, 0, PAGE_SIZE);
	prof_end(PROF_ZERO, t0);
	return p;
}

void free_page(void *page)
{
	*(void **)page = free_list;
	free_list = page;
}

struct alloc_mark alloc_mark(void)
{
	return (struct alloc_mark){ region_next, free_list };
}

void alloc_release(struct alloc_mark m)
{
	region_next = m.next;
	free_list = m.free_list;
}
