// SPDX-License-Identifier: GPL-2.0
/*
 * libtmnet: client of the "tmnet" generic netlink family (see tmn_nl.h).
 *
 * libnl-genl does the socket, the family lookup and the message loop.  It
 * does not turn on extended acks nor decode them, so this file does both:
 * the kernel's message, the offset of the bad attribute (mapped back to a
 * name by walking the request we sent), the missing attribute, and the
 * policy of the attribute that failed validation (its allowed range).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "tmn_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* ------------------------------------------------------------------ */
/* Names (as in uapi/tmnet.yaml)                                       */
/* ------------------------------------------------------------------ */

static const char *const top_names[TMNET_A_MAX + 1] = {
	[TMNET_A_PAD] = "pad",
	[TMNET_A_DEV_INDEX] = "dev-index",
	[TMNET_A_DEV_NAME] = "dev-name",
	[TMNET_A_RUNNING] = "running",
	[TMNET_A_MODEL_GEN] = "model-gen",
	[TMNET_A_MODEL_BLOB] = "model-blob",
	[TMNET_A_MODEL] = "model",
	[TMNET_A_CONFIG] = "config",
	[TMNET_A_STATS] = "stats",
	[TMNET_A_EVENT] = "event",
	[TMNET_A_EVENT_VALUE] = "event-value",
	[TMNET_A_MESSAGE] = "message",
	[TMNET_A_INPUT_SELECTOR] = "input-selector",
	[TMNET_A_INPUT] = "input",
};

static const char *const cfg_names[TMNET_A_CFG_MAX + 1] = {
	[TMNET_A_CFG_MODE] = "mode",
	[TMNET_A_CFG_RATE_HZ] = "rate-hz",
	[TMNET_A_CFG_EPS] = "eps",
	[TMNET_A_CFG_BUDGET] = "budget",
	[TMNET_A_CFG_CHI2] = "chi2",
	[TMNET_A_CFG_SOURCE] = "source",
	[TMNET_A_CFG_CPU] = "cpu",
	[TMNET_A_CFG_PINNED] = "pinned",
	[TMNET_A_CFG_UNPIN] = "unpin",
};

static const char *const stats_names[TMNET_A_STATS_MAX + 1] = {
	[TMNET_A_STATS_MODE] = "mode",
	[TMNET_A_STATS_SOURCE] = "source",
	[TMNET_A_STATS_RATE_HZ] = "rate-hz",
	[TMNET_A_STATS_CPU] = "cpu",
	[TMNET_A_STATS_TICKS] = "ticks",
	[TMNET_A_STATS_OVERRUNS] = "overruns",
	[TMNET_A_STATS_SAMPLES_IN] = "samples-in",
	[TMNET_A_STATS_SAMPLES_REJECTED] = "samples-rejected",
	[TMNET_A_STATS_SAMPLES_INGESTED] = "samples-ingested",
	[TMNET_A_STATS_DROPPED] = "dropped",
	[TMNET_A_STATS_MISSING] = "missing",
	[TMNET_A_STATS_NO_SAMPLE] = "no-sample",
	[TMNET_A_STATS_GATE_PASS] = "gate-pass",
	[TMNET_A_STATS_GATE_FAIL_CHI2] = "gate-fail-chi2",
	[TMNET_A_STATS_GATE_FAIL_BUDGET] = "gate-fail-budget",
	[TMNET_A_STATS_GATE_FAIL_CERT] = "gate-fail-cert",
	[TMNET_A_STATS_GATE_FAIL_NO_MODEL] = "gate-fail-no-model",
	[TMNET_A_STATS_GATE_FAIL_STALE] = "gate-fail-stale",
	[TMNET_A_STATS_GATE_FAIL_SATURATION] = "gate-fail-saturation",
	[TMNET_A_STATS_FALLBACKS] = "fallbacks",
	[TMNET_A_STATS_CERT_N] = "cert-n",
	[TMNET_A_STATS_CERT_MEAN] = "cert-mean",
	[TMNET_A_STATS_CERT_MAX] = "cert-max",
	[TMNET_A_STATS_SAT_INPUT] = "sat-input",
	[TMNET_A_STATS_SAT_ACT] = "sat-act",
	[TMNET_A_STATS_SAT_OUT] = "sat-out",
	[TMNET_A_STATS_OUT_RECORDS] = "out-records",
	[TMNET_A_STATS_OUT_OVERFLOW] = "out-overflow",
	[TMNET_A_STATS_OUT_READ] = "out-read",
	[TMNET_A_STATS_IN_QUEUED] = "in-queued",
	[TMNET_A_STATS_OUT_QUEUED] = "out-queued",
	[TMNET_A_STATS_MODEL_LOADS] = "model-loads",
	[TMNET_A_STATS_MODEL_LOAD_ERRORS] = "model-load-errors",
	[TMNET_A_STATS_BLEND] = "blend",
	[TMNET_A_STATS_BLEND_W_MEAN] = "blend-w-mean",
	[TMNET_A_STATS_MON_RESOLVED] = "mon-resolved",
	[TMNET_A_STATS_MON_DROPPED] = "mon-dropped",
};

