// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the whole tick, tm_tick() in core/tm_pipeline.c.
 *
 * The input is read as a little program (see docs/testing notes in the
 * header of tests/fuzz/run-tick.sh):
 *   1. a model: system (prior, A or B), shape, and every field of the blob
 *      pushed to the ends of what the validator accepts (Kalman noise, the
 *      gate's covariance scale and floor, normalisation, requantisation
 *      shifts, weights at +-127, biases at +-2^24, gate eps/budget/chi2).
 *      It is written with tm_blob_write() and loaded with
 *      tm_model_from_blob(): only validated blobs run.
 *   2. a tm_cfg in the ranges the kernel's netlink policy accepts
 *      (kmod/tmnet_nl.c), with the debugfs faults; the mode may exceed the
 *      model's system, as a pinned mode can in the kernel.
 *   3. a stream of operations: valid samples (steady motion, Q16.16
 *      extremes, jumps), missing samples and NULL samples, long dropouts
 *      beyond the stale limit, TMNET_SAMPLE_SEG_START, configuration
 *      changes, a model swap and hidden-state resets as the kernel does them.
 *
 * After every tick the invariants below are checked; a violation prints
 * its line and aborts, so libFuzzer saves the input.
 *
 * Seeds (tests/fuzz/seeds-tick, replayed one by one by run-tick.sh): prior,
 * a, b (typical models, steady motion, a dropout); b-stale (dropouts past
 * the stale limit, segment starts, NULL samples); b-sat (weights +127,
 * biases and multipliers at their maxima: saturation); b-extreme-kalman
 * (largest process noise, smallest measurement noise); a-extreme-samples
 * (Q16.16 extremes, 32-bit jumps); b-cfg-faults (pinned modes, eps/budget/
 * chi2 at their ends, both faults); a-swap-prior (a model swap under a
 * pinned mode A: no-model fallbacks); b-monitor (System B with the
 * monitor's blend: resolves, a dropout, a segment start, a model
 * change); b-dv, prior-dv-extreme, b-monitor-dv (the damped-velocity
 * prior: typical tau and hcov; tau and hcov at their smallest and largest;
 * with the monitor); prior-dropout-psd,
 * prior-dropout-xy-psd and prior-q-indefinite (reproducers,
 * tests/unit/test_fuzz_tick.c).
 * Build with -DFT_TRACE to print every tick of an input.  The core is compiled with
 * ASan and UBSan (signed overflow, shifts) without recovery.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every tick of one input; an input cannot run the fuzzer for minutes */
#define FT_MAX_TICKS	6000U
/* the longest dropout one operation asks for */
#define FT_MAX_DROPOUT	2100U

/* a violated invariant names its line (separate traps would be merged) */
__attribute__((noreturn, noinline)) static void ft_fail(int line)
{
	fprintf(stderr, "fuzz_tick: invariant violated at tests/fuzz/fuzz_tick.c:%d\n", line);
	abort();
}
#define FT_CHECK(c)	do { if (!(c)) ft_fail(__LINE__); } while (0)
/* the checkers' comparisons are no guide for the fuzzer, and cost time */
#define FT_NOCOV	__attribute__((no_sanitize("coverage")))

/* -DFT_TRACE: one line per tick on stderr, for writing seeds by hand */
#ifdef FT_TRACE
#define FT_LOG(...)	fprintf(stderr, __VA_ARGS__)
#else
#define FT_LOG(...)	do { } while (0)
#endif

/* ------------------------------------------------------------------ */
/* Input reader: past the end every read returns zero                   */
/* ------------------------------------------------------------------ */

struct ft_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t ft_u8(struct ft_in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static uint64_t ft_bytes(struct ft_in *in, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)ft_u8(in) << (8 * i);
	return v;
}

/*
 * A value in [lo, hi] (lo <= hi), chosen by a selector byte: the ends, one
 * step inside them, the typical value, log-uniform (any bit length between
 * the ends', so tiny and huge values are both common) or uniform.
 */
static int64_t ft_pick(struct ft_in *in, int64_t lo, int64_t hi, int64_t typ)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo, r;
	uint8_t sel = ft_u8(in);

	switch (sel & 7) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return span ? lo + 1 : lo;
	case 3:
		return span ? hi - 1 : hi;
	case 4:
		return typ;
	case 5:
	case 6: {
		/* log-uniform offset from lo */
		unsigned int bits = (sel >> 3) % 64;

		r = ft_bytes(in, 8);
		r = bits ? (r & (((uint64_t)1 << bits) - 1)) | ((uint64_t)1 << (bits - 1)) : 0;
		if (span != UINT64_MAX)
			r %= span + 1;
		return (int64_t)((uint64_t)lo + r);
	}
	default:
		r = ft_bytes(in, 8);
		if (span != UINT64_MAX)
			r %= span + 1;
		return (int64_t)((uint64_t)lo + r);
	}
}

/* xorshift64 for tensor contents (one seed per tensor, from the input) */
static uint64_t ft_rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ------------------------------------------------------------------ */
/* Model                                                                */
/* ------------------------------------------------------------------ */

/* int8 weights: constant +-127, zero, random, random extremes, alternating */
static void ft_fill_s8(struct ft_in *in, __s8 *w, unsigned int rows, unsigned int cols,
		       unsigned int stride)
{
	uint8_t mode = ft_u8(in);
	uint64_t seed = ft_bytes(in, 2) | 0x10000;
	unsigned int r, c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			int v;

			switch (mode % 6) {
			case 0:
				v = 127;
				break;
			case 1:
				v = -127;
				break;
			case 2:
				v = 0;
				break;
			case 3:
				v = (int)(ft_rng(&seed) % 255) - 127;
				break;
			case 4:
				v = (ft_rng(&seed) & 1) ? 127 : -127;
				break;
			default:
				v = ((r + c) & 1) ? 127 : -127;
				break;
			}
			w[r * stride + c] = (__s8)v;
		}
}

