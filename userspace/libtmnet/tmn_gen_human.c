// SPDX-License-Identifier: GPL-2.0
/*
 * Human-motion generators (docs/generators.md has the equations, the
 * parameter values and the references).
 *
 * Pointing.  A cursor on a screen_w x screen_h px screen moves to targets
 * drawn uniformly (centre at least one width from the edge), widths W from
 * {8, 16, 32, 64, 128} px.  Each sub-movement is a minimum-jerk movement
 * (Flash & Hogan 1985) p(t) = p0 + (p1 - p0) (10 s^3 - 15 s^4 + 6 s^5),
 * s = (t - t0)/T, which starts and ends at rest with a bell-shaped,
 * symmetric speed profile peaking at 1.875 |p1 - p0| / T.  Its duration is
 * Fitts' law for its own amplitude, T = (a + b log2(D/W + 1)) e^(g sdlog),
 * g ~ N(0, 1).  As in Meyer et al.'s (1988) stochastic optimised
 * sub-movement model, the endpoint scatters about the aim point with a
 * standard deviation proportional to the mean speed, sd = k D / T, along the
 * movement (so about half of the primary movements overshoot) and
 * perp_ratio times that across it; when the endpoint lies outside the
 * target (more than W/2 from the centre) a corrective sub-movement to the
 * centre follows after a dwell of U(dwell_min, dwell_max), at most max_corr
 * times.  After the target, a rest: lognormal (median rest_median, log sd
 * rest_sdlog), or with probability idle_p an idle stretch U(idle_min,
 * idle_max).
 *
 * The mouse is polled at device_hz; it reports only when the rounded
 * position changes (nothing at rest), with N(0, noise_px^2) added while the
 * true speed exceeds 5 px/s.  Each report is stamped with the client clock,
 * floor(t / clock) clock, so that several reports share one timestamp when
 * the clock (16 ms) is coarser than the polling period, as remote-desktop
 * and browser mouse logs show.
 *
 * Handwriting.  A word is a chain of alternating up- and down-strokes, each
 * one sigma-lognormal pulse (Plamondon 1995; O'Reilly & Plamondon 2009):
 *   |v_i(t)| = D_i / (sigma_i sqrt(2 pi) (t - t0_i))
 *              exp(-(ln(t - t0_i) - mu_i)^2 / (2 sigma_i^2)),
 *   phi_i(t) = th_s + (th_e - th_s) (1 + erf((ln(t - t0_i) - mu_i)
 *              / (sigma_i sqrt 2))) / 2,
 * v(t) = sum_i |v_i(t)| (cos phi_i, sin phi_i).  The displacement has a
 * closed form, D/(th_e - th_s) (sin phi - sin th_s, cos th_s - cos phi), and
 * a pulse of curvature dth = th_e - th_s and chord c has D = |c| dth /
 * (2 sin(dth/2)) and th_s = arg c - dth/2, so the strokes are planned as
 * chords between via points (baseline, x-height, descender), and the pulses
 * overlap in time (t0_{i+1} - t0_i = e^mu_i U(0.5, 0.8)), which rounds the
 * turns.  The pen is down from the first onset to e^(mu + 2.5 sigma) after
 * the last; pen-up gaps between words, for i-dots, at line ends, page ends
 * and pauses carry no reports.  Writers: slow, normal, fast (mu, sigma
 * ranges, gap scale and peak-speed cap in writer_tab below; a pulse faster
 * than the cap gets a larger mu, so longer strokes take longer).  The tablet reports at
 * device_hz with millisecond timestamps in integer units (units_per_mm),
 * plus N(0, noise_units^2).
 *
 * Mixtures.  The output is blocks (recordings) of the kinds; the next block's
 * kind is drawn with probability proportional to the ticks that kind still
 * lacks, and each kind's last block is cut so that every kind gets exactly
 * round(w_k n) of the n = seconds * rate ticks.  Each block starts a segment
 * (TMNET_SAMPLE_SEG_START); its timestamps follow the previous block's.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmn_gen_human.h"

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

static const char *const kind_names[TMN_GK_N] = { "vehicle", "pointing", "handwriting" };

const char *tmn_gen_kind_name(int k)
{
	return k >= 0 && k < TMN_GK_N ? kind_names[k] : "?";
}

/* ---- minimum jerk ------------------------------------------------------------ */

double tmn_minjerk(double s)
{
	if (s <= 0)
		return 0;
	if (s >= 1)
		return 1;
	return s * s * s * (10 + s * (-15 + 6 * s));
}

double tmn_minjerk_d(double s)
{
	if (s <= 0 || s >= 1)
		return 0;
	return 30 * s * s * (1 + s * (-2 + s));
}

