// SPDX-License-Identifier: GPL-2.0
/*
 * One tick of the predictor: ingest -> prior -> net -> gate -> record.
 * The kernel's hrtimer callback and the userspace evaluator both call
 * tm_tick(), so the published records agree bit for bit.
 *
 * Features (Q16.16, per tick, translation invariant):
 *   0, 1  dx, dy   position change since the previous valid sample
 *   2, 3  vx, vy   the sample's velocity (units/s)
 *   4, 5  (B only) the prior's horizon displacement, v_filter * T
 * A tick without a valid sample holds features 0..3 from the previous tick
 * (with dx = dy = 0) and recomputes 4, 5 from the predicted filter.
 */
#include "tm_core.h"

/* The corrupt-network fault adds this many normalised output units */
#define TM_FAULT_CORRUPT_UNITS	64

void tm_cfg_from_model(struct tm_cfg *cfg, const struct tm_model *m)
{
	cfg->mode = m->system;
	cfg->eps_q16 = m->gate.eps_q16;
	cfg->budget = m->gate.budget;
	cfg->chi2_q16 = m->gate.chi2_q16;
	cfg->faults = 0;
}

void tm_state_reset(struct tm_state *st)
{
	tm_memzero(st, sizeof(*st));
	tm_kf_reset(&st->kf);
}

/* Drop every pending monitored prediction (counted); the EWMAs stay */
static void tm_mon_drop_pending(struct tm_state *st)
{
	st->cnt.mon_dropped += st->mon.count;
	st->mon.count = 0;
	st->mon.head = 0;
	st->mon.phase = 0;
}

/*
 * A new model: its hidden state starts from zero, and the monitor's
 * pending predictions (made by the old model) are dropped and its EWMAs
 * reloaded from the new model's initial values at its first tick.
 */
void tm_state_model_changed(struct tm_state *st)
{
	unsigned int i;

	for (i = 0; i < TMNET_MAX_HIDDEN; i++)
		st->h[i] = 0;
	tm_mon_drop_pending(st);
	st->mon.init = 0;
}

/*
 * A new segment (TMNET_SAMPLE_SEG_START): forget the filter, the hidden
 * state and the last position, as if the input had never been seen; the
 * tick number and the counters carry on.
 */
void tm_state_seg_start(struct tm_state *st)
{
	unsigned int i;

	tm_kf_reset(&st->kf);
	for (i = 0; i < TMNET_MAX_HIDDEN; i++)
		st->h[i] = 0;
	for (i = 0; i < TMNET_MAX_FEATURES; i++)
		st->feat[i] = 0;
	st->last_x = 0;
	st->last_y = 0;
	st->have_last = 0;
	st->cnt.seg_starts++;
	tm_mon_drop_pending(st);
}

static __s32 tm_q32_to_q16(__s64 v)
{
	return tm_sat_s32(tm_sat_shr128((tm_s128)v, 16));
}

