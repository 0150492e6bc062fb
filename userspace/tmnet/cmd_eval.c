// SPDX-License-Identifier: GPL-2.0
/* tmnet eval: the bit-exact core, tick by tick, over a split */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"
#include "tmn_dataset.h"
#include "tmnet.h"

static const char usage[] =
	"usage: tmnet eval --data FILE.csv -m MODEL.tmn [--float MODEL.ckpt] [-m ...] [options]\n"
	"  Runs the core's tm_tick() (the code the kernel runs) tick by tick from a\n"
	"  reset state over the test split and scores every tick whose horizon\n"
	"  target is a valid sample, after a warm-up of one window:\n"
	"  MSE (units^2, squared Euclidean error) and P50/P90/P99 Euclidean error of\n"
	"  the published prediction, the int8 network, the prior alone and (with\n"
	"  --float) the float network streamed over the same features; the prior's\n"
	"  kind and its NEES (e' C^-1 e, C its calibrated horizon covariance: the\n"
	"  mean, 2 when consistent, and the fraction inside the 99 % ellipse); gate pass\n"
	"  rate, mean certificate, fallbacks by reason.  With several models every\n"
	"  figure is over the ticks that all of them score (the paired ticks, whose\n"
	"  count is printed), so that ratios between models compare the same ticks.\n"
	"  Errors are in the recording's units (the data file's '# tmnet-data'\n"
	"  scale, else the model's; JSON error_scale = recording units per data\n"
	"  unit).  No horizon target or warm-up crosses a segment start.\n"
	"  -d, --data FILE       canonical CSV (same as for training)\n"
	"  -m, --model FILE      .tmn blob (repeat for several; A and B -> ratios)\n"
	"  -f, --float FILE      checkpoint of the preceding --model (float side by side)\n"
	"  -s, --split NAME      test (default), val, train, or all (the whole file,\n"
	"                        e.g. a recording the model was not trained on)\n"
	"  -j, --json            JSON output\n"
	"  -r, --records FILE    write every struct tmnet_pred (88 bytes, little-endian,\n"
	"                        t_ns = 0) of the first model, for kernel parity\n"
	"      --dump-float FILE CSV, every tick of the first model's --float network:\n"
	"                        tick,defined,f0..f<F-1> (raw features),base_x,base_y,\n"
	"                        y0,y1 (normalised output),pos_x,pos_y (base + out_scale y)\n"
	"  -h, --help\n";

#define MAX_MODELS 4

struct stat_acc {
	double *e;
	size_t n, cap;
	double se;
	double mse, p50, p90, p99;
};

static int acc_add(struct stat_acc *a, double ex, double ey)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? 2 * a->cap : 65536;
		double *ne = realloc(a->e, nc * sizeof(double));

		if (!ne)
			return -1;
		a->e = ne;
		a->cap = nc;
	}
	a->e[a->n++] = sqrt(ex * ex + ey * ey);
	a->se += ex * ex + ey * ey;
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;
	double f = pos - (double)i;

	return i + 1 < n ? s[i] * (1 - f) + s[i + 1] * f : s[n - 1];
}

static void acc_done(struct stat_acc *a)
{
	if (!a->n) {
		a->mse = a->p50 = a->p90 = a->p99 = NAN;
		return;
	}
	qsort(a->e, a->n, sizeof(double), cmp_d);
	a->mse = a->se / (double)a->n;
	a->p50 = pct(a->e, a->n, 0.50);
	a->p90 = pct(a->e, a->n, 0.90);
	a->p99 = pct(a->e, a->n, 0.99);
	free(a->e);
	a->e = NULL;
}