void tmn_mj_eval(const struct tmn_mj_seg *g, double t, double p[2], double v[2])
{
	double s = (t - g->t0) / g->T, f = tmn_minjerk(s), fd = tmn_minjerk_d(s);
	int i;

	for (i = 0; i < 2; i++) {
		p[i] = g->p0[i] + (g->p1[i] - g->p0[i]) * f;
		v[i] = (g->p1[i] - g->p0[i]) * fd / g->T;
	}
}

double tmn_fitts_mt(double a, double b, double D, double W)
{
	return a + b * log2(D / W + 1);
}

/* ---- sigma-lognormal ------------------------------------------------------- */

double tmn_sl_speed(const struct tmn_lognorm *p, double t)
{
	double dt = t - p->t0, z;

	if (dt <= 0)
		return 0;
	z = (log(dt) - p->mu) / p->sigma;
	return p->D / (p->sigma * sqrt(2 * M_PI) * dt) * exp(-0.5 * z * z);
}

/* fraction of the pulse's arc length covered at t (the lognormal CDF) */
static double sl_frac(const struct tmn_lognorm *p, double t)
{
	double dt = t - p->t0;

	if (dt <= 0)
		return 0;
	return 0.5 * (1 + erf((log(dt) - p->mu) / (p->sigma * M_SQRT2)));
}

void tmn_sl_vel1(const struct tmn_lognorm *p, double t, double v[2])
{
	double sp = tmn_sl_speed(p, t);
	double phi = p->th_s + (p->th_e - p->th_s) * sl_frac(p, t);

	v[0] = sp * cos(phi);
	v[1] = sp * sin(phi);
}

void tmn_sl_vel(const struct tmn_lognorm *p, size_t n, double t, double v[2])
{
	size_t i;

	v[0] = v[1] = 0;
	for (i = 0; i < n; i++) {
		double w[2];

		tmn_sl_vel1(&p[i], t, w);
		v[0] += w[0];
		v[1] += w[1];
	}
}

void tmn_sl_disp(const struct tmn_lognorm *p, size_t n, double t, double d[2])
{
	size_t i;

	d[0] = d[1] = 0;
	for (i = 0; i < n; i++) {
		double F = sl_frac(&p[i], t), dth = p[i].th_e - p[i].th_s;
		double phi = p[i].th_s + dth * F;

		if (fabs(dth) > 1e-9) {
			d[0] += p[i].D / dth * (sin(phi) - sin(p[i].th_s));
			d[1] += p[i].D / dth * (cos(p[i].th_s) - cos(phi));
		} else {
			d[0] += p[i].D * F * cos(p[i].th_s);
			d[1] += p[i].D * F * sin(p[i].th_s);
		}
	}
}

/* ---- raw log ----------------------------------------------------------------- */

void tmn_rawlog_free(struct tmn_rawlog *l)
{
	free(l->t);
	free(l->x);
	free(l->y);
	l->t = l->x = l->y = NULL;
	l->n = l->cap = 0;
}

/*
 * Room for one more element in arr (n used, *cap allocated, size bytes
 * each): arr itself, or a larger copy (doubling, first 256) with *cap
 * updated, or NULL (arr is left as it was).
 */
static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return arr;
	nc = *cap ? 2 * *cap : 256;
	q = realloc(arr, nc * size);
	if (q)
		*cap = nc;
	return q;
}

static int rawlog_push(struct tmn_rawlog *l, double t, double x, double y)
{
	if (l->n == l->cap) {	/* three arrays of one length */
		size_t ct = l->cap, cx = l->cap, cy = l->cap;
		double *nt, *nx, *ny;

		nt = grow(l->t, l->n, &ct, sizeof(double));
		if (!nt)
			return -1;
		l->t = nt;
		nx = grow(l->x, l->n, &cx, sizeof(double));
		if (!nx)
			return -1;
		l->x = nx;
		ny = grow(l->y, l->n, &cy, sizeof(double));
		if (!ny)
			return -1;
		l->y = ny;
		l->cap = ct;
	}
	l->t[l->n] = t;
	l->x[l->n] = x;
	l->y[l->n] = y;
	l->n++;
	return 0;
}

int tmn_rawlog_write(const char *path, const struct tmn_rawlog *l, char *err, int errlen)
{
	FILE *f = fopen(path, "w");
	char d = l->delim ? l->delim : ',';
	int whole_ms = l->clock_s >= 1e-3;
	size_t i;

	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "t_ms%cx%cy\n", d, d);
	for (i = 0; i < l->n; i++) {
		if (whole_ms)
			fprintf(f, "%.0f%c%.0f%c%.0f\n", l->t[i] * 1e3, d, l->x[i], d, l->y[i]);
		else
			fprintf(f, "%.3f%c%.0f%c%.0f\n", l->t[i] * 1e3, d, l->x[i], d, l->y[i]);
	}
	if (fclose(f) != 0)
		return fail(err, errlen, "%s: write failed: %s", path, strerror(errno));
	return 0;
}

