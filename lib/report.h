/*
 * TAP reporting.  Every check prints exactly one line
 *     ok 12 - ept.smoke.read-np: read, PTE ---, 4K -> exit 48 qual 0x181
 * The check id is the prefix stack joined by '.', then the id passed to
 * report(); the words after ':' describe the case for a human.
 * See docs/CONTRACT.md for the whole output format.
 */
#ifndef LIB_REPORT_H
#define LIB_REPORT_H

#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>

void report_prefix_push(const char *prefix);
void report_prefix_pushf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_prefix_pop(void);
void report_prefix_reset(void);

/* One check: PASS when @pass, else FAIL (or TODO when the id is on the
 * active known-deviation list).  Returns @pass. */
bool report(bool pass, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool report_va(bool pass, const char *id, const char *fmt, va_list ap);

/* One check of a value: PASS when @got == @want (in flip mode, when
 * @got == @want ^ 1).  On failure prints "# got ... want ...". */
bool report_expect_u64(const char *id, uint64_t got, uint64_t want, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One skipped check: "ok N - <id>: <words> # SKIP <reason>".
 * @words may be NULL. */
void report_skip(const char *id, const char *words, const char *reason_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A diagnostic line "# ..." that belongs to the check before it. */
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Select the known-deviation list by name ("bochs-2.7"); NULL for none. */
void report_set_deviation_list(const char *name);
void report_set_verbose(bool verbose);
bool report_verbose(void);

/*
 * Flip mode (kernel option flip=1): checks that compare against an
 * expected value perturb that value first, so every such check must
 * FAIL.  scripts/flipcheck runs the suite this way: a check that still
 * passes cannot fail, and the project's rule 3 forbids those.
 */
void report_set_flip(bool flip);
bool report_flip(void);

/* Plan line and "eptest: SUMMARY ..."; returns the number of failures. */
unsigned report_summary(void);
unsigned report_failures(void);
/* Counters back to zero for the next test (after report_summary()). */
void report_reset(void);

#endif
