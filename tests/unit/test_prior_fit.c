// SPDX-License-Identifier: GPL-2.0
/*
 * The prior's fit (userspace/libtmnet/tmn_prep.c): tau of the
 * damped-velocity prior from the training part, CV or DV chosen on
 * validation, and the NEES calibration of the horizon covariance.
 *   - an Ornstein-Uhlenbeck velocity with tau 0.2 s: the fit finds tau
 *     within one step of its grid (a factor 1.75), --prior auto keeps DV
 *     (lower validation horizon MSE than CV), and after the calibration
 *     the NEES on validation has mean 2 (Q16 rounding of hcov aside) and
 *     hcov_scale is what the uncalibrated mean said (raw / 2);
 *   - --prior cv and --prior dv are obeyed; a forced qa refits tau;
 *   - the chosen prior goes into the model (tmn_prior_model): DV, its tau,
 *     hcov in the blob's extension, a version 3 blob; a CV prior without
 *     calibration keeps version 1;
 *   - a version 1 checkpoint (before the prior's fields) still reads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_prep.h"
#include "tmn_train.h"

/* x, y with OU velocities (time constant tau, sd 30 units/s), noise 0.3 */
static void gen_ou(struct tmn_series *d, size_t n, double tau, uint64_t seed)
{
	struct tmn_rng rng;
	const double dt = 1.0 / 2000, a = exp(-dt / tau), sd = 30;
	const double b = sd * sqrt(1 - a * a);
	double x = 0, y = 0, vx = 0, vy = 0;

	tmn_rng_seed(&rng, seed);
	assert_int_equal(tmn_series_alloc(d, n, 2000), 0);
	for (size_t i = 0; i < n; i++) {
		vx = a * vx + b * tmn_rng_gauss(&rng);
		vy = a * vy + b * tmn_rng_gauss(&rng);
		x += vx * dt;
		y += vy * dt;
		d->s[i].x = (__s32)lround((x + 0.3 * tmn_rng_gauss(&rng)) * 65536);
		d->s[i].y = (__s32)lround((y + 0.3 * tmn_rng_gauss(&rng)) * 65536);
		d->s[i].vx = (__s32)lround(vx * 65536);
		d->s[i].vy = (__s32)lround(vy * 65536);
		d->s[i].flags = TMNET_SAMPLE_VALID;
	}
}

static void test_dv_fit_ou(void **state)
{
	struct tmn_series d = { 0 };
	struct tmn_kalman k, kf;
	struct tmn_fit_report rep, r0;
	struct tmn_split sp;
	struct tm_model *m = malloc(sizeof(*m));
	unsigned char *blob;
	__u32 len;
	char line[4096], err[256];

	(void)state;
	assert_non_null(m);
	gen_ou(&d, 400000, 0.2, 11);
	assert_int_equal(tmn_split_make(d.n, 256, 1000, &sp), 0);
	assert_int_equal(tmn_kalman_fit_rep(&d, sp.lo[0], sp.hi[0], 1000, &k, &rep, 0), 0);
	/* the fit itself is CV; the DV optimum is in the report */
	assert_int_equal(k.kind, TMNET_PRIOR_CV);
	assert_true(rep.dv_fitted);
	printf("# OU tau 0.2 s: fitted tau %.4g s at qa %.4g (CV qa %.4g); training RMSE CV %.4g, DV %.4g\n",
	       rep.dv_tau, rep.dv_qa, rep.cv_qa, rep.horizon_rmse, rep.dv_horizon_rmse);
	assert_true(rep.dv_tau > 0.2 / 1.75 && rep.dv_tau < 0.2 * 1.75);
	assert_int_equal(rep.dv_tau_bound, 0);
	assert_true(rep.dv_horizon_rmse < rep.horizon_rmse);
	kf = k;
	r0 = rep;
	assert_int_equal(tmn_prior_select(&d, &sp, 1000, TMN_PRIOR_AUTO, 0, &k, &rep, 0), 0);
	printf("# validation RMSE CV %.4g DV %.4g on %zu ticks; NEES mean %.6g (%.2f %% in 99 %%) -> hcov %.6g -> %.6g (%.2f %%)\n",
	       rep.val_rmse_cv, rep.val_rmse_dv, rep.val_ticks, rep.nees_raw_mean,
	       100 * rep.nees_raw_in99, rep.hcov_scale, rep.nees_mean, 100 * rep.nees_in99);
	assert_int_equal(k.kind, TMNET_PRIOR_DV);
	assert_true(k.tau == rep.dv_tau && k.qa == rep.dv_qa);
	assert_true(rep.val_rmse_dv < rep.val_rmse_cv);
	assert_true(rep.val_ticks > 50000);
	/* calibrated: mean 2 up to hcov's Q16 rounding (and the core's) */
	assert_true(fabs(rep.nees_mean - 2) <= 2 * (0.5 / 65536) / rep.hcov_scale + 1e-4);
	assert_true(fabs(rep.hcov_scale - rep.nees_raw_mean / 2) <= 1.0 / 65536);
	assert_true(rep.nees_in99 > 0.5 && rep.nees_in99 <= 1);
	assert_true(k.hcov_scale == rep.hcov_scale);
	tmn_fit_report_line(&k, &rep, line, sizeof(line));
	assert_non_null(strstr(line, "prior DV"));
	assert_non_null(strstr(line, "NEES on validation"));
	printf("# %s\n", line);
	assert_null(strstr(line, "WARNING"));
	/* into the core: version 3, DV with the fitted tau and hcov */
	assert_int_equal(tmn_prior_model(&k, 2000, 1000, m, err, sizeof(err)), 0);
	assert_int_equal(m->ext.prior_kind, TMNET_PRIOR_DV);
	assert_true(llabs(m->ext.tau_q32 - llround(k.tau * 4294967296.0)) <= 1);
	assert_int_equal(m->ext.hcov_scale_q16, (__u32)lround(k.hcov_scale * 65536));
	blob = tt_blob(m, &len);
	assert_int_equal(blob[4], TMNET_BLOB_VERSION_EXT);
	free(blob);
	/* --prior cv: CV whatever DV does, calibrated too */
	k = kf;
	rep = r0;
	assert_int_equal(tmn_prior_select(&d, &sp, 1000, TMN_PRIOR_MODE_CV, 0, &k, &rep, 0), 0);
	assert_int_equal(k.kind, TMNET_PRIOR_CV);
	assert_true(k.qa == rep.cv_qa);
	assert_true(fabs(rep.nees_mean - 2) < 0.01);
	assert_int_equal(tmn_prior_model(&k, 2000, 1000, m, err, sizeof(err)), 0);
	assert_int_equal(m->ext.prior_kind, TMNET_PRIOR_CV);
	assert_true(m->ext.tau_q32 == 0);
	/* ... and uncalibrated CV is a version 1 blob */
	k.hcov_scale = 1;
	assert_int_equal(tmn_prior_model(&k, 2000, 1000, m, err, sizeof(err)), 0);
	blob = tt_blob(m, &len);
	assert_int_equal(blob[4], TMNET_BLOB_VERSION);
	free(blob);
	/* --prior dv with a forced qa: tau refitted at it */
	k = kf;
	rep = r0;
	assert_int_equal(tmn_prior_select(&d, &sp, 1000, TMN_PRIOR_MODE_DV, rep.dv_qa * 10, &k, &rep,
					  0), 0);
	assert_int_equal(k.kind, TMNET_PRIOR_DV);
	assert_true(k.qa == r0.dv_qa * 10);
	assert_true(rep.dv_tau > 0 && rep.dv_tau == k.tau);
	free(m);
	tmn_series_free(&d);
}