/* ---- pointing ------------------------------------------------------------------ */

static const double point_widths[] = { 8, 16, 32, 64, 128 };

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* the movement plan: sub-movements until `seconds` (the last may run past) */
static int point_plan(const struct tmn_point_cfg *c, struct tmn_rng *r, double seconds,
		      struct tmn_mj_seg **plan, size_t *nplan)
{
	double t = 0, cur[2] = { c->screen_w / 2, c->screen_h / 2 };
	size_t cap = 0;

	*plan = NULL;
	*nplan = 0;
	while (t < seconds) {
		double W = point_widths[tmn_rng_u64(r) % (sizeof(point_widths) / sizeof(point_widths[0]))];
		double tg[2], p[2] = { cur[0], cur[1] };
		int k;

		tg[0] = tmn_rng_range(r, W, c->screen_w - W);
		tg[1] = tmn_rng_range(r, W, c->screen_h - W);
		for (k = 0; k <= c->max_corr; k++) {
			struct tmn_mj_seg g, *q;
			double u[2] = { tg[0] - p[0], tg[1] - p[1] };
			double D = hypot(u[0], u[1]), sd, ea, ep;

			if (D < 0.5)
				break;	/* already on the centre */
			u[0] /= D;
			u[1] /= D;
			g.t0 = t;
			g.T = tmn_fitts_mt(c->fitts_a, c->fitts_b, D, W) *
			      exp(c->mt_sdlog * tmn_rng_gauss(r));
			g.W = W;
			g.D = D;
			g.corr = k;
			sd = c->k_err * D / g.T;
			ea = sd * tmn_rng_gauss(r);
			ep = c->perp_ratio * sd * tmn_rng_gauss(r);
			g.p0[0] = p[0];
			g.p0[1] = p[1];
			g.p1[0] = clampd(tg[0] + ea * u[0] - ep * u[1], 0, c->screen_w - 1);
			g.p1[1] = clampd(tg[1] + ea * u[1] + ep * u[0], 0, c->screen_h - 1);
			q = grow(*plan, *nplan, &cap, sizeof(g));
			if (!q)
				return -1;
			*plan = q;
			(*plan)[(*nplan)++] = g;
			t += g.T;
			p[0] = g.p1[0];
			p[1] = g.p1[1];
			if (hypot(p[0] - tg[0], p[1] - tg[1]) <= W / 2)
				break;
			if (k < c->max_corr)
				t += tmn_rng_range(r, c->dwell_min_s, c->dwell_max_s);
		}
		cur[0] = p[0];
		cur[1] = p[1];
		if (tmn_rng_uniform(r) < c->idle_p)
			t += tmn_rng_range(r, c->idle_min_s, c->idle_max_s);
		else
			t += c->rest_median_s * exp(c->rest_sdlog * tmn_rng_gauss(r));
	}
	return 0;
}

int tmn_gen_pointing_raw(const struct tmn_point_cfg *c, uint64_t seed, double seconds,
			 struct tmn_rawlog *log, struct tmn_mj_seg **plan_out, size_t *nplan_out)
{
	struct tmn_rng r;
	struct tmn_mj_seg *plan;
	size_t nplan, j = 0;
	double last[2] = { NAN, NAN }, at[2];
	long k, npoll;

