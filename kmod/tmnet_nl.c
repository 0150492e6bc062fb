// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - the "tmnet" generic netlink family: the control plane.
 *
 * The protocol (commands, attributes, the "events" group) is defined in
 * uapi/linux/tmnet_genl.h and described for machines in uapi/tmnet.yaml.
 *
 * Every op has its own policy and strict validation (resv_start_op is 0);
 * ops that change state need CAP_NET_ADMIN (GENL_ADMIN_PERM), and so does
 * joining the "events" group (GENL_MCAST_CAP_NET_ADMIN): events carry model
 * names and load errors.  Every reject
 * made here carries an extack message and points at the attribute at
 * fault; policy rejects get the core's message, attribute and policy.
 *
 * Events are sent from process context only: right after an op changed
 * something, and from a delayed work that watches every device for changes
 * made another way (module parameters, debugfs) and for the alarms (gate
 * fail rate, timer overruns).  The watcher takes a statistics snapshot
 * only while the group has listeners; without one it just keeps the
 * record of what was announced current (a few mutexes, no snapshot), and
 * the alarms start a fresh baseline when a listener comes.  The hard-IRQ
 * tick knows nothing about netlink.  Both paths go through tmnet_nl_sync(), which compares a device
 * with what was last announced, so every change is announced once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "../uapi/linux/tmnet_genl.h"
#include "tmnet_dev.h"
#include "tmnet_nl.h"

/* Only kernels with split ops (6.2+) have struct genl_split_ops */
#ifdef TMNET_HAVE_GENL_SPLIT_OPS
#define tmnet_genl_ops		genl_split_ops
#define TMNET_OPS_FIELD		split_ops
#define TMNET_N_OPS_FIELD	n_split_ops
#define TMNET_CAP_DO		GENL_CMD_CAP_DO
#else
#define tmnet_genl_ops		genl_ops
#define TMNET_OPS_FIELD		ops
#define TMNET_N_OPS_FIELD	n_ops
#define TMNET_CAP_DO		0
#endif

#define TMNET_NL_POLL		(HZ / 5)	/* watcher period */
#define TMNET_NL_ALARM_MIN	100		/* gate decisions per window */
#define TMNET_CFG_FIELD_ALL	0x7f

static unsigned int alarm_fail_permille = 500;
module_param(alarm_fail_permille, uint, 0644);
MODULE_PARM_DESC(alarm_fail_permille,
		 "gate fail rate (per mille of gate decisions in 200 ms) that raises an event; 0: off");

enum { TMNET_NL_MCGRP_EVENTS };

static const struct genl_multicast_group tmnet_nl_mcgrps[] = {
	[TMNET_NL_MCGRP_EVENTS] = {
		.name = TMNET_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* What was last announced about each device (under tmnet_nl_lock) */
struct tmnet_nl_track {
	bool valid;
	bool alarm_base;	/* the alarm counters below are a baseline */
	bool running;
	bool fail_alarm;
	bool overrun_alarm;	/* overruns in the last window */
	unsigned long overrun_sent;	/* jiffies of the last overrun event */
	u64 overrun_pending;	/* periods missed, not announced yet */
	u32 gen;
	u64 load_time_ns;
	u64 load_errors;
	u64 ticks, gate_pass, gate_fail, overruns, unpinned;
	bool in_attached;	/* input device: as last announced */
	u64 in_attaches, in_detaches, in_unplugs;
};

static DEFINE_MUTEX(tmnet_nl_lock);
static struct tmnet_nl_track tmnet_nl_track[TMNET_MAX_INSTANCES];
static struct delayed_work tmnet_nl_watch;
static bool tmnet_nl_registered;
static struct genl_family tmnet_nl_family;

/* ------------------------------------------------------------------ */
/* Policies                                                            */
/* ------------------------------------------------------------------ */

static struct netlink_range_validation tmnet_rate_range = {
	.min = TMNET_MIN_RATE_HZ, .max = TMNET_MAX_RATE_HZ,
};

static struct netlink_range_validation tmnet_eps_range = {
	.min = 1, .max = 65536,
};

static struct netlink_range_validation tmnet_budget_range = {
	.min = 1, .max = TMNET_GATE_BUDGET_MAX,
};

static struct netlink_range_validation tmnet_chi2_range = {
	.min = 1, .max = TMNET_GATE_CHI2_MAX,
};

static const struct nla_policy tmnet_cfg_nl_policy[TMNET_A_CFG_MAX + 1] = {
	[TMNET_A_CFG_MODE] = NLA_POLICY_MAX(NLA_U32, __TMNET_SYS_MAX - 1),
	[TMNET_A_CFG_RATE_HZ] = NLA_POLICY_FULL_RANGE(NLA_U32, &tmnet_rate_range),
	[TMNET_A_CFG_EPS] = NLA_POLICY_FULL_RANGE(NLA_U32, &tmnet_eps_range),
	[TMNET_A_CFG_BUDGET] = NLA_POLICY_FULL_RANGE(NLA_U32, &tmnet_budget_range),
	[TMNET_A_CFG_CHI2] = NLA_POLICY_FULL_RANGE(NLA_U32, &tmnet_chi2_range),
	[TMNET_A_CFG_SOURCE] = NLA_POLICY_MAX(NLA_U32, __TMNET_SRC_MAX - 1),
	[TMNET_A_CFG_CPU] = NLA_POLICY_MIN(NLA_S32, -1),
	[TMNET_A_CFG_UNPIN] = NLA_POLICY_MASK(NLA_U32, TMNET_CFG_FIELD_ALL),
	/* TMNET_A_CFG_PINNED is output only: rejected in requests */
};

#define TMNET_DEV_POLICY						\
	[TMNET_A_DEV_INDEX] = { .type = NLA_U32 },			\
	[TMNET_A_DEV_NAME] = { .type = NLA_NUL_STRING,			\
			       .len = TMNET_DEV_NAME_LEN - 1 }

/* DEV_GET, MODEL_GET, START, STOP, STATS_*, MODEL_UNLOAD */
static const struct nla_policy tmnet_dev_nl_policy[TMNET_A_DEV_NAME + 1] = {
	TMNET_DEV_POLICY,
};

static const struct nla_policy tmnet_load_nl_policy[TMNET_A_MODEL_BLOB + 1] = {
	TMNET_DEV_POLICY,
	[TMNET_A_MODEL_BLOB] = { .type = NLA_BINARY, .len = TMNET_GENL_BLOB_MAX },
};

static const struct nla_policy tmnet_attach_nl_policy[TMNET_A_INPUT_SELECTOR + 1] = {
	TMNET_DEV_POLICY,
	[TMNET_A_INPUT_SELECTOR] = { .type = NLA_NUL_STRING,
				     .len = TMNET_GENL_INPUT_SEL_MAX - 1 },
};

static const struct nla_policy tmnet_config_nl_policy[TMNET_A_CONFIG + 1] = {
	TMNET_DEV_POLICY,
	[TMNET_A_CONFIG] = NLA_POLICY_NESTED(tmnet_cfg_nl_policy),
};

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static bool tmnet_nl_listened(void)
{
	return genl_has_listeners(&tmnet_nl_family, &init_net, TMNET_NL_MCGRP_EVENTS);
}

static void tmnet_nl_event(struct tmnet_dev *dev, u32 event, u32 gen,
			   u64 value, const char *msg)
{
	struct sk_buff *skb;
	void *hdr;

	if (!tmnet_nl_listened())
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tmnet_nl_family, 0, TMNET_CMD_EVENT);
	if (!hdr)
		goto drop;
	if (nla_put_u32(skb, TMNET_A_DEV_INDEX, dev->index) ||
	    nla_put_string(skb, TMNET_A_DEV_NAME, dev->name) ||
	    nla_put_u32(skb, TMNET_A_EVENT, event) ||
	    nla_put_u32(skb, TMNET_A_MODEL_GEN, gen) ||
	    nla_put_u64_64bit(skb, TMNET_A_EVENT_VALUE, value, TMNET_A_PAD) ||
	    (msg && nla_put_string(skb, TMNET_A_MESSAGE, msg)))
		goto drop;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&tmnet_nl_family, skb, 0, TMNET_NL_MCGRP_EVENTS, GFP_KERNEL);
	return;
drop:
	nlmsg_free(skb);
}

