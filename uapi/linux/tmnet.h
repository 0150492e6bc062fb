/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tmnet: a 2 kHz trajectory predictor - formats shared by the kernel module,
 * the freestanding core and the userspace tools.
 *
 * This header is the single source of truth for every format and constant
 * that crosses the kernel/userspace boundary or is stored on disk.
 *
 * All multi-byte fields are little-endian, fixed width and naturally aligned;
 * every structure has explicit padding and its size is checked by static
 * assertions in both the kernel and the userspace builds (see core/tm_types.h).
 *
 * Fixed-point conventions:
 *   Q16.16  s32, value = raw / 65536          (positions, velocities on the wire)
 *   Q32.32  s64, value = raw / 2^32           (Kalman parameters in the blob)
 *   Q16     u32, value = raw / 65536          (gate thresholds, certificates)
 */
#ifndef _UAPI_LINUX_TMNET_H
#define _UAPI_LINUX_TMNET_H

#ifdef __KERNEL__
#include <linux/types.h>
#elif defined(TM_FREESTANDING_TYPES)
/* the core supplies __u8 .. __s64 itself (core/tm_types.h) */
#else
#include <linux/types.h>
#endif

/* ------------------------------------------------------------------ */
/* Global constants                                                    */
/* ------------------------------------------------------------------ */

#define TMNET_DEFAULT_RATE_HZ		2000
#define TMNET_MIN_RATE_HZ		100
#define TMNET_MAX_RATE_HZ		10000
#define TMNET_DEFAULT_WINDOW_TICKS	256	/* 128 ms at 2 kHz */
#define TMNET_DEFAULT_HORIZON_TICKS	1000	/* 500 ms at 2 kHz */
#define TMNET_MAX_HORIZON_TICKS		100000
#define TMNET_MAX_FEATURES		8
#define TMNET_MAX_HIDDEN		32
#define TMNET_N_OUT			2
#define TMNET_FEATURES_A		4	/* dx, dy, vx, vy */
#define TMNET_FEATURES_B		6	/* + prior horizon displacement */

/* Gate defaults (Q16 unless stated) */
#define TMNET_GATE_EPS_DEFAULT		1311	/* 0.02 */
#define TMNET_GATE_BUDGET_DEFAULT	200000	/* multiply-adds (the exact 2x2 solve needs 11) */
#define TMNET_GATE_BUDGET_MAX		100000000
#define TMNET_GATE_CHI2_DEFAULT		603587	/* 9.21 = chi2(2) at 99 % */
#define TMNET_GATE_CHI2_MAX		65536000	/* 1000 */

/* Systems / run modes */
enum tmnet_system {
	TMNET_SYS_PRIOR = 0,	/* Kalman prior only */
	TMNET_SYS_A = 1,	/* GRU predicts the horizon position */
	TMNET_SYS_B = 2,	/* prior + GRU residual + gate */
	__TMNET_SYS_MAX,
};

/* Source modes of the data plane */
enum tmnet_source {
	TMNET_SRC_REPLAY = 0,	/* one queued sample consumed per tick */
	TMNET_SRC_LIVE = 1,	/* the newest sample wins */
	__TMNET_SRC_MAX,
};

/* ------------------------------------------------------------------ */
/* Sample record: what enters /dev/tmnetN (write) and tmnet_submit()   */
/* ------------------------------------------------------------------ */

#define TMNET_SAMPLE_VALID	(1U << 0)	/* position/velocity are measured */
/*
 * First sample of a segment (a recording, or a stretch after a gap): the
 * core resets its streaming state (Kalman filter, hidden state, last
 * position) before ingesting it, so no state crosses a segment boundary.
 */
#define TMNET_SAMPLE_SEG_START	(1U << 1)
#define TMNET_SAMPLE_FLAGS_ALL	(TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START)

struct tmnet_sample {
	__u64 t_ns;		/* sensor timestamp, ns (informative) */
	__s32 x;		/* Q16.16 data units */
	__s32 y;
	__s32 vx;		/* Q16.16 data units per second */
	__s32 vy;
	__u32 flags;		/* TMNET_SAMPLE_* */
	__u32 seq;		/* sender's sequence number (informative) */
};