	memset(log, 0, sizeof(*log));
	if (!(seconds > 0) || !(c->device_hz >= 10 && c->device_hz <= 10000) ||
	    !(c->screen_w >= 64 && c->screen_h >= 64) || !(c->clock_s >= 0) ||
	    !(c->fitts_a >= 0) || !(c->fitts_b > 0) || c->max_corr < 0)
		return -1;
	tmn_rng_seed(&r, seed);
	if (point_plan(c, &r, seconds, &plan, &nplan))
		goto oom;
	log->delim = ',';
	log->clock_s = c->clock_s;
	at[0] = c->screen_w / 2;
	at[1] = c->screen_h / 2;
	npoll = (long)ceil(seconds * c->device_hz);
	for (k = 0; k < npoll; k++) {
		double tp = (double)k / c->device_hz, p[2], v[2], ts, rx, ry;

		if (tp >= seconds)
			break;
		while (j < nplan && plan[j].t0 + plan[j].T < tp) {
			at[0] = plan[j].p1[0];
			at[1] = plan[j].p1[1];
			j++;
		}
		if (j < nplan && tp >= plan[j].t0) {
			tmn_mj_eval(&plan[j], tp, p, v);
		} else {
			p[0] = at[0];
			p[1] = at[1];
			v[0] = v[1] = 0;
		}
		if (hypot(v[0], v[1]) > 5) {
			p[0] += c->noise_px * tmn_rng_gauss(&r);
			p[1] += c->noise_px * tmn_rng_gauss(&r);
		}
		rx = clampd(nearbyint(p[0]), 0, c->screen_w - 1);
		ry = clampd(nearbyint(p[1]), 0, c->screen_h - 1);
		if (rx == last[0] && ry == last[1])
			continue;	/* no motion, no report */
		last[0] = rx;
		last[1] = ry;
		if (c->clock_s > 0)
			ts = floor(tp / c->clock_s + 1e-9) * c->clock_s;
		else
			ts = nearbyint(tp * 1e6) * 1e-6;
		ts = nearbyint(ts * 1e6) * 1e-6;
		if (rawlog_push(log, ts, rx, ry))
			goto oom;
	}
	if (plan_out) {
		*plan_out = plan;
		*nplan_out = nplan;
	} else {
		free(plan);
	}
	return 0;
oom:
	free(plan);
	tmn_rawlog_free(log);
	return -1;
}

/* ---- handwriting --------------------------------------------------------------- */

static const struct {
	double mu_lo, mu_hi, sg_lo, sg_hi, gap_scale, vmax_mm;
} writer_tab[3] = {
	[TMN_WR_SLOW] = { -1.5, -1.1, 0.25, 0.40, 1.5, 60 },
	[TMN_WR_NORMAL] = { -1.9, -1.5, 0.20, 0.35, 1.0, 90 },
	[TMN_WR_FAST] = { -2.3, -1.9, 0.15, 0.30, 0.7, 120 },
};

struct hw_word {
	size_t p0, np;		/* pulses [p0, p0 + np) */
	double org[2];		/* tablet position at displacement 0 */
	double t_down, t_up;	/* pen-down interval */
};

struct hw_plan {
	struct tmn_lognorm *p;
	size_t np, pcap;
	struct hw_word *w;
	size_t nw, wcap;
};

static int hw_push_pulse(struct hw_plan *h, const struct tmn_lognorm *p)
{
	struct tmn_lognorm *q = grow(h->p, h->np, &h->pcap, sizeof(*p));

	if (!q)
		return -1;
	h->p = q;
	h->p[h->np++] = *p;
	return 0;
}

static int hw_push_word(struct hw_plan *h, const struct hw_word *w)
{
	struct hw_word *q = grow(h->w, h->nw, &h->wcap, sizeof(*w));

	if (!q)
		return -1;
	h->w = q;
	h->w[h->nw++] = *w;
	return 0;
}

/* one pulse that moves by the chord c (units), starting at t0 */
static void chord_pulse(struct tmn_rng *r, int wr, const double c[2], double t0, int bend,
			double mm, struct tmn_lognorm *p)
{
	double peak, vmax = writer_tab[wr].vmax_mm * mm;
	double len = hypot(c[0], c[1]);
	double dth = tmn_rng_range(r, 0.3, 1.4) * (tmn_rng_uniform(r) < 0.25 ? -bend : bend);
	double ang = atan2(c[1], c[0]);

	p->t0 = t0;
	p->mu = tmn_rng_range(r, writer_tab[wr].mu_lo, writer_tab[wr].mu_hi);
	p->sigma = tmn_rng_range(r, writer_tab[wr].sg_lo, writer_tab[wr].sg_hi);
	p->D = len * dth / (2 * sin(dth / 2));
	p->th_s = ang - dth / 2;
	p->th_e = ang + dth / 2;
	/*
	 * Longer strokes take longer (isochrony): the peak speed
	 * D e^(sigma^2/2 - mu) / (sigma sqrt(2 pi)) is held to the writer's
	 * vmax by raising mu.
	 */
	peak = p->D * exp(p->sigma * p->sigma / 2 - p->mu) / (p->sigma * sqrt(2 * M_PI));
	if (peak > vmax)
		p->mu += log(peak / vmax);
}

/*
 * A word of nl letters at t, tablet origin org, letter height h (units):
 * up/down strokes as chords; returns the pen-up time, *adv the x advance.
 */
