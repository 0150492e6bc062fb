// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet_kapi_test - exercises tmnet's exported in-kernel API the way a
 * sensor driver would: look the device up, submit samples, read the latest
 * prediction.  Load it while tmnet0 is ticking in replay mode; it prints
 * TAP-style lines to the kernel log and loading fails unless all passed.
 *
 * Parameters:
 *   basic=0      skip the submit/latest checks (they need tmnet0 ticking)
 *   hammer_ms=N  then call tmnet_latest() for N ms from a hard-IRQ hrtimer
 *                on every online CPU (one of them is the tick's), while
 *                tmnet0 ticks or, with stopped=1, while it is stopped (and
 *                the test script resets its statistics in a loop).  Every
 *                call must return a record, and the tick number each timer
 *                sees must never go back (or change at all when stopped).
 *                The number of calls and the slowest call are printed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <linux/cpu.h>

#include "tmnet_dev.h"
#include "tmnet_compat.h"

static bool basic = true;
module_param(basic, bool, 0444);
MODULE_PARM_DESC(basic, "run the submit/latest checks (tmnet0 must tick in replay mode)");

static unsigned int hammer_ms;
module_param(hammer_ms, uint, 0444);
MODULE_PARM_DESC(hammer_ms, "call tmnet_latest() from hard-IRQ hrtimers on every CPU for N ms");

static bool stopped;
module_param(stopped, bool, 0444);
MODULE_PARM_DESC(stopped, "tmnet0 is stopped during the hammer: the tick number must not change");

#define HAMMER_PERIOD_NS	263000	/* drifts against the 500 us tick */

struct kapi_hammer {
	struct hrtimer timer;
	struct tmnet_dev *dev;
	bool stop;
	u64 calls, errors, backwards, changed, max_ns;
	u64 first_tick, last_tick;
	bool have;
};

static DEFINE_PER_CPU(struct kapi_hammer, kapi_hammers);

static enum hrtimer_restart kapi_hammer_fn(struct hrtimer *t)
{
	struct kapi_hammer *h = container_of(t, struct kapi_hammer, timer);
	struct tmnet_pred p;
	u64 t0, dt;
	int ret;

	if (READ_ONCE(h->stop))
		return HRTIMER_NORESTART;
	t0 = ktime_get_ns();
	ret = tmnet_latest(h->dev, &p);
	dt = ktime_get_ns() - t0;
	h->calls++;
	h->max_ns = max(h->max_ns, dt);
	if (ret) {
		h->errors++;
	} else {
		if (!h->have) {
			h->first_tick = p.tick;
			h->have = true;
		} else if (p.tick < h->last_tick) {
			h->backwards++;
		}
		if (p.tick != h->first_tick)
			h->changed++;
		h->last_tick = p.tick;
	}
	hrtimer_forward_now(t, ns_to_ktime(HAMMER_PERIOD_NS));
	return HRTIMER_RESTART;
}

static void kapi_hammer_arm(void *arg)
{
	struct kapi_hammer *h = this_cpu_ptr(&kapi_hammers);

	hrtimer_start(&h->timer, ns_to_ktime(HAMMER_PERIOD_NS), HRTIMER_MODE_REL_PINNED_HARD);
}

static int kapi_hammer(struct tmnet_dev *dev)
{
	u64 calls = 0, errors = 0, backwards = 0, changed = 0, max_ns = 0;
	unsigned int ncpu = 0;
	int cpu, fails = 0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct kapi_hammer *h = per_cpu_ptr(&kapi_hammers, cpu);

		memset(h, 0, sizeof(*h));
		h->dev = dev;
		tmnet_hrtimer_setup(&h->timer, kapi_hammer_fn, CLOCK_MONOTONIC,
				    HRTIMER_MODE_REL_PINNED_HARD);
		smp_call_function_single(cpu, kapi_hammer_arm, NULL, 1);
		ncpu++;
	}
	cpus_read_unlock();

	msleep(hammer_ms);

	for_each_possible_cpu(cpu) {
		struct kapi_hammer *h = per_cpu_ptr(&kapi_hammers, cpu);

		if (!h->dev)
			continue;
		WRITE_ONCE(h->stop, true);
		hrtimer_cancel(&h->timer);
		pr_info("# cpu %d: %llu calls, slowest %llu ns, ticks %llu..%llu\n",
			cpu, h->calls, h->max_ns, h->first_tick, h->last_tick);
		calls += h->calls;
		errors += h->errors;
		backwards += h->backwards;
		changed += h->changed;
		max_ns = max(max_ns, h->max_ns);
		if (!h->calls)
			fails++;
	}
	pr_info("%sok - tmnet_latest() from hard-IRQ hrtimers on %u CPUs: %llu calls, slowest %llu ns\n",
		fails || !calls ? "not " : "", ncpu, calls, max_ns);
	pr_info("%sok - every call returned a record (%llu errors)\n",
		errors ? "not " : "", errors);
	pr_info("%sok - the tick number never went back (%llu times)\n",
		backwards ? "not " : "", backwards);
	if (stopped)
		pr_info("%sok - stopped device: the latest record did not change (%llu times)\n",
			changed ? "not " : "", changed);
	else
		pr_info("%sok - ticking device: the latest record moved on\n",
			changed ? "" : "not ");
	return fails || !calls || errors || backwards ||
	       (stopped ? changed != 0 : changed == 0);
}