struct result {
	const char *path, *fpath;
	struct tm_model *m;
	int has_float;
	struct stat_acc pub, net, prior, flt;
	struct tm_counters cnt;
	double win_mse, chunk_mse, stream_mse;	/* float, normalised units */
	size_t scored;
	size_t pub_as[3];		/* scored ticks published as prior, net, blend */
	double w_sum;			/* prior's weight w over the scored blends */
	/* the prior's NEES e' C^-1 e with its (calibrated) horizon covariance C */
	double nees_sum;
	size_t nees_n, nees_in99;	/* ticks with C positive definite; NEES <= 9.21 */
	size_t *tick;			/* the scored ticks, increasing */
	double per_unit[2];		/* recording units per data unit (1 / scale) */
};

/* --dump-float: the first model's float network, every tick (tests/export) */
static FILE *float_dump;

static const char *const reason_names[__TMNET_REASON_MAX] = {
	"ok", "chi2", "budget", "cert", "no_model", "stale", "saturation",
};

static int eval_one(struct result *r, const struct tmn_series *d, size_t lo, size_t hi,
		    FILE *rec, char *err, int errlen)
{
	struct tm_model *m = r->m;
	struct tm_state *st = calloc(1, sizeof(*st));
	struct tm_cfg cfg;
	struct tmn_model_f mf;
	double h[TMNET_MAX_HIDDEN] = { 0 }, sse_n = 0, cnt_n = 0;
	const size_t H = m->horizon_ticks, warm = m->window_ticks;
	int rc = -1;

	memset(&mf, 0, sizeof(mf));
	if (!st) {
		snprintf(err, (size_t)errlen, "out of memory");
		return -1;
	}
	if (r->fpath) {
		if (tmn_ckpt_load(r->fpath, &mf, err, errlen))
			goto out;
		/* a --b-extra checkpoint has two inputs more than the core's B */
		if (mf.h.system != m->system ||
		    mf.h.F != m->n_feat + (mf.h.norm.extra != TMN_EXTRA_NONE ? 2U : 0U) ||
		    mf.h.H != m->hidden ||
		    mf.h.horizon != m->horizon_ticks) {
			snprintf(err, (size_t)errlen, "%s does not match %s (system/shape/horizon)",
				 r->fpath, r->path);
			goto out;
		}
		r->has_float = 1;
	}
	tm_cfg_from_model(&cfg, m);
	tm_state_reset(st);
	for (size_t t = lo, seg_lo = lo, seg_end = tmn_seg_next(d, lo); t < hi; t++) {
		struct tmnet_pred out;
		double fy[2] = { 0, 0 };

		/* segments: no horizon target and no warm-up crosses a start */
		if (t >= seg_end) {
			seg_lo = seg_end;
			seg_end = tmn_seg_next(d, seg_end);
		}

		memset(&out, 0, sizeof(out));
		tm_tick(st, m, &cfg, &d->s[t], &out, NULL);
		if (rec && fwrite(&out, sizeof(out), 1, rec) != 1) {
			snprintf(err, (size_t)errlen, "records: write failed: %s", strerror(errno));
			goto out;
		}
		if (r->has_float) {
			float f[TMN_FEAT_N], x[TMNET_MAX_FEATURES];

			/* a new segment forgets the float state too, as the core's */
			if (d->s[t].flags & TMNET_SAMPLE_SEG_START)
				memset(h, 0, sizeof(h));
			tmn_feat_from_state(st, mf.h.norm.extra, f);
			tmn_norm_apply(&mf.h.norm, f, x);
			tmn_gru_step1(&mf.g, h, x, fy);
			if (float_dump && r->fpath) {
				double os = mf.h.norm.out_scale;
				double bx = m->system == TMNET_SYS_A ? st->last_x / 65536.0 :
					    st->prior[0] / 4294967296.0;
				double by = m->system == TMNET_SYS_A ? st->last_y / 65536.0 :
					    st->prior[1] / 4294967296.0;

				fprintf(float_dump, "%zu,%d", t, st->kf.init && st->have_last);
				for (unsigned int k = 0; k < mf.h.F; k++)
					fprintf(float_dump, ",%.9g", (double)f[k]);
				fprintf(float_dump, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", bx, by,
					fy[0], fy[1], bx + os * fy[0], by + os * fy[1]);
			}
		}
		if (t + H >= hi || t + H >= seg_end || t < seg_lo + warm || !st->kf.init ||
		    !st->have_last)
			continue;
		{
			const struct tmnet_sample *tg = &d->s[t + H];
			double tx, ty;

			if (!(tg->flags & TMNET_SAMPLE_VALID))
				continue;
			tx = tg->x / 65536.0;
			ty = tg->y / 65536.0;
			if (r->scored % 65536 == 0) {
				size_t *nt = realloc(r->tick, (r->scored + 65536) * sizeof(*nt));

				if (!nt) {
					snprintf(err, (size_t)errlen, "out of memory");
					goto out;
				}
				r->tick = nt;
			}
			r->tick[r->scored++] = t;
			/* what was published: the prior, the network or a blend of both */
			if (out.verdict == TMNET_VERDICT_FALLBACK ||
			    (out.pred_x == out.prior_x && out.pred_y == out.prior_y))
				r->pub_as[0]++;
			else if (out.pred_x == out.net_x && out.pred_y == out.net_y)
				r->pub_as[1]++;
			else
				r->pub_as[2]++;
			if (out.verdict == TMNET_VERDICT_BLEND)
				r->w_sum += st->mon.w_q16 / 65536.0;
			{
				/* the prior's NEES, data units (the core's Q32.32) */
				double ex = st->prior[0] / 4294967296.0 - tx;
				double ey = st->prior[1] / 4294967296.0 - ty;
				double a = st->prior_cov[0][0] / 4294967296.0;
				double b = st->prior_cov[0][1] / 4294967296.0;
				double cc = st->prior_cov[1][1] / 4294967296.0, det = a * cc - b * b;

				if (a > 0 && det > 0) {
					double q = (cc * ex * ex - 2 * b * ex * ey + a * ey * ey) / det;

					r->nees_sum += q;
					r->nees_n++;
					r->nees_in99 += q <= 9.2103;
				}
			}
			if (acc_add(&r->pub, (out.pred_x / 65536.0 - tx) * r->per_unit[0],
				    (out.pred_y / 65536.0 - ty) * r->per_unit[1]) ||
			    acc_add(&r->prior, (out.prior_x / 65536.0 - tx) * r->per_unit[0],
				    (out.prior_y / 65536.0 - ty) * r->per_unit[1]) ||
			    acc_add(&r->net, (out.net_x / 65536.0 - tx) * r->per_unit[0],
				    (out.net_y / 65536.0 - ty) * r->per_unit[1])) {
				snprintf(err, (size_t)errlen, "out of memory");
				goto out;
			}
			if (r->has_float) {
				double bx, by, os = mf.h.norm.out_scale;

				if (m->system == TMNET_SYS_A) {
					bx = st->last_x / 65536.0;
					by = st->last_y / 65536.0;
				} else {
					bx = st->prior[0] / 4294967296.0;
					by = st->prior[1] / 4294967296.0;
				}
				if (acc_add(&r->flt, (bx + fy[0] * os - tx) * r->per_unit[0],
					    (by + fy[1] * os - ty) * r->per_unit[1])) {
					snprintf(err, (size_t)errlen, "out of memory");
					goto out;
				}
				sse_n += (bx + fy[0] * os - tx) * (bx + fy[0] * os - tx) / (os * os) +
					 (by + fy[1] * os - ty) * (by + fy[1] * os - ty) / (os * os);
				cnt_n += 2;
			}
		}
	}
	r->cnt = st->cnt;
	if (r->has_float) {
		struct tmn_track tr;
		struct tmn_xy xy;
		struct tm_model *pm = malloc(sizeof(*pm));
		char e2[256];

		r->stream_mse = cnt_n > 0 ? sse_n / cnt_n : NAN;
		r->win_mse = NAN;
		if (pm && !tmn_prior_model(&mf.h.kalman, (int)m->rate_hz, (int)H, pm, e2, sizeof(e2)) &&
		    !tmn_track_build(d, lo, hi, pm, mf.h.norm.extra, &tr)) {
			if (!tmn_xy_build(&tr, &mf.h.norm, &xy)) {
				r->win_mse = tmn_eval_windows(&mf.g, &xy, (int)mf.h.window,
							      (int)mf.h.burn, 256, 2);
				r->chunk_mse = tmn_eval_stream(&mf.g, &xy, (int)mf.h.window, 256, 2);
				tmn_xy_free(&xy);
			}
			tmn_track_free(&tr);
		}
		free(pm);
	}
	rc = 0;		/* the accumulators are closed by acc_paired() and acc_done() */
out:
	if (rc) {
		free(r->pub.e);
		free(r->net.e);
		free(r->prior.e);
		free(r->flt.e);
		r->pub.e = r->net.e = r->prior.e = r->flt.e = NULL;
	}
	tmn_model_f_free(&mf);
	free(st);
	return rc;
}

