// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet bench: the core tick natively - prior-only, System A and System B
 * interleaved tick by tick in one run - with per-stage percentiles, the same
 * GRU step in float (plain C, OpenBLAS sgemv and, where Debian's
 * python3-torch is installed, PyTorch) in the same run, and instruction
 * counts per tick through callgrind.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "quant.h"
#include "tmn_data.h"
#include "tmn_stats.h"
#include "tmnet.h"

static const char usage[] =
	"usage: tmnet bench [--a A.tmn] [--b B.tmn] [options]\n"
	"  Times the core's tm_tick() natively: prior-only, System A and System B\n"
	"  run interleaved tick by tick (rotating order) over the same synthetic\n"
	"  trajectory, after a warm-up, so that their ratios are meaningful.\n"
	"  Per-stage (prior, net, gate) and whole-tick P50/P99/P99.9 in ns\n"
	"  (CLOCK_MONOTONIC; the per-stage clock reads are inside the whole-tick\n"
	"  time).  In the same run, the same GRU step (B's shape) in float:\n"
	"  plain C loops and OpenBLAS sgemv; with --torch, Debian's python3-torch\n"
	"  (GRUCell + Linear, one thread, no_grad).  --callgrind adds instructions\n"
	"  per tick counted by valgrind inside tm_tick() (and the float step).\n"
	"  Without --a/--b, models/default-{A,B}.tmn are used if present, else\n"
	"  deterministic random models of the same shape (said in the output).\n"
	"  -a, --a FILE          System A blob\n"
	"  -b, --b FILE          System B blob\n"
	"  -n, --ticks N         timed ticks per system (default 1000000, >= 1000)\n"
	"      --warmup N        untimed ticks first (default 20000)\n"
	"  -c, --cpu N           pin to CPU N\n"
	"      --torch           also time python3-torch (/usr/bin/python3)\n"
	"      --callgrind       also count instructions per tick with valgrind\n"
	"      --dump FILE       per-stage histogram data for plots\n"
	"  -j, --json            JSON output\n"
	"  -h, --help\n";

#define BENCH_GEN_SECONDS 120.0

/* ---- float GRU step (the same maths as the core's tm_gru_step + head) ---- */

struct fgru {
	int F, H;
	float w_ih[TM_G3 * TMNET_MAX_FEATURES];	/* [3H][F] row-major */
	float w_hh[TM_G3 * TMNET_MAX_HIDDEN];	/* [3H][H] */
	float b_ih[TM_G3], b_hh[TM_G3];
	float w_out[TMNET_N_OUT * TMNET_MAX_HIDDEN], b_out[TMNET_N_OUT];
};

