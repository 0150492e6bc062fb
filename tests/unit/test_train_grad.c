// SPDX-License-Identifier: GPL-2.0
/*
 * The GRU backward pass (BPTT, MSE or pseudo-Huber + smoothness) against
 * central finite differences of the loss, every parameter of a small network.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_data.h"
#include "tmn_gru.h"

static void check_grad_h(int F, int H, int T, int B, double smooth, int with_h0, int with_w,
			 double huber)
{
	struct tmn_gru g;
	struct tmn_gru_ws *ws = tmn_gru_ws_new(F, H, T, B);
	struct tmn_rng r;
	size_t tb = (size_t)T * B, i;
	float *x = malloc(tb * F * sizeof(float)), *y = malloc(tb * 2 * sizeof(float));
	float *h0 = malloc((size_t)B * H * sizeof(float)), *w = malloc((size_t)B * sizeof(float));
	uint8_t *m = malloc(tb);
	float *grad;
	struct tmn_batch bt;
	double sse, cnt, pairs = 0, worst = 0;

	assert_non_null(ws);
	assert_int_equal(tmn_gru_init(&g, F, H), 0);
	tmn_gru_randomize(&g, 7);
	/* a head of normal size so that every path carries gradient */
	for (i = 0; i < (size_t)2 * H; i++)
		g.w_out[i] *= 10;
	tmn_rng_seed(&r, 11);
	for (i = 0; i < tb * F; i++)
		x[i] = (float)tmn_rng_gauss(&r);
	for (i = 0; i < tb * 2; i++)
		y[i] = (float)tmn_rng_gauss(&r);
	for (i = 0; i < tb; i++)
		m[i] = (i / B) >= 2 && tmn_rng_uniform(&r) < 0.8;	/* burn-in 2 ticks */
	for (i = 0; i < (size_t)B * H; i++)
		h0[i] = (float)tmn_rng_range(&r, -0.5, 0.5);
	for (i = 0; i < (size_t)B; i++)
		w[i] = (float)tmn_rng_range(&r, 0.2, 3.0);
	bt = (struct tmn_batch){ T, B, x, y, m, with_h0 ? h0 : NULL, with_w ? w : NULL, huber };
	for (i = (size_t)B; i < tb; i++)
		pairs += m[i] && m[i - B];
	cnt = 0;
	for (i = 0; i < tb; i++)
		cnt += m[i];
	grad = calloc(g.np, sizeof(float));
	tmn_gru_run(&g, &bt, ws, smooth, cnt, pairs, grad, &sse, &cnt, NULL, NULL);
	for (i = 0; i < g.np; i++) {
		float keep = g.p[i];
		double hstep = 1e-2, lp, lm, num, err;

		g.p[i] = keep + (float)hstep;
		lp = tmn_gru_loss(&g, &bt, ws, smooth);
		g.p[i] = keep - (float)hstep;
		lm = tmn_gru_loss(&g, &bt, ws, smooth);
		g.p[i] = keep;
		num = (lp - lm) / (2 * hstep);
		err = fabs(num - grad[i]) / fmax(fabs(num) + fabs(grad[i]), 1e-3);
		if (err > worst)
			worst = err;
		if (err > 2e-2)
			fprintf(stderr, "param %zu: analytic %g numeric %g\n", i, grad[i], num);
		assert_true(err <= 2e-2);
	}
	printf("# F=%d H=%d T=%d B=%d smooth=%g h0=%d weights=%d huber=%g: %zu params, "
	       "worst relative error %.2e\n", F, H, T, B, smooth, with_h0, with_w, huber, g.np, worst);
	free(w);
	free(grad);
	free(x);
	free(y);
	free(h0);
	free(m);
	tmn_gru_free(&g);
	tmn_gru_ws_free(ws);
}

static void check_grad(int F, int H, int T, int B, double smooth, int with_h0, int with_w)
{
	check_grad_h(F, H, T, B, smooth, with_h0, with_w, 0);
}

/* pseudo-Huber with a scale inside the error range: both regimes are hit */
static void test_grad_huber(void **state)
{
	(void)state;
	check_grad_h(4, 5, 7, 3, 0.0, 0, 0, 0.5);
	check_grad_h(6, 4, 6, 3, 0.5, 1, 1, 0.3);
}

