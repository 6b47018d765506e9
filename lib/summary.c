/* Per-test counts and failed check ids, handed over by lib/report.c. */
#include "libcflat.h"
#include "summary.h"

#define MAX_TESTS       64
#define MAX_FAILED      8	/* ids shown; the rest are counted */
#define NAME_LEN        24
#define ID_LEN          72

struct row {
	char name[NAME_LEN];
	unsigned n[NR_OUTCOMES];
};

static struct row rows[MAX_TESTS];
static unsigned nr_rows;
static unsigned nr_failed;
static char failed_id[MAX_FAILED][ID_LEN];
static unsigned failed_row[MAX_FAILED];

static struct row *current_row(void)
{
	if (!nr_rows) {			/* a check outside any test */
		strlcpy(rows[0].name, "-", NAME_LEN);
		nr_rows = 1;
	}
	return &rows[nr_rows - 1];
}

static void copy_word(char *dst, size_t size, const char *s, const char *stops)
{
	size_t i = 0;

	while (s[i] && !strchr(stops, s[i]) && i + 1 < size) {
		dst[i] = s[i];
		i++;
	}
	dst[i] = 0;
}

void summary_test(const char *name)
{
	if (nr_rows < MAX_TESTS) {
		memset(&rows[nr_rows], 0, sizeof(rows[nr_rows]));
		copy_word(rows[nr_rows].name, NAME_LEN, name, " ");
		nr_rows++;
	}
}

void summary_check(enum summary_outcome o, const char *id)
{
	current_row()->n[o]++;
	if (o != SUMMARY_FAIL)
		return;
	if (nr_failed < MAX_FAILED) {
		copy_word(failed_id[nr_failed], ID_LEN, id, ": ");
		failed_row[nr_failed] = nr_rows - 1;
	}
	nr_failed++;
}

void summary_print(void)
{
	static const char *const label[NR_OUTCOMES] = { "pass", "fail", "skip", "todo", "xpass" };
	unsigned shown = MIN(nr_failed, MAX_FAILED);

	if (!nr_rows)
		return;
	/* two tests a line of 79 characters: 25 rows hold the whole suite */
	printf("eptest: per test: %s %s %s %s %s\n",
	       label[SUMMARY_PASS], label[SUMMARY_FAIL], label[SUMMARY_SKIP],
	       label[SUMMARY_TODO], label[SUMMARY_XPASS]);
	for (unsigned i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		printf("%s%-17.17s %4u %3u %3u %3u %3u%s", i % 2 ? " | " : "",
		       r->name, r->n[SUMMARY_PASS], r->n[SUMMARY_FAIL], r->n[SUMMARY_SKIP],
		       r->n[SUMMARY_TODO], r->n[SUMMARY_XPASS], i % 2 || i + 1 == nr_rows ? "\n" : "");
	}
	if (!nr_failed)
		return;
	printf("eptest: %u failed check%s:\n", nr_failed, nr_failed == 1 ? "" : "s");
	for (unsigned i = 0; i < shown; i++)
		printf("  %s: %s\n", rows[failed_row[i]].name, failed_id[i]);
	if (nr_failed > shown)
		printf("  ... and %u more (the serial log has them all)\n", nr_failed - shown);
}
