// SPDX-License-Identifier: GPL-2.0
/*
 * The gate's certificate is rigorous, and its verdict flips exactly at
 * eps, the budget and the chi2 threshold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

/* exact-enough reference: Gaussian elimination in long double */
static void ref_solve(const long double *s, const long double *r, int n, long double *y)
{
	long double a[4][5];

	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++)
			a[i][j] = s[i * n + j];
		a[i][n] = r[i];
	}
	for (int c = 0; c < n; c++) {
		int p = c;

		for (int i = c + 1; i < n; i++)
			if (fabsl(a[i][c]) > fabsl(a[p][c]))
				p = i;
		for (int j = 0; j <= n; j++) {
			long double t = a[c][j];

			a[c][j] = a[p][j];
			a[p][j] = t;
		}
		for (int i = 0; i < n; i++) {
			if (i == c)
				continue;
			long double f = a[i][c] / a[c][c];

			for (int j = c; j <= n; j++)
				a[i][j] -= f * a[c][j];
		}
	}
	for (int i = 0; i < n; i++)
		y[i] = a[i][n] / a[i][i];
}

/* random SPD system whose max diagonal is in [2^28, 2^30): no rescaling */
static int random_system(struct tt_rng *rng, __s64 *s, __s64 *r, double dominance)
{
	int n = 2 + (int)(tt_next(rng) % 3);
	double d[4];

	for (int i = 0; i < n; i++)
		d[i] = ldexp(1.0 + tt_unif(rng), 28);	/* [2^28, 2^29) */
	for (int i = 0; i < n; i++) {
		s[i * n + i] = (__s64)d[i];
		for (int j = i + 1; j < n; j++) {
			double v = (2 * tt_unif(rng) - 1) * dominance * fmin(d[i], d[j]) / (n - 1);

			s[i * n + j] = s[j * n + i] = (__s64)v;
		}
	}
	for (int i = 0; i < n; i++)
		/* d^2 ~ k^2 * n: around the chi2 range */
		r[i] = (__s64)(tt_gauss(rng) * 2.0 * sqrt(d[i] * 4294967296.0));
	return n;
}

static long double true_d2(const __s64 *s, const __s64 *r, int n, long double *y)
{
	long double ls[16], lr[4], d2 = 0;

	for (int i = 0; i < n * n; i++)
		ls[i] = (long double)s[i];
	for (int i = 0; i < n; i++)
		lr[i] = (long double)r[i];
	ref_solve(ls, lr, n, y);
	for (int i = 0; i < n; i++)
		d2 += lr[i] * y[i];
	return d2 / 4294967296.0L;
}

static void test_certificate_rigorous(void **state)
{
	struct tt_rng rng = { 0xFEEDBEEF };
	long checked = 0, passes = 0, tight = 0;
	double worst_ratio = 0;

	(void)state;
	for (long it = 0; it < 100000; it++) {
		__s64 s[16], r[4];
		struct tm_gate_result g;
		long double y[4], num = 0, den = 0;
		int n = random_system(&rng, s, r, 0.95);
		/* stop at all sorts of places: eps 0 .. 0.02, small budgets */
		__u32 eps = (__u32)(tt_next(&rng) % 1400);
		__u32 budget = 20 + (__u32)(tt_next(&rng) % 300);
		long double d2 = true_d2(s, r, n, y);

		tm_gate_solve(s, r, (unsigned int)n, eps, budget, TMNET_GATE_CHI2_DEFAULT, &g);
		assert_int_equal(g.scale_e, 0);
		if (g.cert_q16 == TMNET_CERT_NONE)
			continue;
		for (int i = 0; i < n; i++) {
			long double yk = (long double)g.y[i] / 4294967296.0L;

			num += (y[i] - yk) * (y[i] - yk);
			den += y[i] * y[i];
		}
		{
			long double err = sqrtl(num / den);
			long double bound = (long double)g.cert_q16 / 65536.0L;

			/* the certificate bounds the true relative error */
			assert_true(err <= bound * (1 + 1e-12L) + 1e-15L);
			if (bound > 0 && err / bound > worst_ratio)
				worst_ratio = (double)(err / bound);
			if (err > bound / 4)
				tight++;
		}
		checked++;
		if (g.pass) {
			passes++;
			/* a pass proves d^2 <= chi2, and d2_q16 bounds d^2 */
			assert_true(d2 <= TMNET_GATE_CHI2_DEFAULT / 65536.0L);
			assert_true(d2 <= g.d2_q16 / 65536.0L + 1e-9L);
			assert_true(g.cert_q16 <= eps);
		} else if (g.reason == TMNET_REASON_CHI2 && g.d2_q16 != 0xffffffffU) {
			assert_true(d2 > TMNET_GATE_CHI2_DEFAULT / 65536.0L);
		}
	}
	printf("# gate: %ld certificates checked, %ld passes, true/certified error up to %.3f, "
	       "%ld within 4x of the bound\n", checked, passes, worst_ratio, tight);
	assert_true(checked > 50000);
	assert_true(passes > 1000);
}

