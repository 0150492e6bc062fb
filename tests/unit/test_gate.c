// SPDX-License-Identifier: GPL-2.0
/*
 * The exact 2x2 gate: d2_q16 is exactly ceil(d^2 2^16) for every S the
 * pipeline can build (any s64 entries, any s32 correction), the verdict
 * flips exactly at the chi2 threshold and at the fixed cost in the budget,
 * and the work is the same constant for every input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

/*
 * An independent exact reference: signed 256-bit integers as four 64-bit
 * limbs (little-endian, two's complement), schoolbook products.  Slow and
 * simple, and shares no code with core/tm_gate.c.
 */
struct i256 {
	uint64_t w[4];
};

static struct i256 i256_from(int64_t v)
{
	struct i256 r;
	uint64_t ext = v < 0 ? ~0ULL : 0;

	r.w[0] = (uint64_t)v;
	r.w[1] = r.w[2] = r.w[3] = ext;
	return r;
}

static struct i256 i256_add(struct i256 a, struct i256 b)
{
	struct i256 r;
	unsigned __int128 c = 0;

	for (int i = 0; i < 4; i++) {
		c += (unsigned __int128)a.w[i] + b.w[i];
		r.w[i] = (uint64_t)c;
		c >>= 64;
	}
	return r;
}

static struct i256 i256_neg(struct i256 a)
{
	struct i256 one = i256_from(1);

	for (int i = 0; i < 4; i++)
		a.w[i] = ~a.w[i];
	return i256_add(a, one);
}

static int i256_sign(struct i256 a)
{
	if ((int64_t)a.w[3] < 0)
		return -1;
	return (a.w[0] | a.w[1] | a.w[2] | a.w[3]) != 0;
}

static struct i256 i256_sub(struct i256 a, struct i256 b)
{
	return i256_add(a, i256_neg(b));
}

/* a * b for |a| * |b| < 2^255 */
static struct i256 i256_mul(struct i256 a, struct i256 b)
{
	int neg = 0;
	struct i256 r = { { 0, 0, 0, 0 } };

	if (i256_sign(a) < 0) {
		a = i256_neg(a);
		neg ^= 1;
	}
	if (i256_sign(b) < 0) {
		b = i256_neg(b);
		neg ^= 1;
	}
	for (int i = 0; i < 4; i++) {
		unsigned __int128 c = 0;

		for (int j = 0; i + j < 4; j++) {
			c += (unsigned __int128)a.w[i] * b.w[j] + r.w[i + j];
			r.w[i + j] = (uint64_t)c;
			c >>= 64;
		}
	}
	return neg ? i256_neg(r) : r;
}

static int i256_cmp(struct i256 a, struct i256 b)
{
	return i256_sign(i256_sub(a, b));
}

/* N = s11 r0^2 - 2 s01 r0 r1 + s00 r1^2 and det = s00 s11 - s01^2 */
static void ref_n_det(const __s64 s[3], const __s32 r[2], struct i256 *n, struct i256 *det)
{
	struct i256 a = i256_from(s[0]), b = i256_from(s[1]), c = i256_from(s[2]);
	struct i256 x = i256_from(r[0]), y = i256_from(r[1]);

	*det = i256_sub(i256_mul(a, c), i256_mul(b, b));
	*n = i256_add(i256_mul(c, i256_mul(x, x)), i256_mul(a, i256_mul(y, y)));
	*n = i256_sub(*n, i256_mul(i256_from(2), i256_mul(b, i256_mul(x, y))));
}

/*
 * Assert that q = d2_q16 is ceil(N 2^16 / det), or saturated:
 * (q - 1) det < N 2^16 <= q det, or q = 0xffffffff and N 2^16 > (q - 1) det.
 */
static void assert_exact(const __s64 s[3], const __s32 r[2], __u32 q)
{
	struct i256 n, det, x, lo, hi;

	ref_n_det(s, r, &n, &det);
	assert_true(i256_sign(det) > 0);
	x = i256_mul(n, i256_from(65536));
	lo = i256_mul(det, i256_from((int64_t)q - 1));
	hi = i256_mul(det, i256_from((int64_t)q));
	if (q == 0) {
		assert_int_equal(i256_sign(n), 0);
		return;
	}
	assert_true(i256_cmp(lo, x) < 0);
	if (q != 0xffffffffU)
		assert_true(i256_cmp(x, hi) <= 0);
}