/* ------------------------------------------------------------------ */
/* Prediction record: what leaves /dev/tmnetN (read)                   */
/* ------------------------------------------------------------------ */

enum tmnet_verdict {
	TMNET_VERDICT_NONE = 0,		/* system A or prior-only: no gate ran */
	TMNET_VERDICT_PASS = 1,		/* network correction accepted */
	TMNET_VERDICT_FALLBACK = 2,	/* prior published instead */
	TMNET_VERDICT_BLEND = 3,	/* TMNET_FUSE_MONITOR, the chi2 test passed:
					 * pred = prior + (1 - w) (net - prior),
					 * w in [0, 1] from the resolved errors */
};

enum tmnet_reason {
	TMNET_REASON_OK = 0,
	TMNET_REASON_CHI2 = 1,		/* d^2 (exact, rounded up) above threshold */
	TMNET_REASON_BUDGET = 2,	/* budget below the solve's fixed cost */
	TMNET_REASON_CERT = 3,		/* S not positive definite: no d^2 */
	TMNET_REASON_NO_MODEL = 4,	/* no network loaded */
	TMNET_REASON_STALE = 5,		/* input missing for too long */
	TMNET_REASON_SATURATION = 6,	/* network saturated this tick */
	__TMNET_REASON_MAX,
};

enum tmnet_stage {
	TMNET_STAGE_LATENESS = 0,	/* hrtimer expiry -> callback start */
	TMNET_STAGE_PRIOR = 1,		/* ingest + Kalman */
	TMNET_STAGE_NET = 2,		/* GRU step + head */
	TMNET_STAGE_GATE = 3,		/* chi2 gate */
	TMNET_STAGE_PUBLISH = 4,	/* record into the output ring */
	TMNET_STAGE_TOTAL = 5,		/* callback start -> publish done */
	__TMNET_STAGE_MAX,
};
#define TMNET_N_STAGES	__TMNET_STAGE_MAX

#define TMNET_PRED_F_SAMPLE	(1U << 0)	/* a valid sample was ingested */
#define TMNET_PRED_F_PRIOR_INIT	(1U << 1)	/* the Kalman filter is initialised */
#define TMNET_PRED_F_NET	(1U << 2)	/* net_x/net_y are meaningful */
#define TMNET_PRED_F_SAT	(1U << 3)	/* the network saturated this tick */
#define TMNET_PRED_F_OVERRUN	(1U << 4)	/* ticks were missed before this one */

#define TMNET_CERT_NONE		0xffffffffU	/* no certificate computed */

struct tmnet_pred {
	__u64 t_ns;		/* tick time (CLOCK_MONOTONIC ns); 0 in userspace eval */
	__u64 tick;		/* tick number since start */
	__s32 prior_x;		/* Q16.16: Kalman prior at the horizon */
	__s32 prior_y;
	__s32 net_x;		/* Q16.16: network's horizon position */
	__s32 net_y;
	__s32 pred_x;		/* Q16.16: published prediction */
	__s32 pred_y;
	__u8 system;		/* enum tmnet_system that ran */
	__u8 verdict;		/* enum tmnet_verdict */
	__u8 reason;		/* enum tmnet_reason */
	__u8 flags;		/* TMNET_PRED_F_* */
	__u32 cert_q16;		/* relative error of the solve, Q16: 0 (exact) */
	__u32 d2_q16;		/* ceil(2^16 r' S^-1 r), exact (saturating) */
	__u32 gate_macs;	/* multiply-adds spent by the gate solve */
	__u32 model_gen;	/* generation of the model that ran */
	__u32 sample_seq;	/* seq of the last ingested sample */
	__u32 stage_ns[TMNET_N_STAGES]; /* 0 in userspace eval */
};

/* ------------------------------------------------------------------ */
/* Model blob (.tmn)                                                   */
/* ------------------------------------------------------------------ */

#define TMNET_BLOB_MAGIC	0x4e4d5454U	/* "TTMN" as little-endian bytes */
#define TMNET_BLOB_VERSION	1	/* the header alone */
#define TMNET_BLOB_VERSION_UNITS 2	/* header + struct tmnet_blob_units */
#define TMNET_BLOB_VERSION_EXT	3	/* header + units + struct tmnet_blob_ext */
#define TMNET_BLOB_MAX_SIZE	(64U * 1024U)
#define TMNET_BLOB_MAX_TENSORS	16
#define TMNET_NAME_LEN		32

