/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Data pipeline: temporal split, the core's prior over the data, per-tick
 * features and targets, normalisation, Kalman fit and sliding windows.
 *
 * Every feature and every prior value comes from the core's own
 * tm_stage_prior(), run tick by tick from a reset state at the start of
 * each split, exactly as the kernel (and `tmnet eval`) runs it.
 */
#ifndef TMN_PREP_H
#define TMN_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "quant.h"
#include "tmn_data.h"

/*
 * Temporal 70/15/15 split of ticks [0, n) with a gap of `gap` ticks
 * (>= horizon) between the parts; every range is [lo, hi).
 */
struct tmn_split {
	size_t lo[3], hi[3];	/* 0 train, 1 val, 2 test */
	size_t gap;
};

int tmn_split_make(size_t n, size_t window, size_t horizon, struct tmn_split *sp);

/* Isotropic constant-velocity Kalman parameters (double, data units) */
struct tmn_kalman {
	double qa;		/* units^2 / s^3 on each axis */
	double r;		/* units^2 */
	double p0_pos, p0_vel;
	int stale_ticks;
};

/* Fill the Kalman fields of a quantiser parameter block */
void tmn_kalman_to_params(const struct tmn_kalman *k, struct tmq_params *p);
/* A prior-only core model with these Kalman parameters */
int tmn_prior_model(const struct tmn_kalman *k, int rate_hz, int horizon,
		    struct tm_model *m, char *err, int errlen);

/*
 * Per-tick arrays over ticks [lo, hi) of a series, produced by running the
 * core prior from reset at lo.  Index i is tick lo + i.
 */
/*
 * Per-tick features: the core's six (A uses the first 4, B all 6), then an
 * optional pair that the core does not compute, for measuring alternative
 * System B inputs in float only (tmnet train --b-extra; not quantisable):
 *   TMN_EXTRA_VEL    the filter's velocity (vx, vy), units/s
 *   TMN_EXTRA_RESID  measured minus filtered position (the innovation
 *                    after the update, (1 - K) times the innovation), units
 */
#define TMN_FEAT_N	8
enum { TMN_EXTRA_NONE, TMN_EXTRA_VEL, TMN_EXTRA_RESID };

struct tm_state;
/* the TMN_FEAT_N features of the tick st has just ingested */
void tmn_feat_from_state(const struct tm_state *st, int extra, float out[TMN_FEAT_N]);

struct tmn_track {
	size_t lo, n;
	int horizon;
	int extra;		/* TMN_EXTRA_* in feat[6], feat[7] */
	float *feat;		/* [n][TMN_FEAT_N] data units */
	double *prior;		/* [n][2] horizon prior position */
	double *pcov;		/* [n][3] horizon covariance xx, xy, yy */
	double *last;		/* [n][2] last valid sample position */
	double *tgt;		/* [n][2] measured position at i + horizon */
	uint8_t *ok;		/* [n] prior initialised, have_last and the
				 * target tick is valid and inside [lo, hi) */
};

int tmn_track_build(const struct tmn_series *d, size_t lo, size_t hi,
		    const struct tm_model *prior_model, int extra, struct tmn_track *tr);
void tmn_track_free(struct tmn_track *tr);

/*
 * Fit the Kalman prior on a training track range: r from the robust
 * variance of second differences of the measured positions, qa by a
 * log-spaced search minimising the prior's horizon MSE.  Prints progress to
 * stderr when verbose.
 */
int tmn_kalman_fit(const struct tmn_series *d, size_t lo, size_t hi, int horizon,
		   struct tmn_kalman *k, int verbose);

/* Normalisation fitted on the training track only */
struct tmn_norm {
	int system, F;		/* F: 4 (A), 6 (B) or 8 (B with extra inputs) */
	double mean[TMNET_MAX_FEATURES], std[TMNET_MAX_FEATURES];
	double out_scale;	/* data units per normalised output unit */
	int in_frac;		/* int8 input fraction bits (calibrated) */
	int extra;		/* TMN_EXTRA_*; in what was tail padding, so
				 * checkpoints written before it (zeroed) read as 0 */
};

int tmn_norm_fit(const struct tmn_track *tr, int system, struct tmn_norm *nm);

/* Normalised, clipped inputs x[n][F], targets y[n][2] and mask m[n] */
struct tmn_xy {
	size_t n;
	int F;
	float *x, *y;
	uint8_t *m;
};

/* Normalise and clip one tick's features (TMN_FEAT_N in, F out) as training does */
void tmn_norm_apply(const struct tmn_norm *nm, const float *feat, float *x);
int tmn_xy_build(const struct tmn_track *tr, const struct tmn_norm *nm, struct tmn_xy *xy);
void tmn_xy_free(struct tmn_xy *xy);
/* base position the system adds its output to (last sample or prior) */
void tmn_base(const struct tmn_track *tr, int system, size_t i, double out[2]);

/*
 * Window starts over a track of n ticks: every `stride`, windows of `window`
 * ticks (their targets are inside the track by construction of tr->ok).
 */
size_t tmn_windows(size_t n, size_t window, size_t stride, size_t **starts);

#endif /* TMN_PREP_H */
