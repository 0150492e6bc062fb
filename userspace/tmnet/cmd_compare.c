// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet compare: System A vs System B vs the prior alone on the same test
 * windows, with the bit-exact core; paired statistics, bootstrap intervals,
 * native tick latency measured interleaved in the same run, gate evidence
 * under a corrupted network, and the verdict on the seed's success criteria.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quant.h"
#include "tmn_data.h"
#include "tmn_prep.h"
#include "tmn_stats.h"
#include "tmnet.h"

static const char usage[] =
	"usage: tmnet compare --a A.tmn --b B.tmn --data FILE.csv [options]\n"
	"  Runs the core's tm_tick() (the code the kernel runs) for System A,\n"
	"  System B and the prior alone (B's Kalman prior, i.e. what B falls back\n"
	"  to) tick by tick over the same split, scores every tick whose horizon\n"
	"  target is a valid sample (after one window of warm-up, neither crossing\n"
	"  a segment start, as tmnet eval),\n"
	"  and compares them on the same ticks (a tick counts only if every system\n"
	"  scores it; the count of paired ticks is printed per comparison):\n"
	"    - error P50/P90/P99/P99.9 and MSE over all scored ticks;\n"
	"    - per pair (all tests paired): a block length from the data\n"
	"      (Politis-White 2004/2009 on the means of --stride ticks of both error\n"
	"      series and their difference; the largest), the paired t on the\n"
	"      per-tick differences with Newey-West standard error (Bartlett kernel,\n"
	"      bandwidth = that block length) and its effective n, Wilcoxon\n"
	"      signed-rank on the means of consecutive blocks, d_z;\n"
	"    - circular block bootstrap CIs (blocks of that length) of the P99\n"
	"      and MSE error ratios and of the P99.9 tick-latency ratio;\n"
	"    - native tick latency of prior/A/B, interleaved tick by tick in one\n"
	"      run (ratios are meaningful, absolute ns are machine-dependent);\n"
	"    - gate pass rate and certificate; the gate's accepted region against\n"
	"      the prior's own 99 % ellipse; gate evidence with a corrupted network\n"
	"      (the core's TM_FAULT_CORRUPT_NET) and with perturbed int8 weights;\n"
	"    - the verdict on the success criteria.\n"
	"  -a, --a FILE          System A blob\n"
	"  -b, --b FILE          System B blob\n"
	"  -d, --data FILE       canonical CSV (the data the models were trained on)\n"
	"  -s, --split NAME      test (default), val, train, or all (the whole file,\n"
	"                        e.g. held-out data the models were not trained on)\n"
	"      --stride N        ticks per group mean for the block-length selection\n"
	"                        (default: the model's window, 256)\n"
	"      --boot N          bootstrap resamples (default 1000)\n"
	"      --conf X          confidence level (default 0.95)\n"
	"      --seed N          bootstrap / perturbation seed (default 1)\n"
	"      --lat-passes N    passes over the split for the latency run (default 2)\n"
	"      --no-latency      skip the latency run (latency criteria undecided)\n"
	"      --lat-tol X       'equal latency' = B's P99.9 <= (1 + X) x A's (default 0.10)\n"
	"      --cpu N           pin to CPU N for the latency run\n"
	"      --dump DIR        write plot data into the existing DIR (err_cdf.dat,\n"
	"                        traj.dat, gate.dat, lat_hist.dat) and the per-tick\n"
	"                        errors of prior, A and B (errors.dat)\n"
	"  -j, --json            JSON output\n"
	"  -h, --help\n";

enum { S_PRIOR, S_A, S_B, S_BFAULT, S_BPERT, N_SYS };
static const char *const sys_name[N_SYS] = { "prior", "A", "B", "B_fault", "B_perturbed" };

static const char *const reason_names[__TMNET_REASON_MAX] = {
	"ok", "chi2", "budget", "cert", "no_model", "stale", "saturation",
};

struct errsum {
	double mean, mse, p50, p90, p99, p999;
};

struct gate_sum {
	unsigned long long decisions, pass, fail[__TMNET_REASON_MAX];
	unsigned long long blend;	/* passes published as a blend (monitor) */
	double pass_rate, mean_cert, max_cert;
	double mean_w;			/* the prior's mean weight in those blends */
};

/* lags (seconds) at which the autocorrelation of the differences is shown */
static const double acf_lag_s[] = { 0.5, 2, 4, 8 };
#define N_ACF (sizeof(acf_lag_s) / sizeof(acf_lag_s[0]))

/* fewer blocks than this in the paired ticks: the text output warns */
#define FEW_BLOCKS 20

/* the series a block length is chosen from: x, y and x - y */
static const char *const bl_series[3] = { "x", "y", "diff" };

struct blocklen {
	size_t group;			/* ticks per group mean */
	struct tmn_pw pw[3];		/* on the group means of x, y, x - y */
	int which;			/* the series that set the length */
	size_t ticks;			/* circular-block length in ticks */
};

struct pair_res {
	const char *x, *y;		/* x vs y: differences x - y, same ticks */
	size_t n;			/* paired ticks */
	double acf[3][N_ACF];		/* of x, y and x - y per tick */
	struct blocklen bl;
	struct tmn_hac t;		/* per tick, Newey-West, bandwidth bl.ticks */
	struct tmn_wsr w;		/* on the means of consecutive blocks */
	size_t nblocks;
	struct tmn_boot p99;		/* P99(x) / P99(y), all paired ticks */
	struct tmn_boot mse;		/* MSE(x) / MSE(y) */
};

/*
 * Block length from the data: Politis-White on the means of consecutive
 * groups of `group` ticks (at 2 kHz the correlogram search of PW, sqrt(n)
 * lags, would end at 0.2 s while the errors stay correlated for seconds),
 * for each of x, y and x - y; the block is group * the largest b_CB, at most
 * n / 3 ticks.  The largest, because a ratio of two quantiles depends on the
 * serial dependence of both error series, not only on that of the
 * differences.
 */
static int block_from_data(const double *x, const double *y, size_t n, size_t group,
			   struct blocklen *bl)
{
	size_t m = n / group;
	double *gm, best = 0;

	memset(bl, 0, sizeof(*bl));
	bl->group = group;
	if (m < 8)
		return -1;
	gm = malloc(m * sizeof(*gm));
	if (!gm)
		return -1;
	for (int s = 0; s < 3; s++) {
		for (size_t j = 0; j < m; j++) {
			double sum = 0;

			for (size_t i = j * group; i < (j + 1) * group; i++)
				sum += s == 0 ? x[i] : s == 1 ? y[i] : x[i] - y[i];
			gm[j] = sum / (double)group;
		}
		if (tmn_pw_block(gm, m, &bl->pw[s])) {
			free(gm);
			return -1;
		}
		if (bl->pw[s].b_cb > best) {
			best = bl->pw[s].b_cb;
			bl->which = s;
		}
	}
	free(gm);
	bl->ticks = (size_t)llround((double)group * best);
	if (bl->ticks > n / 3)
		bl->ticks = n / 3;
	if (bl->ticks < 1)
		bl->ticks = 1;
	return 0;
}

struct lat_sum {
	double p50[TMNET_N_STAGES], p99[TMNET_N_STAGES], p999[TMNET_N_STAGES];
	double max_total;
};

struct run {
	struct tm_model *m[N_SYS];
	struct tm_state *st[N_SYS];
	struct tm_cfg cfg[N_SYS];
	double *err[N_SYS];		/* per scored tick */
	double *rat_lo, *rat_hi;	/* accepted / prior 99 % ellipse radius, min/max axis */
	double *ax_prior;		/* semi-major axis of the prior's own 99 % ellipse */
	size_t n, cap;
	size_t d_n, d_pass1;		/* B decisions; passes had S been P_h + floor */
	size_t *tick;			/* tick index of each scored tick */
	double *cert;			/* B's certificate per tick (NAN if none) */
	unsigned char *verdict[N_SYS];	/* per tick of the split (B, faults) */
	struct errsum es[N_SYS];
	struct gate_sum gs[N_SYS];
	size_t lo, hi;
};

