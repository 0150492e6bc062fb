// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the tick engine of kmod/ (tmnet_dev.c, compiled into this module
 * unchanged) on a private device instance: replayed samples give exactly
 * the records the core computes for them, predict-only ticks, live mode,
 * model swaps under RCU while ticking, load errors, the latest-record API,
 * start/stop, statistics resets (stopped, running, just before a stop) and
 * a refused configuration change.
 *
 * The timer really runs (2 kHz, hard IRQ), so these cases take wall time;
 * they wait for records on the device's read wait queue.
 */
#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/wait.h>
#include "tmnet_kunit.h"
#include "tmnet_dev.h"

#define RATE		TMNET_DEFAULT_RATE_HZ
#define WAIT_MS		20000	/* TCG + KASAN: generous */
#define ENG_INDEX	90	/* not a real instance: no misc device, no debugfs */

static int eng_init(struct kunit *test)
{
	struct tmnet_dev *dev = tmnet_dev_create(ENG_INDEX, RATE, -1);

	if (!dev)
		return -ENOMEM;
	test->priv = dev;
	return 0;
}

static void eng_exit(struct kunit *test)
{
	tmnet_dev_destroy(test->priv);
	/* old slots go through kfree_rcu: let them go before kmemleak looks */
	rcu_barrier();
}

static bool eng_wait(struct tmnet_dev *dev, u32 n)
{
	/* the engine wakes readers with wake_up_interruptible_poll() */
	return wait_event_interruptible_timeout(dev->read_wq,
						tmnet_dev_out_avail(dev) >= n,
						msecs_to_jiffies(WAIT_MS)) > 0;
}

/* the i-th record since the last flush (the ring is not consumed) */
static const struct tmnet_pred *eng_rec(struct tmnet_dev *dev, u32 i)
{
	return &dev->out[(dev->out_tail + i) & (TMNET_OUT_RING - 1)];
}

static void eng_load(struct kunit *test, struct tmnet_dev *dev, struct tm_model *m)
{
	struct tmnet_err err;
	u32 len;
	u8 *b = tmk_blob(test, m, &len);

	KUNIT_ASSERT_EQ_MSG(test, tmnet_dev_load_model(dev, b, len, &err), 0,
			    "load: %s", err.msg ? err.msg : "?");
}

static void sample(u32 i, struct tmnet_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->t_ns = (u64)i * (NSEC_PER_SEC / RATE);
	s->x = (1 << 16) + (s32)div_s64((s64)(3 << 16) * i, RATE);
	s->y = (2 << 16) - (s32)div_s64((s64)(1 << 16) * i, RATE);
	s->vx = 3 << 16;
	s->vy = -(1 << 16);
	s->flags = TMNET_SAMPLE_VALID;
	s->seq = i;
}

/* the fields the core computes (not time, model generation or overruns) */
static void core_part(const struct tmnet_pred *in, struct tmnet_pred *out)
{
	*out = *in;
	out->t_ns = 0;
	out->model_gen = 0;
	out->flags &= ~TMNET_PRED_F_OVERRUN;
	memset(out->stage_ns, 0, sizeof(out->stage_ns));
}

/* replay: each tick consumes one sample; records equal the core's, bit for bit */
static void eng_replay_matches_core(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tm_model *m = tmk_model_b(test, 8, 11), *dm;
	struct tm_state *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct tmnet_pred want, got;
	struct tmnet_sample s;
	struct tm_cfg cfg;
	u32 i, n, len, nsamp = 600;
	u8 *blob;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, st);
	eng_load(test, dev, m);
	for (i = 0; i < nsamp; i++) {
		sample(i, &s);
		KUNIT_ASSERT_EQ(test, tmnet_submit(dev, &s), 0);
	}
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, nsamp + 50));
	tmnet_dev_stop(dev);
	n = tmnet_dev_out_avail(dev);
	KUNIT_ASSERT_LE(test, n, (u32)TMNET_OUT_RING);

	/* what the device runs: the model as parsed back from its blob */
	dm = kunit_kzalloc(test, sizeof(*dm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dm);
	blob = tmk_blob(test, m, &len);
	KUNIT_ASSERT_EQ(test, tm_model_from_blob(dm, blob, len, NULL), 0);
	tm_state_reset(st);
	tm_cfg_from_model(&cfg, dm);
	for (i = 0; i < n; i++) {
		struct tmnet_pred exp;

		memset(&exp, 0, sizeof(exp));
		if (i < nsamp)
			sample(i, &s);
		tm_tick(st, dm, &cfg, i < nsamp ? &s : NULL, &exp, NULL);
		core_part(&exp, &want);
		core_part(eng_rec(dev, i), &got);
		KUNIT_ASSERT_EQ_MSG(test, memcmp(&want, &got, sizeof(want)), 0,
				    "record %u of %u differs (tick %llu, pred %d,%d vs %d,%d)",
				    i, n, got.tick, got.pred_x, got.pred_y,
				    want.pred_x, want.pred_y);
		KUNIT_ASSERT_EQ(test, eng_rec(dev, i)->model_gen, 1U);
	}
	kunit_info(test, "%u records identical to the core's", n);
}

