#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Recompute `tmnet compare`'s paired statistics with numpy and SciPy.

    check_scipy.py COMPARE.json ERRORS.dat [EVAL.json COMPARE2.json]

COMPARE.json is `tmnet compare -j` and ERRORS.dat the errors.dat its --dump
wrote (per paired tick: tick, error of prior, A, B at full precision).  For
every pair (B vs A, B vs prior, A vs prior) this script recomputes, from the
per-tick errors alone and with its own code:

  - the autocorrelations it prints (numpy, biased estimator);
  - the Politis-White block length (an independent, straightforward
    implementation of Politis & White 2004 with the Patton, Politis & White
    2009 correction, on the means of groups of `stride` ticks) for x, y and
    x - y, and the block length compare uses (the largest, in ticks);
  - the Newey-West long-run variance (Bartlett kernel, that bandwidth),
    standard error, effective n, t, p and CI (numpy + scipy.stats.t);
  - the Wilcoxon signed-rank test on the means of consecutive blocks
    (scipy.stats.wilcoxon, exact or normal approximation as SciPy decides
    for <= 50 differences without ties or zeros);
  - d_z and the point estimates of the P99 and MSE ratios (numpy.quantile).

With EVAL.json (`tmnet eval -j` of A and B) and COMPARE2.json (`tmnet
compare -j` of the same models, data and split) it also checks that both
commands pair the same ticks, fewer than the model that scores most.

