// SPDX-License-Identifier: GPL-2.0
/*
 * Data pipeline: split, core prior pass, features, targets, normalisation.
 *
 * Split: the usable length n - 2 gap is divided 70/15/15 in time order, with
 * gap = horizon + window ticks left out between train|val and val|test.
 * Windows and their targets stay inside their own part (tr->ok is 0 when
 * i + horizon leaves the part), so no target leaks across a boundary, and the
 * gap keeps even the val/test histories away from the training targets.
 *
 * Targets (data units, then divided by out_scale):
 *   System A: pos(t + H) - last valid sample position at t
 *   System B: pos(t + H) - prior(t)   (the residual over the core's prior)
 * pos(t + H) is the measured position of tick t + H (valid ticks only).
 *
 * Input calibration (see tmn_norm_fit): in_frac = 4 and per-feature scales
 * such that 99.9 % of the training values fit the int8 range.
 * Training clips z to +-127 / 2^in_frac as well, so the float network sees
 * what the int8 one sees (apart from rounding).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_prep.h"

int tmn_split_make(size_t n, size_t window, size_t horizon, struct tmn_split *sp)
{
	size_t gap = horizon + window, use, a, b;

	memset(sp, 0, sizeof(*sp));
	if (n < 2 * gap + 20 * (window + horizon))
		return -1;
	use = n - 2 * gap;
	a = use * 70 / 100;
	b = use * 85 / 100;
	sp->gap = gap;
	sp->lo[0] = 0;
	sp->hi[0] = a;
	sp->lo[1] = a + gap;
	sp->hi[1] = b + gap;
	sp->lo[2] = b + 2 * gap;
	sp->hi[2] = n;
	return 0;
}

void tmn_kalman_to_params(const struct tmn_kalman *k, struct tmq_params *p)
{
	p->qa_xx = k->qa;
	p->qa_yy = k->qa;
	p->qa_xy = 0;
	p->r_x = k->r;
	p->r_y = k->r;
	p->p0_pos = k->p0_pos;
	p->p0_vel = k->p0_vel;
	p->stale_ticks = k->stale_ticks;
}

int tmn_prior_model(const struct tmn_kalman *k, int rate_hz, int horizon,
		    struct tm_model *m, char *err, int errlen)
{
	struct tmq_params p;

	tmq_params_default(&p);
	p.system = TMNET_SYS_PRIOR;
	p.rate_hz = rate_hz;
	p.horizon_ticks = horizon;
	p.name = "prior";
	tmn_kalman_to_params(k, &p);
	return tmq_quantize(m, NULL, &p, err, errlen);
}

void tmn_track_free(struct tmn_track *tr)
{
	free(tr->feat);
	free(tr->prior);
	free(tr->pcov);
	free(tr->last);
	free(tr->tgt);
	free(tr->ok);
	memset(tr, 0, sizeof(*tr));
}

void tmn_feat_from_state(const struct tm_state *st, int extra, float out[TMN_FEAT_N])
{
	for (int k = 0; k < 6; k++)
		out[k] = (float)(st->feat[k] / 65536.0);
	out[6] = out[7] = 0;
	if (!st->kf.init)
		return;
	if (extra == TMN_EXTRA_VEL) {
		out[6] = (float)(st->kf.x[2] / 4294967296.0);
		out[7] = (float)(st->kf.x[3] / 4294967296.0);
	} else if (extra == TMN_EXTRA_RESID && st->have_last) {
		out[6] = (float)(st->last_x / 65536.0 - st->kf.x[0] / 4294967296.0);
		out[7] = (float)(st->last_y / 65536.0 - st->kf.x[1] / 4294967296.0);
	}
}

int tmn_track_build(const struct tmn_series *d, size_t lo, size_t hi,
		    const struct tm_model *pm, int extra, struct tmn_track *tr)
{
	struct tm_state *st = malloc(sizeof(*st));
	struct tm_cfg cfg;
	size_t n = hi - lo, i;
	const size_t H = pm->horizon_ticks;

	memset(tr, 0, sizeof(*tr));
	if (!st || hi > d->n || lo >= hi) {
		free(st);
		return -1;
	}
	tr->lo = lo;
	tr->n = n;
	tr->horizon = (int)H;
	tr->extra = extra;
	tr->feat = malloc(n * TMN_FEAT_N * sizeof(float));
	tr->prior = malloc(n * 2 * sizeof(double));
	tr->pcov = malloc(n * 3 * sizeof(double));
	tr->last = malloc(n * 2 * sizeof(double));
	tr->tgt = calloc(n * 2, sizeof(double));
	tr->ok = calloc(n, 1);
	if (!tr->feat || !tr->prior || !tr->pcov || !tr->last || !tr->tgt || !tr->ok) {
		free(st);
		tmn_track_free(tr);
		return -1;
	}
	tm_cfg_from_model(&cfg, pm);
	tm_state_reset(st);
	for (i = 0; i < n; i++) {
		tm_stage_prior(st, pm, &cfg, &d->s[lo + i]);
		tmn_feat_from_state(st, extra, tr->feat + i * TMN_FEAT_N);
		tr->prior[2 * i] = (double)st->prior[0] / 4294967296.0;
		tr->prior[2 * i + 1] = (double)st->prior[1] / 4294967296.0;
		tr->pcov[3 * i] = (double)st->prior_cov[0][0] / 4294967296.0;
		tr->pcov[3 * i + 1] = (double)st->prior_cov[0][1] / 4294967296.0;
		tr->pcov[3 * i + 2] = (double)st->prior_cov[1][1] / 4294967296.0;
		tr->last[2 * i] = st->last_x / 65536.0;
		tr->last[2 * i + 1] = st->last_y / 65536.0;
		if (i + H < n) {
			const struct tmnet_sample *s = &d->s[lo + i + H];

			tr->tgt[2 * i] = s->x / 65536.0;
			tr->tgt[2 * i + 1] = s->y / 65536.0;
			tr->ok[i] = st->kf.init && st->have_last &&
				    (s->flags & TMNET_SAMPLE_VALID);
		}
	}
	free(st);
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int tmn_kalman_fit(const struct tmn_series *d, size_t lo, size_t hi, int horizon,
		   struct tmn_kalman *k, int verbose)
{
	size_t i, nd = 0, cap = hi - lo;
	double *dev = malloc(cap * 2 * sizeof(double)), med, mad, best = INFINITY;
	double sp2 = 0;
	size_t nsp = 0;
	/* the search runs on at most this many ticks of the training part */
	size_t fit_hi = lo + (hi - lo < 400000 ? hi - lo : 400000);
	double qbest = 0;

	if (!dev)
		return -1;
	for (i = lo + 1; i + 1 < hi; i++) {
		const struct tmnet_sample *a = &d->s[i - 1], *b = &d->s[i], *c = &d->s[i + 1];

		if (!(a->flags & b->flags & c->flags & TMNET_SAMPLE_VALID))
			continue;
		dev[nd++] = ((double)a->x - 2.0 * b->x + c->x) / 65536.0;
		dev[nd++] = ((double)a->y - 2.0 * b->y + c->y) / 65536.0;
		sp2 += ((double)b->vx * b->vx + (double)b->vy * b->vy) / 4294967296.0;
		nsp++;
	}
	if (nd < 100) {
		free(dev);
		return -1;
	}
	qsort(dev, nd, sizeof(double), cmp_dbl);
	med = dev[nd / 2];
	for (i = 0; i < nd; i++)
		dev[i] = fabs(dev[i] - med);
	qsort(dev, nd, sizeof(double), cmp_dbl);
	mad = dev[nd / 2] * 1.4826;
	free(dev);
	/* var(x[t-1] - 2 x[t] + x[t+1]) = 6 sigma^2 for white noise */
	k->r = fmax(mad * mad / 6.0, 1e-6);
	k->p0_pos = k->r;
	k->p0_vel = fmax(sp2 / (double)(nsp ? nsp : 1) / 2.0, 1.0);
	/*
	 * The core stores P scaled by 2^cs with 2^cs ~ 2^8 / r and needs
	 * p0_vel 2^(32+cs) < 2^61, i.e. p0_vel < ~2^20 r: keep a factor 4 margin.
	 * The filter starts from the measured velocity, so this only bounds how
	 * fast the first velocity estimate adapts.
	 */
	if (k->p0_vel > 262144.0 * k->r)
		k->p0_vel = 262144.0 * k->r;
	k->stale_ticks = d->rate_hz / 10;
	if (verbose)
		fprintf(stderr, "kalman: r = %.3g units^2 (sensor sd %.3g), p0_vel = %.3g\n", k->r,
			sqrt(k->r), k->p0_vel);
	for (double lq = 0; lq <= 6.01; lq += 0.5) {
		struct tm_model *m = malloc(sizeof(*m));
		struct tmn_track tr;
		double q = pow(10, lq), se = 0;
		size_t ne = 0;
		char err[256] = "out of memory";

		k->qa = q;
		if (!m || tmn_prior_model(k, d->rate_hz, horizon, m, err, sizeof(err)) ||
		    tmn_track_build(d, lo, fit_hi, m, TMN_EXTRA_NONE, &tr)) {
			if (verbose && m)
				fprintf(stderr, "kalman: qa = %-8.3g rejected: %s\n", q, err);
			free(m);
			continue;
		}
		free(m);
		for (i = (size_t)d->rate_hz / 10; i < tr.n; i++) {
			double ex, ey;

			if (!tr.ok[i])
				continue;
			ex = tr.tgt[2 * i] - tr.prior[2 * i];
			ey = tr.tgt[2 * i + 1] - tr.prior[2 * i + 1];
			se += ex * ex + ey * ey;
			ne++;
		}
		tmn_track_free(&tr);
		if (!ne)
			continue;
		se /= (double)ne;
		if (verbose)
			fprintf(stderr, "kalman: qa = %-8.3g horizon MSE %.4g\n", q, se);
		if (se < best) {
			best = se;
			qbest = q;
		}
	}
	if (!(qbest > 0))
		return -1;
	k->qa = qbest;
	if (verbose)
		fprintf(stderr, "kalman: chose qa = %.3g units^2/s^3 (horizon RMSE %.3f)\n", qbest,
			sqrt(best));
	return 0;
}

