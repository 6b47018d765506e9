/*
 * Physical page allocator, fed from the multiboot memory map.  Memory is
 * identity-mapped, so a page's address is both its virtual and its
 * host-physical address.  Each test starts with the allocator as it was
 * before the test (lib/test.c marks and releases around every test).
 */
#ifndef LIB_X86_ALLOC_H
#define LIB_X86_ALLOC_H

#include <stddef.h>
#include <stdint.h>

struct multiboot_info;

void alloc_init(const struct multiboot_info *mbi);

/* A zeroed 4 KiB page; never fails (out of memory fails the test). */
void *alloc_page(void);
/* @size bytes aligned to @align (a power of two >= 4096), not zeroed. */
void *alloc_aligned(size_t size, size_t align);
void free_page(void *page);

struct alloc_mark { uint64_t next; void *free_list; };
struct alloc_mark alloc_mark(void);
void alloc_release(struct alloc_mark mark);

/* The allocator's region, for tests that map all of memory. */
uint64_t alloc_region_start(void);
uint64_t alloc_region_end(void);

#endif
