// SPDX-License-Identifier: GPL-2.0
/* The model-blob validator: round trip, truncations, corruptions, ranges. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"

static unsigned char *make_blob(int sys, __u32 *len, struct tm_model *m)
{
	struct tt_rng rng = { 1234 + (uint64_t)sys };
	struct tmq_gru g;
	struct tmq_params p;

	if (sys == TMNET_SYS_PRIOR) {
		char err[128];

		tmq_params_default(&p);
		p.system = TMNET_SYS_PRIOR;
		assert_int_equal(tmq_quantize(m, NULL, &p, err, sizeof(err)), 0);
	} else {
		tt_random_model(&rng, sys, 32, 1.0, &g, &p, m);
	}
	return tt_blob(m, len);
}

/* recompute the CRC after a deliberate semantic change */
static void fix_crc(unsigned char *b, __u32 len)
{
	__u32 off = offsetof(struct tmnet_blob_hdr, crc32), crc;

	memset(b + off, 0, 4);
	crc = tm_crc32(0, b, len);
	memcpy(b + off, &crc, 4);
}

static int load(const unsigned char *b, __u32 len, struct tm_blob_error *e)
{
	static struct tm_model m;

	return tm_model_from_blob(&m, b, len, e);
}

static void test_roundtrip(void **state)
{
	(void)state;
	for (int sys = 0; sys < __TMNET_SYS_MAX; sys++) {
		struct tm_model m, m2;
		struct tm_blob_error e;
		__u32 len;
		unsigned char *b = make_blob(sys, &len, &m);

		assert_int_equal(tm_model_from_blob(&m2, b, len, &e), 0);
		assert_int_equal(e.code, TMNET_BLOB_OK);
		assert_int_equal(m2.system, (unsigned)sys);
		assert_memory_equal(m2.w_hh, m.w_hh, sizeof(m.w_hh));
		assert_memory_equal(m2.rq_ih, m.rq_ih, sizeof(m.rq_ih));
		assert_memory_equal(&m2.kalman, &m.kalman, sizeof(m.kalman));
		assert_memory_equal(&m2.gate, &m.gate, sizeof(m.gate));
		/* the blob re-serialises to the same bytes */
		{
			__u32 len2;
			unsigned char *b2 = tt_blob(&m2, &len2);

			assert_int_equal(len2, len);
			assert_memory_equal(b2, b, len);
			free(b2);
		}
		free(b);
	}
}

static void test_every_truncation(void **state)
{
	struct tm_model m;
	__u32 len;
	unsigned char *b = make_blob(TMNET_SYS_B, &len, &m);

	(void)state;
	for (__u32 l = 0; l < len; l++) {
		struct tm_blob_error e;
		unsigned char *c = malloc(l ? l : 1);	/* exact size: ASan sees overreads */

		memcpy(c, b, l);
		assert_true(load(c, l, &e) < 0);
		assert_int_equal(e.code, l < sizeof(struct tmnet_blob_hdr) ?
				 TMNET_BLOB_E_SHORT : TMNET_BLOB_E_SIZE);
		free(c);
	}
	free(b);
}

static __u32 expected_for_byte(__u32 off)
{
	if (off < offsetof(struct tmnet_blob_hdr, version))
		return TMNET_BLOB_E_MAGIC;
	if (off < offsetof(struct tmnet_blob_hdr, hdr_size))
		return TMNET_BLOB_E_VERSION;
	if (off < offsetof(struct tmnet_blob_hdr, total_size))
		return TMNET_BLOB_E_HDR_SIZE;
	if (off < offsetof(struct tmnet_blob_hdr, crc32))
		return TMNET_BLOB_E_SIZE;
	return TMNET_BLOB_E_CRC;
}

static void test_every_byte_corruption(void **state)
{
	struct tm_model m;
	__u32 len;
	unsigned char *b = make_blob(TMNET_SYS_B, &len, &m);
	unsigned char *c = malloc(len);
	long checked = 0;

	(void)state;
	for (__u32 off = 0; off < len; off++) {
		static const unsigned char flips[] = { 0x01, 0x80, 0xff, 0x5a };

		for (size_t k = 0; k < sizeof(flips); k++) {
			struct tm_blob_error e;

			memcpy(c, b, len);
			c[off] ^= flips[k];
			assert_true(load(c, len, &e) < 0);
			if (e.code != expected_for_byte(off))
				fail_msg("byte %u ^ 0x%02x: got %s, want %s", off, flips[k],
					 tm_blob_strerror(e.code),
					 tm_blob_strerror(expected_for_byte(off)));
			checked++;
		}
	}
	printf("# blob: %u bytes, %ld single-byte corruptions all rejected\n", len, checked);
	free(c);
	free(b);
}

