/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers for the host unit tests (cmocka). */
#ifndef TM_TEST_H
#define TM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tm_core.h"
#include "quant.h"

/* xorshift64* - deterministic across platforms */
struct tt_rng {
	uint64_t s;
};

static inline uint64_t tt_next(struct tt_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

/* uniform in [0, 1) */
static inline double tt_unif(struct tt_rng *r)
{
	return (double)(tt_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double tt_gauss(struct tt_rng *r);
/* A random float GRU + parameters for system sys, quantised into m */
void tt_random_model(struct tt_rng *rng, int sys, int hidden, double wscale,
		     struct tmq_gru *g, struct tmq_params *p, struct tm_model *m);
/* Serialise m into a freshly allocated blob */
unsigned char *tt_blob(const struct tm_model *m, __u32 *len);

#endif
