// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the certified chi-square gate, on the host tests' vectors
 * (tests/vectors/gate.inc: d^2 computed exactly with rationals by
 * tools/gen_vectors.py, kept 2 % away from the threshold).
 */
#include <linux/kernel.h>
#include "tmnet_kunit.h"

struct gate_case {
	int n;
	s64 s[16];
	s64 r[4];
	u32 eps, budget, chi2;
	int expect_pass, expect_reason;
	u32 d2;
};

static const struct gate_case gate_cases[] = {
#include "gate.inc"
};

static void gate_case_desc(const struct gate_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "n=%d chi2_q16=%u d2_q16=%u",
		 c->n, c->chi2, c->d2);
}

KUNIT_ARRAY_PARAM(gate, gate_cases, gate_case_desc);

static void tm_gate_vectors(struct kunit *test)
{
	const struct gate_case *c = test->param_value;
	struct tm_gate_result g;

	tm_gate_solve(c->s, c->r, c->n, c->eps, c->budget, c->chi2, &g);
	KUNIT_EXPECT_EQ(test, (int)g.pass, c->expect_pass);
	KUNIT_EXPECT_EQ(test, (int)g.reason, c->expect_reason);
	KUNIT_EXPECT_LE(test, g.macs, c->budget);
	if (g.pass) {
		/* a pass certifies: d^2 bound above the exact value, error <= eps */
		KUNIT_EXPECT_GE(test, g.d2_q16, c->d2);
		KUNIT_EXPECT_LE(test, g.cert_q16, c->eps);
	}
}

/* the budget is a hard limit, whatever the system */
static void tm_gate_budget_respected(struct kunit *test)
{
	static const u32 budgets[] = { 1, 7, 16, 50, 100, 1000 };
	unsigned int i, k;

	for (k = 0; k < ARRAY_SIZE(gate_cases); k++) {
		const struct gate_case *c = &gate_cases[k];

		for (i = 0; i < ARRAY_SIZE(budgets); i++) {
			struct tm_gate_result g;

			tm_gate_solve(c->s, c->r, c->n, c->eps, budgets[i], c->chi2, &g);
			KUNIT_ASSERT_LE(test, g.macs, budgets[i]);
			/* a pass is always a proof, even on a tiny budget */
			if (g.pass)
				KUNIT_ASSERT_GE(test, g.d2_q16, c->d2);
		}
	}
}

static struct kunit_case tmnet_gate_cases[] = {
	KUNIT_CASE_PARAM(tm_gate_vectors, gate_gen_params),
	KUNIT_CASE(tm_gate_budget_respected),
	{}
};

static struct kunit_suite tmnet_gate_suite = {
	.name = "tmnet_core_gate",
	.test_cases = tmnet_gate_cases,
};

kunit_test_suites(&tmnet_gate_suite);
