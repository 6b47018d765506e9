# Plan the boots of a batched run (run_tests.sh).  Input lines
#   GROUP ENTRY SECONDS
# (entries of one group can share a boot; SECONDS: the entry's last
# recorded duration).  Start with one batch per group; split the costliest
# batch in two, balanced by duration, while that shortens the estimated
# wall time of running the batches on JOBS workers, each boot costing BOOT
# seconds more.  Output: "BATCH ENTRY" lines, batches numbered from the
# costliest down (the order to start them in), entries in input order.
# Usage: awk -v jobs=J -v boot=S -f scripts/batch-plan.awk
function cost(b,   c, i) {
	c = boot
	for (i = 1; i <= bn[b]; i++) c += est[be[b, i]]
	return c
}
# order[1..nb] = batches by decreasing cost (insertion sort: few batches)
function sort_batches(   i, j, v) {
	for (i = 1; i <= nb; i++) { order[i] = i; bc[i] = cost(i) }
	for (i = 2; i <= nb; i++) {
		v = order[i]
		for (j = i - 1; j >= 1 && bc[order[j]] < bc[v]; j--) order[j + 1] = order[j]
		order[j + 1] = v
	}
}
function makespan(   i, w, k, best, m) {
	sort_batches()
	for (w = 1; w <= jobs; w++) load[w] = 0
	for (i = 1; i <= nb; i++) {
		best = 1
		for (w = 2; w <= jobs; w++) if (load[w] < load[best]) best = w
		load[best] += bc[order[i]]
	}
	m = 0
	for (w = 1; w <= jobs; w++) if (load[w] > m) m = load[w]
	return m
}
# split batch b into b and a new batch nb+1, balanced greedily by cost
function split_batch(b,   i, j, n, v, e, ca, cb, na, nbb, byd, side) {
	n = bn[b]
	for (i = 1; i <= n; i++) byd[i] = be[b, i]
	for (i = 2; i <= n; i++) {
		v = byd[i]
		for (j = i - 1; j >= 1 && est[byd[j]] < est[v]; j--) byd[j + 1] = byd[j]
		byd[j + 1] = v
	}
	ca = cb = 0
	for (i = 1; i <= n; i++) {
		e = byd[i]
		if (ca <= cb) { side[e] = 1; ca += est[e] } else { side[e] = 2; cb += est[e] }
	}
	nb++
	na = nbb = 0
	for (i = 1; i <= n; i++) {
		e = be[b, i]
		if (side[e] == 1) tmp[++na] = e
		else be[nb, ++nbb] = e
	}
	for (i = 1; i <= na; i++) be[b, i] = tmp[i]
	bn[b] = na; bn[nb] = nbb
}
function copy_to_saved(   i, k) {
	snb = nb
	for (i = 1; i <= nb; i++) { sbn[i] = bn[i]; for (k = 1; k <= bn[i]; k++) sbe[i, k] = be[i, k] }
}
function restore(   i, k) {
	nb = snb
	for (i = 1; i <= nb; i++) { bn[i] = sbn[i]; for (k = 1; k <= bn[i]; k++) be[i, k] = sbe[i, k] }
}
{
	g = $1; e = $2; est[e] = $3 + 0
	if (!(g in gb)) { gb[g] = ++nb; bn[nb] = 0 }
	b = gb[g]
	be[b, ++bn[b]] = e
}
END {
	if (jobs < 1) jobs = 1
	best = makespan()
	for (;;) {
		# the costliest batch that can be split
		sort_batches()
		cand = 0
		for (i = 1; i <= nb; i++) if (bn[order[i]] >= 2) { cand = order[i]; break }
		if (!cand) break
		copy_to_saved()
		split_batch(cand)
		m = makespan()
		if (m < best - 0.05) { best = m; continue }
		restore()
		break
	}
	sort_batches()
	for (i = 1; i <= nb; i++)
		for (k = 1; k <= bn[order[i]]; k++)
			print i, be[order[i], k]
}
