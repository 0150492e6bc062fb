// SPDX-License-Identifier: GPL-2.0
/*
 * Human-motion generators: determinism, minimum-jerk shape, Fitts timing,
 * corrective sub-movements, sigma-lognormal sums, pen-up segments, the
 * Q16.16 range and the eval reader, mixture shares, and the unchanged
 * vehicle generator.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tm_test.h"
#include "tmn_data.h"
#include "tmn_gen_human.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tmnet-test-gen-human-XXXXXX");
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

static void human_cfg(struct tmn_gen_human_cfg *c, const char *kind, uint64_t seed, double sec,
		      int rate)
{
	char err[256];

	tmn_gen_human_default(c);
	assert_int_equal(tmn_gen_kind_parse(kind, c->w, err, sizeof(err)), 0);
	c->seed = seed;
	c->seconds = sec;
	c->rate_hz = rate;
}

static int same_series(const struct tmn_series *a, const struct tmn_series *b)
{
	return a->n == b->n && !memcmp(a->s, b->s, a->n * sizeof(*a->s));
}

static void test_deterministic(void **state)
{
	static const char *const kinds[] = { "pointing", "handwriting",
					     "mix:vehicle=1,pointing=1,handwriting=1" };
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct tmn_gen_human_cfg c;
		struct tmn_series a, b, d;

		human_cfg(&c, kinds[i], 11, 30, 1000);
		assert_int_equal(tmn_gen_human(&c, &a, NULL, NULL, err, sizeof(err)), 0);
		assert_int_equal(tmn_gen_human(&c, &b, NULL, NULL, err, sizeof(err)), 0);
		assert_true(same_series(&a, &b));
		c.seed = 12;
		assert_int_equal(tmn_gen_human(&c, &d, NULL, NULL, err, sizeof(err)), 0);
		assert_int_equal(d.n, a.n);	/* same length: seconds * rate */
		assert_false(same_series(&a, &d));
		tmn_series_free(&a);
		tmn_series_free(&b);
		tmn_series_free(&d);
	}
}

/* every planned sub-movement: at rest at both ends, one symmetric peak */
static void test_minjerk_bell(void **state)
{
	struct tmn_gen_human_cfg c;
	struct tmn_rawlog log;
	struct tmn_mj_seg *plan;
	size_t np, j, e = 0, quiet = 0;

	(void)state;
	tmn_gen_human_default(&c);
	assert_int_equal(tmn_gen_pointing_raw(&c.point, 5, 120, &log, &plan, &np), 0);
	assert_true(np > 50);
	for (j = 0; j < np; j++) {
		const struct tmn_mj_seg *g = &plan[j];
		double sp[201], p[2], v[2], peak = 0, amp;
		int i, ipk = 0;

		amp = hypot(g->p1[0] - g->p0[0], g->p1[1] - g->p0[1]);
		for (i = 0; i <= 200; i++) {
			tmn_mj_eval(g, g->t0 + g->T * i / 200.0, p, v);
			sp[i] = hypot(v[0], v[1]);
			if (sp[i] > peak) {
				peak = sp[i];
				ipk = i;
			}
		}
		tmn_mj_eval(g, g->t0, p, v);
		assert_true(hypot(p[0] - g->p0[0], p[1] - g->p0[1]) < 1e-9);
		assert_true(sp[0] == 0);
		tmn_mj_eval(g, g->t0 + g->T, p, v);
		assert_true(hypot(p[0] - g->p1[0], p[1] - g->p1[1]) < 1e-9);
		assert_true(sp[200] <= 1e-9 * (1 + peak));	/* s = 1 up to rounding */
		assert_int_equal(ipk, 100);	/* peak in the middle */
		assert_true(fabs(peak - 1.875 * amp / g->T) <= 1e-9 * (1 + peak));
		for (i = 1; i <= 200; i++) {
			if (i <= 100)
				assert_true(sp[i] >= sp[i - 1]);	/* rising ... */
			else
				assert_true(sp[i] <= sp[i - 1]);	/* ... then falling */
			assert_true(fabs(sp[i] - sp[200 - i]) <= 1e-9 * (1 + peak));
		}
	}
	/* event-driven: the mouse reports nothing while the hand rests */
	for (j = 0; j + 1 < np; j++) {
		double a = plan[j].t0 + plan[j].T + c.point.clock_s;
		double b = plan[j + 1].t0 - c.point.clock_s;

		if (b - a < 3 * c.point.clock_s)
			continue;
		quiet++;
		while (e < log.n && log.t[e] <= a)
			e++;
		assert_false(e < log.n && log.t[e] < b);
	}
	assert_true(quiet > 20);
	/* several reports share one tick of the 16 ms client clock */
	for (j = 1, e = 0; j < log.n; j++) {
		double q = log.t[j] / c.point.clock_s;

		assert_true(fabs(q - nearbyint(q)) < 1e-6);
		e += log.t[j] == log.t[j - 1];
	}
	assert_true(e > log.n / 10);
	free(plan);
	tmn_rawlog_free(&log);
}