static int hw_word(struct hw_plan *h, struct tmn_rng *r, int wr, int nl, double t,
		   const double org[2], double hgt, double mm, double *t_up, double *adv)
{
	struct hw_word w = { .p0 = h->np, .org = { org[0], org[1] }, .t_down = t };
	double cur[2] = { 0, 0 }, t0 = t, end = t;
	int k, desc = 0;

	for (k = 0; k < 2 * nl; k++) {
		struct tmn_lognorm p;
		double tg[2], c[2], hk;

		if (!(k & 1)) {	/* up-stroke: to the x-height (or an ascender) */
			hk = hgt * tmn_rng_range(r, 0.8, 1.2);
			if (tmn_rng_uniform(r) < 0.15)
				hk *= 2;
			tg[0] = cur[0] + hgt * tmn_rng_range(r, 0.3, 0.6);
			tg[1] = hk;
		} else {	/* down-stroke: to the baseline (or a descender) */
			desc = tmn_rng_uniform(r) < 0.1;
			tg[0] = cur[0] + hgt * tmn_rng_range(r, -0.15, 0.15);
			tg[1] = desc ? -0.6 * hgt : 0;
		}
		c[0] = tg[0] - cur[0];
		c[1] = tg[1] - cur[1];
		chord_pulse(r, wr, c, t0, k & 1 ? -1 : 1, mm, &p);
		if (hw_push_pulse(h, &p))
			return -1;
		if (t0 + exp(p.mu + 2.5 * p.sigma) > end)
			end = t0 + exp(p.mu + 2.5 * p.sigma);
		t0 += exp(p.mu) * tmn_rng_range(r, 0.5, 0.8);
		cur[0] = tg[0];
		cur[1] = tg[1];
	}
	(void)desc;
	w.np = h->np - w.p0;
	w.t_up = end;
	*t_up = end;
	*adv = cur[0];
	return hw_push_word(h, &w);
}

static int hw_plan_make(const struct tmn_hw_cfg *c, struct tmn_rng *r, double seconds,
			struct hw_plan *h)
{
	double mm = c->units_per_mm, left = 20 * mm, right = 170 * mm, top = 20 * mm;
	double bottom = 140 * mm, x = left, line_y = top + 10 * mm, t = 0, hgt;
	int wr = c->writer == TMN_WR_MIXED ? (int)(tmn_rng_u64(r) % 3) : c->writer;

	hgt = tmn_rng_range(r, 3.5, 5.5) * mm;
	while (t < seconds) {
		double org[2] = { x, line_y }, t_up, adv, gs = writer_tab[wr].gap_scale;
		int nl = 2 + (int)(tmn_rng_u64(r) % 7);

		if (hw_word(h, r, wr, nl, t, org, hgt, mm, &t_up, &adv))
			return -1;
		t = t_up;
		if (tmn_rng_uniform(r) < 0.3) {	/* an i-dot or t-cross */
			struct hw_word w;
			struct tmn_lognorm p;
			double cd[2] = { hgt * tmn_rng_range(r, 0.15, 0.4),
					 hgt * tmn_rng_range(r, -0.2, 0.2) };

			t += tmn_rng_range(r, 0.10, 0.25) * gs;
			w.p0 = h->np;
			w.np = 1;
			w.org[0] = x + adv * tmn_rng_range(r, 0.2, 0.8);
			w.org[1] = line_y - 1.4 * hgt;	/* tablet y grows downwards */
			w.t_down = t;
			chord_pulse(r, wr, cd, t, 1, c->units_per_mm, &p);
			if (hw_push_pulse(h, &p))
				return -1;
			w.t_up = t + exp(p.mu + 2.5 * p.sigma);
			t = w.t_up;
			if (hw_push_word(h, &w))
				return -1;
		}
		t += tmn_rng_range(r, 0.12, 0.35) * gs;
		x += adv + hgt * tmn_rng_range(r, 0.8, 1.5);
		if (x > right) {	/* next line */
			x = left;
			line_y += tmn_rng_range(r, 8, 10) * mm;
			t += tmn_rng_range(r, 0.3, 0.8) * gs;
			if (c->writer == TMN_WR_MIXED)
				wr = (int)(tmn_rng_u64(r) % 3);
			if (line_y > bottom) {	/* next page */
				line_y = top + 10 * mm;
				t += tmn_rng_range(r, 2, 5);
			}
		}
		if (tmn_rng_uniform(r) < 0.08)	/* a pause to think */
			t += tmn_rng_range(r, 1, 4);
	}
	return 0;
}

int tmn_gen_handwriting_raw(const struct tmn_hw_cfg *c, uint64_t seed, double seconds,
			    struct tmn_rawlog *log, struct tmn_lognorm **pulses, size_t *npulses)
{
	struct tmn_rng r;
	struct hw_plan h = { 0 };
	size_t i;

