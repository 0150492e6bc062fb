#!/usr/bin/env python3
"""Turn KUnit's KTAP (from a kernel log) into TAP lines for tests/run.sh.

usage: ktap.py [--prefix P] [--expect SUITE[,SUITE...]] [--splat-log FILE]...
               [--kmemleak FILE] [--leaves-from-kunit-py N]
               [--result ok|fail DESC]... LOG

LOG is a kernel log (dmesg or serial console); "[ time]" prefixes are
stripped.  Output, one TAP line per KUnit test case (a parameterised case
counts once; its parameters are summarised in the description and a failing
parameter is named in a diagnostic):
    ok N - P/suite.case (64 params)
plus one "not ok" for every --expect suite that printed no result, one line
per --splat-log file ("no kernel splat", failing on KASAN, lockdep, BUG,
WARNING, Oops, RCU stall, hung task, UBSAN), and one for --kmemleak (no
unreferenced object).  --leaves-from-kunit-py adds a line that checks the
leaf count against the kernel's parser (tools/testing/kunit/kunit.py parse);
--result adds a line for a check the caller made.  A summary comment gives
the counts:
    # kunit P: suites S, cases C (leaf results L): passed X, failed Y, skipped Z
Exit status: 0 if everything passed, 1 otherwise, 2 on usage errors.
"""
import argparse
import re
import sys

PREFIX = re.compile(r"^(<\d+>)?\[\s*\d+\.\d+\]\s?")
RESULT = re.compile(r"^(ok|not ok) (\d+)(?: -)?\s*(.*?)(?:\s+#\s*(SKIP|TODO)\b(.*))?$")
SUBTEST = re.compile(r"^# Subtest: (\S+)")
SPLAT = re.compile(
    r"(BUG: |WARNING: |KASAN: |UBSAN: |Oops|general protection fault|"
    r"kernel BUG at|possible recursive locking|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|"
    r"rcu_preempt detected stalls|rcu: INFO: |blocked for more than|"
    r"Kernel panic|scheduling while atomic|sleeping function called from invalid context|"
    r"ODEBUG: |list_add corruption|list_del corruption|"
    r"kmemleak: \d+ new suspected memory leaks)")


def strip(line):
    line = line.rstrip("\r\n")
    return PREFIX.sub("", line, count=1)


def parse(lines):
    """Return a list of suites: {name, ok, skip, cases: [{name, ok, skip,
    params: [(ok, skip, desc)]}], diag: [lines]}"""
    suites = []
    cases, params, diag = [], [], []
    suite_name = None
    for raw in lines:
        line = strip(raw)
        body = line.lstrip(" ")
        depth = (len(line) - len(body)) // 4
        m = SUBTEST.match(body)
        if m and depth == 1:
            suite_name = m.group(1)
            cases, params, diag = [], [], []
            continue
        if "FAILED at" in body or body.startswith("Expected ") or \
                body.startswith("# ") and ("failed" in body or "Expected" in body):
            diag.append(body)
        m = RESULT.match(body)
        if not m:
            continue
        ok = m.group(1) == "ok"
        skip = m.group(4) == "SKIP"
        name = m.group(3).strip()
        if depth >= 2:
            params.append((ok, skip, name))
        elif depth == 1:
            cases.append({"name": name, "ok": ok, "skip": skip, "params": params})
            params = []
        else:
            suites.append({"name": name or suite_name, "ok": ok, "skip": skip,
                           "cases": cases, "diag": diag})
            cases, params, diag, suite_name = [], [], [], None
    return suites


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log")
    ap.add_argument("--prefix", default="kunit")
    ap.add_argument("--expect", default="")
    ap.add_argument("--splat-log", action="append", default=[])
    ap.add_argument("--kmemleak")
    ap.add_argument("--leaves-from-kunit-py", type=int)
    ap.add_argument("--result", nargs=2, action="append", default=[],
                    metavar=("ok|fail", "DESC"))
    a = ap.parse_args()
    try:
        with open(a.log, errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        # no log (the guest died early): every expected suite fails below
        print("# ktap.py: %s" % e)
        lines = []

    suites = parse(lines)
    n = 0
    failed = passed = skipped = leaves = ncases = 0

    def emit(ok, desc, directive=""):
        nonlocal n
        n += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", n, desc, directive))

    for s in suites:
        if not s["cases"]:
            # a suite that failed before its cases (init) or printed none
            emit(s["ok"], "%s/%s (no cases)" % (a.prefix, s["name"]))
            failed += not s["ok"]
            continue
        for c in s["cases"]:
            ncases += 1
            p = c["params"]
            desc = "%s/%s.%s" % (a.prefix, s["name"], c["name"])
            if p:
                desc += " (%d params)" % len(p)
                leaves += len(p)
            else:
                leaves += 1
            if c["skip"]:
                skipped += 1
                emit(True, desc, " # SKIP")
                continue
            bad = [d for ok, sk, d in p if not ok]
            ok = c["ok"] and not bad
            emit(ok, desc)
            if ok:
                passed += 1
            else:
                failed += 1
                for d in bad[:10]:
                    print("# failing parameter: %s" % d)
        if not s["ok"]:
            for d in s["diag"][:20]:
                print("#   " + d)
    found = {s["name"] for s in suites}
    for e in [x for x in a.expect.split(",") if x]:
        if e not in found:
            failed += 1
            emit(False, "%s/%s reported no result" % (a.prefix, e))
    for log in a.splat_log:
        try:
            with open(log, errors="replace") as f:
                hits = [strip(x) for x in f if SPLAT.search(x)]
        except OSError as e:
            hits = ["cannot read %s: %s" % (log, e)]
        emit(not hits, "%s: no kernel splat in %s" % (a.prefix, log.split("/")[-1]))
        failed += bool(hits)
        for h in hits[:20]:
            print("#   " + h)
    if a.kmemleak:
        try:
            with open(a.kmemleak, errors="replace") as f:
                rep = f.read()
            leaks = rep.count("unreferenced object")
        except OSError as e:
            rep, leaks = str(e), -1
        emit(leaks == 0, "%s: kmemleak found no leak (%s)" %
             (a.prefix, "%d suspected" % leaks if leaks >= 0 else "no report"))
        failed += leaks != 0
        if leaks:
            for x in rep.splitlines()[:30]:
                print("#   " + x)
    if a.leaves_from_kunit_py is not None:
        same = a.leaves_from_kunit_py == leaves
        emit(same, "%s: kunit.py parse counts the same results (%d, ktap.py %d)"
             % (a.prefix, a.leaves_from_kunit_py, leaves))
        failed += not same
    for st, desc in a.result:
        emit(st == "ok", desc)
        failed += st != "ok"
    print("# kunit %s: suites %d, cases %d (leaf results %d): passed %d, failed %d, skipped %d"
          % (a.prefix, len(suites), ncases, leaves, passed, failed, skipped))
    return 1 if failed or not suites else 0


if __name__ == "__main__":
    sys.exit(main())
