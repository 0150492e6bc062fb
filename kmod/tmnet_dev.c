// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - one predictor instance: the 2 kHz hard-IRQ tick, the RCU model
 * slot, the input queue, the output ring and the statistics.
 *
 * The tick (tmnet_tick) runs in hard-IRQ context, also on PREEMPT_RT
 * (HRTIMER_MODE_ABS_PINNED_HARD).  It does not sleep, allocate or use the
 * FPU, and the only lock it takes is dev->qlock, a raw spinlock held for a
 * few copies by anyone who takes it.  Wake-ups of readers and writers go
 * through an irq_work, because wait queues use sleeping locks on RT.
 *
 * The tick counts into private counters (dev->st.cnt, dev->cnt) and
 * publishes them at its end in a short write section of dev->stats_seq;
 * the latest record goes out through a latch (dev->latest_seq).  Every
 * writer of stats_seq has interrupts off: the tick (hard IRQ) and a reset
 * of a stopped device (tmnet_reset_stopped).
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/cpu.h>
#include <linux/smp.h>
#include <linux/math64.h>
#include <linux/poll.h>
#include <linux/string.h>

#include "tmnet_dev.h"
#include "tmnet_compat.h"

#define IN_MASK		(TMNET_IN_RING - 1)
#define OUT_MASK	(TMNET_OUT_RING - 1)

static_assert((TMNET_IN_RING & IN_MASK) == 0, "input ring size");
static_assert((TMNET_OUT_RING & OUT_MASK) == 0, "output ring size");

static void tmnet_set_err(struct tmnet_err *err, const char *msg)
{
	if (err)
		err->msg = msg;
}

static u64 tmnet_clk_now(void *ctx)
{
	return ktime_get_ns();
}

static const struct tm_clock tmnet_clk = { .now_ns = tmnet_clk_now };

static ktime_t tmnet_period(u32 rate_hz)
{
	return ns_to_ktime(div_u64(NSEC_PER_SEC + rate_hz / 2, rate_hz));
}

/* ------------------------------------------------------------------ */
/* The tick                                                            */
/* ------------------------------------------------------------------ */

/* Publish the private counters; caller is inside the stats_seq write section */
static void tmnet_publish_counters(struct tmnet_dev *dev)
{
	dev->pub_core = dev->st.cnt;
	dev->pub_cnt = dev->cnt;
}

/*
 * Zero the counters and histograms of a device whose timer is cancelled
 * (dev->lock held, so it cannot be started meanwhile).  Interrupts are off
 * across the write section: a seqcount writer must not be preempted or
 * interrupted by a reader on its CPU.
 */
static void tmnet_reset_stopped(struct tmnet_dev *dev)
{
	unsigned long flags;

	lockdep_assert_held(&dev->lock);
	local_irq_save(flags);
	write_seqcount_begin(&dev->stats_seq);
	memset(&dev->st.cnt, 0, sizeof(dev->st.cnt));
	memset(&dev->cnt, 0, sizeof(dev->cnt));
	memset(dev->hist, 0, TMNET_N_STAGES * sizeof(*dev->hist));
	tmnet_publish_counters(dev);
	write_seqcount_end(&dev->stats_seq);
	local_irq_restore(flags);
}

static enum hrtimer_restart tmnet_tick(struct hrtimer *t)
{
	struct tmnet_dev *dev = container_of(t, struct tmnet_dev, timer);
	struct tmnet_sample sample, *sp = NULL;
	struct tmnet_slot *slot;
	struct tmnet_pred *rec;
	struct tm_cfg cfg;
	u64 start, expires, late, t_pub, end, ovr;
	u32 n, head, tail, stage;
	bool full, reset, woke_writer = false;
	int pin;

	start = ktime_get_ns();
	expires = ktime_to_ns(hrtimer_get_expires(t));
	late = start > expires ? start - expires : 0;
	if (READ_ONCE(dev->stopping))
		return HRTIMER_NORESTART;
	ovr = hrtimer_forward_now(t, dev->period);

	/* one consistent (configuration, model, sample) triple */
	rcu_read_lock();
	raw_spin_lock(&dev->qlock);
	cfg = dev->tcfg;
	pin = dev->tick_cpu;
	slot = rcu_dereference(dev->slot);
	n = dev->in_head - dev->in_tail;
	if (n) {
		if (dev->source == TMNET_SRC_LIVE && n > 1) {
			dev->q_dropped += n - 1;
			dev->in_tail = dev->in_head - 1;
		}
		sample = dev->in[dev->in_tail & IN_MASK];
		dev->in_tail++;
		/* a segment start among the dropped samples moves to the kept one */
		if (dev->source == TMNET_SRC_LIVE && dev->live_seg)
			sample.flags |= TMNET_SAMPLE_SEG_START;
		dev->live_seg = false;
		sp = &sample;
		woke_writer = true;
	}
	raw_spin_unlock(&dev->qlock);

