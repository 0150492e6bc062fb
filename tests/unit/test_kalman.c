// SPDX-License-Identifier: GPL-2.0
/*
 * The fixed-point Kalman prior against a double-precision reference that
 * runs the same model (continuous white-noise acceleration discretised at
 * the exact dt, sequential scalar position updates).
 *
 * Stated bound (TM_KF_TOL_*), checked on every tick of a 10^7-tick run
 * (83 minutes of 2 kHz data) with dropout bursts of up to 300 ms, 3-unit
 * position steps and velocity reversals, measurement noise 0.01 units:
 *   |position - ref|            <= 1e-5 units  (0.1 % of the noise sd)
 *   |horizon prior - ref|       <= 5e-5 units  (5e-5 of its sd, ~0.94)
 *   |horizon cov - ref|         <= 1e-6 relative (+ 1e-5 units^2)
 * and the covariance stays exactly symmetric and positive definite.
 * Measured (make check log): 3.2e-6, 1.5e-5 and 9.8e-8.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

#define TM_KF_TOL_POS	1e-5
#define TM_KF_TOL_PRIOR	5e-5
#define TM_KF_TOL_COV	1e-6

struct dkf {
	double x[4], p[4][4];
	double q[4][4], qh[2][2], r[2], dt, T;
	double phi, hcov;	/* horizon velocity gain; covariance calibration */
	int init;
};

/*
 * The damped-velocity prior's shape functions of u = T / tau in long
 * double: p = phi / T = (1 - e^-u) / u, g = K / T^3 with K = tau^3 (u -
 * 2 (1 - e^-u) + (1 - e^-2u) / 2); series where the closed forms cancel.
 */
static long double ref_dv_p(long double u)
{
	long double s = 0, t = 1;

	if (u >= 1e-3L)
		return -expm1l(-u) / u;
	for (int n = 1; n < 12; n++) {
		s += (n & 1) ? t : -t;
		t *= u / (n + 1);
	}
	return s;
}

static long double ref_dv_g(long double u)
{
	long double s = 0, t = 1.0L / 6;

	if (u >= 0.1L)
		return (u + 2 * expm1l(-u) - expm1l(-2 * u) / 2) / (u * u * u);
	for (int n = 3; n < 40; n++) {
		long double c = ldexpl(1, n - 1) - 2;

		s += (n & 1) ? c * t : -c * t;
		t *= u / (n + 1);
	}
	return s;
}

/* kind, tau (s) and hcov as the blob extension holds them (Q32, Q16) */
static void dkf_init(struct dkf *k, const struct tmq_params *pp, int rate, int h,
		     const struct tmnet_blob_ext *ext)
{
	double qa[2][2] = { { pp->qa_xx, pp->qa_xy }, { pp->qa_xy, pp->qa_yy } };
	long double kh;

	memset(k, 0, sizeof(*k));
	k->dt = 1.0 / rate;
	k->T = (double)h / rate;
	k->phi = k->T;
	k->hcov = 1;
	kh = (long double)k->T * k->T * k->T / 3;
	if (ext && ext->prior_kind == TMNET_PRIOR_DV) {
		long double tau = (long double)ext->tau_q32 / 4294967296.0L;
		long double u = (long double)k->T / tau;

		k->phi = (double)(k->T * ref_dv_p(u));
		kh = (long double)k->T * k->T * k->T * ref_dv_g(u);
	}
	if (ext)
		k->hcov = ext->hcov_scale_q16 / 65536.0;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			double dt = k->dt;

			k->q[i][j] = qa[i][j] * dt * dt * dt / 3;
			k->q[i][2 + j] = k->q[2 + i][j] = qa[i][j] * dt * dt / 2;
			k->q[2 + i][2 + j] = qa[i][j] * dt;
			k->qh[i][j] = (double)(qa[i][j] * kh);
		}
	k->r[0] = pp->r_x;
	k->r[1] = pp->r_y;
}

