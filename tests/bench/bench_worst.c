// SPDX-License-Identifier: GPL-2.0
/*
 * bench_worst: search for the most expensive tick of the core.
 *
 *   bench_worst [--random N] [--seed S] [--quiet]
 *
 * Run under callgrind by tests/bench/bench_worst.sh (make bench-worst):
 * every measured tm_tick() is bracketed by CALLGRIND_ZERO_STATS and
 * CALLGRIND_DUMP_STATS_AT("case-<id>"), so each dump holds the instructions
 * of exactly one tick (the tool runs with --toggle-collect=tm_tick).  On
 * stdout one manifest line per measured tick says what it was:
 *
 *   case <id> <mode> <verdict> <reason> <macs> <description>
 *   typical <mode> <id> <ticks>      (one dump over <ticks> ordinary ticks)
 *
 * The search: for the prior, A and B models, every accepted parameter extreme of the
 * blob validator (rate, horizon, Kalman noise, initial variances, stale
 * ticks, gate eps/budget/chi2/cov_scale/floors/sat_limit, normalisation,
 * weight scale) and of the netlink configuration (mode, eps, budget, chi2)
 * and the debugfs faults, each alone, crossed with every input pattern
 * (ordinary trajectory, saturating and sign-flipping samples, random
 * samples, dropouts up to stale, no sample, a segment start, the first tick
 * of a fresh state, diagonal motion under an ill-conditioned prior), then
 * a few fixed combinations (a horizon covariance saturated into a singular
 * S: reason cert; the ill-conditioned prior at the largest budget), then
 * --random N random combinations of several extremes at once.  Every model
 * goes through tm_blob_write() and tm_model_from_blob(): only what the
 * validator accepts is measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "quant.h"
#include "tm_core.h"
#include "../vectors/traj.h"
#include "bench_mon.h"

#define WARM_TICKS	240	/* ticks before the measured ones */
#define MEAS_TICKS	3	/* measured ticks per case, one dump each */
#define TYP_WARM	2000
#define TYP_TICKS	2000

static const char *const mode_name[] = { "prior", "A", "B" };
/* the rows: prior, A, B with the chi2 gate, B with the monitor's blend */
#define N_SYSR	4
static const char *const sys_name[N_SYSR] = { "prior", "A", "B", "B-mon" };
static const char *const reason_name[] = {
	"ok", "chi2", "budget", "cert", "no-model", "stale", "saturation",
};

/* ticks before the measured ones in the current case (WARM_TICKS, or longer for the monitor) */
static long warm = WARM_TICKS;

static __u64 rng_state = 0x5eedULL;

static __u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* ---- parameter extremes (blob) ------------------------------------- */

#define KMAX	((__s64)1 << 52)	/* the validator's Kalman/floor limit */

struct mut {
	const char *name;
	void (*apply)(struct tm_model *m);
};

