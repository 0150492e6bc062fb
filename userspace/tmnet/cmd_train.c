// SPDX-License-Identifier: GPL-2.0
/* tmnet train: fit the Kalman prior, normalise, train the float GRU */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_train.h"
#include "tmnet.h"

static const char usage[] =
	"usage: tmnet train --data FILE.csv --system A|B -o MODEL.ckpt [options]\n"
	"  Temporal 70/15/15 split (gap >= horizon), Kalman prior fitted on the\n"
	"  training part and run by the core, z-score normalisation from the\n"
	"  training part, float GRU (hidden 32) trained with truncated BPTT over\n"
	"  windows of --window-ms (64 burn-in ticks), Adam, MSE + smoothness penalty\n"
	"  on the change of prediction between ticks, gradient clipping, early\n"
	"  stopping on val, a checkpoint every epoch.  Segments (TMNET_SAMPLE_SEG_START)\n"
	"  are honoured: no window, target or filter state crosses one.\n"
	"  Prints one 'kalman fit:' line saying what the prior's fit did: qa for\n"
	"  the constant-velocity (CV) horizon, qa and tau for the damped-velocity\n"
	"  (DV) one, the kind kept (--prior), and the NEES of its horizon\n"
	"  covariance on the VALIDATION part before and after the calibration\n"
	"  hcov_scale that makes its mean 2.\n"
	"  -d, --data FILE       canonical CSV (tmnet data gen/import)\n"
	"  -S, --system A|B      A: horizon position; B: residual over the prior\n"
	"  -o, --out FILE        checkpoint (best-on-val network + everything to resume)\n"
	"      --horizon-ms MS   prediction horizon (default 500; the blob carries it)\n"
	"      --window-ms MS    training window, the BPTT length (default 128);\n"
	"                        --burn and --stride default to 1/4 and 1/2 of it\n"
	"      --max-ticks N     training ticks held in memory (default 4000000;\n"
	"                        validation: N/4); a longer part is sampled in\n"
	"                        evenly spaced blocks of 32 windows\n"
	"      --json            print the result (fit, horizon, best val) as JSON\n"
	"  -e, --epochs N        (default 15)\n"
	"  -b, --batch N         windows per batch (default 256)\n"
	"      --hidden N        GRU width (default 32)\n"
	"      --lr X            Adam learning rate (default 1e-3)\n"
	"      --clip X          gradient-norm clip (default 1.0)\n"
	"      --smooth X        smoothness penalty weight (default 0.1)\n"
	"      --huber D         pseudo-Huber data loss of scale D (normalised\n"
	"                        output units) instead of MSE: quadratic below D,\n"
	"                        linear above, so the network leans to the\n"
	"                        conditional median (default 0 = MSE)\n"
	"      --b-extra vel|resid  System B only, an experiment: two more inputs\n"
	"                        that the core does not compute, the filter's\n"
	"                        velocity or its measured-minus-filtered position;\n"
	"                        such a checkpoint can be evaluated in float\n"
	"                        (tmnet eval --float) but not quantised\n"
	"      --head-gain X     fixed multiplier on the linear head (default 8)\n"
	"      --kalman-qa X     force the prior's qa (units^2/s^3) instead of the\n"
	"                        search that minimises the prior's horizon MSE\n"
	"      --prior cv|dv|auto  the prior's horizon model: constant velocity,\n"
	"                        damped velocity (Ornstein-Uhlenbeck velocity with\n"
	"                        a time constant tau fitted on training), or the\n"
	"                        one with the lower horizon MSE on validation\n"
	"                        (default auto)\n"
	"      --burn N          burn-in ticks per window (default 64 = window / 4)\n"
	"      --stride N        window pool stride (default 128 = window / 2)\n"
	"      --patience N      early-stopping patience in epochs (default 5)\n"
	"      --seed N          first seed (default 1)\n"
	"      --seeds N         train N seeds, report mean +- sd, keep the best on val\n"
	"      --budget N        windows per epoch (default: the whole pool)\n"
	"      --active          kNN (k=15) + personalised PageRank (forward push,\n"
	"                        eps 0.03) guided selection of the budget\n"
	"  -j, --threads N       worker threads (default 2)\n"
	"      --resume          continue from the checkpoint in --out\n"
	"  -q, --quiet\n"
	"  -h, --help\n";