/*
 * GRU tensors.  Gate order follows PyTorch: rows [0,H) are r, [H,2H) z and
 * [2H,3H) n.  Weights are int8 with one scale per output row, folded into a
 * requantisation multiplier/shift pair (struct tmnet_rq) that maps the int32
 * accumulator to the Q12 pre-activation domain (head: to Q16 output units).
 */
enum tmnet_tensor_id {
	TMNET_T_W_IH = 1,	/* s8  [3H][F] */
	TMNET_T_W_HH = 2,	/* s8  [3H][H] */
	TMNET_T_B_IH = 3,	/* s32 [3H]    Q12 */
	TMNET_T_B_HH = 4,	/* s32 [3H]    Q12 */
	TMNET_T_RQ_IH = 5,	/* rq  [3H] */
	TMNET_T_RQ_HH = 6,	/* rq  [3H] */
	TMNET_T_W_OUT = 7,	/* s8  [2][H] */
	TMNET_T_B_OUT = 8,	/* s32 [2]     Q16 normalised output units */
	TMNET_T_RQ_OUT = 9,	/* rq  [2] */
	__TMNET_T_MAX,
};

enum tmnet_dtype {
	TMNET_DT_S8 = 1,
	TMNET_DT_S32 = 2,
	TMNET_DT_RQ = 3,	/* struct tmnet_rq */
};

/* y = round(acc * mult / 2^(31 + shift)); mult in [2^30, 2^31) or 0 */
struct tmnet_rq {
	__s32 mult;
	__s32 shift;		/* -31 .. 62 */
};

#define TMNET_RQ_SHIFT_MIN	(-30)	/* total right shift 31 + shift: 1..62 */
#define TMNET_RQ_SHIFT_MAX	31

struct tmnet_tensor_desc {
	__u32 id;		/* enum tmnet_tensor_id */
	__u32 dtype;		/* enum tmnet_dtype */
	__u32 rows;
	__u32 cols;		/* 1 for vectors */
	__u32 offset;		/* from the start of the blob, 8-byte aligned */
	__u32 nbytes;
};

/*
 * Input normalisation.  Feature f (Q16.16, see core/tm_features) becomes
 * q = sat8(round((f - mean) * inv_std / 2^16 * 2^in_frac)).
 * The head's Q16 outputs are scaled by out_scale (Q16.16 data units per
 * normalised unit) into a displacement in data units.
 */
struct tmnet_norm {
	__s32 mean[TMNET_MAX_FEATURES];		/* Q16.16 feature units */
	__s32 inv_std[TMNET_MAX_FEATURES];	/* Q16.16, > 0 */
	__s32 out_scale[TMNET_N_OUT];		/* Q16.16, > 0 */
	__u32 in_frac;				/* 0 .. 7 */
	__u32 _pad;
};

/*
 * Constant-velocity Kalman prior, per axis state (p, v).  White-noise
 * acceleration with spectral density qa (2x2, symmetric, PSD), position
 * measurement noise r (diagonal).  All Q32.32.
 *
 * Range: the core stores the covariance scaled by 2^cs, cs = 40 minus the
 * bit length of min(r_x, r_y) in Q32.32 (0..24), for precision.  So every
 * variance (r, p0_pos, p0_vel, and the running covariance) must stay below
 * 2^(29 - cs) in data units; roughly p0_vel < 2^20 r.  The validator
 * rejects a blob that breaks this for r and p0; a running filter whose
 * covariance outgrows it (a very long dropout) restarts at the next sample.
 */
struct tmnet_kalman {
	__s64 qa_xx;		/* data units^2 / s^3 */
	__s64 qa_xy;
	__s64 qa_yy;
	__s64 r_x;		/* data units^2 */
	__s64 r_y;
	__s64 p0_pos;		/* initial position variance, units^2 */
	__s64 p0_vel;		/* initial velocity variance, units^2/s^2 */
	__u32 stale_ticks;	/* missing ticks before the gate says "stale" */
	__u32 _pad;
};

