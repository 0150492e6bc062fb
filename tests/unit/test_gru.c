// SPDX-License-Identifier: GPL-2.0
/*
 * The INT8 GRU step against a double-precision GRU with the float weights
 * it was quantised from (PyTorch equations), over long streaming runs.
 *
 * Stated bound, over 20 random models x 4000 steps each (weights
 * N(0, 1/fan_in) * 1.0, inputs ~ N(0, 1) in normalised units):
 *   head output error: RMS <= 0.01, max <= 0.08 normalised units
 *   hidden state error: RMS <= 0.008
 * (measured: 0.0050, 0.068, 0.0047).  Also measured: the same with the
 * hidden state rounded to int8 after each step, the alternative width:
 * RMS 0.0058 and 0.0055 - worse, though the int8 weights dominate.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tm_test.h"

#define GRU_TOL_OUT_RMS	0.01
#define GRU_TOL_OUT_MAX	0.08
#define GRU_TOL_H_RMS	0.008

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static void float_step(const struct tmq_gru *g, double *h, const double *x)
{
	int H = g->hidden, F = g->n_feat;
	double gi[96], gh[96], hn[32];

	for (int r = 0; r < 3 * H; r++) {
		gi[r] = g->b_ih[r];
		gh[r] = g->b_hh[r];
		for (int j = 0; j < F; j++)
			gi[r] += g->w_ih[r][j] * x[j];
		for (int j = 0; j < H; j++)
			gh[r] += g->w_hh[r][j] * h[j];
	}
	for (int k = 0; k < H; k++) {
		double rr = sig(gi[k] + gh[k]);
		double z = sig(gi[H + k] + gh[H + k]);
		double n = tanh(gi[2 * H + k] + rr * gh[2 * H + k]);

		hn[k] = (1 - z) * n + z * h[k];
	}
	memcpy(h, hn, sizeof(double) * H);
}

static void float_head(const struct tmq_gru *g, const double *h, double *out)
{
	for (int o = 0; o < 2; o++) {
		out[o] = g->b_out[o];
		for (int k = 0; k < g->hidden; k++)
			out[o] += g->w_out[o][k] * h[k];
	}
}

struct gru_err {
	double out_sq, out_max, h_sq;
	long n_out, n_h;
};

static void run_models(int int8_hidden, struct gru_err *e)
{
	struct tt_rng rng = { 0xABCDEF };

	memset(e, 0, sizeof(*e));
	for (int mi = 0; mi < 20; mi++) {
		struct tmq_gru g;
		struct tmq_params p;
		struct tm_model m;
		double hf[32] = { 0 };
		__s16 hq[32] = { 0 };

		tt_random_model(&rng, mi & 1 ? TMNET_SYS_A : TMNET_SYS_B, 32, 1.0, &g, &p, &m);
		for (int t = 0; t < 4000; t++) {
			double xf[8], of[2];
			__s8 xq[8];
			__s32 oq[2];
			struct tm_gru_sat sat = { 0, 0, 0 };

			for (int j = 0; j < g.n_feat; j++) {
				/* a feature value in data units, Q16.16 */
				double z = tt_gauss(&rng);
				__s32 f = tmq_q16(p.mean[j] + z * p.std[j]);

				xq[j] = tm_quant_input(f, m.norm.mean[j], m.norm.inv_std[j],
						       m.norm.in_frac, &sat.input);
				xf[j] = (f / 65536.0 - p.mean[j]) / p.std[j];
			}
			float_step(&g, hf, xf);
			tm_gru_step(&m, hq, xq, &sat);
			if (int8_hidden)
				for (int k = 0; k < 32; k++)
					hq[k] = (__s16)(lround(hq[k] / 256.0) * 256 > 32767 ?
							32767 : lround(hq[k] / 256.0) * 256);
			float_head(&g, hf, of);
			tm_gru_head(&m, hq, oq, &sat);
			for (int k = 0; k < 32; k++) {
				double d = hq[k] / 32768.0 - hf[k];

				e->h_sq += d * d;
				e->n_h++;
			}
			for (int o = 0; o < 2; o++) {
				double d = fabs(oq[o] / 65536.0 - of[o]);

				e->out_sq += d * d;
				e->n_out++;
				if (d > e->out_max)
					e->out_max = d;
			}
		}
	}
}

static void test_int8_vs_float(void **state)
{
	struct gru_err e16, e8;

	(void)state;
	run_models(0, &e16);
	run_models(1, &e8);
	printf("# GRU int16 hidden: out RMS %.4f max %.4f, h RMS %.5f\n",
	       sqrt(e16.out_sq / e16.n_out), e16.out_max, sqrt(e16.h_sq / e16.n_h));
	printf("# GRU int8 hidden:  out RMS %.4f max %.4f, h RMS %.5f\n",
	       sqrt(e8.out_sq / e8.n_out), e8.out_max, sqrt(e8.h_sq / e8.n_h));
	assert_true(sqrt(e16.out_sq / e16.n_out) <= GRU_TOL_OUT_RMS);
	assert_true(e16.out_max <= GRU_TOL_OUT_MAX);
	assert_true(sqrt(e16.h_sq / e16.n_h) <= GRU_TOL_H_RMS);
	/* the measurement that chose int16: int8 hidden is less accurate */
	assert_true(e8.h_sq > e16.h_sq);
	assert_true(e8.out_sq > e16.out_sq);
}

static void test_input_quant(void **state)
{
	__u32 sat = 0;

	(void)state;
	/* (f - mean) * inv_std * 2^in_frac: 3.0 with mean 1, std 0.5, frac 5 -> 128 -> 127 */
	assert_int_equal(tm_quant_input(3 << 16, 1 << 16, 2 << 16, 5, &sat), 127);
	assert_int_equal(sat, 1);
	assert_int_equal(tm_quant_input(-3 * 65536, 1 << 16, 2 << 16, 5, &sat), -127);
	assert_int_equal(sat, 2);
	/* 1.5: (1.5 - 1) * 2 * 32 = 32 */
	assert_int_equal(tm_quant_input(3 << 15, 1 << 16, 2 << 16, 5, &sat), 32);
	assert_int_equal(sat, 2);
}

static void test_rq_roundtrip(void **state)
{
	struct tt_rng rng = { 99 };

	(void)state;
	for (int i = 0; i < 100000; i++) {
		double m = ldexp(1.0 + tt_unif(&rng), (int)(tt_next(&rng) % 60) - 40);
		struct tmnet_rq rq;
		__s64 acc = (__s64)(tt_next(&rng) % 2000001) - 1000000;

		assert_int_equal(tmq_rq(m, &rq), 0);
		/* below 2^-31 every product rounds to zero: mult 0 */
		assert_true(rq.mult >= (1 << 30) || (rq.mult == 0 && m < ldexp(1.0, -31)));
		/* the requantised value is within 1 of the real product */
		{
			double want = acc * m;

			if (fabs(want) < 2e9)
				assert_true(fabs(tm_requant(acc, rq.mult, rq.shift) - want) <=
					    0.5 + fabs(want) * 1e-9);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_quant),
		cmocka_unit_test(test_rq_roundtrip),
		cmocka_unit_test(test_int8_vs_float),
	};

	return cmocka_run_group_tests_name("gru", tests, NULL, NULL);
}