void tm_stage_prior(struct tm_state *st, const struct tm_model *m,
		    const struct tm_cfg *cfg, const struct tmnet_sample *s)
{
	int valid = s && (s->flags & TMNET_SAMPLE_VALID) &&
		    !(cfg->faults & TM_FAULT_STALE);

	if (s && (s->flags & TMNET_SAMPLE_SEG_START))
		tm_state_seg_start(st);
	st->flags = 0;
	st->sat_tick = 0;
	if (valid) {
		st->flags |= TMNET_PRED_F_SAMPLE;
		st->cnt.samples++;
		st->last_seq = s->seq;
		if (st->have_last) {
			st->feat[0] = tm_sat_s32((__s64)s->x - st->last_x);
			st->feat[1] = tm_sat_s32((__s64)s->y - st->last_y);
		} else {
			st->feat[0] = 0;
			st->feat[1] = 0;
		}
		st->feat[2] = s->vx;
		st->feat[3] = s->vy;
		st->last_x = s->x;
		st->last_y = s->y;
		st->have_last = 1;
		tm_kf_step(&st->kf, &m->kf, 1, (__s64)s->x * TM_Q16_ONE,
			   (__s64)s->y * TM_Q16_ONE, (__s64)s->vx * TM_Q16_ONE,
			   (__s64)s->vy * TM_Q16_ONE);
	} else {
		st->cnt.missing++;
		st->feat[0] = 0;
		st->feat[1] = 0;
		tm_kf_step(&st->kf, &m->kf, 0, 0, 0, 0, 0);
	}
	if (st->kf.init) {
		st->flags |= TMNET_PRED_F_PRIOR_INIT;
		tm_kf_horizon(&st->kf, &m->kf, st->prior, st->prior_cov);
		st->feat[4] = tm_q32_to_q16(tm_sat_sub64(st->prior[0], st->kf.x[0]));
		st->feat[5] = tm_q32_to_q16(tm_sat_sub64(st->prior[1], st->kf.x[1]));
	} else {
		st->prior[0] = 0;
		st->prior[1] = 0;
		st->prior_cov[0][0] = 0;
		st->prior_cov[0][1] = 0;
		st->prior_cov[1][0] = 0;
		st->prior_cov[1][1] = 0;
		st->feat[4] = 0;
		st->feat[5] = 0;
	}
}

void tm_stage_net(struct tm_state *st, const struct tm_model *m)
{
	struct tm_gru_sat sat = { 0, 0, 0 };
	__s8 x[TMNET_MAX_FEATURES];
	__s32 out[TMNET_N_OUT];
	unsigned int i;

	/* n_feat clamped to TMNET_MAX_FEATURES (the size of x) */
	for (i = 0; i < tm_gru_feat(m); i++)
		x[i] = tm_quant_input(st->feat[i], m->norm.mean[i], m->norm.inv_std[i],
				      m->norm.in_frac, &sat.input);
	tm_gru_step(m, st->h, x, &sat);
	tm_gru_head(m, st->h, out, &sat);
	for (i = 0; i < TMNET_N_OUT; i++)
		/* Q16 normalised * Q16.16 units -> Q16.16 units */
		st->net_disp[i] = tm_sat_s32(tm_sat_shr128((tm_s128)out[i] *
							   m->norm.out_scale[i], 16));
	st->cnt.sat_input += sat.input;
	st->cnt.sat_act += sat.act;
	st->cnt.sat_out += sat.out;
	st->sat_tick = sat.input + sat.act + sat.out;
	if (st->sat_tick)
		st->flags |= TMNET_PRED_F_SAT;
	st->flags |= TMNET_PRED_F_NET;
}

/* ------------------------------------------------------------------ */
/* The monitor (TMNET_FUSE_MONITOR, see struct tm_mon)                 */
/* ------------------------------------------------------------------ */

static int tm_mon_on(const struct tm_model *m, const struct tm_cfg *cfg)
{
	return cfg->mode == TMNET_SYS_B && m->system == TMNET_SYS_B &&
	       m->ext.fuse_kind == TMNET_FUSE_MONITOR;
}

/* The validator keeps mon_shift in 1..TMNET_MON_SHIFT_MAX; clamp anyway */
static unsigned int tm_mon_shift(const struct tm_model *m)
{
	__u32 sh = m->ext.mon_shift;

	return sh < 1 ? 1 : sh > TMNET_MON_SHIFT_MAX ? TMNET_MON_SHIFT_MAX : sh;
}

/*
 * w = (Snn - Spn) / (Spp + Snn - 2 Spn), Q16, clamped to [0, 1]: the weight
 * of the prior in the blend of minimum mean squared error, given the
 * second moments of the two errors.  The denominator is E|e_n - e_p|^2
 * = E|disp|^2; when it is not positive the two agree and w = 1 (the
 * prior).  Both terms are below 2^66 in magnitude (three s64); shifting
 * them right until the denominator has at most 47 bits leaves a
 * numerator below it, so (num << 16) / den is one 64-bit division with
 * no overflow.  No loop: the shift comes from tm_bitlen128.
 */