static int tmnet_kapi_basic(struct tmnet_dev *dev)
{
	struct tmnet_sample s = { .flags = TMNET_SAMPLE_VALID, .seq = 777 };
	struct tmnet_pred p;
	int fails = 0, ret, i;

#define CHECK(cond, what) do {						\
	bool ok_ = (cond);						\
	pr_info("%sok - %s\n", ok_ ? "" : "not ", what);		\
	fails += !ok_;							\
} while (0)

	CHECK(!tmnet_dev_get_by_name("tmnet99"), "unknown name gives NULL");

	s.x = 5 << 16;
	s.y = -3 << 16;
	s.flags = 0x80;
	CHECK(tmnet_submit(dev, &s) == -EINVAL, "unknown flag bits are rejected");
	s.flags = TMNET_SAMPLE_VALID;
	CHECK(tmnet_submit(dev, &s) == 0, "submit one sample");
	msleep(100);
	ret = tmnet_latest(dev, &p);
	CHECK(ret == 0 && p.sample_seq == 777 && p.tick > 0,
	      "the latest prediction has ingested the submitted sample");
	CHECK(ret == 0 && (p.flags & TMNET_PRED_F_PRIOR_INIT), "the prior is initialised");

	/* replay mode: the queue is bounded */
	for (i = 0, ret = 0; i < 3 * TMNET_IN_RING && !ret; i++)
		ret = tmnet_submit(dev, &s);
	CHECK(ret == -ENOSPC && i >= TMNET_IN_RING, "a full replay queue gives -ENOSPC");
#undef CHECK
	return fails;
}

static int __init tmnet_kapi_init(void)
{
	struct tmnet_dev *dev = tmnet_dev_get_by_name("tmnet0");
	bool found = dev && tmnet_dev_get_by_index(0) == dev;
	int fails = 0;

	pr_info("%sok - lookup by name and index\n", found ? "" : "not ");
	if (!found)
		return -ENODEV;
	if (basic)
		fails += tmnet_kapi_basic(dev);
	if (hammer_ms)
		fails += kapi_hammer(dev);
	return fails ? -EINVAL : 0;
}

static void __exit tmnet_kapi_exit(void)
{
}

module_init(tmnet_kapi_init);
module_exit(tmnet_kapi_exit);
MODULE_DESCRIPTION("tmnet: test of the exported in-kernel API");
MODULE_LICENSE("GPL");
