// SPDX-License-Identifier: GPL-2.0
/*
 * Sample series, canonical CSV, synthetic generator and importer.
 *
 * Synthetic generator.  The true state is (p, v, a) in R^2, integrated at the
 * sample rate (dt = 1/rate) with semi-implicit Euler (v += a dt; p += v dt).
 * A regime lasts U(seg_min, seg_max) seconds, then a new one is drawn
 * uniformly; p and v are continuous across switches.  Regimes:
 *
 *   CV      a = 0.  When |v| < 20 at entry, v is redrawn: heading U(0, 2pi),
 *           speed U(50, 300).
 *   TURN    coordinated turn: v rotates at a constant rate w, U(0.5, 3) rad/s
 *           with a random sign; exact rotation v <- R(w dt) v.
 *   SINGER  Singer / Ornstein-Uhlenbeck acceleration:
 *           da = -a/tau dt + sigma sqrt(2/tau) dW, tau U(1.0, 2.5) s,
 *           sigma U(100, 300) units/s^2, plus drag -0.5 v when |v| > 400.
 *   ORBIT   circle through the current point: centre c = p + R n (n the unit
 *           normal of v, either side), R = |v|/w, w U(1.5, 4) rad/s;
 *           a = -w^2 (p - c), which keeps |p - c| = R for the exact flow.
 *   OSC     Lissajous oscillation about the entry point c = p:
 *           a_x = -wx^2 (p_x - c_x), a_y = -wy^2 (p_y - c_y), wx, wy
 *           U(2, 6) rad/s (amplitude |v_i| / w_i).
 *   STOPGO  along a heading h: the target speed toggles between 0 and
 *           U(100, 300) every U(1.0, 2.0) s; a = k (s* - h.v) h - k_perp
 *           (v - (h.v) h), k = 8/s, k_perp = 20/s, |a| <= 1500.
 *
 * Arena: [-L, L]^2 with specular reflection (p_i -> 2L - p_i, v_i -> -v_i,
 * and orbit/oscillation centres and Singer acceleration mirrored too).
 * Speed is capped at 600 units/s.
 *
 * Sensor: x = p + N(0, noise_pos^2), v_meas = v + N(0, noise_vel^2); with
 * probability outlier_p the position gets an extra N(0, outlier_sd^2) jump;
 * with probability dropout_p per tick a dropout of U(1, dropout_max_s * rate)
 * ticks starts, during which valid = 0 and x, y, vx, vy are written as 0.
 *
 * The 500 ms horizon is hard for a constant-velocity prior (turns, orbits and
 * oscillations curve within it) and learnable from 128 ms of history (the
 * turn rate, centripetal acceleration and stop-go deceleration are visible in
 * the rotation and change of the measured velocity).
 *
 * Importer.  Timestamps in any unit (detected from the median step: the first
 * of s, ms, us, ns that puts it in [10 us, 0.5 s]), an irregular rate.
 * Resampling: the model tick at time t takes the linear interpolation of the
 * two raw samples around t when they are at most gap_s apart, else the tick is
 * invalid.  Velocity: causal backward difference over vel_window_s,
 * v(t) = (p(t) - p(t - w)) / w on the resampled track, which is the
 * mean velocity over the last w seconds (a boxcar smoother of the raw
 * derivative); ticks whose t - w is invalid use the longest valid span.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_data.h"

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

void tmn_series_free(struct tmn_series *d)
{
	free(d->s);
	d->s = NULL;
	d->n = 0;
}

int tmn_series_alloc(struct tmn_series *d, size_t n, int rate_hz)
{
	d->s = calloc(n ? n : 1, sizeof(*d->s));
	d->n = d->s ? n : 0;
	d->rate_hz = rate_hz;
	return d->s ? 0 : -1;
}

static __s32 q16(double v)
{
	double s = nearbyint(v * 65536.0);

	if (s > 2147483647.0)
		return INT32_MAX;
	if (s < -2147483647.0)
		return -INT32_MAX;
	return (__s32)s;
}

/* ---- canonical CSV ----------------------------------------------------- */

