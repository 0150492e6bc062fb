// SPDX-License-Identifier: GPL-2.0
/*
 * safetensors writer/reader and the HuggingFace export directory
 * (see tmn_export.h for the formats).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quant.h"
#include "tmn_export.h"
#include "tmn_onnx.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tmn_export writes little-endian tensors by memcpy: port it for big-endian hosts"
#endif

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

/* ---- a growing string ------------------------------------------------------ */

struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->n;

		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && (size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		size_t nc = b->cap ? b->cap * 2 : 4096;

		while (nc < b->n + (size_t)k + 1)
			nc *= 2;
		char *ns = realloc(b->s, nc);

		if (!ns) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
}

/* JSON string body (without quotes) */
static void sb_jstr(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_printf(b, "\\n");
		else if (c == '\t')
			sb_printf(b, "\\t");
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_printf(b, "%c", c);
	}
}

/* shortest round-tripping text of a double (JSON: no nan/inf) */
static void sb_num(struct sbuf *b, double v)
{
	char t[40];

	if (!isfinite(v)) {
		sb_printf(b, "null");
		return;
	}
	for (int p = 6; p <= 17; p++) {
		snprintf(t, sizeof(t), "%.*g", p, v);
		if (strtod(t, NULL) == v)
			break;
	}
	sb_printf(b, "%s", t);
}

static int write_file(const char *dir, const char *name, const void *p, size_t n,
		      char *err, int errlen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fwrite(p, 1, n, f) != n || fclose(f)) {
		if (f)
			fclose(f);
		return fail(err, errlen, "%s: write failed", path);
	}
	return 0;
}

/* ---- safetensors writer ------------------------------------------------------ */

int tmn_st_write(const char *path, const struct tmn_st_in *t, int n,
		 const char *const *meta, char *err, int errlen)
{
	struct sbuf h = { 0 };
	uint64_t off = 0, hl;
	unsigned char len8[8];
	FILE *f;
	int i, d;

	sb_printf(&h, "{");
	if (meta && meta[0]) {
		sb_printf(&h, "\"__metadata__\":{");
		for (i = 0; meta[i] && meta[i + 1]; i += 2) {
			sb_printf(&h, "%s\"", i ? "," : "");
			sb_jstr(&h, meta[i]);
			sb_printf(&h, "\":\"");
			sb_jstr(&h, meta[i + 1]);
			sb_printf(&h, "\"");
		}
		sb_printf(&h, "}");
	}
	for (i = 0; i < n; i++) {
		uint64_t cnt = 1;

		if (t[i].ndim < 0 || t[i].ndim > TMN_ST_MAX_DIMS || !t[i].name ||
		    strlen(t[i].name) >= TMN_ST_NAME_LEN) {
			free(h.s);
			return fail(err, errlen, "tensor %d: bad name or rank", i);
		}
		for (d = 0; d < t[i].ndim; d++)
			cnt *= t[i].shape[d];
		sb_printf(&h, "%s\"", (i || (meta && meta[0])) ? "," : "");
		sb_jstr(&h, t[i].name);
		sb_printf(&h, "\":{\"dtype\":\"F32\",\"shape\":[");
		for (d = 0; d < t[i].ndim; d++)
			sb_printf(&h, "%s%llu", d ? "," : "", (unsigned long long)t[i].shape[d]);
		sb_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
			  (unsigned long long)(off + 4 * cnt));
		off += 4 * cnt;
	}
	sb_printf(&h, "}");
	while (!h.oom && (8 + h.n) % 8)
		sb_printf(&h, " ");
	if (h.oom) {
		free(h.s);
		return fail(err, errlen, "out of memory");
	}
	hl = h.n;
	for (i = 0; i < 8; i++)
		len8[i] = (unsigned char)(hl >> (8 * i));
	f = fopen(path, "wb");
	if (!f) {
		free(h.s);
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	int bad = fwrite(len8, 1, 8, f) != 8 || fwrite(h.s, 1, h.n, f) != h.n;

	for (i = 0; i < n && !bad; i++) {
		uint64_t cnt = 1;

		for (d = 0; d < t[i].ndim; d++)
			cnt *= t[i].shape[d];
		bad = fwrite(t[i].data, 4, cnt, f) != cnt;
	}
	free(h.s);
	if (fclose(f) || bad)
		return fail(err, errlen, "%s: write failed", path);
	return 0;
}

/* ---- safetensors reader: a strict JSON subset parser ------------------------ */

struct jp {
	const char *p, *end;
	const char *why;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int expect(struct jp *j, char c)
{
	ws(j);
	if (j->p >= j->end || *j->p != c) {
		j->why = "unexpected character";
		return -1;
	}
	j->p++;
	return 0;
}

static int peek(struct jp *j, char c)
{
	ws(j);
	return j->p < j->end && *j->p == c;
}

/* string into out (cap bytes); escapes: \" \\ \/ \n \t \uXXXX (ASCII only) */
static int jstring(struct jp *j, char *out, size_t cap)
{
	size_t k = 0;

	if (expect(j, '"'))
		return -1;
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;

		if ((unsigned char)c < 0x20) {
			j->why = "control character in a string";
			return -1;
		}
		if (c == '\\') {
			if (j->p >= j->end)
				break;
			c = *j->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned int v = 0;

				for (int i = 0; i < 4; i++) {
					if (j->p >= j->end || !isxdigit((unsigned char)*j->p)) {
						j->why = "bad \\u escape";
						return -1;
					}
					char h = *j->p++;

					v = v * 16 + (unsigned int)(isdigit((unsigned char)h) ? h - '0' :
								     tolower((unsigned char)h) - 'a' + 10);
				}
				c = v < 0x80 ? (char)v : '?';
				break;
			}
			default:
				j->why = "bad escape";
				return -1;
			}
		}
		if (k + 1 >= cap) {
			j->why = "string too long";
			return -1;
		}
		out[k++] = c;
	}
	if (j->p >= j->end) {
		j->why = "unterminated string";
		return -1;
	}
	j->p++;
	out[k] = 0;
	return 0;
}

static int juint(struct jp *j, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;

	ws(j);
	while (j->p < j->end && isdigit((unsigned char)*j->p)) {
		if (x > (UINT64_MAX - 9) / 10) {
			j->why = "integer too large";
			return -1;
		}
		x = x * 10 + (uint64_t)(*j->p++ - '0');
		digits++;
	}
	if (!digits || (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
					  *j->p == '-'))) {
		j->why = "want a non-negative integer";
		return -1;
	}
	*v = x;
	return 0;
}