	if (READ_ONCE(dev->fault_stale))
		cfg.faults |= TM_FAULT_STALE;
	if (READ_ONCE(dev->fault_corrupt_net))
		cfg.faults |= TM_FAULT_CORRUPT_NET;

	/* private counters: nobody else writes them while the timer runs */
	reset = atomic_xchg(&dev->reset_pending, 0);
	if (reset) {
		memset(&dev->st.cnt, 0, sizeof(dev->st.cnt));
		memset(&dev->cnt, 0, sizeof(dev->cnt));
	}
	if (ovr > 1)
		dev->cnt.overruns += ovr - 1;
	if (!sp)
		dev->cnt.no_sample++;
	/* a pinned timer moves when its CPU goes offline: count it */
	if (pin >= 0 && smp_processor_id() != pin) {
		dev->cnt.offcpu_ticks++;
		if (dev->on_pin)
			dev->cnt.unpinned++;
		dev->on_pin = false;
	} else {
		dev->on_pin = true;
	}

	head = dev->out_head;
	/* pairs with the reader's release: slots before tail are copied out */
	tail = smp_load_acquire(&dev->out_tail);
	full = head - tail >= TMNET_OUT_RING;
	rec = full ? &dev->scratch : &dev->out[head & OUT_MASK];

	if (slot->gen != dev->ran_gen) {
		tm_state_model_changed(&dev->st);
		dev->ran_gen = slot->gen;
	}
	tm_tick(&dev->st, &slot->m, &cfg, sp, rec, &tmnet_clk);
	rec->model_gen = slot->gen;
	rcu_read_unlock();

	rec->t_ns = expires;
	if (ovr > 1)
		rec->flags |= TMNET_PRED_F_OVERRUN;
	rec->stage_ns[TMNET_STAGE_LATENESS] = (u32)min_t(u64, late, U32_MAX);
	t_pub = ktime_get_ns();
	/*
	 * The latest record through the latch: while the count is odd,
	 * readers use copy 1 and copy 0 is written (with the publish and
	 * total times patched in once known); then the other way round.
	 */
	raw_write_seqcount_latch(&dev->latest_seq);
	dev->latest[0].rec = *rec;
	dev->latest[0].valid = true;
	if (full)
		dev->cnt.out_overflow++;
	else
		dev->cnt.out_records++;
	end = ktime_get_ns();
	rec->stage_ns[TMNET_STAGE_PUBLISH] = (u32)(end - t_pub);
	rec->stage_ns[TMNET_STAGE_TOTAL] = (u32)min_t(u64, end - start, U32_MAX);
	dev->latest[0].rec.stage_ns[TMNET_STAGE_PUBLISH] = rec->stage_ns[TMNET_STAGE_PUBLISH];
	dev->latest[0].rec.stage_ns[TMNET_STAGE_TOTAL] = rec->stage_ns[TMNET_STAGE_TOTAL];
	raw_write_seqcount_latch(&dev->latest_seq);
	dev->latest[1] = dev->latest[0];

	/* the short write section: counters and six histogram buckets */
	write_seqcount_begin(&dev->stats_seq);
	if (reset)
		memset(dev->hist, 0, TMNET_N_STAGES * sizeof(*dev->hist));
	tmnet_publish_counters(dev);
	for (stage = 0; stage < TMNET_N_STAGES; stage++)
		tmnet_hist_add(&dev->hist[stage], rec->stage_ns[stage]);
	write_seqcount_end(&dev->stats_seq);

	if (!full) {
		/* publish the record: readers acquire out_head */
		smp_store_release(&dev->out_head, head + 1);
	}

	if ((!full && wq_has_sleeper(&dev->read_wq)) ||
	    (woke_writer && wq_has_sleeper(&dev->write_wq)))
		irq_work_queue(&dev->wake_work);
	return HRTIMER_RESTART;
}

