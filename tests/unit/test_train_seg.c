// SPDX-License-Identifier: GPL-2.0
/*
 * Segments in training (TMNET_SAMPLE_SEG_START) and fits that say what they
 * did:
 *   - no horizon target crosses a segment start, and the prior after one
 *     equals a prior run from reset on that segment alone (the core resets);
 *   - training windows never cross a run start and no stored state is
 *     carried across one;
 *   - the temporal split moves a cut onto a nearby segment start (no gap),
 *     keeps the gap elsewhere, and is the plain split without segments;
 *   - the bounded-memory input builder equals the track-based one, and its
 *     blocks hold exactly the full build's values at those ticks;
 *   - a Kalman fit whose optimum lies past its range, and a noise estimate
 *     of zero, are reported as bound hits; the gate fit reports its caps;
 *   - validation streaming carries no hidden state across a run start;
 *   - horizon/window milliseconds -> ticks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_prep.h"
#include "tmn_gru.h"
#include "tmn_train.h"

static const struct tmn_kalman K = { 1e4, 2.5e-3, 2.5e-3, 100, 200, TMNET_PRIOR_CV, 0, 1 };

static void gen(struct tmn_series *d, double secs, uint64_t seed)
{
	struct tmn_gen_cfg gc;

	tmn_gen_default(&gc);
	gc.seconds = secs;
	gc.seed = seed;
	assert_int_equal(tmn_gen(&gc, d, NULL), 0);
}

static struct tm_model *prior(int horizon)
{
	struct tm_model *m = malloc(sizeof(*m));
	char err[256];

	assert_non_null(m);
	assert_int_equal(tmn_prior_model(&K, 2000, horizon, m, err, sizeof(err)), 0);
	return m;
}

/* targets stop at a segment start; the state after it is a fresh start */
static void test_track_segments(void **state)
{
	struct tmn_series d;
	struct tm_model *m = prior(1000);
	struct tmn_track whole, alone;
	const size_t H = 1000;
	size_t seg, i, crossing = 0;

	(void)state;
	gen(&d, 20, 3);
	seg = d.n / 2 + 123;
	d.s[seg].flags |= TMNET_SAMPLE_SEG_START;
	assert_int_equal(tmn_track_build(&d, 0, d.n, m, TMN_EXTRA_NONE, &whole), 0);
	assert_int_equal(whole.nsegs, 2);
	assert_int_equal(whole.segs[0], 0);
	assert_int_equal(whole.segs[1], seg);
	for (i = 0; i < d.n; i++) {
		if (i < seg && i + H >= seg) {
			crossing++;
			assert_int_equal(whole.ok[i], 0);
		}
	}
	assert_int_equal(crossing, H);
	/* some ticks well before the start do score */
	assert_int_equal(whole.ok[seg - H - 1] || !(d.s[seg - 1].flags & TMNET_SAMPLE_VALID), 1);
	/* the core resets its streaming state at the start: same as from reset */
	assert_int_equal(tmn_track_build(&d, seg, d.n, m, TMN_EXTRA_NONE, &alone), 0);
	for (i = 0; i < alone.n; i++) {
		assert_memory_equal(whole.feat + (seg + i) * TMN_FEAT_N, alone.feat + i * TMN_FEAT_N,
				    TMN_FEAT_N * sizeof(float));
		assert_true(whole.prior[2 * (seg + i)] == alone.prior[2 * i]);
		assert_true(whole.pcov[3 * (seg + i) + 2] == alone.pcov[3 * i + 2]);
		assert_int_equal(whole.ok[seg + i], alone.ok[i]);
	}
	tmn_track_free(&whole);
	tmn_track_free(&alone);
	free(m);
	tmn_series_free(&d);
}

