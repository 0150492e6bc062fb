// SPDX-License-Identifier: GPL-2.0
/* The whole tick: modes, fallbacks, counters, determinism, parity vector. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "../vectors/traj.h"

static const unsigned char parity_blob[] = {
#include "../vectors/pipeline_blob.inc"
};

#include "../vectors/pipeline.inc"	/* TM_VEC_PIPE_* */

static void b_model(struct tm_model *m, double wscale)
{
	struct tt_rng rng = { 77 };
	struct tmq_gru g;
	struct tmq_params p;

	tt_random_model(&rng, TMNET_SYS_B, 32, wscale, &g, &p, m);
}

static __u32 run(const struct tm_model *m, struct tm_cfg *cfg, int ticks, __u64 seed,
		 struct tm_state *st, __u32 (*check)(const struct tmnet_pred *, const struct tm_state *))
{
	struct tm_vec_traj tr;
	__u32 crc = 0;

	tm_vec_traj_init(&tr, seed);
	tm_state_reset(st);
	for (int t = 0; t < ticks; t++) {
		struct tmnet_sample s;
		struct tmnet_pred out;

		memset(&out, 0, sizeof(out));
		tm_vec_traj_next(&tr, &s);
		tm_tick(st, m, cfg, &s, &out, NULL);
		if (check)
			check(&out, st);
		crc = tm_crc32(crc, &out, sizeof(out));
	}
	return crc;
}

static __u32 check_prior(const struct tmnet_pred *o, const struct tm_state *st)
{
	(void)st;
	assert_int_equal(o->verdict, TMNET_VERDICT_NONE);
	assert_int_equal(o->system, TMNET_SYS_PRIOR);
	assert_int_equal(o->pred_x, o->prior_x);
	assert_int_equal(o->pred_y, o->prior_y);
	return 0;
}

static __u32 check_a(const struct tmnet_pred *o, const struct tm_state *st)
{
	assert_int_equal(o->system, TMNET_SYS_A);
	assert_int_equal(o->verdict, TMNET_VERDICT_NONE);
	assert_int_equal(o->pred_x, st->last_x + st->net_disp[0]);
	assert_true(o->flags & TMNET_PRED_F_NET);
	return 0;
}

static __u32 check_b(const struct tmnet_pred *o, const struct tm_state *st)
{
	(void)st;
	assert_int_equal(o->system, TMNET_SYS_B);
	if (o->verdict == TMNET_VERDICT_PASS) {
		assert_int_equal(o->pred_x, o->net_x);
		assert_true(o->cert_q16 <= TMNET_GATE_EPS_DEFAULT);
		assert_true(o->d2_q16 <= TMNET_GATE_CHI2_DEFAULT);
	} else {
		assert_int_equal(o->verdict, TMNET_VERDICT_FALLBACK);
		assert_int_equal(o->pred_x, o->prior_x);
		assert_int_equal(o->pred_y, o->prior_y);
		assert_true(o->reason > 0 && o->reason < __TMNET_REASON_MAX);
	}
	return 0;
}

static void test_prior_mode(void **state)
{
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;

	(void)state;
	b_model(&m, 1.0);
	tm_cfg_from_model(&cfg, &m);
	cfg.mode = TMNET_SYS_PRIOR;
	run(&m, &cfg, 5000, 1, &st, check_prior);
	assert_int_equal(st.cnt.ticks, 5000);
	assert_int_equal(st.cnt.samples + st.cnt.missing, 5000);
	assert_true(st.cnt.missing > 10 && st.cnt.missing < 150);	/* ~1 % */
}

static void test_system_a(void **state)
{
	struct tt_rng rng = { 5 };
	struct tmq_gru g;
	struct tmq_params p;
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;

	(void)state;
	tt_random_model(&rng, TMNET_SYS_A, 32, 1.0, &g, &p, &m);
	tm_cfg_from_model(&cfg, &m);
	run(&m, &cfg, 5000, 2, &st, check_a);
	assert_int_equal(st.cnt.gate_pass, 0);
	assert_int_equal(st.cnt.fallbacks, 0);
}