static int grow(struct run *r)
{
	size_t nc = r->cap ? 2 * r->cap : 65536;

	for (int s = 0; s < N_SYS; s++) {
		double *p = realloc(r->err[s], nc * sizeof(double));

		if (!p)
			return -1;
		r->err[s] = p;
	}
	{
		size_t *p = realloc(r->tick, nc * sizeof(size_t));

		if (!p)
			return -1;
		r->tick = p;
	}
	{
		double **g[3] = { &r->rat_lo, &r->rat_hi, &r->ax_prior };

		for (int k = 0; k < 3; k++) {
			double *p = realloc(*g[k], nc * sizeof(double));

			if (!p)
				return -1;
			*g[k] = p;
		}
	}
	r->cap = nc;
	return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void errsum_of(const double *e, size_t n, struct errsum *o, double *sorted)
{
	double s = 0, s2 = 0;

	memcpy(sorted, e, n * sizeof(double));
	qsort(sorted, n, sizeof(double), cmp_dbl);
	for (size_t i = 0; i < n; i++) {
		s += e[i];
		s2 += e[i] * e[i];
	}
	o->mean = s / (double)n;
	o->mse = s2 / (double)n;
	o->p50 = tmn_quantile_sorted(sorted, n, 0.50);
	o->p90 = tmn_quantile_sorted(sorted, n, 0.90);
	o->p99 = tmn_quantile_sorted(sorted, n, 0.99);
	o->p999 = tmn_quantile_sorted(sorted, n, 0.999);
}

static double stat_mse(double *x, size_t n, void *ctx)
{
	double s = 0;

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		s += x[i] * x[i];
	return s / (double)n;
}

/* Replace the int8 weights by a deterministic random perturbation */
static void perturb_model(struct tm_model *m, unsigned long long seed)
{
	struct tmn_rng rng;
	const unsigned int g3 = 3 * m->hidden;

	tmn_rng_seed(&rng, seed);
#define PERTURB(w) do { \
	int v = (w) + (int)tmn_rng_range(&rng, -64, 64); \
	(w) = (__s8)(v > 127 ? 127 : v < -127 ? -127 : v); \
} while (0)
	for (unsigned int i = 0; i < g3; i++) {
		for (unsigned int j = 0; j < m->n_feat; j++)
			PERTURB(m->w_ih[i][j]);
		for (unsigned int j = 0; j < m->hidden; j++)
			PERTURB(m->w_hh[i][j]);
	}
	for (unsigned int i = 0; i < TMNET_N_OUT; i++)
		for (unsigned int j = 0; j < m->hidden; j++)
			PERTURB(m->w_out[i][j]);
#undef PERTURB
	tm_model_pack(m);
}

static void gate_of(const struct tm_counters *c, struct gate_sum *g)
{
	unsigned long long fb = 0;

	memset(g, 0, sizeof(*g));
	for (int k = 0; k < __TMNET_REASON_MAX; k++) {
		g->fail[k] = c->gate_fail[k];
		fb += c->gate_fail[k];
	}
	g->pass = c->gate_pass;
	g->blend = c->blend;
	g->mean_w = c->blend ? (double)c->blend_w_sum_q16 / 65536.0 / (double)c->blend : NAN;
	g->decisions = c->gate_pass + fb;
	g->pass_rate = g->decisions ? (double)g->pass / (double)g->decisions : NAN;
	g->mean_cert = c->cert_n ? (double)c->cert_sum_q16 / (double)c->cert_n / 65536.0 : NAN;
	g->max_cert = c->cert_n ? c->cert_max_q16 / 65536.0 : NAN;
}

/* ---- accuracy pass ------------------------------------------------------ */

/*
 * The gate's accepted region against the prior's own 99 % ellipse, in
 * double: with P = P_h and S = c P + F, the accepted ellipse r' S^-1 r <= chi2
 * has radius sqrt(c + mu) times the prior's r' P^-1 r <= chi2 along the
 * generalised eigenvectors, mu the eigenvalues of P^-1 F.  d1 = r' (P + F)^-1 r
 * is what the gate would test with cov_scale 1.
 */
static void gate_geometry(struct run *r, size_t i, const struct tmnet_pred *o)
{
	const struct tm_model *m = r->m[S_B];
	const struct tm_state *st = r->st[S_B];
	const double q32 = 4294967296.0, c = m->gate.cov_scale_q16 / 65536.0;
	double a = st->prior_cov[0][0] / q32, b = st->prior_cov[0][1] / q32;
	double dd = st->prior_cov[1][1] / q32;
	double fx = m->gate.floor_xx / q32, fxy = m->gate.floor_xy / q32;
	double fy = m->gate.floor_yy / q32;
	double A = a * dd - b * b, B = a * fy + dd * fx - 2 * b * fxy, C = fx * fy - fxy * fxy;
	double disc = sqrt(fmax(B * B - 4 * A * C, 0)), tr = a + dd;
	double lmax = (tr + sqrt(fmax((a - dd) * (a - dd) + 4 * b * b, 0))) / 2;
	double chi2 = r->cfg[S_B].chi2_q16 / 65536.0;

	r->rat_lo[i] = A > 0 ? sqrt(c + (B - disc) / (2 * A)) : NAN;
	r->rat_hi[i] = A > 0 ? sqrt(c + (B + disc) / (2 * A)) : NAN;
	r->ax_prior[i] = sqrt(chi2 * fmax(lmax, 0));
	if (o->verdict != TMNET_VERDICT_NONE) {
		double sx = a + fx, sxy = b + fxy, sy = dd + fy, det = sx * sy - sxy * sxy;
		double rx = (o->net_x - (double)o->prior_x) / 65536.0;
		double ry = (o->net_y - (double)o->prior_y) / 65536.0;

		r->d_n++;
		if (det > 0 && (sy * rx * rx - 2 * sxy * rx * ry + sx * ry * ry) / det <= chi2)
			r->d_pass1++;
	}
}

static double dist(__s32 px, __s32 py, const struct tmnet_sample *tg)
{
	double ex = (px - (double)tg->x) / 65536.0, ey = (py - (double)tg->y) / 65536.0;

	return sqrt(ex * ex + ey * ey);
}

static int accuracy_pass(struct run *r, const struct tmn_series *d, FILE *traj,
			 size_t traj_lo, size_t traj_hi, char *err, int errlen)
{
	const size_t H = r->m[S_B]->horizon_ticks, warm = r->m[S_B]->window_ticks;
	const size_t span = r->hi - r->lo;
	double next_pct = 0.1;

	for (int s = 0; s < N_SYS; s++) {
		tm_state_reset(r->st[s]);
		r->verdict[s] = calloc(span, 1);
		if (!r->verdict[s]) {
			snprintf(err, (size_t)errlen, "out of memory");
			return -1;
		}
	}
	r->cert = malloc(span * sizeof(double));
	if (!r->cert) {
		snprintf(err, (size_t)errlen, "out of memory");
		return -1;
	}
	for (size_t t = r->lo, seg_lo = r->lo, seg_end = tmn_seg_next(d, r->lo); t < r->hi; t++) {
		struct tmnet_pred out[N_SYS];
		int ok;

		/* as tmnet eval: no horizon target and no warm-up crosses a segment start */
		if (t >= seg_end) {
			seg_lo = seg_end;
			seg_end = tmn_seg_next(d, seg_end);
		}
		ok = t + H < r->hi && t + H < seg_end && t >= seg_lo + warm;

		for (int s = 0; s < N_SYS; s++) {
			memset(&out[s], 0, sizeof(out[s]));
			tm_tick(r->st[s], r->m[s], &r->cfg[s], &d->s[t], &out[s], NULL);
			r->verdict[s][t - r->lo] = out[s].verdict;
			ok = ok && r->st[s]->kf.init && r->st[s]->have_last;
		}
		r->cert[t - r->lo] = out[S_B].cert_q16 == TMNET_CERT_NONE ? NAN :
				     out[S_B].cert_q16 / 65536.0;
		if (traj && t >= traj_lo && t < traj_hi && (t - traj_lo) % 10 == 0 && t + H < r->hi) {
			const struct tmnet_sample *tg = &d->s[t + H];

			fprintf(traj, "%.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %d\n",
				(double)(t + H - r->lo) / r->m[S_B]->rate_hz,
				tg->x / 65536.0, tg->y / 65536.0,
				out[S_A].pred_x / 65536.0, out[S_A].pred_y / 65536.0,
				out[S_B].pred_x / 65536.0, out[S_B].pred_y / 65536.0,
				out[S_B].prior_x / 65536.0, out[S_B].prior_y / 65536.0,
				(tg->flags & TMNET_SAMPLE_VALID) ? 1 : 0);
		}
		if (!ok || !(d->s[t + H].flags & TMNET_SAMPLE_VALID))
			goto progress;
		if (r->n == r->cap && grow(r)) {
			snprintf(err, (size_t)errlen, "out of memory");
			return -1;
		}
		r->tick[r->n] = t;
		r->err[S_PRIOR][r->n] = dist(out[S_B].prior_x, out[S_B].prior_y, &d->s[t + H]);
		for (int s = S_A; s < N_SYS; s++)
			r->err[s][r->n] = dist(out[s].pred_x, out[s].pred_y, &d->s[t + H]);
		gate_geometry(r, r->n, &out[S_B]);
		r->n++;
progress:
		if ((double)(t - r->lo) >= next_pct * (double)span) {
			fprintf(stderr, "\rcompare: accuracy %3.0f %%", next_pct * 100);
			next_pct += 0.1;
		}
	}
	fprintf(stderr, "\rcompare: accuracy done, %zu scored ticks\n", r->n);
	for (int s = 0; s < N_SYS; s++)
		gate_of(&r->st[s]->cnt, &r->gs[s]);
	return 0;
}

