/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet - internal API of one predictor instance ("device").
 *
 * Users of this API: the module core (kmod/tmnet_main.c), the misc device
 * (kmod/tmnet_cdev.c), debugfs (kmod/tmnet_debugfs.c) and the generic
 * netlink control plane.  Everything here except the exported data-plane
 * calls at the bottom may sleep and must be called from process context.
 *
 * Lifetime: devices are created at module load and destroyed at module
 * unload, after every control-plane user (netlink family, debugfs, misc
 * device) has been unregistered.  A pointer returned by a lookup is valid
 * until then; no reference counting is needed inside the module.
 *
 * Locking: dev->lock (a mutex) serialises the control plane.  The tick
 * (hard-IRQ hrtimer callback) never takes it: it reads the model through
 * RCU and the configuration and input queue under dev->qlock, a raw
 * spinlock that nobody holds across a sleep.  Lock order: dev->lock, then
 * the CPU hotplug lock (cpus_read_lock), then dev->qlock.
 *
 * Statistics: the tick counts into private counters and, at the end of
 * every tick, copies them into the published ones under dev->stats_seq (a
 * write section of a few hundred bytes, always with interrupts off).  The
 * latest record is published separately through a latch (two copies,
 * dev->latest_seq), so tmnet_latest() never waits for a writer, in any
 * context, NMI included.
 */
#ifndef TMNET_DEV_H
#define TMNET_DEV_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/seqlock.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/wait.h>
#include <linux/rcupdate.h>
#include <linux/miscdevice.h>
#include <linux/atomic.h>

#include "tm_core.h"
#include "tm_input.h"

#define TMNET_DEV_NAME_LEN	16
#define TMNET_MAX_INSTANCES	16
#define TMNET_IN_RING		4096	/* samples, power of two */
#define TMNET_OUT_RING		8192	/* prediction records, power of two */
#define TMNET_ERRMSG_LEN	128

/* ------------------------------------------------------------------ */
/* Latency histograms                                                  */
/* ------------------------------------------------------------------ */

/*
 * Log-linear buckets: values below 2^TMNET_HIST_LIN_BITS ns get one bucket
 * per ns; above that, every power of two is split into 2^TMNET_HIST_SUB_BITS
 * equal buckets (relative width <= 1/32, about 3 %).  The last bucket
 * collects everything from 2^TMNET_HIST_MAX_EXP ns (16.8 ms) upwards.
 */
#define TMNET_HIST_SUB_BITS	5
#define TMNET_HIST_LIN_BITS	(TMNET_HIST_SUB_BITS + 1)
#define TMNET_HIST_MAX_EXP	24
#define TMNET_HIST_BUCKETS	((1 << TMNET_HIST_LIN_BITS) + \
				 (TMNET_HIST_MAX_EXP - TMNET_HIST_LIN_BITS) * \
				 (1 << TMNET_HIST_SUB_BITS) + 1)

struct tmnet_hist {
	u64 count;
	u64 sum_ns;
	u64 max_ns;
	u64 bucket[TMNET_HIST_BUCKETS];
};

/* Percentiles are the upper edge of the bucket holding the rank (ns) */
struct tmnet_pct {
	u64 count;
	u64 mean_ns;
	u64 p50_ns;
	u64 p90_ns;
	u64 p99_ns;
	u64 p999_ns;
	u64 max_ns;
};

unsigned int tmnet_hist_bucket(u64 ns);
/* [lo, hi] range of values (ns) that fall into bucket b */
void tmnet_hist_bucket_range(unsigned int b, u64 *lo, u64 *hi);
void tmnet_hist_add(struct tmnet_hist *h, u64 ns);
void tmnet_hist_percentiles(const struct tmnet_hist *h, struct tmnet_pct *p);
extern const char *const tmnet_stage_names[TMNET_N_STAGES];

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

