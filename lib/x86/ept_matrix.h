/*
 * ept_matrix: what the EPT violation-matrix tests (x86/ept/ept_perm.c,
 * ept_perm2.c, ept_sizes.c, ept_cross.c...) share: names for levels,
 * sizes and permissions in check ids, a page in the test window, and one
 * guest access as a case of the case runner (ept_case(), ept_env.h):
 *
 *     struct ept_env env;
 *     if (!matrix_env_init(&env, ad, &why)) { skip; }
 *     ... map, set permissions ...
 *     matrix_access_case(&env, id, words, GUEST_OP_WRITE, gla, host_ptr);
 *
 * One case reports <id> (the exit), <id>.data (what a completed access
 * read or wrote, or that a stopped write left memory alone) and <id>.ad
 * (the EPT and guest accessed/dirty flags of the window's walks).
 */
#ifndef LIB_X86_EPT_MATRIX_H
#define LIB_X86_EPT_MATRIX_H

#include <stdbool.h>
#include <stdint.h>
#include "x86/ept_env.h"

/* The access kinds every matrix runs, in report order. */
extern const enum guest_op matrix_ops[4];

/*
 * The restrictions the paging, mode and event tests put on one page:
 * not present, read-only, read/execute, execute-only (needs
 * IA32_VMX_EPT_VPID_CAP bit 0) and read/write (the control).  The names
 * are check-id segments.
 */
struct matrix_restriction {
	const char *name;
	uint64_t rwx;
};
extern const struct matrix_restriction matrix_restrictions[5];

/* "pml4e", "pdpte", "pde", "pte" (check ids) and "PML4E"... (words). */
const char *matrix_level_id(enum ept_level level);
const char *matrix_level_name(enum ept_level level);
/* "4k", "2m", "1g" and "4K", "2M", "1G". */
const char *matrix_size_id(uint64_t page_size);
const char *matrix_size_name(uint64_t page_size);
/* "r--", "rw-", "--x"... (ept_perm_str() in lower case, for check ids). */
const char *matrix_perm_id(uint64_t rwx);

/* ept_env_init() with EPTP bit 6 = @ad. */
bool matrix_env_init(struct ept_env *env, bool ad, const char **why);

/* Why a page size cannot be used as an EPT leaf (NULL when it can):
 * IA32_VMX_EPT_VPID_CAP bit 16 / 17. */
const char *matrix_ept_size_missing(uint64_t page_size);

/* The byte offset in the page of every matrix access: odd, so the GPA and
 * GLA fields must be exact (SDM 28.2.1 / 27.2.1). */
#define MATRIX_OFFSET           0x5a8

/*
 * Allocate a page and map it in the window with a 4K guest leaf over an
 * EPT leaf of @leaf_size (RWX, WB).  Returns the host pointer of the byte
 * at MATRIX_OFFSET, with its GLA and GPA.  A 2M leaf gets a 2M region of
 * its own; a 1G leaf covers host memory 0-1G, of which only this page is
 * accessed.
 */
uint8_t *matrix_map_page(struct ept_env *env, uint64_t leaf_size, uint64_t *gla, uint64_t *gpa);

/*
 * One case: reset the window's A/D flags, ask the model, run the access,
 * compare the whole outcome (ept_case()).  The model's answer is returned
 * through @out when not NULL.  Returns whether <id> matched.
 */
bool matrix_access_case(struct ept_env *env, const char *id, const char *words,
			enum guest_op op, uint64_t gla, void *host, struct ept_outcome *out);

/*
 * The single-level permission matrix (ept_perm.c): one 4K guest page of
 * the window over an EPT leaf of @leaf_size; for every EPT level from the
 * PML4E down to that leaf, each of the 8 R/W/X values on that level's entry
 * (every other level RWX), each access kind.  Check ids
 * <prefix>.<level>.<rwx>.<size>.<op>.  With @ad, EPTP bit 6 = 1 (skipped
 * naming IA32_VMX_EPT_VPID_CAP bit 21 when unsupported).
 */
void matrix_perm_leaf(uint64_t leaf_size, bool ad);

#endif

/*
 * The single-level permission matrix (ept_perm*.c): one 4K guest page of
 * the window over an EPT leaf of @leaf_size; for every EPT level from the
 * PML4E down to that leaf, each of the 8 R/W/X values on that level's entry
 * (every other level RWX), each access kind.  Check ids
 * <prefix>.<level>.<rwx>.<size>.<op>.  With @ad, EPTP bit 6 = 1 (skipped
 * naming IA32_VMX_EPT_VPID_CAP bit 21 when unsupported).
 */
void matrix_perm_leaf(uint64_t leaf_size, bool ad);