/* ---- latency pass ------------------------------------------------------- */

#define N_LAT 3		/* prior, A, B */

struct lat_run {
	size_t n;
	double *v[N_LAT][TMNET_N_STAGES];	/* per tick; LATENESS/PUBLISH unused */
	struct lat_sum ls[N_LAT];
};

static int latency_pass(struct run *r, const struct tmn_series *d, int passes,
			struct lat_run *L, char *err, int errlen)
{
	static const int sysmap[N_LAT] = { S_PRIOR, S_A, S_B };
	struct tm_clock clk = { tmn_mono_ns, NULL };
	const size_t span = r->hi - r->lo;
	struct tm_state *st[N_LAT];
	struct tm_cfg cfg[N_LAT];
	size_t k = 0;

	L->n = span * (size_t)passes;
	for (int s = 0; s < N_LAT; s++) {
		for (int g = 0; g < TMNET_N_STAGES; g++) {
			L->v[s][g] = malloc(L->n * sizeof(double));
			if (!L->v[s][g]) {
				snprintf(err, (size_t)errlen, "out of memory");
				return -1;
			}
		}
		st[s] = r->st[sysmap[s]];
		cfg[s] = r->cfg[sysmap[s]];
	}
	for (int p = 0; p < passes; p++) {
		for (int s = 0; s < N_LAT; s++)
			tm_state_reset(st[s]);
		for (size_t t = r->lo; t < r->hi; t++, k++) {
			/* rotate the order so that no system always runs first */
			for (int j = 0; j < N_LAT; j++) {
				int s = (int)((k + (size_t)j) % N_LAT);
				struct tmnet_pred out;
				__u64 t0, t1;

				t0 = tmn_mono_ns(NULL);
				tm_tick(st[s], r->m[sysmap[s]], &cfg[s], &d->s[t], &out, &clk);
				t1 = tmn_mono_ns(NULL);
				L->v[s][TMNET_STAGE_TOTAL][k] = (double)(t1 - t0);
				L->v[s][TMNET_STAGE_PRIOR][k] = out.stage_ns[TMNET_STAGE_PRIOR];
				L->v[s][TMNET_STAGE_NET][k] = out.stage_ns[TMNET_STAGE_NET];
				L->v[s][TMNET_STAGE_GATE][k] = out.stage_ns[TMNET_STAGE_GATE];
			}
		}
		fprintf(stderr, "compare: latency pass %d/%d done\n", p + 1, passes);
	}
	for (int s = 0; s < N_LAT; s++) {
		double *tmp = malloc(L->n * sizeof(double));

		if (!tmp) {
			snprintf(err, (size_t)errlen, "out of memory");
			return -1;
		}
		for (int g = TMNET_STAGE_PRIOR; g <= TMNET_STAGE_TOTAL; g++) {
			if (g == TMNET_STAGE_PUBLISH)
				continue;
			memcpy(tmp, L->v[s][g], L->n * sizeof(double));
			qsort(tmp, L->n, sizeof(double), cmp_dbl);
			L->ls[s].p50[g] = tmn_quantile_sorted(tmp, L->n, 0.5);
			L->ls[s].p99[g] = tmn_quantile_sorted(tmp, L->n, 0.99);
			L->ls[s].p999[g] = tmn_quantile_sorted(tmp, L->n, 0.999);
			if (g == TMNET_STAGE_TOTAL)
				L->ls[s].max_total = tmp[L->n - 1];
		}
		free(tmp);
	}
	return 0;
}

/* ---- plot data ---------------------------------------------------------- */

static FILE *dump_open(const char *dir, const char *name, char *err, int errlen)
{
	char path[4096];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, (size_t)errlen, "--dump: path too long");
		return NULL;
	}
	f = fopen(path, "w");
	if (!f)
		snprintf(err, (size_t)errlen, "%.300s/%s: %s", dir, name, strerror(errno));
	return f;
}

static int dump_cdf(const char *dir, struct run *r, char *err, int errlen)
{
	FILE *f = dump_open(dir, "err_cdf.dat", err, errlen);
	double *s[N_SYS];
	int rc = 0;

	if (!f)
		return -1;
	for (int k = 0; k < N_SYS; k++) {
		s[k] = malloc(r->n * sizeof(double));
		if (!s[k]) {
			while (k--)
				free(s[k]);
			fclose(f);
			snprintf(err, (size_t)errlen, "out of memory");
			return -1;
		}
		memcpy(s[k], r->err[k], r->n * sizeof(double));
		qsort(s[k], r->n, sizeof(double), cmp_dbl);
	}
	fprintf(f, "# quantile  error(data units): prior A B B_fault B_perturbed\n");
	for (int i = 0; i <= 2000; i++) {
		/* dense in the tail: q = 1 - 10^(-3 i / 2000) mixed with linear */
		double q = i <= 1000 ? i / 1000.0 * 0.99 : 1 - 0.01 * pow(10, -2.0 * (i - 1000) / 1000.0);

		fprintf(f, "%.6f", q);
		for (int k = 0; k < N_SYS; k++)
			fprintf(f, " %.6g", tmn_quantile_sorted(s[k], r->n, q));
		fprintf(f, "\n");
	}
	for (int k = 0; k < N_SYS; k++)
		free(s[k]);
	if (fclose(f))
		rc = -1;
	return rc;
}

/* per paired tick: tick index and the error of prior, A and B (full precision) */
static int dump_errors(const char *dir, const struct run *r, char *err, int errlen)
{
	FILE *f = dump_open(dir, "errors.dat", err, errlen);

	if (!f)
		return -1;
	fprintf(f, "# tick  error(data units): prior A B  (%zu paired ticks)\n", r->n);
	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "%zu %.17g %.17g %.17g\n", r->tick[i], r->err[S_PRIOR][i], r->err[S_A][i],
			r->err[S_B][i]);
	return fclose(f) ? -1 : 0;
}

