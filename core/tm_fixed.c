// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-point primitives of the tmnet core: rounding shifts, saturation,
 * integer square roots and CRC-32.
 *
 * Worst case: of the loops below only tm_recip127's (two fixed correction
 * steps) runs in the tick (tm_tick() and what it calls).  tm_memzero
 * serves tm_state_reset() and model building, tm_udiv128 and
 * tm_exp_neg_q62 the load-time Kalman parameters, tm_crc32 the blob
 * validator; tm_isqrt_* is used by userspace only.  Their bounds: n bytes,
 * 128 steps, 2 x 32 series terms + 43 products, n bytes, at most 64
 * bisection steps.
 */
#include "tm_core.h"


void tm_memzero(void *p, __u32 n)
{
	__u8 *b = p;

	while (n--)
		*b++ = 0;
}

__u64 tm_isqrt_floor(tm_u128 v)
{
	__u64 lo = 0, hi;
	tm_u128 bits = v;
	unsigned int n = 0;

	if (v == 0)
		return 0;
	while (bits) {
		bits >>= 1;
		n++;
	}
	/* sqrt(v) < 2^ceil(n/2) */
	hi = ((__u64)1 << ((n + 1) / 2));
	if (hi == 0)
		hi = ~(__u64)0;
	/* invariant: lo^2 <= v < hi^2 */
	while (hi - lo > 1) {
		__u64 mid = lo + (hi - lo) / 2;

		if ((tm_u128)mid * mid <= v)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

__u64 tm_isqrt_ceil(tm_u128 v)
{
	__u64 f = tm_isqrt_floor(v);

	return ((tm_u128)f * f == v) ? f : f + 1;
}

tm_u128 tm_udiv128(tm_u128 n, __u64 d)
{
	tm_u128 q = 0, rem = 0;
	int i;

	if (d == 0)
		return ~(tm_u128)0;
	for (i = 127; i >= 0; i--) {
		rem = (rem << 1) | ((n >> i) & 1);
		if (rem >= d) {
			rem -= d;
			q |= (tm_u128)1 << i;
		}
	}
	return q;
}

/*
 * Knuth's algorithm D (Hacker's Delight, divlu) for the one numerator
 * 2^127 - 1 = u1 2^64 + u0 and a divisor that already has its top bit set,
 * so no normalising shift is needed.  Each quotient digit estimate is at
 * most two too large; the corrections run a fixed two times, each guarded
 * (this is in the tick: tm_kf_update_axis).
 */
__u64 tm_recip127(__u64 d)
{
	const __u64 b = (__u64)1 << 32;
	const __u64 u1 = 0x7fffffffffffffffULL, u0 = ~(__u64)0;
	const __u64 vn1 = d >> 32, vn0 = d & 0xffffffffU;
	const __u64 un1 = u0 >> 32, un0 = u0 & 0xffffffffU;
	__u64 q1, q0, rhat, un21;
	int k;

	if (d < ((__u64)1 << 63))
		return ~(__u64)0;	/* outside the contract */
	q1 = u1 / vn1;
	rhat = u1 - q1 * vn1;
	for (k = 0; k < 2; k++)
		if (rhat < b && (q1 >= b || q1 * vn0 > b * rhat + un1)) {
			q1--;
			rhat += vn1;
		}
	un21 = u1 * b + un1 - q1 * d;	/* mod 2^64: the true value is < d */
	q0 = un21 / vn1;
	rhat = un21 - q0 * vn1;
	for (k = 0; k < 2; k++)
		if (rhat < b && (q0 >= b || q0 * vn0 > b * rhat + un0)) {
			q0--;
			rhat += vn1;
		}
	return q1 * b + q0;
}

/*
 * e^-f for f in [0, 1] (Q62): the Taylor series, alternating, 32 terms
 * (1/32! < 2^-117).  Each term is rounded (half an ulp), so the sum is
 * within 32 ulp (2^-57) of e^-f.
 */
static __s64 tm_exp_neg_frac_q62(__u64 f_q62)
{
	__s64 sum = (__s64)1 << 62;
	__u64 term = (__u64)1 << 62;
	unsigned int k;

	for (k = 1; k <= 32; k++) {
		term = ((__u64)((tm_u128)term * f_q62 >> 62) + k / 2) / k;
		sum += (k & 1) ? -(__s64)term : (__s64)term;
	}
	return sum;
}

/*
 * e^-u in Q62 for u >= 0 in Q44 (load time: the damped-velocity prior's
 * constants).  e^-u = (e^-1)^n e^-f with n = floor(u), f = u - n; 0 for
 * n >= 44 (e^-44 < 2^-63, below half an ulp).  Error: the two series
 * (32 ulp each) and up to 43 rounded products (half an ulp each, on
 * factors < 1): below 2^-54 absolute.
 */
__u64 tm_exp_neg_q62(__u64 u_q44)
{
	__u64 n = u_q44 >> 44;
	__u64 f = (u_q44 & (((__u64)1 << 44) - 1)) << 18;
	__u64 e1, r;

	if (n >= 44)
		return 0;
	r = (__u64)tm_exp_neg_frac_q62(f);
	e1 = (__u64)tm_exp_neg_frac_q62((__u64)1 << 62);
	while (n--)
		r = (__u64)(((tm_u128)r * e1 + ((tm_u128)1 << 61)) >> 62);
	return r;
}

/* CRC-32/IEEE, nibble table: 64 bytes of table, no initialisation */
static const __u32 tm_crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

__u32 tm_crc32(__u32 crc, const void *buf, __u32 len)
{
	const __u8 *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ tm_crc_nibble[crc & 15];
		crc = (crc >> 4) ^ tm_crc_nibble[crc & 15];
	}
	return ~crc;
}
