// SPDX-License-Identifier: GPL-2.0
/*
 * Float -> INT8 quantiser (CMSIS-NN / TFLite-micro style): symmetric int8
 * weights with one scale per output row, int32 accumulation, and a
 * requantisation multiplier in [2^30, 2^31) with a shift.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"

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

void tmq_params_default(struct tmq_params *p)
{
	memset(p, 0, sizeof(*p));
	p->system = TMNET_SYS_B;
	p->rate_hz = TMNET_DEFAULT_RATE_HZ;
	p->window_ticks = TMNET_DEFAULT_WINDOW_TICKS;
	p->horizon_ticks = TMNET_DEFAULT_HORIZON_TICKS;
	p->name = "tmnet";
	for (int i = 0; i < TMNET_MAX_FEATURES; i++)
		p->std[i] = 1.0;
	p->out_scale[0] = p->out_scale[1] = 1.0;
	p->in_frac = 5;
	p->qa_xx = p->qa_yy = 10.0;
	p->r_x = p->r_y = 1e-4;
	p->p0_pos = 1e-4;
	p->p0_vel = 1.0;
	p->stale_ticks = 200;
	p->eps = 0.02;
	p->budget = TMNET_GATE_BUDGET_DEFAULT;
	p->chi2 = 9.21;
	p->cov_scale = 1.0;
	p->sat_limit = 8;
	p->prior_kind = TMNET_PRIOR_CV;
	p->hcov_scale = 1.0;
	p->fuse_kind = TMNET_FUSE_GATE;
}

void tmq_mon_add(struct tmq_mon_fit *f, const double ep[2], const double en[2])
{
	f->pp += ep[0] * ep[0] + ep[1] * ep[1];
	f->nn += en[0] * en[0] + en[1] * en[1];
	f->pn += ep[0] * en[0] + ep[1] * en[1];
	f->n++;
}

void tmq_mon_finish(struct tmq_mon_fit *f)
{
	double den;

	if (f->n) {
		f->pp /= (double)f->n;
		f->nn /= (double)f->n;
		f->pn /= (double)f->n;
	}
	den = f->pp + f->nn - 2 * f->pn;
	f->w = den > 0 ? (f->nn - f->pn) / den : 1.0;
	f->w = f->w < 0 ? 0 : f->w > 1 ? 1 : f->w;
}

int tmq_mon_stride_min(int horizon_ticks)
{
	int s = (horizon_ticks + TMNET_MON_SLOTS - 2) / (TMNET_MON_SLOTS - 1);

	return s < 1 ? 1 : s;
}

__s64 tmq_q32(double v)
{
	double s = nearbyint(v * 4294967296.0);

	if (s >= 9.2233720368547748e18)
		return INT64_MAX;
	if (s <= -9.2233720368547748e18)
		return -INT64_MAX;
	return (__s64)s;
}

__s32 tmq_q16(double v)
{
	double s = nearbyint(v * 65536.0);

	if (s > 2147483647.0)
		return INT32_MAX;
	if (s < -2147483647.0)
		return -INT32_MAX;
	return (__s32)s;
}

int tmq_rq(double m, struct tmnet_rq *rq)
{
	int e;
	double f;
	long long mult;

	if (!(m >= 0.0) || !isfinite(m))
		return -1;
	if (m == 0.0) {
		rq->mult = 0;
		rq->shift = 0;
		return 0;
	}
	f = frexp(m, &e);		/* m = f 2^e, f in [0.5, 1) */
	mult = llround(f * 2147483648.0);
	if (mult == 2147483648LL) {
		mult = 1LL << 30;
		e++;
	}
	/* m = mult 2^-31 2^e = mult 2^-(31 + shift) with shift = -e */
	if (-e > TMNET_RQ_SHIFT_MAX) {
		/* m < 2^-31: every |acc| < 2^31 requantises to 0 */
		rq->mult = 0;
		rq->shift = 0;
		return 0;
	}
	if (-e < TMNET_RQ_SHIFT_MIN)
		return -1;
	rq->mult = (__s32)mult;
	rq->shift = -e;
	return 0;
}

/* quantise one row of n floats to int8 with scale max|w| / 127 */
static double quant_row(const float *w, int n, __s8 *q)
{
	double mx = 0.0;

	for (int i = 0; i < n; i++)
		if (fabs(w[i]) > mx)
			mx = fabs(w[i]);
	if (mx == 0.0) {
		for (int i = 0; i < n; i++)
			q[i] = 0;
		return 0.0;
	}
	double s = mx / 127.0;

	for (int i = 0; i < n; i++) {
		long v = lround(w[i] / s);

		q[i] = (__s8)(v > 127 ? 127 : v < -127 ? -127 : v);
	}
	return s;
}

