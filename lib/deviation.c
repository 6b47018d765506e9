/* Lookup in the compiled-in known-deviation lists (see deviation.h). */
#include "libcflat.h"
#include "deviation.h"

#define LISTS_MAX 160

static char lists[LISTS_MAX];	/* "a,b" */
static const char *cpu_model;
static const char *const *rule_names;
static unsigned nr_rule_names;

void deviation_set_rules(const char *const *names, unsigned n)
{
	rule_names = names;
	nr_rule_names = names ? n : 0;
}

/* Whether a rule= entry's glob names one of the rules in the context. */
static bool rule_in_context(const char *glob)
{
	for (unsigned i = 0; i < nr_rule_names; i++)
		if (id_glob_match(glob, rule_names[i]))
			return true;
	return false;
}

void deviation_select(const char *l)
{
	lists[0] = 0;
	if (l)
		strlcpy(lists, l, sizeof(lists));
}

void deviation_set_cpu_model(const char *model) { cpu_model = model; }
const char *deviation_selected(void) { return lists[0] ? lists : NULL; }

/* Whether @name is one of the comma-separated words of @csv. */
static bool csv_has(const char *csv, const char *name)
{
	size_t n = strlen(name);

	while (*csv) {
		const char *end = strchr(csv, ',');
		size_t len = end ? (size_t)(end - csv) : strlen(csv);

		if (len == n && !strncmp(csv, name, n))
			return true;
		if (!end)
			break;
		csv = end + 1;
	}
	return false;
}

void deviation_for_each_list(void (*fn)(const char *name, void *ctx), void *ctx)
{
	char name[64];
	const char *p = lists;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len && len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = 0;
			fn(name, ctx);
		}
		if (!end)
			break;
		p = end + 1;
	}
}

bool deviation_list_exists(const char *list)
{
	for (unsigned i = 0; i < nr_deviations; i++)
		if (!strcmp(deviations[i].list, list))
			return true;
	return false;
}

bool id_glob_match(const char *g, const char *s)
{
	if (!*g)
		return !*s;
	if (g[0] == '*' && g[1] == '*') {
		/* any run of characters, dots included */
		for (;; s++) {
			if (id_glob_match(g + 2, s))
				return true;
			if (!*s)
				return false;
		}
	}
	if (*g == '*') {
		/* any run of characters within this segment */
		for (;; s++) {
			if (id_glob_match(g + 1, s))
				return true;
			if (!*s || *s == '.')
				return false;
		}
	}
	if (!*s)
		return false;
	if (*g == '?' ? *s != '.' : *g == *s)
		return id_glob_match(g + 1, s + 1);
	return false;
}

unsigned deviation_covering(const char *check_id, const struct deviation **out, unsigned max)
{
	unsigned n = 0;

	if (!lists[0])
		return 0;
	for (unsigned i = 0; i < nr_deviations && n < max; i++) {
		const struct deviation *d = &deviations[i];

		if (!csv_has(lists, d->list))
			continue;
		if (d->models[0] && (!cpu_model || !csv_has(d->models, cpu_model)))
			continue;
		if (d->rule && d->rule[0] ? rule_in_context(d->rule) &&
					    (!d->glob[0] || id_glob_match(d->glob, check_id))
					  : id_glob_match(d->glob, check_id))
			out[n++] = d;
	}
	return n;
}