static int dump_gate(const char *dir, struct run *r, int rate, char *err, int errlen)
{
	FILE *f = dump_open(dir, "gate.dat", err, errlen);
	const size_t span = r->hi - r->lo, bin = (size_t)rate;

	if (!f)
		return -1;
	fprintf(f, "# t_s  B_pass_rate  B_mean_cert  B_max_cert  fault_pass_rate  perturbed_pass_rate (1 s bins)\n");
	for (size_t b0 = 0; b0 + bin <= span; b0 += bin) {
		size_t dec[3] = { 0, 0, 0 }, pass[3] = { 0, 0, 0 }, nc = 0;
		double cs = 0, cm = 0;
		static const int ss[3] = { S_B, S_BFAULT, S_BPERT };

		for (size_t i = b0; i < b0 + bin; i++) {
			for (int k = 0; k < 3; k++) {
				unsigned char v = r->verdict[ss[k]][i];

				dec[k] += v != TMNET_VERDICT_NONE;
				pass[k] += v == TMNET_VERDICT_PASS || v == TMNET_VERDICT_BLEND;
			}
			if (!isnan(r->cert[i])) {
				cs += r->cert[i];
				cm = fmax(cm, r->cert[i]);
				nc++;
			}
		}
		fprintf(f, "%.1f", (double)(b0 + bin / 2) / rate);
		for (int k = 0; k < 3; k++) {
			if (k == 1)
				fprintf(f, " %.6g %.6g", nc ? cs / (double)nc : NAN, nc ? cm : NAN);
			fprintf(f, " %.6g", dec[k] ? (double)pass[k] / (double)dec[k] : NAN);
		}
		fprintf(f, "\n");
	}
	return fclose(f) ? -1 : 0;
}

static int dump_lat(const char *dir, const struct lat_run *L, char *err, int errlen)
{
	static const int stg[4] = { TMNET_STAGE_PRIOR, TMNET_STAGE_NET, TMNET_STAGE_GATE,
				    TMNET_STAGE_TOTAL };
	enum { NB = 120 };
	/* log-spaced bins from 10 ns to 100 us, 30 per decade */
	unsigned long *h = calloc((size_t)N_LAT * 4 * NB, sizeof(*h));
	FILE *f;

	if (!h) {
		snprintf(err, (size_t)errlen, "out of memory");
		return -1;
	}
	for (int s = 0; s < N_LAT; s++)
		for (int g = 0; g < 4; g++)
			for (size_t i = 0; i < L->n; i++) {
				double v = L->v[s][stg[g]][i];
				int b = v > 0 ? (int)floor((log10(v) - 1) * 30) : 0;

				b = b < 0 ? 0 : b >= NB ? NB - 1 : b;
				h[((size_t)s * 4 + (size_t)g) * NB + (size_t)b]++;
			}
	f = dump_open(dir, "lat_hist.dat", err, errlen);
	if (!f) {
		free(h);
		return -1;
	}
	fprintf(f, "# bin_lo_ns  fraction of ticks: {prior,A,B} x {prior,net,gate,total} stage (%zu ticks each)\n",
		L->n);
	for (int b = 0; b < NB; b++) {
		fprintf(f, "%.3f", pow(10, 1 + b / 30.0));
		for (int k = 0; k < N_LAT * 4; k++)
			fprintf(f, " %.6g", (double)h[(size_t)k * NB + (size_t)b] / (double)L->n);
		fprintf(f, "\n");
	}
	free(h);
	return fclose(f) ? -1 : 0;
}

/* ---- output ------------------------------------------------------------- */

struct verdict {
	double lat_ratio, lat_lo, lat_hi;	/* B P99.9 / A P99.9 */
	double err_ratio, err_lo, err_hi;	/* B P99 / A P99 */
	int have_lat;
	int c1_lat, c1_err, equal_lat, c1;
	int c2;
	int c3_fault, c3_pert;
	struct blocklen lat_bl;		/* of the B - A latency differences */
	/* the gate's accepted region (gate_geometry) */
	double cov_scale, floor_xx, floor_xy, floor_yy, chi2;
	double rat_min, rat_p50, rat_max, ax_prior_p50, pass1_rate;
	double fault_p99_ratio, fault_mean_ratio, pert_p99_ratio, pert_mean_ratio;
};

static const char *vstr(int v)
{
	return v < 0 ? "undecided" : v ? "PASS" : "FAIL";
}

