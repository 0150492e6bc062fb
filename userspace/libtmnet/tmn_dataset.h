/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A loaded data set: the series, its split, the Kalman prior (fitted on the
 * training part, or taken from a checkpoint), the core prior's tracks and
 * the normalised training/validation inputs.
 */
#ifndef TMN_DATASET_H
#define TMN_DATASET_H

#include "tmn_prep.h"
#include "tmn_train.h"

struct tmn_dataset {
	struct tmn_series d;
	struct tmn_split sp;
	struct tmn_kalman kalman;
	struct tm_model *prior;		/* prior-only core model */
	struct tmn_norm norm;
	struct tmn_track tr[2];		/* train, val */
	struct tmn_xy xy[2];
	int system, horizon, window;
	double zero_mse[2];		/* MSE of predicting 0 (the base alone) */
};

/*
 * from == NULL: fit the Kalman prior and the normalisation on the training
 * part; else take both from the checkpoint header.
 */
int tmn_dataset_load(struct tmn_dataset *ds, const char *csv, int system,
		     const struct tmn_ckpt_hdr *from, int verbose, char *err, int errlen);
/* The same with the Kalman qa forced to qa (> 0) instead of searched */
/* qa > 0 forces the prior's qa; extra (TMN_EXTRA_*) adds B inputs (float only) */
int tmn_dataset_load_qa(struct tmn_dataset *ds, const char *csv, int system,
			const struct tmn_ckpt_hdr *from, double qa, int extra, int verbose,
			char *err, int errlen);
void tmn_dataset_free(struct tmn_dataset *ds);
/* Fill the data-dependent fields of a checkpoint header */
void tmn_dataset_hdr(const struct tmn_dataset *ds, struct tmn_ckpt_hdr *h);

#endif