/*
 * Input attachments since the last look: a detach (on request or an
 * unplug) before an attach, as they happened.  tmnet_nl_lock held.
 */
static void tmnet_nl_sync_input(struct tmnet_dev *dev, struct tmnet_nl_track *tr,
				u32 gen)
{
	struct tmnet_input_info *in = kmalloc(sizeof(*in), GFP_KERNEL);
	u64 req;

	if (!in)
		return;
	tmnet_input_info(dev, in);
	if (in->detaches > tr->in_detaches) {
		/* unplugs first: an unplug is never announced as a request */
		req = (in->detaches - tr->in_detaches) -
		      min(in->detaches - tr->in_detaches, in->unplugs - tr->in_unplugs);
		if (in->unplugs > tr->in_unplugs)
			tmnet_nl_event(dev, TMNET_EVENT_INPUT_DETACHED, gen, 1, in->name);
		if (req)
			tmnet_nl_event(dev, TMNET_EVENT_INPUT_DETACHED, gen, 0, in->name);
	}
	if (in->attaches > tr->in_attaches && in->attached)
		tmnet_nl_event(dev, TMNET_EVENT_INPUT_ATTACHED, gen, 0, in->name);
	tr->in_attached = in->attached;
	tr->in_attaches = in->attaches;
	tr->in_detaches = in->detaches;
	tr->in_unplugs = in->unplugs;
	kfree(in);
}

/*
 * Announce what changed on dev since the last call: model generation,
 * rejected loads, running state.  Process context, takes tmnet_nl_lock.
 */
static void tmnet_nl_sync(struct tmnet_dev *dev)
{
	struct tmnet_nl_track *tr = &tmnet_nl_track[dev->index];
	char why[TMNET_ERRMSG_LEN];
	u64 errors;
	bool running;
	u32 gen;

	/*
	 * Read the device under tmnet_nl_lock: a reader that saw an older
	 * state must not announce it after a newer one.  Lock order:
	 * tmnet_nl_lock, then dev->lock (the engine never takes ours).
	 */
	mutex_lock(&tmnet_nl_lock);
	gen = tmnet_dev_model_info(dev, NULL);
	running = tmnet_dev_running(dev);
	mutex_lock(&dev->lock);
	errors = dev->model_load_errors;
	strscpy(why, dev->last_err, sizeof(why));
	mutex_unlock(&dev->lock);

	if (!tr->valid) {
		tr->valid = true;
		tr->gen = gen;
		tr->load_time_ns = ktime_get_real_ns();
		tr->running = running;
		tr->load_errors = errors;
	}
	if (errors > tr->load_errors)
		tmnet_nl_event(dev, TMNET_EVENT_MODEL_REJECTED, tr->gen,
			       errors - tr->load_errors,
			       why[0] ? why : "model rejected");
	tr->load_errors = errors;	/* also after a counter reset */
	if (gen != tr->gen) {
		tr->gen = gen;
		tr->load_time_ns = ktime_get_real_ns();
		tmnet_nl_event(dev, TMNET_EVENT_MODEL_LOADED, gen, 0, NULL);
	}
	if (running != tr->running) {
		tr->running = running;
		tmnet_nl_event(dev, running ? TMNET_EVENT_STARTED :
			       TMNET_EVENT_STOPPED, gen, 0, NULL);
	}
	tmnet_nl_sync_input(dev, tr, gen);
	mutex_unlock(&tmnet_nl_lock);
}