static void print_text(const struct run *r, const struct pair_res *pr, int np,
		       const struct lat_run *L, const struct verdict *v, double conf,
		       double lat_tol, int boot)
{
	printf("tmnet compare: %zu paired ticks of %zu (ticks [%zu, %zu)): scored by every system\n",
	       r->n, r->hi - r->lo, r->lo, r->hi);
	printf("\nError at the horizon (Euclidean, data units), all paired ticks:\n");
	printf("  %-12s %10s %10s %10s %10s %10s %12s\n", "system", "mean", "P50", "P90", "P99",
	       "P99.9", "MSE");
	for (int s = 0; s < N_SYS; s++)
		printf("  %-12s %10.3f %10.3f %10.3f %10.3f %10.3f %12.3f\n", sys_name[s],
		       r->es[s].mean, r->es[s].p50, r->es[s].p90, r->es[s].p99, r->es[s].p999,
		       r->es[s].mse);
	printf("\nPaired comparisons (x - y, per tick, on the same ticks; every test is paired;\n"
	       "CIs %.0f %%, %d circular-block bootstrap resamples):\n", conf * 100, boot);
	for (int i = 0; i < np; i++) {
		const struct pair_res *p = &pr[i];
		const double hz = r->m[S_B]->rate_hz;

		printf("  %s vs %s: %zu paired ticks\n", p->x, p->y, p->n);
		printf("    autocorrelation at");
		for (size_t k = 0; k < N_ACF; k++)
			printf(" %g%s", acf_lag_s[k], k + 1 < N_ACF ? "," : " s:");
		for (int q = 0; q < 3; q++) {
			printf(" %s", q == 0 ? p->x : q == 1 ? p->y : "x - y");
			for (size_t k = 0; k < N_ACF; k++)
				printf("%s%.2f", k ? "/" : " ", p->acf[q][k]);
			printf("%s", q < 2 ? ";" : "\n");
		}
		printf("    block length %zu ticks = %.2f s (Politis-White, circular block, on %zu means of\n"
		       "      %zu ticks; b = %.2f (%s), %.2f (%s), %.2f (x - y); the largest is used)\n",
		       p->bl.ticks, (double)p->bl.ticks / hz, p->bl.pw[0].n, p->bl.group,
		       p->bl.pw[0].b_cb, p->x, p->bl.pw[1].b_cb, p->y, p->bl.pw[2].b_cb);
		printf("    paired t, Newey-West SE (Bartlett, bandwidth %zu ticks): mean diff %.4f [%.4f, %.4f],\n"
		       "      t(%.1f) = %.3f, p = %.3g; effective n %.1f of %zu (iid SE %.4f, Newey-West %.4f)\n",
		       p->bl.ticks, p->t.mean_diff, p->t.ci_lo, p->t.ci_hi, p->t.df, p->t.t, p->t.p_two,
		       p->t.n_eff, p->t.n, p->t.se_iid, p->t.se);
		printf("    Wilcoxon signed-rank (paired) on the means of %zu blocks of %zu ticks:\n"
		       "      W+ = %.0f, W- = %.0f, p = %.3g (%s); matched-pairs rank-biserial %.3f\n",
		       p->nblocks, p->bl.ticks, p->w.w_plus, p->w.w_minus, p->w.p_two,
		       p->w.exact ? "exact" : "normal approximation", p->w.rbc);
		printf("    effect size d_z (mean / sd of the per-tick differences) = %.3f\n", p->t.d_z);
		printf("    P99 ratio %.3f [%.3f, %.3f]; MSE ratio %.3f [%.3f, %.3f] (blocks of %zu ticks)\n",
		       p->p99.est, p->p99.lo, p->p99.hi, p->mse.est, p->mse.lo, p->mse.hi,
		       p->p99.block);
		if (p->nblocks < FEW_BLOCKS)
			printf("    warning: the paired ticks hold only %zu blocks of that length: the intervals\n"
			       "    and p-values rest on few independent stretches and are rough (more data helps)\n",
			       p->nblocks);
	}
	if (v->have_lat) {
		static const char *const ln[N_LAT] = { "prior", "A", "B" };

		printf("\nNative tick latency, ns (CLOCK_MONOTONIC around tm_tick, %zu ticks per system,\n"
		       "interleaved in one run; stage clocks included; absolute values are noisy on a\n"
		       "shared machine, the ratios are the result):\n", L->n);
		printf("  %-6s %8s %8s %8s %9s | %8s %8s %8s %8s %8s %8s\n", "system", "P50", "P99",
		       "P99.9", "max", "prior50", "prior99", "net50", "net99", "gate50", "gate99");
		for (int s = 0; s < N_LAT; s++) {
			const struct lat_sum *l = &L->ls[s];

			printf("  %-6s %8.0f %8.0f %8.0f %9.0f | %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f\n",
			       ln[s], l->p50[TMNET_STAGE_TOTAL], l->p99[TMNET_STAGE_TOTAL],
			       l->p999[TMNET_STAGE_TOTAL], l->max_total,
			       l->p50[TMNET_STAGE_PRIOR], l->p99[TMNET_STAGE_PRIOR],
			       l->p50[TMNET_STAGE_NET], l->p99[TMNET_STAGE_NET],
			       l->p50[TMNET_STAGE_GATE], l->p99[TMNET_STAGE_GATE]);
		}
		printf("  B/A P99.9 latency ratio: %.3f [%.3f, %.3f] (%zu ticks paired; bootstrap blocks of %zu ticks)\n",
		       v->lat_ratio, v->lat_lo, v->lat_hi, L->n, v->lat_bl.ticks);
	}
	printf("\nGate (System B): %.2f %% pass of %llu decisions, mean certificate %.5f (max %.4f); fallbacks:",
	       100 * r->gs[S_B].pass_rate, r->gs[S_B].decisions, r->gs[S_B].mean_cert,
	       r->gs[S_B].max_cert);
	for (int k = 1; k < __TMNET_REASON_MAX; k++)
		printf(" %s %llu", reason_names[k], r->gs[S_B].fail[k]);
	printf("\n");
	if (r->m[S_B]->ext.fuse_kind == TMNET_FUSE_MONITOR)
		printf("Monitor (fuse monitor): %.2f %% of the decisions published as a blend prior + (1 - w) (net - prior),\n"
		       "  mean prior weight w %.4f (faulted net: %.4f, perturbed weights: %.4f); the passes are the blends\n",
		       r->gs[S_B].decisions ? 100.0 * (double)r->gs[S_B].blend / (double)r->gs[S_B].decisions : NAN,
		       r->gs[S_B].mean_w, r->gs[S_BFAULT].mean_w, r->gs[S_BPERT].mean_w);
	printf("\nGate region: S = cov_scale P_h + floor, pass iff r' S^-1 r <= chi2; cov_scale %.4g,\n"
	       "  floor [%.4g %.4g; %.4g] units^2, chi2 %.4g.  Accepted ellipse / the prior's own 99 %% ellipse\n"
	       "  (r' P_h^-1 r <= chi2), radius ratio over the paired ticks: min %.2f, median %.2f, max %.2f\n"
	       "  (sqrt(cov_scale) = %.2f; the rest is the floor); the prior's 99 %% ellipse semi-major axis:\n"
	       "  median %.3f units.  With cov_scale 1 (S = P_h + floor) %.2f %% of B's corrections would pass.\n",
	       v->cov_scale, v->floor_xx, v->floor_xy, v->floor_yy, v->chi2, v->rat_min, v->rat_p50,
	       v->rat_max, sqrt(v->cov_scale), v->ax_prior_p50, 100 * v->pass1_rate);
	printf("\nGate evidence (corrupted network and perturbed weights; B must fall back and stay\n"
	       "within +5 %% of the prior):\n");
	printf("  %-12s %9s %9s %12s %12s\n", "run", "pass %", "fallback", "P99/prior", "mean/prior");
	printf("  %-12s %9.2f %9llu %12.4f %12.4f\n", "B", 100 * r->gs[S_B].pass_rate,
	       r->gs[S_B].decisions - r->gs[S_B].pass, r->es[S_B].p99 / r->es[S_PRIOR].p99,
	       r->es[S_B].mean / r->es[S_PRIOR].mean);
	printf("  %-12s %9.2f %9llu %12.4f %12.4f\n", "B_fault", 100 * r->gs[S_BFAULT].pass_rate,
	       r->gs[S_BFAULT].decisions - r->gs[S_BFAULT].pass, v->fault_p99_ratio,
	       v->fault_mean_ratio);
	printf("  %-12s %9.2f %9llu %12.4f %12.4f\n", "B_perturbed", 100 * r->gs[S_BPERT].pass_rate,
	       r->gs[S_BPERT].decisions - r->gs[S_BPERT].pass, v->pert_p99_ratio,
	       v->pert_mean_ratio);

	printf("\nVerdict on the success criteria:\n");
	printf("  %-52s %-22s %s\n", "criterion", "measured", "result");
	if (v->have_lat)
		printf("  %-52s %5.1f %% [%.1f, %.1f]  %s\n", "1a  B cuts P99.9 tick latency >= 20 % vs A",
		       100 * (1 - v->lat_ratio), 100 * (1 - v->lat_hi), 100 * (1 - v->lat_lo),
		       vstr(v->c1_lat));
	else
		printf("  %-52s %-22s %s\n", "1a  B cuts P99.9 tick latency >= 20 % vs A", "not run",
		       vstr(-1));
	printf("  %-52s %5.1f %% [%.1f, %.1f]  %s\n", "1b  B cuts P99 error >= 15 % vs A ...",
	       100 * (1 - v->err_ratio), 100 * (1 - v->err_hi), 100 * (1 - v->err_lo),
	       vstr(v->err_ratio <= 0.85));
	if (v->have_lat)
		printf("  %-52s B/A %.3f (tol %.2f)     %s\n", "    ... at equal latency (B P99.9 <= (1+tol) A)",
		       v->lat_ratio, lat_tol, vstr(v->equal_lat));
	printf("  %-52s %-22s %s\n", "1   = 1a or 1b", "", vstr(v->c1));
	printf("  %-52s %5.1f %%, %.4f        %s\n", "2   gate pass >= 90 % and mean certificate <= 0.02",
	       100 * r->gs[S_B].pass_rate, r->gs[S_B].mean_cert, vstr(v->c2));
	printf("  %-52s %.3f / %.3f         %s\n", "3   corrupt net: B P99 and mean <= 1.05 x prior",
	       v->fault_p99_ratio, v->fault_mean_ratio, vstr(v->c3_fault));
	printf("  %-52s %.3f / %.3f         %s\n", "3'  perturbed weights: same bound", v->pert_p99_ratio,
	       v->pert_mean_ratio, vstr(v->c3_pert));
	printf("  (point estimates decide; the bracket is the %.0f %% bootstrap interval)\n", conf * 100);
}

static void jboot(const char *k, const struct tmn_boot *b, int last)
{
	printf("\"%s\": {\"est\": %.6g, \"lo\": %.6g, \"hi\": %.6g, \"se\": %.6g, \"reps\": %d, \"block\": %zu}%s",
	       k, b->est, b->lo, b->hi, b->se, b->reps, b->block, last ? "" : ", ");
}

static void jblock(const char *k, const struct blocklen *b, unsigned int hz)
{
	printf("     \"%s\": {\"method\": \"Politis-White 2004/2009 circular block on group means of x, y and x - y; the largest\", \"group_ticks\": %zu, \"groups\": %zu, \"from\": \"%s\", \"ticks\": %zu, \"seconds\": %.6g",
	       k, b->group, b->pw[0].n, bl_series[b->which], b->ticks, (double)b->ticks / hz);
	for (int s = 0; s < 3; s++)
		printf(", \"%s\": {\"m_hat\": %zu, \"M\": %zu, \"b_cb\": %.6g, \"b_sb\": %.6g, \"b_max\": %.6g}",
		       bl_series[s], b->pw[s].m_hat, b->pw[s].M, b->pw[s].b_cb, b->pw[s].b_sb,
		       b->pw[s].b_max);
	printf("}");
}

static const char *jb(int v)
{
	return v < 0 ? "null" : v ? "true" : "false";
}

