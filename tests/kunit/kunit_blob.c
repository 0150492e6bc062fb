// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the model blob validator and writer.
 *
 * A table of single-field edits to a valid blob, each with the error the
 * validator must name; write/read round trips; and every single-byte
 * corruption of a system-B blob must be rejected.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "tmnet_kunit.h"

#define HOFF(f) offsetof(struct tmnet_blob_hdr, f)

struct blob_edit {
	const char *what;
	u32 system;		/* blob to edit: TMNET_SYS_PRIOR or _B */
	u32 off;		/* byte offset (tensor descs: from the table) */
	u32 width;		/* 1..8: little-endian value; more: fill bytes */
	s64 value;
	bool fix_crc;		/* recompute the CRC so semantics are reached */
	s32 len_delta;		/* pass len + len_delta to the validator */
	u32 want;		/* enum tmnet_blob_err */
};

#define TDESC(i, field) (sizeof(struct tmnet_blob_hdr) + \
			 (i) * sizeof(struct tmnet_tensor_desc) + \
			 offsetof(struct tmnet_tensor_desc, field))

static const struct blob_edit blob_edits[] = {
	{ "unchanged prior", TMNET_SYS_PRIOR, HOFF(magic), 4, TMNET_BLOB_MAGIC, true, 0,
	  TMNET_BLOB_OK },
	{ "unchanged B", TMNET_SYS_B, HOFF(magic), 4, TMNET_BLOB_MAGIC, true, 0,
	  TMNET_BLOB_OK },
	{ "short", TMNET_SYS_PRIOR, HOFF(magic), 4, TMNET_BLOB_MAGIC, false, -8,
	  TMNET_BLOB_E_SHORT },
	{ "magic", TMNET_SYS_PRIOR, HOFF(magic), 4, 0x12345678, true, 0,
	  TMNET_BLOB_E_MAGIC },
	{ "version", TMNET_SYS_PRIOR, HOFF(version), 2, TMNET_BLOB_VERSION_EXT + 1, true, 0,
	  TMNET_BLOB_E_VERSION },
	{ "hdr_size", TMNET_SYS_PRIOR, HOFF(hdr_size), 2, 256, true, 0,
	  TMNET_BLOB_E_HDR_SIZE },
	{ "total_size", TMNET_SYS_B, HOFF(total_size), 4, 8, true, 0,
	  TMNET_BLOB_E_SIZE },
	{ "trailing bytes", TMNET_SYS_B, HOFF(magic), 4, TMNET_BLOB_MAGIC, true, 8,
	  TMNET_BLOB_E_SIZE },
	{ "crc", TMNET_SYS_PRIOR, HOFF(rate_hz), 4, 1000, false, 0,
	  TMNET_BLOB_E_CRC },
	{ "system", TMNET_SYS_PRIOR, HOFF(system), 1, 3, true, 0,
	  TMNET_BLOB_E_SYSTEM },
	{ "prior with features", TMNET_SYS_PRIOR, HOFF(n_features), 1, 4, true, 0,
	  TMNET_BLOB_E_SHAPE },
	{ "B with 4 features", TMNET_SYS_B, HOFF(n_features), 1, 4, true, 0,
	  TMNET_BLOB_E_SHAPE },
	{ "B hidden 0", TMNET_SYS_B, HOFF(hidden), 1, 0, true, 0,
	  TMNET_BLOB_E_SHAPE },
	{ "B hidden too big", TMNET_SYS_B, HOFF(hidden), 1, TMNET_MAX_HIDDEN + 1, true, 0,
	  TMNET_BLOB_E_SHAPE },
	{ "rate low", TMNET_SYS_PRIOR, HOFF(rate_hz), 4, TMNET_MIN_RATE_HZ - 1, true, 0,
	  TMNET_BLOB_E_RATE },
	{ "rate high", TMNET_SYS_PRIOR, HOFF(rate_hz), 4, TMNET_MAX_RATE_HZ + 1, true, 0,
	  TMNET_BLOB_E_RATE },
	{ "horizon 0", TMNET_SYS_PRIOR, HOFF(horizon_ticks), 4, 0, true, 0,
	  TMNET_BLOB_E_HORIZON },
	{ "horizon too far", TMNET_SYS_PRIOR, HOFF(horizon_ticks), 4,
	  TMNET_MAX_HORIZON_TICKS + 1, true, 0, TMNET_BLOB_E_HORIZON },
	{ "window 0", TMNET_SYS_PRIOR, HOFF(window_ticks), 4, 0, true, 0,
	  TMNET_BLOB_E_HORIZON },
	{ "name unterminated", TMNET_SYS_PRIOR, HOFF(name), TMNET_NAME_LEN, 'A', true, 0,
	  TMNET_BLOB_E_NAME },
	{ "bytes after the name", TMNET_SYS_PRIOR, HOFF(name) + 30, 1, 'x', true, 0,
	  TMNET_BLOB_E_RESERVED },
	{ "inv_std 0", TMNET_SYS_B, HOFF(norm.inv_std), 4, 0, true, 0,
	  TMNET_BLOB_E_NORM },
	{ "unused feature norm", TMNET_SYS_B, HOFF(norm.mean) + 4 * 7, 4, 1, true, 0,
	  TMNET_BLOB_E_RESERVED },
	{ "out_scale 0", TMNET_SYS_B, HOFF(norm.out_scale), 4, 0, true, 0,
	  TMNET_BLOB_E_NORM },
	{ "in_frac 8", TMNET_SYS_B, HOFF(norm.in_frac), 4, 8, true, 0,
	  TMNET_BLOB_E_NORM },
	{ "norm padding", TMNET_SYS_PRIOR, HOFF(norm._pad), 4, 1, true, 0,
	  TMNET_BLOB_E_RESERVED },
	{ "qa not PSD", TMNET_SYS_PRIOR, HOFF(kalman.qa_xy), 8, 11 * TM_Q32_ONE, true, 0,
	  TMNET_BLOB_E_KALMAN },
	{ "r_x 0", TMNET_SYS_PRIOR, HOFF(kalman.r_x), 8, 0, true, 0,
	  TMNET_BLOB_E_KALMAN },
	{ "r_y negative", TMNET_SYS_PRIOR, HOFF(kalman.r_y), 8, -1, true, 0,
	  TMNET_BLOB_E_KALMAN },
	{ "p0_vel 0", TMNET_SYS_PRIOR, HOFF(kalman.p0_vel), 8, 0, true, 0,
	  TMNET_BLOB_E_KALMAN },
	{ "kalman padding", TMNET_SYS_PRIOR, HOFF(kalman._pad), 4, 1, true, 0,
	  TMNET_BLOB_E_RESERVED },
	{ "eps 0", TMNET_SYS_PRIOR, HOFF(gate.eps_q16), 4, 0, true, 0,
	  TMNET_BLOB_E_GATE },
	{ "budget too big", TMNET_SYS_PRIOR, HOFF(gate.budget), 4,
	  TMNET_GATE_BUDGET_MAX + 1, true, 0, TMNET_BLOB_E_GATE },
	{ "chi2 too big", TMNET_SYS_PRIOR, HOFF(gate.chi2_q16), 4,
	  TMNET_GATE_CHI2_MAX + 1, true, 0, TMNET_BLOB_E_GATE },
	{ "cov_scale 0", TMNET_SYS_PRIOR, HOFF(gate.cov_scale_q16), 4, 0, true, 0,
	  TMNET_BLOB_E_GATE },
	{ "gate floor not PSD", TMNET_SYS_PRIOR, HOFF(gate.floor_xy), 8, 1, true, 0,
	  TMNET_BLOB_E_GATE },
	{ "gate padding", TMNET_SYS_PRIOR, HOFF(gate._pad), 4, 1, true, 0,
	  TMNET_BLOB_E_RESERVED },
	{ "prior with a tensor", TMNET_SYS_PRIOR, HOFF(n_tensors), 4, 1, true, 0,
	  TMNET_BLOB_E_TABLE },
	{ "B tensor count", TMNET_SYS_B, HOFF(n_tensors), 4, 3, true, 0,
	  TMNET_BLOB_E_TABLE },
	{ "tensor table offset", TMNET_SYS_B, HOFF(tensor_off), 4, 272, true, 0,
	  TMNET_BLOB_E_TABLE },
	{ "unknown tensor id", TMNET_SYS_B, TDESC(0, id), 4, 99, true, 0,
	  TMNET_BLOB_E_TENSOR },
	{ "duplicate tensor", TMNET_SYS_B, TDESC(1, id), 4, TMNET_T_W_IH, true, 0,
	  TMNET_BLOB_E_TENSOR },
	{ "tensor dtype", TMNET_SYS_B, TDESC(0, dtype), 4, TMNET_DT_S32, true, 0,
	  TMNET_BLOB_E_TENSOR_SHAPE },
	{ "tensor rows", TMNET_SYS_B, TDESC(2, rows), 4, 1, true, 0,
	  TMNET_BLOB_E_TENSOR_SHAPE },
	{ "tensor misaligned", TMNET_SYS_B, TDESC(3, offset), 4, 0x1001, true, 0,
	  TMNET_BLOB_E_TENSOR },
	{ "tensor outside the blob", TMNET_SYS_B, TDESC(8, offset), 4, 0x8000, true, 0,
	  TMNET_BLOB_E_TENSOR },
};

