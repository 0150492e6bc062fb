// SPDX-License-Identifier: GPL-2.0
/*
 * The gate: is the network's correction r plausible under the prior's
 * horizon covariance S?  d^2 = r' S^-1 r is compared with a chi-square
 * threshold, where S^-1 r comes from a budgeted fixed-point Gauss-Seidel
 * solve that carries a rigorous a-posteriori error certificate.
 *
 * Scaling.  S and r arrive in Q32.32.  S is scaled by 2^-e and r by 2^-e/2
 * (e even, rounded to nearest) so that max(diag S) lies in [2^28, 2^30);
 * d^2 is invariant under that scaling.  The certificate is a statement about
 * the scaled system s y = rho, whose entries differ from the Q32.32 inputs
 * by at most half a unit in the last place (relative 2^-29).
 *
 * Certificate.  For symmetric positive definite s with smallest eigenvalue
 * lambda_min >= lb > 0 (Gershgorin: lb = min_i s_ii - sum_{j!=i} |s_ij|), and
 * any iterate y_k, the exact residual res = s y_k - rho gives
 *     ||y - y_k||_2 = ||s^-1 res||_2 <= ||res||_2 / lambda_min <= ||res||_2 / lb.
 * The residual is computed exactly in 128-bit integers.  No square root is
 * needed: ||res||_2 <= ||res||_1 and ||y_k||_2 >= ||y_k||_inf, so with
 * E = ||res||_1 / lb (rounded up):
 *     ||y - y_k||_2 / ||y||_2 <= E / (||y_k||_inf - E)   (if ||y_k||_inf > E).
 * Every division in the bound is rounded up (tm_div_ub), so the reported
 * certificate is never below the true bound.  The norms cost up to a factor
 * sqrt(n) in tightness, which costs about one extra sweep.
 * d^2 then lies within rho' y_k +- ||rho||_1 E.  The gate passes only if the
 * upper end is <= chi2 (a pass is a proof that d^2 <= chi2 for the scaled
 * system), rejects (chi2) if the lower end is above it, and otherwise keeps
 * iterating within the budget; a solve that cannot decide fails.
 *
 * Early rejection: d^2 >= ||rho||^2 / lambda_max >= ||rho||^2 / ub with the
 * Gershgorin upper bound ub; when that already exceeds chi2 the correction
 * is rejected (reason chi2) without a solve.
 */
#include "tm_core.h"

#define TM_GATE_YFRAC	32		/* fraction bits of the iterate */
#define TM_GATE_KAPPA_SHIFT 16		/* refuse lb < max_diag / 2^16 */
#define TM_GATE_STALL	3		/* sweeps without progress -> cert */

static __u64 tm_abs64(__s64 v)
{
	return v < 0 ? (__u64)0 - (__u64)v : (__u64)v;
}

static tm_u128 tm_abs128(tm_s128 v)
{
	return v < 0 ? (tm_u128)(-v) : (tm_u128)v;
}

/* v * 2^-sh (sh < 0: left shift), rounded to nearest, saturating */
static __s64 tm_scale_pow2(__s64 v, int sh)
{
	if (sh >= 0)
		return tm_sat_shr128((tm_s128)v, (unsigned int)sh);
	if (sh < -62)
		return v == 0 ? 0 : (v > 0 ? 0x7fffffffffffffffLL : -0x7fffffffffffffffLL);
	return tm_sat_shr128((tm_s128)v * ((tm_s128)1 << (unsigned int)(-sh)), 0);
}

/*
 * An upper bound of num / den (den > 0), saturating at 2^64 - 1, without a
 * 128-bit division: den is rounded down to 32 significant bits, num up by
 * the same power of two, then a two-step 64-bit long division rounds up.
 * Relative looseness <= 2^-31.
 */
static __u64 tm_div_ub(tm_u128 num, tm_u128 den)
{
	unsigned int k = 0;
	__u64 d, a, b, q1, r1, q0, r0;
	tm_u128 nu, q;

	while ((den >> k) >= ((tm_u128)1 << 32))
		k++;
	d = (__u64)(den >> k);
	nu = (num >> k) + ((num & ((((tm_u128)1) << k) - 1)) != 0);
	if (nu >= ((tm_u128)d << 63))
		return ~(__u64)0;
	a = (__u64)(nu >> 32);		/* < 2^63 */
	b = (__u64)(nu & 0xffffffffU);
	q1 = a / d;
	r1 = a % d;			/* < 2^32 */
	q0 = ((r1 << 32) | b) / d;
	r0 = ((r1 << 32) | b) % d;
	q = ((tm_u128)q1 << 32) + q0 + (r0 != 0);
	return q > ~(__u64)0 ? ~(__u64)0 : (__u64)q;
}