static void print_json(const struct run *r, const struct pair_res *pr, int np,
		       const struct lat_run *L, const struct verdict *v, double conf,
		       double lat_tol, size_t stride, const char *pa, const char *pb,
		       const char *data)
{
	printf("{\n  \"a\": \"%s\", \"b\": \"%s\", \"data\": \"%s\",\n", pa, pb, data);
	printf("  \"a_crc32\": \"%08x\", \"b_crc32\": \"%08x\",\n", r->m[S_A]->crc32, r->m[S_B]->crc32);
	printf("  \"ticks\": [%zu, %zu], \"scored\": %zu, \"paired_ticks\": %zu, \"stride\": %zu, \"conf\": %g,\n",
	       r->lo, r->hi, r->n, r->n, stride, conf);
	printf("  \"error\": {\n");
	for (int s = 0; s < N_SYS; s++)
		printf("    \"%s\": {\"mean\": %.6g, \"p50\": %.6g, \"p90\": %.6g, \"p99\": %.6g, \"p999\": %.6g, \"mse\": %.6g}%s\n",
		       sys_name[s], r->es[s].mean, r->es[s].p50, r->es[s].p90, r->es[s].p99,
		       r->es[s].p999, r->es[s].mse, s + 1 < N_SYS ? "," : "");
	printf("  },\n  \"tests_note\": \"every comparison is paired (the same ticks): paired t with Newey-West SE, Wilcoxon signed-rank on block means, d_z; no independent-samples test (Mann-Whitney U, pooled Cohen's d) applies\",\n");
	printf("  \"pairs\": [\n");
	for (int i = 0; i < np; i++) {
		const struct pair_res *p = &pr[i];

		printf("    {\"x\": \"%s\", \"y\": \"%s\", \"paired_ticks\": %zu,\n", p->x, p->y, p->n);
		printf("     \"acf\": {\"lags_s\": [");
		for (size_t k = 0; k < N_ACF; k++)
			printf("%g%s", acf_lag_s[k], k + 1 < N_ACF ? ", " : "]");
		for (int q = 0; q < 3; q++) {
			printf(", \"%s\": [", bl_series[q]);
			for (size_t k = 0; k < N_ACF; k++)
				printf("%.6g%s", p->acf[q][k], k + 1 < N_ACF ? ", " : "]");
		}
		printf("},\n");
		jblock("block_length", &p->bl, r->m[S_B]->rate_hz);
		printf(",\n     \"paired_t_newey_west\": {\"paired\": true, \"n\": %zu, \"bandwidth_ticks\": %g, \"mean_diff\": %.6g, \"ci\": [%.6g, %.6g], \"se\": %.6g, \"se_iid\": %.6g, \"lrv\": %.6g, \"n_eff\": %.6g, \"t\": %.6g, \"df\": %.6g, \"p\": %.6g},\n",
		       p->t.n, p->t.bw, p->t.mean_diff, p->t.ci_lo, p->t.ci_hi, p->t.se, p->t.se_iid,
		       p->t.lrv, p->t.n_eff, p->t.t, p->t.df, p->t.p_two);
		printf("     \"wilcoxon_signed_rank\": {\"paired\": true, \"on\": \"means of consecutive blocks\", \"blocks\": %zu, \"block_ticks\": %zu, \"w_plus\": %.6g, \"w_minus\": %.6g, \"z\": %.6g, \"p\": %.6g, \"exact\": %s, \"rank_biserial\": %.6g},\n",
		       p->nblocks, p->bl.ticks, p->w.w_plus, p->w.w_minus, p->w.z, p->w.p_two,
		       p->w.exact ? "true" : "false", p->w.rbc);
		printf("     \"d_z\": %.6g, \"few_blocks\": %s, ", p->t.d_z,
		       p->nblocks < FEW_BLOCKS ? "true" : "false");
		jboot("p99_ratio", &p->p99, 0);
		jboot("mse_ratio", &p->mse, 1);
		printf("}%s\n", i + 1 < np ? "," : "");
	}
	printf("  ],\n");
	if (v->have_lat) {
		static const char *const ln[N_LAT] = { "prior", "A", "B" };
		static const char *const sn[TMNET_N_STAGES] = { "lateness", "prior", "net", "gate",
								"publish", "total" };

		printf("  \"latency_ns\": {\"ticks\": %zu, \"note\": \"native, interleaved, CLOCK_MONOTONIC; stage clocks included\",\n",
		       L->n);
		jblock("bootstrap_block", &v->lat_bl, r->m[S_B]->rate_hz);
		printf(",\n");
		for (int s = 0; s < N_LAT; s++) {
			printf("    \"%s\": {", ln[s]);
			for (int g = TMNET_STAGE_PRIOR; g <= TMNET_STAGE_TOTAL; g++) {
				if (g == TMNET_STAGE_PUBLISH)
					continue;
				printf("\"%s\": {\"p50\": %.0f, \"p99\": %.0f, \"p999\": %.0f}%s", sn[g],
				       L->ls[s].p50[g], L->ls[s].p99[g], L->ls[s].p999[g],
				       g < TMNET_STAGE_TOTAL ? ", " : "");
			}
			printf(", \"max\": %.0f}%s\n", L->ls[s].max_total, s + 1 < N_LAT ? "," : "");
		}
		printf("  },\n");
	} else {
		printf("  \"latency_ns\": null,\n");
	}
	printf("  \"gate_region\": {\"cov_scale\": %.6g, \"floor\": [%.6g, %.6g, %.6g], \"chi2\": %.6g, \"sqrt_cov_scale\": %.6g, \"radius_over_prior99\": {\"min\": %.6g, \"p50\": %.6g, \"max\": %.6g}, \"prior99_semi_major_p50\": %.6g, \"pass_rate_cov_scale_1\": %.6g},\n",
	       v->cov_scale, v->floor_xx, v->floor_xy, v->floor_yy, v->chi2, sqrt(v->cov_scale),
	       v->rat_min, v->rat_p50, v->rat_max, v->ax_prior_p50, v->pass1_rate);
	printf("  \"gate\": {\n");
	for (int s = S_B; s < N_SYS; s++) {
		const struct gate_sum *g = &r->gs[s];

		printf("    \"%s\": {\"decisions\": %llu, \"pass\": %llu, \"pass_rate\": %.6g, \"mean_cert\": %.6g, \"max_cert\": %.6g, \"fallbacks\": {",
		       sys_name[s], g->decisions, g->pass, g->pass_rate, g->mean_cert, g->max_cert);
		for (int k = 1; k < __TMNET_REASON_MAX; k++)
			printf("\"%s\": %llu%s", reason_names[k], g->fail[k],
			       k + 1 < __TMNET_REASON_MAX ? ", " : "");
		printf("}, \"fuse\": \"%s\", \"blend\": %llu, \"mean_w\": %s",
		       r->m[S_B]->ext.fuse_kind == TMNET_FUSE_MONITOR ? "monitor" : "gate", g->blend,
		       isfinite(g->mean_w) ? "" : "null");
		if (isfinite(g->mean_w))
			printf("%.6g", g->mean_w);
		printf(", \"p99_over_prior\": %.6g, \"mean_over_prior\": %.6g}%s\n",
		       r->es[s].p99 / r->es[S_PRIOR].p99, r->es[s].mean / r->es[S_PRIOR].mean,
		       s + 1 < N_SYS ? "," : "");
	}
	printf("  },\n");
	printf("  \"verdict\": {\n");
	printf("    \"lat_tol\": %g,\n", lat_tol);
	printf("    \"b_over_a_p999_latency\": {\"est\": %.6g, \"lo\": %.6g, \"hi\": %.6g},\n",
	       v->have_lat ? v->lat_ratio : NAN, v->have_lat ? v->lat_lo : NAN,
	       v->have_lat ? v->lat_hi : NAN);
	printf("    \"b_over_a_p99_error\": {\"est\": %.6g, \"lo\": %.6g, \"hi\": %.6g},\n",
	       v->err_ratio, v->err_lo, v->err_hi);
	printf("    \"c1a_latency_cut_20\": %s, \"c1b_error_cut_15\": %s, \"c1b_equal_latency\": %s, \"c1\": %s,\n",
	       jb(v->c1_lat), jb(v->err_ratio <= 0.85), jb(v->equal_lat), jb(v->c1));
	printf("    \"c2_gate\": %s, \"gate_pass_rate\": %.6g, \"gate_mean_cert\": %.6g,\n", jb(v->c2),
	       r->gs[S_B].pass_rate, r->gs[S_B].mean_cert);
	printf("    \"c3_fault_within_5pct\": %s, \"c3_perturbed_within_5pct\": %s\n", jb(v->c3_fault),
	       jb(v->c3_pert));
	printf("  }\n}\n");
}