static void m_rate_min(struct tm_model *m) { m->rate_hz = TMNET_MIN_RATE_HZ; }
static void m_rate_max(struct tm_model *m) { m->rate_hz = TMNET_MAX_RATE_HZ; }
static void m_hor_min(struct tm_model *m) { m->horizon_ticks = 1; }
static void m_hor_max(struct tm_model *m) { m->horizon_ticks = TMNET_MAX_HORIZON_TICKS; }
static void m_qa_zero(struct tm_model *m)
{
	m->kalman.qa_xx = m->kalman.qa_xy = m->kalman.qa_yy = 0;
}
static void m_qa_max(struct tm_model *m)
{
	m->kalman.qa_xx = m->kalman.qa_yy = KMAX;
	m->kalman.qa_xy = KMAX;
}
static void m_qa_anti(struct tm_model *m)
{
	m->kalman.qa_xx = m->kalman.qa_yy = KMAX;
	m->kalman.qa_xy = -KMAX;
}
/* the ill-conditioned prior: qa_xy / qa_xx = 0.9999 */
static void m_qa_ill(struct tm_model *m)
{
	m->kalman.qa_xy = m->kalman.qa_xx / 10000 * 9999;
	m->kalman.qa_yy = m->kalman.qa_xx;
}
static void m_r_min(struct tm_model *m) { m->kalman.r_x = m->kalman.r_y = 1; }
static void m_r_max(struct tm_model *m) { m->kalman.r_x = m->kalman.r_y = KMAX; }
static void m_p0_min(struct tm_model *m) { m->kalman.p0_pos = m->kalman.p0_vel = 1; }
static void m_p0_max(struct tm_model *m)
{
	m->kalman.p0_pos = m->kalman.p0_vel = KMAX;
	m->kalman.r_x = m->kalman.r_y = KMAX;	/* else cs makes p0 out of range */
}
static void m_stale_0(struct tm_model *m) { m->kalman.stale_ticks = 0; }
static void m_stale_max(struct tm_model *m) { m->kalman.stale_ticks = 1000000; }
static void m_eps_min(struct tm_model *m) { m->gate.eps_q16 = 1; }
static void m_eps_max(struct tm_model *m) { m->gate.eps_q16 = TM_Q16_ONE; }
static void m_bud_1(struct tm_model *m) { m->gate.budget = 1; }
static void m_bud_below(struct tm_model *m) { m->gate.budget = TM_GATE_MACS_2X2 - 1; }
static void m_bud_exact(struct tm_model *m) { m->gate.budget = TM_GATE_MACS_2X2; }
static void m_bud_max(struct tm_model *m) { m->gate.budget = TMNET_GATE_BUDGET_MAX; }
static void m_chi2_min(struct tm_model *m) { m->gate.chi2_q16 = 1; }
static void m_chi2_max(struct tm_model *m) { m->gate.chi2_q16 = TMNET_GATE_CHI2_MAX; }
static void m_cov_min(struct tm_model *m) { m->gate.cov_scale_q16 = 1; }
static void m_cov_max(struct tm_model *m) { m->gate.cov_scale_q16 = 1000U << 16; }
static void m_floor_max(struct tm_model *m)
{
	m->gate.floor_xx = m->gate.floor_yy = m->gate.floor_xy = KMAX;
}
static void m_floor_anti(struct tm_model *m)
{
	m->gate.floor_xx = m->gate.floor_yy = KMAX;
	m->gate.floor_xy = -KMAX;
}
static void m_floor_0(struct tm_model *m)
{
	m->gate.floor_xx = m->gate.floor_yy = m->gate.floor_xy = 0;
}
static void m_sat_0(struct tm_model *m) { m->gate.sat_limit = 0; }
static void m_sat_max(struct tm_model *m) { m->gate.sat_limit = 0xffffffffU; }
static void m_istd_max(struct tm_model *m)
{
	for (__u32 i = 0; i < m->n_feat; i++)
		m->norm.inv_std[i] = 0x7fffffff;
}
static void m_istd_min(struct tm_model *m)
{
	for (__u32 i = 0; i < m->n_feat; i++)
		m->norm.inv_std[i] = 1;
}
static void m_out_max(struct tm_model *m)
{
	if (m->system != TMNET_SYS_PRIOR)
		m->norm.out_scale[0] = m->norm.out_scale[1] = 0x7fffffff;
}
static void m_frac_0(struct tm_model *m) { m->norm.in_frac = 0; }
static void m_frac_7(struct tm_model *m) { m->norm.in_frac = 7; }
/* the monitor's fields (no effect on a GATE model: it keeps them zero) */
static int is_mon(const struct tm_model *m) { return m->ext.fuse_kind == TMNET_FUSE_MONITOR; }
static void m_mshift_1(struct tm_model *m) { if (is_mon(m)) m->ext.mon_shift = 1; }
static void m_mshift_max(struct tm_model *m)
{
	if (is_mon(m))
		m->ext.mon_shift = TMNET_MON_SHIFT_MAX;
}
static void m_mstride_max(struct tm_model *m)
{
	if (is_mon(m))
		m->ext.mon_stride = TMNET_MAX_HORIZON_TICKS;
}
static void m_minit_0(struct tm_model *m)
{
	if (is_mon(m))
		m->ext.reserved[0] = m->ext.reserved[1] = m->ext.reserved[2] = 0;
}
static void m_minit_max(struct tm_model *m)
{
	if (is_mon(m)) {
		m->ext.reserved[TMNET_MON_INIT_PP] = 0x7fffffffffffffffULL;
		m->ext.reserved[TMNET_MON_INIT_NN] = 0x7fffffffffffffffULL;
		m->ext.reserved[TMNET_MON_INIT_PN] = (__u64)-0x7fffffffffffffffLL;
	}
}
/* horizon 1 with stride 1: a store and a resolve on every tick */
static void m_mstride_1(struct tm_model *m)
{
	if (is_mon(m)) {
		m->horizon_ticks = 1;
		m->ext.mon_stride = 1;
	}
}

