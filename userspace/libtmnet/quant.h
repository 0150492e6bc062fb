/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Float -> INT8 quantisation of a GRU predictor into a core model / .tmn blob.
 *
 * The float network uses PyTorch's GRU layout and gate order (r, z, n):
 * w_ih[3H][F], w_hh[3H][H], b_ih[3H], b_hh[3H], then a linear head
 * w_out[2][H], b_out[2].  Inputs are the core's per-tick features in data
 * units (Q16.16 / 65536), normalised as (f - mean) / std; outputs are in
 * normalised units and multiplied by out_scale to give data units.
 */
#ifndef TMNET_QUANT_H
#define TMNET_QUANT_H

#include "tm_core.h"

struct tmq_gru {
	int n_feat;
	int hidden;
	float w_ih[TM_G3][TMNET_MAX_FEATURES];
	float w_hh[TM_G3][TMNET_MAX_HIDDEN];
	float b_ih[TM_G3];
	float b_hh[TM_G3];
	float w_out[TMNET_N_OUT][TMNET_MAX_HIDDEN];
	float b_out[TMNET_N_OUT];
};

struct tmq_params {
	int system;			/* enum tmnet_system */
	int rate_hz;
	int window_ticks;
	int horizon_ticks;
	const char *name;
	double mean[TMNET_MAX_FEATURES];	/* feature units */
	double std[TMNET_MAX_FEATURES];		/* > 0 */
	double out_scale[TMNET_N_OUT];		/* data units per output unit */
	int in_frac;				/* int8 input fraction bits, 0..7 */
	/* Kalman prior (continuous white-noise acceleration model) */
	double qa_xx, qa_xy, qa_yy;		/* units^2 / s^3 */
	double r_x, r_y;			/* units^2 */
	double p0_pos, p0_vel;
	int stale_ticks;
	/* gate */
	double eps;				/* default 0.02 */
	int budget;				/* default 200000 */
	double chi2;				/* default 9.21 */
	double cov_scale;			/* default 1 */
	double floor_xx, floor_xy, floor_yy;	/* units^2 */
	int sat_limit;
	/* prior kind and calibration (struct tmnet_blob_ext) */
	int prior_kind;				/* enum tmnet_prior_kind, default CV */
	double tau;				/* DV: velocity time constant, s */
	double hcov_scale;			/* horizon covariance calibration, default 1 */
	/* fusion (struct tmnet_blob_ext) */
	int fuse_kind;				/* enum tmnet_fuse_kind, default GATE */
	int mon_shift;				/* MONITOR: EWMA weight 2^-mon_shift */
	int mon_stride;				/* MONITOR: ticks between monitored predictions */
	double mon_init[3];			/* MONITOR: initial E[e_p.e_p], E[e_n.e_n],
						 * E[e_p.e_n], units^2 (TMNET_MON_INIT_*) */
	/* recording units of the data (tmn_units_to_blob); zero: none */
	struct tmnet_blob_units units;
};

/* Fill p with the defaults above (system B, 2 kHz, 256/1000 ticks) */
void tmq_params_default(struct tmq_params *p);

/* Fixed-point conversions with round-to-nearest and saturation */
__s64 tmq_q32(double v);
__s32 tmq_q16(double v);
/* real multiplier -> (mult, shift) with m = mult * 2^-(31 + shift) */
int tmq_rq(double m, struct tmnet_rq *rq);

/*
 * Quantise g (may be NULL for a prior-only model) with parameters p into m.
 * Returns 0, or -1 with a message in err (size errlen).
 */
int tmq_quantize(struct tm_model *m, const struct tmq_gru *g,
		 const struct tmq_params *p, char *err, int errlen);

/*
 * A deterministic random model (tests, benchmarks, fuzz seeds): weights
 * N(0, wscale^2 / fan_in), feature scales typical of 2 kHz data in units.
 * g and p may be NULL.  Returns 0 or -1 with a message in err.
 */
int tmq_random_model(struct tm_model *m, int sys, int hidden, double wscale,
		     unsigned long long seed, struct tmq_gru *g, struct tmq_params *p,
		     char *err, int errlen);

/*
 * Gate calibration: a network correction r (data units) with the prior's
 * horizon covariance p (xx, xy, yy) at that tick.
 */
struct tmq_corr {
	double r[2];
	double p[3];
	double ep[2];	/* the prior's horizon error (prior - target), units */
};

#define TMQ_COV_SCALE_MIN	(1.0 / 65536)	/* the blob's Q16 resolution */
#define TMQ_COV_SCALE_MAX	1000.0		/* the validator's limit */

/* fraction of corrections with r' (c P + f I)^-1 r <= chi2 (1 when n = 0) */
double tmq_pass_rate(const struct tmq_corr *cv, size_t n, double c, double f, double chi2);
/* the largest r' (c P + f I)^-1 r over the corrections (0 when n = 0; inf if S is singular) */
double tmq_d2_max(const struct tmq_corr *cv, size_t n, double c, double f);
/*
 * The smallest cov_scale in [TMQ_COV_SCALE_MIN, TMQ_COV_SCALE_MAX] with a
 * pass rate >= target.  Returns 0, or +1 when even the maximum passes less
 * than the target (cov_scale = the maximum), -1 when the minimum already
 * passes more (cov_scale = the minimum): the bound was hit.
 */
int tmq_gate_fit(const struct tmq_corr *cv, size_t n, double floor, double chi2, double target,
		 double *cov_scale);

/*
 * Monitor calibration: the second moments of the prior's and the network's
 * horizon errors (units^2) over resolved predictions, and the
 * minimum-variance weight of the prior w = (nn - pn) / (pp + nn - 2 pn) in
 * [0, 1] (1 when the two agree everywhere).
 */
struct tmq_mon_fit {
	double pp, nn, pn;
	double w;
	size_t n;
};

/* add one resolved pair of errors (e_p = prior - z, e_n = net - z) */
void tmq_mon_add(struct tmq_mon_fit *f, const double ep[2], const double en[2]);
/* finish: moments are means, w the clamped weight */
void tmq_mon_finish(struct tmq_mon_fit *f);
/* The stride the validator allows with TMNET_MON_SLOTS slots: ceil(H / (slots - 1)) */
int tmq_mon_stride_min(int horizon_ticks);

/* Model <-> .tmn file.  Return 0 or -1 with a message in err. */
int tmq_write_blob_file(const char *path, const struct tm_model *m,
			char *err, int errlen);
int tmq_read_blob_file(const char *path, struct tm_model *m,
		       void **blob_out, __u32 *len_out, char *err, int errlen);

#endif /* TMNET_QUANT_H */