/*
 * JSON has no NaN or infinity: print through a memory stream, then turn the
 * bare tokens nan/-nan/inf/-inf that printf gave for undefined figures into
 * null.
 */
/* ---- command ------------------------------------------------------------ */

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },
		{ "data", required_argument, NULL, 'd' },
		{ "split", required_argument, NULL, 's' },
		{ "stride", required_argument, NULL, 1 },
		{ "boot", required_argument, NULL, 2 },
		{ "conf", required_argument, NULL, 3 },
		{ "seed", required_argument, NULL, 4 },
		{ "lat-passes", required_argument, NULL, 5 },
		{ "no-latency", no_argument, NULL, 6 },
		{ "lat-tol", required_argument, NULL, 7 },
		{ "cpu", required_argument, NULL, 8 },
		{ "dump", required_argument, NULL, 9 },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pa = NULL, *pb = NULL, *data = NULL, *dump = NULL;
	long stride = 0, boot = 1000, seed = 1, passes = 2, cpu = -1;
	double conf = 0.95, lat_tol = 0.10;
	int split = 2, json = 0, no_lat = 0, o, rc = 1;
	struct run r;
	struct lat_run L;
	struct pair_res pr[3];
	struct verdict v;
	struct tmn_series d;
	struct tmn_split sp;
	char err[512];
	FILE *traj = NULL;

	memset(&r, 0, sizeof(r));
	memset(&L, 0, sizeof(L));
	memset(pr, 0, sizeof(pr));
	memset(&v, 0, sizeof(v));
	memset(&d, 0, sizeof(d));
	while ((o = getopt_long(argc, argv, "a:b:d:s:jh", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			pa = optarg;
			break;
		case 'b':
			pb = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 's':
			split = !strcmp(optarg, "train") ? 0 : !strcmp(optarg, "val") ? 1 :
				!strcmp(optarg, "test") ? 2 : !strcmp(optarg, "all") ? 3 : -1;
			if (split < 0) {
				fprintf(stderr, "tmnet compare: --split: want train, val, test or all\n");
				return 2;
			}
			break;
		case 1:
			if (parse_int(optarg, "--stride", 1, 1000000, &stride))
				return 2;
			break;
		case 2:
			if (parse_int(optarg, "--boot", 100, 1000000, &boot))
				return 2;
			break;
		case 3:
			if (parse_dbl(optarg, "--conf", 0.5, 0.9999, &conf))
				return 2;
			break;
		case 4:
			if (parse_int(optarg, "--seed", 0, 0x7fffffff, &seed))
				return 2;
			break;
		case 5:
			if (parse_int(optarg, "--lat-passes", 1, 100, &passes))
				return 2;
			break;
		case 6:
			no_lat = 1;
			break;
		case 7:
			if (parse_dbl(optarg, "--lat-tol", 0, 10, &lat_tol))
				return 2;
			break;
		case 8:
			if (parse_int(optarg, "--cpu", 0, 4095, &cpu))
				return 2;
			break;
		case 9:
			dump = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage(usage);
		}
	}
	if (!pa || !pb || !data || optind != argc) {
		fprintf(stderr, "tmnet compare: --a, --b and --data are required\n");
		die_usage(usage);
	}
	for (int s = 0; s < N_SYS; s++) {
		r.m[s] = malloc(sizeof(struct tm_model));
		r.st[s] = malloc(sizeof(struct tm_state));
		if (!r.m[s] || !r.st[s]) {
			fprintf(stderr, "tmnet compare: out of memory\n");
			goto out;
		}
	}
	if (tmq_read_blob_file(pa, r.m[S_A], NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "tmnet compare: %s\n", err);
		goto out;
	}
	if (tmq_read_blob_file(pb, r.m[S_B], NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "tmnet compare: %s\n", err);
		goto out;
	}
	if (r.m[S_A]->system != TMNET_SYS_A || r.m[S_B]->system != TMNET_SYS_B) {
		fprintf(stderr, "tmnet compare: %s must be a System A blob and %s a System B blob\n",
			pa, pb);
		goto out;
	}
	if (r.m[S_A]->rate_hz != r.m[S_B]->rate_hz ||
	    r.m[S_A]->horizon_ticks != r.m[S_B]->horizon_ticks ||
	    r.m[S_A]->window_ticks != r.m[S_B]->window_ticks) {
		fprintf(stderr, "tmnet compare: A and B differ in rate, window or horizon\n");
		goto out;
	}
	/* the prior alone is B's own Kalman prior, run as a prior-only system */
	*r.m[S_PRIOR] = *r.m[S_B];
	*r.m[S_BFAULT] = *r.m[S_B];
	*r.m[S_BPERT] = *r.m[S_B];
	perturb_model(r.m[S_BPERT], (unsigned long long)seed);
	for (int s = 0; s < N_SYS; s++)
		tm_cfg_from_model(&r.cfg[s], r.m[s]);
	r.cfg[S_PRIOR].mode = TMNET_SYS_PRIOR;
	r.cfg[S_BFAULT].faults = TM_FAULT_CORRUPT_NET;

	if (tmn_csv_read(data, &d, err, sizeof(err))) {
		fprintf(stderr, "tmnet compare: %s\n", err);
		goto out;
	}
	if ((unsigned int)d.rate_hz != r.m[S_B]->rate_hz)
		fprintf(stderr, "tmnet compare: warning: data at %d Hz, models at %u Hz\n", d.rate_hz,
			r.m[S_B]->rate_hz);
	if (split == 3) {
		/* the whole file: scored as a split that starts at tick 0 */
		r.lo = 0;
		r.hi = d.n;
	} else if (tmn_split_make_seg(&d, r.m[S_B]->window_ticks, r.m[S_B]->horizon_ticks, &sp)) {
		fprintf(stderr, "tmnet compare: %s: too short for the split\n", data);
		goto out;
	} else {
		r.lo = sp.lo[split];
		r.hi = sp.hi[split];
	}
	if (!stride)
		stride = r.m[S_B]->window_ticks;
	if (dump) {
		traj = dump_open(dump, "traj.dat", err, sizeof(err));
		if (!traj) {
			fprintf(stderr, "tmnet compare: %s\n", err);
			goto out;
		}
		fprintf(traj, "# t_s(target)  truth_x truth_y  A_x A_y  B_x B_y  prior_x prior_y  valid\n");
	}
	fprintf(stderr, "compare: %s vs %s over ticks [%zu, %zu) of %s\n", pa, pb, r.lo, r.hi, data);
	{
		/* trajectory segment: 8 s starting 30 s into the split */
		size_t tl = r.lo + 30 * (size_t)r.m[S_B]->rate_hz;
		size_t th = tl + 8 * (size_t)r.m[S_B]->rate_hz;

		if (accuracy_pass(&r, &d, traj, tl, th, err, sizeof(err))) {
			fprintf(stderr, "tmnet compare: %s\n", err);
			goto out;
		}
	}
	if (traj) {
		if (fclose(traj)) {
			traj = NULL;
			fprintf(stderr, "tmnet compare: traj.dat: write failed\n");
			goto out;
		}
		traj = NULL;
	}
	if (r.n < 100) {
		fprintf(stderr, "tmnet compare: only %zu scored ticks: the split is too short\n", r.n);
		goto out;
	}
	{
		double *tmp = malloc(r.n * sizeof(double));

		if (!tmp) {
			fprintf(stderr, "tmnet compare: out of memory\n");
			goto out;
		}
		for (int s = 0; s < N_SYS; s++)
			errsum_of(r.err[s], r.n, &r.es[s], tmp);
		free(tmp);
	}

	{
		static const int px[3] = { S_B, S_B, S_A }, py[3] = { S_A, S_PRIOR, S_PRIOR };
		double q99 = 0.99;
		double *dd = malloc(r.n * sizeof(double));

		if (!dd) {
			fprintf(stderr, "tmnet compare: out of memory\n");
			goto out;
		}
		for (int i = 0; i < 3; i++) {
			struct pair_res *p = &pr[i];
			const double *ex = r.err[px[i]], *ey = r.err[py[i]];
			size_t bt;

			p->x = sys_name[px[i]];
			p->y = sys_name[py[i]];
			p->n = r.n;
			for (size_t k = 0; k < r.n; k++)
				dd[k] = ex[k] - ey[k];
			for (size_t k = 0; k < N_ACF; k++) {
				size_t lag = (size_t)llround(acf_lag_s[k] * r.m[S_B]->rate_hz);

				p->acf[0][k] = tmn_autocorr(ex, r.n, lag);
				p->acf[1][k] = tmn_autocorr(ey, r.n, lag);
				p->acf[2][k] = tmn_autocorr(dd, r.n, lag);
			}
			if (block_from_data(ex, ey, r.n, (size_t)stride, &p->bl)) {
				free(dd);
				fprintf(stderr, "tmnet compare: %s vs %s: %zu paired ticks are too few for %ld-tick groups\n",
					p->x, p->y, r.n, stride);
				goto out;
			}
			bt = p->bl.ticks;
			fprintf(stderr, "compare: %s vs %s: %zu paired ticks, block length %zu ticks (%.2f s); tests, bootstrap ...\n",
				p->x, p->y, r.n, bt, (double)bt / r.m[S_B]->rate_hz);
			/* Wilcoxon on the means of consecutive, non-overlapping blocks */
			p->nblocks = r.n / bt;
			for (size_t j = 0; j < p->nblocks; j++)
				dd[j] = tmn_mean(dd + j * bt, bt);
			if (tmn_hac_ttest(ex, ey, r.n, (double)bt, conf, &p->t) ||
			    p->nblocks < 1 || tmn_wilcoxon(dd, p->nblocks, 1, &p->w) ||
			    tmn_boot_ratio(ex, ey, r.n, bt, (int)boot, conf,
					   (uint64_t)seed + (uint64_t)i, tmn_stat_quantile, &q99,
					   &p->p99) ||
			    tmn_boot_ratio(ex, ey, r.n, bt, (int)boot, conf,
					   (uint64_t)seed + 10 + (uint64_t)i, stat_mse, NULL, &p->mse)) {
				free(dd);
				fprintf(stderr, "tmnet compare: statistics failed (out of memory or degenerate data)\n");
				goto out;
			}
		}
		free(dd);
	}

	if (!no_lat) {
		if (cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET((int)cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				fprintf(stderr, "tmnet compare: cannot pin to cpu %ld: %s\n", cpu,
					strerror(errno));
		}
		if (latency_pass(&r, &d, (int)passes, &L, err, sizeof(err))) {
			fprintf(stderr, "tmnet compare: %s\n", err);
			goto out;
		}
		{
			struct tmn_boot lb;
			double q999 = 0.999;

			if (block_from_data(L.v[2][TMNET_STAGE_TOTAL], L.v[1][TMNET_STAGE_TOTAL], L.n,
					    (size_t)stride, &v.lat_bl)) {
				fprintf(stderr, "tmnet compare: too few latency ticks for the block length\n");
				goto out;
			}
			fprintf(stderr, "compare: latency bootstrap (block length %zu ticks) ...\n",
				v.lat_bl.ticks);
			if (tmn_boot_ratio(L.v[2][TMNET_STAGE_TOTAL], L.v[1][TMNET_STAGE_TOTAL], L.n,
					   v.lat_bl.ticks, (int)boot, conf, (uint64_t)seed + 20,
					   tmn_stat_quantile, &q999, &lb)) {
				fprintf(stderr, "tmnet compare: latency bootstrap failed\n");
				goto out;
			}
			v.have_lat = 1;
			v.lat_ratio = lb.est;
			v.lat_lo = lb.lo;
			v.lat_hi = lb.hi;
		}
	}

	/* verdict */
	v.err_ratio = pr[0].p99.est;
	v.err_lo = pr[0].p99.lo;
	v.err_hi = pr[0].p99.hi;
	v.c1_lat = v.have_lat ? v.lat_ratio <= 0.80 : -1;
	v.equal_lat = v.have_lat ? v.lat_ratio <= 1 + lat_tol : -1;
	v.c1_err = v.have_lat ? (v.err_ratio <= 0.85 && v.equal_lat) : -1;
	v.c1 = v.c1_lat == 1 || v.c1_err == 1 ? 1 : v.have_lat ? 0 : -1;
	v.c2 = r.gs[S_B].pass_rate >= 0.90 && r.gs[S_B].mean_cert <= 0.02;
	v.fault_p99_ratio = r.es[S_BFAULT].p99 / r.es[S_PRIOR].p99;
	v.fault_mean_ratio = r.es[S_BFAULT].mean / r.es[S_PRIOR].mean;
	v.pert_p99_ratio = r.es[S_BPERT].p99 / r.es[S_PRIOR].p99;
	v.pert_mean_ratio = r.es[S_BPERT].mean / r.es[S_PRIOR].mean;
	v.c3_fault = v.fault_p99_ratio <= 1.05 && v.fault_mean_ratio <= 1.05;
	v.c3_pert = v.pert_p99_ratio <= 1.05 && v.pert_mean_ratio <= 1.05;
	{
		const struct tmnet_gate *g = &r.m[S_B]->gate;
		double *tmp = malloc(r.n * sizeof(double));
		size_t k = 0;

		if (!tmp) {
			fprintf(stderr, "tmnet compare: out of memory\n");
			goto out;
		}
		v.cov_scale = g->cov_scale_q16 / 65536.0;
		v.floor_xx = g->floor_xx / 4294967296.0;
		v.floor_xy = g->floor_xy / 4294967296.0;
		v.floor_yy = g->floor_yy / 4294967296.0;
		v.chi2 = r.cfg[S_B].chi2_q16 / 65536.0;
		v.rat_min = INFINITY;
		v.rat_max = 0;
		for (size_t i = 0; i < r.n; i++) {
			if (isnan(r.rat_hi[i]))
				continue;
			v.rat_min = fmin(v.rat_min, r.rat_lo[i]);
			v.rat_max = fmax(v.rat_max, r.rat_hi[i]);
			tmp[k++] = r.rat_hi[i];
		}
		v.rat_p50 = k ? tmn_quantile_inplace(tmp, k, 0.5) : NAN;
		if (!k)
			v.rat_min = v.rat_max = NAN;
		memcpy(tmp, r.ax_prior, r.n * sizeof(double));
		v.ax_prior_p50 = tmn_quantile_inplace(tmp, r.n, 0.5);
		v.pass1_rate = r.d_n ? (double)r.d_pass1 / (double)r.d_n : NAN;
		free(tmp);
	}

	if (dump) {
		if (dump_cdf(dump, &r, err, sizeof(err)) || dump_errors(dump, &r, err, sizeof(err)) ||
		    dump_gate(dump, &r, (int)r.m[S_B]->rate_hz, err, sizeof(err)) ||
		    (v.have_lat && dump_lat(dump, &L, err, sizeof(err)))) {
			fprintf(stderr, "tmnet compare: %s\n", err);
			goto out;
		}
	}
	if (json) {
		char *jbuf = NULL;
		size_t jlen = 0;
		FILE *mf = open_memstream(&jbuf, &jlen), *so = stdout;

		if (!mf) {
			fprintf(stderr, "tmnet compare: out of memory\n");
			goto out;
		}
		stdout = mf;
		print_json(&r, pr, 3, &L, &v, conf, lat_tol, (size_t)stride, pa, pb, data);
		stdout = so;
		fclose(mf);
		tmn_json_emit_clean(jbuf, jlen);
		free(jbuf);
	} else
		print_text(&r, pr, 3, &L, &v, conf, lat_tol, (int)boot);
	rc = 0;
out:
	if (traj)
		fclose(traj);
	tmn_series_free(&d);
	for (int s = 0; s < N_SYS; s++) {
		free(r.m[s]);
		free(r.st[s]);
		free(r.err[s]);
		free(r.verdict[s]);
	}
	free(r.tick);
	free(r.cert);
	free(r.rat_lo);
	free(r.rat_hi);
	free(r.ax_prior);
	for (int s = 0; s < N_LAT; s++)
		for (int g = 0; g < TMNET_N_STAGES; g++)
			free(L.v[s][g]);
	return rc;
}