static void test_system_b_counters(void **state)
{
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;
	__u64 fails = 0;

	(void)state;
	b_model(&m, 1.0);
	tm_cfg_from_model(&cfg, &m);
	run(&m, &cfg, 20000, 3, &st, check_b);
	for (int i = 0; i < __TMNET_REASON_MAX; i++)
		fails += st.cnt.gate_fail[i];
	/* every tick has exactly one verdict */
	assert_int_equal(st.cnt.gate_pass + fails, st.cnt.ticks);
	assert_int_equal(st.cnt.fallbacks, fails);
	assert_true(st.cnt.gate_pass > 0);
	printf("# B: %llu ticks, %llu pass, chi2 %llu, budget %llu, cert %llu, stale %llu, sat %llu\n",
	       (unsigned long long)st.cnt.ticks, (unsigned long long)st.cnt.gate_pass,
	       (unsigned long long)st.cnt.gate_fail[TMNET_REASON_CHI2],
	       (unsigned long long)st.cnt.gate_fail[TMNET_REASON_BUDGET],
	       (unsigned long long)st.cnt.gate_fail[TMNET_REASON_CERT],
	       (unsigned long long)st.cnt.gate_fail[TMNET_REASON_STALE],
	       (unsigned long long)st.cnt.gate_fail[TMNET_REASON_SATURATION]);
}

static void test_no_model(void **state)
{
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;

	(void)state;
	tm_model_default_prior(&m, 2000);
	tm_cfg_from_model(&cfg, &m);
	cfg.mode = TMNET_SYS_B;
	run(&m, &cfg, 1000, 4, &st, NULL);
	assert_int_equal(st.cnt.gate_fail[TMNET_REASON_NO_MODEL], 1000);
	assert_int_equal(st.cnt.fallbacks, 1000);
}

static void test_faults(void **state)
{
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;

	(void)state;
	b_model(&m, 1.0);
	tm_cfg_from_model(&cfg, &m);
	/* corrupted network: the gate rejects it on chi2, the prior stands */
	cfg.faults = TM_FAULT_CORRUPT_NET;
	run(&m, &cfg, 4000, 5, &st, check_b);
	assert_int_equal(st.cnt.gate_pass, 0);
	assert_true(st.cnt.gate_fail[TMNET_REASON_CHI2] > 3900);
	/* stale input: everything after stale_ticks is a stale fallback */
	cfg.faults = TM_FAULT_STALE;
	run(&m, &cfg, 3000, 6, &st, check_b);
	assert_int_equal(st.cnt.samples, 0);
	assert_int_equal(st.cnt.gate_fail[TMNET_REASON_STALE], 3000);
}

static void test_deterministic(void **state)
{
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;
	__u32 a, b;

	(void)state;
	b_model(&m, 1.0);
	tm_cfg_from_model(&cfg, &m);
	a = run(&m, &cfg, 10000, 7, &st, NULL);
	b = run(&m, &cfg, 10000, 7, &st, NULL);
	assert_int_equal(a, b);
}

/*
 * TMNET_SAMPLE_SEG_START: from the flagged sample on, the records equal
 * those of a fresh state fed the same samples (filter, hidden state and
 * last position forgotten), except the tick number; the counters carry on.
 */
static void test_seg_start(void **state)
{
	enum { N = 6000, K = 2500 };
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state a, b;
	static struct tmnet_sample s[N];
	struct tm_vec_traj tr;
	int t, differs = 0;

	(void)state;
	b_model(&m, 1.0);
	tm_cfg_from_model(&cfg, &m);
	tm_vec_traj_init(&tr, 11);
	for (t = 0; t < N; t++)
		tm_vec_traj_next(&tr, &s[t]);
	s[K].flags |= TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START;
	tm_state_reset(&a);
	tm_state_reset(&b);
	static struct tmnet_pred oc;

	for (t = 0; t < N; t++) {
		struct tmnet_pred oa, ob;
		struct tmnet_sample plain;

		memset(&oa, 0, sizeof(oa));
		memset(&ob, 0, sizeof(ob));
		tm_tick(&a, &m, &cfg, &s[t], &oa, NULL);
		if (t == K - 1) {
			/* without the flag the state would have carried on */
			static struct tm_state c;

			c = a;
			plain = s[K];
			plain.flags &= ~TMNET_SAMPLE_SEG_START;
			memset(&oc, 0, sizeof(oc));
			tm_tick(&c, &m, &cfg, &plain, &oc, NULL);
			assert_true(c.kf.init);
			assert_int_equal(c.cnt.seg_starts, 0);
		}
		if (t < K)
			continue;
		tm_tick(&b, &m, &cfg, &s[t], &ob, NULL);
		if (t == K) {
			assert_int_equal(a.cnt.seg_starts, 1);
			/* the flag made a difference */
			oc.tick = oa.tick;
			assert_true(memcmp(&oa, &oc, sizeof(oa)) != 0);
		}
		assert_int_equal(oa.tick, (__u64)t);
		ob.tick = oa.tick;
		if (memcmp(&oa, &ob, sizeof(oa)))
			differs++;
	}
	assert_int_equal(differs, 0);
	assert_int_equal(a.cnt.ticks, N);
	assert_int_equal(b.cnt.ticks, N - K);
	for (t = 0; t < TMNET_MAX_HIDDEN; t++)
		assert_int_equal(a.h[t], b.h[t]);
}