static void tmnet_wake(struct irq_work *w)
{
	struct tmnet_dev *dev = container_of(w, struct tmnet_dev, wake_work);

	wake_up_interruptible_poll(&dev->read_wq, EPOLLIN | EPOLLRDNORM);
	wake_up_interruptible_poll(&dev->write_wq, EPOLLOUT | EPOLLWRNORM);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

static struct tmnet_slot *tmnet_slot_locked(struct tmnet_dev *dev)
{
	return rcu_dereference_protected(dev->slot, lockdep_is_held(&dev->lock));
}

/* Effective tick configuration from the pinned fields and the model */
static void tmnet_tcfg(struct tmnet_dev *dev, const struct tm_model *m,
		       struct tm_cfg *tc)
{
	const struct tmnet_config *c = &dev->cfg;

	tm_cfg_from_model(tc, m);
	if (c->set & TMNET_CFG_MODE)
		tc->mode = c->mode;
	if (c->set & TMNET_CFG_EPS)
		tc->eps_q16 = c->eps_q16;
	if (c->set & TMNET_CFG_BUDGET)
		tc->budget = c->budget;
	if (c->set & TMNET_CFG_CHI2)
		tc->chi2_q16 = c->chi2_q16;
}

/*
 * Publish the configuration to the tick, optionally together with a new
 * model slot, atomically with respect to the tick.  Returns the old slot
 * when one was replaced.
 */
static struct tmnet_slot *tmnet_publish(struct tmnet_dev *dev,
					struct tmnet_slot *new_slot)
{
	const struct tm_model *m = new_slot ? &new_slot->m : &tmnet_slot_locked(dev)->m;
	struct tmnet_slot *old = NULL;
	struct tm_input_conv conv;
	struct tm_cfg tc;
	unsigned long flags;

	tmnet_tcfg(dev, m, &tc);
	/* the f64 recording units become fixed point here, in process context */
	tm_input_conv_init(&conv, &m->units);
	raw_spin_lock_irqsave(&dev->qlock, flags);
	dev->in_conv = conv;
	if (new_slot)
		old = rcu_replace_pointer(dev->slot, new_slot,
					  lockdep_is_held(&dev->lock));
	dev->tcfg = tc;
	dev->source = dev->cfg.source;
	dev->tick_cpu = dev->cfg.cpu;
	raw_spin_unlock_irqrestore(&dev->qlock, flags);
	return old;
}

/* A slot is about 22 KB: kvzalloc (no order-3 page), freed by kvfree[_rcu] */
static struct tmnet_slot *tmnet_slot_alloc(void)
{
	return kvzalloc(sizeof(struct tmnet_slot), GFP_KERNEL);
}

static struct tmnet_slot *tmnet_builtin_slot(u32 rate_hz, u32 gen)
{
	struct tmnet_slot *slot = tmnet_slot_alloc();

	if (!slot)
		return NULL;
	tm_model_default_prior(&slot->m, rate_hz);
	slot->builtin = true;
	slot->gen = gen;
	return slot;
}

/* Count a failed load and remember why; dev->lock held */
static void tmnet_load_failed(struct tmnet_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	dev->model_load_errors++;
}

/*
 * Swap a complete, validated model into the slot.  Consumes slot (freed on
 * error).  Takes dev->lock.
 */
static int tmnet_install_slot(struct tmnet_dev *dev, struct tmnet_slot *slot,
			      struct tmnet_err *err)
{
	struct tmnet_slot *old;

	mutex_lock(&dev->lock);
	if (dev->fault_fail_load) {
		dev->fault_fail_load = false;
		tmnet_set_err(err, "fault injection: model load failed");
		strscpy(dev->last_err, "fault injection: model load failed",
			sizeof(dev->last_err));
		goto fail;
	}
	if (slot->m.rate_hz != dev->cfg.rate_hz) {
		tmnet_set_err(err, "model rate differs from the device tick rate");
		snprintf(dev->last_err, sizeof(dev->last_err),
			 "model rate %u Hz differs from the device rate %u Hz",
			 slot->m.rate_hz, dev->cfg.rate_hz);
		tmnet_load_failed(dev);
		mutex_unlock(&dev->lock);
		kvfree(slot);
		return -ERANGE;
	}
	slot->gen = ++dev->next_gen;
	old = tmnet_publish(dev, slot);
	dev->model_loads++;
	dev->last_err[0] = '\0';
	mutex_unlock(&dev->lock);
	kvfree_rcu(old, rcu);
	return 0;

fail:
	tmnet_load_failed(dev);
	mutex_unlock(&dev->lock);
	kvfree(slot);
	return -EIO;
}

int tmnet_dev_load_model(struct tmnet_dev *dev, const void *blob, size_t len,
			 struct tmnet_err *err)
{
	struct tm_blob_error be = { 0 };
	struct tmnet_slot *slot;

	if (err)
		memset(err, 0, sizeof(*err));
	if (len > TMNET_BLOB_MAX_SIZE) {
		tmnet_set_err(err, "model blob larger than 64 KiB");
		return -E2BIG;
	}
	/* build the whole model before taking anything the tick could see */
	slot = tmnet_slot_alloc();
	if (!slot)
		return -ENOMEM;
	if (tm_model_from_blob(&slot->m, blob, (u32)len, &be)) {
		if (err) {
			err->msg = be.msg;
			err->blob_code = be.code;
			err->blob_offset = be.offset;
		}
		mutex_lock(&dev->lock);
		snprintf(dev->last_err, sizeof(dev->last_err),
			 "blob error %u at offset %u: %s", be.code, be.offset,
			 be.msg ? be.msg : "?");
		tmnet_load_failed(dev);
		mutex_unlock(&dev->lock);
		kvfree(slot);
		return -EINVAL;
	}
	return tmnet_install_slot(dev, slot, err);
}

int tmnet_dev_set_model(struct tmnet_dev *dev, const struct tm_model *m,
			struct tmnet_err *err)
{
	struct tmnet_slot *slot;

	if (err)
		memset(err, 0, sizeof(*err));
	slot = tmnet_slot_alloc();
	if (!slot)
		return -ENOMEM;
	memcpy(&slot->m, m, sizeof(*m));
	return tmnet_install_slot(dev, slot, err);
}

int tmnet_dev_unload_model(struct tmnet_dev *dev)
{
	struct tmnet_slot *slot, *old;

	mutex_lock(&dev->lock);
	slot = tmnet_builtin_slot(dev->cfg.rate_hz, dev->next_gen + 1);
	if (!slot) {
		mutex_unlock(&dev->lock);
		return -ENOMEM;
	}
	dev->next_gen++;
	old = tmnet_publish(dev, slot);
	mutex_unlock(&dev->lock);
	kvfree_rcu(old, rcu);
	return 0;
}

u32 tmnet_dev_model_info(struct tmnet_dev *dev, struct tm_model *out)
{
	struct tmnet_slot *slot;
	u32 gen;

	mutex_lock(&dev->lock);
	slot = tmnet_slot_locked(dev);
	if (out)
		memcpy(out, &slot->m, sizeof(*out));
	gen = slot->gen;
	mutex_unlock(&dev->lock);
	return gen;
}

/* ------------------------------------------------------------------ */
/* Start / stop                                                        */
/* ------------------------------------------------------------------ */

static void tmnet_timer_arm(void *arg)
{
	struct tmnet_dev *dev = arg;
	u64 now = ktime_get_ns(), period = ktime_to_ns(dev->period);

	/* first expiry on the next period boundary */
	hrtimer_start(&dev->timer, ns_to_ktime((div64_u64(now, period) + 1) * period),
		      HRTIMER_MODE_ABS_PINNED_HARD);
}

/* Arm the timer; dev->lock and the CPU hotplug lock (read) held */
static int tmnet_start_cpus_locked(struct tmnet_dev *dev, struct tmnet_err *err)
{
	int cpu = dev->cfg.cpu, ret = 0;

	lockdep_assert_held(&dev->lock);
	if (dev->running)
		return 0;
	if (cpu >= 0 && (cpu >= nr_cpu_ids || !cpu_online(cpu))) {
		tmnet_set_err(err, "the configured CPU is not online");
		return -EINVAL;
	}
	WRITE_ONCE(dev->stopping, false);
	dev->on_pin = true;
	if (cpu >= 0)
		ret = smp_call_function_single(cpu, tmnet_timer_arm, dev, 1);
	else
		tmnet_timer_arm(dev);
	if (!ret)
		dev->running = true;
	return ret;
}

static int tmnet_start_locked(struct tmnet_dev *dev, struct tmnet_err *err)
{
	int ret;

	cpus_read_lock();
	ret = tmnet_start_cpus_locked(dev, err);
	cpus_read_unlock();
	return ret;
}

static void tmnet_stop_locked(struct tmnet_dev *dev)
{
	if (!dev->running)
		return;
	WRITE_ONCE(dev->stopping, true);
	hrtimer_cancel(&dev->timer);
	dev->running = false;
	irq_work_sync(&dev->wake_work);
	/* a reset asked for after the last tick is not lost */
	if (atomic_xchg(&dev->reset_pending, 0))
		tmnet_reset_stopped(dev);
}

int tmnet_dev_start(struct tmnet_dev *dev, struct tmnet_err *err)
{
	int ret;

	mutex_lock(&dev->lock);
	ret = tmnet_start_locked(dev, err);
	mutex_unlock(&dev->lock);
	return ret;
}

void tmnet_dev_stop(struct tmnet_dev *dev)
{
	mutex_lock(&dev->lock);
	tmnet_stop_locked(dev);
	mutex_unlock(&dev->lock);
}

bool tmnet_dev_running(struct tmnet_dev *dev)
{
	bool r;

	mutex_lock(&dev->lock);
	r = dev->running;
	mutex_unlock(&dev->lock);
	return r;
}

int tmnet_dev_set_config(struct tmnet_dev *dev, const struct tmnet_config *c,
			 struct tmnet_err *err)
{
	struct tmnet_slot *slot, *old = NULL, *nslot = NULL;
	bool restart = false;
	int ret = 0;
	s32 new_cpu;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((c->set | c->clear) & ~TMNET_CFG_ALL) {
		tmnet_set_err(err, "unknown configuration field");
		return -EINVAL;
	}
	if ((c->set & TMNET_CFG_MODE) && c->mode >= __TMNET_SYS_MAX) {
		tmnet_set_err(err, "mode must be 0 (prior), 1 (A) or 2 (B)");
		return -EINVAL;
	}
	if ((c->set & TMNET_CFG_RATE) &&
	    (c->rate_hz < TMNET_MIN_RATE_HZ || c->rate_hz > TMNET_MAX_RATE_HZ)) {
		tmnet_set_err(err, "rate must be 100 .. 10000 Hz");
		return -ERANGE;
	}
	if ((c->set & TMNET_CFG_EPS) && (!c->eps_q16 || c->eps_q16 > 65536)) {
		tmnet_set_err(err, "eps must be in (0, 1] (Q16 1 .. 65536)");
		return -ERANGE;
	}
	if ((c->set & TMNET_CFG_BUDGET) &&
	    (!c->budget || c->budget > TMNET_GATE_BUDGET_MAX)) {
		tmnet_set_err(err, "budget must be 1 .. 100000000 multiply-adds");
		return -ERANGE;
	}
	if ((c->set & TMNET_CFG_CHI2) &&
	    (!c->chi2_q16 || c->chi2_q16 > TMNET_GATE_CHI2_MAX)) {
		tmnet_set_err(err, "chi2 must be in (0, 1000] (Q16)");
		return -ERANGE;
	}
	if ((c->set & TMNET_CFG_SOURCE) && c->source >= __TMNET_SRC_MAX) {
		tmnet_set_err(err, "source must be 0 (replay) or 1 (live)");
		return -EINVAL;
	}
	if ((c->set & TMNET_CFG_CPU) &&
	    (c->cpu < -1 || (c->cpu >= 0 && (c->cpu >= nr_cpu_ids ||
					     !cpu_possible(c->cpu))))) {
		tmnet_set_err(err, "cpu must be -1 or a possible CPU");
		return -EINVAL;
	}

	/*
	 * Validate everything, then apply: the CPU hotplug lock keeps the
	 * target CPU online from the check to the restart, so a change that
	 * passed the checks cannot fail halfway.
	 */
	mutex_lock(&dev->lock);
	cpus_read_lock();
	slot = tmnet_slot_locked(dev);
	if ((c->set & TMNET_CFG_RATE) && c->rate_hz != dev->cfg.rate_hz) {
		if (!slot->builtin) {
			tmnet_set_err(err, "the loaded model was trained for another rate; unload it first");
			ret = -ERANGE;
			goto out;
		}
		nslot = tmnet_builtin_slot(c->rate_hz, dev->next_gen + 1);
		if (!nslot) {
			ret = -ENOMEM;
			goto out;
		}
		restart = true;
	}
	new_cpu = (c->set & TMNET_CFG_CPU) ? c->cpu : dev->cfg.cpu;
	if (new_cpu != dev->cfg.cpu)
		restart = true;
	restart = restart && dev->running;
	if (restart && new_cpu >= 0 && !cpu_online(new_cpu)) {
		tmnet_set_err(err, "the configured CPU is not online");
		ret = -EINVAL;
		goto out;
	}

	/* nothing below can fail */
	if (restart)
		tmnet_stop_locked(dev);
	dev->cfg.set &= ~c->clear;
	dev->cfg.set |= c->set & TMNET_CFG_FROM_MODEL;
	if (c->set & TMNET_CFG_MODE)
		dev->cfg.mode = c->mode;
	if (c->set & TMNET_CFG_EPS)
		dev->cfg.eps_q16 = c->eps_q16;
	if (c->set & TMNET_CFG_BUDGET)
		dev->cfg.budget = c->budget;
	if (c->set & TMNET_CFG_CHI2)
		dev->cfg.chi2_q16 = c->chi2_q16;
	if (c->set & TMNET_CFG_SOURCE)
		dev->cfg.source = c->source;
	dev->cfg.cpu = new_cpu;
	if (nslot) {
		dev->next_gen++;
		dev->cfg.rate_hz = c->rate_hz;
		dev->period = tmnet_period(c->rate_hz);
	}
	old = tmnet_publish(dev, nslot);
	nslot = NULL;
	if (restart)
		ret = tmnet_start_cpus_locked(dev, err);
	/* an online CPU under the hotplug lock: arming cannot fail */
	WARN_ON_ONCE(ret);
out:
	cpus_read_unlock();
	mutex_unlock(&dev->lock);
	kvfree(nslot);
	if (old)
		kvfree_rcu(old, rcu);
	return ret;
}

void tmnet_dev_get_config(struct tmnet_dev *dev, struct tmnet_config *out)
{
	struct tm_cfg tc;

	mutex_lock(&dev->lock);
	tmnet_tcfg(dev, &tmnet_slot_locked(dev)->m, &tc);
	*out = dev->cfg;
	out->clear = 0;
	out->mode = tc.mode;
	out->eps_q16 = tc.eps_q16;
	out->budget = tc.budget;
	out->chi2_q16 = tc.chi2_q16;
	mutex_unlock(&dev->lock);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

static void tmnet_copy_hist(struct tmnet_dev *dev, unsigned int stage,
			    struct tmnet_hist *out)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&dev->stats_seq);
		memcpy(out, &dev->hist[stage], sizeof(*out));
	} while (read_seqcount_retry(&dev->stats_seq, seq));
}