/*
 * Gate: S = cov_scale * P_h(position block) + floor; pass iff S is positive
 * definite and d^2 = r' S^-1 r, computed exactly in closed form (core/
 * tm_gate.c: a fixed 11 multiply-adds), is <= chi2.  The certificate of that
 * solve is 0, so eps (kept for the ABI) accepts every solve; a budget below
 * the fixed cost falls back with reason budget.
 */
struct tmnet_gate {
	__u32 eps_q16;
	__u32 budget;		/* multiply-adds */
	__u32 chi2_q16;
	__u32 cov_scale_q16;	/* > 0 */
	__s64 floor_xx;		/* Q32.32 data units^2 */
	__s64 floor_xy;
	__s64 floor_yy;
	__u32 sat_limit;	/* saturation events per tick that force fallback */
	__u32 _pad;
};

struct tmnet_blob_hdr {
	__u32 magic;		/* TMNET_BLOB_MAGIC */
	__u16 version;		/* TMNET_BLOB_VERSION */
	__u16 hdr_size;		/* sizeof(struct tmnet_blob_hdr) */
	__u32 total_size;	/* whole blob, bytes */
	__u32 crc32;		/* CRC-32/IEEE of the blob with this field zero */
	__u8 system;		/* enum tmnet_system */
	__u8 n_features;	/* TMNET_FEATURES_A or _B (0 for prior) */
	__u8 hidden;		/* 1 .. TMNET_MAX_HIDDEN (0 for prior) */
	__u8 n_out;		/* TMNET_N_OUT (0 for prior) */
	__u32 rate_hz;
	__u32 window_ticks;	/* training history length */
	__u32 horizon_ticks;
	__u32 n_tensors;
	__u32 tensor_off;	/* offset of the tensor_desc table */
	char name[TMNET_NAME_LEN]; /* NUL-terminated */
	struct tmnet_norm norm;
	struct tmnet_kalman kalman;
	struct tmnet_gate gate;
};

/*
 * Recording units (version 2 only): the data the model was trained on was
 * imported as data = (recording - offset) * scale, per axis, so that tools
 * can report positions and errors in the recording's own units
 * (recording = data / scale + offset).  Version 2 puts this struct right
 * after the header (hdr_size = sizeof header + sizeof this) and the tensor
 * table after it; a version 1 blob has scale 1 and offset 0.  The values
 * are IEEE-754 binary64 bit patterns: the core never computes with them,
 * it only checks that scale is finite and > 0 and offset finite.
 */
struct tmnet_blob_units {
	__u64 scale_f64[2];	/* data units per recording unit, x and y */
	__u64 offset_f64[2];	/* recording units, x and y */
};

/*
 * Prior and fusion (version 3 only): struct tmnet_blob_ext follows the
 * units (a version 3 blob always carries both; units may be scale 1,
 * offset 0).  A version 1 or 2 blob behaves as prior_kind CV, fuse_kind
 * GATE, hcov_scale 1: exactly the behaviour before version 3.
 */
/*
 * The prior kind sets how the filtered state (x, v) and its covariance P
 * are propagated to the horizon T; the per-tick filter is the same
 * constant-velocity (white-noise acceleration) filter for both.  With
 * phi = T (CV) or tau (1 - e^(-T/tau)) (DV), per axis pair (i, j):
 *   mean  x_i + phi v_i
 *   cov   P_xixj + phi (P_xivj + P_xjvi) + phi^2 P_vivj + qa_ij K(T),
 *         K = T^3 / 3 (CV), tau^3 (u - 2 (1 - e^-u) + (1 - e^-2u) / 2),
 *         u = T / tau (DV: the Ornstein-Uhlenbeck velocity's position
 *         variance), all times hcov_scale.
 * See core/tm_kalman.c and docs/architecture.md.
 */
enum tmnet_prior_kind {
	TMNET_PRIOR_CV = 0,	/* constant velocity: x + v T */
	TMNET_PRIOR_DV = 1,	/* damped velocity (Ornstein-Uhlenbeck, time
				 * constant tau): x + v tau (1 - e^(-T/tau)) */
	__TMNET_PRIOR_MAX,
};