/* the damped-velocity prior at its tau extremes, the calibration's extremes */
static void m_dv_tau_min(struct tm_model *m)
{
	m->ext.prior_kind = TMNET_PRIOR_DV;
	m->ext.tau_q32 = TMNET_TAU_MIN_Q32;
}
static void m_dv_tau_max(struct tm_model *m)
{
	m->ext.prior_kind = TMNET_PRIOR_DV;
	m->ext.tau_q32 = TMNET_TAU_MAX_Q32;
}
static void m_hcov_min(struct tm_model *m) { m->ext.hcov_scale_q16 = 1; }
static void m_hcov_max(struct tm_model *m) { m->ext.hcov_scale_q16 = TMNET_HCOV_SCALE_MAX_Q16; }

static const struct mut muts[] = {
	{ "rate=100", m_rate_min }, { "rate=10000", m_rate_max },
	{ "horizon=1", m_hor_min }, { "horizon=100000", m_hor_max },
	{ "qa=0", m_qa_zero }, { "qa=max,xy=+max", m_qa_max }, { "qa=max,xy=-max", m_qa_anti },
	{ "qa_xy/qa_xx=0.9999", m_qa_ill },
	{ "r=min", m_r_min }, { "r=max", m_r_max }, { "p0=min", m_p0_min },
	{ "p0=max,r=max", m_p0_max }, { "stale=0", m_stale_0 }, { "stale=max", m_stale_max },
	{ "eps=min", m_eps_min }, { "eps=max", m_eps_max }, { "budget=1", m_bud_1 },
	{ "budget=cost-1", m_bud_below }, { "budget=cost", m_bud_exact },
	{ "budget=max", m_bud_max }, { "chi2=min", m_chi2_min }, { "chi2=max", m_chi2_max },
	{ "cov_scale=min", m_cov_min }, { "cov_scale=max", m_cov_max },
	{ "floor=max,xy=+max", m_floor_max }, { "floor=max,xy=-max", m_floor_anti },
	{ "floor=0", m_floor_0 }, { "sat_limit=0", m_sat_0 }, { "sat_limit=max", m_sat_max },
	{ "inv_std=max", m_istd_max }, { "inv_std=min", m_istd_min },
	{ "out_scale=max", m_out_max }, { "in_frac=0", m_frac_0 }, { "in_frac=7", m_frac_7 },
	{ "mon_shift=1", m_mshift_1 }, { "mon_shift=16", m_mshift_max },
	{ "mon_stride=max", m_mstride_max }, { "mon_init=0", m_minit_0 },
	{ "mon_init=max,pn=-max", m_minit_max }, { "horizon=1,mon_stride=1", m_mstride_1 },
	{ "prior=dv,tau=min", m_dv_tau_min }, { "prior=dv,tau=max", m_dv_tau_max },
	{ "hcov=min", m_hcov_min }, { "hcov=max", m_hcov_max },
};
#define N_MUTS	(sizeof(muts) / sizeof(muts[0]))

/* ---- configuration extremes (netlink, debugfs) --------------------- */

struct cmut {
	const char *name;
	void (*apply)(struct tm_cfg *c, const struct tm_model *m);
};

static void c_mode_up(struct tm_cfg *c, const struct tm_model *m)
{
	c->mode = m->system + 1 < __TMNET_SYS_MAX ? m->system + 1 : m->system;
}
static void c_eps_min(struct tm_cfg *c, const struct tm_model *m) { (void)m; c->eps_q16 = 1; }
static void c_eps_max(struct tm_cfg *c, const struct tm_model *m) { (void)m; c->eps_q16 = 65536; }
static void c_bud_1(struct tm_cfg *c, const struct tm_model *m) { (void)m; c->budget = 1; }
static void c_bud_max(struct tm_cfg *c, const struct tm_model *m)
{
	(void)m;
	c->budget = TMNET_GATE_BUDGET_MAX;
}
static void c_chi2_min(struct tm_cfg *c, const struct tm_model *m) { (void)m; c->chi2_q16 = 1; }
static void c_chi2_max(struct tm_cfg *c, const struct tm_model *m)
{
	(void)m;
	c->chi2_q16 = TMNET_GATE_CHI2_MAX;
}
static void c_stale(struct tm_cfg *c, const struct tm_model *m)
{
	(void)m;
	c->faults |= TM_FAULT_STALE;
}
static void c_corrupt(struct tm_cfg *c, const struct tm_model *m)
{
	(void)m;
	c->faults |= TM_FAULT_CORRUPT_NET;
}

