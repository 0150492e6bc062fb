// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the per-tick pipeline (ingest -> prior -> net -> gate -> record)
 * as the kernel's tick runs it: constant-velocity tracking, dropouts
 * (predict-only), gate accounting, stale input, fault injection,
 * determinism (the basis of kernel/userspace parity), stage timing and the
 * prediction record's ABI layout.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "tmnet_kunit.h"

#define RATE		TMNET_DEFAULT_RATE_HZ
#define Q16(v)		((s32)((v) * 65536))

struct pipe {
	struct tm_model *m;
	struct tm_state *st;
	struct tm_cfg cfg;
};

static struct pipe *pipe_new(struct kunit *test, struct tm_model *m)
{
	struct pipe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	p->st = kunit_kzalloc(test, sizeof(*p->st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p->st);
	p->m = m;
	tm_state_reset(p->st);
	tm_cfg_from_model(&p->cfg, m);
	return p;
}

/*
 * Tick i of a constant-velocity trajectory: x = 5 + 2 t, y = -3 + t / 2
 * (data units, t in s), with +-1/256 unit of deterministic jitter unless
 * drop is 0.  Returns false on a dropout tick (every tick where
 * (i * 7919) % 97 < drop).
 */
static bool cv_sample(u32 i, u32 drop, struct tmnet_sample *s)
{
	u64 h = (u64)i * 0x9e3779b97f4a7c15ULL;
	s32 jit = drop ? (s32)((h >> 40) & 511) - 256 : 0;

	if ((i * 7919U) % 97U < drop)
		return false;
	memset(s, 0, sizeof(*s));
	s->t_ns = (u64)i * (NSEC_PER_SEC / RATE);
	s->x = Q16(5) + (s32)div_s64((s64)Q16(2) * i, RATE) + jit;
	s->y = Q16(-3) + (s32)div_s64((s64)Q16(1) / 2 * i, RATE) - jit;
	s->vx = Q16(2);
	s->vy = Q16(1) / 2;
	s->flags = TMNET_SAMPLE_VALID;
	s->seq = i;
	return true;
}

static void pipe_tick(struct pipe *p, u32 i, u32 drop, struct tmnet_pred *out)
{
	struct tmnet_sample s;

	memset(out, 0, sizeof(*out));
	tm_tick(p->st, p->m, &p->cfg, cv_sample(i, drop, &s) ? &s : NULL, out, NULL);
}

/* the prior tracks a constant-velocity target and predicts 500 ms ahead */
static void tm_pipe_cv_prior(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_prior(test, RATE));
	struct tmnet_pred out;
	struct tmnet_sample s;
	s32 ex, ey;
	u32 i;

	for (i = 0; i < RATE; i++) {
		pipe_tick(p, i, 0, &out);
		KUNIT_ASSERT_EQ(test, out.tick, (u64)i);
		KUNIT_ASSERT_EQ(test, out.sample_seq, i);
		KUNIT_ASSERT_EQ(test, out.system, (u8)TMNET_SYS_PRIOR);
		KUNIT_ASSERT_EQ(test, out.verdict, (u8)TMNET_VERDICT_NONE);
		KUNIT_ASSERT_EQ(test, out.flags & (TMNET_PRED_F_SAMPLE | TMNET_PRED_F_NET),
				TMNET_PRED_F_SAMPLE);
		KUNIT_ASSERT_EQ(test, out.pred_x, out.prior_x);
		KUNIT_ASSERT_EQ(test, out.pred_y, out.prior_y);
	}
	KUNIT_EXPECT_TRUE(test, out.flags & TMNET_PRED_F_PRIOR_INIT);
	cv_sample(RATE - 1, 0, &s);
	/* 500 ms ahead of an exact trajectory: +1 unit in x, +0.25 in y */
	ex = out.pred_x - (s.x + Q16(1));
	ey = out.pred_y - (s.y + Q16(1) / 4);
	KUNIT_EXPECT_LE_MSG(test, abs(ex), Q16(1) / 100, "x error %d/65536 units", ex);
	KUNIT_EXPECT_LE_MSG(test, abs(ey), Q16(1) / 100, "y error %d/65536 units", ey);
	KUNIT_EXPECT_EQ(test, p->st->cnt.ticks, (u64)RATE);
	KUNIT_EXPECT_EQ(test, p->st->cnt.samples, (u64)RATE);
	KUNIT_EXPECT_EQ(test, p->st->cnt.missing, 0ULL);
}

