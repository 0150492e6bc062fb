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

/* the CSV writer's number formatting is printf's %.6f, every fraction */
static void test_fmt_q16(void **state)
{
	static const __s32 ip[] = { 0, 1, 7, 100, 32766, -1, -32767 };
	char a[64], b[64];
	long bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ip) / sizeof(ip[0]); i++)
		for (__s32 f = 0; f < 65536; f++) {
			__s32 v = (__s32)((__s64)ip[i] * 65536 + (ip[i] < 0 ? -f : f));

			*tmn_fmt_q16(a, v) = '\0';
			snprintf(b, sizeof(b), "%.6f", v / 65536.0);
			bad += strcmp(a, b) != 0;
		}
	*tmn_fmt_q16(a, INT32_MIN + 1) = '\0';
	snprintf(b, sizeof(b), "%.6f", (INT32_MIN + 1) / 65536.0);
	assert_string_equal(a, b);
	assert_int_equal(bad, 0);
}

/* the reader's exact fast path agrees with round(strtod() * 65536) */
static void test_csv_read_exact(void **state)
{
	struct tmn_rng r;
	struct tmn_series d;
	char err[256], buf[64];
	static double want[100000];
	FILE *f = fopen(path("exact.csv"), "w");

	(void)state;
	assert_non_null(f);
	tmn_rng_seed(&r, 99);
	for (int i = 0; i < 100000; i++) {
		double v = tmn_rng_range(&r, -32765.9, 32765.9);

		snprintf(buf, sizeof(buf), "%.*f", 1 + i % 6, i % 7 == 6 ? floor(v) : v);
		want[i] = nearbyint(strtod(buf, NULL) * 65536.0);
		fprintf(f, "%d,%s,0,0,0,1\n", i, buf);
	}
	fclose(f);
	if (tmn_csv_read(path("exact.csv"), &d, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(d.n, 100000);
	for (int i = 0; i < 100000; i++)
		if (d.s[i].x != (__s32)want[i])
			fail_msg("row %d: %d, want %.0f", i, d.s[i].x, want[i]);
	tmn_series_free(&d);
}

/* segments and units survive the canonical CSV; old 6-column files read */
static void test_csv_segments(void **state)
{
	struct tmn_series a, b;
	char err[256];

	(void)state;
	assert_int_equal(tmn_series_alloc(&a, 10, 1000), 0);
	for (int i = 0; i < 10; i++) {
		a.s[i].t_ns = (__u64)i * 1000000 + (i >= 6 ? 86400000000000ULL : 0);	/* a day */
		a.s[i].x = i << 16;
		a.s[i].flags = TMNET_SAMPLE_VALID | (i == 0 || i == 6 ? TMNET_SAMPLE_SEG_START : 0);
	}
	a.units.scale[0] = a.units.scale[1] = 0.001;
	a.units.offset[1] = 12.5;
	assert_int_equal(tmn_csv_write(path("seg.csv"), &a, err, sizeof(err)), 0);
	assert_int_equal(tmn_csv_read(path("seg.csv"), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 10);
	assert_int_equal(b.rate_hz, 1000);	/* from the header, not the span */
	assert_int_equal(b.nseg, 2);
	assert_true(b.has_units && b.units.scale[0] == 0.001 && b.units.offset[1] == 12.5);
	for (int i = 0; i < 10; i++)
		assert_int_equal(a.s[i].flags, b.s[i].flags);
	tmn_series_free(&b);
	/* without the header line: the rate is the median step inside segments */
	write_file(path("seg2.csv"), "0,0,0,0,0,1,1\n1000000,1,0,0,0,1,0\n2000000,2,0,0,0,1,0\n"
		   "900000000000,2,0,0,0,1,1\n900001000000,2,0,0,0,1,0\n");
	assert_int_equal(tmn_csv_read(path("seg2.csv"), &b, err, sizeof(err)), 0);
	assert_int_equal(b.rate_hz, 1000);
	assert_int_equal(b.nseg, 2);
	tmn_series_free(&b);
	/* the binary form: the same series, the same reader */
	assert_int_equal(tmn_csv_write(path("seg.tmd"), &a, err, sizeof(err)), 0);
	assert_int_equal(tmn_csv_read(path("seg.tmd"), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 10);
	assert_int_equal(b.rate_hz, 1000);
	assert_int_equal(b.nseg, 2);
	assert_true(b.has_units && b.units.scale[0] == 0.001 && b.units.offset[1] == 12.5);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(a.s[i].flags, b.s[i].flags);
		assert_int_equal(a.s[i].t_ns, b.s[i].t_ns);
		assert_int_equal(a.s[i].x, b.s[i].x);
	}
	tmn_series_free(&b);
	{
		/* truncated: refused */
		FILE *f = fopen(path("seg.tmd"), "r+b");

		assert_non_null(f);
		assert_int_equal(ftruncate(fileno(f), 64 + 32 * 9), 0);
		fclose(f);
		assert_int_equal(tmn_csv_read(path("seg.tmd"), &b, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "truncated"));
	}
	/* an old file */
	write_file(path("old.csv"), "t_ns,x,y,vx,vy,valid\n0,1,2,3,4,1\n500000,1,2,3,4,0\n");
	assert_int_equal(tmn_csv_read(path("old.csv"), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.rate_hz, 2000);
	assert_int_equal(b.nseg, 0);
	assert_false(b.has_units);
	tmn_series_free(&b);
	/* NaN in the first row is no header */
	write_file(path("nan.csv"), "nan,1,2,3,4,1\n500000,1,2,3,4,0\n");
	assert_int_equal(tmn_csv_read(path("nan.csv"), &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1: field 1 (t_ns) 'nan' is NaN"));
	tmn_series_free(&a);
}

static void expect_import_error(const char *text, const char *needle)
{
	struct tmn_import_cfg c;
	struct tmn_series d;
	char err[1024] = "";
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
	expect_import_error("t,x,y\n0,1,2\n8,1,2\n16,abc,2\n", "line 4: column 2 (x) 'abc' is not a number");
	expect_import_error("0,1,2\n8,1\n", "line 2: 2 fields, need at least 3");
	expect_import_error("0 1 2\n", "line 1: no ',', ';' or tab delimiter");
	expect_import_error("0,1,2\n", "fewer than 2 samples");
	expect_import_error("t,x,y\nfoo,bar,baz\n", "line 2: column 1 (time) 'foo' is not a number");
	/* NaN, inf, empty anywhere, also in the first row (no header then) */
	expect_import_error("nan,1,2\n8,1,2\n16,1,2\n", "line 1: column 1 (time) 'nan' is NaN");
	expect_import_error("0,NaN,2\n8,1,2\n16,1,2\n", "line 1: column 2 (x) 'NaN' is NaN");
	expect_import_error("0,1,2\n8,1,inf\n16,1,2\n", "line 2: column 3 (y) 'inf' is infinite");
	expect_import_error("0,1,2\n8,,2\n16,1,2\n", "line 2: column 2 (x) '' is empty");
	expect_import_error("0,1,2\n8,1,1e999\n", "line 2: column 3 (y) '1e999' is infinite");
	expect_import_error("0;1;2\n8;1;-\n", "line 2: column 3 (y) '-' is not a number");
	/* a timestamp step that fits no unit */
	expect_import_error("0,1,2\n1e12,1,2\n2e12,1,2\n", "cannot detect the timestamp unit");
	/* 100 per step: 10 Hz in ms or 10 kHz in us */
	expect_import_error("0,1,2\n100,1,2\n200,1,2\n300,1,2\n", "ambiguous: a median step of 100 is 10 Hz in ms and 1e+04 Hz in us; give --time-unit");
}

/* milliseconds, ';', header, irregular rate, a gap: two segments */
static void test_import_resample(void **state)
{
	struct tmn_import_cfg c;
	struct tmn_series d;
	char err[1024], info[1024];
	const char *p = path("mouse.csv");
	FILE *f = fopen(p, "w");
	double t = 1000;
	size_t seg2 = 0, nseg = 0;

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
	assert_non_null(strstr(info, "in 2 segments"));
	assert_int_equal(d.rate_hz, 2000);
	/* units: positions <= 160, speed 100: scale 10 (the largest 10^k under 8192) */
	assert_true(d.has_units);
	assert_true(d.units.scale[0] == 10.0 && d.units.offset[0] == 0.0);
	for (size_t i = 0; i < d.n; i++) {
		assert_true(d.s[i].flags & TMNET_SAMPLE_VALID);	/* gaps are not written */
		if (d.s[i].flags & TMNET_SAMPLE_SEG_START) {
			nseg++;
			if (i)
				seg2 = i;
		}
		if (i && !(d.s[i].flags & TMNET_SAMPLE_SEG_START))
			assert_int_equal(d.s[i].t_ns - d.s[i - 1].t_ns, 500000);
	}
	assert_int_equal(nseg, 2);
	assert_int_equal(d.nseg, 2);
	/* the hole is skipped: t_ns jumps by about 200 ms */
	assert_true(d.s[seg2].t_ns - d.s[seg2 - 1].t_ns > 190000000ULL);
	assert_true(d.s[seg2].t_ns - d.s[seg2 - 1].t_ns < 215000000ULL);
	assert_int_equal(tmn_seg_next(&d, 0), seg2);
	assert_int_equal(tmn_seg_next(&d, seg2), d.n);
	/* interpolated position and causal velocity, in data units (x 10) */
	for (size_t i = 100; i < seg2; i += 37) {
		double tt = (double)d.s[i].t_ns * 1e-9;

		assert_true(fabs(d.s[i].x / 65536.0 - 1000.0 * tt) < 1e-2);
		assert_true(fabs(d.s[i].y / 65536.0 - 50.0) < 1e-3);
		if (i > 40) {
			assert_true(fabs(d.s[i].vx / 65536.0 - 1000.0) < 5);
			assert_true(fabs(d.s[i].vy / 65536.0) < 1e-2);
		}
	}
	/* the second segment's velocity starts from rest (no state crosses) */
	assert_int_equal(d.s[seg2].vx, 0);
	tmn_series_free(&d);
}

static void test_import_units(void **state)
{
	static const struct {
		const char *unit;
		double per_s, step_s;
		size_t n;
	} cases[] = {
		{ "s", 1.0, 0.004, 99 * 8 + 1 }, { "ms", 1e3, 0.004, 99 * 8 + 1 },
		{ "us", 1e6, 0.004, 99 * 8 + 1 }, { "ns", 1e9, 0.004, 99 * 8 + 1 },
		/* 2 kHz: once taken for ms / us (a 500 ms step, 0 valid ticks) */
		{ "us", 1e6, 0.0005, 100 }, { "ns", 1e9, 0.0005, 100 },
	};
	char err[1024], info[1024], needle[64];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tmn_import_cfg c;
		struct tmn_series d;
		FILE *f = fopen(path("u.csv"), "w");

		assert_non_null(f);
		for (int i = 0; i < 100; i++)
			fprintf(f, "%.17g,%d,0\n", 1e3 * cases[k].per_s + i * cases[k].step_s * cases[k].per_s, i);
		fclose(f);
		tmn_import_default(&c);
		if (tmn_import(path("u.csv"), &c, &d, err, sizeof(err), info, sizeof(info)))
			fail_msg("case %zu: %s", k, err);
		snprintf(needle, sizeof(needle), "time unit %s,", cases[k].unit);
		if (!strstr(info, needle))
			fail_msg("case %zu: '%s' lacks '%s'", k, info, needle);
		assert_int_equal(d.n, cases[k].n);
		tmn_series_free(&d);
	}
}

/* tablet: ';', raw X 28 407 .. 53 306, pen speed 31 500 units/s, a pen jump */
static void test_import_tablet_and_jump(void **state)
{
	struct tmn_import_cfg c;
	struct tmn_series d, e;
	char err[1024], info[1024];
	const char *p = path("tablet.csv"), *o = path("tablet-out.csv");
	FILE *f = fopen(p, "w");
	double vmax = 0;
	int t;

	(void)state;
	assert_non_null(f);
	fprintf(f, "X;Y;T\n");
	for (t = 0; t < 4000; t++) {
		/* peak speed 31 500 units/s */
		double x = 40856.5 + 12449.5 * sin(t * 0.005 * 31500.0 / 12449.5);
		double y = 20000 + 3000 * cos(t * 0.01);

		if (t % 1000 == 500)
			x = x > 40856 ? 28407 : 53306;	/* the pen jumps across */
		fprintf(f, "%.0f;%.0f;%d\n", x, y, 1000 + 5 * t);
	}
	fclose(f);
	tmn_import_default(&c);
	c.col_t = 2;
	c.col_x = 0;
	c.col_y = 1;
	assert_int_equal(tmn_import(p, &c, &d, err, sizeof(err), info, sizeof(info)), 0);
	assert_non_null(strstr(info, "time unit ms"));
	/*
	 * Scale 0.1: 53 306 -> 5 331, 31 500/s -> 3 150/s.  Centring would not
	 * buy a finer power of ten, so the offset stays 0.
	 */
	if (!(d.units.scale[0] == 0.1 && d.units.scale[1] == 0.1 && d.units.offset[0] == 0))
		fail_msg("units %g %g offset %g", d.units.scale[0], d.units.scale[1],
			 d.units.offset[0]);
	for (size_t i = 0; i < d.n; i++) {
		vmax = fmax(vmax, fabs(d.s[i].vx / 65536.0));
		vmax = fmax(vmax, fabs(d.s[i].vy / 65536.0));
		assert_true(fabs(d.s[i].x / 65536.0) < TMN_DATA_POS_MAX);
	}
	assert_true(vmax <= TMN_DATA_VEL_SPLIT);
	assert_true(d.nseg >= 4);	/* the jumps split the track */
	assert_int_equal(tmn_csv_write(o, &d, err, sizeof(err)), 0);
	if (tmn_csv_read(o, &e, err, sizeof(err)))
		fail_msg("eval's reader refused the import: %s", err);
	assert_int_equal(e.n, d.n);
	assert_int_equal(e.nseg, d.nseg);
	assert_int_equal(e.rate_hz, 2000);
	assert_true(e.has_units && e.units.scale[0] == 0.1 && e.units.offset[0] == d.units.offset[0]);
	tmn_series_free(&d);
	tmn_series_free(&e);
	/* given units: a value outside the range is an error naming line and column */
	tmn_import_default(&c);
	c.col_t = 2;
	c.col_x = 0;
	c.col_y = 1;
	c.auto_units = 0;
	assert_int_equal(tmn_import(p, &c, &d, err, sizeof(err), NULL, 0), -1);
	if (!strstr(err, "line 2: column 1 (x) 40856 is 40856 data units"))
		fail_msg("%s", err);
}

/* several files, duplicates and a step back: segments, increasing t_ns */
struct count_sink {
	size_t n, segs, bad;
	__u64 last;
};

static int count_put(void *ctx, const struct tmnet_sample *s, size_t n)
{
	struct count_sink *cs = ctx;

	for (size_t i = 0; i < n; i++) {
		cs->bad += cs->n && s[i].t_ns <= cs->last;
		cs->bad += !(s[i].flags & TMNET_SAMPLE_VALID);
		cs->segs += (s[i].flags & TMNET_SAMPLE_SEG_START) != 0;
		cs->last = s[i].t_ns;
		cs->n++;
	}
	return 0;
}

static void test_import_files(void **state)
{
	struct tmn_import_cfg c;
	struct tmn_import_info in;
	struct count_sink cs = { 0, 0, 0, 0 };
	struct tmn_import_sink sink = { NULL, count_put, &cs };
	const char *files[2] = { path("f1.csv"), path("f2.csv") };
	char err[1024];

	(void)state;
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen(files[k], "w");

		assert_non_null(f);
		/* a 16 ms clock with 3 events per clock tick; file 2 steps back once */
		for (int i = 0; i < 300; i++)
			fprintf(f, "%d,%d,%d\n", 5000 + 16 * (i / 3) - (k && i >= 150 ? 1000 : 0),
				i, 2 * i);
		fclose(f);
	}
	tmn_import_default(&c);
	assert_int_equal(tmn_import_files(files, 2, &c, &sink, &in, err, sizeof(err)), 0);
	assert_int_equal(in.files, 2);
	assert_int_equal(in.raw, 2 * 100);	/* 3 per clock tick merged into 1 */
	assert_int_equal(in.dup, 2 * 200);
	assert_int_equal(in.back, 1);
	assert_int_equal(in.segs, 3);		/* file 1, file 2, after the step back */
	assert_int_equal(cs.segs, 3);
	assert_int_equal(cs.bad, 0);		/* t_ns increasing, all valid */
	assert_int_equal(cs.n, in.ticks);
}

static void test_blob_units(void **state)
{
	static struct tm_model m, m2;
	struct tmn_units u = { { 0.1, 0.1 }, { 40860, -5 } }, back;
	struct tm_blob_error e;
	unsigned char buf[4096];
	__u32 n1, n2;

	(void)state;
	tm_model_default_prior(&m, 2000);
	n1 = tm_model_blob_size(&m);
	assert_int_equal(n1, tm_blob_size(TMNET_SYS_PRIOR, 0, 0));
	assert_int_equal(tm_blob_write(buf, sizeof(buf), &m), (int)n1);
	assert_int_equal(buf[4], TMNET_BLOB_VERSION);	/* no units: version 1 bytes */
	tmn_units_to_blob(&u, &m.units);
	n2 = tm_model_blob_size(&m);
	assert_int_equal(n2, n1 + sizeof(struct tmnet_blob_units));
	assert_int_equal(tm_blob_write(buf, sizeof(buf), &m), (int)n2);
	assert_int_equal(buf[4], TMNET_BLOB_VERSION_UNITS);
	assert_int_equal(tm_model_from_blob(&m2, buf, n2, &e), 0);
	tmn_units_from_blob(&m2.units, &back);
	assert_true(back.scale[0] == 0.1 && back.scale[1] == 0.1);
	assert_true(back.offset[0] == 40860 && back.offset[1] == -5);
	/* a NaN or negative scale is refused */
	u.scale[1] = NAN;
	tmn_units_to_blob(&u, &m.units);
	assert_int_equal(tm_blob_write(buf, sizeof(buf), &m), (int)n2);
	assert_true(tm_model_from_blob(&m2, buf, n2, &e) < 0);
	assert_int_equal(e.code, TMNET_BLOB_E_UNITS);
	u.scale[1] = -1;
	tmn_units_to_blob(&u, &m.units);
	assert_int_equal(tm_blob_write(buf, sizeof(buf), &m), (int)n2);
	assert_true(tm_model_from_blob(&m2, buf, n2, &e) < 0);
	assert_int_equal(e.code, TMNET_BLOB_E_UNITS);
}

/*
 * Property: random and adversarial logs through the importer, then through
 * the reader tmnet eval uses (tmn_csv_read).  Every imported file reads
 * back; every refused log with a bad token is refused at that token's line
 * and column; a clean log is refused only for a file-level reason (the
 * timestamp unit, too few samples) and then imports with --time-unit given.
 * Seeded: the same logs on every run.
 */
struct prop_log {
	int bad_line, bad_col;	/* first bad token (1-based), 0: none */
	int unit;		/* 0 s, 1 ms, 2 us, 3 ns */
};

static void prop_write_log(struct tmn_rng *r, const char *p, struct prop_log *pl, int *cols)
{
	static const double rates[] = { 10, 62.5, 190, 1000, 2000, 10000 };
	static const double per_s[] = { 1, 1e3, 1e6, 1e9 };
	static const char *const bad_tok[] = { "nan", "NaN", "inf", "-inf", "", "abc", "1e400", " " };
	const char seps[] = ",;\t";
	FILE *f = fopen(p, "w");
	double rate = rates[tmn_rng_u64(r) % 6], t = 0, x, y, vx = 0, vy = 0;
	double lo = 0, span = 1000;
	int n = 20 + (int)(tmn_rng_u64(r) % 3000), line = 0, kind = (int)(tmn_rng_u64(r) % 5);
	char sep = seps[tmn_rng_u64(r) % 3];
	int header = tmn_rng_uniform(r) < 0.5, crlf = tmn_rng_uniform(r) < 0.2;
	int epoch = tmn_rng_uniform(r) < 0.3, clock16 = tmn_rng_uniform(r) < 0.2;
	int order = (int)(tmn_rng_u64(r) % 2);	/* 0: t,x,y  1: x,y,t */
	double pbad = tmn_rng_uniform(r) < 0.3 ? 0.002 : 0;
	const char *eol = crlf ? "\r\n" : "\n";

	assert_non_null(f);
	pl->bad_line = pl->bad_col = 0;
	pl->unit = (int)(tmn_rng_u64(r) % 4);
	switch (kind) {
	case 0: lo = 0; span = 1920; break;		/* pixels */
	case 1: lo = 28407; span = 53306 - 28407; break;	/* raw tablet units */
	case 2: lo = 0; span = 1; break;		/* normalised */
	case 3: lo = -1e9; span = 2e9; break;		/* huge */
	default: lo = -50; span = 100; break;
	}
	x = lo + span * tmn_rng_uniform(r);
	y = lo + span * tmn_rng_uniform(r);
	cols[0] = order ? 2 : 0;
	cols[1] = order ? 0 : 1;
	cols[2] = order ? 1 : 2;
	if (header) {
		fprintf(f, order ? "x%cy%ctime%s" : "time%cx%cy%s", sep, sep, eol);
		line++;
	}
	if (epoch)
		t = 1.7e9;
	for (int i = 0; i < n; i++) {
		double u = tmn_rng_uniform(r), ts, dt = 1.0 / rate;
		char tb[64], xb[64], yb[64], *tok[3] = { tb, xb, yb };

		/* adversities */
		if (u < 0.002)
			dt += 3 * 86400;		/* days-long gap */
		else if (u < 0.01)
			dt += tmn_rng_range(r, 0.1, 30);	/* idle stretch */
		else if (u < 0.02)
			dt = 0;				/* duplicate timestamp */
		else if (u < 0.025)
			dt = -tmn_rng_range(r, 0.001, 2);	/* step back */
		else if (u < 0.04)
			dt *= 0.01;			/* burst */
		t += dt;
		vx += tmn_rng_gauss(r) * span * 0.05;
		vy += tmn_rng_gauss(r) * span * 0.05;
		vx *= 0.95;
		vy *= 0.95;
		x += vx * (dt > 0 && dt < 1 ? dt : 0);
		y += vy * (dt > 0 && dt < 1 ? dt : 0);
		if (tmn_rng_uniform(r) < 0.005) {
			x = lo + span * tmn_rng_uniform(r);	/* jump */
			y = lo + span * tmn_rng_uniform(r);
		}
		if (tmn_rng_uniform(r) < 0.001)
			x = 1e300;			/* a wild value */
		ts = clock16 ? floor(t / 0.016) * 0.016 : t;	/* a 16 ms clock */
		if (pl->unit == 0)
			snprintf(tb, sizeof(tb), "%.9f", ts);
		else
			snprintf(tb, sizeof(tb), "%.0f", ts * per_s[pl->unit]);
		snprintf(xb, sizeof(xb), "%.6g", x);
		snprintf(yb, sizeof(yb), "%.6g", y);
		if (sep == ';' && tmn_rng_uniform(r) < 0.5)
			for (char *q = xb; *q; q++)
				if (*q == '.')
					*q = ',';	/* decimal comma */
		if (pbad > 0 && tmn_rng_uniform(r) < pbad) {
			int c = (int)(tmn_rng_u64(r) % 3);

			snprintf(tok[c], 64, "%s", bad_tok[tmn_rng_u64(r) % 8]);
			if (!pl->bad_line) {
				pl->bad_line = line + 1;
				pl->bad_col = cols[c] + 1;
			}
		}
		if (tmn_rng_uniform(r) < 0.01) {
			fprintf(f, "# a comment%s", eol);
			line++;
		}
		line++;
		if (order)
			fprintf(f, "%s%c%s%c%s%s", xb, sep, yb, sep, tb, eol);
		else
			fprintf(f, "%s%c%s%c%s%s", tb, sep, xb, sep, yb, eol);
	}
	fclose(f);
}

static void test_import_property(void **state)
{
	static const double unit_s[] = { 1, 1e-3, 1e-6, 1e-9 };
	struct tmn_rng r;
	int N = getenv("TMN_PROP_N") ? atoi(getenv("TMN_PROP_N")) : 200;
	int ok = 0, bad_ok = 0, unit_retry = 0, nothing = 0;
	size_t ticks = 0;

	(void)state;
	tmn_rng_seed(&r, 20261203);
	for (int k = 0; k < N; k++) {
		struct prop_log pl;
		struct tmn_import_cfg c;
		struct tmn_series d, e;
		char err[1024] = "", err2[1024] = "";
		int cols[3], rc;

		prop_write_log(&r, path("prop.csv"), &pl, cols);
		tmn_import_default(&c);
		c.col_t = cols[0];
		c.col_x = cols[1];
		c.col_y = cols[2];
		rc = tmn_import(path("prop.csv"), &c, &d, err, sizeof(err), NULL, 0);
		if (pl.bad_line) {
			char want[64];

			/* refused, at the bad token (a file-level refusal comes later) */
			snprintf(want, sizeof(want), "line %d: column %d ", pl.bad_line, pl.bad_col);
			if (rc == 0 || !strstr(err, want))
				fail_msg("log %d: want an error with '%s', got rc %d '%s'", k, want, rc,
					 err);
			bad_ok++;
			continue;
		}
		if (rc && (strstr(err, "timestamp unit") || strstr(err, "in time order"))) {
			c.time_unit = unit_s[pl.unit];
			unit_retry++;
			rc = tmn_import(path("prop.csv"), &c, &d, err, sizeof(err), NULL, 0);
		}
		if (rc && (strstr(err, "no valid tick") || strstr(err, "fewer than 2 samples"))) {
			nothing++;
			continue;
		}
		if (rc)
			fail_msg("log %d: a clean log refused: %s", k, err);
		for (size_t i = 0; i < d.n; i++) {
			assert_true(fabs(d.s[i].x / 65536.0) <= TMN_DATA_POS_MAX);
			assert_true(fabs(d.s[i].y / 65536.0) <= TMN_DATA_POS_MAX);
			assert_true(fabs(d.s[i].vx / 65536.0) <= TMN_DATA_VEL_SPLIT + 1);
			assert_true(fabs(d.s[i].vy / 65536.0) <= TMN_DATA_VEL_SPLIT + 1);
		}
		/* the reader tmnet eval uses never refuses what import wrote */
		assert_int_equal(tmn_csv_write(path("prop-out.csv"), &d, err, sizeof(err)), 0);
		if (tmn_csv_read(path("prop-out.csv"), &e, err2, sizeof(err2)))
			fail_msg("log %d: eval's reader refused the import: %s", k, err2);
		assert_int_equal(e.n, d.n);
		assert_int_equal(e.nseg, d.nseg);
		assert_int_equal(e.rate_hz, d.rate_hz);
		tmn_series_free(&e);
		/* and the binary form holds the same records */
		assert_int_equal(tmn_csv_write(path("prop-out.tmd"), &d, err, sizeof(err)), 0);
		if (tmn_csv_read(path("prop-out.tmd"), &e, err2, sizeof(err2)))
			fail_msg("log %d: the .tmd reader refused the import: %s", k, err2);
		assert_int_equal(e.n, d.n);
		assert_int_equal(e.nseg, d.nseg);
		ticks += d.n;
		ok++;
		tmn_series_free(&d);
		tmn_series_free(&e);
	}
	printf("# import property: %d logs: %d imported and read back (%zu ticks), %d refused at the bad token's line and column, %d needed --time-unit, %d had no stretch of 2 ticks\n",
	       N, ok, ticks, bad_ok, unit_retry, nothing);
	assert_true(ok > N / 3);
	assert_true(bad_ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen_deterministic),
		cmocka_unit_test(test_gen_mix),
		cmocka_unit_test(test_csv_roundtrip),
		cmocka_unit_test(test_fmt_q16),
		cmocka_unit_test(test_csv_read_exact),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_import_resample),
		cmocka_unit_test(test_import_units),
		cmocka_unit_test(test_import_tablet_and_jump),
		cmocka_unit_test(test_import_files),
		cmocka_unit_test(test_csv_segments),
		cmocka_unit_test(test_blob_units),
		cmocka_unit_test(test_import_property),
	};

	return cmocka_run_group_tests_name("data", tests, setup, teardown);
}
