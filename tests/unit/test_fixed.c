// SPDX-License-Identifier: GPL-2.0
/* Fixed-point primitives, CRC-32 and the activation LUTs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

static void test_shr_rounding(void **state)
{
	(void)state;
	/* round half away from zero, symmetric */
	assert_int_equal(tm_sat_shr128(3, 1), 2);	/* 1.5 -> 2 */
	assert_int_equal(tm_sat_shr128(-3, 1), -2);
	assert_int_equal(tm_sat_shr128(5, 2), 1);	/* 1.25 -> 1 */
	assert_int_equal(tm_sat_shr128(-5, 2), -1);
	assert_int_equal(tm_sat_shr128(6, 2), 2);	/* 1.5 -> 2 */
	assert_true(tm_sat_shr128((tm_s128)1 << 100, 2) == INT64_MAX);
	assert_true(tm_sat_shr128(-((tm_s128)1 << 100), 2) == INT64_MIN);
	assert_int_equal(tm_mul_q32((__s64)3 << 32, (__s64)1 << 31), (__s64)3 << 31);
	assert_int_equal(tm_sat_s32(1LL << 40), INT32_MAX);
	assert_int_equal(tm_sat_s32(-(1LL << 40)), INT32_MIN);
}

static void test_isqrt_div(void **state)
{
	struct tt_rng r = { 0x1234 };

	(void)state;
	for (int i = 0; i < 20000; i++) {
		tm_u128 v = ((tm_u128)tt_next(&r) << 60) ^ tt_next(&r);
		__u64 f, c;

		v >>= (tt_next(&r) % 64);
		f = tm_isqrt_floor(v);
		c = tm_isqrt_ceil(v);
		assert_true((tm_u128)f * f <= v);
		assert_true((tm_u128)(f + 1) * (f + 1) > v);
		assert_true((tm_u128)c * c >= v);
		assert_true(c == f || c == f + 1);
		{
			__u64 d = tt_next(&r) >> (tt_next(&r) % 63);
			tm_u128 q;

			if (!d)
				d = 1;
			q = tm_udiv128(v, d);
			assert_true(q * d <= v && v - q * d < d);
		}
	}
}

static void test_requant(void **state)
{
	(void)state;
	/* mult 2^30, shift 0 -> acc / 2, rounded half up */
	assert_int_equal(tm_requant(7, 1 << 30, 0), 4);
	assert_int_equal(tm_requant(-7, 1 << 30, 0), -3);	/* ties towards +inf */
	assert_int_equal(tm_requant(100, 1 << 30, -1), 100);
	assert_int_equal(tm_requant(1000, 0, 0), 0);
	/* huge left scaling saturates */
	assert_int_equal(tm_requant(1 << 20, 0x7fffffff, -30), INT32_MAX);
}

static void test_crc32(void **state)
{
	(void)state;
	/* the CRC-32/IEEE check value */
	assert_int_equal(tm_crc32(0, "123456789", 9), 0xCBF43926U);
	assert_int_equal(tm_crc32(0, "", 0), 0);
	/* incremental == one shot */
	assert_int_equal(tm_crc32(tm_crc32(0, "1234", 4), "56789", 5), 0xCBF43926U);
}

/* measure the LUT error over every Q12 input in the table's range */
static void lut_check(const char *name, __s16 (*f)(__s32, __u32 *), double (*ref)(double),
		      int bound_q15)
{
	double max_err = 0.0;
	__u32 sat = 0;

	for (__s32 x = TM_LUT_IN_MIN; x <= TM_LUT_IN_MAX; x++) {
		double want = ref(x / 4096.0) * 32768.0;
		double err = fabs(f(x, &sat) - want);

		if (err > max_err)
			max_err = err;
	}
	assert_int_equal(sat, 0);
	printf("# %s LUT: max |error| %.3f Q15 units = %.2e (bound %d Q15 = %.2e)\n",
	       name, max_err, max_err / 32768.0, bound_q15, bound_q15 / 32768.0);
	assert_true(max_err <= bound_q15);
	/* outside the range: clamped and counted */
	f(TM_LUT_IN_MAX + 1000, &sat);
	f(TM_LUT_IN_MIN - 1000, &sat);
	assert_int_equal(sat, 2);
}

static double sigm(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static void test_lut_sigmoid(void **state)
{
	(void)state;
	lut_check("sigmoid", tm_sigmoid_q15, sigm, TM_LUT_SIGMOID_MAX_ERR_Q15);
}

static void test_lut_tanh(void **state)
{
	(void)state;
	lut_check("tanh", tm_tanh_q15, tanh, TM_LUT_TANH_MAX_ERR_Q15);
	/* odd symmetry within one unit */
	for (__s32 x = 1; x < TM_LUT_IN_MAX; x += 37) {
		__u32 s = 0;

		assert_true(abs(tm_tanh_q15(x, &s) + tm_tanh_q15(-x, &s)) <= 1);
	}
}

/* the shared vectors (also used by the KUnit suite) */
struct lut_vec {
	__s32 x_q12;
	__s16 sigmoid_q15;	/* exact, rounded: libm */
	__s16 tanh_q15;
};

static const struct lut_vec lut_vectors[] = {
#include "../vectors/lut.inc"
};

static void test_lut_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lut_vectors) / sizeof(lut_vectors[0]); i++) {
		__u32 s = 0;
		const struct lut_vec *v = &lut_vectors[i];

		assert_true(abs(tm_sigmoid_q15(v->x_q12, &s) - v->sigmoid_q15) <=
			    TM_LUT_SIGMOID_MAX_ERR_Q15);
		assert_true(abs(tm_tanh_q15(v->x_q12, &s) - v->tanh_q15) <=
			    TM_LUT_TANH_MAX_ERR_Q15);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shr_rounding),
		cmocka_unit_test(test_isqrt_div),
		cmocka_unit_test(test_requant),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_lut_sigmoid),
		cmocka_unit_test(test_lut_tanh),
		cmocka_unit_test(test_lut_vectors),
	};

	return cmocka_run_group_tests_name("fixed", tests, NULL, NULL);
}