const char *tmn_stats_attr_name(unsigned int attr)
{
	if (attr > TMNET_A_STATS_MAX)
		return NULL;
	return stats_names[attr];
}

const char *tmn_event_name(uint32_t ev)
{
	switch (ev) {
	case TMNET_EVENT_MODEL_LOADED: return "model-loaded";
	case TMNET_EVENT_MODEL_REJECTED: return "model-rejected";
	case TMNET_EVENT_STARTED: return "started";
	case TMNET_EVENT_STOPPED: return "stopped";
	case TMNET_EVENT_GATE_FAIL_RATE: return "gate-fail-rate";
	case TMNET_EVENT_OVERRUN: return "overrun";
	case TMNET_EVENT_UNPINNED: return "unpinned";
	case TMNET_EVENT_INPUT_ATTACHED: return "input-attached";
	case TMNET_EVENT_INPUT_DETACHED: return "input-detached";
	}
	return "unknown";
}

const char *tmn_system_name(uint32_t sys)
{
	switch (sys) {
	case TMNET_SYS_PRIOR: return "prior";
	case TMNET_SYS_A: return "A";
	case TMNET_SYS_B: return "B";
	}
	return "unknown";
}

const char *tmn_source_name(uint32_t src)
{
	switch (src) {
	case TMNET_SRC_REPLAY: return "replay";
	case TMNET_SRC_LIVE: return "live";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int tmn_fail(struct tmn_nl *nl, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->errmsg, sizeof(nl->errmsg), fmt, ap);
	va_end(ap);
	nl->err = err;
	return err;
}

const char *tmn_nl_errmsg(const struct tmn_nl *nl)
{
	return nl->errmsg[0] ? nl->errmsg : "no error";
}

/* errno of a libnl error code (libnl returns its own codes) */
static int tmn_libnl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_INTR: return -EINTR;
	}
	return -EIO;
}

/*
 * Name of the attribute at byte offset off of the request req (as the
 * kernel reports it in NLMSGERR_ATTR_OFFS), "" if none matches.
 */
static void tmn_attr_at(const struct nlmsghdr *req, uint32_t off,
			char *buf, size_t n)
{
	const char *base = (const char *)req;
	struct nlattr *a, *b;
	int rem, rem2;

	buf[0] = '\0';
	if (!req || off < NLMSG_HDRLEN + GENL_HDRLEN || off >= req->nlmsg_len)
		return;
	a = (struct nlattr *)(base + NLMSG_HDRLEN + GENL_HDRLEN);
	rem = (int)req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
		uint32_t o = (uint32_t)((const char *)a - base);
		int t = nla_type(a);
		const char *name = t <= TMNET_A_MAX && top_names[t] ? top_names[t] : "?";

		if (o == off) {
			snprintf(buf, n, "%s", name);
			return;
		}
		if (off > o && off < o + (uint32_t)a->nla_len && t == TMNET_A_CONFIG) {
			nla_for_each_nested(b, a, rem2) {
				int u = nla_type(b);

				if ((uint32_t)((const char *)b - base) == off) {
					snprintf(buf, n, "config.%s",
						 u <= TMNET_A_CFG_MAX && cfg_names[u] ?
						 cfg_names[u] : "?");
					return;
				}
			}
			snprintf(buf, n, "%s", name);
			return;
		}
	}
}

