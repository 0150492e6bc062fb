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

size_t tmn_next_seg(const struct tmn_series *d, size_t i, size_t hi)
{
	for (i++; i < hi; i++)
		if (d->s[i].flags & TMNET_SAMPLE_SEG_START)
			return i;
	return hi;
}

size_t tmn_count_segs(const struct tmn_series *d, size_t lo, size_t hi)
{
	size_t n = 0;

	for (size_t i = lo; i < hi; i = tmn_next_seg(d, i, hi))
		n++;
	return n;
}

int tmn_ms_to_ticks(double ms, int rate_hz)
{
	double t = nearbyint(ms * rate_hz / 1000.0);

	return t < 1 ? 1 : t > 1e9 ? 1000000000 : (int)t;
}

/* the segment start nearest to `want` in [lo, hi), or (size_t)-1 */
static size_t nearest_seg(const struct tmn_series *d, size_t want, size_t lo, size_t hi)
{
	size_t best = (size_t)-1, bd = (size_t)-1;

	for (size_t i = tmn_next_seg(d, lo, hi); i < hi; i = tmn_next_seg(d, i, hi)) {
		size_t dd = i > want ? i - want : want - i;

		if (dd < bd) {
			bd = dd;
			best = i;
		}
		if (i > want)
			break;
	}
	return best;
}

int tmn_split_make_seg(const struct tmn_series *d, size_t window, size_t horizon,
		       struct tmn_split *sp)
{
	const size_t n = d->n, tol = n / 20, minpart = window + horizon + 1;
	size_t cut[2], s;