/* run with a budget that allows exactly k sweeps */
static void solve_k(const __s64 *s, const __s64 *r, int n, __u32 eps, __u32 budget,
		    __u32 chi2, struct tm_gate_result *g)
{
	tm_gate_solve(s, r, (unsigned int)n, eps, budget, chi2, g);
}

static void test_flip_eps_budget_chi2(void **state)
{
	struct tt_rng rng = { 42 };
	int flips_eps = 0, flips_budget = 0, flips_chi2 = 0;

	(void)state;
	for (int it = 0; it < 2000; it++) {
		__s64 s[16], r[4];
		struct tm_gate_result g, h;
		int n = random_system(&rng, s, r, 0.9);

		/* a pass with generous settings */
		solve_k(s, r, n, TMNET_GATE_EPS_DEFAULT, 200000, TMNET_GATE_CHI2_MAX, &g);
		if (!g.pass || g.cert_q16 == 0)
			continue;
		/* budget: exactly what it used passes, one less does not */
		solve_k(s, r, n, TMNET_GATE_EPS_DEFAULT, g.macs, TMNET_GATE_CHI2_MAX, &h);
		assert_true(h.pass);
		solve_k(s, r, n, TMNET_GATE_EPS_DEFAULT, g.macs - 1, TMNET_GATE_CHI2_MAX, &h);
		assert_false(h.pass);
		assert_int_equal(h.reason, TMNET_REASON_BUDGET);
		flips_budget++;
		/* eps: with the same budget, eps = cert passes, cert - 1 does not */
		solve_k(s, r, n, g.cert_q16, g.macs, TMNET_GATE_CHI2_MAX, &h);
		assert_true(h.pass);
		solve_k(s, r, n, g.cert_q16 - 1, g.macs, TMNET_GATE_CHI2_MAX, &h);
		assert_false(h.pass);
		flips_eps++;
		/*
		 * chi2, with the budget of the same iterate: threshold = its d^2
		 * bound passes; one below is undecided there (or refuted), and
		 * with no budget left to iterate on it must not pass.
		 */
		if (g.d2_q16 > 1 && g.d2_q16 < TMNET_GATE_CHI2_MAX) {
			solve_k(s, r, n, TMNET_GATE_EPS_DEFAULT, g.macs, g.d2_q16, &h);
			assert_true(h.pass);
			solve_k(s, r, n, TMNET_GATE_EPS_DEFAULT, g.macs, g.d2_q16 - 1, &h);
			assert_false(h.pass);
			assert_true(h.reason == TMNET_REASON_CHI2 ||
				    h.reason == TMNET_REASON_BUDGET);
			flips_chi2++;
		}
	}
	printf("# gate flips: eps %d, budget %d, chi2 %d\n", flips_eps, flips_budget, flips_chi2);
	assert_true(flips_eps > 500 && flips_budget > 500 && flips_chi2 > 500);
}