/* no samples: every tick still publishes a record, counted as no_sample */
static void eng_predict_only(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	u32 i, n;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 200));
	tmnet_dev_stop(dev);
	n = tmnet_dev_out_avail(dev);
	for (i = 0; i < n; i++) {
		const struct tmnet_pred *r = eng_rec(dev, i);

		KUNIT_ASSERT_EQ(test, r->tick, (u64)i);
		KUNIT_ASSERT_FALSE(test, r->flags & TMNET_PRED_F_SAMPLE);
		KUNIT_ASSERT_EQ(test, r->system, (u8)TMNET_SYS_PRIOR);
		KUNIT_ASSERT_EQ(test, r->model_gen, 0U);
		if (i)
			KUNIT_ASSERT_GT(test, r->t_ns, eng_rec(dev, i - 1)->t_ns);
	}
	tmnet_dev_stats(dev, ds);
	kunit_info(test, "%llu ticks, %u records in the ring, %llu overflowed, %llu overruns",
		   ds->core.ticks, n, ds->dev.out_overflow, ds->dev.overruns);
	/* every tick: one record (in the ring or counted lost), no sample */
	KUNIT_EXPECT_EQ(test, ds->dev.out_records, (u64)n);
	KUNIT_EXPECT_EQ(test, ds->dev.out_records + ds->dev.out_overflow, ds->core.ticks);
	KUNIT_EXPECT_EQ(test, ds->dev.no_sample, ds->core.ticks);
	KUNIT_EXPECT_EQ(test, ds->core.missing, ds->core.ticks);
	KUNIT_EXPECT_EQ(test, ds->core.samples, 0ULL);
}

/* live: the newest queued sample wins, the older ones are counted dropped */
static void eng_live_newest_wins(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_config c = { .set = TMNET_CFG_SOURCE, .source = TMNET_SRC_LIVE };
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	struct tmnet_sample s;
	u32 i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	KUNIT_ASSERT_EQ(test, tmnet_dev_set_config(dev, &c, NULL), 0);
	for (i = 0; i < 10; i++) {
		sample(i, &s);
		KUNIT_ASSERT_EQ(test, tmnet_submit(dev, &s), 0);
	}
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 2));
	tmnet_dev_stop(dev);
	KUNIT_EXPECT_TRUE(test, eng_rec(dev, 0)->flags & TMNET_PRED_F_SAMPLE);
	KUNIT_EXPECT_EQ(test, eng_rec(dev, 0)->sample_seq, 9U);
	KUNIT_EXPECT_FALSE(test, eng_rec(dev, 1)->flags & TMNET_PRED_F_SAMPLE);
	tmnet_dev_stats(dev, ds);
	KUNIT_EXPECT_EQ(test, ds->dev.dropped, 9ULL);
	KUNIT_EXPECT_EQ(test, ds->dev.samples_in, 10ULL);
	KUNIT_EXPECT_EQ(test, ds->core.samples, 1ULL);
}