static void dkf_step(struct dkf *k, const struct tmq_params *pp, int valid,
		     double zx, double zy, double vx, double vy)
{
	if (!k->init) {
		if (!valid)
			return;
		memset(k->p, 0, sizeof(k->p));
		k->x[0] = zx;
		k->x[1] = zy;
		k->x[2] = vx;
		k->x[3] = vy;
		k->p[0][0] = k->p[1][1] = pp->p0_pos;
		k->p[2][2] = k->p[3][3] = pp->p0_vel;
		k->init = 1;
		return;
	}
	double F[4][4] = { { 1, 0, k->dt, 0 }, { 0, 1, 0, k->dt }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
	double t[4][4] = { { 0 } }, np[4][4] = { { 0 } };

	k->x[0] += k->dt * k->x[2];
	k->x[1] += k->dt * k->x[3];
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			for (int l = 0; l < 4; l++)
				t[i][j] += F[i][l] * k->p[l][j];
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++) {
			for (int l = 0; l < 4; l++)
				np[i][j] += t[i][l] * F[j][l];
			np[i][j] += k->q[i][j];
		}
	memcpy(k->p, np, sizeof(np));
	if (!valid)
		return;
	for (int a = 0; a < 2; a++) {
		double s = k->p[a][a] + k->r[a], K[4], pa[4];
		double z = a ? zy : zx, e = z - k->x[a];

		for (int i = 0; i < 4; i++) {
			K[i] = k->p[i][a] / s;
			pa[i] = k->p[a][i];
		}
		for (int i = 0; i < 4; i++)
			k->x[i] += K[i] * e;
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 4; j++)
				k->p[i][j] -= K[i] * pa[j];
	}
}

static void dkf_horizon(const struct dkf *k, double pos[2], double cov[2][2])
{
	double T = k->phi;

	pos[0] = k->x[0] + T * k->x[2];
	pos[1] = k->x[1] + T * k->x[3];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			cov[i][j] = k->hcov * (k->p[i][j] + T * (k->p[i][2 + j] + k->p[2 + i][j]) +
					       T * T * k->p[2 + i][2 + j] + k->qh[i][j]);
}

/* Cholesky of a 4x4 symmetric matrix: 1 iff positive definite */
static int chol_pd(double a[4][4])
{
	double l[4][4] = { { 0 } };

	for (int j = 0; j < 4; j++) {
		double s = a[j][j];

		for (int k = 0; k < j; k++)
			s -= l[j][k] * l[j][k];
		if (!(s > 0))
			return 0;
		l[j][j] = sqrt(s);
		for (int i = j + 1; i < 4; i++) {
			double t = a[i][j];

			for (int k = 0; k < j; k++)
				t -= l[i][k] * l[j][k];
			l[i][j] = t / l[j][j];
		}
	}
	return 1;
}

static double q32d(__s64 v)
{
	return (double)v / 4294967296.0;
}

