/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Export of a trained predictor for a HuggingFace model repository:
 * a safetensors writer and a strict reader, and the directory writer behind
 * `tmnet export-hf` (model card, config.json, model.safetensors, the INT8
 * .tmn blob, the eval JSON and the training recipe).
 *
 * safetensors layout (https://github.com/huggingface/safetensors):
 *   u64 little-endian N | N bytes of JSON header | tensor bytes
 * The header maps each tensor name to {"dtype", "shape", "data_offsets":
 * [begin, end)} (offsets relative to the first byte after the header) plus
 * an optional "__metadata__" object of string values.  The writer pads the
 * header with spaces so that the data starts 8-byte aligned; tensors are
 * stored back to back in the order given, little-endian, row-major.
 */
#ifndef TMN_EXPORT_H
#define TMN_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "tmn_gru.h"
#include "tmn_train.h"

#define TMN_ST_MAX_DIMS		4
#define TMN_ST_NAME_LEN		64
#define TMN_ST_MAX_HEADER	(16u << 20)

/* One F32 tensor to write */
struct tmn_st_in {
	const char *name;
	const float *data;
	int ndim;
	uint64_t shape[TMN_ST_MAX_DIMS];
};

/*
 * Write tensors t[0..n) and metadata (meta[2i] = key, meta[2i + 1] = value,
 * NULL-terminated, may be NULL) to path.  Returns 0 or -1 with err set.
 */
int tmn_st_write(const char *path, const struct tmn_st_in *t, int n,
		 const char *const *meta, char *err, int errlen);

/* A parsed tensor */
struct tmn_st_tensor {
	char name[TMN_ST_NAME_LEN];
	char dtype[8];			/* "F32", "F64", "I8", ... */
	int ndim;
	uint64_t shape[TMN_ST_MAX_DIMS];
	uint64_t begin, end;		/* data_offsets */
};

struct tmn_st_file {
	uint64_t header_len;
	int n;
	struct tmn_st_tensor *t;
	int n_meta;
	char (*meta)[2][256];		/* key, value */
	uint8_t *data;			/* the byte buffer after the header */
	uint64_t data_len;
};

/*
 * Parse path strictly: header JSON syntax, known keys only, dtype sizes,
 * offsets inside the buffer, tensors contiguous and covering it exactly.
 * Returns 0 or -1 with err set (f is then empty).
 */
int tmn_st_read(const char *path, struct tmn_st_file *f, char *err, int errlen);
void tmn_st_free(struct tmn_st_file *f);
const struct tmn_st_tensor *tmn_st_find(const struct tmn_st_file *f, const char *name);
/* Element i of an F32 tensor (little-endian) */
float tmn_st_f32(const struct tmn_st_file *f, const struct tmn_st_tensor *t, uint64_t i);

/*
 * The float network as PyTorch names it (torch.nn.GRU + nn.Linear head):
 * gru.weight_ih_l0 [3H][F], gru.weight_hh_l0 [3H][H], gru.bias_ih_l0 [3H],
 * gru.bias_hh_l0 [3H], head.weight [2][H], head.bias [2].
 * head.weight is head_gain * W_out (written to head_w[2 * H], which must
 * outlive out[]): the network the file describes computes exactly what
 * the trainer's tmn_gru computes.  Fills out[6]; returns 6.
 */
int tmn_export_gru_tensors(const struct tmn_gru *g, float *head_w, struct tmn_st_in out[6]);

struct tm_model;
/*
 * The float export of a checkpoint: out_dir/model.safetensors (PyTorch
 * names, head gain folded), model.onnx (tmn_onnx.h) and config.json (the
 * features, normalisation, output scale, Kalman prior and its float
 * algorithm, horizon/window/rate; the gate when m is a B blob).  m (the INT8
 * blob of the same network) may be NULL: then no blob facts are written.
 */
int tmn_export_float(const struct tmn_model_f *mf, const struct tm_model *m, const char *name,
		     const char *out_dir, int quiet, char *err, int errlen);

struct tmn_export_opts {
	const char *model_path;		/* .tmn */
	const char *ckpt_path;		/* checkpoint of the same network */
	const char *out_dir;
	const char *eval_json;		/* `tmnet eval -j` output for this model */
	const char *recipe;		/* exact training commands (text), may be NULL */
	const char *data_desc;		/* what the eval/training data was */
	const char *license;		/* SPDX-ish HF licence id, default gpl-2.0 */
	const char *repo_id;		/* e.g. user/tmnet-default-B (for the card) */
};

/*
 * Write the export directory.  Checks that the checkpoint, the blob and the
 * eval JSON describe the same model (system, shape, rate, horizon, crc32).
 * Prints one line per file written to stderr unless quiet.
 */
int tmn_export_hf(const struct tmn_export_opts *o, int quiet, char *err, int errlen);

/*
 * Number after "key": inside the first object named obj in a JSON text
 * (obj NULL: anywhere).  Returns 0 and *out, or -1 (absent, null or nan).
 */
int tmn_json_num(const char *json, const char *obj, const char *key, double *out);

#endif /* TMN_EXPORT_H */