/* ", allowed LO..HI" etc. from an NLMSGERR_ATTR_POLICY nest */
static void tmn_policy_text(struct nlattr *pol, char *buf, size_t n)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];

	buf[0] = '\0';
	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, pol, NULL) < 0)
		return;
	if (tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] && tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U])
		snprintf(buf, n, ", allowed %llu..%llu",
			 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]),
			 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]));
	else if (tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_S] && tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_S])
		snprintf(buf, n, ", allowed %lld..%lld",
			 (long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_S]),
			 (long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_S]));
	else if (tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH])
		snprintf(buf, n, ", at most %u bytes",
			 nla_get_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH]));
	else if (tb[NL_POLICY_TYPE_ATTR_MASK])
		snprintf(buf, n, ", allowed bits 0x%llx",
			 (unsigned long long)nla_get_u64(tb[NL_POLICY_TYPE_ATTR_MASK]));
}

struct tmn_req {
	struct tmn_nl *nl;
	const struct nlmsghdr *req;	/* what we sent, for attribute offsets */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int done;
	int err;
};

static int tmn_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct tmn_req *r = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	char attr[64] = "", pol[96] = "", msg[256] = "";
	const char *text;
	size_t payload;
	int len;

	(void)who;
	r->err = e->error;
	r->done = 1;
	memset(tb, 0, sizeof(tb));
	if (hdr->nlmsg_flags & NLM_F_ACK_TLVS) {
		payload = sizeof(*e);
		if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
			payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
		len = (int)hdr->nlmsg_len - NLMSG_HDRLEN - (int)NLMSG_ALIGN(payload);
		if (len > 0)
			nla_parse(tb, NLMSGERR_ATTR_MAX,
				  (struct nlattr *)((char *)e + NLMSG_ALIGN(payload)),
				  len, NULL);
	}
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(msg, sizeof(msg), "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		tmn_attr_at(r->req, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]), attr, sizeof(attr));
	if (tb[NLMSGERR_ATTR_POLICY])
		tmn_policy_text(tb[NLMSGERR_ATTR_POLICY], pol, sizeof(pol));

	text = msg[0] ? msg : strerror(-e->error);
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		uint32_t t = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		const char *nm = tb[NLMSGERR_ATTR_MISS_NEST] ?
			(t <= TMNET_A_CFG_MAX ? cfg_names[t] : NULL) :
			(t <= TMNET_A_MAX ? top_names[t] : NULL);

		tmn_fail(r->nl, e->error, "%s (missing attribute %s)", text,
			 nm ? nm : "?");
	} else if (attr[0]) {
		tmn_fail(r->nl, e->error, "%s (attribute %s%s)", text, attr, pol);
	} else if (e->error == -EPERM && !msg[0]) {
		tmn_fail(r->nl, e->error, "%s (needs CAP_NET_ADMIN)", text);
	} else {
		tmn_fail(r->nl, e->error, "%s", text);
	}
	return NL_STOP;
}

static int tmn_ack_cb(struct nl_msg *msg, void *arg)
{
	struct tmn_req *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

static int tmn_valid_cb(struct nl_msg *msg, void *arg)
{
	struct tmn_req *r = arg;
	struct nlattr *tb[TMNET_A_MAX + 1];
	int ret;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TMNET_A_MAX, NULL) < 0) {
		r->err = tmn_fail(r->nl, -EPROTO, "malformed reply from the kernel");
		return NL_STOP;
	}
	if (r->parse) {
		ret = r->parse(tb, r->arg);
		if (ret) {
			r->err = ret;
			return NL_STOP;
		}
	}
	return NL_OK;
}

/* Send msg (consumed) and process replies until the ack, done or error */
static int tmn_transact(struct tmn_nl *nl, struct nl_msg *msg,
			int (*parse)(struct nlattr **tb, void *arg), void *arg)
{
	struct tmn_req r = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->err = 0;
	nl->errmsg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return tmn_fail(nl, -ENOMEM, "out of memory");
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, tmn_valid_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, tmn_ack_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, tmn_ack_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, tmn_err_cb, &r);

	ret = nl_send_auto(nl->sk, msg);
	r.req = nlmsg_hdr(msg);
	if (ret < 0) {
		ret = tmn_fail(nl, tmn_libnl_errno(ret), "cannot send the request: %s",
			       nl_geterror(ret));
		goto out;
	}
	while (!r.done && !r.err) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r.err) {
			r.err = tmn_fail(nl, tmn_libnl_errno(ret),
					 "netlink receive failed: %s", nl_geterror(ret));
			break;
		}
	}
	ret = r.err;
	if (ret && !nl->errmsg[0])
		tmn_fail(nl, ret, "%s", strerror(-ret));
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

