/*
 * Known deviations of a backend implementation from the SDM.  The lists
 * are scripts/deviations/<name>.txt, compiled into every kernel by
 * scripts/gen-deviations.sh; a kernel uses the one named by deviations=.
 */
#ifndef LIB_DEVIATION_H
#define LIB_DEVIATION_H

struct deviation {
	const char *list;	/* file name without .txt, e.g. "bochs-2.7" */
	const char *glob;	/* check-id glob */
	const char *sdm;	/* SDM section the implementation deviates from */
	const char *reason;	/* one line */
};

extern const struct deviation deviations[];
extern const unsigned nr_deviations;

const struct deviation *deviation_lookup(const char *list, const char *check_id);
bool deviation_list_exists(const char *list);

#endif
