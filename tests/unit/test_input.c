// SPDX-License-Identifier: GPL-2.0
/*
 * Samples from input-device events (core/tm_input.c): frame assembly,
 * segment starts, relative integration, multi-touch slot 0, the velocity
 * against a double-precision reference of the definition in
 * core/tm_input.h, the units conversion against double, and the rounding
 * of tm_input_div.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tm_input.h"

#define MS	1000000ULL

/* one absolute frame: ABS_X, ABS_Y, SYN_REPORT; returns what the SYN made */
static int abs_frame(struct tm_input *in, __u64 t, __s32 x, __s32 y,
		     struct tm_input_raw *out)
{
	assert_int_equal(tm_input_event(in, TM_EV_ABS, TM_ABS_X, x, t, out), 0);
	assert_int_equal(tm_input_event(in, TM_EV_ABS, TM_ABS_Y, y, t, out), 0);
	return tm_input_event(in, TM_EV_SYN, TM_SYN_REPORT, 0, t, out);
}

static void test_frames_and_segments(void **state)
{
	struct tm_input in;
	struct tm_input_raw r;

	(void)state;
	tm_input_init(&in, 0, 0, 0);
	/* only x known: no sample until both coordinates are */
	assert_int_equal(tm_input_event(&in, TM_EV_ABS, TM_ABS_X, 5, 1 * MS, &r), 0);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 1 * MS, &r), 0);
	assert_int_equal(abs_frame(&in, 2 * MS, 10, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	assert_int_equal(r.x, 10);
	assert_int_equal(r.y, 20);
	assert_int_equal(r.vx_q16, 0);	/* first sample of a segment */
	assert_int_equal(r.seq, 0);
	assert_int_equal(abs_frame(&in, 3 * MS, 11, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID);
	assert_int_equal(r.seq, 1);
	/* segment younger than w: span to its first sample, 1 unit / 1 ms */
	assert_int_equal(r.vx_q16, 1000 * TM_Q16_ONE);
	assert_int_equal(r.vy_q16, 0);

	/* a frame without a position change (pressure only) makes no sample */
	assert_int_equal(tm_input_event(&in, TM_EV_ABS, 0x18 /* ABS_PRESSURE */, 7, 4 * MS, &r), 0);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 4 * MS, &r), 0);

	/* pen up: the frame holding the release ends the old segment */
	assert_int_equal(tm_input_event(&in, TM_EV_KEY, TM_BTN_TOUCH, 0, 5 * MS, &r), 0);
	assert_int_equal(abs_frame(&in, 5 * MS, 12, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID);
	assert_int_equal(abs_frame(&in, 6 * MS, 13, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	/* BTN_TOOL_PEN release does the same; a press does not */
	assert_int_equal(tm_input_event(&in, TM_EV_KEY, TM_BTN_TOUCH, 1, 7 * MS, &r), 0);
	assert_int_equal(abs_frame(&in, 7 * MS, 14, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID);
	assert_int_equal(tm_input_event(&in, TM_EV_KEY, TM_BTN_TOOL_PEN, 0, 8 * MS, &r), 0);
	assert_int_equal(abs_frame(&in, 8 * MS, 15, 20, &r), 1);
	assert_int_equal(abs_frame(&in, 9 * MS, 16, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);

	/* a gap longer than gap_ns (50 ms) starts one; exactly 50 ms does not */
	assert_int_equal(abs_frame(&in, 59 * MS, 17, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID);
	assert_int_equal(abs_frame(&in, 109 * MS + 1, 18, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	/* time going backwards starts one */
	assert_int_equal(abs_frame(&in, 100 * MS, 19, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	/* SYN_DROPPED: the next sample starts one */
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_DROPPED, 0, 101 * MS, &r), 0);
	assert_int_equal(abs_frame(&in, 102 * MS, 20, 20, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	assert_int_equal(r.seq, 10);
	assert_true(in.samples == 11);
	assert_true(in.segs == 6);
}

static void test_relative_and_mt(void **state)
{
	struct tm_input in;
	struct tm_input_raw r;

	(void)state;
	/* a mouse: displacements integrate; absolute axes are ignored */
	tm_input_init(&in, TM_INPUT_REL, 0, 0);
	assert_int_equal(tm_input_event(&in, TM_EV_REL, TM_REL_X, 3, 1 * MS, &r), 0);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 1 * MS, &r), 1);
	/* a segment start restarts the integrated position at (0, 0) */
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	assert_int_equal(r.x, 0);
	assert_int_equal(r.y, 0);
	tm_input_event(&in, TM_EV_REL, TM_REL_X, 4, 2 * MS, &r);
	tm_input_event(&in, TM_EV_REL, TM_REL_Y, -2, 2 * MS, &r);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_X, 999, 2 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 2 * MS, &r), 1);
	assert_int_equal(r.x, 4);
	assert_int_equal(r.y, -2);
	tm_input_event(&in, TM_EV_REL, TM_REL_X, 5, 3 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 3 * MS, &r), 1);
	assert_int_equal(r.x, 9);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID);
	/* leaving +-TM_INPUT_REL_LIMIT restarts the segment at the origin */
	tm_input_event(&in, TM_EV_REL, TM_REL_X, (__s32)(TM_INPUT_REL_LIMIT), 4 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 4 * MS, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	assert_int_equal(r.x, 0);

	/* a touchscreen: slot 0 only; its contact ending ends the segment */
	tm_input_init(&in, TM_INPUT_MT, 0, 0);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_POSITION_X, 100, 1 * MS, &r);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_POSITION_Y, 200, 1 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 1 * MS, &r), 1);
	assert_int_equal(r.x, 100);
	assert_int_equal(r.y, 200);
	/* a second finger moves: no sample */
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_SLOT, 1, 2 * MS, &r);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_POSITION_X, 500, 2 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 2 * MS, &r), 0);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_SLOT, 0, 3 * MS, &r);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_POSITION_X, 101, 3 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 3 * MS, &r), 1);
	assert_int_equal(r.x, 101);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_TRACKING_ID, -1, 4 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 4 * MS, &r), 0);
	tm_input_event(&in, TM_EV_ABS, TM_ABS_MT_POSITION_X, 300, 5 * MS, &r);
	assert_int_equal(tm_input_event(&in, TM_EV_SYN, TM_SYN_REPORT, 0, 5 * MS, &r), 1);
	assert_int_equal(r.flags, TMNET_SAMPLE_VALID | TMNET_SAMPLE_SEG_START);
	assert_int_equal(r.x, 300);
}

