// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-point primitives of the tmnet core: rounding shifts, saturation,
 * integer square roots, requantisation, CRC-32 and the activation LUTs.
 */
#include "tm_core.h"
#include "tm_lut_table.h"

#define TM_S64_MAX ((__s64)0x7fffffffffffffffLL)
#define TM_S64_MIN (-TM_S64_MAX - 1)

void tm_memzero(void *p, __u32 n)
{
	__u8 *b = p;

	while (n--)
		*b++ = 0;
}

__s64 tm_sat_shr128(tm_s128 v, unsigned int sh)
{
	tm_s128 r;

	if (sh == 0) {
		r = v;
	} else if (sh >= 127) {
		return 0;
	} else {
		tm_s128 half = (tm_s128)1 << (sh - 1);

		/* round half away from zero, symmetric for negatives */
		if (v >= 0)
			r = (v + half) >> sh;
		else
			r = -((-v + half) >> sh);
	}
	if (r > (tm_s128)TM_S64_MAX)
		return TM_S64_MAX;
	if (r < (tm_s128)TM_S64_MIN)
		return TM_S64_MIN;
	return (__s64)r;
}

__s64 tm_mul_q32(__s64 a, __s64 b)
{
	return tm_sat_shr128((tm_s128)a * b, 32);
}

__s32 tm_sat_s32(__s64 v)
{
	if (v > 0x7fffffff)
		return 0x7fffffff;
	if (v < -0x7fffffff - 1)
		return -0x7fffffff - 1;
	return (__s32)v;
}

__s32 tm_requant(__s64 acc, __s32 mult, __s32 shift)
{
	/* |acc| < 2^32 and mult < 2^31 in every caller: the product fits */
	return tm_sat_s32(tm_sat_shr128((tm_s128)acc * mult,
					(unsigned int)(31 + shift)));
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

/* Knots every 1/32 over [-8, 8]: Q12 input -> index = (x + 8) * 32 */
static __s16 tm_lut_eval(const __s16 *t, __s32 x, __u32 *sat)
{
	__s32 u, idx, frac, a, b;

	if (x < TM_LUT_IN_MIN) {
		x = TM_LUT_IN_MIN;
		(*sat)++;
	} else if (x > TM_LUT_IN_MAX) {
		x = TM_LUT_IN_MAX;
		(*sat)++;
	}
	u = x - TM_LUT_IN_MIN;		/* 0 .. 65535 */
	idx = u >> 7;			/* 4096 / 32 = 128 per knot */
	frac = u & 127;
	a = t[idx];
	b = t[idx + 1];
	return (__s16)(a + (((b - a) * frac + 64) >> 7));
}

__s16 tm_sigmoid_q15(__s32 x_q12, __u32 *sat)
{
	return tm_lut_eval(tm_sigmoid_knots, x_q12, sat);
}

__s16 tm_tanh_q15(__s32 x_q12, __u32 *sat)
{
	return tm_lut_eval(tm_tanh_knots, x_q12, sat);
}
