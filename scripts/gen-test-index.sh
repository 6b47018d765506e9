#!/bin/sh
# The test index the runner batches by (docs/CONTRACT.md): one line per
# kernel,
#   <kernel> <all-kernel> <TEST name>...
# paths relative to build/.  <all-kernel> links the TEST() entries of
# every kernel listed with it, so one boot of it runs any of them.  The
# names are read from the preprocessed source, so a name given by a macro
# or a test that includes another's source counts as the compiler sees it;
# adjacent string literals ("ept_" #kind) are joined.
# Usage: CPP='cc -E flags' scripts/gen-test-index.sh ALL-KERNEL SOURCE.c...
set -eu
all=$1
shift
for src in "$@"; do
	names=$($CPP "$src" | tr '\n' ' ' |
		grep -o 'section *( *"eptest_tests" *)[^{]*{[^,]*,' |
		sed 's/.*{[[:space:]]*//; s/[[:space:]]*,$//; s/"[[:space:]]*"//g; s/^"//; s/"$//' |
		tr '\n' ' ') || true
	if [ -z "$names" ]; then
		echo "gen-test-index: $src defines no TEST()" >&2
		exit 1
	fi
	echo "${src%.c}.elf $all ${names% }"
done | awk '{
	for (i = 3; i <= NF; i++)
		if (($2, $i) in seen) {
			printf "gen-test-index: test %s is in %s and in %s\n", $i, seen[$2, $i], $1 > "/dev/stderr"
			exit 1
		} else
			seen[$2, $i] = $1
	print
}'