static void test_special_cases(void **state)
{
	__s64 s[4] = { 1LL << 30, 0, 0, 1LL << 30 }, r[2] = { 0, 0 };
	struct tm_gate_result g;

	(void)state;
	/* r = 0: y = 0, d^2 = 0, pass */
	tm_gate_solve(s, r, 2, 1311, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_true(g.pass);
	assert_int_equal(g.d2_q16, 0);
	/* not positive on the diagonal: cannot certify */
	s[0] = 0;
	r[0] = 1000;
	tm_gate_solve(s, r, 2, 1311, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	/* SPD but Gershgorin cannot prove it: cert */
	s[0] = 1LL << 30;
	s[1] = s[2] = (1LL << 30) - 5;
	tm_gate_solve(s, r, 2, 1311, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	/* not symmetric */
	s[1] = 5;
	s[2] = 6;
	tm_gate_solve(s, r, 2, 1311, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	/* huge correction: rejected before any sweep */
	s[1] = s[2] = 0;
	r[0] = 1LL << 50;
	tm_gate_solve(s, r, 2, 1311, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_CHI2);
	assert_int_equal(g.iters, 0);
	/* budget too small for even one check */
	r[0] = 1LL << 30;
	tm_gate_solve(s, r, 2, 0, 5, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_BUDGET);
	assert_int_equal(g.macs, 0);
}

static void test_budget_never_exceeded(void **state)
{
	struct tt_rng rng = { 11 };

	(void)state;
	for (int it = 0; it < 3000; it++) {
		__s64 s[16], r[4];
		struct tm_gate_result g;
		int n = random_system(&rng, s, r, 0.9);

		for (__u32 budget = 0; budget < 120; budget += 1 + (__u32)(tt_next(&rng) % 7)) {
			tm_gate_solve(s, r, (unsigned int)n, 0, budget, TMNET_GATE_CHI2_DEFAULT, &g);
			assert_true(g.macs <= budget);
		}
	}
}

static void test_scale_invariance(void **state)
{
	struct tt_rng rng = { 7 };

	(void)state;
	/* d^2 = r' S^-1 r is unchanged by S -> 4^k S, r -> 2^k r */
	for (int it = 0; it < 2000; it++) {
		__s64 s[16], r[4], s2[16], r2[4];
		struct tm_gate_result a, b;
		int n = random_system(&rng, s, r, 0.8);
		int k = (int)(tt_next(&rng) % 18) - 2;

		for (int i = 0; i < n * n; i++)
			s2[i] = k >= 0 ? s[i] * (1LL << (2 * k)) : s[i] / (1LL << (-2 * k));
		for (int i = 0; i < n; i++)
			r2[i] = k >= 0 ? r[i] * (1LL << k) : r[i] / (1LL << (-k));
		tm_gate_solve(s, r, (unsigned int)n, 1311, 200000, TMNET_GATE_CHI2_MAX, &a);
		tm_gate_solve(s2, r2, (unsigned int)n, 1311, 200000, TMNET_GATE_CHI2_MAX, &b);
		if (!a.pass || !b.pass)
			continue;
		/* equal up to the rounding of the rescaled inputs and eps */
		assert_true(fabs((double)a.d2_q16 - b.d2_q16) <= 0.05 * a.d2_q16 + 64);
	}
}

struct gate_vec {
	int n;
	__s64 s[16];
	__s64 r[4];
	__u32 eps, budget, chi2;
	int expect_pass, expect_reason;
	__u32 d2;
};

static const struct gate_vec gate_vectors[] = {
#include "../vectors/gate.inc"
};

static void test_gate_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(gate_vectors) / sizeof(gate_vectors[0]); i++) {
		const struct gate_vec *v = &gate_vectors[i];
		struct tm_gate_result g;

		tm_gate_solve(v->s, v->r, (unsigned int)v->n, v->eps, v->budget, v->chi2, &g);
		if ((int)g.pass != v->expect_pass || (int)g.reason != v->expect_reason)
			fail_msg("vector %zu: pass %u reason %u, want %d/%d (d2 %u vs %u)",
				 i, g.pass, g.reason, v->expect_pass, v->expect_reason,
				 g.d2_q16, v->d2);
		if (g.pass)
			assert_true(g.d2_q16 >= v->d2);	/* an upper bound */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_special_cases),
		cmocka_unit_test(test_budget_never_exceeded),
		cmocka_unit_test(test_certificate_rigorous),
		cmocka_unit_test(test_flip_eps_budget_chi2),
		cmocka_unit_test(test_scale_invariance),
		cmocka_unit_test(test_gate_vectors),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
