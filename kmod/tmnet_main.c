// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - a 2 kHz trajectory predictor in the kernel.
 *
 * Module parameters:
 *   instances  number of devices tmnet0 .. (default 1)
 *   rate_hz    tick rate (default 2000)
 *   cpu        CPU the timer is pinned to (-1: the CPU that starts it)
 *   autostart  start ticking at load
 *   model      firmware file under tmnet/ (e.g. /lib/firmware/tmnet/<model>)
 *              loaded into every instance at load time (read and validated
 *              once)
 *   fail_init_step  fault injection for tests: init step N fails (0: off)
 *
 * Init order: everything that can fail and that no user can reach (the
 * firmware, the devices and their timers) comes first; then the netlink
 * family (whose unregistration waits for running ops), then the misc
 * devices, whose open() refuses until init is complete, then debugfs,
 * which cannot fail.  So no file or socket operation outlives a failed
 * init.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/firmware.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "tmnet_dev.h"
#include "tmnet_nl.h"

static unsigned int instances = 1;
module_param(instances, uint, 0444);
MODULE_PARM_DESC(instances, "number of predictor instances (1..16, default 1)");

static unsigned int rate_hz = TMNET_DEFAULT_RATE_HZ;
module_param(rate_hz, uint, 0444);
MODULE_PARM_DESC(rate_hz, "tick rate in Hz (100..10000, default 2000)");

static int cpu = -1;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU to pin the tick timer to (-1: any, default)");

static bool autostart;
module_param(autostart, bool, 0444);
MODULE_PARM_DESC(autostart, "start ticking at load (default off)");

static char *model;
module_param(model, charp, 0444);
MODULE_PARM_DESC(model, "model file name under /lib/firmware/tmnet/ to load at start");

static unsigned int fail_init_step;
module_param(fail_init_step, uint, 0444);
MODULE_PARM_DESC(fail_init_step,
		 "fault injection for tests: make init step N fail with -EIO (0: off)");

static struct tmnet_dev *tmnet_devs[TMNET_MAX_INSTANCES];
static int tmnet_ndevs;

struct tmnet_dev *tmnet_dev_get_by_index(int index)
{
	if (index < 0 || index >= tmnet_ndevs)
		return NULL;
	return tmnet_devs[index];
}
EXPORT_SYMBOL_GPL(tmnet_dev_get_by_index);

struct tmnet_dev *tmnet_dev_get_by_name(const char *name)
{
	int i;

	for (i = 0; i < tmnet_ndevs; i++)
		if (!strcmp(tmnet_devs[i]->name, name))
			return tmnet_devs[i];
	return NULL;
}
EXPORT_SYMBOL_GPL(tmnet_dev_get_by_name);

int tmnet_dev_count(void)
{
	return tmnet_ndevs;
}

/*
 * Count the init steps that can fail; step fail_init_step fails on purpose
 * (the tests insmod with every N and check that the module unloads clean).
 */
static unsigned int tmnet_init_steps;

static int tmnet_step(int ret, const char *what, int index)
{
	if (++tmnet_init_steps == fail_init_step && !ret) {
		pr_err("init step %u (%s %d): injected failure\n",
		       tmnet_init_steps, what, index);
		return -EIO;
	}
	if (ret)
		pr_err("init step %u (%s %d) failed: %d\n", tmnet_init_steps,
		       what, index, ret);
	return ret;
}

/* Read and validate the model file once; *out is kvfree'd by the caller */
static int tmnet_read_model(struct tm_model **out)
{
	struct tm_blob_error be = { 0 };
	const struct firmware *fw;
	struct tm_model *m;
	char path[96];
	int ret;

	if (strstr(model, "..") || strchr(model, '/')) {
		pr_err("model=%s: give a file name under /lib/firmware/tmnet/\n", model);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "tmnet/%s", model);
	ret = request_firmware(&fw, path, NULL);
	ret = tmnet_step(ret, "request firmware", 0);
	if (ret) {
		if (!fw)
			pr_err("cannot load firmware %s: %d\n", path, ret);
		release_firmware(fw);
		return ret;
	}
	m = kvzalloc(sizeof(*m), GFP_KERNEL);
	ret = tmnet_step(m ? 0 : -ENOMEM, "allocate the model", 0);
	if (!ret && fw->size > TMNET_BLOB_MAX_SIZE) {
		pr_err("model %s: larger than 64 KiB\n", path);
		ret = -E2BIG;
	}
	if (!ret && tm_model_from_blob(m, fw->data, (u32)fw->size, &be)) {
		pr_err("model %s rejected: blob error %u at offset %u: %s\n", path,
		       be.code, be.offset, be.msg ? be.msg : "error");
		ret = -EINVAL;
	}
	release_firmware(fw);
	if (ret) {
		kvfree(m);
		return ret;
	}
	pr_info("model %s: validated, %u Hz\n", path, m->rate_hz);
	*out = m;
	return 0;
}

