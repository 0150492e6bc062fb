// SPDX-License-Identifier: GPL-2.0
/*
 * Sample series, canonical CSV, synthetic generator and importer.
 *
 * Synthetic generator.  The true state is (p, v, a) in R^2, integrated at the
 * sample rate (dt = 1/rate) with semi-implicit Euler (v += a dt; p += v dt).
 * A regime lasts U(seg_min, seg_max) seconds, then a new one is drawn
 * uniformly; p and v are continuous across switches.  Regimes:
 *
 *   CV      a = 0.  When |v| < 20 at entry, v is redrawn: heading U(0, 2pi),
 *           speed U(50, 300).
 *   TURN    coordinated turn: v rotates at a constant rate w, U(0.5, 3) rad/s
 *           with a random sign; exact rotation v <- R(w dt) v.
 *   SINGER  Singer / Ornstein-Uhlenbeck acceleration:
 *           da = -a/tau dt + sigma sqrt(2/tau) dW, tau U(1.0, 2.5) s,
 *           sigma U(100, 300) units/s^2, plus drag -0.5 v when |v| > 400.
 *   ORBIT   circle through the current point: centre c = p + R n (n the unit
 *           normal of v, either side), R = |v|/w, w U(1.5, 4) rad/s;
 *           a = -w^2 (p - c), which keeps |p - c| = R for the exact flow.
 *   OSC     Lissajous oscillation about the entry point c = p:
 *           a_x = -wx^2 (p_x - c_x), a_y = -wy^2 (p_y - c_y), wx, wy
 *           U(2, 6) rad/s (amplitude |v_i| / w_i).
 *   STOPGO  along a heading h: the target speed toggles between 0 and
 *           U(100, 300) every U(1.0, 2.0) s; a = k (s* - h.v) h - k_perp
 *           (v - (h.v) h), k = 8/s, k_perp = 20/s, |a| <= 1500.
 *
 * Arena: [-L, L]^2 with specular reflection (p_i -> 2L - p_i, v_i -> -v_i,
 * and orbit/oscillation centres and Singer acceleration mirrored too).
 * Speed is capped at 600 units/s.
 *
 * Sensor: x = p + N(0, noise_pos^2), v_meas = v + N(0, noise_vel^2); with
 * probability outlier_p the position gets an extra N(0, outlier_sd^2) jump;
 * with probability dropout_p per tick a dropout of U(1, dropout_max_s * rate)
 * ticks starts, during which valid = 0 and x, y, vx, vy are written as 0.
 *
 * The 500 ms horizon is hard for a constant-velocity prior (turns, orbits and
 * oscillations curve within it) and learnable from 128 ms of history (the
 * turn rate, centripetal acceleration and stop-go deceleration are visible in
 * the rotation and change of the measured velocity).
 *
 * Importer.  Timestamps in any unit (detected from the median step: the first
 * of s, ms, us, ns that puts it in [10 us, 0.5 s]), an irregular rate.
 * Resampling: the model tick at time t takes the linear interpolation of the
 * two raw samples around t when they are at most gap_s apart, else the tick is
 * invalid.  Velocity: causal backward difference over vel_window_s,
 * v(t) = (p(t) - p(t - w)) / w on the resampled track, which is the
 * mean velocity over the last w seconds (a boxcar smoother of the raw
 * derivative); ticks whose t - w is invalid use the longest valid span.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_data.h"
#include "tm_input.h"

static int fail(char *err, int errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, (size_t)errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void tmn_series_free(struct tmn_series *d)
{
	free(d->s);
	d->s = NULL;
	d->n = 0;
}

int tmn_series_alloc(struct tmn_series *d, size_t n, int rate_hz)
{
	memset(d, 0, sizeof(*d));
	tmn_units_identity(&d->units);
	d->s = calloc(n ? n : 1, sizeof(*d->s));
	d->n = d->s ? n : 0;
	d->rate_hz = rate_hz;
	return d->s ? 0 : -1;
}

static __s32 q16(double v)
{
	double s = nearbyint(v * 65536.0);

	if (s > 2147483647.0)
		return INT32_MAX;
	if (s < -2147483647.0)
		return -INT32_MAX;
	return (__s32)s;
}

/* ---- units and segments ------------------------------------------------ */

void tmn_units_identity(struct tmn_units *u)
{
	u->scale[0] = u->scale[1] = 1.0;
	u->offset[0] = u->offset[1] = 0.0;
}

int tmn_units_is_identity(const struct tmn_units *u)
{
	return u->scale[0] == 1.0 && u->scale[1] == 1.0 && u->offset[0] == 0.0 &&
	       u->offset[1] == 0.0;
}

void tmn_units_to_blob(const struct tmn_units *u, struct tmnet_blob_units *b)
{
	memset(b, 0, sizeof(*b));
	if (tmn_units_is_identity(u))
		return;
	for (int i = 0; i < 2; i++) {
		memcpy(&b->scale_f64[i], &u->scale[i], sizeof(double));
		memcpy(&b->offset_f64[i], &u->offset[i], sizeof(double));
	}
}

void tmn_units_from_blob(const struct tmnet_blob_units *b, struct tmn_units *u)
{
	tmn_units_identity(u);
	if (!b->scale_f64[0] && !b->scale_f64[1] && !b->offset_f64[0] && !b->offset_f64[1])
		return;
	for (int i = 0; i < 2; i++) {
		memcpy(&u->scale[i], &b->scale_f64[i], sizeof(double));
		memcpy(&u->offset[i], &b->offset_f64[i], sizeof(double));
	}
}

void tmn_units_describe(const struct tmn_units *u, char *buf, size_t n)
{
	if (u->scale[0] == u->scale[1])
		snprintf(buf, n, "data = (recording - (%.10g, %.10g)) * %.10g", u->offset[0],
			 u->offset[1], u->scale[0]);
	else
		snprintf(buf, n, "data = (recording - (%.10g, %.10g)) * (%.10g, %.10g)",
			 u->offset[0], u->offset[1], u->scale[0], u->scale[1]);
}

size_t tmn_seg_next(const struct tmn_series *d, size_t t)
{
	for (t++; t < d->n; t++)
		if (d->s[t].flags & TMNET_SAMPLE_SEG_START)
			return t;
	return d->n;
}

/* ---- canonical CSV ----------------------------------------------------- */