static int quant_bias(double b, double one, __s32 *out)
{
	double v = nearbyint(b * one);

	if (!isfinite(v) || v > (1 << 24) || v < -(1 << 24))
		return -1;
	*out = (__s32)v;
	return 0;
}

int tmq_quantize(struct tm_model *m, const struct tmq_gru *g,
		 const struct tmq_params *p, char *err, int errlen)
{
	unsigned char *blob;
	struct tm_blob_error be;
	__u32 sz;
	int H = 0, F = 0, rc;

	memset(m, 0, sizeof(*m));
	if (p->system < 0 || p->system >= __TMNET_SYS_MAX)
		return fail(err, errlen, "unknown system %d", p->system);
	if (p->system != TMNET_SYS_PRIOR) {
		if (!g)
			return fail(err, errlen, "system %d needs a network", p->system);
		H = g->hidden;
		F = g->n_feat;
		if (H < 1 || H > TMNET_MAX_HIDDEN)
			return fail(err, errlen, "hidden size %d out of range 1..%d",
				    H, TMNET_MAX_HIDDEN);
		if (F != (p->system == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B))
			return fail(err, errlen, "system %d wants %d features, got %d",
				    p->system, p->system == TMNET_SYS_A ?
				    TMNET_FEATURES_A : TMNET_FEATURES_B, F);
		if (p->in_frac < 0 || p->in_frac > 7)
			return fail(err, errlen, "in_frac %d out of range 0..7", p->in_frac);
	}
	m->system = (__u32)p->system;
	m->n_feat = (__u32)F;
	m->hidden = (__u32)H;
	m->rate_hz = (__u32)p->rate_hz;
	m->window_ticks = (__u32)p->window_ticks;
	m->horizon_ticks = (__u32)p->horizon_ticks;
	snprintf(m->name, sizeof(m->name), "%s", p->name ? p->name : "");
	m->units = p->units;

	for (int i = 0; i < F; i++) {
		if (!(p->std[i] > 0.0))
			return fail(err, errlen, "feature %d: std must be > 0", i);
		m->norm.mean[i] = tmq_q16(p->mean[i]);
		m->norm.inv_std[i] = tmq_q16(1.0 / p->std[i]);
		if (m->norm.inv_std[i] <= 0)
			return fail(err, errlen, "feature %d: std %g too large", i, p->std[i]);
	}
	if (p->system != TMNET_SYS_PRIOR) {
		for (int o = 0; o < TMNET_N_OUT; o++) {
			m->norm.out_scale[o] = tmq_q16(p->out_scale[o]);
			if (m->norm.out_scale[o] <= 0)
				return fail(err, errlen, "out_scale[%d] must be > 0", o);
		}
		m->norm.in_frac = (__u32)p->in_frac;
	}

	m->kalman.qa_xx = tmq_q32(p->qa_xx);
	m->kalman.qa_xy = tmq_q32(p->qa_xy);
	m->kalman.qa_yy = tmq_q32(p->qa_yy);
	m->kalman.r_x = tmq_q32(p->r_x);
	m->kalman.r_y = tmq_q32(p->r_y);
	m->kalman.p0_pos = tmq_q32(p->p0_pos);
	m->kalman.p0_vel = tmq_q32(p->p0_vel);
	m->kalman.stale_ticks = (__u32)p->stale_ticks;
	m->gate.eps_q16 = (__u32)tmq_q16(p->eps);
	m->gate.budget = (__u32)p->budget;
	m->gate.chi2_q16 = (__u32)tmq_q16(p->chi2);
	m->gate.cov_scale_q16 = (__u32)tmq_q16(p->cov_scale);
	m->gate.floor_xx = tmq_q32(p->floor_xx);
	m->gate.floor_xy = tmq_q32(p->floor_xy);
	m->gate.floor_yy = tmq_q32(p->floor_yy);
	m->gate.sat_limit = (__u32)p->sat_limit;
	m->ext.prior_kind = (__u32)p->prior_kind;
	m->ext.tau_q32 = p->prior_kind == TMNET_PRIOR_DV ? tmq_q32(p->tau) : 0;
	m->ext.hcov_scale_q16 = (__u32)tmq_q16(p->hcov_scale);
	m->ext.fuse_kind = (__u32)p->fuse_kind;
	if (p->fuse_kind == TMNET_FUSE_MONITOR) {
		/* Cauchy-Schwarz survives the rounding: pn is shrunk by an ulp */
		double lim = sqrt(p->mon_init[0] * p->mon_init[1]);
		double pn = p->mon_init[2] > lim ? lim : p->mon_init[2] < -lim ? -lim : p->mon_init[2];
		__s64 q = tmq_q32(pn);

		if (!(p->mon_init[0] >= 0 && p->mon_init[1] >= 0 && isfinite(lim)))
			return fail(err, errlen, "monitor initial moments must be finite and >= 0");
		m->ext.mon_shift = (__u32)p->mon_shift;
		m->ext.mon_stride = (__u32)p->mon_stride;
		m->ext.reserved[TMNET_MON_INIT_PP] = (__u64)tmq_q32(p->mon_init[0]);
		m->ext.reserved[TMNET_MON_INIT_NN] = (__u64)tmq_q32(p->mon_init[1]);
		m->ext.reserved[TMNET_MON_INIT_PN] = (__u64)(q > 0 ? q - 1 : q < 0 ? q + 1 : 0);
	}

	if (p->system != TMNET_SYS_PRIOR) {
		const double pre = 4096.0;	/* Q12 pre-activations */

		for (int r = 0; r < 3 * H; r++) {
			double si = quant_row(g->w_ih[r], F, m->w_ih[r]);
			double sh = quant_row(g->w_hh[r], H, m->w_hh[r]);

			if (tmq_rq(si * ldexp(1.0, -p->in_frac) * pre, &m->rq_ih[r]) ||
			    tmq_rq(sh * ldexp(1.0, -15) * pre, &m->rq_hh[r]))
				return fail(err, errlen, "GRU row %d: scale out of range", r);
			if (quant_bias(g->b_ih[r], pre, &m->b_ih[r]) ||
			    quant_bias(g->b_hh[r], pre, &m->b_hh[r]))
				return fail(err, errlen, "GRU row %d: bias out of range", r);
		}
		for (int o = 0; o < TMNET_N_OUT; o++) {
			double so = quant_row(g->w_out[o], H, m->w_out[o]);

			if (tmq_rq(so * ldexp(1.0, -15) * 65536.0, &m->rq_out[o]))
				return fail(err, errlen, "head row %d: scale out of range", o);
			if (quant_bias(g->b_out[o], 65536.0, &m->b_out[o]))
				return fail(err, errlen, "head row %d: bias out of range", o);
		}
	}

	/* round trip through the core's validator: what we emit must load */
	sz = tm_model_blob_size(m);
	blob = calloc(1, sz);
	if (!blob)
		return fail(err, errlen, "out of memory");
	rc = tm_blob_write(blob, sz, m);
	if (rc < 0) {
		free(blob);
		return fail(err, errlen, "blob writer failed");
	}
	rc = tm_model_from_blob(m, blob, sz, &be);
	free(blob);
	if (rc)
		return fail(err, errlen, "quantised model rejected by the validator: %s (offset %u)",
			    be.msg, be.offset);
	return 0;
}