int tmn_csv_write(const char *path, const struct tmn_series *d, char *err, int errlen)
{
	char tmp[4096];
	FILE *f;
	size_t i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return fail(err, errlen, "%s: %s", tmp, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "t_ns,x,y,vx,vy,valid\n");
	for (i = 0; i < d->n; i++) {
		const struct tmnet_sample *s = &d->s[i];

		fprintf(f, "%llu,%.6f,%.6f,%.6f,%.6f,%u\n", (unsigned long long)s->t_ns,
			s->x / 65536.0, s->y / 65536.0, s->vx / 65536.0, s->vy / 65536.0,
			s->flags & TMNET_SAMPLE_VALID ? 1U : 0U);
	}
	if (fclose(f) != 0) {
		remove(tmp);
		return fail(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		remove(tmp);
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	return 0;
}

/* split a line in place on delim; returns the number of fields (<= max) */
static int split_fields(char *line, char delim, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n < max)
			f[n] = p;
		n++;
		p = strchr(p, delim);
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static int parse_num(const char *s, double *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(*v))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	return *end ? -1 : 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

int tmn_csv_read(const char *path, struct tmn_series *d, char *err, int errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 1 << 16, n = 0, lineno = 0;
	struct tmnet_sample *s;
	double prev_t = -1;

	memset(d, 0, sizeof(*d));
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	s = malloc(cap * sizeof(*s));
	if (!s) {
		fclose(f);
		return fail(err, errlen, "out of memory");
	}
	while (fgets(line, sizeof(line), f)) {
		char *fl[7];
		double v[6];
		int nf, i;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fail(err, errlen, "%s: line %zu: line too long", path, lineno);
			goto bad;
		}
		chomp(line);
		if (!line[0])
			continue;
		if (lineno == 1 && isalpha((unsigned char)line[0]))
			continue;	/* header */
		nf = split_fields(line, ',', fl, 7);
		if (nf != 6) {
			fail(err, errlen, "%s: line %zu: expected 6 fields t_ns,x,y,vx,vy,valid, got %d",
			     path, lineno, nf);
			goto bad;
		}
		for (i = 0; i < 6; i++) {
			if (parse_num(fl[i], &v[i])) {
				fail(err, errlen, "%s: line %zu: field %d ('%s') is not a number",
				     path, lineno, i + 1, fl[i]);
				goto bad;
			}
		}
		if (v[0] < 0 || v[0] <= prev_t) {
			fail(err, errlen, "%s: line %zu: t_ns must be >= 0 and increasing", path,
			     lineno);
			goto bad;
		}
		if (v[5] != 0 && v[5] != 1) {
			fail(err, errlen, "%s: line %zu: valid must be 0 or 1", path, lineno);
			goto bad;
		}
		for (i = 1; i < 5; i++) {
			if (fabs(v[i]) >= 32767.0) {
				fail(err, errlen, "%s: line %zu: field %d (%g) outside the Q16.16 range",
				     path, lineno, i + 1, v[i]);
				goto bad;
			}
		}
		prev_t = v[0];
		if (n == cap) {
			struct tmnet_sample *ns = realloc(s, 2 * cap * sizeof(*s));

			if (!ns) {
				fail(err, errlen, "out of memory");
				goto bad;
			}
			s = ns;
			cap *= 2;
		}
		memset(&s[n], 0, sizeof(s[n]));
		s[n].t_ns = (__u64)v[0];
		s[n].x = q16(v[1]);
		s[n].y = q16(v[2]);
		s[n].vx = q16(v[3]);
		s[n].vy = q16(v[4]);
		s[n].flags = v[5] != 0 ? TMNET_SAMPLE_VALID : 0;
		s[n].seq = (__u32)n;
		n++;
	}
	fclose(f);
	if (n < 2) {
		free(s);
		return fail(err, errlen, "%s: fewer than 2 samples", path);
	}
	d->s = s;
	d->n = n;
	{
		double dt = (double)(s[n - 1].t_ns - s[0].t_ns) / (double)(n - 1);

		d->rate_hz = (int)lround(1e9 / dt);
	}
	return 0;
bad:
	fclose(f);
	free(s);
	return -1;
}

/* ---- RNG ----------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void tmn_rng_seed(struct tmn_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->have_g = 0;
	r->g = 0;
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t tmn_rng_u64(struct tmn_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double tmn_rng_uniform(struct tmn_rng *r)
{
	return (double)(tmn_rng_u64(r) >> 11) * 0x1.0p-53;
}

double tmn_rng_range(struct tmn_rng *r, double a, double b)
{
	return a + (b - a) * tmn_rng_uniform(r);
}

double tmn_rng_gauss(struct tmn_rng *r)
{
	double u, v, m;

	if (r->have_g) {
		r->have_g = 0;
		return r->g;
	}
	u = 1.0 - tmn_rng_uniform(r);	/* (0, 1] */
	v = tmn_rng_uniform(r);
	m = sqrt(-2.0 * log(u));
	r->g = m * sin(2 * M_PI * v);
	r->have_g = 1;
	return m * cos(2 * M_PI * v);
}