static void tmnet_remove_all(void)
{
	int i;

	/* first every entry point, then the engines */
	tmnet_nl_exit();
	/* closes every attached input handle: no event reaches a device after */
	tmnet_input_exit();
	for (i = 0; i < tmnet_ndevs; i++) {
		tmnet_debugfs_dev_del(tmnet_devs[i]);
		tmnet_cdev_unregister(tmnet_devs[i]);
	}
	for (i = 0; i < tmnet_ndevs; i++)
		tmnet_dev_destroy(tmnet_devs[i]);
	tmnet_ndevs = 0;
	tmnet_debugfs_exit();
}

static int __init tmnet_init(void)
{
	struct tmnet_err err = { 0 };
	struct tm_model *m = NULL;
	struct tmnet_dev *dev;
	unsigned int i;
	int ret;

	if (!instances || instances > TMNET_MAX_INSTANCES) {
		pr_err("instances must be 1..%d\n", TMNET_MAX_INSTANCES);
		return -EINVAL;
	}
	if (rate_hz < TMNET_MIN_RATE_HZ || rate_hz > TMNET_MAX_RATE_HZ) {
		pr_err("rate_hz must be %d..%d\n", TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ);
		return -EINVAL;
	}
	if (cpu < -1 || (cpu >= 0 && (cpu >= nr_cpu_ids || !cpu_possible(cpu)))) {
		pr_err("cpu=%d is not a possible CPU\n", cpu);
		return -EINVAL;
	}
	tmnet_init_steps = 0;

	/* 1. what no user can reach yet: the model, the devices, the timers */
	if (model && *model) {
		ret = tmnet_read_model(&m);
		if (ret)
			return ret;
	}
	for (i = 0; i < instances; i++) {
		dev = tmnet_dev_create(i, rate_hz, cpu);
		ret = tmnet_step(dev ? 0 : -ENOMEM, "create tmnet", i);
		if (ret) {
			if (dev)
				tmnet_dev_destroy(dev);
			goto fail;
		}
		tmnet_devs[tmnet_ndevs++] = dev;
		if (m) {
			ret = tmnet_step(tmnet_dev_set_model(dev, m, &err),
					 "load the model into tmnet", i);
			if (ret) {
				pr_err("%s: model rejected: %s\n", dev->name,
				       err.msg ? err.msg : "error");
				goto fail;
			}
		}
		if (autostart) {
			ret = tmnet_step(tmnet_dev_start(dev, &err), "start tmnet", i);
			if (ret) {
				pr_err("%s: start failed: %s\n", dev->name,
				       err.msg ? err.msg : "error");
				goto fail;
			}
		}
	}
	kvfree(m);
	m = NULL;

	/* 2. the entry points: netlink, then the misc devices (closed) */
	ret = tmnet_step(tmnet_nl_init(), "register the netlink family", 0);
	if (ret)
		goto fail;
	ret = tmnet_step(tmnet_input_init(), "register the input handler", 0);
	if (ret)
		goto fail;
	for (i = 0; i < tmnet_ndevs; i++) {
		ret = tmnet_step(tmnet_cdev_register(tmnet_devs[i]),
				 "register /dev/tmnet", i);
		if (ret)
			goto fail;
	}

	/* 3. nothing can fail from here on */
	tmnet_debugfs_init();
	for (i = 0; i < tmnet_ndevs; i++)
		tmnet_debugfs_dev_add(tmnet_devs[i]);
	tmnet_cdev_enable();
	pr_info("%u instance(s) at %u Hz%s\n", instances, rate_hz,
		autostart ? ", ticking" : "");
	return 0;

fail:
	kvfree(m);
	tmnet_remove_all();
	return ret;
}

static void __exit tmnet_exit(void)
{
	tmnet_remove_all();
}

module_init(tmnet_init);
module_exit(tmnet_exit);

MODULE_DESCRIPTION("tmnet: 2 kHz trajectory predictor (Kalman prior + INT8 GRU + certified gate)");
MODULE_LICENSE("GPL");
