/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet data: sample series, the canonical CSV, the synthetic trajectory
 * generator and the importer for foreign position logs.
 *
 * Canonical CSV (one row per model tick, header line optional on read):
 *     t_ns,x,y,vx,vy,valid
 * x, y in data units, vx, vy in data units per second, valid 0/1.  Values
 * are printed with 6 decimals, which is lossless for Q16.16.
 */
#ifndef TMN_DATA_H
#define TMN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "tm_core.h"

struct tmn_series {
	size_t n;
	int rate_hz;
	struct tmnet_sample *s;
};

void tmn_series_free(struct tmn_series *d);
int tmn_series_alloc(struct tmn_series *d, size_t n, int rate_hz);

/* Canonical CSV.  Return 0, or -1 with a message naming the line in err. */
int tmn_csv_write(const char *path, const struct tmn_series *d, char *err, int errlen);
int tmn_csv_read(const char *path, struct tmn_series *d, char *err, int errlen);

/* ---- deterministic random numbers (xoshiro256**) ---------------------- */
struct tmn_rng {
	uint64_t s[4];
	int have_g;
	double g;
};

void tmn_rng_seed(struct tmn_rng *r, uint64_t seed);
uint64_t tmn_rng_u64(struct tmn_rng *r);
double tmn_rng_uniform(struct tmn_rng *r);		/* [0, 1) */
double tmn_rng_range(struct tmn_rng *r, double a, double b);
double tmn_rng_gauss(struct tmn_rng *r);

/* ---- synthetic generator --------------------------------------------- */
enum tmn_regime {
	TMN_RG_CV = 0,		/* constant velocity */
	TMN_RG_TURN,		/* coordinated turn */
	TMN_RG_SINGER,		/* Singer / OU acceleration manoeuvre */
	TMN_RG_ORBIT,		/* circular orbit around a centre */
	TMN_RG_OSC,		/* 2-D harmonic oscillation (Lissajous) */
	TMN_RG_STOPGO,		/* stop-and-go along a heading */
	TMN_RG_N,
};

struct tmn_gen_cfg {
	uint64_t seed;
	double seconds;
	int rate_hz;
	double arena;		/* half width of the square arena, units */
	double noise_pos;	/* sensor position sd, units */
	double noise_vel;	/* sensor velocity sd, units/s */
	double outlier_p;	/* per-sample outlier probability */
	double outlier_sd;	/* outlier jump sd, units */
	double dropout_p;	/* per-tick probability that a dropout starts */
	double dropout_max_s;	/* dropout length uniform in [1 tick, this] */
	double seg_min_s, seg_max_s;	/* regime duration */
};

void tmn_gen_default(struct tmn_gen_cfg *c);
/* Fills d; regime_out (may be NULL) receives one regime id per tick (malloc) */
int tmn_gen(const struct tmn_gen_cfg *c, struct tmn_series *d, uint8_t **regime_out);
const char *tmn_regime_name(int r);

/* ---- importer ------------------------------------------------------------ */
struct tmn_import_cfg {
	double time_unit;	/* seconds per timestamp unit; 0 = detect */
	int rate_hz;		/* model rate to resample to */
	double gap_s;		/* larger gaps between raw samples -> invalid */
	double vel_window_s;	/* causal velocity window */
	int col_t, col_x, col_y;	/* 0-based columns */
};

void tmn_import_default(struct tmn_import_cfg *c);
/*
 * Parse a foreign CSV (',' or ';', optional header) and resample it.  On any
 * malformed line returns -1 with "line N: problem" in err and leaves d empty.
 * info (may be NULL) receives a one-line description of what was detected.
 */
int tmn_import(const char *path, const struct tmn_import_cfg *c, struct tmn_series *d,
	       char *err, int errlen, char *info, int infolen);

#endif /* TMN_DATA_H */