/* ---- generator ------------------------------------------------------------ */

static const char *const regime_names[TMN_RG_N] = {
	"cv", "turn", "singer", "orbit", "osc", "stopgo",
};

const char *tmn_regime_name(int r)
{
	return r >= 0 && r < TMN_RG_N ? regime_names[r] : "?";
}

void tmn_gen_default(struct tmn_gen_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->seconds = 600;
	c->rate_hz = TMNET_DEFAULT_RATE_HZ;
	c->arena = 1000;
	c->noise_pos = 0.05;
	c->noise_vel = 2.0;
	c->outlier_p = 5e-4;
	c->outlier_sd = 3.0;
	c->dropout_p = 1e-4;
	c->dropout_max_s = 0.1;
	c->seg_min_s = 3.0;
	c->seg_max_s = 6.0;
}

struct gen_state {
	double p[2], v[2], a[2];
	double c[2];		/* orbit / oscillation centre */
	double w, wx, wy;	/* rates */
	double tau, sig;	/* Singer */
	double h[2], s_go, s_tgt, t_toggle;	/* stop-and-go */
	int rg;
};

static void enter_regime(struct gen_state *g, struct tmn_rng *r, int rg)
{
	double sp = hypot(g->v[0], g->v[1]);

	g->rg = rg;
	g->a[0] = g->a[1] = 0;
	switch (rg) {
	case TMN_RG_CV:
		if (sp < 20) {
			double th = tmn_rng_range(r, 0, 2 * M_PI);

			sp = tmn_rng_range(r, 50, 300);
			g->v[0] = sp * cos(th);
			g->v[1] = sp * sin(th);
		}
		break;
	case TMN_RG_TURN:
		g->w = tmn_rng_range(r, 0.5, 3) * (tmn_rng_uniform(r) < 0.5 ? -1 : 1);
		if (sp < 20) {
			double th = tmn_rng_range(r, 0, 2 * M_PI);

			sp = tmn_rng_range(r, 50, 300);
			g->v[0] = sp * cos(th);
			g->v[1] = sp * sin(th);
		}
		break;
	case TMN_RG_SINGER:
		g->tau = tmn_rng_range(r, 1.0, 2.5);
		g->sig = tmn_rng_range(r, 100, 300);
		break;
	case TMN_RG_ORBIT: {
		double side = tmn_rng_uniform(r) < 0.5 ? -1 : 1, R;

		if (sp < 20) {
			double th = tmn_rng_range(r, 0, 2 * M_PI);

			sp = tmn_rng_range(r, 50, 300);
			g->v[0] = sp * cos(th);
			g->v[1] = sp * sin(th);
		}
		g->w = tmn_rng_range(r, 1.5, 4);
		R = sp / g->w;
		g->c[0] = g->p[0] + side * R * (-g->v[1] / sp);
		g->c[1] = g->p[1] + side * R * (g->v[0] / sp);
		break;
	}
	case TMN_RG_OSC:
		g->wx = tmn_rng_range(r, 2, 6);
		g->wy = tmn_rng_range(r, 2, 6);
		g->c[0] = g->p[0];
		g->c[1] = g->p[1];
		break;
	case TMN_RG_STOPGO: {
		double th = sp > 20 ? atan2(g->v[1], g->v[0]) : tmn_rng_range(r, 0, 2 * M_PI);

		g->h[0] = cos(th);
		g->h[1] = sin(th);
		g->s_go = tmn_rng_range(r, 100, 300);
		g->s_tgt = sp > 50 ? 0 : g->s_go;
		g->t_toggle = tmn_rng_range(r, 1.0, 2.0);
		break;
	}
	}
}

