// SPDX-License-Identifier: GPL-2.0
/* kNN graph, personalised PageRank (forward push + power iteration), sampling */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_active.h"

#define KD_LEAF 16
#define KD_MAXDIM 32

struct kd {
	const float *pts;
	int dim;
	uint32_t *idx;
	/* implicit tree over idx ranges: node = [lo, hi), split dim/value */
};

struct kd_heap {
	int k, n;
	float *d;
	uint32_t *id;
};

static float dist2(const float *a, const float *b, int dim)
{
	float s = 0;

	for (int i = 0; i < dim; i++) {
		float t = a[i] - b[i];

		s += t * t;
	}
	return s;
}

/* max-heap on distance, size <= k */
static void heap_push(struct kd_heap *h, float d, uint32_t id)
{
	int i, p;

	if (h->n == h->k) {
		if (d >= h->d[0])
			return;
		/* replace root, sift down */
		i = 0;
		for (;;) {
			int l = 2 * i + 1, r = l + 1, m = i;
			float dm = d;

			if (l < h->n && h->d[l] > dm) {
				m = l;
				dm = h->d[l];
			}
			if (r < h->n && h->d[r] > dm)
				m = r;
			if (m == i)
				break;
			h->d[i] = h->d[m];
			h->id[i] = h->id[m];
			i = m;
		}
		h->d[i] = d;
		h->id[i] = id;
		return;
	}
	i = h->n++;
	while (i > 0) {
		p = (i - 1) / 2;
		if (h->d[p] >= d)
			break;
		h->d[i] = h->d[p];
		h->id[i] = h->id[p];
		i = p;
	}
	h->d[i] = d;
	h->id[i] = id;
}

static float heap_worst(const struct kd_heap *h)
{
	return h->n < h->k ? INFINITY : h->d[0];
}