/* ------------------------------------------------------------------ */
/* The monitor (TMNET_FUSE_MONITOR)                                    */
/* ------------------------------------------------------------------ */

enum { MON_H = 1000, MON_STRIDE = 16, MON_SHIFT = 4 };

/* a B model whose fusion is the monitor, with initial moments pp, nn, pn (units^2) */
static void mon_model(struct tm_model *m, double pp, double nn, double pn)
{
	b_model(m, 1.0);
	m->ext.fuse_kind = TMNET_FUSE_MONITOR;
	m->ext.mon_shift = MON_SHIFT;
	m->ext.mon_stride = MON_STRIDE;
	m->ext.reserved[TMNET_MON_INIT_PP] = (__u64)tmq_q32(pp);
	m->ext.reserved[TMNET_MON_INIT_NN] = (__u64)tmq_q32(nn);
	m->ext.reserved[TMNET_MON_INIT_PN] = (__u64)tmq_q32(pn);
	m->crc32 ^= 1;		/* another model as far as the monitor knows */
	assert_int_equal(m->horizon_ticks, MON_H);
}

/* the blend weight in double, clamped as the core's */
static double ref_w(double pp, double nn, double pn)
{
	double den = pp + nn - 2 * pn, w;

	if (den <= 0)
		return 1;
	w = (nn - pn) / den;
	return w < 0 ? 0 : w > 1 ? 1 : w;
}

/* a sample on a slow circle: always valid unless told */
static void circle(struct tmnet_sample *s, int t, int valid)
{
	double a = t * 2e-4;

	memset(s, 0, sizeof(*s));
	s->x = tmq_q16(30 * cos(a));
	s->y = tmq_q16(30 * sin(a));
	s->vx = tmq_q16(-30 * 2e-4 * 2000 * sin(a));
	s->vy = tmq_q16(30 * 2e-4 * 2000 * cos(a));
	s->flags = valid ? TMNET_SAMPLE_VALID : 0;
	s->seq = (__u32)t;
}

static void check_blend(const struct tmnet_pred *o, const struct tm_state *st)
{
	assert_int_equal(o->system, TMNET_SYS_B);
	if (o->verdict == TMNET_VERDICT_BLEND) {
		__s64 a = 65536 - (__s64)st->mon.w_q16;
		double ex = o->prior_x + (double)a * st->net_disp[0] / 65536.0;
		double ey = o->prior_y + (double)a * st->net_disp[1] / 65536.0;

		assert_int_equal(o->reason, TMNET_REASON_OK);
		/* prior + (1 - w) disp, rounded to the nearest Q16.16 */
		assert_true(fabs(o->pred_x - ex) <= 0.5 && fabs(o->pred_y - ey) <= 0.5);
		assert_true(st->mon.w_q16 <= 65536);
	} else {
		assert_int_equal(o->verdict, TMNET_VERDICT_FALLBACK);
		assert_int_equal(o->pred_x, o->prior_x);
		assert_int_equal(o->pred_y, o->prior_y);
	}
}

/*
 * Predictions are stored every MON_STRIDE ticks from the first tick with
 * an initialised prior and resolved exactly MON_H ticks later against that
 * tick's sample; the EWMAs and w follow a double reference computed from
 * the published records.
 */