/* windows stay inside runs; stored states only chain inside a run */
static void test_windows_runs(void **state)
{
	struct tmn_series d;
	struct tm_model *m = prior(1000);
	struct tmn_track tr;
	struct tmn_norm nm;
	struct tmn_xy xy;
	size_t seg[3], *starts, nw, W = 256, S = 128, r;
	uint8_t *cont;

	(void)state;
	gen(&d, 30, 4);
	seg[0] = 10001;
	seg[1] = 10001 + 300;	/* a segment shorter than two windows */
	seg[2] = 40000;
	for (int k = 0; k < 3; k++)
		d.s[seg[k]].flags |= TMNET_SAMPLE_SEG_START;
	assert_int_equal(tmn_track_build(&d, 0, d.n, m, TMN_EXTRA_NONE, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, TMNET_SYS_B, &nm), 0);
	assert_int_equal(tmn_xy_build(&tr, &nm, &xy), 0);
	assert_int_equal(xy.nruns, 4);
	assert_int_equal(xy.run_seg[0], 0);	/* the part's first tick */
	for (int k = 0; k < 3; k++) {
		assert_int_equal(xy.runs[k + 1], seg[k]);
		assert_int_equal(xy.run_seg[k + 1], 1);
	}
	nw = tmn_windows_runs(&xy, W, S, &starts, &cont);
	assert_true(nw > 0);
	for (size_t w = 0; w < nw; w++) {
		/* the run of this window */
		for (r = 0; r + 1 < xy.nruns && xy.runs[r + 1] <= starts[w]; r++)
			;
		assert_true(starts[w] + W <= (r + 1 < xy.nruns ? xy.runs[r + 1] : xy.n));
		if (starts[w] == xy.runs[r])
			assert_int_equal(cont[w], 0);
		else
			assert_true(cont[w] == 1 && starts[w] == starts[w - 1] + S);
	}
	/* the 300-tick segment holds one window, and it does not continue */
	for (size_t w = 0; w < nw; w++)
		if (starts[w] >= seg[0] && starts[w] < seg[1])
			assert_true(starts[w] == seg[0] && !cont[w]);
	free(starts);
	free(cont);
	/* without segments: the plain windows, every one continuing */
	tmn_xy_free(&xy);
	tmn_track_free(&tr);
	for (int k = 0; k < 3; k++)
		d.s[seg[k]].flags &= ~TMNET_SAMPLE_SEG_START;
	assert_int_equal(tmn_track_build(&d, 0, d.n, m, TMN_EXTRA_NONE, &tr), 0);
	assert_int_equal(tmn_xy_build(&tr, &nm, &xy), 0);
	{
		size_t *s0, n0 = tmn_windows(xy.n, W, S, &s0);

		nw = tmn_windows_runs(&xy, W, S, &starts, &cont);
		assert_int_equal(nw, n0);
		assert_memory_equal(starts, s0, n0 * sizeof(size_t));
		for (size_t w = 1; w < nw; w++)
			assert_int_equal(cont[w], 1);
		free(s0);
	}
	free(starts);
	free(cont);
	tmn_xy_free(&xy);
	tmn_track_free(&tr);
	free(m);
	tmn_series_free(&d);
}

/* a cut near a segment start moves onto it, with no gap; others keep theirs */
static void test_split_segments(void **state)
{
	struct tmn_series d = { 0 };
	struct tmn_split plain, sp;
	const size_t n = 400000, W = 256, H = 1000;
	size_t s1;

	(void)state;
	assert_int_equal(tmn_series_alloc(&d, n, 2000), 0);
	for (size_t i = 0; i < n; i++)
		d.s[i].flags = TMNET_SAMPLE_VALID;
	assert_int_equal(tmn_split_make(n, W, H, &plain), 0);
	/* no segment: the plain split */
	assert_int_equal(tmn_split_make_seg(&d, W, H, &sp), 0);
	assert_memory_equal(&sp, &plain, sizeof(sp));
	/* a start 3000 ticks after the first gap; another far from the second */
	s1 = plain.hi[0] + 3000;
	d.s[s1].flags |= TMNET_SAMPLE_SEG_START;
	d.s[plain.hi[1] - n / 10].flags |= TMNET_SAMPLE_SEG_START;
	assert_int_equal(tmn_split_make_seg(&d, W, H, &sp), 0);
	assert_int_equal(sp.hi[0], s1);
	assert_int_equal(sp.lo[1], s1);
	assert_int_equal(sp.hi[1], plain.hi[1]);
	assert_int_equal(sp.lo[2], plain.lo[2]);
	assert_true(sp.lo[2] - sp.hi[1] >= H);
	tmn_series_free(&d);
}