void tmnet_dev_stats(struct tmnet_dev *dev, struct tmnet_dev_stats *s)
{
	struct tmnet_hist *h;
	unsigned long flags;
	unsigned int seq, stage;

	memset(s, 0, sizeof(*s));
	mutex_lock(&dev->lock);
	s->model_gen = tmnet_slot_locked(dev)->gen;
	s->running = dev->running;
	s->rate_hz = dev->cfg.rate_hz;
	s->cpu = dev->cfg.cpu;
	s->dev.model_loads = dev->model_loads;
	s->dev.model_load_errors = dev->model_load_errors;
	mutex_unlock(&dev->lock);

	do {
		seq = read_seqcount_begin(&dev->stats_seq);
		s->core = dev->pub_core;
		s->dev.overruns = dev->pub_cnt.overruns;
		s->dev.no_sample = dev->pub_cnt.no_sample;
		s->dev.out_records = dev->pub_cnt.out_records;
		s->dev.out_overflow = dev->pub_cnt.out_overflow;
		s->dev.unpinned = dev->pub_cnt.unpinned;
		s->dev.offcpu_ticks = dev->pub_cnt.offcpu_ticks;
	} while (read_seqcount_retry(&dev->stats_seq, seq));

	raw_spin_lock_irqsave(&dev->qlock, flags);
	s->dev.samples_in = dev->q_in;
	s->dev.samples_rejected = dev->q_rejected;
	s->dev.dropped = dev->q_dropped;
	s->in_queued = dev->in_head - dev->in_tail;
	s->mode = dev->tcfg.mode;
	s->source = dev->source;
	raw_spin_unlock_irqrestore(&dev->qlock, flags);

	/* no read_lock: a reader may hold it across a faulting copy_to_user */
	s->dev.out_read = atomic64_read(&dev->out_read);
	s->out_queued = tmnet_dev_out_avail(dev);

	h = kvmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return;
	for (stage = 0; stage < TMNET_N_STAGES; stage++) {
		tmnet_copy_hist(dev, stage, h);
		tmnet_hist_percentiles(h, &s->stage[stage]);
	}
	kvfree(h);
}

