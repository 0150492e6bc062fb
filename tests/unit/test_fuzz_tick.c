// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducers of bugs the tick fuzzer (tests/fuzz/fuzz_tick.c) found, as
 * plain host tests under ASan/UBSan.  Each builds a model the validator
 * accepts, runs the tick on it and checks what the fuzzer checks.
 */
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

/* tick with a valid sample (or none) and check the invariants that broke */
static void tick_checked(struct tm_state *st, const struct tm_model *m,
			 const struct tm_cfg *cfg, const struct tmnet_sample *s)
{
	struct tmnet_pred out;
	int i, j;

	tm_tick(st, m, cfg, s, &out, NULL);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			assert_true(st->kf.p[i][j] == st->kf.p[j][i]);
	if (st->kf.init)
		for (i = 0; i < 4; i++)
			assert_true(st->kf.p[i][i] >= 0);
	assert_int_equal(out.pred_x, out.prior_x);
	assert_int_equal(out.pred_y, out.prior_y);
	assert_true(st->cnt.ticks == st->cnt.samples + st->cnt.missing);
}

/*
 * Found by fuzz_tick (seed tests/fuzz/seeds-tick/b-extreme-kalman.bin):
 * the largest process noise the validator accepts (qa = 2^20 units^2/s^3)
 * with the smallest measurement noise (r = 2^-32 units^2, so the covariance
 * scale is 2^24) makes the per-tick process noise q = qa 2^24 / rate
 * saturate at INT64_MAX in tm_kf_params_init(); the next predict adds it to
 * P: a signed overflow (UBSan: core/tm_kalman.c, p[2][2] += q[2][2];
 * fixed by the saturating sums of 898dfda).
 * Either outcome is right once fixed: the validator refuses the blob
 * (E_KALMAN), or the filter runs and restarts without overflowing.
 */
static void test_kalman_q_saturates(void **state)
{
	static struct tm_model m, v;
	struct tm_blob_error err;
	struct tm_state st;
	struct tm_cfg cfg;
	unsigned char *blob;
	__u32 len;
	int t, rc;

	(void)state;
	tm_model_default_prior(&m, TMNET_DEFAULT_RATE_HZ);
	m.kalman.qa_xx = (__s64)1 << 52;
	m.kalman.qa_yy = (__s64)1 << 52;
	m.kalman.qa_xy = (__s64)1 << 52;
	m.kalman.r_x = 1;
	m.kalman.r_y = 1;
	m.kalman.p0_pos = 1;
	m.kalman.p0_vel = 1;
	blob = tt_blob(&m, &len);
	assert_non_null(blob);
	rc = tm_model_from_blob(&v, blob, len, &err);
	free(blob);
	if (rc) {
		assert_int_equal(err.code, TMNET_BLOB_E_KALMAN);
		return;
	}
	tm_cfg_from_model(&cfg, &v);
	tm_state_reset(&st);
	for (t = 0; t < 64; t++) {
		struct tmnet_sample s = {
			.x = t * 100, .y = -t * 50, .vx = 1 << 16, .vy = -(1 << 15),
			.flags = TMNET_SAMPLE_VALID, .seq = (__u32)t,
		};

		tick_checked(&st, &v, &cfg, (t % 9) < 6 ? &s : NULL);
	}
}

/*
 * Found by fuzz_tick (seed tests/fuzz/seeds-tick/prior-dropout-psd.bin):
 * the smallest measurement noise the validator accepts on one axis
 * (r_x = 2^-32 units^2, covariance scale 2^24), a 2100-tick (1.05 s)
 * dropout that grows the position variance to ~3.9 units^2 (inside the
 * documented range, 2^(29 - cs) = 32 units^2), then one valid sample: the
 * update P -= k p_a, with k in Q32 from a 31-bit reciprocal, leaves
 * p_xx = -129778012 (negative; exact: about r_x 2^24 = 2^24).  The ratio
 * r / p_xx ~ 2^-34 is below the gain's resolution (fixed in 4af8c89).
 */
static void test_kalman_update_keeps_psd(void **state)
{
	static struct tm_model m, v;
	struct tm_blob_error err;
	struct tmnet_sample s = { .flags = TMNET_SAMPLE_VALID };
	struct tm_state st;
	struct tm_cfg cfg;
	unsigned char *blob;
	__u32 len;
	int t;

	(void)state;
	tm_model_default_prior(&m, TMNET_DEFAULT_RATE_HZ);
	m.kalman.r_x = 1;			/* 2^-32 units^2 */
	m.kalman.stale_ticks = 4;
	blob = tt_blob(&m, &len);
	assert_int_equal(tm_model_from_blob(&v, blob, len, &err), 0);
	free(blob);
	tm_cfg_from_model(&cfg, &v);
	tm_state_reset(&st);
	for (t = 0; t < 4; t++)
		tick_checked(&st, &v, &cfg, &s);
	for (t = 0; t < 2100; t++)
		tick_checked(&st, &v, &cfg, NULL);
	tick_checked(&st, &v, &cfg, &s);
	assert_true(st.kf.init);
}