static __u32 tm_mon_weight(__s64 spp, __s64 snn, __s64 spn)
{
	tm_s128 num = (tm_s128)snn - spn;
	tm_s128 den = (tm_s128)spp + snn - (tm_s128)spn * 2;
	unsigned int k;
	__u64 n, d;

	if (den <= 0 || num >= den)
		return TM_Q16_ONE;
	if (num <= 0)
		return 0;
	k = tm_bitlen128((tm_u128)den);
	k = k > 47 ? k - 47 : 0;
	d = (__u64)((tm_u128)den >> k);
	n = (__u64)((tm_u128)num >> k);		/* n <= d < 2^47 */
	return (__u32)(((n << 16) + d / 2) / d);
}

/* (Q16.16 error) . (Q16.16 error) summed over x, y: Q32.32 units^2 */
static __s64 tm_dot2(const __s32 a[2], const __s32 b[2])
{
	return tm_sat_shr128((tm_s128)((__s64)a[0] * b[0]) + (__s64)a[1] * b[1], 0);
}

/* S += (x - S) 2^-sh, rounded; stays between S and x: no overflow */
static __s64 tm_ewma(__s64 s, __s64 x, unsigned int sh)
{
	return s + tm_sat_shr128((tm_s128)x - s, sh);
}

static void tm_mon_load(struct tm_state *st, const struct tm_model *m)
{
	struct tm_mon *mo = &st->mon;

	mo->spp = (__s64)m->ext.reserved[TMNET_MON_INIT_PP];
	mo->snn = (__s64)m->ext.reserved[TMNET_MON_INIT_NN];
	mo->spn = (__s64)m->ext.reserved[TMNET_MON_INIT_PN];
	mo->w_q16 = tm_mon_weight(mo->spp, mo->snn, mo->spn);
	mo->crc = m->crc32;
	mo->init = 1;
}

/*
 * Resolve the oldest pending prediction if this tick is its horizon: with
 * this tick's valid sample, or dropped without one.  Runs after the
 * prior stage (the sample is ingested, a segment start has dropped the
 * pending slots) and before the gate (which publishes with the new w).
 */
static void tm_mon_resolve(struct tm_state *st, const struct tm_model *m)
{
	struct tm_mon *mo = &st->mon;
	const struct tm_mon_slot *sl;
	unsigned int sh;
	__s32 ep[2], en[2];

	if (!mo->init || mo->crc != m->crc32)
		tm_mon_load(st, m);
	if (!mo->count)
		return;
	sl = &mo->slot[mo->head];
	/* due is ahead of the tick (mod 2^32) while it is pending */
	if ((__s32)(sl->due - (__u32)st->tick) > 0)
		return;
	mo->head = (mo->head + 1) & (TMNET_MON_SLOTS - 1);
	mo->count--;
	if (sl->due != (__u32)st->tick || !(st->flags & TMNET_PRED_F_SAMPLE)) {
		st->cnt.mon_dropped++;
		return;
	}
	ep[0] = tm_sat_s32((__s64)sl->prior[0] - st->last_x);
	ep[1] = tm_sat_s32((__s64)sl->prior[1] - st->last_y);
	en[0] = tm_sat_s32((__s64)ep[0] + sl->disp[0]);
	en[1] = tm_sat_s32((__s64)ep[1] + sl->disp[1]);
	sh = tm_mon_shift(m);
	mo->spp = tm_ewma(mo->spp, tm_dot2(ep, ep), sh);
	mo->snn = tm_ewma(mo->snn, tm_dot2(en, en), sh);
	mo->spn = tm_ewma(mo->spn, tm_dot2(ep, en), sh);
	mo->w_q16 = tm_mon_weight(mo->spp, mo->snn, mo->spn);
	st->cnt.mon_resolved++;
}

/*
 * Store this tick's prediction every mon_stride ticks (while the prior is
 * initialised).  The validator makes stride (TMNET_MON_SLOTS - 1) >=
 * horizon_ticks, so a slot is resolved before the FIFO is full; a model
 * built without the validator can still not overrun it: the oldest
 * pending slot is dropped.
 */