int tmnet_dev_histogram(struct tmnet_dev *dev, unsigned int stage,
			struct tmnet_hist *out)
{
	if (stage >= TMNET_N_STAGES)
		return -EINVAL;
	tmnet_copy_hist(dev, stage, out);
	return 0;
}

void tmnet_dev_reset_stats(struct tmnet_dev *dev)
{
	unsigned long flags;

	mutex_lock(&dev->lock);
	if (dev->running)
		atomic_set(&dev->reset_pending, 1);
	else
		tmnet_reset_stopped(dev);
	dev->model_loads = 0;
	dev->model_load_errors = 0;
	mutex_unlock(&dev->lock);

	raw_spin_lock_irqsave(&dev->qlock, flags);
	dev->q_in = 0;
	dev->q_rejected = 0;
	dev->q_dropped = 0;
	raw_spin_unlock_irqrestore(&dev->qlock, flags);

	atomic64_set(&dev->out_read, 0);
}

int tmnet_dev_reset_state(struct tmnet_dev *dev)
{
	struct tm_counters keep;
	int ret = 0;

	mutex_lock(&dev->lock);
	if (dev->running) {
		ret = -EBUSY;
	} else {
		/*
		 * The timer is cancelled: nobody else touches dev->st.  Its
		 * counters are private (readers see the published copy).
		 */
		keep = dev->st.cnt;
		tm_state_reset(&dev->st);
		dev->st.cnt = keep;
	}
	mutex_unlock(&dev->lock);
	return ret;
}