static void run_kf(long ticks, double qa_xy, const struct tmnet_blob_ext *ext)
{
	struct tt_rng rng = { 0xC0FFEE };
	struct tmq_params pp;
	struct tm_kf_params kp;
	struct tmnet_kalman km;
	struct tm_model m;
	struct tm_kf kf;
	struct dkf ref;
	double px = 0, py = 0, vx = 3, vy = -2;
	double max_pos = 0, max_prior = 0, max_cov = 0;
	long drop_left = 0, pd_checks = 0;
	char err[128];

	tmq_params_default(&pp);
	pp.system = TMNET_SYS_PRIOR;
	pp.qa_xx = 20;
	pp.qa_yy = 10;
	pp.qa_xy = qa_xy;
	pp.r_x = 1e-4;
	pp.r_y = 2e-4;
	pp.p0_pos = 1e-3;
	pp.p0_vel = 4.0;
	assert_int_equal(tmq_quantize(&m, NULL, &pp, err, sizeof(err)), 0);
	km = m.kalman;
	if (ext)
		assert_int_equal(tm_kf_params_init_ext(&kp, &km, ext, 2000, 1000), 0);
	else
		assert_int_equal(tm_kf_params_init(&kp, &km, 2000, 1000), 0);
	tm_kf_reset(&kf);
	dkf_init(&ref, &pp, 2000, 1000, ext);
	/* the reference uses the blob's (Q32-rounded) parameters */
	pp.r_x = q32d(km.r_x);
	pp.r_y = q32d(km.r_y);
	pp.p0_pos = q32d(km.p0_pos);
	pp.p0_vel = q32d(km.p0_vel);
	ref.r[0] = pp.r_x;
	ref.r[1] = pp.r_y;

	for (long t = 0; t < ticks; t++) {
		int valid;
		double zx, zy;

		/* truth: manoeuvring target in a +-80 unit arena */
		/* Ornstein-Uhlenbeck velocity (sd ~ 7 units/s) with jumps */
		vx = 0.99995 * vx + 0.07 * tt_gauss(&rng);
		vy = 0.99995 * vy + 0.07 * tt_gauss(&rng);
		if (t % 400000 == 200000) {	/* velocity reversal */
			vx = -vx;
			vy = 5 * tt_gauss(&rng);
		}
		px += vx / 2000;
		py += vy / 2000;
		if (fabs(px) > 80)
			vx = -vx;
		if (fabs(py) > 80)
			vy = -vy;
		if (t % 1000000 == 700000) {	/* position step */
			px += 3;
			py -= 2;
		}
		if (drop_left > 0) {
			drop_left--;
			valid = 0;
		} else if (tt_unif(&rng) < 0.0005) {
			drop_left = (long)(tt_unif(&rng) * 600);	/* up to 300 ms */
			valid = 0;
		} else {
			valid = tt_unif(&rng) > 0.02;
		}
		zx = px + 0.01 * tt_gauss(&rng);
		zy = py + 0.014 * tt_gauss(&rng);
		/* quantise the measurement as the data plane does (Q16.16) */
		zx = round(zx * 65536) / 65536;
		zy = round(zy * 65536) / 65536;

		tm_kf_step(&kf, &kp, valid, llround(zx * 65536) * 65536,
			   llround(zy * 65536) * 65536,
			   llround(vx * 65536) * 65536, llround(vy * 65536) * 65536);
		dkf_step(&ref, &pp, valid, zx, zy, round(vx * 65536) / 65536,
			 round(vy * 65536) / 65536);
		if (!kf.init)
			continue;
		{
			__s64 hp[2], hc[2][2];
			double rp[2], rc[2][2];

			tm_kf_horizon(&kf, &kp, hp, hc);
			dkf_horizon(&ref, rp, rc);
			for (int i = 0; i < 2; i++) {
				double e = fabs(q32d(kf.x[i]) - ref.x[i]);

				if (e > max_pos) {
					max_pos = e;
					if (getenv("TM_KF_DEBUG"))
						printf("# t=%ld pos err %.3e valid=%d drop=%ld\n", t, e, valid, drop_left);
				}
				e = fabs(q32d(hp[i]) - rp[i]);
				if (e > max_prior) {
					max_prior = e;
					if (getenv("TM_KF_DEBUG"))
						printf("# t=%ld prior err %.3e (sd %.3e) valid=%d drop=%ld\n", t, e, sqrt(rc[i][i]), valid, drop_left);
				}
				for (int j = 0; j < 2; j++) {
					e = fabs(q32d(hc[i][j]) - rc[i][j]) /
					    (fabs(rc[i][j]) + 1e-5);
					if (e > max_cov)
						max_cov = e;
				}
			}
			/* the horizon covariance is exactly symmetric and PD */
			assert_true(hc[0][1] == hc[1][0]);
			assert_true(hc[0][0] > 0 && hc[1][1] > 0);
			assert_true((__int128)hc[0][0] * hc[1][1] > (__int128)hc[0][1] * hc[0][1]);
		}
		if ((t & 1023) == 0 || drop_left == 1) {
			double a[4][4];

			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 4; j++) {
					assert_true(kf.p[i][j] == kf.p[j][i]);
					a[i][j] = q32d(kf.p[i][j]);
				}
			assert_true(chol_pd(a));
			pd_checks++;
		}
	}
	printf("# kalman %s %ld ticks (qa_xy %.1f, tau %.4g s, hcov %.4g): max |pos-ref| %.3e, "
	       "max |prior-ref| %.3e, max cov rel %.3e, %ld PD checks\n",
	       ext && ext->prior_kind == TMNET_PRIOR_DV ? "DV" : "CV", ticks, qa_xy,
	       ext ? ext->tau_q32 / 4294967296.0 : 0.0, ref.hcov, max_pos, max_prior, max_cov,
	       pd_checks);
	assert_true(max_pos <= TM_KF_TOL_POS);
	assert_true(max_prior <= TM_KF_TOL_PRIOR);
	assert_true(max_cov <= TM_KF_TOL_COV);
}