/* biases in [-2^24, 2^24] (the validator's limit) */
static void ft_fill_bias(struct ft_in *in, __s32 *b, unsigned int n)
{
	const int64_t lim = (int64_t)1 << 24;
	uint8_t mode = ft_u8(in);
	uint64_t seed = ft_bytes(in, 2) | 0x10000;
	unsigned int i;

	for (i = 0; i < n; i++) {
		switch (mode % 5) {
		case 0:
			b[i] = (__s32)lim;
			break;
		case 1:
			b[i] = (__s32)-lim;
			break;
		case 2:
			b[i] = 0;
			break;
		case 3:
			b[i] = (__s32)((int64_t)(ft_rng(&seed) % (2 * lim + 1)) - lim);
			break;
		default:
			b[i] = (__s32)((int64_t)(ft_rng(&seed) % 1025) - 512);
			break;
		}
	}
}

/* requantisation: mult 0 or in [2^30, 2^31), shift in [MIN, MAX] */
static void ft_fill_rq(struct ft_in *in, struct tmnet_rq *rq, unsigned int n, int32_t typ)
{
	uint8_t mode = ft_u8(in);
	int32_t shift = (int32_t)ft_pick(in, TMNET_RQ_SHIFT_MIN, TMNET_RQ_SHIFT_MAX, typ);
	uint64_t seed = ft_bytes(in, 2) | 0x10000;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t r = ft_rng(&seed);

		switch (mode % 5) {
		case 0:
			rq[i].mult = 0x7fffffff;
			break;
		case 1:
			rq[i].mult = 1 << 30;
			break;
		case 2:
			rq[i].mult = (r & 1) ? (int32_t)((1U << 30) + (uint32_t)(r >> 34)) : 0;
			break;
		default:
			rq[i].mult = (int32_t)((1U << 30) + (uint32_t)(r >> 34));
			break;
		}
		/* mode 4: every row its own shift */
		rq[i].shift = (mode % 5) == 4 ?
			(int32_t)(TMNET_RQ_SHIFT_MIN + (int32_t)((r >> 8) %
				(TMNET_RQ_SHIFT_MAX - TMNET_RQ_SHIFT_MIN + 1))) : shift;
	}
}

#define FT_KMAX	((int64_t)1 << 52)	/* the validator's Kalman/floor limit */

/* an off-diagonal b with b^2 <= a c, at the edge of PSD or inside it */
static int64_t ft_pick_offdiag(struct ft_in *in, int64_t a, int64_t c)
{
	tm_u128 ac = (tm_u128)a * (tm_u128)c;
	uint64_t lim = tm_isqrt_floor(ac);	/* < 2^52 */
	int64_t b;

	if (lim > (uint64_t)FT_KMAX)
		lim = (uint64_t)FT_KMAX;
	b = ft_pick(in, -(int64_t)lim, (int64_t)lim, 0);
	return b;
}

/*
 * Fill m from the input (every field in the validator's range), write the
 * blob and validate it into out.  0 if it validated.
 */