/* quickselect idx[lo, hi) so that the element at mid is the median on axis */
static void kd_select(const struct kd *t, size_t lo, size_t hi, size_t mid, int ax)
{
	while (hi - lo > 1) {
		float piv = t->pts[(size_t)t->idx[lo + (hi - lo) / 2] * t->dim + ax];
		size_t i = lo, j = hi - 1;

		while (i <= j) {
			while (t->pts[(size_t)t->idx[i] * t->dim + ax] < piv)
				i++;
			while (t->pts[(size_t)t->idx[j] * t->dim + ax] > piv)
				j--;
			if (i <= j) {
				uint32_t s = t->idx[i];

				t->idx[i] = t->idx[j];
				t->idx[j] = s;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (mid <= j)
			hi = j + 1;
		else if (mid >= i)
			lo = i;
		else
			return;
	}
}

struct kd_node {
	size_t lo, hi;
	int ax;			/* -1: leaf */
	float split;
	float bmin[KD_MAXDIM], bmax[KD_MAXDIM];
};

struct kd_tree {
	struct kd t;
	struct kd_node *nodes;
	size_t nn, cap;
};

static long kd_build(struct kd_tree *kt, size_t lo, size_t hi)
{
	const struct kd *t = &kt->t;
	struct kd_node nd;
	long me;
	int ax = 0, d;
	float spread = -1;

	memset(&nd, 0, sizeof(nd));
	nd.lo = lo;
	nd.hi = hi;
	for (d = 0; d < t->dim; d++) {
		nd.bmin[d] = INFINITY;
		nd.bmax[d] = -INFINITY;
	}
	for (size_t i = lo; i < hi; i++)
		for (d = 0; d < t->dim; d++) {
			float v = t->pts[(size_t)t->idx[i] * t->dim + d];

			if (v < nd.bmin[d])
				nd.bmin[d] = v;
			if (v > nd.bmax[d])
				nd.bmax[d] = v;
		}
	for (d = 0; d < t->dim; d++)
		if (nd.bmax[d] - nd.bmin[d] > spread) {
			spread = nd.bmax[d] - nd.bmin[d];
			ax = d;
		}
	nd.ax = (hi - lo <= KD_LEAF || spread <= 0) ? -1 : ax;
	if (kt->nn == kt->cap)
		return -1;
	me = (long)kt->nn++;
	if (nd.ax >= 0) {
		size_t mid = lo + (hi - lo) / 2;

		kd_select(t, lo, hi, mid, ax);
		nd.split = t->pts[(size_t)t->idx[mid] * t->dim + ax];
		kt->nodes[me] = nd;
		/* children are me+1 (left) and the returned index (right) */
		if (kd_build(kt, lo, mid) < 0)
			return -1;
		kt->nodes[me].lo = (size_t)kt->nn;	/* right child index */
		if (kd_build(kt, mid, hi) < 0)
			return -1;
		kt->nodes[me].hi = mid;			/* split position */
		return me;
	}
	kt->nodes[me] = nd;
	return me;
}

static float box_dist2(const struct kd_node *nd, const float *q, int dim)
{
	float s = 0;

	for (int d = 0; d < dim; d++) {
		float t = 0;

		if (q[d] < nd->bmin[d])
			t = nd->bmin[d] - q[d];
		else if (q[d] > nd->bmax[d])
			t = q[d] - nd->bmax[d];
		s += t * t;
	}
	return s;
}

static void kd_query(const struct kd_tree *kt, long ni, const float *q, uint32_t self,
		     struct kd_heap *h)
{
	const struct kd_node *nd = &kt->nodes[ni];
	const struct kd *t = &kt->t;

	if (box_dist2(nd, q, t->dim) >= heap_worst(h))
		return;
	if (nd->ax < 0) {
		for (size_t i = nd->lo; i < nd->hi; i++) {
			uint32_t id = t->idx[i];

			if (id != self)
				heap_push(h, dist2(q, t->pts + (size_t)id * t->dim, t->dim), id);
		}
		return;
	}
	{
		long left = ni + 1, right = (long)nd->lo;

		if (q[nd->ax] < nd->split) {
			kd_query(kt, left, q, self, h);
			kd_query(kt, right, q, self, h);
		} else {
			kd_query(kt, right, q, self, h);
			kd_query(kt, left, q, self, h);
		}
	}
}

static void heap_sorted(struct kd_heap *h, uint32_t *out)
{
	/* pop the max repeatedly: out in ascending distance */
	while (h->n > 0) {
		int last = --h->n;

		out[last] = h->id[0];
		if (last == 0)
			break;
		{
			float d = h->d[last];
			uint32_t id = h->id[last];
			int i = 0;

			for (;;) {
				int l = 2 * i + 1, r = l + 1, m = i;
				float dm = d;

				if (l < h->n && h->d[l] > dm) {
					m = l;
					dm = h->d[l];
				}
				if (r < h->n && h->d[r] > dm)
					m = r;
				if (m == i)
					break;
				h->d[i] = h->d[m];
				h->id[i] = h->id[m];
				i = m;
			}
			h->d[i] = d;
			h->id[i] = id;
		}
	}
}

struct kq {
	const struct kd_tree *kt;
	const float *pts;
	int dim, k;
	size_t lo, hi;
	uint32_t *nbr;
};

static void *kq_run(void *arg)
{
	struct kq *q = arg;
	float hd[64];
	uint32_t hid[64];

	for (size_t i = q->lo; i < q->hi; i++) {
		struct kd_heap h = { q->k, 0, hd, hid };

		kd_query(q->kt, 0, q->pts + i * q->dim, (uint32_t)i, &h);
		heap_sorted(&h, q->nbr + i * q->k);
	}
	return NULL;
}

int tmn_knn(const float *pts, size_t n, int dim, int k, uint32_t *nbr)
{
	struct kd_tree kt;
	float hd[64];
	uint32_t hid[64];
	int rc = 0;

	if (dim < 1 || dim > KD_MAXDIM || k < 1 || k > 64 || n < (size_t)k + 1 ||
	    n > 0xffffffffU)
		return -1;
	memset(&kt, 0, sizeof(kt));
	kt.t.pts = pts;
	kt.t.dim = dim;
	kt.t.idx = malloc(n * sizeof(uint32_t));
	kt.cap = 4 * (n / KD_LEAF + 1) + 16;
	kt.nodes = malloc(kt.cap * sizeof(struct kd_node));
	if (!kt.t.idx || !kt.nodes) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		kt.t.idx[i] = (uint32_t)i;
	if (kd_build(&kt, 0, n) < 0) {
		rc = -1;
		goto out;
	}
	{
		/* queries are independent: two threads */
		struct kq q[2] = {
			{ &kt, pts, dim, k, 0, n / 2, nbr },
			{ &kt, pts, dim, k, n / 2, n, nbr },
		};
		pthread_t th;
		int threaded = pthread_create(&th, NULL, kq_run, &q[1]) == 0;

		kq_run(&q[0]);
		if (threaded)
			pthread_join(th, NULL);
		else
			kq_run(&q[1]);
	}
	(void)hd;
	(void)hid;
out:
	free(kt.t.idx);
	free(kt.nodes);
	return rc;
}

void tmn_knn_brute(const float *pts, size_t n, int dim, int k, uint32_t *nbr)
{
	float hd[64];
	uint32_t hid[64];

	for (size_t i = 0; i < n; i++) {
		struct kd_heap h = { k, 0, hd, hid };

		for (size_t j = 0; j < n; j++)
			if (j != i)
				heap_push(&h, dist2(pts + i * dim, pts + j * dim, dim), (uint32_t)j);
		heap_sorted(&h, nbr + i * k);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int tmn_graph_from_knn(const uint32_t *nbr, size_t n, int k, struct tmn_graph *g)
{
	size_t *deg = calloc(n + 1, sizeof(size_t)), i, e = 0;
	uint32_t *tmp;
	size_t *fill;

	memset(g, 0, sizeof(*g));
	if (!deg)
		return -1;
	for (i = 0; i < n; i++)
		for (int j = 0; j < k; j++) {
			deg[i]++;
			deg[nbr[i * k + j]]++;
		}
	g->off = malloc((n + 1) * sizeof(size_t));
	fill = calloc(n, sizeof(size_t));
	if (!g->off || !fill) {
		free(deg);
		free(fill);
		tmn_graph_free(g);
		return -1;
	}
	g->off[0] = 0;
	for (i = 0; i < n; i++)
		g->off[i + 1] = g->off[i] + deg[i];
	tmp = malloc(g->off[n] * sizeof(uint32_t));
	if (!tmp) {
		free(deg);
		free(fill);
		tmn_graph_free(g);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (int j = 0; j < k; j++) {
			uint32_t v = nbr[i * k + j];

			tmp[g->off[i] + fill[i]++] = v;
			tmp[g->off[v] + fill[v]++] = (uint32_t)i;
		}
	/* sort and dedupe each row, compacting in place */
	for (i = 0; i < n; i++) {
		size_t a = g->off[i], b = g->off[i + 1], start = e;

		qsort(tmp + a, b - a, sizeof(uint32_t), cmp_u32);
		for (size_t j = a; j < b; j++)
			if (j == a || tmp[j] != tmp[j - 1])
				tmp[e++] = tmp[j];
		g->off[i] = start;
	}
	g->off[n] = e;
	g->adj = realloc(tmp, (e ? e : 1) * sizeof(uint32_t));
	if (!g->adj)
		g->adj = tmp;
	g->n = n;
	free(deg);
	free(fill);
	return 0;
}

void tmn_graph_free(struct tmn_graph *g)
{
	free(g->off);
	free(g->adj);
	memset(g, 0, sizeof(*g));
}

size_t tmn_ppr_push(const struct tmn_graph *g, const double *s, double alpha, double eps,
		    double *p, double *r, size_t *work)
{
	size_t n = g->n, qh = 0, qt = 0, qcap = n + 1, pushes = 0, w = 0, i;
	uint32_t *q = malloc(qcap * sizeof(uint32_t));
	uint8_t *inq = calloc(n ? n : 1, 1);

	if (!q || !inq) {
		free(q);
		free(inq);
		return 0;
	}
	/*
	 * Only nodes with s > 0 are touched to set up; a sparse personalisation
	 * keeps the whole solve local.  (The dense memsets below are the
	 * caller's O(n) allocation, not the solver's work.)
	 */
	memset(p, 0, n * sizeof(double));
	memcpy(r, s, n * sizeof(double));
	for (i = 0; i < n; i++) {
		size_t d = g->off[i + 1] - g->off[i];

		if (s[i] > 0 && d && s[i] >= eps * (double)d) {
			q[qt] = (uint32_t)i;
			qt = (qt + 1) % qcap;
			inq[i] = 1;
		}
	}
	while (qh != qt) {
		uint32_t u = q[qh];
		size_t d = g->off[u + 1] - g->off[u];
		double ru = r[u], share;

		qh = (qh + 1) % qcap;
		inq[u] = 0;
		if (ru < eps * (double)d)
			continue;
		p[u] += alpha * ru;
		r[u] = 0;
		share = (1 - alpha) * ru / (double)d;
		pushes++;
		w += d;
		for (size_t e = g->off[u]; e < g->off[u + 1]; e++) {
			uint32_t v = g->adj[e];
			size_t dv = g->off[v + 1] - g->off[v];

			r[v] += share;
			if (!inq[v] && r[v] >= eps * (double)dv) {
				q[qt] = v;
				qt = (qt + 1) % qcap;
				inq[v] = 1;
			}
		}
	}
	free(q);
	free(inq);
	if (work)
		*work = w;
	return pushes;
}

int tmn_ppr_power(const struct tmn_graph *g, const double *s, double alpha, double tol,
		  double *pi, int max_iter)
{
	size_t n = g->n, i;
	double *nx = malloc(n * sizeof(double)), mass = 0;
	int it;

	if (!nx)
		return -1;
	for (i = 0; i < n; i++) {
		pi[i] = s[i];
		mass += s[i];
	}
	for (it = 0; it < max_iter; it++) {
		double diff = 0;

		for (i = 0; i < n; i++)
			nx[i] = alpha * s[i];
		for (i = 0; i < n; i++) {
			size_t d = g->off[i + 1] - g->off[i];
			double sh;

			if (!d) {
				nx[i] += (1 - alpha) * pi[i];
				continue;
			}
			sh = (1 - alpha) * pi[i] / (double)d;
			for (size_t e = g->off[i]; e < g->off[i + 1]; e++)
				nx[g->adj[e]] += sh;
		}
		for (i = 0; i < n; i++) {
			diff += fabs(nx[i] - pi[i]);
			pi[i] = nx[i];
		}
		if (diff < tol * (mass > 0 ? mass : 1))
			break;
	}
	free(nx);
	return it;
}

static int cmp_desc_err(const void *a, const void *b, void *ctx)
{
	const double *err = ctx;
	double x = err[*(const size_t *)a], y = err[*(const size_t *)b];

	return x > y ? -1 : x < y;
}

void tmn_ppr_seed(const double *err, size_t n, size_t seeds, double mass, double *s)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(size_t)), m = 0, i;
	double sum = 0;

	memset(s, 0, n * sizeof(double));
	if (!idx)
		return;
	for (i = 0; i < n; i++)
		if (err[i] > 0)
			idx[m++] = i;
	qsort_r(idx, m, sizeof(size_t), cmp_desc_err, (void *)err);
	if (seeds < m)
		m = seeds;
	for (i = 0; i < m; i++)
		sum += err[idx[i]];
	for (i = 0; i < m && sum > 0; i++)
		s[idx[i]] = mass * err[idx[i]] / sum;
	free(idx);
}

double tmn_ppr_mass(size_t seeds, double eps)
{
	return (double)seeds / eps;
}

struct keyed {
	double key;
	size_t i;
};

static int cmp_key_desc(const void *a, const void *b)
{
	double x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;

	return x > y ? -1 : x < y;
}

int tmn_sample_weighted(const double *w, size_t n, size_t budget, struct tmn_rng *rng,
			size_t *out)
{
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	size_t i;

	if (!k || budget > n) {
		free(k);
		return -1;
	}
	for (i = 0; i < n; i++) {
		double u = 1.0 - tmn_rng_uniform(rng);	/* (0, 1] */

		/* key = u^(1/w), compared as log(u) / w */
		k[i].key = w[i] > 0 ? log(u) / w[i] : -INFINITY;
		k[i].i = i;
	}
	qsort(k, n, sizeof(*k), cmp_key_desc);
	for (i = 0; i < budget; i++)
		out[i] = k[i].i;
	free(k);
	return 0;
}
