/* TAP reporting; the format is specified in docs/CONTRACT.md. */
#include "libcflat.h"
#include "deviation.h"
#include "summary.h"

#define PREFIX_MAX 192

static char prefix[PREFIX_MAX];
static unsigned prefix_len[16];
static unsigned prefix_depth;
static unsigned nr_checks, nr_pass, nr_fail, nr_skip, nr_todo, nr_xpass;
static bool verbose, flip;
/* Skip reasons that are failures in this run (report_skip_fails()). */
static const char *failing_reasons[8], *failing_why[8];

void report_set_deviation_list(const char *names) { deviation_select(names); }
void report_set_cpu_model(const char *model) { deviation_set_cpu_model(model); }
void report_set_rules(const char *const *names, unsigned n) { deviation_set_rules(names, n); }
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

/* PREFIX.ID (or the one that is there) into buf, without a format pass:
 * this runs for every check */
static void full_id(char *buf, size_t size, const char *id)
{
	size_t n;

	if (!id || !*id) {
		strlcpy(buf, prefix, size);
		return;
	}
	if (!prefix[0]) {
		strlcpy(buf, id, size);
		return;
	}
	n = MIN(strlcpy(buf, prefix, size), size - 1);
	if (n + 1 < size) {
		buf[n++] = '.';
		strlcpy(buf + n, id, size - n);
	}
}

/* "ok N - ID: words" without the newline, put together and printed in
 * one piece (this runs for every check) */
static void print_line(bool ok, const char *cid, const char *words)
{
	char line[24 + 256 + 2 + 256], num[12];
	size_t len = 0, n;
	unsigned v;

	nr_checks++;
	n = 0;
	v = nr_checks;
	do {
		num[sizeof(num) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	len = strlcpy(line, ok ? "ok " : "not ok ", sizeof(line));
	memcpy(line + len, num + sizeof(num) - n, n);
	len += n;
	memcpy(line + len, " - ", 3);
	len += 3;
	len += strlcpy(line + len, cid, sizeof(line) - len);
	if (words[0]) {
		memcpy(line + len, ": ", 2);
		len += 2;
		strlcpy(line + len, words, sizeof(line) - len);
	}
	puts(line);
}

bool report_va(bool pass, const char *id, const char *fmt, va_list ap)
{
	char cid[256], words[256];

	full_id(cid, sizeof(cid), id);
	vsnprintf(words, sizeof(words), fmt, ap);
	print_line(pass, cid, words);
	puts("\n");
	summary_check(pass ? SUMMARY_PASS : SUMMARY_FAIL, cid);
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

#define COVER_MAX 16

static uint64_t lowest_bit(uint64_t x) { return x & -x; }

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* The bits of field @f that the covering entries excuse. */
static uint64_t excused_bits(const struct check_field *f, const struct deviation *const *dev,
			     unsigned ndev)
{
	uint64_t bits = 0;

	for (unsigned i = 0; i < ndev; i++)
		if (!strcmp(dev[i]->field, f->name))
			bits |= dev[i]->mask;
	return bits;
}

/* How often each field name was perturbed in this boot (flip mode). */
static struct { const char *name; unsigned n; } flip_counts[32];

static unsigned *flip_count(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(flip_counts); i++) {
		if (!flip_counts[i].name)
			flip_counts[i].name = name;
		if (!strcmp(flip_counts[i].name, name))
			return &flip_counts[i].n;
	}
	return &flip_counts[ARRAY_SIZE(flip_counts) - 1].n;
}

/*
 * Flip mode: the field to perturb and the bit to toggle.  Candidates are
 * the compared fields no entry excuses; when every compared field is
 * named by an entry, the compared bits outside the excused ones.  Of the
 * candidates, the field perturbed least often so far in this boot (ties
 * broken by the check id), so that any selection of tests shows every
 * field kind failing.  When every compared bit is excused (rule= entries
 * excuse whole fields of every check of a case), a compared bit that
 * matches now is toggled and *forced says the perturbation is not excused.
 */
static int flip_choice(const char *cid, const struct check_field *f, unsigned n,
		       const struct deviation *const *dev, unsigned ndev, uint64_t *bit,
		       bool *forced)
{
	unsigned cand[16], nc = 0, best = 0;

	for (unsigned i = 0; i < n && nc < ARRAY_SIZE(cand); i++)
		if (f[i].mask && !excused_bits(&f[i], dev, ndev))
			cand[nc++] = i;
	if (!nc)
		for (unsigned i = 0; i < n && nc < ARRAY_SIZE(cand); i++)
			if (f[i].mask & ~excused_bits(&f[i], dev, ndev))
				cand[nc++] = i;
	if (!nc) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t same = f[i].mask & ~(f[i].got ^ f[i].want);

			if (same) {
				*bit = lowest_bit(same);
				*forced = true;
				++*flip_count(f[i].name);
				return (int)i;
			}
		}
		return -1;
	}
	for (unsigned j = 0, start = fnv1a(cid) % nc; j < nc; j++) {
		unsigned c = cand[(start + j) % nc];

		if (j == 0 || *flip_count(f[c].name) < *flip_count(f[best].name))
			best = c;
	}
	++*flip_count(f[best].name);
	*bit = lowest_bit(f[best].mask & ~excused_bits(&f[best], dev, ndev));
	return best;
}

