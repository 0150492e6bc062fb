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

void tm_gru_step(const struct tm_model *m, __s16 *h, const __s8 *x,
		 struct tm_gru_sat *sat)
{
	const unsigned int H = m->hidden, F = m->n_feat;
	__s32 gi[TM_G3], gh[TM_G3];
	__s16 hn[TMNET_MAX_HIDDEN];
	unsigned int row, k;

	for (row = 0; row < 3 * H; row++) {
		const __s8 *wi = m->w_ih[row];
		const __s8 *wh = m->w_hh[row];
		__s32 ai = 0, ah = 0;

		for (k = 0; k < F; k++)
			ai += (__s32)wi[k] * x[k];
		for (k = 0; k < H; k++)
			ah += (__s32)wh[k] * h[k];
		gi[row] = tm_sat_s32((__s64)tm_requant(ai, m->rq_ih[row].mult,
							    m->rq_ih[row].shift) +
				     m->b_ih[row]);
		gh[row] = tm_sat_s32((__s64)tm_requant(ah, m->rq_hh[row].mult,
							    m->rq_hh[row].shift) +
				     m->b_hh[row]);
	}
	for (k = 0; k < H; k++) {
		__s32 r = tm_sigmoid_q15(tm_sat_s32((__s64)gi[k] + gh[k]), &sat->act);
		__s32 z = tm_sigmoid_q15(tm_sat_s32((__s64)gi[H + k] + gh[H + k]),
					   &sat->act);
		/* r (Q15) * gh_n (Q12) -> Q12 */
		__s32 rn = (__s32)tm_sat_shr128((tm_s128)r * gh[2 * H + k], 15);
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
	unsigned int o, k;

	for (o = 0; o < TMNET_N_OUT; o++) {
		__s32 acc = 0;
		__s64 v;

		for (k = 0; k < m->hidden; k++)
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
