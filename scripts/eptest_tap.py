"""Reading eptest TAP for scripts/report and scripts/compare.

Input is either the runner's stream (`./run_tests.sh -t`: `# test: NAME
(backend[, cpu])` comments, renumbered check lines, `# NAME: SUMMARY ...`
comments) or a kernel's raw serial log (bare metal, `logs/NAME.log`:
`# eptest: test NAME` lines, `eptest: SUMMARY ...`).  The format is
docs/CONTRACT.md; README.md ("The HTML report") says how runs pair up.

A run is one (file, backend description) pair: a runner stream with three
Bochs CPU models is three runs.  Tests are keyed by their base name (the
runner's NAME@MODEL without @MODEL), checks by (check id, occurrence).
"""
import os
import re
import sys

OUTCOMES = ("fail", "todo", "xpass", "skip", "pass")

CHECK_RE = re.compile(r"^(not ok|ok)\b[ \t]*([0-9]+)?[ \t]*-?[ \t]*(.*)$")
DIRECTIVE_RE = re.compile(r"[ \t]#[ \t]*(skip|todo)\b[ \t:]*(.*)$", re.I)
TEST_RE = re.compile(r"^# test: (\S+) \((.*)\)$")
KERNEL_TEST_RE = re.compile(r"^# eptest: test (\S+)")
RUNNER_SUMMARY_RE = re.compile(r"^# (\S+): SUMMARY (.*)$")
KERNEL_SUMMARY_RE = re.compile(r"^eptest: SUMMARY (.*)$")
# `# FIELD: got ... want ...` (FIELD may carry `:MASK`) and `# flipped: FIELD`
FIELD_GOT_RE = re.compile(r"^#\s*([A-Za-z_][A-Za-z0-9_-]*)(?::0x[0-9a-fA-F]+)?:\s*got\b")
FLIPPED_RE = re.compile(r"^#\s*flipped:\s*([A-Za-z_][A-Za-z0-9_-]*)")
# a deviation entry's field in the directive: `# TODO LIST: FIELD[:MASK] (line L): ...`
# or `# TODO LIST: deviation not seen: FIELD[:MASK] (line L)`
TODO_FIELD_RE = re.compile(r"[ \t]#[ \t]*TODO[ \t]+\S+:[ \t]+(?:deviation not seen:[ \t]+)?"
                           r"([A-Za-z_][A-Za-z0-9_]*)(?::0x[0-9a-fA-F]+)?[ \t]+\(line [0-9]+\)")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class InputError(Exception):
    """Unreadable or non-TAP input: the caller prints it and exits 2."""


class Check:
    def __init__(self, test, cid, occ, outcome, line, number):
        self.test, self.id, self.occ = test, cid, occ
        self.outcome, self.line, self.number = outcome, line, number
        self.diags = []

    @property
    def key(self):
        return (self.id, self.occ)

    def fields(self):
        """Field names the diagnostics blame, in order, without repeats."""
        out = []
        m = TODO_FIELD_RE.search(self.line)
        if m:
            out.append(m.group(1))
        for d in self.diags:
            m = FIELD_GOT_RE.match(d) or FLIPPED_RE.match(d)
            if m and m.group(1) not in ("got", "want", "note") and m.group(1) not in out:
                out.append(m.group(1))
        return out

    def text(self):
        return "\n".join([self.line] + self.diags)


class Test:
    def __init__(self, run, name):
        self.run, self.name = run, name
        self.base = name.split("@", 1)[0]
        self.checks = []
        self.notes = []
        self.summary = None
        self.crashed = False
        self._occ = {}

    def add_check(self, cid, outcome, line, number):
        occ = self._occ.get(cid, 0)
        self._occ[cid] = occ + 1
        c = Check(self, cid, occ, outcome, line, number)
        self.checks.append(c)
        return c

    def counts(self):
        n = dict.fromkeys(OUTCOMES, 0)
        for c in self.checks:
            n[c.outcome] += 1
        return n

    def worst(self):
        if self.crashed:
            return "crash"
        n = self.counts()
        for o in OUTCOMES:
            if n[o]:
                return o
        return "empty"


class Run:
    def __init__(self, path, label, desc, index, file_index):
        self.path, self.label, self.desc, self.index = path, label, desc, index
        self.file_index = file_index
        self.tests = {}     # base name -> Test, in order of appearance

    @property
    def title(self):
        return "%s (%s)" % (self.label, self.desc)