static int ft_model(struct ft_in *in, struct tm_model *out, uint8_t *blob, __u32 cap)
{
	static struct tm_model m;
	struct tm_blob_error err;
	unsigned int i, g3;
	__u32 rate, len;
	uint8_t sysb;
	int n;

	rate = (__u32)ft_pick(in, TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ, TMNET_DEFAULT_RATE_HZ);
	tm_model_default_prior(&m, rate);
	sysb = ft_u8(in);
	m.system = sysb % __TMNET_SYS_MAX;
	/*
	 * Bit 6 of the system byte: the damped-velocity prior, tau and
	 * hcov_scale in the validator's range, read right here so the other
	 * fields keep their place in the input (older seeds have bit 6 clear)
	 */
	if (sysb & 0x40) {
		m.ext.prior_kind = TMNET_PRIOR_DV;
		m.ext.tau_q32 = ft_pick(in, TMNET_TAU_MIN_Q32, TMNET_TAU_MAX_Q32, TM_Q32_ONE / 4);
		m.ext.hcov_scale_q16 = (__u32)ft_pick(in, 1, TMNET_HCOV_SCALE_MAX_Q16, 3 << 15);
	}
	m.window_ticks = (__u32)ft_pick(in, 1, 100000, TMNET_DEFAULT_WINDOW_TICKS);
	m.horizon_ticks = (__u32)ft_pick(in, 1, TMNET_MAX_HORIZON_TICKS,
					 TMNET_DEFAULT_HORIZON_TICKS);
	memcpy(m.name, "fuzz-tick", sizeof("fuzz-tick"));

	/* Kalman: qa PSD (x/y coupling up to the edge), r, p0, stale limit */
	m.kalman.qa_xx = ft_pick(in, 0, FT_KMAX, 10 * TM_Q32_ONE);
	m.kalman.qa_yy = ft_pick(in, 0, FT_KMAX, 10 * TM_Q32_ONE);
	m.kalman.qa_xy = ft_pick_offdiag(in, m.kalman.qa_xx, m.kalman.qa_yy);
	m.kalman.r_x = ft_pick(in, 1, FT_KMAX, TM_Q32_ONE / 10000);
	m.kalman.r_y = ft_pick(in, 1, FT_KMAX, TM_Q32_ONE / 10000);
	m.kalman.p0_pos = ft_pick(in, 1, FT_KMAX, TM_Q32_ONE / 10000);
	m.kalman.p0_vel = ft_pick(in, 1, FT_KMAX, TM_Q32_ONE);
	/* the ends (0 and 10^6) and, often, a limit a dropout can cross */
	m.kalman.stale_ticks = (__u32)((ft_u8(in) & 1) ? ft_pick(in, 0, 1000000, 200) :
				       ft_pick(in, 0, 64, 4));

	/* gate, in the validator's ranges */
	m.gate.eps_q16 = (__u32)ft_pick(in, 1, TM_Q16_ONE, TMNET_GATE_EPS_DEFAULT);
	m.gate.budget = (__u32)ft_pick(in, 1, TMNET_GATE_BUDGET_MAX, TMNET_GATE_BUDGET_DEFAULT);
	m.gate.chi2_q16 = (__u32)ft_pick(in, 1, TMNET_GATE_CHI2_MAX, TMNET_GATE_CHI2_DEFAULT);
	m.gate.cov_scale_q16 = (__u32)ft_pick(in, 1, 1000 << 16, TM_Q16_ONE);
	m.gate.floor_xx = ft_pick(in, 0, FT_KMAX, 0);
	m.gate.floor_yy = ft_pick(in, 0, FT_KMAX, 0);
	m.gate.floor_xy = ft_pick_offdiag(in, m.gate.floor_xx, m.gate.floor_yy);
	m.gate.sat_limit = (__u32)ft_pick(in, 0, UINT32_MAX, 0);

	if (m.system != TMNET_SYS_PRIOR) {
		m.n_feat = m.system == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B;
		m.hidden = 1 + ft_u8(in) % TMNET_MAX_HIDDEN;
		for (i = 0; i < m.n_feat; i++) {
			m.norm.mean[i] = (__s32)ft_pick(in, INT32_MIN, INT32_MAX, 0);
			/* typical: tests/guest/mkblob.c's */
			m.norm.inv_std[i] = (__s32)ft_pick(in, 1, INT32_MAX,
				i < 2 ? (__s32)(rate << 16) / 4 : i < 4 ? 1 << 14 : 1 << 15);
		}
		for (i = 0; i < TMNET_N_OUT; i++)
			m.norm.out_scale[i] = (__s32)ft_pick(in, 1, INT32_MAX, TM_Q16_ONE);
		m.norm.in_frac = (__u32)ft_pick(in, 0, 7, 5);
		g3 = 3 * m.hidden;
		ft_fill_s8(in, &m.w_ih[0][0], g3, m.n_feat, TMNET_MAX_FEATURES);
		ft_fill_s8(in, &m.w_hh[0][0], g3, m.hidden, TMNET_MAX_HIDDEN);
		ft_fill_s8(in, &m.w_out[0][0], TMNET_N_OUT, m.hidden, TMNET_MAX_HIDDEN);
		ft_fill_bias(in, m.b_ih, g3);
		ft_fill_bias(in, m.b_hh, g3);
		ft_fill_bias(in, m.b_out, TMNET_N_OUT);
		/* typical shifts: those of tests/guest/mkblob.c */
		ft_fill_rq(in, m.rq_ih, g3, 1);
		ft_fill_rq(in, m.rq_hh, g3, 12);
		ft_fill_rq(in, m.rq_out, TMNET_N_OUT, 9);
	}
	/*
	 * System B with bit 7 of the system byte: the monitor's fusion
	 * (TMNET_FUSE_MONITOR), every field in the validator's range; the
	 * older seeds (system bytes 0..2) read no more bytes, as before.
	 */
	if (m.system == TMNET_SYS_B && (sysb & 0x80)) {
		__u32 smin = (m.horizon_ticks + TMNET_MON_SLOTS - 2) / (TMNET_MON_SLOTS - 1);
		tm_u128 lim2;
		__s64 pp, nn, lim;

		smin = smin ? smin : 1;
		FT_LOG("monitor fields: %zu input bytes left\n", in->n);
		m.ext.fuse_kind = TMNET_FUSE_MONITOR;
		m.ext.mon_shift = (__u32)ft_pick(in, 1, TMNET_MON_SHIFT_MAX, 6);
		m.ext.mon_stride = (__u32)ft_pick(in, smin, TMNET_MAX_HORIZON_TICKS, smin);
		pp = ft_pick(in, 0, INT64_MAX, 100 * TM_Q32_ONE);
		nn = ft_pick(in, 0, INT64_MAX, 50 * TM_Q32_ONE);
		lim2 = (tm_u128)pp * (tm_u128)nn;
		lim = (__s64)tm_isqrt_floor(lim2 >> 2) * 2;	/* lim^2 <= pp nn, lim < 2^63 */
		m.ext.reserved[TMNET_MON_INIT_PP] = (__u64)pp;
		m.ext.reserved[TMNET_MON_INIT_NN] = (__u64)nn;
		m.ext.reserved[TMNET_MON_INIT_PN] = (__u64)ft_pick(in, -lim, lim, 0);
	}
	len = tm_model_blob_size(&m);
	n = tm_blob_write(blob, cap, &m);
	FT_CHECK(n > 0 && (__u32)n == len);
	if (tm_model_from_blob(out, blob, len, &err)) {
		/*
		 * Every field above is in the validator's documented range;
		 * the one joint condition it adds is that r and p0, scaled by
		 * 2^cs, stay below the covariance limit (Kalman).  A gate that
		 * refuses a budget it cannot afford would add E_GATE.
		 */
		FT_CHECK(err.code == TMNET_BLOB_E_KALMAN || err.code == TMNET_BLOB_E_GATE);
		return -1;
	}
	FT_CHECK(out->system == m.system && out->hidden == m.hidden);
	FT_LOG("model sys %u H %u rate %u hor %u qa %lld %lld %lld r %lld %lld p0 %lld %lld "
	       "stale %u cs %u gate eps %u bud %u chi2 %u k %u floor %lld %lld %lld sat %u "
	       "prior %u tau %lld hcov %u fuse %u\n",
	       m.system, m.hidden, m.rate_hz, m.horizon_ticks, (long long)m.kalman.qa_xx,
	       (long long)m.kalman.qa_xy, (long long)m.kalman.qa_yy, (long long)m.kalman.r_x,
	       (long long)m.kalman.r_y, (long long)m.kalman.p0_pos, (long long)m.kalman.p0_vel,
	       m.kalman.stale_ticks, out->kf.cs, m.gate.eps_q16, m.gate.budget, m.gate.chi2_q16,
	       m.gate.cov_scale_q16, (long long)m.gate.floor_xx, (long long)m.gate.floor_xy,
	       (long long)m.gate.floor_yy, m.gate.sat_limit, m.ext.prior_kind,
	       (long long)m.ext.tau_q32, m.ext.hcov_scale_q16, m.ext.fuse_kind);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Configuration: the ranges of tmnet_cfg_nl_policy, plus faults        */
/* ------------------------------------------------------------------ */

static void ft_cfg(struct ft_in *in, const struct tm_model *m, struct tm_cfg *cfg)
{
	uint8_t b = ft_u8(in);

	tm_cfg_from_model(cfg, m);
	/* mostly a mode the model has; a pinned mode may exceed it */
	if (b & 0x80)
		cfg->mode = (b >> 4) % __TMNET_SYS_MAX;
	else if (m->system)
		cfg->mode = m->system - ((b >> 4) & 1);
	if (b & 1)
		cfg->eps_q16 = (__u32)ft_pick(in, 1, 65536, TMNET_GATE_EPS_DEFAULT);
	if (b & 2)
		cfg->budget = (__u32)ft_pick(in, 1, TMNET_GATE_BUDGET_MAX,
					     TMNET_GATE_BUDGET_DEFAULT);
	if (b & 4)
		cfg->chi2_q16 = (__u32)ft_pick(in, 1, TMNET_GATE_CHI2_MAX,
					       TMNET_GATE_CHI2_DEFAULT);
	cfg->faults = (b & 8) ? ft_u8(in) & (TM_FAULT_STALE | TM_FAULT_CORRUPT_NET) : 0;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                           */
/* ------------------------------------------------------------------ */

static __s32 ft_q32_to_q16(__s64 v)
{
	return tm_sat_s32(tm_sat_shr128((tm_s128)v, 16));
}

/* a + b saturated to s64, without the core's helpers */
static __s64 ft_sat_add(__s64 a, __s64 b)
{
	tm_s128 v = (tm_s128)a + b;

	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (__s64)v;
}

/*
 * The exact gate's reference: the pipeline's S = k P_h + floor, then
 * d2_q16 = ceil(2^16 r' S^-1 r) by schoolbook long division, saturating at
 * 2^32 - 1.  Returns 0 and sets *q, or -1 if S is not positive definite.
 */
FT_NOCOV static int ft_d2_ref(const struct tm_state *st, const struct tm_model *m, __u32 *q)
{
	__s64 k = (__s64)m->gate.cov_scale_q16 << 16;
	__s64 a = ft_sat_add(tm_mul_q32(k, st->prior_cov[0][0]), m->gate.floor_xx);
	__s64 b = ft_sat_add(tm_mul_q32(k, st->prior_cov[0][1]), m->gate.floor_xy);
	__s64 c = ft_sat_add(tm_mul_q32(k, st->prior_cov[1][1]), m->gate.floor_yy);
	__s64 r0 = st->net_disp[0], r1 = st->net_disp[1];
	tm_u128 ac, bb, det, n, quo, rem;
	unsigned int i;

	if (a <= 0 || c <= 0)
		return -1;
	ac = (tm_u128)a * (tm_u128)c;
	bb = (tm_u128)((tm_s128)b * b);
	if (ac <= bb)
		return -1;
	det = ac - bb;
	/* N = c r0^2 + a r1^2 - 2 b r0 r1 lies in [0, 2^127): mod 2^128 is exact */
	n = (tm_u128)c * (tm_u128)(r0 * r0) + (tm_u128)a * (tm_u128)(r1 * r1) -
	    (tm_u128)((tm_s128)b * r0 * r1) * 2;
	quo = n / det;
	rem = n % det;
	if (quo >= ((tm_u128)1 << 16)) {
		*q = 0xffffffffU;
		return 0;
	}
	for (i = 0; i < 16; i++) {
		rem <<= 1;	/* rem < det < 2^126 */
		quo <<= 1;
		if (rem >= det) {
			rem -= det;
			quo |= 1;
		}
	}
	quo += rem != 0;
	*q = quo > 0xffffffffU ? 0xffffffffU : (__u32)quo;
	return 0;
}

/* prior + (1 - w) disp, rounded half away from zero, saturated: the blend */
FT_NOCOV static __s32 ft_blend(__s32 prior, __s32 disp, __u32 w)
{
	tm_s128 v = (tm_s128)((__s64)TM_Q16_ONE - w) * disp;
	tm_s128 r = v >= 0 ? (v + 32768) >> 16 : -((-v + 32768) >> 16);

	return tm_sat_s32((__s64)(prior + r));
}

/*
 * w against the exact rational (Snn - Spn) / (Spp + Snn - 2 Spn), clamped
 * to [0, 1], 1 when the denominator is not positive: within one Q16 ulp.
 */
FT_NOCOV static void ft_check_w(const struct tm_state *st)
{
	tm_s128 num = (tm_s128)st->mon.snn - st->mon.spn;
	tm_s128 den = (tm_s128)st->mon.spp + st->mon.snn - (tm_s128)st->mon.spn * 2;
	__u32 w = st->mon.w_q16;

	if (den <= 0 || num >= den) {
		FT_CHECK(w == TM_Q16_ONE);
	} else if (num <= 0) {
		FT_CHECK(w == 0);
	} else {
		/* |w den - 2^16 num| <= den, all below 2^83 */
		tm_s128 e = (tm_s128)w * den - num * TM_Q16_ONE;

		FT_CHECK(e <= den && e >= -den);
	}
}

struct ft_run {
	__u64 ticks, samples, b_ticks, nomodel_ticks, cert_n, cert_sum;
	__u32 cert_max, last_seq;
};

static __u64 ft_clk_now(void *ctx)
{
	__u64 *t = ctx;

	return ++*t;
}

FT_NOCOV static void ft_check_sym(const struct tm_state *st)
{
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			FT_CHECK(st->kf.p[i][j] == st->kf.p[j][i]);
	FT_CHECK(st->prior_cov[0][1] == st->prior_cov[1][0]);
}

/*
 * One tick plus every check.  s may be NULL.  Returns nothing; traps on a
 * violated invariant.
 */
FT_NOCOV static void ft_tick(struct tm_state *st, const struct tm_model *m, const struct tm_cfg *cfg,
		    const struct tmnet_sample *s, struct ft_run *run, int with_clk,
		    struct tmnet_pred *outp)
{
	const struct tm_counters c0 = st->cnt;
	const __u64 tick0 = st->tick;
	struct tmnet_pred out;
	__u64 clk_t = 0;
	struct tm_clock clk = { ft_clk_now, &clk_t };
	int valid = s && (s->flags & TMNET_SAMPLE_VALID) && !(cfg->faults & TM_FAULT_STALE);
	int run_net = cfg->mode != TMNET_SYS_PRIOR && cfg->mode <= m->system;
	int mon = cfg->mode == TMNET_SYS_B && m->system == TMNET_SYS_B &&
		  m->ext.fuse_kind == TMNET_FUSE_MONITOR;
	const struct tm_counters *c = &st->cnt;
	__u64 fail_sum = 0, dfail = 0;
	unsigned int i;

	memset(&out, 0xa5, sizeof(out));
	tm_tick(st, m, cfg, s, &out, with_clk ? &clk : NULL);
	run->ticks++;
	FT_LOG("tick %llu sys %u mode %u valid %d flags %#x init %u miss %u sat %u -> "
	       "sys %u verdict %u reason %u prior %d,%d net %d,%d pred %d,%d d2 %u macs %u\n",
	       (unsigned long long)tick0, m->system, cfg->mode, valid, s ? s->flags : 0,
	       st->kf.init, st->kf.missing, st->sat_tick, out.system, out.verdict, out.reason,
	       out.prior_x, out.prior_y, out.net_x, out.net_y, out.pred_x, out.pred_y,
	       out.d2_q16, out.gate_macs);
	FT_LOG("  monitor stored %llu resolved %llu dropped %llu pending %u w %u\n",
	       (unsigned long long)st->cnt.mon_stored, (unsigned long long)st->cnt.mon_resolved,
	       (unsigned long long)st->cnt.mon_dropped, st->mon.count, st->mon.w_q16);
	FT_LOG("  P diag %lld %lld %lld %lld off01 %lld 02 %lld 13 %lld cov %lld %lld %lld\n",
	       (long long)st->kf.p[0][0], (long long)st->kf.p[1][1], (long long)st->kf.p[2][2],
	       (long long)st->kf.p[3][3], (long long)st->kf.p[0][1], (long long)st->kf.p[0][2],
	       (long long)st->kf.p[1][3], (long long)st->prior_cov[0][0],
	       (long long)st->prior_cov[0][1], (long long)st->prior_cov[1][1]);

	/* the record */
	FT_CHECK(out.tick == tick0 && st->tick == tick0 + 1);
	FT_CHECK(out.flags == (__u8)st->flags);
	FT_CHECK(!!(out.flags & TMNET_PRED_F_SAMPLE) == valid);
	FT_CHECK(!!(out.flags & TMNET_PRED_F_PRIOR_INIT) == !!st->kf.init);
	FT_CHECK(!!(out.flags & TMNET_PRED_F_NET) == run_net);
	FT_CHECK(!!(out.flags & TMNET_PRED_F_SAT) == (st->sat_tick != 0));
	FT_CHECK(!(out.flags & TMNET_PRED_F_OVERRUN));
	if (valid)
		run->last_seq = s->seq;
	FT_CHECK(out.sample_seq == run->last_seq);
	for (i = 0; i < TMNET_N_STAGES; i++) {
		if (i == TMNET_STAGE_PRIOR || i == TMNET_STAGE_NET || i == TMNET_STAGE_GATE)
			FT_CHECK(out.stage_ns[i] == (with_clk ? 1U : 0U));
	}
	FT_CHECK(out.prior_x == ft_q32_to_q16(st->prior[0]));
	FT_CHECK(out.prior_y == ft_q32_to_q16(st->prior[1]));
	if (!st->kf.init)
		FT_CHECK(st->prior[0] == 0 && st->prior[1] == 0 &&
			 st->prior_cov[0][0] == 0 && st->prior_cov[1][1] == 0);
	if (!run_net) {
		FT_CHECK(st->net_disp[0] == 0 && st->net_disp[1] == 0 && st->sat_tick == 0);
	}
	ft_check_sym(st);
	/* a covariance, so its diagonal is not negative */
	if (st->kf.init) {
		for (i = 0; i < 4; i++)
			FT_CHECK(st->kf.p[i][i] >= 0);
		FT_CHECK(st->prior_cov[0][0] >= 0 && st->prior_cov[1][1] >= 0);
	}

	/* the published prediction is the prior's or the network's */
	if (cfg->mode > m->system) {
		FT_CHECK(out.system == TMNET_SYS_PRIOR);
		FT_CHECK(out.verdict == TMNET_VERDICT_FALLBACK);
		FT_CHECK(out.reason == TMNET_REASON_NO_MODEL);
		FT_CHECK(out.pred_x == out.prior_x && out.pred_y == out.prior_y);
		FT_CHECK(out.net_x == 0 && out.net_y == 0 && out.gate_macs == 0);
		FT_CHECK(out.cert_q16 == TMNET_CERT_NONE);
		run->nomodel_ticks++;
	} else if (cfg->mode == TMNET_SYS_PRIOR) {
		FT_CHECK(out.system == TMNET_SYS_PRIOR);
		FT_CHECK(out.verdict == TMNET_VERDICT_NONE && out.reason == TMNET_REASON_OK);
		FT_CHECK(out.pred_x == out.prior_x && out.pred_y == out.prior_y);
		FT_CHECK(out.net_x == 0 && out.net_y == 0 && out.gate_macs == 0);
		FT_CHECK(out.cert_q16 == TMNET_CERT_NONE && out.d2_q16 == 0);
	} else if (cfg->mode == TMNET_SYS_A) {
		FT_CHECK(out.system == TMNET_SYS_A);
		FT_CHECK(out.verdict == TMNET_VERDICT_NONE && out.reason == TMNET_REASON_OK);
		FT_CHECK(out.net_x == tm_sat_s32((__s64)st->last_x + st->net_disp[0]));
		FT_CHECK(out.net_y == tm_sat_s32((__s64)st->last_y + st->net_disp[1]));
		FT_CHECK(out.pred_x == out.net_x && out.pred_y == out.net_y);
		FT_CHECK(out.gate_macs == 0 && out.cert_q16 == TMNET_CERT_NONE);
	} else {
		int stale = !st->kf.init || st->kf.missing > m->kf.stale_ticks;

		FT_CHECK(out.system == TMNET_SYS_B);
		FT_CHECK(out.net_x == tm_sat_s32((__s64)out.prior_x + st->net_disp[0]));
		FT_CHECK(out.net_y == tm_sat_s32((__s64)out.prior_y + st->net_disp[1]));
		run->b_ticks++;
		/* the monitor blends instead of publishing the network */
		FT_CHECK(out.verdict != (mon ? TMNET_VERDICT_PASS : TMNET_VERDICT_BLEND));
		if (out.verdict == TMNET_VERDICT_BLEND) {
			FT_CHECK(out.reason == TMNET_REASON_OK);
			FT_CHECK(st->mon.w_q16 <= TM_Q16_ONE);
			FT_CHECK(out.pred_x == ft_blend(out.prior_x, st->net_disp[0], st->mon.w_q16));
			FT_CHECK(out.pred_y == ft_blend(out.prior_y, st->net_disp[1], st->mon.w_q16));
			FT_CHECK(out.cert_q16 <= cfg->eps_q16);
			FT_CHECK(out.d2_q16 <= cfg->chi2_q16);
			FT_CHECK(!stale && st->sat_tick <= m->gate.sat_limit);
		} else if (out.verdict == TMNET_VERDICT_PASS) {
			FT_CHECK(out.reason == TMNET_REASON_OK);
			FT_CHECK(out.pred_x == out.net_x && out.pred_y == out.net_y);
			/* a pass is a certificate within eps and d^2 within chi2 */
			FT_CHECK(out.cert_q16 <= cfg->eps_q16);
			FT_CHECK(out.d2_q16 <= cfg->chi2_q16);
			FT_CHECK(!stale && st->sat_tick <= m->gate.sat_limit);
		} else {
			FT_CHECK(out.verdict == TMNET_VERDICT_FALLBACK);
			FT_CHECK(out.pred_x == out.prior_x && out.pred_y == out.prior_y);
			if (stale) {
				FT_CHECK(out.reason == TMNET_REASON_STALE);
			} else if (st->sat_tick > m->gate.sat_limit) {
				FT_CHECK(out.reason == TMNET_REASON_SATURATION);
			} else {
				FT_CHECK(out.reason == TMNET_REASON_CHI2 ||
					 out.reason == TMNET_REASON_BUDGET ||
					 out.reason == TMNET_REASON_CERT);
			}
		}
		if (stale || st->sat_tick > m->gate.sat_limit) {
			/* no solve ran */
			FT_CHECK(out.gate_macs == 0 && out.cert_q16 == TMNET_CERT_NONE);
			FT_CHECK(out.d2_q16 == 0);
		} else {
			/* the gate's work is bounded by the budget and the constant */
			FT_CHECK(out.gate_macs <= cfg->budget);
			FT_CHECK(out.gate_macs <= TM_GATE_MACS_MAX);
			{
				/* the exact gate against an independent d^2 */
				__u32 q;

				if (cfg->budget < TM_GATE_MACS_2X2) {
					FT_CHECK(out.reason == TMNET_REASON_BUDGET);
					FT_CHECK(out.cert_q16 == TMNET_CERT_NONE);
				} else if (ft_d2_ref(st, m, &q)) {
					FT_CHECK(out.reason == TMNET_REASON_CERT);
					FT_CHECK(out.cert_q16 == TMNET_CERT_NONE);
				} else {
					FT_CHECK(out.cert_q16 == 0 && out.d2_q16 == q);
					FT_CHECK(out.gate_macs == TM_GATE_MACS_2X2);
					FT_CHECK((out.verdict == TMNET_VERDICT_PASS ||
						  out.verdict == TMNET_VERDICT_BLEND) ==
						 (q <= cfg->chi2_q16));
					if (q > cfg->chi2_q16)
						FT_CHECK(out.reason == TMNET_REASON_CHI2);
				}
			}
			if (out.cert_q16 != TMNET_CERT_NONE) {
				run->cert_n++;
				run->cert_sum += out.cert_q16;
				if (out.cert_q16 > run->cert_max)
					run->cert_max = out.cert_q16;
			}
		}
	}
	if (out.verdict == TMNET_VERDICT_NONE)
		FT_CHECK(out.reason == TMNET_REASON_OK);
	FT_CHECK(out.verdict <= TMNET_VERDICT_BLEND);
	FT_CHECK(out.reason < __TMNET_REASON_MAX);

	/* the counters add up, per tick and in total */
	FT_CHECK(c->ticks == c0.ticks + 1);
	FT_CHECK(c->samples == c0.samples + (valid ? 1 : 0));
	FT_CHECK(c->missing == c0.missing + (valid ? 0 : 1));
	FT_CHECK(c->ticks == c->samples + c->missing);
	FT_CHECK(c->gate_pass == c0.gate_pass + (out.verdict == TMNET_VERDICT_PASS ||
						 out.verdict == TMNET_VERDICT_BLEND));
	FT_CHECK(c->blend == c0.blend + (out.verdict == TMNET_VERDICT_BLEND));
	FT_CHECK(c->blend_w_sum_q16 == c0.blend_w_sum_q16 +
		 (out.verdict == TMNET_VERDICT_BLEND ? st->mon.w_q16 : 0));
	/* the monitor: at most one store and one resolve a tick, nothing lost */
	FT_CHECK(c->mon_stored - c0.mon_stored <= (mon ? 1U : 0U));
	FT_CHECK(c->mon_resolved - c0.mon_resolved <= (mon ? 1U : 0U));
	FT_CHECK(c->mon_stored == c->mon_resolved + c->mon_dropped + st->mon.count);
	FT_CHECK(st->mon.count <= TMNET_MON_SLOTS && st->mon.head < TMNET_MON_SLOTS);
	if (c->mon_resolved != c0.mon_resolved)
		FT_CHECK(valid);
	if (st->mon.init) {
		FT_CHECK(st->mon.spp >= 0 && st->mon.snn >= 0);
		ft_check_w(st);
	}
	FT_CHECK(c->fallbacks == c0.fallbacks + (out.verdict == TMNET_VERDICT_FALLBACK));
	for (i = 0; i < __TMNET_REASON_MAX; i++) {
		__u64 d = c->gate_fail[i] - c0.gate_fail[i];

		FT_CHECK(d == (out.verdict == TMNET_VERDICT_FALLBACK && out.reason == i));
		dfail += d;
		fail_sum += c->gate_fail[i];
	}
	FT_CHECK(c->gate_fail[TMNET_REASON_OK] == 0);
	FT_CHECK(fail_sum == c->fallbacks);
	FT_CHECK(c->gate_pass + c->fallbacks == run->b_ticks + run->nomodel_ticks);
	FT_CHECK((c->sat_input - c0.sat_input) + (c->sat_act - c0.sat_act) +
		 (c->sat_out - c0.sat_out) == st->sat_tick);
	FT_CHECK(c->cert_n == run->cert_n && c->cert_sum_q16 == run->cert_sum);
	FT_CHECK(c->cert_max_q16 == run->cert_max);
	FT_CHECK(c->cert_n <= run->b_ticks);
	FT_CHECK(dfail == (out.verdict == TMNET_VERDICT_FALLBACK));
	{
		int seg = s && (s->flags & TMNET_SAMPLE_SEG_START);

		FT_CHECK(c->seg_starts == c0.seg_starts + (seg ? 1 : 0));
		/* a segment that starts without a valid sample starts cold */
		if (seg && !valid)
			FT_CHECK(!st->kf.init && !st->have_last);
	}
	if (outp)
		*outp = out;
}

/*
 * A sample: one checked tick.  A valid TMNET_SAMPLE_SEG_START sample also
 * means no streaming state crosses it, so the tick must publish what a
 * freshly reset state publishes for the same sample (all but the tick
 * number and the timing).
 */
static void ft_sample(struct tm_state *st, const struct tm_model *m, const struct tm_cfg *cfg,
		      const struct tmnet_sample *s, struct ft_run *run, int with_clk)
{
	static struct tm_state fresh;
	struct tmnet_pred ref, out;

	if (s && (s->flags & TMNET_SAMPLE_SEG_START) && (s->flags & TMNET_SAMPLE_VALID) &&
	    !(cfg->faults & TM_FAULT_STALE)) {
		tm_state_reset(&fresh);
		memset(&ref, 0, sizeof(ref));
		tm_tick(&fresh, m, cfg, s, &ref, NULL);
		ft_tick(st, m, cfg, s, run, with_clk, &out);
		FT_CHECK(out.prior_x == ref.prior_x && out.prior_y == ref.prior_y);
		FT_CHECK(out.net_x == ref.net_x && out.net_y == ref.net_y);
		/* the monitor's weight carries on over a segment start (its
		 * EWMAs are kept), so its blend may differ from a fresh state's */
		if (out.verdict != TMNET_VERDICT_BLEND)
			FT_CHECK(out.pred_x == ref.pred_x && out.pred_y == ref.pred_y);
		FT_CHECK(out.system == ref.system && out.verdict == ref.verdict);
		FT_CHECK(out.reason == ref.reason && out.flags == ref.flags);
		FT_CHECK(out.cert_q16 == ref.cert_q16 && out.d2_q16 == ref.d2_q16);
		FT_CHECK(out.gate_macs == ref.gate_macs);
		FT_CHECK(st->kf.missing == 0 && st->kf.init);
		return;
	}
	ft_tick(st, m, cfg, s, run, with_clk, NULL);
}

/* ------------------------------------------------------------------ */
/* The stream                                                           */
/* ------------------------------------------------------------------ */

static __s32 ft_extreme32(struct ft_in *in)
{
	static const __s32 v[] = {
		INT32_MIN, INT32_MAX, 0, -1, 1, INT32_MIN + 1, INT32_MAX - 1,
		1 << 16, -(1 << 16), 1 << 30, -(1 << 30),
	};
	uint8_t b = ft_u8(in);

	if (b < TM_ARRAY_SIZE(v))
		return v[b];
	return (__s32)(uint32_t)ft_bytes(in, 4);
}

static __s32 ft_clamp32(__s64 v)
{
	return tm_sat_s32(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tm_model models[2];
	static struct tm_state st;
	static uint8_t blob[TMNET_BLOB_MAX_SIZE];
	struct ft_in in = { data, size };
	struct ft_run run;
	struct tm_cfg cfg;
	struct tmnet_sample smp;
	const struct tm_model *m;
	int cur = 0, have[2] = { 0, 0 }, with_clk;
	__s32 px = 0, py = 0, vx = 0, vy = 0;
	__u32 seq = 0;

	if (ft_model(&in, &models[0], blob, sizeof(blob))) {
		FT_LOG("model rejected by the validator\n");
		return 0;
	}
	have[0] = 1;
	m = &models[0];
	ft_cfg(&in, m, &cfg);
	with_clk = ft_u8(&in) & 1;
	memset(&run, 0, sizeof(run));
	tm_state_reset(&st);

	while (in.n && run.ticks < FT_MAX_TICKS) {
		uint8_t op = ft_u8(&in);
		unsigned int rep = 1 + (op >> 4), k;

		memset(&smp, 0, sizeof(smp));
		switch (op & 7) {
		case 0:	/* steady motion for rep ticks at a velocity from the input */
		case 1:
			if (op & 1) {
				/* |v| <= 127 2^23 < 2^31 */
				vx = (__s32)(int8_t)ft_u8(&in);
				vx *= (__s32)1 << (ft_u8(&in) % 24);
				vy = (__s32)(int8_t)ft_u8(&in);
				vy *= (__s32)1 << (ft_u8(&in) % 24);
			}
			for (k = 0; k < rep && run.ticks < FT_MAX_TICKS; k++) {
				/* position step per tick: v / rate, in Q16.16 */
				px = ft_clamp32((__s64)px + vx / (__s32)m->rate_hz);
				py = ft_clamp32((__s64)py + vy / (__s32)m->rate_hz);
				smp.x = px;
				smp.y = py;
				smp.vx = vx;
				smp.vy = vy;
				smp.seq = ++seq;
				smp.flags = TMNET_SAMPLE_VALID |
					    ((op & 8) && !k ? TMNET_SAMPLE_SEG_START : 0);
				smp.t_ns = run.ticks * 500000ULL;
				ft_sample(&st, m, &cfg, &smp, &run, with_clk);
			}
			break;
		case 2:	/* one sample at the Q16.16 extremes, maybe a segment start */
			px = smp.x = ft_extreme32(&in);
			py = smp.y = ft_extreme32(&in);
			vx = smp.vx = ft_extreme32(&in);
			vy = smp.vy = ft_extreme32(&in);
			smp.seq = ++seq;
			smp.flags = TMNET_SAMPLE_VALID | ((op & 8) ? TMNET_SAMPLE_SEG_START : 0);
			ft_sample(&st, m, &cfg, &smp, &run, with_clk);
			break;
		case 3:	/* a jump: the position moves by a 32-bit step */
			px = smp.x = ft_clamp32((__s64)px + (__s32)(uint32_t)ft_bytes(&in, 4));
			py = smp.y = ft_clamp32((__s64)py + (__s32)(uint32_t)ft_bytes(&in, 4));
			smp.vx = vx;
			smp.vy = vy;
			smp.seq = ++seq;
			smp.flags = TMNET_SAMPLE_VALID | ((op & 8) ? TMNET_SAMPLE_SEG_START : 0);
			ft_sample(&st, m, &cfg, &smp, &run, with_clk);
			break;
		case 4:	/* rep missing ticks: NULL, or a record without VALID */
			for (k = 0; k < rep && run.ticks < FT_MAX_TICKS; k++) {
				smp.flags = (op & 8) ? TMNET_SAMPLE_SEG_START : 0;
				smp.x = px;
				smp.y = py;
				smp.seq = ++seq;
				ft_sample(&st, m, &cfg, (k & 1) ? NULL : &smp, &run, with_clk);
			}
			break;
		case 5: {	/* a long dropout, to and beyond the stale limit */
			__u32 lim = m->kf.stale_ticks, n;
			uint8_t b = ft_u8(&in);

			if (b & 1)
				n = lim + 1 + (b >> 1) % 4;	/* just past it */
			else
				n = (__u32)ft_bytes(&in, 2);
			if (n > FT_MAX_DROPOUT)
				n = FT_MAX_DROPOUT;
			for (k = 0; k < n && run.ticks < FT_MAX_TICKS; k++)
				ft_sample(&st, m, &cfg, NULL, &run, with_clk);
			break;
		}
		case 6:	/* a configuration change (netlink), as the kernel applies it */
			ft_cfg(&in, m, &cfg);
			break;
		default:	/* a model swap (hidden state reset) or a stats reset */
			if (op & 8) {
				int nxt = cur ^ 1;

				if (!have[nxt]) {
					if (ft_model(&in, &models[nxt], blob, sizeof(blob)))
						break;
					have[nxt] = 1;
				}
				cur = nxt;
				m = &models[cur];
				tm_state_model_changed(&st);
				/* the kernel keeps the pinned fields, re-derives the rest */
				ft_cfg(&in, m, &cfg);
			} else {
				tm_state_model_changed(&st);
			}
			break;
		}
	}
	return 0;
}