static u64 tmnet_gate_fails(const struct tm_counters *c)
{
	u64 sum = 0;
	int r;

	for (r = TMNET_REASON_OK + 1; r < __TMNET_REASON_MAX; r++)
		sum += c->gate_fail[r];
	return sum;
}

/*
 * Alarms: the gate fail rate over the last window (when it crosses the
 * threshold) and timer overruns (when they start, then at most every 5 s
 * while they go on; the value is the periods missed since the last event).
 */
static void tmnet_nl_alarms(struct tmnet_dev *dev, const struct tmnet_dev_stats *s)
{
	struct tmnet_nl_track *tr = &tmnet_nl_track[dev->index];
	u64 pass = s->core.gate_pass, fail = tmnet_gate_fails(&s->core);
	u64 dpass, dfail, permille;
	bool above;

	mutex_lock(&tmnet_nl_lock);
	if (!tr->alarm_base || s->core.ticks < tr->ticks || pass < tr->gate_pass ||
	    fail < tr->gate_fail || s->dev.overruns < tr->overruns ||
	    s->dev.unpinned < tr->unpinned) {
		/* first look, or counters were reset: start a new baseline */
		goto baseline;
	}
	dpass = pass - tr->gate_pass;
	dfail = fail - tr->gate_fail;
	if (s->mode == TMNET_SYS_B && dpass + dfail >= TMNET_NL_ALARM_MIN) {
		permille = div64_u64(dfail * 1000, dpass + dfail);
		above = alarm_fail_permille && permille >= alarm_fail_permille;
		if (above && !tr->fail_alarm)
			tmnet_nl_event(dev, TMNET_EVENT_GATE_FAIL_RATE,
				       s->model_gen, permille, NULL);
		tr->fail_alarm = above;
	}
	/* overruns: at once when they start, then at most every 5 s */
	tr->overrun_pending += s->dev.overruns - tr->overruns;
	if (tr->overrun_pending &&
	    (!tr->overrun_alarm || time_after(jiffies, tr->overrun_sent + 5 * HZ))) {
		tmnet_nl_event(dev, TMNET_EVENT_OVERRUN, s->model_gen,
			       tr->overrun_pending, NULL);
		tr->overrun_pending = 0;
		tr->overrun_sent = jiffies;
	}
	tr->overrun_alarm = s->dev.overruns > tr->overruns;
	/* the pinned CPU went offline: the timer runs elsewhere now */
	if (s->dev.unpinned > tr->unpinned)
		tmnet_nl_event(dev, TMNET_EVENT_UNPINNED, s->model_gen,
			       s->dev.unpinned - tr->unpinned,
			       "the pinned CPU went offline; the timer moved to another CPU");
baseline:
	tr->alarm_base = true;
	tr->ticks = s->core.ticks;
	tr->gate_pass = pass;
	tr->gate_fail = fail;
	tr->overruns = s->dev.overruns;
	tr->unpinned = s->dev.unpinned;
	mutex_unlock(&tmnet_nl_lock);
}

static void tmnet_nl_watch_fn(struct work_struct *work)
{
	struct tmnet_dev_stats *s = NULL;
	struct tmnet_dev *dev;
	bool listened = tmnet_nl_listened();
	int i;

	if (listened)
		s = kmalloc(sizeof(*s), GFP_KERNEL);
	for (i = 0; i < tmnet_dev_count(); i++) {
		dev = tmnet_dev_get_by_index(i);
		if (!dev)
			continue;
		tmnet_nl_sync(dev);
		if (s) {
			tmnet_dev_stats(dev, s);
			tmnet_nl_alarms(dev, s);
		} else if (!listened) {
			/* nobody to tell: forget the alarm baseline */
			mutex_lock(&tmnet_nl_lock);
			tmnet_nl_track[i].alarm_base = false;
			mutex_unlock(&tmnet_nl_lock);
		}
	}
	kfree(s);
	schedule_delayed_work(&tmnet_nl_watch, TMNET_NL_POLL);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/*
 * Set an extack message that is not a literal (the engine's and the core's
 * messages are static strings): what NL_SET_ERR_MSG_ATTR() does for them.
 */
static void tmnet_nl_set_msg(struct netlink_ext_ack *extack,
			     const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	if (attr)
		NL_SET_BAD_ATTR(extack, attr);
}

/* The device a request names by index or name (both: they must agree) */
static struct tmnet_dev *tmnet_nl_dev(struct genl_info *info)
{
	struct nlattr *ai = info->attrs[TMNET_A_DEV_INDEX];
	struct nlattr *an = info->attrs[TMNET_A_DEV_NAME];
	struct tmnet_dev *dev = NULL;

	if (!ai && !an) {
		NL_SET_ERR_MSG(info->extack,
			       "dev-index or dev-name: a device must be named");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, TMNET_A_DEV_INDEX);
		return ERR_PTR(-EINVAL);
	}
	if (ai) {
		dev = tmnet_dev_get_by_index(nla_get_u32(ai));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, ai,
					    "dev-index: no such tmnet device");
			return ERR_PTR(-ENODEV);
		}
	}
	if (an) {
		struct tmnet_dev *d = tmnet_dev_get_by_name(nla_data(an));

		if (!d) {
			NL_SET_ERR_MSG_ATTR(info->extack, an,
					    "dev-name: no such tmnet device");
			return ERR_PTR(-ENODEV);
		}
		if (dev && d != dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, an,
					    "dev-name: names another device than dev-index");
			return ERR_PTR(-EINVAL);
		}
		dev = d;
	}
	return dev;
}

