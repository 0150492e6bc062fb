// SPDX-License-Identifier: GPL-2.0
/*
 * Kalman prior in Q32.32: a constant-velocity filter, propagated to the
 * horizon by a constant-velocity (CV) or a damped-velocity (DV) model.
 *
 * State (px, py, vx, vy); white-noise acceleration with a 2x2 spectral
 * density Qa (which may couple the axes), position measurements with
 * diagonal noise R, processed as two sequential scalar updates (exact for
 * diagonal R).  The covariance is stored as a full 4x4 matrix but only the
 * upper triangle is computed; the lower one is mirrored, so P stays exactly
 * symmetric.  Divisions use one 64-bit reciprocal per scalar update.
 *
 * The state is Q32.32 in data units.  The covariance is Q32.32 scaled by
 * 2^cs, with cs chosen from the measurement noise so that r * 2^cs has ~40
 * significant bits: the gain only depends on ratios of P, so the scale
 * buys precision for free, and P (in data units^2) may reach 2^(31 - cs)
 * before the filter restarts itself at the next sample (counted as a
 * missing-input episode, so the gate reports stale input meanwhile).
 *
 * Horizon.  Per axis pair (i, j), with phi = hgain and K = qh / Qa:
 *   mean  x_i + phi v_i
 *   cov   hcov (P_ij + phi (P_i,2+j + P_j,2+i) + phi^2 P_2+i,2+j + Qa_ij K)
 * CV: phi = T, K = T^3 / 3 (the white-noise-acceleration model's own
 * T-step transition and noise).  DV (Singer / Ornstein-Uhlenbeck velocity,
 * dv = -v / tau dt + dW with dW of density Qa, dx = v dt): over T the mean
 * of v decays by e^-u, u = T / tau, so the position moves by
 * phi = tau (1 - e^-u) v, and the noise adds the position variance
 *   Qa K,  K = int_0^T (tau (1 - e^(-s/tau)))^2 ds
 *          = tau^3 (u - 2 (1 - e^-u) + (1 - e^-2u) / 2)
 * (-> T^3 / 3 as tau -> infinity: DV contains CV as its limit).
 * F_h P F_h' + Qa K is the OU model's covariance of the horizon position
 * given a state estimate with covariance P; it is PSD since P is and
 * Qa (x) K is (K > 0, Qa PSD).
 *
 * Why the per-tick filter stays CV for DV: the tick then costs exactly
 * what it cost (the same predict and updates; only the three horizon
 * constants differ), a CV model keeps its output bit for bit, and the
 * filter's state does not depend on tau, so the trainer fits tau on one
 * filter pass.  What that means: the state estimate (x, v, P) is the
 * white-noise-acceleration filter's (its velocity is the recent velocity,
 * not one already damped), and DV is the Ornstein-Uhlenbeck prediction
 * from that estimate.  The models disagree inside the filter by the
 * velocity decay over one tick, dt / tau (0.5 % at 2 kHz and tau =
 * 100 ms; large only at low rates with the smallest tau); the horizon
 * covariance is then calibrated on data (hcov, fitted by tmnet train so
 * that the prior's NEES on validation data has mean 2), which absorbs a
 * consistent mismatch.
 *
 * Fixed point of the DV constants (tm_kf_params_init_ext, load time, may
 * loop): u in Q44 (Q62 below 1/2), e^-u from tm_exp_neg_q62 (< 2^-54),
 * phi / T = (1 - e^-u) / u and K / T^3 = (u - 2 (1 - e^-u) +
 * (1 - e^-2u) / 2) / u^3 in Q62, from their Taylor series below u = 1/2
 * (where the closed forms cancel) and the closed forms above; then
 * hgain = T (phi / T) and qh = Qa 2^cs T^3 (K / T^3), each rounded once.
 * test_kalman checks both kinds against a double-precision reference.
 */
#include "tm_core.h"

