// SPDX-License-Identifier: GPL-2.0
/* Model and blob builders shared by the tmnet KUnit suites. */
#include <linux/string.h>
#include "tmnet_kunit.h"

struct tm_model *tmk_model_prior(struct kunit *test, u32 rate_hz)
{
	struct tm_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	tm_model_default_prior(m, rate_hz);
	return m;
}

/*
 * Requantisation shifts are chosen so that typical accumulators land in
 * the Q12 pre-activation range (input and recurrent weights) and in
 * +-1 normalised output units (head); the multipliers are random.
 */
static void tmk_rq(u64 *s, struct tmnet_rq *rq, s32 shift)
{
	rq->mult = (s32)tmk_range(s, 1 << 30, 0x7fffffff);
	rq->shift = shift;
}

struct tm_model *tmk_model_b(struct kunit *test, u32 hidden, u64 seed)
{
	struct tm_model *m = tmk_model_prior(test, TMNET_DEFAULT_RATE_HZ);
	u64 s = seed | 1;
	u32 i, j;

	m->system = TMNET_SYS_B;
	m->n_feat = TMNET_FEATURES_B;
	m->hidden = hidden;
	strscpy(m->name, "kunit-b", sizeof(m->name));
	for (i = 0; i < m->n_feat; i++) {
		m->norm.mean[i] = (s32)tmk_range(&s, -TM_Q16_ONE / 8, TM_Q16_ONE / 8);
		m->norm.inv_std[i] = (s32)tmk_range(&s, TM_Q16_ONE / 2, 2 * TM_Q16_ONE);
	}
	m->norm.out_scale[0] = TM_Q16_ONE / 4;
	m->norm.out_scale[1] = TM_Q16_ONE / 4;
	m->norm.in_frac = 4;
	for (i = 0; i < 3 * hidden; i++) {
		for (j = 0; j < m->n_feat; j++)
			m->w_ih[i][j] = (s8)tmk_range(&s, -127, 127);
		for (j = 0; j < hidden; j++)
			m->w_hh[i][j] = (s8)tmk_range(&s, -127, 127);
		m->b_ih[i] = (s32)tmk_range(&s, -4096, 4096);
		m->b_hh[i] = (s32)tmk_range(&s, -4096, 4096);
		tmk_rq(&s, &m->rq_ih[i], 2);
		tmk_rq(&s, &m->rq_hh[i], 10);
	}
	for (i = 0; i < TMNET_N_OUT; i++) {
		for (j = 0; j < hidden; j++)
			m->w_out[i][j] = (s8)tmk_range(&s, -127, 127);
		m->b_out[i] = (s32)tmk_range(&s, -6553, 6553);
		tmk_rq(&s, &m->rq_out[i], 8);
	}
	return m;
}

u8 *tmk_blob(struct kunit *test, const struct tm_model *m, u32 *len)
{
	u32 n = tm_blob_size(m->system, m->n_feat, m->hidden);
	u8 *b = kunit_kzalloc(test, n, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_ASSERT_EQ(test, tm_blob_write(b, n, m), (int)n);
	*len = n;
	return b;
}

void tmk_blob_fix_crc(u8 *blob, u32 len)
{
	u32 off = offsetof(struct tmnet_blob_hdr, crc32), crc;

	memset(blob + off, 0, 4);
	crc = tm_crc32(0, blob, len);
	blob[off] = crc & 0xff;
	blob[off + 1] = (crc >> 8) & 0xff;
	blob[off + 2] = (crc >> 16) & 0xff;
	blob[off + 3] = crc >> 24;
}
