/*
 * The end-of-run table for a screen without a serial cable (the ISO on
 * bare metal): per test the counts of pass, fail, skip, todo and xpass,
 * then the ids of the failed checks.  It is built from the TAP the kernel
 * prints (docs/CONTRACT.md), so the reporting code needs no hook: puts()
 * feeds it every string printed.
 */
#ifndef LIB_SUMMARY_H
#define LIB_SUMMARY_H

/* Every string printed, in order (called by puts()). */
void summary_feed(const char *s);

/* Print the table and the failed check ids (before the plan line: the
 * lines are neither TAP checks nor comments, so TAP readers skip them). */
void summary_print(void);

#endif
