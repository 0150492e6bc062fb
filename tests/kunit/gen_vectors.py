#!/usr/bin/env python3
"""Generate tests/vectors/kunit_fixed.inc (fixed-point and CRC vectors) and
tests/vectors/gate_2x2.inc (the exact gate) for the KUnit suites
(tests/kunit/) and the host tests, computed here with Python's exact
integers and zlib, never with the core itself.

  requant   acc, mult, shift -> floor(acc * mult / 2^(31+shift) + 1/2) (ties
            towards +infinity), saturated to s32, shift in -30..31 (the
            contract of tm_requant in core/tm_core.h)
  mul_q32   a, b -> round_half_away(a * b / 2^32), saturated to s64
  isqrt     v = hi * 2^64 + lo (< 2^126) -> floor(sqrt(v)), ceil(sqrt(v))
  crc32     bytes -> zlib.crc32 (CRC-32/IEEE, same parameters as tm_crc32)
  gate_2x2  S (s00, s01, s11 Q32.32), r (Q16.16), budget, chi2_q16 ->
            pass, reason, d2_q16 = ceil(2^16 r' S^-1 r) (saturated to
            0xffffffff), multiply-adds: the contract of tm_gate_2x2 in
            core/tm_core.h, from exact rationals

Usage: python3 tests/kunit/gen_vectors.py [--check]
  --check   print TAP lines; exit 1 if a committed file differs from
            what would be generated
"""
import math
import random
import sys
import zlib

OUT = "tests/vectors/kunit_fixed.inc"
OUT_GATE = "tests/vectors/gate_2x2.inc"
S32 = (-(1 << 31), (1 << 31) - 1)
S64 = (-(1 << 63), (1 << 63) - 1)
Q16 = 1 << 16


def sat(v, lim):
    return max(lim[0], min(lim[1], v))


def rshift_round(v, sh):
    """round half away from zero of v / 2^sh"""
    if sh == 0:
        return v
    q, r = divmod(abs(v), 1 << sh)
    if 2 * r >= (1 << sh):
        q += 1
    return q if v >= 0 else -q


def rshift_round_up(v, sh):
    """round half towards +infinity of v / 2^sh (floor(v / 2^sh + 1/2))"""
    return (v + (1 << (sh - 1))) >> sh


RQ_SHIFT = (-30, 31)   # uapi TMNET_RQ_SHIFT_MIN/MAX: total shift 1..62


def requant(rnd):
    rows = []
    edge = [(7, 1 << 30, 0), (-7, 1 << 30, 0), (100, 1 << 30, -1), (1000, 0, 0),
            (1 << 20, 0x7fffffff, -30), (-(1 << 20), 0x7fffffff, -30),
            (1, 1 << 30, 0), (-1, 1 << 30, 0), (3, 1 << 30, 1), (-3, 1 << 30, 1),
            (-5, 1 << 30, 1), (5, 1 << 30, 1),
            ((1 << 31) - 1, 0x7fffffff, 31), (-(1 << 31), 0x7fffffff, 31),
            ((1 << 31) - 1, 0x7fffffff, 0), (-(1 << 31), 0x7fffffff, 0)]
    for acc, mult, shift in edge:
        rows.append((acc, mult, shift))
    while len(rows) < 96:
        acc = rnd.randrange(-(1 << 31), 1 << 31) >> rnd.randrange(0, 31)
        mult = 0 if rnd.randrange(16) == 0 else rnd.randrange(1 << 30, 1 << 31)
        # aim the result at 0..33 bits so most rows neither vanish nor saturate
        shift = (abs(acc * mult).bit_length() - 31) - rnd.randrange(0, 34)
        shift = max(RQ_SHIFT[0], min(RQ_SHIFT[1], shift))
        rows.append((acc, mult, shift))
    out = []
    for acc, mult, shift in rows:
        want = sat(rshift_round_up(acc * mult, 31 + shift), S32)
        out.append("\t{ %d, %d, %d, %d }," % (acc, mult, shift, want))
    return out


def mul_q32(rnd):
    rows = [(3 << 32, 1 << 31), (-(3 << 32), 1 << 31), (1, 1 << 31), (-1, 1 << 31),
            (S64[1], S64[1]), (S64[0], S64[1]), (S64[0], S64[0]), (0, S64[0]),
            (1 << 32, S64[0]), (-(1 << 32), S64[0] + 1)]
    while len(rows) < 64:
        a = rnd.randrange(S64[0], S64[1]) >> rnd.randrange(0, 63)
        b = rnd.randrange(S64[0], S64[1]) >> rnd.randrange(0, 63)
        rows.append((a, b))
    out = []
    for a, b in rows:
        want = sat(rshift_round(a * b, 32), S64)
        out.append("\t{ %s, %s, %s }," % (c64(a), c64(b), c64(want)))
    return out


