# Split the serial log of one boot into the TAP documents of its tests
# (docs/CONTRACT.md, "Batches").  Usage:
#   awk -v dir=DIR -f scripts/tap-split.awk SERIAL_LOG
# Writes DIR/pre (the lines before the first test's start mark), DIR/doc.K
# (test K: its start mark up to the next start mark or the end mark),
# DIR/docs ("K NAME S" per test: S = 1 when it printed its SUMMARY line)
# and DIR/end (the end mark, when the boot got that far).
function flush_doc() {
	if (k)
		printf "%d %s %d\n", k, name, sum > (dir "/docs")
}
BEGIN { k = 0; out = dir "/pre"; printf "" > out; printf "" > (dir "/docs") }
{ gsub(/\r/, ""); gsub(/[\001-\010\013-\037\177]/, "") }
/^# eptest: test [^ ]+$/ {
	flush_doc()
	close(out)
	k++
	name = $4
	sum = 0
	out = dir "/doc." k
}
/^eptest: END( |$)/ { print > (dir "/end"); ended = 1; next }
ended { next }
/^eptest: SUMMARY / { sum = 1 }
{ print > out }
END { flush_doc() }
