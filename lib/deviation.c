/* Lookup in the compiled-in known-deviation lists (see deviation.h). */
#include "libcflat.h"
#include "deviation.h"

const struct deviation *deviation_lookup(const char *list, const char *check_id)
{
	if (!list)
		return NULL;
	for (unsigned i = 0; i < nr_deviations; i++)
		if (!strcmp(deviations[i].list, list) &&
		    glob_match(deviations[i].glob, check_id))
			return &deviations[i];
	return NULL;
}

bool deviation_list_exists(const char *list)
{
	for (unsigned i = 0; i < nr_deviations; i++)
		if (!strcmp(deviations[i].list, list))
			return true;
	return false;
}
