// SPDX-License-Identifier: GPL-2.0
/*
 * INT8 GRU step (PyTorch gate order r, z, n) and linear head.
 *
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h  =  n + z * (h - n)
 *
 * x: int8 with scale 2^-in_frac; h: Q15 in s16; weights int8 with a scale
 * per output row folded into a requantisation (mult, shift) that maps the
 * int32 accumulator to Q12.  Biases are Q12.  Head: Q16 outputs.
 */
#include "tm_core.h"
#include "tm_lut_table.h"

/* Knots every 1/32 over [-8, 8]: Q12 input -> index = (x + 8) * 32 */
static inline __s16 tm_lut_eval(const __s16 *t, __s32 x, __u32 *sat)
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

/* round-to-nearest (half up) of v / 2^sh for the small shifts used here */
static __s32 tm_rshift_round(__s32 v, unsigned int sh)
{
	return (v + (1 << (sh - 1))) >> sh;
}

__s8 tm_quant_input(__s32 f, __s32 mean, __s32 inv_std, __u32 in_frac, __u32 *sat)
{
	__s64 d = (__s64)f - mean;			/* Q16.16, |d| < 2^32 */
	__s64 q = tm_sat_shr128((tm_s128)d * inv_std, 32 - in_frac);

	if (q > 127) {
		(*sat)++;
		return 127;
	}
	if (q < -127) {
		(*sat)++;
		return -127;
	}
	return (__s8)q;
}

void tm_model_pack(struct tm_model *m)
{
	unsigned int p, k;

	for (p = 0; p < TM_G3 / 2; p++) {
		for (k = 0; k < TMNET_MAX_FEATURES; k++)
			m->wp_ih[p][k] = (__s64)m->w_ih[2 * p][k] +
					 (__s64)m->w_ih[2 * p + 1][k] * 4294967296LL;
		for (k = 0; k < TMNET_MAX_HIDDEN; k++)
			m->wp_hh[p][k] = (__s64)m->w_hh[2 * p][k] +
					 (__s64)m->w_hh[2 * p + 1][k] * 4294967296LL;
	}
}

/* split a packed accumulator A + B 2^32 (|A|, |B| < 2^31) into A and B */
static inline void tm_unpack(__s64 acc, __s32 *lo, __s32 *hi)
{
	__s32 a = (__s32)(__u32)((__u64)acc & 0xffffffffU);

	*lo = a;
	*hi = (__s32)((acc - a) >> 32);	/* exact: a multiple of 2^32 */
}

/*
 * Worst case: every loop has a constant trip count or one bounded by
 * TMNET_MAX_HIDDEN / TMNET_MAX_FEATURES (H and F are clamped here as well
 * as by the validator, so no blob can raise them): P <= 48 row pairs of
 * 8 + 32 packed multiply-adds, then H <= 32 activations.
 */
void tm_gru_step(const struct tm_model *m, __s16 *h, const __s8 *x,
		 struct tm_gru_sat *sat)
{
	const unsigned int H = tm_gru_hidden(m), F = tm_gru_feat(m);
	const unsigned int P = (3 * H + 1) / 2;
	/* see tm_model_pack(): wp_* are zero past F and H */
	__s32 gi[TM_G3], gh[TM_G3];	/* Q12 pre-activations, saturated */
	__s64 hw[TMNET_MAX_HIDDEN], xw[TMNET_MAX_FEATURES];
	__s16 hn[TMNET_MAX_HIDDEN];
	unsigned int p, k, row;

	for (k = 0; k < TMNET_MAX_HIDDEN; k++)
		hw[k] = k < H ? h[k] : 0;	/* rows are zero-padded past H */
	for (k = 0; k < TMNET_MAX_FEATURES; k++)
		xw[k] = k < F ? x[k] : 0;	/* and past F */
	for (p = 0; p < P; p++) {
		const __s64 *wi = m->wp_ih[p];
		const __s64 *wh = m->wp_hh[p];
		__s64 ai = 0, ah0 = 0, ah1 = 0, ah2 = 0, ah3 = 0;
		__s32 i0, i1, h0, h1;

		/* fixed trip counts, fully unrolled: zero padding is cheaper */
#pragma GCC unroll 8
		for (k = 0; k < TMNET_MAX_FEATURES; k++)
			ai += wi[k] * xw[k];
#pragma GCC unroll 8
		for (k = 0; k < TMNET_MAX_HIDDEN; k += 4) {
			ah0 += wh[k] * hw[k];
			ah1 += wh[k + 1] * hw[k + 1];
			ah2 += wh[k + 2] * hw[k + 2];
			ah3 += wh[k + 3] * hw[k + 3];
		}
		tm_unpack(ai, &i0, &i1);
		tm_unpack(ah0 + ah1 + ah2 + ah3, &h0, &h1);
		row = 2 * p;
		gi[row] = tm_sat_s32((__s64)tm_requant(i0, m->rq_ih[row].mult,
								m->rq_ih[row].shift) + m->b_ih[row]);
		gh[row] = tm_sat_s32((__s64)tm_requant(h0, m->rq_hh[row].mult,
								m->rq_hh[row].shift) + m->b_hh[row]);
		if (row + 1 < 3 * H) {
			gi[row + 1] = tm_sat_s32((__s64)tm_requant(i1, m->rq_ih[row + 1].mult,
								    m->rq_ih[row + 1].shift) +
						 m->b_ih[row + 1]);
			gh[row + 1] = tm_sat_s32((__s64)tm_requant(h1, m->rq_hh[row + 1].mult,
								    m->rq_hh[row + 1].shift) +
						 m->b_hh[row + 1]);
		}
	}
	for (k = 0; k < H; k++) {
		__s32 r = tm_sigmoid_q15(tm_sat_s32((__s64)gi[k] + gh[k]), &sat->act);
		__s32 z = tm_sigmoid_q15(tm_sat_s32((__s64)gi[H + k] + gh[H + k]),
					 &sat->act);
		/* r (Q15) * gh_n (Q12) -> Q12, |product| < 2^47 */
		__s64 rn = ((__s64)r * gh[2 * H + k] + 16384) >> 15;
		__s32 n = tm_tanh_q15(tm_sat_s32((__s64)gi[2 * H + k] + rn), &sat->act);
		__s32 d = (__s32)h[k] - n;		/* |d| < 2^16 */

		hn[k] = (__s16)(n + tm_rshift_round(z * d, 15));
	}
	for (k = 0; k < H; k++)
		h[k] = hn[k];
}

void tm_gru_head(const struct tm_model *m, const __s16 *h, __s32 out[TMNET_N_OUT],
		 struct tm_gru_sat *sat)
{
	const unsigned int H = tm_gru_hidden(m);
	unsigned int o, k;

	/* TMNET_N_OUT x H <= TMNET_MAX_HIDDEN multiply-adds */
	for (o = 0; o < TMNET_N_OUT; o++) {
		__s32 acc = 0;
		__s64 v;

		for (k = 0; k < H; k++)
			acc += (__s32)m->w_out[o][k] * h[k];
		v = (__s64)tm_requant(acc, m->rq_out[o].mult, m->rq_out[o].shift) +
		    m->b_out[o];
		if (v > 0x7fffffff || v < -0x7fffffff) {
			sat->out++;
			v = v > 0 ? 0x7fffffff : -0x7fffffff;
		}
		out[o] = (__s32)v;
	}
}
