/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet core: the maths of one predictor tick, shared bit for bit by the
 * kernel module and the userspace tools.
 *
 * Freestanding C: no floating point, no libc, no kernel API, no allocation.
 * The caller owns every object; nothing here sleeps or blocks.
 *
 * Number formats (see uapi/linux/tmnet.h for the wire formats):
 *   Kalman state and covariance: Q32.32 in s64 (data units, units/s).
 *   GRU pre-activations: Q12 in s32.  Hidden state: Q15 in s16.
 *   Features and network outputs: Q16.16 in s32.
 */
#ifndef TM_CORE_H
#define TM_CORE_H

#include "tm_types.h"
#include "../uapi/linux/tmnet.h"

/* ------------------------------------------------------------------ */
/* Fixed-point helpers                                                 */
/* ------------------------------------------------------------------ */

#define TM_Q32_ONE	((__s64)1 << 32)
#define TM_Q16_ONE	(1 << 16)
#define TM_Q15_ONE	(1 << 15)
#define TM_PRE_FRAC	12		/* pre-activation fraction bits */

void tm_memzero(void *p, __u32 n);
/* round-to-nearest (ties away from zero) v / 2^sh of a 128-bit value, saturating */
static inline __s64 tm_sat_shr128(tm_s128 v, unsigned int sh)
{
	const tm_s128 max = (tm_s128)0x7fffffffffffffffLL;
	tm_s128 r;

	if (sh >= 127)
		return 0;
	r = v;
	if (sh) {
		tm_s128 half = (tm_s128)1 << (sh - 1);

		r = v >= 0 ? (v + half) >> sh : -((-v + half) >> sh);
	}
	if (r > max)
		return (__s64)max;
	if (r < -max - 1)
		return (__s64)(-max - 1);
	return (__s64)r;
}

/* (a * b) >> 32 with round-to-nearest (ties away from zero), saturating */
static inline __s64 tm_mul_q32(__s64 a, __s64 b)
{
	return tm_sat_shr128((tm_s128)a * b, 32);
}

/*
 * a + b and a - b, saturating to s64 (never a signed overflow).  The
 * overflow builtins (what the kernel's check_add_overflow() uses) cost an
 * add and a branch; on overflow the sign of a tells the direction.
 */
static inline __s64 tm_sat_add64(__s64 a, __s64 b)
{
	__s64 r;

	if (__builtin_add_overflow(a, b, &r))
		r = a < 0 ? -0x7fffffffffffffffLL - 1 : 0x7fffffffffffffffLL;
	return r;
}

static inline __s64 tm_sat_sub64(__s64 a, __s64 b)
{
	__s64 r;

	if (__builtin_sub_overflow(a, b, &r))
		r = a < 0 ? -0x7fffffffffffffffLL - 1 : 0x7fffffffffffffffLL;
	return r;
}

/* a + b + c, saturating to s64 */
static inline __s64 tm_sat_add3_64(__s64 a, __s64 b, __s64 c)
{
	return tm_sat_shr128((tm_s128)a + b + c, 0);
}

/* number of significant bits of v (0 for 0): constant time, no loop */
static inline unsigned int tm_bitlen64(__u64 v)
{
	return v ? 64U - (unsigned int)__builtin_clzll(v) : 0U;
}

static inline unsigned int tm_bitlen128(tm_u128 v)
{
	__u64 hi = (__u64)(v >> 64);

	return hi ? 64U + tm_bitlen64(hi) : tm_bitlen64((__u64)v);
}
/* floor(sqrt(v)) and ceil(sqrt(v)) for unsigned 128-bit arguments < 2^126 */
__u64 tm_isqrt_floor(tm_u128 v);
__u64 tm_isqrt_ceil(tm_u128 v);
/* unsigned 128 / 64 division (slow, build-time only) */
tm_u128 tm_udiv128(tm_u128 n, __u64 d);
/* e^-u in Q62 for u >= 0 given in Q44; error < 2^-54 (load time only) */
__u64 tm_exp_neg_q62(__u64 u_q44);
/*
 * floor((2^127 - 1) / d) for d in [2^63, 2^64): a 64-bit reciprocal that is
 * never above the exact one.  Constant time (Knuth's algorithm D with
 * 32-bit digits: two 64-bit divisions, at most two corrections each).
 */
