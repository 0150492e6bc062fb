/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tmnet: the "tmnet" generic netlink family (control plane).
 *
 * Single source of truth for the family's name, version, commands,
 * attributes, multicast group and event codes, shared by the kernel module
 * (kmod/tmnet_nl.c) and userspace (userspace/libtmnet/tmn_nl.c).  The same
 * protocol is described for machines in uapi/tmnet.yaml (a YNL spec); the
 * test tests/unit/check_genl_spec.py checks that both agree.
 *
 * Every request names its device with TMNET_A_DEV_INDEX or TMNET_A_DEV_NAME
 * (DEV_GET dump: none).  Changing commands need CAP_NET_ADMIN.
 *
 * Fixed-point values use the formats of uapi/linux/tmnet.h: eps and chi2 are
 * Q16 (value * 65536), times are nanoseconds.
 */
#ifndef _UAPI_LINUX_TMNET_GENL_H
#define _UAPI_LINUX_TMNET_GENL_H

#define TMNET_GENL_NAME		"tmnet"
#define TMNET_GENL_VERSION	1
/* Joining the "events" group needs CAP_NET_ADMIN (GENL_MCAST_CAP_NET_ADMIN) */
#define TMNET_GENL_MCGRP_EVENTS	"events"

/*
 * Largest TMNET_A_MODEL_BLOB accepted.  A netlink attribute cannot carry the
 * 64 KiB TMNET_BLOB_MAX_SIZE anyway (its length is 16 bits); 32 KiB is four
 * times the largest blob the format can describe (system B, 8 features,
 * 32 hidden units).
 */
#define TMNET_GENL_BLOB_MAX	32768

enum tmnet_cmd {
	TMNET_CMD_UNSPEC,
	TMNET_CMD_DEV_GET,	/* do + dump: device, state, configuration */
	TMNET_CMD_MODEL_LOAD,	/* admin: validate and swap in a blob */
	TMNET_CMD_MODEL_GET,	/* header of the running model */
	TMNET_CMD_START,	/* admin: start ticking (idempotent) */
	TMNET_CMD_STOP,		/* admin: stop ticking (idempotent) */
	TMNET_CMD_CONFIG_SET,	/* admin: change TMNET_A_CONFIG fields */
	TMNET_CMD_STATS_GET,	/* counters and per-stage latency percentiles */
	TMNET_CMD_STATS_RESET,	/* admin: clear counters and histograms */
	TMNET_CMD_MODEL_UNLOAD,	/* admin: back to the built-in prior */
	TMNET_CMD_EVENT,	/* notification on the "events" group */
	TMNET_CMD_INPUT_ATTACH,	/* admin: live source from an input device */
	TMNET_CMD_INPUT_DETACH,	/* admin: let go of the input device */

	__TMNET_CMD_MAX,
	TMNET_CMD_MAX = (__TMNET_CMD_MAX - 1)
};

/* Top-level attributes */
enum {
	TMNET_A_UNSPEC,
	TMNET_A_PAD,
	TMNET_A_DEV_INDEX,	/* u32 */
	TMNET_A_DEV_NAME,	/* string, e.g. "tmnet0" */
	TMNET_A_RUNNING,	/* u8, 0 or 1 */
	TMNET_A_MODEL_GEN,	/* u32, 0 = built-in prior at module load */
	TMNET_A_MODEL_BLOB,	/* binary, <= TMNET_GENL_BLOB_MAX bytes */
	TMNET_A_MODEL,		/* nest, TMNET_A_MODEL_* */
	TMNET_A_CONFIG,		/* nest, TMNET_A_CFG_* */
	TMNET_A_STATS,		/* nest, TMNET_A_STATS_* */
	TMNET_A_EVENT,		/* u32, enum tmnet_event */
	TMNET_A_EVENT_VALUE,	/* u64, meaning depends on the event */
	TMNET_A_MESSAGE,	/* string, human-readable detail */
	TMNET_A_INPUT_SELECTOR,	/* string, < TMNET_GENL_INPUT_SEL_MAX: input
				 * device name, phys, inputN or /dev/input/eventN */
	TMNET_A_INPUT,		/* nest, TMNET_A_INPUT_* */

	__TMNET_A_MAX,
	TMNET_A_MAX = (__TMNET_A_MAX - 1)
};