void tmnet_dev_flush(struct tmnet_dev *dev)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&dev->qlock, flags);
	dev->in_tail = dev->in_head;
	dev->live_seg = false;
	raw_spin_unlock_irqrestore(&dev->qlock, flags);

	mutex_lock(&dev->read_lock);
	/* acquire the tick's records, release the slots back to it */
	smp_store_release(&dev->out_tail, smp_load_acquire(&dev->out_head));
	mutex_unlock(&dev->read_lock);
	wake_up_interruptible_poll(&dev->write_wq, EPOLLOUT | EPOLLWRNORM);
}

/* ------------------------------------------------------------------ */
/* Queues                                                              */
/* ------------------------------------------------------------------ */

static u32 tmnet_enqueue_locked(struct tmnet_dev *dev, const struct tmnet_sample *s, u32 n)
{
	u32 space, k, i;

	lockdep_assert_held(&dev->qlock);
	space = TMNET_IN_RING - (dev->in_head - dev->in_tail);
	if (dev->source == TMNET_SRC_LIVE) {
		/*
		 * The newest wins: make room by discarding the oldest.  A
		 * segment start must survive the discard (the kept sample
		 * carries it at ingest), so note one among all n.
		 */
		for (i = 0; i < n && !dev->live_seg; i++)
			if (s[i].flags & TMNET_SAMPLE_SEG_START)
				dev->live_seg = true;
		if (n > TMNET_IN_RING) {
			dev->q_dropped += n - TMNET_IN_RING;
			s += n - TMNET_IN_RING;
			dev->q_in += n - TMNET_IN_RING;
			n = TMNET_IN_RING;
		}
		if (n > space) {
			dev->in_tail += n - space;
			dev->q_dropped += n - space;
			space = n;
		}
	}
	k = min(n, space);
	for (i = 0; i < k; i++)
		dev->in[(dev->in_head + i) & IN_MASK] = s[i];
	dev->in_head += k;
	dev->q_in += k;
	return k;
}