	if (tmn_split_make(n, window, horizon, sp))
		return -1;
	/* the middle of each gap of the plain split */
	cut[0] = sp->hi[0] + sp->gap / 2;
	cut[1] = sp->hi[1] + sp->gap / 2;
	for (int k = 0; k < 2; k++) {
		s = nearest_seg(d, cut[k], 1, n);
		if (s == (size_t)-1 || (s > cut[k] ? s - cut[k] : cut[k] - s) > tol)
			continue;
		/* a cut on a segment start: nothing crosses it, no gap needed */
		if (s < sp->lo[k] + minpart || s + minpart > sp->hi[k + 1])
			continue;
		sp->hi[k] = s;
		sp->lo[k + 1] = s;
	}
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
	free(tr->segs);
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

int tmn_cursor_init(struct tmn_cursor *c, const struct tmn_series *d, size_t lo, size_t hi,
		    const struct tm_model *pm, int extra)
{
	memset(c, 0, sizeof(*c));
	if (hi > d->n || lo >= hi)
		return -1;
	c->st = malloc(sizeof(*c->st));
	if (!c->st)
		return -1;
	c->d = d;
	c->pm = pm;
	c->lo = lo;
	c->hi = hi;
	c->i = lo;
	c->extra = extra;
	c->nxt = tmn_next_seg(d, lo, hi);
	tm_state_reset(c->st);
	return 0;
}

void tmn_cursor_free(struct tmn_cursor *c)
{
	free(c->st);
	c->st = NULL;
}

int tmn_cursor_next(struct tmn_cursor *c, struct tmn_tick *t)
{
	const struct tmnet_sample *s;
	const size_t H = c->pm->horizon_ticks;
	struct tm_state *st = c->st;
	struct tm_cfg cfg;
	size_t i = c->i;

	if (i >= c->hi)
		return 0;
	t->seg = i == c->lo;
	if (i == c->nxt) {
		t->seg = 1;
		c->nxt = tmn_next_seg(c->d, i, c->hi);
	}
	tm_cfg_from_model(&cfg, c->pm);
	/* the core resets its streaming state at TMNET_SAMPLE_SEG_START itself */
	tm_stage_prior(st, c->pm, &cfg, &c->d->s[i]);
	tmn_feat_from_state(st, c->extra, t->feat);
	t->prior[0] = (double)st->prior[0] / 4294967296.0;
	t->prior[1] = (double)st->prior[1] / 4294967296.0;
	t->pcov[0] = (double)st->prior_cov[0][0] / 4294967296.0;
	t->pcov[1] = (double)st->prior_cov[0][1] / 4294967296.0;
	t->pcov[2] = (double)st->prior_cov[1][1] / 4294967296.0;
	t->last[0] = st->last_x / 65536.0;
	t->last[1] = st->last_y / 65536.0;
	t->ok = 0;
	t->tgt[0] = t->tgt[1] = 0;
	if (i + H < c->hi) {
		s = &c->d->s[i + H];
		t->tgt[0] = s->x / 65536.0;
		t->tgt[1] = s->y / 65536.0;
		/* no target across a segment start */
		t->ok = st->kf.init && st->have_last && (s->flags & TMNET_SAMPLE_VALID) &&
			i + H < c->nxt;
	}
	c->i++;
	return 1;
}

int tmn_track_build(const struct tmn_series *d, size_t lo, size_t hi,
		    const struct tm_model *pm, int extra, struct tmn_track *tr)
{
	struct tmn_cursor cur;
	struct tmn_tick t;
	size_t n = hi - lo, i, cap = 16;

	memset(tr, 0, sizeof(*tr));
	if (tmn_cursor_init(&cur, d, lo, hi, pm, extra))
		return -1;
	tr->lo = lo;
	tr->n = n;
	tr->horizon = (int)pm->horizon_ticks;
	tr->extra = extra;
	tr->feat = malloc(n * TMN_FEAT_N * sizeof(float));
	tr->prior = malloc(n * 2 * sizeof(double));
	tr->pcov = malloc(n * 3 * sizeof(double));
	tr->last = malloc(n * 2 * sizeof(double));
	tr->tgt = calloc(n * 2, sizeof(double));
	tr->ok = calloc(n, 1);
	tr->segs = malloc(cap * sizeof(size_t));
	if (!tr->feat || !tr->prior || !tr->pcov || !tr->last || !tr->tgt || !tr->ok ||
	    !tr->segs) {
		tmn_cursor_free(&cur);
		tmn_track_free(tr);
		return -1;
	}
	for (i = 0; tmn_cursor_next(&cur, &t); i++) {
		memcpy(tr->feat + i * TMN_FEAT_N, t.feat, sizeof(t.feat));
		memcpy(tr->prior + 2 * i, t.prior, sizeof(t.prior));
		memcpy(tr->pcov + 3 * i, t.pcov, sizeof(t.pcov));
		memcpy(tr->last + 2 * i, t.last, sizeof(t.last));
		memcpy(tr->tgt + 2 * i, t.tgt, sizeof(t.tgt));
		tr->ok[i] = (uint8_t)t.ok;
		if (t.seg) {
			if (tr->nsegs == cap) {
				size_t *ns = realloc(tr->segs, 2 * cap * sizeof(size_t));

				if (!ns) {
					tmn_cursor_free(&cur);
					tmn_track_free(tr);
					return -1;
				}
				tr->segs = ns;
				cap *= 2;
			}
			tr->segs[tr->nsegs++] = i;
		}
	}
	tmn_cursor_free(&cur);
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Horizon MSE of the prior with parameters k over nr ranges [lo[j], hi[j])
 * (the prior from reset at each); -1 if the core refuses k
 */
static double prior_mse(const struct tmn_series *d, const size_t *lo, const size_t *hi, int nr,
			int horizon, const struct tmn_kalman *k, char *err, int errlen)
{
	struct tm_model *m = malloc(sizeof(*m));
	struct tmn_cursor cur;
	struct tmn_tick t;
	double se = 0;
	size_t ne = 0, i, skip = (size_t)d->rate_hz / 10;

	if (!m || tmn_prior_model(k, d->rate_hz, horizon, m, err, errlen)) {
		free(m);
		return -1;
	}
	for (int j = 0; j < nr; j++) {
		if (tmn_cursor_init(&cur, d, lo[j], hi[j], m, TMN_EXTRA_NONE)) {
			free(m);
			return -1;
		}
		for (i = 0; tmn_cursor_next(&cur, &t); i++) {
			double ex, ey;

			if (i < skip || !t.ok)
				continue;
			ex = t.tgt[0] - t.prior[0];
			ey = t.tgt[1] - t.prior[1];
			se += ex * ex + ey * ey;
			ne++;
		}
		tmn_cursor_free(&cur);
	}
	free(m);
	return ne ? se / (double)ne : -1;
}

/* at most this many ticks feed the noise and velocity statistics */
#define TMN_FIT_STAT_TICKS	4000000
/*
 * The qa search runs on at most this many ticks of the training part: its
 * head, or, for a part longer than TMN_FIT_STAT_TICKS (many recordings),
 * TMN_FIT_SEARCH_CHUNKS evenly spaced stretches of it.
 */
#define TMN_FIT_SEARCH_TICKS	400000
#define TMN_FIT_SEARCH_CHUNKS	8
#define TMN_R_FLOOR_DEFAULT	1e-6

int tmn_kalman_fit(const struct tmn_series *d, size_t lo, size_t hi, int horizon,
		   struct tmn_kalman *k, int verbose)
{
	return tmn_kalman_fit_rep(d, lo, hi, horizon, k, NULL, verbose);
}

int tmn_kalman_fit_rep(const struct tmn_series *d, size_t lo, size_t hi, int horizon,
		       struct tmn_kalman *k, struct tmn_fit_report *rep, int verbose)
{
	const size_t step = (hi - lo) / TMN_FIT_STAT_TICKS + 1;
	size_t i, nd = 0, cap = 2 * ((hi - lo) / step + 2), nsp = 0, ndv = 0, nxt;
	double *dev = malloc(cap * sizeof(double)), med, mad, best = INFINITY;
	double sp2 = 0, dv2 = 0, ms = 0, qbest = 0, Th = (double)horizon / d->rate_hz;
	size_t fit_lo[TMN_FIT_SEARCH_CHUNKS], fit_hi[TMN_FIT_SEARCH_CHUNKS];
	int nfit = 1;
	struct tmn_fit_report r0, *rp = rep ? rep : &r0;
	double lq_lo, lq_hi, lq_best = 0, lq_ok_lo = INFINITY, lq_ok_hi = -INFINITY;
	/* MSE per half-decade grid point, indexed from lq = -20 (1e-10) */
	double mse[64];
	int widened_lo = 0, widened_hi = 0;

	memset(rp, 0, sizeof(*rp));
	if (!dev)
		return -1;
	for (i = 0; i < 64; i++)
		mse[i] = NAN;
	for (i = lo + 1; i + 1 < hi; i += step) {
		const struct tmnet_sample *a = &d->s[i - 1], *b = &d->s[i], *c = &d->s[i + 1];

		if (!(a->flags & b->flags & c->flags & TMNET_SAMPLE_VALID))
			continue;
		/* no second difference across a segment start */
		if ((b->flags | c->flags) & TMNET_SAMPLE_SEG_START) {
			rp->seg_skipped++;
			continue;
		}
		dev[nd++] = ((double)a->x - 2.0 * b->x + c->x) / 65536.0;
		dev[nd++] = ((double)a->y - 2.0 * b->y + c->y) / 65536.0;
		sp2 += ((double)b->vx * b->vx + (double)b->vy * b->vy) / 4294967296.0;
		nsp++;
	}
	/* velocity change over the horizon, within a segment */
	for (i = lo, nxt = tmn_next_seg(d, lo, hi); i + (size_t)horizon < hi; i += step) {
		const struct tmnet_sample *a = &d->s[i], *b = &d->s[i + (size_t)horizon];
		double ux, uy;

		while (nxt <= i)
			nxt = tmn_next_seg(d, nxt, hi);
		/* no segment may start in (i, i + horizon] */
		if (!(a->flags & b->flags & TMNET_SAMPLE_VALID) || nxt <= i + (size_t)horizon)
			continue;
		ux = ((double)b->vx - a->vx) / 65536.0;
		uy = ((double)b->vy - a->vy) / 65536.0;
		dv2 += (ux * ux + uy * uy) / 2;
		ndv++;
	}
	if (nd < 100) {
		free(dev);
		return -1;
	}
	for (i = 0; i < nd; i++)
		ms += dev[i] * dev[i];
	ms /= (double)nd;
	qsort(dev, nd, sizeof(double), cmp_dbl);
	med = dev[nd / 2];
	for (i = 0; i < nd; i++)
		dev[i] = fabs(dev[i] - med);
	qsort(dev, nd, sizeof(double), cmp_dbl);
	mad = dev[nd / 2] * 1.4826;
	free(dev);
	/* var(x[t-1] - 2 x[t] + x[t+1]) = 6 sigma^2 for white noise */
	rp->r_floor = TMN_R_FLOOR_DEFAULT;
	rp->r_source = TMN_R_MAD;
	k->r = mad * mad / 6.0;
	if (!(k->r >= rp->r_floor)) {
		/*
		 * Most second differences are 0 (positions interpolated between
		 * sparse events, or quantised): the robust estimate sees no
		 * noise.  The mean square keeps the kinks of the interpolation.
		 */
		k->r = ms / 6.0;
		rp->r_source = TMN_R_MEANSQ;
	}
	if (!(k->r >= rp->r_floor)) {
		k->r = rp->r_floor;
		rp->r_source = TMN_R_FLOOR;
	}
	k->p0_pos = k->r;
	k->p0_vel = fmax(sp2 / (double)(nsp ? nsp : 1) / 2.0, 1.0);
	/*
	 * The core stores P scaled by 2^cs with 2^cs ~ 2^8 / r and needs
	 * p0_vel 2^(32+cs) < 2^61, i.e. p0_vel < ~2^20 r: keep a factor 4 margin.
	 * The filter starts from the measured velocity, so this only bounds how
	 * fast the first velocity estimate adapts.
	 */
	if (k->p0_vel > 262144.0 * k->r) {
		k->p0_vel = 262144.0 * k->r;
		rp->p0_vel_capped = 1;
	}
	k->stale_ticks = d->rate_hz / 10;
	/*
	 * The search centre: for white-noise acceleration of density qa the
	 * velocity change over T has variance qa T per axis.
	 */
	rp->qa_centre = ndv && dv2 > 0 ? dv2 / (double)ndv / Th : 10.0;
	lq_lo = floor(2 * log10(rp->qa_centre)) / 2 - 3;
	lq_hi = lq_lo + 6;
	if (lq_lo < -9.5)
		lq_lo = -9.5;
	if (lq_hi > 9)
		lq_hi = 9;
	if (lq_hi < lq_lo + 1)
		lq_lo = lq_hi - 1;
	fit_lo[0] = lo;
	fit_hi[0] = lo + (hi - lo < TMN_FIT_SEARCH_TICKS ? hi - lo : TMN_FIT_SEARCH_TICKS);
	rp->fit_ticks = fit_hi[0] - lo;
	rp->fit_chunks = 1;
	if (hi - lo > TMN_FIT_STAT_TICKS) {
		const size_t len = TMN_FIT_SEARCH_TICKS / TMN_FIT_SEARCH_CHUNKS;

		nfit = TMN_FIT_SEARCH_CHUNKS;
		for (int j = 0; j < nfit; j++) {
			fit_lo[j] = lo + (size_t)j * (hi - lo - len) / (size_t)(nfit - 1);
			fit_hi[j] = fit_lo[j] + len;
		}
		rp->fit_ticks = (size_t)nfit * len;
		rp->fit_chunks = nfit;
	}
	if (verbose)
		fprintf(stderr, "kalman: r = %.3g units^2 (sensor sd %.3g), p0_vel = %.3g; qa centre %.3g units^2/s^3 from the velocity change over the horizon\n",
			k->r, sqrt(k->r), k->p0_vel, rp->qa_centre);
	for (;;) {
		for (double lq = lq_lo; lq <= lq_hi + 0.01; lq += 0.5) {
			int gi = (int)lrint(2 * lq) + 20;
			char err[256] = "out of memory";
			double q = pow(10, lq), se;

			if (gi < 0 || gi >= 64 || !isnan(mse[gi]))
				continue;
			k->qa = q;
			se = prior_mse(d, fit_lo, fit_hi, nfit, horizon, k, err, sizeof(err));
			mse[gi] = se;
			rp->points++;
			if (se < 0) {
				rp->rejected++;
				if (verbose)
					fprintf(stderr, "kalman: qa = %-8.3g rejected: %s\n", q, err);
				continue;
			}
			if (verbose)
				fprintf(stderr, "kalman: qa = %-8.3g horizon MSE %.4g\n", q, se);
			lq_ok_lo = fmin(lq_ok_lo, lq);
			lq_ok_hi = fmax(lq_ok_hi, lq);
			if (se < best) {
				best = se;
				qbest = q;
				lq_best = lq;
			}
		}
		if (!(qbest > 0))
			break;
		/*
		 * An optimum on an end of the range: widen that side, unless the
		 * end is where the core's range stops (the values past it were
		 * rejected by the validator).
		 */
		if (lq_best <= lq_lo + 0.01 && lq_lo > -9.5 && widened_lo < TMN_FIT_WIDEN_MAX) {
			lq_lo = fmax(lq_lo - 3, -9.5);
			widened_lo++;
		} else if (lq_best >= lq_hi - 0.01 && lq_hi < 9 && widened_hi < TMN_FIT_WIDEN_MAX) {
			lq_hi = fmin(lq_hi + 3, 9);
			widened_hi++;
		} else {
			break;
		}
		if (verbose)
			fprintf(stderr, "kalman: optimum on the end of the range, widened to [%.3g, %.3g]\n",
				pow(10, lq_lo), pow(10, lq_hi));
	}
	rp->qa_lo = pow(10, lq_lo);
	rp->qa_hi = pow(10, lq_hi);
	rp->widened = widened_lo + widened_hi;
	if (!(qbest > 0))
		return -1;
	/* on an end of the values tried, or of those the core accepts */
	rp->qa_bound = lq_best <= lq_ok_lo + 0.01 ? -1 : lq_best >= lq_ok_hi - 0.01 ? 1 : 0;
	rp->qa_core_limit = (rp->qa_bound < 0 && lq_ok_lo > lq_lo + 0.01) ||
			    (rp->qa_bound > 0 && lq_ok_hi < lq_hi - 0.01);
	k->qa = qbest;
	rp->horizon_rmse = sqrt(best);
	if (verbose)
		fprintf(stderr, "kalman: chose qa = %.3g units^2/s^3 (horizon RMSE %.3f)\n", qbest,
			sqrt(best));
	return 0;
}

void tmn_fit_report_line(const struct tmn_kalman *k, const struct tmn_fit_report *r,
			 char *buf, size_t len)
{
	static const char *const rs[] = { "robust second differences",
					  "mean square of second differences: the robust estimate was 0",
					  "AT ITS FLOOR: the data shows no measurable noise" };
	int n;

	n = snprintf(buf, len, "kalman fit: qa %.4g units^2/s^3 searched in [%.3g, %.3g] (%d points, %d outside the core's range, centre %.3g from the data, widened %d times)%s; r %.4g units^2 (%s); horizon RMSE %.4g units on %zu ticks in %d stretch(es)",
		     k->qa, r->qa_lo, r->qa_hi, r->points, r->rejected, r->qa_centre, r->widened,
		     r->qa_bound < 0 ? (r->qa_core_limit ? ", WARNING: the optimum is on the LOWER end of what the core accepts" :
					", WARNING: the optimum is on the LOWER bound of the range") :
		     r->qa_bound > 0 ? (r->qa_core_limit ? ", WARNING: the optimum is on the UPPER end of what the core accepts" :
					", WARNING: the optimum is on the UPPER bound of the range") : "",
		     k->r, rs[r->r_source < 0 || r->r_source > 2 ? 0 : r->r_source],
		     r->horizon_rmse, r->fit_ticks, r->fit_chunks);
	if (r->p0_vel_capped && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; p0_vel capped at %.3g (2^18 r, the core's range)",
			 k->p0_vel);
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

/*
 * The normalisation as an accumulator, so that it can be fitted from a
 * track or streamed from the cursor: sums over the usable ticks, and every
 * `qstep`-th tick's features (qstep = 7 unless that would keep more than
 * TMN_NORM_QMAX ticks) for the calibration quantile.
 */
#define TMN_NORM_QMAX	1000000
struct norm_acc {
	int system, F;
	double s[TMNET_MAX_FEATURES], s2[TMNET_MAX_FEATURES], cnt, t2, tc;
	size_t qstep, nq, qcap;
	float *q;	/* [qcap][F] */
};

static int norm_acc_init(struct norm_acc *a, int system, int extra, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->system = system;
	a->F = system == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B + (extra ? 2 : 0);
	a->qstep = 7;
	if (n / a->qstep > TMN_NORM_QMAX)
		a->qstep = n / TMN_NORM_QMAX + 1;
	a->qcap = n / a->qstep + 1;
	a->q = malloc(a->qcap * (size_t)a->F * sizeof(float));
	return a->q ? 0 : -1;
}

/* tick i (index in the fitted range) with features f, base b, target tgt */
static void norm_acc_add(struct norm_acc *a, size_t i, int ok, const float *f, const double *b,
			 const double *tgt)
{
	if (ok) {
		for (int k = 0; k < a->F; k++) {
			a->s[k] += f[k];
			a->s2[k] += (double)f[k] * f[k];
		}
		a->cnt++;
		a->t2 += (tgt[0] - b[0]) * (tgt[0] - b[0]) + (tgt[1] - b[1]) * (tgt[1] - b[1]);
		a->tc += 2;
	}
	if (i % a->qstep == 0 && ok && a->nq < a->qcap)
		memcpy(a->q + a->nq++ * (size_t)a->F, f, (size_t)a->F * sizeof(float));
}

static int norm_acc_finish(struct norm_acc *a, int extra, struct tmn_norm *nm)
{
	const int F = a->F;
	double *v, lim;
	int k;

	memset(nm, 0, sizeof(*nm));
	nm->system = a->system;
	nm->F = F;
	nm->extra = a->system == TMNET_SYS_A ? TMN_EXTRA_NONE : extra;
	if (a->cnt < 10) {
		free(a->q);
		return -1;
	}
	for (k = 0; k < F; k++) {
		nm->mean[k] = a->s[k] / a->cnt;
		nm->std[k] = sqrt(fmax(a->s2[k] / a->cnt - nm->mean[k] * nm->mean[k], 1e-12));
		if (nm->std[k] < 1e-4)
			nm->std[k] = 1e-4;
	}
	nm->out_scale = sqrt(a->t2 / a->tc);
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
	lim = 127.0 / (1 << nm->in_frac);
	v = malloc((a->nq ? a->nq : 1) * sizeof(double));
	if (!v) {
		free(a->q);
		return -1;
	}
	for (k = 0; k < F && a->nq; k++) {
		for (size_t m = 0; m < a->nq; m++)
			v[m] = fabs(a->q[m * (size_t)F + k] - nm->mean[k]);
		qsort(v, a->nq, sizeof(double), cmp_dbl);
		if (v[(size_t)(0.999 * (double)(a->nq - 1))] > 0)
			nm->std[k] = v[(size_t)(0.999 * (double)(a->nq - 1))] / lim;
	}
	free(v);
	free(a->q);
	a->q = NULL;
	return 0;
}

int tmn_norm_fit(const struct tmn_track *tr, int system, struct tmn_norm *nm)
{
	struct norm_acc a;
	int extra = system == TMNET_SYS_A ? TMN_EXTRA_NONE : tr->extra;

	if (norm_acc_init(&a, system, extra, tr->n))
		return -1;
	for (size_t i = 0; i < tr->n; i++) {
		double b[2];

		tmn_base(tr, system, i, b);
		norm_acc_add(&a, i, tr->ok[i], tr->feat + i * TMN_FEAT_N, b, tr->tgt + 2 * i);
	}
	return norm_acc_finish(&a, extra, nm);
}

void tmn_xy_free(struct tmn_xy *xy)
{
	free(xy->x);
	free(xy->y);
	free(xy->m);
	free(xy->runs);
	free(xy->run_seg);
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
	xy->nruns = tr->nsegs ? tr->nsegs : 1;
	xy->runs = calloc(xy->nruns, sizeof(size_t));
	xy->run_seg = calloc(xy->nruns, 1);
	if (!xy->x || !xy->y || !xy->m || !xy->runs || !xy->run_seg) {
		tmn_xy_free(xy);
		return -1;
	}
	for (size_t r = 1; r < tr->nsegs; r++) {
		xy->runs[r] = tr->segs[r];
		xy->run_seg[r] = 1;
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

size_t tmn_windows_runs(const struct tmn_xy *xy, size_t window, size_t stride, size_t **starts,
			uint8_t **cont)
{
	static const size_t zero = 0;
	const size_t *runs = xy->nruns ? xy->runs : &zero, nruns = xy->nruns ? xy->nruns : 1;
	size_t cnt = 0, k = 0;

	for (size_t r = 0; r < nruns; r++) {
		size_t e = r + 1 < nruns ? runs[r + 1] : xy->n, len = e - runs[r];

		cnt += len >= window ? (len - window) / stride + 1 : 0;
	}
	*starts = malloc((cnt ? cnt : 1) * sizeof(size_t));
	if (cont)
		*cont = calloc(cnt ? cnt : 1, 1);
	if (!*starts || (cont && !*cont)) {
		free(*starts);
		*starts = NULL;
		if (cont) {
			free(*cont);
			*cont = NULL;
		}
		return 0;
	}
	for (size_t r = 0; r < nruns; r++) {
		size_t b = runs[r], e = r + 1 < nruns ? runs[r + 1] : xy->n;

		for (size_t s = b; s + window <= e; s += stride) {
			(*starts)[k] = s;
			if (cont)
				(*cont)[k] = s > b;
			k++;
		}
	}
	return cnt;
}

/* append a run start at tick k of xy */
static int xy_add_run(struct tmn_xy *xy, size_t *cap, size_t k, int seg)
{
	if (xy->nruns && xy->runs[xy->nruns - 1] == k) {
		xy->run_seg[xy->nruns - 1] |= (uint8_t)seg;
		return 0;
	}
	if (xy->nruns == *cap) {
		size_t *nr = realloc(xy->runs, 2 * *cap * sizeof(size_t));
		uint8_t *ns;

		if (!nr)
			return -1;
		xy->runs = nr;
		ns = realloc(xy->run_seg, 2 * *cap);
		if (!ns)
			return -1;
		xy->run_seg = ns;
		*cap *= 2;
	}
	xy->runs[xy->nruns] = k;
	xy->run_seg[xy->nruns] = (uint8_t)seg;
	xy->nruns++;
	return 0;
}

/* block b of nb in [0, n): first tick (evenly spaced) */
static size_t block_lo(size_t b, size_t nb, size_t n, size_t block)
{
	return nb > 1 ? (size_t)((double)b * (double)(n - block) / (double)(nb - 1)) : 0;
}

int tmn_xy_stream(const struct tmn_series *d, size_t lo, size_t hi, const struct tm_model *pm,
		  int extra, size_t max_ticks, size_t block, int fit_norm, struct tmn_norm *nm,
		  struct tmn_xy *xy, const char *progress)
{
	const size_t n = hi - lo;
	size_t nb = 1, keep = n, rcap = 64;
	struct tmn_cursor cur;
	struct tmn_tick t;
	int pass, F = 0, system = nm->system;

	memset(xy, 0, sizeof(*xy));
	if (lo >= hi)
		return -1;
	if (block < 1)
		block = 1;
	if (max_ticks && n > max_ticks) {
		if (block > max_ticks)
			block = max_ticks;
		nb = max_ticks / block;
		keep = nb * block;
	} else {
		block = n;
	}
	for (pass = fit_norm ? 0 : 1; pass < 2; pass++) {
		struct norm_acc a;
		size_t i, k = 0, b = 0, blo = 0, next_pr = n / 10 + 1;

		if (pass == 0 && norm_acc_init(&a, system, extra, keep))
			return -1;
		if (pass == 1) {
			F = nm->F;
			xy->n = keep;
			xy->F = F;
			xy->x = malloc(keep * (size_t)F * sizeof(float));
			xy->y = malloc(keep * 2 * sizeof(float));
			xy->m = malloc(keep);
			xy->runs = malloc(rcap * sizeof(size_t));
			xy->run_seg = malloc(rcap);
			if (!xy->x || !xy->y || !xy->m || !xy->runs || !xy->run_seg) {
				tmn_xy_free(xy);
				return -1;
			}
		}
		if (tmn_cursor_init(&cur, d, lo, hi, pm, extra)) {
			if (pass == 0)
				free(a.q);
			tmn_xy_free(xy);
			return -1;
		}
		blo = block_lo(0, nb, n, block);
		for (i = 0; tmn_cursor_next(&cur, &t); i++) {
			double bs[2];
			int in;

			if (progress && i >= next_pr) {
				fprintf(stderr, "%s: %s pass %zu %%  (%zu of %zu ticks)\n", progress,
					pass ? "input" : "normalisation", 100 * i / n, i, n);
				next_pr += n / 10 + 1;
			}
			while (b < nb && i >= blo + block) {
				b++;
				if (b < nb)
					blo = block_lo(b, nb, n, block);
			}
			in = b < nb && i >= blo;
			if (!in)
				continue;
			if (system == TMNET_SYS_A) {
				bs[0] = t.last[0];
				bs[1] = t.last[1];
			} else {
				bs[0] = t.prior[0];
				bs[1] = t.prior[1];
			}
			if (pass == 0) {
				norm_acc_add(&a, k, t.ok, t.feat, bs, t.tgt);
			} else {
				tmn_norm_apply(nm, t.feat, xy->x + k * (size_t)F);
				xy->y[2 * k] = (float)((t.tgt[0] - bs[0]) / nm->out_scale);
				xy->y[2 * k + 1] = (float)((t.tgt[1] - bs[1]) / nm->out_scale);
				xy->m[k] = (uint8_t)t.ok;
				/* a run starts at the part, at each block and at each segment */
				if ((i == blo || t.seg) &&
				    xy_add_run(xy, &rcap, k, t.seg && i > 0)) {
					tmn_cursor_free(&cur);
					tmn_xy_free(xy);
					return -1;
				}
			}
			k++;
		}
		tmn_cursor_free(&cur);
		if (pass == 0 && norm_acc_finish(&a, extra, nm))
			return -1;
	}
	return 0;
}