/* model swaps while ticking: every record names a complete, loaded model */
static void eng_rcu_swap_while_ticking(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	struct tm_model *ma = tmk_model_b(test, 8, 21), *mb = tmk_model_b(test, 16, 22);
	u32 la, lb, i, k, gens_seen = 0, last_gen = 0, swaps = 1000, n;
	u8 *ba = tmk_blob(test, ma, &la), *bb = tmk_blob(test, mb, &lb);
	struct tmnet_config c = { .set = TMNET_CFG_CPU, .cpu = 0 };
	u64 records = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	/*
	 * The tick on CPU 0, the swapper on CPU 1: a tick can then hold the
	 * old model while it is replaced, which is what RCU must make safe
	 * (freeing it without a grace period is a use-after-free for KASAN).
	 * The affinity ends with this test's thread.
	 */
	if (!cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online");
	KUNIT_ASSERT_EQ(test, tmnet_dev_set_config(dev, &c, NULL), 0);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(1)), 0);
	KUNIT_ASSERT_EQ(test, tmnet_dev_load_model(dev, ba, la, NULL), 0);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	for (k = 0; k < swaps; k++) {
		KUNIT_ASSERT_EQ(test, tmnet_dev_load_model(dev, (k & 1) ? ba : bb,
							   (k & 1) ? la : lb, NULL), 0);
		if (k % 50)
			continue;
		/* check and consume what the tick published so far */
		n = tmnet_dev_out_avail(dev);
		for (i = 0; i < n; i++) {
			const struct tmnet_pred *r = eng_rec(dev, i);

			KUNIT_ASSERT_GE(test, r->model_gen, last_gen);
			KUNIT_ASSERT_LE(test, r->model_gen, k + 2);
			KUNIT_ASSERT_EQ(test, r->system, (u8)TMNET_SYS_B);
			if (r->model_gen != last_gen)
				gens_seen++;
			last_gen = r->model_gen;
		}
		records += n;
		/* hand the slots back to the tick after reading them, as read() does */
		smp_store_release(&dev->out_tail, dev->out_tail + n);
	}
	tmnet_dev_stop(dev);
	tmnet_dev_stats(dev, ds);
	kunit_info(test, "%u swaps, %llu records checked, %u generations seen, %llu overruns",
		   swaps, records, gens_seen, ds->dev.overruns);
	KUNIT_EXPECT_EQ(test, ds->dev.model_loads, (u64)swaps + 1);
	KUNIT_EXPECT_EQ(test, ds->dev.model_load_errors, 0ULL);
	KUNIT_EXPECT_EQ(test, ds->model_gen, swaps + 1);
	KUNIT_EXPECT_GT(test, records, 0ULL);
	KUNIT_EXPECT_GE(test, gens_seen, 2U);
	/* every tick is a pass or a fallback, whatever model it ran */
	KUNIT_EXPECT_EQ(test, ds->core.gate_pass + ds->core.fallbacks, ds->core.ticks);
}

/* bad loads are refused with a reason; the running model is untouched */
static void eng_load_errors(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tm_model *m = tmk_model_b(test, 4, 31);
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	struct tmnet_err err;
	u32 len;
	u8 *b = tmk_blob(test, m, &len);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	dev->fault_fail_load = true;
	KUNIT_EXPECT_EQ(test, tmnet_dev_load_model(dev, b, len, &err), -EIO);
	KUNIT_EXPECT_NOT_NULL(test, err.msg);
	KUNIT_EXPECT_EQ(test, tmnet_dev_load_model(dev, b, len, &err), 0);

	b[0] ^= 1;
	KUNIT_EXPECT_EQ(test, tmnet_dev_load_model(dev, b, len, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err.blob_code, (u32)TMNET_BLOB_E_MAGIC);
	KUNIT_EXPECT_STREQ(test, err.msg, tm_blob_strerror(TMNET_BLOB_E_MAGIC));
	b[0] ^= 1;

	m->rate_hz = RATE / 2;
	b = tmk_blob(test, m, &len);
	KUNIT_EXPECT_EQ(test, tmnet_dev_load_model(dev, b, len, &err), -ERANGE);
	KUNIT_EXPECT_EQ(test, tmnet_dev_load_model(dev, b, TMNET_BLOB_MAX_SIZE + 1, &err),
			-E2BIG);

	tmnet_dev_stats(dev, ds);
	KUNIT_EXPECT_EQ(test, ds->dev.model_loads, 1ULL);
	KUNIT_EXPECT_EQ(test, ds->dev.model_load_errors, 3ULL);
	KUNIT_EXPECT_EQ(test, ds->model_gen, 1U);
}

/* tmnet_latest(): nothing before the first tick, then the last record */
static void eng_latest(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	struct tmnet_pred p;
	u32 n;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	KUNIT_EXPECT_EQ(test, tmnet_latest(dev, &p), -ENODATA);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 20));
	tmnet_dev_stop(dev);
	n = tmnet_dev_out_avail(dev);
	tmnet_dev_stats(dev, ds);
	KUNIT_ASSERT_EQ(test, tmnet_latest(dev, &p), 0);
	KUNIT_EXPECT_EQ(test, p.tick, ds->core.ticks - 1);
	/* the ring keeps the oldest records when full: compare if it did not fill */
	if (!ds->dev.out_overflow)
		KUNIT_EXPECT_EQ(test, memcmp(&p, eng_rec(dev, n - 1), sizeof(p)), 0);
}

