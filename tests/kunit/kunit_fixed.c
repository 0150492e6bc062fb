// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the core's fixed-point primitives, CRC-32 and activation tables.
 *
 * Table-driven: tests/vectors/kunit_fixed.inc (exact integer arithmetic
 * and zlib, see tests/kunit/gen_vectors.py) and tests/vectors/lut.inc (the
 * host tests' libm vectors, tools/gen_vectors.py), so the kernel checks the
 * same cases as the host.
 */
#include <linux/kernel.h>
#include "tmnet_kunit.h"

struct requant_case {
	s32 acc;
	s32 mult;
	s32 shift;
	s32 want;
};

static const struct requant_case requant_cases[] = {
#define KUNIT_VEC_REQUANT
#include "kunit_fixed.inc"
#undef KUNIT_VEC_REQUANT
};

static void requant_desc(const struct requant_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "acc=%d mult=%d shift=%d",
		 c->acc, c->mult, c->shift);
}

KUNIT_ARRAY_PARAM(requant, requant_cases, requant_desc);

static void tm_requant_vectors(struct kunit *test)
{
	const struct requant_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tm_requant(c->acc, c->mult, c->shift), c->want);
}

struct mul_case {
	s64 a;
	s64 b;
	s64 want;
};

static const struct mul_case mul_cases[] = {
#define KUNIT_VEC_MUL_Q32
#include "kunit_fixed.inc"
#undef KUNIT_VEC_MUL_Q32
};

static void mul_desc(const struct mul_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "a=%lld b=%lld", c->a, c->b);
}

KUNIT_ARRAY_PARAM(mul_q32, mul_cases, mul_desc);

static void tm_mul_q32_vectors(struct kunit *test)
{
	const struct mul_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tm_mul_q32(c->a, c->b), c->want);
}

struct isqrt_case {
	u64 hi;
	u64 lo;
	u64 floor;
	u64 ceil;
};

static const struct isqrt_case isqrt_cases[] = {
#define KUNIT_VEC_ISQRT
#include "kunit_fixed.inc"
#undef KUNIT_VEC_ISQRT
};

static void isqrt_desc(const struct isqrt_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "v=0x%llx%016llx", c->hi, c->lo);
}

KUNIT_ARRAY_PARAM(isqrt, isqrt_cases, isqrt_desc);

static void tm_isqrt_vectors(struct kunit *test)
{
	const struct isqrt_case *c = test->param_value;
	tm_u128 v = ((tm_u128)c->hi << 64) | c->lo;

	KUNIT_EXPECT_EQ(test, tm_isqrt_floor(v), c->floor);
	KUNIT_EXPECT_EQ(test, tm_isqrt_ceil(v), c->ceil);
}

struct crc_case {
	const char *bytes;
	u32 len;
	u32 crc;
};

static const struct crc_case crc_cases[] = {
#define KUNIT_VEC_CRC32
#include "kunit_fixed.inc"
#undef KUNIT_VEC_CRC32
};

static void crc_desc(const struct crc_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "len=%u crc=0x%08x", c->len, c->crc);
}

KUNIT_ARRAY_PARAM(crc32, crc_cases, crc_desc);

static void tm_crc32_vectors(struct kunit *test)
{
	const struct crc_case *c = test->param_value;
	u32 half = c->len / 2;

	KUNIT_EXPECT_EQ(test, tm_crc32(0, c->bytes, c->len), c->crc);
	/* incremental over two pieces equals one shot */
	KUNIT_EXPECT_EQ(test, tm_crc32(tm_crc32(0, c->bytes, half), c->bytes + half,
				       c->len - half), c->crc);
}

/* round half away from zero, symmetric, and saturation to s64 */
static void tm_shr128_rounding(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tm_sat_shr128(3, 1), 2LL);
	KUNIT_EXPECT_EQ(test, tm_sat_shr128(-3, 1), -2LL);
	KUNIT_EXPECT_EQ(test, tm_sat_shr128(5, 2), 1LL);
	KUNIT_EXPECT_EQ(test, tm_sat_shr128(-5, 2), -1LL);
	KUNIT_EXPECT_EQ(test, tm_sat_shr128(0, 200), 0LL);
	KUNIT_EXPECT_EQ(test, tm_sat_shr128((tm_s128)1 << 100, 2), S64_MAX);
	KUNIT_EXPECT_EQ(test, tm_sat_shr128(-((tm_s128)1 << 100), 2), S64_MIN);
	KUNIT_EXPECT_EQ(test, tm_sat_s32(1LL << 40), S32_MAX);
	KUNIT_EXPECT_EQ(test, tm_sat_s32(-(1LL << 40)), S32_MIN);
}