static int dtype_size(const char *d)
{
	static const struct {
		const char *n;
		int s;
	} t[] = {
		{ "F64", 8 }, { "F32", 4 }, { "F16", 2 }, { "BF16", 2 }, { "I64", 8 },
		{ "I32", 4 }, { "I16", 2 }, { "I8", 1 }, { "U64", 8 }, { "U32", 4 },
		{ "U16", 2 }, { "U8", 1 }, { "BOOL", 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(d, t[i].n))
			return t[i].s;
	return 0;
}

static int tensor_entry(struct jp *j, struct tmn_st_tensor *t)
{
	char key[32];
	int have_d = 0, have_s = 0, have_o = 0;

	if (expect(j, '{'))
		return -1;
	while (!peek(j, '}')) {
		if ((have_d || have_s || have_o) && expect(j, ','))
			return -1;
		if (jstring(j, key, sizeof(key)) || expect(j, ':'))
			return -1;
		if (!strcmp(key, "dtype") && !have_d) {
			if (jstring(j, t->dtype, sizeof(t->dtype)))
				return -1;
			have_d = 1;
		} else if (!strcmp(key, "shape") && !have_s) {
			if (expect(j, '['))
				return -1;
			t->ndim = 0;
			while (!peek(j, ']')) {
				if (t->ndim && expect(j, ','))
					return -1;
				if (t->ndim == TMN_ST_MAX_DIMS) {
					j->why = "too many dimensions";
					return -1;
				}
				if (juint(j, &t->shape[t->ndim]))
					return -1;
				t->ndim++;
			}
			j->p++;
			have_s = 1;
		} else if (!strcmp(key, "data_offsets") && !have_o) {
			if (expect(j, '[') || juint(j, &t->begin) || expect(j, ',') ||
			    juint(j, &t->end) || expect(j, ']'))
				return -1;
			have_o = 1;
		} else {
			j->why = "unknown or repeated key in a tensor entry";
			return -1;
		}
	}
	j->p++;
	if (!have_d || !have_s || !have_o) {
		j->why = "tensor entry lacks dtype, shape or data_offsets";
		return -1;
	}
	return 0;
}

static int cmp_begin(const void *a, const void *b)
{
	const struct tmn_st_tensor *x = *(const struct tmn_st_tensor *const *)a;
	const struct tmn_st_tensor *y = *(const struct tmn_st_tensor *const *)b;

	return x->begin < y->begin ? -1 : x->begin > y->begin;
}

void tmn_st_free(struct tmn_st_file *f)
{
	free(f->t);
	free(f->meta);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

int tmn_st_read(const char *path, struct tmn_st_file *f, char *err, int errlen)
{
	unsigned char len8[8];
	char *hdr = NULL, name[TMN_ST_NAME_LEN];
	struct tmn_st_tensor **order = NULL;
	struct jp j;
	long fsz;
	FILE *fp;
	int i, cap = 0, mcap = 0;

	memset(f, 0, sizeof(*f));
	fp = fopen(path, "rb");
	if (!fp)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) || (fsz = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		fclose(fp);
		return fail(err, errlen, "%s: cannot determine size", path);
	}
	if (fsz < 8 || fread(len8, 1, 8, fp) != 8) {
		fclose(fp);
		return fail(err, errlen, "%s: shorter than the 8-byte header length", path);
	}
	for (i = 7; i >= 0; i--)
		f->header_len = f->header_len << 8 | len8[i];
	if (f->header_len < 2 || f->header_len > TMN_ST_MAX_HEADER ||
	    f->header_len > (uint64_t)fsz - 8) {
		fclose(fp);
		f->header_len = 0;
		return fail(err, errlen, "%s: header length %llu does not fit the file (%ld bytes)",
			    path, (unsigned long long)f->header_len, fsz);
	}
	f->data_len = (uint64_t)fsz - 8 - f->header_len;
	hdr = malloc(f->header_len);
	f->data = malloc(f->data_len ? f->data_len : 1);
	if (!hdr || !f->data || fread(hdr, 1, f->header_len, fp) != f->header_len ||
	    fread(f->data, 1, f->data_len, fp) != f->data_len) {
		fclose(fp);
		free(hdr);
		tmn_st_free(f);
		return fail(err, errlen, "%s: read failed", path);
	}
	fclose(fp);

	j.p = hdr;
	j.end = hdr + f->header_len;
	j.why = NULL;
	if (*hdr != '{') {
		j.why = "header does not start with '{'";
		goto bad;
	}
	if (expect(&j, '{'))
		goto bad;
	while (!peek(&j, '}')) {
		if ((f->n || f->n_meta) && expect(&j, ','))
			goto bad;
		if (jstring(&j, name, sizeof(name)) || expect(&j, ':'))
			goto bad;
		if (!strcmp(name, "__metadata__")) {
			if (expect(&j, '{'))
				goto bad;
			int first = 1;

			while (!peek(&j, '}')) {
				if (!first && expect(&j, ','))
					goto bad;
				first = 0;
				if (f->n_meta == mcap) {
					mcap = mcap ? 2 * mcap : 8;
					void *nm = realloc(f->meta, (size_t)mcap * sizeof(*f->meta));

					if (!nm) {
						j.why = "out of memory";
						goto bad;
					}
					f->meta = nm;
				}
				if (jstring(&j, f->meta[f->n_meta][0], 256) || expect(&j, ':') ||
				    jstring(&j, f->meta[f->n_meta][1], 256))
					goto bad;
				f->n_meta++;
			}
			j.p++;
			continue;
		}
		if (tmn_st_find(f, name)) {
			j.why = "duplicate tensor name";
			goto bad;
		}
		if (f->n == cap) {
			cap = cap ? 2 * cap : 16;
			void *nt = realloc(f->t, (size_t)cap * sizeof(*f->t));

			if (!nt) {
				j.why = "out of memory";
				goto bad;
			}
			f->t = nt;
		}
		memset(&f->t[f->n], 0, sizeof(f->t[0]));
		snprintf(f->t[f->n].name, sizeof(f->t[0].name), "%s", name);
		if (tensor_entry(&j, &f->t[f->n]))
			goto bad;
		f->n++;
	}
	j.p++;
	ws(&j);
	if (j.p != j.end) {
		j.why = "trailing bytes after the header object";
		goto bad;
	}

	/* sizes, bounds, and a contiguous cover of the byte buffer */
	order = malloc(((size_t)f->n + 1) * sizeof(*order));
	if (!order) {
		j.why = "out of memory";
		goto bad;
	}
	for (i = 0; i < f->n; i++) {
		struct tmn_st_tensor *t = &f->t[i];
		uint64_t cnt = 1;
		int es = dtype_size(t->dtype);

		if (!es) {
			fail(err, errlen, "%s: tensor %s: unknown dtype '%s'", path, t->name, t->dtype);
			free(order);
			tmn_st_free(f);
			free(hdr);
			return -1;
		}
		for (int d = 0; d < t->ndim; d++)
			cnt *= t->shape[d];
		if (t->end < t->begin || t->end > f->data_len || t->end - t->begin != cnt * (uint64_t)es) {
			free(order);
			fail(err, errlen, "%s: tensor %s: data_offsets [%llu, %llu) disagree with shape and dtype (%llu bytes) or the buffer (%llu bytes)",
			     path, t->name, (unsigned long long)t->begin, (unsigned long long)t->end,
			     (unsigned long long)(cnt * (uint64_t)es), (unsigned long long)f->data_len);
			tmn_st_free(f);
			free(hdr);
			return -1;
		}
		order[i] = t;
	}
	qsort(order, (size_t)f->n, sizeof(*order), cmp_begin);
	{
		uint64_t at = 0;

		for (i = 0; i < f->n; i++) {
			if (order[i]->begin != at) {
				fail(err, errlen, "%s: tensor %s starts at %llu, expected %llu (gap or overlap)",
				     path, order[i]->name, (unsigned long long)order[i]->begin,
				     (unsigned long long)at);
				free(order);
				tmn_st_free(f);
				free(hdr);
				return -1;
			}
			at = order[i]->end;
		}
		if (at != f->data_len) {
			fail(err, errlen, "%s: %llu trailing bytes after the last tensor", path,
			     (unsigned long long)(f->data_len - at));
			free(order);
			tmn_st_free(f);
			free(hdr);
			return -1;
		}
	}
	free(order);
	free(hdr);
	return 0;
bad:
	fail(err, errlen, "%s: bad header at byte %ld: %s", path, (long)(j.p - hdr),
	     j.why ? j.why : "syntax error");
	free(hdr);
	tmn_st_free(f);
	return -1;
}

const struct tmn_st_tensor *tmn_st_find(const struct tmn_st_file *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->t[i].name, name))
			return &f->t[i];
	return NULL;
}

float tmn_st_f32(const struct tmn_st_file *f, const struct tmn_st_tensor *t, uint64_t i)
{
	float v;

	memcpy(&v, f->data + t->begin + 4 * i, 4);
	return v;
}