static void test_monitor_resolves(void **state)
{
	enum { N = 6000 };
	static struct tm_state st;
	static struct tmnet_pred rec[N];
	static struct tmnet_sample smp[N];
	struct tm_model m;
	struct tm_cfg cfg;
	double pp = 40, nn = 10, pn = 5, rpp = pp, rnn = nn, rpn = pn, wmax = 0;
	__u64 resolved = 0;

	(void)state;
	mon_model(&m, pp, nn, pn);
	tm_cfg_from_model(&cfg, &m);
	tm_state_reset(&st);
	for (int t = 0; t < N; t++) {
		circle(&smp[t], t, 1);
		memset(&rec[t], 0, sizeof(rec[t]));
		tm_tick(&st, &m, &cfg, &smp[t], &rec[t], NULL);
		check_blend(&rec[t], &st);
		if (t == 0) {
			/* the initial weight, from the model's moments */
			assert_true(fabs(st.mon.w_q16 / 65536.0 - ref_w(pp, nn, pn)) < 2e-5);
		}
		if (t >= MON_H && (t - MON_H) % MON_STRIDE == 0) {
			const struct tmnet_pred *o = &rec[t - MON_H];
			double ep[2], en[2], k = 1.0 / (1 << MON_SHIFT);

			ep[0] = (o->prior_x - smp[t].x) / 65536.0;
			ep[1] = (o->prior_y - smp[t].y) / 65536.0;
			en[0] = (o->net_x - smp[t].x) / 65536.0;
			en[1] = (o->net_y - smp[t].y) / 65536.0;
			rpp += (ep[0] * ep[0] + ep[1] * ep[1] - rpp) * k;
			rnn += (en[0] * en[0] + en[1] * en[1] - rnn) * k;
			rpn += (ep[0] * en[0] + ep[1] * en[1] - rpn) * k;
			resolved++;
		}
		/* resolved on the horizon tick, not before or after */
		assert_int_equal(st.cnt.mon_resolved, resolved);
		assert_true(fabs(st.mon.spp / 4294967296.0 - rpp) <= 1e-6 * (1 + rpp));
		assert_true(fabs(st.mon.snn / 4294967296.0 - rnn) <= 1e-6 * (1 + rnn));
		assert_true(fabs(st.mon.spn / 4294967296.0 - rpn) <= 1e-6 * (1 + fabs(rpn)));
		{
			double dw = fabs(st.mon.w_q16 / 65536.0 - ref_w(rpp, rnn, rpn));

			wmax = dw > wmax ? dw : wmax;
		}
	}
	printf("# monitor: %llu resolved, max |w - w_ref| %.2e\n",
	       (unsigned long long)resolved, wmax);
	assert_true(wmax < 1e-4);
	assert_int_equal(resolved, (N - 1 - MON_H) / MON_STRIDE + 1);
	assert_int_equal(st.cnt.mon_stored, (N - 1) / MON_STRIDE + 1);
	assert_int_equal(st.cnt.mon_dropped, 0);
	assert_int_equal(st.cnt.blend, st.cnt.gate_pass);
	assert_true(st.cnt.blend > 0);
}

/* A missing sample on the resolving tick drops that slot; a segment start drops all */
static void test_monitor_drops(void **state)
{
	static struct tm_state st;
	struct tm_model m;
	struct tm_cfg cfg;
	struct tmnet_sample s;
	struct tmnet_pred o;
	__s64 spp;
	__u32 pending;
	int t;

	(void)state;
	mon_model(&m, 1, 1, 0);
	tm_cfg_from_model(&cfg, &m);
	tm_state_reset(&st);
	for (t = 0; t < 3000; t++) {
		/* the slot stored at tick 16 resolves on tick 1016: no sample there */
		circle(&s, t, t != MON_H + MON_STRIDE);
		tm_tick(&st, &m, &cfg, &s, &o, NULL);
		if (t == MON_H + MON_STRIDE) {
			assert_int_equal(st.cnt.mon_dropped, 1);
			assert_int_equal(st.cnt.mon_resolved, 1);
		}
	}
	assert_int_equal(st.cnt.mon_dropped, 1);
	assert_int_equal(st.cnt.mon_stored, st.cnt.mon_resolved + 1 + st.mon.count);
	/* a segment start: pending slots dropped, EWMAs and w kept */
	spp = st.mon.spp;
	pending = st.mon.count;
	assert_true(pending > 50);
	circle(&s, t, 1);
	s.flags |= TMNET_SAMPLE_SEG_START;
	tm_tick(&st, &m, &cfg, &s, &o, NULL);
	assert_int_equal(st.cnt.mon_dropped, 1 + pending);
	assert_int_equal(st.mon.spp, spp);
	/* the new segment's first tick was stored again */
	assert_int_equal(st.mon.count, 1);
	/* a model change drops them too and reloads the EWMAs from the model */
	tm_state_model_changed(&st);
	assert_int_equal(st.mon.count, 0);
	assert_int_equal(st.cnt.mon_dropped, 2 + pending);
	circle(&s, t + 1, 1);
	tm_tick(&st, &m, &cfg, &s, &o, NULL);
	assert_int_equal(st.mon.spp, (__s64)m.ext.reserved[TMNET_MON_INIT_PP]);
}

