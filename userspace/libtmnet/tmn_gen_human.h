/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human-motion generators: pointing (minimum-jerk sub-movements timed by
 * Fitts' law, Meyer et al.'s corrective sub-movements), handwriting (sums
 * of sigma-lognormal velocity pulses, Plamondon's kinematic theory), and
 * mixtures of these with the vehicle-like generator of tmn_data.h.
 *
 * Each human kind first produces a raw device log (event-driven: a mouse
 * reports only when the cursor moves, a tablet only while the pen is down,
 * with the device's clock and rate), which then goes through the importer
 * (tmn_data.h) to canonical ticks at the model rate, so the generated data
 * has the importer's quirks.  Equations, parameters and references:
 * docs/generators.md.
 */
#ifndef TMN_GEN_HUMAN_H
#define TMN_GEN_HUMAN_H

#include <stddef.h>
#include <stdint.h>

#include "tmn_data.h"

enum tmn_gen_kind {
	TMN_GK_VEHICLE = 0,	/* tmn_gen(): today's regime mix */
	TMN_GK_POINTING,
	TMN_GK_HANDWRITING,
	TMN_GK_N,
};

const char *tmn_gen_kind_name(int k);

/* ---- minimum jerk (Flash & Hogan 1985) ------------------------------------ */
/* shape s -> 10 s^3 - 15 s^4 + 6 s^5 and its derivative d/ds, s in [0, 1] */
double tmn_minjerk(double s);
double tmn_minjerk_d(double s);

struct tmn_mj_seg {
	double t0, T;		/* start time, duration (s) */
	double p0[2], p1[2];	/* start and end point (px) */
	double W;		/* target width the movement aims at (px) */
	double D;		/* distance to the target centre at its start (px) */
	int corr;		/* 0 = primary, k = k-th corrective sub-movement */
};

/* position and velocity of a segment at time t (clamped to the segment) */
void tmn_mj_eval(const struct tmn_mj_seg *g, double t, double p[2], double v[2]);

/* Fitts' law (Shannon form): MT = a + b log2(D/W + 1) */
double tmn_fitts_mt(double a, double b, double D, double W);

/* ---- sigma-lognormal (Plamondon 1995; O'Reilly & Plamondon 2009) --------- */
struct tmn_lognorm {
	double D;		/* amplitude: arc length of the pulse (units) */
	double t0;		/* onset (s) */
	double mu, sigma;	/* log-time delay and log-response time */
	double th_s, th_e;	/* start and end direction (rad) */
};

/* speed |v_i(t)| of one pulse (0 for t <= t0) */
double tmn_sl_speed(const struct tmn_lognorm *p, double t);
/* velocity vector of one pulse, and the sum over n pulses */
void tmn_sl_vel1(const struct tmn_lognorm *p, double t, double v[2]);
void tmn_sl_vel(const struct tmn_lognorm *p, size_t n, double t, double v[2]);
/* displacement since onset, closed form, summed over n pulses */
void tmn_sl_disp(const struct tmn_lognorm *p, size_t n, double t, double d[2]);

/* ---- raw device log ---------------------------------------------------------- */
struct tmn_rawlog {
	size_t n, cap;
	double *t;		/* device timestamp, s (a multiple of the clock) */
	double *x, *y;		/* device units (px, tablet units), integers */
	char delim;		/* ',' (mouse) or ';' (tablet) when written */
	double clock_s;		/* timestamp resolution, s */
};

void tmn_rawlog_free(struct tmn_rawlog *l);
/* header t_ms,x,y; timestamps in ms.  0 or -1 with a message in err. */
int tmn_rawlog_write(const char *path, const struct tmn_rawlog *l, char *err, int errlen);

/* ---- pointing ------------------------------------------------------------- */
struct tmn_point_cfg {
	double screen_w, screen_h;	/* arena, px */
	double fitts_a, fitts_b;	/* s, s/bit */
	double k_err;		/* endpoint sd = k_err * D / T (Meyer et al.), s */
	double perp_ratio;	/* perpendicular sd / along-axis sd */
	double mt_sdlog;	/* lognormal spread of each duration */
	int max_corr;		/* corrective sub-movements at most */
	double dwell_min_s, dwell_max_s;	/* pause before a correction */
	double rest_median_s, rest_sdlog;	/* rest after a target */
	double idle_p, idle_min_s, idle_max_s;	/* occasional long idle */
	double noise_px;	/* sensor noise sd while moving, px */
	double device_hz;	/* mouse polling rate */
	double clock_s;		/* client clock; 0 = exact (1 us) */
};

/* ---- handwriting ------------------------------------------------------------ */
enum tmn_writer { TMN_WR_SLOW = 0, TMN_WR_NORMAL, TMN_WR_FAST, TMN_WR_MIXED };

struct tmn_hw_cfg {
	int writer;		/* enum tmn_writer; MIXED: one drawn per line */
	double units_per_mm;	/* tablet resolution */
	double device_hz;	/* tablet report rate */
	double noise_units;	/* sensor noise sd, tablet units */
};

struct tmn_gen_human_cfg {
	uint64_t seed;
	double seconds;		/* recording time (wall clock, rests included) */
	int rate_hz;		/* model rate of the canonical output */
	double w[TMN_GK_N];	/* time share of each kind (sum 1) */
	double block_min_s, block_max_s;	/* mixture blocks */
	double gap_s;		/* importer gap; 0 = per kind (pointing 1 s, writing 30 ms) */
	struct tmn_gen_cfg vehicle;	/* seed/seconds/rate are set per block */
	struct tmn_point_cfg point;
	struct tmn_hw_cfg hw;
};

void tmn_gen_human_default(struct tmn_gen_human_cfg *c);

/*
 * "vehicle", "pointing", "handwriting", or "mix:NAME=W,NAME=W,..." (weights
 * >= 0, at least one > 0, normalised to sum 1).  0 or -1 with a message.
 */
int tmn_gen_kind_parse(const char *s, double w[TMN_GK_N], char *err, int errlen);

/* the raw device log of one recording of `seconds` s (kind POINTING or
 * HANDWRITING); plan/pulses (may be NULL) receive the true movement model */
int tmn_gen_pointing_raw(const struct tmn_point_cfg *c, uint64_t seed, double seconds,
			 struct tmn_rawlog *log, struct tmn_mj_seg **plan, size_t *nplan);
int tmn_gen_handwriting_raw(const struct tmn_hw_cfg *c, uint64_t seed, double seconds,
			    struct tmn_rawlog *log, struct tmn_lognorm **pulses,
			    size_t *npulses);

/*
 * The whole data set: a pure vehicle run is tmn_gen() itself (same bytes as
 * before); otherwise blocks of the kinds in the stated shares, each human
 * block through the importer, each block starting a segment.  kind_out
 * (may be NULL) gets one kind id per tick (malloc).  raw_path (may be NULL)
 * also writes the device log (a single human kind only).
 */
int tmn_gen_human(const struct tmn_gen_human_cfg *c, struct tmn_series *d, uint8_t **kind_out,
		  const char *raw_path, char *err, int errlen);

#endif /* TMN_GEN_HUMAN_H */