/* round(|n| / d) * sign(n) with a 128-bit numerator (build time only) */
static __s64 tm_div128_round(tm_s128 n, __u64 d)
{
	int neg = n < 0;
	tm_u128 q = tm_udiv128((tm_u128)(neg ? -n : n) + d / 2, d);

	if (q > (tm_u128)0x7fffffffffffffffULL)
		q = 0x7fffffffffffffffULL;
	return neg ? -(__s64)q : (__s64)q;
}

#define TM_KF_CS_MAX	24
#define TM_KF_P_LIMIT	((__s64)1 << 61)

#define TM_Q62_ONE	((__u64)1 << 62)

/* round(a b / 2^62) for a, b < 2^63 */
static __u64 tm_mul_q62(__u64 a, __u64 b)
{
	return (__u64)(((tm_u128)a * b + ((tm_u128)1 << 61)) >> 62);
}

/*
 * round(|a| g / (d 2^62)) * sign(a), saturating at 2^63 - 1, for
 * |a| < 2^127, g < 2^63, 0 < d < 2^40 (load time).  With a = Q r + R
 * (R < d): a g / (d 2^62) = (Q g + R g / d) / 2^62, and Q g is split in
 * 64-bit halves of Q so no product exceeds 128 bits.
 */
static __s64 tm_muldiv_q62(tm_s128 a, __u64 g, __u64 d)
{
	int neg = a < 0;
	tm_u128 ua = (tm_u128)(neg ? -a : a);
	tm_u128 q = tm_udiv128(ua, d);
	__u64 rem = (__u64)(ua - q * d);
	tm_u128 hi = (tm_u128)(__u64)(q >> 64) * g;
	tm_u128 lo = (tm_u128)(__u64)q * g + tm_udiv128((tm_u128)rem * g, d);
	tm_u128 r;

	if (hi >> 61)
		return neg ? -0x7fffffffffffffffLL : 0x7fffffffffffffffLL;
	r = (hi << 2) + ((lo + ((tm_u128)1 << 61)) >> 62);
	if (r > (tm_u128)0x7fffffffffffffffULL)
		r = 0x7fffffffffffffffULL;
	return neg ? -(__s64)r : (__s64)r;
}

/*
 * The DV prior's two shape functions of u = T / tau, in Q62:
 *   p = phi / T = (1 - e^-u) / u                        (1 at u = 0)
 *   g = K / T^3 = (u - 2 (1 - e^-u) + (1 - e^-2u) / 2) / u^3   (1/3 at 0)
 * u_q62 is used below u = 1/2 (Taylor series: p = sum_{n>=1} (-u)^(n-1)
 * / n!, g = sum_{n>=3} (-1)^(n+1) (2^(n-1) - 2) u^(n-3) / n!, 40 terms,
 * each < (2u)^(n-3) / n!), u_q44 above (closed forms, which lose at most
 * 5 bits to cancellation there).  Loops: 40 terms or 3 divisions.
 */
static void tm_dv_shape(__u64 u_q44, __u64 u_q62, __u64 *p, __u64 *g)
{
	unsigned int n;

	if (u_q44 < ((__u64)1 << 43)) {
		__s64 ps = 0, gs = 0;
		__u64 t = TM_Q62_ONE;			/* u^(n-1) / n!, n = 1 */
		__u64 sn = TM_Q62_ONE / 6;		/* u^(n-3) / n!, n = 3 */
		__u64 wn = (2 * TM_Q62_ONE + 1) / 3;	/* 2^(n-1) that, n = 3 */

		for (n = 1; n <= 40; n++) {
			ps += (n & 1) ? (__s64)t : -(__s64)t;
			t = (__u64)((tm_u128)t * u_q62 >> 62) / (n + 1);
		}
		for (n = 3; n <= 40; n++) {
			__s64 term = (__s64)wn - 2 * (__s64)sn;

			gs += (n & 1) ? term : -term;
			sn = (__u64)((tm_u128)sn * u_q62 >> 62) / (n + 1);
			wn = (__u64)((tm_u128)wn * u_q62 >> 61) / (n + 1);
		}
		*p = (__u64)ps;
		*g = (__u64)gs;
	} else {
		__u64 e = tm_exp_neg_q62(u_q44);
		__u64 ome = TM_Q62_ONE - e;			/* 1 - e^-u */
		__u64 ome2 = TM_Q62_ONE - tm_mul_q62(e, e);	/* 1 - e^-2u */
		tm_u128 f = ((tm_u128)u_q44 << 18) + ome2 / 2 - 2 * (tm_u128)ome;

		*p = (__u64)tm_udiv128((tm_u128)ome << 44, u_q44);
		for (n = 0; n < 3; n++)
			f = tm_udiv128((f << 44) + u_q44 / 2, u_q44);
		*g = (__u64)f;
	}
}