/* long double d^2 by Gaussian elimination with pivoting (the old reference) */
static long double ld_d2(const __s64 s[3], const __s32 r[2])
{
	long double a = s[0], b = s[1], c = s[2], x = r[0], y = r[1];
	long double y0, y1;

	if (fabsl(b) > fabsl(a)) {
		/* pivot on row 2 */
		long double f = a / b;

		y1 = (x - f * y) / (b - f * c);
		y0 = (y - c * y1) / b;
	} else {
		long double f = b / a;

		y1 = (y - f * x) / (c - f * b);
		y0 = (x - b * y1) / a;
	}
	return x * y0 + y * y1;	/* raw units: d^2 = r' s^-1 r */
}

static int64_t rnd_s64(struct tt_rng *rng, int bits)
{
	if (bits >= 63)
		return (int64_t)(tt_next(rng) >> 1);
	return (int64_t)(tt_next(rng) >> (64 - bits));
}

/*
 * A random symmetric positive definite S (Q32.32) and r (Q16.16): any
 * magnitude from 2^0 to 2^63, correlation up to 1 - 2^-40, r from tiny to
 * the full s32 range.  Returns 0 if the draw is not positive definite.
 */
static int random_system(struct tt_rng *rng, __s64 s[3], __s32 r[2])
{
	int bits = 1 + (int)(tt_next(rng) % 63);
	double rho;
	long double p, lim;

	s[0] = rnd_s64(rng, bits) | 1;
	s[2] = tt_next(rng) & 1 ? rnd_s64(rng, bits) | 1 : rnd_s64(rng, 1 + (int)(tt_next(rng) % 63)) | 1;
	/* correlation: uniform, or very close to +-1 (ill-conditioned) */
	rho = 2 * tt_unif(rng) - 1;
	if (tt_next(rng) % 3 == 0)
		rho = (tt_next(rng) & 1 ? 1 : -1) * (1 - ldexp(tt_unif(rng), -(int)(tt_next(rng) % 40)));
	lim = sqrtl((long double)s[0] * (long double)s[2]);
	p = rho * lim;
	if (p > 9.2e18L)
		p = 9.2e18L;
	if (p < -9.2e18L)
		p = -9.2e18L;
	s[1] = (__s64)p;
	if (tt_next(rng) & 1) {
		/* any s32 correction, from tiny to full range */
		r[0] = (__s32)(tt_next(rng) >> (32 + tt_next(rng) % 32));
		r[1] = (__s32)(tt_next(rng) >> (32 + tt_next(rng) % 32));
	} else {
		/* d^2 around the chi2 range: r_i ~ k sd_i (sd in Q16 = sqrt(s_ii)) */
		double k = 0.5 + 3 * tt_unif(rng);

		for (int i = 0; i < 2; i++) {
			double v = tt_gauss(rng) * k * sqrt((double)s[2 * i]);

			r[i] = (__s32)fmax(-2147483648.0, fmin(2147483647.0, v));
		}
	}
	return (__int128)s[0] * s[2] > (__int128)s[1] * s[1];
}

static void test_exact_random(void **state)
{
	struct tt_rng rng = { 0xFEEDBEEF };
	long checked = 0, passes = 0, sat = 0, ld_cmp = 0;
	double worst_ulp = 0;

	(void)state;
	for (long it = 0; it < 100000; it++) {
		__s64 s[3];
		__s32 r[2];
		struct tm_gate_result g;

		if (!random_system(&rng, s, r))
			continue;
		tm_gate_2x2(s, r, TMNET_GATE_BUDGET_DEFAULT, TMNET_GATE_CHI2_DEFAULT, &g);
		assert_int_equal(g.cert_q16, 0);
		assert_int_equal(g.macs, TM_GATE_MACS_2X2);
		assert_true(g.macs <= TM_GATE_MACS_MAX);
		assert_exact(s, r, g.d2_q16);
		/* the verdict is exactly d^2 <= chi2 */
		assert_int_equal(g.pass, g.d2_q16 <= TMNET_GATE_CHI2_DEFAULT);
		assert_int_equal(g.reason, g.pass ? TMNET_REASON_OK : TMNET_REASON_CHI2);
		passes += g.pass;
		sat += g.d2_q16 == 0xffffffffU;
		checked++;
		/* and it agrees with a long double solve where that one is good */
		{
			long double d2 = ld_d2(s, r) * 65536.0L;
			long double cond = ((long double)s[0] + s[2]) * ((long double)s[0] + s[2]) /
					   (((long double)s[0] * s[2]) - (long double)s[1] * s[1]);

			if (d2 < 4e9L && cond < 1e6L) {
				/* ceil: d2 <= q < d2 + 1, up to the long double's error */
				double ulp = (double)((long double)g.d2_q16 - d2);

				assert_true(ulp >= -1e-6 * (double)(d2 + 1));
				assert_true(ulp <= 1 + 1e-6 * (double)(d2 + 1));
				if (ulp > worst_ulp)
					worst_ulp = ulp;
				ld_cmp++;
			}
		}
	}
	printf("# gate: %ld random SPD systems exact (256-bit check), %ld pass, %ld saturated; "
	       "%ld also checked against a long double solve: d2_q16 - 2^16 d^2 in [0, %.6f]\n",
	       checked, passes, sat, ld_cmp, worst_ulp);
	assert_true(checked > 50000);
	assert_true(passes > 1000);
	assert_true(ld_cmp > 10000);
}