	memset(log, 0, sizeof(*log));
	if (!(seconds > 0) || !(c->device_hz >= 10 && c->device_hz <= 10000) ||
	    !(c->units_per_mm >= 1 && c->units_per_mm <= 200) || c->writer < 0 ||
	    c->writer > TMN_WR_MIXED || !(c->noise_units >= 0))
		return -1;
	tmn_rng_seed(&r, seed);
	if (hw_plan_make(c, &r, seconds, &h))
		goto oom;
	log->delim = ';';
	log->clock_s = 1e-3;
	for (i = 0; i < h.nw; i++) {
		const struct hw_word *w = &h.w[i];
		long k = (long)ceil(w->t_down * c->device_hz - 1e-9);

		for (;; k++) {
			double tk = (double)k / c->device_hz, d[2], ts;

			if (tk > w->t_up || tk >= seconds)
				break;
			tmn_sl_disp(h.p + w->p0, w->np, tk, d);
			ts = nearbyint(tk * 1e3) * 1e-3;
			if (ts >= seconds)
				break;
			if (rawlog_push(log, ts,
					nearbyint(w->org[0] + d[0] + c->noise_units * tmn_rng_gauss(&r)),
					nearbyint(w->org[1] - d[1] + c->noise_units * tmn_rng_gauss(&r))))
				goto oom;
		}
	}
	free(h.w);
	if (pulses) {
		*pulses = h.p;
		*npulses = h.np;
	} else {
		free(h.p);
	}
	return 0;
oom:
	free(h.p);
	free(h.w);
	tmn_rawlog_free(log);
	return -1;
}

/* ---- the data set -------------------------------------------------------------- */

void tmn_gen_human_default(struct tmn_gen_human_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->seconds = 600;
	c->rate_hz = TMNET_DEFAULT_RATE_HZ;
	c->w[TMN_GK_VEHICLE] = 1;
	c->block_min_s = 20;
	c->block_max_s = 60;
	c->gap_s = 0;
	tmn_gen_default(&c->vehicle);
	c->point = (struct tmn_point_cfg){
		.screen_w = 1920, .screen_h = 1080,
		.fitts_a = 0.15, .fitts_b = 0.15,
		.k_err = 0.012, .perp_ratio = 0.5, .mt_sdlog = 0.1,
		.max_corr = 3,
		.dwell_min_s = 0.03, .dwell_max_s = 0.12,
		.rest_median_s = 0.35, .rest_sdlog = 0.7,
		.idle_p = 0.05, .idle_min_s = 2, .idle_max_s = 30,
		.noise_px = 0.3,
		.device_hz = 125, .clock_s = 0.016,
	};
	c->hw = (struct tmn_hw_cfg){
		.writer = TMN_WR_NORMAL,
		.units_per_mm = 100,
		.device_hz = 195,
		.noise_units = 1.0,
	};
}

int tmn_gen_kind_parse(const char *s, double w[TMN_GK_N], char *err, int errlen)
{
	char buf[256], *tok, *save = NULL;
	double sum = 0;
	int k, seen[TMN_GK_N] = { 0 };

	for (k = 0; k < TMN_GK_N; k++)
		w[k] = 0;
	for (k = 0; k < TMN_GK_N; k++) {
		if (!strcmp(s, kind_names[k])) {
			w[k] = 1;
			return 0;
		}
	}
	if (strncmp(s, "mix:", 4))
		return fail(err, errlen,
			    "unknown kind '%s' (want vehicle, pointing, handwriting or mix:KIND=W,...)",
			    s);
	if (strlen(s + 4) >= sizeof(buf))
		return fail(err, errlen, "mixture '%s' is too long", s);
	strcpy(buf, s + 4);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		double v;

		if (!eq)
			return fail(err, errlen, "mixture item '%s': want KIND=WEIGHT", tok);
		*eq = '\0';
		for (k = 0; k < TMN_GK_N; k++)
			if (!strcmp(tok, kind_names[k]))
				break;
		if (k == TMN_GK_N)
			return fail(err, errlen,
				    "mixture item '%s': unknown kind (want vehicle, pointing or handwriting)",
				    tok);
		if (seen[k]++)
			return fail(err, errlen, "mixture names '%s' twice", tok);
		errno = 0;
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || errno || !isfinite(v) || v < 0)
			return fail(err, errlen, "mixture item '%s=%s': weight must be a number >= 0",
				    tok, eq + 1);
		w[k] = v;
		sum += v;
	}
	if (!(sum > 0))
		return fail(err, errlen, "mixture '%s': the weights sum to 0", s);
	for (k = 0; k < TMN_GK_N; k++)
		w[k] /= sum;
	return 0;
}

/*
 * The one place where generated device logs enter the importer: the log is
 * written as a CSV (ms timestamps) and read back by tmn_import(), the same
 * function `tmnet data import` calls.
 */