static void gen_step(struct gen_state *g, struct tmn_rng *r, double dt, double L)
{
	int i;

	switch (g->rg) {
	case TMN_RG_CV:
		g->a[0] = g->a[1] = 0;
		break;
	case TMN_RG_TURN: {
		double c = cos(g->w * dt), s = sin(g->w * dt);
		double vx = c * g->v[0] - s * g->v[1], vy = s * g->v[0] + c * g->v[1];

		g->a[0] = (vx - g->v[0]) / dt;
		g->a[1] = (vy - g->v[1]) / dt;
		break;
	}
	case TMN_RG_SINGER:
		for (i = 0; i < 2; i++)
			g->a[i] += -g->a[i] / g->tau * dt +
				   g->sig * sqrt(2.0 * dt / g->tau) * tmn_rng_gauss(r);
		if (hypot(g->v[0], g->v[1]) > 400)
			for (i = 0; i < 2; i++)
				g->a[i] -= 0.5 * g->v[i];
		break;
	case TMN_RG_ORBIT:
		for (i = 0; i < 2; i++)
			g->a[i] = -g->w * g->w * (g->p[i] - g->c[i]);
		break;
	case TMN_RG_OSC:
		g->a[0] = -g->wx * g->wx * (g->p[0] - g->c[0]);
		g->a[1] = -g->wy * g->wy * (g->p[1] - g->c[1]);
		break;
	case TMN_RG_STOPGO: {
		double along = g->h[0] * g->v[0] + g->h[1] * g->v[1], an;

		g->t_toggle -= dt;
		if (g->t_toggle <= 0) {
			g->s_tgt = g->s_tgt > 0 ? 0 : g->s_go;
			g->t_toggle = tmn_rng_range(r, 1.0, 2.0);
		}
		for (i = 0; i < 2; i++)
			g->a[i] = 8.0 * (g->s_tgt - along) * g->h[i] -
				  20.0 * (g->v[i] - along * g->h[i]);
		an = hypot(g->a[0], g->a[1]);
		if (an > 1500)
			for (i = 0; i < 2; i++)
				g->a[i] *= 1500 / an;
		break;
	}
	}
	for (i = 0; i < 2; i++) {
		g->v[i] += g->a[i] * dt;
		g->p[i] += g->v[i] * dt;
	}
	{
		double sp = hypot(g->v[0], g->v[1]);

		if (sp > 600)
			for (i = 0; i < 2; i++)
				g->v[i] *= 600 / sp;
	}
	for (i = 0; i < 2; i++) {
		if (g->p[i] > L || g->p[i] < -L) {
			double wall = g->p[i] > L ? L : -L;

			g->p[i] = 2 * wall - g->p[i];
			g->v[i] = -g->v[i];
			g->a[i] = -g->a[i];
			g->c[i] = 2 * wall - g->c[i];
			g->h[i] = -g->h[i];
		}
	}
}

