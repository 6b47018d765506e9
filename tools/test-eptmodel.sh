#!/bin/sh
# Tests of the eptmodel tool (run by `make check` through `make eptmodel-test`).
# Usage: tools/test-eptmodel.sh [path/to/eptmodel]
# Expected values are the model's (SDM Table 28-7, 29.3.6, 29.3.7) as the
# tool must print them; every bad input must give one line on stderr,
# nothing on stdout, exit 2.
E=${1:-build/host/eptmodel}
if [ ! -x "$E" ]; then
	echo "test-eptmodel: $E: not built (make eptmodel)" >&2
	exit 2
fi
pass=0 fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; sed 's/^/    /' "$out" "$err" | head -20; }

# expect NAME PATTERN... -- ARGS: exit 0 and every fixed-string PATTERN in stdout
expect() {
	name=$1; shift
	pats=
	while [ "$1" != "--" ]; do pats="$pats
$1"; shift; done
	shift
	"$E" "$@" >"$out" 2>"$err"; rc=$?
	[ $rc -eq 0 ] || { bad "$name (exit $rc)"; return; }
	missing=$(printf '%s\n' "$pats" | while IFS= read -r p; do
		[ -z "$p" ] || grep -qF -- "$p" "$out" || echo "$p"; done)
	[ -z "$missing" ] && ok "$name" || { bad "$name: missing '$missing'"; }
}

# reject NAME ARGS...: exit 2, one stderr line starting "eptmodel: ", no stdout
reject() {
	name=$1; shift
	"$E" "$@" >"$out" 2>"$err"; rc=$?
	if [ $rc -eq 2 ] && [ ! -s "$out" ] && [ "$(wc -l <"$err")" -eq 1 ] &&
	   grep -q '^eptmodel: ' "$err"; then ok "$name"; else bad "$name (exit $rc)"; fi
}

expect "decode 0x181 names bits 0, 7, 8" \
	"bit  0  1  data read" "bit  7  1  guest linear-address field valid" \
	"bit  8  1  access to the translation of a linear address" \
	"set: bit 0 (data read), bit 7 (guest linear-address field valid), bit 8" -- decode 0x181
expect "decode marks conditional bits" \
	"only if advanced VM-exit information" "otherwise undefined" -- decode 0x200
expect "decode flags reserved bits" "bits 63:17  NOT 0" "bit 17 (reserved)" -- decode 0x20000
expect "decode bit 8 without bit 7" "note: bit 8 is set with bit 7 clear" -- decode 256
expect "trace2d 4x4: 24 references" "24 memory references (20 EPT entry reads, 4 guest entry reads)" \
	-- trace2d --guest 4 --ept 4
expect "trace2d 5x4: 29 references" "29 memory references" -- trace2d --guest 5 --ept 4
expect "trace2d 5x5: 35 references" "35 memory references" -- trace2d --guest 5 --ept 5
expect "trace2d 4x5: 29 references" "29 memory references" -- trace2d --ept 5 --guest 4
expect "trace2d pae: 14 references" "14 memory references" -- trace2d --guest pae --ept 4
expect "trace2d 32-bit: 14 references" "14 memory references" -- trace2d --guest 32 --ept 4
expect "trace2d paging off: 4 references" "4 memory references" -- trace2d --guest off --ept 4
expect "walk: write to a read/execute page" "EPT violation, exit reason 48 (step 4)" \
	"qualification 0x1aa (compare under mask 0xffffffffffffb1bf)" \
	"guest-physical address 0x200123" "guest linear address 0x400123" \
	-- walk 'guest 4; gmap 0x400000 0x200000; ept 0x200000 rx; access write 0x400123'
expect "walk: PML entries and A/D flags" "PML: 5 entries, index 511 -> 506" \
	"@ 0xe00000fd8 = 0x200000 (step 5)" "EPT PTE   @ 0xf00004000: A D" \
	"guest PAT type UC-, CR0.CD 0 -> effective UC" \
	-- walk 'eptp ad; guest 4; gmap 0x400000 0x200000 p w u a pcd; ept 0x200000; pml' \
	'access write 0x400123'
