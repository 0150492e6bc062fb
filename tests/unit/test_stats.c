// SPDX-License-Identifier: GPL-2.0
/*
 * The A/B statistics (userspace/libtmnet/tmn_stats.c) against published
 * values:
 *   - Student's sleep data (Cushny & Peebles 1905, R's `sleep`):
 *     paired t.test: t = -4.0621, df = 9, p = 0.002833,
 *     95 % CI [-2.4598858, -0.7001142];
 *     two-sample t.test(var.equal = TRUE): t = -1.8608, df = 18, p = 0.07919.
 *   - Hollander & Wolfe (1973, p. 69), permeability constants (the example
 *     of R's wilcox.test): W = 35, one-sided exact p = 0.1272.
 *   - SciPy's mannwhitneyu example (males vs females): U = 17, exact
 *     two-sided p = 0.1111, asymptotic (continuity-corrected) p = 0.11135.
 *   - Hollander & Wolfe (1973, p. 29), R's paired wilcox.test example:
 *     V = 40, exact p = 0.01953 (one-sided), 0.0390625 (two-sided); the
 *     tie-corrected normal approximation on a tied sample from SciPy 1.10
 *     (tests/stats/unit_refs.py prints both).
 * The block length, the Newey-West test and the Wilcoxon test are also
 * recomputed with numpy/SciPy on the project's data by tests/stats/run.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const double sleep1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
static const double sleep2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };

static void assert_close(double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("got %.9g, want %.9g (tol %.3g)\n", got, want, tol);
		fail();
	}
}

static void test_paired_t_sleep(void **state)
{
	struct tmn_ttest r;

	(void)state;
	assert_int_equal(tmn_paired_ttest(sleep1, sleep2, 10, 0.95, &r), 0);
	assert_close(r.mean_diff, -1.58, 1e-12);
	assert_close(r.t, -4.0621, 5e-5);
	assert_close(r.df, 9, 0);
	assert_close(r.p_two, 0.002833, 5e-7);
	assert_close(r.ci_lo, -2.4598858, 5e-7);
	assert_close(r.ci_hi, -0.7001142, 5e-7);
	/* one-sided p-values split the two-sided one */
	assert_close(r.p_less, r.p_two / 2, 1e-12);
	assert_close(r.p_greater, 1 - r.p_two / 2, 1e-12);
	/* d_z = mean / sd of the differences = t / sqrt(n) */
	assert_close(r.d_z, r.t / sqrt(10.0), 1e-12);
	assert_close(r.d_z, -1.2846, 5e-5);
	/* swapping the groups flips the sign only */
	{
		struct tmn_ttest s;

		assert_int_equal(tmn_paired_ttest(sleep2, sleep1, 10, 0.95, &s), 0);
		assert_close(s.t, -r.t, 1e-12);
		assert_close(s.p_two, r.p_two, 1e-15);
	}
	/* the bare t distribution gives the same p */
	assert_close(tmn_t_p_two(-4.0621, 9), 0.002833, 5e-7);
	/* too few pairs is an error, not a number */
	assert_int_equal(tmn_paired_ttest(sleep1, sleep2, 1, 0.95, &r), -1);
}

static void test_student_t_and_cohen_d(void **state)
{
	struct tmn_ttest2 r;

	(void)state;
	assert_int_equal(tmn_student_ttest(sleep1, 10, sleep2, 10, &r), 0);
	assert_close(r.t, -1.8608, 5e-5);
	assert_close(r.df, 18, 0);
	assert_close(r.p_two, 0.07919, 5e-6);
	/* pooled Cohen's d = t * sqrt(1/n1 + 1/n2) */
	assert_close(r.d, r.t * sqrt(0.2), 1e-12);
	assert_close(tmn_cohens_d(sleep1, 10, sleep2, 10), -0.8322, 5e-5);
}

static void test_mwu_hollander_wolfe(void **state)
{
	static const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	static const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct tmn_mwu r;

	(void)state;
	assert_int_equal(tmn_mann_whitney(x, N_OF(x), y, N_OF(y), 1, &r), 0);
	assert_true(r.exact);
	assert_false(r.ties);
	assert_close(r.u_a, 35, 0);
	assert_close(r.u_b, 15, 0);
	assert_close(r.p_greater, 0.1272, 5e-5);
	assert_close(r.p_two, 2 * r.p_greater, 1e-12);
	assert_close(r.rbc, 0.4, 1e-12);
}