/* Load time only (tm_model_from_blob), never in the tick: tm_udiv128 is slow */
int tm_kf_params_init(struct tm_kf_params *kp, const struct tmnet_kalman *k,
		      __u32 rate_hz, __u32 horizon_ticks)
{
	return tm_kf_params_init_ext(kp, k, NULL, rate_hz, horizon_ticks);
}

int tm_kf_params_init_ext(struct tm_kf_params *kp, const struct tmnet_kalman *k,
			  const struct tmnet_blob_ext *ext, __u32 rate_hz,
			  __u32 horizon_ticks)
{
	const __s64 qa[2][2] = {
		{ k->qa_xx, k->qa_xy },
		{ k->qa_xy, k->qa_yy },
	};
	__u64 rate = rate_hz;
	__u64 h = horizon_ticks;
	int i, j;

	__s64 rmin = k->r_x < k->r_y ? k->r_x : k->r_y;
	unsigned int cs, bl;
	tm_s128 sc;
	__u64 u_q44, u_q62, dv_p = 0, dv_g = 0;

	if (rate_hz == 0 || horizon_ticks == 0 || rmin <= 0)
		return -1;
	bl = tm_bitlen64((__u64)rmin);
	cs = bl >= 40 ? 0 : 40 - bl;
	if (cs > TM_KF_CS_MAX)
		cs = TM_KF_CS_MAX;
	kp->cs = cs;
	sc = (tm_s128)1 << cs;
	kp->dt = (__s64)((((__u64)1 << 32) + rate / 2) / rate);
	kp->horizon_s = (__s64)(((h << 32) + rate / 2) / rate);
	kp->hgain = kp->horizon_s;
	kp->kind = ext ? ext->prior_kind : TMNET_PRIOR_CV;
	kp->hcov_q16 = ext ? ext->hcov_scale_q16 : TM_Q16_ONE;
	kp->_pad = 0;
	if (kp->kind >= __TMNET_PRIOR_MAX || kp->hcov_q16 == 0 ||
	    kp->hcov_q16 > TMNET_HCOV_SCALE_MAX_Q16)
		return -1;
	if (kp->kind == TMNET_PRIOR_DV) {
		__u64 tau = (__u64)ext->tau_q32;

		if (ext->tau_q32 < TMNET_TAU_MIN_Q32 || ext->tau_q32 > TMNET_TAU_MAX_Q32)
			return -1;
		/* u = h / (rate tau): < 2^17 (h <= 1e5, rate >= 100, tau >= 2^-7) */
		u_q44 = (__u64)tm_udiv128((tm_u128)h << 76, rate * tau);
		u_q62 = u_q44 < ((__u64)1 << 43) ?
			(__u64)tm_udiv128((tm_u128)h << 94, rate * tau) : 0;
		tm_dv_shape(u_q44, u_q62, &dv_p, &dv_g);
		/* phi = T p = h p / rate in Q32: h p / (rate 2^30) */
		kp->hgain = tm_div128_round((tm_s128)h * dv_p, rate << 30);
	}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			kp->q[i][j] = 0;
	/* discrete white-noise acceleration: dt^3/3, dt^2/2, dt */
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			tm_s128 q = (tm_s128)qa[i][j] * sc;
			__s64 pp = tm_div128_round(q, 3 * rate * rate * rate);
			__s64 pv = tm_div128_round(q, 2 * rate * rate);
			__s64 vv = tm_div128_round(q, rate);

			kp->q[i][j] = pp;
			kp->q[i][2 + j] = pv;
			kp->q[2 + i][j] = pv;
			kp->q[2 + i][2 + j] = vv;
			/* horizon: Qa T^3 / 3 = Qa h^3 / (3 rate^3) (CV) */
			if (kp->kind == TMNET_PRIOR_CV)
				kp->qh_pp[i][j] = tm_div128_round(q * (tm_s128)(h * h * h),
								  3 * rate * rate * rate);
			else	/* Qa T^3 g = Qa h^3 g / rate^3 (DV) */
				kp->qh_pp[i][j] = tm_muldiv_q62(q * (tm_s128)(h * h * h), dv_g,
								rate * rate * rate);
		}
	}
	/*
	 * Rounding keeps Q positive semidefinite.  The exact Q = Qa (x) K is
	 * PSD (the validator checks Qa; K, the white-noise-acceleration
	 * kernel, is positive definite).  Each rounded entry is within 1/2 of
	 * its exact value, so the rounding error E (4x4, symmetric) has
	 * ||E||_2 <= ||E||_F <= 2, so Q + 2 I = Q_exact + (E + 2 I) >= 0.
	 * Without it a tiny qa_xx can round to 0 while its qa_xy term does
	 * not (an indefinite Q: the tick fuzzer found a negative velocity
	 * variance after a dropout).  The same for the 2x2 horizon block
	 * (||E||_2 <= 1), whose exact value Qa K (K = T^3 / 3 or the DV
	 * integral, > 0) is PSD for both kinds: the DV entries are within 1/2
	 * plus the shape function's error (< 2^-50 relative) of it, so one
	 * ulp still covers them below 2^49 units of the last place, and above
	 * that the relative error is what matters (test_kalman).  The cost:
	 * two units in the last place of Q.
	 */
	for (i = 0; i < 4; i++)
		kp->q[i][i] = tm_sat_add64(kp->q[i][i], 2);
	for (i = 0; i < 2; i++)
		kp->qh_pp[i][i] = tm_sat_add64(kp->qh_pp[i][i], 1);
	kp->r[0] = tm_sat_shr128((tm_s128)k->r_x * sc, 0);
	kp->r[1] = tm_sat_shr128((tm_s128)k->r_y * sc, 0);
	kp->p0_pos = tm_sat_shr128((tm_s128)k->p0_pos * sc, 0);
	kp->p0_vel = tm_sat_shr128((tm_s128)k->p0_vel * sc, 0);
	if (kp->r[0] >= TM_KF_P_LIMIT || kp->r[1] >= TM_KF_P_LIMIT ||
	    kp->p0_pos >= TM_KF_P_LIMIT || kp->p0_vel >= TM_KF_P_LIMIT)
		return -1;
	kp->stale_ticks = k->stale_ticks;
	kp->horizon_ticks = horizon_ticks;
	return 0;
}