/* TMNET_A_MODEL: the running model's header */
enum {
	TMNET_A_MODEL_UNSPEC,
	TMNET_A_MODEL_PAD,
	TMNET_A_MODEL_GENERATION,	/* u32 */
	TMNET_A_MODEL_NAME,		/* string */
	TMNET_A_MODEL_SYSTEM,		/* u32, enum tmnet_system */
	TMNET_A_MODEL_BUILTIN,		/* u8, 1 = built-in prior, no blob */
	TMNET_A_MODEL_FEATURES,		/* u32 */
	TMNET_A_MODEL_HIDDEN,		/* u32 */
	TMNET_A_MODEL_RATE_HZ,		/* u32 */
	TMNET_A_MODEL_WINDOW_TICKS,	/* u32 */
	TMNET_A_MODEL_HORIZON_TICKS,	/* u32 */
	TMNET_A_MODEL_CRC32,		/* u32, 0 for the built-in prior */
	TMNET_A_MODEL_EPS,		/* u32, Q16, the model's gate default */
	TMNET_A_MODEL_BUDGET,		/* u32 */
	TMNET_A_MODEL_CHI2,		/* u32, Q16 */
	TMNET_A_MODEL_LOAD_TIME,	/* u64, CLOCK_REALTIME ns (see below) */
	TMNET_A_MODEL_LOADS,		/* u64, successful loads so far */
	TMNET_A_MODEL_LOAD_ERRORS,	/* u64, rejected loads so far */

	__TMNET_A_MODEL_MAX,
	TMNET_A_MODEL_MAX = (__TMNET_A_MODEL_MAX - 1)
};
/*
 * TMNET_A_MODEL_LOAD_TIME is exact for loads through this family; for a
 * generation installed another way (module parameter, debugfs) it is the
 * time the control plane first saw that generation.
 */

/* TMNET_A_CONFIG: requested (CONFIG_SET) or effective (DEV_GET) settings */
enum {
	TMNET_A_CFG_UNSPEC,
	TMNET_A_CFG_MODE,	/* u32, enum tmnet_system */
	TMNET_A_CFG_RATE_HZ,	/* u32, TMNET_MIN_RATE_HZ .. TMNET_MAX_RATE_HZ */
	TMNET_A_CFG_EPS,	/* u32, Q16, 1 .. 65536 */
	TMNET_A_CFG_BUDGET,	/* u32, 1 .. TMNET_GATE_BUDGET_MAX */
	TMNET_A_CFG_CHI2,	/* u32, Q16, 1 .. TMNET_GATE_CHI2_MAX */
	TMNET_A_CFG_SOURCE,	/* u32, enum tmnet_source */
	TMNET_A_CFG_CPU,	/* s32, -1 = any */
	TMNET_A_CFG_PINNED,	/* u32, TMNET_CFG_FIELD_*: set, not from the model */
	TMNET_A_CFG_UNPIN,	/* u32, TMNET_CFG_FIELD_*: follow the model again */

	__TMNET_A_CFG_MAX,
	TMNET_A_CFG_MAX = (__TMNET_A_CFG_MAX - 1)
};

/* Bits of TMNET_A_CFG_PINNED / TMNET_A_CFG_UNPIN */
enum tmnet_cfg_field {
	TMNET_CFG_FIELD_MODE = 1,
	TMNET_CFG_FIELD_RATE = 2,
	TMNET_CFG_FIELD_EPS = 4,
	TMNET_CFG_FIELD_BUDGET = 8,
	TMNET_CFG_FIELD_CHI2 = 16,
	TMNET_CFG_FIELD_SOURCE = 32,
	TMNET_CFG_FIELD_CPU = 64,
};

/*
 * TMNET_A_INPUT: the input device a tmnet device is attached to (DEV_GET,
 * INPUT_ATTACH reply).  Counters are u64 and cover every attachment since
 * module load.
 */
#define TMNET_GENL_INPUT_SEL_MAX	128	/* bytes with the NUL */

enum {
	TMNET_A_INPUT_UNSPEC,
	TMNET_A_INPUT_PAD,
	TMNET_A_INPUT_ATTACHED,		/* u8, 0 or 1 */
	TMNET_A_INPUT_NAME,		/* string: the attached (or last) device */
	TMNET_A_INPUT_PHYS,		/* string, when the device has one */
	TMNET_A_INPUT_RELATIVE,		/* u8, 1: a mouse (positions integrated) */
	TMNET_A_INPUT_ATTACHES,
	TMNET_A_INPUT_DETACHES,		/* on request and unplugs */
	TMNET_A_INPUT_UNPLUGS,		/* the input device went away */
	TMNET_A_INPUT_EVENTS,		/* input events seen */
	TMNET_A_INPUT_FRAMES,		/* SYN_REPORTs seen */
	TMNET_A_INPUT_SAMPLES,		/* samples queued */
	TMNET_A_INPUT_SEGMENTS,		/* samples that started a segment */

	__TMNET_A_INPUT_MAX,
	TMNET_A_INPUT_MAX = (__TMNET_A_INPUT_MAX - 1)
};

