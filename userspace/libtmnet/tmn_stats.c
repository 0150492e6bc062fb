// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for the A/B evaluation (see tmn_stats.h).  Distribution
 * functions: GSL's gsl_cdf_tdist_* and gsl_cdf_ugaussian_*.
 *
 * tests/stats/check_scipy.py recomputes the block length, the Newey-West
 * test and the Wilcoxon test with numpy/SciPy on the project's own data.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "tmn_stats.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double tmn_quantile_sorted(const double *x, size_t n, double q)
{
	double pos, f;
	size_t i;

	if (!n)
		return NAN;
	if (q <= 0)
		return x[0];
	if (q >= 1)
		return x[n - 1];
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	f = pos - (double)i;
	return i + 1 < n ? x[i] + f * (x[i + 1] - x[i]) : x[n - 1];
}

/* k-th smallest (0-based) of x[n], partially reordering x (Wirth/Hoare select) */
static double select_k(double *x, size_t n, size_t k)
{
	long lo = 0, hi = (long)n - 1, kk = (long)k;

	while (lo < hi) {
		double a = x[lo], b = x[lo + (hi - lo) / 2], c = x[hi], piv;
		long i = lo, j = hi;

		/* median of three against sorted or reversed input */
		piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		do {
			while (x[i] < piv)
				i++;
			while (piv < x[j])
				j--;
			if (i <= j) {
				double t = x[i];

				x[i] = x[j];
				x[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			return x[kk];
	}
	return x[kk];
}

double tmn_quantile_inplace(double *x, size_t n, double q)
{
	double pos, f, lo, hi;
	size_t i;

	if (!n)
		return NAN;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	f = pos - (double)i;
	lo = select_k(x, n, i);
	if (f == 0 || i + 1 >= n)
		return lo;
	/* after selecting i, the (i+1)-th smallest is the minimum above i */
	hi = x[i + 1];
	for (size_t k = i + 2; k < n; k++)
		if (x[k] < hi)
			hi = x[k];
	return lo + f * (hi - lo);
}

double tmn_mean(const double *x, size_t n)
{
	double s = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

double tmn_sd(const double *x, size_t n)
{
	double m = tmn_mean(x, n), s = 0;

	if (n < 2)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return sqrt(s / (double)(n - 1));
}

double tmn_autocorr(const double *x, size_t n, size_t lag)
{
	double m = tmn_mean(x, n), c0 = 0, ck = 0;

	if (n <= lag + 1)
		return NAN;
	for (size_t i = 0; i < n; i++)
		c0 += (x[i] - m) * (x[i] - m);
	for (size_t i = 0; i + lag < n; i++)
		ck += (x[i] - m) * (x[i + lag] - m);
	return c0 > 0 ? ck / c0 : NAN;
}

int tmn_paired_ttest(const double *a, const double *b, size_t n, double conf,
		     struct tmn_ttest *r)
{
	double *d, se, tq;

	memset(r, 0, sizeof(*r));
	if (n < 2 || !(conf > 0 && conf < 1))
		return -1;
	d = malloc(n * sizeof(*d));
	if (!d)
		return -1;
	for (size_t i = 0; i < n; i++)
		d[i] = a[i] - b[i];
	r->n = n;
	r->mean_diff = tmn_mean(d, n);
	r->sd_diff = tmn_sd(d, n);
	free(d);
	r->df = (double)(n - 1);
	se = r->sd_diff / sqrt((double)n);
	tq = gsl_cdf_tdist_Qinv((1 - conf) / 2, r->df);
	r->ci_lo = r->mean_diff - tq * se;
	r->ci_hi = r->mean_diff + tq * se;
	r->d_z = r->sd_diff > 0 ? r->mean_diff / r->sd_diff : NAN;
	if (se > 0) {
		r->t = r->mean_diff / se;
		r->p_less = gsl_cdf_tdist_P(r->t, r->df);
		r->p_greater = gsl_cdf_tdist_Q(r->t, r->df);
		r->p_two = 2 * (r->t < 0 ? r->p_less : r->p_greater);
		if (r->p_two > 1)
			r->p_two = 1;
	} else {
		r->t = r->mean_diff == 0 ? 0 : copysign(INFINITY, r->mean_diff);
		r->p_two = r->mean_diff == 0 ? 1 : 0;
		r->p_less = r->t < 0 ? 0 : 1;
		r->p_greater = r->t > 0 ? 0 : 1;
	}
	return 0;
}

double tmn_t_p_two(double t, double df)
{
	double p;

	if (!(df > 0) || isnan(t))
		return NAN;
	p = 2 * gsl_cdf_tdist_Q(fabs(t), df);
	return p > 1 ? 1 : p;
}

static double pooled_sd(const double *a, size_t na, const double *b, size_t nb)
{
	double sa = tmn_sd(a, na), sb = tmn_sd(b, nb);

	return sqrt(((double)(na - 1) * sa * sa + (double)(nb - 1) * sb * sb) /
		    (double)(na + nb - 2));
}

double tmn_cohens_d(const double *a, size_t na, const double *b, size_t nb)
{
	double sp;

	if (na < 2 || nb < 2)
		return NAN;
	sp = pooled_sd(a, na, b, nb);
	return sp > 0 ? (tmn_mean(a, na) - tmn_mean(b, nb)) / sp : NAN;
}

int tmn_student_ttest(const double *a, size_t na, const double *b, size_t nb,
		      struct tmn_ttest2 *r)
{
	double sp, se;

	memset(r, 0, sizeof(*r));
	if (na < 2 || nb < 2)
		return -1;
	sp = pooled_sd(a, na, b, nb);
	se = sp * sqrt(1.0 / (double)na + 1.0 / (double)nb);
	r->df = (double)(na + nb - 2);
	r->d = tmn_cohens_d(a, na, b, nb);
	if (!(se > 0))
		return -1;
	r->t = (tmn_mean(a, na) - tmn_mean(b, nb)) / se;
	r->p_two = 2 * gsl_cdf_tdist_Q(fabs(r->t), r->df);
	if (r->p_two > 1)
		r->p_two = 1;
	return 0;
}

struct ranked {
	double v;
	int grp;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_dbl(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

/*
 * Exact null distribution of U for sizes (m, n) without ties: the
 * coefficients of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i); after step i the polynomial is
 * [n+i choose i]_q, whose coefficients count the arrangements.
 */
static double *mwu_exact_counts(size_t m, size_t n)
{
	size_t deg = m * n;
	double *c = calloc(deg + 1, sizeof(*c));

	if (!c)
		return NULL;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = deg; k >= n + i; k--) {	/* * (1 - q^(n+i)) */
			c[k] -= c[k - n - i];
			if (k == n + i)
				break;
		}
		for (size_t k = i; k <= deg; k++)	/* / (1 - q^i) */
			c[k] += c[k - i];
	}
	return c;
}

int tmn_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		     int allow_exact, struct tmn_mwu *r)
{
	size_t N = na + nb, i;
	struct ranked *v;
	double ra = 0, tie_sum = 0, mu, sigma2;

	memset(r, 0, sizeof(*r));
	if (!na || !nb)
		return -1;
	v = malloc(N * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < na; i++)
		v[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		v[na + i] = (struct ranked){ b[i], 1 };
	qsort(v, N, sizeof(*v), cmp_ranked);
	for (i = 0; i < N;) {
		size_t j = i;
		double rank;

		while (j + 1 < N && v[j + 1].v == v[i].v)
			j++;
		rank = ((double)i + (double)j) / 2 + 1;	/* mid-rank, 1-based */
		if (j > i) {
			double t = (double)(j - i + 1);

			tie_sum += t * t * t - t;
			r->ties = 1;
		}
		for (size_t k = i; k <= j; k++)
			if (v[k].grp == 0)
				ra += rank;
		i = j + 1;
	}
	free(v);
	r->na = na;
	r->nb = nb;
	r->u_a = ra - (double)na * ((double)na + 1) / 2;
	r->u_b = (double)na * (double)nb - r->u_a;
	r->rbc = 2 * r->u_a / ((double)na * (double)nb) - 1;

	mu = (double)na * (double)nb / 2;
	sigma2 = (double)na * (double)nb / 12 *
		 (((double)N + 1) - tie_sum / ((double)N * ((double)N - 1)));
	if (sigma2 > 0) {
		double s = sqrt(sigma2), dev = r->u_a - mu;
		double corr = dev > 0 ? 0.5 : dev < 0 ? -0.5 : 0;

		r->z = (dev - corr) / s;
		r->p_greater = gsl_cdf_ugaussian_Q((dev - 0.5) / s);
		r->p_less = gsl_cdf_ugaussian_P((dev + 0.5) / s);
		r->p_two = 2 * fmin(gsl_cdf_ugaussian_P(r->z), gsl_cdf_ugaussian_Q(r->z));
	} else {
		r->z = 0;
		r->p_two = r->p_less = r->p_greater = 1;
	}
	if (allow_exact && !r->ties && na * nb <= TMN_MWU_EXACT_MAX) {
		double *c = mwu_exact_counts(na, nb), tot = 0, ge = 0, le = 0;
		size_t u = (size_t)llround(r->u_a);

		if (!c)
			return -1;
		for (size_t k = 0; k <= na * nb; k++) {
			tot += c[k];
			if (k >= u)
				ge += c[k];
			if (k <= u)
				le += c[k];
		}
		free(c);
		r->exact = 1;
		r->p_greater = ge / tot;
		r->p_less = le / tot;
		r->p_two = 2 * fmin(r->p_greater, r->p_less);
	}
	if (r->p_two > 1)
		r->p_two = 1;
	return 0;
}

double tmn_stat_quantile(double *x, size_t n, void *ctx)
{
	return tmn_quantile_inplace(x, n, *(const double *)ctx);
}

double tmn_stat_mean(double *x, size_t n, void *ctx)
{
	(void)ctx;
	return tmn_mean(x, n);
}

/* circular moving-block resample of indices */
static void block_idx(gsl_rng *rng, size_t n, size_t block, size_t *idx)
{
	size_t k = 0;

	while (k < n) {
		size_t s = gsl_rng_uniform_int(rng, n);

		for (size_t j = 0; j < block && k < n; j++)
			idx[k++] = (s + j) % n;
	}
}

static int boot_run(const double *a, const double *b, size_t n, size_t block, int reps,
		    double conf, uint64_t seed, tmn_stat_fn stat, void *ctx,
		    struct tmn_boot *out)
{
	double *xa = NULL, *xb = NULL, *rs = NULL;
	size_t *idx = NULL;
	gsl_rng *rng = NULL;
	int rc = -1, got = 0;
	double m = 0, s2 = 0;

	memset(out, 0, sizeof(*out));
	if (!n || reps < 10 || !(conf > 0 && conf < 1))
		return -1;
	if (!block)
		block = 1;
	if (block > n)
		block = n;
	xa = malloc(n * sizeof(*xa));
	xb = b ? malloc(n * sizeof(*xb)) : NULL;
	rs = malloc((size_t)reps * sizeof(*rs));
	idx = malloc(n * sizeof(*idx));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!xa || (b && !xb) || !rs || !idx || !rng)
		goto out;
	gsl_rng_set(rng, (unsigned long)seed);

	memcpy(xa, a, n * sizeof(*xa));
	out->est = stat(xa, n, ctx);
	if (b) {
		memcpy(xb, b, n * sizeof(*xb));
		out->est /= stat(xb, n, ctx);
	}
	for (int r = 0; r < reps; r++) {
		double v;

		block_idx(rng, n, block, idx);
		for (size_t i = 0; i < n; i++)
			xa[i] = a[idx[i]];
		v = stat(xa, n, ctx);
		if (b) {
			for (size_t i = 0; i < n; i++)
				xb[i] = b[idx[i]];
			v /= stat(xb, n, ctx);
		}
		if (isfinite(v))
			rs[got++] = v;
	}
	if (got < 10)
		goto out;
	qsort(rs, (size_t)got, sizeof(*rs), cmp_dbl);
	out->lo = tmn_quantile_sorted(rs, (size_t)got, (1 - conf) / 2);
	out->hi = tmn_quantile_sorted(rs, (size_t)got, 1 - (1 - conf) / 2);
	for (int r = 0; r < got; r++)
		m += rs[r];
	m /= got;
	for (int r = 0; r < got; r++)
		s2 += (rs[r] - m) * (rs[r] - m);
	out->se = got > 1 ? sqrt(s2 / (got - 1)) : NAN;
	out->reps = got;
	out->block = block;
	rc = 0;
out:
	free(xa);
	free(xb);
	free(rs);
	free(idx);
	if (rng)
		gsl_rng_free(rng);
	return rc;
}

int tmn_boot_ratio(const double *a, const double *b, size_t n, size_t block, int reps,
		   double conf, uint64_t seed, tmn_stat_fn stat, void *ctx,
		   struct tmn_boot *out)
{
	if (!b)
		return -1;
	return boot_run(a, b, n, block, reps, conf, seed, stat, ctx, out);
}

int tmn_boot_one(const double *a, size_t n, size_t block, int reps, double conf,
		 uint64_t seed, tmn_stat_fn stat, void *ctx, struct tmn_boot *out)
{
	return boot_run(a, NULL, n, block, reps, conf, seed, stat, ctx, out);
}

/* ---- serially correlated paired data ------------------------------------- */

/* biased autocovariance of centred c[n] at lag k */
static double acov_c(const double *c, size_t n, size_t k)
{
	double s = 0;

	for (size_t i = 0; i + k < n; i++)
		s += c[i] * c[i + k];
	return s / (double)n;
}

static double *centred(const double *x, size_t n)
{
	double m = tmn_mean(x, n), *c = malloc(n * sizeof(*c));

	if (c)
		for (size_t i = 0; i < n; i++)
			c[i] = x[i] - m;
	return c;
}

/* the flat-top lag window of Politis & Romano */
static double flat_top(double t)
{
	t = fabs(t);
	return t <= 0.5 ? 1 : t <= 1 ? 2 * (1 - t) : 0;
}

int tmn_pw_block(const double *x, size_t n, struct tmn_pw *r)
{
	double *c, *R;
	size_t k;

	memset(r, 0, sizeof(*r));
	if (n < 8)
		return -1;
	r->n = n;
	r->kn = (size_t)fmax(5, ceil(sqrt(log10((double)n))));
	r->m_max = (size_t)ceil(sqrt((double)n)) + r->kn;
	if (r->m_max > n / 2)
		r->m_max = n / 2;
	r->crit = 2 * sqrt(log10((double)n) / (double)n);
	r->b_max = ceil(fmin(3 * sqrt((double)n), (double)n / 3));
	c = centred(x, n);
	R = malloc((r->m_max + 1) * sizeof(*R));
	if (!c || !R) {
		free(c);
		free(R);
		return -1;
	}
	for (k = 0; k <= r->m_max; k++)
		R[k] = acov_c(c, n, k);
	free(c);
	if (!(R[0] > 0)) {		/* constant series: nothing to keep */
		r->b_sb = r->b_cb = 1;
		free(R);
		return 0;
	}
	for (k = 1; k + r->kn - 1 <= r->m_max && !r->m_hat; k++) {
		size_t j = 0;

		while (j < r->kn && fabs(R[k + j] / R[0]) < r->crit)
			j++;
		if (j == r->kn)
			r->m_hat = k;
	}
	for (k = r->m_max; !r->m_hat && k >= 1; k--)
		if (fabs(R[k] / R[0]) >= r->crit)
			r->m_hat = k;
	if (!r->m_hat)
		r->m_hat = 1;
	r->M = 2 * r->m_hat < r->m_max ? 2 * r->m_hat : r->m_max;
	r->g = R[0];
	for (k = 1; k <= r->M; k++) {
		double lam = flat_top((double)k / (double)r->M);

		r->g += 2 * lam * R[k];
		r->G += 2 * lam * (double)k * R[k];
	}
	free(R);
	if (r->g > 0 && r->G != 0) {
		double n3 = cbrt((double)n), g2 = r->g * r->g, G2 = r->G * r->G;

		r->b_sb = cbrt(2 * G2 / (2 * g2)) * n3;
		r->b_cb = cbrt(2 * G2 / (4.0 / 3.0 * g2)) * n3;
	} else {
		r->b_sb = r->b_cb = 1;
	}
	r->b_sb = fmin(fmax(r->b_sb, 1), r->b_max);
	r->b_cb = fmin(fmax(r->b_cb, 1), r->b_max);
	return 0;
}

double tmn_lrv_bartlett(const double *x, size_t n, double bw)
{
	double *c, v;

	if (n < 2 || !(bw > 0))
		return NAN;
	c = centred(x, n);
	if (!c)
		return NAN;
	v = acov_c(c, n, 0);
	for (size_t k = 1; (double)k < bw && k < n; k++)
		v += 2 * (1 - (double)k / bw) * acov_c(c, n, k);
	free(c);
	return v;
}

int tmn_hac_ttest(const double *a, const double *b, size_t n, double bw, double conf,
		  struct tmn_hac *r)
{
	double *d, tq;

	memset(r, 0, sizeof(*r));
	if (n < 3 || !(bw > 0) || !(conf > 0 && conf < 1))
		return -1;
	d = malloc(n * sizeof(*d));
	if (!d)
		return -1;
	for (size_t i = 0; i < n; i++)
		d[i] = a[i] - b[i];
	r->n = n;
	r->bw = bw;
	r->mean_diff = tmn_mean(d, n);
	r->sd_diff = tmn_sd(d, n);
	r->lrv = tmn_lrv_bartlett(d, n, bw);
	free(d);
	if (isnan(r->lrv))
		return -1;
	r->d_z = r->sd_diff > 0 ? r->mean_diff / r->sd_diff : NAN;
	r->se_iid = r->sd_diff / sqrt((double)n);
	r->se = r->lrv > 0 ? sqrt(r->lrv / (double)n) : 0;
	/* R(0) = (n - 1) / n sd^2, the biased variance the lrv is made of */
	r->n_eff = r->lrv > 0 ? (double)(n - 1) * r->sd_diff * r->sd_diff / r->lrv : (double)n;
	r->df = r->n_eff - 1 < 1 ? 1 : r->n_eff - 1;
	tq = gsl_cdf_tdist_Qinv((1 - conf) / 2, r->df);
	r->ci_lo = r->mean_diff - tq * r->se;
	r->ci_hi = r->mean_diff + tq * r->se;
	if (r->se > 0) {
		r->t = r->mean_diff / r->se;
		r->p_two = tmn_t_p_two(r->t, r->df);
	} else {
		r->t = r->mean_diff == 0 ? 0 : copysign(INFINITY, r->mean_diff);
		r->p_two = r->mean_diff == 0 ? 1 : 0;
	}
	return 0;
}

/* number of subsets of {1..n} by rank sum: the exact null of W+ (no ties) */
static double *wsr_exact_counts(size_t n)
{
	size_t top = n * (n + 1) / 2;
	double *c = calloc(top + 1, sizeof(*c));

	if (!c)
		return NULL;
	c[0] = 1;
	for (size_t i = 1; i <= n; i++)
		for (size_t s = i * (i + 1) / 2; s >= i; s--)
			c[s] += c[s - i];
	return c;
}

int tmn_wilcoxon(const double *d, size_t n, int allow_exact, struct tmn_wsr *r)
{
	struct ranked *v;
	size_t m = 0, i;
	double tie_sum = 0;
	int zeros = 0;

	memset(r, 0, sizeof(*r));
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < n; i++) {
		if (d[i] == 0) {
			zeros = 1;
			continue;
		}
		v[m++] = (struct ranked){ fabs(d[i]), d[i] > 0 };
	}
	if (!m) {
		free(v);
		return -1;
	}
	qsort(v, m, sizeof(*v), cmp_ranked);
	for (i = 0; i < m;) {
		size_t j = i;
		double rank;

		while (j + 1 < m && v[j + 1].v == v[i].v)
			j++;
		rank = ((double)i + (double)j) / 2 + 1;
		if (j > i) {
			double t = (double)(j - i + 1);

			tie_sum += t * (t * t - 1);
			r->ties = 1;
		}
		for (size_t k = i; k <= j; k++) {
			if (v[k].grp)
				r->w_plus += rank;
			else
				r->w_minus += rank;
		}
		i = j + 1;
	}
	free(v);
	r->n = m;
	r->rbc = (r->w_plus - r->w_minus) / (r->w_plus + r->w_minus);
	{
		double N = (double)m, mu = N * (N + 1) / 4;
		double var = (N * (N + 1) * (2 * N + 1) - 0.5 * tie_sum) / 24;
		double tmin = fmin(r->w_plus, r->w_minus);

		r->z = var > 0 ? (tmin - mu) / sqrt(var) : 0;
		r->p_two = var > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(r->z)) : 1;
	}
	if (allow_exact && !r->ties && !zeros && m <= TMN_WSR_EXACT_MAX) {
		double *c = wsr_exact_counts(m), tot = 0, le = 0, ge = 0;
		size_t w = (size_t)llround(r->w_plus), top = m * (m + 1) / 2;

		if (!c)
			return -1;
		for (size_t s = 0; s <= top; s++) {
			tot += c[s];
			if (s <= w)
				le += c[s];
			if (s >= w)
				ge += c[s];
		}
		free(c);
		r->exact = 1;
		r->p_two = 2 * fmin(le, ge) / tot;
	}
	if (r->p_two > 1)
		r->p_two = 1;
	return 0;
}