static void test_mwu_scipy_example(void **state)
{
	static const double males[] = { 19, 22, 16, 29, 24 };
	static const double females[] = { 20, 11, 17, 12 };
	struct tmn_mwu r;

	(void)state;
	assert_int_equal(tmn_mann_whitney(males, 5, females, 4, 1, &r), 0);
	assert_true(r.exact);
	assert_close(r.u_a, 17, 0);
	assert_close(r.p_two, 0.1111, 5e-5);
	/* exact: P(U >= 17) = 7 / 126 arrangements of C(9, 4) */
	assert_close(r.p_greater, 7.0 / 126.0, 1e-12);
	assert_int_equal(tmn_mann_whitney(males, 5, females, 4, 0, &r), 0);
	assert_false(r.exact);
	assert_close(r.p_two, 0.11135, 5e-6);
}

static void test_mwu_ties_symmetry(void **state)
{
	static const double a[] = { 1, 2, 2, 3, 4, 4, 4, 7, 9, 9 };
	static const double b[] = { 2, 3, 3, 5, 6, 6, 8, 9, 10, 11, 12 };
	struct tmn_mwu r, s;
	double sum = 0;

	(void)state;
	assert_int_equal(tmn_mann_whitney(a, N_OF(a), b, N_OF(b), 1, &r), 0);
	assert_true(r.ties);
	assert_false(r.exact);		/* ties force the normal approximation */
	assert_int_equal(tmn_mann_whitney(b, N_OF(b), a, N_OF(a), 1, &s), 0);
	assert_close(r.u_a, s.u_b, 1e-12);
	assert_close(r.p_two, s.p_two, 1e-12);
	assert_close(r.rbc, -s.rbc, 1e-12);
	/* U from its definition: pairs with a > b plus half the ties */
	for (size_t i = 0; i < N_OF(a); i++)
		for (size_t j = 0; j < N_OF(b); j++)
			sum += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	assert_close(r.u_a, sum, 1e-12);
	assert_true(r.p_two > 0 && r.p_two <= 1);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_quantiles(void **state)
{
	static const double q[] = { 0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1 };
	double one_to_ten[10];
	struct tt_rng rng = { 77 };
	const size_t n = 4099;
	double *x = malloc(n * sizeof(*x)), *s = malloc(n * sizeof(*s));

	(void)state;
	assert_non_null(x);
	assert_non_null(s);
	for (int i = 0; i < 10; i++)
		one_to_ten[i] = i + 1;
	/* R: quantile(1:10, c(0.5, 0.99)) = 5.5, 9.91 (type 7) */
	assert_close(tmn_quantile_sorted(one_to_ten, 10, 0.5), 5.5, 1e-12);
	assert_close(tmn_quantile_sorted(one_to_ten, 10, 0.99), 9.91, 1e-12);
	for (size_t i = 0; i < n; i++)
		s[i] = floor(tt_unif(&rng) * 500);	/* many ties */
	qsort(s, n, sizeof(*s), cmp_d);
	for (size_t k = 0; k < N_OF(q); k++) {
		/* selection on a shuffled copy equals interpolation on the sorted one */
		struct tt_rng r2 = { 5 + k };

		memcpy(x, s, n * sizeof(*x));
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = tt_next(&r2) % (i + 1);
			double t = x[i];

			x[i] = x[j];
			x[j] = t;
		}
		assert_close(tmn_quantile_inplace(x, n, q[k]), tmn_quantile_sorted(s, n, q[k]), 0);
	}
	free(x);
	free(s);
}