/* pass/fail flips exactly at chi2 = d2_q16, and at the fixed cost */
static void test_flip_chi2_budget(void **state)
{
	struct tt_rng rng = { 42 };
	int flips = 0;

	(void)state;
	for (int it = 0; it < 20000; it++) {
		__s64 s[3];
		__s32 r[2];
		struct tm_gate_result g, h;

		if (!random_system(&rng, s, r))
			continue;
		tm_gate_2x2(s, r, TM_GATE_MACS_2X2, TMNET_GATE_CHI2_MAX, &g);
		if (g.d2_q16 == 0 || g.d2_q16 > TMNET_GATE_CHI2_MAX)
			continue;
		assert_true(g.pass);
		tm_gate_2x2(s, r, TM_GATE_MACS_2X2, g.d2_q16, &h);
		assert_true(h.pass);
		assert_int_equal(h.d2_q16, g.d2_q16);
		tm_gate_2x2(s, r, TM_GATE_MACS_2X2, g.d2_q16 - 1, &h);
		assert_false(h.pass);
		assert_int_equal(h.reason, TMNET_REASON_CHI2);
		assert_int_equal(h.cert_q16, 0);
		/* one multiply-add short of the fixed cost: budget, nothing spent */
		tm_gate_2x2(s, r, TM_GATE_MACS_2X2 - 1, TMNET_GATE_CHI2_MAX, &h);
		assert_false(h.pass);
		assert_int_equal(h.reason, TMNET_REASON_BUDGET);
		assert_int_equal(h.macs, 0);
		assert_int_equal(h.cert_q16, TMNET_CERT_NONE);
		flips++;
	}
	printf("# gate: %d systems flip exactly at chi2 = d2_q16 and at budget = %d\n",
	       flips, TM_GATE_MACS_2X2);
	assert_true(flips > 2000);
}

static void test_special_cases(void **state)
{
	const __s64 big = 0x7fffffffffffffffLL;
	__s64 s[3] = { 1LL << 32, 0, 1LL << 32 };	/* identity */
	__s32 r[2] = { 0, 0 };
	struct tm_gate_result g;

	(void)state;
	/* r = 0: d^2 = 0, pass */
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_true(g.pass);
	assert_int_equal(g.d2_q16, 0);
	assert_int_equal(g.cert_q16, 0);
	/* identity, r = (3, 0) units: d^2 = 9 exactly */
	r[0] = 3 << 16;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_true(g.pass);
	assert_int_equal(g.d2_q16, 9 << 16);
	tm_gate_2x2(s, r, 200000, (9 << 16) - 1, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_CHI2);
	/* not positive on the diagonal */
	s[0] = 0;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	assert_int_equal(g.cert_q16, TMNET_CERT_NONE);
	assert_int_equal(g.macs, 0);
	s[0] = 1LL << 32;
	s[2] = -1;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	/* singular (det = 0) and indefinite */
	s[0] = s[2] = s[1] = 1LL << 32;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_false(g.pass);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	assert_int_equal(g.macs, TM_GATE_MACS_DET);
	s[1] = (1LL << 32) + 1;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	/* saturated covariance (what tm_sat_add64 gives): S = max, r = min */
	s[0] = s[2] = big;
	s[1] = big - 1;
	r[0] = -0x7fffffff - 1;
	r[1] = 0x7fffffff;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_int_equal(g.cert_q16, 0);
	assert_exact(s, r, g.d2_q16);
	s[1] = -big - 1;	/* |s01| = 2^63 > s00 = s11: not PD */
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_int_equal(g.reason, TMNET_REASON_CERT);
	/* tiny S, huge r: saturates, chi2 */
	s[0] = s[2] = 1;
	s[1] = 0;
	tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_MAX, &g);
	assert_int_equal(g.d2_q16, 0xffffffffU);
	assert_int_equal(g.reason, TMNET_REASON_CHI2);
	assert_exact(s, r, g.d2_q16);
	/* budget too small: nothing computed */
	tm_gate_2x2(s, r, 0, TMNET_GATE_CHI2_DEFAULT, &g);
	assert_int_equal(g.reason, TMNET_REASON_BUDGET);
	assert_int_equal(g.macs, 0);
}