static void print_entry(const struct deviation *d)
{
	if (d->mask == ~0ull)
		printf("%s (line %u)", d->field, d->line);
	else
		printf("%s:%#lx (line %u)", d->field, d->mask, d->line);
}

/* report_fields() with its words formatted */
static bool fields_words(const char *id, const struct check_field *f, unsigned n,
			 const char *words)
{
	const struct deviation *dev[COVER_MAX];
	bool fired[COVER_MAX] = { false };
	char cid[256];
	unsigned ndev, nfired = 0;
	bool fail = false, fail_unperturbed = false;
	uint64_t flip_bit = 0;
	int flipped = -1;
	bool forced = false;

	full_id(cid, sizeof(cid), id);
	ndev = deviation_covering(cid, dev, COVER_MAX);
	/* a rule= entry covers the checks of a case that compare its field
	 * (every check of the case is in the rule's context) */
	for (unsigned d = 0; d < ndev;) {
		bool compared = !dev[d]->rule || !dev[d]->rule[0];

		for (unsigned i = 0; i < n && !compared; i++)
			compared = f[i].mask && !strcmp(dev[d]->field, f[i].name);
		if (compared)
			d++;
		else
			dev[d] = dev[--ndev];
	}
	if (flip)
		flipped = flip_choice(cid, f, n, dev, ndev, &flip_bit, &forced);

	for (unsigned i = 0; i < n; i++) {
		uint64_t want = f[i].want ^ ((int)i == flipped ? flip_bit : 0);
		uint64_t diff = (f[i].got ^ want) & f[i].mask;
		uint64_t raw = (f[i].got ^ f[i].want) & f[i].mask;
		uint64_t ok_bits = excused_bits(&f[i], dev, ndev);

		if (forced && (int)i == flipped)
			ok_bits &= ~flip_bit;
		fail |= (diff & ~ok_bits) != 0;
		fail_unperturbed |= (raw & ~ok_bits) != 0;
		for (unsigned d = 0; d < ndev; d++)
			if (!strcmp(dev[d]->field, f[i].name) && (diff & dev[d]->mask) && !fired[d]) {
				fired[d] = true;
				nfired++;
			}
	}

	print_line(!fail && !nfired, cid, words);
	summary_check(fail ? SUMMARY_FAIL : nfired ? SUMMARY_TODO : ndev ? SUMMARY_XPASS : SUMMARY_PASS,
		      cid);
	if (fail) {
		nr_fail++;
		puts("\n");
	} else if (nfired) {
		/* every difference excused: a known deviation */
		const char *sep = "";

		nr_todo++;
		printf(" # TODO %s: ", dev[0]->list);
		for (unsigned d = 0; d < ndev; d++) {
			if (!fired[d])
				continue;
			printf("%s", sep);
			print_entry(dev[d]);
			printf(": %s: %s", dev[d]->sdm, dev[d]->reason);
			sep = "; ";
		}
		printf("\n");
	} else if (ndev) {
		/* listed, yet everything matched: the entry may be stale */
		nr_xpass++;
		printf(" # TODO %s: deviation not seen: ", dev[0]->list);
		for (unsigned d = 0; d < ndev; d++) {
			if (d)
				printf("; ");
			print_entry(dev[d]);
		}
		printf("\n");
	} else {
		nr_pass++;
		puts("\n");
	}

	for (unsigned i = 0; i < n; i++) {
		uint64_t want = f[i].want ^ ((int)i == flipped ? flip_bit : 0);
		uint64_t diff = (f[i].got ^ want) & f[i].mask;

		if (!diff)
			continue;
		if (f[i].mask == ~0ull)
			report_info("%s: got %#lx, want %#lx (differs in %#lx)%s", f[i].name,
				    f[i].got, want, diff,
				    diff & ~excused_bits(&f[i], dev, ndev) ? "" : " (known deviation)");
		else
			report_info("%s: got %#lx, want %#lx under mask %#lx (differs in %#lx)%s",
				    f[i].name, f[i].got, want, f[i].mask, diff,
				    diff & ~excused_bits(&f[i], dev, ndev) ? "" : " (known deviation)");
	}
	if (flip) {
		/* what the check would have said unperturbed: an ordered flip
		 * run is also the ordered reference of scripts/shufflecheck */
		bool fired_unperturbed = false;

		for (unsigned i = 0; i < n; i++)
			fired_unperturbed |= ((f[i].got ^ f[i].want) & f[i].mask &
					      excused_bits(&f[i], dev, ndev)) != 0;
		/* compared: what a perturbation may show failing; a field an
		 * entry excuses whole is listed apart (flip never picks it
		 * while there is another, scripts/flipcheck does not ask) */
		bool any_excused = false;

		printf("# flipped: %s (compared:", flipped >= 0 ? f[flipped].name : "nothing");
		for (unsigned i = 0; i < n; i++) {
			if (f[i].mask & ~excused_bits(&f[i], dev, ndev))
				printf(" %s", f[i].name);
			else if (f[i].mask)
				any_excused = true;
		}
		if (any_excused) {
			printf("; excused:");
			for (unsigned i = 0; i < n; i++)
				if (f[i].mask && !(f[i].mask & ~excused_bits(&f[i], dev, ndev)))
					printf(" %s", f[i].name);
		}
		printf(") unperturbed: %s\n", fail_unperturbed ? "fail" : fired_unperturbed ? "todo" :
		       ndev ? "xpass" : "ok");
	}
	return !fail_unperturbed;
}