def parse_check(line):
    """'ok 3 - id: words # SKIP why' -> (id, outcome, number) or None."""
    m = CHECK_RE.match(line)
    if not m:
        return None
    nok = m.group(1) == "not ok"
    number = int(m.group(2)) if m.group(2) else None
    desc = m.group(3)
    outcome = "fail" if nok else "pass"
    d = DIRECTIVE_RE.search(" " + desc)
    if d:
        desc = (" " + desc)[:d.start()].strip()
        if d.group(1).lower() == "skip":
            outcome = "skip"
        else:
            outcome = "todo" if nok else "xpass"
    head = desc.split(":", 1)[0].strip() if ":" in desc else desc
    cid = head.split()[0] if head.split() else "(unnamed %s)" % (number or "check")
    return cid, outcome, number


def parse_file(path, runs, file_index, label=None):
    """Append the runs of one file to `runs`; raise InputError when bad."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
            label = label or "stdin"
        else:
            with open(path, "rb") as f:
                raw = f.read()
    except OSError as e:
        raise InputError("cannot read %s: %s" % (path, e.strerror or e))
    text = raw.decode("utf-8", "replace")
    lines = [CONTROL_RE.sub("", l.rstrip("\r\n").replace("\r", "")) for l in text.split("\n")]
    label = label or os.path.basename(path)
    header_mode = any(TEST_RE.match(l) for l in lines)
    serial_desc = re.sub(r"\.(tap|log|txt)$", "", label)
    by_desc = {}
    test = check = None
    found = False

    def start(name, desc):
        run = by_desc.get(desc)
        if run is None:
            run = Run(path, label, desc, len(runs), file_index)
            runs.append(run)
            by_desc[desc] = run
        t = Test(run, name)
        key, n = t.base, 2
        while key in run.tests:     # the same test twice in one run
            key = "%s#%d" % (t.base, n)
            n += 1
        t.base = key
        run.tests[key] = t
        return t

    for line in lines:
        m = TEST_RE.match(line) if header_mode else None
        if m:
            test, check, found = start(m.group(1), m.group(2)), None, True
            continue
        if not header_mode:
            m = KERNEL_TEST_RE.match(line)
            if m:
                test, check, found = start(m.group(1), serial_desc), None, True
                continue
        m = RUNNER_SUMMARY_RE.match(line) if header_mode else KERNEL_SUMMARY_RE.match(line)
        if m and test is not None:
            test.summary = m.group(m.lastindex)
            check = None
            continue
        if KERNEL_SUMMARY_RE.match(line):
            check = None
            continue
        p = parse_check(line)
        if p:
            found = True
            if test is None:
                test = start(serial_desc if header_mode else "(no test)", serial_desc)
            cid, outcome, number = p
            check = test.add_check(cid, outcome, line, number)
            if line.endswith(": crashed or hung") and outcome == "fail":
                test.crashed = True
            continue
        if line.startswith("#"):
            if check is not None:
                check.diags.append(line)
            elif test is not None and not KERNEL_TEST_RE.match(line):
                test.notes.append(line)
    if not found:
        raise InputError("%s: no TAP check lines and no '# test:' line: not an eptest TAP stream or serial log" % path)


def parse_files(paths):
    runs = []
    for i, p in enumerate(paths):
        parse_file(p, runs, i)
    return runs


def baselines(runs):
    """run index -> index of the run it is compared with (or None).

    A run is compared with the earliest run of an earlier file that has the
    same backend description (the same CPU model in another file).  A run
    whose description no other file has is compared with the first run
    (so one stream's Bochs models are compared with its first model, and a
    KVM or bare-metal run with the first run given).  A run whose
    description a later file repeats is itself a baseline."""
    base = {}
    for r in runs:
        same = [o for o in runs if o.desc == r.desc and o.file_index != r.file_index]
        earlier = [o for o in same if o.index < r.index]
        if earlier:
            base[r.index] = earlier[0].index
        elif same or r.index == 0:
            base[r.index] = None
        else:
            base[r.index] = 0
    return base


def baseline_test(runs, base, run, name):
    """The test `name` of run's baseline, else of the first run that has it."""
    b = base.get(run.index)
    if b is not None and name in runs[b].tests:
        return runs[b].tests[name]
    if b is None:
        return None
    for o in runs:
        if o.index == run.index:
            return None
        if name in o.tests:
            return o.tests[name]
    return None


def test_names(runs):
    names = []
    seen = set()
    for r in runs:
        for n in r.tests:
            if n not in seen:
                seen.add(n)
                names.append(n)
    return names