static const struct cmut cmuts[] = {
	{ "cfg.mode=above-model", c_mode_up }, { "cfg.eps=1", c_eps_min },
	{ "cfg.eps=65536", c_eps_max }, { "cfg.budget=1", c_bud_1 },
	{ "cfg.budget=max", c_bud_max }, { "cfg.chi2=1", c_chi2_min },
	{ "cfg.chi2=max", c_chi2_max }, { "fault=stale", c_stale },
	{ "fault=corrupt-net", c_corrupt },
};
#define N_CMUTS	(sizeof(cmuts) / sizeof(cmuts[0]))

/* ---- input patterns ------------------------------------------------- */

enum pat {
	P_TRAJ, P_SAT_FLIP, P_SAT_CONST, P_RANDOM, P_DROPOUT, P_NULL, P_SEG,
	P_FIRST, P_DIAG, P_JUMP, N_PATS,
};
static const char *const pat_name[] = {
	"trajectory", "saturating-flip", "saturating-const", "random-samples",
	"dropout", "no-sample", "segment-start", "first-tick", "diagonal-motion",
	"jump",
};

/* sample t of pattern p (t counts from 0; NULL: no sample this tick) */
static const struct tmnet_sample *pattern(enum pat p, long t, struct tm_vec_traj *tr,
					  struct tmnet_sample *s)
{
	const __s32 mx = 0x7fffffff, mn = -0x7fffffff - 1;
	int meas = t >= warm;

	tm_vec_traj_next(tr, s);
	switch (p) {
	case P_TRAJ:
	case P_FIRST:
		break;
	case P_SAT_FLIP:
		s->x = s->y = (t & 1) ? mx : mn;
		s->vx = s->vy = (t & 1) ? mn : mx;
		s->flags = TMNET_SAMPLE_VALID;
		break;
	case P_SAT_CONST:
		s->x = s->vx = mx;
		s->y = s->vy = mn;
		s->flags = TMNET_SAMPLE_VALID;
		break;
	case P_RANDOM:
		s->x = (__s32)rnd();
		s->y = (__s32)rnd();
		s->vx = (__s32)rnd();
		s->vy = (__s32)rnd();
		s->flags = (__u32)(rnd() % 3 ? TMNET_SAMPLE_VALID : 0);
		break;
	case P_DROPOUT:
		/* valid until 40 ticks before the measurement, then missing */
		if (t >= warm - 40)
			s->flags = 0;
		break;
	case P_NULL:
		if (meas)
			return NULL;
		break;
	case P_SEG:
		if (meas)
			s->flags |= TMNET_SAMPLE_SEG_START;
		break;
	case P_DIAG:
		/* fast motion along the diagonal, 1000 units/s */
		s->x = s->y = (__s32)((t * 1000LL * 65536) / 2000);
		s->vx = s->vy = 1000 * 65536;
		s->flags = TMNET_SAMPLE_VALID;
		break;
	case P_JUMP:
		/* a 65536-unit jump on the measured ticks */
		s->x = s->y = meas ? (((t & 1) ? mx : mn)) : 0;
		s->vx = s->vy = 0;
		s->flags = TMNET_SAMPLE_VALID;
		break;
	default:
		break;
	}
	return s;
}

/* ---- measurement ---------------------------------------------------- */

static long case_id;
static int quiet;

