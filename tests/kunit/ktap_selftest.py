#!/usr/bin/env python3
"""Self-test of tests/kunit/ktap.py on synthetic kernel logs: failures in a
case, in one parameter, a skipped case, a missing suite, a splat and a
kmemleak report must all be caught, and a clean log must pass.  Prints TAP."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

CLEAN = """\
[    1.000000] KTAP version 1
[    1.000000] 1..0
[    5.000001] KTAP version 1
[    5.000002] 1..2
[    5.000003]     KTAP version 1
[    5.000004]     # Subtest: s_one
[    5.000005]     1..2
[    5.000006]         KTAP version 1
[    5.000007]         # Subtest: c_param
[    5.000008]         ok 1 x=1
[    5.000009]         ok 2 x=2
[    5.000010]     # c_param: pass:2 fail:0 skip:0 total:2
[    5.000011]     ok 1 c_param
[    5.000012]     ok 2 c_plain
[    5.000013] # s_one: pass:2 fail:0 skip:0 total:2
[    5.000014] ok 1 s_one
[    5.000015]     KTAP version 1
[    5.000016]     # Subtest: s_two
[    5.000017]     1..1
[    5.000018]     ok 1 c_skip # SKIP not here
[    5.000019] ok 2 s_two
"""

BROKEN = CLEAN.replace("        ok 2 x=2", "        not ok 2 x=2").replace(
    "    ok 2 c_plain", "    # c_plain: EXPECTATION FAILED at x.c:1\n    not ok 2 c_plain")


def run(log, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(log)
        path = f.name
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, "ktap.py"), *args, path],
                           capture_output=True, text=True)
    finally:
        os.unlink(path)
    lines = p.stdout.splitlines()
    ok = sum(1 for x in lines if x.startswith("ok "))
    bad = sum(1 for x in lines if x.startswith("not ok "))
    return p.returncode, ok, bad, p.stdout


def main():
    n = 0
    failed = 0

    def check(cond, desc, out=""):
        nonlocal n, failed
        n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
        if not cond:
            failed += 1
            for x in out.splitlines():
                print("#   " + x)

    rc, ok, bad, out = run(CLEAN, "--expect", "s_one,s_two")
    check(rc == 0 and ok == 3 and bad == 0, "clean log: 3 cases pass (one skipped)", out)
    check("(leaf results 4)" in out, "clean log: 4 leaf results counted", out)
    check("# SKIP" in out, "skipped case reported as SKIP", out)

    rc, ok, bad, out = run(BROKEN)
    check(rc == 1 and bad == 2, "a failing parameter and a failing case fail", out)
    check("failing parameter: x=2" in out, "the failing parameter is named", out)

    rc, ok, bad, out = run(CLEAN, "--expect", "s_one,s_two,s_three")
    check(rc == 1 and "s_three reported no result" in out, "a missing suite fails", out)

    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write("[ 3.0] BUG: KASAN: slab-use-after-free in foo+0x1/0x2\n")
        splat = f.name
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("unreferenced object 0xffff888000000000 (size 64):\n")
        leak = f.name
    try:
        rc, ok, bad, out = run(CLEAN, "--splat-log", splat)
        check(rc == 1 and "KASAN" in out, "a KASAN splat fails", out)
        rc, ok, bad, out = run(CLEAN, "--kmemleak", leak)
        check(rc == 1 and "1 suspected" in out, "a kmemleak report fails", out)
        rc, ok, bad, out = run(CLEAN, "--leaves-from-kunit-py", "5")
        check(rc == 1, "a count that differs from kunit.py fails", out)
    finally:
        os.unlink(splat)
        os.unlink(leak)

    rc, ok, bad, out = run("", "--expect", "s_one")
    check(rc == 1 and bad == 1, "an empty log with an expected suite fails", out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