/* the exported submit API checks flags and the replay queue's room */
static void eng_submit_limits(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_sample s;
	u32 i;

	sample(0, &s);
	s.flags = 0x80;
	KUNIT_EXPECT_EQ(test, tmnet_submit(dev, &s), -EINVAL);
	s.flags = TMNET_SAMPLE_VALID;
	for (i = 0; i < TMNET_IN_RING; i++)
		KUNIT_ASSERT_EQ(test, tmnet_submit(dev, &s), 0);
	KUNIT_EXPECT_EQ(test, tmnet_submit(dev, &s), -ENOSPC);
	KUNIT_EXPECT_EQ(test, tmnet_dev_in_space(dev), 0U);
	tmnet_dev_flush(dev);
	KUNIT_EXPECT_EQ(test, tmnet_dev_in_space(dev), (u32)TMNET_IN_RING);
}

/* start and stop are idempotent; a stopped device publishes nothing */
static void eng_start_stop(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	u32 n;

	KUNIT_EXPECT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_EXPECT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_EXPECT_TRUE(test, tmnet_dev_running(dev));
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 10));
	tmnet_dev_stop(dev);
	tmnet_dev_stop(dev);
	KUNIT_EXPECT_FALSE(test, tmnet_dev_running(dev));
	n = tmnet_dev_out_avail(dev);
	/* nothing more arrives within 20 periods */
	KUNIT_EXPECT_FALSE(test, wait_event_interruptible_timeout(dev->read_wq,
						tmnet_dev_out_avail(dev) > n,
						msecs_to_jiffies(10)) > 0);
	KUNIT_EXPECT_EQ(test, tmnet_dev_reset_state(dev), 0);
	KUNIT_EXPECT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_EXPECT_EQ(test, tmnet_dev_reset_state(dev), -EBUSY);
	tmnet_dev_stop(dev);
}

/* the raw histogram of the total stage: its count */
static u64 eng_hist_count(struct kunit *test, struct tmnet_dev *dev)
{
	struct tmnet_hist *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	KUNIT_ASSERT_EQ(test, tmnet_dev_histogram(dev, TMNET_STAGE_TOTAL, h), 0);
	return h->count;
}

/*
 * A stopped device clears at once.  The old code opened the seqcount's
 * write section in preemptible process context: lockdep (DEBUG_PREEMPT)
 * reports it, and a hard-IRQ reader on that CPU could spin forever.
 */
static void eng_reset_stopped(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	struct tmnet_pred p;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 20));
	tmnet_dev_stop(dev);
	tmnet_dev_stats(dev, ds);
	KUNIT_ASSERT_GE(test, ds->core.ticks, 20ULL);
	KUNIT_ASSERT_EQ(test, eng_hist_count(test, dev), ds->core.ticks);

	tmnet_dev_reset_stats(dev);
	tmnet_dev_stats(dev, ds);
	KUNIT_EXPECT_EQ(test, ds->core.ticks, 0ULL);
	KUNIT_EXPECT_EQ(test, ds->dev.no_sample, 0ULL);
	KUNIT_EXPECT_EQ(test, ds->dev.out_records, 0ULL);
	KUNIT_EXPECT_EQ(test, ds->stage[TMNET_STAGE_TOTAL].count, 0ULL);
	KUNIT_EXPECT_EQ(test, eng_hist_count(test, dev), 0ULL);
	/* the latest record is data, not a counter: it stays */
	KUNIT_EXPECT_EQ(test, tmnet_latest(dev, &p), 0);
}