static inline float sigm(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

/* Plain C: two matvecs, gates, head.  Not static: callgrind toggles on it. */
__attribute__((noinline)) void tmn_bench_float_step(const struct fgru *g, float *h,
						     const float *x, float y[2]);
__attribute__((noinline)) void tmn_bench_float_step(const struct fgru *g, float *h,
						     const float *x, float y[2])
{
	const int F = g->F, H = g->H;
	float gi[TM_G3], gh[TM_G3];

	for (int i = 0; i < 3 * H; i++) {
		float a = g->b_ih[i], b = g->b_hh[i];

		for (int j = 0; j < F; j++)
			a += g->w_ih[i * F + j] * x[j];
		for (int j = 0; j < H; j++)
			b += g->w_hh[i * H + j] * h[j];
		gi[i] = a;
		gh[i] = b;
	}
	for (int i = 0; i < H; i++) {
		float r = sigm(gi[i] + gh[i]);
		float z = sigm(gi[H + i] + gh[H + i]);
		float n = tanhf(gi[2 * H + i] + r * gh[2 * H + i]);

		h[i] = (1 - z) * n + z * h[i];
	}
	for (int o = 0; o < TMNET_N_OUT; o++) {
		float a = g->b_out[o];

		for (int j = 0; j < H; j++)
			a += g->w_out[o * H + j] * h[j];
		y[o] = a;
	}
}

/* The same through OpenBLAS sgemv for the matrix-vector products */
__attribute__((noinline)) void tmn_bench_blas_step(const struct fgru *g, float *h,
						    const float *x, float y[2]);
__attribute__((noinline)) void tmn_bench_blas_step(const struct fgru *g, float *h,
						    const float *x, float y[2])
{
	const int F = g->F, H = g->H;
	float gi[TM_G3], gh[TM_G3];

	memcpy(gi, g->b_ih, sizeof(float) * 3 * (size_t)H);
	memcpy(gh, g->b_hh, sizeof(float) * 3 * (size_t)H);
	cblas_sgemv(CblasRowMajor, CblasNoTrans, 3 * H, F, 1.0f, g->w_ih, F, x, 1, 1.0f, gi, 1);
	cblas_sgemv(CblasRowMajor, CblasNoTrans, 3 * H, H, 1.0f, g->w_hh, H, h, 1, 1.0f, gh, 1);
	for (int i = 0; i < H; i++) {
		float r = sigm(gi[i] + gh[i]);
		float z = sigm(gi[H + i] + gh[H + i]);
		float n = tanhf(gi[2 * H + i] + r * gh[2 * H + i]);

		h[i] = (1 - z) * n + z * h[i];
	}
	y[0] = g->b_out[0];
	y[1] = g->b_out[1];
	cblas_sgemv(CblasRowMajor, CblasNoTrans, 2, H, 1.0f, g->w_out, H, h, 1, 1.0f, y, 1);
}

static void fgru_from(struct fgru *f, const struct tmq_gru *q)
{
	memset(f, 0, sizeof(*f));
	f->F = q->n_feat;
	f->H = q->hidden;
	for (int i = 0; i < 3 * f->H; i++) {
		for (int j = 0; j < f->F; j++)
			f->w_ih[i * f->F + j] = q->w_ih[i][j];
		for (int j = 0; j < f->H; j++)
			f->w_hh[i * f->H + j] = q->w_hh[i][j];
		f->b_ih[i] = q->b_ih[i];
		f->b_hh[i] = q->b_hh[i];
	}
	for (int o = 0; o < TMNET_N_OUT; o++) {
		for (int j = 0; j < f->H; j++)
			f->w_out[o * f->H + j] = q->w_out[o][j];
		f->b_out[o] = q->b_out[o];
	}
}

/* ---- measurement -------------------------------------------------------- */

enum { B_PRIOR, B_A, B_B, N_CORE };
enum { F_C, F_BLAS, N_FLOAT };
static const char *const core_name[N_CORE] = { "prior", "A", "B" };
static const char *const float_name[N_FLOAT] = { "float_c", "float_openblas" };
enum { ST_PRIOR, ST_NET, ST_GATE, ST_TOTAL, N_ST };
static const char *const st_name[N_ST] = { "prior", "net", "gate", "total" };

struct pcts {
	double p50, p99, p999, max;
};

static void pcts_of(double *v, size_t n, struct pcts *p)
{
	p->p50 = tmn_quantile_inplace(v, n, 0.5);
	p->p99 = tmn_quantile_inplace(v, n, 0.99);
	p->p999 = tmn_quantile_inplace(v, n, 0.999);
	p->max = tmn_quantile_inplace(v, n, 1.0);
}

static int load_or_random(const char *path, int sys, struct tm_model *m, const char **origin,
			  char *err, int errlen)
{
	static const char *const def[3] = { NULL, "models/default-A.tmn", "models/default-B.tmn" };

	if (!path && access(def[sys], R_OK) == 0)
		path = def[sys];
	if (path) {
		*origin = path;
		return tmq_read_blob_file(path, m, NULL, NULL, err, errlen);
	}
	*origin = "random weights (no model file)";
	return tmq_random_model(m, sys, 32, 1.0, 1000 + (unsigned long long)sys, NULL, NULL, err,
				errlen);
}

/* one inner run for callgrind: only `mode` runs, no clocks */
static int inner_run(const char *mode, struct tm_model *mods, const struct tmn_series *d,
		     long ticks, const struct fgru *fg)
{
	struct tm_state *st = calloc(1, sizeof(*st));
	struct tm_cfg cfg;
	int sys = !strcmp(mode, "prior") ? B_PRIOR : !strcmp(mode, "a") ? B_A : B_B;
	int fl = !strcmp(mode, "float") ? 1 : !strcmp(mode, "blas") ? 2 : 0;
	float h[TMNET_MAX_HIDDEN] = { 0 }, x[TMNET_MAX_FEATURES] = { 0 }, y[2];
	volatile float sink = 0;

	if (!st)
		return 1;
	tm_cfg_from_model(&cfg, &mods[sys]);
	if (sys == B_PRIOR)
		cfg.mode = TMNET_SYS_PRIOR;
	tm_state_reset(st);
	for (long t = 0; t < ticks; t++) {
		const struct tmnet_sample *s = &d->s[(size_t)t % d->n];

		if (fl) {
			x[0] = (float)(s->vx / 65536.0 * 1e-3);
			x[1] = (float)(s->vy / 65536.0 * 1e-3);
			if (fl == 1)
				tmn_bench_float_step(fg, h, x, y);
			else
				tmn_bench_blas_step(fg, h, x, y);
			sink += y[0];
		} else {
			struct tmnet_pred out;

			tm_tick(st, &mods[sys], &cfg, s, &out, NULL);
		}
	}
	(void)sink;
	free(st);
	return 0;
}

static const char torch_script[] =
	"import sys, time\n"
	"try:\n"
	"    import torch\n"
	"except Exception as e:\n"
	"    print('ERROR python3-torch not importable: %s' % e); sys.exit(0)\n"
	"F, H, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])\n"
	"torch.set_num_threads(1)\n"
	"torch.manual_seed(1)\n"
	"cell, head = torch.nn.GRUCell(F, H), torch.nn.Linear(H, 2)\n"
	"x, h = torch.randn(n + 2000, 1, F), torch.zeros(1, H)\n"
	"lat = []\n"
	"with torch.no_grad():\n"
	"    for i in range(n + 2000):\n"
	"        t0 = time.perf_counter_ns()\n"
	"        h = cell(x[i], h); y = head(h)\n"
	"        t1 = time.perf_counter_ns()\n"
	"        if i >= 2000: lat.append(t1 - t0)\n"
	"lat.sort()\n"
	"q = lambda p: lat[min(len(lat) - 1, int(p * (len(lat) - 1) + 0.5))]\n"
	"print('OK %s %d %d %d %d %d' % (torch.__version__, n, q(0.5), q(0.99), q(0.999), lat[-1]))\n";

struct torch_res {
	int ok;
	char version[64];
	char msg[256];
	long n;
	double p50, p99, p999, max;
};

static void run_torch(int F, int H, long n, struct torch_res *tr)
{
	char cmd[8192], line[512];
	FILE *p;

	memset(tr, 0, sizeof(*tr));
	if (access("/usr/bin/python3", X_OK)) {
		snprintf(tr->msg, sizeof(tr->msg), "/usr/bin/python3 not installed");
		return;
	}
	{
		char tmpl[] = "/tmp/tmnet-bench-torch-XXXXXX";
		int fd = mkstemp(tmpl);
		FILE *f;

		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			snprintf(tr->msg, sizeof(tr->msg), "mkstemp: %s", strerror(errno));
			return;
		}
		fputs(torch_script, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %d %d %ld 2>&1; rm -f %s", tmpl, F,
			 H, n, tmpl);
	}
	p = popen(cmd, "r");
	if (!p) {
		snprintf(tr->msg, sizeof(tr->msg), "popen: %s", strerror(errno));
		return;
	}
	snprintf(tr->msg, sizeof(tr->msg), "no output from python3");
	while (fgets(line, sizeof(line), p)) {
		if (!strncmp(line, "OK ", 3) &&
		    sscanf(line + 3, "%63s %ld %lf %lf %lf %lf", tr->version, &tr->n, &tr->p50,
			   &tr->p99, &tr->p999, &tr->max) == 6) {
			tr->ok = 1;
			tr->msg[0] = 0;
		} else if (!tr->ok) {
			line[strcspn(line, "\n")] = 0;
			snprintf(tr->msg, sizeof(tr->msg), "%.200s", line);
		}
	}
	pclose(p);
}

