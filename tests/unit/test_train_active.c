// SPDX-License-Identifier: GPL-2.0
/*
 * Active selection: the k-d tree kNN is exact, and the forward-push
 * personalised PageRank meets its bound against power iteration:
 *   0 <= pi(v) - p(v) < eps d(v) for every v,  ||pi - p||_1 = ||r||_1,
 * with work <= mass / (alpha eps), whatever the graph size.  The trap: a
 * unit mass spread over every node pushes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmn_active.h"

static float *random_points(size_t n, int dim, uint64_t seed)
{
	struct tmn_rng r;
	float *p = malloc(n * dim * sizeof(float));

	tmn_rng_seed(&r, seed);
	for (size_t i = 0; i < n * (size_t)dim; i++)
		p[i] = (float)tmn_rng_gauss(&r) * (i % dim == 0 ? 3.0f : 1.0f);
	return p;
}

static float d2(const float *a, const float *b, int dim)
{
	float s = 0;

	for (int i = 0; i < dim; i++)
		s += (a[i] - b[i]) * (a[i] - b[i]);
	return s;
}

static void test_knn_exact(void **state)
{
	const size_t n = 1500;
	const int dim = 6, k = 15;
	float *p = random_points(n, dim, 3);
	uint32_t *a = malloc(n * k * sizeof(uint32_t)), *b = malloc(n * k * sizeof(uint32_t));

	(void)state;
	assert_int_equal(tmn_knn(p, n, dim, k, a), 0);
	tmn_knn_brute(p, n, dim, k, b);
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < k; j++) {
			/* same distances in the same order (ties may swap ids) */
			assert_true(a[i * k + j] != i);
			assert_float_equal(d2(p + i * dim, p + a[i * k + j] * dim, dim),
					   d2(p + i * dim, p + b[i * k + j] * dim, dim), 1e-6);
		}
	free(p);
	free(a);
	free(b);
}

struct ppr_case {
	struct tmn_graph g;
	double *s, *pi, *p, *r;
	size_t n;
};

static void build_case(struct ppr_case *c, size_t n, uint64_t seed)
{
	const int k = 15, dim = 4;
	float *pts = random_points(n, dim, seed);
	uint32_t *nbr = malloc(n * k * sizeof(uint32_t));
	struct tmn_rng r;
	double *err = malloc(n * sizeof(double));

	c->n = n;
	assert_int_equal(tmn_knn(pts, n, dim, k, nbr), 0);
	assert_int_equal(tmn_graph_from_knn(nbr, n, k, &c->g), 0);
	c->s = malloc(n * sizeof(double));
	c->pi = malloc(n * sizeof(double));
	c->p = malloc(n * sizeof(double));
	c->r = malloc(n * sizeof(double));
	tmn_rng_seed(&r, seed + 1);
	/* per-window "errors": heavier in one region of the embedding */
	for (size_t i = 0; i < n; i++)
		err[i] = tmn_rng_uniform(&r) * (pts[i * dim] > 2 ? 10 : 1);
	tmn_ppr_seed(err, n, n / 20, tmn_ppr_mass(n / 20, 0.03), c->s);
	free(err);
	free(pts);
	free(nbr);
}

static void free_case(struct ppr_case *c)
{
	tmn_graph_free(&c->g);
	free(c->s);
	free(c->pi);
	free(c->p);
	free(c->r);
}

