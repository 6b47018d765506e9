/*
 * The end-of-run table for a screen without a serial cable (the ISO on
 * bare metal): per test the counts of pass, fail, skip, todo and xpass,
 * then the ids of the failed checks.  lib/test.c names each test as it
 * starts, lib/report.c hands over each check's outcome as it prints its
 * TAP line (a line printed by other means is not counted; the runner
 * checks the TAP lines against the SUMMARY lines).
 */
#ifndef LIB_SUMMARY_H
#define LIB_SUMMARY_H

enum summary_outcome {
	SUMMARY_PASS, SUMMARY_FAIL, SUMMARY_SKIP, SUMMARY_TODO, SUMMARY_XPASS, NR_OUTCOMES
};

/* A test starts (its "# eptest: test NAME" line). */
void summary_test(const char *name);

/* A check of the current test: its outcome and its id. */
void summary_check(enum summary_outcome o, const char *id);

/* Print the table and the failed check ids (before the plan line: the
 * lines are neither TAP checks nor comments, so TAP readers skip them). */
void summary_print(void);

#endif