bool report_fields(const char *id, const struct check_field *f, unsigned n,
		   const char *fmt, ...)
{
	char words[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(words, sizeof(words), fmt, ap);
	va_end(ap);
	return fields_words(id, f, n, words);
}

static bool expect_va(const char *id, const char *field, uint64_t got, uint64_t want,
		      uint64_t mask, const char *fmt, va_list ap)
{
	struct check_field f = { field, got, want, mask };
	char words[256];

	vsnprintf(words, sizeof(words), fmt, ap);
	return fields_words(id, &f, 1, words);
}

bool report_expect_u64(const char *id, const char *field, uint64_t got, uint64_t want,
		       const char *fmt, ...)
{
	va_list ap;
	bool pass;

	va_start(ap, fmt);
	pass = expect_va(id, field, got, want, ~0ull, fmt, ap);
	va_end(ap);
	return pass;
}

bool report_expect_mask(const char *id, const char *field, uint64_t got, uint64_t want,
			uint64_t mask, const char *fmt, ...)
{
	va_list ap;
	bool pass;

	va_start(ap, fmt);
	pass = expect_va(id, field, got, want, mask, fmt, ap);
	va_end(ap);
	return pass;
}

void report_skip_fails(const char *reason, const char *why)
{
	for (unsigned i = 0; i < ARRAY_SIZE(failing_reasons); i++) {
		if (failing_reasons[i] && strcmp(failing_reasons[i], reason))
			continue;
		failing_reasons[i] = reason;
		failing_why[i] = why;
		return;
	}
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
	for (unsigned i = 0; i < ARRAY_SIZE(failing_reasons) && failing_reasons[i]; i++) {
		if (strcmp(failing_reasons[i], reason))
			continue;
		nr_fail++;
		printf("not ok %u - %s%s%s\n", nr_checks, cid, words ? ": " : "", words ? words : "");
		summary_check(SUMMARY_FAIL, cid);
		printf("# not skipped: %s; missing: %s\n", failing_why[i], reason);
		return;
	}
	nr_skip++;
	printf("ok %u - %s%s%s # SKIP %s\n", nr_checks, cid,
	       words ? ": " : "", words ? words : "", reason);
	summary_check(SUMMARY_SKIP, cid);
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
	nr_checks = nr_pass = nr_fail = nr_skip = nr_todo = nr_xpass = 0;
	/* flip choices depend on the test only, not on what ran before it
	 * in the same boot */
	memset(flip_counts, 0, sizeof(flip_counts));
}

unsigned report_summary(void)
{
	printf("1..%u\n", nr_checks);
	printf("eptest: SUMMARY pass=%u fail=%u skip=%u todo=%u xpass=%u\n",
	       nr_pass, nr_fail, nr_skip, nr_todo, nr_xpass);
	return nr_fail;
}