/* A request for cmd naming device d; size: room for the attributes */
static struct nl_msg *tmn_msg(struct tmn_nl *nl, uint8_t cmd, int flags,
			      const struct tmn_dev_sel *d, size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size + 1024);

	if (!msg)
		goto nomem;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, TMNET_GENL_VERSION))
		goto nomem;
	if (d) {
		if (d->name) {
			if (nla_put_string(msg, TMNET_A_DEV_NAME, d->name) < 0)
				goto nomem;
		} else if (nla_put_u32(msg, TMNET_A_DEV_INDEX, (uint32_t)d->index) < 0) {
			goto nomem;
		}
	}
	return msg;
nomem:
	nlmsg_free(msg);
	tmn_fail(nl, -ENOMEM, "cannot build the request");
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Socket                                                              */
/* ------------------------------------------------------------------ */

int tmn_nl_open(struct tmn_nl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return tmn_fail(nl, -ENOMEM, "cannot allocate a netlink socket");
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = tmn_fail(nl, tmn_libnl_errno(ret), "cannot open a generic netlink socket: %s",
			       nl_geterror(ret));
		goto fail;
	}
	/* libnl leaves these off: we want the kernel's reasons, not echoes */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, TMNET_GENL_NAME);
	if (nl->family < 0) {
		ret = tmn_fail(nl, -ENOENT,
			       "the tmnet module is not loaded (no generic netlink family \"%s\")",
			       TMNET_GENL_NAME);
		goto fail;
	}
	nl->mcgrp_events = genl_ctrl_resolve_grp(nl->sk, TMNET_GENL_NAME,
						 TMNET_GENL_MCGRP_EVENTS);
	if (nl->mcgrp_events < 0) {
		ret = tmn_fail(nl, -ENOENT, "the tmnet family has no \"%s\" group",
			       TMNET_GENL_MCGRP_EVENTS);
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret;
}