static long kf_ticks(void)
{
	const char *e = getenv("TM_KF_TICKS");

	return e ? atol(e) : 10000000L;
}

static void test_kf_vs_double(void **state)
{
	(void)state;
	run_kf(kf_ticks(), 0.0, NULL);
}

static void test_kf_coupled_vs_double(void **state)
{
	(void)state;
	/* correlated process noise couples x and y */
	run_kf(kf_ticks() / 10, 8.0, NULL);
}

/*
 * The damped-velocity prior against the same double reference with the
 * OU horizon (phi, K in long double): the same bounds as CV, for time
 * constants across the range, with coupled axes and a calibration
 * hcov != 1.  The per-tick filter is the CV one for both kinds, so
 * positions agree as before; the horizon mean and covariance use the DV
 * constants.
 */
static void test_kf_dv_vs_double(void **state)
{
	static const double taus[] = { 1.0 / 128, 0.05, 0.3, 3.0, 1000.0 };
	static const double hcovs[] = { 1.0, 0.37, 1.75, 1.0, 12.5 };

	(void)state;
	for (size_t i = 0; i < TM_ARRAY_SIZE(taus); i++) {
		struct tmnet_blob_ext ext;

		tm_ext_default(&ext);
		ext.prior_kind = TMNET_PRIOR_DV;
		ext.tau_q32 = llround(taus[i] * 4294967296.0);
		if (ext.tau_q32 < TMNET_TAU_MIN_Q32)
			ext.tau_q32 = TMNET_TAU_MIN_Q32;
		ext.hcov_scale_q16 = (__u32)lround(hcovs[i] * 65536);
		run_kf(kf_ticks() / 20, i & 1 ? 8.0 : 0.0, &ext);
	}
}

/*
 * The DV constants themselves (tm_kf_params_init_ext) against long
 * double, over tau from TMNET_TAU_MIN to TMNET_TAU_MAX (log grid, and
 * around u = T / tau = 1/2 where the core switches from the series to the
 * closed form), at the extreme rates and horizons:
 *   hgain (phi, Q32 s) within 2 ulp + 1e-12 relative,
 *   qh (Qa K 2^cs, Q32) within 2 ulp + 1e-9 relative + the Q62
 *   resolution of K / T^3 (2^-60 / g relative, g ~ 1/u^2 for large u:
 *   3e-9 at u = 1.2e5, the largest u the range allows), unless saturated,
 *   phi <= T and qh <= the CV qh (K <= T^3 / 3), and both -> CV as tau
 *   grows (the CV limit at tau = 1000 s and T = 0.5 s: within u / 2).
 */
