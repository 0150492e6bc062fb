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

static __s64 tau_q32(double tau);

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
	p->prior_kind = k->kind == TMNET_PRIOR_DV ? TMNET_PRIOR_DV : TMNET_PRIOR_CV;
	p->tau = k->kind == TMNET_PRIOR_DV ? (double)tau_q32(k->tau) / 4294967296.0 : 0;
	p->hcov_scale = k->hcov_scale > 0 ? k->hcov_scale : 1.0;
}

int tmn_prior_mode_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return TMN_PRIOR_AUTO;
	if (!strcmp(s, "cv") || !strcmp(s, "CV"))
		return TMN_PRIOR_MODE_CV;
	if (!strcmp(s, "dv") || !strcmp(s, "DV"))
		return TMN_PRIOR_MODE_DV;
	return -1;
}

const char *tmn_prior_kind_name(int kind)
{
	return kind == TMNET_PRIOR_DV ? "DV" : "CV";
}

/* the DV tau grid: TMN_TAU_POINTS log-spaced over the blob's range */
static double tau_grid(int j)
{
	const double lo = log10((double)TMNET_TAU_MIN_Q32 / 4294967296.0);
	const double hi = log10((double)TMNET_TAU_MAX_Q32 / 4294967296.0);

	return pow(10, lo + (hi - lo) * j / (TMN_TAU_POINTS - 1));
}