static double rnd_gauss(unsigned long long *s)
{
	double u[2];

	for (int i = 0; i < 2; i++) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		u[i] = (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
	}
	if (u[0] < 1e-300)
		u[0] = 1e-300;
	return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

int tmq_random_model(struct tm_model *m, int sys, int hidden, double wscale,
		     unsigned long long seed, struct tmq_gru *g_out, struct tmq_params *p_out,
		     char *err, int errlen)
{
	struct tmq_gru g;
	struct tmq_params p;
	unsigned long long s = seed ? seed : 1;
	int F = sys == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B;

	memset(&g, 0, sizeof(g));
	tmq_params_default(&p);
	p.system = sys;
	p.name = "random";
	if (sys != TMNET_SYS_PRIOR) {
		g.n_feat = F;
		g.hidden = hidden;
		for (int r = 0; r < 3 * hidden; r++) {
			for (int j = 0; j < F; j++)
				g.w_ih[r][j] = (float)(wscale * rnd_gauss(&s) / sqrt(F));
			for (int j = 0; j < hidden; j++)
				g.w_hh[r][j] = (float)(wscale * rnd_gauss(&s) / sqrt(hidden));
			g.b_ih[r] = (float)(0.1 * rnd_gauss(&s));
			g.b_hh[r] = (float)(0.1 * rnd_gauss(&s));
		}
		for (int o = 0; o < 2; o++) {
			for (int j = 0; j < hidden; j++)
				g.w_out[o][j] = (float)(rnd_gauss(&s) / sqrt(hidden));
			g.b_out[o] = (float)(0.05 * rnd_gauss(&s));
		}
	}
	/* features: dx,dy ~ 0.01 units/tick, v ~ 10 units/s, disp ~ 5 units */
	p.std[0] = p.std[1] = 0.01;
	p.std[2] = p.std[3] = 10.0;
	p.std[4] = p.std[5] = 5.0;
	p.out_scale[0] = p.out_scale[1] = 0.5;
	p.floor_xx = p.floor_yy = 0.05;
	if (g_out)
		*g_out = g;
	if (p_out)
		*p_out = p;
	return tmq_quantize(m, sys == TMNET_SYS_PRIOR ? NULL : &g, &p, err, errlen);
}

double tmq_pass_rate(const struct tmq_corr *cv, size_t n, double c, double f, double chi2)
{
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		double a = c * cv[i].p[0] + f, b = c * cv[i].p[1], d = c * cv[i].p[2] + f;
		double det = a * d - b * b, r0 = cv[i].r[0], r1 = cv[i].r[1];
		double d2 = (d * r0 * r0 - 2 * b * r0 * r1 + a * r1 * r1) / det;

		ok += det > 0 && d2 <= chi2;
	}
	return n ? (double)ok / (double)n : 1.0;
}

