/* TAP reporting; the format is specified in docs/CONTRACT.md. */
#include "libcflat.h"
#include "deviation.h"

#define PREFIX_MAX 192

static char prefix[PREFIX_MAX];
static unsigned prefix_len[16];
static unsigned prefix_depth;
static unsigned nr_checks, nr_pass, nr_fail, nr_skip, nr_todo;
static const char *deviation_list;
static bool verbose, flip;

void report_set_deviation_list(const char *name) { deviation_list = name; }
void report_set_verbose(bool v) { verbose = v; }
bool report_verbose(void) { return verbose; }
void report_set_flip(bool f) { flip = f; }
bool report_flip(void) { return flip; }
unsigned report_failures(void) { return nr_fail; }

void report_prefix_push(const char *p)
{
	size_t len = strlen(prefix);

	assert(prefix_depth < ARRAY_SIZE(prefix_len));
	prefix_len[prefix_depth++] = len;
	if (len && len + 1 < PREFIX_MAX)
		prefix[len++] = '.';
	strlcpy(prefix + len, p, PREFIX_MAX - len);
}

void report_prefix_pushf(const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	report_prefix_push(buf);
}

void report_prefix_pop(void)
{
	assert(prefix_depth > 0);
	prefix[prefix_len[--prefix_depth]] = 0;
}

void report_prefix_reset(void)
{
	prefix_depth = 0;
	prefix[0] = 0;
}

static void full_id(char *buf, size_t size, const char *id)
{
	if (id && *id && prefix[0])
		snprintf(buf, size, "%s.%s", prefix, id);
	else
		snprintf(buf, size, "%s", id && *id ? id : prefix);
}

bool report_va(bool pass, const char *id, const char *fmt, va_list ap)
{
	char cid[256], words[256];
	const struct deviation *dev;

	full_id(cid, sizeof(cid), id);
	vsnprintf(words, sizeof(words), fmt, ap);
	dev = deviation_lookup(deviation_list, cid);
	nr_checks++;
	printf("%s %u - %s%s%s", pass ? "ok" : "not ok", nr_checks, cid,
	       words[0] ? ": " : "", words);
	if (dev) {
		/* A listed deviation that passes is still marked TODO, so a
		 * fixed implementation is noticed and the entry removed. */
		printf(" # TODO %s: %s: %s\n", dev->list, dev->sdm, dev->reason);
		if (pass)
			nr_pass++;
		else
			nr_todo++;
		return pass;
	}
	printf("\n");
	if (pass)
		nr_pass++;
	else
		nr_fail++;
	return pass;
}

bool report(bool pass, const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_va(pass, id, fmt, ap);
	va_end(ap);
	return pass;
}

bool report_expect_u64(const char *id, uint64_t got, uint64_t want, const char *fmt, ...)
{
	va_list ap;
	bool pass;

	if (flip)
		want ^= 1;
	pass = got == want;
	va_start(ap, fmt);
	report_va(pass, id, fmt, ap);
	va_end(ap);
	if (!pass)
		report_info("got %#lx, want %#lx", got, want);
	return pass;
}

void report_skip(const char *id, const char *words, const char *reason_fmt, ...)
{
	char cid[256], reason[160];
	va_list ap;

	full_id(cid, sizeof(cid), id);
	va_start(ap, reason_fmt);
	vsnprintf(reason, sizeof(reason), reason_fmt, ap);
	va_end(ap);
	nr_checks++;
	nr_skip++;
	printf("ok %u - %s%s%s # SKIP %s\n", nr_checks, cid,
	       words ? ": " : "", words ? words : "", reason);
}

void report_info(const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# %s\n", buf);
}

/* Counters back to zero: each test of a boot is its own TAP document. */
void report_reset(void)
{
	nr_checks = nr_pass = nr_fail = nr_skip = nr_todo = 0;
}

unsigned report_summary(void)
{
	printf("1..%u\n", nr_checks);
	printf("eptest: SUMMARY pass=%u fail=%u skip=%u todo=%u\n",
	       nr_pass, nr_fail, nr_skip, nr_todo);
	return nr_fail;
}