void tmn_base(const struct tmn_track *tr, int system, size_t i, double out[2])
{
	if (system == TMNET_SYS_A) {
		out[0] = tr->last[2 * i];
		out[1] = tr->last[2 * i + 1];
	} else {
		out[0] = tr->prior[2 * i];
		out[1] = tr->prior[2 * i + 1];
	}
}

int tmn_norm_fit(const struct tmn_track *tr, int system, struct tmn_norm *nm)
{
	const int F = system == TMNET_SYS_A ? TMNET_FEATURES_A :
		      TMNET_FEATURES_B + (tr->extra ? 2 : 0);
	double s[TMNET_MAX_FEATURES] = { 0 }, s2[TMNET_MAX_FEATURES] = { 0 }, cnt = 0;
	double t2 = 0, tc = 0, besterr = INFINITY;
	size_t i;
	int k, f;

	memset(nm, 0, sizeof(*nm));
	nm->system = system;
	nm->F = F;
	nm->extra = system == TMNET_SYS_A ? TMN_EXTRA_NONE : tr->extra;
	for (i = 0; i < tr->n; i++) {
		double b[2];

		if (!tr->ok[i])
			continue;
		for (k = 0; k < F; k++) {
			s[k] += tr->feat[i * TMN_FEAT_N + k];
			s2[k] += (double)tr->feat[i * TMN_FEAT_N + k] * tr->feat[i * TMN_FEAT_N + k];
		}
		cnt++;
		tmn_base(tr, system, i, b);
		t2 += (tr->tgt[2 * i] - b[0]) * (tr->tgt[2 * i] - b[0]) +
		      (tr->tgt[2 * i + 1] - b[1]) * (tr->tgt[2 * i + 1] - b[1]);
		tc += 2;
	}
	if (cnt < 10)
		return -1;
	for (k = 0; k < F; k++) {
		nm->mean[k] = s[k] / cnt;
		nm->std[k] = sqrt(fmax(s2[k] / cnt - nm->mean[k] * nm->mean[k], 1e-12));
		if (nm->std[k] < 1e-4)
			nm->std[k] = 1e-4;
	}
	nm->out_scale = sqrt(t2 / tc);
	if (!(nm->out_scale > 1e-4))
		nm->out_scale = 1e-4;
	/*
	 * Calibration.  The int8 input covers +-127 / 2^in_frac normalised units.
	 * in_frac = 4 gives steps of 1/16 and a range of +-7.9; each feature's
	 * scale ("std" in the blob) is then set so that 99.9 % of its training
	 * values just fit the range: the int8 steps are as fine as the data
	 * allows (velocity changes of a few units/s stay visible), and
	 * heavy-tailed features such as the per-tick displacement, with its
	 * outliers, are compressed rather than clipped.
	 */
	nm->in_frac = 4;
	{
		size_t cap = tr->n / 7 + 1, m;
		double *v = malloc(cap * sizeof(double)), lim = 127.0 / (1 << nm->in_frac);

		if (!v)
			return -1;
		for (k = 0; k < F; k++) {
			m = 0;
			for (i = 0; i < tr->n; i += 7)
				if (tr->ok[i])
					v[m++] = fabs(tr->feat[i * TMN_FEAT_N + k] - nm->mean[k]);
			if (!m)
				continue;
			qsort(v, m, sizeof(double), cmp_dbl);
			if (v[(size_t)(0.999 * (double)(m - 1))] > 0)
				nm->std[k] = v[(size_t)(0.999 * (double)(m - 1))] / lim;
		}
		free(v);
	}
	(void)besterr;
	(void)f;
	return 0;
}