enum tmnet_fuse_kind {
	TMNET_FUSE_GATE = 0,	/* chi2 gate: publish the network or the prior */
	TMNET_FUSE_MONITOR = 1,	/* chi2 gate, then a blend of prior and network
				 * weighted by their resolved errors */
	__TMNET_FUSE_MAX,
};

#define TMNET_TAU_MIN_Q32	((__s64)1 << 25)	/* 1/128 s */
#define TMNET_TAU_MAX_Q32	((__s64)1000 << 32)	/* 1000 s */
#define TMNET_HCOV_SCALE_MAX_Q16	(1000U << 16)	/* hcov_scale <= 1000 */
#define TMNET_MON_SHIFT_MAX	16
#define TMNET_MON_SLOTS		64	/* monitored predictions in flight */

struct tmnet_blob_ext {
	__u32 prior_kind;	/* enum tmnet_prior_kind */
	__u32 fuse_kind;	/* enum tmnet_fuse_kind */
	__s64 tau_q32;		/* DV: velocity time constant, s, Q32.32, in
				 * [TMNET_TAU_MIN_Q32, TMNET_TAU_MAX_Q32]; 0 for CV */
	__u32 hcov_scale_q16;	/* calibration of the prior's horizon covariance
				 * (its NEES), Q16, 1 .. TMNET_HCOV_SCALE_MAX_Q16;
				 * 65536 = none */
	__u32 mon_shift;	/* MONITOR: EWMA weight 2^-mon_shift per resolved
				 * prediction, 1..TMNET_MON_SHIFT_MAX; 0 for GATE */
	__u32 mon_stride;	/* MONITOR: ticks between monitored predictions,
				 * >= 1 and stride * (TMNET_MON_SLOTS - 1) >=
				 * horizon_ticks; 0 for GATE */
	__u32 _pad;
	__u64 reserved[4];	/* zero, except for MONITOR: reserved[0..2]
				 * (TMNET_MON_INIT_*) */
};

/*
 * MONITOR: the monitor's EWMAs start from these (tmnet quantize fits them
 * on the float network's errors over the validation split), each an __s64 in Q32.32 data
 * units^2 stored in reserved[]: E[e_p.e_p] >= 0, E[e_n.e_n] >= 0 and
 * E[e_p.e_n] with (E[e_p.e_n])^2 <= E[e_p.e_p] E[e_n.e_n], all below
 * 2^63.  All zero: the prior is published until the first resolve.
 */
#define TMNET_MON_INIT_PP	0
#define TMNET_MON_INIT_NN	1
#define TMNET_MON_INIT_PN	2

/* Validator error codes (the core also gives a message for each) */
enum tmnet_blob_err {
	TMNET_BLOB_OK = 0,
	TMNET_BLOB_E_SHORT,	/* shorter than the header */
	TMNET_BLOB_E_MAGIC,
	TMNET_BLOB_E_VERSION,
	TMNET_BLOB_E_HDR_SIZE,
	TMNET_BLOB_E_SIZE,	/* total_size disagrees with the buffer */
	TMNET_BLOB_E_CRC,
	TMNET_BLOB_E_SYSTEM,
	TMNET_BLOB_E_SHAPE,	/* features/hidden/n_out */
	TMNET_BLOB_E_RATE,
	TMNET_BLOB_E_HORIZON,
	TMNET_BLOB_E_NAME,
	TMNET_BLOB_E_NORM,
	TMNET_BLOB_E_KALMAN,
	TMNET_BLOB_E_GATE,
	TMNET_BLOB_E_TABLE,	/* tensor table out of bounds */
	TMNET_BLOB_E_TENSOR,	/* unknown, duplicate or misplaced tensor */
	TMNET_BLOB_E_TENSOR_SHAPE,
	TMNET_BLOB_E_TENSOR_MISSING,
	TMNET_BLOB_E_RQ,	/* requantisation parameter out of range */
	TMNET_BLOB_E_BIAS,	/* bias out of range */
	TMNET_BLOB_E_RESERVED,	/* padding not zero */
	TMNET_BLOB_E_UNITS,	/* recording units not finite or scale <= 0 */
	TMNET_BLOB_E_EXT,	/* prior/fusion extension out of range */
	__TMNET_BLOB_E_MAX,
};

#endif /* _UAPI_LINUX_TMNET_H */