static int tmnet_nl_put_dev_id(struct sk_buff *skb, struct tmnet_dev *dev)
{
	if (nla_put_u32(skb, TMNET_A_DEV_INDEX, dev->index) ||
	    nla_put_string(skb, TMNET_A_DEV_NAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

static u32 tmnet_cfg_to_fields(u32 set)
{
	u32 f = 0;

	if (set & TMNET_CFG_MODE)
		f |= TMNET_CFG_FIELD_MODE;
	if (set & TMNET_CFG_RATE)
		f |= TMNET_CFG_FIELD_RATE;
	if (set & TMNET_CFG_EPS)
		f |= TMNET_CFG_FIELD_EPS;
	if (set & TMNET_CFG_BUDGET)
		f |= TMNET_CFG_FIELD_BUDGET;
	if (set & TMNET_CFG_CHI2)
		f |= TMNET_CFG_FIELD_CHI2;
	if (set & TMNET_CFG_SOURCE)
		f |= TMNET_CFG_FIELD_SOURCE;
	if (set & TMNET_CFG_CPU)
		f |= TMNET_CFG_FIELD_CPU;
	return f;
}

static u32 tmnet_fields_to_cfg(u32 f)
{
	u32 set = 0;

	if (f & TMNET_CFG_FIELD_MODE)
		set |= TMNET_CFG_MODE;
	if (f & TMNET_CFG_FIELD_RATE)
		set |= TMNET_CFG_RATE;
	if (f & TMNET_CFG_FIELD_EPS)
		set |= TMNET_CFG_EPS;
	if (f & TMNET_CFG_FIELD_BUDGET)
		set |= TMNET_CFG_BUDGET;
	if (f & TMNET_CFG_FIELD_CHI2)
		set |= TMNET_CFG_CHI2;
	if (f & TMNET_CFG_FIELD_SOURCE)
		set |= TMNET_CFG_SOURCE;
	if (f & TMNET_CFG_FIELD_CPU)
		set |= TMNET_CFG_CPU;
	return set;
}

static int tmnet_nl_put_input(struct sk_buff *skb, struct tmnet_dev *dev)
{
	struct tmnet_input_info *in = kmalloc(sizeof(*in), GFP_KERNEL);
	struct nlattr *nest;
	int ret = -EMSGSIZE;

	if (!in)
		return -ENOMEM;
	tmnet_input_info(dev, in);
	nest = nla_nest_start(skb, TMNET_A_INPUT);
	if (!nest)
		goto out;
	if (nla_put_u8(skb, TMNET_A_INPUT_ATTACHED, in->attached) ||
	    (in->name[0] && nla_put_string(skb, TMNET_A_INPUT_NAME, in->name)) ||
	    (in->phys[0] && nla_put_string(skb, TMNET_A_INPUT_PHYS, in->phys)) ||
	    nla_put_u8(skb, TMNET_A_INPUT_RELATIVE, in->rel) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_ATTACHES, in->attaches, TMNET_A_INPUT_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_DETACHES, in->detaches, TMNET_A_INPUT_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_UNPLUGS, in->unplugs, TMNET_A_INPUT_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_EVENTS, in->events, TMNET_A_INPUT_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_FRAMES, in->frames, TMNET_A_INPUT_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_SAMPLES, in->samples, TMNET_A_INPUT_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_INPUT_SEGMENTS, in->segs, TMNET_A_INPUT_PAD)) {
		nla_nest_cancel(skb, nest);
		goto out;
	}
	nla_nest_end(skb, nest);
	ret = 0;
out:
	kfree(in);
	return ret;
}

static int tmnet_nl_fill_dev(struct sk_buff *skb, struct tmnet_dev *dev)
{
	struct tmnet_config c;
	struct nlattr *nest;

	tmnet_dev_get_config(dev, &c);
	if (tmnet_nl_put_dev_id(skb, dev) ||
	    nla_put_u8(skb, TMNET_A_RUNNING, tmnet_dev_running(dev)) ||
	    nla_put_u32(skb, TMNET_A_MODEL_GEN, tmnet_dev_model_info(dev, NULL)))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TMNET_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TMNET_A_CFG_MODE, c.mode) ||
	    nla_put_u32(skb, TMNET_A_CFG_RATE_HZ, c.rate_hz) ||
	    nla_put_u32(skb, TMNET_A_CFG_EPS, c.eps_q16) ||
	    nla_put_u32(skb, TMNET_A_CFG_BUDGET, c.budget) ||
	    nla_put_u32(skb, TMNET_A_CFG_CHI2, c.chi2_q16) ||
	    nla_put_u32(skb, TMNET_A_CFG_SOURCE, c.source) ||
	    nla_put_s32(skb, TMNET_A_CFG_CPU, c.cpu) ||
	    nla_put_u32(skb, TMNET_A_CFG_PINNED, tmnet_cfg_to_fields(c.set))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return tmnet_nl_put_input(skb, dev);
}

/* Send an empty-bodied or filled reply; fill may be NULL */
static int tmnet_nl_reply(struct genl_info *info, struct tmnet_dev *dev, u8 cmd,
			  int (*fill)(struct sk_buff *, struct tmnet_dev *, void *),
			  void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tmnet_nl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err;
	}
	ret = fill(msg, dev, arg);
	if (ret)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return ret;
}

