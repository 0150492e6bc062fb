// SPDX-License-Identifier: GPL-2.0
/*
 * bench_core: the core tick natively, prior-only, System A and System B with
 * random weights (B with the chi2 gate and with the monitor's blend), and
 * prior-only and B with the damped-velocity prior (prior-dv, b-dv), over the
 * same integer trajectory in one run.
 *
 *   bench_core [--ticks N] [--cpu C] [--mode prior|a|b|bmon|prior-dv|b-dv|all] [--quiet]
 *
 * Prints per-mode ns per tick P50/P99/P99.9/max (CLOCK_MONOTONIC around each
 * tm_tick(), so ~20 ns of clock overhead is included) and per-stage medians.
 * Instruction counts come from running this under callgrind (see
 * tests/bench/bench_core.sh), which counts only inside tm_tick().
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quant.h"
#include "tm_core.h"
#include "../vectors/traj.h"
#include "bench_mon.h"

static __u64 now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static __u32 pct(const __u32 *v, long n, double p)
{
	long i = (long)(p * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_core [--ticks N] [--cpu C] [--mode prior|a|b|bmon|prior-dv|b-dv|all] [--quiet]\n"
		   "  Times the core tick natively (>= 1e6 ticks by default) for\n"
		   "  prior-only, System A and System B with random weights, and\n"
		   "  that B with the monitor's blend (bmon); prior-dv and b-dv: prior-only\n"
		   "  and B with the damped-velocity prior (tau 0.25 s, hcov 1.5).\n");
}

int main(int argc, char **argv)
{
	static const char *names[] = { "prior", "A", "B", "B-mon", "prior-dv", "B-dv" };
	long ticks = 1000000;
	int cpu = -1, only = -1, quiet = 0;
	static struct tm_model models[6];
	static struct tm_state st;
	struct tm_clock clk = { now_ns, NULL };
	char err[256];
	__u32 *lat, *stage[3];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ticks") && i + 1 < argc) {
			ticks = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			cpu = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			const char *m = argv[++i];

			only = !strcmp(m, "prior") ? 0 : !strcmp(m, "a") ? 1 :
			       !strcmp(m, "b") ? 2 : !strcmp(m, "bmon") ? 3 :
			       !strcmp(m, "prior-dv") ? 4 : !strcmp(m, "b-dv") ? 5 :
			       !strcmp(m, "all") ? -1 : -2;
			if (only == -2) {
				fprintf(stderr, "bench_core: unknown mode '%s'\n", m);
				return 2;
			}
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (ticks < 1000) {
		fprintf(stderr, "bench_core: --ticks must be >= 1000\n");
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "bench_core: cannot pin to cpu %d: %s\n", cpu, strerror(errno));
	}
	for (int s = 0; s < 3; s++)
		if (tmq_random_model(&models[s], s, 32, 1.0, 1000 + (unsigned)s, NULL, NULL,
				     err, sizeof(err))) {
			fprintf(stderr, "bench_core: %s\n", err);
			return 1;
		}
	/* B-mon: the same B with the monitor's blend (TMNET_FUSE_MONITOR) */
	models[3] = models[2];
	tm_bench_monitor(&models[3]);
	/* prior-dv, B-dv: the damped-velocity prior (tau 0.25 s, hcov 1.5) */
	models[4] = models[0];
	models[5] = models[2];
	for (int s = 4; s < 6; s++) {
		models[s].ext.prior_kind = TMNET_PRIOR_DV;
		models[s].ext.tau_q32 = TM_Q32_ONE / 4;
		models[s].ext.hcov_scale_q16 = 3 << 15;
	}
	for (int s = 3; s < 6; s++) {
		static unsigned char blob[TMNET_BLOB_MAX_SIZE];
		struct tm_blob_error e;
		__u32 n = tm_model_blob_size(&models[s]);

		if (n > sizeof(blob) || tm_blob_write(blob, n, &models[s]) < 0 ||
		    tm_model_from_blob(&models[s], blob, n, &e)) {
			fprintf(stderr, "bench_core: the %s model was rejected\n", names[s]);
			return 1;
		}
	}
	lat = malloc(sizeof(*lat) * (size_t)ticks);
	for (int k = 0; k < 3; k++)
		stage[k] = malloc(sizeof(**stage) * (size_t)ticks);
	if (!lat || !stage[0] || !stage[1] || !stage[2]) {
		fprintf(stderr, "bench_core: out of memory\n");
		return 1;
	}
	if (!quiet)
		printf("%-8s %8s %8s %8s %8s %8s | %8s %8s %8s (median ns per stage)\n",
		       "mode", "ticks", "P50", "P99", "P99.9", "max", "prior", "net", "gate");
	for (int s = 0; s < 6; s++) {
		struct tm_vec_traj tr;
		struct tm_cfg cfg;
		__u64 pass = 0;

		if (only >= 0 && s != only)
			continue;
		tm_cfg_from_model(&cfg, &models[s]);
		tm_state_reset(&st);
		tm_vec_traj_init(&tr, 99);
		/* warm up caches and branch predictors */
		for (int w = 0; w < 20000; w++) {
			struct tmnet_sample smp;
			struct tmnet_pred out;

			tm_vec_traj_next(&tr, &smp);
			tm_tick(&st, &models[s], &cfg, &smp, &out, NULL);
		}
		for (long t = 0; t < ticks; t++) {
			struct tmnet_sample smp;
			struct tmnet_pred out;
			__u64 t0, t1;

			tm_vec_traj_next(&tr, &smp);
			t0 = now_ns(NULL);
			tm_tick(&st, &models[s], &cfg, &smp, &out, quiet ? NULL : &clk);
			t1 = now_ns(NULL);
			lat[t] = (__u32)(t1 - t0);
			stage[0][t] = out.stage_ns[TMNET_STAGE_PRIOR];
			stage[1][t] = out.stage_ns[TMNET_STAGE_NET];
			stage[2][t] = out.stage_ns[TMNET_STAGE_GATE];
			pass += out.verdict == TMNET_VERDICT_PASS || out.verdict == TMNET_VERDICT_BLEND;
		}
		if (quiet)
			continue;
		qsort(lat, (size_t)ticks, sizeof(*lat), cmp_u32);
		for (int k = 0; k < 3; k++)
			qsort(stage[k], (size_t)ticks, sizeof(**stage), cmp_u32);
		printf("%-8s %8ld %8u %8u %8u %8u | %8u %8u %8u\n", names[s], ticks,
		       pct(lat, ticks, 0.5), pct(lat, ticks, 0.99), pct(lat, ticks, 0.999),
		       lat[ticks - 1], pct(stage[0], ticks, 0.5), pct(stage[1], ticks, 0.5),
		       pct(stage[2], ticks, 0.5));
		if (s >= 2 && s != 4)
			printf("# %s gate pass rate on this random model: %.1f %%\n", names[s],
			       100.0 * (double)pass / (double)ticks);
	}
	if (!quiet)
		printf("# ns include the per-stage clock reads (4 clock_gettime per tick)\n");
	free(lat);
	for (int k = 0; k < 3; k++)
		free(stage[k]);
	return 0;
}
