/* Lookup in the compiled-in known-deviation lists (see deviation.h). */
#include "libcflat.h"
#include "deviation.h"

#define LISTS_MAX 160
#define ACTIVE_MAX 1024		/* entries the fast lookup handles */
#define PATH_SEGS 24		/* leading id segments it remembers */
#define PATH_MAX_LEN 256

static char lists[LISTS_MAX];	/* "a,b" */
static const char *cpu_model;
static bool path_valid;		/* the lookup's cache matches lists and cpu_model */
static const char *const *rule_names;
static unsigned nr_rule_names;
/* Whether entry i's rule is in the context, remembered for the checks of
 * one case (they share the context): valid while rule_seen[i] == rule_gen. */
static unsigned rule_gen = 1;
static unsigned rule_seen[ACTIVE_MAX];
static bool rule_hit[ACTIVE_MAX];
/* The length of its head before a first "**" when that head has no '*'
 * (NO_HEAD otherwise): an id prefix that matches the head char by char
 * is matched whatever follows, "**" taking the rest (may_cover_prefix()). */
#define NO_HEAD 0xff
static uint8_t head_len[ACTIVE_MAX];

void deviation_set_rules(const char *const *names, unsigned n)
{
	rule_names = names;
	nr_rule_names = names ? n : 0;
	rule_gen++;
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
	path_valid = false;
}

void deviation_set_cpu_model(const char *model)
{
	cpu_model = model;
	path_valid = false;
}
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

/* Whether entry @d is of a selected list and for this CPU model. */
static bool active(const struct deviation *d)
{
	return csv_has(lists, d->list) &&
	       (!d->models[0] || (cpu_model && csv_has(d->models, cpu_model)));
}

/* Whether entry @i covers @check_id, given that it is active. */
static bool covers(unsigned i, const char *check_id)
{
	const struct deviation *d = &deviations[i];

	if (d->rule && d->rule[0]) {
		if (i >= ACTIVE_MAX)
			return rule_in_context(d->rule) &&
			       (!d->glob[0] || id_glob_match(d->glob, check_id));
		if (rule_seen[i] != rule_gen) {
			rule_hit[i] = rule_in_context(d->rule);
			rule_seen[i] = rule_gen;
		}
		return rule_hit[i] && (!d->glob[0] || id_glob_match(d->glob, check_id));
	}
	return id_glob_match(d->glob, check_id);
}

/*
 * Whether glob @g can match some id that begins with the @n characters
 * at @s: id_glob_match() walking the same paths, where reaching the end
 * of the prefix is a match (any rest of a glob matches some rest of id).
 */
static bool glob_prefix_match(const char *g, const char *s, size_t n)
{
	if (!n)
		return true;
	if (!*g)
		return false;
	if (g[0] == '*' && g[1] == '*') {
		for (;; s++, n--) {
			if (glob_prefix_match(g + 2, s, n))
				return true;
			if (!n)
				return false;
		}
	}
	if (*g == '*') {
		for (;; s++, n--) {
			if (glob_prefix_match(g + 1, s, n))
				return true;
			if (!n || *s == '.')
				return false;
		}
	}
	if (*g == '?' ? *s != '.' : *g == *s)
		return glob_prefix_match(g + 1, s + 1, n - 1);
	return false;
}

/* Whether entry @i may cover some id that begins with the @n characters
 * at @id. */
static bool may_cover_prefix(unsigned i, const char *id, size_t n)
{
	const struct deviation *d = &deviations[i];

	if (d->rule && d->rule[0] && !d->glob[0])
		return true;	/* decided by the rule context alone */
	if (head_len[i] != NO_HEAD) {
		size_t k = MIN(n, (size_t)head_len[i]);

		for (size_t j = 0; j < k; j++)
			if (d->glob[j] == '?' ? id[j] == '.' : d->glob[j] != id[j])
				return false;
		return true;
	}
	return glob_prefix_match(d->glob, id, n);
}

/*
 * Every check asks which of the ~150 entries cover its id, and a full
 * scan costs more than the rest of the check under an emulator.  Checks
 * come in runs that share leading id segments ("ept.pml.long4.ad-on...."),
 * so the lookup keeps, for each leading segment of the last id, the
 * entries that can match an id beginning with it (each list a subset of
 * the one before, in entry order).  A lookup re-filters from the first
 * segment that differs and runs the full match only on what is left: the
 * answer, and its order, are those of a scan of every entry.
 */
static uint16_t path_cand[PATH_SEGS + 1][ACTIVE_MAX];
static unsigned path_nr[PATH_SEGS + 1];
static size_t path_len[PATH_SEGS + 1];	/* level L: the id up to its Lth dot, dot included */
static char path[PATH_MAX_LEN];
static unsigned path_depth;

static bool path_init(void)
{
	if (nr_deviations > ACTIVE_MAX)
		return false;
	path_nr[0] = 0;
	for (unsigned i = 0; i < nr_deviations; i++) {
		const char *g = deviations[i].glob;

		head_len[i] = NO_HEAD;
		for (size_t j = 0; g[j] && j < NO_HEAD; j++) {
			if (g[j] == '*' && g[j + 1] == '*')
				head_len[i] = (uint8_t)j;
			if (g[j] == '*')
				break;
		}
		if (active(&deviations[i]))
			path_cand[0][path_nr[0]++] = (uint16_t)i;
	}
	path_len[0] = 0;
	path_depth = 0;
	path_valid = true;
	return true;
}

/* The candidate list of the longest cached prefix of @id (see above). */
static unsigned path_lookup(const char *id)
{
	unsigned level = 0;
	const char *dot;

	while (level < PATH_SEGS && (dot = strchr(id + path_len[level], '.'))) {
		size_t len = (size_t)(dot - id) + 1, start = path_len[level];

		if (len > sizeof(path))
			break;
		level++;
		if (level <= path_depth && path_len[level] == len &&
		    !memcmp(path + start, id + start, len - start))
			continue;
		/* from here on the cached levels are another id's */
		path_depth = level;
		path_len[level] = len;
		memcpy(path + start, id + start, len - start);
		path_nr[level] = 0;
		for (unsigned k = 0; k < path_nr[level - 1]; k++) {
			unsigned i = path_cand[level - 1][k];

			if (may_cover_prefix(i, id, len))
				path_cand[level][path_nr[level]++] = (uint16_t)i;
		}
	}
	return level;
}

unsigned deviation_covering(const char *check_id, const struct deviation **out, unsigned max)
{
	unsigned n = 0, level;

	if (!lists[0])
		return 0;
	if (!path_valid && !path_init()) {
		for (unsigned i = 0; i < nr_deviations && n < max; i++)
			if (active(&deviations[i]) && covers(i, check_id))
				out[n++] = &deviations[i];
		return n;
	}
	level = path_lookup(check_id);
	for (unsigned k = 0; k < path_nr[level] && n < max; k++) {
		unsigned i = path_cand[level][k];

		if (covers(i, check_id))
			out[n++] = &deviations[i];
	}
	return n;
}