static void blob_edit_desc(const struct blob_edit *e, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s -> %s", e->what, tm_blob_strerror(e->want));
}

KUNIT_ARRAY_PARAM(blob_edit, blob_edits, blob_edit_desc);

static void tm_blob_edits(struct kunit *test)
{
	const struct blob_edit *e = test->param_value;
	struct tm_model *src, *m;
	struct tm_blob_error err;
	u32 len, i;
	u8 *b, *buf;
	int ret;

	src = e->system == TMNET_SYS_B ? tmk_model_b(test, 8, 42) :
		tmk_model_prior(test, TMNET_DEFAULT_RATE_HZ);
	b = tmk_blob(test, src, &len);
	KUNIT_ASSERT_LE(test, e->off + e->width, len);
	for (i = 0; i < e->width; i++)
		b[e->off + i] = e->width > 8 ? (u8)e->value :
			(u8)((u64)e->value >> (8 * i));
	if (e->fix_crc)
		tmk_blob_fix_crc(b, len);
	/* a bigger buffer for "trailing bytes": copy into fresh memory */
	buf = kunit_kzalloc(test, len + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	memcpy(buf, b, len);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);

	ret = tm_model_from_blob(m, buf, len + e->len_delta, &err);
	KUNIT_EXPECT_EQ_MSG(test, err.code, e->want, "validator: %s at offset %u",
			    err.msg, err.offset);
	KUNIT_EXPECT_EQ(test, ret, -(int)e->want);
	KUNIT_EXPECT_STREQ(test, err.msg, tm_blob_strerror(e->want));
}