/* Bits of tmnet_config.set / .clear */
#define TMNET_CFG_MODE		BIT(0)	/* enum tmnet_system to run */
#define TMNET_CFG_RATE		BIT(1)	/* tick rate, Hz (restarts the timer) */
#define TMNET_CFG_EPS		BIT(2)	/* gate eps, Q16 */
#define TMNET_CFG_BUDGET	BIT(3)	/* gate budget, multiply-adds */
#define TMNET_CFG_CHI2		BIT(4)	/* gate chi2 threshold, Q16 */
#define TMNET_CFG_SOURCE	BIT(5)	/* enum tmnet_source */
#define TMNET_CFG_CPU		BIT(6)	/* CPU of the timer, -1 = any */
#define TMNET_CFG_ALL		GENMASK(6, 0)
/* Fields that follow the loaded model unless pinned by a set */
#define TMNET_CFG_FROM_MODEL	(TMNET_CFG_MODE | TMNET_CFG_EPS | \
				 TMNET_CFG_BUDGET | TMNET_CFG_CHI2)

struct tmnet_config {
	u32 set;	/* in: fields to change (and pin); out: pinned fields */
	u32 clear;	/* in: unpin these and take them from the model again */
	u32 mode;
	u32 rate_hz;
	u32 eps_q16;
	u32 budget;
	u32 chi2_q16;
	u32 source;
	s32 cpu;
};

/* Error report for control-plane calls (extack-like; msg is static) */
struct tmnet_err {
	const char *msg;	/* human-readable reason, or NULL */
	u32 blob_code;		/* enum tmnet_blob_err for model loads */
	u32 blob_offset;	/* offending byte offset in the blob */
};

/* ------------------------------------------------------------------ */
/* Statistics snapshot                                                 */
/* ------------------------------------------------------------------ */

struct tmnet_dev_counters {
	u64 overruns;		/* timer periods missed (hrtimer_forward_now - 1) */
	u64 samples_in;		/* records accepted by write()/tmnet_submit() */
	u64 samples_rejected;	/* records with unknown flag bits */
	u64 dropped;		/* queued samples discarded (live mode, full queue) */
	u64 no_sample;		/* ticks with an empty queue (predict-only) */
	u64 out_records;	/* records published into the output ring */
	u64 out_overflow;	/* records lost because the ring was full */
	u64 out_read;		/* records delivered to readers */
	u64 model_loads;	/* successful loads */
	u64 model_load_errors;
	u64 unpinned;		/* the pinned CPU went away: the timer moved */
	u64 offcpu_ticks;	/* ticks that ran off the pinned CPU */
};

struct tmnet_dev_stats {
	struct tm_counters core;	/* from the pipeline */
	struct tmnet_dev_counters dev;
	struct tmnet_pct stage[TMNET_N_STAGES];
	u32 model_gen;			/* 0 = built-in prior */
	u32 running;
	u32 mode;			/* effective configuration */
	u32 source;
	u32 rate_hz;
	s32 cpu;
	u32 in_queued;			/* samples waiting */
	u32 out_queued;			/* records waiting */
};

/* ------------------------------------------------------------------ */
/* The device                                                          */
/* ------------------------------------------------------------------ */

/* A model in the RCU slot; the tick only ever sees a complete one */
struct tmnet_slot {	/* about 22 KB: kvzalloc, kvfree_rcu */
	struct rcu_head rcu;
	u32 gen;
	bool builtin;		/* tm_model_default_prior(), not a blob */
	struct tm_model m;
};

struct tmnet_dev {
	char name[TMNET_DEV_NAME_LEN];
	int index;

	/* control plane */
	struct mutex lock;
	struct tmnet_config cfg;	/* requested; .set = pinned fields */
	bool running;
	u32 next_gen;
	char last_err[TMNET_ERRMSG_LEN];	/* last model-load error */

	/* read by the tick */
	struct tmnet_slot __rcu *slot;
	struct hrtimer timer;
	ktime_t period;
	bool stopping;
	bool on_pin;			/* tick-owned: last tick ran on tick_cpu */

	/* tick configuration and the input queue, under qlock */
	raw_spinlock_t qlock;
	struct tm_cfg tcfg;
	u32 source;
	s32 tick_cpu;			/* the pinned CPU, -1: none */
	struct tmnet_sample *in;
	u32 in_head, in_tail;		/* free-running, under qlock */
	u64 q_in, q_rejected, q_dropped;	/* under qlock */
	bool live_seg;	/* live: a segment started since the last ingest, under qlock */
	struct tm_input_conv in_conv;	/* input devices: units of the model, under qlock */

