// SPDX-License-Identifier: GPL-2.0
/* tmnet data: generator determinism, canonical CSV round trip, importer */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tm_test.h"
#include "tmn_data.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tmnet-test-data-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) & 3;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void small_gen(struct tmn_gen_cfg *c, uint64_t seed)
{
	tmn_gen_default(c);
	c->seed = seed;
	c->seconds = 5;
}

static void test_gen_deterministic(void **state)
{
	struct tmn_gen_cfg c;
	struct tmn_series a, b, d;
	size_t diff = 0;

	(void)state;
	small_gen(&c, 42);
	assert_int_equal(tmn_gen(&c, &a, NULL), 0);
	assert_int_equal(tmn_gen(&c, &b, NULL), 0);
	assert_int_equal(a.n, 10000);
	assert_memory_equal(a.s, b.s, a.n * sizeof(*a.s));
	small_gen(&c, 43);
	assert_int_equal(tmn_gen(&c, &d, NULL), 0);
	for (size_t i = 0; i < a.n; i++)
		diff += a.s[i].x != d.s[i].x;
	assert_true(diff > a.n / 2);
	tmn_series_free(&a);
	tmn_series_free(&b);
	tmn_series_free(&d);
}

/* every regime appears, the track moves, dropouts give invalid samples */
static void test_gen_mix(void **state)
{
	struct tmn_gen_cfg c;
	struct tmn_series a;
	uint8_t *rg;
	size_t cnt[TMN_RG_N] = { 0 }, inval = 0;
	double path_len = 0;

	(void)state;
	tmn_gen_default(&c);
	c.seconds = 120;
	c.dropout_p = 1e-3;
	assert_int_equal(tmn_gen(&c, &a, &rg), 0);
	for (size_t i = 0; i < a.n; i++) {
		cnt[rg[i]]++;
		inval += !(a.s[i].flags & TMNET_SAMPLE_VALID);
		if (i && (a.s[i].flags & a.s[i - 1].flags & TMNET_SAMPLE_VALID))
			path_len += hypot(a.s[i].vx / 65536.0, a.s[i].vy / 65536.0) / 2000.0;
	}
	for (int r = 0; r < TMN_RG_N; r++)
		assert_true(cnt[r] > 0);
	assert_true(inval > 0 && inval < a.n / 5);
	assert_true(path_len > 100 * 120 / 10);	/* moves at tens of units/s */
	for (size_t i = 0; i < a.n; i++)
		if (a.s[i].flags & TMNET_SAMPLE_VALID)
			assert_true(fabs(a.s[i].x / 65536.0) < c.arena + 50);
	free(rg);
	tmn_series_free(&a);
}

static void test_csv_roundtrip(void **state)
{
	struct tmn_gen_cfg c;
	struct tmn_series a, b;
	char err[256];

	(void)state;
	small_gen(&c, 7);
	assert_int_equal(tmn_gen(&c, &a, NULL), 0);
	assert_int_equal(tmn_csv_write(path("rt.csv"), &a, err, sizeof(err)), 0);
	assert_int_equal(tmn_csv_read(path("rt.csv"), &b, err, sizeof(err)), 0);
	assert_int_equal(a.n, b.n);
	assert_int_equal(b.rate_hz, 2000);
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.s[i].t_ns, b.s[i].t_ns);
		assert_int_equal(a.s[i].flags, b.s[i].flags);
		if (a.s[i].flags) {
			assert_int_equal(a.s[i].x, b.s[i].x);
			assert_int_equal(a.s[i].y, b.s[i].y);
			assert_int_equal(a.s[i].vx, b.s[i].vx);
			assert_int_equal(a.s[i].vy, b.s[i].vy);
		}
	}
	tmn_series_free(&a);
	tmn_series_free(&b);
}

static void expect_import_error(const char *text, const char *needle)
{
	struct tmn_import_cfg c;
	struct tmn_series d;
	char err[512] = "";
	const char *p = path("bad.csv");

	tmn_import_default(&c);
	write_file(p, text);
	assert_int_equal(tmn_import(p, &c, &d, err, sizeof(err), NULL, 0), -1);
	if (!strstr(err, needle))
		fprintf(stderr, "error '%s' lacks '%s'\n", err, needle);
	assert_non_null(strstr(err, needle));
	assert_null(d.s);
	assert_int_equal(d.n, 0);
}

