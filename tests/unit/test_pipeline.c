// SPDX-License-Identifier: GPL-2.0
/* The whole tick: modes, fallbacks, counters, determinism, parity vector. */
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
