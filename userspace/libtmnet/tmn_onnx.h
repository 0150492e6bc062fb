/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ONNX export of the float network (tmnet export-onnx, export-hf): one
 * streaming step per run.
 *
 *   inputs   features [1][F]   raw per-tick features, data units (config.json)
 *            base     [1][2]   last valid sample (System A) or the Kalman
 *                              prior's horizon position (System B)
 *            h_in     [1][1][H] GRU state from the previous run (zeros first)
 *   outputs  position     [1][2]  base + displacement, data units
 *            displacement [1][2]  out_scale * head(h), data units
 *            h_out        [1][1][H] the state to feed back
 *
 *   Sub(features, mean) -> Mul(., 1/std) -> Clip(-c, c) -> Reshape [1][1][F]
 *   -> GRU (linear_before_reset = 1; W, R, B reordered from PyTorch's r, z, n
 *   to ONNX's z, r, h) -> Reshape Y_h [1][H] -> Gemm (head, head_gain folded)
 *   -> Mul(out_scale) -> Add(base)
 *
 * Opset 17 (default domain), IR version 8; float32 throughout.
 *
 * The protobuf is written by the small encoder in tmn_onnx.c (wire format:
 * https://protobuf.dev/programming-guides/encoding/, messages and field
 * numbers from onnx/onnx.proto); the test checks it with python3-onnx's
 * checker and runs it with ONNX Runtime.
 */
#ifndef TMN_ONNX_H
#define TMN_ONNX_H

#include "tmn_gru.h"
#include "tmn_prep.h"

#define TMN_ONNX_OPSET		17
#define TMN_ONNX_IR_VERSION	8

/* metadata (key, value pairs, NULL-terminated, may be NULL) goes into metadata_props */
int tmn_onnx_write(const char *path, const struct tmn_gru *g, const struct tmn_norm *nm,
		   const char *const *meta, char *err, int errlen);

#endif /* TMN_ONNX_H */
