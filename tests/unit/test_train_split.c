// SPDX-License-Identifier: GPL-2.0
/*
 * Split leakage: the temporal 70/15/15 split keeps a gap >= horizon between
 * parts, and no training window's loss tick has a target outside the
 * training part (the targets of the last horizon ticks are masked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_prep.h"

static void test_split_ranges(void **state)
{
	static const size_t ns[] = { 100000, 123457, 1200000, 4000001 };

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		struct tmn_split sp;
		size_t use;

		assert_int_equal(tmn_split_make(ns[k], 256, 1000, &sp), 0);
		assert_true(sp.gap >= 1000);
		assert_int_equal(sp.lo[0], 0);
		assert_int_equal(sp.hi[2], ns[k]);
		for (int i = 0; i < 2; i++) {
			assert_true(sp.hi[i] <= sp.lo[i + 1]);
			assert_true(sp.lo[i + 1] - sp.hi[i] >= 1000);
		}
		use = ns[k] - 2 * sp.gap;
		/* 70/15/15 within one tick */
		assert_true(sp.hi[0] - sp.lo[0] + 1 >= use * 70 / 100);
		assert_true((sp.hi[1] - sp.lo[1]) * 100 / use >= 14);
		assert_true((sp.hi[2] - sp.lo[2]) * 100 / use >= 14);
	}
	/* too short: refused */
	{
		struct tmn_split sp;

		assert_int_equal(tmn_split_make(5000, 256, 1000, &sp), -1);
	}
}

/* targets of a track never leave its part; masked where they would */
static void test_no_target_leak(void **state)
{
	struct tmn_gen_cfg gc;
	struct tmn_series d;
	struct tmn_kalman k = { 1e4, 2.5e-3, 2.5e-3, 100, 200 };
	struct tm_model *m = malloc(sizeof(*m));
	struct tmn_split sp;
	char err[256];
	const int H = 1000, W = 256;

	(void)state;
	tmn_gen_default(&gc);
	gc.seconds = 60;
	assert_int_equal(tmn_gen(&gc, &d, NULL), 0);
	assert_non_null(m);
	assert_int_equal(tmn_prior_model(&k, 2000, H, m, err, sizeof(err)), 0);
	assert_int_equal(tmn_split_make(d.n, W, H, &sp), 0);
	for (int part = 0; part < 3; part++) {
		struct tmn_track tr;
		size_t *starts, nw, masked_tail = 0;

		assert_int_equal(tmn_track_build(&d, sp.lo[part], sp.hi[part], m, &tr), 0);
		for (size_t i = 0; i < tr.n; i++) {
			if (!tr.ok[i])
				continue;
			/* the target tick lies inside the same part */
			assert_true(sp.lo[part] + i + H < sp.hi[part]);
			assert_true(tr.tgt[2 * i] == d.s[sp.lo[part] + i + H].x / 65536.0);
		}
		for (size_t i = tr.n - H; i < tr.n; i++)
			masked_tail += !tr.ok[i];
		assert_int_equal(masked_tail, H);
		/* windows: inside the part; every scored tick's target too */
		nw = tmn_windows(tr.n, W, 128, &starts);
		assert_true(nw > 0);
		for (size_t w = 0; w < nw; w++) {
			assert_true(starts[w] + W <= tr.n);
			for (int t = 0; t < W; t++)
				if (tr.ok[starts[w] + t])
					assert_true(sp.lo[part] + starts[w] + t + H < sp.hi[part]);
		}
		/* and the parts are separated by more than a horizon */
		if (part < 2)
			assert_true(sp.lo[part + 1] >= sp.hi[part] + H);
		free(starts);
		tmn_track_free(&tr);
	}
	free(m);
	tmn_series_free(&d);
}

/* normalisation fitted on the training part only: val data cannot move it */
static void test_norm_train_only(void **state)
{
	struct tmn_gen_cfg gc;
	struct tmn_series d;
	struct tmn_kalman k = { 1e4, 2.5e-3, 2.5e-3, 100, 200 };
	struct tm_model *m = malloc(sizeof(*m));
	struct tmn_split sp;
	struct tmn_track tr;
	struct tmn_norm n1, n2;
	char err[256];

	(void)state;
	tmn_gen_default(&gc);
	gc.seconds = 40;
	assert_int_equal(tmn_gen(&gc, &d, NULL), 0);
	assert_int_equal(tmn_prior_model(&k, 2000, 1000, m, err, sizeof(err)), 0);
	assert_int_equal(tmn_split_make(d.n, 256, 1000, &sp), 0);
	assert_int_equal(tmn_track_build(&d, sp.lo[0], sp.hi[0], m, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, TMNET_SYS_B, &n1), 0);
	tmn_track_free(&tr);
	/* wreck the val and test parts */
	for (size_t i = sp.hi[0]; i < d.n; i++) {
		d.s[i].x += 1000 << 16;
		d.s[i].vx = 30000 << 16;
	}
	assert_int_equal(tmn_track_build(&d, sp.lo[0], sp.hi[0], m, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, TMNET_SYS_B, &n2), 0);
	assert_memory_equal(&n1, &n2, sizeof(n1));
	tmn_track_free(&tr);
	free(m);
	tmn_series_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_ranges),
		cmocka_unit_test(test_no_target_leak),
		cmocka_unit_test(test_norm_train_only),
	};

	return cmocka_run_group_tests_name("train_split", tests, NULL, NULL);
}
