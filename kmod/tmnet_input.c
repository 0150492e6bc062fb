// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - a live source from an input device (mouse, tablet, touchscreen).
 *
 * An input handler, as evdev and joydev are: it connects (without opening)
 * to every input device that reports a 2-D position (EV_ABS with ABS_X and
 * ABS_Y or ABS_MT_POSITION_X/Y, or EV_REL with REL_X and REL_Y).  Attaching
 * a tmnet device to one of them (netlink TMNET_CMD_INPUT_ATTACH, `tmnetctl
 * set source input:SELECTOR`) opens that handle; from then on its events
 * become samples in the device's live queue.  The selector is the device's
 * name, its phys path, its sysfs name (inputN) or its evdev node
 * (/dev/input/eventN or eventN); it must match exactly one device.
 *
 * The event path (tmnet_input_event) runs in the input core's event
 * context, under the input device's event_lock: it never sleeps or
 * allocates.  It assembles the events of one frame with the core
 * (core/tm_input.c: positions, the integrated position of a relative
 * device, the velocity, segment starts) and at SYN_REPORT converts the
 * sample to the model's units and queues it under dev->qlock, the only
 * lock it takes (tmnet_dev_input_submit).  The sample time is the input
 * core's timestamp of the frame (CLOCK_MONOTONIC), truncated to whole
 * microseconds: exactly what an evdev reader sees, so userspace can
 * recompute every sample from an evdev capture.
 *
 * Lifetime and locks: tmnet_input_lock (a mutex) guards the list of
 * handles and every binding.  A handle's tdev is set before
 * input_open_device() and cleared after input_close_device(), which waits
 * for events in flight (RCU), so the event path sees a stable tdev.  Lock
 * order: input_mutex (held by the input core around connect/disconnect),
 * tmnet_input_lock, the input device's mutex.  dev->lock is never taken
 * under tmnet_input_lock.
 *
 * Hot-unplug: disconnect() closes the handle and counts an unplug on the
 * binding; the netlink watcher announces it (TMNET_EVENT_INPUT_DETACHED).
 * Re-plugging is a new device and needs a new attach.  Module unload
 * unregisters the handler before the devices go: every handle is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/input.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/math64.h>

#include "tmnet_dev.h"
#include "tm_input.h"

struct tmnet_input_h {
	struct input_handle handle;
	struct list_head node;		/* tmnet_input_list */
	struct tmnet_dev *tdev;		/* attached tmnet device, or NULL */
	struct tm_input in;		/* event path only while open */
};

struct tmnet_input_bind {
	struct tmnet_input_h *h;	/* the attached handle, or NULL */
	char name[TMNET_INPUT_NAME_LEN];	/* its (last) input device name */
	u64 attaches, detaches, unplugs;
	/* totals of the earlier attachments */
	u64 events, frames, samples, segs;
};

static DEFINE_MUTEX(tmnet_input_lock);
static LIST_HEAD(tmnet_input_list);
static struct tmnet_input_bind tmnet_input_binds[TMNET_MAX_INSTANCES];
static bool tmnet_input_registered;
static bool tmnet_input_unloading;	/* disconnects are the module's, not unplugs */

/* ------------------------------------------------------------------ */
/* The event path                                                      */
/* ------------------------------------------------------------------ */

static void tmnet_input_event(struct input_handle *handle, unsigned int type,
			      unsigned int code, int value)
{
	struct tmnet_input_h *h = container_of(handle, struct tmnet_input_h, handle);
	struct tmnet_dev *dev = READ_ONCE(h->tdev);
	struct tm_input_raw r;
	u64 t = 0;

	if (!dev)
		return;
	if (type == EV_SYN && code == SYN_REPORT) {
		/* the frame's time, as evdev reports it (whole microseconds) */
		t = ktime_to_ns(input_get_timestamp(handle->dev)[INPUT_CLK_MONO]);
		t = div_u64(t, NSEC_PER_USEC) * NSEC_PER_USEC;
	}
	if (tm_input_event(&h->in, type, code, value, t, &r))
		tmnet_dev_input_submit(dev, &r);
}

/* ------------------------------------------------------------------ */
/* Connect / disconnect                                                */
/* ------------------------------------------------------------------ */

static void tmnet_input_detach_locked(struct tmnet_input_h *h, bool unplug)
{
	struct tmnet_dev *dev = h->tdev;
	struct tmnet_input_bind *b;

	lockdep_assert_held(&tmnet_input_lock);
	if (!dev)
		return;
	/* no event is in flight after this */
	input_close_device(&h->handle);
	WRITE_ONCE(h->tdev, NULL);
	b = &tmnet_input_binds[dev->index];
	b->h = NULL;
	b->detaches++;
	if (unplug)
		b->unplugs++;
	b->events += h->in.events;
	b->frames += h->in.frames;
	b->samples += h->in.samples;
	b->segs += h->in.segs;
}

