// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet export-hf: a real checkpoint (one short training run on generated
 * data) is exported; the safetensors file is parsed back, from the raw
 * bytes and with the strict reader, every tensor's shape is checked, and
 * the network the file describes (plain nn.GRU + nn.Linear, no head gain)
 * is run against the trained C float network (tmn_gru_step1 with the
 * checkpoint's head gain) tick by tick.  The reader must reject broken
 * files, and the export directory must hold the card, config, ONNX model,
 * blob and eval JSON of the same model.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tm_test.h"
#include "tmn_data.h"
#include "tmn_dataset.h"
#include "tmn_export.h"
#include "tmn_train.h"

static char dir[64];
static char csv[128], ckpt[128], blobp[128];
static struct tm_model model;

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (s) {
		s[n] = 0;
		if (len)
			*len = (size_t)n;
	}
	return s;
}

static void write_all(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* generated data -> one short training run -> checkpoint -> INT8 blob */
static int setup(void **state)
{
	struct tmn_gen_cfg gc;
	struct tmn_series d = { 0 };
	struct tmn_dataset ds;
	struct tmn_train_cfg c;
	struct tmn_ckpt_hdr hdr;
	struct tmn_train_result res;
	struct tmn_model_f mf;
	struct tmn_gru g;
	struct tmq_params p;
	static struct tmq_gru qg;
	char err[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tmnet-export-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(csv, sizeof(csv), "%s/d.csv", dir);
	snprintf(ckpt, sizeof(ckpt), "%s/m.ckpt", dir);
	snprintf(blobp, sizeof(blobp), "%s/m.tmn", dir);
	tmn_gen_default(&gc);
	gc.seconds = 30;
	gc.seed = 5;
	if (tmn_gen(&gc, &d, NULL) || tmn_csv_write(csv, &d, err, sizeof(err)))
		return -1;
	tmn_series_free(&d);
	if (tmn_dataset_load(&ds, csv, TMNET_SYS_B, NULL, 0, err, sizeof(err))) {
		fprintf(stderr, "# dataset: %s\n", err);
		return -1;
	}
	tmn_train_default(&c);
	c.system = TMNET_SYS_B;
	c.hidden = 8;
	c.epochs = 1;
	c.batch = 16;
	c.threads = 1;
	c.budget = 32;
	c.window = ds.window;
	c.ckpt = ckpt;
	c.quiet = 1;
	tmn_dataset_hdr(&ds, &hdr);
	if (tmn_train_run(&c, &hdr, &ds.xy[0], &ds.xy[1], &g, &res, err, sizeof(err))) {
		fprintf(stderr, "# train: %s\n", err);
		tmn_dataset_free(&ds);
		return -1;
	}
	tmn_gru_free(&g);
	tmn_dataset_free(&ds);

	if (tmn_ckpt_load(ckpt, &mf, err, sizeof(err)))
		return -1;
	tmq_params_default(&p);
	p.system = (int)mf.h.system;
	p.rate_hz = (int)mf.h.rate_hz;
	p.horizon_ticks = (int)mf.h.horizon;
	p.name = "export-test";
	for (unsigned int i = 0; i < mf.h.F; i++) {
		p.mean[i] = mf.h.norm.mean[i];
		p.std[i] = mf.h.norm.std[i];
	}
	p.out_scale[0] = p.out_scale[1] = mf.h.norm.out_scale;
	p.in_frac = mf.h.norm.in_frac;
	tmn_kalman_to_params(&mf.h.kalman, &p);
	tmn_gru_to_quant(&mf.g, &qg);
	if (tmq_quantize(&model, &qg, &p, err, sizeof(err)) ||
	    tmq_write_blob_file(blobp, &model, err, sizeof(err))) {
		fprintf(stderr, "# quantize: %s\n", err);
		tmn_model_f_free(&mf);
		return -1;
	}
	tmn_model_f_free(&mf);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * Load the six tensors of f into a plain network (head gain 1, as
 * nn.Linear computes) and stream both it and the trained network over the
 * same inputs: the outputs must agree on every tick.
 */
static void check_file_computes_trained(const struct tmn_st_file *f, const struct tmn_gru *trained)
{
	const char *names[6] = { "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0",
				 "gru.bias_hh_l0", "head.weight", "head.bias" };
	struct tmn_gru fg;
	float *dst[6];
	double h1[TMNET_MAX_HIDDEN] = { 0 }, h2[TMNET_MAX_HIDDEN] = { 0 }, maxrel = 0, maxout = 0;
	uint64_t seed = 12345;

	assert_int_equal(tmn_gru_init(&fg, trained->F, trained->H), 0);
	assert_true(fg.head_gain == 1.0f);
	dst[0] = fg.w_ih;
	dst[1] = fg.w_hh;
	dst[2] = fg.b_ih;
	dst[3] = fg.b_hh;
	dst[4] = fg.w_out;
	dst[5] = fg.b_out;
	for (int i = 0; i < 6; i++) {
		const struct tmn_st_tensor *t = tmn_st_find(f, names[i]);
		uint64_t cnt = t->shape[0] * (t->ndim == 2 ? t->shape[1] : 1);

		for (uint64_t k = 0; k < cnt; k++)
			dst[i][k] = tmn_st_f32(f, t, k);
	}
	for (int tick = 0; tick < 200; tick++) {
		float x[TMNET_MAX_FEATURES];
		double y1[2], y2[2];

		for (int k = 0; k < trained->F; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			x[k] = (float)((double)(seed >> 11) / 9007199254740992.0 * 4.0 - 2.0);
		}
		tmn_gru_step1(trained, h1, x, y1);
		tmn_gru_step1(&fg, h2, x, y2);
		for (int r = 0; r < 2; r++) {
			double d = fabs(y1[r] - y2[r]) / fmax(fabs(y1[r]), 1e-6);

			maxrel = fmax(maxrel, d);
			maxout = fmax(maxout, fabs(y1[r]));
		}
	}
	printf("# file vs trained network: 200 ticks, max relative difference %.3g (max |y| %.3g, head_gain %g)\n",
	       maxrel, maxout, (double)trained->head_gain);
	assert_true(maxout > 1e-3);	/* the comparison is not between zeros */
	assert_true(maxrel <= 1e-6);
	tmn_gru_free(&fg);
}

/* the six tensors, their PyTorch names and shapes, and what they compute */
static void test_roundtrip(void **state)
{
	struct tmn_model_f mf;
	struct tmn_st_in ts[6];
	struct tmn_st_file f;
	char err[512], path[160], *raw;
	float head_w[2 * TMNET_MAX_HIDDEN];
	size_t len;
	uint64_t hl;
	int n;

	(void)state;
	assert_int_equal(tmn_ckpt_load(ckpt, &mf, err, sizeof(err)), 0);
	/* the trainer's default: the head is head_gain W_out h + b with gain 8 */
	assert_true(mf.g.head_gain == 8.0f);
	n = tmn_export_gru_tensors(&mf.g, head_w, ts);
	assert_int_equal(n, 6);
	snprintf(path, sizeof(path), "%s/rt.safetensors", dir);
	assert_int_equal(tmn_st_write(path, ts, n, NULL, err, sizeof(err)), 0);

	/* raw bytes: u64 header length, JSON object, 8-aligned data */
	raw = read_all(path, &len);
	assert_non_null(raw);
	hl = le64((const unsigned char *)raw);
	assert_true(hl >= 2 && 8 + hl <= len);
	assert_int_equal((8 + hl) % 8, 0);
	assert_int_equal(raw[8], '{');
	assert_non_null(strstr(raw + 8, "\"gru.weight_ih_l0\":{\"dtype\":\"F32\""));
	assert_int_equal(len - 8 - hl, 4 * mf.g.np);	/* every parameter, once */
	/* the first tensor's bytes are the checkpoint's floats */
	assert_memory_equal(raw + 8 + hl, mf.g.w_ih, 3 * (size_t)mf.g.H * (size_t)mf.g.F * sizeof(float));
	free(raw);

	/* the strict reader */
	assert_int_equal(tmn_st_read(path, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 6);
	{
		/* expected from the checkpoint's own views, not from the exporter */
		const uint64_t H = (uint64_t)mf.g.H, F = (uint64_t)mf.g.F;
		float folded[2 * TMNET_MAX_HIDDEN];

		for (uint64_t k = 0; k < 2 * H; k++)
			folded[k] = mf.g.head_gain * mf.g.w_out[k];
		const struct {
			const char *name;
			const float *p;
			int ndim;
			uint64_t d0, d1;
		} want[6] = {
			{ "gru.weight_ih_l0", mf.g.w_ih, 2, 3 * H, F },
			{ "gru.weight_hh_l0", mf.g.w_hh, 2, 3 * H, H },
			{ "gru.bias_ih_l0", mf.g.b_ih, 1, 3 * H, 1 },
			{ "gru.bias_hh_l0", mf.g.b_hh, 1, 3 * H, 1 },
			{ "head.weight", folded, 2, 2, H },
			{ "head.bias", mf.g.b_out, 1, 2, 1 },
		};

		for (int i = 0; i < 6; i++) {
			const struct tmn_st_tensor *t = tmn_st_find(&f, want[i].name);
			uint64_t cnt = want[i].d0 * want[i].d1;

			assert_non_null(t);
			assert_string_equal(t->dtype, "F32");
			assert_int_equal(t->ndim, want[i].ndim);
			assert_int_equal(t->shape[0], want[i].d0);
			if (want[i].ndim == 2)
				assert_int_equal(t->shape[1], want[i].d1);
			assert_int_equal(t->end - t->begin, 4 * cnt);
			for (uint64_t k = 0; k < cnt; k++) {
				float v = tmn_st_f32(&f, t, k);

				assert_memory_equal(&v, &want[i].p[k], sizeof(float));
			}
		}
	}
	/* shapes as PyTorch has them for nn.GRU(F=6, H=8) + nn.Linear(8, 2) */
	assert_int_equal(tmn_st_find(&f, "gru.weight_ih_l0")->shape[0], 24);
	assert_int_equal(tmn_st_find(&f, "gru.weight_ih_l0")->shape[1], 6);
	assert_int_equal(tmn_st_find(&f, "gru.weight_hh_l0")->shape[1], 8);
	assert_int_equal(tmn_st_find(&f, "head.weight")->shape[0], 2);
	assert_int_equal(tmn_st_find(&f, "head.bias")->ndim, 1);
	check_file_computes_trained(&f, &mf.g);
	tmn_st_free(&f);
	tmn_model_f_free(&mf);
}

static void expect_reject(const char *name, const char *hdr, size_t datalen, const char *why)
{
	char path[160], err[512];
	size_t hl = strlen(hdr);
	unsigned char *buf = calloc(1, 8 + hl + datalen);
	struct tmn_st_file f;

	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)((uint64_t)hl >> (8 * i));
	memcpy(buf + 8, hdr, hl);
	snprintf(path, sizeof(path), "%s/%s.safetensors", dir, name);
	write_all(path, buf, 8 + hl + datalen);
	free(buf);
	err[0] = 0;
	assert_int_equal(tmn_st_read(path, &f, err, sizeof(err)), -1);
	if (!strstr(err, why)) {
		fprintf(stderr, "# %s: error '%s' lacks '%s'\n", name, err, why);
		fail();
	}
	assert_int_equal(f.n, 0);
}

static void test_reader_rejects(void **state)
{
	char path[160], err[512];
	struct tmn_st_file f;

	(void)state;
	/* a good one to start from */
	expect_reject("gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		      "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16, "gap");
	expect_reject("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap");
	expect_reject("shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
		      "disagree");
	expect_reject("beyond", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8,
		      "disagree");
	expect_reject("dtype", "{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
		      "unknown dtype");
	expect_reject("trailing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
		      "trailing");
	expect_reject("key", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"offsets\":[0,4]}}", 4,
		      "unknown");
	expect_reject("syntax", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4,
		      "bad header");
	expect_reject("negative", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
		      "non-negative");
	expect_reject("dup", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
		      "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2, "duplicate");

	/* header length beyond the file */
	snprintf(path, sizeof(path), "%s/short.safetensors", dir);
	write_all(path, "\xff\x00\x00\x00\x00\x00\x00\x00{}", 10);
	assert_int_equal(tmn_st_read(path, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fit"));
	write_all(path, "\x02\x00\x00", 3);
	assert_int_equal(tmn_st_read(path, &f, err, sizeof(err)), -1);

	/* and the minimal valid file is accepted, metadata included */
	snprintf(path, sizeof(path), "%s/ok.safetensors", dir);
	{
		const char *h = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"I8\",\"shape\":[],\"data_offsets\":[0,1]}}";
		unsigned char buf[256] = { 0 };
		size_t hl = strlen(h);

		buf[0] = (unsigned char)hl;
		memcpy(buf + 8, h, hl);
		buf[8 + hl] = 0x7f;
		write_all(path, buf, 8 + hl + 1);
		assert_int_equal(tmn_st_read(path, &f, err, sizeof(err)), 0);
		assert_int_equal(f.n, 1);
		assert_int_equal(f.n_meta, 1);
		assert_string_equal(f.meta[0][1], "v");
		assert_int_equal(f.t[0].ndim, 0);
		tmn_st_free(&f);
	}
}

static const char eval_fmt[] =
	"{\n  \"split\": \"test\",\n  \"models\": [\n    {\n"
	"      \"path\": \"m.tmn\", \"name\": \"export-test\", \"system\": \"B\", \"crc32\": \"%08x\",\n"
	"      \"scored_ticks\": 1234, \"ticks\": 1300,\n"
	"      \"published\": {\"mse\": 10.5, \"p50\": 2.25, \"p90\": 4.5, \"p99\": 7.75},\n"
	"      \"prior\": {\"mse\": 20, \"p50\": 3, \"p90\": 6, \"p99\": 9.5},\n"
	"      \"int8_vs_float_mse_pct\": 0.5,\n"
	"      \"gate\": {\"decisions\": 1300, \"pass\": 1200, \"pass_rate\": 0.923077, \"mean_cert\": nan}\n"
	"    }\n  ],\n  \"ratios\": {\"b_p99_over_a_p99\": nan}\n}\n";

static void test_export_dir(void **state)
{
	struct tmn_export_opts o = { 0 };
	struct tmn_model_f mf;
	struct tmn_st_file f;
	char err[1024], js[2048], path[200], *s, *blob_a, *blob_b;
	size_t la, lb;
	const struct tmn_st_tensor *t;

	(void)state;
	snprintf(js, sizeof(js), eval_fmt, model.crc32);
	o.model_path = blobp;
	o.ckpt_path = ckpt;
	o.out_dir = dir;
	o.eval_json = js;
	o.recipe = "tmnet train -d d.csv -S B -o m.ckpt\n";
	o.data_desc = "generated, seed 5";
	assert_int_equal(tmn_export_hf(&o, 1, err, sizeof(err)), 0);

	/* the card: YAML front matter with the eval's numbers */
	snprintf(path, sizeof(path), "%s/README.md", dir);
	s = read_all(path, NULL);
	assert_non_null(s);
	assert_int_equal(strncmp(s, "---\nlicense: gpl-2.0\n", 21), 0);
	assert_non_null(strstr(s, "model-index:\n- name: export-test\n"));
	assert_non_null(strstr(s, "type: p99_error\n      name: P99 Euclidean error, data units (INT8 core, published)\n      value: 7.75\n"));
	assert_non_null(strstr(s, "value: 0.923077\n"));
	assert_non_null(strstr(s, "\n---\n\n# export-test"));
	assert_non_null(strstr(s, "huggingface-cli upload"));
	assert_non_null(strstr(s, "## Limitations and biases"));
	assert_non_null(strstr(s, "## Citation"));
	assert_non_null(strstr(s, "tmnet train -d d.csv -S B -o m.ckpt"));
	free(s);

	/* config.json and eval.json (nan is not JSON: it becomes null) */
	snprintf(path, sizeof(path), "%s/config.json", dir);
	s = read_all(path, NULL);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"hidden_size\": 8,"));
	assert_non_null(strstr(s, "\"input_features\": 6,"));
	assert_non_null(strstr(s, "\"head_gain\": 8,\n    \"folded\": true"));
	assert_non_null(strstr(s, "\"out_scale\": "));
	assert_non_null(strstr(s, "\"clip\": 7.9375"));
	assert_non_null(strstr(s, "\"restart_var_units2\": "));
	assert_non_null(strstr(s, "\"prior_dx\": \"kalman_vx * horizon_gain_s"));
	assert_non_null(strstr(s, "\"cov_scale\": "));
	free(s);
	/* model.onnx: a protobuf ModelProto (field 1 ir_version = 8 first) */
	snprintf(path, sizeof(path), "%s/model.onnx", dir);
	s = read_all(path, &la);
	assert_non_null(s);
	assert_true(la > 4 * 3 * 8 * 8);
	assert_int_equal((unsigned char)s[0], 0x08);
	assert_int_equal((unsigned char)s[1], 8);
	assert_non_null(memmem(s, la, "linear_before_reset", 19));
	free(s);
	snprintf(path, sizeof(path), "%s/eval.json", dir);
	s = read_all(path, NULL);
	assert_non_null(s);
	assert_null(strstr(s, "nan"));
	assert_non_null(strstr(s, "\"mean_cert\": null"));
	free(s);

	/* the blob, byte for byte */
	snprintf(path, sizeof(path), "%s/model.tmn", dir);
	blob_a = read_all(path, &la);
	blob_b = read_all(blobp, &lb);
	assert_non_null(blob_a);
	assert_non_null(blob_b);
	assert_int_equal(la, lb);
	assert_memory_equal(blob_a, blob_b, la);
	free(blob_a);
	free(blob_b);

	/* model.safetensors holds the checkpoint's float weights */
	snprintf(path, sizeof(path), "%s/model.safetensors", dir);
	assert_int_equal(tmn_st_read(path, &f, err, sizeof(err)), 0);
	assert_int_equal(tmn_ckpt_load(ckpt, &mf, err, sizeof(err)), 0);
	t = tmn_st_find(&f, "gru.weight_hh_l0");
	assert_non_null(t);
	assert_int_equal(t->shape[0], 3 * mf.g.H);
	assert_int_equal(t->shape[1], mf.g.H);
	for (uint64_t k = 0; k < t->shape[0] * t->shape[1]; k++)
		assert_true(tmn_st_f32(&f, t, k) == mf.g.w_hh[k]);
	t = tmn_st_find(&f, "head.bias");
	assert_non_null(t);
	assert_true(tmn_st_f32(&f, t, 1) == mf.g.b_out[1]);
	assert_true(f.n_meta >= 1);
	check_file_computes_trained(&f, &mf.g);
	tmn_st_free(&f);
	tmn_model_f_free(&mf);
}

static void test_export_mismatch(void **state)
{
	struct tmn_export_opts o = { 0 };
	char err[1024], js[2048];

	(void)state;
	/* eval JSON of another model */
	snprintf(js, sizeof(js), eval_fmt, model.crc32 ^ 1);
	o.model_path = blobp;
	o.ckpt_path = ckpt;
	o.out_dir = dir;
	o.eval_json = js;
	assert_int_equal(tmn_export_hf(&o, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "crc32"));
	/* no eval at all */
	o.eval_json = NULL;
	assert_int_equal(tmn_export_hf(&o, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "measured"));
	/* not JSON from tmnet eval */
	o.eval_json = "{\"hello\": 1}";
	assert_int_equal(tmn_export_hf(&o, 1, err, sizeof(err)), -1);
	/* a checkpoint that is not a checkpoint */
	snprintf(js, sizeof(js), eval_fmt, model.crc32);
	o.eval_json = js;
	o.ckpt_path = blobp;
	assert_int_equal(tmn_export_hf(&o, 1, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_reader_rejects),
		cmocka_unit_test(test_export_dir),
		cmocka_unit_test(test_export_mismatch),
	};

	return cmocka_run_group_tests_name("export", tests, setup, teardown);
}