/* the streamed inputs equal the track-built ones; blocks hold their ticks */
static void test_xy_stream(void **state)
{
	struct tmn_series d;
	struct tm_model *m = prior(1000);
	struct tmn_track tr;
	struct tmn_norm n1, n2;
	struct tmn_xy a, b, c;
	const size_t lo = 5000, hi = 80000, blk = 4096, cap = 3 * 4096 + 100;

	(void)state;
	gen(&d, 45, 5);
	d.s[30000].flags |= TMNET_SAMPLE_SEG_START;
	assert_int_equal(tmn_track_build(&d, lo, hi, m, TMN_EXTRA_NONE, &tr), 0);
	assert_int_equal(tmn_norm_fit(&tr, TMNET_SYS_B, &n1), 0);
	assert_int_equal(tmn_xy_build(&tr, &n1, &a), 0);
	memset(&n2, 0, sizeof(n2));
	n2.system = TMNET_SYS_B;
	assert_int_equal(tmn_xy_stream(&d, lo, hi, m, TMN_EXTRA_NONE, 0, blk, 1, &n2, &b, NULL), 0);
	assert_memory_equal(&n1, &n2, sizeof(n1));
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.x, b.x, a.n * a.F * sizeof(float));
	assert_memory_equal(a.y, b.y, a.n * 2 * sizeof(float));
	assert_memory_equal(a.m, b.m, a.n);
	assert_int_equal(a.nruns, b.nruns);
	assert_memory_equal(a.runs, b.runs, a.nruns * sizeof(size_t));
	assert_memory_equal(a.run_seg, b.run_seg, a.nruns);
	/* capped: 3 blocks, each the full build's ticks, each a run */
	assert_int_equal(tmn_xy_stream(&d, lo, hi, m, TMN_EXTRA_NONE, cap, blk, 0, &n1, &c, NULL), 0);
	assert_int_equal(c.n, 3 * blk);
	assert_true(c.nruns >= 3);
	for (size_t k = 0, r = 0; k < 3; k++) {
		size_t src = k * ((hi - lo) - blk) / 2;

		while (r < c.nruns && c.runs[r] < k * blk)
			r++;
		assert_int_equal(c.runs[r], k * blk);
		assert_memory_equal(c.x + k * blk * c.F, a.x + src * a.F, blk * a.F * sizeof(float));
		assert_memory_equal(c.y + 2 * k * blk, a.y + 2 * src, blk * 2 * sizeof(float));
	}
	tmn_xy_free(&a);
	tmn_xy_free(&b);
	tmn_xy_free(&c);
	tmn_track_free(&tr);
	free(m);
	tmn_series_free(&d);
}

/*
 * A straight line with exact velocities and noisy positions: the smaller
 * qa, the better the prior, so the optimum runs off the lower end of every
 * range.  The fit widens twice and then reports the bound.  A line exact in
 * fixed point has no measurable noise: r at its floor, also reported.
 */
static void test_fit_bound_reported(void **state)
{
	struct tmn_series d = { 0 };
	struct tmn_kalman k;
	struct tmn_fit_report rep;
	struct tmn_rng rng;
	const size_t n = 60000;
	char line[1024];

	(void)state;
	tmn_rng_seed(&rng, 9);
	assert_int_equal(tmn_series_alloc(&d, n, 2000), 0);
	for (size_t i = 0; i < n; i++) {
		double t = i / 2000.0;

		d.s[i].x = (__s32)lround((100 * t + 0.05 * tmn_rng_gauss(&rng)) * 65536);
		d.s[i].y = (__s32)lround((-50 * t + 0.05 * tmn_rng_gauss(&rng)) * 65536);
		d.s[i].vx = 100 << 16;
		d.s[i].vy = -(50 << 16);
		d.s[i].flags = TMNET_SAMPLE_VALID;
	}
	assert_int_equal(tmn_kalman_fit_rep(&d, 0, n, 1000, &k, &rep, 0), 0);
	assert_int_equal(rep.r_source, TMN_R_MAD);
	assert_int_equal(rep.qa_bound, -1);
	assert_int_equal(rep.widened, TMN_FIT_WIDEN_MAX);
	assert_true(k.qa <= rep.qa_lo * 1.0001);
	tmn_fit_report_line(&k, &rep, line, sizeof(line));
	assert_non_null(strstr(line, "WARNING"));
	assert_non_null(strstr(line, "LOWER"));
	/* exact in Q16.16: every second difference is 0 */
	for (size_t i = 0; i < n; i++) {
		d.s[i].x = (__s32)(i * 3277);
		d.s[i].y = -(__s32)(i * 1638);
		d.s[i].vx = 3277 * 2000;
		d.s[i].vy = -1638 * 2000;
	}
	assert_int_equal(tmn_kalman_fit_rep(&d, 0, n, 1000, &k, &rep, 0), 0);
	assert_int_equal(rep.r_source, TMN_R_FLOOR);
	assert_true(k.r == rep.r_floor);
	tmn_fit_report_line(&k, &rep, line, sizeof(line));
	assert_non_null(strstr(line, "AT ITS FLOOR"));
	/* generated data: the optimum is inside the range, nothing to report */
	tmn_series_free(&d);
	gen(&d, 60, 6);
	assert_int_equal(tmn_kalman_fit_rep(&d, 0, d.n, 1000, &k, &rep, 0), 0);
	assert_int_equal(rep.qa_bound, 0);
	assert_int_equal(rep.r_source, TMN_R_MAD);
	assert_true(k.qa > rep.qa_lo && k.qa < rep.qa_hi);
	tmn_fit_report_line(&k, &rep, line, sizeof(line));
	assert_null(strstr(line, "WARNING"));
	assert_null(strstr(line, "FLOOR"));
	tmn_series_free(&d);
}