/* ------------------------------------------------------------------ */
/* DEV_GET                                                             */
/* ------------------------------------------------------------------ */

static int tmnet_nl_fill_dev_cb(struct sk_buff *skb, struct tmnet_dev *dev,
				void *arg)
{
	return tmnet_nl_fill_dev(skb, dev);
}

static int tmnet_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	return tmnet_nl_reply(info, dev, TMNET_CMD_DEV_GET, tmnet_nl_fill_dev_cb, NULL);
}

static int tmnet_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tmnet_dev *dev;
	int i = cb->args[0];
	void *hdr;

	for (; i < tmnet_dev_count(); i++) {
		dev = tmnet_dev_get_by_index(i);
		if (!dev)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &tmnet_nl_family,
				  NLM_F_MULTI, TMNET_CMD_DEV_GET);
		if (!hdr)
			break;
		if (tmnet_nl_fill_dev(skb, dev)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

static int tmnet_nl_fill_gen(struct sk_buff *skb, struct tmnet_dev *dev, void *arg)
{
	if (tmnet_nl_put_dev_id(skb, dev) ||
	    nla_put_u32(skb, TMNET_A_MODEL_GEN, *(u32 *)arg))
		return -EMSGSIZE;
	return 0;
}

static int tmnet_nl_model_load_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *blob = info->attrs[TMNET_A_MODEL_BLOB];
	struct tmnet_err err = { 0 };
	struct tmnet_dev *dev;
	u32 gen;
	int ret;

	dev = tmnet_nl_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (!blob) {
		NL_SET_ERR_MSG(info->extack, "model-blob: missing");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, TMNET_A_MODEL_BLOB);
		return -EINVAL;
	}
	/* the engine builds the new model aside; on error nothing changed */
	ret = tmnet_dev_load_model(dev, nla_data(blob), nla_len(blob), &err);
	tmnet_nl_sync(dev);
	if (ret) {
		const char *why = err.msg ? err.msg : "model rejected";

#ifdef GENL_SET_ERR_MSG_FMT
		if (ret == -EINVAL && err.msg)
			NL_SET_ERR_MSG_FMT(info->extack,
					   "model-blob: %s (blob error %u at byte %u)",
					   why, err.blob_code, err.blob_offset);
		else
			NL_SET_ERR_MSG_FMT(info->extack, "model-blob: %s", why);
		NL_SET_BAD_ATTR(info->extack, blob);
#else
		tmnet_nl_set_msg(info->extack, blob, why);
#endif
		return ret;
	}
	gen = tmnet_dev_model_info(dev, NULL);
	return tmnet_nl_reply(info, dev, TMNET_CMD_MODEL_LOAD, tmnet_nl_fill_gen, &gen);
}

static int tmnet_nl_model_unload_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);
	u32 gen;
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = tmnet_dev_unload_model(dev);
	tmnet_nl_sync(dev);
	if (ret) {
		NL_SET_ERR_MSG(info->extack, "out of memory for the built-in prior");
		return ret;
	}
	gen = tmnet_dev_model_info(dev, NULL);
	return tmnet_nl_reply(info, dev, TMNET_CMD_MODEL_UNLOAD, tmnet_nl_fill_gen, &gen);
}

static int tmnet_nl_fill_model(struct sk_buff *skb, struct tmnet_dev *dev, void *arg)
{
	struct tm_model *m = arg;
	struct tmnet_nl_track *tr = &tmnet_nl_track[dev->index];
	struct tmnet_slot *slot;
	struct nlattr *nest;
	u64 loads, errors, when;
	bool builtin;
	u32 gen;

	/* one consistent view: the model cannot be swapped under dev->lock */
	mutex_lock(&dev->lock);
	slot = rcu_dereference_protected(dev->slot, lockdep_is_held(&dev->lock));
	memcpy(m, &slot->m, sizeof(*m));
	gen = slot->gen;
	builtin = slot->builtin;
	loads = dev->model_loads;
	errors = dev->model_load_errors;
	mutex_unlock(&dev->lock);
	mutex_lock(&tmnet_nl_lock);
	when = tr->valid && tr->gen == gen ? tr->load_time_ns : 0;
	mutex_unlock(&tmnet_nl_lock);

	if (tmnet_nl_put_dev_id(skb, dev))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TMNET_A_MODEL);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TMNET_A_MODEL_GENERATION, gen) ||
	    nla_put_string(skb, TMNET_A_MODEL_NAME, m->name) ||
	    nla_put_u32(skb, TMNET_A_MODEL_SYSTEM, m->system) ||
	    nla_put_u8(skb, TMNET_A_MODEL_BUILTIN, builtin) ||
	    nla_put_u32(skb, TMNET_A_MODEL_FEATURES, m->n_feat) ||
	    nla_put_u32(skb, TMNET_A_MODEL_HIDDEN, m->hidden) ||
	    nla_put_u32(skb, TMNET_A_MODEL_RATE_HZ, m->rate_hz) ||
	    nla_put_u32(skb, TMNET_A_MODEL_WINDOW_TICKS, m->window_ticks) ||
	    nla_put_u32(skb, TMNET_A_MODEL_HORIZON_TICKS, m->horizon_ticks) ||
	    nla_put_u32(skb, TMNET_A_MODEL_CRC32, builtin ? 0 : m->crc32) ||
	    nla_put_u32(skb, TMNET_A_MODEL_EPS, m->gate.eps_q16) ||
	    nla_put_u32(skb, TMNET_A_MODEL_BUDGET, m->gate.budget) ||
	    nla_put_u32(skb, TMNET_A_MODEL_CHI2, m->gate.chi2_q16) ||
	    (when && nla_put_u64_64bit(skb, TMNET_A_MODEL_LOAD_TIME, when,
				       TMNET_A_MODEL_PAD)) ||
	    nla_put_u64_64bit(skb, TMNET_A_MODEL_LOADS, loads, TMNET_A_MODEL_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_MODEL_LOAD_ERRORS, errors,
			      TMNET_A_MODEL_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tmnet_nl_model_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);
	struct tm_model *m;
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	tmnet_nl_sync(dev);	/* stamps a generation installed elsewhere */
	m = kvmalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	ret = tmnet_nl_reply(info, dev, TMNET_CMD_MODEL_GET, tmnet_nl_fill_model, m);
	kvfree(m);
	return ret;
}

