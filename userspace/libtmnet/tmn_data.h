/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet data: sample series, the canonical CSV, the synthetic trajectory
 * generator and the importer for foreign position logs.
 *
 * Canonical CSV (one row per model tick):
 *     # tmnet-data rate_hz=2000 scale=S,S offset=O,O
 *     t_ns,x,y,vx,vy,valid,seg
 * x, y in data units, vx, vy in data units per second, valid 0/1, seg 1 on
 * the first tick of a segment (TMNET_SAMPLE_SEG_START).  Values are printed
 * with 6 decimals, which is lossless for Q16.16.  On read: '#' lines are
 * comments (the "# tmnet-data" one carries the rate and the recording
 * units: data = (recording - offset) * scale), the header line is
 * optional, and the seg column is optional (6-column files read as
 * before).  t_ns increases strictly; between segments it may jump (the
 * ticks of a gap are not written).
 */
#ifndef TMN_DATA_H
#define TMN_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tm_core.h"

/* Largest |value| a data file may hold (the readers refuse >= 32767) */
#define TMN_DATA_POS_MAX	32000.0
/* Importer: a raw step faster than this (data units/s) splits the segment */
#define TMN_DATA_VEL_SPLIT	16384.0
/* Importer's automatic scale puts robust |position|, |velocity| under this */
#define TMN_DATA_AUTO_LIMIT	8192.0

/* data = (recording - offset) * scale, per axis */
struct tmn_units {
	double scale[2];
	double offset[2];
};

struct tmn_series {
	size_t n;
	int rate_hz;
	struct tmnet_sample *s;
	struct tmn_units units;
	int has_units;		/* 1 when the file recorded them */
	size_t nseg;		/* samples with TMNET_SAMPLE_SEG_START */
};

void tmn_units_identity(struct tmn_units *u);
int tmn_units_is_identity(const struct tmn_units *u);
/* to and from the blob's binary64 bit patterns (zero = none = identity) */
void tmn_units_to_blob(const struct tmn_units *u, struct tmnet_blob_units *b);
void tmn_units_from_blob(const struct tmnet_blob_units *b, struct tmn_units *u);
/* "x 1/10 + 40860" style one-line description */
void tmn_units_describe(const struct tmn_units *u, char *buf, size_t n);

/* Index of the first segment start after t (d->n if none) */
size_t tmn_seg_next(const struct tmn_series *d, size_t t);

void tmn_series_free(struct tmn_series *d);
int tmn_series_alloc(struct tmn_series *d, size_t n, int rate_hz);

/* Canonical CSV.  Return 0, or -1 with a message naming the line in err. */
int tmn_csv_write(const char *path, const struct tmn_series *d, char *err, int errlen);
int tmn_csv_read(const char *path, struct tmn_series *d, char *err, int errlen);

/* Streaming writer: rows go to PATH.tmp, renamed to PATH by close(ok=1) */
struct tmn_csv_out;
struct tmn_csv_out *tmn_csv_open(const char *path, int rate_hz, const struct tmn_units *u,
				 char *err, int errlen);
int tmn_csv_put(struct tmn_csv_out *w, const struct tmnet_sample *s, size_t n);
int tmn_csv_close(struct tmn_csv_out *w, int ok, char *err, int errlen);
/* v / 65536 with 6 decimals, as printf("%.6f"); returns the end (no NUL) */
char *tmn_fmt_q16(char *p, __s32 v);

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
	double gap_s;		/* a longer raw gap (or a step back) starts a segment */
	double vel_window_s;	/* causal velocity window */
	int col_t, col_x, col_y;	/* 0-based columns */
	int auto_units;		/* 1: choose scale and offset (default) */
	struct tmn_units units;	/* used when auto_units == 0 */
	FILE *progress;		/* progress lines (NULL: quiet) */
};

struct tmn_import_info {
	size_t files, raw, dup, back, gaps, jumps, outside, short_segs;
	size_t ticks, segs;
	double tick_s;		/* time covered by the written ticks */
	struct tmn_units units;
	int auto_units;
	double robust_pos, robust_vel;	/* in data units, what auto looked at */
	/* of the last file */
	const char *time_unit;		/* "s", "ms", "us", "ns" or "given" */
	double step_ms;			/* median raw step */
	char delim;
	int header;
};

void tmn_import_default(struct tmn_import_cfg *c);

/*
 * Import many foreign CSVs as one data set (each file and each stretch
 * between raw gaps longer than gap_s a segment), resampled at rate_hz.
 * Every segment's ticks are handed to put(ctx, ticks, n) in order (the
 * first has TMNET_SAMPLE_SEG_START); begin(ctx, units) comes once before.
 * On any malformed line returns -1 with "FILE: line N: column C (name) ..."
 * in err.  info (may be NULL) receives counts.  One line per file goes to
 * c->progress.
 */
struct tmn_import_sink {
	int (*begin)(void *ctx, const struct tmn_units *u, int rate_hz);
	int (*put)(void *ctx, const struct tmnet_sample *s, size_t n);
	void *ctx;
};
int tmn_import_files(const char *const *paths, int npaths, const struct tmn_import_cfg *c,
		     const struct tmn_import_sink *sink, struct tmn_import_info *info,
		     char *err, int errlen);
/* One file into a series in memory; info text (may be NULL) one line */
int tmn_import(const char *path, const struct tmn_import_cfg *c, struct tmn_series *d,
	       char *err, int errlen, char *info, int infolen);
/* "N raw samples ... -> T ticks in S segments" */
void tmn_import_describe(const struct tmn_import_info *in, int rate_hz, char *buf, size_t n);

#endif /* TMN_DATA_H */
