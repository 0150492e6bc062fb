// SPDX-License-Identifier: GPL-2.0
/* tmnet quantize: checkpoint + training data -> INT8 .tmn blob */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"
#include "tmn_train.h"
#include "tmnet.h"

static const char usage[] =
	"usage: tmnet quantize --model MODEL.ckpt --data FILE.csv -o MODEL.tmn [options]\n"
	"  Calibration on the training part of FILE.csv (the data the checkpoint was\n"
	"  trained on): int8 weights with per-row scales (tmq_quantize), input range\n"
	"  from the checkpoint's calibrated in_frac and per-feature scales, the\n"
	"  Kalman prior fitted at training time, and (System B) the gate's\n"
	"  cov_scale fitted so that --gate-pass of the float network's training\n"
	"  corrections pass the chi2 test; everything goes into the blob.  One\n"
	"  'gate fit:' line reports the pass fraction on the training corrections\n"
	"  and on the VALIDATION part, and whether cov_scale hit a bound of the\n"
	"  blob's range (1/65536 .. 1000).  Horizon and window come from the\n"
	"  checkpoint; segments are honoured as in training.\n"
	"  -m, --model FILE      checkpoint from tmnet train\n"
	"  -d, --data FILE       the training CSV\n"
	"  -o, --out FILE        .tmn blob\n"
	"      --name NAME       model name (default: from the output file)\n"
	"      --fuse KIND       System B: gate (publish the network if the chi2 test\n"
	"                        passes, else the prior) or monitor (default: the chi2\n"
	"                        test catches impossible corrections, then the prior and\n"
	"                        the network are blended by the weight w of minimum\n"
	"                        variance from their resolved errors; its initial\n"
	"                        moments come from the float network's VALIDATION errors)\n"
	"      --mon-shift N     monitor EWMA weight 2^-N per resolved prediction\n"
	"                        (default 10: about 8 s at stride 16 and 2 kHz)\n"
	"      --mon-stride N    ticks between monitored predictions (default: the\n"
	"                        smallest the ring allows, ceil(horizon / 63))\n"
	"      --gate-pass Q     target pass rate on training corrections (default 0.98\n"
	"                        for --fuse gate, 1 for monitor: every one passes)\n"
	"      --gate-margin X   monitor: cov_scale times X (default 4); where that\n"
	"                        passes the blob's cap 1000, chi2 is raised instead\n"
	"      --chi2 X          gate threshold (default 9.21 = chi2(2) 99 %)\n"
	"      --eps X           gate certificate target (default 0.02)\n"
	"      --calib-ticks N   training ticks used for the gate fit, and validation\n"
	"                        ticks for its check (default 300000 each)\n"
	"  -j, --json            print the result (blob, gate fit) as JSON\n"
	"  -h, --help\n";

/*
 * The float network's corrections over up to max ticks of [lo, hi), with
 * the core prior's horizon covariance.  The hidden state is reset where a
 * segment starts, as the core resets it; the part's first window is
 * warm-up, and ticks without a target are left out.
 */