static void run_case(const struct tm_model *m, const struct tm_cfg *cfg, enum pat p,
		     const char *desc)
{
	static struct tm_state st;
	struct tm_vec_traj tr;
	long t0, t;
	/*
	 * The monitor: warm up past the horizon so that the measured ticks
	 * hold the first resolve (tick horizon + stride: a resolve, a store
	 * and the weight's division in one tick); horizons above 4000 ticks
	 * keep the short warm-up (the resolve's cost does not depend on them)
	 */
	warm = WARM_TICKS;
	if (is_mon(m) && m->horizon_ticks <= 4000)
		warm = (long)(m->horizon_ticks + m->ext.mon_stride) - 1 > WARM_TICKS ?
		       (long)(m->horizon_ticks + m->ext.mon_stride) - 1 : WARM_TICKS;
	t0 = p == P_FIRST ? 0 : warm;

	tm_state_reset(&st);
	tm_vec_traj_init(&tr, 99 + (__u64)case_id);
	for (t = 0; t < t0 + MEAS_TICKS; t++) {
		struct tmnet_sample smp;
		const struct tmnet_sample *s = pattern(p, t, &tr, &smp);
		struct tmnet_pred out;
		char name[32];

		memset(&out, 0, sizeof(out));
		if (t < t0) {
			tm_tick(&st, m, cfg, s, &out, NULL);
			continue;
		}
		snprintf(name, sizeof(name), "case-%ld", case_id);
		CALLGRIND_ZERO_STATS;
		tm_tick(&st, m, cfg, s, &out, NULL);
		CALLGRIND_DUMP_STATS_AT(name);
		printf("case %ld %s %s %s %u %s/%s/tick+%ld\n", case_id,
		       cfg->mode == TMNET_SYS_B && is_mon(m) ? "B-mon" : mode_name[cfg->mode],
		       out.verdict == TMNET_VERDICT_PASS ? "pass" :
		       out.verdict == TMNET_VERDICT_BLEND ? "blend" :
		       out.verdict == TMNET_VERDICT_FALLBACK ? "fallback" : "none",
		       out.verdict == TMNET_VERDICT_FALLBACK ? reason_name[out.reason] : "-",
		       out.gate_macs, desc, pat_name[p], t - t0);
		case_id++;
	}
}

/* validate through the blob writer and the validator; 0 if accepted */
static int revalidate(struct tm_model *m)
{
	static unsigned char buf[TMNET_BLOB_MAX_SIZE];
	struct tm_blob_error e;
	__u32 n;

	/* the monitor's stride must cover a mutated horizon (the validator's rule) */
	if (is_mon(m) && (__u64)m->ext.mon_stride * (TMNET_MON_SLOTS - 1) < m->horizon_ticks)
		m->ext.mon_stride = (m->horizon_ticks + TMNET_MON_SLOTS - 2) / (TMNET_MON_SLOTS - 1);
	n = tm_model_blob_size(m);

	if (n > sizeof(buf) || tm_blob_write(buf, n, m) < 0)
		return -1;
	return tm_model_from_blob(m, buf, n, &e);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_worst [--random N] [--seed S] [--quiet]\n"
		   "  Runs the worst-case search; meant to run under callgrind via\n"
		   "  tests/bench/bench_worst.sh (make bench-worst), which turns the\n"
		   "  per-tick dumps and the manifest on stdout into a table.\n");
}