/* keep only the entries of a whose tick is common to all models */
static void acc_keep(struct stat_acc *a, const size_t *tick, const unsigned char *cnt,
		     size_t lo, int nm)
{
	size_t k = 0;

	a->se = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (cnt[tick[i] - lo] != nm)
			continue;
		a->e[k++] = a->e[i];
		a->se += a->e[i] * a->e[i];
	}
	a->n = k;
}

/*
 * Several models: restrict every model's figures to the ticks that all of
 * them scored (their scored sets can differ, e.g. where one model's filter
 * restarts), so that ratios between models are paired.  Returns that count,
 * (size_t)-1 when out of memory.
 */
static size_t acc_paired(struct result *res, int nm, size_t lo, size_t hi)
{
	unsigned char *cnt;
	size_t common = 0;

	if (nm < 2)
		return res[0].scored;
	cnt = calloc(hi - lo, 1);
	if (!cnt)
		return (size_t)-1;
	for (int i = 0; i < nm; i++)
		for (size_t k = 0; k < res[i].scored; k++)
			cnt[res[i].tick[k] - lo]++;
	for (size_t t = 0; t < hi - lo; t++)
		common += cnt[t] == nm;
	for (int i = 0; i < nm; i++) {
		acc_keep(&res[i].pub, res[i].tick, cnt, lo, nm);
		acc_keep(&res[i].net, res[i].tick, cnt, lo, nm);
		acc_keep(&res[i].prior, res[i].tick, cnt, lo, nm);
		acc_keep(&res[i].flt, res[i].tick, cnt, lo, nm);
	}
	free(cnt);
	return common;
}