static void test_kf_dv_constants(void **state)
{
	static const __u32 rates[] = { TMNET_MIN_RATE_HZ, 2000, TMNET_MAX_RATE_HZ };
	static const __u32 hors[] = { 1, 1000, TMNET_MAX_HORIZON_TICKS };
	struct tmnet_kalman km = { 0 };
	double max_eg = 0, max_eq = 0;
	long n = 0;

	(void)state;
	km.qa_xx = 30 * TM_Q32_ONE;
	km.qa_xy = -7 * TM_Q32_ONE;
	km.qa_yy = 5 * TM_Q32_ONE / 2;
	km.r_x = km.r_y = TM_Q32_ONE / 10000;
	km.p0_pos = TM_Q32_ONE / 10000;
	km.p0_vel = TM_Q32_ONE;
	for (size_t ia = 0; ia < TM_ARRAY_SIZE(rates); ia++)
	for (size_t ih = 0; ih < TM_ARRAY_SIZE(hors); ih++)
	for (int it = 0; it <= 260; it++) {
		struct tm_kf_params kp, kc;
		struct tmnet_blob_ext ext;
		long double T = (long double)hors[ih] / rates[ia], tau, u, sc;
		__s64 tq;

		if (it < 200) {
			/* log grid over [TAU_MIN, TAU_MAX] */
			tq = (__s64)llroundl(TMNET_TAU_MIN_Q32 *
				powl((long double)TMNET_TAU_MAX_Q32 / TMNET_TAU_MIN_Q32, it / 199.0L));
		} else {
			/* u within +-3 % of 1/2, the switch */
			tq = (__s64)llroundl(T / (0.5L * (0.97L + 0.06L * (it - 200) / 60.0L)) *
					     4294967296.0L);
		}
		if (tq < TMNET_TAU_MIN_Q32 || tq > TMNET_TAU_MAX_Q32)
			continue;
		tm_ext_default(&ext);
		ext.prior_kind = TMNET_PRIOR_DV;
		ext.tau_q32 = tq;
		assert_int_equal(tm_kf_params_init_ext(&kp, &km, &ext, rates[ia], hors[ih]), 0);
		assert_int_equal(tm_kf_params_init(&kc, &km, rates[ia], hors[ih]), 0);
		tau = (long double)tq / 4294967296.0L;
		u = T / tau;
		{
			long double phi = T * ref_dv_p(u) * 4294967296.0L;
			long double e = fabsl((long double)kp.hgain - phi);

			assert_true(e <= 2 + 1e-12L * phi);
			assert_true(kp.hgain <= kc.hgain);
			if (e > max_eg)
				max_eg = (double)e;
		}
		sc = ldexpl(1, (int)kp.cs);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 2; j++) {
				__s64 qa = i != j ? km.qa_xy : i ? km.qa_yy : km.qa_xx;
				long double want = (long double)qa * sc * T * T * T * ref_dv_g(u) +
						   (i == j);	/* the core's PSD ulp */
				long double e;

				if (fabsl(want) >= 9.2e18L) {
					assert_true(kp.qh_pp[i][j] == (want > 0 ? INT64_MAX : -INT64_MAX));
					continue;
				}
				e = fabsl((long double)kp.qh_pp[i][j] - want);
				/* g is Q62: its resolution 2^-62 / g matters for huge u */
				if (!(e <= 2 + (1e-9L + ldexpl(1, -60) / ref_dv_g(u)) * fabsl(want)))
					fail_msg("rate %u h %u tau %.6Lg (u %.6Lg): qh[%d][%d] %lld, want %.6Lg",
						 rates[ia], hors[ih], tau, u, i, j,
						 (long long)kp.qh_pp[i][j], want);
				assert_true((__int128)llabs(kp.qh_pp[i][j]) <= (__int128)llabs(kc.qh_pp[i][j]) + 1);
				/* relative, where the last place is below 1e-9 of it */
				if (fabsl(want) > 1e9L && e / fabsl(want) > max_eq)
					max_eq = (double)(e / fabsl(want));
			}
		n++;
	}
	/* the CV limit: tau = 1000 s, T = 0.5 s, u = 5e-4 */
	{
		struct tm_kf_params kp, kc;
		struct tmnet_blob_ext ext;

		tm_ext_default(&ext);
		ext.prior_kind = TMNET_PRIOR_DV;
		ext.tau_q32 = TMNET_TAU_MAX_Q32;
		assert_int_equal(tm_kf_params_init_ext(&kp, &km, &ext, 2000, 1000), 0);
		assert_int_equal(tm_kf_params_init(&kc, &km, 2000, 1000), 0);
		assert_true(fabs((double)kp.hgain / kc.hgain - 1) < 5e-4 / 2 + 1e-9);
		assert_true(fabs((double)kp.qh_pp[0][0] / kc.qh_pp[0][0] - 1) < 3 * 5e-4 / 4 + 1e-9);
	}
	printf("# DV constants: %ld (rate, horizon, tau) checked, max error hgain %.3g ulp (Q32 s), qh %.3e relative (entries > 1e9 ulp)\n",
	       n, max_eg, max_eq);
	assert_true(n > 1500);
}

/*
 * hcov = 1 is the identity bit for bit: a DV-free model with hcov 65536
 * in its extension gives the CV horizon exactly, and hcov scales the
 * horizon covariance (not the mean) within rounding.
 */
