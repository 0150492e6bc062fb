// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

double tt_gauss(struct tt_rng *r)
{
	double u1 = tt_unif(r), u2 = tt_unif(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void tt_random_model(struct tt_rng *rng, int sys, int hidden, double wscale,
		     struct tmq_gru *g, struct tmq_params *p, struct tm_model *m)
{
	char err[256];
	int F = sys == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B;

	memset(g, 0, sizeof(*g));
	tmq_params_default(p);
	p->system = sys;
	p->name = "test";
	g->n_feat = F;
	g->hidden = hidden;
	for (int r = 0; r < 3 * hidden; r++) {
		for (int j = 0; j < F; j++)
			g->w_ih[r][j] = (float)(wscale * tt_gauss(rng) / sqrt(F));
		for (int j = 0; j < hidden; j++)
			g->w_hh[r][j] = (float)(wscale * tt_gauss(rng) / sqrt(hidden));
		g->b_ih[r] = (float)(0.1 * tt_gauss(rng));
		g->b_hh[r] = (float)(0.1 * tt_gauss(rng));
	}
	for (int o = 0; o < 2; o++) {
		for (int j = 0; j < hidden; j++)
			g->w_out[o][j] = (float)(tt_gauss(rng) / sqrt(hidden));
		g->b_out[o] = (float)(0.05 * tt_gauss(rng));
	}
	/* features: dx,dy ~ 0.005 units/tick, v ~ 10 units/s, disp ~ 5 units */
	p->std[0] = p->std[1] = 0.01;
	p->std[2] = p->std[3] = 10.0;
	p->std[4] = p->std[5] = 5.0;
	p->out_scale[0] = p->out_scale[1] = 0.5;
	p->floor_xx = p->floor_yy = 0.05;
	if (tmq_quantize(m, g, p, err, sizeof(err)))
		fail_msg("quantize: %s", err);
}

unsigned char *tt_blob(const struct tm_model *m, __u32 *len)
{
	__u32 sz = tm_blob_size(m->system, m->n_feat, m->hidden);
	unsigned char *b = calloc(1, sz);

	assert_non_null(b);
	assert_int_equal(tm_blob_write(b, sz, m), (int)sz);
	*len = sz;
	return b;
}