	/* output ring: single producer (tick), readers under read_lock */
	struct tmnet_pred *out;
	u32 out_head;			/* written by the tick (release) */
	u32 out_tail;			/* written by readers (release) */
	struct mutex read_lock;		/* serialises readers, never stats */
	atomic64_t out_read;		/* records delivered to readers */
	u64 model_loads, model_load_errors;	/* under lock */

	/* tick-owned state (and the control plane's while stopped) */
	struct tm_state st;
	u32 ran_gen;
	struct tmnet_dev_counters cnt;	/* overruns, no_sample, out_*, cpu */
	struct tmnet_pred scratch;	/* the record when the ring is full */
	atomic_t reset_pending;

	/* published statistics: written with interrupts off, under stats_seq */
	seqcount_t stats_seq;
	struct tm_counters pub_core;
	struct tmnet_dev_counters pub_cnt;
	struct tmnet_hist *hist;	/* [TMNET_N_STAGES] */

	/* the latest record: a latch, readers never wait for the writer */
	seqcount_latch_t latest_seq;
	struct {
		struct tmnet_pred rec;
		bool valid;
	} latest[2];

	/* fault injection (debugfs) */
	bool fault_stale;
	bool fault_corrupt_net;
	bool fault_fail_load;

	/* wake-ups are deferred out of hard-IRQ context (PREEMPT_RT) */
	struct irq_work wake_work;
	wait_queue_head_t read_wq;
	wait_queue_head_t write_wq;

	struct miscdevice misc;
	bool misc_registered;
	struct dentry *dbg;
};

/* ------------------------------------------------------------------ */
/* Control-plane API (process context, may sleep)                      */
/* ------------------------------------------------------------------ */

/*
 * Lookup; NULL if absent.  Valid until module unload.  The two lookups are
 * exported (with tmnet_submit/tmnet_latest) for other modules.
 */
struct tmnet_dev *tmnet_dev_get_by_index(int index);
struct tmnet_dev *tmnet_dev_get_by_name(const char *name);
int tmnet_dev_count(void);

/*
 * Validate blob[len] with the core and swap it into the model slot.
 * The old model is freed after a grace period; the running timer is never
 * stopped.  Returns 0 or -EINVAL (bad blob; err->blob_code/offset/msg set),
 * -E2BIG, -ENOMEM, -ERANGE (model rate differs from the device rate) or
 * -EIO (fault injection).  err may be NULL.
 */
int tmnet_dev_load_model(struct tmnet_dev *dev, const void *blob, size_t len,
			 struct tmnet_err *err);
/* Go back to the built-in prior-only model (a new generation) */
int tmnet_dev_unload_model(struct tmnet_dev *dev);
/* Copy the header fields of the current model; returns its generation */
u32 tmnet_dev_model_info(struct tmnet_dev *dev, struct tm_model *out);

/*
 * Install a copy of a model that was already validated (parsed once, e.g.
 * from firmware, for several devices).  Errors as tmnet_dev_load_model.
 */
int tmnet_dev_set_model(struct tmnet_dev *dev, const struct tm_model *m,
			struct tmnet_err *err);

/*
 * Idempotent.  start: -EINVAL if the configured CPU is offline.  stop
 * applies a statistics reset that was requested while running.
 */
int tmnet_dev_start(struct tmnet_dev *dev, struct tmnet_err *err);
void tmnet_dev_stop(struct tmnet_dev *dev);
bool tmnet_dev_running(struct tmnet_dev *dev);

/*
 * Change the fields named in cfg->set (others are ignored) and unpin those
 * in cfg->clear.  Validated as a whole: on error nothing changes and
 * err->msg says why (-EINVAL, -ERANGE, -ENOMEM).  A rate or CPU change
 * restarts a running timer; moving a running device to an offline CPU is
 * refused (-EINVAL) with the device still running where it was.
 */
int tmnet_dev_set_config(struct tmnet_dev *dev, const struct tmnet_config *cfg,
			 struct tmnet_err *err);
/* The effective configuration; out->set holds the pinned fields */
void tmnet_dev_get_config(struct tmnet_dev *dev, struct tmnet_config *out);

/* Consistent snapshot of the counters and per-stage percentiles */
void tmnet_dev_stats(struct tmnet_dev *dev, struct tmnet_dev_stats *s);
/*
 * Clear counters and histograms: at once on a stopped device, at the next
 * tick on a running one (or at stop, whichever comes first).
 */