static void test_kf_hcov(void **state)
{
	struct tmq_params pp;
	struct tm_model m;
	struct tm_kf_params k2;
	struct tmnet_blob_ext ext;
	struct tm_kf kf;
	struct tt_rng rng = { 77 };
	char err[128];

	(void)state;
	tmq_params_default(&pp);
	pp.system = TMNET_SYS_PRIOR;
	assert_int_equal(tmq_quantize(&m, NULL, &pp, err, sizeof(err)), 0);
	tm_ext_default(&ext);
	ext.hcov_scale_q16 = 3 * 65536;
	assert_int_equal(tm_kf_params_init_ext(&k2, &m.kalman, &ext, m.rate_hz, m.horizon_ticks), 0);
	tm_kf_reset(&kf);
	for (int t = 0; t < 20000; t++) {
		__s64 p1[2], c1[2][2], p2[2], c2[2][2];
		__s64 x = (__s64)(tt_gauss(&rng) * 1e3) * 65536;

		tm_kf_step(&kf, &m.kf, (t % 7) != 3, x, -x, 0, 0);
		if (!kf.init)
			continue;
		tm_kf_horizon(&kf, &m.kf, p1, c1);
		tm_kf_horizon(&kf, &k2, p2, c2);
		assert_memory_equal(p1, p2, sizeof(p1));
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 2; j++)
				assert_true(llabs(c2[i][j] - 3 * c1[i][j]) <= 2);
	}
}

static void test_kf_predict_only(void **state)
{
	struct tmq_params pp;
	struct tm_model m;
	struct tm_kf kf;
	char err[128];
	__s64 hp[2], hc[2][2];

	(void)state;
	tmq_params_default(&pp);
	pp.system = TMNET_SYS_PRIOR;
	assert_int_equal(tmq_quantize(&m, NULL, &pp, err, sizeof(err)), 0);
	tm_kf_reset(&kf);
	/* no sample: nothing initialised */
	tm_kf_step(&kf, &m.kf, 0, 0, 0, 0, 0);
	assert_int_equal(kf.init, 0);
	/* first sample initialises position and velocity */
	tm_kf_step(&kf, &m.kf, 1, 10 * TM_Q32_ONE, -5 * TM_Q32_ONE, 2 * TM_Q32_ONE, 0);
	assert_int_equal(kf.init, 1);
	tm_kf_horizon(&kf, &m.kf, hp, hc);
	/* 10 + 2 * 0.5 = 11 */
	assert_true(llabs(hp[0] - 11 * TM_Q32_ONE) < 16);
	assert_true(llabs(hp[1] + 5 * TM_Q32_ONE) < 16);
	/* predict-only ticks count as missing and grow the covariance */
	for (int i = 0; i < 100; i++) {
		__s64 before = kf.p[0][0];

		tm_kf_step(&kf, &m.kf, 0, 0, 0, 0, 0);
		assert_true(kf.p[0][0] > before);
	}
	assert_int_equal(kf.missing, 100);
	tm_kf_step(&kf, &m.kf, 1, 10 * TM_Q32_ONE, -5 * TM_Q32_ONE, 0, 0);
	assert_int_equal(kf.missing, 0);
}

/*
 * Defect 7 of issue 12: parameters at the validator's limits (process
 * noise, measurement noise and initial variances at 2^20 units^2, or the
 * smallest representable; coupling qa_xy = +-qa_xx; the gate's largest
 * cov_scale and floors; the slowest and fastest rates, the longest
 * horizon) and samples at the limits of Q16.16 (positions and velocities
 * +-32768, sign flips every tick, long dropouts).  Every model here is
 * accepted by tm_model_from_blob(); under UBSan (the host test build) a
 * signed overflow anywhere in the tick aborts the test.  Before the
 * saturating adds, tm_kf_predict() (x += v dt, P + Q) and the gate's
 * S = k P_h + floor overflowed here.
 */
