/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for the A/B evaluation: quantiles, the paired t-test, the
 * Mann-Whitney U test, effect sizes (Cohen's d, rank-biserial correlation)
 * and (moving-block) bootstrap confidence intervals of ratios; for serially
 * correlated paired data: the Politis-White automatic block length, the
 * Bartlett-kernel (Newey-West) long-run variance and the paired t-test with
 * its standard error, and the Wilcoxon signed-rank test.
 *
 * Which test for which data: the paired ones (tmn_paired_ttest,
 * tmn_hac_ttest, tmn_wilcoxon) when the two samples are measured on the same
 * items (two models on the same ticks); Mann-Whitney U and the pooled
 * Cohen's d only for independent samples.
 *
 * Every distribution function comes from GSL (gsl_cdf_*); nothing here
 * approximates a special function by hand.  Quantiles use the linear
 * interpolation of R's type 7 (the same definition as `tmnet eval`).
 */
#ifndef TMN_STATS_H
#define TMN_STATS_H

#include <stddef.h>
#include <stdint.h>

/* q-quantile (0 <= q <= 1) of sorted x[n], type 7 */
double tmn_quantile_sorted(const double *x, size_t n, double q);
/* q-quantile of x[n] in place (x is permuted, not fully sorted), type 7 */
double tmn_quantile_inplace(double *x, size_t n, double q);
double tmn_mean(const double *x, size_t n);
double tmn_sd(const double *x, size_t n);		/* n - 1 denominator */
/* lag-k autocorrelation (biased estimator, as R's acf) */
double tmn_autocorr(const double *x, size_t n, size_t lag);

/* Paired t-test on d_i = a_i - b_i (H0: mean d = 0) */
struct tmn_ttest {
	size_t n;
	double mean_diff, sd_diff;
	double t, df;
	double p_two, p_less, p_greater;	/* alternatives on mean(a - b) */
	double ci_lo, ci_hi;			/* two-sided CI of mean(a - b) */
	double d_z;				/* Cohen's d of the differences */
};

int tmn_paired_ttest(const double *a, const double *b, size_t n, double conf,
		     struct tmn_ttest *r);

/* Two-sided p-value of Student's t with df degrees of freedom (GSL) */
double tmn_t_p_two(double t, double df);

/*
 * Politis & White (2004) automatic block length, with the correction of
 * Patton, Politis & White (2009), for the stationary (SB) and the circular
 * block bootstrap (CB) of the mean of x[n]:
 *   rho(k): the biased sample autocorrelation (as tmn_autocorr);
 *   K_N = max(5, sqrt(log10 n)), m_max = ceil(sqrt n) + K_N, critical value
 *   c sqrt(log10 n / n) with c = 2;
 *   m_hat = the smallest k >= 1 with |rho(k)| .. |rho(k + K_N - 1)| all below
 *   it (else the largest lag <= m_max above it); M = min(2 m_hat, m_max);
 *   flat-top window lambda(t) = 1 (|t| <= 1/2), 2 (1 - |t|) (|t| <= 1);
 *   g = sum_{|k| <= M} lambda(k/M) R(k), G = sum lambda(k/M) |k| R(k),
 *   R(k) the biased autocovariance;
 *   b_SB = (2 G^2 / (2 g^2))^(1/3) n^(1/3), b_CB = (2 G^2 / (4/3 g^2))^(1/3) n^(1/3),
 *   both in [1, b_max], b_max = ceil(min(3 sqrt n, n / 3)).
 * b_CB is also the MSE-optimal bandwidth of the Bartlett kernel (Andrews
 * 1991, with the nonparametric plug-in instead of an AR(1) fit), since the
 * block-bootstrap variance of a mean is the Bartlett estimator.
 */
struct tmn_pw {
	size_t n, kn, m_max, m_hat, M;
	double crit;		/* c sqrt(log10 n / n) */
	double g, G;		/* flat-top long-run variance and its |k| moment */
	double b_sb, b_cb, b_max;
};

int tmn_pw_block(const double *x, size_t n, struct tmn_pw *r);

/*
 * Long-run variance of x[n] with the Bartlett kernel of bandwidth bw > 0:
 * R(0) + 2 sum_{1 <= k < bw} (1 - k / bw) R(k), R the biased autocovariance
 * (Newey & West 1987 with L = ceil(bw) - 1 lags).  Cost n * bw.
 */
double tmn_lrv_bartlett(const double *x, size_t n, double bw);

/*
 * Paired t-test on d_i = a_i - b_i of serially correlated pairs, with the
 * Newey-West (Bartlett, bandwidth bw) standard error sqrt(lrv / n).
 * n_eff = n R(0) / lrv is the effective sample size (n for an uncorrelated
 * series); the t has n_eff - 1 degrees of freedom (at least 1).
 * d_z = mean / sd of the differences (the paired effect size).
 */
struct tmn_hac {
	size_t n;
	double bw;
	double mean_diff, sd_diff, d_z;
	double lrv, se, se_iid, n_eff;
	double t, df, p_two;
	double ci_lo, ci_hi;
};

int tmn_hac_ttest(const double *a, const double *b, size_t n, double bw, double conf,
		  struct tmn_hac *r);

/*
 * Wilcoxon signed-rank test of the differences d[n] (H0: symmetric about 0).
 * Zeros are dropped (Wilcoxon's convention, SciPy's zero_method="wilcox");
 * mid-ranks for ties.  W+ / W- are the rank sums of the positive / negative
 * differences, rbc = (W+ - W-) / (W+ + W-) the matched-pairs rank-biserial
 * correlation.  Exact two-sided p (2 min(P(W+ <= w), P(W+ >= w)), 1 at the
 * centre) when allow_exact, no ties and n <= TMN_WSR_EXACT_MAX; otherwise
 * the normal approximation with the tie correction and no continuity
 * correction (SciPy's method="approx", correction=False).
 */
#define TMN_WSR_EXACT_MAX	50

struct tmn_wsr {
	size_t n;		/* non-zero differences */
	double w_plus, w_minus;
	double z;		/* (min(W+, W-) - mean) / sd, normal approximation */
	double p_two;
	double rbc;
	int exact, ties;
};

int tmn_wilcoxon(const double *d, size_t n, int allow_exact, struct tmn_wsr *r);

/* Student two-sample t-test (equal variances) and the pooled Cohen's d */
struct tmn_ttest2 {
	double t, df, p_two;
	double d;		/* (mean a - mean b) / pooled sd */
};

int tmn_student_ttest(const double *a, size_t na, const double *b, size_t nb,
		      struct tmn_ttest2 *r);
double tmn_cohens_d(const double *a, size_t na, const double *b, size_t nb);

/*
 * Mann-Whitney U test of a against b.  U_a counts pairs with a > b (ties
 * 1/2).  Exact p-values (no ties, na * nb <= TMN_MWU_EXACT_MAX) or the
 * normal approximation with tie and continuity corrections.
 * rbc = 2 U_a / (na nb) - 1 = P(a > b) - P(a < b)  (rank-biserial).
 */
#define TMN_MWU_EXACT_MAX	2500

struct tmn_mwu {
	size_t na, nb;
	double u_a, u_b;
	double z;				/* normal approximation, corrected */
	double p_two, p_less, p_greater;	/* 'greater': a stochastically larger */
	double rbc;
	int exact;
	int ties;
};

int tmn_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		     int allow_exact, struct tmn_mwu *r);

/*
 * Paired moving-block bootstrap of stat(a[idx]) / stat(b[idx]) with the same
 * resampled indices for both (blocks of `block` consecutive items, so
 * serial correlation up to that lag is kept).  Percentile interval at level
 * conf.  stat may permute its argument.
 */
typedef double (*tmn_stat_fn)(double *x, size_t n, void *ctx);

struct tmn_boot {
	double est;		/* statistic of the original samples */
	double lo, hi;		/* percentile interval */
	double se;		/* bootstrap standard error */
	int reps;
	size_t block;
};

/* stat = quantile q (ctx points at a double q) */
double tmn_stat_quantile(double *x, size_t n, void *ctx);
double tmn_stat_mean(double *x, size_t n, void *ctx);

int tmn_boot_ratio(const double *a, const double *b, size_t n, size_t block, int reps,
		   double conf, uint64_t seed, tmn_stat_fn stat, void *ctx,
		   struct tmn_boot *out);
/* The same for one sample: stat(a[idx]) */
int tmn_boot_one(const double *a, size_t n, size_t block, int reps, double conf,
		 uint64_t seed, tmn_stat_fn stat, void *ctx, struct tmn_boot *out);

#endif /* TMN_STATS_H */