def c64(v):
    if v == S64[0]:
        return "S64_MIN"
    return "%dLL" % v


def isqrt(rnd):
    vals = [0, 1, 2, 3, 4, 15, 16, 17, (1 << 64) - 1, 1 << 64, (1 << 126) - 1,
            ((1 << 63) - 1) ** 2, ((1 << 63) - 1) ** 2 + 1, ((1 << 63) - 1) ** 2 - 1]
    while len(vals) < 64:
        vals.append(rnd.randrange(0, 1 << 126) >> rnd.randrange(0, 126))
    out = []
    for v in vals:
        f = math.isqrt(v)
        c = f if f * f == v else f + 1
        out.append("\t{ 0x%xULL, 0x%xULL, %dULL, %dULL }," % (v >> 64, v & ((1 << 64) - 1), f, c))
    return out


def crc32(rnd):
    msgs = [b"", b"123456789", b"a", b"\x00", b"\xff" * 4, b"\x00" * 32,
            b"The quick brown fox jumps over the lazy dog"]
    while len(msgs) < 24:
        msgs.append(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 61))))
    out = []
    for m in msgs:
        lit = "".join("\\x%02x" % b for b in m)
        out.append('\t{ "%s", %d, 0x%08xU },' % (lit, len(m), zlib.crc32(m) & 0xffffffff))
    return out


# tm_gate_2x2 contract (core/tm_core.h); enum tmnet_reason in uapi/linux/tmnet.h
GATE_MACS_DET = 2
GATE_MACS_2X2 = 11
R_OK, R_CHI2, R_BUDGET, R_CERT = 0, 1, 2, 3
CHI2_DEFAULT = 603587
CHI2_MAX = 65536000
U32_MAX = (1 << 32) - 1