static void tm_mon_store(struct tm_state *st, const struct tm_model *m,
			 const struct tmnet_pred *out)
{
	struct tm_mon *mo = &st->mon;
	struct tm_mon_slot *sl;
	__u32 stride = m->ext.mon_stride ? m->ext.mon_stride : 1;

	if (!st->kf.init)
		return;
	if (mo->phase) {
		mo->phase = mo->phase + 1 >= stride ? 0 : mo->phase + 1;
		return;
	}
	mo->phase = stride > 1 ? 1 : 0;
	if (mo->count == TMNET_MON_SLOTS) {
		mo->head = (mo->head + 1) & (TMNET_MON_SLOTS - 1);
		mo->count--;
		st->cnt.mon_dropped++;
	}
	sl = &mo->slot[(mo->head + mo->count) & (TMNET_MON_SLOTS - 1)];
	sl->prior[0] = out->prior_x;
	sl->prior[1] = out->prior_y;
	sl->disp[0] = st->net_disp[0];
	sl->disp[1] = st->net_disp[1];
	sl->due = (__u32)(st->tick + m->horizon_ticks);
	mo->count++;
	st->cnt.mon_stored++;
}

static void tm_fallback(struct tm_state *st, struct tmnet_pred *out, __u32 reason)
{
	out->verdict = TMNET_VERDICT_FALLBACK;
	out->reason = (__u8)reason;
	out->pred_x = out->prior_x;
	out->pred_y = out->prior_y;
	st->cnt.gate_fail[reason]++;
	st->cnt.fallbacks++;
}

void tm_stage_gate(struct tm_state *st, const struct tm_model *m,
		   const struct tm_cfg *cfg, struct tmnet_pred *out)
{
	__u32 mode = cfg->mode;

	out->prior_x = tm_q32_to_q16(st->prior[0]);
	out->prior_y = tm_q32_to_q16(st->prior[1]);
	out->net_x = 0;
	out->net_y = 0;
	out->cert_q16 = TMNET_CERT_NONE;
	out->d2_q16 = 0;
	out->gate_macs = 0;
	out->verdict = TMNET_VERDICT_NONE;
	out->reason = TMNET_REASON_OK;

	if (mode > m->system) {
		/* a network was asked for but the model has none */
		out->system = TMNET_SYS_PRIOR;
		tm_fallback(st, out, TMNET_REASON_NO_MODEL);
		return;
	}
	out->system = (__u8)mode;
	if (mode == TMNET_SYS_PRIOR) {
		out->pred_x = out->prior_x;
		out->pred_y = out->prior_y;
		return;
	}
	if (mode == TMNET_SYS_A) {
		out->net_x = tm_sat_s32((__s64)st->last_x + st->net_disp[0]);
		out->net_y = tm_sat_s32((__s64)st->last_y + st->net_disp[1]);
		out->pred_x = out->net_x;
		out->pred_y = out->net_y;
		return;
	}

	/* System B: prior + residual, then the gate */
	out->net_x = tm_sat_s32((__s64)out->prior_x + st->net_disp[0]);
	out->net_y = tm_sat_s32((__s64)out->prior_y + st->net_disp[1]);
	if (!st->kf.init || st->kf.missing > m->kf.stale_ticks) {
		tm_fallback(st, out, TMNET_REASON_STALE);
		return;
	}
	if (st->sat_tick > m->gate.sat_limit) {
		tm_fallback(st, out, TMNET_REASON_SATURATION);
		return;
	}
	{
		struct tm_gate_result g;
		__s64 s[3];
		__s64 k = (__s64)m->gate.cov_scale_q16 << 16;	/* Q32 */

		/*
		 * S = k P_h + floor (Q32.32).  k P_h saturates for a huge
		 * covariance, so the sum saturates too (no signed overflow):
		 * the gate then sees the largest S it can represent.
		 */
		s[0] = tm_sat_add64(tm_mul_q32(k, st->prior_cov[0][0]), m->gate.floor_xx);
		s[1] = tm_sat_add64(tm_mul_q32(k, st->prior_cov[0][1]), m->gate.floor_xy);
		s[2] = tm_sat_add64(tm_mul_q32(k, st->prior_cov[1][1]), m->gate.floor_yy);
		/* exact d^2, constant time (eps is moot: the certificate is 0) */
		tm_gate_2x2(s, st->net_disp, cfg->budget, cfg->chi2_q16, &g);
		out->cert_q16 = g.cert_q16;
		out->d2_q16 = g.d2_q16;
		out->gate_macs = g.macs;
		if (g.cert_q16 != TMNET_CERT_NONE) {
			st->cnt.cert_sum_q16 += g.cert_q16;
			st->cnt.cert_n++;
			if (g.cert_q16 > st->cnt.cert_max_q16)
				st->cnt.cert_max_q16 = g.cert_q16;
		}
		if (g.pass && tm_mon_on(m, cfg)) {
			/* prior + (1 - w) disp, rounded, saturating */
			__s64 a = TM_Q16_ONE - (__s64)st->mon.w_q16;

			out->verdict = TMNET_VERDICT_BLEND;
			out->pred_x = tm_sat_s32((__s64)out->prior_x +
				tm_sat_shr128((tm_s128)a * st->net_disp[0], 16));
			out->pred_y = tm_sat_s32((__s64)out->prior_y +
				tm_sat_shr128((tm_s128)a * st->net_disp[1], 16));
			st->cnt.gate_pass++;
			st->cnt.blend++;
			st->cnt.blend_w_sum_q16 += st->mon.w_q16;
		} else if (g.pass) {
			out->verdict = TMNET_VERDICT_PASS;
			out->pred_x = out->net_x;
			out->pred_y = out->net_y;
			st->cnt.gate_pass++;
		} else {
			tm_fallback(st, out, g.reason);
		}
	}
}

