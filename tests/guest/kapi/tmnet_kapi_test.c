// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet_kapi_test - exercises tmnet's exported in-kernel API the way a
 * sensor driver would: look the device up, submit samples, read the latest
 * prediction.  Load it while tmnet0 is ticking in replay mode; it prints
 * TAP-style lines to the kernel log and loading fails unless all passed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/delay.h>

#include "tmnet_dev.h"

static int tmnet_kapi_run(void)
{
	struct tmnet_sample s = { .flags = TMNET_SAMPLE_VALID, .seq = 777 };
	struct tmnet_pred p;
	struct tmnet_dev *dev;
	int fails = 0, ret, i;

#define CHECK(cond, what) do {						\
	bool ok_ = (cond);						\
	pr_info("%sok - %s\n", ok_ ? "" : "not ", what);		\
	fails += !ok_;							\
} while (0)

	dev = tmnet_dev_get_by_name("tmnet0");
	CHECK(dev && tmnet_dev_get_by_index(0) == dev, "lookup by name and index");
	if (!dev)
		return -ENODEV;
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
	return fails ? -EINVAL : 0;
}

static int __init tmnet_kapi_init(void)
{
	return tmnet_kapi_run();
}

static void __exit tmnet_kapi_exit(void)
{
}

module_init(tmnet_kapi_init);
module_exit(tmnet_kapi_exit);
MODULE_DESCRIPTION("tmnet: test of the exported in-kernel API");
MODULE_LICENSE("GPL");