/* Loops: 4 x 4 (the state dimension) */
void tm_kf_reset(struct tm_kf *kf)
{
	int i, j;

	for (i = 0; i < 4; i++) {
		kf->x[i] = 0;
		for (j = 0; j < 4; j++)
			kf->p[i][j] = 0;
	}
	kf->init = 0;
	kf->missing = 0;
}

/*
 * Every sum below saturates (tm_sat_add64): with parameters at the
 * validator's limits a per-tick term can already saturate (q for
 * qa = 2^20 units^2/s^3 at cs = 24), and a long dropout lets x run away;
 * a saturated P is then caught by the range check and the filter restarts.
 * Loops: fixed trip counts (2 and 4, the state dimension).
 */
static void tm_kf_predict(struct tm_kf *kf, const struct tm_kf_params *kp)
{
	__s64 (*p)[4] = kf->p;
	__s64 pv[2][2], pp[2][2];
	__s64 dt = kp->dt;
	int i, j;

	kf->x[0] = tm_sat_add64(kf->x[0], tm_mul_q32(kf->x[2], dt));
	kf->x[1] = tm_sat_add64(kf->x[1], tm_mul_q32(kf->x[3], dt));

	/* B' = B + dt C  (pos-vel block) */
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			pv[i][j] = tm_sat_add64(p[i][2 + j], tm_mul_q32(dt, p[2 + i][2 + j]));
	/* A' = A + dt B^T + dt B'  (upper triangle) */
	for (i = 0; i < 2; i++)
		for (j = i; j < 2; j++)
			pp[i][j] = tm_sat_add3_64(p[i][j], tm_mul_q32(dt, p[j][2 + i]),
						  tm_mul_q32(dt, pv[i][j]));

	p[0][0] = tm_sat_add64(pp[0][0], kp->q[0][0]);
	p[0][1] = tm_sat_add64(pp[0][1], kp->q[0][1]);
	p[1][1] = tm_sat_add64(pp[1][1], kp->q[1][1]);
	p[1][0] = p[0][1];
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			p[i][2 + j] = tm_sat_add64(pv[i][j], kp->q[i][2 + j]);
			p[2 + j][i] = p[i][2 + j];
		}
	p[2][2] = tm_sat_add64(p[2][2], kp->q[2][2]);
	p[2][3] = tm_sat_add64(p[2][3], kp->q[2][3]);
	p[3][3] = tm_sat_add64(p[3][3], kp->q[3][3]);
	p[3][2] = p[2][3];
	/* out of the scaled range: restart at the next sample */
	for (i = 0; i < 4; i++)
		if (p[i][i] >= TM_KF_P_LIMIT)
			kf->init = 0;
}