/* the gate fit says when cov_scale sits on a bound of the blob's range */
static void test_gate_fit_caps(void **state)
{
	struct tmq_corr cv[100];
	double c;

	(void)state;
	for (int i = 0; i < 100; i++) {
		cv[i].p[0] = cv[i].p[2] = 1e-6;
		cv[i].p[1] = 0;
		cv[i].r[0] = 1 + i;	/* far outside any ellipse we may build */
		cv[i].r[1] = 0;
	}
	assert_int_equal(tmq_gate_fit(cv, 100, 1e-4, 9.21, 0.98, &c), 1);
	assert_true(c == TMQ_COV_SCALE_MAX);
	assert_true(tmq_pass_rate(cv, 100, c, 1e-4, 9.21) < 0.98);
	for (int i = 0; i < 100; i++)
		cv[i].r[0] = 1e-4 * i;	/* inside the floor alone */
	assert_int_equal(tmq_gate_fit(cv, 100, 1.0, 9.21, 0.98, &c), -1);
	assert_true(c == TMQ_COV_SCALE_MIN);
	for (int i = 0; i < 100; i++) {
		cv[i].p[0] = cv[i].p[2] = 1.0;
		cv[i].r[0] = 0.05 * i;
	}
	assert_int_equal(tmq_gate_fit(cv, 100, 1e-3, 9.21, 0.9, &c), 0);
	assert_true(tmq_pass_rate(cv, 100, c, 1e-3, 9.21) >= 0.9);
	assert_true(tmq_pass_rate(cv, 100, c * 0.99, 1e-3, 9.21) < 0.9);
}

/*
 * Validation streaming carries the hidden state from window to window but
 * never across a run start: with the first run unscored, scrambling its
 * inputs leaves the score of the second run unchanged (one lane, so the
 * second run's windows follow the first run's in the same chunk).
 */
static void test_eval_stream_runs(void **state)
{
	struct tmn_xy xy;
	struct tmn_gru g;
	struct tmn_rng r;
	const size_t n = 64 * 40, cut = 64 * 17;
	double v1, v2, v3;

	(void)state;
	memset(&xy, 0, sizeof(xy));
	tmn_rng_seed(&r, 3);
	xy.n = n;
	xy.F = 4;
	xy.x = malloc(n * 4 * sizeof(float));
	xy.y = malloc(n * 2 * sizeof(float));
	xy.m = malloc(n);
	xy.runs = malloc(2 * sizeof(size_t));
	xy.run_seg = malloc(2);
	assert_true(xy.x && xy.y && xy.m && xy.runs && xy.run_seg);
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 4; k++)
			xy.x[i * 4 + k] = (float)tmn_rng_gauss(&r);
		xy.y[2 * i] = (float)tmn_rng_gauss(&r);
		xy.y[2 * i + 1] = (float)tmn_rng_gauss(&r);
		xy.m[i] = i >= cut;
	}
	xy.nruns = 2;
	xy.runs[0] = 0;
	xy.runs[1] = cut;
	xy.run_seg[0] = 0;
	xy.run_seg[1] = 1;
	assert_int_equal(tmn_gru_init(&g, 4, 8), 0);
	tmn_gru_randomize(&g, 11);
	g.head_gain = 1;
	v1 = tmn_eval_stream(&g, &xy, 64, 1, 1);
	for (size_t i = 0; i < cut * 4; i++)
		xy.x[i] = 5.0f * (float)tmn_rng_gauss(&r);
	v2 = tmn_eval_stream(&g, &xy, 64, 1, 1);
	assert_true(isfinite(v1));
	assert_true(v1 == v2);
	/* one run: the state does cross, and the scrambled inputs show */
	xy.nruns = 1;
	v3 = tmn_eval_stream(&g, &xy, 64, 1, 1);
	assert_true(isfinite(v3) && v3 != v2);
	tmn_gru_free(&g);
	tmn_xy_free(&xy);
}

static void test_ms_to_ticks(void **state)
{
	(void)state;
	assert_int_equal(tmn_ms_to_ticks(500, 2000), TMNET_DEFAULT_HORIZON_TICKS);
	assert_int_equal(tmn_ms_to_ticks(128, 2000), TMNET_DEFAULT_WINDOW_TICKS);
	assert_int_equal(tmn_ms_to_ticks(20, 2000), 40);
	assert_int_equal(tmn_ms_to_ticks(8, 125), 1);
	assert_int_equal(tmn_ms_to_ticks(0.01, 2000), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_segments),
		cmocka_unit_test(test_windows_runs),
		cmocka_unit_test(test_split_segments),
		cmocka_unit_test(test_xy_stream),
		cmocka_unit_test(test_fit_bound_reported),
		cmocka_unit_test(test_gate_fit_caps),
		cmocka_unit_test(test_eval_stream_runs),
		cmocka_unit_test(test_ms_to_ticks),
	};

	return cmocka_run_group_tests_name("train_seg", tests, NULL, NULL);
}
