/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/selftests/tmnet_st.h - helpers shared by the tmnet kselftests:
 * a minimal raw NETLINK_GENERIC client for the "tmnet" family (extack on,
 * acks capped), debugfs/file helpers and a capability drop.
 *
 * Everything is static inline so that each test program takes what it uses.
 */
#ifndef TMNET_ST_H
#define TMNET_ST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "linux/tmnet.h"
#include "linux/tmnet_genl.h"

#define ST_DEV		"/dev/tmnet0"
#define ST_DBG		"/sys/kernel/debug/tmnet/tmnet0/"
#define ST_BUF		65536

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct st_nl {
	int fd;
	uint16_t fam;
	uint32_t seq;
	uint32_t mcgrp_events;	/* id of the "events" group, 0 if absent */
};

/* What came back for one request */
struct st_reply {
	int err;		/* 0 or a positive errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	int bad_offs;		/* NLMSGERR_ATTR_OFFS, -1 if none */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, -1 if none */
	int n_msgs;		/* data messages received */
	unsigned char data[ST_BUF];	/* the first data message (whole nlmsg) */
	size_t data_len;
};

struct st_attrs {
	unsigned char buf[ST_BUF];
	size_t len;
};

static inline void st_put(struct st_attrs *a, uint16_t type, const void *p, size_t n)
{
	struct nlattr *na = (struct nlattr *)(a->buf + a->len);

	na->nla_type = type;
	na->nla_len = (uint16_t)(NLA_HDRLEN + n);
	if (n)
		memcpy(a->buf + a->len + NLA_HDRLEN, p, n);
	memset(a->buf + a->len + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
	a->len += NLA_HDRLEN + NLA_ALIGN(n);
}

static inline void st_put_u32(struct st_attrs *a, uint16_t type, uint32_t v)
{
	st_put(a, type, &v, sizeof(v));
}

static inline void st_put_str(struct st_attrs *a, uint16_t type, const char *s)
{
	st_put(a, type, s, strlen(s) + 1);
}

/* Open a nest; close it with st_nest_end(a, start) */
static inline size_t st_nest_start(struct st_attrs *a, uint16_t type)
{
	size_t start = a->len;

	st_put(a, type, NULL, 0);
	return start;
}

static inline void st_nest_end(struct st_attrs *a, size_t start)
{
	((struct nlattr *)(a->buf + start))->nla_len = (uint16_t)(a->len - start);
}

static inline void st_dev0(struct st_attrs *a)
{
	st_put_str(a, TMNET_A_DEV_NAME, "tmnet0");
}

/*
 * Send one request and collect the answer until the final ack, error or
 * NLMSG_DONE.  Returns 0, or -1 on a socket-level failure (errno set).
 */
static inline int st_send(struct st_nl *nl, uint16_t family, uint8_t cmd,
			  uint16_t flags, uint8_t reserved,
			  const struct st_attrs *a, struct st_reply *r)
{
	static unsigned char req[ST_BUF + 64], rx[ST_BUF * 2];
	struct nlmsghdr *nh = (struct nlmsghdr *)req;
	struct genlmsghdr *gh = NLMSG_DATA(nh);
	size_t alen = a ? a->len : 0;
	uint32_t seq = ++nl->seq;

	memset(r, 0, sizeof(*r));
	r->bad_offs = -1;
	r->miss_type = -1;
	memset(req, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
	nh->nlmsg_type = family;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nh->nlmsg_seq = seq;
	gh->cmd = cmd;
	gh->version = 1;
	gh->reserved = reserved;
	if (alen)
		memcpy(req + NLMSG_HDRLEN + GENL_HDRLEN, a->buf, alen);
	if (send(nl->fd, req, nh->nlmsg_len, 0) < 0)
		return -1;

	for (;;) {
		ssize_t n = recv(nl->fd, rx, sizeof(rx), 0);
		struct nlmsghdr *h;
		int left;

		if (n < 0)
			return -1;
		left = (int)n;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				size_t off = NLMSG_HDRLEN + sizeof(*e);
				struct nlattr *na;

				r->err = -e->error;
				/* capped ack: the request's header only */
				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
					return 0;
				while (off + NLA_HDRLEN <= h->nlmsg_len) {
					na = (struct nlattr *)((char *)h + off);
					if (na->nla_len < NLA_HDRLEN ||
					    off + na->nla_len > h->nlmsg_len)
						break;
					if (na->nla_type == NLMSGERR_ATTR_MSG)
						snprintf(r->msg, sizeof(r->msg), "%.*s",
							 (int)(na->nla_len - NLA_HDRLEN),
							 (char *)na + NLA_HDRLEN);
					else if (na->nla_type == NLMSGERR_ATTR_OFFS)
						r->bad_offs = (int)*(uint32_t *)((char *)na + NLA_HDRLEN);
					else if (na->nla_type == NLMSGERR_ATTR_MISS_TYPE)
						r->miss_type = (int)*(uint32_t *)((char *)na + NLA_HDRLEN);
					off += NLA_ALIGN(na->nla_len);
				}
				return 0;
			}
			if (!r->n_msgs && h->nlmsg_len <= sizeof(r->data)) {
				memcpy(r->data, h, h->nlmsg_len);
				r->data_len = h->nlmsg_len;
			}
			r->n_msgs++;
		}
	}
}

static inline int st_req(struct st_nl *nl, uint8_t cmd, const struct st_attrs *a,
			 struct st_reply *r)
{
	return st_send(nl, nl->fam, cmd, 0, 0, a, r);
}