/* durations follow MT = a + b log2(D/W + 1); corrections and overshoot occur */
static void test_fitts(void **state)
{
	struct tmn_gen_human_cfg c;
	struct tmn_rawlog log;
	struct tmn_mj_seg *plan;
	size_t np, j, nprim = 0, ncorr_after = 0, nover = 0;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0, slope, icpt;

	(void)state;
	assert_true(tmn_fitts_mt(0.1, 0.2, 100, 10) > tmn_fitts_mt(0.1, 0.2, 100, 20));
	assert_true(tmn_fitts_mt(0.1, 0.2, 200, 10) > tmn_fitts_mt(0.1, 0.2, 100, 10));
	assert_true(fabs(tmn_fitts_mt(0.1, 0.2, 70, 10) - (0.1 + 0.2 * 3)) < 1e-12);
	tmn_gen_human_default(&c);
	assert_int_equal(tmn_gen_pointing_raw(&c.point, 9, 1200, &log, &plan, &np), 0);
	for (j = 0; j < np; j++) {
		double id = log2(plan[j].D / plan[j].W + 1);

		sx += id;
		sy += plan[j].T;
		sxx += id * id;
		sxy += id * plan[j].T;
		n++;
		if (plan[j].corr == 0) {
			double u[2] = { plan[j].p1[0] - plan[j].p0[0], plan[j].p1[1] - plan[j].p0[1] };
			double along = hypot(u[0], u[1]);

			nprim++;
			ncorr_after += j + 1 < np && plan[j + 1].corr == 1;
			/* overshoot: the movement went further than the target distance */
			nover += along > plan[j].D;
		}
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	icpt = (sy - slope * sx) / n;
	print_message("# %zu sub-movements (%zu primary, %zu corrected, %zu overshoot): MT = %.4f + %.4f ID\n",
		      np, nprim, ncorr_after, nover, icpt, slope);
	assert_true(fabs(slope - c.point.fitts_b) < 0.1 * c.point.fitts_b);
	assert_true(fabs(icpt - c.point.fitts_a) < 0.03);
	assert_true(ncorr_after > nprim / 10 && ncorr_after < nprim * 9 / 10);
	assert_true(nover > nprim * 3 / 10 && nover < nprim * 7 / 10);
	free(plan);
	tmn_rawlog_free(&log);
}

/* the test's own lognormal speed, written from the equation */
static double ref_speed(double D, double t0, double mu, double sg, double t)
{
	double x = t - t0;

	if (x <= 0)
		return 0;
	return D / (sg * sqrt(2 * M_PI) * x) * exp(-pow(log(x) - mu, 2) / (2 * sg * sg));
}

static void test_sigma_lognormal(void **state)
{
	struct tmn_lognorm p[6];
	struct tt_rng r = { 0x5eed };
	struct tmn_gen_human_cfg c;
	struct tmn_rawlog hl;
	struct tmn_lognorm *hp;
	size_t nhp;
	int i, k;

	(void)state;
	for (i = 0; i < 6; i++) {
		p[i].D = 200 + 800 * tt_unif(&r);
		p[i].t0 = 0.08 * i;
		p[i].mu = -2.2 + 0.8 * tt_unif(&r);
		p[i].sigma = 0.15 + 0.3 * tt_unif(&r);
		p[i].th_s = 6.28 * tt_unif(&r);
		p[i].th_e = p[i].th_s + (i == 3 ? 0 : -1.5 + 3 * tt_unif(&r));
	}
	for (k = 1; k < 400; k++) {
		double t = k * 0.0025, v[2], s[2] = { 0, 0 }, d1[2], d0[2], h = 1e-6;

		for (i = 0; i < 6; i++) {
			double sp = ref_speed(p[i].D, p[i].t0, p[i].mu, p[i].sigma, t), F, phi;

			assert_true(fabs(tmn_sl_speed(&p[i], t) - sp) <= 1e-9 * (1 + sp));
			F = t > p[i].t0 ? 0.5 * (1 + erf((log(t - p[i].t0) - p[i].mu) /
							 (p[i].sigma * sqrt(2)))) : 0;
			phi = p[i].th_s + (p[i].th_e - p[i].th_s) * F;
			s[0] += sp * cos(phi);
			s[1] += sp * sin(phi);
		}
		tmn_sl_vel(p, 6, t, v);
		/* the velocity is the vector sum of the pulses */
		assert_true(hypot(v[0] - s[0], v[1] - s[1]) <= 1e-9 * (1 + hypot(s[0], s[1])));
		/* and the closed-form displacement is its integral */
		tmn_sl_disp(p, 6, t + h, d1);
		tmn_sl_disp(p, 6, t - h, d0);
		assert_true(hypot((d1[0] - d0[0]) / (2 * h) - v[0], (d1[1] - d0[1]) / (2 * h) - v[1]) <=
			    1e-4 * (1 + hypot(v[0], v[1])));
	}
	/* a generated writer's pulses are proper lognormals that end at rest */
	tmn_gen_human_default(&c);
	c.hw.writer = TMN_WR_MIXED;
	assert_int_equal(tmn_gen_handwriting_raw(&c.hw, 4, 60, &hl, &hp, &nhp), 0);
	assert_true(nhp > 100 && hl.n > 1000);
	for (i = 0; i < (int)nhp; i++) {
		assert_true(hp[i].sigma > 0.1 && hp[i].sigma < 0.5 && hp[i].D > 0);
		assert_true(tmn_sl_speed(&hp[i], hp[i].t0 + exp(hp[i].mu + 6 * hp[i].sigma)) <
			    1e-4 * hp[i].D);
	}
	free(hp);
	tmn_rawlog_free(&hl);
}

/* every pen-up gap in the tablet log starts a new stretch in the import */
static void test_penup_segments(void **state)
{
	struct tmn_gen_human_cfg c;
	struct tmn_rawlog log;
	struct tmn_import_cfg ic;
	struct tmn_series d;
	char err[256];
	size_t i, gaps = 0, starts = 0;

	(void)state;
	tmn_gen_human_default(&c);
	assert_int_equal(tmn_gen_handwriting_raw(&c.hw, 8, 60, &log, NULL, NULL), 0);
	for (i = 1; i < log.n; i++) {
		assert_true(log.t[i] > log.t[i - 1]);
		gaps += log.t[i] - log.t[i - 1] > 0.03;
	}
	assert_true(gaps > 20);
	assert_int_equal(tmn_rawlog_write(path("hw.csv"), &log, err, sizeof(err)), 0);
	tmn_import_default(&ic);
	ic.time_unit = 1e-3;
	ic.gap_s = 0.03;
	assert_int_equal(tmn_import(path("hw.csv"), &ic, &d, err, sizeof(err), NULL, 0), 0);
	/* the importer starts a segment after every pen-up, and writes no gap ticks */
	for (i = 0; i < d.n; i++) {
		starts += (d.s[i].flags & TMNET_SAMPLE_SEG_START) != 0;
		assert_true(d.s[i].flags & TMNET_SAMPLE_VALID);
	}
	assert_true(d.s[0].flags & TMNET_SAMPLE_SEG_START);
	assert_int_equal(starts, gaps + 1);
	/* and the log imports the same with the unit detected, as a user would */
	{
		struct tmn_series e;

		ic.time_unit = 0;
		assert_int_equal(tmn_import(path("hw.csv"), &ic, &e, err, sizeof(err), NULL, 0), 0);
		assert_true(same_series(&d, &e));
		tmn_series_free(&e);
	}
	tmn_series_free(&d);
	tmn_rawlog_free(&log);
}

/* the mouse log (16 ms clock, duplicate stamps) imports with its unit detected */
static void test_mouse_log_imports(void **state)
{
	struct tmn_gen_human_cfg c;
	struct tmn_rawlog log;
	struct tmn_import_cfg ic;
	struct tmn_series a, b;
	char err[256];
	size_t i, dup = 0;

	(void)state;
	tmn_gen_human_default(&c);
	assert_int_equal(tmn_gen_pointing_raw(&c.point, 6, 60, &log, NULL, NULL), 0);
	for (i = 1; i < log.n; i++)
		dup += log.t[i] == log.t[i - 1];
	assert_int_equal(tmn_rawlog_write(path("mouse.csv"), &log, err, sizeof(err)), 0);
	tmn_import_default(&ic);
	ic.gap_s = 1.0;
	ic.time_unit = 1e-3;
	assert_int_equal(tmn_import(path("mouse.csv"), &ic, &a, err, sizeof(err), NULL, 0), 0);
	ic.time_unit = 0;
	assert_int_equal(tmn_import(path("mouse.csv"), &ic, &b, err, sizeof(err), NULL, 0), 0);
	assert_true(same_series(&a, &b));
	assert_true(dup > 0 && a.n > 10000 && a.nseg >= 1);
	for (i = 0; i < a.n; i++)
		assert_true(a.s[i].flags & TMNET_SAMPLE_VALID);
	tmn_series_free(&a);
	tmn_series_free(&b);
	tmn_rawlog_free(&log);
}

/* the --raw device log, imported by hand, gives the generated samples */
static void test_raw_reimport(void **state)
{
	static const char *const kinds[] = { "pointing", "handwriting" };
	static const double gaps[] = { 1.0, 0.03 };
	char err[256];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct tmn_gen_human_cfg c;
		struct tmn_import_cfg ic;
		struct tmn_series d, e;
		size_t j;

		human_cfg(&c, kinds[i], 31, 40, 2000);
		assert_int_equal(tmn_gen_human(&c, &d, NULL, path("dev.csv"), err, sizeof(err)), 0);
		tmn_import_default(&ic);
		ic.gap_s = gaps[i];
		ic.auto_units = 0;
		ic.units = d.units;
		assert_int_equal(tmn_import(path("dev.csv"), &ic, &e, err, sizeof(err), NULL, 0), 0);
		/* the log holds whole recordings; the generator cut the last one */
		assert_true(e.n >= d.n);
		for (j = 0; j < d.n; j++) {
			assert_int_equal(e.s[j].x, d.s[j].x);
			assert_int_equal(e.s[j].y, d.s[j].y);
			assert_int_equal(e.s[j].vx, d.s[j].vx);
			assert_int_equal(e.s[j].vy, d.s[j].vy);
			assert_int_equal(e.s[j].flags, d.s[j].flags);
		}
		tmn_series_free(&d);
		tmn_series_free(&e);
	}
}