/* no sample: the tick still predicts (from the filter), and counts it */
static void tm_pipe_dropout_predict_only(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_prior(test, RATE));
	struct tmnet_sample invalid = { .x = Q16(100), .seq = 777 };
	struct tmnet_pred out;
	s32 prev_x;
	u32 i;

	for (i = 0; i < 200; i++)
		pipe_tick(p, i, 0, &out);
	prev_x = out.pred_x;
	for (i = 200; i < 300; i++) {
		/* alternate "no sample" with a sample lacking the VALID flag */
		memset(&out, 0, sizeof(out));
		tm_tick(p->st, p->m, &p->cfg, (i & 1) ? &invalid : NULL, &out, NULL);
		KUNIT_ASSERT_FALSE(test, out.flags & TMNET_PRED_F_SAMPLE);
		KUNIT_ASSERT_TRUE(test, out.flags & TMNET_PRED_F_PRIOR_INIT);
		KUNIT_ASSERT_EQ(test, out.sample_seq, 199U);
		KUNIT_ASSERT_EQ(test, out.tick, (u64)i);
		/* extrapolates forward at 2 units/s: 1/1000 unit per tick */
		KUNIT_ASSERT_GT(test, out.pred_x, prev_x);
		KUNIT_ASSERT_LE(test, abs(out.pred_x - prev_x - Q16(1) / 1000), 8);
		prev_x = out.pred_x;
	}
	KUNIT_EXPECT_EQ(test, p->st->cnt.missing, 100ULL);
	KUNIT_EXPECT_EQ(test, p->st->cnt.samples, 200ULL);
	pipe_tick(p, 300, 0, &out);
	KUNIT_EXPECT_TRUE(test, out.flags & TMNET_PRED_F_SAMPLE);
	KUNIT_EXPECT_EQ(test, out.sample_seq, 300U);
}

static u64 sum_fail(const struct tm_counters *c)
{
	u64 n = 0;
	int r;

	for (r = 0; r < __TMNET_REASON_MAX; r++)
		n += c->gate_fail[r];
	return n;
}

/* system B: every tick is a pass or a fallback, and the counters add up */
static void tm_pipe_gate_accounting(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_b(test, 8, 3));
	u64 pass = 0, fallback = 0, by_reason[__TMNET_REASON_MAX] = { 0 };
	struct tmnet_pred out;
	u32 i;
	int r;

	for (i = 0; i < 3000; i++) {
		pipe_tick(p, i, 10, &out);
		KUNIT_ASSERT_EQ(test, out.system, (u8)TMNET_SYS_B);
		KUNIT_ASSERT_LT(test, out.reason, (u8)__TMNET_REASON_MAX);
		if (out.verdict == TMNET_VERDICT_PASS) {
			pass++;
			KUNIT_ASSERT_EQ(test, out.reason, (u8)TMNET_REASON_OK);
			KUNIT_ASSERT_EQ(test, out.pred_x, out.net_x);
			KUNIT_ASSERT_EQ(test, out.pred_y, out.net_y);
			KUNIT_ASSERT_LE(test, out.cert_q16, p->cfg.eps_q16);
			KUNIT_ASSERT_LE(test, out.d2_q16, p->cfg.chi2_q16);
		} else {
			KUNIT_ASSERT_EQ(test, out.verdict, (u8)TMNET_VERDICT_FALLBACK);
			KUNIT_ASSERT_NE(test, out.reason, (u8)TMNET_REASON_OK);
			KUNIT_ASSERT_EQ(test, out.pred_x, out.prior_x);
			KUNIT_ASSERT_EQ(test, out.pred_y, out.prior_y);
			fallback++;
			by_reason[out.reason]++;
		}
		KUNIT_ASSERT_LE(test, out.gate_macs, p->cfg.budget);
		KUNIT_ASSERT_TRUE(test, out.flags & TMNET_PRED_F_NET);
	}
	kunit_info(test, "3000 ticks: %llu passed, %llu fell back", pass, fallback);
	KUNIT_EXPECT_EQ(test, p->st->cnt.ticks, 3000ULL);
	KUNIT_EXPECT_EQ(test, p->st->cnt.gate_pass, pass);
	KUNIT_EXPECT_EQ(test, p->st->cnt.fallbacks, fallback);
	KUNIT_EXPECT_EQ(test, sum_fail(&p->st->cnt), fallback);
	KUNIT_EXPECT_EQ(test, p->st->cnt.gate_pass + p->st->cnt.fallbacks, 3000ULL);
	KUNIT_EXPECT_EQ(test, p->st->cnt.samples + p->st->cnt.missing, 3000ULL);
	for (r = 0; r < __TMNET_REASON_MAX; r++)
		KUNIT_EXPECT_EQ(test, p->st->cnt.gate_fail[r], by_reason[r]);
	/* a 10 % dropout stream: both paths were exercised */
	KUNIT_EXPECT_GT(test, p->st->cnt.missing, 0ULL);
	KUNIT_EXPECT_GT(test, p->st->cnt.samples, 0ULL);
}

