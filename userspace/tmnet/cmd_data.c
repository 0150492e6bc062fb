// SPDX-License-Identifier: GPL-2.0
/* tmnet data gen | import */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_data.h"
#include "tmnet.h"

static const char gen_usage[] =
	"usage: tmnet data gen -o FILE [options]\n"
	"  Synthetic trajectories (regimes: constant velocity, coordinated turn,\n"
	"  Singer/OU acceleration, orbit, Lissajous oscillation, stop-and-go, with\n"
	"  reflections in a square arena; equations in userspace/libtmnet/tmn_data.c)\n"
	"  plus sensor noise, outliers and dropouts, as canonical CSV.\n"
	"  -o, --out FILE        output CSV (required)\n"
	"  -s, --seed N          RNG seed (default 1); same seed, same bytes\n"
	"  -t, --seconds S       duration (default 600)\n"
	"  -r, --rate HZ         sample rate (default 2000)\n"
	"      --arena L         half width of the arena, units (default 1000)\n"
	"      --noise-pos SD    position noise sd, units (default 0.05)\n"
	"      --noise-vel SD    velocity noise sd, units/s (default 2)\n"
	"      --outlier-p P     outlier probability per sample (default 5e-4)\n"
	"      --dropout-p P     dropout start probability per tick (default 1e-4)\n"
	"      --seg-min S       shortest regime segment, seconds (default 3)\n"
	"      --seg-max S       longest regime segment, seconds (default 6); a\n"
	"                        segment lasts U(seg-min, seg-max)\n"
	"      --stats           print the time share of each regime\n"
	"  -h, --help\n";

static const char import_usage[] =
	"usage: tmnet data import IN.csv -o OUT.csv [options]\n"
	"  Any CSV of timestamped positions (',' or ';', optional header, any\n"
	"  timestamp unit, irregular rate) -> canonical CSV at the model rate.\n"
	"  Linear interpolation between raw samples; raw gaps longer than --gap-ms\n"
	"  become invalid ticks; velocity = causal mean over --vel-window-ms.\n"
	"  A malformed file gets an error naming the line, and nothing is written.\n"
	"  -o, --out FILE        output CSV (required)\n"
	"  -r, --rate HZ         model rate (default 2000)\n"
	"  -u, --time-unit U     s|ms|us|ns|auto (default auto: from the median step)\n"
	"      --gap-ms MS       longest raw gap that is interpolated (default 50)\n"
	"      --vel-window-ms MS  velocity window (default 10)\n"
	"      --cols T,X,Y      1-based columns of time, x, y (default 1,2,3)\n"
	"  -h, --help\n";

static int data_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "arena", required_argument, NULL, 1 },
		{ "noise-pos", required_argument, NULL, 2 },
		{ "noise-vel", required_argument, NULL, 3 },
		{ "outlier-p", required_argument, NULL, 4 },
		{ "dropout-p", required_argument, NULL, 5 },
		{ "stats", no_argument, NULL, 6 },
		{ "seg-min", required_argument, NULL, 7 },
		{ "seg-max", required_argument, NULL, 8 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tmn_gen_cfg c;
	struct tmn_series d;
	const char *out = NULL;
	uint8_t *rg = NULL;
	char err[512];
	int o, stats = 0;
	long l;

	tmn_gen_default(&c);
	while ((o = getopt_long(argc, argv, "o:s:t:r:h", opts, NULL)) != -1) {
		switch (o) {
		case 'o':
			out = optarg;
			break;
		case 's':
			if (parse_int(optarg, "--seed", 0, 0x7fffffffffffffffL, &l))
				return 2;
			c.seed = (uint64_t)l;
			break;
		case 't':
			if (parse_dbl(optarg, "--seconds", 1, 1e5, &c.seconds))
				return 2;
			break;
		case 'r':
			if (parse_int(optarg, "--rate", TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ, &l))
				return 2;
			c.rate_hz = (int)l;
			break;
		case 1:
			if (parse_dbl(optarg, "--arena", 10, 10000, &c.arena))
				return 2;
			break;
		case 2:
			if (parse_dbl(optarg, "--noise-pos", 0, 100, &c.noise_pos))
				return 2;
			break;
		case 3:
			if (parse_dbl(optarg, "--noise-vel", 0, 1000, &c.noise_vel))
				return 2;
			break;
		case 4:
			if (parse_dbl(optarg, "--outlier-p", 0, 1, &c.outlier_p))
				return 2;
			break;
		case 5:
			if (parse_dbl(optarg, "--dropout-p", 0, 1, &c.dropout_p))
				return 2;
			break;
		case 6:
			stats = 1;
			break;
		case 7:
			if (parse_dbl(optarg, "--seg-min", 0.01, 1e6, &c.seg_min_s))
				return 2;
			break;
		case 8:
			if (parse_dbl(optarg, "--seg-max", 0.01, 1e6, &c.seg_max_s))
				return 2;
			break;
		case 'h':
			fputs(gen_usage, stdout);
			return 0;
		default:
			die_usage(gen_usage);
		}
	}
	if (!out || optind != argc)
		die_usage(gen_usage);
	if (c.seg_max_s < c.seg_min_s) {
		fprintf(stderr, "tmnet data gen: --seg-max %g is shorter than --seg-min %g\n",
			c.seg_max_s, c.seg_min_s);
		return 2;
	}
	if (tmn_gen(&c, &d, stats ? &rg : NULL)) {
		fprintf(stderr, "tmnet data gen: bad configuration or out of memory\n");
		return 1;
	}
	if (tmn_csv_write(out, &d, err, sizeof(err))) {
		fprintf(stderr, "tmnet data gen: %s\n", err);
		tmn_series_free(&d);
		free(rg);
		return 1;
	}
	fprintf(stderr, "tmnet data gen: %zu samples (%.0f s at %d Hz, seed %llu) -> %s\n", d.n,
		c.seconds, c.rate_hz, (unsigned long long)c.seed, out);
	if (stats) {
		size_t cnt[TMN_RG_N] = { 0 }, nv = 0, i;

		for (i = 0; i < d.n; i++) {
			cnt[rg[i]]++;
			nv += d.s[i].flags & TMNET_SAMPLE_VALID;
		}
		for (i = 0; i < TMN_RG_N; i++)
			printf("regime %-7s %5.1f %%\n", tmn_regime_name((int)i),
			       100.0 * (double)cnt[i] / (double)d.n);
		printf("valid          %5.1f %%\n", 100.0 * (double)nv / (double)d.n);
	}
	free(rg);
	tmn_series_free(&d);
	return 0;
}

