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
/*
 * The same split of a series with segments (TMNET_SAMPLE_SEG_START): a cut
 * that a segment start lies near (within n/20 of where the plain split puts
 * it) moves onto that start and needs no gap, since nothing crosses a
 * segment start; otherwise the cut keeps its gap.  Each part's first tick
 * is a fresh start (the prior runs from reset there).  With one segment the
 * split is tmn_split_make()'s.
 */
int tmn_split_make_seg(const struct tmn_series *d, size_t window, size_t horizon,
		       struct tmn_split *sp);

/* index of the first segment start in (i, hi), or hi */
size_t tmn_next_seg(const struct tmn_series *d, size_t i, size_t hi);
/* number of segments in [lo, hi) (a part's first tick always starts one) */
size_t tmn_count_segs(const struct tmn_series *d, size_t lo, size_t hi);

/* horizon / window in ticks from milliseconds at a rate (rounded, >= 1) */
int tmn_ms_to_ticks(double ms, int rate_hz);

/*
 * Isotropic Kalman prior parameters (double, data units): the per-tick
 * constant-velocity filter (qa, r, p0) and the horizon model (kind, tau)
 * with its covariance calibration (blob version 3's struct tmnet_blob_ext;
 * kind CV and hcov_scale 0 or 1 give a version 1/2 blob).
 */
struct tmn_kalman {
	double qa;		/* units^2 / s^3 on each axis */
	double r;		/* units^2 */
	double p0_pos, p0_vel;
	int stale_ticks;
	int kind;		/* enum tmnet_prior_kind (0: CV) */
	double tau;		/* DV: velocity time constant, s (0 for CV) */
	double hcov_scale;	/* horizon covariance calibration; 0 or 1: none */
};

/* tmnet train --prior: which horizon model to fit and keep */
enum { TMN_PRIOR_AUTO, TMN_PRIOR_MODE_CV, TMN_PRIOR_MODE_DV };

/*
 * What the Kalman fit did (tmnet train prints it on one line, --json as
 * fields).  qa is searched on a half-decade grid around a centre derived
 * from the data (the variance of the velocity change over the horizon
 * divided by the horizon: the white-noise-acceleration model's own
 * relation), 3 decades either side; an optimum on an end of the range
 * widens that side by 3 decades, at most TMN_FIT_WIDEN_MAX times, and an
 * optimum still on an end is reported as a bound hit.
 */
#define TMN_FIT_WIDEN_MAX	2
enum { TMN_R_MAD, TMN_R_MEANSQ, TMN_R_FLOOR };
struct tmn_fit_report {
	double qa_centre;	/* units^2/s^3, from the data */
	double qa_lo, qa_hi;	/* the final search range */
	int points;		/* qa values tried */
	int rejected;		/* of which the core's range (blob validator) refused */
	int widened;		/* range widenings */
	int qa_bound;		/* -1 optimum on the lower end, +1 upper, 0 inside */
	int qa_core_limit;	/* that end is the core's range (values past it
				 * are rejected by the blob validator) */
	int r_source;		/* TMN_R_*: robust (MAD), mean square, or the floor */
	double r_floor;		/* units^2 */
	int p0_vel_capped;	/* p0_vel limited by the core's range (2^18 r) */
	double horizon_rmse;	/* the prior's, units, at the chosen qa */
	size_t fit_ticks;	/* ticks of the qa search */
	int fit_chunks;		/* in this many evenly spaced stretches */
	size_t seg_skipped;	/* second differences left out at segment starts */
	/*
	 * The damped-velocity prior, fitted on the same ticks: every qa of
	 * the grid with every tau of a log grid (TMN_TAU_POINTS, quarter
	 * decades over the blob's range 1/128 .. 1000 s), in one filter pass
	 * per qa (the filter does not depend on tau), minimising the horizon
	 * MSE.  A tau on an end of the grid is reported as a bound hit.
	 */
	int dv_fitted;
	double cv_qa;		/* the CV optimum (k->qa after the fit) */
	double dv_qa, dv_tau;	/* the DV optimum */
	double dv_tau_lo, dv_tau_hi;
	int dv_tau_bound;	/* -1 lower end, +1 upper end, 0 inside */
	int dv_qa_bound;	/* the same for its qa */
	int dv_qa_core_limit;	/* that end is the core's range */
	double dv_horizon_rmse;	/* training, units */
	/* tmn_prior_select(): the choice on validation and the calibration */
	int selected;		/* 1 once tmn_prior_select() ran */
	int mode;		/* TMN_PRIOR_* asked for */
	double val_rmse_cv, val_rmse_dv;	/* validation horizon RMSE, units */
	size_t val_ticks;	/* scored validation ticks */
	int val_chunks;
	/*
	 * NEES = e' C^-1 e of the horizon error e (measured minus prior) with
	 * the core's horizon covariance C, on validation: before (raw, hcov
	 * 1) and after the calibration hcov = raw mean / 2 (2-D errors), with
	 * the fraction inside the 99 % ellipse (NEES <= 9.21 = chi2(2))
	 */
	double nees_raw_mean, nees_raw_in99;
	double nees_mean, nees_in99;
	double hcov_scale;
	int hcov_capped;	/* hcov at an end of the blob's range */
	size_t nees_n;
};
#define TMN_TAU_POINTS	22
#define TMN_CHI2_2_99	9.2103
/* one line, no newline: "kalman fit: ..." */
void tmn_fit_report_line(const struct tmn_kalman *k, const struct tmn_fit_report *r,
			 char *buf, size_t len);

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