int main(int argc, char **argv)
{
	static struct tm_model base[N_SYSR][2], m;
	long n_random = 400, rejected = 0;
	char err[256], desc[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--random") && i + 1 < argc) {
			n_random = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			rng_state = strtoull(argv[++i], NULL, 0) | 1;
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	/* the models of make bench-core (weight scale 1), and saturating ones */
	for (int s = 0; s < 3; s++)
		for (int w = 0; w < 2; w++)
			if (tmq_random_model(&base[s][w], s, 32, w ? 40.0 : 1.0,
					     1000 + (unsigned)s, NULL, NULL, err, sizeof(err))) {
				fprintf(stderr, "bench_worst: %s\n", err);
				return 1;
			}
	/* B with the monitor: bench-core's (tm_bench_monitor) */
	for (int w = 0; w < 2; w++) {
		base[3][w] = base[2][w];
		tm_bench_monitor(&base[3][w]);
		if (revalidate(&base[3][w])) {
			fprintf(stderr, "bench_worst: the monitor model was rejected\n");
			return 1;
		}
	}

	/* typical: the bench-core trajectory, one dump over TYP_TICKS ticks */
	for (int s = 0; s < N_SYSR; s++) {
		static struct tm_state st;
		struct tm_vec_traj tr;
		struct tm_cfg cfg;
		char name[32];

		tm_cfg_from_model(&cfg, &base[s][0]);
		tm_state_reset(&st);
		tm_vec_traj_init(&tr, 99);
		for (int t = 0; t < TYP_WARM + TYP_TICKS; t++) {
			struct tmnet_sample smp;
			struct tmnet_pred out;

			tm_vec_traj_next(&tr, &smp);
			if (t == TYP_WARM)
				CALLGRIND_ZERO_STATS;
			tm_tick(&st, &base[s][0], &cfg, &smp, &out, NULL);
		}
		snprintf(name, sizeof(name), "case-%ld", case_id);
		CALLGRIND_DUMP_STATS_AT(name);
		printf("typical %s %ld %d\n", sys_name[s], case_id, TYP_TICKS);
		case_id++;
	}

	/* one extreme at a time, every mode the model allows, every pattern */
	for (int s = 0; s < N_SYSR; s++)
		for (int w = 0; w < 2; w++)
			for (size_t k = 0; k <= N_MUTS + N_CMUTS; k++) {
				struct tm_cfg cfg;
				const char *what = "defaults";

				if (w && k)
					continue;	/* saturating weights: defaults only */
				m = base[s][w];
				if (k && k <= N_MUTS) {
					muts[k - 1].apply(&m);
					what = muts[k - 1].name;
				}
				if (revalidate(&m)) {
					rejected++;
					continue;
				}
				tm_cfg_from_model(&cfg, &m);
				if (k > N_MUTS) {
					cmuts[k - N_MUTS - 1].apply(&cfg, &m);
					what = cmuts[k - N_MUTS - 1].name;
				}
				for (int p = 0; p < N_PATS; p++) {
					snprintf(desc, sizeof(desc), "model=%s%s,%s", sys_name[s],
						 w ? ",weights*40" : "", what);
					run_case(&m, &cfg, (enum pat)p, desc);
				}
			}

	/*
	 * Fixed combinations: a horizon covariance that saturates in every
	 * entry (S singular after saturation: reason cert), and the issue's
	 * ill-conditioned prior with diagonal motion at the largest budget.
	 */
	{
		static const char *const combos[][5] = {
			{ "qa=max,xy=+max", "horizon=100000", "rate=100", "r=max", "sat_limit=max" },
			{ "qa=max,xy=-max", "horizon=100000", "rate=100", "sat_limit=max", NULL },
			{ "qa_xy/qa_xx=0.9999", "budget=max", "sat_limit=max", NULL, NULL },
			{ "qa_xy/qa_xx=0.9999", "floor=0", "cov_scale=max", "sat_limit=max", NULL },
		};

		for (size_t c = 0; c < sizeof(combos) / sizeof(combos[0]); c++)
			for (int s = 1; s < N_SYSR; s++) {
				struct tm_cfg cfg;
				size_t off;

				m = base[s][0];
				off = (size_t)snprintf(desc, sizeof(desc), "model=%s", sys_name[s]);
				for (int j = 0; j < 5 && combos[c][j]; j++)
					for (size_t k = 0; k < N_MUTS; k++)
						if (!strcmp(muts[k].name, combos[c][j])) {
							muts[k].apply(&m);
							off += (size_t)snprintf(desc + off, sizeof(desc) - off,
										",%s", muts[k].name);
						}
				if (revalidate(&m)) {
					rejected++;
					continue;
				}
				tm_cfg_from_model(&cfg, &m);
				for (int p = 0; p < N_PATS; p++)
					run_case(&m, &cfg, (enum pat)p, desc);
			}
	}

	/* random combinations of 2-5 extremes at once */
	for (long i = 0; i < n_random; i++) {
		int s = (int)(rnd() % N_SYSR), w = (int)(rnd() % 4 == 0);
		int nm = 2 + (int)(rnd() % 4);
		struct tm_cfg cfg;
		size_t off;

		m = base[s][w];
		off = (size_t)snprintf(desc, sizeof(desc), "model=%s%s", sys_name[s],
				       w ? ",weights*40" : "");
		for (int j = 0; j < nm; j++) {
			size_t k = rnd() % N_MUTS;

			muts[k].apply(&m);
			off += (size_t)snprintf(desc + off, sizeof(desc) - off, ",%s", muts[k].name);
		}
		if (revalidate(&m)) {
			rejected++;
			continue;
		}
		tm_cfg_from_model(&cfg, &m);
		if (rnd() & 1) {
			size_t k = rnd() % N_CMUTS;

			cmuts[k].apply(&cfg, &m);
			off += (size_t)snprintf(desc + off, sizeof(desc) - off, ",%s", cmuts[k].name);
		}
		if (s > 0 && rnd() % 3 == 0) {
			cfg.mode = (__u32)(rnd() % (unsigned)(s > 2 ? 2 : s));	/* a lower mode */
			snprintf(desc + off, sizeof(desc) - off, ",cfg.mode=%s", mode_name[cfg.mode]);
		}
		run_case(&m, &cfg, (enum pat)(rnd() % N_PATS), desc);
	}
	if (!quiet)
		fprintf(stderr, "bench_worst: %ld measured ticks, %ld parameter sets rejected "
			"by the validator (not measured)\n", case_id - N_SYSR, rejected);
	return 0;
}