static void test_bootstrap(void **state)
{
	const size_t n = 2000;
	double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	struct tt_rng rng = { 1234 };
	struct tmn_boot m, m2, r;
	double q99 = 0.99, se;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		/* Box-Muller: N(0, 1) */
		double u1 = tt_unif(&rng) + 1e-12, u2 = tt_unif(&rng);

		a[i] = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		b[i] = 0.5 * (a[i] + 10);
	}
	/* iid bootstrap of the mean: se close to sd / sqrt(n) */
	assert_int_equal(tmn_boot_one(a, n, 1, 2000, 0.95, 42, tmn_stat_mean, NULL, &m), 0);
	se = tmn_sd(a, n) / sqrt((double)n);
	assert_close(m.est, tmn_mean(a, n), 1e-12);
	assert_true(m.lo < m.est && m.est < m.hi);
	assert_close(m.se / se, 1, 0.1);
	assert_close((m.hi - m.lo) / (2 * 1.959964 * se), 1, 0.12);
	/* deterministic for a given seed */
	assert_int_equal(tmn_boot_one(a, n, 1, 2000, 0.95, 42, tmn_stat_mean, NULL, &m2), 0);
	assert_true(m.lo == m2.lo && m.hi == m2.hi);
	/* paired ratio: a + 10 over b = 2 exactly in every resample */
	for (size_t i = 0; i < n; i++)
		a[i] += 10;
	assert_int_equal(tmn_boot_ratio(a, b, n, 50, 500, 0.95, 7, tmn_stat_quantile, &q99, &r), 0);
	assert_close(r.est, 2, 1e-12);
	assert_close(r.lo, 2, 1e-12);
	assert_close(r.hi, 2, 1e-12);
	assert_int_equal((int)r.block, 50);
	/* bad arguments are refused */
	assert_int_equal(tmn_boot_ratio(a, NULL, n, 1, 500, 0.95, 7, tmn_stat_mean, NULL, &r), -1);
	assert_int_equal(tmn_boot_one(a, n, 1, 5, 0.95, 7, tmn_stat_mean, NULL, &r), -1);
	free(a);
	free(b);
}

static void test_autocorr(void **state)
{
	double x[1000];

	(void)state;
	for (int i = 0; i < 1000; i++)
		x[i] = i % 2 ? 1 : -1;
	/* alternating sequence: lag 1 = -(n-1)/n, lag 2 = (n-2)/n */
	assert_close(tmn_autocorr(x, 1000, 1), -0.999, 1e-12);
	assert_close(tmn_autocorr(x, 1000, 2), 0.998, 1e-12);
}

/* the Bartlett long-run variance of 1, 2, 3, 4 by hand: R = 1.25, 0.3125, -0.375 */
static void test_lrv_bartlett(void **state)
{
	static const double x[] = { 1, 2, 3, 4 };

	(void)state;
	assert_close(tmn_lrv_bartlett(x, 4, 1), 1.25, 1e-15);
	assert_close(tmn_lrv_bartlett(x, 4, 2), 1.25 + 0.3125, 1e-15);
	assert_close(tmn_lrv_bartlett(x, 4, 3), 1.25 + 2 * 2.0 / 3 * 0.3125 - 2 * 1.0 / 3 * 0.375,
		     1e-15);
	assert_true(isnan(tmn_lrv_bartlett(x, 4, 0)));
	assert_true(isnan(tmn_lrv_bartlett(x, 1, 2)));
}

/* bandwidth 1 is the iid case: the paired t up to the biased variance */
static void test_hac_ttest(void **state)
{
	struct tmn_hac h;
	struct tmn_ttest t;
	const size_t n = 4000;
	double *a = malloc(n * sizeof(*a)), *b = calloc(n, sizeof(*b)), e = 0;
	struct tt_rng rng = { 99 };

	(void)state;
	assert_int_equal(tmn_hac_ttest(sleep1, sleep2, 10, 1, 0.95, &h), 0);
	assert_int_equal(tmn_paired_ttest(sleep1, sleep2, 10, 0.95, &t), 0);
	assert_close(h.mean_diff, t.mean_diff, 1e-12);
	assert_close(h.n_eff, 10, 1e-12);
	assert_close(h.df, 9, 1e-12);
	assert_close(h.t, t.t * sqrt(10.0 / 9.0), 1e-9);
	assert_close(h.se_iid, t.sd_diff / sqrt(10.0), 1e-12);
	assert_close(h.d_z, t.d_z, 1e-12);
	/* AR(1) with rho 0.8: long-run variance (1 + rho) / (1 - rho) = 9 R(0) */
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		e = 0.8 * e + tt_gauss(&rng);
		a[i] = e;
	}
	assert_int_equal(tmn_hac_ttest(a, b, n, 60, 0.95, &h), 0);
	assert_true(h.n_eff > n / 9.0 * 0.6 && h.n_eff < n / 9.0 * 1.5);
	assert_true(h.se > 2 * h.se_iid);
	assert_true(h.ci_lo < h.mean_diff && h.mean_diff < h.ci_hi);
	assert_int_equal(tmn_hac_ttest(a, b, 2, 1, 0.95, &h), -1);
	free(a);
	free(b);
}