/* a JSON number, or null for NaN/inf (ring of buffers for one printf) */
static const char *jnum(double v)
{
	static char buf[16][32];
	static int k;

	k = (k + 1) & 15;
	if (!isfinite(v))
		return "null";
	snprintf(buf[k], sizeof(buf[k]), "%.6g", v);
	return buf[k];
}

static void row(const char *name, const struct stat_acc *a)
{
	printf("  %-30s %12.3f %9.3f %9.3f %9.3f\n", name, a->mse, a->p50, a->p90, a->p99);
}

static void jrow(const char *name, const struct stat_acc *a, int last)
{
	printf("      \"%s\": {\"mse\": %s, \"p50\": %s, \"p90\": %s, \"p99\": %s}%s\n", name,
	       jnum(a->mse), jnum(a->p50), jnum(a->p90), jnum(a->p99), last ? "" : ",");
}

int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "model", required_argument, NULL, 'm' },
		{ "float", required_argument, NULL, 'f' },
		{ "split", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "records", required_argument, NULL, 'r' },
		{ "dump-float", required_argument, NULL, 1 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct result res[MAX_MODELS];
	const char *data = NULL, *recpath = NULL, *dumppath = NULL;
	int nm = 0, json = 0, split = 2, whole = 0, o, rc = 1;
	struct tmn_series d;
	struct tmn_split sp;
	char err[512];
	FILE *rec = NULL;
	int ia = -1, ib = -1;
	size_t paired = 0;

	memset(res, 0, sizeof(res));
	while ((o = getopt_long(argc, argv, "d:m:f:s:jr:h", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			data = optarg;
			break;
		case 'm':
			if (nm == MAX_MODELS) {
				fprintf(stderr, "tmnet eval: at most %d models\n", MAX_MODELS);
				return 2;
			}
			res[nm++].path = optarg;
			break;
		case 'f':
			if (!nm) {
				fprintf(stderr, "tmnet eval: --float must follow its --model\n");
				return 2;
			}
			res[nm - 1].fpath = optarg;
			break;
		case 's':
			if (!strcmp(optarg, "train"))
				split = 0;
			else if (!strcmp(optarg, "val"))
				split = 1;
			else if (!strcmp(optarg, "test"))
				split = 2;
			else if (!strcmp(optarg, "all"))
				split = 3;
			else {
				fprintf(stderr, "tmnet eval: --split: want train, val, test or all\n");
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'r':
			recpath = optarg;
			break;
		case 1:
			dumppath = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage(usage);
		}
	}
	if (!data || !nm || optind != argc)
		die_usage(usage);
	for (int i = 0; i < nm; i++) {
		res[i].m = malloc(sizeof(struct tm_model));
		if (!res[i].m || tmq_read_blob_file(res[i].path, res[i].m, NULL, NULL, err,
						    sizeof(err))) {
			fprintf(stderr, "tmnet eval: %s\n", res[i].m ? err : "out of memory");
			goto out;
		}
	}
	if (tmn_csv_read(data, &d, err, sizeof(err))) {
		fprintf(stderr, "tmnet eval: %s\n", err);
		goto out;
	}
	if ((int)res[0].m->rate_hz != d.rate_hz)
		fprintf(stderr, "tmnet eval: warning: data at %d Hz, model at %u Hz\n", d.rate_hz,
			res[0].m->rate_hz);
	if (split == 3) {
		memset(&sp, 0, sizeof(sp));
		sp.hi[3 - 1] = d.n;	/* scored through the "test" slot */
		split = 2;
		whole = 1;
		if (d.n <= (size_t)res[0].m->window_ticks + res[0].m->horizon_ticks) {
			fprintf(stderr, "tmnet eval: %s: %zu samples, want more than a window + "
				"horizon (%u)\n", data, d.n,
				res[0].m->window_ticks + res[0].m->horizon_ticks);
			tmn_series_free(&d);
			goto out;
		}
	} else if (tmn_split_make_seg(&d, res[0].m->window_ticks, res[0].m->horizon_ticks, &sp)) {
		fprintf(stderr, "tmnet eval: %s: too short for the split\n", data);
		tmn_series_free(&d);
		goto out;
	}
	if (recpath) {
		rec = fopen(recpath, "wb");
		if (!rec) {
			fprintf(stderr, "tmnet eval: %s: %s\n", recpath, strerror(errno));
			tmn_series_free(&d);
			goto out;
		}
	}
	if (dumppath) {
		if (!res[0].fpath) {
			fprintf(stderr, "tmnet eval: --dump-float needs --float after the first --model\n");
			tmn_series_free(&d);
			goto out;
		}
		float_dump = fopen(dumppath, "w");
		if (!float_dump) {
			fprintf(stderr, "tmnet eval: %s: %s\n", dumppath, strerror(errno));
			tmn_series_free(&d);
			goto out;
		}
	}
	/* errors in the recording's own units (the data file's, else the model's) */
	{
		struct tmn_units u = d.units, mu;

		tmn_units_from_blob(&res[0].m->units, &mu);
		if (!d.has_units)
			u = mu;
		else if (memcmp(&u, &mu, sizeof(u)) && !tmn_units_is_identity(&mu))
			fprintf(stderr, "tmnet eval: warning: the data's units differ from the model's\n");
		for (int i = 0; i < nm; i++) {
			res[i].per_unit[0] = 1.0 / u.scale[0];
			res[i].per_unit[1] = 1.0 / u.scale[1];
		}
		if (!json && !tmn_units_is_identity(&u)) {
			char ub[160];

			tmn_units_describe(&u, ub, sizeof(ub));
			printf("errors in recording units (%s)\n", ub);
		}
	}
	for (int i = 0; i < nm; i++) {
		if (!json)
			fprintf(stderr, "eval: %s over ticks [%zu, %zu) ...\n", res[i].path,
				sp.lo[split], sp.hi[split]);
		if (i == 1 && float_dump) {
			if (fclose(float_dump)) {
				float_dump = NULL;
				fprintf(stderr, "tmnet eval: %s: write failed\n", dumppath);
				tmn_series_free(&d);
				goto out;
			}
			float_dump = NULL;
		}
		if (eval_one(&res[i], &d, sp.lo[split], sp.hi[split], i == 0 ? rec : NULL, err,
			     sizeof(err))) {
			fprintf(stderr, "tmnet eval: %s\n", err);
			tmn_series_free(&d);
			goto out;
		}
		if (res[i].m->system == TMNET_SYS_A && ia < 0)
			ia = i;
		if (res[i].m->system == TMNET_SYS_B && ib < 0)
			ib = i;
	}
	tmn_series_free(&d);
	if (float_dump && fclose(float_dump)) {
		float_dump = NULL;
		fprintf(stderr, "tmnet eval: %s: write failed\n", dumppath);
		goto out;
	}
	float_dump = NULL;
	if (rec && fclose(rec)) {
		rec = NULL;
		fprintf(stderr, "tmnet eval: %s: write failed\n", recpath);
		goto out;
	}
	rec = NULL;

	paired = acc_paired(res, nm, sp.lo[split], sp.hi[split]);
	if (paired == (size_t)-1) {
		fprintf(stderr, "tmnet eval: out of memory\n");
		goto out;
	}
	for (int i = 0; i < nm; i++) {
		acc_done(&res[i].pub);
		acc_done(&res[i].net);
		acc_done(&res[i].prior);
		acc_done(&res[i].flt);
	}
	if (json) {
		printf("{\n  \"split\": \"%s\", \"paired_ticks\": %zu, \"segments\": %zu, \"error_scale\": [%s, %s],\n  \"models\": [\n",
		       whole ? "all" : split == 2 ? "test" : split == 1 ? "val" : "train", paired,
		       d.nseg, jnum(res[0].per_unit[0]), jnum(res[0].per_unit[1]));
	} else if (nm > 1) {
		printf("%zu paired ticks (scored by all %d models; alone:", paired, nm);
		for (int i = 0; i < nm; i++)
			printf(" %zu%s", res[i].scored, i + 1 < nm ? "," : "");
		printf("): every figure below is over them\n");
	}
	for (int i = 0; i < nm; i++) {
		struct result *r = &res[i];
		const struct tm_counters *c = &r->cnt;
		__u64 dec = c->gate_pass, fb = 0;
		double cert = c->cert_n ? (double)c->cert_sum_q16 / (double)c->cert_n / 65536.0 : NAN;
		double i8 = r->has_float ? 100.0 * (r->net.mse / r->flt.mse - 1.0) : NAN;

		for (int k = 0; k < __TMNET_REASON_MAX; k++)
			fb += c->gate_fail[k];
		dec += fb;
		if (json) {
			printf("    {\n      \"path\": \"%s\", \"name\": \"%s\", \"system\": \"%s\", \"crc32\": \"%08x\",\n",
			       r->path, r->m->name, r->m->system == TMNET_SYS_A ? "A" :
			       r->m->system == TMNET_SYS_B ? "B" : "prior", r->m->crc32);
			printf("      \"scored_ticks\": %zu, \"ticks\": %llu,\n", r->scored,
			       (unsigned long long)c->ticks);
			jrow("published", &r->pub, 0);
			jrow("int8_net", &r->net, 0);
			jrow("prior", &r->prior, 0);
			printf("      \"prior_model\": {\"kind\": \"%s\", \"tau\": %s, \"hcov_scale\": %s, \"nees_mean\": %s, \"nees_in99\": %s, \"nees_ticks\": %zu},\n",
			       r->m->ext.prior_kind == TMNET_PRIOR_DV ? "DV" : "CV",
			       jnum(r->m->ext.tau_q32 / 4294967296.0),
			       jnum(r->m->ext.hcov_scale_q16 / 65536.0),
			       jnum(r->nees_n ? r->nees_sum / (double)r->nees_n : NAN),
			       jnum(r->nees_n ? (double)r->nees_in99 / (double)r->nees_n : NAN),
			       r->nees_n);
			if (r->has_float) {
				jrow("float_stream", &r->flt, 0);
				printf("      \"int8_vs_float_mse_pct\": %s, \"float_window_mse_norm\": %s, \"float_chunk_mse_norm\": %s, \"float_stream_mse_norm\": %s,\n",
				       jnum(i8), jnum(r->win_mse), jnum(r->chunk_mse), jnum(r->stream_mse));
			}
			printf("      \"gate\": {\"decisions\": %llu, \"pass\": %llu, \"pass_rate\": %s, \"mean_cert\": %s, \"fallbacks\": {",
			       (unsigned long long)dec, (unsigned long long)c->gate_pass,
			       jnum(dec ? (double)c->gate_pass / (double)dec : NAN), jnum(cert));
			for (int k = 1; k < __TMNET_REASON_MAX; k++)
				printf("\"%s\": %llu%s", reason_names[k],
				       (unsigned long long)c->gate_fail[k],
				       k + 1 < __TMNET_REASON_MAX ? ", " : "");
			printf("}, \"fuse\": \"%s\", \"blend\": %llu, \"mean_w\": %s, \"published_as\": {\"prior\": %s, \"net\": %s, \"blend\": %s}, \"monitor\": {\"stored\": %llu, \"resolved\": %llu, \"dropped\": %llu}},\n",
			       r->m->ext.fuse_kind == TMNET_FUSE_MONITOR ? "monitor" : "gate",
			       (unsigned long long)c->blend,
			       jnum(c->blend ? (double)c->blend_w_sum_q16 / 65536.0 / (double)c->blend : NAN),
			       jnum(r->scored ? (double)r->pub_as[0] / (double)r->scored : NAN),
			       jnum(r->scored ? (double)r->pub_as[1] / (double)r->scored : NAN),
			       jnum(r->scored ? (double)r->pub_as[2] / (double)r->scored : NAN),
			       (unsigned long long)c->mon_stored, (unsigned long long)c->mon_resolved,
			       (unsigned long long)c->mon_dropped);
			printf("      \"saturation\": {\"input\": %llu, \"act\": %llu, \"out\": %llu}\n    }%s\n",
			       (unsigned long long)c->sat_input, (unsigned long long)c->sat_act,
			       (unsigned long long)c->sat_out, i + 1 < nm ? "," : "");
			continue;
		}
		printf("%s (%s, system %s, crc32 %08x): %zu scored ticks of %llu\n", r->path,
		       r->m->name, r->m->system == TMNET_SYS_A ? "A" : r->m->system == TMNET_SYS_B ?
		       "B" : "prior", r->m->crc32, r->scored, (unsigned long long)c->ticks);
		printf("  %-30s %12s %9s %9s %9s\n", "predictor", "MSE u^2", "P50", "P90", "P99");
		row("prior alone (core Kalman)", &r->prior);
		printf("  prior: %s", r->m->ext.prior_kind == TMNET_PRIOR_DV ? "damped velocity" :
		       "constant velocity");
		if (r->m->ext.prior_kind == TMNET_PRIOR_DV)
			printf(", tau %.4g s", r->m->ext.tau_q32 / 4294967296.0);
		printf(", hcov_scale %.4g; NEES (2-D) mean %.3g, %.1f %% inside its 99 %% ellipse (9.21), %zu ticks\n",
		       r->m->ext.hcov_scale_q16 / 65536.0,
		       r->nees_n ? r->nees_sum / (double)r->nees_n : NAN,
		       r->nees_n ? 100.0 * (double)r->nees_in99 / (double)r->nees_n : NAN, r->nees_n);
		if (r->m->system == TMNET_SYS_B) {
			row("int8 net, ungated (core)", &r->net);
			row(r->m->ext.fuse_kind == TMNET_FUSE_MONITOR ? "published, monitor (core)" :
			    "published, gated (core)", &r->pub);
		} else {
			row("int8 net = published (core)", &r->pub);
		}
		if (r->has_float) {
			row("float net, streamed", &r->flt);
			printf("  int8 vs float MSE: %+.2f %%\n", i8);
			printf("  float MSE (normalised): zero-state windows %.5f, carried-state chunks (training/val) %.5f, tick-by-tick streaming %.5f\n",
			       r->win_mse, r->chunk_mse, r->stream_mse);
		}
		if (r->m->system == TMNET_SYS_B) {
			printf("  gate: %.2f %% pass of %llu decisions, mean certificate %.4g, fallbacks:",
			       dec ? 100.0 * (double)c->gate_pass / (double)dec : NAN,
			       (unsigned long long)dec, cert);
			for (int k = 1; k < __TMNET_REASON_MAX; k++)
				printf(" %s %llu", reason_names[k], (unsigned long long)c->gate_fail[k]);
			printf("\n");
			if (r->m->ext.fuse_kind == TMNET_FUSE_MONITOR)
				printf("  monitor: %llu blends, mean prior weight w %.4f; %llu predictions resolved, %llu dropped\n",
				       (unsigned long long)c->blend,
				       c->blend ? (double)c->blend_w_sum_q16 / 65536.0 / (double)c->blend : NAN,
				       (unsigned long long)c->mon_resolved, (unsigned long long)c->mon_dropped);
			printf("  published (scored ticks): prior %.2f %%, net %.2f %%, blend %.2f %%\n",
			       r->scored ? 100.0 * (double)r->pub_as[0] / (double)r->scored : NAN,
			       r->scored ? 100.0 * (double)r->pub_as[1] / (double)r->scored : NAN,
			       r->scored ? 100.0 * (double)r->pub_as[2] / (double)r->scored : NAN);
		}
		printf("  saturation: input %llu, activation %llu, output %llu\n",
		       (unsigned long long)c->sat_input, (unsigned long long)c->sat_act,
		       (unsigned long long)c->sat_out);
	}
	if (json)
		printf("  ]%s\n", ib >= 0 ? "," : "");
	if (ib >= 0) {
		double rp = res[ib].pub.p99 / res[ib].prior.p99;
		double ra = ia >= 0 ? res[ib].pub.p99 / res[ia].pub.p99 : NAN;

		if (json) {
			printf("  \"ratios\": {\"b_p99_over_prior_p99\": %s, \"b_p99_over_a_p99\": %s}\n",
			       jnum(rp), jnum(ra));
		} else {
			printf("System B P99 / prior P99: %.3f (target <= 0.70)\n", rp);
			if (ia >= 0)
				printf("System B P99 / System A P99: %.3f (target <= 0.85, aim 0.70)\n", ra);
		}
	}
	if (json)
		printf("}\n");
	rc = 0;
out:
	if (rec)
		fclose(rec);
	if (float_dump)
		fclose(float_dump);
	float_dump = NULL;
	for (int i = 0; i < nm; i++) {
		free(res[i].m);
		free(res[i].tick);
		free(res[i].pub.e);
		free(res[i].net.e);
		free(res[i].prior.e);
		free(res[i].flt.e);
	}
	return rc;
}