/* w against the double formula, its clamps, and extreme moments (UBSan) */
static void test_monitor_weight(void **state)
{
	static const double cases[][3] = {
		{ 4, 1, 0 }, { 1, 4, 0 }, { 1, 1, 0 }, { 9, 4, 5 }, { 4, 9, 5 },
		{ 1, 1, 1 },		/* identical errors: w = 1 (the prior) */
		{ 1, 4, 2 },		/* pn > pp: num < den?  (4-2)/(1+4-4) = 2 -> 1 */
		{ 4, 1, 2 },		/* nn - pn < 0: w = 0 (the net) */
		{ 0, 0, 0 },		/* nothing known: the prior */
		{ 2e9, 1e9, -1e9 },	/* near the Q32.32 range */
		{ 2.1e9, 2.1e9, -2.1e9 },
		{ 1e-9, 3e-9, 1e-9 },	/* a few ulps */
	};
	static struct tm_state st;
	struct tm_model m;
	struct tm_cfg cfg;
	struct tmnet_sample s;
	struct tmnet_pred o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double pp = cases[i][0], nn = cases[i][1], pn = cases[i][2];
		double qpp, qnn, qpn, w;

		mon_model(&m, pp, nn, pn);
		tm_cfg_from_model(&cfg, &m);
		tm_state_reset(&st);
		circle(&s, 0, 1);
		tm_tick(&st, &m, &cfg, &s, &o, NULL);
		check_blend(&o, &st);
		/* the reference on the moments as stored (Q32.32) */
		qpp = (__s64)m.ext.reserved[0] / 4294967296.0;
		qnn = (__s64)m.ext.reserved[1] / 4294967296.0;
		qpn = (__s64)m.ext.reserved[2] / 4294967296.0;
		w = ref_w(qpp, qnn, qpn);
		printf("# w(%g, %g, %g) = %.6f, reference %.6f\n", pp, nn, pn,
		       st.mon.w_q16 / 65536.0, w);
		assert_true(fabs(st.mon.w_q16 / 65536.0 - w) <= 1.0 / 65536);
	}
}

/*
 * A corrupted network under the monitor: the chi2 test rejects every
 * correction (the prior is published), and the monitor, which resolves
 * the network's predictions whatever was published, drives w to 1.
 */
static void test_monitor_corrupt(void **state)
{
	static struct tm_state st;
	struct tm_model m;
	struct tm_cfg cfg;
	struct tmnet_sample s;
	struct tmnet_pred o;

	(void)state;
	mon_model(&m, 10, 1, 0);		/* starts trusting the network */
	tm_cfg_from_model(&cfg, &m);
	cfg.faults = TM_FAULT_CORRUPT_NET;
	tm_state_reset(&st);
	for (int t = 0; t < 4000; t++) {
		circle(&s, t, 1);
		tm_tick(&st, &m, &cfg, &s, &o, NULL);
		check_blend(&o, &st);
		if (t > 100) {
			assert_int_equal(o.verdict, TMNET_VERDICT_FALLBACK);
			assert_int_equal(o.reason, TMNET_REASON_CHI2);
		}
	}
	assert_true(st.cnt.mon_resolved > 150);
	printf("# corrupt net: w %.5f after %llu resolves\n", st.mon.w_q16 / 65536.0,
	       (unsigned long long)st.cnt.mon_resolved);
	assert_true(st.mon.w_q16 > 65536 * 0.99);
}

/*
 * The validator on the monitor's fields (tm_blob_check_fuse): a monitor
 * blob round-trips with its moments; negative moments, a cross moment
 * that breaks Cauchy-Schwarz and a non-zero reserved[3] are rejected.
 */