__u64 tm_recip127(__u64 d);
/* floor(x inv / 2^sh) for sh in [64, 126], saturating at 2^63 - 1 */
static inline __s64 tm_mulhi_shr(tm_u128 x, __u64 inv, unsigned int sh)
{
	tm_u128 lo = (tm_u128)(__u64)x * inv;
	tm_u128 hi = (tm_u128)(__u64)(x >> 64) * inv;
	tm_u128 mid = (lo >> 64) + (__u64)hi;
	__u64 top = (__u64)(hi >> 64) + (__u64)(mid >> 64);
	tm_u128 r = (((tm_u128)top << 64) | (__u64)mid) >> (sh - 64);

	return r > 0x7fffffffffffffffULL ? 0x7fffffffffffffffLL : (__s64)r;
}

static inline __s32 tm_sat_s32(__s64 v)
{
	if (v > 0x7fffffff)
		return 0x7fffffff;
	if (v < -0x7fffffff - 1)
		return -0x7fffffff - 1;
	return (__s32)v;
}

/*
 * Requantise: round(acc * mult / 2^(31 + shift)), ties towards +infinity
 * (add half, arithmetic shift), saturating to s32.  |acc| < 2^31 and
 * 0 <= mult < 2^31, so the product fits in 64 bits; the validator keeps
 * shift in [TMNET_RQ_SHIFT_MIN, TMNET_RQ_SHIFT_MAX], a total shift 1..62.
 */
static inline __s32 tm_requant(__s32 acc, __s32 mult, __s32 shift)
{
	unsigned int sh = (unsigned int)(31 + shift);

	return tm_sat_s32(((__s64)acc * mult + ((__s64)1 << (sh - 1))) >> sh);
}

/* CRC-32/IEEE (reflected 0xEDB88320, init and xorout 0xffffffff) */
__u32 tm_crc32(__u32 crc, const void *buf, __u32 len);

/* ------------------------------------------------------------------ */
/* Lookup-table activations                                            */
/* ------------------------------------------------------------------ */

/*
 * Input Q12 (clamped to [-8, 8)), output Q15.  Linear interpolation over
 * 513 knots spaced 1/32.  Maximum absolute error against the real
 * function, measured over every Q12 input by tests/test_core.c:
 * TM_LUT_SIGMOID_MAX_ERR_Q15 and TM_LUT_TANH_MAX_ERR_Q15 (in Q15 units).
 */
#define TM_LUT_SIGMOID_MAX_ERR_Q15	2	/* 6.1e-5 (measured 1.27 = 3.9e-5) */
#define TM_LUT_TANH_MAX_ERR_Q15		4	/* 1.2e-4 (measured 3.80 = 1.16e-4) */
#define TM_LUT_IN_MIN	(-(8 << TM_PRE_FRAC))
#define TM_LUT_IN_MAX	((8 << TM_PRE_FRAC) - 1)

/* *sat is incremented when x was clamped */
__s16 tm_sigmoid_q15(__s32 x_q12, __u32 *sat);
__s16 tm_tanh_q15(__s32 x_q12, __u32 *sat);

/* ------------------------------------------------------------------ */
/* Kalman prior                                                        */
/* ------------------------------------------------------------------ */

/*
 * State index: 0 px, 1 py, 2 vx, 3 vy.  The per-tick filter is the
 * constant-velocity one for every prior kind; the kind only sets the
 * horizon terms (hgain, qh_pp) and hcov (core/tm_kalman.c).
 */
struct tm_kf_params {
	__s64 dt;		/* Q32.32 seconds per tick */
	__s64 horizon_s;	/* Q32.32 seconds to the horizon, T */
	__s64 hgain;		/* Q32.32 seconds: horizon position per unit of
				 * velocity; T (CV), tau (1 - e^(-T/tau)) (DV) */
	__u32 cs;		/* covariance scale: P is stored * 2^cs */
	__u32 kind;		/* enum tmnet_prior_kind */
	__u32 hcov_q16;		/* horizon covariance calibration, Q16 (> 0) */
	__u32 _pad;
	__s64 q[4][4];		/* per-tick process noise, Q32.32 * 2^cs */
	__s64 qh_pp[2][2];	/* horizon process noise, position block, * 2^cs */
	__s64 r[2];		/* measurement variance, * 2^cs */
	__s64 p0_pos, p0_vel;	/* * 2^cs */
	__u32 stale_ticks;
	__u32 horizon_ticks;
};