int tmn_gen(const struct tmn_gen_cfg *c, struct tmn_series *d, uint8_t **regime_out)
{
	struct tmn_rng r;
	struct gen_state g;
	size_t n, i;
	double dt, seg_left;
	long drop_left = 0;
	uint8_t *rg = NULL;

	if (c->rate_hz < TMNET_MIN_RATE_HZ || c->rate_hz > TMNET_MAX_RATE_HZ ||
	    !(c->seconds > 0) || c->seconds * c->rate_hz > 2e8 || !(c->arena > 1) ||
	    c->arena > 10000 || !(c->seg_max_s >= c->seg_min_s) || !(c->seg_min_s > 0))
		return -1;
	n = (size_t)llround(c->seconds * c->rate_hz);
	dt = 1.0 / c->rate_hz;
	if (tmn_series_alloc(d, n, c->rate_hz))
		return -1;
	if (regime_out) {
		rg = malloc(n ? n : 1);
		if (!rg) {
			tmn_series_free(d);
			return -1;
		}
	}
	tmn_rng_seed(&r, c->seed);
	memset(&g, 0, sizeof(g));
	g.p[0] = tmn_rng_range(&r, -c->arena / 2, c->arena / 2);
	g.p[1] = tmn_rng_range(&r, -c->arena / 2, c->arena / 2);
	enter_regime(&g, &r, TMN_RG_CV);
	seg_left = tmn_rng_range(&r, c->seg_min_s, c->seg_max_s);
	for (i = 0; i < n; i++) {
		struct tmnet_sample *s = &d->s[i];

		if (seg_left <= 0) {
			enter_regime(&g, &r, (int)(tmn_rng_u64(&r) % TMN_RG_N));
			seg_left = tmn_rng_range(&r, c->seg_min_s, c->seg_max_s);
		}
		seg_left -= dt;
		if (i)
			gen_step(&g, &r, dt, c->arena);
		if (rg)
			rg[i] = (uint8_t)g.rg;
		s->t_ns = (__u64)llround((double)i * 1e9 / c->rate_hz);
		s->seq = (__u32)i;
		if (drop_left == 0 && tmn_rng_uniform(&r) < c->dropout_p)
			drop_left = 1 + (long)(tmn_rng_uniform(&r) * c->dropout_max_s * c->rate_hz);
		if (drop_left > 0) {
			drop_left--;
			s->flags = 0;
			continue;
		}
		{
			double x = g.p[0] + c->noise_pos * tmn_rng_gauss(&r);
			double y = g.p[1] + c->noise_pos * tmn_rng_gauss(&r);

			if (tmn_rng_uniform(&r) < c->outlier_p) {
				x += c->outlier_sd * tmn_rng_gauss(&r);
				y += c->outlier_sd * tmn_rng_gauss(&r);
			}
			s->x = q16(x);
			s->y = q16(y);
			s->vx = q16(g.v[0] + c->noise_vel * tmn_rng_gauss(&r));
			s->vy = q16(g.v[1] + c->noise_vel * tmn_rng_gauss(&r));
			s->flags = TMNET_SAMPLE_VALID;
		}
	}
	if (regime_out)
		*regime_out = rg;
	return 0;
}

/* ---- importer ------------------------------------------------------------- */

