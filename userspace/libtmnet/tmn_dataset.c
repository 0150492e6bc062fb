// SPDX-License-Identifier: GPL-2.0
/* Load a data set: CSV -> split -> Kalman -> core prior tracks -> inputs */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_dataset.h"

static int fail(char *err, int errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, int errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, (size_t)errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void tmn_dataset_free(struct tmn_dataset *ds)
{
	tmn_series_free(&ds->d);
	free(ds->prior);
	for (int i = 0; i < 2; i++) {
		tmn_track_free(&ds->tr[i]);
		tmn_xy_free(&ds->xy[i]);
	}
	memset(ds, 0, sizeof(*ds));
}

int tmn_dataset_load(struct tmn_dataset *ds, const char *csv, int system,
		     const struct tmn_ckpt_hdr *from, int verbose, char *err, int errlen)
{
	return tmn_dataset_load_qa(ds, csv, system, from, 0, TMN_EXTRA_NONE, verbose, err,
				   errlen);
}

int tmn_dataset_load_qa(struct tmn_dataset *ds, const char *csv, int system,
			const struct tmn_ckpt_hdr *from, double qa, int extra, int verbose,
			char *err, int errlen)
{
	char e2[512];

	memset(ds, 0, sizeof(*ds));
	ds->system = system;
	if (tmn_csv_read(csv, &ds->d, err, errlen))
		return -1;
	if (ds->d.rate_hz != TMNET_DEFAULT_RATE_HZ && verbose)
		fprintf(stderr, "note: data rate %d Hz; window/horizon scale with it\n",
			ds->d.rate_hz);
	ds->horizon = TMNET_DEFAULT_HORIZON_TICKS * ds->d.rate_hz / TMNET_DEFAULT_RATE_HZ;
	ds->window = TMNET_DEFAULT_WINDOW_TICKS * ds->d.rate_hz / TMNET_DEFAULT_RATE_HZ;
	if (from) {
		ds->horizon = (int)from->horizon;
		ds->window = (int)from->window;
	}
	if (ds->d.rate_hz < TMNET_MIN_RATE_HZ || ds->d.rate_hz > TMNET_MAX_RATE_HZ) {
		tmn_dataset_free(ds);
		return fail(err, errlen, "%s: sample rate %d Hz out of range", csv, ds->d.rate_hz);
	}
	if (tmn_split_make(ds->d.n, (size_t)ds->window, (size_t)ds->horizon, &ds->sp)) {
		size_t n = ds->d.n;
		int gap = ds->window + ds->horizon;

		tmn_dataset_free(ds);
		return fail(err, errlen, "%s: %zu samples is too short for a 70/15/15 split with %d-tick gaps",
			    csv, n, gap);
	}
	if (verbose)
		fprintf(stderr, "data: %zu samples at %d Hz; train [%zu,%zu) val [%zu,%zu) test [%zu,%zu), gaps %zu ticks\n",
			ds->d.n, ds->d.rate_hz, ds->sp.lo[0], ds->sp.hi[0], ds->sp.lo[1],
			ds->sp.hi[1], ds->sp.lo[2], ds->sp.hi[2], ds->sp.gap);
	if (from) {
		ds->kalman = from->kalman;
		ds->norm = from->norm;
	} else if (tmn_kalman_fit(&ds->d, ds->sp.lo[0], ds->sp.hi[0], ds->horizon, &ds->kalman,
				  verbose)) {
		tmn_dataset_free(ds);
		return fail(err, errlen, "%s: cannot fit the Kalman prior (too few valid samples?)",
			    csv);
	}
	if (!from && qa > 0) {
		ds->kalman.qa = qa;
		if (verbose)
			fprintf(stderr, "kalman: qa set to %.4g units^2/s^3 by the caller\n", qa);
	}
	ds->prior = malloc(sizeof(*ds->prior));
	if (!ds->prior ||
	    tmn_prior_model(&ds->kalman, ds->d.rate_hz, ds->horizon, ds->prior, e2, sizeof(e2))) {
		tmn_dataset_free(ds);
		return fail(err, errlen, "prior model: %s", e2);
	}
	for (int i = 0; i < 2; i++)
		if (tmn_track_build(&ds->d, ds->sp.lo[i], ds->sp.hi[i], ds->prior,
				    from ? from->norm.extra : extra, &ds->tr[i])) {
			tmn_dataset_free(ds);
			return fail(err, errlen, "out of memory");
		}
	if (!from && tmn_norm_fit(&ds->tr[0], system, &ds->norm)) {
		tmn_dataset_free(ds);
		return fail(err, errlen, "%s: no usable training ticks", csv);
	}
	if (verbose) {
		fprintf(stderr, "norm: out_scale %.3f units, in_frac %d (int8 range +-%.2f sd); mean/std:",
			ds->norm.out_scale, ds->norm.in_frac, 127.0 / (1 << ds->norm.in_frac));
		for (int k = 0; k < ds->norm.F; k++)
			fprintf(stderr, " %.3g/%.3g", ds->norm.mean[k], ds->norm.std[k]);
		fprintf(stderr, "\n");
	}
	for (int i = 0; i < 2; i++) {
		double s2 = 0, c = 0;

		if (tmn_xy_build(&ds->tr[i], &ds->norm, &ds->xy[i])) {
			tmn_dataset_free(ds);
			return fail(err, errlen, "out of memory");
		}
		for (size_t t = (size_t)ds->window / 4; t < ds->xy[i].n; t++)
			if (ds->xy[i].m[t]) {
				s2 += (double)ds->xy[i].y[2 * t] * ds->xy[i].y[2 * t] +
				      (double)ds->xy[i].y[2 * t + 1] * ds->xy[i].y[2 * t + 1];
				c++;
			}
		ds->zero_mse[i] = c > 0 ? s2 / (2 * c) : 0;
		if (verbose)
			fprintf(stderr, "%s: MSE of a zero output (%s) %.5f normalised\n",
				i ? "val" : "train",
				system == TMNET_SYS_A ? "hold the last position" : "the prior alone",
				ds->zero_mse[i]);
	}
	return 0;
}

void tmn_dataset_hdr(const struct tmn_dataset *ds, struct tmn_ckpt_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->rate_hz = (uint32_t)ds->d.rate_hz;
	h->horizon = (uint32_t)ds->horizon;
	h->window = (uint32_t)ds->window;
	h->norm = ds->norm;
	h->kalman = ds->kalman;
	h->data_n = ds->d.n;
}