/*
 * Scalar position update on axis a with measurement z.
 * Loops: 4 gains, 4 states, 4 + 10 covariance entries; no data-dependent
 * trip count (the normalisation uses tm_bitlen64, not a shift loop).
 */
static void tm_kf_update_axis(struct tm_kf *kf, const struct tm_kf_params *kp,
			      int a, __s64 z)
{
	__s64 (*p)[4] = kf->p;
	__s64 s = tm_sat_add64(p[a][a], kp->r[a]);
	__s64 k[4], innov, sn;
	__u64 inv;
	unsigned int e;
	int i, j;

	if (s <= 0)
		return;		/* cannot happen for a validated model */
	/*
	 * reciprocal with a 31-bit normalised divisor: inv ~ 2^62 / sn.
	 * e from the bit length (constant time; it was a shift loop).
	 */
	e = tm_bitlen64((__u64)s);
	e = e > 31 ? e - 31 : 0;
	sn = s >> e;
	inv = (((__u64)1 << 62) + (__u64)sn / 2) / (__u64)sn;
	/* k_i = p_ia / s in Q32: p_ia * inv / 2^(62 + e - 32) */
	for (i = 0; i < 4; i++)
		k[i] = tm_sat_shr128((tm_s128)p[i][a] * (tm_s128)inv, 30 + e);

	innov = tm_sat_sub64(z, kf->x[a]);
	for (i = 0; i < 4; i++)
		kf->x[i] = tm_sat_add64(kf->x[i], tm_mul_q32(k[i], innov));
	/*
	 * P -= p_a p_a' / s (upper triangle, mirrored).  The product is exact
	 * (128 bits) and the division uses a 64-bit reciprocal rounded down,
	 * so every subtracted term is at most the exact one in magnitude
	 * (error < 2 units): a diagonal entry never drops below its exact
	 * value p_ii - p_ia^2 / s >= 0.  Through the Q32 gain (relative
	 * error 2^-31) the Schur complement of a nearly singular P (r far
	 * below p_aa, or x/y correlated to the edge) went negative: found by
	 * fuzz_tick, tests/unit/test_fuzz_tick.c.
	 */
	{
		__s64 pa[4];
		unsigned int ez = 64 - tm_bitlen64((__u64)s);	/* s << ez in [2^63, 2^64) */
		__u64 rinv = tm_recip127((__u64)s << ez);

		for (j = 0; j < 4; j++)
			pa[j] = p[a][j];
		for (i = 0; i < 4; i++)
			for (j = i; j < 4; j++) {
				tm_s128 x = (tm_s128)pa[i] * pa[j];
				__s64 q = tm_mulhi_shr(x < 0 ? (tm_u128)-x : (tm_u128)x, rinv,
						       127 - ez);

				p[i][j] = tm_sat_sub64(p[i][j], x < 0 ? -q : q);
				p[j][i] = p[i][j];
			}
	}
}

