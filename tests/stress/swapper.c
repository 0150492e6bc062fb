// SPDX-License-Identifier: GPL-2.0
/*
 * swapper - guest-side helper of tests/stress/run.sh.
 *
 *   swapper [-n SWAPS] [-s SECONDS] [-D DEBUGFS_DIR] [-c DEV] BLOB_A BLOB_B
 *
 * While a reader thread drains DEV (/dev/tmnet0) and classifies every
 * prediction record, the main thread either loads BLOB_A and BLOB_B
 * alternately SWAPS times through DEBUGFS_DIR/load_model (swap window), or,
 * with -s, does no swap for SECONDS (baseline window).  Prints key=value
 * lines: swaps done, load errors, wall time, records read, records flagged
 * TMNET_PRED_F_OVERRUN, generation changes seen by the tick, and how many
 * of the records at a generation change (the first tick after a swap) were
 * overrun.  The caller decides pass/fail from these and the device stats.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/tmnet.h>

static atomic_int stop_reader;
static const char *dev_path = "/dev/tmnet0";

struct rd_stats {
	uint64_t records, overrun, gen_changes, overrun_at_change, tick_gaps;
	int err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *reader(void *arg)
{
	struct rd_stats *st = arg;
	static struct tmnet_pred buf[512];
	uint32_t last_gen = 0;
	uint64_t last_tick = 0;
	int have = 0, fd;

	fd = open(dev_path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		st->err = errno;
		return NULL;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		size_t i;

		if (atomic_load(&stop_reader))
			break;
		if (poll(&p, 1, 100) < 0 && errno != EINTR) {
			st->err = errno;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			st->err = errno;
			break;
		}
		for (i = 0; i < (size_t)n / sizeof(buf[0]); i++) {
			const struct tmnet_pred *r = &buf[i];
			int ovr = !!(r->flags & TMNET_PRED_F_OVERRUN);

			st->records++;
			st->overrun += ovr;
			if (have && r->model_gen != last_gen) {
				st->gen_changes++;
				st->overrun_at_change += ovr;
			}
			if (have && r->tick != last_tick + 1)
				st->tick_gaps++;
			last_gen = r->model_gen;
			last_tick = r->tick;
			have = 1;
		}
	}
	close(fd);
	return NULL;
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f) {
		fprintf(stderr, "swapper: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc(n > 0 ? n : 1);
	if (!b || fread(b, 1, n, f) != (size_t)n) {
		fprintf(stderr, "swapper: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return b;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: swapper [-n SWAPS | -s SECONDS] [-D DIR] [-c DEV] BLOB_A BLOB_B\n"
		"Swap two model blobs SWAPS times through DIR/load_model (or wait\n"
		"SECONDS without swapping) while reading DEV; print key=value stats.\n"
		"  -n N     swaps (default 1000)\n"
		"  -s SEC   baseline: no swaps, read for SEC seconds\n"
		"  -D DIR   debugfs dir (default /sys/kernel/debug/tmnet/tmnet0)\n"
		"  -c DEV   character device (default /dev/tmnet0)\n"
		"  -h       this text\n");
}

int main(int argc, char **argv)
{
	const char *dir = "/sys/kernel/debug/tmnet/tmnet0";
	long swaps = 1000, done = 0, errs = 0;
	double secs = 0, t0, t1;
	struct rd_stats st = { 0 };
	char path[256];
	void *blob[2];
	size_t len[2];
	pthread_t th;
	int c, first_err = 0;

	while ((c = getopt(argc, argv, "n:s:D:c:h")) != -1) {
		switch (c) {
		case 'n': swaps = strtol(optarg, NULL, 0); break;
		case 's': secs = strtod(optarg, NULL); break;
		case 'D': dir = optarg; break;
		case 'c': dev_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2 || swaps < 0 || secs < 0) {
		usage(stderr);
		return 2;
	}
	blob[0] = slurp(argv[optind], &len[0]);
	blob[1] = slurp(argv[optind + 1], &len[1]);
	snprintf(path, sizeof(path), "%s/load_model", dir);

	if (pthread_create(&th, NULL, reader, &st)) {
		fprintf(stderr, "swapper: pthread_create failed\n");
		return 1;
	}
	t0 = now_s();
	if (secs > 0) {
		/* baseline window: the reader does the work, we only wait */
		while (now_s() - t0 < secs)
			usleep(10000);
	} else {
		int fd = open(path, O_WRONLY);

		if (fd < 0) {
			fprintf(stderr, "swapper: %s: %s\n", path, strerror(errno));
			atomic_store(&stop_reader, 1);
			pthread_join(th, NULL);
			return 1;
		}
		for (done = 0; done < swaps; done++) {
			int k = done & 1;

			if (pwrite(fd, blob[k], len[k], 0) != (ssize_t)len[k]) {
				if (!first_err)
					first_err = errno;
				errs++;
			}
			if (done && done % 1000 == 0)
				fprintf(stderr, "swapper: %ld swaps, %.1fs\n",
					done, now_s() - t0);
		}
		close(fd);
	}
	t1 = now_s();
	/* let the reader drain what the last ticks published */
	usleep(50000);
	atomic_store(&stop_reader, 1);
	pthread_join(th, NULL);

	printf("swaps=%ld\nload_errors=%ld\nfirst_error=%s\nelapsed=%.3f\n",
	       done, errs, first_err ? strerror(first_err) : "none", t1 - t0);
	printf("records=%llu\noverrun_records=%llu\ngen_changes=%llu\n"
	       "overrun_at_change=%llu\ntick_gaps=%llu\nreader_error=%s\n",
	       (unsigned long long)st.records, (unsigned long long)st.overrun,
	       (unsigned long long)st.gen_changes,
	       (unsigned long long)st.overrun_at_change,
	       (unsigned long long)st.tick_gaps,
	       st.err ? strerror(st.err) : "none");
	return errs || st.err ? 1 : 0;
}