/*
 * The case that cost the iterative gate ~16.7k sweeps: a prior whose
 * process noise has qa_xy / qa_xx = 0.9999 (S nearly singular along the
 * anti-diagonal), corrections along both diagonals.  Exact and the same
 * fixed cost.
 */
static void test_ill_conditioned(void **state)
{
	__s64 s[3] = { 1LL << 40, (__s64)((1LL << 40) * 0.9999), 1LL << 40 };
	struct tm_gate_result g;

	(void)state;
	for (int k = 0; k < 31; k++) {
		__s32 along[2] = { 1 << k, 1 << k }, across[2] = { 1 << k, -(1 << k) };

		tm_gate_2x2(s, along, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
		assert_int_equal(g.macs, TM_GATE_MACS_2X2);
		assert_exact(s, along, g.d2_q16);
		tm_gate_2x2(s, across, 200000, TMNET_GATE_CHI2_DEFAULT, &g);
		assert_int_equal(g.macs, TM_GATE_MACS_2X2);
		assert_exact(s, across, g.d2_q16);
	}
}

static void test_scale_invariance(void **state)
{
	struct tt_rng rng = { 7 };
	int n = 0;

	(void)state;
	/* d^2 = r' S^-1 r is unchanged by S -> 4^k S, r -> 2^k r: exactly */
	for (int it = 0; it < 20000; it++) {
		__s64 s[3], s2[3];
		__s32 r[2], r2[2];
		struct tm_gate_result a, b;
		int k = 1 + (int)(tt_next(&rng) % 8);

		if (!random_system(&rng, s, r))
			continue;
		if (llabs(s[0]) >= 1LL << (62 - 2 * k) || llabs(s[2]) >= 1LL << (62 - 2 * k) ||
		    llabs(s[1]) >= 1LL << (62 - 2 * k) || llabs((long long)r[0]) >= 1 << (30 - k) ||
		    llabs((long long)r[1]) >= 1 << (30 - k))
			continue;
		for (int i = 0; i < 3; i++)
			s2[i] = s[i] * (1LL << (2 * k));
		r2[0] = r[0] * (1 << k);
		r2[1] = r[1] * (1 << k);
		tm_gate_2x2(s, r, 200000, TMNET_GATE_CHI2_MAX, &a);
		tm_gate_2x2(s2, r2, 200000, TMNET_GATE_CHI2_MAX, &b);
		assert_int_equal(a.d2_q16, b.d2_q16);
		assert_int_equal(a.pass, b.pass);
		n++;
	}
	assert_true(n > 1000);
}

struct gate_vec {
	__s64 s[3];
	__s32 r[2];
	__u32 budget, chi2;
	int expect_pass, expect_reason;
	__u32 d2;
	__u32 macs;
};

static const struct gate_vec gate_vectors[] = {
#include "../vectors/gate_2x2.inc"
};

static void test_gate_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(gate_vectors) / sizeof(gate_vectors[0]); i++) {
		const struct gate_vec *v = &gate_vectors[i];
		struct tm_gate_result g;

		tm_gate_2x2(v->s, v->r, v->budget, v->chi2, &g);
		if ((int)g.pass != v->expect_pass || (int)g.reason != v->expect_reason ||
		    g.d2_q16 != v->d2 || g.macs != v->macs)
			fail_msg("vector %zu: pass %u reason %u d2 %u macs %u, want %d/%d/%u/%u",
				 i, g.pass, g.reason, g.d2_q16, g.macs, v->expect_pass,
				 v->expect_reason, v->d2, v->macs);
	}
	printf("# gate: %zu vectors from tests/kunit/gen_vectors.py match exactly\n",
	       sizeof(gate_vectors) / sizeof(gate_vectors[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_special_cases),
		cmocka_unit_test(test_ill_conditioned),
		cmocka_unit_test(test_exact_random),
		cmocka_unit_test(test_flip_chi2_budget),
		cmocka_unit_test(test_scale_invariance),
		cmocka_unit_test(test_gate_vectors),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
