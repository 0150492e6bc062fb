// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (not a test): does the binary data form pay for itself?
 * Writes N ticks of `tmnet data gen` output as the canonical CSV and as
 * .tmd (struct tmnet_sample records, 32 bytes each) and times
 * tmn_csv_read(), the reader every command uses, on both.  Prints size and
 * time.
 *   tests/import/bench.sh [TICKS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmn_data.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long fsize(const char *p)
{
	FILE *f = fopen(p, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	long ticks = argc > 1 ? atol(argv[1]) : 5000000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	struct tmn_gen_cfg c;
	struct tmn_series d, e, b2;
	char csv[512], bin[512], err[512];
	double t0, t_csv_w, t_csv_r, t_bin_w, t_bin_r;

	snprintf(csv, sizeof(csv), "%s/bench-data.csv", dir);
	snprintf(bin, sizeof(bin), "%s/bench-data.tmd", dir);
	tmn_gen_default(&c);
	c.seconds = (double)ticks / c.rate_hz;
	if (tmn_gen(&c, &d, NULL)) {
		fprintf(stderr, "bench_csv: gen failed\n");
		return 1;
	}
	t0 = now();
	if (tmn_csv_write(csv, &d, err, sizeof(err))) {
		fprintf(stderr, "bench_csv: %s\n", err);
		return 1;
	}
	t_csv_w = now() - t0;
	t0 = now();
	if (tmn_csv_read(csv, &e, err, sizeof(err))) {
		fprintf(stderr, "bench_csv: %s\n", err);
		return 1;
	}
	t_csv_r = now() - t0;
	t0 = now();
	if (tmn_csv_write(bin, &d, err, sizeof(err))) {
		fprintf(stderr, "bench_csv: %s\n", err);
		return 1;
	}
	t_bin_w = now() - t0;
	t0 = now();
	if (tmn_csv_read(bin, &b2, err, sizeof(err))) {
		fprintf(stderr, "bench_csv: %s\n", err);
		return 1;
	}
	t_bin_r = now() - t0;
	if (e.n != d.n || b2.n != d.n || memcmp(b2.s, e.s, d.n * sizeof(*d.s))) {
		fprintf(stderr, "bench_csv: round trip differs\n");
		return 1;
	}
	printf("ticks %zu\n", d.n);
	printf("canonical CSV   %8.1f MB (%5.1f B/tick)  write %6.2f s  read (tmn_csv_read) %6.2f s  %5.2f M ticks/s\n",
	       fsize(csv) / 1e6, (double)fsize(csv) / (double)d.n, t_csv_w, t_csv_r,
	       (double)d.n / t_csv_r / 1e6);
	printf("binary .tmd     %8.1f MB (%5.1f B/tick)  write %6.2f s  read (tmn_csv_read) %6.2f s  %5.2f M ticks/s\n",
	       fsize(bin) / 1e6, (double)fsize(bin) / (double)d.n, t_bin_w, t_bin_r,
	       (double)d.n / t_bin_r / 1e6);
	remove(csv);
	remove(bin);
	tmn_series_free(&b2);
	tmn_series_free(&d);
	tmn_series_free(&e);
	return 0;
}