/* Loops: 4 x 4 at (re)initialisation; predict and two updates otherwise */
void tm_kf_step(struct tm_kf *kf, const struct tm_kf_params *kp,
		int valid, __s64 zx, __s64 zy, __s64 vx0, __s64 vy0)
{
	int i, j;

	if (!kf->init) {
		if (!valid)
			return;
		kf->x[0] = zx;
		kf->x[1] = zy;
		kf->x[2] = vx0;
		kf->x[3] = vy0;
		for (i = 0; i < 4; i++)
			for (j = 0; j < 4; j++)
				kf->p[i][j] = 0;
		kf->p[0][0] = kp->p0_pos;
		kf->p[1][1] = kp->p0_pos;
		kf->p[2][2] = kp->p0_vel;
		kf->p[3][3] = kp->p0_vel;
		kf->init = 1;
		kf->missing = 0;
		return;
	}
	tm_kf_predict(kf, kp);
	if (!kf->init) {
		kf->missing = 0xffffffffU;	/* stale until re-initialised */
		return;
	}
	if (valid) {
		tm_kf_update_axis(kf, kp, 0, zx);
		tm_kf_update_axis(kf, kp, 1, zy);
		kf->missing = 0;
	} else if (kf->missing != 0xffffffffU) {
		kf->missing++;
	}
}

void tm_kf_horizon(const struct tm_kf *kf, const struct tm_kf_params *kp,
		   __s64 pos[2], __s64 cov[2][2])
{
	const __s64 (*p)[4] = (const __s64 (*)[4])kf->p;
	__s64 t = kp->hgain;
	int i, j;

	pos[0] = tm_sat_add64(kf->x[0], tm_mul_q32(kf->x[2], t));
	pos[1] = tm_sat_add64(kf->x[1], tm_mul_q32(kf->x[3], t));
	/*
	 * hcov (A + phi (B + B^T) + phi^2 C + Qh), upper triangle then mirror
	 * (3 entries).  The sum is below 2^66 and hcov below 2^32, so the
	 * product fits; one rounding shift by cs + 16 removes the scale 2^cs
	 * and the Q16 of hcov.  For hcov = 2^16 it is the shift by cs of the
	 * sum bit for bit (round half away from zero of v 2^16 / 2^(cs + 16)
	 * is that of v / 2^cs), so a model without calibration keeps its
	 * output exactly.
	 */
	for (i = 0; i < 2; i++)
		for (j = i; j < 2; j++) {
			__s64 b = tm_sat_add64(p[i][2 + j], p[j][2 + i]);
			__s64 c = tm_mul_q32(t, p[2 + i][2 + j]);
			tm_s128 v = (tm_s128)p[i][j] + tm_mul_q32(t, b) + tm_mul_q32(t, c) +
				    kp->qh_pp[i][j];

			cov[i][j] = tm_sat_shr128(v * kp->hcov_q16, kp->cs + 16);
		}
	cov[1][0] = cov[0][1];
}