static void kf_extremes(const struct tmnet_blob_ext *ext, const size_t *p0s, size_t np0,
			long min_accepted)
{
	static const __s64 lim = (__s64)1 << 52;	/* the validator's TM_KALMAN_MAX */
	static const __s64 qa[][3] = {
		{ 1LL << 52, 1LL << 52, 1LL << 52 }, { 1LL << 52, -(1LL << 52), 1LL << 52 },
		{ 1LL << 52, 0, 0 }, { 0, 0, 0 }, { 1, 1, 1 },
	};
	static const __s64 rr[] = { 1, 1LL << 16, 1LL << 52 };
	static const __u32 rates[] = { TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ };
	static const __u32 hors[] = { 1, TMNET_MAX_HORIZON_TICKS };
	struct tt_rng rng = { 0xE7 };
	struct tmq_gru g;
	struct tmq_params pp;
	static struct tm_model base, m;
	static struct tm_state st;
	long accepted = 0, rejected = 0, ticks = 0, passes = 0;

	tt_random_model(&rng, TMNET_SYS_B, 32, 1.0, &g, &pp, &base);
	if (ext)
		base.ext = *ext;
	for (size_t iq = 0; iq < TM_ARRAY_SIZE(qa); iq++)
	for (size_t ir = 0; ir < TM_ARRAY_SIZE(rr); ir++)
	for (size_t kp0 = 0; kp0 < np0; kp0++)
	for (size_t ia = 0; ia < TM_ARRAY_SIZE(rates); ia++)
	for (size_t ih = 0; ih < TM_ARRAY_SIZE(hors); ih++) {
		struct tm_blob_error e;
		struct tm_cfg cfg;
		unsigned char *blob;
		__u32 len;
		/* (p0_pos, p0_vel): (1, 1), (r, 1), (lim, lim), (1, lim) */
		size_t ip = p0s[kp0];
		__s64 p0 = ip == 0 || ip == 3 ? 1 : ip == 1 ? rr[ir] : lim;

		m = base;
		m.kalman.qa_xx = qa[iq][0];
		m.kalman.qa_xy = qa[iq][1];
		m.kalman.qa_yy = qa[iq][2];
		m.kalman.r_x = m.kalman.r_y = rr[ir];
		m.kalman.p0_pos = p0;
		m.kalman.p0_vel = ip >= 2 ? lim : 1;
		m.kalman.stale_ticks = 1000000;
		m.rate_hz = rates[ia];
		m.horizon_ticks = hors[ih];
		m.gate.cov_scale_q16 = 1000U << 16;
		m.gate.floor_xx = m.gate.floor_yy = lim;
		m.gate.floor_xy = ih ? lim : -lim;
		m.gate.sat_limit = 0xffffffffU;
		blob = tt_blob(&m, &len);
		if (tm_model_from_blob(&m, blob, len, &e)) {
			free(blob);
			rejected++;
			continue;
		}
		free(blob);
		accepted++;
		tm_cfg_from_model(&cfg, &m);
		tm_state_reset(&st);
		/*
		 * Without process noise, a jump of 65536 units in one tick
		 * gives the filter a velocity near 65536 * rate units/s and the
		 * covariance stays small: a long dropout then drives x towards
		 * the Q32.32 limit (x += v dt).
		 */
		long n_ticks = iq == 3 && ia == 1 ? 6000 + 20000 : 6000;

		for (long t = 0; t < n_ticks; t++) {
			struct tmnet_sample s;
			struct tmnet_pred out;
			__s32 sgn = (t & 1) ? 1 : -1;
			int phase = t >= 6000 ? 2 : (int)(t / 500) % 4;

			memset(&s, 0, sizeof(s));
			/* 0: flip every tick; 1: run away; 2: dropout; 3: random */
			s.flags = phase == 2 ? 0 : TMNET_SAMPLE_VALID;
			if (phase == 0) {
				s.x = s.y = sgn * 0x7fffffff;
				s.vx = s.vy = -sgn * 0x7fffffff;
			} else if (phase == 1) {
				s.x = s.vx = 0x7fffffff;
				s.y = s.vy = -0x7fffffff - 1;
			} else if (t >= 5990 && t < 6000) {
				/* a fresh filter, then a jump of 65536 units */
				if (t == 5990)
					tm_state_reset(&st);
				s.x = s.y = t < 5999 ? -0x7fffffff - 1 : 0x7fffffff;
				s.vx = s.vy = 0;
			} else if (phase == 3) {
				s.x = (__s32)tt_next(&rng);
				s.y = (__s32)tt_next(&rng);
				s.vx = (__s32)tt_next(&rng);
				s.vy = (__s32)tt_next(&rng);
			}
			tm_tick(&st, &m, &cfg, &s, &out, NULL);
			/* the covariance stays exactly symmetric */
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 4; j++)
					assert_true(st.kf.p[i][j] == st.kf.p[j][i]);
			assert_true(out.gate_macs <= TM_GATE_MACS_MAX);
			passes += out.verdict == TMNET_VERDICT_PASS;
			ticks++;
		}
	}
	printf("# kalman extremes (%s, tau %.4g s, hcov %.4g): %ld models accepted (%ld rejected by the validator), "
	       "%ld ticks without a signed overflow, %ld gate passes\n",
	       ext && ext->prior_kind == TMNET_PRIOR_DV ? "DV" : "CV",
	       ext ? ext->tau_q32 / 4294967296.0 : 0.0, ext ? ext->hcov_scale_q16 / 65536.0 : 1.0,
	       accepted, rejected, ticks, passes);
	assert_true(accepted >= min_accepted);
}

