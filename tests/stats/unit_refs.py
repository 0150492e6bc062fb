#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The SciPy values hard-coded in tests/unit/test_stats.c (Wilcoxon tests).

Run with Debian's /usr/bin/python3 (python3-scipy 1.10); prints each value
with the name of the test that asserts it.
"""
import numpy as np
from scipy import stats

# Hollander & Wolfe (1973, p. 29), R's wilcox.test(x, y, paired = TRUE) example
x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
r = stats.wilcoxon(x, y, method="exact")
print("test_wilcoxon_exact: statistic %.1f, two-sided p %r" % (r.statistic, r.pvalue))
r = stats.wilcoxon(x, y, method="exact", alternative="greater")
print("test_wilcoxon_exact: W+ %.1f, one-sided p %r" % (r.statistic, r.pvalue))

# ties and a zero: the normal approximation, no continuity correction
d = np.array([1, 2, 2, -3, 4, -4, 4, 5, 6, -6, 7, 8, 9, 10, -11, 12, 0], dtype=float)
r = stats.wilcoxon(d, zero_method="wilcox", correction=False, method="approx")
print("test_wilcoxon_ties: statistic %.1f, z %r, p %r" % (r.statistic, r.zstatistic, r.pvalue))
