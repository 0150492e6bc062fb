/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The training loop: Adam, gradient clipping, early stopping on the
 * validation split, a checkpoint every epoch (resumable), uniform or active
 * window selection, two worker threads per batch.
 */
#ifndef TMN_TRAIN_H
#define TMN_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "tmn_gru.h"
#include "tmn_prep.h"

struct tmn_train_cfg {
	int system;
	int hidden;
	int epochs;
	int batch;
	int window;		/* ticks per training window (BPTT length) */
	int burn;		/* leading ticks of a window without loss */
	int stride;		/* window pool stride */
	int patience;		/* early stopping: epochs without val progress */
	int threads;
	double lr, clip, smooth;
	double huber;		/* pseudo-Huber scale of the data loss, 0 = MSE */
	double head_gain;	/* see struct tmn_gru */
	uint64_t seed;
	size_t budget;		/* windows per epoch, 0 = the whole pool */
	int active;		/* 1: kNN + PageRank guided selection */
	int knn_k;
	double push_eps, push_alpha, active_mix;
	const char *ckpt;	/* checkpoint path (may be NULL) */
	int resume;
	int quiet;
};

void tmn_train_default(struct tmn_train_cfg *c);

/*
 * Checkpoint: everything needed to resume or to quantise.  Version 2
 * carries the prior's kind, tau and hcov_scale in struct tmn_kalman;
 * version 1 (before them) still reads, as a CV prior without calibration.
 */
#define TMN_CKPT_MAGIC "TMNCKPT1"
#define TMN_CKPT_VERSION 2

struct tmn_ckpt_hdr {
	char magic[8];
	uint32_t version, system, F, H;
	uint32_t rate_hz, window, horizon, burn;
	struct tmn_norm norm;
	struct tmn_kalman kalman;
	uint32_t epochs_done, best_epoch, bad_epochs, done;
	uint64_t seed;
	double best_val;
	int64_t adam_t;
	uint64_t rng[4];
	uint64_t np;
	uint64_t data_n;	/* samples in the data file it was trained on */
	double train_seconds;	/* wall time spent so far */
	double val_hist[64];
	double head_gain;
};

struct tmn_model_f {
	struct tmn_ckpt_hdr h;
	struct tmn_gru g;	/* best-on-val parameters */
};

int tmn_ckpt_load(const char *path, struct tmn_model_f *mf, char *err, int errlen);
void tmn_model_f_free(struct tmn_model_f *mf);

struct tmn_train_result {
	double best_val;	/* MSE, normalised units */
	int best_epoch, epochs_run;
	double seconds;
	double sel_seconds;	/* of which spent in active selection */
};

/*
 * Train on train/val inputs.  hdr carries norm/kalman/rate/horizon to be
 * written into checkpoints.  out receives the best-on-val network (F from
 * the norm, caller frees).
 */
int tmn_train_run(const struct tmn_train_cfg *c, struct tmn_ckpt_hdr *hdr,
		  const struct tmn_xy *tr, const struct tmn_xy *va, struct tmn_gru *out,
		  struct tmn_train_result *res, char *err, int errlen);

/* Forward-only MSE (normalised units) of g over windows of xy (stride = window) */
double tmn_eval_windows(const struct tmn_gru *g, const struct tmn_xy *xy, int window,
			int burn, int batch, int threads);

/*
 * MSE (normalised) of g streamed over xy: contiguous chunks processed in
 * parallel with the hidden state carried from window to window (chunks of
 * at least 16 windows where possible; the first two windows of each chunk
 * are warm-up and unscored)
 */
double tmn_eval_stream(const struct tmn_gru *g, const struct tmn_xy *xy, int window,
		       int batch, int threads);

/*
 * Window embedding for the kNN graph (tmn_window_embed_dim(F) values): the
 * mean of the normalised velocity-like features (2 .. F-1) over the second
 * half of the window, and vx, vy at its last and first tick.
 */
int tmn_window_embed_dim(int F);
void tmn_window_embed(const struct tmn_xy *xy, size_t start, int window, float *emb);

/*
 * A training set in bounded memory: the series, its segment-aware split,
 * the Kalman prior (fitted, with its report, or from a checkpoint) and the
 * normalised train/val inputs streamed from the core prior (at most
 * max_ticks[0] / max_ticks[1] ticks each, in evenly spaced blocks beyond
 * that).  Nothing per tick but the inputs stays allocated; the caller may
 * free the series (tmn_series_free(&ts->d)) once it is loaded.
 */
struct tmn_trainset_cfg {
	int system;
	double horizon_ms, window_ms;	/* 0: the defaults (500, 128) at the data rate */
	double qa;		/* > 0: force the prior's qa */
	int prior_mode;		/* TMN_PRIOR_*: CV, DV or auto (on validation) */
	int extra;		/* TMN_EXTRA_* */
	size_t max_ticks[2];	/* train, val; 0 = no limit */
	const struct tmn_ckpt_hdr *from;	/* take kalman/norm/horizon/window from it */
	int verbose;
};

#define TMN_MAX_TRAIN_TICKS_DEFAULT	4000000
#define TMN_MAX_VAL_TICKS_DEFAULT	1000000

struct tmn_trainset {
	struct tmn_series d;
	struct tmn_split sp;
	struct tmn_kalman kalman;
	struct tmn_fit_report fit;
	int fitted;		/* fit is meaningful (not from a checkpoint) */
	struct tm_model *prior;
	struct tmn_norm norm;
	struct tmn_xy xy[2];
	int system, horizon, window;
	size_t nsegs;		/* segments in the whole series */
	size_t part_ticks[2];	/* ticks of the train / val parts */
	double zero_mse[2];
};

void tmn_trainset_default(struct tmn_trainset_cfg *c);
int tmn_trainset_load(struct tmn_trainset *ts, const char *csv, const struct tmn_trainset_cfg *c,
		      char *err, int errlen);
void tmn_trainset_free(struct tmn_trainset *ts);
void tmn_trainset_hdr(const struct tmn_trainset *ts, struct tmn_ckpt_hdr *h);

#endif /* TMN_TRAIN_H */
