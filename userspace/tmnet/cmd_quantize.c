// SPDX-License-Identifier: GPL-2.0
/* tmnet quantize: checkpoint + training data -> INT8 .tmn blob */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"
#include "tmn_dataset.h"
#include "tmnet.h"

static const char usage[] =
	"usage: tmnet quantize --model MODEL.ckpt --data FILE.csv -o MODEL.tmn [options]\n"
	"  Calibration on the training part of FILE.csv (the data the checkpoint was\n"
	"  trained on): int8 weights with per-row scales (tmq_quantize), input range\n"
	"  from the checkpoint's calibrated in_frac and per-feature scales, the\n"
	"  Kalman prior fitted at training time, and (System B) the gate's\n"
	"  cov_scale fitted so that --gate-pass of the float network's training\n"
	"  corrections pass the chi2 test; everything goes into the blob.\n"
	"  -m, --model FILE      checkpoint from tmnet train\n"
	"  -d, --data FILE       the training CSV\n"
	"  -o, --out FILE        .tmn blob\n"
	"      --name NAME       model name (default: from the output file)\n"
	"      --gate-pass Q     target pass rate on training corrections (default 0.98)\n"
	"      --chi2 X          gate threshold (default 9.21 = chi2(2) 99 %)\n"
	"      --eps X           gate certificate target (default 0.02)\n"
	"      --calib-ticks N   training ticks used for the gate fit (default 300000)\n"
	"  -h, --help\n";

struct corr {
	double r[2];
	double p[3];
};

/* fraction of corrections with r' (c P + f I)^-1 r <= chi2 */
static double pass_rate(const struct corr *cv, size_t n, double c, double f, double chi2)
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