static void test_kf_extreme_params(void **state)
{
	static const size_t p0s[] = { 0, 1, 2, 3 };

	(void)state;
	kf_extremes(NULL, p0s, TM_ARRAY_SIZE(p0s), 150);
}

/*
 * The same extremes with the damped-velocity prior at the ends of its
 * tau range and the calibration at the ends of its range (two of the
 * four p0 variants): no signed overflow in the DV horizon either.
 */
static void test_kf_dv_extreme_params(void **state)
{
	static const size_t p0s[] = { 0, 2 };
	struct tmnet_blob_ext ext;

	(void)state;
	tm_ext_default(&ext);
	ext.prior_kind = TMNET_PRIOR_DV;
	ext.tau_q32 = TMNET_TAU_MIN_Q32;
	ext.hcov_scale_q16 = TMNET_HCOV_SCALE_MAX_Q16;
	kf_extremes(&ext, p0s, TM_ARRAY_SIZE(p0s), 75);
	ext.tau_q32 = TMNET_TAU_MAX_Q32;
	ext.hcov_scale_q16 = 1;
	kf_extremes(&ext, p0s, TM_ARRAY_SIZE(p0s), 75);
}

/*
 * The covariance update's reciprocal: floor((2^127 - 1) / d) exactly, for
 * the edges and random d in [2^63, 2^64); and floor(x inv / 2^sh) never
 * above x / (d 2^(sh - 127)), within 2 of it.
 */
static void test_kf_recip127(void **state)
{
	struct tt_rng rng = { 0x127 };
	const unsigned __int128 num = ((unsigned __int128)1 << 127) - 1;

	(void)state;
	for (int it = 0; it < 200000; it++) {
		__u64 d = it == 0 ? 1ULL << 63 : it == 1 ? ~0ULL : it == 2 ? (1ULL << 63) + 1 :
			  tt_next(&rng) | 1ULL << 63;
		__u64 inv = tm_recip127(d);

		assert_true(inv == (__u64)(num / d));
		if (it < 20000) {
			/* x / s with s = d >> ez, through the reciprocal */
			unsigned int ez = 1 + (unsigned int)(tt_next(&rng) % 63);
			__u64 s = d >> ez;
			unsigned __int128 x = ((unsigned __int128)tt_next(&rng) << 64 | tt_next(&rng)) >>
					      (2 + tt_next(&rng) % 120);
			unsigned __int128 exact;
			__s64 q;

			if (s == 0)
				continue;
			inv = tm_recip127(s << ez);
			exact = x / s;
			q = tm_mulhi_shr(x, inv, 127 - ez);
			if (exact > 0x7fffffffffffffffULL) {
				assert_true(q == 0x7fffffffffffffffLL);
				continue;
			}
			assert_true((unsigned __int128)q <= exact);
			assert_true((unsigned __int128)q + 2 >= exact);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kf_predict_only),
		cmocka_unit_test(test_kf_extreme_params),
		cmocka_unit_test(test_kf_dv_extreme_params),
		cmocka_unit_test(test_kf_recip127),
		cmocka_unit_test(test_kf_vs_double),
		cmocka_unit_test(test_kf_coupled_vs_double),
		cmocka_unit_test(test_kf_dv_constants),
		cmocka_unit_test(test_kf_hcov),
		cmocka_unit_test(test_kf_dv_vs_double),
	};

	return cmocka_run_group_tests_name("kalman", tests, NULL, NULL);
}