def gate_expect(s, r, budget, chi2):
    """(pass, reason, d2_q16, macs), exact"""
    a, b, c = s
    if budget < GATE_MACS_2X2:
        return 0, R_BUDGET, U32_MAX, 0
    if a <= 0 or c <= 0:
        return 0, R_CERT, U32_MAX, 0
    det = a * c - b * b
    if det <= 0:
        return 0, R_CERT, U32_MAX, GATE_MACS_DET
    n = c * r[0] * r[0] - 2 * b * r[0] * r[1] + a * r[1] * r[1]
    q = min(-((-n * Q16) // det), U32_MAX)      # ceil(n 2^16 / det)
    ok = 1 if q <= chi2 else 0
    return ok, (R_OK if ok else R_CHI2), q, GATE_MACS_2X2


def s64c(v):
    return "(-0x7fffffffffffffffLL - 1)" if v == S64[0] else "%dLL" % v


def s32c(v):
    return "(-0x7fffffff - 1)" if v == S32[0] else "%d" % v


def gate_2x2(rnd):
    cases = []
    big = S64[1]
    # fixed cases: identity, d^2 = 9 at and around the threshold, the
    # fallbacks, the saturated covariance, the ill-conditioned prior
    one = 1 << 32
    for chi2 in (9 * Q16, 9 * Q16 - 1, CHI2_DEFAULT):
        cases.append(((one, 0, one), (3 * Q16, 0), 200000, chi2))
    cases += [((one, 0, one), (0, 0), 200000, CHI2_DEFAULT),
              ((one, 0, one), (Q16, Q16), GATE_MACS_2X2, CHI2_DEFAULT),
              ((one, 0, one), (Q16, Q16), GATE_MACS_2X2 - 1, CHI2_DEFAULT),
              ((one, 0, one), (Q16, Q16), 1, CHI2_DEFAULT),
              ((0, 0, one), (Q16, 0), 200000, CHI2_DEFAULT),
              ((one, 0, -5), (Q16, 0), 200000, CHI2_DEFAULT),
              ((one, one, one), (Q16, 0), 200000, CHI2_DEFAULT),
              ((one, -one - 1, one), (Q16, 0), 200000, CHI2_DEFAULT),
              ((big, big - 1, big), (S32[0], S32[1]), 200000, CHI2_DEFAULT),
              ((big, big - 1, big), (S32[1], S32[1]), 200000, CHI2_MAX),
              ((big, S64[0] + 1, big), (S32[0], S32[0]), 200000, CHI2_MAX),
              ((big, S64[0], big), (S32[0], S32[0]), 200000, CHI2_MAX),
              ((big, 0, big), (S32[0], S32[0]), 200000, CHI2_MAX),
              ((1, 0, 1), (S32[0], S32[1]), 200000, CHI2_MAX),
              ((1, 0, 1), (1, 0), 200000, CHI2_MAX),
              ((3, 1, 3), (1, -1), 200000, CHI2_MAX)]
    for k in (0, 8, 16, 24, 30):
        v = 1 << 40
        cases.append(((v, v * 9999 // 10000, v), (1 << k, 1 << k), 200000, CHI2_DEFAULT))
        cases.append(((v, v * 9999 // 10000, v), (1 << k, -(1 << k)), 200000, CHI2_DEFAULT))
    # random positive definite systems of every magnitude and conditioning
    while len(cases) < 96:
        bits = rnd.randrange(1, 64)
        a = rnd.randrange(1, 1 << bits)
        c = rnd.randrange(1, 1 << rnd.choice([bits, rnd.randrange(1, 64)]))
        a, c = min(a, S64[1]), min(c, S64[1])
        lim = math.isqrt(a * c)
        if rnd.randrange(3) == 0:
            b = lim - rnd.randrange(0, 1 + lim // (1 << rnd.randrange(1, 41)))
            b = b if rnd.randrange(2) else -b
        else:
            b = rnd.randrange(-lim, lim + 1)
        b = max(S64[0], min(S64[1], b))
        r = (rnd.randrange(S32[0], S32[1] + 1) >> rnd.randrange(0, 32),
             rnd.randrange(S32[0], S32[1] + 1) >> rnd.randrange(0, 32))
        chi2 = rnd.choice([CHI2_DEFAULT, CHI2_MAX, rnd.randrange(1, CHI2_MAX + 1)])
        q = gate_expect((a, b, c), r, 200000, chi2)[2]
        if 0 < q <= CHI2_MAX and rnd.randrange(2):
            chi2 = q - rnd.randrange(2)      # exactly at the threshold, or one below
            if chi2 == 0:
                chi2 = 1
        cases.append(((a, b, c), r, 200000, chi2))
    out = ["/* Generated by tests/kunit/gen_vectors.py (exact integer arithmetic);",
           " * do not edit.  { {s00, s01, s11} Q32.32, {r0, r1} Q16.16, budget,",
           " *   chi2_q16, expect_pass, expect_reason, d2_q16, macs } */"]
    for s, r, budget, chi2 in cases:
        ok, reason, q, macs = gate_expect(s, r, budget, chi2)
        out.append("{ { %s, %s, %s }, { %s, %s }, %d, %d, %d, %d, %uU, %d }," %
                   (s64c(s[0]), s64c(s[1]), s64c(s[2]), s32c(r[0]), s32c(r[1]),
                    budget, chi2, ok, reason, q, macs))
    return "\n".join(out) + "\n"


def generate():
    rnd = random.Random(0x746d6b75)  # "tmku"
    parts = ["/* Generated by tests/kunit/gen_vectors.py (exact integer arithmetic",
             " * and zlib); do not edit.  Sections are selected by the includer",
             " * defining one of the KUNIT_VEC_* macros. */",
             "#if defined(KUNIT_VEC_REQUANT)",
             "/* { acc (s32), mult, shift, expected } */"]
    parts += requant(rnd)
    parts += ["#elif defined(KUNIT_VEC_MUL_Q32)", "/* { a, b, expected } */"]
    parts += mul_q32(rnd)
    parts += ["#elif defined(KUNIT_VEC_ISQRT)", "/* { v_hi, v_lo, floor, ceil } */"]
    parts += isqrt(rnd)
    parts += ["#elif defined(KUNIT_VEC_CRC32)", "/* { bytes, len, crc32 } */"]
    parts += crc32(rnd)
    parts += ["#else", "#error define one KUNIT_VEC_* section before including", "#endif"]
    return "\n".join(parts) + "\n"


def outputs():
    return [(OUT, generate()),
            (OUT_GATE, gate_2x2(random.Random(0x746d6761)))]  # "tmga"


def main():
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__)
        return 0
    files = outputs()
    if "--check" in sys.argv[1:]:
        # TAP for tests/run.sh
        bad = 0
        print("1..%d" % len(files))
        for i, (path, text) in enumerate(files, 1):
            try:
                with open(path) as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                bad += 1
                print("not ok %d - %s matches its generator "
                      "(run python3 tests/kunit/gen_vectors.py)" % (i, path))
            else:
                print("ok %d - %s matches its generator" % (i, path))
        return 1 if bad else 0
    for path, text in files:
        with open(path, "w") as f:
            f.write(text)
        print("wrote " + path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
