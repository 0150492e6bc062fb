// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet_smoke - data-plane test of a loaded tmnet.ko, run inside a guest.
 *
 * Loads a model through debugfs, feeds a synthetic trajectory through
 * /dev/tmnetN in replay mode, reads the prediction records back and checks
 * them against the debugfs counters and against the same core run in
 * userspace (bit for bit).  Then exercises live mode, the fault knobs and
 * output overflow.  Prints TAP lines; exit status 0 iff all passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tm_core.h"

struct ctx {
	const char *dev;
	char dbg[256];
	const char *blob_path;
	unsigned char *blob;
	size_t blob_len;
	int fd;
	unsigned int rate;
	double seconds;
	int tap;
	int fails;
	int overflow_test;
	int verbose;
	unsigned int in_ring, out_ring;	/* from the stats file */
};

static void tap(struct ctx *c, int ok, const char *fmt, ...)
{
	va_list ap;

	c->tap++;
	if (!ok)
		c->fails++;
	printf("%sok %d - ", ok ? "" : "not ", c->tap);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* v lies between a and b (inclusive, either order) */
static int between(int32_t v, int32_t a, int32_t b)
{
	return a <= b ? v >= a && v <= b : v >= b && v <= a;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* write a debugfs file; returns 0 or -errno */
static int dbg_write(struct ctx *c, const char *file, const void *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", c->dbg, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	err = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return err;
}

static int cmd(struct ctx *c, const char *line)
{
	int err = dbg_write(c, "config", line, strlen(line));

	if (err && c->verbose)
		printf("# config '%s': %s\n", line, strerror(-err));
	return err;
}

static int dbg_read(struct ctx *c, const char *file, char *buf, size_t cap)
{
	char path[512];
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->dbg, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (got + 1 < cap && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return 0;
}

/* value of "key N" in a debugfs file, or -1 */
static long long dbg_get(struct ctx *c, const char *file, const char *key)
{
	static char buf[8192];
	size_t kl = strlen(key);
	char *p;

	if (dbg_read(c, file, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 0);
	return -1;
}

static long long st_get(struct ctx *c, const char *key)
{
	return dbg_get(c, "stats", key);
}

/* A smooth 2-D trajectory: a drifting ellipse, with a turn at 1/3 of the run */
static void make_samples(struct tmnet_sample *s, unsigned int n, unsigned int rate)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		double t = (double)i / rate, w = 2 * M_PI * 0.4;
		double x = 3.0 * cos(w * t) + 0.5 * t, y = 2.0 * sin(w * t) - 0.2 * t;
		double vx = -3.0 * w * sin(w * t) + 0.5, vy = 2.0 * w * cos(w * t) - 0.2;

		s[i].t_ns = (uint64_t)i * 1000000000ULL / rate;
		s[i].x = (int32_t)lround(x * 65536);
		s[i].y = (int32_t)lround(y * 65536);
		s[i].vx = (int32_t)lround(vx * 65536);
		s[i].vy = (int32_t)lround(vy * 65536);
		s[i].flags = TMNET_SAMPLE_VALID;
		s[i].seq = i;
	}
}

static int read_records(struct ctx *c, struct tmnet_pred *r, size_t cap, size_t *have)
{
	ssize_t n;

	while (*have < cap) {
		n = read(c->fd, r + *have, (cap - *have) * sizeof(*r));
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n % sizeof(*r))
			return -EPROTO;	/* a torn record */
		*have += (size_t)n / sizeof(*r);
	}
	return 0;
}

static int load_blob(struct ctx *c)
{
	FILE *f = fopen(c->blob_path, "rb");
	long len;

	if (!f)
		return -errno;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	c->blob = malloc((size_t)len);
	if (!c->blob || fread(c->blob, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	c->blob_len = (size_t)len;
	return 0;
}

static void test_model(struct ctx *c)
{
	long long gen0, gen;
	char buf[4096], want[64];
	unsigned char *bad;
	int err;

	gen0 = dbg_get(c, "model", "generation");
	err = dbg_write(c, "load_model", c->blob, c->blob_len);
	gen = dbg_get(c, "model", "generation");
	tap(c, !err && gen == gen0 + 1, "load_model accepts the blob (gen %lld -> %lld, %s)",
	    gen0, gen, err ? strerror(-err) : "ok");
	dbg_read(c, "model", buf, sizeof(buf));
	snprintf(want, sizeof(want), "name %.32s\n",
		 (const char *)c->blob + offsetof(struct tmnet_blob_hdr, name));
	tap(c, strstr(buf, want) && strstr(buf, "system B\n"),
	    "model file shows the blob's name and system");

	bad = malloc(c->blob_len);
	memcpy(bad, c->blob, c->blob_len);
	bad[c->blob_len / 2] ^= 0x40;
	err = dbg_write(c, "load_model", bad, c->blob_len);
	dbg_read(c, "model", buf, sizeof(buf));
	tap(c, err == -EINVAL && dbg_get(c, "model", "generation") == gen &&
	    strstr(buf, "CRC"), "a corrupted blob is rejected with EINVAL and a CRC message");
	free(bad);

	dbg_write(c, "fail_next_load", "1", 1);
	err = dbg_write(c, "load_model", c->blob, c->blob_len);
	tap(c, err == -EIO && dbg_get(c, "model", "generation") == gen,
	    "fail_next_load fault makes one load fail with EIO");
	err = dbg_write(c, "load_model", c->blob, c->blob_len);
	gen = dbg_get(c, "model", "generation");
	tap(c, !err, "the next load succeeds again (gen %lld)", gen);
}

static void test_write_errors(struct ctx *c)
{
	struct tmnet_sample s[2];
	ssize_t n1, n2, n3;
	int e1, e2, e3;

	make_samples(s, 2, c->rate);
	cmd(c, "stop");
	cmd(c, "flush");
	cmd(c, "source replay");
	dbg_write(c, "reset", "1", 1);
	n1 = write(c->fd, s, sizeof(s[0]) - 1);
	e1 = errno;
	n2 = write(c->fd, s, sizeof(s[0]) + 1);
	e2 = errno;
	tap(c, n1 < 0 && e1 == EINVAL && n2 < 0 && e2 == EINVAL &&
	    st_get(c, "samples_in") == 0 && st_get(c, "in_queued") == 0,
	    "partial records are rejected with EINVAL and nothing is queued");
	s[0].flags = 0x80;
	n3 = write(c->fd, s, sizeof(s));
	e3 = errno;
	tap(c, n3 < 0 && e3 == EINVAL && st_get(c, "samples_rejected") == 1 &&
	    st_get(c, "in_queued") == 0, "a record with unknown flag bits is rejected");
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

static void test_replay(struct ctx *c)
{
	unsigned int n = (unsigned int)(c->seconds * c->rate), i, sent, nsample = 0;
	unsigned int consumed = 0;
	size_t cap = n + 3 * c->out_ring, have = 0;
	struct tmnet_sample *s = calloc(n, sizeof(*s));
	struct tmnet_pred *r = calloc(cap, sizeof(*r));
	long long ticks, ovr, pass, fails = 0, fail[__TMNET_REASON_MAX] = { 0 };
	long long rec_pass = 0, rec_fail[__TMNET_REASON_MAX] = { 0 };
	static const char *const rn[] = { "ok", "chi2", "budget", "cert", "no_model",
					  "stale", "saturation" };
	unsigned int bad_form = 0, bad_seq = 0, bad_tick = 0, bad_t = 0, mismatch = 0;
	uint64_t period = 1000000000ULL / c->rate;
	double t0, t1, deadline, expect;
	static struct tm_model m;
	static struct tm_state st;
	struct tm_blob_error be;
	struct tm_cfg cfg;
	ssize_t w;
	int err = 0;

	cmd(c, "stop");
	cmd(c, "flush");
	cmd(c, "source replay");
	cmd(c, "unpin");
	cmd(c, "reset_state");
	dbg_write(c, "reset", "1", 1);
	make_samples(s, n, c->rate);

	w = write(c->fd, s, (size_t)n * sizeof(*s));
	sent = w > 0 ? (unsigned int)(w / sizeof(*s)) : 0;
	tap(c, sent == (n < c->in_ring ? n : c->in_ring),
	    "replay prefill queued %u of %u samples before start", sent, n);

	t0 = now_s();
	err = cmd(c, "start");
	deadline = t0 + c->seconds * 4 + 20;
	/* until every sample was consumed (the queue may run dry on a slow guest) */
	while (!err && consumed < n && have < cap && now_s() < deadline) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };

		if (sent < n)
			p.events |= POLLOUT;
		if (poll(&p, 1, 200) < 0)
			break;
		if ((p.revents & POLLOUT) && sent < n) {
			w = write(c->fd, s + sent, (size_t)(n - sent) * sizeof(*s));
			if (w > 0)
				sent += (unsigned int)(w / sizeof(*s));
		}
		if (p.revents & POLLIN) {
			size_t from = have;

			err = read_records(c, r, cap, &have);
			for (; from < have; from++)
				consumed += !!(r[from].flags & TMNET_PRED_F_SAMPLE);
		}
	}
	cmd(c, "stop");
	t1 = now_s();
	if (!err)
		err = read_records(c, r, cap, &have);
	tap(c, !err && have >= n, "read %zu records for %u samples (%s)", have, n,
	    err ? strerror(-err) : "no torn record");

	ticks = st_get(c, "ticks");
	ovr = st_get(c, "overruns");
	expect = (t1 - t0) * c->rate;
	printf("# replay: %.3f s, %lld ticks, %lld overruns, rate x time = %.0f\n",
	       t1 - t0, ticks, ovr, expect);
	tap(c, ticks + ovr > 0.9 * expect - 20 && ticks + ovr < 1.02 * expect + 20,
	    "ticks + overruns (%lld) ~ rate x time (%.0f)", ticks + ovr, expect);
	tap(c, st_get(c, "out_records") + st_get(c, "out_overflow") == ticks &&
	    st_get(c, "out_overflow") == 0 && st_get(c, "out_read") == (long long)have &&
	    (long long)have == ticks,
	    "every tick published one record and the reader got them all");

	/* form of each record */
	for (i = 0; i < have; i++) {
		const struct tmnet_pred *p = &r[i];
		int ok = p->system == TMNET_SYS_B && p->model_gen > 0 &&
			 !(p->flags & ~0x1f) && p->reason < __TMNET_REASON_MAX &&
			 (p->verdict == TMNET_VERDICT_PASS ? p->reason == TMNET_REASON_OK &&
			  p->pred_x == p->net_x && p->pred_y == p->net_y :
			  /* the monitor's blend: between the prior and the network */
			  p->verdict == TMNET_VERDICT_BLEND ? p->reason == TMNET_REASON_OK &&
			  between(p->pred_x, p->prior_x, p->net_x) &&
			  between(p->pred_y, p->prior_y, p->net_y) :
			  p->verdict == TMNET_VERDICT_FALLBACK && p->reason != TMNET_REASON_OK &&
			  p->pred_x == p->prior_x && p->pred_y == p->prior_y) &&
			 p->stage_ns[TMNET_STAGE_TOTAL] >= p->stage_ns[TMNET_STAGE_PRIOR] +
			 p->stage_ns[TMNET_STAGE_NET] + p->stage_ns[TMNET_STAGE_GATE] &&
			 p->model_gen == r[0].model_gen;

		bad_form += !ok;
		if (p->tick != i)
			bad_tick++;
		if (i && (p->t_ns <= r[i - 1].t_ns || (p->t_ns - r[i - 1].t_ns) % period))
			bad_t++;
		if (p->flags & TMNET_PRED_F_SAMPLE) {
			if (p->sample_seq != nsample)
				bad_seq++;
			nsample++;
		}
		if (p->verdict == TMNET_VERDICT_PASS || p->verdict == TMNET_VERDICT_BLEND)
			rec_pass++;
		else if (p->reason < __TMNET_REASON_MAX)
			rec_fail[p->reason]++;
	}
	tap(c, !bad_form, "records are well formed (%u bad)", bad_form);
	tap(c, !bad_tick && !bad_t, "tick numbers count from 0 and t_ns advances by whole periods (%u, %u bad)",
	    bad_tick, bad_t);
	tap(c, !bad_seq && nsample == n && st_get(c, "samples_ingested") == n &&
	    st_get(c, "samples_in") == n && st_get(c, "dropped") == 0,
	    "replay consumed each sample exactly once, in order (%u of %u)", nsample, n);
	tap(c, st_get(c, "missing") == ticks - n && st_get(c, "no_sample") == ticks - n,
	    "ticks without a sample are counted (%lld)", st_get(c, "missing"));

	/* gate counters */
	pass = st_get(c, "gate_pass");
	for (i = 1; i < __TMNET_REASON_MAX; i++) {
		char key[64];

		snprintf(key, sizeof(key), "gate_fail_%s", rn[i]);
		fail[i] = st_get(c, key);
		fails += fail[i];
	}
	printf("# gate: pass %lld, fail chi2 %lld budget %lld cert %lld no_model %lld stale %lld sat %lld\n",
	       pass, fail[1], fail[2], fail[3], fail[4], fail[5], fail[6]);
	tap(c, pass + fails == ticks && st_get(c, "fallbacks") == fails,
	    "gate passes + fails = ticks and fallbacks = fails");
	for (i = 1; i < __TMNET_REASON_MAX && rec_fail[i] == fail[i]; i++)
		;
	tap(c, rec_pass == pass && i == __TMNET_REASON_MAX,
	    "record verdicts agree with the gate counters");

	/* the same run in userspace, bit for bit */
	if (tm_model_from_blob(&m, c->blob, (uint32_t)c->blob_len, &be)) {
		tap(c, 0, "userspace model from blob: %s", be.msg);
	} else {
		unsigned int k = 0;

		tm_cfg_from_model(&cfg, &m);
		tm_state_reset(&st);
		for (i = 0; i < have; i++) {
			struct tmnet_pred u;
			const struct tmnet_sample *sp = NULL;

			memset(&u, 0, sizeof(u));
			if ((r[i].flags & TMNET_PRED_F_SAMPLE) && k < n)
				sp = &s[k++];
			tm_tick(&st, &m, &cfg, sp, &u, NULL);
			if (!pred_eq(&u, &r[i])) {
				if (!mismatch)
					printf("# first mismatch at tick %u: kernel pred %d,%d user %d,%d\n",
					       i, r[i].pred_x, r[i].pred_y, u.pred_x, u.pred_y);
				mismatch++;
			}
		}
		tap(c, !mismatch, "kernel records equal the userspace core bit for bit (%u of %zu differ)",
		    mismatch, have);
	}
	free(s);
	free(r);
}

static void print_latency(struct ctx *c)
{
	char buf[4096], *line, *save;
	long long ticks = st_get(c, "ticks");
	unsigned int rows = 0, mono = 0;

	dbg_read(c, "latency", buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		unsigned long long cnt, mean, p50, p90, p99, p999, max;

		printf("# %s\n", line);
		if (sscanf(line, "%31s %llu %llu %llu %llu %llu %llu %llu", name, &cnt, &mean,
			   &p50, &p90, &p99, &p999, &max) == 8) {
			rows++;
			mono += (long long)cnt == ticks && p50 <= p90 && p90 <= p99 &&
				p99 <= p999 && p999 <= max;
		}
	}
	tap(c, rows == TMNET_N_STAGES && mono == rows,
	    "latency: %u stages, each with count = ticks and ordered percentiles", rows);
}

static void test_histogram(struct ctx *c)
{
	static char buf[1 << 16];
	char *line, *save;
	unsigned long long lo, hi, cnt, sum = 0;
	unsigned int b;
	char name[32];
	int bad = 0;

	dbg_read(c, "histogram", buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%31s %u %llu %llu %llu", name, &b, &lo, &hi, &cnt) != 5)
			continue;
		bad += lo > hi;
		if (!strcmp(name, "total"))
			sum += cnt;
	}
	tap(c, !bad && (long long)sum == st_get(c, "ticks"),
	    "histogram: the total stage's buckets add up to the ticks (%llu)", sum);
}

/* Run live for a while, feeding one sample per ms */
static void run_live(struct ctx *c, double secs)
{
	struct tmnet_sample s[1];
	struct tmnet_pred r[64];
	double end = now_s() + secs;
	unsigned int i = 0;

	cmd(c, "start");
	while (now_s() < end) {
		make_samples(s, 1, c->rate);
		s[0].seq = i++;
		if (write(c->fd, s, sizeof(s)) != sizeof(s))
			break;
		while (read(c->fd, r, sizeof(r)) > 0)
			;
		sleep_s(0.001);
	}
	cmd(c, "stop");
	while (read(c->fd, r, sizeof(r)) > 0)
		;
}

static void test_faults(struct ctx *c)
{
	struct tmnet_sample s[100];
	long long ticks;

	cmd(c, "stop");
	cmd(c, "flush");
	cmd(c, "source live");
	cmd(c, "reset_state");
	dbg_write(c, "reset", "1", 1);
	dbg_write(c, "fault_corrupt_net", "1", 1);
	run_live(c, 0.4);
	dbg_write(c, "fault_corrupt_net", "0", 1);
	ticks = st_get(c, "ticks");
	tap(c, ticks > 0 && st_get(c, "gate_fail_chi2") > 0 &&
	    st_get(c, "gate_pass") == 0,
	    "corrupt_net fault: the gate rejects the network (%lld chi2 fails of %lld ticks)",
	    st_get(c, "gate_fail_chi2"), ticks);

	cmd(c, "reset_state");
	dbg_write(c, "reset", "1", 1);
	dbg_write(c, "fault_stale", "1", 1);
	run_live(c, 0.3);
	dbg_write(c, "fault_stale", "0", 1);
	ticks = st_get(c, "ticks");
	tap(c, ticks > 0 && st_get(c, "samples_ingested") == 0 &&
	    st_get(c, "gate_fail_stale") == ticks && st_get(c, "samples_in") > 0,
	    "stale fault: samples are ignored and every tick falls back as stale");

	/* live: the newest of a burst wins, the rest are dropped */
	cmd(c, "flush");
	dbg_write(c, "reset", "1", 1);
	make_samples(s, 100, c->rate);
	tap(c, write(c->fd, s, sizeof(s)) == sizeof(s), "live mode accepts a burst of 100");
	cmd(c, "start");
	sleep_s(0.05);
	cmd(c, "stop");
	tap(c, st_get(c, "dropped") == 99 && st_get(c, "samples_ingested") == 1,
	    "live mode: newest sample wins, 99 counted dropped (%lld)", st_get(c, "dropped"));
	{
		struct tmnet_pred r[64];
		ssize_t n;
		int last_seq = -1;

		while ((n = read(c->fd, r, sizeof(r))) > 0) {
			for (int i = 0; i < n / (ssize_t)sizeof(r[0]); i++)
				if (r[i].flags & TMNET_PRED_F_SAMPLE)
					last_seq = (int)r[i].sample_seq;
		}
		tap(c, last_seq == 99, "the ingested sample is the newest (seq %d)", last_seq);
	}
	cmd(c, "source replay");
}

static void test_overflow(struct ctx *c)
{
	struct tmnet_pred *r = calloc(c->out_ring + 16, sizeof(*r));
	size_t have = 0, i, gaps = 0;
	long long ovf;
	double t0 = now_s();

	cmd(c, "stop");
	cmd(c, "flush");
	dbg_write(c, "reset", "1", 1);
	cmd(c, "start");
	/* nobody reads: wait until the ring has overflowed */
	while (st_get(c, "out_overflow") < 100 && now_s() < t0 + 60)
		sleep_s(0.25);
	cmd(c, "stop");
	ovf = st_get(c, "out_overflow");
	read_records(c, r, c->out_ring + 16, &have);
	for (i = 1; i < have; i++)
		gaps += r[i].tick != r[i - 1].tick + 1;
	tap(c, ovf >= 100 && have == c->out_ring && !gaps &&
	    st_get(c, "out_records") + ovf == st_get(c, "ticks"),
	    "output overflow is counted (%lld) and the ring keeps %zu whole, consecutive records",
	    ovf, have);
	free(r);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tmnet_smoke [options] --blob FILE\n"
		"Data-plane test of a loaded tmnet.ko (run as root, debugfs mounted).\n\n"
		"  -d, --dev PATH       device (default /dev/tmnet0)\n"
		"  -b, --blob FILE      System B model blob (from mkblob)\n"
		"  -s, --seconds S      replay length (default 2.5)\n"
		"  -r, --rate HZ        device tick rate (default 2000)\n"
		"  -t, --tap-start N    number of the first TAP line (default 1)\n"
		"  -l, --latency-only   only the replay run and the latency table\n"
		"  -P, --parity-only    load the blob (any horizon), check the kernel shows\n"
		"                       its horizon, replay and compare with the userspace core\n"
		"  -O, --no-overflow    skip the 4 s output-overflow test\n"
		"  -v, --verbose        show failing debugfs commands\n"
		"  -h, --help           this text\n"
		"Prints TAP lines and, last, '# tap-next N'.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "blob", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "tap-start", required_argument, NULL, 't' },
		{ "latency-only", no_argument, NULL, 'l' },
		{ "parity-only", no_argument, NULL, 'P' },
		{ "no-overflow", no_argument, NULL, 'O' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { .dev = "/dev/tmnet0", .rate = 2000, .seconds = 2.5,
			 .overflow_test = 1 };
	const char *base;
	int opt, latency_only = 0, parity_only = 0;

	while ((opt = getopt_long(argc, argv, "d:b:s:r:t:lPOvh", lo, NULL)) != -1) {
		switch (opt) {
		case 'd':
			c.dev = optarg;
			break;
		case 'b':
			c.blob_path = optarg;
			break;
		case 's':
			c.seconds = atof(optarg);
			break;
		case 'r':
			c.rate = (unsigned int)atoi(optarg);
			break;
		case 't':
			c.tap = atoi(optarg) - 1;
			break;
		case 'l':
			latency_only = 1;
			break;
		case 'P':
			parity_only = 1;
			break;
		case 'O':
			c.overflow_test = 0;
			break;
		case 'v':
			c.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!c.blob_path || c.seconds <= 0 || c.rate < TMNET_MIN_RATE_HZ ||
	    c.rate > TMNET_MAX_RATE_HZ) {
		usage(stderr);
		return 2;
	}
	base = strrchr(c.dev, '/');
	snprintf(c.dbg, sizeof(c.dbg), "/sys/kernel/debug/tmnet/%s", base ? base + 1 : c.dev);
	if (load_blob(&c)) {
		fprintf(stderr, "tmnet_smoke: cannot read %s: %s\n", c.blob_path, strerror(errno));
		return 2;
	}
	c.fd = open(c.dev, O_RDWR | O_NONBLOCK);
	tap(&c, c.fd >= 0, "open %s", c.dev);
	if (c.fd < 0)
		goto out;
	c.in_ring = (unsigned int)st_get(&c, "in_ring");
	c.out_ring = (unsigned int)st_get(&c, "out_ring");
	if (parity_only) {
		/* another model (e.g. a 20 ms horizon): load it, then replay parity */
		char want[64], buf[4096];
		__u32 hor = 0;

		memcpy(&hor, c.blob + offsetof(struct tmnet_blob_hdr, horizon_ticks), sizeof(hor));
		cmd(&c, "stop");
		tap(&c, !dbg_write(&c, "load_model", c.blob, c.blob_len), "load_model accepts %s",
		    c.blob_path);
		snprintf(want, sizeof(want), "horizon_ticks %u\n", hor);
		dbg_read(&c, "model", buf, sizeof(buf));
		tap(&c, strstr(buf, want) != NULL,
		    "the kernel runs the blob's horizon: %u ticks (%.1f ms at %u Hz)", hor,
		    1e3 * hor / c.rate, c.rate);
		test_replay(&c);
		goto out;
	}
	if (latency_only) {
		cmd(&c, "stop");
		dbg_write(&c, "load_model", c.blob, c.blob_len);
		test_replay(&c);
		print_latency(&c);
		goto out;
	}
	test_model(&c);
	test_write_errors(&c);
	test_replay(&c);
	print_latency(&c);
	test_histogram(&c);
	test_faults(&c);
	if (c.overflow_test)
		test_overflow(&c);
	cmd(&c, "stop");
	close(c.fd);
out:
	printf("# tap-next %d\n", c.tap + 1);
	return c.fails ? 1 : 0;
}