struct tm_kf {
	__s64 x[4];		/* Q32.32 */
	__s64 p[4][4];		/* Q32.32 * 2^cs, kept exactly symmetric */
	__u32 init;		/* 1 once a valid sample arrived */
	__u32 missing;		/* ticks since the last valid sample */
};

/*
 * Derive per-tick and horizon terms from the blob's continuous parameters
 * (load time).  tm_kf_params_init() is the constant-velocity prior with
 * hcov 1; _ext() takes the prior kind, tau and hcov from ext (NULL: the
 * same as tm_kf_params_init).  Return 0, or -1 for parameters out of the
 * core's range.
 */
int tm_kf_params_init(struct tm_kf_params *kp, const struct tmnet_kalman *k,
		      __u32 rate_hz, __u32 horizon_ticks);
int tm_kf_params_init_ext(struct tm_kf_params *kp, const struct tmnet_kalman *k,
			  const struct tmnet_blob_ext *ext, __u32 rate_hz,
			  __u32 horizon_ticks);
void tm_kf_reset(struct tm_kf *kf);
/* One tick: predict, then update with (zx, zy) (Q32.32) when valid != 0 */
void tm_kf_step(struct tm_kf *kf, const struct tm_kf_params *kp,
		int valid, __s64 zx, __s64 zy, __s64 vx0, __s64 vy0);
/* Propagate to the horizon: position and its 2x2 covariance, Q32.32 units */
void tm_kf_horizon(const struct tm_kf *kf, const struct tm_kf_params *kp,
		   __s64 pos[2], __s64 cov[2][2]);

/* ------------------------------------------------------------------ */
/* Gate: exact chi-square test of a 2x2 system                         */
/* ------------------------------------------------------------------ */

/*
 * Cost of the exact 2x2 solve, in multiply-adds: one unit is one
 * multiplication of two integers of at most 64 bits (a 128-bit product) or
 * one 64-bit division.  det(S) takes 2, the adjugate form r' adj(S) r
 * takes 6, the division that yields d^2 takes 3 (the 64-bit estimate and
 * the 128 x 64 product that makes it exact).  Fixed: no input, blob field
 * or netlink parameter changes it.
 */
#define TM_GATE_MACS_DET	2
#define TM_GATE_MACS_2X2	11
/* The gate's worst case per tick (it runs at most once per tick) */
#define TM_GATE_MACS_MAX	TM_GATE_MACS_2X2

struct tm_gate_result {
	__u32 pass;		/* 1 iff d^2 <= chi2 (exact) */
	__u32 reason;		/* enum tmnet_reason */
	__u32 cert_q16;		/* 0 once d^2 is computed (exact), else TMNET_CERT_NONE */
	__u32 d2_q16;		/* ceil(d^2 2^16), saturating at 0xffffffff */
	__u32 macs;		/* multiply-adds spent, <= TM_GATE_MACS_MAX */
};

/*
 * d^2 = r' S^-1 r for the symmetric 2x2 S = [[s[0], s[1]], [s[1], s[2]]]
 * (Q32.32) and r (Q16.16), in closed form with 128-bit integers: exact,
 * constant time, no loop.  A budget below TM_GATE_MACS_2X2 falls back with
 * TMNET_REASON_BUDGET; an S that is not positive definite (s00 <= 0,
 * s11 <= 0 or det <= 0) with TMNET_REASON_CERT (no certificate can exist).
 * See core/tm_gate.c for the proof that nothing overflows.
 */
void tm_gate_2x2(const __s64 s[3], const __s32 r[2], __u32 budget, __u32 chi2_q16,
		 struct tm_gate_result *res);

/* ------------------------------------------------------------------ */
/* Model (built from a validated blob)                                 */
/* ------------------------------------------------------------------ */

#define TM_G3	(3 * TMNET_MAX_HIDDEN)

