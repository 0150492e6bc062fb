// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the exact 2x2 chi-square gate, on the host tests' vectors
 * (tests/vectors/gate_2x2.inc: d2_q16 = ceil(2^16 r' S^-1 r) from exact
 * rationals by tests/kunit/gen_vectors.py, thresholds at and one below
 * d2_q16, every fallback, saturated and ill-conditioned S).
 */
#include <linux/kernel.h>
#include "tmnet_kunit.h"

struct gate_case {
	s64 s[3];
	s32 r[2];
	u32 budget, chi2;
	int expect_pass, expect_reason;
	u32 d2;
	u32 macs;
};

static const struct gate_case gate_cases[] = {
#include "gate_2x2.inc"
};

static void gate_case_desc(const struct gate_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "chi2_q16=%u d2_q16=%u budget=%u",
		 c->chi2, c->d2, c->budget);
}

KUNIT_ARRAY_PARAM(gate, gate_cases, gate_case_desc);

static void tm_gate_vectors(struct kunit *test)
{
	const struct gate_case *c = test->param_value;
	struct tm_gate_result g;

	tm_gate_2x2(c->s, c->r, c->budget, c->chi2, &g);
	KUNIT_EXPECT_EQ(test, (int)g.pass, c->expect_pass);
	KUNIT_EXPECT_EQ(test, (int)g.reason, c->expect_reason);
	/* exact: the same d^2 as the rationals, bit for bit */
	KUNIT_EXPECT_EQ(test, g.d2_q16, c->d2);
	KUNIT_EXPECT_EQ(test, g.macs, c->macs);
	KUNIT_EXPECT_LE(test, g.macs, (u32)TM_GATE_MACS_MAX);
	if (g.pass)
		KUNIT_EXPECT_EQ(test, g.cert_q16, 0U);
}

/* the verdict flips exactly at chi2 = d2_q16 and at the fixed cost */
static void tm_gate_flip(struct kunit *test)
{
	unsigned int k, n = 0;

	for (k = 0; k < ARRAY_SIZE(gate_cases); k++) {
		const struct gate_case *c = &gate_cases[k];
		struct tm_gate_result g;

		if (c->macs != TM_GATE_MACS_2X2 || c->d2 == 0 || c->d2 > TMNET_GATE_CHI2_MAX)
			continue;
		tm_gate_2x2(c->s, c->r, TM_GATE_MACS_2X2, c->d2, &g);
		KUNIT_EXPECT_EQ(test, g.pass, 1U);
		tm_gate_2x2(c->s, c->r, TM_GATE_MACS_2X2, c->d2 - 1, &g);
		KUNIT_EXPECT_EQ(test, g.pass, 0U);
		KUNIT_EXPECT_EQ(test, g.reason, (u32)TMNET_REASON_CHI2);
		tm_gate_2x2(c->s, c->r, TM_GATE_MACS_2X2 - 1, c->d2, &g);
		KUNIT_EXPECT_EQ(test, g.reason, (u32)TMNET_REASON_BUDGET);
		KUNIT_EXPECT_EQ(test, g.macs, 0U);
		n++;
	}
	KUNIT_EXPECT_GT(test, n, 20U);
}

static struct kunit_case tmnet_gate_cases[] = {
	KUNIT_CASE_PARAM(tm_gate_vectors, gate_gen_params),
	KUNIT_CASE(tm_gate_flip),
	{}
};

static struct kunit_suite tmnet_gate_suite = {
	.name = "tmnet_core_gate",
	.test_cases = tmnet_gate_cases,
};

kunit_test_suites(&tmnet_gate_suite);