/* input missing for longer than stale_ticks: the gate falls back (stale) */
static void tm_pipe_stale(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_b(test, 8, 4));
	u32 stale = p->m->kf.stale_ticks, i;
	struct tmnet_pred out;

	KUNIT_ASSERT_GT(test, stale, 0U);
	for (i = 0; i < 100; i++)
		pipe_tick(p, i, 0, &out);
	for (i = 1; i <= stale + 10; i++) {
		memset(&out, 0, sizeof(out));
		tm_tick(p->st, p->m, &p->cfg, NULL, &out, NULL);
		if (i > stale) {
			KUNIT_ASSERT_EQ(test, out.verdict, (u8)TMNET_VERDICT_FALLBACK);
			KUNIT_ASSERT_EQ(test, out.reason, (u8)TMNET_REASON_STALE);
		} else {
			KUNIT_ASSERT_NE(test, out.reason, (u8)TMNET_REASON_STALE);
		}
	}
	KUNIT_EXPECT_EQ(test, p->st->cnt.gate_fail[TMNET_REASON_STALE], 10ULL);
	/* the stale fault makes every sample count as missing */
	p->cfg.faults = TM_FAULT_STALE;
	for (i = 0; i < 50; i++)
		pipe_tick(p, 1000 + i, 0, &out);
	KUNIT_EXPECT_EQ(test, p->st->cnt.gate_fail[TMNET_REASON_STALE], 60ULL);
	KUNIT_EXPECT_EQ(test, p->st->cnt.samples, 100ULL);
}

/* a grossly wrong network is never published */
static void tm_pipe_corrupt_net(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_b(test, 8, 5));
	struct tmnet_pred out;
	u32 i;

	p->cfg.faults = TM_FAULT_CORRUPT_NET;
	for (i = 0; i < 1000; i++) {
		pipe_tick(p, i, 0, &out);
		KUNIT_ASSERT_EQ(test, out.verdict, (u8)TMNET_VERDICT_FALLBACK);
		KUNIT_ASSERT_EQ(test, out.pred_x, out.prior_x);
	}
	KUNIT_EXPECT_EQ(test, p->st->cnt.gate_pass, 0ULL);
	KUNIT_EXPECT_EQ(test, p->st->cnt.fallbacks, 1000ULL);
}

/* asking for a network the model lacks falls back to the prior */
static void tm_pipe_no_model(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_prior(test, RATE));
	struct tmnet_pred out;
	u32 i;

	p->cfg.mode = TMNET_SYS_B;
	for (i = 0; i < 50; i++) {
		pipe_tick(p, i, 0, &out);
		KUNIT_ASSERT_EQ(test, out.system, (u8)TMNET_SYS_PRIOR);
		KUNIT_ASSERT_EQ(test, out.verdict, (u8)TMNET_VERDICT_FALLBACK);
		KUNIT_ASSERT_EQ(test, out.reason, (u8)TMNET_REASON_NO_MODEL);
		KUNIT_ASSERT_FALSE(test, out.flags & TMNET_PRED_F_NET);
	}
	KUNIT_EXPECT_EQ(test, p->st->cnt.gate_fail[TMNET_REASON_NO_MODEL], 50ULL);
}

static u32 run_crc(struct pipe *p, u32 n)
{
	struct tmnet_pred out;
	u32 crc = 0, i;

	tm_state_reset(p->st);
	for (i = 0; i < n; i++) {
		pipe_tick(p, i, 20, &out);
		crc = tm_crc32(crc, &out, sizeof(out));
	}
	return crc;
}

/* same model, same samples: the same records, bit for bit */
static void tm_pipe_deterministic(struct kunit *test)
{
	struct pipe *a = pipe_new(test, tmk_model_b(test, 16, 6));
	struct pipe *b = pipe_new(test, tmk_model_b(test, 16, 6));
	struct pipe *c = pipe_new(test, tmk_model_b(test, 16, 8));
	u32 ca = run_crc(a, 2000);

	KUNIT_EXPECT_EQ(test, run_crc(a, 2000), ca);
	KUNIT_EXPECT_EQ(test, run_crc(b, 2000), ca);
	/* and the check can fail: another model gives other records */
	KUNIT_EXPECT_NE(test, run_crc(c, 2000), ca);
}

static u64 fake_now(void *ctx)
{
	u64 *t = ctx;

	*t += 10;
	return *t;
}