/* the shortest %g that reads back as v (at most 17 digits) */
static void shortest(double v, char buf[32])
{
	for (int p = 6; p <= 17; p++) {
		snprintf(buf, 32, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

struct tmn_csv_out {
	FILE *f;
	char path[4096], tmp[4200];
	int bin;		/* the binary form (.tmd) */
	__u64 n;
	int rate_hz;
	struct tmn_units u;
};

/*
 * The binary form (a file name ending in .tmd): a 64-byte little-endian
 * header, then the records as struct tmnet_sample (32 bytes each, the
 * layout of uapi/linux/tmnet.h).  Same content as the CSV (seq is the
 * record's index on read); 32 B/tick and a read at memory speed.
 */
#define TMD_MAGIC	0x444e4d54U	/* "TMND" */
#define TMD_VERSION	1
#define TMD_HDR		64

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .tmd reader and writer assume a little-endian host"
#endif

struct tmd_hdr {
	__u32 magic;
	__u16 version, hdr_size;
	__u32 rate_hz, flags;
	__u64 n;
	double scale[2], offset[2];
	__u64 reserved;
};
_Static_assert(sizeof(struct tmd_hdr) == TMD_HDR, "tmd header size");

static int is_tmd(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && !strcmp(path + n - 4, ".tmd");
}

static int tmd_write_hdr(struct tmn_csv_out *w)
{
	struct tmd_hdr h;

	memset(&h, 0, sizeof(h));
	h.magic = TMD_MAGIC;
	h.version = TMD_VERSION;
	h.hdr_size = TMD_HDR;
	h.rate_hz = (__u32)w->rate_hz;
	h.n = w->n;
	memcpy(h.scale, w->u.scale, sizeof(h.scale));
	memcpy(h.offset, w->u.offset, sizeof(h.offset));
	return fwrite(&h, sizeof(h), 1, w->f) == 1 ? 0 : -1;
}

struct tmn_csv_out *tmn_csv_open(const char *path, int rate_hz, const struct tmn_units *u,
				 char *err, int errlen)
{
	struct tmn_csv_out *w = calloc(1, sizeof(*w));
	struct tmn_units id;

	if (!w) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	if (!u) {
		tmn_units_identity(&id);
		u = &id;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", path);
	w->f = fopen(w->tmp, "w");
	if (!w->f) {
		fail(err, errlen, "%s: %s", w->tmp, strerror(errno));
		free(w);
		return NULL;
	}
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	w->bin = is_tmd(path);
	w->rate_hz = rate_hz;
	w->u = *u;
	if (w->bin) {
		tmd_write_hdr(w);	/* n is filled in at close */
		return w;
	}
	{
		char a[4][32];

		for (int i = 0; i < 4; i++)
			shortest(i < 2 ? u->scale[i] : u->offset[i - 2], a[i]);
		fprintf(w->f, "# tmnet-data rate_hz=%d scale=%s,%s offset=%s,%s\n", rate_hz, a[0],
			a[1], a[2], a[3]);
	}
	fprintf(w->f, "t_ns,x,y,vx,vy,valid,seg\n");
	return w;
}

static char *put_u64(char *p, __u64 v)
{
	char t[24];
	int k = 0;

	do {
		t[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		*p++ = t[--k];
	return p;
}

/*
 * A Q16.16 value with 6 decimals, exactly as printf("%.6f", v / 65536.0)
 * (the exact binary value rounded half to even; test_data checks every
 * fraction), ten times faster.
 */
char *tmn_fmt_q16(char *p, __s32 v)
{
	__u64 a = v < 0 ? (__u64)(-(__s64)v) : (__u64)v, ip = a >> 16;
	__u64 num = (a & 0xffff) * 15625, q = num >> 10, r = num & 1023;

	if (r > 512 || (r == 512 && (q & 1)))
		q++;
	if (q == 1000000) {
		ip++;
		q = 0;
	}
	if (v < 0)
		*p++ = '-';
	p = put_u64(p, ip);
	*p++ = '.';
	for (int k = 5; k >= 0; k--) {
		p[k] = (char)('0' + q % 10);
		q /= 10;
	}
	return p + 6;
}

int tmn_csv_put(struct tmn_csv_out *w, const struct tmnet_sample *s, size_t n)
{
	char row[160];

	if (w->bin) {
		w->n += n;
		return fwrite(s, sizeof(*s), n, w->f) == n ? 0 : -1;
	}
	for (size_t i = 0; i < n; i++, s++) {
		char *p = put_u64(row, s->t_ns);

		*p++ = ',';
		p = tmn_fmt_q16(p, s->x);
		*p++ = ',';
		p = tmn_fmt_q16(p, s->y);
		*p++ = ',';
		p = tmn_fmt_q16(p, s->vx);
		*p++ = ',';
		p = tmn_fmt_q16(p, s->vy);
		*p++ = ',';
		*p++ = s->flags & TMNET_SAMPLE_VALID ? '1' : '0';
		*p++ = ',';
		*p++ = s->flags & TMNET_SAMPLE_SEG_START ? '1' : '0';
		*p++ = '\n';
		if (fwrite(row, 1, (size_t)(p - row), w->f) != (size_t)(p - row))
			return -1;
	}
	return 0;
}

int tmn_csv_close(struct tmn_csv_out *w, int ok, char *err, int errlen)
{
	int rc = 0;

	if (!w)
		return -1;
	if (w->bin && ok && (fseek(w->f, 0, SEEK_SET) || tmd_write_hdr(w)))
		ok = 0;
	if (ferror(w->f))
		ok = 0;
	if (fclose(w->f) != 0 && ok) {
		fail(err, errlen, "%s: write failed: %s", w->tmp, strerror(errno));
		ok = 0;
		rc = -1;
	}
	if (!ok) {
		remove(w->tmp);
		free(w);
		return -1;
	}
	if (rename(w->tmp, w->path) != 0) {
		fail(err, errlen, "%s: %s", w->path, strerror(errno));
		remove(w->tmp);
		rc = -1;
	}
	free(w);
	return rc;
}

int tmn_csv_write(const char *path, const struct tmn_series *d, char *err, int errlen)
{
	struct tmn_csv_out *w = tmn_csv_open(path, d->rate_hz, &d->units, err, errlen);

	if (!w)
		return -1;
	if (tmn_csv_put(w, d->s, d->n)) {
		fail(err, errlen, "%s: write failed: %s", path, strerror(errno));
		tmn_csv_close(w, 0, NULL, 0);
		return -1;
	}
	return tmn_csv_close(w, 1, err, errlen);
}

/* split a line in place on delim; returns the number of fields (<= max) */
static int split_fields(char *line, char delim, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n < max)
			f[n] = p;
		n++;
		p = strchr(p, delim);
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

/*
 * A number: 0, or -1 not a number, -2 empty, -3 NaN, -4 infinite or out of
 * the double range.  Surrounding blanks are allowed.
 */
static int parse_num(const char *s, double *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -2;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	if (isnan(*v))
		return -3;
	if (isinf(*v) || errno == ERANGE) {
		if (errno == ERANGE && fabs(*v) < 1.0) {
			*v = 0;		/* underflow: a denormal is as good as zero */
			return 0;
		}
		return -4;
	}
	return 0;
}

/*
 * The writer's own form, [-]digits[.1-6 digits], parsed exactly: q is
 * round(value * 65536), the same as q16(strtod()) (N 1024 / 15625 is
 * never within 3e-5 of a half, far beyond a double's error), ten times
 * faster.  Returns -1 for anything else (the caller falls back to strtod).
 */
static int fast_fixed(const char *s, double *v, __s32 *q)
{
	__u64 ip = 0, fr = 0, num, r;
	int neg = 0, nd = 0, nf = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	while (*s >= '0' && *s <= '9' && nd < 6) {
		ip = ip * 10 + (__u64)(*s++ - '0');
		nd++;
	}
	if (!nd)
		return -1;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9' && nf < 6) {
			fr = fr * 10 + (__u64)(*s++ - '0');
			nf++;
		}
		if (!nf)
			return -1;
	}
	if (*s)
		return -1;	/* more digits, blanks, exponents: strtod */
	for (int k = nf; k < 6; k++)
		fr *= 10;
	num = (ip * 1000000 + fr) * 1024;
	r = num % 15625;
	num /= 15625;
	if (2 * r > 15625)
		num++;
	*v = (double)(ip * 1000000 + fr) / 1e6 * (neg ? -1 : 1);
	if (num > 0x7fffffffULL)
		num = 0x7fffffffULL;	/* refused by the range check anyway */
	*q = neg ? -(__s32)num : (__s32)num;
	return 0;
}

static const char *num_problem(int rc)
{
	switch (rc) {
	case -2:
		return "is empty";
	case -3:
		return "is NaN";
	case -4:
		return "is infinite or out of range";
	default:
		return "is not a number";
	}
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* "# tmnet-data rate_hz=R scale=SX,SY offset=OX,OY" */
static int parse_meta(const char *line, int *rate, struct tmn_units *u)
{
	const char *p;
	struct tmn_units v = *u;
	int ok = 0;

	if (strncmp(line, "# tmnet-data", 12))
		return 0;
	p = strstr(line, "rate_hz=");
	if (p && sscanf(p + 8, "%d", rate) == 1)
		ok |= 1;
	p = strstr(line, "scale=");
	if (p && sscanf(p + 6, "%lf,%lf", &v.scale[0], &v.scale[1]) == 2)
		ok |= 2;
	p = strstr(line, "offset=");
	if (p && sscanf(p + 7, "%lf,%lf", &v.offset[0], &v.offset[1]) == 2)
		ok |= 4;
	if ((ok & 6) == 6 && isfinite(v.scale[0]) && isfinite(v.scale[1]) && v.scale[0] > 0 &&
	    v.scale[1] > 0 && isfinite(v.offset[0]) && isfinite(v.offset[1])) {
		*u = v;
		return ok;
	}
	return ok & 1;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* the tick rate: the median step inside segments (the first 65536) */
static int series_rate(const struct tmnet_sample *s, size_t n)
{
	__u64 st[65536];
	size_t k = 0;

	for (size_t i = 1; i < n && k < 65536; i++)
		if (!(s[i].flags & TMNET_SAMPLE_SEG_START))
			st[k++] = s[i].t_ns - s[i - 1].t_ns;
	if (!k)
		return 0;
	qsort(st, k, sizeof(st[0]), cmp_u64);
	return st[k / 2] ? (int)lround(1e9 / (double)st[k / 2]) : 0;
}

static int tmd_read(FILE *f, const char *path, struct tmn_series *d, char *err, int errlen)
{
	struct tmd_hdr h;
	long sz;
	size_t i;

	if (fread(&h, sizeof(h), 1, f) != 1 || h.magic != TMD_MAGIC)
		return fail(err, errlen, "%s: not a tmnet binary data file (.tmd)", path);
	if (h.version != TMD_VERSION || h.hdr_size != TMD_HDR)
		return fail(err, errlen, "%s: .tmd version %u not supported", path, h.version);
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
	    (__u64)(sz - TMD_HDR) != h.n * sizeof(struct tmnet_sample) ||
	    fseek(f, TMD_HDR, SEEK_SET))
		return fail(err, errlen, "%s: size disagrees with its %llu records (truncated?)",
			    path, (unsigned long long)h.n);
	if (h.rate_hz < TMNET_MIN_RATE_HZ || h.rate_hz > TMNET_MAX_RATE_HZ)
		return fail(err, errlen, "%s: rate %u Hz out of range", path, h.rate_hz);
	for (i = 0; i < 2; i++)
		if (!isfinite(h.scale[i]) || !(h.scale[i] > 0) || !isfinite(h.offset[i]))
			return fail(err, errlen, "%s: bad units in the header", path);
	if (h.n < 2)
		return fail(err, errlen, "%s: fewer than 2 samples", path);
	d->s = malloc(h.n * sizeof(*d->s));
	if (!d->s)
		return fail(err, errlen, "out of memory");
	if (fread(d->s, sizeof(*d->s), h.n, f) != h.n) {
		tmn_series_free(d);
		return fail(err, errlen, "%s: read error", path);
	}
	/* the same checks as the CSV reader */
	for (i = 0; i < h.n; i++) {
		const struct tmnet_sample *s = &d->s[i];
		const __s32 lim = 32767 << 16;

		if (s->flags & ~TMNET_SAMPLE_FLAGS_ALL || (i && s->t_ns <= d->s[i - 1].t_ns) ||
		    s->x <= -lim || s->x >= lim || s->y <= -lim || s->y >= lim ||
		    s->vx <= -lim || s->vx >= lim || s->vy <= -lim || s->vy >= lim) {
			fail(err, errlen, "%s: record %zu: flags unknown, time not increasing or a value outside the Q16.16 range",
			     path, i);
			tmn_series_free(d);
			return -1;
		}
		d->s[i].seq = (__u32)i;
		d->nseg += (s->flags & TMNET_SAMPLE_SEG_START) != 0;
	}
	d->n = h.n;
	d->rate_hz = (int)h.rate_hz;
	memcpy(d->units.scale, h.scale, sizeof(h.scale));
	memcpy(d->units.offset, h.offset, sizeof(h.offset));
	d->has_units = 1;
	return 0;
}

int tmn_csv_read(const char *path, struct tmn_series *d, char *err, int errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 1 << 16, n = 0, lineno = 0;
	struct tmnet_sample *s;
	int rate = 0, seen_data = 0;
	static const char *const names[7] = { "t_ns", "x", "y", "vx", "vy", "valid", "seg" };

	memset(d, 0, sizeof(*d));
	tmn_units_identity(&d->units);
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	{
		__u32 magic = 0;

		if (fread(&magic, 4, 1, f) == 1 && magic == TMD_MAGIC) {
			int rc;

			rewind(f);
			rc = tmd_read(f, path, d, err, errlen);
			fclose(f);
			return rc;
		}
		rewind(f);
	}
	s = malloc(cap * sizeof(*s));
	if (!s) {
		fclose(f);
		return fail(err, errlen, "out of memory");
	}
	while (fgets(line, sizeof(line), f)) {
		char *fl[8];
		double v[7];
		__s32 qv[5] = { 0, 0, 0, 0, 0 };
		__u64 tn, t_exact = 0;
		int nf, i;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fail(err, errlen, "%s: line %zu: line too long", path, lineno);
			goto bad;
		}
		chomp(line);
		if (!line[0])
			continue;
		if (line[0] == '#') {
			if (!seen_data && (parse_meta(line, &rate, &d->units) & 6))
				d->has_units = 1;
			continue;
		}
		if (!seen_data && (!strcmp(line, "t_ns,x,y,vx,vy,valid") ||
				   !strcmp(line, "t_ns,x,y,vx,vy,valid,seg"))) {
			seen_data = 1;
			continue;	/* header */
		}
		seen_data = 1;
		nf = split_fields(line, ',', fl, 8);
		if (nf != 6 && nf != 7) {
			fail(err, errlen, "%s: line %zu: expected 6 or 7 fields t_ns,x,y,vx,vy,valid[,seg], got %d",
			     path, lineno, nf);
			goto bad;
		}
		for (i = 0; i < nf; i++) {
			int rc = 0;

			if (i >= 1 && i <= 4 && !fast_fixed(fl[i], &v[i], &qv[i]))
				continue;
			if (i == 0 || i >= 5) {
				char *e;

				errno = 0;
				tn = strtoull(fl[i], &e, 10);
				if (*fl[i] >= '0' && *fl[i] <= '9' && !*e && !errno) {
					v[i] = (double)tn;
					if (i == 0)
						t_exact = tn;
					continue;
				}
			}
			rc = parse_num(fl[i], &v[i]);
			if (!rc && i >= 1 && i <= 4)
				qv[i] = q16(v[i]);
			if (!rc && i == 0)
				t_exact = (__u64)v[0];
			if (rc) {
				fail(err, errlen, "%s: line %zu: field %d (%s) '%s' %s", path, lineno,
				     i + 1, names[i], fl[i], num_problem(rc));
				goto bad;
			}
		}
		if (v[0] < 0 || (n && t_exact <= s[n - 1].t_ns) || v[0] > 1.8e19) {
			fail(err, errlen, "%s: line %zu: field 1 (t_ns) must be >= 0 and increasing",
			     path, lineno);
			goto bad;
		}
		if (v[5] != 0 && v[5] != 1) {
			fail(err, errlen, "%s: line %zu: field 6 (valid) must be 0 or 1", path, lineno);
			goto bad;
		}
		if (nf == 7 && v[6] != 0 && v[6] != 1) {
			fail(err, errlen, "%s: line %zu: field 7 (seg) must be 0 or 1", path, lineno);
			goto bad;
		}
		for (i = 1; i < 5; i++) {
			if (fabs(v[i]) >= 32767.0) {
				fail(err, errlen, "%s: line %zu: field %d (%g) outside the Q16.16 range",
				     path, lineno, i + 1, v[i]);
				goto bad;
			}
		}
		if (n == cap) {
			struct tmnet_sample *ns = realloc(s, 2 * cap * sizeof(*s));

			if (!ns) {
				fail(err, errlen, "out of memory");
				goto bad;
			}
			s = ns;
			cap *= 2;
		}
		memset(&s[n], 0, sizeof(s[n]));
		s[n].t_ns = t_exact;
		s[n].x = qv[1];
		s[n].y = qv[2];
		s[n].vx = qv[3];
		s[n].vy = qv[4];
		s[n].flags = v[5] != 0 ? TMNET_SAMPLE_VALID : 0;
		if (nf == 7 && v[6] != 0) {
			s[n].flags |= TMNET_SAMPLE_SEG_START;
			d->nseg++;
		}
		s[n].seq = (__u32)n;
		n++;
	}
	fclose(f);
	if (n < 2) {
		free(s);
		return fail(err, errlen, "%s: fewer than 2 samples", path);
	}
	d->s = s;
	d->n = n;
	if (rate <= 0)
		rate = d->nseg > 1 ? series_rate(s, n) :
			(int)lround(1e9 / ((double)(s[n - 1].t_ns - s[0].t_ns) / (double)(n - 1)));
	d->rate_hz = rate;
	return 0;
bad:
	fclose(f);
	free(s);
	return -1;
}

/* ---- RNG ----------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void tmn_rng_seed(struct tmn_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->have_g = 0;
	r->g = 0;
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t tmn_rng_u64(struct tmn_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double tmn_rng_uniform(struct tmn_rng *r)
{
	return (double)(tmn_rng_u64(r) >> 11) * 0x1.0p-53;
}

double tmn_rng_range(struct tmn_rng *r, double a, double b)
{
	return a + (b - a) * tmn_rng_uniform(r);
}

double tmn_rng_gauss(struct tmn_rng *r)
{
	double u, v, m;

	if (r->have_g) {
		r->have_g = 0;
		return r->g;
	}
	u = 1.0 - tmn_rng_uniform(r);	/* (0, 1] */
	v = tmn_rng_uniform(r);
	m = sqrt(-2.0 * log(u));
	r->g = m * sin(2 * M_PI * v);
	r->have_g = 1;
	return m * cos(2 * M_PI * v);
}

/* ---- generator ------------------------------------------------------------ */

static const char *const regime_names[TMN_RG_N] = {
	"cv", "turn", "singer", "orbit", "osc", "stopgo",
};

const char *tmn_regime_name(int r)
{
	return r >= 0 && r < TMN_RG_N ? regime_names[r] : "?";
}

void tmn_gen_default(struct tmn_gen_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->seconds = 600;
	c->rate_hz = TMNET_DEFAULT_RATE_HZ;
	c->arena = 1000;
	c->noise_pos = 0.05;
	c->noise_vel = 2.0;
	c->outlier_p = 5e-4;
	c->outlier_sd = 3.0;
	c->dropout_p = 1e-4;
	c->dropout_max_s = 0.1;
	c->seg_min_s = 3.0;
	c->seg_max_s = 6.0;
}

struct gen_state {
	double p[2], v[2], a[2];
	double c[2];		/* orbit / oscillation centre */
	double w, wx, wy;	/* rates */
	double tau, sig;	/* Singer */
	double h[2], s_go, s_tgt, t_toggle;	/* stop-and-go */
	int rg;
};

static void enter_regime(struct gen_state *g, struct tmn_rng *r, int rg)
{
	double sp = hypot(g->v[0], g->v[1]);

	g->rg = rg;
	g->a[0] = g->a[1] = 0;
	switch (rg) {
	case TMN_RG_CV:
		if (sp < 20) {
			double th = tmn_rng_range(r, 0, 2 * M_PI);

			sp = tmn_rng_range(r, 50, 300);
			g->v[0] = sp * cos(th);
			g->v[1] = sp * sin(th);
		}
		break;
	case TMN_RG_TURN:
		g->w = tmn_rng_range(r, 0.5, 3) * (tmn_rng_uniform(r) < 0.5 ? -1 : 1);
		if (sp < 20) {
			double th = tmn_rng_range(r, 0, 2 * M_PI);

			sp = tmn_rng_range(r, 50, 300);
			g->v[0] = sp * cos(th);
			g->v[1] = sp * sin(th);
		}
		break;
	case TMN_RG_SINGER:
		g->tau = tmn_rng_range(r, 1.0, 2.5);
		g->sig = tmn_rng_range(r, 100, 300);
		break;
	case TMN_RG_ORBIT: {
		double side = tmn_rng_uniform(r) < 0.5 ? -1 : 1, R;

		if (sp < 20) {
			double th = tmn_rng_range(r, 0, 2 * M_PI);

			sp = tmn_rng_range(r, 50, 300);
			g->v[0] = sp * cos(th);
			g->v[1] = sp * sin(th);
		}
		g->w = tmn_rng_range(r, 1.5, 4);
		R = sp / g->w;
		g->c[0] = g->p[0] + side * R * (-g->v[1] / sp);
		g->c[1] = g->p[1] + side * R * (g->v[0] / sp);
		break;
	}
	case TMN_RG_OSC:
		g->wx = tmn_rng_range(r, 2, 6);
		g->wy = tmn_rng_range(r, 2, 6);
		g->c[0] = g->p[0];
		g->c[1] = g->p[1];
		break;
	case TMN_RG_STOPGO: {
		double th = sp > 20 ? atan2(g->v[1], g->v[0]) : tmn_rng_range(r, 0, 2 * M_PI);

		g->h[0] = cos(th);
		g->h[1] = sin(th);
		g->s_go = tmn_rng_range(r, 100, 300);
		g->s_tgt = sp > 50 ? 0 : g->s_go;
		g->t_toggle = tmn_rng_range(r, 1.0, 2.0);
		break;
	}
	}
}

static void gen_step(struct gen_state *g, struct tmn_rng *r, double dt, double L)
{
	int i;

	switch (g->rg) {
	case TMN_RG_CV:
		g->a[0] = g->a[1] = 0;
		break;
	case TMN_RG_TURN: {
		double c = cos(g->w * dt), s = sin(g->w * dt);
		double vx = c * g->v[0] - s * g->v[1], vy = s * g->v[0] + c * g->v[1];

		g->a[0] = (vx - g->v[0]) / dt;
		g->a[1] = (vy - g->v[1]) / dt;
		break;
	}
	case TMN_RG_SINGER:
		for (i = 0; i < 2; i++)
			g->a[i] += -g->a[i] / g->tau * dt +
				   g->sig * sqrt(2.0 * dt / g->tau) * tmn_rng_gauss(r);
		if (hypot(g->v[0], g->v[1]) > 400)
			for (i = 0; i < 2; i++)
				g->a[i] -= 0.5 * g->v[i];
		break;
	case TMN_RG_ORBIT:
		for (i = 0; i < 2; i++)
			g->a[i] = -g->w * g->w * (g->p[i] - g->c[i]);
		break;
	case TMN_RG_OSC:
		g->a[0] = -g->wx * g->wx * (g->p[0] - g->c[0]);
		g->a[1] = -g->wy * g->wy * (g->p[1] - g->c[1]);
		break;
	case TMN_RG_STOPGO: {
		double along = g->h[0] * g->v[0] + g->h[1] * g->v[1], an;

		g->t_toggle -= dt;
		if (g->t_toggle <= 0) {
			g->s_tgt = g->s_tgt > 0 ? 0 : g->s_go;
			g->t_toggle = tmn_rng_range(r, 1.0, 2.0);
		}
		for (i = 0; i < 2; i++)
			g->a[i] = 8.0 * (g->s_tgt - along) * g->h[i] -
				  20.0 * (g->v[i] - along * g->h[i]);
		an = hypot(g->a[0], g->a[1]);
		if (an > 1500)
			for (i = 0; i < 2; i++)
				g->a[i] *= 1500 / an;
		break;
	}
	}
	for (i = 0; i < 2; i++) {
		g->v[i] += g->a[i] * dt;
		g->p[i] += g->v[i] * dt;
	}
	{
		double sp = hypot(g->v[0], g->v[1]);

		if (sp > 600)
			for (i = 0; i < 2; i++)
				g->v[i] *= 600 / sp;
	}
	for (i = 0; i < 2; i++) {
		if (g->p[i] > L || g->p[i] < -L) {
			double wall = g->p[i] > L ? L : -L;

			g->p[i] = 2 * wall - g->p[i];
			g->v[i] = -g->v[i];
			g->a[i] = -g->a[i];
			g->c[i] = 2 * wall - g->c[i];
			g->h[i] = -g->h[i];
		}
	}
}

int tmn_gen(const struct tmn_gen_cfg *c, struct tmn_series *d, uint8_t **regime_out)
{
	struct tmn_rng r;
	struct gen_state g;
	size_t n, i;
	double dt, seg_left;
	long drop_left = 0;
	uint8_t *rg = NULL;

	if (c->rate_hz < TMNET_MIN_RATE_HZ || c->rate_hz > TMNET_MAX_RATE_HZ ||
	    !(c->seconds > 0) || c->seconds * c->rate_hz > 2e8 || !(c->arena > 1) ||
	    c->arena > 10000 || !(c->seg_max_s >= c->seg_min_s) || !(c->seg_min_s > 0))
		return -1;
	n = (size_t)llround(c->seconds * c->rate_hz);
	dt = 1.0 / c->rate_hz;
	if (tmn_series_alloc(d, n, c->rate_hz))
		return -1;
	if (regime_out) {
		rg = malloc(n ? n : 1);
		if (!rg) {
			tmn_series_free(d);
			return -1;
		}
	}
	tmn_rng_seed(&r, c->seed);
	memset(&g, 0, sizeof(g));
	g.p[0] = tmn_rng_range(&r, -c->arena / 2, c->arena / 2);
	g.p[1] = tmn_rng_range(&r, -c->arena / 2, c->arena / 2);
	enter_regime(&g, &r, TMN_RG_CV);
	seg_left = tmn_rng_range(&r, c->seg_min_s, c->seg_max_s);
	for (i = 0; i < n; i++) {
		struct tmnet_sample *s = &d->s[i];

		if (seg_left <= 0) {
			enter_regime(&g, &r, (int)(tmn_rng_u64(&r) % TMN_RG_N));
			seg_left = tmn_rng_range(&r, c->seg_min_s, c->seg_max_s);
		}
		seg_left -= dt;
		if (i)
			gen_step(&g, &r, dt, c->arena);
		if (rg)
			rg[i] = (uint8_t)g.rg;
		s->t_ns = (__u64)llround((double)i * 1e9 / c->rate_hz);
		s->seq = (__u32)i;
		if (drop_left == 0 && tmn_rng_uniform(&r) < c->dropout_p)
			drop_left = 1 + (long)(tmn_rng_uniform(&r) * c->dropout_max_s * c->rate_hz);
		if (drop_left > 0) {
			drop_left--;
			s->flags = 0;
			continue;
		}
		{
			double x = g.p[0] + c->noise_pos * tmn_rng_gauss(&r);
			double y = g.p[1] + c->noise_pos * tmn_rng_gauss(&r);

			if (tmn_rng_uniform(&r) < c->outlier_p) {
				x += c->outlier_sd * tmn_rng_gauss(&r);
				y += c->outlier_sd * tmn_rng_gauss(&r);
			}
			s->x = q16(x);
			s->y = q16(y);
			s->vx = q16(g.v[0] + c->noise_vel * tmn_rng_gauss(&r));
			s->vy = q16(g.v[1] + c->noise_vel * tmn_rng_gauss(&r));
			s->flags = TMNET_SAMPLE_VALID;
		}
	}
	if (regime_out)
		*regime_out = rg;
	return 0;
}

/* ---- importer ------------------------------------------------------------- */

void tmn_import_default(struct tmn_import_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->time_unit = 0;
	c->rate_hz = TMNET_DEFAULT_RATE_HZ;
	c->gap_s = 0.05;
	c->vel_window_s = 0.01;
	c->col_t = 0;
	c->col_x = 1;
	c->col_y = 2;
	c->auto_units = 1;
	tmn_units_identity(&c->units);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* raw samples of every file, concatenated; t in seconds, increasing */
#define RAW_SEG		1	/* a segment starts here (new file, step back) */
#define RAW_DROP	2	/* outside the representable range: not used */

struct raw {
	size_t n, cap;
	double *t, *x, *y;
	unsigned char *fl;
};

static void raw_free(struct raw *r)
{
	free(r->t);
	free(r->x);
	free(r->y);
	free(r->fl);
	memset(r, 0, sizeof(*r));
}

static int raw_push(struct raw *r, double t, double x, double y, unsigned char fl)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 4096;
		double *a = realloc(r->t, nc * sizeof(double));

		if (!a)
			return -1;
		r->t = a;
		a = realloc(r->x, nc * sizeof(double));
		if (!a)
			return -1;
		r->x = a;
		a = realloc(r->y, nc * sizeof(double));
		if (!a)
			return -1;
		r->y = a;
		{
			unsigned char *b = realloc(r->fl, nc);

			if (!b)
				return -1;
			r->fl = b;
		}
		r->cap = nc;
	}
	r->t[r->n] = t;
	r->x[r->n] = x;
	r->y[r->n] = y;
	r->fl[r->n] = fl;
	r->n++;
	return 0;
}

/* q-quantile of every stride-th value of v[i] (subsampled to <= 2^20) */
static double quantile_sub(const double *v, size_t n, double q, double *tmp)
{
	size_t stride = n / (1U << 20) + 1, k = 0;

	for (size_t i = 0; i < n; i += stride)
		tmp[k++] = v[i];
	if (!k)
		return 0;
	qsort(tmp, k, sizeof(double), cmp_double);
	return tmp[(size_t)floor(q * (double)(k - 1) + 0.5)];
}

static int is_int_text(const char *s, long long *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	for (const char *p = (*s == '-' || *s == '+') ? s + 1 : s; *p; p++)
		if (!isdigit((unsigned char)*p) && !isspace((unsigned char)*p))
			return 0;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0;
}

static const double unit_s[4] = { 1.0, 1e-3, 1e-6, 1e-9 };
static const char *const unit_name[4] = { "s", "ms", "us", "ns" };

/* plausible device rates for the timestamp unit guess */
#define RATE_LO	5.0
#define RATE_HI	20000.0

struct file_stat {
	size_t raw, dup, back, lines;
	double unit, med_step;
	const char *uname;
	char delim;
	int header;
};

/*
 * Parse one file into r (times in seconds, after prev_end + 1 s), detecting
 * its delimiter, header and timestamp unit.
 */
static int import_file(const char *path, const struct tmn_import_cfg *c, struct raw *r,
		       struct file_stat *fs, char *err, int errlen)
{
	static const char *const cname[3] = { "time", "x", "y" };
	const int col[3] = { c->col_t, c->col_x, c->col_y };
	int maxcol = col[0] > col[1] ? col[0] : col[1];
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t lcap = 0, lineno = 0, first = r->n, i;
	ssize_t len;
	long long t0i = 0;
	int t0_int = 0, have0 = 0, k;
	double t0d = 0, prev = 0, *steps = NULL, base, shift;
	size_t nsteps = 0;

	if (col[2] > maxcol)
		maxcol = col[2];
	memset(fs, 0, sizeof(*fs));
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	while ((len = getline(&line, &lcap, f)) > 0) {
		char *fl[64], *p;
		double v[3];
		int nf, j, rc[3], bad = 0;

		lineno++;
		if (c->progress && lineno % 4000000 == 0)
			fprintf(c->progress, "tmnet data import: %s: %.1f M lines read\n", path,
				(double)lineno / 1e6);
		chomp(line);
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (!*p || *p == '#')
			continue;
		if (!fs->delim) {
			if (strchr(p, ';'))
				fs->delim = ';';
			else if (strchr(p, ','))
				fs->delim = ',';
			else if (strchr(p, '\t'))
				fs->delim = '\t';
			else {
				fail(err, errlen, "%s: line %zu: no ',', ';' or tab delimiter", path,
				     lineno);
				goto bad;
			}
		}
		nf = split_fields(line, fs->delim, fl, 64);	/* blanks are the fields' */
		if (nf <= maxcol) {
			fail(err, errlen, "%s: line %zu: %d fields, need at least %d", path, lineno,
			     nf, maxcol + 1);
			goto bad;
		}
		for (j = 0; j < 3; j++) {
			if (fs->delim == ';')	/* decimal commas */
				for (char *q = fl[col[j]]; *q; q++)
					if (*q == ',')
						*q = '.';
			rc[j] = parse_num(fl[col[j]], &v[j]);
			bad += rc[j] == -1;
		}
		if (!fs->raw && !fs->header && !have0 && bad == 3) {
			fs->header = 1;		/* three names before any data */
			continue;
		}
		for (j = 0; j < 3; j++) {
			if (rc[j]) {
				fail(err, errlen, "%s: line %zu: column %d (%s) '%s' %s", path,
				     lineno, col[j] + 1, cname[j], fl[col[j]], num_problem(rc[j]));
				goto bad;
			}
		}
		/* time relative to the first sample, exact for integers */
		{
			long long ti = 0;
			int isint = is_int_text(fl[col[0]], &ti);
			double tr;

			if (!have0) {
				t0_int = isint;
				t0i = ti;
				t0d = v[0];
				have0 = 1;
			}
			if (isint && t0_int && !((ti > 0 && t0i < 0 && ti > LLONG_MAX + t0i) ||
						 (ti < 0 && t0i > 0 && ti < LLONG_MIN + t0i)))
				tr = (double)(ti - t0i);
			else
				tr = v[0] - t0d;
			if (!isfinite(tr)) {
				fail(err, errlen, "%s: line %zu: column %d (time) '%s' is out of range",
				     path, lineno, col[0] + 1, fl[col[0]]);
				goto bad;
			}
			if (!c->auto_units) {
				for (j = 1; j < 3; j++) {
					double dv = (v[j] - c->units.offset[j - 1]) *
						    c->units.scale[j - 1];

					if (!(fabs(dv) <= TMN_DATA_POS_MAX)) {
						fail(err, errlen, "%s: line %zu: column %d (%s) %g is %g data units with the given --scale/--offset, outside +-%g",
						     path, lineno, col[j] + 1, cname[j], v[j], dv,
						     TMN_DATA_POS_MAX);
						goto bad;
					}
				}
			}
			if (fs->raw && tr == prev) {
				/* duplicate timestamp: the later sample wins */
				r->x[r->n - 1] = v[1];
				r->y[r->n - 1] = v[2];
				fs->dup++;
				continue;
			}
			if (raw_push(r, tr, v[1], v[2],
				     !fs->raw || tr < prev ? RAW_SEG : 0)) {
				fail(err, errlen, "out of memory");
				goto bad;
			}
			if (fs->raw && tr < prev)
				fs->back++;
			prev = tr;
			fs->raw++;
		}
	}
	if (ferror(f)) {
		fail(err, errlen, "%s: read error", path);
		goto bad;
	}
	fclose(f);
	f = NULL;
	free(line);
	line = NULL;
	fs->lines = lineno;
	if (fs->raw < 2) {
		fail(err, errlen, "%s: fewer than 2 samples (%zu with distinct timestamps, %zu duplicates merged)",
		     path, fs->raw, fs->dup);
		goto bad;
	}
	/* timestamp unit: the median step inside runs */
	steps = malloc(fs->raw * sizeof(double));
	if (!steps) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	for (i = first + 1; i < r->n; i++)
		if (!(r->fl[i] & RAW_SEG))
			steps[nsteps++] = r->t[i] - r->t[i - 1];
	if (!nsteps) {
		fail(err, errlen, "%s: no two samples in time order", path);
		goto bad;
	}
	fs->med_step = quantile_sub(steps, nsteps, 0.5, steps);	/* in place */
	fs->unit = c->time_unit;
	fs->uname = "given";
	if (fs->unit <= 0) {
		int cand[4], nc = 0;

		for (k = 0; k < 4; k++) {
			double rate = 1.0 / (fs->med_step * unit_s[k]);

			/* ms, us, ns stamps are whole numbers: a step below 1 is no such unit */
			if (rate >= RATE_LO && rate <= RATE_HI && (k == 0 || fs->med_step >= 1.0))
				cand[nc++] = k;
		}
		if (nc == 2) {
			/* an absolute Unix time (2000..2100) in one of them decides */
			int e = -1, ne = 0;

			for (k = 0; k < 2; k++) {
				double a = (t0_int ? (double)t0i : t0d) * unit_s[cand[k]];

				if (a >= 946684800.0 && a <= 4102444800.0) {
					e = cand[k];
					ne++;
				}
			}
			if (ne == 1) {
				cand[0] = e;
				nc = 1;
			}
		}
		if (nc != 1) {
			if (nc == 0)
				fail(err, errlen, "%s: cannot detect the timestamp unit: a median step of %g is no rate in %g..%g Hz in s, ms, us or ns; give --time-unit",
				     path, fs->med_step, RATE_LO, RATE_HI);
			else
				fail(err, errlen, "%s: the timestamp unit is ambiguous: a median step of %g is %.4g Hz in %s and %.4g Hz in %s; give --time-unit",
				     path, fs->med_step, 1.0 / (fs->med_step * unit_s[cand[0]]),
				     unit_name[cand[0]], 1.0 / (fs->med_step * unit_s[cand[1]]),
				     unit_name[cand[1]]);
			goto bad;
		}
		fs->unit = unit_s[cand[0]];
		fs->uname = unit_name[cand[0]];
	}
	free(steps);
	steps = NULL;
	/* seconds, after the previous file; a step back restarts 1 s later */
	base = first ? r->t[first - 1] + 1.0 : 0.0;
	shift = base;
	for (i = first; i < r->n; i++) {
		double ts = r->t[i] * fs->unit + shift;

		if (i > first && ts <= r->t[i - 1]) {
			shift += r->t[i - 1] + 1.0 - ts;
			ts = r->t[i - 1] + 1.0;
		}
		r->t[i] = ts;
	}
	return 0;
bad:
	if (f)
		fclose(f);
	free(line);
	free(steps);
	return -1;
}

/* largest k in [-30, 30] with m 10^k <= TMN_DATA_AUTO_LIMIT */
static int fit_pow10(double m)
{
	int k;

	if (!(m > 0))
		return 0;
	k = (int)floor(log10(TMN_DATA_AUTO_LIMIT / m));
	while (k > -31 && m * pow(10.0, k) > TMN_DATA_AUTO_LIMIT)
		k--;
	while (k < 30 && m * pow(10.0, k + 1) <= TMN_DATA_AUTO_LIMIT)
		k++;
	return k;
}

static int auto_units(const struct raw *r, double gap_s, struct tmn_units *u,
		      struct tmn_import_info *in, char *err, int errlen)
{
	double *tmp = malloc((r->n + 1) * sizeof(double));
	double *vv = malloc((r->n + 1) * sizeof(double));
	double lo[2], hi[2], vmax, p0, pc;
	size_t nv = 0;
	int k0, k1;

	if (!tmp || !vv) {
		free(tmp);
		free(vv);
		return fail(err, errlen, "out of memory");
	}
	lo[0] = quantile_sub(r->x, r->n, 0.001, tmp);
	hi[0] = quantile_sub(r->x, r->n, 0.999, tmp);
	lo[1] = quantile_sub(r->y, r->n, 0.001, tmp);
	hi[1] = quantile_sub(r->y, r->n, 0.999, tmp);
	for (size_t i = 1; i < r->n; i++) {
		double dt = r->t[i] - r->t[i - 1];

		if ((r->fl[i] & RAW_SEG) || dt > gap_s)
			continue;
		vv[nv++] = fmax(fabs(r->x[i] - r->x[i - 1]), fabs(r->y[i] - r->y[i - 1])) / dt;
	}
	/* twice the 99th percentile: robust to jumps (they are split) */
	vmax = nv ? 2.0 * quantile_sub(vv, nv, 0.99, tmp) : 0;
	free(tmp);
	free(vv);
	p0 = fmax(fmax(fabs(lo[0]), fabs(hi[0])), fmax(fabs(lo[1]), fabs(hi[1])));
	pc = fmax(hi[0] - lo[0], hi[1] - lo[1]) / 2;
	k0 = fit_pow10(fmax(p0, vmax));
	k1 = fit_pow10(fmax(pc, vmax));
	if (!isfinite(p0) || !isfinite(vmax) || fmax(p0, vmax) * pow(10.0, k0) > TMN_DATA_AUTO_LIMIT)
		return fail(err, errlen, "positions (%g) or speeds (%g per s) too large for any scale 1e-30 .. 1e30",
			    p0, vmax);
	u->scale[0] = u->scale[1] = pow(10.0, k1 > k0 ? k1 : k0);
	for (int a = 0; a < 2; a++) {
		double q = pow(10.0, -k1);

		u->offset[a] = k1 > k0 ? nearbyint((lo[a] + hi[a]) / 2 / q) * q : 0.0;
	}
	in->robust_pos = (k1 > k0 ? pc : p0) * u->scale[0];
	in->robust_vel = vmax * u->scale[0];
	return 0;
}

struct tick_ring {
	__s32 *x, *y;
	long n;
};

/* resample r[a..b] (kept samples) into ticks; hand them out in chunks */
#define CHUNK	65536

static int emit_segment(const struct raw *r, const size_t *idx, size_t na,
			const struct tmn_import_cfg *c, const struct tmn_units *u,
			struct tick_ring *ring, struct tmnet_sample *buf, __u64 *last_t,
			const struct tmn_import_sink *sink, struct tmn_import_info *in)
{
	double dt = 1.0 / c->rate_hz, t0 = r->t[idx[0]], span = r->t[idx[na - 1]] - t0;
	size_t nt = (size_t)floor(span / dt + 1e-6) + 1, j = 0, nb = 0;
	long wticks = ring->n - 1;
	__u64 tbase = (__u64)llround(t0 * 1e9);

	if (nt < 2) {
		in->short_segs++;
		return 0;
	}
	for (size_t i = 0; i < nt; i++) {
		double ti = t0 + (double)i * dt, px, py;
		struct tmnet_sample *s = &buf[nb];
		long w = (long)i < wticks ? (long)i : wticks;
		__u64 tn = tbase + (__u64)llround((double)i * 1e9 / c->rate_hz);

		while (j + 2 < na && r->t[idx[j + 1]] < ti)
			j++;
		{
			size_t a = idx[j], b = idx[j + 1 < na ? j + 1 : j];
			double ta = r->t[a], tb = r->t[b], w1 = tb > ta ? (ti - ta) / (tb - ta) : 0;

			if (w1 < 0)
				w1 = 0;
			if (w1 > 1)
				w1 = 1;
			px = r->x[a] + w1 * (r->x[b] - r->x[a]);
			py = r->y[a] + w1 * (r->y[b] - r->y[a]);
		}
		memset(s, 0, sizeof(*s));
		if (tn <= *last_t && *last_t)
			tn = *last_t + 1;
		*last_t = tn;
		s->t_ns = tn;
		s->seq = (__u32)in->ticks;
		s->x = q16((px - u->offset[0]) * u->scale[0]);
		s->y = q16((py - u->offset[1]) * u->scale[1]);
		s->flags = TMNET_SAMPLE_VALID | (i == 0 ? TMNET_SAMPLE_SEG_START : 0);
		if (w > 0) {
			long k = (long)(i % (size_t)ring->n), kb = (k - w + ring->n) % ring->n;

			/*
			 * (x - x_w) / (w dt) = (x - x_w) rate / w, rounded by the
			 * division the kernel's input path uses (core/tm_input.c)
			 */
			s->vx = tm_sat_s32(tm_input_div((tm_s128)((__s64)s->x - ring->x[kb]) * c->rate_hz,
							(__u64)w));
			s->vy = tm_sat_s32(tm_input_div((tm_s128)((__s64)s->y - ring->y[kb]) * c->rate_hz,
							(__u64)w));
		}
		ring->x[i % (size_t)ring->n] = s->x;
		ring->y[i % (size_t)ring->n] = s->y;
		in->ticks++;
		if (++nb == CHUNK || i + 1 == nt) {
			if (sink->put(sink->ctx, buf, nb))
				return -1;
			nb = 0;
			if (c->progress && in->ticks % (10 * 1000 * 1000) < CHUNK && in->ticks >= CHUNK)
				fprintf(c->progress, "tmnet data import: %.1f M ticks written\n",
					(double)in->ticks / 1e6);
		}
	}
	in->segs++;
	in->tick_s += (double)nt * dt;
	return 0;
}

int tmn_import_files(const char *const *paths, int npaths, const struct tmn_import_cfg *c,
		     const struct tmn_import_sink *sink, struct tmn_import_info *info,
		     char *err, int errlen)
{
	struct raw r;
	struct tmn_import_info in;
	struct tmn_units u;
	struct tick_ring ring = { NULL, NULL, 0 };
	struct tmnet_sample *buf = NULL;
	size_t *idx = NULL, na = 0;
	__u64 last_t = 0;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(&in, 0, sizeof(in));
	if (info)
		memset(info, 0, sizeof(*info));
	if (npaths < 1)
		return fail(err, errlen, "no input file");
	if (c->col_t < 0 || c->col_x < 0 || c->col_y < 0 || c->col_t > 63 || c->col_x > 63 ||
	    c->col_y > 63)
		return fail(err, errlen, "column numbers must be in 0..63");
	if (c->rate_hz < TMNET_MIN_RATE_HZ || c->rate_hz > TMNET_MAX_RATE_HZ)
		return fail(err, errlen, "rate %d Hz out of range %d..%d", c->rate_hz,
			    TMNET_MIN_RATE_HZ, TMNET_MAX_RATE_HZ);
	if (!(c->gap_s > 0) || !(c->vel_window_s > 0) || c->vel_window_s > 10)
		return fail(err, errlen, "gap and velocity window must be > 0 (window <= 10 s)");
	if (!c->auto_units)
		for (int a = 0; a < 2; a++)
			if (!(c->units.scale[a] > 0) || !isfinite(c->units.scale[a]) ||
			    !isfinite(c->units.offset[a]))
				return fail(err, errlen, "scale must be finite and > 0, offset finite");
	for (int f = 0; f < npaths; f++) {
		struct file_stat fs;

		if (import_file(paths[f], c, &r, &fs, err, errlen))
			goto out;
		in.files++;
		in.raw += fs.raw;
		in.dup += fs.dup;
		in.back += fs.back;
		in.time_unit = fs.uname;
		in.step_ms = fs.med_step * fs.unit * 1e3;
		in.delim = fs.delim;
		in.header = fs.header;
		if (c->progress)
			fprintf(c->progress, "tmnet data import: [%d/%d] %s: %zu samples (delimiter '%s'%s, time unit %s, median step %.4g ms, %zu duplicate and %zu backward timestamps)\n",
				f + 1, npaths, paths[f], fs.raw,
				fs.delim == '\t' ? "tab" : fs.delim == ';' ? ";" : ",",
				fs.header ? ", header" : "", fs.uname, fs.med_step * fs.unit * 1e3,
				fs.dup, fs.back);
	}
	if (c->auto_units) {
		if (auto_units(&r, c->gap_s, &u, &in, err, errlen))
			goto out;
	} else {
		u = c->units;
	}
	in.units = u;
	in.auto_units = c->auto_units;
	/* segments: new file, step back, gap, a jump faster than the split speed */
	for (size_t i = 0; i < r.n; i++) {
		double dx = (r.x[i] - u.offset[0]) * u.scale[0];
		double dy = (r.y[i] - u.offset[1]) * u.scale[1];

		if (!(fabs(dx) <= TMN_DATA_POS_MAX && fabs(dy) <= TMN_DATA_POS_MAX)) {
			r.fl[i] |= RAW_DROP;
			in.outside++;
			if (i + 1 < r.n)
				r.fl[i + 1] |= RAW_SEG;
		}
	}
	{
		size_t prev = (size_t)-1;

		for (size_t i = 0; i < r.n; i++) {
			double dt, v;

			if (r.fl[i] & RAW_DROP) {
				prev = (size_t)-1;
				continue;
			}
			if (prev == (size_t)-1 || (r.fl[i] & RAW_SEG)) {
				r.fl[i] |= RAW_SEG;
				prev = i;
				continue;
			}
			dt = r.t[i] - r.t[prev];
			v = fmax(fabs(r.x[i] - r.x[prev]) * u.scale[0],
				 fabs(r.y[i] - r.y[prev]) * u.scale[1]) / dt;
			if (dt > c->gap_s) {
				r.fl[i] |= RAW_SEG;
				in.gaps++;
			} else if (!(v <= TMN_DATA_VEL_SPLIT)) {
				r.fl[i] |= RAW_SEG;
				in.jumps++;
			}
			prev = i;
		}
	}
	ring.n = lround(c->vel_window_s * c->rate_hz);
	if (ring.n < 1)
		ring.n = 1;
	ring.n++;
	ring.x = malloc((size_t)ring.n * sizeof(__s32));
	ring.y = malloc((size_t)ring.n * sizeof(__s32));
	buf = malloc(CHUNK * sizeof(*buf));
	idx = malloc((r.n + 1) * sizeof(size_t));
	if (!ring.x || !ring.y || !buf || !idx) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (sink->begin && sink->begin(sink->ctx, &u, c->rate_hz)) {
		fail(err, errlen, "output: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i <= r.n; i++) {
		if (i < r.n && (r.fl[i] & RAW_DROP))
			continue;
		if (i == r.n || (r.fl[i] & RAW_SEG)) {
			if (na && emit_segment(&r, idx, na, c, &u, &ring, buf, &last_t, sink, &in)) {
				fail(err, errlen, "output: write failed: %s", strerror(errno));
				goto out;
			}
			na = 0;
		}
		if (i < r.n)
			idx[na++] = i;
	}
	if (!in.ticks) {
		fail(err, errlen, "no valid tick: every stretch between gaps is shorter than 2 ticks (raise --gap-ms?)");
		goto out;
	}
	rc = 0;
out:
	if (info)
		*info = in;
	raw_free(&r);
	free(ring.x);
	free(ring.y);
	free(buf);
	free(idx);
	return rc;
}

void tmn_import_describe(const struct tmn_import_info *in, int rate_hz, char *buf, size_t n)
{
	char u[160];

	size_t k = 0;

	tmn_units_describe(&in->units, u, sizeof(u));
	if (in->files == 1 && in->time_unit)
		k = (size_t)snprintf(buf, n, "delimiter '%s'%s, time unit %s, median step %.4g ms; ",
				     in->delim == '\t' ? "tab" : in->delim == ';' ? ";" : ",",
				     in->header ? ", header" : "", in->time_unit, in->step_ms);
	if (k >= n)
		return;
	buf += k;
	n -= k;
	snprintf(buf, n,
		 "%zu files, %zu raw samples (%zu duplicate timestamps merged, %zu steps back) -> %zu ticks at %d Hz (%.1f s) in %zu segments (%zu gaps, %zu jumps split, %zu samples outside the range dropped, %zu short stretches dropped); units %s: %s",
		 in->files, in->raw, in->dup, in->back, in->ticks, rate_hz, in->tick_s, in->segs,
		 in->gaps, in->jumps, in->outside, in->short_segs, in->auto_units ? "auto" : "given",
		 u);
}

/* a series in memory, for tmn_import() */
struct mem_sink {
	struct tmn_series *d;
	size_t cap;
};

static int mem_begin(void *ctx, const struct tmn_units *u, int rate_hz)
{
	struct mem_sink *m = ctx;

	m->d->units = *u;
	m->d->has_units = 1;
	m->d->rate_hz = rate_hz;
	return 0;
}

static int mem_put(void *ctx, const struct tmnet_sample *s, size_t n)
{
	struct mem_sink *m = ctx;
	struct tmn_series *d = m->d;

	if (d->n + n > m->cap) {
		size_t nc = m->cap ? m->cap : 65536;
		struct tmnet_sample *ns;

		while (nc < d->n + n)
			nc *= 2;
		ns = realloc(d->s, nc * sizeof(*ns));
		if (!ns)
			return -1;
		d->s = ns;
		m->cap = nc;
	}
	memcpy(d->s + d->n, s, n * sizeof(*s));
	for (size_t i = 0; i < n; i++)
		d->nseg += (s[i].flags & TMNET_SAMPLE_SEG_START) != 0;
	d->n += n;
	return 0;
}

int tmn_import(const char *path, const struct tmn_import_cfg *c, struct tmn_series *d,
	       char *err, int errlen, char *info, int infolen)
{
	struct mem_sink m = { d, 0 };
	struct tmn_import_sink sink = { mem_begin, mem_put, &m };
	struct tmn_import_info in;

	memset(d, 0, sizeof(*d));
	tmn_units_identity(&d->units);
	if (tmn_import_files(&path, 1, c, &sink, &in, err, errlen)) {
		tmn_series_free(d);
		return -1;
	}
	if (info && infolen > 0)
		tmn_import_describe(&in, c->rate_hz, info, (size_t)infolen);
	return 0;
}
