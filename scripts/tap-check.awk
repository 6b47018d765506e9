# Read the TAP documents of one test (its start marks, check lines,
# diagnostics, plans and SUMMARY lines; docs/CONTRACT.md) and check that
# they agree with themselves.  Usage:
#   awk -v sumfile=F -v incfile=G -f scripts/tap-check.awk DOC...
# stdout: the check lines ("ok N - ...", "not ok N - ...") and "#" lines.
# sumfile: "pass fail skip todo xpass", counted from the check lines.
# incfile: one line per disagreement between the check lines, the plan
# and the SUMMARY line of a document, and per check id seen twice.
function problem(msg) { print msg > incfile; nprob++ }
function close_doc(   want, got) {
	if (!indoc || !hassum)
		return
	if (plan < 0)
		problem("test " docname ": no plan line 1..N")
	else if (plan != dn)
		problem("test " docname ": plan 1.." plan " but " dn " check lines")
	got = dp " " df " " ds " " dt " " dx
	want = sp " " sf " " ss " " st " " sx
	if (got != want)
		problem("test " docname ": SUMMARY says pass=" sp " fail=" sf " skip=" ss " todo=" st " xpass=" sx \
			", the check lines say pass=" dp " fail=" df " skip=" ds " todo=" dt " xpass=" dx)
}
BEGIN { p = f = s = t = x = 0; indoc = 0; nprob = 0; printf "" > incfile }
{ gsub(/\r/, ""); gsub(/[\001-\010\013-\037\177]/, "") }
/^# eptest: test / {
	close_doc()
	indoc = 1; docname = $4; hassum = 0; plan = -1
	dn = dp = df = ds = dt = dx = 0
	print
	next
}
/^eptest: SUMMARY / {
	hassum = 1
	sp = sf = ss = st = -1; sx = 0
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "pass") sp = kv[2] + 0
		else if (kv[1] == "fail") sf = kv[2] + 0
		else if (kv[1] == "skip") ss = kv[2] + 0
		else if (kv[1] == "todo") st = kv[2] + 0
		else if (kv[1] == "xpass") sx = kv[2] + 0
	}
	next
}
/^1\.\.[0-9]+[ \t]*$/ { plan = substr($0, 4) + 0; next }
/^(not )?ok([ \t]|$)/ {
	nok = ($0 ~ /^not /)
	d = $0
	sub(/^(not )?ok[ \t]*/, "", d)
	num = ""
	if (match(d, /^[0-9]+/)) { num = " " substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1) }
	sub(/^[ \t]*-?[ \t]*/, "", d)
	print (nok ? "not ok" : "ok") num " - " d
	dn++
	if (match(d, /[ \t]#[ \t]*[Ss][Kk][Ii][Pp]/) && !nok) { ds++; s++ }
	else if (match(d, /[ \t]#[ \t]*[Tt][Oo][Dd][Oo]/)) { if (nok) { dt++; t++ } else { dx++; x++ } }
	else if (nok) { df++; f++ }
	else { dp++; p++ }
	id = d
	sub(/[: \t].*/, "", id)
	if (id != "" && (id in seen) && !(id in dup)) {
		dup[id] = 1
		problem("check id " id " appears twice")
	}
	seen[id] = 1
	next
}
/^#/ { print; next }
END {
	close_doc()
	print p, f, s, t, x > sumfile
}