void tmn_import_default(struct tmn_import_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->time_unit = 0;
	c->rate_hz = TMNET_DEFAULT_RATE_HZ;
	c->gap_s = 0.05;
	c->vel_window_s = 0.01;
	c->col_t = 0;
	c->col_x = 1;
	c->col_y = 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int tmn_import(const char *path, const struct tmn_import_cfg *c, struct tmn_series *d,
	       char *err, int errlen, char *info, int infolen)
{
	FILE *f;
	char line[4096];
	size_t cap = 4096, n = 0, lineno = 0, i, nt, k;
	double *t = NULL, *x = NULL, *y = NULL, unit, *dts = NULL;
	char delim = 0;
	int maxcol = c->col_t, header = 0;
	static const double units[4] = { 1.0, 1e-3, 1e-6, 1e-9 };
	static const char *const unames[4] = { "s", "ms", "us", "ns" };
	const char *uname = "given";

	memset(d, 0, sizeof(*d));
	if (c->col_x > maxcol)
		maxcol = c->col_x;
	if (c->col_y > maxcol)
		maxcol = c->col_y;
	if (c->col_t < 0 || c->col_x < 0 || c->col_y < 0 || maxcol >= 64)
		return fail(err, errlen, "column numbers must be in 0..63");
	if (c->rate_hz < TMNET_MIN_RATE_HZ || c->rate_hz > TMNET_MAX_RATE_HZ)
		return fail(err, errlen, "rate %d Hz out of range %d..%d", c->rate_hz,
			    TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ);
	if (!(c->gap_s > 0) || !(c->vel_window_s > 0))
		return fail(err, errlen, "gap and velocity window must be > 0");
	f = fopen(path, "r");
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	t = malloc(cap * sizeof(double));
	x = malloc(cap * sizeof(double));
	y = malloc(cap * sizeof(double));
	if (!t || !x || !y) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fl[64], *p;
		double v[3];
		int nf, j;
		const int col[3] = { c->col_t, c->col_x, c->col_y };

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fail(err, errlen, "%s: line %zu: line too long (> %zu bytes)", path, lineno,
			     sizeof(line) - 2);
			goto bad;
		}
		chomp(line);
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (!*p || *p == '#')
			continue;
		if (!delim) {
			int nc = 0, ns = 0;

			for (char *q = p; *q; q++) {
				nc += *q == ',';
				ns += *q == ';';
			}
			if (!nc && !ns) {
				fail(err, errlen, "%s: line %zu: no ',' or ';' delimiter", path,
				     lineno);
				goto bad;
			}
			delim = ns > nc ? ';' : ',';
		}
		nf = split_fields(p, delim, fl, 64);
		if (nf <= maxcol) {
			fail(err, errlen, "%s: line %zu: %d fields, need at least %d", path, lineno,
			     nf, maxcol + 1);
			goto bad;
		}
		for (j = 0; j < 3; j++) {
			if (parse_num(fl[col[j]], &v[j])) {
				if (n == 0 && !header) {
					header = 1;	/* a header line before any data */
					break;
				}
				fail(err, errlen, "%s: line %zu: column %d ('%s') is not a number",
				     path, lineno, col[j] + 1, fl[col[j]]);
				goto bad;
			}
		}
		if (j < 3)
			continue;
		if (n && v[0] < t[n - 1]) {
			fail(err, errlen, "%s: line %zu: timestamp %.17g goes backwards (previous %.17g)",
			     path, lineno, v[0], t[n - 1]);
			goto bad;
		}
		if (fabs(v[1]) >= 32000 || fabs(v[2]) >= 32000) {
			fail(err, errlen, "%s: line %zu: position outside +-32000 data units", path,
			     lineno);
			goto bad;
		}
		if (n && v[0] == t[n - 1]) {
			/* duplicate timestamp: the later sample wins */
			x[n - 1] = v[1];
			y[n - 1] = v[2];
			continue;
		}
		if (n == cap) {
			double *nt2 = realloc(t, 2 * cap * sizeof(double));
			double *nx = nt2 ? realloc(x, 2 * cap * sizeof(double)) : NULL;
			double *ny = nx ? realloc(y, 2 * cap * sizeof(double)) : NULL;

			if (nt2)
				t = nt2;
			if (nx)
				x = nx;
			if (!ny) {
				fail(err, errlen, "out of memory");
				goto bad;
			}
			y = ny;
			cap *= 2;
		}
		t[n] = v[0];
		x[n] = v[1];
		y[n] = v[2];
		n++;
	}
	if (ferror(f)) {
		fail(err, errlen, "%s: read error", path);
		goto bad;
	}
	fclose(f);
	f = NULL;
	if (n < 2) {
		fail(err, errlen, "%s: fewer than 2 samples", path);
		goto bad;
	}
	/* timestamp unit */
	dts = malloc((n - 1) * sizeof(double));
	if (!dts) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	for (i = 1; i < n; i++)
		dts[i - 1] = t[i] - t[i - 1];
	qsort(dts, n - 1, sizeof(double), cmp_double);
	unit = c->time_unit;
	if (unit <= 0) {
		double med = dts[(n - 1) / 2];

		for (k = 0; k < 4; k++)
			if (med * units[k] >= 1e-5 && med * units[k] <= 0.5)
				break;
		if (k == 4) {
			fail(err, errlen, "%s: cannot detect the timestamp unit (median step %g); use --time-unit",
			     path, med);
			goto bad;
		}
		unit = units[k];
		uname = unames[k];
	}
	/* resample */
	{
		double t0 = t[0] * unit, t1 = t[n - 1] * unit, dt = 1.0 / c->rate_hz;
		double span = t1 - t0;
		size_t j = 0;
		long wticks = lround(c->vel_window_s * c->rate_hz);
		size_t nvalid = 0;

		if (span / dt > 2e8) {
			fail(err, errlen, "%s: %.0f s at %d Hz is too long", path, span, c->rate_hz);
			goto bad;
		}
		nt = (size_t)floor(span / dt + 1e-6) + 1;
		if (wticks < 1)
			wticks = 1;
		if (tmn_series_alloc(d, nt, c->rate_hz)) {
			fail(err, errlen, "out of memory");
			goto bad;
		}
		for (i = 0; i < nt; i++) {
			double ti = t0 + (double)i * dt;
			struct tmnet_sample *s = &d->s[i];

			while (j + 1 < n && t[j + 1] * unit < ti)
				j++;
			s->t_ns = (__u64)llround((double)i * dt * 1e9);
			s->seq = (__u32)i;
			if (j + 1 >= n) {
				if (fabs(t[n - 1] * unit - ti) < 1e-6 * dt) {
					s->x = q16(x[n - 1]);
					s->y = q16(y[n - 1]);
					s->flags = TMNET_SAMPLE_VALID;
				}
				continue;
			}
			{
				double ta = t[j] * unit, tb = t[j + 1] * unit, u;

				if (tb - ta > c->gap_s)
					continue;	/* gap: invalid */
				u = (ti - ta) / (tb - ta);
				if (u < 0)
					u = 0;
				if (u > 1)
					u = 1;
				s->x = q16(x[j] + u * (x[j + 1] - x[j]));
				s->y = q16(y[j] + u * (y[j + 1] - y[j]));
				s->flags = TMNET_SAMPLE_VALID;
			}
		}
		/* causal velocity over the last wticks valid-contiguous ticks */
		{
			long run = 0;

			for (i = 0; i < nt; i++) {
				struct tmnet_sample *s = &d->s[i];
				long w;

				if (!(s->flags & TMNET_SAMPLE_VALID)) {
					run = 0;
					continue;
				}
				nvalid++;
				w = run < wticks ? run : wticks;
				run++;
				if (w == 0)
					continue;
				s->vx = q16((s->x - d->s[i - w].x) / 65536.0 / ((double)w * dt));
				s->vy = q16((s->y - d->s[i - w].y) / 65536.0 / ((double)w * dt));
			}
		}
		if (info && infolen > 0)
			snprintf(info, (size_t)infolen,
				 "%zu raw samples (delimiter '%c'%s, time unit %s, median step %.3g ms) -> %zu ticks at %d Hz, %zu valid",
				 n, delim, header ? ", header" : "", uname,
				 dts[(n - 1) / 2] * unit * 1e3, nt, c->rate_hz, nvalid);
	}
	free(dts);
	free(t);
	free(x);
	free(y);
	return 0;
bad:
	if (f)
		fclose(f);
	free(dts);
	free(t);
	free(x);
	free(y);
	tmn_series_free(d);
	return -1;
}