/* the blob's Q32 tau, inside its range */
static __s64 tau_q32(double tau)
{
	__s64 q = tmq_q32(tau);

	return q < TMNET_TAU_MIN_Q32 ? TMNET_TAU_MIN_Q32 : q > TMNET_TAU_MAX_Q32 ? TMNET_TAU_MAX_Q32 : q;
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

/* what one pass of the prior over some ranges measured */
struct prior_pass {
	double mse;		/* horizon MSE, units^2 (2-D) */
	double nees_mean;	/* mean NEES over the ticks with a PD covariance */
	double in99;		/* fraction of them with NEES <= chi2(2) 99 % */
	size_t n, nn;		/* scored ticks; of which with a NEES */
};

/* e' C^-1 e for the 2x2 covariance (xx, xy, yy); -1 if C is not PD */
static double nees2(const double e[2], const double c[3])
{
	double det = c[0] * c[2] - c[1] * c[1];

	if (!(c[0] > 0 && det > 0))
		return -1;
	return (c[2] * e[0] * e[0] - 2 * c[1] * e[0] * e[1] + c[0] * e[1] * e[1]) / det;
}

/*
 * One pass of the core prior with parameters k over nr ranges [lo[j],
 * hi[j]) (the prior from reset at each, the first rate/10 ticks of each
 * unscored): the horizon MSE and NEES of k's own horizon model in pp, and
 * with ntau > 0 also the horizon MSE of the DV model with each tau[j] from
 * the same filter state (the per-tick filter is the same for every tau:
 * core/tm_kalman.c), computed by the core's tm_kf_horizon().  Returns 0,
 * or -1 if the core refuses k (message in err) or nothing was scored.
 */
static int prior_run(const struct tmn_series *d, const size_t *lo, const size_t *hi, int nr,
		     int horizon, const struct tmn_kalman *k, int ntau, const double *tau,
		     double *mse_tau, struct prior_pass *pp, char *err, int errlen)
{
	struct tm_model *m = malloc(sizeof(*m));
	struct tm_kf_params *kp = ntau ? malloc((size_t)ntau * sizeof(*kp)) : NULL;
	double *se_tau = ntau ? calloc((size_t)ntau, sizeof(double)) : NULL;
	struct tmn_cursor cur;
	struct tmn_tick t;
	double se = 0, ns = 0;
	size_t ne = 0, nn = 0, in = 0, i, skip = (size_t)d->rate_hz / 10;
	int rc = -1;

	memset(pp, 0, sizeof(*pp));
	if (!m || (ntau && (!kp || !se_tau)) ||
	    tmn_prior_model(k, d->rate_hz, horizon, m, err, errlen))
		goto out;
	for (int j = 0; j < ntau; j++) {
		struct tmnet_blob_ext ext = m->ext;

		ext.prior_kind = TMNET_PRIOR_DV;
		ext.tau_q32 = tau_q32(tau[j]);
		if (tm_kf_params_init_ext(&kp[j], &m->kalman, &ext, m->rate_hz, m->horizon_ticks)) {
			snprintf(err, (size_t)errlen, "tau %.4g s: outside the core's range", tau[j]);
			goto out;
		}
	}
	for (int r = 0; r < nr; r++) {
		if (tmn_cursor_init(&cur, d, lo[r], hi[r], m, TMN_EXTRA_NONE))
			goto out;
		for (i = 0; tmn_cursor_next(&cur, &t); i++) {
			double e[2], q;

			if (i < skip || !t.ok)
				continue;
			e[0] = t.tgt[0] - t.prior[0];
			e[1] = t.tgt[1] - t.prior[1];
			se += e[0] * e[0] + e[1] * e[1];
			ne++;
			q = nees2(e, t.pcov);
			if (q >= 0) {
				ns += q;
				nn++;
				in += q <= TMN_CHI2_2_99;
			}
			for (int j = 0; j < ntau; j++) {
				__s64 hp[2], hc[2][2];
				double ex, ey;

				tm_kf_horizon(&cur.st->kf, &kp[j], hp, hc);
				ex = t.tgt[0] - (double)hp[0] / 4294967296.0;
				ey = t.tgt[1] - (double)hp[1] / 4294967296.0;
				se_tau[j] += ex * ex + ey * ey;
			}
		}
		tmn_cursor_free(&cur);
	}
	if (!ne) {
		snprintf(err, (size_t)errlen, "no scored ticks");
		goto out;
	}
	pp->mse = se / (double)ne;
	pp->n = ne;
	pp->nn = nn;
	pp->nees_mean = nn ? ns / (double)nn : NAN;
	pp->in99 = nn ? (double)in / (double)nn : NAN;
	for (int j = 0; j < ntau; j++)
		mse_tau[j] = se_tau[j] / (double)ne;
	rc = 0;
out:
	free(m);
	free(kp);
	free(se_tau);
	return rc;
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

/* the qa search's stretches of [lo, hi); returns their number */
static int fit_stretches(size_t lo, size_t hi, size_t *flo, size_t *fhi, size_t *ticks)
{
	int nfit = 1;

	flo[0] = lo;
	fhi[0] = lo + (hi - lo < TMN_FIT_SEARCH_TICKS ? hi - lo : TMN_FIT_SEARCH_TICKS);
	*ticks = fhi[0] - lo;
	if (hi - lo > TMN_FIT_STAT_TICKS) {
		const size_t len = TMN_FIT_SEARCH_TICKS / TMN_FIT_SEARCH_CHUNKS;

		nfit = TMN_FIT_SEARCH_CHUNKS;
		for (int j = 0; j < nfit; j++) {
			flo[j] = lo + (size_t)j * (hi - lo - len) / (size_t)(nfit - 1);
			fhi[j] = flo[j] + len;
		}
		*ticks = (size_t)nfit * len;
	}
	return nfit;
}

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
	/* the DV prior: MSE per (qa, tau) grid point, and its optimum */
	double taus[TMN_TAU_POINTS], mse_dv[TMN_TAU_POINTS], dv_best = INFINITY, lq_best_dv = 0;
	int j_best = -1;

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
	nfit = fit_stretches(lo, hi, fit_lo, fit_hi, &rp->fit_ticks);
	rp->fit_chunks = nfit;
	for (int j = 0; j < TMN_TAU_POINTS; j++)
		taus[j] = tau_grid(j);
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
			struct prior_pass pp;
			int jb = 0;

			k->qa = q;
			k->kind = TMNET_PRIOR_CV;
			se = prior_run(d, fit_lo, fit_hi, nfit, horizon, k, TMN_TAU_POINTS, taus, mse_dv,
				       &pp, err, sizeof(err)) ? -1 : pp.mse;
			mse[gi] = se;
			rp->points++;
			if (se < 0) {
				rp->rejected++;
				if (verbose)
					fprintf(stderr, "kalman: qa = %-8.3g rejected: %s\n", q, err);
				continue;
			}
			for (int j = 1; j < TMN_TAU_POINTS; j++)
				if (mse_dv[j] < mse_dv[jb])
					jb = j;
			if (verbose)
				fprintf(stderr, "kalman: qa = %-8.3g horizon MSE %.4g (CV), %.4g (DV, best tau %.3g s)\n",
					q, se, mse_dv[jb], taus[jb]);
			lq_ok_lo = fmin(lq_ok_lo, lq);
			lq_ok_hi = fmax(lq_ok_hi, lq);
			if (se < best) {
				best = se;
				qbest = q;
				lq_best = lq;
			}
			if (mse_dv[jb] < dv_best) {
				dv_best = mse_dv[jb];
				j_best = jb;
				lq_best_dv = lq;
				rp->dv_qa = q;
			}
		}
		if (!(qbest > 0))
			break;
		/*
		 * An optimum (CV's, or DV's) on an end of the range: widen that
		 * side, unless the end is where the core's range stops (the
		 * values past it were rejected by the validator).
		 */
		if ((lq_best <= lq_lo + 0.01 || lq_best_dv <= lq_lo + 0.01) && lq_lo > -9.5 &&
		    widened_lo < TMN_FIT_WIDEN_MAX) {
			lq_lo = fmax(lq_lo - 3, -9.5);
			widened_lo++;
		} else if ((lq_best >= lq_hi - 0.01 || lq_best_dv >= lq_hi - 0.01) && lq_hi < 9 &&
			   widened_hi < TMN_FIT_WIDEN_MAX) {
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
	k->kind = TMNET_PRIOR_CV;
	k->tau = 0;
	k->hcov_scale = 1;
	rp->horizon_rmse = sqrt(best);
	rp->cv_qa = qbest;
	if (j_best >= 0) {
		rp->dv_fitted = 1;
		rp->dv_tau = taus[j_best];
		rp->dv_tau_lo = taus[0];
		rp->dv_tau_hi = taus[TMN_TAU_POINTS - 1];
		rp->dv_tau_bound = j_best == 0 ? -1 : j_best == TMN_TAU_POINTS - 1 ? 1 : 0;
		rp->dv_qa_bound = lq_best_dv <= lq_ok_lo + 0.01 ? -1 :
				  lq_best_dv >= lq_ok_hi - 0.01 ? 1 : 0;
		rp->dv_qa_core_limit = (rp->dv_qa_bound < 0 && lq_ok_lo > lq_lo + 0.01) ||
				       (rp->dv_qa_bound > 0 && lq_ok_hi < lq_hi - 0.01);
		rp->dv_horizon_rmse = sqrt(dv_best);
	}
	if (verbose) {
		fprintf(stderr, "kalman: CV: chose qa = %.3g units^2/s^3 (horizon RMSE %.3f)\n", qbest,
			sqrt(best));
		if (rp->dv_fitted)
			fprintf(stderr, "kalman: DV: chose qa = %.3g units^2/s^3, tau = %.4g s (horizon RMSE %.3f)\n",
				rp->dv_qa, rp->dv_tau, rp->dv_horizon_rmse);
	}
	return 0;
}

/*
 * Validation stretches: the whole part up to TMN_VAL_TICKS, else
 * TMN_FIT_SEARCH_CHUNKS evenly spaced stretches of TMN_VAL_TICKS in all
 */
#define TMN_VAL_TICKS	1000000

int tmn_prior_select(const struct tmn_series *d, const struct tmn_split *sp, int horizon,
		     int mode, double qa_force, struct tmn_kalman *k, struct tmn_fit_report *rep,
		     int verbose)
{
	size_t vlo[TMN_FIT_SEARCH_CHUNKS], vhi[TMN_FIT_SEARCH_CHUNKS], nv = sp->hi[1] - sp->lo[1];
	struct prior_pass pc = { 0 }, pd = { 0 }, pf;
	struct tmn_kalman kc = *k, kd = *k;
	char err[256] = "out of memory";
	int nr = 1, have_dv = rep->dv_fitted;
	double c;

	if (qa_force > 0) {
		/* the forced qa for both kinds; tau refitted at it on training */
		size_t flo[TMN_FIT_SEARCH_CHUNKS], fhi[TMN_FIT_SEARCH_CHUNKS], ft;
		double taus[TMN_TAU_POINTS], m[TMN_TAU_POINTS];
		int nf = fit_stretches(sp->lo[0], sp->hi[0], flo, fhi, &ft), jb = 0;

		for (int j = 0; j < TMN_TAU_POINTS; j++)
			taus[j] = tau_grid(j);
		kc.qa = qa_force;
		kc.kind = TMNET_PRIOR_CV;
		have_dv = !prior_run(d, flo, fhi, nf, horizon, &kc, TMN_TAU_POINTS, taus, m, &pc, err,
				     sizeof(err));
		if (have_dv) {
			for (int j = 1; j < TMN_TAU_POINTS; j++)
				if (m[j] < m[jb])
					jb = j;
			rep->dv_fitted = 1;
			rep->dv_qa = qa_force;
			rep->dv_tau = taus[jb];
			rep->dv_tau_bound = jb == 0 ? -1 : jb == TMN_TAU_POINTS - 1 ? 1 : 0;
			rep->dv_qa_bound = 0;
			rep->dv_qa_core_limit = 0;
			rep->dv_horizon_rmse = sqrt(m[jb]);
		}
	}
	kc.kind = TMNET_PRIOR_CV;
	kc.tau = 0;
	kc.hcov_scale = 1;
	kd = kc;
	kd.kind = TMNET_PRIOR_DV;
	kd.qa = rep->dv_qa;
	kd.tau = rep->dv_tau;
	if (nv <= TMN_VAL_TICKS) {
		vlo[0] = sp->lo[1];
		vhi[0] = sp->hi[1];
	} else {
		const size_t len = TMN_VAL_TICKS / TMN_FIT_SEARCH_CHUNKS;

		nr = TMN_FIT_SEARCH_CHUNKS;
		for (int j = 0; j < nr; j++) {
			vlo[j] = sp->lo[1] + (size_t)j * (nv - len) / (size_t)(nr - 1);
			vhi[j] = vlo[j] + len;
		}
	}
	rep->selected = 1;
	rep->mode = mode;
	rep->val_chunks = nr;
	if (prior_run(d, vlo, vhi, nr, horizon, &kc, 0, NULL, NULL, &pc, err, sizeof(err))) {
		if (verbose)
			fprintf(stderr, "prior: CV on validation: %s\n", err);
		return -1;
	}
	rep->val_rmse_cv = sqrt(pc.mse);
	rep->val_ticks = pc.n;
	rep->val_rmse_dv = NAN;
	if (mode != TMN_PRIOR_MODE_CV && have_dv) {
		if (prior_run(d, vlo, vhi, nr, horizon, &kd, 0, NULL, NULL, &pd, err, sizeof(err))) {
			if (verbose)
				fprintf(stderr, "prior: DV on validation: %s\n", err);
			return -1;
		}
		rep->val_rmse_dv = sqrt(pd.mse);
	}
	if (mode == TMN_PRIOR_MODE_DV && !have_dv)
		return -1;
	/* auto: DV only when it is better on validation */
	if (mode == TMN_PRIOR_MODE_DV || (mode == TMN_PRIOR_AUTO && have_dv && pd.mse < pc.mse)) {
		*k = kd;
		pf = pd;
	} else {
		*k = kc;
		pf = pc;
	}
	rep->nees_raw_mean = pf.nees_mean;
	rep->nees_raw_in99 = pf.in99;
	/* NEES / hcov has mean 2 for hcov = mean / 2, in the blob's Q16 and range */
	c = pf.nn && pf.nees_mean > 0 ? pf.nees_mean / 2 : 1;
	rep->hcov_capped = 0;
	if (c < 1.0 / 65536) {
		c = 1.0 / 65536;
		rep->hcov_capped = -1;
	} else if (c > TMNET_HCOV_SCALE_MAX_Q16 / 65536.0) {
		c = TMNET_HCOV_SCALE_MAX_Q16 / 65536.0;
		rep->hcov_capped = 1;
	}
	k->hcov_scale = nearbyint(c * 65536) / 65536;
	rep->hcov_scale = k->hcov_scale;
	/* measured again with the calibrated core prior */
	if (prior_run(d, vlo, vhi, nr, horizon, k, 0, NULL, NULL, &pf, err, sizeof(err))) {
		if (verbose)
			fprintf(stderr, "prior: calibrated on validation: %s\n", err);
		return -1;
	}
	rep->nees_mean = pf.nees_mean;
	rep->nees_in99 = pf.in99;
	rep->nees_n = pf.nn;
	if (verbose)
		fprintf(stderr, "prior: validation horizon RMSE CV %.4g, DV %.4g units on %zu ticks: %s; NEES mean %.3g (%.1f %% inside the 99 %% ellipse) -> hcov_scale %.4g -> mean %.3g (%.1f %%)\n",
			rep->val_rmse_cv, rep->val_rmse_dv, rep->val_ticks,
			tmn_prior_kind_name(k->kind), rep->nees_raw_mean, 100 * rep->nees_raw_in99,
			k->hcov_scale, rep->nees_mean, 100 * rep->nees_in99);
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
		     r->dv_fitted ? r->cv_qa : k->qa, r->qa_lo, r->qa_hi, r->points, r->rejected, r->qa_centre, r->widened,
		     r->qa_bound < 0 ? (r->qa_core_limit ? ", WARNING: the optimum is on the LOWER end of what the core accepts" :
					", WARNING: the optimum is on the LOWER bound of the range") :
		     r->qa_bound > 0 ? (r->qa_core_limit ? ", WARNING: the optimum is on the UPPER end of what the core accepts" :
					", WARNING: the optimum is on the UPPER bound of the range") : "",
		     k->r, rs[r->r_source < 0 || r->r_source > 2 ? 0 : r->r_source],
		     r->horizon_rmse, r->fit_ticks, r->fit_chunks);
	if (r->p0_vel_capped && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; p0_vel capped at %.3g (2^18 r, the core's range)",
			      k->p0_vel);
	if (r->dv_fitted && n > 0 && (size_t)n < len) {
		int warn = r->selected && k->kind == TMNET_PRIOR_DV;

		n += snprintf(buf + n, len - (size_t)n,
			      "; DV: tau %.4g s (grid %.3g .. %.3g s) at qa %.4g, horizon RMSE %.4g units on training%s%s%s",
			      r->dv_tau, r->dv_tau_lo, r->dv_tau_hi, r->dv_qa, r->dv_horizon_rmse,
			      r->dv_tau_bound < 0 ? (warn ? ", WARNING: tau on the LOWER end of the grid" :
						     ", tau on the lower end of the grid") :
			      r->dv_tau_bound > 0 ? (warn ? ", WARNING: tau on the UPPER end of the grid (DV is CV there)" :
						     ", tau on the upper end of the grid (DV is CV there)") : "",
			      r->dv_qa_bound < 0 ? (warn ? ", WARNING: its qa on the LOWER end of the qa range" :
						    ", its qa on the lower end of the qa range") :
			      r->dv_qa_bound > 0 ? (warn ? ", WARNING: its qa on the UPPER end of the qa range" :
						    ", its qa on the upper end of the qa range") : "",
			      r->dv_qa_bound && r->dv_qa_core_limit ? " (the core's limit)" : "");
	}
	if (r->selected && n > 0 && (size_t)n < len) {
		char dv[64] = "not evaluated";

		if (!isnan(r->val_rmse_dv))
			snprintf(dv, sizeof(dv), "%.4g", r->val_rmse_dv);
		snprintf(buf + n, len - (size_t)n,
			 "; prior %s (--prior %s; validation horizon RMSE CV %.4g, DV %s units on %zu ticks in %d stretch(es)); NEES on validation (2-D, chi2(2) 99 %% = 9.21): mean %.3g, %.1f %% inside the 99 %% ellipse uncalibrated; hcov_scale %.4g%s; calibrated mean %.3g, %.1f %% inside",
			 tmn_prior_kind_name(k->kind),
			 r->mode == TMN_PRIOR_MODE_CV ? "cv" : r->mode == TMN_PRIOR_MODE_DV ? "dv" : "auto",
			 r->val_rmse_cv, dv, r->val_ticks, r->val_chunks, r->nees_raw_mean,
			 100 * r->nees_raw_in99, r->hcov_scale,
			 r->hcov_capped ? " (WARNING: AT AN END of the blob's range 1/65536 .. 1000)" : "",
			 r->nees_mean, 100 * r->nees_in99);
	}
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