/* a running device clears at its next tick, then counts on consistently */
static void eng_reset_running(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);
	struct tmnet_pred p;
	u64 before;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 200));
	tmnet_dev_stats(dev, ds);
	before = ds->core.ticks;
	tmnet_dev_reset_stats(dev);
	tmnet_dev_flush(dev);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 20));
	tmnet_dev_stop(dev);
	tmnet_dev_stats(dev, ds);
	KUNIT_ASSERT_EQ(test, tmnet_latest(dev, &p), 0);
	kunit_info(test, "%llu ticks before the reset, %llu after; tick number %llu",
		   before, ds->core.ticks, p.tick);
	KUNIT_EXPECT_GE(test, ds->core.ticks, 20ULL);
	/* the tick number runs on: the counter restarted below it */
	KUNIT_EXPECT_LT(test, ds->core.ticks, p.tick + 1);
	KUNIT_EXPECT_EQ(test, ds->dev.out_records + ds->dev.out_overflow, ds->core.ticks);
	KUNIT_EXPECT_EQ(test, ds->dev.no_sample, ds->core.ticks);
	KUNIT_EXPECT_EQ(test, ds->stage[TMNET_STAGE_TOTAL].count, ds->core.ticks);
}

/* a reset asked for just before stop is applied by the stop, not lost */
static void eng_reset_then_stop(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tmnet_dev_stats *ds = kunit_kzalloc(test, sizeof(*ds), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ds);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 50));
	/* microseconds apart: the tick has almost never run in between */
	tmnet_dev_reset_stats(dev);
	tmnet_dev_stop(dev);
	tmnet_dev_stats(dev, ds);
	KUNIT_EXPECT_LE(test, ds->core.ticks, 1ULL);
	KUNIT_EXPECT_LE(test, eng_hist_count(test, dev), 1ULL);
	/* and it does not strike again at the next start */
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	tmnet_dev_flush(dev);
	KUNIT_ASSERT_TRUE(test, eng_wait(dev, 30));
	tmnet_dev_stop(dev);
	tmnet_dev_stats(dev, ds);
	KUNIT_EXPECT_GE(test, ds->core.ticks, 30ULL);
}

/* a config change that fails changes nothing, on a running device too */
static void eng_config_error_changes_nothing(struct kunit *test)
{
	struct tmnet_dev *dev = test->priv;
	struct tm_model *m = tmk_model_b(test, 4, 41);
	struct tmnet_config c = { .set = TMNET_CFG_RATE | TMNET_CFG_SOURCE,
				  .rate_hz = RATE / 2, .source = TMNET_SRC_LIVE };
	struct tmnet_config got;
	struct tmnet_err err;

	eng_load(test, dev, m);
	KUNIT_ASSERT_EQ(test, tmnet_dev_start(dev, NULL), 0);
	/* another rate with a model loaded: refused, source not changed either */
	KUNIT_EXPECT_EQ(test, tmnet_dev_set_config(dev, &c, &err), -ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, err.msg);
	tmnet_dev_get_config(dev, &got);
	KUNIT_EXPECT_EQ(test, got.rate_hz, (u32)RATE);
	KUNIT_EXPECT_EQ(test, got.source, (u32)TMNET_SRC_REPLAY);
	KUNIT_EXPECT_TRUE(test, tmnet_dev_running(dev));
	tmnet_dev_stop(dev);
}

/* KUNIT_CASE_SLOW (6.6+) marks cases that take seconds */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW KUNIT_CASE
#endif

static struct kunit_case tmnet_engine_cases[] = {
	KUNIT_CASE(eng_replay_matches_core),
	KUNIT_CASE(eng_predict_only),
	KUNIT_CASE(eng_live_newest_wins),
	KUNIT_CASE_SLOW(eng_rcu_swap_while_ticking),
	KUNIT_CASE(eng_load_errors),
	KUNIT_CASE(eng_latest),
	KUNIT_CASE(eng_submit_limits),
	KUNIT_CASE(eng_start_stop),
	KUNIT_CASE(eng_reset_stopped),
	KUNIT_CASE(eng_reset_running),
	KUNIT_CASE(eng_reset_then_stop),
	KUNIT_CASE(eng_config_error_changes_nothing),
	{}
};

static struct kunit_suite tmnet_engine_suite = {
	.name = "tmnet_engine",
	.init = eng_init,
	.exit = eng_exit,
	.test_cases = tmnet_engine_cases,
};

kunit_test_suites(&tmnet_engine_suite);