/*
 * The velocity as core/tm_input.h defines it, in double: the causal
 * backward difference over w, p(t - w) interpolated between the samples
 * around t - w; the span to the segment's first sample when the segment is
 * younger than w; the chord to the previous sample when that is older
 * than w.
 */
static double ref_vel(const double *t, const double *p, int n, double w)
{
	double tr = t[n] - w;
	int k;

	if (n == 0)
		return 0;
	if (t[0] > tr)
		return (p[n] - p[0]) / (t[n] - t[0]);
	for (k = n - 1; k >= 0; k--)
		if (t[k] <= tr)
			break;
	if (k == n - 1)
		return (p[n] - p[k]) / (t[n] - t[k]);
	{
		double pr = p[k] + (p[k + 1] - p[k]) * (tr - t[k]) / (t[k + 1] - t[k]);

		return (p[n] - pr) / w;
	}
}

static void test_velocity_reference(void **state)
{
	enum { N = 4000 };
	static double tt[N], px[N], py[N];
	struct tt_rng rng = { 0xfeed };
	struct tm_input in;
	struct tm_input_raw r;
	double maxe = 0;
	__u64 t = 5 * MS;
	int i, seg0 = 0;

	(void)state;
	tm_input_init(&in, 0, 0, 0);
	for (i = 0; i < N; i++) {
		/* 1 kHz with jitter, an occasional late frame (older than w) */
		t += 700000 + (tt_next(&rng) % 600000) +
		     (tt_next(&rng) % 97 == 0 ? 15 * MS : 0);
		__s32 x = (__s32)(20000 * sin(i * 0.003) + (double)(tt_next(&rng) % 9));
		__s32 y = (__s32)(15000 * cos(i * 0.0021) - (double)(tt_next(&rng) % 5));

		assert_int_equal(abs_frame(&in, t, x, y, &r), 1);
		tt[i] = (double)t;
		px[i] = x;
		py[i] = y;
		if (r.flags & TMNET_SAMPLE_SEG_START)
			seg0 = i;
		{
			double wns = (double)TM_INPUT_VEL_WINDOW_NS;
			double vx = ref_vel(tt + seg0, px + seg0, i - seg0, wns) * 1e9;
			double vy = ref_vel(tt + seg0, py + seg0, i - seg0, wns) * 1e9;
			double ex = fabs((double)r.vx_q16 / 65536.0 - vx);
			double ey = fabs((double)r.vy_q16 / 65536.0 - vy);

			if (ex > maxe)
				maxe = ex;
			if (ey > maxe)
				maxe = ey;
		}
	}
	/*
	 * Bound: p(t - w) is rounded once to Q16.16 (0.5 ulp), scaled by
	 * 1e9 / w = 100, plus the final rounding: 50.5 ulp = 7.7e-4 units/s.
	 */
	printf("# velocity vs double: max error %.3g units/s over %d samples\n", maxe, N);
	assert_true(maxe <= 51.0 / 65536.0);
}

