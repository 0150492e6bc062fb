// SPDX-License-Identifier: GPL-2.0
/* tmnet data gen | import */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_data.h"
#include "tmn_gen_human.h"
#include "tmnet.h"

static const char gen_usage[] =
	"usage: tmnet data gen -o FILE [options]\n"
	"  Synthetic trajectories as canonical CSV (equations and references in\n"
	"  docs/generators.md).  Kinds:\n"
	"    vehicle      (default) regimes: constant velocity, coordinated turn,\n"
	"                 Singer/OU acceleration, orbit, Lissajous oscillation,\n"
	"                 stop-and-go, reflections in a square arena, plus sensor\n"
	"                 noise, outliers and dropouts\n"
	"    pointing     a mouse on a 1920x1080 px screen: minimum-jerk\n"
	"                 sub-movements timed by Fitts' law, corrective\n"
	"                 sub-movements and overshoot, rests; logged event-driven\n"
	"                 (125 Hz polling, 16 ms client clock), then imported\n"
	"    handwriting  pen strokes as sums of sigma-lognormal pulses, pen-up\n"
	"                 gaps; a 195 Hz tablet in 0.01 mm units, then imported\n"
	"    mix:KIND=W,KIND=W,...  blocks of the kinds; kind K gets the share\n"
	"                 W_K / sum(W) of the ticks (exactly, to one tick)\n"
	"  -o, --out FILE        output (required): canonical CSV, or the binary\n"
	"                        form when FILE ends in .tmd\n"
	"  -k, --kind K          vehicle|pointing|handwriting|mix:... (default vehicle)\n"
	"  -s, --seed N          RNG seed (default 1); same seed, same bytes\n"
	"  -t, --seconds S       duration at the model rate (default 600)\n"
	"  -r, --rate HZ         model rate (default 2000)\n"
	"  vehicle:\n"
	"      --arena L         half width of the arena, units (default 1000)\n"
	"      --noise-pos SD    position noise sd, units (default 0.05)\n"
	"      --noise-vel SD    velocity noise sd, units/s (default 2)\n"
	"      --outlier-p P     outlier probability per sample (default 5e-4)\n"
	"      --dropout-p P     dropout start probability per tick (default 1e-4)\n"
	"      --seg-min S       shortest regime segment, seconds (default 3)\n"
	"      --seg-max S       longest regime segment, seconds (default 6); a\n"
	"                        segment lasts U(seg-min, seg-max)\n"
	"  pointing and handwriting:\n"
	"      --raw FILE        also write the device log (t_ms,x,y) that was\n"
	"                        imported: a test input for tmnet data import\n"
	"      --device-rate HZ  mouse polling / tablet rate (default 125 / 195)\n"
	"      --clock-ms MS     mouse client clock (default 16; 0 = exact)\n"
	"      --fitts A,B       Fitts' law MT = A + B log2(D/W+1), s (default 0.15,0.15)\n"
	"      --writer W        slow|normal|fast|mixed (default normal; mixed: a\n"
	"                        writer drawn per line)\n"
	"      --gap-ms MS       importer gap: longer silences are gaps (default\n"
	"                        1000 pointing, 30 handwriting)\n"
	"      --block-min S, --block-max S  mixture block length (default 20, 60)\n"
	"      --stats           print the time share of each regime (vehicle) or\n"
	"                        kind (otherwise)\n"
	"  -h, --help\n";