void tmn_nl_close(struct tmn_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* ------------------------------------------------------------------ */
/* Reply parsers                                                       */
/* ------------------------------------------------------------------ */

static void tmn_get_str(struct nlattr *a, char *buf, size_t n)
{
	if (a)
		snprintf(buf, n, "%.*s", nla_len(a), (const char *)nla_data(a));
}

static uint32_t tmn_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t tmn_u64(struct nlattr *a)
{
	if (!a)
		return 0;
	return nla_len(a) >= 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static void tmn_parse_cfg(struct nlattr *nest, struct tmn_cfg *c)
{
	struct nlattr *tb[TMNET_A_CFG_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (!nest || nla_parse_nested(tb, TMNET_A_CFG_MAX, nest, NULL) < 0)
		return;
#define CFG(a, f, bit) do { if (tb[a]) { c->f = nla_get_u32(tb[a]); c->have |= (bit); } } while (0)
	CFG(TMNET_A_CFG_MODE, mode, TMNET_CFG_FIELD_MODE);
	CFG(TMNET_A_CFG_RATE_HZ, rate_hz, TMNET_CFG_FIELD_RATE);
	CFG(TMNET_A_CFG_EPS, eps_q16, TMNET_CFG_FIELD_EPS);
	CFG(TMNET_A_CFG_BUDGET, budget, TMNET_CFG_FIELD_BUDGET);
	CFG(TMNET_A_CFG_CHI2, chi2_q16, TMNET_CFG_FIELD_CHI2);
	CFG(TMNET_A_CFG_SOURCE, source, TMNET_CFG_FIELD_SOURCE);
#undef CFG
	if (tb[TMNET_A_CFG_CPU]) {
		c->cpu = (int32_t)nla_get_u32(tb[TMNET_A_CFG_CPU]);
		c->have |= TMNET_CFG_FIELD_CPU;
	}
	c->pinned = tmn_u32(tb[TMNET_A_CFG_PINNED]);
}

static void tmn_parse_input(struct nlattr *nest, struct tmn_input_info *in)
{
	struct nlattr *tb[TMNET_A_INPUT_MAX + 1];

	memset(in, 0, sizeof(*in));
	if (!nest || nla_parse_nested(tb, TMNET_A_INPUT_MAX, nest, NULL) < 0)
		return;
	in->have = 1;
	in->attached = tb[TMNET_A_INPUT_ATTACHED] ? nla_get_u8(tb[TMNET_A_INPUT_ATTACHED]) : 0;
	in->relative = tb[TMNET_A_INPUT_RELATIVE] ? nla_get_u8(tb[TMNET_A_INPUT_RELATIVE]) : 0;
	tmn_get_str(tb[TMNET_A_INPUT_NAME], in->name, sizeof(in->name));
	tmn_get_str(tb[TMNET_A_INPUT_PHYS], in->phys, sizeof(in->phys));
	in->attaches = tmn_u64(tb[TMNET_A_INPUT_ATTACHES]);
	in->detaches = tmn_u64(tb[TMNET_A_INPUT_DETACHES]);
	in->unplugs = tmn_u64(tb[TMNET_A_INPUT_UNPLUGS]);
	in->events = tmn_u64(tb[TMNET_A_INPUT_EVENTS]);
	in->frames = tmn_u64(tb[TMNET_A_INPUT_FRAMES]);
	in->samples = tmn_u64(tb[TMNET_A_INPUT_SAMPLES]);
	in->segments = tmn_u64(tb[TMNET_A_INPUT_SEGMENTS]);
}

static int tmn_parse_input_reply(struct nlattr **tb, void *arg)
{
	tmn_parse_input(tb[TMNET_A_INPUT], arg);
	return 0;
}

static int tmn_parse_dev(struct nlattr **tb, void *arg)
{
	struct tmn_dev_info *d = arg;

	memset(d, 0, sizeof(*d));
	d->index = tmn_u32(tb[TMNET_A_DEV_INDEX]);
	tmn_get_str(tb[TMNET_A_DEV_NAME], d->name, sizeof(d->name));
	d->running = tb[TMNET_A_RUNNING] ? nla_get_u8(tb[TMNET_A_RUNNING]) : 0;
	d->model_gen = tmn_u32(tb[TMNET_A_MODEL_GEN]);
	tmn_parse_cfg(tb[TMNET_A_CONFIG], &d->cfg);
	tmn_parse_input(tb[TMNET_A_INPUT], &d->input);
	return 0;
}

struct tmn_dump_ctx {
	int (*cb)(const struct tmn_dev_info *info, void *arg);
	void *arg;
};

static int tmn_parse_dev_each(struct nlattr **tb, void *arg)
{
	struct tmn_dump_ctx *c = arg;
	struct tmn_dev_info d;

	tmn_parse_dev(tb, &d);
	return c->cb(&d, c->arg);
}

static int tmn_parse_gen(struct nlattr **tb, void *arg)
{
	*(uint32_t *)arg = tmn_u32(tb[TMNET_A_MODEL_GEN]);
	return 0;
}

static int tmn_parse_model(struct nlattr **tb, void *arg)
{
	struct tmn_model_info *m = arg;
	struct nlattr *t[TMNET_A_MODEL_MAX + 1];

	memset(m, 0, sizeof(*m));
	m->index = tmn_u32(tb[TMNET_A_DEV_INDEX]);
	tmn_get_str(tb[TMNET_A_DEV_NAME], m->dev, sizeof(m->dev));
	if (!tb[TMNET_A_MODEL] ||
	    nla_parse_nested(t, TMNET_A_MODEL_MAX, tb[TMNET_A_MODEL], NULL) < 0)
		return -EPROTO;
	m->gen = tmn_u32(t[TMNET_A_MODEL_GENERATION]);
	tmn_get_str(t[TMNET_A_MODEL_NAME], m->name, sizeof(m->name));
	m->system = tmn_u32(t[TMNET_A_MODEL_SYSTEM]);
	m->builtin = t[TMNET_A_MODEL_BUILTIN] ? nla_get_u8(t[TMNET_A_MODEL_BUILTIN]) : 0;
	m->features = tmn_u32(t[TMNET_A_MODEL_FEATURES]);
	m->hidden = tmn_u32(t[TMNET_A_MODEL_HIDDEN]);
	m->rate_hz = tmn_u32(t[TMNET_A_MODEL_RATE_HZ]);
	m->window_ticks = tmn_u32(t[TMNET_A_MODEL_WINDOW_TICKS]);
	m->horizon_ticks = tmn_u32(t[TMNET_A_MODEL_HORIZON_TICKS]);
	m->crc32 = tmn_u32(t[TMNET_A_MODEL_CRC32]);
	m->eps_q16 = tmn_u32(t[TMNET_A_MODEL_EPS]);
	m->budget = tmn_u32(t[TMNET_A_MODEL_BUDGET]);
	m->chi2_q16 = tmn_u32(t[TMNET_A_MODEL_CHI2]);
	m->load_time_ns = tmn_u64(t[TMNET_A_MODEL_LOAD_TIME]);
	m->loads = tmn_u64(t[TMNET_A_MODEL_LOADS]);
	m->load_errors = tmn_u64(t[TMNET_A_MODEL_LOAD_ERRORS]);
	return 0;
}

static int tmn_parse_stats(struct nlattr **tb, void *arg)
{
	struct tmn_stats *s = arg;
	struct nlattr *t[TMNET_A_STATS_MAX + 1];
	struct nlattr *g[TMNET_A_STAGE_MAX + 1];
	struct nlattr *a;
	struct tmn_stage *st;
	int rem;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->index = tmn_u32(tb[TMNET_A_DEV_INDEX]);
	tmn_get_str(tb[TMNET_A_DEV_NAME], s->dev, sizeof(s->dev));
	s->running = tb[TMNET_A_RUNNING] ? nla_get_u8(tb[TMNET_A_RUNNING]) : 0;
	s->model_gen = tmn_u32(tb[TMNET_A_MODEL_GEN]);
	if (!tb[TMNET_A_STATS] ||
	    nla_parse_nested(t, TMNET_A_STATS_MAX, tb[TMNET_A_STATS], NULL) < 0)
		return -EPROTO;
	for (i = 0; i <= TMNET_A_STATS_MAX; i++) {
		if (!t[i] || !stats_names[i])
			continue;
		s->have[i] = 1;
		s->v[i] = tmn_u64(t[i]);
	}
	if (t[TMNET_A_STATS_CPU])	/* s32: keep the sign */
		s->v[TMNET_A_STATS_CPU] = (uint64_t)(int64_t)(int32_t)nla_get_u32(t[TMNET_A_STATS_CPU]);
	nla_for_each_nested(a, tb[TMNET_A_STATS], rem) {
		if (nla_type(a) != TMNET_A_STATS_STAGE || s->n_stages >= TMNET_N_STAGES)
			continue;
		if (nla_parse_nested(g, TMNET_A_STAGE_MAX, a, NULL) < 0)
			return -EPROTO;
		st = &s->stage[s->n_stages++];
		st->id = tmn_u32(g[TMNET_A_STAGE_ID]);
		tmn_get_str(g[TMNET_A_STAGE_NAME], st->name, sizeof(st->name));
		st->count = tmn_u64(g[TMNET_A_STAGE_COUNT]);
		st->mean_ns = tmn_u64(g[TMNET_A_STAGE_MEAN_NS]);
		st->p50_ns = tmn_u64(g[TMNET_A_STAGE_P50_NS]);
		st->p90_ns = tmn_u64(g[TMNET_A_STAGE_P90_NS]);
		st->p99_ns = tmn_u64(g[TMNET_A_STAGE_P99_NS]);
		st->p999_ns = tmn_u64(g[TMNET_A_STAGE_P999_NS]);
		st->max_ns = tmn_u64(g[TMNET_A_STAGE_MAX_NS]);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

int tmn_nl_dev_get(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		   struct tmn_dev_info *out)
{
	struct nl_msg *msg = tmn_msg(nl, TMNET_CMD_DEV_GET, 0, d, 64);

	if (!msg)
		return nl->err;
	return tmn_transact(nl, msg, tmn_parse_dev, out);
}

int tmn_nl_dev_dump(struct tmn_nl *nl,
		    int (*cb)(const struct tmn_dev_info *info, void *arg), void *arg)
{
	struct tmn_dump_ctx c = { .cb = cb, .arg = arg };
	struct nl_msg *msg = tmn_msg(nl, TMNET_CMD_DEV_GET, NLM_F_DUMP, NULL, 0);

	if (!msg)
		return nl->err;
	return tmn_transact(nl, msg, tmn_parse_dev_each, &c);
}

int tmn_nl_model_load(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		      const void *blob, size_t len, uint32_t *gen)
{
	struct nl_msg *msg;
	uint32_t g = 0;
	int ret;

	if (len > 0xffff - NLA_HDRLEN)
		return tmn_fail(nl, -E2BIG, "a model of %zu bytes does not fit a netlink attribute",
				len);
	msg = tmn_msg(nl, TMNET_CMD_MODEL_LOAD, 0, d, len + 64);
	if (!msg)
		return nl->err;
	if (nla_put(msg, TMNET_A_MODEL_BLOB, (int)len, blob) < 0) {
		nlmsg_free(msg);
		return tmn_fail(nl, -ENOMEM, "cannot build the request");
	}
	ret = tmn_transact(nl, msg, tmn_parse_gen, &g);
	if (!ret && gen)
		*gen = g;
	return ret;
}

int tmn_nl_model_unload(struct tmn_nl *nl, const struct tmn_dev_sel *d, uint32_t *gen)
{
	struct nl_msg *msg = tmn_msg(nl, TMNET_CMD_MODEL_UNLOAD, 0, d, 64);
	uint32_t g = 0;
	int ret;

	if (!msg)
		return nl->err;
	ret = tmn_transact(nl, msg, tmn_parse_gen, &g);
	if (!ret && gen)
		*gen = g;
	return ret;
}

int tmn_nl_model_get(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		     struct tmn_model_info *out)
{
	struct nl_msg *msg = tmn_msg(nl, TMNET_CMD_MODEL_GET, 0, d, 64);

	if (!msg)
		return nl->err;
	return tmn_transact(nl, msg, tmn_parse_model, out);
}

static int tmn_simple(struct tmn_nl *nl, uint8_t cmd, const struct tmn_dev_sel *d)
{
	struct nl_msg *msg = tmn_msg(nl, cmd, 0, d, 64);

	if (!msg)
		return nl->err;
	return tmn_transact(nl, msg, NULL, NULL);
}

int tmn_nl_start(struct tmn_nl *nl, const struct tmn_dev_sel *d)
{
	return tmn_simple(nl, TMNET_CMD_START, d);
}

int tmn_nl_stop(struct tmn_nl *nl, const struct tmn_dev_sel *d)
{
	return tmn_simple(nl, TMNET_CMD_STOP, d);
}

int tmn_nl_stats_reset(struct tmn_nl *nl, const struct tmn_dev_sel *d)
{
	return tmn_simple(nl, TMNET_CMD_STATS_RESET, d);
}

int tmn_nl_input_attach(struct tmn_nl *nl, const struct tmn_dev_sel *d,
			const char *selector, struct tmn_input_info *out)
{
	struct tmn_input_info tmp;
	struct nl_msg *msg;

	if (strlen(selector) >= TMNET_GENL_INPUT_SEL_MAX)
		return tmn_fail(nl, -ENAMETOOLONG, "input selector longer than %d bytes",
				TMNET_GENL_INPUT_SEL_MAX - 1);
	msg = tmn_msg(nl, TMNET_CMD_INPUT_ATTACH, 0, d, 256);
	if (!msg)
		return nl->err;
	if (nla_put_string(msg, TMNET_A_INPUT_SELECTOR, selector) < 0) {
		nlmsg_free(msg);
		return tmn_fail(nl, -ENOMEM, "cannot build the request");
	}
	return tmn_transact(nl, msg, tmn_parse_input_reply, out ? out : &tmp);
}

int tmn_nl_input_detach(struct tmn_nl *nl, const struct tmn_dev_sel *d)
{
	return tmn_simple(nl, TMNET_CMD_INPUT_DETACH, d);
}

int tmn_nl_config_set(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		      const struct tmn_cfg *c)
{
	struct nl_msg *msg = tmn_msg(nl, TMNET_CMD_CONFIG_SET, 0, d, 128);
	struct nlattr *nest;
	int bad = 0;

	if (!msg)
		return nl->err;
	nest = nla_nest_start(msg, TMNET_A_CONFIG);
	bad |= !nest;
#define PUT(bit, a, v) do { if (c->have & (bit)) bad |= nla_put_u32(msg, a, v) < 0; } while (0)
	PUT(TMNET_CFG_FIELD_MODE, TMNET_A_CFG_MODE, c->mode);
	PUT(TMNET_CFG_FIELD_RATE, TMNET_A_CFG_RATE_HZ, c->rate_hz);
	PUT(TMNET_CFG_FIELD_EPS, TMNET_A_CFG_EPS, c->eps_q16);
	PUT(TMNET_CFG_FIELD_BUDGET, TMNET_A_CFG_BUDGET, c->budget);
	PUT(TMNET_CFG_FIELD_CHI2, TMNET_A_CFG_CHI2, c->chi2_q16);
	PUT(TMNET_CFG_FIELD_SOURCE, TMNET_A_CFG_SOURCE, c->source);
	PUT(TMNET_CFG_FIELD_CPU, TMNET_A_CFG_CPU, (uint32_t)c->cpu);
#undef PUT
	if (c->unpin)
		bad |= nla_put_u32(msg, TMNET_A_CFG_UNPIN, c->unpin) < 0;
	if (bad) {
		nlmsg_free(msg);
		return tmn_fail(nl, -ENOMEM, "cannot build the request");
	}
	nla_nest_end(msg, nest);
	return tmn_transact(nl, msg, NULL, NULL);
}

int tmn_nl_stats_get(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		     struct tmn_stats *out)
{
	struct nl_msg *msg = tmn_msg(nl, TMNET_CMD_STATS_GET, 0, d, 64);

	if (!msg)
		return nl->err;
	return tmn_transact(nl, msg, tmn_parse_stats, out);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

struct tmn_mon {
	int (*cb)(const struct tmn_event *ev, void *arg);
	void *arg;
	int stop;
};

/* Notifications carry sequence number 0: no check */
static int tmn_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int tmn_event_cb(struct nl_msg *msg, void *arg)
{
	struct tmn_mon *m = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[TMNET_A_MAX + 1];
	struct tmn_event ev;

	if (gh->cmd != TMNET_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, TMNET_A_MAX, NULL) < 0)
		return NL_SKIP;
	memset(&ev, 0, sizeof(ev));
	ev.index = tmn_u32(tb[TMNET_A_DEV_INDEX]);
	tmn_get_str(tb[TMNET_A_DEV_NAME], ev.dev, sizeof(ev.dev));
	ev.event = tmn_u32(tb[TMNET_A_EVENT]);
	ev.gen = tmn_u32(tb[TMNET_A_MODEL_GEN]);
	ev.value = tmn_u64(tb[TMNET_A_EVENT_VALUE]);
	tmn_get_str(tb[TMNET_A_MESSAGE], ev.msg, sizeof(ev.msg));
	m->stop = m->cb(&ev, m->arg);
	return m->stop ? NL_STOP : NL_OK;
}

int tmn_nl_subscribe(struct tmn_nl *nl)
{
	int ret;

	if (nl->subscribed)
		return 0;
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, nl->mcgrp_events);
	if (ret < 0)
		return tmn_fail(nl, tmn_libnl_errno(ret), "cannot join the \"%s\" group: %s",
				TMNET_GENL_MCGRP_EVENTS, nl_geterror(ret));
	nl->subscribed = 1;
	return 0;
}

int tmn_nl_monitor(struct tmn_nl *nl,
		   int (*cb)(const struct tmn_event *ev, void *arg), void *arg)
{
	struct tmn_mon m = { .cb = cb, .arg = arg };
	struct nl_cb *ncb;
	int ret;

	ret = tmn_nl_subscribe(nl);
	if (ret)
		return ret;
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb)
		return tmn_fail(nl, -ENOMEM, "out of memory");
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, tmn_event_cb, &m);
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, tmn_no_seq_check, NULL);
	while (!m.stop) {
		ret = nl_recvmsgs(nl->sk, ncb);
		if (ret < 0 && ret != -NLE_INTR && ret != -NLE_AGAIN) {
			tmn_fail(nl, tmn_libnl_errno(ret), "netlink receive failed: %s",
				 nl_geterror(ret));
			break;
		}
		ret = 0;
	}
	nl_cb_put(ncb);
	return m.stop ? m.stop : nl->err;
}