static __u64 f64_bits(double d)
{
	__u64 b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

static void test_units_convert(void **state)
{
	struct tt_rng rng = { 0x5eed };
	struct tmnet_blob_units u;
	struct tm_input_conv c;
	struct tm_input_raw r;
	struct tmnet_sample s;
	double maxe = 0;
	int i, a;

	(void)state;
	/* all zero: the identity */
	memset(&u, 0, sizeof(u));
	assert_int_equal(tm_input_conv_init(&c, &u), 0);
	memset(&r, 0, sizeof(r));
	r.x = 123;
	r.y = -7;
	r.vx_q16 = 5 * TM_Q16_ONE;
	tm_input_convert(&c, &r, &s);
	assert_int_equal(s.x, 123 * TM_Q16_ONE);
	assert_int_equal(s.y, -7 * TM_Q16_ONE);
	assert_int_equal(s.vx, 5 * TM_Q16_ONE);

	/* bad units are refused and leave the identity */
	u.scale_f64[0] = f64_bits(-1.0);
	u.scale_f64[1] = f64_bits(1.0);
	assert_int_equal(tm_input_conv_init(&c, &u), -1);
	u.scale_f64[0] = f64_bits(1.0);
	u.offset_f64[1] = f64_bits(NAN);
	assert_int_equal(tm_input_conv_init(&c, &u), -1);
	tm_input_convert(&c, &r, &s);
	assert_int_equal(s.x, 123 * TM_Q16_ONE);

	/* random scales and offsets against double: one rounding */
	for (i = 0; i < 20000; i++) {
		double sc[2], of[2];

		for (a = 0; a < 2; a++) {
			sc[a] = exp((tt_unif(&rng) - 0.5) * 12);	/* 2.5e-3 .. 403 */
			of[a] = (tt_unif(&rng) - 0.5) * 40000;
			u.scale_f64[a] = f64_bits(sc[a]);
			u.offset_f64[a] = f64_bits(of[a]);
		}
		assert_int_equal(tm_input_conv_init(&c, &u), 0);
		r.x = (__s64)(of[0] + (tt_unif(&rng) - 0.5) * 2000 / sc[0]);
		r.y = (__s64)(of[1] + (tt_unif(&rng) - 0.5) * 2000 / sc[1]);
		r.vx_q16 = (__s64)((tt_unif(&rng) - 0.5) * 65536.0 * 1e4 / sc[0]);
		r.vy_q16 = (__s64)((tt_unif(&rng) - 0.5) * 65536.0 * 1e4 / sc[1]);
		tm_input_convert(&c, &r, &s);
		{
			double e[4] = {
				fabs(s.x / 65536.0 - (r.x - of[0]) * sc[0]),
				fabs(s.y / 65536.0 - (r.y - of[1]) * sc[1]),
				fabs(s.vx / 65536.0 - r.vx_q16 / 65536.0 * sc[0]),
				fabs(s.vy / 65536.0 - r.vy_q16 / 65536.0 * sc[1]),
			};
			for (a = 0; a < 4; a++)
				if (e[a] > maxe)
					maxe = e[a];
		}
	}
	/* the rounding of the product (0.5 ulp) and of the offset to Q32.32 */
	printf("# units vs double: max error %.3g units (%.3f Q16 ulp)\n", maxe,
	       maxe * 65536.0);
	assert_true(maxe <= 1.0 / 65536.0);
}

static void test_input_div(void **state)
{
	(void)state;
	/* ties away from zero */
	assert_int_equal(tm_input_div(5, 2), 3);
	assert_int_equal(tm_input_div(-5, 2), -3);
	assert_int_equal(tm_input_div(4, 3), 1);
	assert_int_equal(tm_input_div(-4, 3), -1);
	assert_int_equal(tm_input_div(7, 0), 0);
	/* beyond 2^63: the 128-bit path, exact, then saturation */
	assert_true(tm_input_div((tm_s128)1 << 70, 1 << 10) == (__s64)1 << 60);
	assert_true(tm_input_div(-((tm_s128)1 << 70), 1 << 10) == -((__s64)1 << 60));
	assert_true(tm_input_div((tm_s128)1 << 100, 3) == INT64_MAX);
	assert_true(tm_input_div(-((tm_s128)1 << 100), 3) == INT64_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_and_segments),
		cmocka_unit_test(test_relative_and_mt),
		cmocka_unit_test(test_velocity_reference),
		cmocka_unit_test(test_units_convert),
		cmocka_unit_test(test_input_div),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