double tmq_d2_max(const struct tmq_corr *cv, size_t n, double c, double f)
{
	double mx = 0;

	for (size_t i = 0; i < n; i++) {
		double a = c * cv[i].p[0] + f, b = c * cv[i].p[1], d = c * cv[i].p[2] + f;
		double det = a * d - b * b, r0 = cv[i].r[0], r1 = cv[i].r[1];
		double d2 = det > 0 ? (d * r0 * r0 - 2 * b * r0 * r1 + a * r1 * r1) / det : INFINITY;

		if (d2 > mx)
			mx = d2;
	}
	return mx;
}

int tmq_gate_fit(const struct tmq_corr *cv, size_t n, double floor, double chi2, double target,
		 double *cov_scale)
{
	double lo = TMQ_COV_SCALE_MIN, hi = TMQ_COV_SCALE_MAX;

	if (tmq_pass_rate(cv, n, hi, floor, chi2) < target) {
		*cov_scale = hi;
		return 1;
	}
	if (tmq_pass_rate(cv, n, lo, floor, chi2) >= target) {
		*cov_scale = lo;
		return -1;
	}
	/* the pass rate is monotone in c: bisect in log space */
	for (int it = 0; it < 60; it++) {
		double mid = sqrt(lo * hi);

		if (tmq_pass_rate(cv, n, mid, floor, chi2) >= target)
			hi = mid;
		else
			lo = mid;
	}
	*cov_scale = hi;
	return 0;
}

int tmq_write_blob_file(const char *path, const struct tm_model *m,
			char *err, int errlen)
{
	__u32 sz = tm_model_blob_size(m);
	unsigned char *blob = calloc(1, sz);
	char tmp[4096];
	FILE *f;
	int rc;

	if (!blob)
		return fail(err, errlen, "out of memory");
	rc = tm_blob_write(blob, sz, m);
	if (rc < 0) {
		free(blob);
		return fail(err, errlen, "blob writer failed");
	}
	/* write to a temporary name, then rename: never a half-written model */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		free(blob);
		return fail(err, errlen, "%s: %s", tmp, strerror(errno));
	}
	if (fwrite(blob, 1, sz, f) != sz || fclose(f) != 0) {
		free(blob);
		remove(tmp);
		return fail(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
	}
	free(blob);
	if (rename(tmp, path) != 0) {
		remove(tmp);
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int tmq_read_blob_file(const char *path, struct tm_model *m,
		       void **blob_out, __u32 *len_out, char *err, int errlen)
{
	struct tm_blob_error be;
	unsigned char *buf;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return fail(err, errlen, "%s: cannot determine size", path);
	}
	if (n > (long)TMNET_BLOB_MAX_SIZE) {
		fclose(f);
		return fail(err, errlen, "%s: %ld bytes is larger than any model (%u)",
			    path, n, TMNET_BLOB_MAX_SIZE);
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf) {
		fclose(f);
		return fail(err, errlen, "out of memory");
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return fail(err, errlen, "%s: read failed", path);
	}
	fclose(f);
	if (tm_model_from_blob(m, buf, (__u32)n, &be)) {
		free(buf);
		return fail(err, errlen, "%s: not a valid tmnet model: %s (at byte %u)",
			    path, be.msg, be.offset);
	}
	if (blob_out) {
		*blob_out = buf;
		*len_out = (__u32)n;
	} else {
		free(buf);
	}
	return 0;
}
