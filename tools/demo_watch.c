// SPDX-License-Identifier: GPL-2.0
/*
 * demo-watch - the live part of `make demo` (tools/demo.sh), run as root in
 * the guest next to a loaded tmnet.ko.
 *
 * It streams a canonical CSV into /dev/tmnetN in replay mode (the kernel
 * consumes one sample per tick, so the device's 2 kHz timer sets the pace),
 * reads every prediction record back and prints one line per second of
 * device time: ticks, per-stage P99.9 from the records' own stage_ns,
 * the gate pass rate and the error against the measured position one
 * horizon later.  At the end it prints a summary built from the kernel's
 * counters and histograms (debugfs) and the records, re-runs the same
 * samples through the userspace core and counts the records that differ.
 *
 * With --check it only validates the data and the model (host side).
 * Everything it prints is measured in this run; nothing is simulated.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tm_core.h"
#include "tmn_data.h"

static const char usage_text[] =
	"usage: demo-watch --data FILE.csv --model FILE.tmn [options]\n"
	"       demo-watch --check [--data FILE.csv] [--model FILE.tmn]\n"
	"  Streams FILE.csv into the device (replay mode), prints per-second stats\n"
	"  and a final summary; --check only validates the two files.\n"
	"  -d, --data FILE       canonical CSV (tmnet data gen/import)\n"
	"  -m, --model FILE      the .tmn blob loaded into the device\n"
	"  -D, --dev NAME        device (default tmnet0)\n"
	"  -t, --seconds S       stream at most S seconds of data (default 10)\n"
	"  -o, --out DIR         write per-second.csv, pred.csv, summary.txt,\n"
	"                        latency.txt, stats.txt, histogram.txt there\n"
	"      --start CMD       shell command that starts the device\n"
	"      --stop CMD        shell command that stops it\n"
	"      --check           validate DATA and/or MODEL (and that their rates\n"
	"                        match), print one line, exit\n"
	"  -h, --help\n";

#define DBG_ROOT "/sys/kernel/debug/tmnet"

static const char *const reason_names[__TMNET_REASON_MAX] = {
	"ok", "chi2", "budget", "cert", "no_model", "stale", "saturation"
};

static char dbg_dir[256];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t have = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (have + 1 < cap && (n = read(fd, buf + have, cap - 1 - have)) > 0)
		have += (size_t)n;
	close(fd);
	buf[have] = 0;
	return 0;
}

/* "key value" line of a debugfs file; -1 when absent */
static long long dbg_get(const char *file, const char *key)
{
	static char buf[8192];
	char path[300];
	size_t kl = strlen(key);
	char *p;

	snprintf(path, sizeof(path), "%s/%s", dbg_dir, file);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return atoll(p + kl + 1);
	return -1;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted array */
static double pct_d(const double *v, size_t n, double q)
{
	size_t k;

	if (!n)
		return NAN;
	k = (size_t)ceil(q * (double)n);
	return v[k ? k - 1 : 0];
}

static __u32 pct_u32(const __u32 *v, size_t n, double q)
{
	size_t k;

	if (!n)
		return 0;
	k = (size_t)ceil(q * (double)n);
	return v[k ? k - 1 : 0];
}

static int load_blob(const char *path, void **blob, __u32 *len, struct tm_model *m)
{
	struct tm_blob_error be;
	FILE *f = fopen(path, "rb");
	long sz;

	if (!f) {
		fprintf(stderr, "demo-watch: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	if (sz <= 0 || sz > (long)TMNET_BLOB_MAX_SIZE) {
		fprintf(stderr, "demo-watch: %s: not a tmnet model (size %ld, want 1..%u bytes)\n",
			path, sz, TMNET_BLOB_MAX_SIZE);
		fclose(f);
		return -1;
	}
	*len = (__u32)sz;
	*blob = malloc(*len);
	if (!*blob || fread(*blob, 1, *len, f) != *len) {
		fprintf(stderr, "demo-watch: %s: read failed\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (tm_model_from_blob(m, *blob, *len, &be)) {
		fprintf(stderr, "demo-watch: %s: not a valid tmnet model: %s (byte %u)\n", path,
			be.msg ? be.msg : tm_blob_strerror(be.code), be.offset);
		return -1;
	}
	return 0;
}

static int pred_eq(const struct tmnet_pred *a, const struct tmnet_pred *b)
{
	return a->tick == b->tick && a->prior_x == b->prior_x &&
	       a->prior_y == b->prior_y && a->net_x == b->net_x &&
	       a->net_y == b->net_y && a->pred_x == b->pred_x &&
	       a->pred_y == b->pred_y && a->system == b->system &&
	       a->verdict == b->verdict && a->reason == b->reason &&
	       (a->flags & ~TMNET_PRED_F_OVERRUN) == (b->flags & ~TMNET_PRED_F_OVERRUN) &&
	       a->cert_q16 == b->cert_q16 && a->d2_q16 == b->d2_q16 &&
	       a->gate_macs == b->gate_macs && a->sample_seq == b->sample_seq;
}

struct run {
	const struct tmn_series *d;
	size_t n;		/* samples streamed */
	unsigned int H;		/* horizon ticks */
	__u32 *seg;		/* segment number of each sample */
	struct tmnet_pred *r;
	size_t have, cap;
	FILE *sec_csv;
};

/* error of record i's prediction and prior against the measured truth */
static int rec_err(const struct run *u, const struct tmnet_pred *p, double *e_pred,
		   double *e_prior)
{
	size_t k;
	const struct tmnet_sample *t;
	double tx, ty;

	if (!(p->flags & TMNET_PRED_F_SAMPLE) || !(p->flags & TMNET_PRED_F_PRIOR_INIT))
		return 0;
	k = (size_t)p->sample_seq + u->H;
	if (k >= u->n)
		return 0;
	/* as tmnet eval: no horizon target across a segment start */
	if (u->seg[k] != u->seg[p->sample_seq])
		return 0;
	t = &u->d->s[k];
	if (!(t->flags & TMNET_SAMPLE_VALID))
		return 0;
	tx = t->x / 65536.0;
	ty = t->y / 65536.0;
	*e_pred = hypot(p->pred_x / 65536.0 - tx, p->pred_y / 65536.0 - ty);
	*e_prior = hypot(p->prior_x / 65536.0 - tx, p->prior_y / 65536.0 - ty);
	return 1;
}

/* one line for records [lo, hi) = second number sec */
static void second_line(struct run *u, size_t lo, size_t hi, unsigned int sec)
{
	static __u32 v[TMNET_N_STAGES][20000];
	size_t n = hi - lo, i, m = 0, pass = 0, gated = 0, ovr = 0;
	double se = 0, sp = 0, e1, e2;
	__u32 p999[TMNET_N_STAGES];
	char errs[64];
	long long kt;

	if (n > 20000)
		n = 20000;
	for (i = 0; i < n; i++) {
		const struct tmnet_pred *p = &u->r[lo + i];

		for (int s = 0; s < TMNET_N_STAGES; s++)
			v[s][i] = p->stage_ns[s];
		if (p->verdict != TMNET_VERDICT_NONE) {
			gated++;
			pass += p->verdict == TMNET_VERDICT_PASS || p->verdict == TMNET_VERDICT_BLEND;
		}
		ovr += !!(p->flags & TMNET_PRED_F_OVERRUN);
		if (rec_err(u, p, &e1, &e2)) {
			se += e1;
			sp += e2;
			m++;
		}
	}
	for (int s = 0; s < TMNET_N_STAGES; s++) {
		qsort(v[s], n, sizeof(__u32), cmp_u32);
		p999[s] = pct_u32(v[s], n, 0.999);
	}
	kt = dbg_get("stats", "ticks");
	if (m)
		snprintf(errs, sizeof(errs), "err %7.2f prior %7.2f", se / m, sp / m);
	else
		snprintf(errs, sizeof(errs), "err       - prior       -");
	printf("%3us %6zu ticks (kernel %7lld) | P99.9 us: late %6.1f prior %5.1f net %5.1f gate %5.1f pub %5.1f total %6.1f | gate %5.1f%% | %s%s\n",
	       sec, n, kt, p999[0] / 1e3, p999[1] / 1e3, p999[2] / 1e3, p999[3] / 1e3,
	       p999[4] / 1e3, p999[5] / 1e3, gated ? 100.0 * pass / gated : 0.0, errs,
	       ovr ? "  (overrun)" : "");
	fflush(stdout);
	if (u->sec_csv)
		fprintf(u->sec_csv, "%u,%zu,%lld,%u,%u,%u,%u,%u,%u,%.4f,%.6g,%.6g,%zu\n", sec, n,
			kt, p999[0], p999[1], p999[2], p999[3], p999[4], p999[5],
			gated ? 100.0 * pass / gated : 0.0, m ? se / m : NAN,
			m ? sp / m : NAN, ovr);
}

static int read_records(int fd, struct run *u)
{
	ssize_t n;

	while (u->have < u->cap) {
		n = read(fd, u->r + u->have, (u->cap - u->have) * sizeof(*u->r));
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0 || n % sizeof(*u->r))
			return -EPROTO;
		u->have += (size_t)n / sizeof(*u->r);
	}
	return 0;
}

static void copy_dbg(const char *file, const char *outdir)
{
	static char buf[1 << 20];
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dbg_dir, file);
	if (read_file(path, buf, sizeof(buf)))
		return;
	snprintf(path, sizeof(path), "%s/%s.txt", outdir, file);
	f = fopen(path, "w");
	if (f) {
		fputs(buf, f);
		fclose(f);
	}
}

/* printf to stdout and to the summary file */
static FILE *sumf;
__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (sumf) {
		va_start(ap, fmt);
		vfprintf(sumf, fmt, ap);
		va_end(ap);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "model", required_argument, NULL, 'm' },
		{ "dev", required_argument, NULL, 'D' },
		{ "seconds", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "start", required_argument, NULL, 1 },
		{ "stop", required_argument, NULL, 2 },
		{ "check", no_argument, NULL, 3 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *model = NULL, *dev = "tmnet0", *out = NULL;
	const char *start_cmd = NULL, *stop_cmd = NULL;
	double secs = 10, t0, t1, deadline, *ep = NULL, *epr = NULL;
	static struct tm_model m;
	static struct tm_state st;
	struct tmn_series d = { 0 };
	struct tm_cfg cfg;
	struct run u = { 0 };
	char err[512], path[512];
	void *blob = NULL;
	__u32 blen = 0;
	size_t sent = 0, done_sec = 0, i, ne = 0, mismatch = 0, k;
	int o, check = 0, fd, rc = 1, e = 0;
	ssize_t w;
	FILE *pf = NULL;

	while ((o = getopt_long(argc, argv, "d:m:D:t:o:h", lo, NULL)) != -1) {
		switch (o) {
		case 'd': data = optarg; break;
		case 'm': model = optarg; break;
		case 'D': dev = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'o': out = optarg; break;
		case 1: start_cmd = optarg; break;
		case 2: stop_cmd = optarg; break;
		case 3: check = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if ((!check && (!data || !model)) || (!data && !model) || optind != argc ||
	    !(secs > 0 && secs <= 3600)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (model && load_blob(model, &blob, &blen, &m))
		return 1;
	if (data && tmn_csv_read(data, &d, err, sizeof(err))) {
		fprintf(stderr, "demo-watch: %s: not a canonical tmnet CSV: %s\n", data, err);
		return 1;
	}
	if (check && !data) {
		printf("%s: system %s, %u Hz, horizon %u ticks, crc32 %08x\n", model,
		       m.system == TMNET_SYS_B ? "B" : m.system == TMNET_SYS_A ? "A" : "prior",
		       m.rate_hz, m.horizon_ticks, m.crc32);
		free(blob);
		return 0;
	}
	if (check && !model) {
		printf("%s: %zu samples at %d Hz (%.1f s)\n", data, d.n, d.rate_hz,
		       (double)d.n / d.rate_hz);
		tmn_series_free(&d);
		return 0;
	}
	if ((__u32)d.rate_hz != m.rate_hz) {
		fprintf(stderr, "demo-watch: %s is sampled at %d Hz but %s runs at %u Hz\n"
			"  (resample it: tmnet data import --rate %u)\n", data, d.rate_hz,
			model, m.rate_hz, m.rate_hz);
		return 1;
	}
	if (d.n < (size_t)m.horizon_ticks + m.rate_hz) {
		fprintf(stderr, "demo-watch: %s: %zu samples, need at least %u (1 s + the %u-tick horizon)\n",
			data, d.n, m.horizon_ticks + m.rate_hz, m.horizon_ticks);
		return 1;
	}
	if (check) {
		printf("%s: %zu samples at %d Hz (%.1f s); %s: system %s, %u Hz, horizon %u ticks, crc32 %08x\n",
		       data, d.n, d.rate_hz, (double)d.n / d.rate_hz, model,
		       m.system == TMNET_SYS_B ? "B" : m.system == TMNET_SYS_A ? "A" : "prior",
		       m.rate_hz, m.horizon_ticks, m.crc32);
		return 0;
	}

	u.d = &d;
	u.H = m.horizon_ticks;
	u.n = (size_t)(secs * m.rate_hz);
	if (u.n > d.n)
		u.n = d.n;
	for (i = 0; i < u.n; i++)
		d.s[i].seq = (__u32)i;
	u.cap = u.n + 4 * TMNET_DEFAULT_RATE_HZ;
	u.r = calloc(u.cap, sizeof(*u.r));
	u.seg = malloc((u.n ? u.n : 1) * sizeof(*u.seg));
	if (u.seg)
		for (i = 0; i < u.n; i++)
			u.seg[i] = (i ? u.seg[i - 1] : 0) +
				   (i && (d.s[i].flags & TMNET_SAMPLE_SEG_START));
	if (!u.r || !u.seg) {
		fprintf(stderr, "demo-watch: out of memory\n");
		return 1;
	}
	snprintf(dbg_dir, sizeof(dbg_dir), DBG_ROOT "/%s", dev);
	snprintf(path, sizeof(path), "/dev/%s", dev);
	fd = open(path, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "demo-watch: %s: %s (is tmnet.ko loaded?)\n", path, strerror(errno));
		return 1;
	}
	if (out) {
		snprintf(path, sizeof(path), "%s/per-second.csv", out);
		u.sec_csv = fopen(path, "w");
		if (u.sec_csv)
			fputs("second,records,kernel_ticks,p999_late_ns,p999_prior_ns,p999_net_ns,p999_gate_ns,p999_publish_ns,p999_total_ns,gate_pass_pct,err_mean,prior_err_mean,overrun_ticks\n",
			      u.sec_csv);
	}

	/* prefill the input queue while stopped, then start the timer */
	w = write(fd, d.s, u.n * sizeof(*d.s));
	sent = w > 0 ? (size_t)w / sizeof(*d.s) : 0;
	printf("demo: streaming %zu samples (%.1f s at %u Hz) of %s into /dev/%s, replay mode; %zu queued before start\n",
	       u.n, (double)u.n / m.rate_hz, m.rate_hz, data, dev, sent);
	printf("       error = distance of the prediction to the measured position %u ticks (%.0f ms) later, data units\n",
	       u.H, 1e3 * u.H / m.rate_hz);
	fflush(stdout);
	t0 = now_s();
	if (start_cmd && system(start_cmd)) {
		fprintf(stderr, "demo-watch: '%s' failed\n", start_cmd);
		return 1;
	}
	deadline = t0 + 4 * secs + 30;
	while (now_s() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (sent < u.n)
			p.events |= POLLOUT;
		if (poll(&p, 1, 200) < 0 && errno != EINTR)
			break;
		if ((p.revents & POLLOUT) && sent < u.n) {
			w = write(fd, d.s + sent, (u.n - sent) * sizeof(*d.s));
			if (w > 0)
				sent += (size_t)w / sizeof(*d.s);
		}
		if (p.revents & POLLIN) {
			e = read_records(fd, &u);
			if (e)
				break;
		}
		/* finished seconds of device time */
		while (u.have >= (done_sec + 1) * m.rate_hz) {
			second_line(&u, done_sec * m.rate_hz, (done_sec + 1) * m.rate_hz,
				    (unsigned int)done_sec + 1);
			done_sec++;
		}
		/* done once the last sample was ingested */
		if (u.have && (u.r[u.have - 1].flags & TMNET_PRED_F_SAMPLE) &&
		    u.r[u.have - 1].sample_seq + 1 >= u.n)
			break;
		if (u.have == u.cap)
			break;
	}
	if (stop_cmd && system(stop_cmd))
		fprintf(stderr, "demo-watch: '%s' failed\n", stop_cmd);
	t1 = now_s();
	if (!e)
		e = read_records(fd, &u);
	if (u.have > done_sec * m.rate_hz + m.rate_hz / 10)
		second_line(&u, done_sec * m.rate_hz, u.have, (unsigned int)done_sec + 1);
	close(fd);
	if (u.sec_csv)
		fclose(u.sec_csv);

	/* ---- summary ------------------------------------------------------- */
	if (out) {
		snprintf(path, sizeof(path), "%s/summary.txt", out);
		sumf = fopen(path, "w");
		snprintf(path, sizeof(path), "%s/pred.csv", out);
		pf = fopen(path, "w");
		if (pf)
			fputs("tick,target_s,truth_x,truth_y,pred_x,pred_y,prior_x,prior_y,now_x,now_y,err,prior_err,verdict\n",
			      pf);
		copy_dbg("stats", out);
		copy_dbg("latency", out);
		copy_dbg("histogram", out);
		copy_dbg("model", out);
	}
	ep = calloc(u.have + 1, sizeof(double));
	epr = calloc(u.have + 1, sizeof(double));
	{
		size_t pass = 0, gated = 0, fb[__TMNET_REASON_MAX] = { 0 }, withs = 0;
		long long kt = dbg_get("stats", "ticks"), kov = dbg_get("stats", "overruns");
		char lat[4096], pmsg[256] = "";

		for (i = 0; i < u.have; i++) {
			const struct tmnet_pred *p = &u.r[i];
			double e1, e2;

			withs += !!(p->flags & TMNET_PRED_F_SAMPLE);
			if (p->verdict != TMNET_VERDICT_NONE) {
				gated++;
				if (p->verdict == TMNET_VERDICT_PASS || p->verdict == TMNET_VERDICT_BLEND)
					pass++;
				else if (p->reason < __TMNET_REASON_MAX)
					fb[p->reason]++;
			}
			if (ep && rec_err(&u, p, &e1, &e2)) {
				ep[ne] = e1;
				epr[ne] = e2;
				ne++;
				if (pf && i % 4 == 0) {
					const struct tmnet_sample *t = &d.s[p->sample_seq + u.H];
					const struct tmnet_sample *c = &d.s[p->sample_seq];

					fprintf(pf, "%llu,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%u\n",
						(unsigned long long)p->tick,
						(double)(p->sample_seq + u.H) / m.rate_hz,
						t->x / 65536.0, t->y / 65536.0, p->pred_x / 65536.0,
						p->pred_y / 65536.0, p->prior_x / 65536.0,
						p->prior_y / 65536.0, c->x / 65536.0, c->y / 65536.0,
						e1, e2, p->verdict);
				}
			}
		}
		if (pf)
			fclose(pf);
		qsort(ep, ne, sizeof(double), cmp_d);
		qsort(epr, ne, sizeof(double), cmp_d);

		/* the same samples through the userspace core */
		tm_cfg_from_model(&cfg, &m);
		tm_state_reset(&st);
		/*
		 * A record with TMNET_PRED_F_SAMPLE names the sample it ingested
		 * (sample_seq); any other tick had no sample or an invalid one,
		 * which the core treats alike.
		 */
		for (i = 0; i < u.have; i++) {
			struct tmnet_pred x;
			const struct tmnet_sample *sp = NULL;

			memset(&x, 0, sizeof(x));
			k = u.r[i].sample_seq;
			if ((u.r[i].flags & TMNET_PRED_F_SAMPLE) && k < u.n)
				sp = &d.s[k];
			tm_tick(&st, &m, &cfg, sp, &x, NULL);
			if (!pred_eq(&x, &u.r[i]) && !mismatch++)
				snprintf(pmsg, sizeof(pmsg), "parity      first difference at tick %llu: kernel pred %d,%d verdict %u reason %u; userspace %d,%d verdict %u reason %u\n",
				    (unsigned long long)u.r[i].tick, u.r[i].pred_x, u.r[i].pred_y,
				    u.r[i].verdict, u.r[i].reason, x.pred_x, x.pred_y, x.verdict,
				    x.reason);
		}

		say("\n==== tmnet demo summary ====\n");
		say("kernel      %s, model %.*s (system %s, crc32 %08x, horizon %u ticks = %.0f ms)\n",
		    dev, TMNET_NAME_LEN, m.name,
		    m.system == TMNET_SYS_B ? "B" : m.system == TMNET_SYS_A ? "A" : "prior",
		    m.crc32, m.horizon_ticks, 1e3 * m.horizon_ticks / m.rate_hz);
		say("run         %.2f s wall, %lld ticks at %u Hz (%.0f ticks/s), %lld overruns, %zu records read, %zu with a sample\n",
		    t1 - t0, kt, m.rate_hz, (t1 - t0) > 0 ? kt / (t1 - t0) : 0.0, kov, u.have, withs);
		say("timer       ticks + overruns = %lld periods in %.2f s = %.0f Hz (rate %u Hz; overruns = periods the callback started too late for)\n",
		    kt + kov, t1 - t0, (t1 - t0) > 0 ? (kt + kov) / (t1 - t0) : 0.0, m.rate_hz);
		say("gate        %.2f %% pass of %zu decisions; fallbacks:", gated ? 100.0 * pass / gated : 0.0,
		    gated);
		for (int r = 1; r < __TMNET_REASON_MAX; r++)
			say(" %s %zu", reason_names[r], fb[r]);
		say("\n");
		say("error       vs the measured position %.0f ms later, %zu ticks (data units)\n",
		    1e3 * u.H / m.rate_hz, ne);
		say("            published  P50 %8.3f  P90 %8.3f  P99 %8.3f\n", pct_d(ep, ne, .5),
		    pct_d(ep, ne, .9), pct_d(ep, ne, .99));
		say("            prior only P50 %8.3f  P90 %8.3f  P99 %8.3f   (P99 ratio %.3f)\n",
		    pct_d(epr, ne, .5), pct_d(epr, ne, .9), pct_d(epr, ne, .99),
		    pct_d(ep, ne, .99) / pct_d(epr, ne, .99));
		say("parity      %zu of %zu kernel records differ from the userspace core (bit-exact: %s)\n",
		    mismatch, u.have, mismatch ? "NO" : "yes");
		if (mismatch)
			say("%s", pmsg);
		snprintf(path, sizeof(path), "%s/latency", dbg_dir);
		if (!read_file(path, lat, sizeof(lat))) {
			say("latency     kernel histograms (debugfs %s/latency), ns, TCG guest:\n", dbg_dir);
			for (char *l = strtok(lat, "\n"); l; l = strtok(NULL, "\n"))
				say("            %s\n", l);
		}
		if (e)
			say("error       reading records: %s\n", strerror(-e));
		rc = (e || !u.have || mismatch) ? 1 : 0;
	}
	if (sumf)
		fclose(sumf);
	free(ep);
	free(epr);
	free(u.r);
	free(u.seg);
	free(blob);
	tmn_series_free(&d);
	return rc;
}