static int run_callgrind(const char *self, const char *mode, const char *pa, const char *pb,
			 long ticks, double *ipt, char *msg, int msglen)
{
	char out[] = "/tmp/tmnet-cg-XXXXXX";
	char cmd[8192], line[512];
	const char *fn = !strcmp(mode, "float") ? "tmn_bench_float_step" :
			 !strcmp(mode, "blas") ? "tmn_bench_blas_step" : "tm_tick";
	int fd = mkstemp(out), rc;
	FILE *f;
	double ir = -1;

	if (fd < 0) {
		snprintf(msg, (size_t)msglen, "mkstemp: %s", strerror(errno));
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --callgrind-out-file=%s --collect-atstart=no "
		 "--toggle-collect=%s %s bench --inner %s --ticks %ld%s%s%s%s >/dev/null 2>&1",
		 out, fn, self, mode, ticks, pa ? " --a " : "", pa ? pa : "", pb ? " --b " : "",
		 pb ? pb : "");
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc)) {
		snprintf(msg, (size_t)msglen, "valgrind failed (is it installed? make deps)");
		unlink(out);
		return -1;
	}
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7)) {
			ir = atof(strchr(line, ':') + 1);
			break;
		}
	if (f)
		fclose(f);
	unlink(out);
	if (ir < 0) {
		snprintf(msg, (size_t)msglen, "no callgrind summary");
		return -1;
	}
	*ipt = ir / (double)ticks;
	return 0;
}

