// SPDX-License-Identifier: GPL-2.0
/*
 * Trainer -> quantiser -> core: a float GRU with a trainer-fitted
 * normalisation and Kalman prior goes through tmq_quantize(), the blob
 * writer and the core's validator and back, byte for byte; the core's int8
 * network then tracks the float network streamed over the same features.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_gru.h"
#include "tmn_prep.h"

static void roundtrip(int sys)
{
	struct tmn_gen_cfg gc;
	struct tmn_series d;
	struct tmn_kalman k;
	struct tmn_split sp;
	struct tmn_track tr;
	struct tmn_norm nm;
	struct tmn_gru g;
	struct tmq_gru qg;
	struct tmq_params p;
	struct tm_model *m = malloc(sizeof(*m)), *m2 = malloc(sizeof(*m2));
	struct tm_model *pm = malloc(sizeof(*pm));
	struct tm_state *st = malloc(sizeof(*st));
	struct tm_blob_error be;
	struct tm_cfg cfg;
	unsigned char *b1, *b2;
	__u32 sz;
	char err[256];
	double h[TMNET_MAX_HIDDEN] = { 0 }, se = 0, sf = 0;
	size_t n = 0;

	assert_non_null(m);
	assert_non_null(m2);
	assert_non_null(pm);
	assert_non_null(st);
	tmn_gen_default(&gc);
	gc.seconds = 40;
	assert_int_equal(tmn_gen(&gc, &d, NULL), 0);
	assert_int_equal(tmn_split_make(d.n, 256, 1000, &sp), 0);
	assert_int_equal(tmn_kalman_fit(&d, sp.lo[0], sp.hi[0], 1000, &k, 0), 0);
	assert_true(k.qa > 0 && k.r > 0);
	assert_int_equal(tmn_prior_model(&k, 2000, 1000, pm, err, sizeof(err)), 0);
	assert_int_equal(tmn_track_build(&d, sp.lo[0], sp.hi[0], pm, TMN_EXTRA_NONE, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, sys, &nm), 0);

	assert_int_equal(tmn_gru_init(&g, nm.F, 32), 0);
	tmn_gru_randomize(&g, 5);
	g.head_gain = 4;
	for (int i = 0; i < 2 * 32; i++)
		g.w_out[i] *= 10;
	tmn_gru_to_quant(&g, &qg);
	tmq_params_default(&p);
	p.system = sys;
	p.name = "roundtrip";
	for (int i = 0; i < nm.F; i++) {
		p.mean[i] = nm.mean[i];
		p.std[i] = nm.std[i];
	}
	p.out_scale[0] = p.out_scale[1] = nm.out_scale;
	p.in_frac = nm.in_frac;
	tmn_kalman_to_params(&k, &p);
	p.floor_xx = p.floor_yy = k.r;
	assert_int_equal(tmq_quantize(m, &qg, &p, err, sizeof(err)), 0);

	sz = tm_blob_size(m->system, m->n_feat, m->hidden);
	b1 = calloc(1, sz);
	b2 = calloc(1, sz);
	assert_int_equal(tm_blob_write(b1, sz, m), (int)sz);
	assert_int_equal(tm_model_from_blob(m2, b1, sz, &be), 0);
	assert_int_equal(tm_blob_write(b2, sz, m2), (int)sz);
	assert_memory_equal(b1, b2, sz);
	assert_int_equal(m2->system, (unsigned)sys);
	assert_int_equal(m2->norm.in_frac, (unsigned)nm.in_frac);
	/* the Kalman prior in the blob is the one the trainer's features used */
	assert_memory_equal(&m2->kalman, &pm->kalman, sizeof(m2->kalman));
	/* a flipped byte is refused */
	b1[sz / 2] ^= 0x40;
	assert_true(tm_model_from_blob(m2, b1, sz, &be) < 0);

	/* the core int8 net tracks the float net over the same features */
	tm_cfg_from_model(&cfg, m);
	tm_state_reset(st);
	for (size_t t = 0; t < 20000; t++) {
		struct tmnet_pred out;
		float f[TMN_FEAT_N], x[TMNET_MAX_FEATURES];
		double y[2];

		tm_tick(st, m, &cfg, &d.s[sp.lo[0] + t], &out, NULL);
		tmn_feat_from_state(st, TMN_EXTRA_NONE, f);
		tmn_norm_apply(&nm, f, x);
		tmn_gru_step1(&g, h, x, y);
		if (t < 300)
			continue;
		for (int o = 0; o < 2; o++) {
			double di = st->net_disp[o] / 65536.0, df = y[o] * nm.out_scale;

			se += (di - df) * (di - df);
			sf += df * df;
		}
		n++;
	}
	/* int8 error well below the signal */
	printf("# system %d: int8-vs-float rms %.4g units, float rms %.4g units over %zu ticks\n",
	       sys, sqrt(se / (double)n), sqrt(sf / (double)n), n);
	assert_true(se < 0.01 * sf);
	free(b1);
	free(b2);
	tmn_gru_free(&g);
	tmn_track_free(&tr);
	tmn_series_free(&d);
	free(m);
	free(m2);
	free(pm);
	free(st);
}

static void test_roundtrip_a(void **state)
{
	(void)state;
	roundtrip(TMNET_SYS_A);
}

static void test_roundtrip_b(void **state)
{
	(void)state;
	roundtrip(TMNET_SYS_B);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_a),
		cmocka_unit_test(test_roundtrip_b),
	};

	return cmocka_run_group_tests_name("train_quant", tests, NULL, NULL);
}
