/*
 * Known deviations of a backend implementation from the SDM.  The lists
 * are scripts/deviations/<name>.txt, compiled into every kernel by
 * scripts/gen-deviations.sh; a kernel uses the ones named by
 * deviations=LIST[,LIST...] (layered: a common list plus a versioned one).
 *
 * An entry excuses ONE field of the checks it covers, or named bits of
 * it: every other field of those checks is still compared.  An entry may
 * be limited to some CPU models (cpu_model= on the command line).
 */
#ifndef LIB_DEVIATION_H
#define LIB_DEVIATION_H

#include <stdbool.h>
#include <stdint.h>

struct deviation {
	const char *list;	/* file name without .txt, e.g. "bochs-2.7" */
	unsigned line;		/* line of the entry in that file */
	const char *glob;	/* check-id glob: '*' within a segment, '**' across */
	const char *field;	/* the one field it excuses (lib/x86/outcome.h) */
	uint64_t mask;		/* the bits of that field it excuses */
	const char *sdm;	/* SDM section the implementation deviates from */
	const char *reason;	/* one line */
	const char *models;	/* "" for every model, else "m1,m2" */
	const char *rule;	/* "" for a check-id entry; else the entry is
				   `rule=NAME` (a glob over model rule names,
				   lib/x86/ept_model.h EPT_RULES) and covers every
				   check made while that rule is in the context */
};

extern const struct deviation deviations[];
extern const unsigned nr_deviations;

/* Select the active lists (comma-separated names, or NULL for none) and
 * the CPU model entries are matched against (NULL: entries limited to
 * models never apply). */
void deviation_select(const char *lists);
void deviation_set_cpu_model(const char *model);
const char *deviation_selected(void);
/* The names of the selected lists that have no compiled-in entries. */
bool deviation_list_exists(const char *list);
/* Calls @fn for each selected list name. */
void deviation_for_each_list(void (*fn)(const char *name, void *ctx), void *ctx);

/* The model rules that decided the outcome being checked (names; NULL, 0:
 * none).  Set around a case's checks by outcome_check() through
 * report_set_rules(); rule= entries match against them. */
void deviation_set_rules(const char *const *names, unsigned n);

/* The active entries covering @check_id, up to @max; returns how many. */
unsigned deviation_covering(const char *check_id, const struct deviation **out, unsigned max);

/* '*' matches within one dot-separated segment, '**' across segments,
 * '?' one character other than '.'. */
bool id_glob_match(const char *glob, const char *id);

#endif