static int collect(const struct tmn_series *d, size_t lo, size_t hi, size_t max,
		   const struct tm_model *pm, const struct tmn_model_f *mf, struct tmq_corr **out,
		   size_t *nout)
{
	size_t n = hi - lo < max ? hi - lo : max, nc = 0, i;
	struct tmq_corr *cv = malloc((n ? n : 1) * sizeof(*cv));
	double h[TMNET_MAX_HIDDEN] = { 0 };
	float x[TMNET_MAX_FEATURES];
	struct tmn_cursor cur;
	struct tmn_tick t;

	*out = NULL;
	*nout = 0;
	/* over the whole part (targets near lo + n are inside it), n ticks */
	if (!cv || tmn_cursor_init(&cur, d, lo, hi, pm, mf->h.norm.extra)) {
		free(cv);
		return -1;
	}
	for (i = 0; i < n && tmn_cursor_next(&cur, &t); i++) {
		double y[2];

		if (t.seg)
			memset(h, 0, sizeof(h));
		tmn_norm_apply(&mf->h.norm, t.feat, x);
		tmn_gru_step1(&mf->g, h, x, y);
		if (i < (size_t)mf->h.window || !t.ok)
			continue;
		cv[nc].r[0] = y[0] * mf->h.norm.out_scale;
		cv[nc].r[1] = y[1] * mf->h.norm.out_scale;
		memcpy(cv[nc].p, t.pcov, sizeof(t.pcov));
		cv[nc].ep[0] = t.prior[0] - t.tgt[0];
		cv[nc].ep[1] = t.prior[1] - t.tgt[1];
		nc++;
	}
	tmn_cursor_free(&cur);
	*out = cv;
	*nout = nc;
	return 0;
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
		{ "fuse", required_argument, NULL, 6 },
		{ "mon-shift", required_argument, NULL, 7 },
		{ "mon-stride", required_argument, NULL, 8 },
		{ "gate-margin", required_argument, NULL, 9 },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = NULL, *data = NULL, *out = NULL;
	char name[TMNET_NAME_LEN], err[512];
	/*
	 * Monitor defaults, measured (docs/architecture.md, the gate and the
	 * monitor): shift 10 beat 4, 6, 8 and 12 on the per-kind and the
	 * suite's tracks; a margin of 4 stops the chi2 fallbacks that held-out
	 * pointing data drew with a margin of 1.
	 */
	double gate_pass = -1, chi2 = 9.21, eps = 0.02, gate_margin = 4;
	long calib = 300000, mon_shift = 10, mon_stride = 0;
	int fuse = TMNET_FUSE_MONITOR;
	struct tmq_mon_fit mfit[2];
	struct tmn_model_f mf;
	struct tmn_series d;
	struct tmn_split sp;
	struct tmq_params p;
	struct tm_model *pm = NULL;
	struct tmq_corr *cv[2] = { NULL, NULL };
	size_t nc[2] = { 0, 0 };
	double pass[2] = { NAN, NAN };
	int json = 0, cap = 0;
	struct tmq_gru qg;
	struct tm_model *m;
	int o, rc = 1;

	name[0] = 0;
	while ((o = getopt_long(argc, argv, "m:d:o:jh", opts, NULL)) != -1) {
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
		case 6:
			if (!strcmp(optarg, "gate")) {
				fuse = TMNET_FUSE_GATE;
			} else if (!strcmp(optarg, "monitor")) {
				fuse = TMNET_FUSE_MONITOR;
			} else {
				fprintf(stderr, "tmnet quantize: --fuse: want gate or monitor\n");
				return 2;
			}
			break;
		case 7:
			if (parse_int(optarg, "--mon-shift", 1, TMNET_MON_SHIFT_MAX, &mon_shift))
				return 2;
			break;
		case 8:
			if (parse_int(optarg, "--mon-stride", 1, TMNET_MAX_HORIZON_TICKS, &mon_stride))
				return 2;
			break;
		case 9:
			if (parse_dbl(optarg, "--gate-margin", 1, 1e6, &gate_margin))
				return 2;
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
	if (!model || !data || !out || optind != argc)
		die_usage(usage);
	if (gate_pass < 0)
		gate_pass = fuse == TMNET_FUSE_MONITOR ? 1.0 : 0.98;
	memset(mfit, 0, sizeof(mfit));
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
	if (tmn_csv_read(data, &d, err, sizeof(err))) {
		fprintf(stderr, "tmnet quantize: %s\n", err);
		tmn_model_f_free(&mf);
		return 1;
	}
	memset(&sp, 0, sizeof(sp));
	if (d.n != mf.h.data_n)
		fprintf(stderr, "tmnet quantize: warning: %s has %zu samples, the checkpoint was trained on %llu\n",
			data, d.n, (unsigned long long)mf.h.data_n);
	if ((unsigned)d.rate_hz != mf.h.rate_hz) {
		fprintf(stderr, "tmnet quantize: %s is %d Hz data, the checkpoint was trained at %u Hz\n",
			data, d.rate_hz, mf.h.rate_hz);
		goto out;
	}
	if (tmn_split_make_seg(&d, mf.h.window, mf.h.horizon, &sp)) {
		fprintf(stderr, "tmnet quantize: %s: %zu samples is too short for the split\n", data, d.n);
		goto out;
	}
	pm = malloc(sizeof(*pm));
	if (!pm || tmn_prior_model(&mf.h.kalman, d.rate_hz, (int)mf.h.horizon, pm, err, sizeof(err))) {
		fprintf(stderr, "tmnet quantize: prior model: %s\n", pm ? err : "out of memory");
		goto out;
	}

	tmq_params_default(&p);
	p.system = (int)mf.h.system;
	p.rate_hz = (int)mf.h.rate_hz;
	p.window_ticks = (int)mf.h.window;
	p.horizon_ticks = (int)mf.h.horizon;
	p.name = name;
	tmn_units_to_blob(&d.units, &p.units);	/* the data's recording units */
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
		double c;

		/* stream the float network over the training and validation parts */
		for (int part = 0; part < 2; part++) {
			if (collect(&d, sp.lo[part], sp.hi[part], (size_t)calib, pm, &mf, &cv[part],
				    &nc[part])) {
				fprintf(stderr, "tmnet quantize: out of memory\n");
				goto out;
			}
		}
		if (fuse == TMNET_FUSE_MONITOR) {
			int smin = tmq_mon_stride_min(p.horizon_ticks);

			if (!mon_stride)
				mon_stride = smin;
			if (mon_stride < smin) {
				fprintf(stderr, "tmnet quantize: --mon-stride %ld: a horizon of %d ticks "
					"needs at least %d (%d slots)\n", mon_stride, p.horizon_ticks,
					smin, TMNET_MON_SLOTS);
				goto out;
			}
			for (int part = 0; part < 2; part++) {
				for (size_t i = 0; i < nc[part]; i++) {
					double en[2] = { cv[part][i].ep[0] + cv[part][i].r[0],
							 cv[part][i].ep[1] + cv[part][i].r[1] };

					tmq_mon_add(&mfit[part], cv[part][i].ep, en);
				}
				tmq_mon_finish(&mfit[part]);
			}
			p.fuse_kind = TMNET_FUSE_MONITOR;
			p.mon_shift = (int)mon_shift;
			p.mon_stride = (int)mon_stride;
			/* the validation moments: errors of a network on data it was not fitted to */
			p.mon_init[0] = mfit[1].n ? mfit[1].pp : mfit[0].pp;
			p.mon_init[1] = mfit[1].n ? mfit[1].nn : mfit[0].nn;
			p.mon_init[2] = mfit[1].n ? mfit[1].pn : mfit[0].pn;
			printf("monitor fit: shift %ld (EWMA over ~%ld resolved predictions, %.3g s), stride %ld ticks; "
			       "float net vs prior MSE (units^2): training %.4g vs %.4g, w %.3f; VALIDATION %.4g vs %.4g, w %.3f (initial)\n",
			       mon_shift, 1L << mon_shift, (double)(mon_stride << mon_shift) / p.rate_hz,
			       mon_stride, mfit[0].nn, mfit[0].pp, mfit[0].w, mfit[1].nn, mfit[1].pp, mfit[1].w);
		}
		cap = tmq_gate_fit(cv[0], nc[0], p.floor_xx, chi2, gate_pass, &c);
		if (fuse == TMNET_FUSE_MONITOR) {
			/*
			 * The monitor weighs the network; the chi2 test only has to
			 * reject a correction unlike any the network made in training:
			 * cov_scale times the margin, and where that passes the blob's
			 * cap 1000, chi2 raised instead (at most 1000).
			 */
			double want = c * gate_margin;

			if (cap > 0 || want > TMQ_COV_SCALE_MAX) {
				double d2 = tmq_d2_max(cv[0], nc[0], TMQ_COV_SCALE_MAX, p.floor_xx);
				double need = (cap > 0 ? d2 : chi2) * want / TMQ_COV_SCALE_MAX;

				chi2 = need > chi2 ? need : chi2;
				if (chi2 > 1000) {
					chi2 = 1000;
					cap = 1;
				} else {
					cap = 0;
				}
				p.chi2 = chi2;
				c = TMQ_COV_SCALE_MAX;
			} else {
				c = want;
			}
		}
		p.cov_scale = c;
		pass[0] = tmq_pass_rate(cv[0], nc[0], c, p.floor_xx, chi2);
		pass[1] = nc[1] ? tmq_pass_rate(cv[1], nc[1], c, p.floor_xx, chi2) : NAN;
		printf("gate fit: cov_scale %.4g%s, floor %.3g units^2, chi2 %.2f: %.2f %% of %zu training corrections pass (target %.2f %%), %.2f %% of %zu VALIDATION corrections\n",
		       c, cap > 0 ? " (AT ITS CAP 1000, the blob's limit: the target pass rate is NOT reached)" :
		       cap < 0 ? " (at its lower bound 1/65536: even that passes more than the target)" : "",
		       p.floor_xx, chi2, 100 * pass[0], nc[0], 100 * gate_pass, 100 * pass[1], nc[1]);
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
	printf("%s: system %s, F=%u H=%u, %u bytes, crc32 %08x, in_frac %u, out_scale %.3f, qa %.4g r %.4g, cov_scale %.4g, horizon %u ticks (%.1f ms), window %u ticks\n",
	       out, m->system == TMNET_SYS_A ? "A" : "B", m->n_feat, m->hidden,
	       tm_model_blob_size(m), m->crc32, m->norm.in_frac,
	       m->norm.out_scale[0] / 65536.0, mf.h.kalman.qa, mf.h.kalman.r, p.cov_scale,
	       m->horizon_ticks, 1e3 * m->horizon_ticks / m->rate_hz, m->window_ticks);
	if (json) {
		printf("{\"blob\": \"%s\", \"system\": \"%s\", \"bytes\": %u, \"crc32\": \"%08x\", \"rate_hz\": %u, \"horizon_ticks\": %u, \"window_ticks\": %u",
		       out, m->system == TMNET_SYS_A ? "A" : "B",
		       tm_model_blob_size(m), m->crc32, m->rate_hz,
		       m->horizon_ticks, m->window_ticks);
		if (m->system == TMNET_SYS_B)
			printf(", \"gate\": {\"cov_scale\": %.6g, \"cap\": \"%s\", \"floor\": %.6g, \"chi2\": %.4g, \"target_pass\": %.4g, \"pass_train\": %.6g, \"n_train\": %zu, \"pass_val\": %.6g, \"n_val\": %zu}",
			       p.cov_scale, cap > 0 ? "upper" : cap < 0 ? "lower" : "none", p.floor_xx,
			       chi2, gate_pass, pass[0], nc[0], nc[1] ? pass[1] : -1.0, nc[1]);
		if (m->system == TMNET_SYS_B)
			printf(", \"fuse\": \"%s\"", fuse == TMNET_FUSE_MONITOR ? "monitor" : "gate");
		if (m->system == TMNET_SYS_B && fuse == TMNET_FUSE_MONITOR)
			printf(", \"monitor\": {\"shift\": %ld, \"stride\": %ld, \"train\": {\"pp\": %.6g, \"nn\": %.6g, \"pn\": %.6g, \"w\": %.6g, \"n\": %zu}, \"val\": {\"pp\": %.6g, \"nn\": %.6g, \"pn\": %.6g, \"w\": %.6g, \"n\": %zu}}",
			       mon_shift, mon_stride, mfit[0].pp, mfit[0].nn, mfit[0].pn, mfit[0].w, mfit[0].n,
			       mfit[1].pp, mfit[1].nn, mfit[1].pn, mfit[1].w, mfit[1].n);
		printf("}\n");
	}
	free(m);
	rc = 0;
out:
	free(cv[0]);
	free(cv[1]);
	free(pm);
	tmn_series_free(&d);
	tmn_model_f_free(&mf);
	return rc;
}