static void test_import_errors(void **state)
{
	(void)state;
	expect_import_error("t,x,y\n0,1,2\n8,1,2\n16,abc,2\n", "line 4: column 2 ('abc')");
	expect_import_error("0;1;2\n8;1;2\n4;1;2\n", "line 3: timestamp 4 goes backwards");
	expect_import_error("0,1,2\n8,1\n", "line 2: 2 fields, need at least 3");
	expect_import_error("0 1 2\n", "line 1: no ',' or ';' delimiter");
	expect_import_error("0,1,2\n", "fewer than 2 samples");
	expect_import_error("0,1,2\n1,1e9,2\n", "line 2: position outside");
	expect_import_error("t,x,y\nfoo,bar,baz\n", "line 2: column 1 ('foo')");
	/* a timestamp step that fits no unit */
	expect_import_error("0,1,2\n1e12,1,2\n2e12,1,2\n", "cannot detect the timestamp unit");
}

/* milliseconds, ';', header, irregular rate, a gap: resampled and derived */
static void test_import_resample(void **state)
{
	struct tmn_import_cfg c;
	struct tmn_series d;
	char err[512], info[512];
	const char *p = path("mouse.csv");
	FILE *f = fopen(p, "w");
	double t = 1000;
	size_t gap_lo, gap_hi, nvalid = 0;

	(void)state;
	assert_non_null(f);
	fprintf(f, "time_ms;x;y\n");
	/* x = 100 t (t in s): 100 units/s, y constant; steps 7..9 ms */
	for (int i = 0; i < 400; i++) {
		if (i == 200)
			t += 200;	/* a 200 ms hole */
		fprintf(f, "%.3f;%.6f;5\n", t, 100.0 * (t - 1000) / 1000.0);
		t += 7 + (i % 3);
	}
	fclose(f);
	tmn_import_default(&c);
	assert_int_equal(tmn_import(p, &c, &d, err, sizeof(err), info, sizeof(info)), 0);
	assert_non_null(strstr(info, "time unit ms"));
	assert_non_null(strstr(info, "header"));
	assert_int_equal(d.rate_hz, 2000);
	/* the hole [t_199, t_200] is invalid, everything else valid */
	gap_lo = d.n;
	gap_hi = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (d.s[i].flags & TMNET_SAMPLE_VALID) {
			nvalid++;
			continue;
		}
		if (i < gap_lo)
			gap_lo = i;
		gap_hi = i;
	}
	assert_true(gap_hi > gap_lo);
	assert_true((double)(gap_hi - gap_lo) / 2000.0 > 0.18);
	assert_true((double)(gap_hi - gap_lo) / 2000.0 < 0.22);
	assert_true(nvalid > d.n * 3 / 4);
	/* interpolated position and causal velocity away from the edges */
	for (size_t i = 100; i < gap_lo; i += 37) {
		double tt = (double)d.s[i].t_ns * 1e-9;

		assert_true(fabs(d.s[i].x / 65536.0 - 100.0 * tt) < 1e-3);
		assert_true(fabs(d.s[i].y / 65536.0 - 5.0) < 1e-4);
		if (i > 40) {
			assert_true(fabs(d.s[i].vx / 65536.0 - 100.0) < 0.5);
			assert_true(fabs(d.s[i].vy / 65536.0) < 1e-3);
		}
	}
	tmn_series_free(&d);
}

static void test_import_units(void **state)
{
	static const struct {
		const char *step;
		double scale;
	} cases[] = { { "s", 1.0 }, { "ms", 1e3 }, { "us", 1e6 }, { "ns", 1e9 } };
	char err[512], info[512], needle[64];

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		struct tmn_import_cfg c;
		struct tmn_series d;
		FILE *f = fopen(path("u.csv"), "w");

		assert_non_null(f);
		for (int i = 0; i < 100; i++)
			fprintf(f, "%.17g,%d,0\n", i * 0.004 * cases[k].scale, i);
		fclose(f);
		tmn_import_default(&c);
		assert_int_equal(tmn_import(path("u.csv"), &c, &d, err, sizeof(err), info,
					    sizeof(info)), 0);
		snprintf(needle, sizeof(needle), "time unit %s,", cases[k].step);
		assert_non_null(strstr(info, needle));
		/* 99 steps of 4 ms at 2 kHz */
		assert_int_equal(d.n, 99 * 8 + 1);
		tmn_series_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_deterministic),
		cmocka_unit_test(test_gen_mix),
		cmocka_unit_test(test_csv_roundtrip),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_import_resample),
		cmocka_unit_test(test_import_units),
	};

	return cmocka_run_group_tests_name("data", tests, setup, teardown);
}