expect "walk: A/D after a violation" "may also be set (the stopped access; not specified):" \
	"EPT PTE   @ 0xf00004000: A" "every other EPT A/D flag keeps its value" \
	-- walk 'eptp ad; guest 4; gmap 0x400000 0x200000; ept 0x200000 r; access write 0x400123'
expect "walk: PML full" "page-modification log-full VM exit (exit reason 62) at step 3" \
	-- walk 'eptp ad; guest 4; gmap 0x400000 0x200000; ept 0x200000; pml index=2; access read 0x400123'
expect "walk: CR0.CD and the EPT paging-structure type" \
	"memory type of EPT paging-structure accesses: UC" "-> effective UC" \
	-- walk 'guest off cd; ept 0x5000 page=2m rw mt=wt ipat; access read 0x5008'
expect "walk: misconfiguration" "EPT misconfiguration, exit reason 49" "leaf memory type 2, 3 or 7" \
	-- walk 'ept 0x3000 mt=7; access read 0x3000'
expect "walk: guest #PF" "guest #PF, no VM exit: error code 0x7" \
	-- walk 'guest 4; gmap 0x1000 0x3000 p u a d; ept 0x3000; access write 0x1000 user'
expect "walk: supervisor shadow-stack write, EPTP bit 7, leaf R + bit 60" "outcome: translation, no VM exit" \
	-- walk 'eptp sss; guest 4; gmap 0x1000 0x3000 p a d; ept 0x3000 r sss; access write 0x1000 ss'
expect "walk: supervisor shadow-stack write, EPTP bit 7, leaf RW" "EPT violation, exit reason 48 (step 4)" \
	"qualification 0x219a" -- walk 'eptp sss; guest 4; gmap 0x1000 0x3000 p a d; ept 0x3000 rw; access write 0x1000 ss'
expect "walk: shadow-stack write to a writable guest page" "guest #PF, no VM exit: error code 0x43" \
	-- walk 'eptp sss; guest 4; gmap 0x1000 0x3000 p w a d; ept 0x3000 r sss; access write 0x1000 ss'
printf 'guest 4   # comment\ngmap 0x1000 0x3000\nept 0x3000 r\naccess fetch 0x1000\n' >"$err"
cp "$err" "$out.in"
expect "walk -f FILE" "EPT violation, exit reason 48" -- walk -f "$out.in"
expect "walk --help" "usage: eptmodel walk" "Example:" -- walk --help
expect "decode --help" "usage: eptmodel decode QUAL" -- decode --help
expect "trace2d --help" "usage: eptmodel trace2d" -- trace2d --help
expect "--help" "usage: eptmodel" -- --help
reject "no command"
reject "unknown command" frobnicate
reject "decode: no value" decode
reject "decode: not a number" decode 0x18z
reject "decode: two values" decode 1 2
reject "decode: negative" decode -1
reject "walk: no statements" walk
reject "walk: unknown statement" walk 'frob 1'
reject "walk: bad number" walk 'ept 0xzz; access read 0'
reject "walk: unknown word" walk 'ept 0x1000 rq; access read 0x1000'
reject "walk: no access" walk 'ept 0x1000'
reject "walk: guest after ept" walk 'ept 0x1000; guest 4'
reject "walk: bad level" walk 'ept-level 0x1000 6 r'
reject "walk: 1g in a 32-bit guest" walk 'guest 32; gmap 0 0 page=1g'
reject "walk: missing file" walk -f /nonexistent/eptmodel-input
reject "walk: maxphyaddr range" walk 'maxphyaddr 60'
reject "walk: pml index range" walk 'pml index=70000'
reject "trace2d: bad guest" trace2d --guest 6 --ept 4
reject "trace2d: bad ept" trace2d --guest 4 --ept 3
reject "trace2d: missing option" trace2d --guest 4
rm -f "$out.in"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