#define HOFF(f) offsetof(struct tmnet_blob_hdr, f)

struct mutation {
	const char *what;
	size_t off;
	int size;
	__s64 value;
	__u32 want;
};

static void test_semantic_ranges(void **state)
{
	static const struct mutation muts[] = {
		{ "system 3", HOFF(system), 1, 3, TMNET_BLOB_E_SYSTEM },
		{ "features 5", HOFF(n_features), 1, 5, TMNET_BLOB_E_SHAPE },
		{ "hidden 0", HOFF(hidden), 1, 0, TMNET_BLOB_E_SHAPE },
		{ "hidden 33", HOFF(hidden), 1, 33, TMNET_BLOB_E_SHAPE },
		{ "n_out 3", HOFF(n_out), 1, 3, TMNET_BLOB_E_SHAPE },
		{ "rate 0", HOFF(rate_hz), 4, 0, TMNET_BLOB_E_RATE },
		{ "rate 20000", HOFF(rate_hz), 4, 20000, TMNET_BLOB_E_RATE },
		{ "horizon 0", HOFF(horizon_ticks), 4, 0, TMNET_BLOB_E_HORIZON },
		{ "window 0", HOFF(window_ticks), 4, 0, TMNET_BLOB_E_HORIZON },
		{ "garbage after name", HOFF(name) + 31, 1, 'x', TMNET_BLOB_E_RESERVED },
		{ "inv_std 0", HOFF(norm.inv_std), 4, 0, TMNET_BLOB_E_NORM },
		{ "unused mean", HOFF(norm.mean) + 4 * 7, 4, 1, TMNET_BLOB_E_RESERVED },
		{ "out_scale -1", HOFF(norm.out_scale), 4, -1, TMNET_BLOB_E_NORM },
		{ "in_frac 9", HOFF(norm.in_frac), 4, 9, TMNET_BLOB_E_NORM },
		{ "qa_xx < 0", HOFF(kalman.qa_xx), 8, -1, TMNET_BLOB_E_KALMAN },
		{ "qa not PSD", HOFF(kalman.qa_xy), 8, 1LL << 40, TMNET_BLOB_E_KALMAN },
		{ "r_x 0", HOFF(kalman.r_x), 8, 0, TMNET_BLOB_E_KALMAN },
		{ "p0_vel huge", HOFF(kalman.p0_vel), 8, 1LL << 60, TMNET_BLOB_E_KALMAN },
		{ "stale huge", HOFF(kalman.stale_ticks), 4, 2000000, TMNET_BLOB_E_KALMAN },
		{ "eps 0", HOFF(gate.eps_q16), 4, 0, TMNET_BLOB_E_GATE },
		{ "budget 0", HOFF(gate.budget), 4, 0, TMNET_BLOB_E_GATE },
		{ "chi2 huge", HOFF(gate.chi2_q16), 4, TMNET_GATE_CHI2_MAX + 1, TMNET_BLOB_E_GATE },
		{ "cov_scale 0", HOFF(gate.cov_scale_q16), 4, 0, TMNET_BLOB_E_GATE },
		{ "floor not PSD", HOFF(gate.floor_xy), 8, 1LL << 40, TMNET_BLOB_E_GATE },
		{ "gate pad", HOFF(gate._pad), 4, 1, TMNET_BLOB_E_RESERVED },
		{ "n_tensors 8", HOFF(n_tensors), 4, 8, TMNET_BLOB_E_TABLE },
		{ "tensor_off wrong", HOFF(tensor_off), 4, 272, TMNET_BLOB_E_TABLE },
		{ "tensor_off huge", HOFF(tensor_off), 4, 0xfffffff0, TMNET_BLOB_E_TABLE },
		/* first descriptor: id, dtype, rows, cols, offset, nbytes */
		{ "tensor id 0", sizeof(struct tmnet_blob_hdr), 4, 0, TMNET_BLOB_E_TENSOR },
		{ "tensor id dup", sizeof(struct tmnet_blob_hdr), 4, 2, TMNET_BLOB_E_TENSOR_SHAPE },
		{ "tensor dtype", sizeof(struct tmnet_blob_hdr) + 4, 4, 2, TMNET_BLOB_E_TENSOR_SHAPE },
		{ "tensor rows", sizeof(struct tmnet_blob_hdr) + 8, 4, 95, TMNET_BLOB_E_TENSOR_SHAPE },
		{ "tensor nbytes", sizeof(struct tmnet_blob_hdr) + 20, 4, 1 << 30, TMNET_BLOB_E_TENSOR_SHAPE },
		{ "tensor offset odd", sizeof(struct tmnet_blob_hdr) + 16, 4, 483, TMNET_BLOB_E_TENSOR },
		{ "tensor offset past end", sizeof(struct tmnet_blob_hdr) + 16, 4, 0xfffffff8U, TMNET_BLOB_E_TENSOR },
		{ "tensor offset overlaps table", sizeof(struct tmnet_blob_hdr) + 16, 4, 264, TMNET_BLOB_E_TENSOR },
	};
	struct tm_model m;
	__u32 len;
	unsigned char *b = make_blob(TMNET_SYS_B, &len, &m);
	unsigned char *c = malloc(len);

	(void)state;
	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		struct tm_blob_error e;
		__s64 v = muts[i].value;

		memcpy(c, b, len);
		memcpy(c + muts[i].off, &v, (size_t)muts[i].size);	/* little-endian host */
		fix_crc(c, len);
		assert_true(load(c, len, &e) < 0);
		if (e.code != muts[i].want)
			fail_msg("%s: got '%s', want '%s'", muts[i].what, e.msg,
				 tm_blob_strerror(muts[i].want));
		assert_non_null(e.msg);
	}
	/* a name with no NUL at all */
	memcpy(c, b, len);
	memset(c + HOFF(name), 'x', TMNET_NAME_LEN);
	fix_crc(c, len);
	{
		struct tm_blob_error e;

		assert_true(load(c, len, &e) < 0);
		assert_int_equal(e.code, TMNET_BLOB_E_NAME);
	}
	free(c);
	free(b);
}