void tmn_xy_free(struct tmn_xy *xy)
{
	free(xy->x);
	free(xy->y);
	free(xy->m);
	memset(xy, 0, sizeof(*xy));
}

void tmn_norm_apply(const struct tmn_norm *nm, const float *feat, float *x)
{
	const double lim = 127.0 / (1 << nm->in_frac);

	for (int k = 0; k < nm->F; k++) {
		double z = (feat[k] - nm->mean[k]) / nm->std[k];

		x[k] = (float)(z > lim ? lim : z < -lim ? -lim : z);
	}
}

int tmn_xy_build(const struct tmn_track *tr, const struct tmn_norm *nm, struct tmn_xy *xy)
{
	const int F = nm->F;
	const double lim = 127.0 / (1 << nm->in_frac);
	size_t i;
	int k;

	xy->n = tr->n;
	xy->F = F;
	xy->x = malloc(tr->n * F * sizeof(float));
	xy->y = malloc(tr->n * 2 * sizeof(float));
	xy->m = malloc(tr->n);
	if (!xy->x || !xy->y || !xy->m) {
		tmn_xy_free(xy);
		return -1;
	}
	for (i = 0; i < tr->n; i++) {
		double b[2];

		for (k = 0; k < F; k++) {
			double z = (tr->feat[i * TMN_FEAT_N + k] - nm->mean[k]) / nm->std[k];

			xy->x[i * F + k] = (float)(z > lim ? lim : z < -lim ? -lim : z);
		}
		tmn_base(tr, nm->system, i, b);
		xy->y[2 * i] = (float)((tr->tgt[2 * i] - b[0]) / nm->out_scale);
		xy->y[2 * i + 1] = (float)((tr->tgt[2 * i + 1] - b[1]) / nm->out_scale);
		xy->m[i] = tr->ok[i];
	}
	return 0;
}

size_t tmn_windows(size_t n, size_t window, size_t stride, size_t **starts)
{
	size_t cnt = n >= window ? (n - window) / stride + 1 : 0, i;

	*starts = malloc((cnt ? cnt : 1) * sizeof(size_t));
	if (!*starts)
		return 0;
	for (i = 0; i < cnt; i++)
		(*starts)[i] = i * stride;
	return cnt;
}