/* a small error under pseudo-Huber has the MSE gradient; a large one is capped */
static void test_huber_limits(void **state)
{
	struct tmn_gru g;
	struct tmn_gru_ws *ws = tmn_gru_ws_new(2, 3, 1, 1);
	float x[2] = { 0.5f, -0.25f }, y[2], grad_m[128], grad_h[128];
	uint8_t m[1] = { 1 };
	struct tmn_batch bm = { 1, 1, x, y, m, NULL, NULL, 0 }, bh = bm;
	double sse, cnt, e;
	float yh[2];

	(void)state;
	assert_int_equal(tmn_gru_init(&g, 2, 3), 0);
	assert_true(g.np <= 128);
	tmn_gru_randomize(&g, 5);
	tmn_gru_run(&g, &bm, ws, 0, 1, 1, NULL, &sse, &cnt, yh, NULL);
	/* error of 1e-3 with d = 1: gradients equal to 1e-6 relative */
	y[0] = yh[0] - 1e-3f;
	y[1] = yh[1];
	bh.huber = 1;
	memset(grad_m, 0, sizeof(grad_m));
	memset(grad_h, 0, sizeof(grad_h));
	tmn_gru_run(&g, &bm, ws, 0, 1, 1, grad_m, &sse, &cnt, NULL, NULL);
	tmn_gru_run(&g, &bh, ws, 0, 1, 1, grad_h, &sse, &cnt, NULL, NULL);
	assert_true(fabs(grad_h[g.np - 2] - grad_m[g.np - 2]) <= 1e-6 * fabs(grad_m[g.np - 2]));
	/* error of 100 with d = 1: the head-bias gradient is ~d e/||e|| = 1, not 100 */
	y[0] = yh[0] - 100.0f;
	memset(grad_h, 0, sizeof(grad_h));
	tmn_gru_run(&g, &bh, ws, 0, 1, 1, grad_h, &sse, &cnt, NULL, NULL);
	e = grad_h[g.np - 2];
	assert_true(e > 0.99 && e < 1.0);
	tmn_gru_free(&g);
	tmn_gru_ws_free(ws);
}

static void test_grad_mse(void **state)
{
	(void)state;
	check_grad(4, 5, 7, 3, 0.0, 0, 0);
}

static void test_grad_smooth_h0(void **state)
{
	(void)state;
	check_grad(6, 4, 6, 2, 0.5, 1, 0);
	check_grad(6, 4, 6, 3, 0.5, 1, 1);
}

/* a broken backward pass must be caught: flip one gradient entry's sign */
static void test_grad_detects_error(void **state)
{
	struct tmn_gru g;
	struct tmn_gru_ws *ws = tmn_gru_ws_new(2, 3, 4, 2);
	float x[16], y[16], grad[128];
	uint8_t m[8];
	struct tmn_batch bt = { 4, 2, x, y, m, NULL, NULL, 0 };
	double sse, cnt, lp, lm;
	int i;

	(void)state;
	assert_int_equal(tmn_gru_init(&g, 2, 3), 0);
	assert_true(g.np <= 128);
	tmn_gru_randomize(&g, 3);
	for (i = 0; i < 16; i++) {
		x[i] = (float)(i % 5) - 2;
		y[i] = (float)(i % 3);
	}
	for (i = 0; i < 8; i++)
		m[i] = 1;
	memset(grad, 0, sizeof(grad));
	tmn_gru_run(&g, &bt, ws, 0, 8, 1, grad, &sse, &cnt, NULL, NULL);
	/* the head bias gradient is the mean error: check it really moves the loss */
	g.b_out[0] += 1e-2f;
	lp = tmn_gru_loss(&g, &bt, ws, 0);
	g.b_out[0] -= 2e-2f;
	lm = tmn_gru_loss(&g, &bt, ws, 0);
	g.b_out[0] += 1e-2f;
	assert_true(fabs((lp - lm) / 2e-2 - grad[g.np - 2]) < 1e-3);
	assert_true(fabs((lp - lm) / 2e-2 + grad[g.np - 2]) > 1e-3);
	tmn_gru_free(&g);
	tmn_gru_ws_free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grad_mse),
		cmocka_unit_test(test_grad_smooth_h0),
		cmocka_unit_test(test_grad_huber),
		cmocka_unit_test(test_huber_limits),
		cmocka_unit_test(test_grad_detects_error),
	};

	return cmocka_run_group_tests_name("train_grad", tests, NULL, NULL);
}