static int import_raw(const struct tmn_rawlog *log, int rate_hz, double gap_s,
		      const struct tmn_units *units, struct tmn_series *out, char *err, int errlen)
{
	struct tmn_import_cfg ic;
	const char *dir = getenv("TMPDIR");
	char path[4096], e2[512];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/tmnet-gen-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return fail(err, errlen, "temporary device log in %s: %s", path, strerror(errno));
	close(fd);
	if (tmn_rawlog_write(path, log, err, errlen)) {
		unlink(path);
		return -1;
	}
	tmn_import_default(&ic);
	ic.rate_hz = rate_hz;
	ic.time_unit = 1e-3;
	ic.gap_s = gap_s;
	if (units) {	/* else the importer's automatic choice */
		ic.auto_units = 0;
		ic.units = *units;
	}
	rc = tmn_import(path, &ic, out, e2, sizeof(e2), NULL, 0);
	unlink(path);
	if (rc)
		return fail(err, errlen, "importing the generated device log: %s", e2);
	return 0;
}

static uint64_t block_seed(uint64_t seed, size_t b)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * One recording of kind k, `sec` s long, as canonical ticks, in the given
 * units (NULL: the importer's automatic choice).
 */
static int gen_block(const struct tmn_gen_human_cfg *c, int k, uint64_t seed, double sec,
		     const struct tmn_units *units, struct tmn_series *s, struct tmn_rawlog *raw,
		     char *err, int errlen)
{
	struct tmn_rawlog log;
	double gap;
	int rc;

	if (k == TMN_GK_VEHICLE) {
		struct tmn_gen_cfg v = c->vehicle;

		v.seed = seed;
		v.seconds = sec;
		v.rate_hz = c->rate_hz;
		if (tmn_gen(&v, s, NULL))
			return fail(err, errlen, "vehicle generator: bad configuration or out of memory");
		return 0;
	}
	if (k == TMN_GK_POINTING) {
		rc = tmn_gen_pointing_raw(&c->point, seed, sec, &log, NULL, NULL);
		gap = c->gap_s > 0 ? c->gap_s : 1.0;
	} else {
		rc = tmn_gen_handwriting_raw(&c->hw, seed, sec, &log, NULL, NULL);
		gap = c->gap_s > 0 ? c->gap_s : 0.03;
	}
	if (rc)
		return fail(err, errlen, "%s generator: bad configuration or out of memory",
			    kind_names[k]);
	rc = import_raw(&log, c->rate_hz, gap, units, s, err, errlen);
	if (!rc && raw) {	/* keep the device log, after the previous one */
		double off = raw->n ? raw->t[raw->n - 1] + 10.0 : 0;
		size_t i;

		raw->delim = log.delim;
		raw->clock_s = log.clock_s;
		for (i = 0; i < log.n && !rc; i++)
			rc = rawlog_push(raw, log.t[i] + off, log.x[i], log.y[i]);
		if (rc)
			fail(err, errlen, "out of memory");
	}
	tmn_rawlog_free(&log);
	return rc;
}

int tmn_gen_human(const struct tmn_gen_human_cfg *c, struct tmn_series *d, uint8_t **kind_out,
		  const char *raw_path, char *err, int errlen)
{
	size_t target[TMN_GK_N], have[TMN_GK_N] = { 0 }, total, n = 0, b = 0, fails = 0;
	struct tmn_rawlog raw = { 0 };
	struct tmn_units units[TMN_GK_N];
	struct tmn_rng r;
	uint8_t *kind = NULL;
	int k, nk = 0, single = -1;
	double sum = 0;
	__u64 next_t = 0;

	memset(d, 0, sizeof(*d));
	if (kind_out)
		*kind_out = NULL;
	for (k = 0; k < TMN_GK_N; k++) {
		if (!(c->w[k] >= 0))
			return fail(err, errlen, "weight of %s must be >= 0", kind_names[k]);
		sum += c->w[k];
		if (c->w[k] > 0) {
			nk++;
			single = k;
		}
	}
	if (!(sum > 0.999 && sum < 1.001))
		return fail(err, errlen, "the kind weights sum to %g, not 1", sum);
	if (c->rate_hz < TMNET_MIN_RATE_HZ || c->rate_hz > TMNET_MAX_RATE_HZ ||
	    !(c->seconds > 0) || c->seconds * c->rate_hz > 2e8)
		return fail(err, errlen, "bad duration or rate");
	if (!(c->block_min_s >= 1) || !(c->block_max_s >= c->block_min_s))
		return fail(err, errlen, "blocks must last >= 1 s (min <= max)");
	if (raw_path && (nk != 1 || single == TMN_GK_VEHICLE))
		return fail(err, errlen,
			    "a device log (--raw) needs a single human kind (pointing or handwriting)");
	if (nk == 1 && single == TMN_GK_VEHICLE) {	/* today's generator, same bytes */
		struct tmn_gen_cfg v = c->vehicle;

		v.seed = c->seed;
		v.seconds = c->seconds;
		v.rate_hz = c->rate_hz;
		if (tmn_gen(&v, d, NULL))
			return fail(err, errlen, "bad configuration or out of memory");
		if (kind_out) {
			*kind_out = calloc(d->n ? d->n : 1, 1);
			if (!*kind_out) {
				tmn_series_free(d);
				return fail(err, errlen, "out of memory");
			}
		}
		return 0;
	}
	total = (size_t)llround(c->seconds * c->rate_hz);
	for (k = 0; k < TMN_GK_N; k++)
		target[k] = (size_t)llround(c->w[k] * (double)total);
	total = 0;
	for (k = 0; k < TMN_GK_N; k++)
		total += target[k];
	if (tmn_series_alloc(d, total, c->rate_hz))
		return fail(err, errlen, "out of memory");
	kind = malloc(total ? total : 1);
	if (!kind) {
		tmn_series_free(d);
		return fail(err, errlen, "out of memory");
	}
	/*
	 * Units: a single human kind takes the importer's automatic choice for
	 * its first recording and keeps it for the others (one file, one
	 * scale); in a mixture every kind has fixed units: vehicle units, px,
	 * and 0.1 mm for the tablet's 0.01 mm units (magnitudes alike), and the
	 * file records the identity.
	 */
	for (k = 0; k < TMN_GK_N; k++)
		tmn_units_identity(&units[k]);
	units[TMN_GK_HANDWRITING].scale[0] = units[TMN_GK_HANDWRITING].scale[1] = 0.1;
	tmn_rng_seed(&r, c->seed);
	while (n < total) {
		struct tmn_series s;
		size_t need = 0, take, i;
		double u, sec;

		/* the next kind: probability proportional to the ticks it lacks */
		u = tmn_rng_uniform(&r) * (double)(total - n);
		for (k = 0; k < TMN_GK_N; k++) {
			need = target[k] - have[k];
			if (need && u < (double)need)
				break;
			u -= (double)need;
		}
		if (k == TMN_GK_N) {	/* rounding: the last kind that lacks ticks */
			for (k = TMN_GK_N - 1; k > 0 && target[k] == have[k]; k--)
				;
			need = target[k] - have[k];
		}
		sec = nk == 1 ? (double)need / c->rate_hz
			      : tmn_rng_range(&r, c->block_min_s, c->block_max_s);
		if (sec > (double)need / c->rate_hz)
			sec = (double)need / c->rate_hz;
		if (sec < 1)
			sec = 1;	/* generate at least 1 s, keep what is needed */
		if (gen_block(c, k, block_seed(c->seed, b), sec,
			      nk == 1 && b == 0 ? NULL : &units[k], &s, raw_path ? &raw : NULL, err,
			      errlen))
			goto bad;
		if (nk == 1 && b == 0) {
			units[k] = s.units;
			d->units = s.units;
			d->has_units = 1;
		}
		b++;
		take = s.n < need ? s.n : need;
		if (take == 0) {
			tmn_series_free(&s);
			if (++fails > 100) {
				fail(err, errlen,
				     "%s recordings give no ticks (is the importer gap, %.0f ms, shorter than the device's report period?)",
				     kind_names[k],
				     1e3 * (c->gap_s > 0 ? c->gap_s : k == TMN_GK_POINTING ? 1.0 : 0.03));
				goto bad;
			}
			continue;
		}
		for (i = 0; i < take; i++) {
			struct tmnet_sample *o = &d->s[n + i];
			__u64 t0 = s.s[0].t_ns;

			*o = s.s[i];
			o->t_ns = next_t + (s.s[i].t_ns - t0);
			o->seq = (__u32)(n + i);
			if (i == 0)
				o->flags |= TMNET_SAMPLE_SEG_START;
			d->nseg += (o->flags & TMNET_SAMPLE_SEG_START) != 0;
			kind[n + i] = (uint8_t)k;
		}
		next_t = d->s[n + take - 1].t_ns + (__u64)llround(1e9 / c->rate_hz);
		n += take;
		have[k] += take;
		tmn_series_free(&s);
	}
	if (raw_path && tmn_rawlog_write(raw_path, &raw, err, errlen))
		goto bad;
	tmn_rawlog_free(&raw);
	if (kind_out)
		*kind_out = kind;
	else
		free(kind);
	return 0;
bad:
	tmn_rawlog_free(&raw);
	free(kind);
	tmn_series_free(d);
	return -1;
}