/* model -> blob -> model -> blob gives the same bytes, for several shapes */
static void tm_blob_round_trip(struct kunit *test)
{
	static const u32 hidden[] = { 1, 4, 8, 16, TMNET_MAX_HIDDEN };
	struct tm_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct tm_blob_error err;
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	for (i = 0; i < ARRAY_SIZE(hidden); i++) {
		struct tm_model *src = tmk_model_b(test, hidden[i], 1000 + i);
		u32 len, len2;
		u8 *b = tmk_blob(test, src, &len), *b2;

		KUNIT_ASSERT_EQ(test, len, tm_blob_size(TMNET_SYS_B, TMNET_FEATURES_B,
							 hidden[i]));
		KUNIT_ASSERT_LE(test, len, TMNET_BLOB_MAX_SIZE);
		KUNIT_ASSERT_EQ_MSG(test, tm_model_from_blob(m, b, len, &err), 0,
				    "hidden %u: %s at %u", hidden[i], err.msg, err.offset);
		KUNIT_EXPECT_EQ(test, m->hidden, hidden[i]);
		KUNIT_EXPECT_EQ(test, memcmp(m->w_hh, src->w_hh, sizeof(m->w_hh)), 0);
		KUNIT_EXPECT_EQ(test, memcmp(m->rq_out, src->rq_out, sizeof(m->rq_out)), 0);
		b2 = tmk_blob(test, m, &len2);
		KUNIT_ASSERT_EQ(test, len2, len);
		KUNIT_EXPECT_EQ(test, memcmp(b, b2, len), 0);
	}
}

/* flipping any single byte of a valid blob is always rejected */
static void tm_blob_every_byte(struct kunit *test)
{
	struct tm_model *src = tmk_model_b(test, 8, 7);
	struct tm_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct tm_blob_error err;
	u32 len, i, rejected = 0;
	u8 *b = tmk_blob(test, src, &len);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	for (i = 0; i < len; i++) {
		b[i] ^= 0xff;
		if (tm_model_from_blob(m, b, len, &err) != 0 && err.code != TMNET_BLOB_OK)
			rejected++;
		else
			KUNIT_FAIL(test, "byte %u flipped was accepted", i);
		b[i] ^= 0xff;
	}
	KUNIT_EXPECT_EQ(test, rejected, len);
	KUNIT_EXPECT_EQ(test, tm_model_from_blob(m, b, len, &err), 0);
}

static struct kunit_case tmnet_blob_cases[] = {
	KUNIT_CASE_PARAM(tm_blob_edits, blob_edit_gen_params),
	KUNIT_CASE(tm_blob_round_trip),
	KUNIT_CASE(tm_blob_every_byte),
	{}
};

static struct kunit_suite tmnet_blob_suite = {
	.name = "tmnet_core_blob",
	.test_cases = tmnet_blob_cases,
};

kunit_test_suites(&tmnet_blob_suite);