static int tmnet_input_connect(struct input_handler *handler, struct input_dev *idev,
			       const struct input_device_id *id)
{
	struct tmnet_input_h *h;
	int ret;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->handle.dev = idev;
	h->handle.handler = handler;
	h->handle.name = "tmnet";
	ret = input_register_handle(&h->handle);
	if (ret) {
		kfree(h);
		return ret;
	}
	mutex_lock(&tmnet_input_lock);
	list_add_tail(&h->node, &tmnet_input_list);
	mutex_unlock(&tmnet_input_lock);
	return 0;
}

static void tmnet_input_disconnect(struct input_handle *handle)
{
	struct tmnet_input_h *h = container_of(handle, struct tmnet_input_h, handle);

	mutex_lock(&tmnet_input_lock);
	list_del(&h->node);
	if (h->tdev && !tmnet_input_unloading)
		pr_info("%s: input device \"%s\" went away: detached\n",
			h->tdev->name, handle->dev->name ? handle->dev->name : "?");
	tmnet_input_detach_locked(h, !tmnet_input_unloading);
	mutex_unlock(&tmnet_input_lock);
	input_unregister_handle(handle);
	kfree(h);
}

static const struct input_device_id tmnet_input_ids[] = {
	{	/* tablets, touchscreens with single-touch axes */
		.flags = INPUT_DEVICE_ID_MATCH_EVBIT | INPUT_DEVICE_ID_MATCH_ABSBIT,
		.evbit = { BIT_MASK(EV_ABS) },
		.absbit = { BIT_MASK(ABS_X) | BIT_MASK(ABS_Y) },
	},
	{	/* multi-touch only */
		.flags = INPUT_DEVICE_ID_MATCH_EVBIT | INPUT_DEVICE_ID_MATCH_ABSBIT,
		.evbit = { BIT_MASK(EV_ABS) },
		.absbit = { [BIT_WORD(ABS_MT_POSITION_X)] =
			    BIT_MASK(ABS_MT_POSITION_X) | BIT_MASK(ABS_MT_POSITION_Y) },
	},
	{	/* mice */
		.flags = INPUT_DEVICE_ID_MATCH_EVBIT | INPUT_DEVICE_ID_MATCH_RELBIT,
		.evbit = { BIT_MASK(EV_REL) },
		.relbit = { BIT_MASK(REL_X) | BIT_MASK(REL_Y) },
	},
	{ },
};

static struct input_handler tmnet_input_handler = {
	.event = tmnet_input_event,
	.connect = tmnet_input_connect,
	.disconnect = tmnet_input_disconnect,
	.name = "tmnet",
	.id_table = tmnet_input_ids,
};

/* ------------------------------------------------------------------ */
/* Attach / detach                                                     */
/* ------------------------------------------------------------------ */

/* Is idev's evdev node "eventN"?  tmnet_input_lock held */
static bool tmnet_input_is_evdev(struct input_dev *idev, const char *node)
{
	struct input_handle *handle;
	bool hit = false;

	mutex_lock(&idev->mutex);
	list_for_each_entry(handle, &idev->h_list, d_node)
		if (!strcmp(handle->handler->name, "evdev") && handle->name &&
		    !strcmp(handle->name, node)) {
			hit = true;
			break;
		}
	mutex_unlock(&idev->mutex);
	return hit;
}

static bool tmnet_input_match(struct input_dev *idev, const char *sel)
{
	const char *node = sel;

	if (!strncmp(node, "/dev/input/", 11))
		node += 11;
	if (!strncmp(node, "event", 5) && node[5])
		return tmnet_input_is_evdev(idev, node);
	return (idev->name && !strcmp(idev->name, sel)) ||
	       (idev->phys && !strcmp(idev->phys, sel)) ||
	       !strcmp(dev_name(&idev->dev), sel);
}