struct tm_model {
	__u32 system;
	__u32 n_feat;
	__u32 hidden;
	__u32 rate_hz;
	__u32 window_ticks;
	__u32 horizon_ticks;
	__u32 crc32;
	char name[TMNET_NAME_LEN];
	struct tmnet_kalman kalman;	/* as in the blob (for re-export) */
	struct tm_kf_params kf;		/* derived per-tick terms */
	struct tmnet_gate gate;
	struct tmnet_norm norm;
	struct tmnet_blob_units units;	/* all zero: none recorded (version 1) */
	/*
	 * Prior kind and fusion (version 3); a version 1 or 2 blob and
	 * tm_model_default_prior() give CV, GATE, hcov_scale 65536, zeros
	 * (tm_ext_default).  The writer emits version 3 only when this
	 * differs from that default.
	 */
	struct tmnet_blob_ext ext;
	__s8 w_ih[TM_G3][TMNET_MAX_FEATURES];
	__s8 w_hh[TM_G3][TMNET_MAX_HIDDEN];
	__s32 b_ih[TM_G3];
	__s32 b_hh[TM_G3];
	struct tmnet_rq rq_ih[TM_G3];
	struct tmnet_rq rq_hh[TM_G3];
	__s8 w_out[TMNET_N_OUT][TMNET_MAX_HIDDEN];
	__s32 b_out[TMNET_N_OUT];
	struct tmnet_rq rq_out[TMNET_N_OUT];
	/*
	 * Derived at load time (tm_model_pack): rows 2p and 2p+1 packed into
	 * one s64 as w[2p] + w[2p+1] * 2^32, so one 64-bit multiply-add
	 * serves two rows (SWAR; |row sum| < 2^31 keeps the halves apart).
	 */
	__s64 wp_ih[TM_G3 / 2][TMNET_MAX_FEATURES];
	__s64 wp_hh[TM_G3 / 2][TMNET_MAX_HIDDEN];
};

/* ------------------------------------------------------------------ */
/* INT8 GRU                                                            */
/* ------------------------------------------------------------------ */

struct tm_gru_sat {
	__u32 input;		/* int8 input clamps */
	__u32 act;		/* LUT input clamps */
	__u32 out;		/* head output clamps */
};

/* q = sat8(round((f - mean) * inv_std * 2^in_frac / 2^32)), |q| <= 127 */
__s8 tm_quant_input(__s32 f, __s32 mean, __s32 inv_std, __u32 in_frac, __u32 *sat);
/* One GRU step in place on h (Q15) with int8 input x[n_feat] */
void tm_gru_step(const struct tm_model *m, __s16 *h, const __s8 *x,
		 struct tm_gru_sat *sat);
/*
 * The model's shapes, clamped to the compile-time maxima: the tick's loops
 * are bounded by TMNET_MAX_HIDDEN and TMNET_MAX_FEATURES whatever the
 * model object holds (the validator already enforces them for blobs).
 */
static inline unsigned int tm_gru_hidden(const struct tm_model *m)
{
	return m->hidden < TMNET_MAX_HIDDEN ? m->hidden : TMNET_MAX_HIDDEN;
}

static inline unsigned int tm_gru_feat(const struct tm_model *m)
{
	return m->n_feat < TMNET_MAX_FEATURES ? m->n_feat : TMNET_MAX_FEATURES;
}

/* Linear head: Q16 normalised outputs */
void tm_gru_head(const struct tm_model *m, const __s16 *h, __s32 out[TMNET_N_OUT],
		 struct tm_gru_sat *sat);

struct tm_blob_error {
	__u32 code;		/* enum tmnet_blob_err */
	__u32 offset;		/* byte offset of the offending field */
	const char *msg;	/* static string */
};

/* Build the derived (packed) weights; tm_model_from_blob() calls it */
void tm_model_pack(struct tm_model *m);
/* Validate a blob and build a model.  Returns 0 or -code. */
int tm_model_from_blob(struct tm_model *m, const void *blob, __u32 len,
		       struct tm_blob_error *err);
/* A prior-only model from built-in defaults (used when none is loaded) */
void tm_model_default_prior(struct tm_model *m, __u32 rate_hz);
/* The extension a version 1 or 2 blob implies: CV, GATE, hcov 1, zeros */
void tm_ext_default(struct tmnet_blob_ext *ext);
/* 1 iff ext is tm_ext_default()'s (the model needs no version 3) */
int tm_ext_is_default(const struct tmnet_blob_ext *ext);
const char *tm_blob_strerror(__u32 code);

