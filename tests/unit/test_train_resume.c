// SPDX-License-Identifier: GPL-2.0
/*
 * Training loop: loss goes down on a learnable toy task, a run resumed from
 * its epoch checkpoint ends bit-identical to an uninterrupted run, and a
 * checkpoint from another run is refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tm_test.h"
#include "tmn_train.h"

/* y(t) = 0.8 * mean of x0 over the last 8 ticks (needs memory) */
static void toy(struct tmn_xy *xy, size_t n, uint64_t seed)
{
	struct tmn_rng r;

	tmn_rng_seed(&r, seed);
	memset(xy, 0, sizeof(*xy));	/* one run: no segments */
	xy->n = n;
	xy->F = 4;
	xy->x = malloc(n * 4 * sizeof(float));
	xy->y = malloc(n * 2 * sizeof(float));
	xy->m = malloc(n);
	for (size_t i = 0; i < n; i++) {
		double s = 0;

		for (int k = 0; k < 4; k++)
			xy->x[i * 4 + k] = (float)tmn_rng_gauss(&r);
		for (size_t j = i >= 7 ? i - 7 : 0; j <= i; j++)
			s += xy->x[j * 4];
		xy->y[2 * i] = (float)(0.8 * s / 8);
		xy->y[2 * i + 1] = (float)(-0.5 * xy->x[i * 4 + 1]);
		xy->m[i] = 1;
	}
}

static void cfg_small(struct tmn_train_cfg *c, const char *ckpt)
{
	tmn_train_default(c);
	c->system = TMNET_SYS_A;
	c->hidden = 8;
	c->window = 32;
	c->burn = 8;
	c->stride = 16;
	c->batch = 16;
	c->threads = 2;
	c->lr = 1e-2;
	c->patience = 0;
	c->quiet = 1;
	c->ckpt = ckpt;
}

static void test_resume_identical(void **state)
{
	struct tmn_xy tr, va;
	struct tmn_train_cfg c;
	struct tmn_ckpt_hdr h1, h2;
	struct tmn_train_result r1, r2;
	struct tmn_gru g1, g2;
	char p1[] = "/tmp/tmnet-resume-XXXXXX", err[256];
	char a[512], b[512];
	int fd;

	(void)state;
	fd = mkstemp(p1);
	assert_true(fd >= 0);
	close(fd);
	snprintf(a, sizeof(a), "%s.a", p1);
	snprintf(b, sizeof(b), "%s.b", p1);
	toy(&tr, 6000, 1);
	toy(&va, 800, 2);

	memset(&h1, 0, sizeof(h1));
	cfg_small(&c, a);
	c.epochs = 6;
	assert_int_equal(tmn_train_run(&c, &h1, &tr, &va, &g1, &r1, err, sizeof(err)), 0);
	/* learnable: well below the MSE of a zero output, and improving */
	{
		double z = 0;

		for (size_t i = 0; i < va.n; i++)
			z += (double)va.y[2 * i] * va.y[2 * i] + (double)va.y[2 * i + 1] * va.y[2 * i + 1];
		z /= 2.0 * (double)va.n;
		printf("# zero-output MSE %.4f, epoch 1 %.4f, best %.4f\n", z, h1.val_hist[0],
		       r1.best_val);
		assert_true(r1.best_val < 0.5 * z);
		assert_true(r1.best_val < h1.val_hist[0]);
	}

	memset(&h2, 0, sizeof(h2));
	cfg_small(&c, b);
	c.epochs = 3;
	assert_int_equal(tmn_train_run(&c, &h2, &tr, &va, &g2, &r2, err, sizeof(err)), 0);
	tmn_gru_free(&g2);
	memset(&h2, 0, sizeof(h2));
	c.epochs = 6;
	c.resume = 1;
	assert_int_equal(tmn_train_run(&c, &h2, &tr, &va, &g2, &r2, err, sizeof(err)), 0);
	assert_int_equal(r1.best_epoch, r2.best_epoch);
	assert_memory_equal(g1.p, g2.p, g1.np * sizeof(float));
	assert_memory_equal(h1.val_hist, h2.val_hist, sizeof(h1.val_hist));
	tmn_gru_free(&g2);

	/* a different seed must not resume from this checkpoint */
	memset(&h2, 0, sizeof(h2));
	c.seed = 99;
	assert_int_equal(tmn_train_run(&c, &h2, &tr, &va, &g2, &r2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not match"));

	tmn_gru_free(&g1);
	tmn_xy_free(&tr);
	tmn_xy_free(&va);
	unlink(a);
	unlink(b);
	unlink(p1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_identical),
	};

	return cmocka_run_group_tests_name("train_resume", tests, NULL, NULL);
}
