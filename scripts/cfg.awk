# Parse and validate an eptest unittests.cfg.
# Output: one line per section, fields separated by \037 (ASCII US):
#   name  file  extra_params  groups  timeout  backends  bochs_cpu  line
# On the first error: print "FILE:LINE: message" to stderr and exit 2.
# Usage: awk -f scripts/cfg.awk unittests.cfg
function err(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 2
}
function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}
function squeeze(s) {
	gsub(/[ \t]+/, " ", s)
	return trim(s)
}
function flush(   b) {
	if (cur == "")
		return
	if (!(cur SUBSEP "file" in val)) {
		printf "%s:%d: section [%s] has no file= key\n", FILENAME, secline, cur > "/dev/stderr"
		failed = 1
		exit 2
	}
	out[++n] = cur US val[cur, "file"] US val[cur, "extra_params"] US \
		val[cur, "groups"] US val[cur, "timeout"] US val[cur, "backends"] US \
		val[cur, "bochs_cpu"] US secline
}
BEGIN {
	known["file"] = known["extra_params"] = known["groups"] = 1
	known["timeout"] = known["backends"] = known["bochs_cpu"] = 1
	okbackend["kvm"] = okbackend["bochs"] = okbackend["tcg"] = 1
	cur = ""; n = 0; failed = 0; US = "\037"
}
{ sub(/\r$/, "") }
/^[ \t]*(#.*)?$/ { next }
/^[ \t]*\[/ {
	line = trim($0)
	if (line !~ /^\[[A-Za-z0-9_.+-]+\]$/)
		err("bad section header '" line "' (want [name], name of letters, digits, _ . + -)")
	flush()
	cur = substr(line, 2, length(line) - 2)
	if (cur in seen)
		err("duplicate section [" cur "] (first at line " seen[cur] ")")
	seen[cur] = FNR
	secline = FNR
	val[cur, "timeout"] = 60
	val[cur, "backends"] = "kvm bochs tcg"
	val[cur, "bochs_cpu"] = "corei7_icelake_u"
	val[cur, "groups"] = ""
	val[cur, "extra_params"] = ""
	next
}
{
	eq = index($0, "=")
	if (eq == 0)
		err("expected 'key=value', '[section]', a '#' comment or a blank line")
	key = trim(substr($0, 1, eq - 1))
	v = trim(substr($0, eq + 1))
	if (!(key in known))
		err("unknown key '" key "' (known: file extra_params groups timeout backends bochs_cpu)")
	if (cur == "")
		err("key '" key "' outside a section")
	if ((cur, key) in given)
		err("duplicate key '" key "' in section [" cur "]")
	given[cur, key] = 1
	if (v ~ /["'`$\\]/)
		err(key ": quotes, backslashes and '$' are not allowed")
	if (key == "file") {
		if (v == "" || v ~ /[ \t]/ || v ~ /^\// || v ~ /(^|\/)\.\.(\/|$)/)
			err("file: want a path relative to build/, without spaces or '..'")
	} else if (key == "timeout") {
		if (v !~ /^[0-9]+$/ || v + 0 < 1)
			err("timeout: want a whole number of seconds >= 1, got '" v "'")
		v = v + 0
	} else if (key == "backends") {
		v = squeeze(v)
		if (v == "")
			err("backends: empty (want a subset of: kvm bochs tcg)")
		k = split(v, b, " ")
		for (i = 1; i <= k; i++)
			if (!(b[i] in okbackend))
				err("backends: unknown backend '" b[i] "' (want a subset of: kvm bochs tcg)")
	} else if (key == "bochs_cpu") {
		v = squeeze(v)
		if (v !~ /^[A-Za-z0-9_]+( [A-Za-z0-9_]+)*$/)
			err("bochs_cpu: want Bochs CPU model names, got '" v "'")
	} else if (key == "groups") {
		v = squeeze(v)
		if (v !~ /^[A-Za-z0-9_ .+-]*$/)
			err("groups: want space-separated names of letters, digits, _ . + -")
	} else {
		v = squeeze(v)
	}
	val[cur, key] = v
}
END {
	if (failed)
		exit 2
	flush()
	for (i = 1; i <= n; i++)
		print out[i]
}