static __u32 tm_sat_u32(__u64 v)
{
	return v > 0xffffffffU ? 0xffffffffU : (__u32)v;
}

void tm_gate_solve(const __s64 *s_in, const __s64 *r_in, unsigned int n,
		   __u32 eps_q16, __u32 budget, __u32 chi2_q16,
		   struct tm_gate_result *res)
{
	__s64 s[TM_GATE_MAX_N * TM_GATE_MAX_N];
	__s64 rho[TM_GATE_MAX_N], y[TM_GATE_MAX_N];
	__u64 inv[TM_GATE_MAX_N];
	unsigned int ish[TM_GATE_MAX_N];
	__u64 maxd = 0, maxd_s = 0, lb_min = ~(__u64)0, ub_max = 0;
	tm_u128 rho_sq = 0, rho_l1 = 0;
	__u32 best_cert = 0xffffffffU, stall = 0, cost_iter;
	unsigned int i, j;
	int e, nz = 0;

	res->pass = 0;
	res->reason = TMNET_REASON_CERT;
	res->cert_q16 = TMNET_CERT_NONE;
	res->d2_q16 = 0xffffffffU;
	res->macs = 0;
	res->iters = 0;
	res->scale_e = 0;
	for (i = 0; i < TM_GATE_MAX_N; i++)
		res->y[i] = 0;
	if (n == 0 || n > TM_GATE_MAX_N || chi2_q16 > TMNET_GATE_CHI2_MAX)
		return;
	/*
	 * The budget covers everything: the Gershgorin bounds (n^2), the early
	 * chi2 test (n) and at least one residual check with its d^2 product
	 * (n^2 + 3n + 1).  A smaller budget cannot decide anything.
	 */
	if (budget < 2 * n * n + 4 * n + 1) {
		res->reason = TMNET_REASON_BUDGET;
		return;
	}