/* ------------------------------------------------------------------ */
/* START, STOP, CONFIG_SET                                             */
/* ------------------------------------------------------------------ */

static int tmnet_nl_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);
	struct tmnet_err err = { 0 };
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = tmnet_dev_start(dev, &err);
	tmnet_nl_sync(dev);
	if (ret)
		tmnet_nl_set_msg(info->extack, NULL,
				 err.msg ? err.msg : "cannot start the timer");
	return ret;
}

static int tmnet_nl_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	tmnet_dev_stop(dev);
	tmnet_nl_sync(dev);
	return 0;
}

static int tmnet_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TMNET_A_CFG_MAX + 1];
	struct nlattr *nest = info->attrs[TMNET_A_CONFIG], *bad;
	struct tmnet_config c = { 0 };
	struct tmnet_err err = { 0 };
	struct tmnet_dev *dev;
	int ret;

	dev = tmnet_nl_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "config: missing");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, TMNET_A_CONFIG);
		return -EINVAL;
	}
	/* already validated against tmnet_cfg_nl_policy with the request */
	ret = nla_parse_nested(tb, TMNET_A_CFG_MAX, nest, tmnet_cfg_nl_policy,
			       info->extack);
	if (ret)
		return ret;
	if (tb[TMNET_A_CFG_MODE]) {
		c.set |= TMNET_CFG_MODE;
		c.mode = nla_get_u32(tb[TMNET_A_CFG_MODE]);
	}
	if (tb[TMNET_A_CFG_RATE_HZ]) {
		c.set |= TMNET_CFG_RATE;
		c.rate_hz = nla_get_u32(tb[TMNET_A_CFG_RATE_HZ]);
	}
	if (tb[TMNET_A_CFG_EPS]) {
		c.set |= TMNET_CFG_EPS;
		c.eps_q16 = nla_get_u32(tb[TMNET_A_CFG_EPS]);
	}
	if (tb[TMNET_A_CFG_BUDGET]) {
		c.set |= TMNET_CFG_BUDGET;
		c.budget = nla_get_u32(tb[TMNET_A_CFG_BUDGET]);
	}
	if (tb[TMNET_A_CFG_CHI2]) {
		c.set |= TMNET_CFG_CHI2;
		c.chi2_q16 = nla_get_u32(tb[TMNET_A_CFG_CHI2]);
	}
	if (tb[TMNET_A_CFG_SOURCE]) {
		c.set |= TMNET_CFG_SOURCE;
		c.source = nla_get_u32(tb[TMNET_A_CFG_SOURCE]);
	}
	if (tb[TMNET_A_CFG_CPU]) {
		c.set |= TMNET_CFG_CPU;
		c.cpu = nla_get_s32(tb[TMNET_A_CFG_CPU]);
		if (c.cpu >= 0 && (c.cpu >= nr_cpu_ids || !cpu_possible(c.cpu))) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[TMNET_A_CFG_CPU],
					    "cpu: not a possible CPU");
			return -EINVAL;
		}
	}
	if (tb[TMNET_A_CFG_UNPIN])
		c.clear = tmnet_fields_to_cfg(nla_get_u32(tb[TMNET_A_CFG_UNPIN]));
	if (!c.set && !c.clear) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "config: no field to change");
		return -EINVAL;
	}

	ret = tmnet_dev_set_config(dev, &c, &err);
	/* a source chosen here replaces an input device */
	if (!ret && (c.set & TMNET_CFG_SOURCE))
		tmnet_input_detach(dev);
	tmnet_nl_sync(dev);
	if (ret) {
		/* the engine validates the whole set; point at the likely field */
		bad = nest;
		if (ret == -ERANGE && tb[TMNET_A_CFG_RATE_HZ])
			bad = tb[TMNET_A_CFG_RATE_HZ];
		else if (ret == -EINVAL && tb[TMNET_A_CFG_CPU])
			bad = tb[TMNET_A_CFG_CPU];
		tmnet_nl_set_msg(info->extack, bad,
				 err.msg ? err.msg : "config: rejected");
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* INPUT_ATTACH, INPUT_DETACH                                          */
/* ------------------------------------------------------------------ */

static int tmnet_nl_fill_input(struct sk_buff *skb, struct tmnet_dev *dev, void *arg)
{
	if (tmnet_nl_put_dev_id(skb, dev))
		return -EMSGSIZE;
	return tmnet_nl_put_input(skb, dev);
}

static int tmnet_nl_input_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *sel = info->attrs[TMNET_A_INPUT_SELECTOR];
	struct tmnet_config c = { .set = TMNET_CFG_SOURCE, .source = TMNET_SRC_LIVE };
	struct tmnet_err err = { 0 };
	struct tmnet_dev *dev;
	char what[TMNET_INPUT_NAME_LEN] = "";
	int ret;

	dev = tmnet_nl_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (!sel) {
		NL_SET_ERR_MSG(info->extack, "input-selector: missing");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, TMNET_A_INPUT_SELECTOR);
		return -EINVAL;
	}
	ret = tmnet_input_attach(dev, nla_data(sel), &err, what, sizeof(what));
	if (ret) {
		const char *why = err.msg ? err.msg : "cannot attach";

#ifdef GENL_SET_ERR_MSG_FMT
		if (ret == -EBUSY && what[0])
			NL_SET_ERR_MSG_FMT(info->extack, "input-selector: %s (%s)", why, what);
		else
			NL_SET_ERR_MSG_FMT(info->extack, "input-selector: %s", why);
		NL_SET_BAD_ATTR(info->extack, sel);
#else
		tmnet_nl_set_msg(info->extack, sel, why);
#endif
		return ret;
	}
	/* input events are live: the newest sample wins */
	ret = tmnet_dev_set_config(dev, &c, &err);
	if (ret) {
		tmnet_input_detach(dev);
		tmnet_nl_set_msg(info->extack, NULL,
				 err.msg ? err.msg : "cannot select the live source");
		tmnet_nl_sync(dev);
		return ret;
	}
	tmnet_nl_sync(dev);
	return tmnet_nl_reply(info, dev, TMNET_CMD_INPUT_ATTACH, tmnet_nl_fill_input, NULL);
}

