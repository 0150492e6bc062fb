// SPDX-License-Identifier: GPL-2.0
/*
 * The gate: is the network's correction r plausible under the prior's
 * horizon covariance S?  d^2 = r' S^-1 r is compared with a chi-square
 * threshold.  S is 2x2 (the x/y position block), so d^2 has a closed form,
 *
 *     d^2 = (s11 r0^2 - 2 s01 r0 r1 + s00 r1^2) / (s00 s11 - s01^2)
 *         = N / det,
 *
 * which is evaluated here exactly, with 128-bit integers, in constant time:
 * no loop, no data-dependent branch count, a fixed number of multiplies
 * (TM_GATE_MACS_2X2).  The reported d2_q16 is ceil(d^2 2^16), exactly, so
 * "d2_q16 <= chi2_q16" is the same test as "d^2 <= chi2" on the system as
 * represented in fixed point, and the certificate (the relative error of
 * the solve) is 0.
 *
 * Units.  s is Q32.32 and r is Q16.16 (the network's displacement), so
 * with the raw integers d^2 = r' s^-1 r 2^32 / 2^32 = N / det: the scale
 * factors cancel.
 *
 * Ranges (why nothing overflows, for every s64 S and s32 r):
 *   s00, s11 in (0, 2^63)  (checked: otherwise S is not positive definite)
 *   |s01| <= 2^63,  |r_i| <= 2^31,  so r_i r_j <= 2^62 in magnitude
 *   s00 s11 < 2^126 and s01^2 <= 2^126 in u128:  det = s00 s11 - s01^2,
 *     computed only when s00 s11 > s01^2, lies in [1, 2^126)
 *   P = s11 r0^2 + s00 r1^2 < 2 * 2^63 * 2^62 = 2^126  (u128)
 *   C = 2 s01 r0 r1, |C| <= 2^126  (s128)
 *   N = P - C = r' adj(S) r >= 0 because adj(S) is positive definite when
 *     S is; N < 2^127 (u128)
 *
 * Division.  q = ceil(N 2^16 / det) is wanted only below 2^32 - 1 (chi2 is
 * at most TMNET_GATE_CHI2_MAX; larger values saturate):
 *   - N >= det 2^16, i.e. (N >> 16) >= det, means q >= 2^32: saturate.
 *   - Otherwise X = N 2^16 < det 2^32.  With k = max(0, bitlen(det) - 32),
 *     dt = det >> k has 32 significant bits (or det itself when k = 0) and
 *     xt = X >> k < 2^32 (dt + 1) <= 2^64, so qe = xt / dt is one 64-bit
 *     division.  det < (dt + 1) 2^k and xt / (dt (dt + 1)) < 2^32 / dt <= 2
 *     give qe - 2 < X / det < qe + 1, so floor(X / det) is qe - 2, qe - 1 or
 *     qe.  Starting from q0 = max(qe - 2, 0), the remainder R = X - q0 det
 *     lies in [0, 3 det), below 2^128 (det < 2^126): it is computed modulo
 *     2^128 (unsigned wrap-around, well defined) and is then exact.  Two
 *     fixed correction steps bring it into [0, det); q = q0 + (R != 0).
 *
 * Fallbacks.  budget < TM_GATE_MACS_2X2: reason budget (nothing computed).
 * s00 <= 0, s11 <= 0 or det <= 0: S is not positive definite, no d^2 and
 * no certificate exist: reason cert (the code of "cannot certify").
 * d^2 > chi2: reason chi2.  eps is no longer consulted: the certificate is
 * 0, which every eps accepts.
 */
#include "tm_core.h"

static __u64 tm_abs64(__s64 v)
{
	return v < 0 ? (__u64)0 - (__u64)v : (__u64)v;
}

void tm_gate_2x2(const __s64 s[3], const __s32 r[2], __u32 budget, __u32 chi2_q16,
		 struct tm_gate_result *res)
{
	const __s64 a = s[0], b = s[1], c = s[2];
	const __s64 r0 = r[0], r1 = r[1];
	tm_u128 ac, bb, det, pos, n, x, rem;
	tm_s128 cross;
	__u64 q, xt, dt, b_abs;
	unsigned int k;

	res->pass = 0;
	res->reason = TMNET_REASON_CERT;
	res->cert_q16 = TMNET_CERT_NONE;
	res->d2_q16 = 0xffffffffU;
	res->macs = 0;
	if (budget < TM_GATE_MACS_2X2) {
		res->reason = TMNET_REASON_BUDGET;
		return;
	}
	if (a <= 0 || c <= 0)
		return;		/* not positive definite */
	b_abs = tm_abs64(b);
	ac = (tm_u128)(__u64)a * (__u64)c;
	bb = (tm_u128)b_abs * b_abs;
	res->macs = TM_GATE_MACS_DET;
	if (ac <= bb)
		return;		/* det <= 0: not positive definite */
	det = ac - bb;		/* [1, 2^126) */

	/* N = r' adj(S) r, exactly */
	pos = (tm_u128)(__u64)c * (__u64)(r0 * r0) + (tm_u128)(__u64)a * (__u64)(r1 * r1);
	cross = (tm_s128)b * (r0 * r1) * 2;
	n = cross >= 0 ? pos - (tm_u128)cross : pos + (tm_u128)(-cross);
	res->macs = TM_GATE_MACS_2X2;
	res->cert_q16 = 0;

	if ((n >> 16) >= det) {
		q = 0xffffffffU;	/* d^2 >= 2^16: saturate */
	} else {
		/* X = N 2^16 < det 2^32; its low 128 bits are all we need */
		x = n << 16;
		k = tm_bitlen128(det);
		k = k > 32 ? k - 32 : 0;
		dt = (__u64)(det >> k);
		xt = k >= 16 ? (__u64)(n >> (k - 16)) : (__u64)(n << (16 - k));
		q = xt / dt;
		q = q >= 2 ? q - 2 : 0;
		rem = x - det * q;	/* exact: the true value is in [0, 3 det) */
		if (rem >= det) {
			rem -= det;
			q++;
		}
		if (rem >= det) {
			rem -= det;
			q++;
		}
		q += rem != 0;		/* ceil */
		if (q > 0xffffffffU)
			q = 0xffffffffU;
	}
	res->d2_q16 = (__u32)q;
	if (res->d2_q16 <= chi2_q16) {
		res->pass = 1;
		res->reason = TMNET_REASON_OK;
	} else {
		res->reason = TMNET_REASON_CHI2;
	}
}