	for (i = 0; i < n; i++) {
		if (s_in[i * n + i] <= 0)
			return;		/* not positive definite: cannot certify */
		if ((__u64)s_in[i * n + i] > maxd)
			maxd = (__u64)s_in[i * n + i];
	}
	/* even e with maxd * 2^-e in [2^28, 2^30) */
	e = 0;
	while (e < 62 && (maxd >> e) >= ((__u64)1 << 30))
		e += 2;
	if (e == 0)
		while (e > -60 && (maxd << (unsigned int)(-e)) < ((__u64)1 << 28))
			e -= 2;
	res->scale_e = e;
	for (i = 0; i < n * n; i++)
		s[i] = tm_scale_pow2(s_in[i], e);
	for (i = 0; i < n; i++) {
		rho[i] = tm_scale_pow2(r_in[i], e / 2);
		if (rho[i])
			nz = 1;
		if (tm_abs64(rho[i]) >= ((__u64)1 << 60)) {
			res->reason = TMNET_REASON_CHI2;	/* absurdly large */
			return;
		}
		rho_sq += (tm_u128)((tm_s128)rho[i] * rho[i]);
		rho_l1 += tm_abs64(rho[i]);
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (s[i * n + j] != s[j * n + i])
				return;		/* not symmetric */

	/* Gershgorin bounds on the spectrum */
	for (i = 0; i < n; i++) {
		__u64 off = 0, d = (__u64)s[i * n + i];

		for (j = 0; j < n; j++)
			if (j != i)
				off += tm_abs64(s[i * n + j]);
		if (s[i * n + i] <= 0 || off >= d)
			return;	/* Gershgorin cannot bound lambda_min above 0 */
		if (d - off < lb_min)
			lb_min = d - off;
		if (d + off > ub_max)
			ub_max = d + off;
		if (d > maxd_s)
			maxd_s = d;
	}
	res->macs += n * n;
	if ((lb_min << TM_GATE_KAPPA_SHIFT) < maxd_s)
		return;	/* too ill-conditioned for the fixed-point iterate */

	if (!nz) {
		/* r = 0: y = 0 exactly, d^2 = 0 */
		res->cert_q16 = 0;
		res->d2_q16 = 0;
		res->pass = 1;
		res->reason = TMNET_REASON_OK;
		return;
	}

	/* Early rejection: d^2 >= |rho|^2 / (ub 2^32) > chi2 */
	res->macs += n;
	if (rho_sq > (tm_u128)chi2_q16 * ub_max * ((tm_u128)1 << 16)) {
		res->reason = TMNET_REASON_CHI2;
		return;
	}

	for (i = 0; i < n; i++) {
		__u64 d = (__u64)s[i * n + i];	/* in [lb, 2^30) */

		ish[i] = 0;
		while ((d << ish[i]) < ((__u64)1 << 30))
			ish[i]++;
		/* inv ~ 2^62 / (d 2^ish), in (2^31, 2^32] */
		inv[i] = (((__u64)1 << 62) + (d << ish[i]) / 2) / (d << ish[i]);
		/* Jacobi start: y_i = rho_i 2^32 / d */
		y[i] = tm_sat_shr128((tm_s128)rho[i] * (tm_s128)inv[i],
				     62 - ish[i] - TM_GATE_YFRAC);
	}
	/* one sweep, the residual check and the d^2 dot product */
	cost_iter = 2 * n * n + 3 * n + 1;

	for (;;) {
		tm_u128 res_l1 = 0;
		__u64 y_inf = 0, e_ub;
		__u32 cert;

		/* exact residual 2^32 (s y - rho), |.| < 2^90 */
		for (i = 0; i < n; i++) {
			tm_s128 acc = -((tm_s128)rho[i] * ((tm_s128)1 << TM_GATE_YFRAC));

			for (j = 0; j < n; j++)
				acc += (tm_s128)s[i * n + j] * y[j];
			res_l1 += tm_abs128(acc);
			if (tm_abs64(y[i]) > y_inf)
				y_inf = tm_abs64(y[i]);
		}
		res->macs += n * n + 2 * n;
		e_ub = tm_div_ub(res_l1, lb_min);	/* error bound, Q32 */
		if (y_inf > e_ub)
			cert = tm_sat_u32(tm_div_ub((tm_u128)e_ub << 16, y_inf - e_ub));
		else
			cert = 0xffffffffU;
		res->cert_q16 = cert;
		for (i = 0; i < n; i++)
			res->y[i] = y[i];
		if (cert <= eps_q16) {
			/*
			 * d^2 2^64 = rho' y  lies within rho' y_k +- ||rho||_1 E
			 * (y in Q32).  Decide when the interval is on one side
			 * of chi2; otherwise iterate on to tighten it.
			 */
			tm_s128 dot = 0, lo, hi, lim;

			for (i = 0; i < n; i++)
				dot += (tm_s128)rho[i] * y[i];
			res->macs += n + 1;
			hi = dot + (tm_s128)(rho_l1 * e_ub);
			lo = dot - (tm_s128)(rho_l1 * e_ub);
			/* Q16: d2 / 2^48, rounded up */
			{
				tm_u128 h = hi < 0 ? 0 : (tm_u128)hi;

				h = (h + (((tm_u128)1 << 48) - 1)) >> 48;
				res->d2_q16 = h > 0xffffffffU ? 0xffffffffU : (__u32)h;
			}
			lim = (tm_s128)chi2_q16 * ((tm_s128)1 << 48);
			if (res->d2_q16 <= chi2_q16) {
				res->pass = 1;
				res->reason = TMNET_REASON_OK;
				return;
			}
			if (lo > lim) {
				res->reason = TMNET_REASON_CHI2;
				return;
			}
			/* ambiguous: keep iterating, within the budget */
			if (res->macs + cost_iter > budget) {
				res->reason = TMNET_REASON_BUDGET;
				return;
			}
		}
		if (cert < best_cert) {
			best_cert = cert;
			stall = 0;
		} else if (++stall >= TM_GATE_STALL) {
			/* rounding floor: cannot certify, or cannot decide chi2 */
			res->reason = cert <= eps_q16 ? TMNET_REASON_CHI2 :
							 TMNET_REASON_CERT;
			return;
		}
		if (res->macs + cost_iter > budget) {
			res->reason = TMNET_REASON_BUDGET;
			return;
		}
		/* one Gauss-Seidel sweep; |acc| < 2^90, inv <= 2^32 */
		for (i = 0; i < n; i++) {
			tm_s128 acc = (tm_s128)rho[i] * ((tm_s128)1 << TM_GATE_YFRAC);

			for (j = 0; j < n; j++)
				if (j != i)
					acc -= (tm_s128)s[i * n + j] * y[j];
			y[i] = tm_sat_shr128(acc * (tm_s128)inv[i], 62 - ish[i]);
		}
		res->macs += n * n;
		res->iters++;
	}
}