/* stage times come from the clock; the caller's stages are left alone */
static void tm_pipe_stage_clock(struct kunit *test)
{
	struct pipe *p = pipe_new(test, tmk_model_b(test, 4, 9));
	u64 t = 0;
	struct tm_clock clk = { .now_ns = fake_now, .ctx = &t };
	struct tmnet_pred out;
	struct tmnet_sample s;

	memset(&out, 0, sizeof(out));
	out.stage_ns[TMNET_STAGE_LATENESS] = 1234;
	cv_sample(0, 0, &s);
	tm_tick(p->st, p->m, &p->cfg, &s, &out, &clk);
	KUNIT_EXPECT_EQ(test, out.stage_ns[TMNET_STAGE_PRIOR], 10U);
	KUNIT_EXPECT_EQ(test, out.stage_ns[TMNET_STAGE_NET], 10U);
	KUNIT_EXPECT_EQ(test, out.stage_ns[TMNET_STAGE_GATE], 10U);
	KUNIT_EXPECT_EQ(test, out.stage_ns[TMNET_STAGE_LATENESS], 1234U);
	KUNIT_EXPECT_EQ(test, out.stage_ns[TMNET_STAGE_PUBLISH], 0U);
	KUNIT_EXPECT_EQ(test, t, 40ULL);
}

/* the record is ABI: offsets as documented in uapi/linux/tmnet.h */
struct field_case {
	const char *name;
	size_t off, size, want_off;
};

#define PRED_FIELD(f, o) { #f, offsetof(struct tmnet_pred, f), \
			   sizeof_field(struct tmnet_pred, f), o }
#define SAMPLE_FIELD(f, o) { "sample." #f, offsetof(struct tmnet_sample, f), \
			     sizeof_field(struct tmnet_sample, f), o }

static const struct field_case field_cases[] = {
	SAMPLE_FIELD(t_ns, 0), SAMPLE_FIELD(x, 8), SAMPLE_FIELD(y, 12),
	SAMPLE_FIELD(vx, 16), SAMPLE_FIELD(vy, 20), SAMPLE_FIELD(flags, 24),
	SAMPLE_FIELD(seq, 28),
	PRED_FIELD(t_ns, 0), PRED_FIELD(tick, 8), PRED_FIELD(prior_x, 16),
	PRED_FIELD(prior_y, 20), PRED_FIELD(net_x, 24), PRED_FIELD(net_y, 28),
	PRED_FIELD(pred_x, 32), PRED_FIELD(pred_y, 36), PRED_FIELD(system, 40),
	PRED_FIELD(verdict, 41), PRED_FIELD(reason, 42), PRED_FIELD(flags, 43),
	PRED_FIELD(cert_q16, 44), PRED_FIELD(d2_q16, 48), PRED_FIELD(gate_macs, 52),
	PRED_FIELD(model_gen, 56), PRED_FIELD(sample_seq, 60), PRED_FIELD(stage_ns, 64),
};

static void field_desc(const struct field_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s @%zu", c->name, c->want_off);
}

KUNIT_ARRAY_PARAM(field, field_cases, field_desc);

static void tm_record_layout(struct kunit *test)
{
	const struct field_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, c->off, c->want_off);
	/* naturally aligned */
	KUNIT_EXPECT_EQ(test, c->off % (c->size >= 8 ? 8 : c->size), (size_t)0);
}

static void tm_record_sizes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct tmnet_sample), (size_t)32);
	KUNIT_EXPECT_EQ(test, sizeof(struct tmnet_pred), (size_t)88);
	KUNIT_EXPECT_EQ(test, sizeof_field(struct tmnet_pred, stage_ns),
			(size_t)(4 * TMNET_N_STAGES));
}

static struct kunit_case tmnet_pipeline_cases[] = {
	KUNIT_CASE(tm_pipe_cv_prior),
	KUNIT_CASE(tm_pipe_dropout_predict_only),
	KUNIT_CASE(tm_pipe_gate_accounting),
	KUNIT_CASE(tm_pipe_stale),
	KUNIT_CASE(tm_pipe_corrupt_net),
	KUNIT_CASE(tm_pipe_no_model),
	KUNIT_CASE(tm_pipe_deterministic),
	KUNIT_CASE(tm_pipe_stage_clock),
	KUNIT_CASE_PARAM(tm_record_layout, field_gen_params),
	KUNIT_CASE(tm_record_sizes),
	{}
};

static struct kunit_suite tmnet_pipeline_suite = {
	.name = "tmnet_core_pipeline",
	.test_cases = tmnet_pipeline_cases,
};

kunit_test_suites(&tmnet_pipeline_suite);