/* within Q16.16 (with the eval reader's margin), and eval's reader accepts it */
static void test_range_and_reader(void **state)
{
	static const char *const kinds[] = { "pointing", "handwriting",
					     "mix:vehicle=0.2,pointing=0.4,handwriting=0.4" };
	static const int writers[] = { TMN_WR_NORMAL, TMN_WR_FAST, TMN_WR_MIXED };
	char err[256];
	size_t i, j;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct tmn_gen_human_cfg c;
		struct tmn_series d, b;
		double mp = 0, mv = 0;

		human_cfg(&c, kinds[i], 21 + i, 120, 2000);
		c.hw.writer = writers[i];
		assert_int_equal(tmn_gen_human(&c, &d, NULL, NULL, err, sizeof(err)), 0);
		for (j = 0; j < d.n; j++) {
			const struct tmnet_sample *s = &d.s[j];
			double v[4] = { s->x / 65536.0, s->y / 65536.0, s->vx / 65536.0,
					s->vy / 65536.0 };
			int q;

			for (q = 0; q < 2; q++)
				mp = fabs(v[q]) > mp ? fabs(v[q]) : mp;
			for (q = 2; q < 4; q++)
				mv = fabs(v[q]) > mv ? fabs(v[q]) : mv;
			if (j)
				assert_true(s->t_ns > d.s[j - 1].t_ns);
		}
		print_message("# %s: largest |x|, |y| %.1f units, |vx|, |vy| %.1f units/s\n",
			      kinds[i], mp, mv);
		assert_true(mp < 32000);	/* what the readers take */
		assert_true(mv < 32767.0 / 2);	/* 2x headroom to the Q16.16 limit */
		assert_int_equal(tmn_csv_write(path("g.csv"), &d, err, sizeof(err)), 0);
		assert_int_equal(tmn_csv_read(path("g.csv"), &b, err, sizeof(err)), 0);
		assert_int_equal(b.n, d.n);
		assert_int_equal(b.rate_hz, 2000);
		/* segments and the recording units survive the file */
		assert_int_equal(b.nseg, d.nseg);
		assert_true(d.nseg >= 1);
		for (j = 0; j < d.n; j++)
			assert_int_equal(b.s[j].flags, d.s[j].flags);
		assert_true(fabs(b.units.scale[0] - d.units.scale[0]) <= 1e-9 * fabs(d.units.scale[0]));
		assert_true(fabs(b.units.offset[1] - d.units.offset[1]) <= 1e-6 * (1 + fabs(d.units.offset[1])));
		tmn_series_free(&b);
		/* and the binary form holds the same samples */
		assert_int_equal(tmn_csv_write(path("g.tmd"), &d, err, sizeof(err)), 0);
		assert_int_equal(tmn_csv_read(path("g.tmd"), &b, err, sizeof(err)), 0);
		assert_true(same_series(&b, &d));
		tmn_series_free(&b);
		tmn_series_free(&d);
	}
}