int cmd_train(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "system", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "batch", required_argument, NULL, 'b' },
		{ "hidden", required_argument, NULL, 1 },
		{ "lr", required_argument, NULL, 2 },
		{ "clip", required_argument, NULL, 3 },
		{ "smooth", required_argument, NULL, 4 },
		{ "burn", required_argument, NULL, 5 },
		{ "stride", required_argument, NULL, 6 },
		{ "patience", required_argument, NULL, 7 },
		{ "seed", required_argument, NULL, 8 },
		{ "seeds", required_argument, NULL, 9 },
		{ "budget", required_argument, NULL, 10 },
		{ "active", no_argument, NULL, 11 },
		{ "threads", required_argument, NULL, 'j' },
		{ "resume", no_argument, NULL, 12 },
		{ "head-gain", required_argument, NULL, 13 },
		{ "kalman-qa", required_argument, NULL, 14 },
		{ "huber", required_argument, NULL, 15 },
		{ "b-extra", required_argument, NULL, 16 },
		{ "horizon-ms", required_argument, NULL, 17 },
		{ "window-ms", required_argument, NULL, 18 },
		{ "max-ticks", required_argument, NULL, 19 },
		{ "json", no_argument, NULL, 20 },
		{ "prior", required_argument, NULL, 21 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tmn_train_cfg c;
	struct tmn_trainset_cfg tc;
	struct tmn_trainset ds;
	struct tmn_ckpt_hdr hdr;
	double horizon_ms = 500, window_ms = 128;
	int burn_set = 0, stride_set = 0, json = 0;
	long max_ticks = TMN_MAX_TRAIN_TICKS_DEFAULT;
	char fitline[2048] = "";
	const char *data = NULL, *out = NULL;
	char err[512];
	long l, nseeds = 1;
	int o, best_seed = -1, extra = TMN_EXTRA_NONE, prior_mode = TMN_PRIOR_AUTO;
	double vals[64], best = INFINITY, secs = 0, qa = 0;

	tmn_train_default(&c);
	c.system = -1;
	while ((o = getopt_long(argc, argv, "d:S:o:e:b:j:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			data = optarg;
			break;
		case 'S':
			if (!strcmp(optarg, "A") || !strcmp(optarg, "a"))
				c.system = TMNET_SYS_A;
			else if (!strcmp(optarg, "B") || !strcmp(optarg, "b"))
				c.system = TMNET_SYS_B;
			else {
				fprintf(stderr, "tmnet train: --system: want A or B\n");
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			if (parse_int(optarg, "--epochs", 1, 64, &l))
				return 2;
			c.epochs = (int)l;
			break;
		case 'b':
			if (parse_int(optarg, "--batch", 1, 4096, &l))
				return 2;
			c.batch = (int)l;
			break;
		case 1:
			if (parse_int(optarg, "--hidden", 1, TMNET_MAX_HIDDEN, &l))
				return 2;
			c.hidden = (int)l;
			break;
		case 2:
			if (parse_dbl(optarg, "--lr", 1e-7, 1, &c.lr))
				return 2;
			break;
		case 3:
			if (parse_dbl(optarg, "--clip", 0, 1e6, &c.clip))
				return 2;
			break;
		case 4:
			if (parse_dbl(optarg, "--smooth", 0, 1e6, &c.smooth))
				return 2;
			break;
		case 5:
			if (parse_int(optarg, "--burn", 0, 100000, &l))
				return 2;
			c.burn = (int)l;
			burn_set = 1;
			break;
		case 6:
			if (parse_int(optarg, "--stride", 1, 100000, &l))
				return 2;
			c.stride = (int)l;
			stride_set = 1;
			break;
		case 7:
			if (parse_int(optarg, "--patience", 0, 1000, &l))
				return 2;
			c.patience = (int)l;
			break;
		case 8:
			if (parse_int(optarg, "--seed", 0, 1L << 40, &l))
				return 2;
			c.seed = (uint64_t)l;
			break;
		case 9:
			if (parse_int(optarg, "--seeds", 1, 64, &nseeds))
				return 2;
			break;
		case 10:
			if (parse_int(optarg, "--budget", 1, 1L << 40, &l))
				return 2;
			c.budget = (size_t)l;
			break;
		case 11:
			c.active = 1;
			break;
		case 'j':
			if (parse_int(optarg, "--threads", 1, 8, &l))
				return 2;
			c.threads = (int)l;
			break;
		case 12:
			c.resume = 1;
			break;
		case 13:
			if (parse_dbl(optarg, "--head-gain", 0.01, 1000, &c.head_gain))
				return 2;
			break;
		case 14:
			if (parse_dbl(optarg, "--kalman-qa", 1e-3, 1e6, &qa))
				return 2;
			break;
		case 15:
			if (parse_dbl(optarg, "--huber", 0, 1e6, &c.huber))
				return 2;
			break;
		case 16:
			if (!strcmp(optarg, "vel")) {
				extra = TMN_EXTRA_VEL;
			} else if (!strcmp(optarg, "resid")) {
				extra = TMN_EXTRA_RESID;
			} else {
				fprintf(stderr, "tmnet train: --b-extra: want vel or resid\n");
				return 2;
			}
			break;
		case 17:
			if (parse_dbl(optarg, "--horizon-ms", 0.1, 600000, &horizon_ms))
				return 2;
			break;
		case 18:
			if (parse_dbl(optarg, "--window-ms", 0.5, 60000, &window_ms))
				return 2;
			break;
		case 19:
			if (parse_int(optarg, "--max-ticks", 10000, 1L << 40, &max_ticks))
				return 2;
			break;
		case 20:
			json = 1;
			break;
		case 21:
			prior_mode = tmn_prior_mode_parse(optarg);
			if (prior_mode < 0) {
				fprintf(stderr, "tmnet train: --prior: want cv, dv or auto\n");
				return 2;
			}
			break;
		case 'q':
			c.quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage(usage);
		}
	}
	if (!data || !out || c.system < 0 || optind != argc)
		die_usage(usage);
	if (c.active && !c.budget) {
		fprintf(stderr, "tmnet train: --active needs --budget (windows per epoch)\n");
		return 2;
	}
	if (extra != TMN_EXTRA_NONE && c.system != TMNET_SYS_B) {
		fprintf(stderr, "tmnet train: --b-extra is for System B only\n");
		return 2;
	}
	tmn_trainset_default(&tc);
	tc.system = c.system;
	tc.qa = qa;
	tc.prior_mode = prior_mode;
	tc.extra = extra;
	tc.verbose = !c.quiet;
	tc.max_ticks[0] = (size_t)max_ticks;
	tc.max_ticks[1] = (size_t)max_ticks / 4;
	tc.horizon_ms = horizon_ms;
	tc.window_ms = window_ms;
	if (tmn_trainset_load(&ds, data, &tc, err, sizeof(err))) {
		fprintf(stderr, "tmnet train: %s\n", err);
		return 1;
	}
	c.window = ds.window;
	if (!burn_set)
		c.burn = c.window / 4;
	if (!stride_set)
		c.stride = c.window / 2 > 0 ? c.window / 2 : 1;
	if (c.burn >= c.window) {
		fprintf(stderr, "tmnet train: --burn must be below the window (%d ticks)\n", c.window);
		tmn_trainset_free(&ds);
		return 2;
	}
	if (ds.fitted) {
		tmn_fit_report_line(&ds.kalman, &ds.fit, fitline, sizeof(fitline));
		if (qa > 0)
			snprintf(fitline + strlen(fitline), sizeof(fitline) - strlen(fitline),
				 "; qa forced to %.4g by --kalman-qa", qa);
		printf("%s\n", fitline);
	}
	/* the inputs are built: the series is no longer needed */
	tmn_trainset_hdr(&ds, &hdr);
	tmn_series_free(&ds.d);
	ds.d.rate_hz = (int)hdr.rate_hz;
	ds.d.n = hdr.data_n;
	for (long s = 0; s < nseeds; s++) {
		struct tmn_train_cfg cs = c;
		struct tmn_train_result res;
		struct tmn_gru g;
		char path[4096];

		cs.seed = c.seed + (uint64_t)s;
		if (nseeds > 1)
			snprintf(path, sizeof(path), "%s.seed%llu", out, (unsigned long long)cs.seed);
		else
			snprintf(path, sizeof(path), "%s", out);
		cs.ckpt = path;
		tmn_trainset_hdr(&ds, &hdr);
		if (tmn_train_run(&cs, &hdr, &ds.xy[0], &ds.xy[1], &g, &res, err, sizeof(err))) {
			fprintf(stderr, "tmnet train: %s\n", err);
			tmn_trainset_free(&ds);
			return 1;
		}
		tmn_gru_free(&g);
		vals[s] = res.best_val;
		secs += res.seconds;
		printf("seed %llu: best val MSE %.5f (normalised) at epoch %d of %d, %.1f s%s\n",
		       (unsigned long long)cs.seed, res.best_val, res.best_epoch, res.epochs_run,
		       res.seconds, c.active ? "" : "");
		if (c.active)
			printf("seed %llu: active selection overhead %.2f s\n",
			       (unsigned long long)cs.seed, res.sel_seconds);
		if (res.best_val < best) {
			best = res.best_val;
			best_seed = (int)s;
		}
	}
	if (nseeds > 1) {
		double m = 0, v = 0;
		char src[4096];
		FILE *fi, *fo;
		char buf[65536];
		size_t n;

		for (long s = 0; s < nseeds; s++)
			m += vals[s];
		m /= (double)nseeds;
		for (long s = 0; s < nseeds; s++)
			v += (vals[s] - m) * (vals[s] - m);
		v = sqrt(v / (double)(nseeds - 1));
		printf("val MSE over %ld seeds: %.5f +- %.5f (sd); best seed %llu -> %s\n", nseeds, m,
		       v, (unsigned long long)(c.seed + (uint64_t)best_seed), out);
		snprintf(src, sizeof(src), "%s.seed%llu", out,
			 (unsigned long long)(c.seed + (uint64_t)best_seed));
		fi = fopen(src, "rb");
		fo = fopen(out, "wb");
		if (!fi || !fo) {
			fprintf(stderr, "tmnet train: cannot copy %s to %s\n", src, out);
			if (fi)
				fclose(fi);
			if (fo)
				fclose(fo);
			tmn_trainset_free(&ds);
			return 1;
		}
		while ((n = fread(buf, 1, sizeof(buf), fi)) > 0)
			fwrite(buf, 1, n, fo);
		fclose(fi);
		if (fclose(fo)) {
			fprintf(stderr, "tmnet train: write %s failed\n", out);
			tmn_trainset_free(&ds);
			return 1;
		}
	}
	printf("train: system %s, %ld seed(s), %.1f s wall in total (%d threads); horizon %d ticks (%.1f ms), window %d ticks\n",
	       c.system == TMNET_SYS_A ? "A" : "B", nseeds, secs, c.threads, ds.horizon,
	       1e3 * ds.horizon / hdr.rate_hz, ds.window);
	if (json) {
		const struct tmn_fit_report *f = &ds.fit;

		printf("{\"system\": \"%s\", \"rate_hz\": %u, \"horizon_ticks\": %d, \"horizon_ms\": %.3f, \"window_ticks\": %d, \"segments\": %zu, \"train_ticks\": %zu, \"train_ticks_used\": %zu, \"val_ticks\": %zu, \"val_ticks_used\": %zu, \"best_val_mse\": %.6g, \"best_seed\": %llu, \"seconds\": %.2f",
		       c.system == TMNET_SYS_A ? "A" : "B", hdr.rate_hz, ds.horizon,
		       1e3 * ds.horizon / hdr.rate_hz, ds.window, ds.nsegs, ds.part_ticks[0],
		       ds.xy[0].n, ds.part_ticks[1], ds.xy[1].n, best,
		       (unsigned long long)(c.seed + (uint64_t)best_seed), secs);
		printf(", \"kalman\": {\"qa\": %.6g, \"r\": %.6g, \"p0_vel\": %.6g, \"kind\": \"%s\", \"tau\": %.6g, \"hcov_scale\": %.6g, \"fitted\": %s",
		       ds.kalman.qa, ds.kalman.r, ds.kalman.p0_vel,
		       tmn_prior_kind_name(ds.kalman.kind), ds.kalman.tau,
		       ds.kalman.hcov_scale > 0 ? ds.kalman.hcov_scale : 1.0,
		       ds.fitted ? "true" : "false");
		if (ds.fitted)
			printf(", \"qa_centre\": %.6g, \"qa_lo\": %.6g, \"qa_hi\": %.6g, \"points\": %d, \"rejected\": %d, \"widened\": %d, \"qa_bound\": \"%s\", \"qa_bound_is_core_limit\": %s, \"qa_forced\": %s, \"r_source\": \"%s\", \"r_floor\": %.6g, \"r_at_floor\": %s, \"p0_vel_capped\": %s, \"horizon_rmse\": %.6g, \"fit_ticks\": %zu, \"fit_stretches\": %d",
			       f->qa_centre, f->qa_lo, f->qa_hi, f->points, f->rejected, f->widened,
			       f->qa_bound < 0 ? "lower" : f->qa_bound > 0 ? "upper" : "none",
			       f->qa_core_limit ? "true" : "false", qa > 0 ? "true" : "false",
			       f->r_source == TMN_R_MAD ? "mad" : f->r_source == TMN_R_MEANSQ ? "mean-square" : "floor",
			       f->r_floor, f->r_source == TMN_R_FLOOR ? "true" : "false",
			       f->p0_vel_capped ? "true" : "false", f->horizon_rmse, f->fit_ticks,
			       f->fit_chunks);
		if (ds.fitted && f->dv_fitted)
			printf(", \"cv_qa\": %.6g, \"dv\": {\"qa\": %.6g, \"tau\": %.6g, \"tau_lo\": %.6g, \"tau_hi\": %.6g, \"tau_bound\": \"%s\", \"qa_bound\": \"%s\", \"horizon_rmse\": %.6g}",
			       f->cv_qa, f->dv_qa, f->dv_tau, f->dv_tau_lo, f->dv_tau_hi,
			       f->dv_tau_bound < 0 ? "lower" : f->dv_tau_bound > 0 ? "upper" : "none",
			       f->dv_qa_bound ? "yes" : "none", f->dv_horizon_rmse);
		if (ds.fitted && f->selected)
			printf(", \"prior_mode\": \"%s\", \"val_rmse_cv\": %.6g, \"val_rmse_dv\": %.6g, \"val_ticks\": %zu, \"nees\": {\"raw_mean\": %.6g, \"raw_in99\": %.6g, \"hcov_scale\": %.6g, \"hcov_capped\": %s, \"mean\": %.6g, \"in99\": %.6g, \"n\": %zu, \"chi2_99\": %.4f}",
			       f->mode == TMN_PRIOR_MODE_CV ? "cv" : f->mode == TMN_PRIOR_MODE_DV ? "dv" : "auto",
			       f->val_rmse_cv, isnan(f->val_rmse_dv) ? -1.0 : f->val_rmse_dv,
			       f->val_ticks, f->nees_raw_mean, f->nees_raw_in99, f->hcov_scale,
			       f->hcov_capped ? "true" : "false", f->nees_mean, f->nees_in99, f->nees_n,
			       TMN_CHI2_2_99);
		printf("}}\n");
	}
	tmn_trainset_free(&ds);
	return 0;
}