static void test_push_bound(void **state)
{
	struct ppr_case c;
	const double alpha = 0.15, eps = 0.03;
	double l1 = 0, rsum = 0, mass = 0, pm = 0;
	size_t pushes, work, touched = 0;

	(void)state;
	build_case(&c, 4000, 11);
	for (size_t i = 0; i < c.n; i++)
		mass += c.s[i];
	assert_true(fabs(mass - tmn_ppr_mass(c.n / 20, eps)) < 1e-6);
	assert_true(tmn_ppr_power(&c.g, c.s, alpha, 1e-14, c.pi, 5000) < 5000);
	pushes = tmn_ppr_push(&c.g, c.s, alpha, eps, c.p, c.r, &work);
	assert_true(pushes > 0);
	for (size_t v = 0; v < c.n; v++) {
		double dv = (double)(c.g.off[v + 1] - c.g.off[v]), diff = c.pi[v] - c.p[v];

		assert_true(diff >= -1e-9);
		assert_true(diff < eps * dv + 1e-9);
		assert_true(c.r[v] < eps * dv);
		l1 += fabs(diff);
		rsum += c.r[v];
		pm += c.p[v];
		touched += c.p[v] > 0;
	}
	/* ||pi - p||_1 = ||r||_1 (pi_u are probability vectors) */
	assert_true(fabs(l1 - rsum) < 1e-6 * mass);
	/* informative: most of the mass is resolved, beyond the seeds */
	assert_true(pm > 0.5 * mass);
	assert_true(touched > c.n / 20);
	/* cost bound independent of n */
	assert_true((double)work <= mass / (alpha * eps) + 1);
	printf("# n=%zu: %zu pushes, %zu edge visits (bound %.0f), L1(pi - p) = %.4g of mass %.0f, %zu nodes with mass\n",
	       c.n, pushes, work, mass / (alpha * eps), l1, mass, touched);
	free_case(&c);
}

/* the trap: a unit mass spread over every node gives the zero vector */
static void test_push_trap(void **state)
{
	struct ppr_case c;
	size_t pushes, work;
	double pm = 0;

	(void)state;
	build_case(&c, 3000, 5);
	for (size_t i = 0; i < c.n; i++)
		c.s[i] = 1.0 / (double)c.n;
	pushes = tmn_ppr_push(&c.g, c.s, 0.15, 0.03, c.p, c.r, &work);
	for (size_t i = 0; i < c.n; i++)
		pm += c.p[i];
	assert_int_equal(pushes, 0);
	assert_true(pm == 0.0);
	free_case(&c);
}

/* work for a fixed mass and eps does not grow with the graph */
static void test_push_sublinear(void **state)
{
	size_t w[2];
	const size_t ns[2] = { 2000, 32000 };

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct ppr_case c;
		struct tmn_rng r;
		size_t nz = 0;

		build_case(&c, ns[k], 21);
		/* the same personalisation size: 50 seeds of mass 1 */
		memset(c.s, 0, c.n * sizeof(double));
		tmn_rng_seed(&r, 9);
		while (nz < 50) {
			size_t i = (size_t)(tmn_rng_u64(&r) % c.n);

			if (c.s[i] == 0) {
				c.s[i] = 1.0;
				nz++;
			}
		}
		tmn_ppr_push(&c.g, c.s, 0.15, 0.03, c.p, c.r, &w[k]);
		assert_true((double)w[k] <= 50.0 / (0.15 * 0.03) + 1);
		free_case(&c);
	}
	printf("# edge visits: n=%zu -> %zu, n=%zu -> %zu\n", ns[0], w[0], ns[1], w[1]);
	assert_true(w[1] < 2 * w[0] + 100);
}

static void test_sample_weighted(void **state)
{
	const size_t n = 1000;
	double *w = malloc(n * sizeof(double));
	size_t *out = malloc(200 * sizeof(size_t)), heavy = 0;
	uint8_t *seen = calloc(n, 1);
	struct tmn_rng r;

	(void)state;
	for (size_t i = 0; i < n; i++)
		w[i] = i < 100 ? 20.0 : 1.0;
	tmn_rng_seed(&r, 1);
	assert_int_equal(tmn_sample_weighted(w, n, 200, &r, out), 0);
	for (size_t i = 0; i < 200; i++) {
		assert_true(out[i] < n);
		assert_false(seen[out[i]]);	/* without replacement */
		seen[out[i]] = 1;
		heavy += out[i] < 100;
	}
	assert_true(heavy > 60);	/* uniform would give 20 */
	assert_int_equal(tmn_sample_weighted(w, n, n + 1, &r, out), -1);
	free(w);
	free(out);
	free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knn_exact),
		cmocka_unit_test(test_push_bound),
		cmocka_unit_test(test_push_trap),
		cmocka_unit_test(test_push_sublinear),
		cmocka_unit_test(test_sample_weighted),
	};

	return cmocka_run_group_tests_name("train_active", tests, NULL, NULL);
}