static void test_mix_weights(void **state)
{
	struct tmn_gen_human_cfg c;
	struct tmn_series d;
	uint8_t *kind;
	char err[256];
	size_t cnt[TMN_GK_N] = { 0 }, blocks[TMN_GK_N] = { 0 }, half[TMN_GK_N] = { 0 }, i;
	int k;

	(void)state;
	human_cfg(&c, "mix:vehicle=0.4,pointing=0.3,handwriting=0.3", 3, 400, 1000);
	c.block_min_s = 10;
	c.block_max_s = 30;
	assert_int_equal(tmn_gen_human(&c, &d, &kind, NULL, err, sizeof(err)), 0);
	assert_int_equal(d.n, 400000);
	for (i = 0; i < d.n; i++) {
		int start = i == 0 || kind[i] != kind[i - 1];

		cnt[kind[i]]++;
		if (start) {
			/* every block is a recording of its own */
			assert_true(d.s[i].flags & TMNET_SAMPLE_SEG_START);
			blocks[kind[i]]++;
			if (i < d.n / 2)
				half[kind[i]]++;
		}
	}
	for (k = 0; k < TMN_GK_N; k++) {
		double share = (double)cnt[k] / (double)d.n;

		print_message("# %s: %.4f of the ticks in %zu blocks\n", tmn_gen_kind_name(k), share,
			      blocks[k]);
		/* stated tolerance: 0.1 % of the ticks */
		assert_true(fabs(share - c.w[k]) <= 0.001);
		assert_true(blocks[k] >= 3);	/* interleaved, not one run per kind */
		assert_true(half[k] >= 1);
	}
	free(kind);
	tmn_series_free(&d);
}

