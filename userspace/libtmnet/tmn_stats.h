/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for the A/B evaluation: quantiles, the paired t-test, the
 * Mann-Whitney U test, effect sizes (Cohen's d, rank-biserial correlation)
 * and (moving-block) bootstrap confidence intervals of ratios.
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
 * Effective sample size of n serially correlated values with lag-1
 * autocorrelation rho under an AR(1) model: n (1 - rho) / (1 + rho),
 * clamped to [2, n]; n for rho <= 0.
 */
double tmn_n_eff_ar1(size_t n, double rho);

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