/*
 * Blob writer: fills buf (caller-sized via tm_blob_size) incl. CRC;
 * returns the blob's size in bytes, or -1 if cap is too small
 */
__u32 tm_blob_size(__u32 system, __u32 n_feat, __u32 hidden);
int tm_blob_write(void *buf, __u32 cap, const struct tm_model *m);
/*
 * Size tm_blob_write() needs for m: tm_blob_size(), plus the units if any
 * (version 2), plus units and extension when the extension is not the
 * default (version 3)
 */
__u32 tm_model_blob_size(const struct tm_model *m);

/* ------------------------------------------------------------------ */
/* Pipeline                                                            */
/* ------------------------------------------------------------------ */

/* Fault injection (tests and the kernel's debugfs knobs) */
#define TM_FAULT_STALE		(1U << 0)	/* treat every sample as missing */
#define TM_FAULT_CORRUPT_NET	(1U << 1)	/* add a large error to the net */

struct tm_cfg {
	__u32 mode;		/* enum tmnet_system to run (<= model system) */
	__u32 eps_q16;
	__u32 budget;
	__u32 chi2_q16;
	__u32 faults;		/* TM_FAULT_* */
};

/* Counters, kept by the pipeline */
struct tm_counters {
	__u64 ticks;
	__u64 samples;		/* valid samples ingested */
	__u64 missing;		/* ticks without a valid sample */
	__u64 gate_pass;
	__u64 gate_fail[__TMNET_REASON_MAX];
	__u64 fallbacks;
	__u64 sat_input;	/* int8 input clamps */
	__u64 sat_act;		/* LUT input clamps */
	__u64 sat_out;		/* output clamps */
	__u64 cert_sum_q16;	/* over ticks with a certificate */
	__u64 cert_n;
	__u32 cert_max_q16;
	__u32 _pad;
	__u64 seg_starts;	/* samples with TMNET_SAMPLE_SEG_START */
	/* TMNET_FUSE_MONITOR (all 0 for TMNET_FUSE_GATE) */
	__u64 blend;		/* ticks published as a blend (VERDICT_BLEND) */
	__u64 blend_w_sum_q16;	/* sum of the prior's weight w over them */
	__u64 mon_stored;	/* predictions put in the monitor's ring */
	__u64 mon_resolved;	/* ... resolved against their horizon sample */
	__u64 mon_dropped;	/* ... dropped: no valid sample on their tick,
				 * a segment start, a model change */
};

/*
 * The monitor (TMNET_FUSE_MONITOR): every mon_stride ticks the prior's
 * horizon position and the network's displacement go into a FIFO of
 * TMNET_MON_SLOTS slots; horizon_ticks later, the tick's sample resolves
 * the oldest slot: e_p = prior - z, e_n = prior + disp - z (2-D, Q16.16
 * units, saturated to s32), and the EWMAs (weight 2^-mon_shift) of
 * e_p.e_p, e_n.e_n and e_p.e_n (Q32.32 units^2) move towards them.  From
 * them the minimum-variance blend weight of the prior,
 *     w = (Snn - Spn) / (Spp + Snn - 2 Spn), clamped to [0, 1],
 * is recomputed (one 64-bit division) at each resolve.  At most one
 * store and one resolve per tick.
 */
struct tm_mon_slot {
	__s32 prior[2];			/* Q16.16 prior at the horizon */
	__s32 disp[2];			/* Q16.16 network displacement */
	__u32 due;			/* low 32 bits of the resolving tick */
};

struct tm_mon {
	struct tm_mon_slot slot[TMNET_MON_SLOTS];
	__s64 spp, snn, spn;		/* EWMAs, Q32.32 units^2 */
	__u32 head;			/* oldest pending slot */
	__u32 count;			/* pending slots */
	__u32 phase;			/* ticks since the last store */
	__u32 w_q16;			/* prior's weight, Q16 in [0, 65536] */
	__u32 init;			/* EWMAs loaded from the model */
	__u32 crc;			/* ... of the model with this crc32 */
};

