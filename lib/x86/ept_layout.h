/*
 * The two-dimensional walk made visible: a layout of the test window in
 * which every guest paging-structure page the window's walk reads, and the
 * final page, lies under an EPT subtree of its own.
 *
 * Each "reference" of the walk -- the read of one guest paging-structure
 * entry, or the final access -- has a guest-physical page in a 1-GiB
 * region of its own next to the window (lib/x86/ept_env.h), so it has its
 * own EPT PDPTE, PDE and PTE (whatever the EPT leaf size), and with EPT
 * accessed flags on (EPTP bit 6) those flags say which EPT entries each
 * reference's walk used.  The levels above (the window's PML4E when it is
 * its own, env->window_own_pml4e) are shared by every reference; levels
 * shared with the guest's code, stack and identity map are not observed.
 *
 *   regions, in GiB from env->window_gpa (GPA offset in a region = HPA):
 *     0      final pages of 4K and 2M/4M guest pages (the window itself)
 *     1      final page of a 1G guest page (64-bit guests)
 *     L+1    guest tables of level L (64-bit guests: 2..6)
 *     L      guest tables of level L (32-bit guests: 1..2; below 4 GiB)
 * The GLA -> GPA offset is the window's (GPA - window_gpa = GLA -
 * window_gla), so ept_case() observes the final reference as it always
 * does.  Tables are moved with gpt_relocate_table(); the guest's root
 * table also maps its code, so a case that stops the root's reference
 * stops the guest's first fetch (use ept_case.expect_run).
 */
#ifndef LIB_X86_EPT_LAYOUT_H
#define LIB_X86_EPT_LAYOUT_H

#include "x86/ept_env.h"

/* 5 guest levels, the final access and the unused subtree */
#define LAYOUT_MAX_REFS 7
/* guest_level of the row after the last reference: a subtree no walk uses */
#define LAYOUT_UNUSED 0xff

struct ept_layout_ref {
	uint8_t guest_level;		/* 1 = PTE ... 5 = PML5E; 0: the final access */
	uint64_t gpa, hpa;		/* of the entry read, or of the final access */
	/* the observed EPT entries of this reference's walk, top first */
	unsigned nr_ept;
	uint64_t ept_hpa[EPT_MAX_LEVELS];
	uint8_t ept_level[EPT_MAX_LEVELS];
};

struct ept_layout {
	uint64_t gla;			/* the window address the case accesses */
	volatile uint64_t *host;	/* its 8 bytes */
	uint64_t guest_page_size;	/* 0: paging off */
	uint64_t ept_page_size;		/* of every reference's leaf (ept_layout_map()) */
	unsigned nr_refs;		/* walk order: root table first, final last */
	/* ref[nr_refs]: a page in a region of its own that no walk uses,
	 * mapped like the others (its EPT PDPTE, PDE, PTE: A/D stay clear) */
	struct ept_layout_ref ref[LAYOUT_MAX_REFS];
};

/*
 * Map @page_hpa (aligned to @guest_page_size) at the window with a guest
 * leaf of @guest_page_size (ignored with paging off) at @offset in it, and
 * move every guest table of its walk to its level's region.  Returns false
 * with *why when the regions do not fit (32-bit guests: below 4 GiB).
 * Call ept_layout_map() before each case.
 */
bool ept_layout_init(struct ept_env *env, struct ept_layout *l, uint64_t page_hpa,
		     uint64_t guest_page_size, uint64_t offset, const char **why);

/*
 * The state of one case: every reference's page mapped with an EPT leaf of
 * @ept_page_size, RWX and write-back, every EPT entry of its walk RWX
 * with A and D clear, the guest entries of the window's walk with A and D
 * clear and those of the guest code's walk (@op's stub) with A set.  Fills
 * the observed entries of each reference.
 */
void ept_layout_map(struct ept_env *env, struct ept_layout *l, uint64_t ept_page_size,
		    enum guest_op op);
/* The same for reference @k alone (k <= nr_refs), with a leaf of its own
 * size (it has its own EPT PDPTE, PDE and PTE); no guest-code entries. */
void ept_layout_map_ref(struct ept_env *env, struct ept_layout *l, unsigned k,
			uint64_t ept_page_size);
/* Set (@set) or clear, as software does, A and D (D in leaves only) in
 * every observed EPT entry of the references (@ept) and in every guest
 * entry of the window's walk (@guest). */
void ept_layout_set_ad(struct ept_env *env, struct ept_layout *l, bool ept, bool guest, bool set);

/* Name of reference @k (k <= nr_refs) for check ids and tables: "pml4",
 * "pd", "page"..., "unused" */
const char *ept_layout_ref_name(const struct ept_env *env, const struct ept_layout *l, unsigned k);

/*
 * One reference's row (k <= nr_refs) of the 2-D walk as an outcome record: FLD_EPT_AD for
 * its observed EPT entries and FLD_GUEST_AD for the guest entry it reads.
 * want: from the reference model (ad_model_ept()/ad_model_guest()) given
 * the case's outcome and trace (ept_case_expect() first), flags set before
 * the access staying set; call it before the run.  got: from the tables.
 */
void ept_layout_want_ref(struct ept_env *env, const struct ept_layout *l, unsigned k,
			 const struct ept_case *c, struct outcome *want);
void ept_layout_got_ref(struct ept_env *env, const struct ept_layout *l, unsigned k,
			struct outcome *got);

/* The check "<id>.ref.<name>" of row @k: its ept_ad and guest_ad fields
 * (the entry names follow on a failure).  Returns the unperturbed verdict. */
bool ept_layout_check_ref(const struct ept_env *env, const struct ept_layout *l, unsigned k,
			  const char *id, const struct outcome *want, const struct outcome *got);

/* verbose=1: the walk as a table, one row a reference (its GPA and HPA),
 * one column an EPT level (the entry's HPA and its A/D flags now), and the
 * number of memory references the model counts for case @c's walk
 * (ept_trace_refs(): 24 for a complete 4-level walk over 4-level EPT). */
void ept_layout_print(struct ept_env *env, const struct ept_layout *l, const struct ept_case *c);

#endif