int cmd_quantize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "data", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 1 },
		{ "gate-pass", required_argument, NULL, 2 },
		{ "chi2", required_argument, NULL, 3 },
		{ "eps", required_argument, NULL, 4 },
		{ "calib-ticks", required_argument, NULL, 5 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = NULL, *data = NULL, *out = NULL;
	char name[TMNET_NAME_LEN], err[512];
	double gate_pass = 0.98, chi2 = 9.21, eps = 0.02;
	long calib = 300000;
	struct tmn_model_f mf;
	struct tmn_dataset ds;
	struct tmq_params p;
	struct tmq_gru qg;
	struct tm_model *m;
	int o, rc = 1;

	name[0] = 0;
	while ((o = getopt_long(argc, argv, "m:d:o:h", opts, NULL)) != -1) {
		switch (o) {
		case 'm':
			model = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 1:
			if (strlen(optarg) >= sizeof(name)) {
				fprintf(stderr, "tmnet quantize: --name: at most %zu characters\n",
					sizeof(name) - 1);
				return 2;
			}
			snprintf(name, sizeof(name), "%s", optarg);
			break;
		case 2:
			if (parse_dbl(optarg, "--gate-pass", 0.5, 1.0, &gate_pass))
				return 2;
			break;
		case 3:
			if (parse_dbl(optarg, "--chi2", 0.01, 1000, &chi2))
				return 2;
			break;
		case 4:
			if (parse_dbl(optarg, "--eps", 1e-4, 1, &eps))
				return 2;
			break;
		case 5:
			if (parse_int(optarg, "--calib-ticks", 1000, 100000000, &calib))
				return 2;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage(usage);
		}
	}
	if (!model || !data || !out || optind != argc)
		die_usage(usage);
	if (!name[0]) {
		const char *b = strrchr(out, '/');
		size_t l;

		b = b ? b + 1 : out;
		l = strcspn(b, ".");
		if (l >= sizeof(name))
			l = sizeof(name) - 1;
		memcpy(name, b, l);
		name[l] = 0;
	}
	if (tmn_ckpt_load(model, &mf, err, sizeof(err))) {
		fprintf(stderr, "tmnet quantize: %s\n", err);
		return 1;
	}
	if (mf.h.norm.extra != TMN_EXTRA_NONE) {
		fprintf(stderr, "tmnet quantize: %s was trained with --b-extra: the core's System B "
			"takes %d inputs, so it can only be evaluated in float (tmnet eval --float)\n",
			model, TMNET_FEATURES_B);
		tmn_model_f_free(&mf);
		return 1;
	}
	if (tmn_dataset_load(&ds, data, (int)mf.h.system, &mf.h, 0, err, sizeof(err))) {
		fprintf(stderr, "tmnet quantize: %s\n", err);
		tmn_model_f_free(&mf);
		return 1;
	}
	if (ds.d.n != mf.h.data_n)
		fprintf(stderr, "tmnet quantize: warning: %s has %zu samples, the checkpoint was trained on %llu\n",
			data, ds.d.n, (unsigned long long)mf.h.data_n);

	tmq_params_default(&p);
	p.system = (int)mf.h.system;
	p.rate_hz = (int)mf.h.rate_hz;
	p.window_ticks = (int)mf.h.window;
	p.horizon_ticks = (int)mf.h.horizon;
	p.name = name;
	for (int k = 0; k < (int)mf.h.F; k++) {
		p.mean[k] = mf.h.norm.mean[k];
		p.std[k] = mf.h.norm.std[k];
	}
	p.out_scale[0] = p.out_scale[1] = mf.h.norm.out_scale;
	p.in_frac = mf.h.norm.in_frac;
	tmn_kalman_to_params(&mf.h.kalman, &p);
	p.eps = eps;
	p.chi2 = chi2;
	p.floor_xx = p.floor_yy = mf.h.kalman.r;
	p.floor_xy = 0;
	p.cov_scale = 1.0;

	if (mf.h.system == TMNET_SYS_B) {
		/* stream the float network over the training part: its corrections */
		const struct tmn_track *tr = &ds.tr[0];
		size_t n = tr->n < (size_t)calib ? tr->n : (size_t)calib, nc = 0;
		struct corr *cv = malloc(n * sizeof(*cv));
		double h[TMNET_MAX_HIDDEN] = { 0 }, lo = 1.0 / 65536, hi = 1000, c;
		float x[TMNET_MAX_FEATURES];

		if (!cv) {
			fprintf(stderr, "tmnet quantize: out of memory\n");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			double y[2];

			tmn_norm_apply(&mf.h.norm, tr->feat + i * TMN_FEAT_N, x);
			tmn_gru_step1(&mf.g, h, x, y);
			if (i < (size_t)mf.h.window || !tr->ok[i])
				continue;
			cv[nc].r[0] = y[0] * mf.h.norm.out_scale;
			cv[nc].r[1] = y[1] * mf.h.norm.out_scale;
			cv[nc].p[0] = tr->pcov[3 * i];
			cv[nc].p[1] = tr->pcov[3 * i + 1];
			cv[nc].p[2] = tr->pcov[3 * i + 2];
			nc++;
		}
		/* smallest cov_scale with the target pass rate (monotone in c) */
		if (pass_rate(cv, nc, hi, p.floor_xx, chi2) < gate_pass) {
			c = hi;
		} else if (pass_rate(cv, nc, lo, p.floor_xx, chi2) >= gate_pass) {
			c = lo;
		} else {
			for (int it = 0; it < 60; it++) {
				double mid = sqrt(lo * hi);

				if (pass_rate(cv, nc, mid, p.floor_xx, chi2) >= gate_pass)
					hi = mid;
				else
					lo = mid;
			}
			c = hi;
		}
		p.cov_scale = c;
		fprintf(stderr, "gate: cov_scale %.4g, floor %.3g units^2: %.2f %% of %zu training corrections pass chi2 %.2f\n",
			c, p.floor_xx, 100 * pass_rate(cv, nc, c, p.floor_xx, chi2), nc, chi2);
		free(cv);
	}
	tmn_gru_to_quant(&mf.g, &qg);
	m = malloc(sizeof(*m));
	if (!m) {
		fprintf(stderr, "tmnet quantize: out of memory\n");
		goto out;
	}
	if (tmq_quantize(m, &qg, &p, err, sizeof(err)) ||
	    tmq_write_blob_file(out, m, err, sizeof(err))) {
		fprintf(stderr, "tmnet quantize: %s\n", err);
		free(m);
		goto out;
	}
	printf("%s: system %s, F=%u H=%u, %u bytes, crc32 %08x, in_frac %u, out_scale %.3f, qa %.4g r %.4g, cov_scale %.4g\n",
	       out, m->system == TMNET_SYS_A ? "A" : "B", m->n_feat, m->hidden,
	       tm_blob_size(m->system, m->n_feat, m->hidden), m->crc32, m->norm.in_frac,
	       m->norm.out_scale[0] / 65536.0, mf.h.kalman.qa, mf.h.kalman.r, p.cov_scale);
	free(m);
	rc = 0;
out:
	tmn_dataset_free(&ds);
	tmn_model_f_free(&mf);
	return rc;
}
