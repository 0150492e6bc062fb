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

	if (tmq_random_model(m, sys, hidden, wscale, tt_next(rng), g, p, err, sizeof(err)))
		fail_msg("random model: %s", err);
	p->name = "test";
}

unsigned char *tt_blob(const struct tm_model *m, __u32 *len)
{
	__u32 sz = tm_model_blob_size(m);
	unsigned char *b = calloc(1, sz);

	assert_non_null(b);
	assert_int_equal(tm_blob_write(b, sz, m), (int)sz);
	*len = sz;
	return b;
}