void tmnet_dev_reset_stats(struct tmnet_dev *dev);
/* Consistent copy of the raw histogram of one stage.  0 or -EINVAL. */
int tmnet_dev_histogram(struct tmnet_dev *dev, unsigned int stage,
			struct tmnet_hist *out);

/* Drop queued samples and unread records */
void tmnet_dev_flush(struct tmnet_dev *dev);
/*
 * Restart the pipeline from a clean state (Kalman filter, hidden state,
 * tick number 0), as userspace evaluation starts.  Counters are kept.
 * -EBUSY while the device is running.
 */
int tmnet_dev_reset_state(struct tmnet_dev *dev);

/* ------------------------------------------------------------------ */
/* Data plane: exported to other modules (never sleeps).  tmnet_submit */
/* takes dev->qlock (any context but NMI); tmnet_latest reads a latch  */
/* and never waits for the tick (any context, NMI included).           */
/* ------------------------------------------------------------------ */

/*
 * Queue one sample.  Replay mode: -ENOSPC when the queue is full.  Live
 * mode: the oldest queued sample is discarded (counted as dropped).
 * -EINVAL for unknown flag bits.
 */
int tmnet_submit(struct tmnet_dev *dev, const struct tmnet_sample *s);
/* The record of the latest tick; -ENODATA before the first one */
int tmnet_latest(struct tmnet_dev *dev, struct tmnet_pred *out);

/* ------------------------------------------------------------------ */
/* Module internals                                                    */
/* ------------------------------------------------------------------ */

struct tmnet_dev *tmnet_dev_create(int index, u32 rate_hz, int cpu);
void tmnet_dev_destroy(struct tmnet_dev *dev);
/* Queue up to n samples (already validated); returns how many were queued */
u32 tmnet_dev_enqueue(struct tmnet_dev *dev, const struct tmnet_sample *s, u32 n);
u32 tmnet_dev_in_space(struct tmnet_dev *dev);
u32 tmnet_dev_out_avail(struct tmnet_dev *dev);

/*
 * Input handler (kmod/tmnet_input.c): convert one sample from device units
 * to the model's units and queue it as tmnet_submit() does (live mode: the
 * newest wins; replay mode: dropped and counted when the queue is full).
 * Takes dev->qlock only; any context but NMI.
 */
void tmnet_dev_input_submit(struct tmnet_dev *dev, const struct tm_input_raw *r);

/* ------------------------------------------------------------------ */
/* Input devices (kmod/tmnet_input.c)                                  */
/* ------------------------------------------------------------------ */

#define TMNET_INPUT_NAME_LEN	80

struct tmnet_input_info {
	bool attached;
	bool rel;			/* a relative device (mouse) */
	char name[TMNET_INPUT_NAME_LEN];	/* attached (or last) device */
	char phys[TMNET_INPUT_NAME_LEN];
	u64 attaches, detaches;		/* detaches include unplugs */
	u64 unplugs;			/* the input device went away */
	u64 events, frames, samples, segs;	/* over all attachments */
};

int tmnet_input_init(void);
void tmnet_input_exit(void);
/*
 * Attach dev to the one input device that sel names (process context).
 * 0, -ENODEV (no match), -EINVAL (several, or empty), -EBUSY (dev already
 * attached, or the input device attached elsewhere: what names the other
 * side); err->msg says why.  Does not change the source mode.
 */
int tmnet_input_attach(struct tmnet_dev *dev, const char *sel, struct tmnet_err *err,
		       char *what, size_t what_len);
/* 0, or -ENOENT when nothing is attached */
int tmnet_input_detach(struct tmnet_dev *dev);
void tmnet_input_info(struct tmnet_dev *dev, struct tmnet_input_info *info);

int tmnet_cdev_register(struct tmnet_dev *dev);
/* Let open() succeed: called once, when the module's init cannot fail */
void tmnet_cdev_enable(void);
void tmnet_cdev_unregister(struct tmnet_dev *dev);
void tmnet_debugfs_init(void);
void tmnet_debugfs_exit(void);
void tmnet_debugfs_dev_add(struct tmnet_dev *dev);
void tmnet_debugfs_dev_del(struct tmnet_dev *dev);

#endif /* TMNET_DEV_H */