u32 tmnet_dev_enqueue(struct tmnet_dev *dev, const struct tmnet_sample *s, u32 n)
{
	unsigned long flags;
	u32 k;

	raw_spin_lock_irqsave(&dev->qlock, flags);
	k = tmnet_enqueue_locked(dev, s, n);
	raw_spin_unlock_irqrestore(&dev->qlock, flags);
	return k;
}

void tmnet_dev_input_submit(struct tmnet_dev *dev, const struct tm_input_raw *r)
{
	struct tmnet_sample s;
	unsigned long flags;

	raw_spin_lock_irqsave(&dev->qlock, flags);
	tm_input_convert(&dev->in_conv, r, &s);
	if (!tmnet_enqueue_locked(dev, &s, 1))
		dev->q_dropped++;	/* replay mode, queue full */
	raw_spin_unlock_irqrestore(&dev->qlock, flags);
}

u32 tmnet_dev_in_space(struct tmnet_dev *dev)
{
	unsigned long flags;
	u32 space;

	raw_spin_lock_irqsave(&dev->qlock, flags);
	if (dev->source == TMNET_SRC_LIVE)
		space = TMNET_IN_RING;
	else
		space = TMNET_IN_RING - (dev->in_head - dev->in_tail);
	raw_spin_unlock_irqrestore(&dev->qlock, flags);
	return space;
}