struct tm_state {
	struct tm_kf kf;
	__s16 h[TMNET_MAX_HIDDEN];	/* Q15 */
	__s32 feat[TMNET_MAX_FEATURES];	/* Q16.16, this tick */
	__s32 last_x, last_y;		/* Q16.16, last valid sample */
	__u32 have_last;
	__u32 last_seq;
	__u32 sat_tick;			/* saturation events this tick */
	__u32 flags;			/* TMNET_PRED_F_* for this tick */
	__s64 prior[2];			/* Q32.32 horizon position */
	__s64 prior_cov[2][2];		/* Q32.32 */
	__s32 net_disp[2];		/* Q16.16 network displacement */
	__u64 tick;
	struct tm_counters cnt;
	struct tm_mon mon;
};

/* Optional clock for per-stage timing (kernel: ktime; bench: CLOCK_MONOTONIC) */
struct tm_clock {
	__u64 (*now_ns)(void *ctx);
	void *ctx;
};

void tm_cfg_from_model(struct tm_cfg *cfg, const struct tm_model *m);
void tm_state_reset(struct tm_state *st);
/* Reset only what depends on the model (hidden state); keeps counters */
void tm_state_model_changed(struct tm_state *st);
/* A segment starts (TMNET_SAMPLE_SEG_START): streaming state back to cold */
void tm_state_seg_start(struct tm_state *st);

/* Stages (each also usable alone, e.g. by the trainer) */
void tm_stage_prior(struct tm_state *st, const struct tm_model *m,
		    const struct tm_cfg *cfg, const struct tmnet_sample *s);
void tm_stage_net(struct tm_state *st, const struct tm_model *m);
void tm_stage_gate(struct tm_state *st, const struct tm_model *m,
		   const struct tm_cfg *cfg, struct tmnet_pred *out);

/*
 * A whole tick: ingest -> prior -> net -> gate -> record.  s may be NULL
 * (no sample this tick).  clk may be NULL (stage_ns stay 0).  The caller
 * fills out->t_ns, out->model_gen and stage_ns[LATENESS/PUBLISH] itself.
 *
 * Worst case: every loop tm_tick() reaches has a constant trip count or
 * one bounded by TMNET_MAX_HIDDEN, TMNET_MAX_FEATURES, TMNET_N_OUT or the
 * Kalman state dimension (4); the gate is a fixed TM_GATE_MACS_MAX
 * multiply-adds; the monitor (TMNET_FUSE_MONITOR) has no loop: at most
 * one store and one resolve (one 64-bit division) per tick.  No input,
 * blob field or netlink parameter changes a bound (docs/architecture.md, "Worst case"; make bench-worst measures it).
 */
void tm_tick(struct tm_state *st, const struct tm_model *m,
	     const struct tm_cfg *cfg, const struct tmnet_sample *s,
	     struct tmnet_pred *out, const struct tm_clock *clk);

/* ABI checks, compiled into every user of the core (kernel and userspace) */
TM_STATIC_ASSERT(sizeof(struct tmnet_sample) == 32, "tmnet_sample size");
TM_STATIC_ASSERT(sizeof(struct tmnet_pred) == 88, "tmnet_pred size");
TM_STATIC_ASSERT(sizeof(struct tmnet_rq) == 8, "tmnet_rq size");
TM_STATIC_ASSERT(sizeof(struct tmnet_tensor_desc) == 24, "tensor_desc size");
TM_STATIC_ASSERT(sizeof(struct tmnet_norm) == 80, "tmnet_norm size");
TM_STATIC_ASSERT(sizeof(struct tmnet_kalman) == 64, "tmnet_kalman size");
TM_STATIC_ASSERT(sizeof(struct tmnet_gate) == 48, "tmnet_gate size");
TM_STATIC_ASSERT(sizeof(struct tmnet_blob_hdr) == 264, "blob header size");
TM_STATIC_ASSERT(sizeof(struct tmnet_blob_units) == 32, "blob units size");
TM_STATIC_ASSERT(sizeof(struct tmnet_blob_ext) == 64, "blob ext size");

/* ------------------------------------------------------------------ */
/* Input devices                                                       */
/* ------------------------------------------------------------------ */

/*
 * Samples from input-device events (the kernel's input handler and the
 * userspace that recomputes it), core/tm_input.c: the assembler
 * (tm_input_event), the velocity (tm_input_div, also the importer's) and
 * the recording units in fixed point (tm_input_conv_init/convert).
 * Declared in their own header, which needs the types above.
 */
#include "tm_input.h"

#endif /* TM_CORE_H */