/* the 128/64 division is exact: q * d <= n < (q + 1) * d */
static void tm_udiv128_random(struct kunit *test)
{
	u64 s = 0x9e3779b97f4a7c15ULL;
	int i;

	for (i = 0; i < 2000; i++) {
		tm_u128 n = ((tm_u128)tmk_rand(&s) << 64) | tmk_rand(&s);
		u64 d = tmk_rand(&s) >> (tmk_rand(&s) % 64);
		tm_u128 q;

		n >>= tmk_rand(&s) % 128;
		if (!d)
			d = 1;
		q = tm_udiv128(n, d);
		KUNIT_ASSERT_TRUE(test, q * d <= n);
		KUNIT_ASSERT_TRUE(test, n - q * d < d);
	}
}

struct lut_case {
	s32 x_q12;
	s16 sigmoid_q15;
	s16 tanh_q15;
};

static const struct lut_case lut_cases[] = {
#include "lut.inc"
};

static void lut_desc(const struct lut_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "x_q12=%d", c->x_q12);
}

KUNIT_ARRAY_PARAM(lut, lut_cases, lut_desc);

static void tm_lut_vectors(struct kunit *test)
{
	const struct lut_case *c = test->param_value;
	u32 sat = 0;
	int s = tm_sigmoid_q15(c->x_q12, &sat);
	int t = tm_tanh_q15(c->x_q12, &sat);

	KUNIT_EXPECT_LE(test, abs(s - c->sigmoid_q15), TM_LUT_SIGMOID_MAX_ERR_Q15);
	KUNIT_EXPECT_LE(test, abs(t - c->tanh_q15), TM_LUT_TANH_MAX_ERR_Q15);
	KUNIT_EXPECT_EQ(test, sat, 0U);
}

/* every Q12 input: monotone, symmetric, clamped inputs counted */
static void tm_lut_shape(struct kunit *test)
{
	int prev_s = S32_MIN, prev_t = S32_MIN;
	u32 sat = 0;
	s32 x;

	for (x = TM_LUT_IN_MIN; x <= TM_LUT_IN_MAX; x++) {
		int s = tm_sigmoid_q15(x, &sat);
		int t = tm_tanh_q15(x, &sat);

		KUNIT_ASSERT_GE(test, s, prev_s);
		KUNIT_ASSERT_GE(test, t, prev_t);
		if (x > TM_LUT_IN_MIN) {
			KUNIT_ASSERT_LE(test, abs(t + tm_tanh_q15(-x, &sat)), 1);
			KUNIT_ASSERT_LE(test, abs(s + tm_sigmoid_q15(-x, &sat) - 32768),
					2 * TM_LUT_SIGMOID_MAX_ERR_Q15);
		}
		prev_s = s;
		prev_t = t;
	}
	KUNIT_EXPECT_EQ(test, sat, 0U);
	tm_sigmoid_q15(TM_LUT_IN_MAX + 1000, &sat);
	tm_tanh_q15(TM_LUT_IN_MIN - 1000, &sat);
	KUNIT_EXPECT_EQ(test, sat, 2U);
}

static struct kunit_case tmnet_fixed_cases[] = {
	KUNIT_CASE_PARAM(tm_requant_vectors, requant_gen_params),
	KUNIT_CASE_PARAM(tm_mul_q32_vectors, mul_q32_gen_params),
	KUNIT_CASE_PARAM(tm_isqrt_vectors, isqrt_gen_params),
	KUNIT_CASE_PARAM(tm_crc32_vectors, crc32_gen_params),
	KUNIT_CASE(tm_shr128_rounding),
	KUNIT_CASE(tm_udiv128_random),
	{}
};

static struct kunit_suite tmnet_fixed_suite = {
	.name = "tmnet_core_fixed",
	.test_cases = tmnet_fixed_cases,
};

static struct kunit_case tmnet_lut_cases[] = {
	KUNIT_CASE_PARAM(tm_lut_vectors, lut_gen_params),
	KUNIT_CASE(tm_lut_shape),
	{}
};

static struct kunit_suite tmnet_lut_suite = {
	.name = "tmnet_core_lut",
	.test_cases = tmnet_lut_cases,
};

kunit_test_suites(&tmnet_fixed_suite, &tmnet_lut_suite);