/* a version 1 checkpoint header (no prior fields) reads as CV, hcov 1 */
static void test_ckpt_v1_reads(void **state)
{
	struct {
		char magic[8];
		uint32_t version, system, F, H;
		uint32_t rate_hz, window, horizon, burn;
		struct tmn_norm norm;
		struct { double qa, r, p0_pos, p0_vel; int stale_ticks; } kalman;
		uint32_t epochs_done, best_epoch, bad_epochs, done;
		uint64_t seed;
		double best_val;
		int64_t adam_t;
		uint64_t rng[4];
		uint64_t np;
		uint64_t data_n;
		double train_seconds;
		double val_hist[64];
		double head_gain;
	} h1;
	struct tmn_model_f mf;
	char path[] = "/tmp/tmnet-ckpt-v1-XXXXXX", err[256];
	size_t np = (size_t)tmn_gru_nparams(4, 8);
	float *p = calloc(4 * np, sizeof(float));
	uint64_t nh = 0;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(p);
	f = fdopen(fd, "wb");
	memset(&h1, 0, sizeof(h1));
	memcpy(h1.magic, TMN_CKPT_MAGIC, 8);
	h1.version = 1;
	h1.system = TMNET_SYS_A;
	h1.F = 4;
	h1.H = 8;
	h1.rate_hz = 2000;
	h1.window = 256;
	h1.horizon = 1000;
	h1.kalman.qa = 123;
	h1.kalman.r = 1e-3;
	h1.kalman.stale_ticks = 200;
	h1.np = np;
	h1.head_gain = 8;
	for (size_t i = 0; i < np; i++)
		p[i] = (float)i;	/* the best parameters */
	assert_int_equal(fwrite(&h1, sizeof(h1), 1, f), 1);
	assert_int_equal(fwrite(p, sizeof(float), 4 * np, f), 4 * np);
	assert_int_equal(fwrite(&nh, sizeof(nh), 1, f), 1);
	fclose(f);
	assert_int_equal(tmn_ckpt_load(path, &mf, err, sizeof(err)), 0);
	assert_true(mf.h.kalman.qa == 123 && mf.h.kalman.r == 1e-3);
	assert_int_equal(mf.h.kalman.stale_ticks, 200);
	assert_int_equal(mf.h.kalman.kind, TMNET_PRIOR_CV);
	assert_true(mf.h.kalman.hcov_scale == 1);
	assert_true(mf.h.head_gain == 8);
	assert_true(mf.g.p[np - 1] == (float)(np - 1));
	tmn_model_f_free(&mf);
	remove(path);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dv_fit_ou),
		cmocka_unit_test(test_ckpt_v1_reads),
	};

	return cmocka_run_group_tests_name("prior_fit", tests, NULL, NULL);
}