static int tmnet_nl_input_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = tmnet_input_detach(dev);
	tmnet_nl_sync(dev);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "no input device is attached");
	return ret;
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

static int tmnet_nl_put_stage(struct sk_buff *skb, unsigned int id,
			      const struct tmnet_pct *p)
{
	struct nlattr *nest = nla_nest_start(skb, TMNET_A_STATS_STAGE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TMNET_A_STAGE_ID, id) ||
	    nla_put_string(skb, TMNET_A_STAGE_NAME, tmnet_stage_names[id]) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_COUNT, p->count, TMNET_A_STAGE_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_MEAN_NS, p->mean_ns, TMNET_A_STAGE_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_P50_NS, p->p50_ns, TMNET_A_STAGE_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_P90_NS, p->p90_ns, TMNET_A_STAGE_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_P99_NS, p->p99_ns, TMNET_A_STAGE_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_P999_NS, p->p999_ns, TMNET_A_STAGE_PAD) ||
	    nla_put_u64_64bit(skb, TMNET_A_STAGE_MAX_NS, p->max_ns, TMNET_A_STAGE_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

#define PUT64(attr, v) nla_put_u64_64bit(skb, TMNET_A_STATS_##attr, (v), \
					 TMNET_A_STATS_PAD)

static int tmnet_nl_fill_stats(struct sk_buff *skb, struct tmnet_dev *dev, void *arg)
{
	const struct tmnet_dev_stats *s = arg;
	const struct tm_counters *c = &s->core;
	const struct tmnet_dev_counters *d = &s->dev;
	struct nlattr *nest;
	u64 cert_mean = c->cert_n ? div64_u64(c->cert_sum_q16, c->cert_n) : 0;
	unsigned int i;

	if (tmnet_nl_put_dev_id(skb, dev) ||
	    nla_put_u8(skb, TMNET_A_RUNNING, s->running) ||
	    nla_put_u32(skb, TMNET_A_MODEL_GEN, s->model_gen))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TMNET_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TMNET_A_STATS_MODE, s->mode) ||
	    nla_put_u32(skb, TMNET_A_STATS_SOURCE, s->source) ||
	    nla_put_u32(skb, TMNET_A_STATS_RATE_HZ, s->rate_hz) ||
	    nla_put_s32(skb, TMNET_A_STATS_CPU, s->cpu) ||
	    PUT64(TICKS, c->ticks) ||
	    PUT64(OVERRUNS, d->overruns) ||
	    PUT64(SAMPLES_IN, d->samples_in) ||
	    PUT64(SAMPLES_REJECTED, d->samples_rejected) ||
	    PUT64(SAMPLES_INGESTED, c->samples) ||
	    PUT64(DROPPED, d->dropped) ||
	    PUT64(MISSING, c->missing) ||
	    PUT64(NO_SAMPLE, d->no_sample) ||
	    PUT64(GATE_PASS, c->gate_pass) ||
	    PUT64(GATE_FAIL_CHI2, c->gate_fail[TMNET_REASON_CHI2]) ||
	    PUT64(GATE_FAIL_BUDGET, c->gate_fail[TMNET_REASON_BUDGET]) ||
	    PUT64(GATE_FAIL_CERT, c->gate_fail[TMNET_REASON_CERT]) ||
	    PUT64(GATE_FAIL_NO_MODEL, c->gate_fail[TMNET_REASON_NO_MODEL]) ||
	    PUT64(GATE_FAIL_STALE, c->gate_fail[TMNET_REASON_STALE]) ||
	    PUT64(GATE_FAIL_SATURATION, c->gate_fail[TMNET_REASON_SATURATION]) ||
	    PUT64(FALLBACKS, c->fallbacks) ||
	    PUT64(CERT_N, c->cert_n) ||
	    PUT64(CERT_MEAN, cert_mean) ||
	    nla_put_u32(skb, TMNET_A_STATS_CERT_MAX, c->cert_max_q16) ||
	    PUT64(SAT_INPUT, c->sat_input) ||
	    PUT64(SAT_ACT, c->sat_act) ||
	    PUT64(SAT_OUT, c->sat_out) ||
	    PUT64(OUT_RECORDS, d->out_records) ||
	    PUT64(OUT_OVERFLOW, d->out_overflow) ||
	    PUT64(OUT_READ, d->out_read) ||
	    nla_put_u32(skb, TMNET_A_STATS_IN_QUEUED, s->in_queued) ||
	    nla_put_u32(skb, TMNET_A_STATS_OUT_QUEUED, s->out_queued) ||
	    PUT64(MODEL_LOADS, d->model_loads) ||
	    PUT64(MODEL_LOAD_ERRORS, d->model_load_errors) ||
	    PUT64(UNPINNED, d->unpinned) ||
	    PUT64(OFFCPU_TICKS, d->offcpu_ticks) ||
	    PUT64(BLEND, c->blend) ||
	    PUT64(BLEND_W_MEAN, c->blend ? div64_u64(c->blend_w_sum_q16, c->blend) : 0) ||
	    PUT64(MON_RESOLVED, c->mon_resolved) ||
	    PUT64(MON_DROPPED, c->mon_dropped))
		goto cancel;
	for (i = 0; i < TMNET_N_STAGES; i++)
		if (tmnet_nl_put_stage(skb, i, &s->stage[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

#undef PUT64

static int tmnet_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);
	struct tmnet_dev_stats *s;
	int ret;

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	tmnet_dev_stats(dev, s);
	ret = tmnet_nl_reply(info, dev, TMNET_CMD_STATS_GET, tmnet_nl_fill_stats, s);
	kfree(s);
	return ret;
}

static int tmnet_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tmnet_dev *dev = tmnet_nl_dev(info);

	if (IS_ERR(dev))
		return PTR_ERR(dev);
	tmnet_dev_reset_stats(dev);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The family                                                          */
/* ------------------------------------------------------------------ */

#define TMNET_OP(_cmd, _doit, _policy, _flags) {			\
	.cmd = (_cmd),							\
	.doit = (_doit),						\
	.policy = (_policy),						\
	.maxattr = ARRAY_SIZE(_policy) - 1,				\
	.flags = (_flags) | TMNET_CAP_DO,				\
}