static void test_monitor_blob(void **state)
{
	static const struct {
		__s64 pp, nn, pn, r3;
		__u32 code;
	} cases[] = {
		{ 4LL << 32, 9LL << 32, 6LL << 32, 0, TMNET_BLOB_OK },		/* pn^2 = pp nn */
		{ 4LL << 32, 9LL << 32, -(6LL << 32), 0, TMNET_BLOB_OK },
		{ 0, 0, 0, 0, TMNET_BLOB_OK },
		{ 0x7fffffffffffffffLL, 0x7fffffffffffffffLL, -0x7fffffffffffffffLL, 0, TMNET_BLOB_OK },
		{ -1, 9LL << 32, 0, 0, TMNET_BLOB_E_EXT },
		{ 4LL << 32, -1, 0, 0, TMNET_BLOB_E_EXT },
		{ 4LL << 32, 9LL << 32, (6LL << 32) + 1, 0, TMNET_BLOB_E_EXT },
		{ 0, 9LL << 32, 1, 0, TMNET_BLOB_E_EXT },
		{ 4LL << 32, 9LL << 32, 0, 1, TMNET_BLOB_E_RESERVED },
	};
	struct tm_model m, back;
	struct tm_blob_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *b;
		__u32 len;
		int rc;

		mon_model(&m, 1, 1, 0);
		m.ext.reserved[TMNET_MON_INIT_PP] = (__u64)cases[i].pp;
		m.ext.reserved[TMNET_MON_INIT_NN] = (__u64)cases[i].nn;
		m.ext.reserved[TMNET_MON_INIT_PN] = (__u64)cases[i].pn;
		m.ext.reserved[3] = (__u64)cases[i].r3;
		b = tt_blob(&m, &len);
		rc = tm_model_from_blob(&back, b, len, &e);
		free(b);
		assert_int_equal(rc ? e.code : TMNET_BLOB_OK, cases[i].code);
		if (!rc) {
			assert_int_equal(back.ext.fuse_kind, TMNET_FUSE_MONITOR);
			assert_int_equal(back.ext.mon_shift, MON_SHIFT);
			assert_int_equal(back.ext.mon_stride, MON_STRIDE);
			assert_memory_equal(back.ext.reserved, m.ext.reserved, sizeof(m.ext.reserved));
		}
	}
	/* a stride the 64 slots cannot cover for the horizon is rejected */
	mon_model(&m, 1, 1, 0);
	m.ext.mon_stride = (MON_H + TMNET_MON_SLOTS - 2) / (TMNET_MON_SLOTS - 1) - 1;
	{
		__u32 len;
		unsigned char *b = tt_blob(&m, &len);

		assert_int_equal(tm_model_from_blob(&back, b, len, &e), -TMNET_BLOB_E_EXT);
		free(b);
	}
}

/*
 * Parity vector (also run by the KUnit suite in the kernel): the CRC of
 * every record for a stored blob over a stored trajectory.  It was produced
 * by this core; its purpose is that every build of the core - userspace,
 * kernel, any compiler - produces the same bytes.
 */
static void test_parity_vector(void **state)
{
	struct tm_model m;
	struct tm_cfg cfg;
	static struct tm_state st;
	struct tm_blob_error e;
	__u32 crc;

	(void)state;
	assert_int_equal(tm_model_from_blob(&m, parity_blob, sizeof(parity_blob), &e), 0);
	tm_cfg_from_model(&cfg, &m);
	crc = run(&m, &cfg, TM_VEC_PIPE_TICKS, TM_VEC_PIPE_SEED, &st, check_b);
	if (getenv("TM_PRINT_PARITY"))
		printf("# parity crc 0x%08x\n", crc);
	assert_int_equal(crc, TM_VEC_PIPE_CRC);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prior_mode),
		cmocka_unit_test(test_system_a),
		cmocka_unit_test(test_system_b_counters),
		cmocka_unit_test(test_no_model),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_seg_start),
		cmocka_unit_test(test_parity_vector),
		cmocka_unit_test(test_monitor_resolves),
		cmocka_unit_test(test_monitor_drops),
		cmocka_unit_test(test_monitor_weight),
		cmocka_unit_test(test_monitor_corrupt),
		cmocka_unit_test(test_monitor_blob),
	};

	/* --write-vectors: regenerate tests/vectors/pipeline*.inc */
	if (argc > 1 && !strcmp(argv[1], "--write-blob")) {
		struct tm_model m;
		__u32 len;
		unsigned char *b;
		FILE *f = fopen("tests/vectors/pipeline_blob.inc", "w");

		b_model(&m, 1.0);
		b = tt_blob(&m, &len);
		fprintf(f, "/* A System B model with random weights (tests/unit/test_pipeline.c --write-blob) */\n");
		for (__u32 i = 0; i < len; i++)
			fprintf(f, "0x%02x,%s", b[i], (i % 12 == 11) ? "\n" : " ");
		fprintf(f, "\n");
		fclose(f);
		free(b);
		return 0;
	}
	return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
