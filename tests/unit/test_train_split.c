// SPDX-License-Identifier: GPL-2.0
/*
 * Split leakage: the temporal 70/15/15 split keeps a gap >= horizon between
 * parts, and no training window's loss tick has a target outside the
 * training part (the targets of the last horizon ticks are masked).
 */
#include <math.h>
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
	struct tmn_kalman k = { 1e4, 2.5e-3, 2.5e-3, 100, 200, TMNET_PRIOR_CV, 0, 1 };
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

		assert_int_equal(tmn_track_build(&d, sp.lo[part], sp.hi[part], m, TMN_EXTRA_NONE, &tr), 0);
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
	struct tmn_kalman k = { 1e4, 2.5e-3, 2.5e-3, 100, 200, TMNET_PRIOR_CV, 0, 1 };
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
	assert_int_equal(tmn_track_build(&d, sp.lo[0], sp.hi[0], m, TMN_EXTRA_NONE, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, TMNET_SYS_B, &n1), 0);
	tmn_track_free(&tr);
	/* wreck the val and test parts */
	for (size_t i = sp.hi[0]; i < d.n; i++) {
		d.s[i].x += 1000 << 16;
		d.s[i].vx = 30000 << 16;
	}
	assert_int_equal(tmn_track_build(&d, sp.lo[0], sp.hi[0], m, TMN_EXTRA_NONE, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, TMNET_SYS_B, &n2), 0);
	assert_memory_equal(&n1, &n2, sizeof(n1));
	tmn_track_free(&tr);
	free(m);
	tmn_series_free(&d);
}

/*
 * The float-only extra B inputs (--b-extra): on a noiseless straight line the
 * filter's velocity converges to the true one and the measured-minus-filtered
 * position to zero; without extra inputs the pair is zero and F stays 6.
 */
static void test_extra_features(void **state)
{
	struct tmn_series d = { 0 };
	struct tmn_kalman k = { 1e4, 2.5e-3, 2.5e-3, 100, 200, TMNET_PRIOR_CV, 0, 1 };
	struct tm_model *m = malloc(sizeof(*m));
	struct tmn_track tv, tr0, trr;
	struct tmn_norm nv, n0;
	const size_t n = 4000;
	char err[256];

	(void)state;
	assert_non_null(m);
	d.n = n;
	d.rate_hz = 2000;
	d.s = calloc(n, sizeof(*d.s));
	assert_non_null(d.s);
	for (size_t i = 0; i < n; i++) {
		d.s[i].x = (__s32)(i * 65536 / 20);	/* 100 units/s */
		d.s[i].y = -(__s32)(i * 65536 / 40);	/* -50 units/s */
		d.s[i].vx = 100 << 16;
		d.s[i].vy = -(50 << 16);
		d.s[i].flags = TMNET_SAMPLE_VALID;
		d.s[i].seq = (__u32)i;
	}
	assert_int_equal(tmn_prior_model(&k, 2000, 1000, m, err, sizeof(err)), 0);
	assert_int_equal(tmn_track_build(&d, 0, n, m, TMN_EXTRA_VEL, &tv), 0);
	assert_int_equal(tmn_track_build(&d, 0, n, m, TMN_EXTRA_NONE, &tr0), 0);
	assert_int_equal(tmn_track_build(&d, 0, n, m, TMN_EXTRA_RESID, &trr), 0);
	for (size_t i = n / 2; i < n; i++) {
		const float *fv = tv.feat + i * TMN_FEAT_N, *f0 = tr0.feat + i * TMN_FEAT_N;
		const float *fr = trr.feat + i * TMN_FEAT_N;

		assert_true(fabs(fv[6] - 100) < 0.01 && fabs(fv[7] + 50) < 0.01);
		assert_true(fabs(fr[6]) < 1e-3 && fabs(fr[7]) < 1e-3);
		assert_true(f0[6] == 0 && f0[7] == 0);
		assert_memory_equal(fv, f0, 6 * sizeof(float));
	}
	assert_int_equal(tmn_norm_fit(&tv, TMNET_SYS_B, &nv), 0);
	assert_int_equal(tmn_norm_fit(&tr0, TMNET_SYS_B, &n0), 0);
	assert_int_equal(nv.F, 8);
	assert_int_equal(nv.extra, TMN_EXTRA_VEL);
	assert_int_equal(n0.F, 6);
	assert_int_equal(n0.extra, TMN_EXTRA_NONE);
	tmn_track_free(&tv);
	tmn_track_free(&tr0);
	tmn_track_free(&trr);
	free(d.s);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_ranges),
		cmocka_unit_test(test_no_target_leak),
		cmocka_unit_test(test_norm_train_only),
		cmocka_unit_test(test_extra_features),
	};

	return cmocka_run_group_tests_name("train_split", tests, NULL, NULL);
}
