// SPDX-License-Identifier: GPL-2.0
/*
 * ONNX model writer (see tmn_onnx.h for the graph).
 *
 * A minimal protobuf encoder: every message is built in its own growing
 * buffer and then embedded in its parent as a length-delimited field
 * (wire type 2), so lengths are always known when written.  Only the wire
 * types ONNX needs here are used: varint (0) for integers and enums,
 * 32-bit (5) for a float attribute, length-delimited (2) for strings,
 * bytes and sub-messages.  Repeated scalars (TensorProto.dims) are written
 * unpacked, which every protobuf parser accepts.
 *
 * Field numbers (onnx/onnx.proto):
 *   ModelProto      1 ir_version, 2 producer_name, 3 producer_version,
 *                   5 model_version, 6 doc_string, 7 graph, 8 opset_import,
 *                   14 metadata_props
 *   OperatorSetId   1 domain, 2 version
 *   StringString    1 key, 2 value
 *   GraphProto      1 node, 2 name, 5 initializer, 10 doc_string, 11 input,
 *                   12 output
 *   NodeProto       1 input, 2 output, 3 name, 4 op_type, 5 attribute
 *   AttributeProto  1 name, 3 i, 20 type (INT = 2)
 *   TensorProto     1 dims, 2 data_type (FLOAT = 1, INT64 = 7), 8 name,
 *                   9 raw_data (little-endian)
 *   ValueInfoProto  1 name, 2 type
 *   TypeProto       1 tensor_type { 1 elem_type, 2 shape { 1 dim { 1 dim_value } } }
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmn_onnx.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tmn_onnx writes raw_data by memcpy: port it for big-endian hosts"
#endif

struct pb {
	uint8_t *b;
	size_t n, cap;
	int oom;
};

static void pb_raw(struct pb *p, const void *d, size_t n)
{
	if (p->oom)
		return;
	if (p->n + n > p->cap) {
		size_t nc = p->cap ? p->cap : 256;
		uint8_t *nb;

		while (nc < p->n + n)
			nc *= 2;
		nb = realloc(p->b, nc);
		if (!nb) {
			p->oom = 1;
			return;
		}
		p->b = nb;
		p->cap = nc;
	}
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void pb_varint(struct pb *p, uint64_t v)
{
	uint8_t t[10];
	size_t k = 0;

	do {
		t[k] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			t[k] |= 0x80;
		k++;
	} while (v);
	pb_raw(p, t, k);
}

static void pb_key(struct pb *p, unsigned int field, unsigned int wt)
{
	pb_varint(p, (uint64_t)field << 3 | wt);
}

/* int64/int32/enum field; negative values as ten-byte two's complement */
static void pb_int(struct pb *p, unsigned int field, int64_t v)
{
	pb_key(p, field, 0);
	pb_varint(p, (uint64_t)v);
}

static void pb_bytes(struct pb *p, unsigned int field, const void *d, size_t n)
{
	pb_key(p, field, 2);
	pb_varint(p, n);
	pb_raw(p, d, n);
}

static void pb_str(struct pb *p, unsigned int field, const char *s)
{
	pb_bytes(p, field, s, strlen(s));
}

/* embed sub as a message field and free it */
static void pb_msg(struct pb *p, unsigned int field, struct pb *sub)
{
	if (sub->oom)
		p->oom = 1;
	else
		pb_bytes(p, field, sub->b ? sub->b : (const uint8_t *)"", sub->n);
	free(sub->b);
	memset(sub, 0, sizeof(*sub));
}

/* ---- ONNX messages ---------------------------------------------------------- */

enum { ONNX_FLOAT = 1, ONNX_INT64 = 7 };
enum { ONNX_ATTR_INT = 2 };

static void tensor(struct pb *graph, const char *name, int dtype, const int64_t *dims, int nd,
		   const void *data, size_t nbytes)
{
	struct pb t = { 0 };

	for (int i = 0; i < nd; i++)
		pb_int(&t, 1, dims[i]);
	pb_int(&t, 2, dtype);
	pb_str(&t, 8, name);
	pb_bytes(&t, 9, data, nbytes);
	pb_msg(graph, 5, &t);
}

static void tensor_f32(struct pb *graph, const char *name, const int64_t *dims, int nd,
		       const float *v)
{
	size_t cnt = 1;

	for (int i = 0; i < nd; i++)
		cnt *= (size_t)dims[i];
	tensor(graph, name, ONNX_FLOAT, dims, nd, v, cnt * sizeof(float));
}