The bootstrap intervals are random resamples and are not recomputed; their
block length is checked.  Prints TAP.  Needs Debian's python3-numpy and
python3-scipy (run with /usr/bin/python3).
"""
import json
import math
import sys

import numpy as np
from scipy import stats

REL = 6e-6      # compare prints %.6g: rounding is up to 5e-6 relative


def flat_top(t):
    t = np.abs(t)
    return np.where(t <= 0.5, 1.0, np.where(t <= 1.0, 2.0 * (1.0 - t), 0.0))


def acov(c, k):
    return float(np.dot(c[:len(c) - k], c[k:])) / len(c)


def politis_white(x):
    """b_CB, b_SB, m_hat, M of Politis & White (2004) / PPW (2009)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    kn = max(5, math.ceil(math.sqrt(math.log10(n))))
    mmax = min(math.ceil(math.sqrt(n)) + kn, n // 2)
    crit = 2.0 * math.sqrt(math.log10(n) / n)
    bmax = math.ceil(min(3.0 * math.sqrt(n), n / 3.0))
    c = x - x.mean()
    R = np.array([acov(c, k) for k in range(mmax + 1)])
    rho = R / R[0]
    mhat = None
    for k in range(1, mmax - kn + 2):
        if np.all(np.abs(rho[k:k + kn]) < crit):
            mhat = k
            break
    if mhat is None:
        sig = np.nonzero(np.abs(rho[1:]) >= crit)[0]
        mhat = int(sig[-1]) + 1 if len(sig) else 1
    M = min(2 * mhat, mmax)
    k = np.arange(-M, M + 1)
    lam = flat_top(k / M)
    Rk = R[np.abs(k)]
    g = float(np.sum(lam * Rk))
    G = float(np.sum(lam * np.abs(k) * Rk))
    if g > 0 and G != 0:
        b_sb = (2 * G * G / (2 * g * g)) ** (1 / 3) * n ** (1 / 3)
        b_cb = (2 * G * G / (4 / 3 * g * g)) ** (1 / 3) * n ** (1 / 3)
    else:
        b_sb = b_cb = 1.0
    clamp = lambda b: min(max(b, 1.0), bmax)
    return {"b_cb": clamp(b_cb), "b_sb": clamp(b_sb), "m_hat": mhat, "M": M, "b_max": bmax}


def newey_west(d, bw):
    c = d - d.mean()
    lrv = acov(c, 0)
    k = 1
    while k < bw and k < len(d):
        lrv += 2.0 * (1.0 - k / bw) * acov(c, k)
        k += 1
    return lrv


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s%s" % ("ok" if cond else "not ok", self.n, what,
                                "" if cond or not detail else " # " + detail))

    def close(self, got, want, what, rel=REL, absol=1e-12):
        good = got is not None and want is not None and \
            abs(got - want) <= rel * max(abs(got), abs(want)) + absol
        self.ok(good, what, "compare %r, reference %r" % (got, want))


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    C = json.load(open(sys.argv[1]))
    raw = np.loadtxt(sys.argv[2], comments="#")
    err = {"prior": raw[:, 1], "A": raw[:, 2], "B": raw[:, 3]}
    n = len(raw)
    group = int(C["stride"])
    tap = Tap()
    print("1..%d" % (1 + 22 * len(C["pairs"]) + (2 if len(sys.argv) == 5 else 0)))
    tap.ok(n == C["paired_ticks"], "errors.dat has the %d paired ticks" % C["paired_ticks"])
    for p in C["pairs"]:
        name = "%s vs %s" % (p["x"], p["y"])
        x, y = err[p["x"]], err[p["y"]]
        d = x - y
        bl = p["block_length"]
        rate = round(bl["ticks"] / bl["seconds"])
        # autocorrelations
        lags = p["acf"]["lags_s"]
        for key, s in (("x", x), ("diff", d)):
            c = s - s.mean()
            want = [acov(c, int(round(l * rate))) / acov(c, 0) for l in lags]
            tap.ok(all(abs(a - b) <= 1e-6 + REL * abs(b) for a, b in zip(p["acf"][key], want)),
                   "%s: autocorrelation of %s at %s s" % (name, key, lags),
                   "compare %r, reference %r" % (p["acf"][key], want))
        # block length
        m = n // group
        best = 0.0
        for key, s in (("x", x), ("y", y), ("diff", d)):
            gm = s[:m * group].reshape(m, group).mean(axis=1)
            pw = politis_white(gm)
            if key != "y":
                tap.ok(pw["m_hat"] == bl[key]["m_hat"] and pw["M"] == bl[key]["M"],
                       "%s: Politis-White m_hat, M of %s" % (name, key),
                       "compare %d, %d; reference %d, %d" % (bl[key]["m_hat"], bl[key]["M"],
                                                            pw["m_hat"], pw["M"]))
                tap.close(bl[key]["b_cb"], pw["b_cb"], "%s: Politis-White b_CB of %s" % (name, key))
                tap.close(bl[key]["b_sb"], pw["b_sb"], "%s: Politis-White b_SB of %s" % (name, key))
            best = max(best, pw["b_cb"])
        ticks = min(max(int(math.floor(group * best + 0.5)), 1), n // 3)
        tap.ok(ticks == bl["ticks"], "%s: block length %d ticks" % (name, ticks),
               "compare %d" % bl["ticks"])
        tap.ok(p["p99_ratio"]["block"] == ticks and p["mse_ratio"]["block"] == ticks,
               "%s: the bootstrap uses that block length" % name)
        # Newey-West paired t
        t = p["paired_t_newey_west"]
        lrv = newey_west(d, float(ticks))
        mean = float(d.mean())
        sd = float(d.std(ddof=1))
        se = math.sqrt(lrv / n)
        n_eff = n * acov(d - d.mean(), 0) / lrv
        df = max(n_eff - 1, 1.0)
        tt = mean / se
        tap.close(t["lrv"], lrv, "%s: Newey-West long-run variance" % name)
        tap.close(t["se"], se, "%s: Newey-West standard error" % name)
        tap.close(t["n_eff"], n_eff, "%s: effective n" % name)
        tap.close(t["t"], tt, "%s: t" % name)
        tap.close(t["p"], float(2 * stats.t.sf(abs(tt), df)), "%s: p of t(%.1f)" % (name, df))
        q = float(stats.t.isf((1 - C["conf"]) / 2, df))
        tap.ok(abs(t["ci"][0] - (mean - q * se)) <= REL * abs(mean - q * se) + 1e-9 and
               abs(t["ci"][1] - (mean + q * se)) <= REL * abs(mean + q * se) + 1e-9,
               "%s: CI of the mean difference" % name,
               "compare %r, reference %r" % (t["ci"], [mean - q * se, mean + q * se]))
        tap.close(p["d_z"], mean / sd, "%s: d_z" % name)
        # Wilcoxon on the block means
        w = p["wilcoxon_signed_rank"]
        k = n // ticks
        bm = d[:k * ticks].reshape(k, ticks).mean(axis=1)
        ranks = stats.rankdata(np.abs(bm[bm != 0]))
        nz = bm[bm != 0]
        w_plus = float(ranks[nz > 0].sum())
        ties = len(np.unique(np.abs(nz))) < len(nz)
        exact = len(nz) <= 50 and not ties and len(nz) == len(bm)
        res = stats.wilcoxon(bm, zero_method="wilcox", correction=False,
                             method="exact" if exact else "approx")
        tap.ok(w["blocks"] == k and w["exact"] == exact,
               "%s: Wilcoxon on %d block means (%s)" % (name, k, "exact" if exact else "normal"))
        tap.close(w["w_plus"], w_plus, "%s: Wilcoxon W+" % name)
        tap.close(w["p"], float(res.pvalue), "%s: Wilcoxon p (scipy.stats.wilcoxon)" % name)
        # point estimates of the ratios
        tap.close(p["p99_ratio"]["est"], float(np.quantile(x, 0.99) / np.quantile(y, 0.99)),
                  "%s: P99 ratio" % name)
        tap.close(p["mse_ratio"]["est"], float(np.mean(x * x) / np.mean(y * y)),
                  "%s: MSE ratio" % name)
    if len(sys.argv) == 5:
        E = json.load(open(sys.argv[3]))
        C2 = json.load(open(sys.argv[4]))
        alone = [m["scored_ticks"] for m in E["models"]]
        tap.ok(E["paired_ticks"] == C2["paired_ticks"] == C2["pairs"][0]["paired_ticks"],
               "eval and compare pair the same %d ticks" % E["paired_ticks"],
               "eval %d, compare %d" % (E["paired_ticks"], C2["paired_ticks"]))
        tap.ok(E["paired_ticks"] <= min(alone) and E["paired_ticks"] < max(alone),
               "the models alone score %s ticks: the paired set is their intersection" % alone)
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
