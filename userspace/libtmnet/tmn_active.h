/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Active selection of training windows: an exact kNN graph from a k-d tree
 * (O(n log n) for the low-dimensional window embeddings, no O(n^2) scan),
 * personalised PageRank by forward local push (Andersen-Chung-Lang) and a
 * power-iteration reference, and error/PageRank-guided sampling.
 */
#ifndef TMN_ACTIVE_H
#define TMN_ACTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "tmn_data.h"

/* Undirected graph in CSR form: neighbours of u are adj[off[u] .. off[u+1]) */
struct tmn_graph {
	size_t n;
	size_t *off;
	uint32_t *adj;
};

/*
 * k nearest neighbours (Euclidean) of every point pts[n][dim], excluding the
 * point itself: nbr[n][k].  Exact, via a k-d tree.  dim <= 32.
 */
int tmn_knn(const float *pts, size_t n, int dim, int k, uint32_t *nbr);
/* The same by brute force (tests only) */
void tmn_knn_brute(const float *pts, size_t n, int dim, int k, uint32_t *nbr);

/* Symmetrised (union) kNN graph */
int tmn_graph_from_knn(const uint32_t *nbr, size_t n, int k, struct tmn_graph *g);
void tmn_graph_free(struct tmn_graph *g);

/*
 * Personalised PageRank pi = alpha s + (1 - alpha) pi P, P = D^-1 A, for a
 * non-negative personalisation s (any total mass M; pi has mass M).
 *
 * Forward push: start p = 0, r = s; while some u has r(u) >= eps d(u):
 * p(u) += alpha r(u), each neighbour v gets (1 - alpha) r(u) / d(u), r(u) = 0.
 * Invariant pi = p + sum_u r(u) pi_u, so on exit, for every node v,
 *     0 <= pi(v) - p(v) < eps d(v)           (undirected graph)
 * and ||pi - p||_1 = ||r||_1 exactly.  Work: every push removes at least
 * alpha eps d(u) of residual mass, so sum of d(u) over pushes <= M/(alpha eps):
 * it does not grow with the graph.  Returns the number of pushes; p and r
 * (size n, caller-allocated) receive the estimate and the residual.
 */
size_t tmn_ppr_push(const struct tmn_graph *g, const double *s, double alpha, double eps,
		    double *p, double *r, size_t *work);
/* Reference: power iteration until the L1 change is < tol * mass */
int tmn_ppr_power(const struct tmn_graph *g, const double *s, double alpha, double tol,
		  double *pi, int max_iter);

/*
 * Personalisation from per-window errors (err < 0: unknown): the `seeds`
 * windows with the highest known error, s(u) = mass * err(u) / sum.  The
 * mass makes the absolute threshold eps meaningful: with a unit mass spread
 * over 10^5 windows every r(u) is far below eps d(u) and the push would
 * return the zero vector, which "meets the bound" and selects nothing.
 */
void tmn_ppr_seed(const double *err, size_t n, size_t seeds, double mass, double *s);
/*
 * The mass used by the trainer: seeds / eps, so the mean seed holds 1/eps.
 * A seed then crosses its threshold eps d(u) (d ~ 15..30) and pushes, and
 * so do its first-hop neighbours (each gets (1 - alpha) / (eps d) ~ 1.3 d
 * eps); the push reaches about two hops.  The work bound
 * mass / (alpha eps) = seeds / (alpha eps^2) depends on the seed count only.
 */
double tmn_ppr_mass(size_t seeds, double eps);

/*
 * Draw `budget` distinct indices out of n with probabilities proportional to
 * w (Efraimidis-Spirakis keys), into out[budget].
 */
int tmn_sample_weighted(const double *w, size_t n, size_t budget, struct tmn_rng *rng,
			size_t *out);

#endif /* TMN_ACTIVE_H */
