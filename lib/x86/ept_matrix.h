/*
 * ept_matrix: what the EPT violation-matrix tests (x86/ept/ept_perm*.c,
 * ept_sizes.c, ept_cross.c) share: running one guest access in the test
 * window and checking everything the reference model says about it.
 *
 *     struct ept_env env;
 *     if (!matrix_env_init(&env, ad, &why)) { skip; }
 *     ... map, set permissions ...
 *     matrix_access_case(&env, id, words, GUEST_OP_WRITE, gla, host_ptr);
 *
 * One case reports:
 *   <id>       the outcome (exit reason, qualification, GPA, GLA), from
 *              ept_env_expect() (the model, SDM 28.2.1 / 29.3.3);
 *   <id>.data  when the model says the access completes: it read or wrote
 *              the right bytes (a fetch: the VMCALL at the target ran);
 *   <id>.mem   when a write or read-modify-write is stopped by an EPT
 *              violation or misconfiguration: memory is unchanged;
 *   <id>.ad    with EPT A/D flags on and a completed access: every EPT
 *              entry the model lists in o.translation.ad[] carries the
 *              accessed/dirty flags SDM 29.3.5 requires.
 */
#ifndef LIB_X86_EPT_MATRIX_H
#define LIB_X86_EPT_MATRIX_H

#include <stdbool.h>
#include <stdint.h>
#include "x86/ept_env.h"

#define MATRIX_PATTERN          0x0123456789abcdefull
#define MATRIX_WRITE_VALUE      0xfeedfacecafef00dull
#define MATRIX_RMW_ADDEND       1ull
#define MATRIX_VMCALL_BYTES     0xc1010full	/* 0F 01 C1, little-endian */

/* The access kinds every matrix runs, in report order. */
extern const enum guest_op matrix_ops[4];

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

/* Put what @op needs at @host (the bytes the guest reaches at @gla):
 * MATRIX_PATTERN, or a VMCALL for a fetch. */
void matrix_prepare(void *host, enum guest_op op);

/*
 * One case: prepare the target, ask the model, run the access, report
 * <id> and its .data/.mem/.ad checks (see the top of this file).  The
 * model's o is returned through @out when not NULL.  Returns whether the
 * outcome check passed.
 */
bool matrix_access_case(struct ept_env *env, const char *id, const char *words,
			enum guest_op op, uint64_t gla, void *host, struct ept_outcome *out);

/* The checks matrix_access_case() would report for a case that is
 * skipped: just <id> (a skip has no sub-checks). */
void matrix_skip_case(const char *id, const char *words, const char *why);

/*
 * The follow-up checks of a case whose outcome is @o, for tests that run
 * their own guest code: .data for a completed access (@got_data is what
 * the access produced: RAX for a read, memory for a write or RMW, the
 * guest RIP for a fetch; @want_data what it must be), .mem for a stopped
 * write (@got_data = memory, @want_data = its old value), and .ad.
 */
void matrix_followup(struct ept_env *env, const char *id, const struct ept_outcome *o,
		     enum guest_op op, uint64_t got_data, uint64_t want_data);

/* Clear the EPT A/D flags of every entry the model lists for @o, so the
 * .ad check sees what this access set. */
void matrix_clear_listed_ad(const struct ept_outcome *o);

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
