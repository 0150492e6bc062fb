// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet_kunit.ko: KUnit suites for the tmnet core (compiled unchanged into
 * this module) and engine.  Loading the module runs every suite and prints
 * KTAP to the kernel log; with CONFIG_KUNIT_DEBUGFS the results are also in
 * /sys/kernel/debug/kunit/<suite>/results.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for the tmnet predictor core and engine");
MODULE_LICENSE("GPL");
