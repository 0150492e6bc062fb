/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libtmnet: client of the "tmnet" generic netlink family (libnl-genl).
 *
 * The family and its "events" group are resolved by name; NETLINK_EXT_ACK
 * is turned on so that every reject comes back with the kernel's message,
 * the attribute at fault (named here from the request that was sent) and,
 * for policy rejects, the allowed range.  All calls return 0 or -errno and
 * leave a one-line description of the failure in tmn_nl_errmsg().
 */
#ifndef TMN_NL_H
#define TMN_NL_H

#include <stddef.h>
#include <stdint.h>

#include "linux/tmnet.h"
#include "linux/tmnet_genl.h"

struct nl_sock;

struct tmn_nl {
	struct nl_sock *sk;
	int family;		/* resolved id of "tmnet" */
	int mcgrp_events;	/* resolved id of "events" */
	int subscribed;		/* joined "events" */
	int err;		/* last -errno */
	char errmsg[512];	/* last error, one line */
};

/* A device: by index (name == NULL) or by name */
struct tmn_dev_sel {
	int index;
	const char *name;
};

/* TMNET_A_CONFIG; have/pinned/unpin are TMNET_CFG_FIELD_* bits */
struct tmn_cfg {
	uint32_t have;
	uint32_t mode;
	uint32_t rate_hz;
	uint32_t eps_q16;
	uint32_t budget;
	uint32_t chi2_q16;
	uint32_t source;
	int32_t cpu;
	uint32_t pinned;	/* reply only */
	uint32_t unpin;		/* request only */
};

/* TMNET_A_INPUT: the input device a tmnet device is attached to */
struct tmn_input_info {
	int have;		/* the kernel sent the nest */
	int attached;
	int relative;
	char name[128];
	char phys[128];
	uint64_t attaches, detaches, unplugs;
	uint64_t events, frames, samples, segments;
};

struct tmn_dev_info {
	uint32_t index;
	char name[32];
	int running;
	uint32_t model_gen;
	struct tmn_cfg cfg;
	struct tmn_input_info input;
};

struct tmn_model_info {
	uint32_t index;
	char dev[32];
	uint32_t gen;
	char name[TMNET_NAME_LEN + 1];
	uint32_t system;
	int builtin;
	uint32_t features, hidden, rate_hz, window_ticks, horizon_ticks;
	uint32_t crc32, eps_q16, budget, chi2_q16;
	uint64_t load_time_ns;	/* 0: not reported */
	uint64_t loads, load_errors;
};

struct tmn_stage {
	uint32_t id;
	char name[16];
	uint64_t count, mean_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
};

struct tmn_stats {
	uint32_t index;
	char dev[32];
	int running;
	uint32_t model_gen;
	uint64_t v[TMNET_A_STATS_MAX + 1];	/* by TMNET_A_STATS_* (scalars) */
	uint8_t have[TMNET_A_STATS_MAX + 1];
	unsigned int n_stages;
	struct tmn_stage stage[TMNET_N_STAGES];
};

struct tmn_event {
	uint32_t index;
	char dev[32];
	uint32_t event;		/* enum tmnet_event */
	uint32_t gen;
	uint64_t value;
	char msg[256];
};

int tmn_nl_open(struct tmn_nl *nl);
void tmn_nl_close(struct tmn_nl *nl);
const char *tmn_nl_errmsg(const struct tmn_nl *nl);

int tmn_nl_dev_get(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		   struct tmn_dev_info *out);
int tmn_nl_dev_dump(struct tmn_nl *nl,
		    int (*cb)(const struct tmn_dev_info *info, void *arg), void *arg);
int tmn_nl_model_load(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		      const void *blob, size_t len, uint32_t *gen);
int tmn_nl_model_unload(struct tmn_nl *nl, const struct tmn_dev_sel *d,
			uint32_t *gen);
int tmn_nl_model_get(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		     struct tmn_model_info *out);
int tmn_nl_start(struct tmn_nl *nl, const struct tmn_dev_sel *d);
int tmn_nl_stop(struct tmn_nl *nl, const struct tmn_dev_sel *d);
int tmn_nl_stats_reset(struct tmn_nl *nl, const struct tmn_dev_sel *d);
int tmn_nl_config_set(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		      const struct tmn_cfg *cfg);
int tmn_nl_stats_get(struct tmn_nl *nl, const struct tmn_dev_sel *d,
		     struct tmn_stats *out);
/*
 * Attach to the input device that selector names (name, phys, inputN or
 * /dev/input/eventN) and switch to the live source; out may be NULL.
 */
int tmn_nl_input_attach(struct tmn_nl *nl, const struct tmn_dev_sel *d,
			const char *selector, struct tmn_input_info *out);
int tmn_nl_input_detach(struct tmn_nl *nl, const struct tmn_dev_sel *d);
/* Join the "events" group (tmn_nl_monitor does it if not done yet) */
int tmn_nl_subscribe(struct tmn_nl *nl);
/*
 * Join "events" and call cb for each notification until cb returns
 * non-zero (that value is returned) or an error occurs.
 */
int tmn_nl_monitor(struct tmn_nl *nl,
		   int (*cb)(const struct tmn_event *ev, void *arg), void *arg);

/* Names as in the YNL spec (uapi/tmnet.yaml) */
const char *tmn_stats_attr_name(unsigned int attr);	/* NULL if none */
const char *tmn_event_name(uint32_t ev);
const char *tmn_system_name(uint32_t sys);		/* "prior", "A", "B" */
const char *tmn_source_name(uint32_t src);		/* "replay", "live" */

#endif /* TMN_NL_H */
