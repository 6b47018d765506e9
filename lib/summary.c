/* Per-test counts and failed check ids, read back from the TAP output. */
#include "libcflat.h"
#include "summary.h"

#define MAX_TESTS       64
#define MAX_FAILED      8	/* ids shown; the rest are counted */
#define NAME_LEN        24
#define ID_LEN          72
#define HEAD_LEN        128	/* start of a line: status, id, test name */
#define TEST_LINE       "# eptest: test "

enum outcome { PASS, FAIL, SKIP, TODO, XPASS, NR_OUTCOMES };

struct row {
	char name[NAME_LEN];
	unsigned n[NR_OUTCOMES];
};

static struct row rows[MAX_TESTS];
static unsigned nr_rows;
static unsigned nr_failed;
static char failed_id[MAX_FAILED][ID_LEN];
static unsigned failed_row[MAX_FAILED];

/* the line being printed: its start, and the directive seen so far */
static char head[HEAD_LEN];
static unsigned head_len;
/* the last 7 characters, the latest in the low byte: a line's directive
 * is found with one compare a character (this runs for every character
 * printed) */
static uint64_t window;
#define TAG7(s) ((uint64_t)(uint8_t)(s)[0] << 48 | (uint64_t)(uint8_t)(s)[1] << 40 | \
		 (uint64_t)(uint8_t)(s)[2] << 32 | (uint64_t)(uint8_t)(s)[3] << 24 | \
		 (uint64_t)(uint8_t)(s)[4] << 16 | (uint64_t)(uint8_t)(s)[5] << 8 | \
		 (uint64_t)(uint8_t)(s)[6])
#define WINDOW_MASK ((1ull << 56) - 1)
static char directive;			/* 'S' (# SKIP), 'T' (# TODO) or 0 */

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

static void end_line(void)
{
	bool nok = !strncmp(head, "not ok ", 7);
	const char *id;
	enum outcome o;

	head[head_len < HEAD_LEN ? head_len : HEAD_LEN - 1] = 0;
	if (!strncmp(head, TEST_LINE, strlen(TEST_LINE))) {
		if (nr_rows < MAX_TESTS) {
			memset(&rows[nr_rows], 0, sizeof(rows[nr_rows]));
			copy_word(rows[nr_rows].name, NAME_LEN, head + strlen(TEST_LINE), " ");
			nr_rows++;
		}
		return;
	}
	if (!nok && strncmp(head, "ok ", 3))
		return;
	if (directive == 'S')
		o = SKIP;
	else if (directive == 'T')
		o = nok ? TODO : XPASS;
	else
		o = nok ? FAIL : PASS;
	current_row()->n[o]++;
	if (o != FAIL)
		return;
	if (nr_failed < MAX_FAILED) {
		id = strchr(head, '-');	/* "not ok N - ID: words" */
		copy_word(failed_id[nr_failed], ID_LEN, id ? id + 2 : head, ": ");
		failed_row[nr_failed] = nr_rows - 1;
	}
	nr_failed++;
}

/* The line state lives in locals while a string is fed: a store to
 * head[] (a char) could alias any global, so the compiler would reload
 * them all for every character. */
void summary_feed(const char *s)
{
	unsigned len = head_len;
	uint64_t win = window;
	char dir = directive, c;

	while ((c = *s++)) {
		if (c == '\n') {
			head_len = len;
			directive = dir;
			end_line();
			len = 0;
			dir = 0;
			win = 0;
			continue;
		}
		if (len < HEAD_LEN)
			head[len++] = c;
		win = (win << 8 | (uint8_t)c) & WINDOW_MASK;
		if (!dir && win == TAG7(" # SKIP"))
			dir = 'S';
		if (!dir && win == TAG7(" # TODO"))
			dir = 'T';
	}
	head_len = len;
	window = win;
	directive = dir;
}

void summary_print(void)
{
	static const char *const label[NR_OUTCOMES] = { "pass", "fail", "skip", "todo", "xpass" };
	unsigned shown = MIN(nr_failed, MAX_FAILED);

	if (!nr_rows)
		return;
	/* two tests a line of 79 characters: 25 rows hold the whole suite */
	printf("eptest: per test: %s %s %s %s %s\n",
	       label[PASS], label[FAIL], label[SKIP], label[TODO], label[XPASS]);
	for (unsigned i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		printf("%s%-17.17s %4u %3u %3u %3u %3u%s", i % 2 ? " | " : "",
		       r->name, r->n[PASS], r->n[FAIL], r->n[SKIP], r->n[TODO],
		       r->n[XPASS], i % 2 || i + 1 == nr_rows ? "\n" : "");
	}
	if (!nr_failed)
		return;
	printf("eptest: %u failed check%s:\n", nr_failed, nr_failed == 1 ? "" : "s");
	for (unsigned i = 0; i < shown; i++)
		printf("  %s: %s\n", rows[failed_row[i]].name, failed_id[i]);
	if (nr_failed > shown)
		printf("  ... and %u more (the serial log has them all)\n", nr_failed - shown);
}