static void test_politis_white(void **state)
{
	const size_t n = 20000;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y)), e = 0;
	/* theory for AR(1): b_CB = (3/2)^(1/3) (2 rho / (1 - rho^2))^(2/3) n^(1/3) */
	const double rho = 0.9, b_th = cbrt(1.5) * pow(2 * rho / (1 - rho * rho), 2.0 / 3) * cbrt(20000.0);
	struct tt_rng rng = { 2024 };
	struct tmn_pw r, s;

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	for (size_t i = 0; i < n; i++) {
		e = rho * e + tt_gauss(&rng);
		x[i] = e;
		y[i] = 3 * e + 7;
	}
	assert_int_equal(tmn_pw_block(x, n, &r), 0);
	assert_int_equal((int)r.kn, 5);
	assert_int_equal((int)r.m_max, 142 + 5);
	assert_close(r.crit, 2 * sqrt(log10(20000.0) / 20000), 1e-15);
	assert_close(r.b_max, 425, 0);
	assert_true(r.M == 2 * r.m_hat || r.M == r.m_max);
	assert_true(r.b_cb > 0.7 * b_th && r.b_cb < 1.4 * b_th);
	/* b_SB / b_CB = (D_CB / D_SB)^(1/3) = (2/3)^(1/3) */
	assert_close(r.b_sb / r.b_cb, cbrt(2.0 / 3.0), 1e-12);
	/* invariant under an affine change of units */
	assert_int_equal(tmn_pw_block(y, n, &s), 0);
	assert_close(s.b_cb, r.b_cb, 1e-9 * r.b_cb);
	assert_int_equal((int)s.m_hat, (int)r.m_hat);
	/* white noise: m_hat within the first lags, a short block */
	for (size_t i = 0; i < n; i++)
		x[i] = tt_gauss(&rng);
	assert_int_equal(tmn_pw_block(x, n, &r), 0);
	assert_true(r.m_hat <= 3);
	assert_true(r.b_cb < 10);
	/* a constant series needs no block; too short is an error */
	for (size_t i = 0; i < n; i++)
		x[i] = 5;
	assert_int_equal(tmn_pw_block(x, n, &r), 0);
	assert_close(r.b_cb, 1, 0);
	assert_int_equal(tmn_pw_block(x, 7, &r), -1);
	free(x);
	free(y);
}

static void test_wilcoxon_exact(void **state)
{
	static const double x[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 };
	static const double y[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 };
	double d[9], nd[9];
	struct tmn_wsr r, s;

	(void)state;
	for (int i = 0; i < 9; i++) {
		d[i] = x[i] - y[i];
		nd[i] = -d[i];
	}
	assert_int_equal(tmn_wilcoxon(d, 9, 1, &r), 0);
	assert_true(r.exact);
	assert_close(r.w_plus, 40, 0);
	assert_close(r.w_minus, 5, 0);
	assert_close(r.p_two, 0.0390625, 1e-15);	/* 20 of 2^9 sign patterns */
	assert_close(r.rbc, 35.0 / 45.0, 1e-15);
	assert_int_equal(tmn_wilcoxon(nd, 9, 1, &s), 0);
	assert_close(s.p_two, r.p_two, 1e-15);
	assert_close(s.rbc, -r.rbc, 1e-15);
	/* all differences zero: no test */
	memset(d, 0, sizeof(d));
	assert_int_equal(tmn_wilcoxon(d, 9, 1, &r), -1);
}

static void test_wilcoxon_ties(void **state)
{
	static const double d[] = { 1, 2, 2, -3, 4, -4, 4, 5, 6, -6, 7, 8, 9, 10, -11, 12, 0 };
	struct tmn_wsr r;

	(void)state;
	assert_int_equal(tmn_wilcoxon(d, N_OF(d), 1, &r), 0);
	assert_false(r.exact);		/* ties and a zero: the normal approximation */
	assert_true(r.ties);
	assert_int_equal((int)r.n, 16);
	assert_close(fmin(r.w_plus, r.w_minus), 34.5, 0);
	assert_close(r.w_plus + r.w_minus, 16 * 17 / 2, 0);
	assert_close(r.z, -1.7339832535649446, 1e-12);	/* SciPy 1.10 */
	assert_close(r.p_two, 0.0829210545604162, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paired_t_sleep),
		cmocka_unit_test(test_student_t_and_cohen_d),
		cmocka_unit_test(test_mwu_hollander_wolfe),
		cmocka_unit_test(test_mwu_scipy_example),
		cmocka_unit_test(test_mwu_ties_symmetry),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_autocorr),
		cmocka_unit_test(test_lrv_bartlett),
		cmocka_unit_test(test_hac_ttest),
		cmocka_unit_test(test_politis_white),
		cmocka_unit_test(test_wilcoxon_exact),
		cmocka_unit_test(test_wilcoxon_ties),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