static const struct tmnet_genl_ops tmnet_nl_ops[] = {
#ifdef TMNET_HAVE_GENL_SPLIT_OPS
	TMNET_OP(TMNET_CMD_DEV_GET, tmnet_nl_dev_get_doit,
		 tmnet_dev_nl_policy, 0),
	{
		/* a dump takes no attributes */
		.cmd = TMNET_CMD_DEV_GET,
		.dumpit = tmnet_nl_dev_get_dumpit,
		.flags = GENL_CMD_CAP_DUMP,
	},
#else
	{
		.cmd = TMNET_CMD_DEV_GET,
		.doit = tmnet_nl_dev_get_doit,
		.dumpit = tmnet_nl_dev_get_dumpit,
		.policy = tmnet_dev_nl_policy,
		.maxattr = ARRAY_SIZE(tmnet_dev_nl_policy) - 1,
	},
#endif
	TMNET_OP(TMNET_CMD_MODEL_LOAD, tmnet_nl_model_load_doit,
		 tmnet_load_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_MODEL_GET, tmnet_nl_model_get_doit,
		 tmnet_dev_nl_policy, 0),
	TMNET_OP(TMNET_CMD_START, tmnet_nl_start_doit,
		 tmnet_dev_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_STOP, tmnet_nl_stop_doit,
		 tmnet_dev_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_CONFIG_SET, tmnet_nl_config_set_doit,
		 tmnet_config_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_STATS_GET, tmnet_nl_stats_get_doit,
		 tmnet_dev_nl_policy, 0),
	TMNET_OP(TMNET_CMD_STATS_RESET, tmnet_nl_stats_reset_doit,
		 tmnet_dev_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_MODEL_UNLOAD, tmnet_nl_model_unload_doit,
		 tmnet_dev_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_INPUT_ATTACH, tmnet_nl_input_attach_doit,
		 tmnet_attach_nl_policy, GENL_ADMIN_PERM),
	TMNET_OP(TMNET_CMD_INPUT_DETACH, tmnet_nl_input_detach_doit,
		 tmnet_dev_nl_policy, GENL_ADMIN_PERM),
};

static struct genl_family tmnet_nl_family __ro_after_init = {
	.name = TMNET_GENL_NAME,
	.version = TMNET_GENL_VERSION,
	.module = THIS_MODULE,
	.parallel_ops = true,
	/* strict validation of every op: no legacy commands */
	.resv_start_op = 0,
	.TMNET_OPS_FIELD = tmnet_nl_ops,
	.TMNET_N_OPS_FIELD = ARRAY_SIZE(tmnet_nl_ops),
	.mcgrps = tmnet_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tmnet_nl_mcgrps),
};

int tmnet_nl_init(void)
{
	int ret, i;

	ret = genl_register_family(&tmnet_nl_family);
	if (ret) {
		pr_err("cannot register the generic netlink family: %d\n", ret);
		return ret;
	}
	tmnet_nl_registered = true;
	for (i = 0; i < tmnet_dev_count(); i++)
		if (tmnet_dev_get_by_index(i))
			tmnet_nl_sync(tmnet_dev_get_by_index(i));
	INIT_DELAYED_WORK(&tmnet_nl_watch, tmnet_nl_watch_fn);
	schedule_delayed_work(&tmnet_nl_watch, TMNET_NL_POLL);
	return 0;
}

void tmnet_nl_exit(void)
{
	if (!tmnet_nl_registered)
		return;
	cancel_delayed_work_sync(&tmnet_nl_watch);
	genl_unregister_family(&tmnet_nl_family);
	tmnet_nl_registered = false;
	memset(tmnet_nl_track, 0, sizeof(tmnet_nl_track));
}