int tmn_export_gru_tensors(const struct tmn_gru *g, float *head_w, struct tmn_st_in out[6])
{
	const uint64_t F = (uint64_t)g->F, H = (uint64_t)g->H;

	/* the trained head is head_gain * W_out h + b_out (tmn_gru.h) */
	for (uint64_t i = 0; i < TMNET_N_OUT * H; i++)
		head_w[i] = g->head_gain * g->w_out[i];

	out[0] = (struct tmn_st_in){ "gru.weight_ih_l0", g->w_ih, 2, { 3 * H, F } };
	out[1] = (struct tmn_st_in){ "gru.weight_hh_l0", g->w_hh, 2, { 3 * H, H } };
	out[2] = (struct tmn_st_in){ "gru.bias_ih_l0", g->b_ih, 1, { 3 * H } };
	out[3] = (struct tmn_st_in){ "gru.bias_hh_l0", g->b_hh, 1, { 3 * H } };
	out[4] = (struct tmn_st_in){ "head.weight", head_w, 2, { TMNET_N_OUT, H } };
	out[5] = (struct tmn_st_in){ "head.bias", g->b_out, 1, { TMNET_N_OUT } };
	return 6;
}

/* ---- a minimal look-up into `tmnet eval -j` output ------------------------ */

int tmn_json_num(const char *json, const char *obj, const char *key, double *out)
{
	char pat[128];
	const char *p = json, *q, *end = NULL;
	char *e;
	int depth;

	if (obj) {
		snprintf(pat, sizeof(pat), "\"%s\"", obj);
		p = strstr(json, pat);
		if (!p)
			return -1;
		p += strlen(pat);
		while (*p == ' ' || *p == ':')
			p++;
		if (*p != '{')
			return -1;
		/* the end of this object */
		for (q = p, depth = 0; *q; q++) {
			if (*q == '{')
				depth++;
			else if (*q == '}' && --depth == 0) {
				end = q;
				break;
			}
		}
		if (!end)
			return -1;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	q = strstr(p, pat);
	if (!q || (end && q > end))
		return -1;
	q += strlen(pat);
	while (*q == ' ')
		q++;
	errno = 0;
	*out = strtod(q, &e);
	if (e == q || errno || !isfinite(*out))
		return -1;
	return 0;
}

/* ---- the export directory --------------------------------------------------- */

static const char *sys_name(unsigned int s)
{
	return s == TMNET_SYS_A ? "A" : s == TMNET_SYS_B ? "B" : "prior";
}

/* eval JSON with nan/inf replaced by null (strict JSON) */
static char *json_sanitize(const char *in)
{
	size_t n = strlen(in);
	char *o = malloc(n * 2 + 1), *w = o;

	if (!o)
		return NULL;
	for (const char *p = in; *p;) {
		const char *prev = p > in ? p - 1 : in;
		int tok = p == in || !isalnum((unsigned char)*prev);

		if (tok && (!strncmp(p, "-nan", 4) || !strncmp(p, "-inf", 4))) {
			memcpy(w, "null", 4);
			w += 4;
			p += 4;
		} else if (tok && (!strncmp(p, "nan", 3) || !strncmp(p, "inf", 3))) {
			memcpy(w, "null", 4);
			w += 4;
			p += 3;
		} else {
			*w++ = *p++;
		}
	}
	*w = 0;
	return o;
}

struct evalm {
	double mse, p50, p90, p99, pr_mse, pr_p50, pr_p90, pr_p99, pass, i8pct, scored;
	int have_i8, have_pass;
	char split[16], crc[16];
};

static int eval_parse(const char *js, struct evalm *e, char *err, int errlen)
{
	const char *p;

	memset(e, 0, sizeof(*e));
	if (tmn_json_num(js, "published", "mse", &e->mse) ||
	    tmn_json_num(js, "published", "p50", &e->p50) ||
	    tmn_json_num(js, "published", "p90", &e->p90) ||
	    tmn_json_num(js, "published", "p99", &e->p99) ||
	    tmn_json_num(js, "prior", "mse", &e->pr_mse) ||
	    tmn_json_num(js, "prior", "p50", &e->pr_p50) ||
	    tmn_json_num(js, "prior", "p90", &e->pr_p90) ||
	    tmn_json_num(js, "prior", "p99", &e->pr_p99) ||
	    tmn_json_num(js, NULL, "scored_ticks", &e->scored))
		return fail(err, errlen,
			    "the eval JSON lacks published/prior mse, p50, p90, p99 or scored_ticks (is it `tmnet eval -j` output?)");
	e->have_pass = !tmn_json_num(js, "gate", "pass_rate", &e->pass);
	e->have_i8 = !tmn_json_num(js, NULL, "int8_vs_float_mse_pct", &e->i8pct);
	p = strstr(js, "\"split\":");
	if (p && sscanf(p, "\"split\": \"%15[a-z]\"", e->split) != 1)
		e->split[0] = 0;
	p = strstr(js, "\"crc32\":");
	if (!p || sscanf(p, "\"crc32\": \"%15[0-9a-f]\"", e->crc) != 1)
		return fail(err, errlen, "the eval JSON has no crc32 of the evaluated model");
	return 0;
}

static void card_metric(struct sbuf *b, const char *type, const char *name, double v)
{
	sb_printf(b, "    - type: %s\n      name: %s\n      value: ", type, name);
	sb_num(b, v);
	sb_printf(b, "\n");
}

/* ---- the float export: model.safetensors, model.onnx, config.json ---------- */

static const char *feat_def(int system, int extra, unsigned int i)
{
	static const char *const base[6] = {
		"x - x_prev: position change since the previous valid sample (0 at the first valid sample and on a tick without a valid sample)",
		"y - y_prev: as dx on the y axis",
		"vx of the last valid sample (held on a tick without one; 0 before the first)",
		"vy of the last valid sample (held on a tick without one; 0 before the first)",
		"kalman_vx * horizon_gain_s: the prior's horizon displacement from the filtered position (kalman_prior: horizon_gain_s = horizon_s for the constant-velocity prior, tau (1 - exp(-horizon_s / tau)) for the damped-velocity one), rounded to Q16.16 (ties away from zero); 0 while the filter is not initialised",
		"kalman_vy * horizon_gain_s: as prior_dx on the y axis",
	};

	(void)system;
	if (i < 6)
		return base[i];
	if (extra == TMN_EXTRA_VEL)
		return i == 6 ? "kalman_vx: the filter's velocity after this tick (0 while not initialised)" :
				"kalman_vy: the filter's velocity after this tick (0 while not initialised)";
	return i == 6 ? "x_last - kalman_x: last valid sample's x minus the filtered x after this tick (0 while not initialised)" :
			"y_last - kalman_y: last valid sample's y minus the filtered y after this tick (0 while not initialised)";
}

static const char *feat_name(int extra, unsigned int i)
{
	static const char *const n[6] = { "dx", "dy", "vx", "vy", "prior_dx", "prior_dy" };

	if (i < 6)
		return n[i];
	if (extra == TMN_EXTRA_VEL)
		return i == 6 ? "kalman_vx" : "kalman_vy";
	return i == 6 ? "resid_x" : "resid_y";
}

static void cfg_arr(struct sbuf *b, const double *v, unsigned int n)
{
	sb_printf(b, "[");
	for (unsigned int i = 0; i < n; i++) {
		sb_printf(b, "%s", i ? ", " : "");
		sb_num(b, v[i]);
	}
	sb_printf(b, "]");
}

/*
 * The PyTorch reference, written as tmnet_torch.py into every export and
 * quoted verbatim in the model card: tests/export/torch_check.py runs
 * exactly this text against the C float network on every tick.  (Python
 * with single quotes only, so that the C string needs no escapes.)
 */
static const char torch_snippet[] =
	"# tmnet float network in PyTorch, from config.json and model.safetensors alone:\n"
	"# samples (tmnet's canonical CSV t_ns,x,y,vx,vy,valid[,seg], data units) -> features ->\n"
	"# normalisation -> nn.GRU + nn.Linear -> output scale -> + base (the last\n"
	"# sample for System A, the Kalman prior for System B) = predicted position.\n"
	"# Needs numpy and torch.  Usage: python3 tmnet_torch.py [DIR] < rec.csv > pos.csv\n"
	"import json, math, struct, sys\n"
	"import numpy as np\n"
	"import torch\n"
	"\n"
	"\n"
	"def load(d='.'):\n"
	"    cfg = json.load(open(d + '/config.json'))\n"
	"    raw = open(d + '/model.safetensors', 'rb').read()\n"
	"    n = struct.unpack('<Q', raw[:8])[0]\n"
	"    hdr = json.loads(raw[8:8 + n])\n"
	"    w = {}\n"
	"    for k, v in hdr.items():\n"
	"        if k != '__metadata__':\n"
	"            a = np.frombuffer(raw, '<f4', math.prod(v['shape']), 8 + n + v['data_offsets'][0])\n"
	"            w[k] = torch.from_numpy(a.reshape(v['shape']).astype(np.float64))\n"
	"    # float64: the reference C network (tmn_gru_step1) runs in double\n"
	"    gru = torch.nn.GRU(cfg['input_features'], cfg['hidden_size']).double()\n"
	"    head = torch.nn.Linear(cfg['hidden_size'], 2).double()\n"
	"    gru.load_state_dict({k[4:]: v for k, v in w.items() if k.startswith('gru.')})\n"
	"    head.load_state_dict({k[5:]: v for k, v in w.items() if k.startswith('head.')})\n"
	"    return cfg, gru, head\n"
	"\n"
	"\n"
	"def q16(v):  # a sample value as the CSV reader stores it (Q16.16, ties to even)\n"
	"    return round(v * 65536) / 65536\n"
	"\n"
	"\n"
	"def q16_away(v):  # Q32.32 -> Q16.16 in the core: ties away from zero\n"
	"    return math.copysign(math.floor(abs(v) * 65536 + 0.5), v) / 65536\n"
	"\n"
	"\n"
	"class Features:\n"
	"    # config.json feature_definitions and kalman_prior.algorithm, one tick at a time\n"
	"    def __init__(self, cfg):\n"
	"        k = cfg['kalman_prior']\n"
	"        self.F, self.extra = cfg['input_features'], cfg['b_extra']\n"
	"        self.dt, self.T, self.qa, self.r = k['dt_s'], k['horizon_s'], k['qa_units2_per_s3'], k['r_units2']\n"
	"        if k['horizon_model'] == 'DV':  # damped velocity: v decays with time constant tau\n"
	"            self.T = k['tau_s'] * -math.expm1(-k['horizon_s'] / k['tau_s'])\n"
	"        self.p0p, self.p0v, self.lim = k['p0_pos'], k['p0_vel'], k['restart_var_units2']\n"
	"        self.init, self.last, self.vel = False, None, (0.0, 0.0)\n"
	"        self.kf = [[0.0] * 5, [0.0] * 5]  # per axis: p, v, pp, pv, vv\n"
	"\n"
	"    def kalman(self, valid, z, v0):\n"
	"        dt, qa = self.dt, self.qa\n"
	"        if not self.init:\n"
	"            if valid:\n"
	"                self.kf = [[z[a], v0[a], self.p0p, 0.0, self.p0v] for a in (0, 1)]\n"
	"                self.init = True\n"
	"            return\n"
	"        for s in self.kf:\n"
	"            p, v, pp, pv, vv = s\n"
	"            s[:] = [p + v * dt, v, pp + 2 * dt * pv + dt * dt * vv + qa * dt ** 3 / 3,\n"
	"                    pv + dt * vv + qa * dt * dt / 2, vv + qa * dt]\n"
	"        if any(s[2] >= self.lim or s[4] >= self.lim for s in self.kf):\n"
	"            self.init = False\n"
	"            return\n"
	"        if valid:\n"
	"            for a, s in enumerate(self.kf):\n"
	"                p, v, pp, pv, vv = s\n"
	"                e, k0, k1 = z[a] - p, pp / (pp + self.r), pv / (pp + self.r)\n"
	"                s[:] = [p + k0 * e, v + k1 * e, pp - k0 * pp, pv - k1 * pp, vv - k1 * pv]\n"
	"\n"
	"    def step(self, x, y, vx, vy, valid):\n"
	"        x, y, vx, vy = q16(x), q16(y), q16(vx), q16(vy)\n"
	"        dx = dy = 0.0\n"
	"        if valid:\n"
	"            if self.last is not None:\n"
	"                dx, dy = x - self.last[0], y - self.last[1]\n"
	"            self.last, self.vel = (x, y), (vx, vy)\n"
	"        self.kalman(valid, (x, y), (vx, vy))\n"
	"        f = [dx, dy, self.vel[0], self.vel[1], 0.0, 0.0, 0.0, 0.0]\n"
	"        prior = (0.0, 0.0)\n"
	"        if self.init:\n"
	"            (p0, v0), (p1, v1) = self.kf[0][:2], self.kf[1][:2]\n"
	"            prior = (p0 + v0 * self.T, p1 + v1 * self.T)\n"
	"            f[4], f[5] = q16_away(v0 * self.T), q16_away(v1 * self.T)\n"
	"            if self.extra == 'vel':\n"
	"                f[6], f[7] = v0, v1\n"
	"            elif self.extra == 'resid':\n"
	"                f[6], f[7] = self.last[0] - p0, self.last[1] - p1\n"
	"        return np.array(f[:self.F], np.float32), prior\n"
	"\n"
	"\n"
	"def stream(d, rows):\n"
	"    # rows: (x, y, vx, vy, valid, seg) per tick; yields (defined, position, y_normalised)\n"
	"    cfg, gru, head = load(d)\n"
	"    nm, feats = cfg['normalization'], Features(cfg)\n"
	"    mean, std, c = np.array(nm['mean']), np.array(nm['std']), nm['clip']\n"
	"    h = torch.zeros(1, 1, cfg['hidden_size'], dtype=torch.float64)\n"
	"    with torch.no_grad():\n"
	"        for x, y, vx, vy, valid, seg in rows:\n"
	"            if seg:  # a new segment: features, filter and GRU state start afresh\n"
	"                feats, h = Features(cfg), torch.zeros_like(h)\n"
	"            f, prior = feats.step(x, y, vx, vy, valid)\n"
	"            z = np.clip((f.astype(np.float64) - mean) / std, -c, c).astype(np.float32)\n"
	"            out, h = gru(torch.from_numpy(z.astype(np.float64)).view(1, 1, -1), h)\n"
	"            yn = head(out[0, 0]).numpy()\n"
	"            base = prior if cfg['tmnet_system'] == 'B' else (feats.last or (0.0, 0.0))\n"
	"            pos = (base[0] + nm['out_scale'] * yn[0], base[1] + nm['out_scale'] * yn[1])\n"
	"            yield feats.init and feats.last is not None, pos, yn\n"
	"\n"
	"\n"
	"def read_csv(f):\n"
	"    for line in f:\n"
	"        if line[0].isdigit():\n"
	"            v = line.split(',') + ['0']\n"
	"            yield float(v[1]), float(v[2]), float(v[3]), float(v[4]), v[5].strip() == '1', v[6].strip() == '1'\n"
	"\n"
	"\n"
	"if __name__ == '__main__':\n"
	"    for ok, pos, _ in stream(sys.argv[1] if len(sys.argv) > 1 else '.', read_csv(sys.stdin)):\n"
	"        print('%d,%.17g,%.17g' % (ok, pos[0], pos[1]))\n";

int tmn_export_float(const struct tmn_model_f *mf, const struct tm_model *m, const char *name,
		     const char *out_dir, int quiet, char *err, int errlen)
{
	const unsigned int F = mf->h.F, H = mf->h.H, sys = mf->h.system;
	const int extra = sys == TMNET_SYS_B ? mf->h.norm.extra : TMN_EXTRA_NONE;
	const unsigned int rate = mf->h.rate_hz, hor = mf->h.horizon;
	const unsigned int window = m ? m->window_ticks : mf->h.window;
	struct tm_model *pm = malloc(sizeof(*pm));
	struct tmn_st_in ts[6];
	struct sbuf cfg = { 0 };
	float *head_w = malloc((size_t)TMNET_N_OUT * H * sizeof(float));
	char path[4096], crc[16] = "", sF[16], sH[16], sR[16], sHz[16], sG[40];
	const char *meta[24];
	int k = 0, rc = -1, nt;
	double clip = 127.0 / (1 << mf->h.norm.in_frac);

	if (!pm || !head_w) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (sys != TMNET_SYS_A && sys != TMNET_SYS_B) {
		fail(err, errlen, "checkpoint of system %u: only A and B have a network", sys);
		goto out;
	}
	/* the core's fixed-point prior with these parameters (its cs, dt, horizon) */
	if (tmn_prior_model(&mf->h.kalman, (int)rate, (int)hor, pm, err, errlen))
		goto out;
	if (m)
		snprintf(crc, sizeof(crc), "%08x", m->crc32);
	snprintf(sF, sizeof(sF), "%u", F);
	snprintf(sH, sizeof(sH), "%u", H);
	snprintf(sR, sizeof(sR), "%u", rate);
	snprintf(sHz, sizeof(sHz), "%u", hor);
	snprintf(sG, sizeof(sG), "%.9g", (double)mf->g.head_gain);
	meta[k++] = "format";
	meta[k++] = "pt";
	meta[k++] = "tmnet_system";
	meta[k++] = sys_name(sys);
	meta[k++] = "input_features";
	meta[k++] = sF;
	meta[k++] = "hidden_size";
	meta[k++] = sH;
	meta[k++] = "rate_hz";
	meta[k++] = sR;
	meta[k++] = "horizon_ticks";
	meta[k++] = sHz;
	meta[k++] = "head_gain_folded_into_head_weight";
	meta[k++] = sG;
	if (m) {
		meta[k++] = "int8_blob_crc32";
		meta[k++] = crc;
	}
	meta[k++] = NULL;

	/* model.safetensors: the float network (best on validation), head gain folded */
	nt = tmn_export_gru_tensors(&mf->g, head_w, ts);
	snprintf(path, sizeof(path), "%s/model.safetensors", out_dir);
	if (tmn_st_write(path, ts, nt, meta, err, errlen))
		goto out;
	if (!quiet)
		fprintf(stderr, "export: %s (float GRU, %zu parameters)\n", path, mf->g.np);

	/* model.onnx: the same network, one streaming step per run */
	snprintf(path, sizeof(path), "%s/model.onnx", out_dir);
	if (tmn_onnx_write(path, &mf->g, &mf->h.norm, meta, err, errlen))
		goto out;
	if (!quiet)
		fprintf(stderr, "export: %s (ONNX opset %d, GRU + head, normalisation, output scale)\n",
			path, TMN_ONNX_OPSET);

	/* config.json: everything a consumer needs from raw samples to a position */
	sb_printf(&cfg, "{\n  \"model_type\": \"tmnet-gru\",\n  \"tmnet_system\": \"%s\",\n", sys_name(sys));
	sb_printf(&cfg, "  \"name\": \"");
	sb_jstr(&cfg, name);
	sb_printf(&cfg, "\",\n  \"task\": \"2-D position %u ticks (%g ms) ahead, one prediction per tick\",\n",
		  hor, 1e3 * hor / rate);
	sb_printf(&cfg, "  \"rate_hz\": %u,\n  \"window_ticks\": %u,\n  \"horizon_ticks\": %u,\n",
		  rate, window, hor);
	sb_printf(&cfg, "  \"samples\": \"one per tick at rate_hz, in data units: x, y, vx, vy (per s), valid, seg; each value rounded to Q16.16 (round(v * 65536) / 65536, ties to even) as the CSV reader does; the state (features, Kalman filter, GRU state) starts from reset at the first tick and again at every sample with seg = 1 (a new segment)\",\n");
	if (m && (m->units.scale_f64[0] || m->units.scale_f64[1])) {
		struct tmn_units u;

		tmn_units_from_blob(&m->units, &u);
		sb_printf(&cfg, "  \"recording_units\": {\"formula\": \"data = (recording - offset) * scale, per axis (velocities: data = recording * scale)\", \"scale\": ");
		cfg_arr(&cfg, u.scale, 2);
		sb_printf(&cfg, ", \"offset\": ");
		cfg_arr(&cfg, u.offset, 2);
		sb_printf(&cfg, "},\n");
	} else {
		sb_printf(&cfg, "  \"recording_units\": \"%s\",\n", m ? "identity: data units are the recording's units" :
			  "not known to the checkpoint (see the '# tmnet-data' line of the training CSV)");
	}
	sb_printf(&cfg, "  \"input_features\": %u,\n  \"feature_names\": [", F);
	for (unsigned int i = 0; i < F; i++)
		sb_printf(&cfg, "%s\"%s\"", i ? ", " : "", feat_name(extra, i));
	sb_printf(&cfg, "],\n  \"feature_definitions\": {\n");
	for (unsigned int i = 0; i < F; i++)
		sb_printf(&cfg, "    \"%s\": \"%s\"%s\n", feat_name(extra, i), feat_def((int)sys, extra, i),
			  i + 1 < F ? "," : "");
	sb_printf(&cfg, "  },\n  \"feature_dtype\": \"float32 (each feature is rounded to float32 before normalisation)\",\n");
	sb_printf(&cfg, "  \"b_extra\": \"%s\",\n", extra == TMN_EXTRA_VEL ? "vel" : extra == TMN_EXTRA_RESID ? "resid" : "none");
	sb_printf(&cfg, "  \"hidden_size\": %u,\n  \"num_outputs\": %d,\n", H, TMNET_N_OUT);
	sb_printf(&cfg, "  \"gru_gate_order\": \"r, z, n (torch.nn.GRU, batch_first=False, h0 = zeros)\",\n");
	sb_printf(&cfg, "  \"normalization\": {\n    \"formula\": \"z = clip((feature - mean) / std, -clip, clip), computed in float64 then rounded to float32\",\n    \"mean\": ");
	cfg_arr(&cfg, mf->h.norm.mean, F);
	sb_printf(&cfg, ",\n    \"std\": ");
	cfg_arr(&cfg, mf->h.norm.std, F);
	sb_printf(&cfg, ",\n    \"clip\": ");
	sb_num(&cfg, clip);
	sb_printf(&cfg, ",\n    \"out_scale\": ");
	sb_num(&cfg, mf->h.norm.out_scale);
	sb_printf(&cfg, ",\n    \"int8_input_frac_bits\": %d\n  },\n", mf->h.norm.in_frac);
	sb_printf(&cfg, "  \"head\": {\n    \"head_gain\": ");
	sb_num(&cfg, mf->g.head_gain);
	sb_printf(&cfg, ",\n    \"folded\": true,\n    \"note\": \"the trainer computes head_gain * W_out h + b; head.weight in model.safetensors and model.onnx is head_gain * W_out, so y = head.weight h + head.bias\"\n  },\n");
	sb_printf(&cfg, "  \"output\": {\n    \"normalised\": \"y = head(h_t), 2 values per tick\",\n    \"displacement\": \"out_scale * y, data units\",\n    \"base\": \"%s\",\n    \"position\": \"base + displacement: the predicted position at tick t + horizon_ticks, data units\",\n    \"defined\": \"from the first valid sample on, while the Kalman filter is initialised%s\"\n  },\n",
		  sys == TMNET_SYS_B ? "the Kalman prior's horizon position (kalman_prior below)" :
				       "the last valid sample's position (x, y)",
		  sys == TMNET_SYS_B ? "; the kernel's gate (gate below) may replace the position by the prior: the float network has no gate" : "");
	sb_printf(&cfg, "  \"kalman_prior\": {\n    \"model\": \"%s\",\n    \"horizon_model\": \"%s\",\n    \"tau_s\": ",
		  mf->h.kalman.kind == TMNET_PRIOR_DV ?
		  "filter: constant velocity, white-noise acceleration, the two axes independent (qa_xy = 0, R diagonal); horizon: damped velocity (Ornstein-Uhlenbeck velocity with time constant tau_s), the position moves by v tau (1 - exp(-T / tau))" :
		  "constant velocity, white-noise acceleration, the two axes independent (qa_xy = 0, R diagonal)",
		  tmn_prior_kind_name(mf->h.kalman.kind));
	sb_num(&cfg, mf->h.kalman.kind == TMNET_PRIOR_DV ? mf->h.kalman.tau : 0.0);
	sb_printf(&cfg, ",\n    \"horizon_gain_s\": ");
	sb_num(&cfg, mf->h.kalman.kind == TMNET_PRIOR_DV ?
		   mf->h.kalman.tau * -expm1(-(double)hor / rate / mf->h.kalman.tau) : (double)hor / rate);
	sb_printf(&cfg, ",\n    \"hcov_scale\": ");
	sb_num(&cfg, mf->h.kalman.hcov_scale > 0 ? mf->h.kalman.hcov_scale : 1.0);
	sb_printf(&cfg, ",\n    \"qa_units2_per_s3\": ");
	sb_num(&cfg, mf->h.kalman.qa);
	sb_printf(&cfg, ",\n    \"r_units2\": ");
	sb_num(&cfg, mf->h.kalman.r);
	sb_printf(&cfg, ",\n    \"p0_pos\": ");
	sb_num(&cfg, mf->h.kalman.p0_pos);
	sb_printf(&cfg, ",\n    \"p0_vel\": ");
	sb_num(&cfg, mf->h.kalman.p0_vel);
	sb_printf(&cfg, ",\n    \"stale_ticks\": %d,\n    \"dt_s\": ", mf->h.kalman.stale_ticks);
	sb_num(&cfg, 1.0 / rate);
	sb_printf(&cfg, ",\n    \"horizon_s\": ");
	sb_num(&cfg, (double)hor / rate);
	sb_printf(&cfg, ",\n    \"restart_var_units2\": ");
	sb_num(&cfg, ldexp(1.0, 29 - (int)pm->kf.cs));
	sb_printf(&cfg, ",\n    \"algorithm\": \"per axis, state (p, v), covariance [[pp, pv], [pv, vv]]. Not initialised: at the first valid sample set p = x, v = the sample's vx, pp = p0_pos, vv = p0_vel, pv = 0 (no predict, no update on that tick). Every later tick: predict p += v dt; pp += 2 dt pv + dt^2 vv + qa dt^3 / 3; pv += dt vv + qa dt^2 / 2; vv += qa dt; if pp or vv (either axis) >= restart_var_units2 the filter is no longer initialised until the next valid sample. Then, if the sample is valid, update: s = pp + r; k = (pp, pv) / s; e = x - p; p += k0 e; v += k1 e; vv -= k1 pv; pv -= k1 pp; pp -= k0 pp (old pp, pv on the right). Prior (horizon position) = p + v horizon_gain_s, with horizon_gain_s = horizon_s (horizon_model CV) or tau_s (1 - exp(-horizon_s / tau_s)) (DV). Its horizon covariance (the gate's P_h) is hcov_scale (pp + 2 g pv + g^2 vv + qa K), g = horizon_gain_s, K = horizon_s^3 / 3 (CV) or tau^3 (u - 2 (1 - e^-u) + (1 - e^-2u) / 2), u = horizon_s / tau (DV).\",\n");
	sb_printf(&cfg, "    \"fixed_point\": \"the core (and training) runs this filter in Q32.32 with P scaled by 2^%u; a float64 implementation of the algorithm above agrees within 5e-5 units (tests/unit/test_kalman.c bound)\"\n  },\n",
		  pm->kf.cs);
	if (m && sys == TMNET_SYS_B) {
		sb_printf(&cfg, "  \"gate\": {\n    \"eps\": ");
		sb_num(&cfg, m->gate.eps_q16 / 65536.0);
		sb_printf(&cfg, ",\n    \"budget_macs\": %u,\n    \"chi2\": ", m->gate.budget);
		sb_num(&cfg, m->gate.chi2_q16 / 65536.0);
		sb_printf(&cfg, ",\n    \"cov_scale\": ");
		sb_num(&cfg, m->gate.cov_scale_q16 / 65536.0);
		sb_printf(&cfg, ",\n    \"floor_xx\": ");
		sb_num(&cfg, m->gate.floor_xx / 4294967296.0);
		sb_printf(&cfg, ",\n    \"floor_xy\": ");
		sb_num(&cfg, m->gate.floor_xy / 4294967296.0);
		sb_printf(&cfg, ",\n    \"floor_yy\": ");
		sb_num(&cfg, m->gate.floor_yy / 4294967296.0);
		sb_printf(&cfg, ",\n    \"sat_limit\": %u\n  },\n", m->gate.sat_limit);
	}
	sb_printf(&cfg, "  \"onnx\": {\"file\": \"model.onnx\", \"opset\": %d, \"ir_version\": %d, \"inputs\": [\"features [1, %u] raw\", \"base [1, 2]\", \"h_in [1, 1, %u]\"], \"outputs\": [\"position [1, 2]\", \"displacement [1, 2]\", \"h_out [1, 1, %u]\"]},\n",
		  TMN_ONNX_OPSET, TMN_ONNX_IR_VERSION, F, H, H);
	sb_printf(&cfg, "  \"reference_implementation\": \"tests/export/torch_check.py (the model card's Python snippet)\",\n");
	sb_printf(&cfg, "  \"training\": {\n    \"seed\": %llu,\n    \"epochs_done\": %u,\n    \"best_epoch\": %u,\n    \"best_val_mse_normalised\": ",
		  (unsigned long long)mf->h.seed, mf->h.epochs_done, mf->h.best_epoch);
	sb_num(&cfg, mf->h.best_val);
	sb_printf(&cfg, ",\n    \"val_mse_per_epoch\": [");
	for (unsigned int i = 0; i < mf->h.epochs_done && i < 64; i++) {
		sb_printf(&cfg, "%s", i ? ", " : "");
		sb_num(&cfg, mf->h.val_hist[i]);
	}
	sb_printf(&cfg, "],\n    \"bptt_window_ticks\": %u,\n    \"burn_in_ticks\": %u,\n    \"data_samples\": %llu,\n    \"train_seconds\": ",
		  mf->h.window, mf->h.burn, (unsigned long long)mf->h.data_n);
	sb_num(&cfg, mf->h.train_seconds);
	sb_printf(&cfg, "\n  }\n}\n");
	if (cfg.oom) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (write_file(out_dir, "config.json", cfg.s, cfg.n, err, errlen))
		goto out;
	if (write_file(out_dir, "tmnet_torch.py", torch_snippet, strlen(torch_snippet), err, errlen))
		goto out;
	if (!quiet)
		fprintf(stderr, "export: %s/{config.json,tmnet_torch.py}\n", out_dir);
	rc = 0;
out:
	free(cfg.s);
	free(head_w);
	free(pm);
	return rc;
}

int tmn_export_hf(const struct tmn_export_opts *o, int quiet, char *err, int errlen)
{
	static struct tm_model m;
	struct tmn_model_f mf;
	struct sbuf card = { 0 };
	struct evalm ev;
	char crc[16], nbuf[64], *eval_clean = NULL;
	const char *lic = o->license ? o->license : "gpl-2.0";
	void *blob = NULL;
	__u32 blen = 0;
	int rc = -1;
	unsigned int F, H;
	time_t now = time(NULL);
	char date[32];

	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
	if (tmq_read_blob_file(o->model_path, &m, &blob, &blen, err, errlen))
		return -1;
	if (m.system == TMNET_SYS_PRIOR) {
		free(blob);
		return fail(err, errlen, "%s is a prior-only model: there are no network weights to export",
			    o->model_path);
	}
	if (tmn_ckpt_load(o->ckpt_path, &mf, err, errlen)) {
		free(blob);
		return -1;
	}
	F = mf.h.F;
	H = mf.h.H;
	if (mf.h.norm.extra != TMN_EXTRA_NONE) {
		fail(err, errlen,
		     "%s is a --b-extra checkpoint: it has no INT8 blob to publish; tmnet export-onnx --ckpt %s writes its float export (model.onnx, model.safetensors, config.json)",
		     o->ckpt_path, o->ckpt_path);
		goto out;
	}
	if (mf.h.system != m.system || F != m.n_feat || H != m.hidden ||
	    mf.h.rate_hz != m.rate_hz || mf.h.horizon != m.horizon_ticks) {
		fail(err, errlen,
		     "%s (system %s, F=%u H=%u, %u Hz, horizon %u) is not the checkpoint of %s (system %s, F=%u H=%u, %u Hz, horizon %u)",
		     o->ckpt_path, sys_name(mf.h.system), F, H, mf.h.rate_hz, mf.h.horizon,
		     o->model_path, sys_name(m.system), m.n_feat, m.hidden, m.rate_hz,
		     m.horizon_ticks);
		goto out;
	}
	snprintf(crc, sizeof(crc), "%08x", m.crc32);
	if (!o->eval_json) {
		fail(err, errlen, "no eval results: the model card needs measured metrics");
		goto out;
	}
	if (eval_parse(o->eval_json, &ev, err, errlen))
		goto out;
	if (strcmp(ev.crc, crc)) {
		fail(err, errlen, "the eval JSON is for the model with crc32 %s, not %s (crc32 %s)",
		     ev.crc, o->model_path, crc);
		goto out;
	}
	eval_clean = json_sanitize(o->eval_json);
	if (!eval_clean) {
		fail(err, errlen, "out of memory");
		goto out;
	}

	snprintf(nbuf, sizeof(nbuf), "%s", m.name);
	/* model.safetensors, model.onnx, config.json */
	if (tmn_export_float(&mf, &m, nbuf, o->out_dir, quiet, err, errlen))
		goto out;

	/* the INT8 blob, byte for byte */
	if (write_file(o->out_dir, "model.tmn", blob, blen, err, errlen))
		goto out;
	if (!quiet)
		fprintf(stderr, "export-hf: %s/model.tmn (INT8 kernel model, %u bytes, crc32 %s)\n",
			o->out_dir, blen, crc);
	if (write_file(o->out_dir, "eval.json", eval_clean, strlen(eval_clean), err, errlen))
		goto out;
	if (o->recipe && write_file(o->out_dir, "recipe.txt", o->recipe, strlen(o->recipe), err, errlen))
		goto out;


	/* README.md: the model card */
	sb_printf(&card, "---\nlicense: %s\nlibrary_name: tmnet\npipeline_tag: time-series-forecasting\n", lic);
	sb_printf(&card, "tags:\n- tmnet\n- trajectory-prediction\n- time-series-forecasting\n- gru\n- int8\n- linux-kernel\n- real-time\n- safetensors\n");
	sb_printf(&card, "model-index:\n- name: %s\n  results:\n  - task:\n      type: time-series-forecasting\n      name: 2-D position %g ms ahead at %u Hz\n",
		  nbuf, 1e3 * m.horizon_ticks / m.rate_hz, m.rate_hz);
	sb_printf(&card, "    dataset:\n      type: tmnet-trajectories\n      name: \"");
	sb_jstr(&card, o->data_desc ? o->data_desc : "tmnet data");
	sb_printf(&card, "\"\n      split: %s\n    metrics:\n", ev.split[0] ? ev.split : "test");
	{
		/* tmnet eval reports in the recording's units when the data has them */
		const char *eu = m.units.scale_f64[0] || m.units.scale_f64[1] ?
				 "recording units" : "data units";
		char l[4][96];

		snprintf(l[0], sizeof(l[0]), "P50 Euclidean error, %s (INT8 core, published)", eu);
		snprintf(l[1], sizeof(l[1]), "P90 Euclidean error, %s (INT8 core, published)", eu);
		snprintf(l[2], sizeof(l[2]), "P99 Euclidean error, %s (INT8 core, published)", eu);
		snprintf(l[3], sizeof(l[3]), "MSE, %s squared (INT8 core, published)", eu);
		card_metric(&card, "p50_error", l[0], ev.p50);
		card_metric(&card, "p90_error", l[1], ev.p90);
		card_metric(&card, "p99_error", l[2], ev.p99);
		card_metric(&card, "mse", l[3], ev.mse);
	}
	card_metric(&card, "prior_p99_error", "P99 Euclidean error of the Kalman prior alone", ev.pr_p99);
	card_metric(&card, "p99_ratio_vs_prior", "P99 error / prior P99 error", ev.p99 / ev.pr_p99);
	if (ev.have_pass)
		card_metric(&card, "gate_pass_rate", "fraction of ticks whose network output passed the gate", ev.pass);
	if (ev.have_i8)
		card_metric(&card, "int8_vs_float_mse_pct", "INT8 vs float MSE difference, percent", ev.i8pct);
	sb_printf(&card, "---\n\n# %s: a tmnet System %s trajectory predictor\n\n", nbuf, sys_name(m.system));
	sb_printf(&card,
		  "A GRU (hidden %u, %u inputs per tick) that predicts where a moving 2-D point\n"
		  "will be %g ms (%u ticks) ahead, once per tick at %u Hz. It is made to run\n"
		  "inside the Linux kernel module **tmnet**, in INT8 fixed point, on a hard-IRQ\n"
		  "hrtimer: `model.tmn` is exactly the blob the kernel loads; `model.safetensors`\n"
		  "holds the float weights it was quantised from.\n\n",
		  H, F, 1e3 * m.horizon_ticks / m.rate_hz, m.horizon_ticks, m.rate_hz);
	if (m.system == TMNET_SYS_B)
		sb_printf(&card,
			  "System B: a constant-velocity Kalman filter (fixed point, in the kernel)\n"
			  "gives a prior for the horizon position; the network predicts a residual\n"
			  "over it, and a chi-squared gate with a certified solve accepts the\n"
			  "correction or falls back to the prior.\n\n");
	else
		sb_printf(&card,
			  "System A: the network predicts the horizon position relative to the last\n"
			  "sample directly (no gate).\n\n");
	sb_printf(&card, "## Files\n\n| file | what |\n|---|---|\n"
		  "| `model.safetensors` | float32 weights, PyTorch `nn.GRU` + `nn.Linear` names and layout |\n"
		  "| `model.tmn` | the INT8 model for the kernel (%u bytes, crc32 `%s`) |\n"
		  "| `model.onnx` | the same float network as one ONNX streaming step (opset %d: normalisation, GRU, head, output scale) |\n"
		  "| `config.json` | feature definitions, normalisation, output scale, Kalman prior (and its float algorithm), gate, training facts |\n"
		  "| `tmnet_torch.py` | the PyTorch reference below, as a file |\n"
		  "| `eval.json` | `tmnet eval -j` output these metrics come from |\n%s\n",
		  blen, crc, TMN_ONNX_OPSET,
		  o->recipe ? "| `recipe.txt` | the exact commands that produced the model |\n" : "");
	sb_printf(&card, "## Evaluation (measured)\n\n"
		  "`tmnet eval` runs the same fixed-point core the kernel runs, tick by tick,\n"
		  "over the %s split (%.0f scored ticks). Errors are Euclidean distances to the\n"
		  "measured position %g ms later, in the data's units.\n\n"
		  "| predictor | MSE | P50 | P90 | P99 |\n|---|---|---|---|---|\n"
		  "| tmnet (published, INT8) | %.4g | %.4g | %.4g | %.4g |\n"
		  "| Kalman prior alone | %.4g | %.4g | %.4g | %.4g |\n\n",
		  ev.split[0] ? ev.split : "test", ev.scored, 1e3 * m.horizon_ticks / m.rate_hz,
		  ev.mse, ev.p50, ev.p90, ev.p99, ev.pr_mse, ev.pr_p50, ev.pr_p90, ev.pr_p99);
	if (ev.have_pass)
		sb_printf(&card, "Gate pass rate: %.2f %% of the gate's decisions on the %s split. ", 100 * ev.pass,
			  ev.split[0] ? ev.split : "test");
	if (ev.have_i8)
		sb_printf(&card, "INT8 vs float MSE: %+.3f %%.", ev.i8pct);
	sb_printf(&card, "\n\nData: %s.\n\n", o->data_desc ? o->data_desc : "not stated");
	if (m.system == TMNET_SYS_B) {
		double c = m.gate.cov_scale_q16 / 65536.0;

		sb_printf(&card, "### What a gate pass proves\n\n"
			  "With P_h the prior's horizon position covariance, the gate tests the\n"
			  "correction r against S = cov_scale P_h + floor, cov_scale = %.4g, floor =\n"
			  "[[%.3g, %.3g], [%.3g, %.3g]] units^2: a pass is a certified proof (in the\n"
			  "fixed-point system) that r' S^-1 r <= %.4g. The accepted ellipse is the\n"
			  "prior's own 99 %% ellipse scaled by sqrt(cov_scale) = %.3g in every\n"
			  "direction, enlarged further by the floor (most where P_h is small); it is\n"
			  "not the prior's 99 %% ellipse. A pass bounds how far the network may move\n"
			  "the prediction, at no less than %.3g times the radius the prior itself\n"
			  "calls plausible. cov_scale was fitted by `tmnet quantize` so that a\n"
			  "target share (default 98 %%) of the float network's *training* corrections\n"
			  "pass, so a high pass rate on training data holds by construction; the rate\n"
			  "above is measured on the %s split. A gross fault such as the kernel's\n"
			  "corrupt-network test (+64 normalised units = %.4g data units) is rejected by\n"
			  "any such gate; smaller errors of the network inside the scaled ellipse pass.\n\n",
			  c, m.gate.floor_xx / 4294967296.0, m.gate.floor_xy / 4294967296.0,
			  m.gate.floor_xy / 4294967296.0, m.gate.floor_yy / 4294967296.0,
			  m.gate.chi2_q16 / 65536.0, sqrt(c), sqrt(c), ev.split[0] ? ev.split : "test",
			  64 * mf.h.norm.out_scale);
	}
	sb_printf(&card, "## Training recipe\n\n"
		  "Float GRU trained by `tmnet train` (C, OpenBLAS): Adam, truncated BPTT over\n"
		  "%u-tick windows with %u burn-in ticks, MSE plus a smoothness penalty, gradient\n"
		  "clipping, early stopping on the validation split; then `tmnet quantize`\n"
		  "(per-row INT8 weights, calibrated input range, gate fitted on training data).\n\n"
		  "- seed %llu; %u epochs run, best on validation at epoch %u (val MSE %.5g, normalised)\n"
		  "- trained on %llu samples at %u Hz; %.1f s of training wall time\n"
		  "- temporal 70/15/15 split with a gap of at least the horizon between parts\n\n",
		  mf.h.window, mf.h.burn, (unsigned long long)mf.h.seed, mf.h.epochs_done,
		  mf.h.best_epoch, mf.h.best_val, (unsigned long long)mf.h.data_n, mf.h.rate_hz,
		  mf.h.train_seconds);
	if (o->recipe) {
		sb_printf(&card, "Exact commands (`recipe.txt`):\n\n```sh\n%s%s```\n\n", o->recipe,
			  o->recipe[0] && o->recipe[strlen(o->recipe) - 1] == '\n' ? "" : "\n");
	}
	sb_printf(&card, "## Use\n\n"
		  "In the kernel (see tmnet(4) and tmnetctl(8)):\n\n"
		  "```sh\nsudo modprobe tmnet\nsudo tmnetctl model load model.tmn\nsudo tmnetctl start\n```\n\n"
		  "In PyTorch: `tmnet_torch.py` (quoted here) rebuilds `torch.nn.GRU` +\n"
		  "`nn.Linear` from `model.safetensors` and `config.json` alone and streams raw\n"
		  "samples tick by tick: the features, the normalisation, the output scale and\n"
		  "(System B) the Kalman prior, all as `config.json` defines them. tmnet's test\n"
		  "suite runs this exact text against the C float network on every tick of a\n"
		  "recording, for System A, System B and the `--b-extra` networks.\n"
		  "`python3 tmnet_torch.py . < recording.csv` prints `defined,x,y` per tick.\n\n"
		  "```python\n%s```\n\n"
		  "With ONNX Runtime: `model.onnx` (opset %d) is one tick of the same network,\n"
		  "normalisation and output scale included: inputs `features` [1, %u] (the raw\n"
		  "per-tick features, as `Features.step` above computes them), `base` [1, 2] and\n"
		  "`h_in` [1, 1, %u] (zeros at the start); outputs `position`, `displacement` and\n"
		  "`h_out`, which is the next tick's `h_in`. The GRU is the standard ONNX operator\n"
		  "(gates reordered to ONNX's z, r, h; `linear_before_reset` = 1).\n\n",
		  torch_snippet, TMN_ONNX_OPSET, F, H);
	sb_printf(&card, "## Limitations and biases\n\n"
		  "- It predicts what it was trained on. The metrics above hold for data like\n"
		  "  the evaluation data (%s); other motion (other speeds, units,\n"
		  "  sample rates, noise) needs its own training and evaluation.\n"
		  "- Inputs must arrive at %u Hz in the data's units; the normalisation is fixed\n"
		  "  in the blob. Gaps longer than %d ticks make the kernel fall back to the prior.\n"
		  "- A synthetic training mix has no human intent, contacts or occlusion; it\n"
		  "  under-represents rare manoeuvres, and the error tails (P99) are where a\n"
		  "  model trained on it is least reliable.\n"
		  "- %s"
		  "- The float weights are a reference: the kernel runs the INT8 blob, whose\n"
		  "  results are the ones measured above.\n"
		  "- Not for safety-critical control without an independent check.\n\n",
		  o->data_desc ? o->data_desc : "see above", m.rate_hz, mf.h.kalman.stale_ticks,
		  m.system == TMNET_SYS_B ? "The gate bounds how far the network may move the prediction from the\n"
		  "  Kalman prior; when the prior is wrong and the gate rejects, the error is\n  the prior's.\n" :
		  "System A has no gate: a bad network output is published as it is.\n");
	sb_printf(&card, "## Publish\n\nNothing was uploaded. To push it, run this in the export directory\n"
		  "(once: `pip install huggingface_hub` and `huggingface-cli login`):\n\n"
		  "```sh\nhuggingface-cli upload %s . . --repo-type model\n```\n\n",
		  o->repo_id ? o->repo_id : "YOUR-NAME/tmnet-model");
	sb_printf(&card, "## Citation\n\n```bibtex\n@software{tmnet,\n"
		  "  title  = {tmnet: a 2 kHz trajectory predictor in the Linux kernel},\n"
		  "  author = {{The tmnet authors}},\n  year   = {%.4s},\n"
		  "  note   = {model %s, crc32 %s, exported %s}\n}\n```\n",
		  date, nbuf, crc, date);
	if (card.oom) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (write_file(o->out_dir, "README.md", card.s, card.n, err, errlen))
		goto out;
	if (!quiet)
		fprintf(stderr, "export-hf: %s/{config.json,README.md,eval.json%s}\n", o->out_dir,
			o->recipe ? ",recipe.txt" : "");
	rc = 0;
out:
	free(card.s);
	free(eval_clean);
	free(blob);
	tmn_model_f_free(&mf);
	return rc;
}