int tmnet_input_attach(struct tmnet_dev *dev, const char *sel, struct tmnet_err *err,
		       char *what, size_t what_len)
{
	struct tmnet_input_bind *b = &tmnet_input_binds[dev->index];
	struct tmnet_input_h *h, *found = NULL;
	struct input_dev *idev;
	unsigned int n = 0;
	u32 flags = 0;
	int ret;

	if (!*sel) {
		err->msg = "input selector is empty (a name, a phys path or /dev/input/eventN)";
		return -EINVAL;
	}
	mutex_lock(&tmnet_input_lock);
	if (!tmnet_input_registered) {
		ret = -ENODEV;
		err->msg = "the input handler is not registered";
		goto out;
	}
	if (b->h) {
		ret = -EBUSY;
		err->msg = "this tmnet device is already attached to an input device; detach it first";
		snprintf(what, what_len, "%s", b->name);
		goto out;
	}
	list_for_each_entry(h, &tmnet_input_list, node)
		if (tmnet_input_match(h->handle.dev, sel)) {
			n++;
			if (!found)
				found = h;
		}
	if (!found) {
		ret = -ENODEV;
		err->msg = "no input device with a 2-D position matches the selector (a name, a phys path, inputN or /dev/input/eventN)";
		goto out;
	}
	if (n > 1) {
		ret = -EINVAL;
		err->msg = "several input devices match the selector; use its phys path or /dev/input/eventN";
		goto out;
	}
	if (found->tdev) {
		ret = -EBUSY;
		err->msg = "that input device is attached to another tmnet device";
		snprintf(what, what_len, "%s", found->tdev->name);
		goto out;
	}
	idev = found->handle.dev;
	if (test_bit(EV_ABS, idev->evbit) && test_bit(ABS_X, idev->absbit) &&
	    test_bit(ABS_Y, idev->absbit))
		flags = 0;
	else if (test_bit(EV_ABS, idev->evbit) && test_bit(ABS_MT_POSITION_X, idev->absbit))
		flags = TM_INPUT_MT;
	else
		flags = TM_INPUT_REL;
	tm_input_init(&found->in, flags, 0, 0);
	/* the current position: the input core's last reported values */
	if (!flags && idev->absinfo)
		tm_input_seed(&found->in, input_abs_get_val(idev, ABS_X),
			      input_abs_get_val(idev, ABS_Y));
	/* ABS_MT_SLOT comes only when the slot changes: start from the current one */
	if ((flags & TM_INPUT_MT) && idev->absinfo && test_bit(ABS_MT_SLOT, idev->absbit))
		tm_input_seed_slot(&found->in, input_abs_get_val(idev, ABS_MT_SLOT));
	WRITE_ONCE(found->tdev, dev);
	ret = input_open_device(&found->handle);
	if (ret) {
		WRITE_ONCE(found->tdev, NULL);
		err->msg = "cannot open the input device";
		goto out;
	}
	b->h = found;
	b->attaches++;
	strscpy(b->name, idev->name ? idev->name : dev_name(&idev->dev), sizeof(b->name));
	snprintf(what, what_len, "%s", b->name);
	pr_info("%s: attached to input device \"%s\" (%s, %s)\n", dev->name, b->name,
		dev_name(&idev->dev), flags & TM_INPUT_REL ? "relative" :
		flags & TM_INPUT_MT ? "multi-touch slot 0" : "absolute");
	ret = 0;
out:
	mutex_unlock(&tmnet_input_lock);
	return ret;
}

int tmnet_input_detach(struct tmnet_dev *dev)
{
	struct tmnet_input_bind *b = &tmnet_input_binds[dev->index];
	int ret = -ENOENT;

	mutex_lock(&tmnet_input_lock);
	if (b->h) {
		tmnet_input_detach_locked(b->h, false);
		ret = 0;
	}
	mutex_unlock(&tmnet_input_lock);
	return ret;
}

void tmnet_input_info(struct tmnet_dev *dev, struct tmnet_input_info *info)
{
	struct tmnet_input_bind *b = &tmnet_input_binds[dev->index];
	struct tmnet_input_h *h;

	memset(info, 0, sizeof(*info));
	mutex_lock(&tmnet_input_lock);
	h = b->h;
	info->attached = !!h;
	strscpy(info->name, b->name, sizeof(info->name));
	if (h && h->handle.dev->phys)
		strscpy(info->phys, h->handle.dev->phys, sizeof(info->phys));
	info->attaches = b->attaches;
	info->detaches = b->detaches;
	info->unplugs = b->unplugs;
	info->events = b->events;
	info->frames = b->frames;
	info->samples = b->samples;
	info->segs = b->segs;
	if (h) {
		/* written by the event path: 64-bit loads do not tear */
		info->events += READ_ONCE(h->in.events);
		info->frames += READ_ONCE(h->in.frames);
		info->samples += READ_ONCE(h->in.samples);
		info->segs += READ_ONCE(h->in.segs);
		info->rel = !!(h->in.flags & TM_INPUT_REL);
	}
	mutex_unlock(&tmnet_input_lock);
}

int tmnet_input_init(void)
{
	int ret = input_register_handler(&tmnet_input_handler);

	if (ret) {
		pr_err("cannot register the input handler: %d\n", ret);
		return ret;
	}
	mutex_lock(&tmnet_input_lock);
	tmnet_input_registered = true;
	mutex_unlock(&tmnet_input_lock);
	return 0;
}

/* Closes every attached handle (disconnect) before the devices go */
void tmnet_input_exit(void)
{
	bool reg;

	mutex_lock(&tmnet_input_lock);
	reg = tmnet_input_registered;
	tmnet_input_registered = false;
	tmnet_input_unloading = true;
	mutex_unlock(&tmnet_input_lock);
	if (reg)
		input_unregister_handler(&tmnet_input_handler);
	mutex_lock(&tmnet_input_lock);
	tmnet_input_unloading = false;
	mutex_unlock(&tmnet_input_lock);
}
