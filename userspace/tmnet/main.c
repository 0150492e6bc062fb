// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - generate and import trajectory data, train the predictor, quantise
 * it into a .tmn blob and evaluate it with the bit-exact core.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmnet.h"

static const char usage[] =
	"usage: tmnet <command> [options]   (tmnet <command> --help for details)\n"
	"\n"
	"commands:\n"
	"  data gen      synthetic trajectories -> canonical CSV (t_ns,x,y,vx,vy,valid)\n"
	"  data import   foreign position log -> canonical CSV at the model rate\n"
	"  train         train System A or B (float GRU) -> checkpoint\n"
	"  quantize      checkpoint + training data -> INT8 .tmn blob\n"
	"  eval          run the bit-exact core over the test split\n"
	"  active        kNN graph + PageRank push benchmark and check\n"
	"  compare       A vs B vs the prior: statistics, latency, verdict\n"
	"  bench         native core tick, per-stage latency, float baseline\n"
	"  export-hf     model + checkpoint + eval -> HuggingFace model directory\n"
	"  export-onnx   checkpoint -> model.onnx, model.safetensors, config.json\n";

void die_usage(const char *u)
{
	fputs(u, stderr);
	exit(2);
}

int parse_int(const char *s, const char *what, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "tmnet: %s: '%s' is not an integer in %ld..%ld\n", what, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_dbl(const char *s, const char *what, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
		fprintf(stderr, "tmnet: %s: '%s' is not a number in %g..%g\n", what, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "data"))
		return cmd_data(argc - 1, argv + 1);
	if (!strcmp(argv[1], "train"))
		return cmd_train(argc - 1, argv + 1);
	if (!strcmp(argv[1], "quantize"))
		return cmd_quantize(argc - 1, argv + 1);
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "active"))
		return cmd_active(argc - 1, argv + 1);
	if (!strcmp(argv[1], "export-hf"))
		return cmd_export(argc - 1, argv + 1);
	if (!strcmp(argv[1], "export-onnx"))
		return cmd_export_onnx(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr, "tmnet: unknown command '%s'\n\n%s", argv[1], usage);
	return 2;
}

/* CLOCK_MONOTONIC in ns, as a struct tm_clock callback */
__u64 tmn_mono_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

int tmn_json_emit_clean(char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		static const char *const tok[] = { "-nan", "nan", "-inf", "inf" };
		int hit = 0;

		if (i > 0 && (buf[i - 1] == ' ' || buf[i - 1] == '[')) {
			for (int k = 0; k < 4 && !hit; k++) {
				size_t n = strlen(tok[k]);

				if (i + n <= len && !strncmp(buf + i, tok[k], n) &&
				    (i + n == len || strchr(",}] \n", buf[i + n]))) {
					fputs("null", stdout);
					i += n;
					hit = 1;
				}
			}
		}
		if (!hit)
			putchar(buf[i++]);
	}
	return fflush(stdout) ? -1 : 0;
}