/* TMNET_A_STATS: the counters of debugfs "stats", u64 unless noted */
enum {
	TMNET_A_STATS_UNSPEC,
	TMNET_A_STATS_PAD,
	TMNET_A_STATS_MODE,		/* u32, effective enum tmnet_system */
	TMNET_A_STATS_SOURCE,		/* u32, enum tmnet_source */
	TMNET_A_STATS_RATE_HZ,		/* u32 */
	TMNET_A_STATS_CPU,		/* s32 */
	TMNET_A_STATS_TICKS,
	TMNET_A_STATS_OVERRUNS,
	TMNET_A_STATS_SAMPLES_IN,
	TMNET_A_STATS_SAMPLES_REJECTED,
	TMNET_A_STATS_SAMPLES_INGESTED,
	TMNET_A_STATS_DROPPED,
	TMNET_A_STATS_MISSING,
	TMNET_A_STATS_NO_SAMPLE,
	TMNET_A_STATS_GATE_PASS,
	TMNET_A_STATS_GATE_FAIL_CHI2,
	TMNET_A_STATS_GATE_FAIL_BUDGET,
	TMNET_A_STATS_GATE_FAIL_CERT,
	TMNET_A_STATS_GATE_FAIL_NO_MODEL,
	TMNET_A_STATS_GATE_FAIL_STALE,
	TMNET_A_STATS_GATE_FAIL_SATURATION,
	TMNET_A_STATS_FALLBACKS,
	TMNET_A_STATS_CERT_N,
	TMNET_A_STATS_CERT_MEAN,	/* Q16 */
	TMNET_A_STATS_CERT_MAX,		/* u32, Q16 */
	TMNET_A_STATS_SAT_INPUT,
	TMNET_A_STATS_SAT_ACT,
	TMNET_A_STATS_SAT_OUT,
	TMNET_A_STATS_OUT_RECORDS,
	TMNET_A_STATS_OUT_OVERFLOW,
	TMNET_A_STATS_OUT_READ,
	TMNET_A_STATS_IN_QUEUED,	/* u32 */
	TMNET_A_STATS_OUT_QUEUED,	/* u32 */
	TMNET_A_STATS_MODEL_LOADS,
	TMNET_A_STATS_MODEL_LOAD_ERRORS,
	TMNET_A_STATS_STAGE,		/* nest, multi: TMNET_A_STAGE_* */
	TMNET_A_STATS_UNPINNED,		/* the pinned CPU went offline, timer moved */
	TMNET_A_STATS_OFFCPU_TICKS,	/* ticks run off the pinned CPU */
	TMNET_A_STATS_BLEND,		/* passes published as the monitor's blend */
	TMNET_A_STATS_BLEND_W_MEAN,	/* Q16: the prior's mean weight w in them */
	TMNET_A_STATS_MON_RESOLVED,	/* monitored predictions resolved */
	TMNET_A_STATS_MON_DROPPED,	/* ... dropped (no sample, segment, model) */

	__TMNET_A_STATS_MAX,
	TMNET_A_STATS_MAX = (__TMNET_A_STATS_MAX - 1)
};

/* TMNET_A_STATS_STAGE: one tick stage's latency, ns */
enum {
	TMNET_A_STAGE_UNSPEC,
	TMNET_A_STAGE_PAD,
	TMNET_A_STAGE_ID,	/* u32, enum tmnet_stage */
	TMNET_A_STAGE_NAME,	/* string */
	TMNET_A_STAGE_COUNT,
	TMNET_A_STAGE_MEAN_NS,
	TMNET_A_STAGE_P50_NS,
	TMNET_A_STAGE_P90_NS,
	TMNET_A_STAGE_P99_NS,
	TMNET_A_STAGE_P999_NS,
	TMNET_A_STAGE_MAX_NS,

	__TMNET_A_STAGE_MAX,
	TMNET_A_STAGE_MAX = (__TMNET_A_STAGE_MAX - 1)
};

/* TMNET_A_EVENT of a TMNET_CMD_EVENT notification */
enum tmnet_event {
	TMNET_EVENT_MODEL_LOADED = 1,	/* TMNET_A_MODEL_GEN: the new one */
	TMNET_EVENT_MODEL_REJECTED,	/* TMNET_A_MESSAGE: why */
	TMNET_EVENT_STARTED,
	TMNET_EVENT_STOPPED,
	TMNET_EVENT_GATE_FAIL_RATE,	/* EVENT_VALUE: fail rate, per mille */
	TMNET_EVENT_OVERRUN,		/* EVENT_VALUE: periods missed since the last */
	TMNET_EVENT_UNPINNED,		/* EVENT_VALUE: timer moves off the pinned CPU */
	TMNET_EVENT_INPUT_ATTACHED,	/* TMNET_A_MESSAGE: the input device */
	TMNET_EVENT_INPUT_DETACHED,	/* EVENT_VALUE: 1 unplugged, 0 on request;
					 * TMNET_A_MESSAGE: the input device */
};

#endif /* _UAPI_LINUX_TMNET_GENL_H */
