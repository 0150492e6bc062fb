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
 *              loaded into every instance at load time
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/firmware.h>
#include <linux/string.h>

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

static int tmnet_load_firmware(struct tmnet_dev *dev)
{
	const struct firmware *fw;
	struct tmnet_err err = { 0 };
	char path[96];
	int ret;

	if (strstr(model, "..") || strchr(model, '/')) {
		pr_err("model=%s: give a file name under /lib/firmware/tmnet/\n", model);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "tmnet/%s", model);
	ret = request_firmware(&fw, path, dev->misc.this_device);
	if (ret) {
		pr_err("%s: cannot load firmware %s: %d\n", dev->name, path, ret);
		return ret;
	}
	ret = tmnet_dev_load_model(dev, fw->data, fw->size, &err);
	release_firmware(fw);
	if (ret)
		pr_err("%s: model %s rejected: %s\n", dev->name, path,
		       err.msg ? err.msg : "error");
	else
		pr_info("%s: loaded model %s\n", dev->name, path);
	return ret;
}

static void tmnet_remove_all(void)
{
	int i;

	/* first every entry point, then the engines */
	tmnet_nl_exit();
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

	tmnet_debugfs_init();
	for (i = 0; i < instances; i++) {
		dev = tmnet_dev_create(i, rate_hz, cpu);
		if (!dev) {
			ret = -ENOMEM;
			goto fail;
		}
		ret = tmnet_cdev_register(dev);
		if (ret) {
			tmnet_dev_destroy(dev);
			goto fail;
		}
		tmnet_debugfs_dev_add(dev);
		tmnet_devs[tmnet_ndevs++] = dev;
		if (model && *model) {
			ret = tmnet_load_firmware(dev);
			if (ret)
				goto fail;
		}
		if (autostart) {
			ret = tmnet_dev_start(dev, &err);
			if (ret) {
				pr_err("%s: start failed: %s\n", dev->name,
				       err.msg ? err.msg : "error");
				goto fail;
			}
		}
	}
	ret = tmnet_nl_init();
	if (ret)
		goto fail;
	pr_info("%u instance(s) at %u Hz%s\n", instances, rate_hz,
		autostart ? ", ticking" : "");
	return 0;

fail:
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