static void value_info(struct pb *graph, unsigned int field, const char *name,
		       const int64_t *dims, int nd)
{
	struct pb vi = { 0 }, tp = { 0 }, tt = { 0 }, sh = { 0 };

	for (int i = 0; i < nd; i++) {
		struct pb d = { 0 };

		pb_int(&d, 1, dims[i]);
		pb_msg(&sh, 1, &d);
	}
	pb_int(&tt, 1, ONNX_FLOAT);
	pb_msg(&tt, 2, &sh);
	pb_msg(&tp, 1, &tt);
	pb_str(&vi, 1, name);
	pb_msg(&vi, 2, &tp);
	pb_msg(graph, field, &vi);
}

struct attr_i {
	const char *name;
	int64_t v;
};

/* inputs/outputs NULL-terminated; "" is an omitted optional input */
static void node(struct pb *graph, const char *name, const char *op, const char *const *in,
		 const char *const *out, const struct attr_i *at, int nat)
{
	struct pb n = { 0 };

	for (; *in; in++)
		pb_str(&n, 1, *in);
	for (; *out; out++)
		pb_str(&n, 2, *out);
	pb_str(&n, 3, name);
	pb_str(&n, 4, op);
	for (int i = 0; i < nat; i++) {
		struct pb a = { 0 };

		pb_str(&a, 1, at[i].name);
		pb_int(&a, 3, at[i].v);
		pb_int(&a, 20, ONNX_ATTR_INT);
		pb_msg(&n, 5, &a);
	}
	pb_msg(graph, 1, &n);
}

/* PyTorch gate block k (0 r, 1 z, 2 n) of ONNX block j (0 z, 1 r, 2 h) */
static int torch_block(int j)
{
	static const int map[3] = { 1, 0, 2 };

	return map[j];
}