/* Attribute of type in [p, p+len), or NULL */
static inline const struct nlattr *st_find(const void *p, size_t len, uint16_t type)
{
	const unsigned char *c = p;
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *na = (const void *)(c + off);

		if (na->nla_len < NLA_HDRLEN || off + na->nla_len > len)
			return NULL;
		if ((na->nla_type & NLA_TYPE_MASK) == type)
			return na;
		off += NLA_ALIGN(na->nla_len);
	}
	return NULL;
}

/* Top-level attribute of the first data message of a reply */
static inline const struct nlattr *st_top(const struct st_reply *r, uint16_t type)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;

	if (r->data_len < hdr)
		return NULL;
	return st_find(r->data + hdr, r->data_len - hdr, type);
}

static inline const struct nlattr *st_in(const struct nlattr *nest, uint16_t type)
{
	if (!nest)
		return NULL;
	return st_find((const char *)nest + NLA_HDRLEN, nest->nla_len - NLA_HDRLEN, type);
}

static inline const void *st_data(const struct nlattr *na)
{
	return (const char *)na + NLA_HDRLEN;
}

/* Integer value of an attribute (u8/u32/u64 by length), or def if absent */
static inline uint64_t st_uint(const struct nlattr *na, uint64_t def)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	if (!na)
		return def;
	switch (na->nla_len - NLA_HDRLEN) {
	case 1:
		return *(const uint8_t *)st_data(na);
	case 2:
		memcpy(&v16, st_data(na), 2);
		return v16;
	case 4:
		memcpy(&v32, st_data(na), 4);
		return v32;
	case 8:
		memcpy(&v64, st_data(na), 8);
		return v64;
	}
	return def;
}

/* Open the socket with extack + capped acks and resolve "tmnet" by name */
static inline int st_nl_open(struct st_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct st_attrs a = { .len = 0 };
	static struct st_reply r;
	const struct nlattr *id, *grps;
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -1;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	st_put_str(&a, CTRL_ATTR_FAMILY_NAME, TMNET_GENL_NAME);
	if (st_send(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 0, &a, &r))
		return -1;
	id = st_top(&r, CTRL_ATTR_FAMILY_ID);
	if (r.err || !id) {
		errno = r.err ? r.err : ENOENT;
		return -1;
	}
	nl->fam = (uint16_t)st_uint(id, 0);
	grps = st_top(&r, CTRL_ATTR_MCAST_GROUPS);
	if (grps) {
		size_t off = NLA_HDRLEN;

		while (off + NLA_HDRLEN <= grps->nla_len) {
			const struct nlattr *g = (const void *)((const char *)grps + off);
			const struct nlattr *name = st_in(g, CTRL_ATTR_MCAST_GRP_NAME);

			if (g->nla_len < NLA_HDRLEN)
				break;
			if (name && !strcmp(st_data(name), TMNET_GENL_MCGRP_EVENTS))
				nl->mcgrp_events = (uint32_t)st_uint(st_in(g, CTRL_ATTR_MCAST_GRP_ID), 0);
			off += NLA_ALIGN(g->nla_len);
		}
	}
	return nl->fam ? 0 : -1;
}

/*
 * Receive on a socket that joined the events group until an event of type
 * ev arrives (0, the message in r) or 5 s pass without one (-1).
 */
static inline int st_wait_event(int fd, uint32_t ev, struct st_reply *r)
{
	struct timeval tv = { .tv_sec = 5 };
	struct nlmsghdr *h;
	ssize_t n;
	int left;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		n = recv(fd, r->data, sizeof(r->data), 0);
		if (n < 0)
			return -1;
		left = (int)n;
		for (h = (struct nlmsghdr *)r->data; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			struct genlmsghdr *gh = NLMSG_DATA(h);

			r->data_len = h->nlmsg_len;
			if (gh->cmd != TMNET_CMD_EVENT)
				continue;
			if (h != (struct nlmsghdr *)r->data)
				memmove(r->data, h, h->nlmsg_len);
			if (st_uint(st_top(r, TMNET_A_EVENT), 0) == ev)
				return 0;
			break;
		}
	}
}

/* ---- files ---------------------------------------------------------- */

/* Whole file into a NUL-terminated malloc'ed buffer, or NULL */
static inline char *st_slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t k;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while ((k = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)k;
		if (n == cap) {
			char *nb = realloc(buf, 2 * cap + 1);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	if (k < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Write a string to a debugfs control file; 0 or -errno */
static inline int st_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Value of "key value" line in a debugfs file, or -1 */
static inline long long st_stat(const char *file, const char *key)
{
	char path[256], *buf, *p;
	size_t kl = strlen(key);
	long long v = -1;

	snprintf(path, sizeof(path), ST_DBG "%s", file);
	buf = st_slurp(path, NULL);
	if (!buf)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			v = strtoll(p + kl + 1, NULL, 0);
			break;
		}
	free(buf);
	return v;
}

/* ---- capabilities --------------------------------------------------- */

/* Drop one capability from the effective, permitted and inheritable sets */
static inline int st_drop_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	d[cap / 32].permitted &= ~(1U << (cap % 32));
	d[cap / 32].inheritable &= ~(1U << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static inline int st_has_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	return !!(d[cap / 32].effective & (1U << (cap % 32)));
}

#endif /* TMNET_ST_H */