/*
 * One pass of the core prior over ticks [lo, hi) of a series, from reset at
 * lo, one tick at a time: the per-tick values without per-tick arrays.
 * The core resets its streaming state at every TMNET_SAMPLE_SEG_START
 * itself (tm_stage_prior); the cursor masks targets that would cross one.
 */
struct tmn_tick {
	float feat[TMN_FEAT_N];
	double prior[2];	/* horizon prior position */
	double pcov[3];		/* its covariance xx, xy, yy */
	double last[2];		/* last valid sample position */
	double tgt[2];		/* measured position at i + horizon (when ok) */
	int ok;			/* prior initialised, have_last, and the target
				 * tick is valid, inside [lo, hi) and in the
				 * same segment */
	int seg;		/* this tick starts a segment (or the part) */
};

struct tmn_cursor {
	const struct tmn_series *d;
	const struct tm_model *pm;
	struct tm_state *st;
	size_t lo, hi, i, nxt;
	int extra;
};

int tmn_cursor_init(struct tmn_cursor *c, const struct tmn_series *d, size_t lo, size_t hi,
		    const struct tm_model *prior_model, int extra);
/* the tick at c->i (then c->i advances); returns 0 at the end */
int tmn_cursor_next(struct tmn_cursor *c, struct tmn_tick *t);
void tmn_cursor_free(struct tmn_cursor *c);

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
				 * target tick is valid, inside [lo, hi) and in
				 * the same segment */
	size_t *segs, nsegs;	/* segment starts (track indices, segs[0] = 0) */
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
/*
 * the same, saying what it did (rep may be NULL); k is the CV fit, rep
 * also holds the DV fit (dv_qa, dv_tau) for tmn_prior_select()
 */
int tmn_kalman_fit_rep(const struct tmn_series *d, size_t lo, size_t hi, int horizon,
		       struct tmn_kalman *k, struct tmn_fit_report *rep, int verbose);
/*
 * Choose the horizon model (mode TMN_PRIOR_*: CV, DV, or auto = the lower
 * horizon MSE on the validation part sp->lo[1] .. sp->hi[1]) from a fit's
 * report, then calibrate hcov_scale so that the prior's NEES on the
 * validation part has mean 2, and measure the NEES before and after.
 * qa_force > 0 sets qa and refits tau at that qa on the training part.
 * Updates k and rep; returns 0 or -1.
 */
int tmn_prior_select(const struct tmn_series *d, const struct tmn_split *sp, int horizon,
		     int mode, double qa_force, struct tmn_kalman *k, struct tmn_fit_report *rep,
		     int verbose);
/* TMN_PRIOR_* from "cv", "dv" or "auto"; -1 otherwise */
int tmn_prior_mode_parse(const char *s);
/* "CV" or "DV" */
const char *tmn_prior_kind_name(int kind);

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

/*
 * Normalised, clipped inputs x[n][F], targets y[n][2] and mask m[n], in
 * runs: runs[r] is the first tick of run r (runs[0] = 0), and no window
 * and no carried hidden state crosses a run start.  run_seg[r] is 1 when
 * the run begins at a segment start inside the part (the core's hidden
 * state is exactly zero there), 0 when it begins at the part's first tick
 * or at a block of a subsampled part (the state before it is unknown, so
 * validation warms up there).
 */
struct tmn_xy {
	size_t n;
	int F;
	float *x, *y;
	uint8_t *m;
	size_t *runs, nruns;
	uint8_t *run_seg;
};

/* Normalise and clip one tick's features (TMN_FEAT_N in, F out) as training does */
void tmn_norm_apply(const struct tmn_norm *nm, const float *feat, float *x);
int tmn_xy_build(const struct tmn_track *tr, const struct tmn_norm *nm, struct tmn_xy *xy);

/*
 * Bounded memory: the inputs of ticks [lo, hi) straight from the core
 * prior (no per-tick prior/covariance/target arrays).  When the part has
 * more than max_ticks ticks (0: no limit), evenly spaced blocks of `block`
 * ticks (at least a window) are kept, max_ticks in all; every block starts
 * a run.  The normalisation is fitted on the same ticks when fit_norm
 * (nm->system must be set then), else taken from nm.  progress (may be
 * NULL) prints one line every ~10 % to stderr under that label.
 */
int tmn_xy_stream(const struct tmn_series *d, size_t lo, size_t hi,
		  const struct tm_model *prior_model, int extra, size_t max_ticks, size_t block,
		  int fit_norm, struct tmn_norm *nm, struct tmn_xy *xy, const char *progress);
void tmn_xy_free(struct tmn_xy *xy);
/* base position the system adds its output to (last sample or prior) */
void tmn_base(const struct tmn_track *tr, int system, size_t i, double out[2]);

/*
 * Window starts over a track of n ticks: every `stride`, windows of `window`
 * ticks (their targets are inside the track by construction of tr->ok).
 */
size_t tmn_windows(size_t n, size_t window, size_t stride, size_t **starts);
/*
 * The same inside each run of xy: windows start every `stride` from each
 * run's first tick and never cross a run start.  cont (may be NULL)
 * receives [count] flags: 1 when window w starts `stride` after window w - 1
 * in the same run (so w - 1's state at that tick may seed w).
 */
size_t tmn_windows_runs(const struct tmn_xy *xy, size_t window, size_t stride, size_t **starts,
			uint8_t **cont);

#endif /* TMN_PREP_H */