/*
 * JSON has no NaN or infinity: print through a memory stream, then turn the
 * bare tokens nan/-nan/inf/-inf that printf gave for undefined figures into
 * null.
 */
int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },
		{ "ticks", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 1 },
		{ "cpu", required_argument, NULL, 'c' },
		{ "torch", no_argument, NULL, 2 },
		{ "callgrind", no_argument, NULL, 3 },
		{ "inner", required_argument, NULL, 4 },
		{ "dump", required_argument, NULL, 5 },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pa = NULL, *pb = NULL, *inner = NULL, *dump = NULL, *origin[N_CORE];
	long ticks = 1000000, warm = 20000, cpu = -1;
	int json = 0, torch = 0, cg = 0, o, rc = 1;
	static struct tm_model mods[N_CORE];
	struct tm_state *st[N_CORE] = { NULL };
	struct tm_cfg cfg[N_CORE];
	struct tmn_gen_cfg gc;
	struct tmn_series d;
	struct tmq_gru qg;
	static struct fgru fg;
	struct tm_clock clk = { tmn_mono_ns, NULL };
	double *v[N_CORE][N_ST] = { { NULL } }, *fv[N_FLOAT] = { NULL };
	struct pcts pc[N_CORE][N_ST], fp[N_FLOAT];
	struct torch_res tr;
	double ipt[N_CORE + N_FLOAT];
	char cgmsg[N_CORE + N_FLOAT][128];
	char err[512];
	unsigned long long pass = 0, dec = 0;

	memset(&d, 0, sizeof(d));
	memset(&tr, 0, sizeof(tr));
	while ((o = getopt_long(argc, argv, "a:b:n:c:jh", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			pa = optarg;
			break;
		case 'b':
			pb = optarg;
			break;
		case 'n':
			if (parse_int(optarg, "--ticks", 1000, 100000000, &ticks))
				return 2;
			break;
		case 1:
			if (parse_int(optarg, "--warmup", 0, 10000000, &warm))
				return 2;
			break;
		case 'c':
			if (parse_int(optarg, "--cpu", 0, 4095, &cpu))
				return 2;
			break;
		case 2:
			torch = 1;
			break;
		case 3:
			cg = 1;
			break;
		case 4:
			inner = optarg;
			if (strcmp(inner, "prior") && strcmp(inner, "a") && strcmp(inner, "b") &&
			    strcmp(inner, "float") && strcmp(inner, "blas")) {
				fprintf(stderr, "tmnet bench: --inner: prior, a, b, float or blas\n");
				return 2;
			}
			break;
		case 5:
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
	if (optind != argc)
		die_usage(usage);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "tmnet bench: cannot pin to cpu %ld: %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	origin[B_PRIOR] = "B's Kalman prior, prior-only mode";
	if (load_or_random(pa, TMNET_SYS_A, &mods[B_A], &origin[B_A], err, sizeof(err)) ||
	    load_or_random(pb, TMNET_SYS_B, &mods[B_B], &origin[B_B], err, sizeof(err))) {
		fprintf(stderr, "tmnet bench: %s\n", err);
		return 1;
	}
	if (mods[B_A].system != TMNET_SYS_A || mods[B_B].system != TMNET_SYS_B) {
		fprintf(stderr, "tmnet bench: --a must be a System A blob and --b a System B blob\n");
		return 1;
	}
	mods[B_PRIOR] = mods[B_B];
	/* float baseline: B's shape, deterministic random float weights */
	if (tmq_random_model(&mods[B_PRIOR], TMNET_SYS_B, (int)mods[B_B].hidden, 1.0, 7, &qg, NULL,
			     err, sizeof(err))) {
		fprintf(stderr, "tmnet bench: %s\n", err);
		return 1;
	}
	mods[B_PRIOR] = mods[B_B];
	fgru_from(&fg, &qg);

	tmn_gen_default(&gc);
	gc.seed = 99;
	gc.rate_hz = (int)mods[B_B].rate_hz;
	gc.seconds = BENCH_GEN_SECONDS;
	if (tmn_gen(&gc, &d, NULL)) {
		fprintf(stderr, "tmnet bench: trajectory generator failed\n");
		return 1;
	}
	if (inner) {
		rc = inner_run(inner, mods, &d, ticks, &fg);
		tmn_series_free(&d);
		return rc;
	}

	for (int s = 0; s < N_CORE; s++) {
		st[s] = calloc(1, sizeof(*st[s]));
		if (!st[s])
			goto oom;
		for (int g = 0; g < N_ST; g++)
			if (!(v[s][g] = malloc(sizeof(double) * (size_t)ticks)))
				goto oom;
		tm_cfg_from_model(&cfg[s], &mods[s]);
		tm_state_reset(st[s]);
	}
	cfg[B_PRIOR].mode = TMNET_SYS_PRIOR;
	for (int f = 0; f < N_FLOAT; f++)
		if (!(fv[f] = malloc(sizeof(double) * (size_t)ticks)))
			goto oom;

	if (!json)
		fprintf(stderr, "bench: %ld warm-up + %ld timed ticks per system (prior, A, B, float C, float OpenBLAS), interleaved%s\n",
			warm, ticks, cpu >= 0 ? ", pinned" : "");
	{
		float h[2][TMNET_MAX_HIDDEN] = { { 0 } }, x[TMNET_MAX_FEATURES], y[2];
		volatile float sink = 0;
		long next = ticks / 10;

		for (long k = -warm; k < ticks; k++) {
			const struct tmnet_sample *smp = &d.s[(size_t)(k + warm) % d.n];
			const int nj = N_CORE + N_FLOAT;

			for (int j = 0; j < nj; j++) {
				int s = (int)(((k + warm) + j) % nj);
				__u64 t0, t1;

				if (s < N_CORE) {
					struct tmnet_pred out;

					t0 = tmn_mono_ns(NULL);
					tm_tick(st[s], &mods[s], &cfg[s], smp, &out, &clk);
					t1 = tmn_mono_ns(NULL);
					if (k < 0)
						continue;
					v[s][ST_TOTAL][k] = (double)(t1 - t0);
					v[s][ST_PRIOR][k] = out.stage_ns[TMNET_STAGE_PRIOR];
					v[s][ST_NET][k] = out.stage_ns[TMNET_STAGE_NET];
					v[s][ST_GATE][k] = out.stage_ns[TMNET_STAGE_GATE];
					if (s == B_B) {
						dec += out.verdict != TMNET_VERDICT_NONE;
						pass += out.verdict == TMNET_VERDICT_PASS;
					}
				} else {
					int f = s - N_CORE;

					/* B's current features, normalised as float */
					for (unsigned int i = 0; i < mods[B_B].n_feat; i++)
						x[i] = (float)(((double)st[B_B]->feat[i] - mods[B_B].norm.mean[i]) *
							       (mods[B_B].norm.inv_std[i] / 65536.0) / 65536.0);
					t0 = tmn_mono_ns(NULL);
					if (f == F_C)
						tmn_bench_float_step(&fg, h[f], x, y);
					else
						tmn_bench_blas_step(&fg, h[f], x, y);
					t1 = tmn_mono_ns(NULL);
					sink += y[0];
					if (k >= 0)
						fv[f][k] = (double)(t1 - t0);
				}
			}
			if (!json && k == next) {
				fprintf(stderr, "\rbench: %3.0f %%", 100.0 * (double)k / (double)ticks);
				next += ticks / 10;
			}
		}
		(void)sink;
		if (!json)
			fprintf(stderr, "\rbench: timed loop done\n");
	}
	if (dump) {
		FILE *f = fopen(dump, "w");
		enum { NB = 120 };

		if (!f) {
			fprintf(stderr, "tmnet bench: %s: %s\n", dump, strerror(errno));
			goto out;
		}
		fprintf(f, "# bin_lo_ns  fraction of ticks: {prior,A,B} x {prior,net,gate,total}, float_c, float_openblas\n");
		for (int b = 0; b < NB; b++) {
			double lo = pow(10, 1 + b / 30.0), hi = pow(10, 1 + (b + 1) / 30.0);

			fprintf(f, "%.3f", lo);
			for (int k = 0; k < N_CORE * N_ST + N_FLOAT; k++) {
				const double *a = k < N_CORE * N_ST ? v[k / N_ST][k % N_ST] :
						  fv[k - N_CORE * N_ST];
				long c = 0;

				for (long i = 0; i < ticks; i++)
					c += (b == 0 ? a[i] < hi : b == NB - 1 ? a[i] >= lo :
					      a[i] >= lo && a[i] < hi);
				fprintf(f, " %.6g", (double)c / (double)ticks);
			}
			fprintf(f, "\n");
		}
		if (fclose(f)) {
			fprintf(stderr, "tmnet bench: %s: write failed\n", dump);
			goto out;
		}
	}
	for (int s = 0; s < N_CORE; s++)
		for (int g = 0; g < N_ST; g++)
			pcts_of(v[s][g], (size_t)ticks, &pc[s][g]);
	for (int f = 0; f < N_FLOAT; f++)
		pcts_of(fv[f], (size_t)ticks, &fp[f]);
	if (torch) {
		if (!json)
			fprintf(stderr, "bench: python3-torch GRUCell(%u, %u) + Linear, 100000 steps ...\n",
				mods[B_B].n_feat, mods[B_B].hidden);
		run_torch((int)mods[B_B].n_feat, (int)mods[B_B].hidden, 100000, &tr);
	}
	if (cg) {
		static const char *const modes[N_CORE + N_FLOAT] = { "prior", "a", "b", "float", "blas" };
		char self[4096];
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (l < 0) {
			fprintf(stderr, "tmnet bench: /proc/self/exe: %s\n", strerror(errno));
			goto out;
		}
		self[l] = 0;
		for (int i = 0; i < N_CORE + N_FLOAT; i++) {
			if (!json)
				fprintf(stderr, "bench: callgrind %s ...\n", modes[i]);
			cgmsg[i][0] = 0;
			if (run_callgrind(self, modes[i], pa, pb, 20000, &ipt[i], cgmsg[i],
					  sizeof(cgmsg[i])))
				ipt[i] = NAN;
		}
	}

	if (json) {
		char *jbuf = NULL;
		size_t jlen = 0;
		FILE *mf = open_memstream(&jbuf, &jlen), *so = stdout;

		if (!mf)
			goto oom;
		stdout = mf;
		printf("{\n  \"ticks\": %ld, \"warmup\": %ld, \"pinned_cpu\": %ld,\n", ticks, warm, cpu);
		printf("  \"note\": \"native, interleaved in one run, CLOCK_MONOTONIC ns; per-stage clock reads are inside total; shared 2-core machine: compare ratios\",\n");
		printf("  \"models\": {\"A\": \"%s\", \"B\": \"%s\"},\n", origin[B_A], origin[B_B]);
		printf("  \"core\": {\n");
		for (int s = 0; s < N_CORE; s++) {
			printf("    \"%s\": {", core_name[s]);
			for (int g = 0; g < N_ST; g++)
				printf("\"%s\": {\"p50\": %.0f, \"p99\": %.0f, \"p999\": %.0f, \"max\": %.0f}%s",
				       st_name[g], pc[s][g].p50, pc[s][g].p99, pc[s][g].p999, pc[s][g].max,
				       g + 1 < N_ST ? ", " : "");
			if (cg)
				printf(", \"instr_per_tick\": %.1f", ipt[s]);
			printf("}%s\n", s + 1 < N_CORE ? "," : "");
		}
		printf("  },\n  \"b_gate_pass_rate\": %.6g,\n", dec ? (double)pass / (double)dec : NAN);
		printf("  \"float_step\": {\n");
		for (int f = 0; f < N_FLOAT; f++) {
			printf("    \"%s\": {\"p50\": %.0f, \"p99\": %.0f, \"p999\": %.0f, \"max\": %.0f",
			       float_name[f], fp[f].p50, fp[f].p99, fp[f].p999, fp[f].max);
			if (cg)
				printf(", \"instr_per_step\": %.1f", ipt[N_CORE + f]);
			printf("},\n");
		}
		if (tr.ok)
			printf("    \"torch\": {\"version\": \"%s\", \"steps\": %ld, \"p50\": %.0f, \"p99\": %.0f, \"p999\": %.0f, \"max\": %.0f}\n",
			       tr.version, tr.n, tr.p50, tr.p99, tr.p999, tr.max);
		else
			printf("    \"torch\": {\"error\": \"%s\"}\n", torch ? tr.msg : "not requested");
		printf("  },\n  \"ratios\": {\"b_over_a_total_p999\": %.6g, \"b_over_a_total_p50\": %.6g, ",
		       pc[B_B][ST_TOTAL].p999 / pc[B_A][ST_TOTAL].p999,
		       pc[B_B][ST_TOTAL].p50 / pc[B_A][ST_TOTAL].p50);
		printf("\"float_c_over_int8_net_p50\": %.6g, \"float_openblas_over_int8_net_p50\": %.6g, \"torch_over_int8_net_p50\": %.6g}\n}\n",
		       fp[F_C].p50 / pc[B_B][ST_NET].p50, fp[F_BLAS].p50 / pc[B_B][ST_NET].p50,
		       tr.ok ? tr.p50 / pc[B_B][ST_NET].p50 : NAN);
		stdout = so;
		fclose(mf);
		tmn_json_emit_clean(jbuf, jlen);
		free(jbuf);
	} else {
		printf("tmnet bench: %ld timed ticks per system after %ld warm-up, interleaved%s\n",
		       ticks, warm, cpu >= 0 ? ", pinned" : "");
		printf("  A: %s\n  B: %s\n", origin[B_A], origin[B_B]);
		printf("  ns, CLOCK_MONOTONIC; 'total' is around tm_tick() and includes the per-stage clock reads\n");
		printf("  %-7s %-6s %8s %8s %8s %10s\n", "system", "stage", "P50", "P99", "P99.9", "max");
		for (int s = 0; s < N_CORE; s++)
			for (int g = 0; g < N_ST; g++)
				printf("  %-7s %-6s %8.0f %8.0f %8.0f %10.0f\n", g ? "" : core_name[s],
				       st_name[g], pc[s][g].p50, pc[s][g].p99, pc[s][g].p999, pc[s][g].max);
		printf("  B gate pass rate in this run: %.1f %%\n",
		       dec ? 100.0 * (double)pass / (double)dec : NAN);
		printf("\n  GRU step (F=%u, H=%u) + head, one step per tick, same run:\n",
		       mods[B_B].n_feat, mods[B_B].hidden);
		printf("  %-22s %8s %8s %8s %10s %12s\n", "implementation", "P50", "P99", "P99.9", "max",
		       "P50/int8");
		printf("  %-22s %8.0f %8.0f %8.0f %10.0f %12.2f\n", "int8 core (B net stage)",
		       pc[B_B][ST_NET].p50, pc[B_B][ST_NET].p99, pc[B_B][ST_NET].p999,
		       pc[B_B][ST_NET].max, 1.0);
		for (int f = 0; f < N_FLOAT; f++)
			printf("  %-22s %8.0f %8.0f %8.0f %10.0f %12.2f\n", float_name[f], fp[f].p50,
			       fp[f].p99, fp[f].p999, fp[f].max, fp[f].p50 / pc[B_B][ST_NET].p50);
		if (tr.ok)
			printf("  %-22s %8.0f %8.0f %8.0f %10.0f %12.2f   (torch %s, separate process)\n",
			       "python3-torch", tr.p50, tr.p99, tr.p999, tr.max,
			       tr.p50 / pc[B_B][ST_NET].p50, tr.version);
		else
			printf("  python3-torch: %s\n", torch ? tr.msg : "not requested (--torch)");
		printf("  (the int8 net stage includes two clock reads; the float steps one pair)\n");
		printf("\n  B/A whole-tick ratio: P50 %.3f, P99.9 %.3f\n",
		       pc[B_B][ST_TOTAL].p50 / pc[B_A][ST_TOTAL].p50,
		       pc[B_B][ST_TOTAL].p999 / pc[B_A][ST_TOTAL].p999);
		if (cg) {
			static const char *const nm[N_CORE + N_FLOAT] = {
				"prior tick", "A tick", "B tick", "float C step", "float OpenBLAS step" };

			printf("\n  instructions (callgrind, 20000 ticks, inside tm_tick / the float step):\n");
			for (int i = 0; i < N_CORE + N_FLOAT; i++)
				if (isnan(ipt[i]))
					printf("  %-22s %s\n", nm[i], cgmsg[i]);
				else
					printf("  %-22s %10.0f per tick\n", nm[i], ipt[i]);
		}
	}
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "tmnet bench: out of memory\n");
out:
	tmn_series_free(&d);
	for (int s = 0; s < N_CORE; s++) {
		free(st[s]);
		for (int g = 0; g < N_ST; g++)
			free(v[s][g]);
	}
	for (int f = 0; f < N_FLOAT; f++)
		free(fv[f]);
	return rc;
}