static int data_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "rate", required_argument, NULL, 'r' },
		{ "time-unit", required_argument, NULL, 'u' },
		{ "gap-ms", required_argument, NULL, 1 },
		{ "vel-window-ms", required_argument, NULL, 2 },
		{ "cols", required_argument, NULL, 3 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tmn_import_cfg c;
	struct tmn_series d;
	const char *out = NULL;
	char err[512], info[512];
	double v;
	long l;
	int o;

	tmn_import_default(&c);
	while ((o = getopt_long(argc, argv, "o:r:u:h", opts, NULL)) != -1) {
		switch (o) {
		case 'o':
			out = optarg;
			break;
		case 'r':
			if (parse_int(optarg, "--rate", TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ, &l))
				return 2;
			c.rate_hz = (int)l;
			break;
		case 'u':
			if (!strcmp(optarg, "s"))
				c.time_unit = 1;
			else if (!strcmp(optarg, "ms"))
				c.time_unit = 1e-3;
			else if (!strcmp(optarg, "us"))
				c.time_unit = 1e-6;
			else if (!strcmp(optarg, "ns"))
				c.time_unit = 1e-9;
			else if (!strcmp(optarg, "auto"))
				c.time_unit = 0;
			else {
				fprintf(stderr, "tmnet: --time-unit: want s, ms, us, ns or auto\n");
				return 2;
			}
			break;
		case 1:
			if (parse_dbl(optarg, "--gap-ms", 0.01, 1e6, &v))
				return 2;
			c.gap_s = v * 1e-3;
			break;
		case 2:
			if (parse_dbl(optarg, "--vel-window-ms", 0.01, 1e4, &v))
				return 2;
			c.vel_window_s = v * 1e-3;
			break;
		case 3: {
			int a, b, e;

			if (sscanf(optarg, "%d,%d,%d", &a, &b, &e) != 3 || a < 1 || b < 1 ||
			    e < 1 || a > 64 || b > 64 || e > 64) {
				fprintf(stderr, "tmnet: --cols: want T,X,Y (1-based, <= 64)\n");
				return 2;
			}
			c.col_t = a - 1;
			c.col_x = b - 1;
			c.col_y = e - 1;
			break;
		}
		case 'h':
			fputs(import_usage, stdout);
			return 0;
		default:
			die_usage(import_usage);
		}
	}
	if (!out || optind != argc - 1)
		die_usage(import_usage);
	if (tmn_import(argv[optind], &c, &d, err, sizeof(err), info, sizeof(info))) {
		fprintf(stderr, "tmnet data import: %s (nothing written)\n", err);
		return 1;
	}
	if (tmn_csv_write(out, &d, err, sizeof(err))) {
		fprintf(stderr, "tmnet data import: %s\n", err);
		tmn_series_free(&d);
		return 1;
	}
	fprintf(stderr, "tmnet data import: %s -> %s\n", info, out);
	tmn_series_free(&d);
	return 0;
}

int cmd_data(int argc, char **argv)
{
	static const char u[] = "usage: tmnet data gen|import [options] (--help for each)\n";

	if (argc < 2)
		die_usage(u);
	if (!strcmp(argv[1], "gen"))
		return data_gen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return data_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(u, stdout);
		return 0;
	}
	fprintf(stderr, "tmnet data: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