/* the human kinds and mixtures (tmn_gen_human.h) */
static int data_gen_human(const struct tmn_gen_human_cfg *hc, const char *out, const char *raw,
			  int stats)
{
	struct tmn_series d;
	uint8_t *kind = NULL;
	char err[512];
	size_t cnt[TMN_GK_N] = { 0 }, seg = 0, nv = 0, i;
	double t0 = now_s();

	fprintf(stderr, "tmnet data gen: generating %.0f s at %d Hz (seed %llu)...\n", hc->seconds,
		hc->rate_hz, (unsigned long long)hc->seed);
	if (tmn_gen_human(hc, &d, &kind, raw, err, sizeof(err))) {
		fprintf(stderr, "tmnet data gen: %s (nothing written)\n", err);
		return 1;
	}
	if (tmn_csv_write(out, &d, err, sizeof(err))) {
		fprintf(stderr, "tmnet data gen: %s\n", err);
		tmn_series_free(&d);
		free(kind);
		return 1;
	}
	for (i = 0; i < d.n; i++) {
		cnt[kind[i]]++;
		nv += d.s[i].flags & TMNET_SAMPLE_VALID;
		seg += !!(d.s[i].flags & TMNET_SAMPLE_SEG_START);
	}
	fprintf(stderr,
		"tmnet data gen: %zu samples (%.0f s at %d Hz, seed %llu, %zu segments, %.1f s) -> %s%s%s\n",
		d.n, hc->seconds, hc->rate_hz, (unsigned long long)hc->seed, seg, now_s() - t0, out,
		raw ? ", device log -> " : "", raw ? raw : "");
	if (stats) {
		for (i = 0; i < TMN_GK_N; i++)
			printf("kind %-11s %5.1f %%\n", tmn_gen_kind_name((int)i),
			       100.0 * (double)cnt[i] / (double)d.n);
		printf("valid            %5.1f %%\n", 100.0 * (double)nv / (double)d.n);
	}
	free(kind);
	tmn_series_free(&d);
	return 0;
}

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
		{ "kind", required_argument, NULL, 'k' },
		{ "raw", required_argument, NULL, 9 },
		{ "device-rate", required_argument, NULL, 10 },
		{ "clock-ms", required_argument, NULL, 11 },
		{ "fitts", required_argument, NULL, 12 },
		{ "writer", required_argument, NULL, 13 },
		{ "gap-ms", required_argument, NULL, 14 },
		{ "block-min", required_argument, NULL, 15 },
		{ "block-max", required_argument, NULL, 16 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tmn_gen_human_cfg hc;
	struct tmn_gen_cfg c;
	struct tmn_series d;
	const char *out = NULL, *raw = NULL;
	uint8_t *rg = NULL;
	char err[512];
	int o, stats = 0, human_opt = 0;
	double dev_hz = 0, v;
	long l;

	tmn_gen_default(&c);
	tmn_gen_human_default(&hc);
	while ((o = getopt_long(argc, argv, "o:s:t:r:k:h", opts, NULL)) != -1) {
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
		case 'k':
			if (tmn_gen_kind_parse(optarg, hc.w, err, sizeof(err))) {
				fprintf(stderr, "tmnet: --kind: %s\n", err);
				return 2;
			}
			break;
		case 9:
			raw = optarg;
			human_opt = 1;
			break;
		case 10:
			if (parse_dbl(optarg, "--device-rate", 10, 10000, &dev_hz))
				return 2;
			human_opt = 1;
			break;
		case 11:
			if (parse_dbl(optarg, "--clock-ms", 0, 1000, &v))
				return 2;
			hc.point.clock_s = v * 1e-3;
			human_opt = 1;
			break;
		case 12: {
			char *e1, *e2;
			double a = strtod(optarg, &e1), b = *e1 == ',' ? strtod(e1 + 1, &e2) : 0;

			if (*e1 != ',' || *e2 || e2 == e1 + 1 || !(a >= 0 && a <= 10) ||
			    !(b > 0 && b <= 10)) {
				fprintf(stderr, "tmnet: --fitts: want A,B in seconds (0 <= A <= 10, 0 < B <= 10)\n");
				return 2;
			}
			hc.point.fitts_a = a;
			hc.point.fitts_b = b;
			human_opt = 1;
			break;
		}
		case 13: {
			static const char *const wn[] = { "slow", "normal", "fast", "mixed" };
			int w;

			for (w = 0; w < 4 && strcmp(optarg, wn[w]); w++)
				;
			if (w == 4) {
				fprintf(stderr, "tmnet: --writer: want slow, normal, fast or mixed\n");
				return 2;
			}
			hc.hw.writer = w;
			human_opt = 1;
			break;
		}
		case 14:
			if (parse_dbl(optarg, "--gap-ms", 1, 1e6, &v))
				return 2;
			hc.gap_s = v * 1e-3;
			human_opt = 1;
			break;
		case 15:
			if (parse_dbl(optarg, "--block-min", 1, 1e5, &hc.block_min_s))
				return 2;
			human_opt = 1;
			break;
		case 16:
			if (parse_dbl(optarg, "--block-max", 1, 1e5, &hc.block_max_s))
				return 2;
			human_opt = 1;
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
	if (hc.w[TMN_GK_VEHICLE] < 1) {
		if (hc.block_max_s < hc.block_min_s) {
			fprintf(stderr, "tmnet data gen: --block-max %g is shorter than --block-min %g\n",
				hc.block_max_s, hc.block_min_s);
			return 2;
		}
		if (raw && hc.w[TMN_GK_POINTING] < 1 && hc.w[TMN_GK_HANDWRITING] < 1) {
			fprintf(stderr, "tmnet data gen: --raw needs a single human kind (pointing or handwriting): a mixture has no single device log\n");
			return 2;
		}
		if (dev_hz > 0) {
			hc.point.device_hz = dev_hz;
			hc.hw.device_hz = dev_hz;
		}
		hc.seed = c.seed;
		hc.seconds = c.seconds;
		hc.rate_hz = c.rate_hz;
		hc.vehicle = c;
		return data_gen_human(&hc, out, raw, stats);
	}
	if (human_opt) {
		fprintf(stderr, "tmnet data gen: --raw, --device-rate, --clock-ms, --fitts, --writer, --gap-ms and --block-min/max need --kind pointing, handwriting or mix:...\n");
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

static const char import_usage[] =
	"usage: tmnet data import IN... -o OUT.csv [options]\n"
	"  Timestamped position logs (CSV with ',', ';' (then decimal commas) or tab,\n"
	"  optional header, any timestamp unit, irregular rate) -> one canonical CSV\n"
	"  at the model rate.  Each IN is a file or a directory (every regular file\n"
	"  in it, sorted by name).  Each file, and each stretch between raw gaps\n"
	"  longer than --gap-ms, is a segment: its ticks are written, those of the\n"
	"  gaps are not (t_ns jumps), and no model state crosses it.  Linear\n"
	"  interpolation between raw samples; velocity = causal mean over\n"
	"  --vel-window-ms.  Duplicate timestamps: the later sample wins; a step\n"
	"  back in time starts a new segment; a raw step faster than 16384 data\n"
	"  units/s starts a new segment.  A malformed line (NaN, inf, empty or\n"
	"  non-numeric field) is an error naming file, line and column, and\n"
	"  nothing is written.  See tmnet(1) for the unit choice.\n"
	"  -o, --out FILE        output CSV (required)\n"
	"  -r, --rate HZ         model rate (default 2000)\n"
	"  -u, --time-unit U     s|ms|us|ns|auto (default auto: the unit whose rate\n"
	"                        for the median step is 5 Hz .. 20 kHz; refuses\n"
	"                        when two fit)\n"
	"      --gap-ms MS       longest raw gap inside a segment (default 50)\n"
	"      --vel-window-ms MS  velocity window (default 10)\n"
	"      --cols T,X,Y      1-based columns of time, x, y (default 1,2,3)\n"
	"      --scale S|SX,SY   data units per recording unit (default: automatic)\n"
	"      --offset O|OX,OY  recording units subtracted first (default: automatic,\n"
	"                        or 0 with --scale)\n"
	"  -q, --quiet           no progress lines\n"
	"  -h, --help\n";

/* "V" or "VX,VY" */
static int parse_pair(const char *s, const char *what, int positive, double v[2])
{
	char *end;

	errno = 0;
	v[0] = strtod(s, &end);
	if (*end == ',')
		v[1] = strtod(end + 1, &end);
	else
		v[1] = v[0];
	if (end == s || *end || errno || !isfinite(v[0]) || !isfinite(v[1]) ||
	    (positive && !(v[0] > 0 && v[1] > 0))) {
		fprintf(stderr, "tmnet data import: %s: want a %snumber or two (X,Y), got '%s'\n",
			what, positive ? "positive " : "", s);
		return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a plain file (not a directory), for a directory entry of unknown type */
static int plain_file(const char *p)
{
	DIR *d = opendir(p);
	FILE *f;

	if (d) {
		closedir(d);
		return 0;
	}
	f = fopen(p, "r");
	if (!f)
		return 0;
	fclose(f);
	return 1;
}

static int push_path(char ***v, int *n, int *cap, char *p)
{
	if (!p)
		return -1;
	if (*n == *cap) {
		int nc = *cap ? 2 * *cap : 64;
		char **nv = realloc(*v, (size_t)nc * sizeof(**v));

		if (!nv) {
			free(p);
			return -1;
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = p;
	return 0;
}

/*
 * The inputs: files as given, directories expanded (regular files, not
 * hidden ones, sorted by name; not recursive).  <sys/stat.h> cannot be
 * included next to the core's types (see cmd_export.c), so a directory is
 * what opendir() opens.
 */
static int collect_inputs(char **args, int nargs, char ***out, int *nout, int quiet)
{
	char **v = NULL;
	int n = 0, cap = 0;

	for (int i = 0; i < nargs; i++) {
		DIR *d = opendir(args[i]);
		struct dirent *e;
		int first = n;

		if (!d) {
			if (errno != ENOTDIR && errno != ENOENT && errno != EACCES) {
				fprintf(stderr, "tmnet data import: %s: %s (nothing written)\n",
					args[i], strerror(errno));
				goto bad;
			}
			if (push_path(&v, &n, &cap, strdup(args[i])))
				goto oom;
			continue;
		}
		while ((e = readdir(d))) {
			char *p;

			if (e->d_name[0] == '.')
				continue;
			if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN && e->d_type != DT_LNK)
				continue;
			if (asprintf(&p, "%s/%s", args[i], e->d_name) < 0) {
				closedir(d);
				goto oom;
			}
			if (e->d_type != DT_REG && !plain_file(p)) {
				free(p);
				continue;
			}
			if (push_path(&v, &n, &cap, p)) {
				closedir(d);
				goto oom;
			}
		}
		closedir(d);
		qsort(v + first, (size_t)(n - first), sizeof(*v), cmp_str);
		if (n == first) {
			fprintf(stderr, "tmnet data import: directory %s has no regular file (nothing written)\n",
				args[i]);
			goto bad;
		}
		if (!quiet) {
			fprintf(stderr, "tmnet data import: directory %s: %d files:", args[i],
				n - first);
			for (int k = first; k < n; k++)
				fprintf(stderr, " %s", v[k] + strlen(args[i]) + 1);
			fputc('\n', stderr);
		}
	}
	*out = v;
	*nout = n;
	return 0;
oom:
	fprintf(stderr, "tmnet data import: out of memory\n");
bad:
	for (int k = 0; k < n; k++)
		free(v[k]);
	free(v);
	return -1;
}

struct csv_sink {
	const char *path;
	struct tmn_csv_out *w;
	char *err;
	int errlen;
};

static int csv_begin(void *ctx, const struct tmn_units *u, int rate_hz)
{
	struct csv_sink *cs = ctx;

	cs->w = tmn_csv_open(cs->path, rate_hz, u, cs->err, cs->errlen);
	return cs->w ? 0 : -1;
}

static int csv_put(void *ctx, const struct tmnet_sample *s, size_t n)
{
	struct csv_sink *cs = ctx;

	return tmn_csv_put(cs->w, s, n);
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
		{ "scale", required_argument, NULL, 4 },
		{ "offset", required_argument, NULL, 5 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tmn_import_cfg c;
	struct tmn_import_info in;
	struct csv_sink cs;
	struct tmn_import_sink sink = { csv_begin, csv_put, &cs };
	const char *out = NULL;
	char err[1024], info[1024], **files = NULL;
	int nfiles = 0, quiet = 0, have_scale = 0, have_offset = 0, rc;
	double v;
	long l;
	int o;

	tmn_import_default(&c);
	while ((o = getopt_long(argc, argv, "o:r:u:qh", opts, NULL)) != -1) {
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
			if (parse_dbl(optarg, "--gap-ms", 0.01, 1e9, &v))
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
		case 4:
			if (parse_pair(optarg, "--scale", 1, c.units.scale))
				return 2;
			have_scale = 1;
			break;
		case 5:
			if (parse_pair(optarg, "--offset", 0, c.units.offset))
				return 2;
			have_offset = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(import_usage, stdout);
			return 0;
		default:
			die_usage(import_usage);
		}
	}
	if (!out || optind >= argc)
		die_usage(import_usage);
	if (have_offset && !have_scale) {
		fprintf(stderr, "tmnet data import: --offset needs --scale (or neither: automatic)\n");
		return 2;
	}
	c.auto_units = !have_scale;
	c.progress = quiet ? NULL : stderr;
	if (collect_inputs(argv + optind, argc - optind, &files, &nfiles, quiet))
		return 1;
	memset(&cs, 0, sizeof(cs));
	cs.path = out;
	cs.err = err;
	cs.errlen = sizeof(err);
	err[0] = '\0';
	rc = tmn_import_files((const char *const *)files, nfiles, &c, &sink, &in, err,
			      sizeof(err));
	if (cs.w) {
		char e2[512];

		if (tmn_csv_close(cs.w, !rc, e2, sizeof(e2)) && !rc) {
			snprintf(err, sizeof(err), "%s", e2);
			rc = -1;
		}
	}
	for (int k = 0; k < nfiles; k++)
		free(files[k]);
	free(files);
	if (rc) {
		fprintf(stderr, "tmnet data import: %s (nothing written)\n", err);
		return 1;
	}
	tmn_import_describe(&in, c.rate_hz, info, sizeof(info));
	fprintf(stderr, "tmnet data import: %s -> %s\n", info, out);
	if (in.auto_units)
		fprintf(stderr, "tmnet data import: automatic units: robust max |position| %.4g, |velocity| %.4g data units/s (limit %g; hard edge 32768)\n",
			in.robust_pos, in.robust_vel, TMN_DATA_AUTO_LIMIT);
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