void tm_tick(struct tm_state *st, const struct tm_model *m,
	     const struct tm_cfg *cfg, const struct tmnet_sample *s,
	     struct tmnet_pred *out, const struct tm_clock *clk)
{
	__u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
	int run_net = cfg->mode != TMNET_SYS_PRIOR && cfg->mode <= m->system;
	int mon;

	if (clk)
		t0 = clk->now_ns(clk->ctx);
	tm_stage_prior(st, m, cfg, s);
	if (clk)
		t1 = clk->now_ns(clk->ctx);
	if (run_net) {
		tm_stage_net(st, m);
		if (cfg->faults & TM_FAULT_CORRUPT_NET) {
			st->net_disp[0] = tm_sat_s32((__s64)st->net_disp[0] +
				(__s64)TM_FAULT_CORRUPT_UNITS * m->norm.out_scale[0]);
			st->net_disp[1] = tm_sat_s32((__s64)st->net_disp[1] +
				(__s64)TM_FAULT_CORRUPT_UNITS * m->norm.out_scale[1]);
		}
	} else {
		st->net_disp[0] = 0;
		st->net_disp[1] = 0;
	}
	if (clk)
		t2 = clk->now_ns(clk->ctx);
	mon = tm_mon_on(m, cfg);
	if (mon)
		tm_mon_resolve(st, m);
	tm_stage_gate(st, m, cfg, out);
	if (mon)
		tm_mon_store(st, m, out);
	if (clk)
		t3 = clk->now_ns(clk->ctx);

	out->tick = st->tick++;
	out->flags = (__u8)st->flags;
	out->sample_seq = st->last_seq;
	out->stage_ns[TMNET_STAGE_PRIOR] = (__u32)(t1 - t0);
	out->stage_ns[TMNET_STAGE_NET] = (__u32)(t2 - t1);
	out->stage_ns[TMNET_STAGE_GATE] = (__u32)(t3 - t2);
	st->cnt.ticks++;
}