u32 tmnet_dev_out_avail(struct tmnet_dev *dev)
{
	/* pairs with the tick's release of out_head */
	return smp_load_acquire(&dev->out_head) - READ_ONCE(dev->out_tail);
}

int tmnet_submit(struct tmnet_dev *dev, const struct tmnet_sample *s)
{
	unsigned long flags;

	if (s->flags & ~TMNET_SAMPLE_FLAGS_ALL) {
		raw_spin_lock_irqsave(&dev->qlock, flags);
		dev->q_rejected++;
		raw_spin_unlock_irqrestore(&dev->qlock, flags);
		return -EINVAL;
	}
	return tmnet_dev_enqueue(dev, s, 1) ? 0 : -ENOSPC;
}
EXPORT_SYMBOL_GPL(tmnet_submit);

int tmnet_latest(struct tmnet_dev *dev, struct tmnet_pred *out)
{
	unsigned int seq;
	bool have;

	/*
	 * The latch: the copy read is never the one being written, so this
	 * retries only when the tick moved on meanwhile (on another CPU), and
	 * never waits for a writer it interrupted.
	 */
	do {
		seq = raw_read_seqcount_latch(&dev->latest_seq);
		have = dev->latest[seq & 1].valid;
		*out = dev->latest[seq & 1].rec;
	} while (raw_read_seqcount_latch_retry(&dev->latest_seq, seq));
	return have ? 0 : -ENODATA;
}
EXPORT_SYMBOL_GPL(tmnet_latest);

/* ------------------------------------------------------------------ */
/* Creation and teardown                                               */
/* ------------------------------------------------------------------ */

struct tmnet_dev *tmnet_dev_create(int index, u32 rate_hz, int cpu)
{
	struct tmnet_dev *dev;
	struct tmnet_slot *slot;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	dev->index = index;
	snprintf(dev->name, sizeof(dev->name), "tmnet%d", index);
	mutex_init(&dev->lock);
	mutex_init(&dev->read_lock);
	raw_spin_lock_init(&dev->qlock);
	seqcount_init(&dev->stats_seq);
	seqcount_latch_init(&dev->latest_seq);
	atomic64_set(&dev->out_read, 0);
	init_waitqueue_head(&dev->read_wq);
	init_waitqueue_head(&dev->write_wq);
	init_irq_work(&dev->wake_work, tmnet_wake);
	atomic_set(&dev->reset_pending, 0);

	dev->in = kvcalloc(TMNET_IN_RING, sizeof(*dev->in), GFP_KERNEL);
	dev->out = kvcalloc(TMNET_OUT_RING, sizeof(*dev->out), GFP_KERNEL);
	dev->hist = kvcalloc(TMNET_N_STAGES, sizeof(*dev->hist), GFP_KERNEL);
	slot = tmnet_builtin_slot(rate_hz, 0);
	if (!dev->in || !dev->out || !dev->hist || !slot) {
		kvfree(slot);
		kvfree(dev->in);
		kvfree(dev->out);
		kvfree(dev->hist);
		kfree(dev);
		return NULL;
	}
	RCU_INIT_POINTER(dev->slot, slot);
	tm_state_reset(&dev->st);

	dev->cfg.rate_hz = rate_hz;
	dev->cfg.cpu = cpu;
	dev->cfg.source = TMNET_SRC_REPLAY;
	dev->period = tmnet_period(rate_hz);
	mutex_lock(&dev->lock);
	tmnet_publish(dev, NULL);
	mutex_unlock(&dev->lock);

	tmnet_hrtimer_setup(&dev->timer, tmnet_tick, CLOCK_MONOTONIC,
			    HRTIMER_MODE_ABS_PINNED_HARD);
	return dev;
}

/* Called after the misc device and debugfs are gone: no other users left */
void tmnet_dev_destroy(struct tmnet_dev *dev)
{
	tmnet_dev_stop(dev);
	irq_work_sync(&dev->wake_work);
	/* the timer was the only RCU reader and it is cancelled */
	kvfree(rcu_dereference_protected(dev->slot, 1));
	kvfree(dev->in);
	kvfree(dev->out);
	kvfree(dev->hist);
	mutex_destroy(&dev->lock);
	mutex_destroy(&dev->read_lock);
	kfree(dev);
}