/*
 * Found by fuzz_tick (seed tests/fuzz/seeds-tick/prior-dropout-xy-psd.bin;
 * it remains when only the measured row is made exact, p_ia r / s): x and y
 * process noise correlated to the edge the validator allows
 * (qa_xy = sqrt(qa_xx qa_yy) - 2^-32), r_x = r_y = 2^-32 units^2, a 2101-tick
 * dropout, then one sample.  The x update leaves p_yy - p_xy^2 / s, a
 * difference of two ~2^58 numbers computed through the Q32 gain, and the y
 * update then drives p_yy negative.  The update needs P - p_a p_a' / s with
 * a relative error far below 2^-31 (fixed in 4af8c89).
 */
static void test_kalman_update_correlated_axes(void **state)
{
	static struct tm_model m, v;
	struct tm_blob_error err;
	struct tmnet_sample s = { .flags = TMNET_SAMPLE_VALID };
	struct tm_state st;
	struct tm_cfg cfg;
	unsigned char *blob;
	__u32 len;
	int t;

	(void)state;
	tm_model_default_prior(&m, TMNET_DEFAULT_RATE_HZ);
	m.horizon_ticks = 1;
	m.kalman.qa_xy = m.kalman.qa_xx - 1;
	m.kalman.r_x = 1;
	m.kalman.r_y = 1;
	m.kalman.p0_pos = 1;
	m.kalman.p0_vel = 1;
	m.kalman.stale_ticks = 4;
	tm_kf_params_init(&m.kf, &m.kalman, m.rate_hz, m.horizon_ticks);
	blob = tt_blob(&m, &len);
	assert_int_equal(tm_model_from_blob(&v, blob, len, &err), 0);
	free(blob);
	tm_cfg_from_model(&cfg, &v);
	tm_state_reset(&st);
	tick_checked(&st, &v, &cfg, &s);
	for (t = 0; t < 2101; t++)
		tick_checked(&st, &v, &cfg, NULL);
	tick_checked(&st, &v, &cfg, &s);
	assert_true(st.kf.init);
}

/*
 * Found by fuzz_tick after 4af8c89 (seed
 * tests/fuzz/seeds-tick/prior-q-indefinite.bin): x and y process noise at
 * the validator's PSD edge with a tiny x term (qa_xx = 2^-32, qa_yy ~ 2^20,
 * qa_xy ~ sqrt(qa_xx qa_yy)) at 100 Hz.  tm_kf_params_init() rounds the
 * per-tick velocity noise q_vx,vx = qa_xx / rate to 0 but keeps
 * q_vx,vy = qa_xy / rate = 671089, so the discretised Q is indefinite; after
 * 512 ticks without samples P is indefinite too, and the next update leaves
 * a negative velocity variance (p_vx,vx = -5).
 */
static void test_kalman_q_rounding_keeps_psd(void **state)
{
	static struct tm_model m, v;
	struct tm_blob_error err;
	struct tmnet_sample s = { .flags = TMNET_SAMPLE_VALID };
	struct tm_state st;
	struct tm_cfg cfg;
	unsigned char *blob;
	__u32 len;
	int t;

	(void)state;
	tm_model_default_prior(&m, 100);
	m.horizon_ticks = 1;
	m.kalman.qa_xx = 1;
	m.kalman.qa_yy = ((__s64)1 << 52) - 1;
	m.kalman.qa_xy = 67108862;
	m.kalman.r_x = ((__s64)1 << 52) - 1;
	m.kalman.r_y = ((__s64)1 << 52) - 1;
	m.kalman.p0_pos = ((__s64)1 << 52) - 1;
	m.kalman.p0_vel = 2;
	m.kalman.stale_ticks = 0;
	blob = tt_blob(&m, &len);
	assert_int_equal(tm_model_from_blob(&v, blob, len, &err), 0);
	free(blob);
	tm_cfg_from_model(&cfg, &v);
	tm_state_reset(&st);
	tick_checked(&st, &v, &cfg, &s);
	for (t = 0; t < 512; t++)
		tick_checked(&st, &v, &cfg, NULL);
	tick_checked(&st, &v, &cfg, &s);
	assert_true(st.kf.init);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kalman_q_saturates),
		cmocka_unit_test(test_kalman_update_keeps_psd),
		cmocka_unit_test(test_kalman_update_correlated_axes),
		cmocka_unit_test(test_kalman_q_rounding_keeps_psd),
	};

	return cmocka_run_group_tests_name("fuzz_tick", tests, NULL, NULL);
}
