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

/* One check without a compared value (an infrastructure failure, a
 * self-test): PASS when @pass, else FAIL.  Returns @pass.  Tests compare
 * values with report_fields() / report_expect_u64() instead. */
bool report(bool pass, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool report_va(bool pass, const char *id, const char *fmt, va_list ap);

/*
 * One field of a check's outcome: the bits @mask of @got and @want are
 * compared; the bits outside @mask are those the SDM leaves undefined for
 * this case.  @name is one of OUTCOME_FIELDS (lib/x86/outcome.h): the
 * known-deviation lists excuse fields by that name.
 */
struct check_field {
	const char *name;
	uint64_t got, want, mask;
};

/*
 * One check of several fields, one TAP line.  Every field that differs is
 * printed as "# FIELD: got G, want W under mask M (differs in D)".
 *   - a difference no active deviation entry excuses: FAIL;
 *   - every difference excused (entry naming that field and covering the
 *     differing bits): TODO, the entries named on the line;
 *   - no difference but an entry covers the check: XPASS ("deviation not
 *     seen"), so a stale entry shows;
 *   - otherwise PASS.
 * Flip mode: one compared field, chosen from the check id and never one
 * that an entry excuses, has its expected value perturbed (the lowest
 * compared bit toggled: a value the processor could produce), and
 * "# flipped: FIELD (compared: ...)" follows the line.
 * Returns whether the UNPERTURBED comparison passed (or was excused), so
 * follow-up checks gated on it run the same in a flip run.
 */
bool report_fields(const char *id, const struct check_field *f, unsigned n,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A one-field check: report_fields() with { field, got, want, ~0 }. */
bool report_expect_u64(const char *id, const char *field, uint64_t got, uint64_t want,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same, comparing only the bits of @mask. */
bool report_expect_mask(const char *id, const char *field, uint64_t got, uint64_t want,
			uint64_t mask, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* One skipped check: "ok N - <id>: <words> # SKIP <reason>".
 * @words may be NULL. */
void report_skip(const char *id, const char *words, const char *reason_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* From now on a skip for exactly @reason is a failure, with the
 * diagnostic "# not skipped: <why>; missing: <reason>" (kernel option
 * require_vmx=1: the environment promised what @reason says is missing). */
void report_skip_fails(const char *reason, const char *why);

/* A diagnostic line "# ..." that belongs to the check before it. */
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Select the known-deviation lists ("bochs-2.7", or layered "kvm,kvm-6.1");
 * NULL for none.  @model: the CPU model entries limited to models match. */
void report_set_deviation_list(const char *names);
void report_set_cpu_model(const char *model);
/* The model rules (their stable names) that decided the case whose checks
 * follow, for known-deviation entries `rule=NAME`; NULL, 0 after the case.
 * The array must live until the next call. */
void report_set_rules(const char *const *names, unsigned n);
void report_set_verbose(bool verbose);
bool report_verbose(void);

/*
 * Flip mode (kernel option flip=1): every compared check perturbs one of
 * its expected fields, so every check must FAIL.  scripts/flipcheck runs
 * the suite this way and tabulates which fields were shown failing.
 */
void report_set_flip(bool flip);
bool report_flip(void);

/* Plan line and "eptest: SUMMARY pass= fail= skip= todo= xpass="; returns
 * the number of failures. */
unsigned report_summary(void);
unsigned report_failures(void);
/* Counters back to zero for the next test (after report_summary()). */
void report_reset(void);

#endif