static void test_tensor_data_ranges(void **state)
{
	struct tm_model m;
	__u32 len;
	unsigned char *b = make_blob(TMNET_SYS_B, &len, &m);
	unsigned char *c = malloc(len);
	struct tm_blob_error e;
	/* descriptors in id order: find RQ_IH (id 5) and B_IH (id 3) and W_IH */
	__u32 d_rq = sizeof(struct tmnet_blob_hdr) + 4 * sizeof(struct tmnet_tensor_desc);
	__u32 d_b = sizeof(struct tmnet_blob_hdr) + 2 * sizeof(struct tmnet_tensor_desc);
	__u32 d_w = sizeof(struct tmnet_blob_hdr);
	__u32 off;
	__s32 v;

	(void)state;
	/* multiplier below 2^30 */
	memcpy(c, b, len);
	memcpy(&off, c + d_rq + 16, 4);
	v = 12345;
	memcpy(c + off, &v, 4);
	fix_crc(c, len);
	assert_true(load(c, len, &e) < 0);
	assert_int_equal(e.code, TMNET_BLOB_E_RQ);
	/* shift out of range */
	memcpy(c, b, len);
	v = 100;
	memcpy(c + off + 4, &v, 4);
	fix_crc(c, len);
	assert_true(load(c, len, &e) < 0);
	assert_int_equal(e.code, TMNET_BLOB_E_RQ);
	/* bias out of range */
	memcpy(c, b, len);
	memcpy(&off, c + d_b + 16, 4);
	v = 1 << 25;
	memcpy(c + off, &v, 4);
	fix_crc(c, len);
	assert_true(load(c, len, &e) < 0);
	assert_int_equal(e.code, TMNET_BLOB_E_BIAS);
	/* int8 -128 is never produced by a symmetric quantiser */
	memcpy(c, b, len);
	memcpy(&off, c + d_w + 16, 4);
	c[off] = 0x80;
	fix_crc(c, len);
	assert_true(load(c, len, &e) < 0);
	assert_int_equal(e.code, TMNET_BLOB_E_TENSOR_SHAPE);
	free(c);
	free(b);
}

static void test_strerror_all(void **state)
{
	(void)state;
	for (__u32 i = 0; i < __TMNET_BLOB_E_MAX; i++)
		assert_non_null(tm_blob_strerror(i));
	assert_string_equal(tm_blob_strerror(9999), "unknown error");
	assert_true(tm_model_from_blob(NULL, NULL, 0, NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_byte_corruption),
		cmocka_unit_test(test_semantic_ranges),
		cmocka_unit_test(test_tensor_data_ranges),
		cmocka_unit_test(test_strerror_all),
	};

	return cmocka_run_group_tests_name("blob", tests, NULL, NULL);
}