static void test_kind_parse(void **state)
{
	double w[TMN_GK_N];
	char err[256];

	(void)state;
	assert_int_equal(tmn_gen_kind_parse("vehicle", w, err, sizeof(err)), 0);
	assert_true(w[TMN_GK_VEHICLE] == 1 && w[TMN_GK_POINTING] == 0);
	assert_int_equal(tmn_gen_kind_parse("mix:pointing=1,handwriting=3", w, err, sizeof(err)), 0);
	assert_true(w[TMN_GK_VEHICLE] == 0 && fabs(w[TMN_GK_POINTING] - 0.25) < 1e-12 &&
		    fabs(w[TMN_GK_HANDWRITING] - 0.75) < 1e-12);
	assert_int_equal(tmn_gen_kind_parse("walking", w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "walking"));
	assert_int_equal(tmn_gen_kind_parse("mix:pointing=x", w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pointing=x"));
	assert_int_equal(tmn_gen_kind_parse("mix:pointing=-1", w, err, sizeof(err)), -1);
	assert_int_equal(tmn_gen_kind_parse("mix:pointing=0", w, err, sizeof(err)), -1);
	assert_int_equal(tmn_gen_kind_parse("mix:pointing=1,pointing=2", w, err, sizeof(err)), -1);
	assert_int_equal(tmn_gen_kind_parse("mix:cat=1", w, err, sizeof(err)), -1);
	assert_int_equal(tmn_gen_kind_parse("mix:", w, err, sizeof(err)), -1);
}

/* --kind vehicle is today's generator, sample for sample */
static void test_vehicle_unchanged(void **state)
{
	struct tmn_gen_human_cfg c;
	struct tmn_gen_cfg v;
	struct tmn_series a, b;
	char err[256];

	(void)state;
	human_cfg(&c, "vehicle", 7, 20, 1000);
	assert_int_equal(tmn_gen_human(&c, &a, NULL, NULL, err, sizeof(err)), 0);
	tmn_gen_default(&v);
	v.seed = 7;
	v.seconds = 20;
	v.rate_hz = 1000;
	assert_int_equal(tmn_gen(&v, &b, NULL), 0);
	assert_true(same_series(&a, &b));
	tmn_series_free(&a);
	tmn_series_free(&b);
	/* a device log needs one human kind */
	assert_int_equal(tmn_gen_human(&c, &a, NULL, path("r.csv"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--raw"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_minjerk_bell),
		cmocka_unit_test(test_fitts),
		cmocka_unit_test(test_sigma_lognormal),
		cmocka_unit_test(test_penup_segments),
		cmocka_unit_test(test_mouse_log_imports),
		cmocka_unit_test(test_raw_reimport),
		cmocka_unit_test(test_range_and_reader),
		cmocka_unit_test(test_mix_weights),
		cmocka_unit_test(test_kind_parse),
		cmocka_unit_test(test_vehicle_unchanged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