int tmn_onnx_write(const char *path, const struct tmn_gru *g, const struct tmn_norm *nm,
		   const char *const *meta, char *err, int errlen)
{
	const int F = g->F, H = g->H;
	const float clip = (float)(127.0 / (1 << nm->in_frac));
	struct pb model = { 0 }, graph = { 0 }, ops = { 0 };
	float *W = malloc((size_t)3 * H * F * sizeof(float));
	float *R = malloc((size_t)3 * H * H * sizeof(float));
	float *B = malloc((size_t)6 * H * sizeof(float));
	float *hw = malloc((size_t)2 * H * sizeof(float));
	float mean[TMNET_MAX_FEATURES], istd[TMNET_MAX_FEATURES];
	float lo = -clip, hi = clip, osc = (float)nm->out_scale;
	FILE *f;
	int rc = -1;

	if (!W || !R || !B || !hw) {
		snprintf(err, (size_t)errlen, "out of memory");
		goto out;
	}
	if (F != nm->F || F > TMNET_MAX_FEATURES) {
		snprintf(err, (size_t)errlen, "network has %d inputs, normalisation %d", F, nm->F);
		goto out;
	}
	for (int k = 0; k < F; k++) {
		mean[k] = (float)nm->mean[k];
		istd[k] = (float)(1.0 / nm->std[k]);
	}
	for (int j = 0; j < 3; j++) {
		int t = torch_block(j);

		memcpy(W + (size_t)j * H * F, g->w_ih + (size_t)t * H * F, (size_t)H * F * sizeof(float));
		memcpy(R + (size_t)j * H * H, g->w_hh + (size_t)t * H * H, (size_t)H * H * sizeof(float));
		memcpy(B + (size_t)j * H, g->b_ih + (size_t)t * H, (size_t)H * sizeof(float));
		memcpy(B + (size_t)(3 + j) * H, g->b_hh + (size_t)t * H, (size_t)H * sizeof(float));
	}
	for (int i = 0; i < 2 * H; i++)
		hw[i] = g->head_gain * g->w_out[i];

	{
		const int64_t d1F[2] = { 1, F }, d12[2] = { 1, 2 }, d11H[3] = { 1, 1, H };
		const int64_t dW[3] = { 1, 3 * H, F }, dR[3] = { 1, 3 * H, H }, dB[2] = { 1, 6 * H };
		const int64_t dhw[2] = { 2, H }, d2[1] = { 2 }, d1[1] = { 1 }, d3[1] = { 3 };
		const int64_t xshape[3] = { 1, 1, F }, hshape[2] = { 1, H };
		const struct attr_i gru_at[2] = { { "hidden_size", H }, { "linear_before_reset", 1 } };
		const struct attr_i gemm_at[1] = { { "transB", 1 } };

		pb_str(&graph, 2, "tmnet_gru_step");
		tensor_f32(&graph, "norm_mean", d1F, 2, mean);
		tensor_f32(&graph, "norm_inv_std", d1F, 2, istd);
		tensor_f32(&graph, "clip_lo", NULL, 0, &lo);
		tensor_f32(&graph, "clip_hi", NULL, 0, &hi);
		tensor(&graph, "x_shape", ONNX_INT64, d3, 1, xshape, sizeof(xshape));
		tensor_f32(&graph, "gru_W", dW, 3, W);
		tensor_f32(&graph, "gru_R", dR, 3, R);
		tensor_f32(&graph, "gru_B", dB, 2, B);
		tensor(&graph, "h_shape", ONNX_INT64, d2, 1, hshape, sizeof(hshape));
		tensor_f32(&graph, "head_weight", dhw, 2, hw);
		tensor_f32(&graph, "head_bias", d2, 1, g->b_out);
		tensor_f32(&graph, "out_scale", d1, 1, &osc);

		node(&graph, "centre", "Sub", (const char *[]){ "features", "norm_mean", NULL },
		     (const char *[]){ "feat_c", NULL }, NULL, 0);
		node(&graph, "scale", "Mul", (const char *[]){ "feat_c", "norm_inv_std", NULL },
		     (const char *[]){ "z", NULL }, NULL, 0);
		node(&graph, "clip", "Clip", (const char *[]){ "z", "clip_lo", "clip_hi", NULL },
		     (const char *[]){ "z_clip", NULL }, NULL, 0);
		node(&graph, "to_seq", "Reshape", (const char *[]){ "z_clip", "x_shape", NULL },
		     (const char *[]){ "x_seq", NULL }, NULL, 0);
		node(&graph, "gru", "GRU",
		     (const char *[]){ "x_seq", "gru_W", "gru_R", "gru_B", "", "h_in", NULL },
		     (const char *[]){ "gru_Y", "h_out", NULL }, gru_at, 2);
		node(&graph, "h_flat", "Reshape", (const char *[]){ "h_out", "h_shape", NULL },
		     (const char *[]){ "h_2d", NULL }, NULL, 0);
		node(&graph, "head", "Gemm",
		     (const char *[]){ "h_2d", "head_weight", "head_bias", NULL },
		     (const char *[]){ "y_norm", NULL }, gemm_at, 1);
		node(&graph, "out_scale_mul", "Mul", (const char *[]){ "y_norm", "out_scale", NULL },
		     (const char *[]){ "displacement", NULL }, NULL, 0);
		node(&graph, "add_base", "Add", (const char *[]){ "base", "displacement", NULL },
		     (const char *[]){ "position", NULL }, NULL, 0);

		value_info(&graph, 11, "features", d1F, 2);
		value_info(&graph, 11, "base", d12, 2);
		value_info(&graph, 11, "h_in", d11H, 3);
		value_info(&graph, 12, "position", d12, 2);
		value_info(&graph, 12, "displacement", d12, 2);
		value_info(&graph, 12, "h_out", d11H, 3);
		pb_str(&graph, 10, "one tick of the tmnet float network: feed h_out back as h_in");
	}

	pb_int(&model, 1, TMN_ONNX_IR_VERSION);
	pb_str(&model, 2, "tmnet");
	pb_str(&model, 3, "1");
	pb_int(&model, 5, 1);
	pb_str(&model, 6, "tmnet GRU trajectory predictor, one streaming step per run (see config.json)");
	pb_msg(&model, 7, &graph);
	pb_int(&ops, 2, TMN_ONNX_OPSET);
	pb_msg(&model, 8, &ops);
	for (int i = 0; meta && meta[i] && meta[i + 1]; i += 2) {
		struct pb kv = { 0 };

		pb_str(&kv, 1, meta[i]);
		pb_str(&kv, 2, meta[i + 1]);
		pb_msg(&model, 14, &kv);
	}
	if (model.oom) {
		snprintf(err, (size_t)errlen, "out of memory");
		goto out;
	}
	f = fopen(path, "wb");
	if (!f) {
		snprintf(err, (size_t)errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fwrite(model.b, 1, model.n, f) != model.n) {
		fclose(f);
		snprintf(err, (size_t)errlen, "%s: write failed", path);
		goto out;
	}
	if (fclose(f)) {
		snprintf(err, (size_t)errlen, "%s: write failed", path);
		goto out;
	}
	rc = 0;
out:
	free(model.b);
	free(graph.b);
	free(ops.b);
	free(W);
	free(R);
	free(B);
	free(hw);
	return rc;
}
