// SPDX-License-Identifier: GPL-2.0
/* The model-blob validator: round trip, truncations, corruptions, ranges. */
#include <math.h>
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

/*
 * A version 3 blob: the same model with the damped-velocity prior, tau
 * 0.25 s, hcov_scale 1.75 (no recording units: the writer puts scale 1,
 * offset 0)
 */
static unsigned char *make_blob_v3(int sys, __u32 *len, struct tm_model *m)
{
	unsigned char *b = make_blob(sys, len, m);

	free(b);
	m->ext.prior_kind = TMNET_PRIOR_DV;
	m->ext.tau_q32 = (__s64)1 << 30;
	m->ext.hcov_scale_q16 = 7 << 14;
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

/* the blob's version field (little-endian u16 at offset 4) */
static unsigned int blob_version(const unsigned char *b)
{
	return (unsigned int)b[4] | (unsigned int)b[5] << 8;
}

/*
 * Version 3: the extension round-trips; the writer picks the smallest
 * version (1 without units or extension, 2 with units, 3 with a
 * non-default extension), and a default extension keeps a model's exact
 * version 1 bytes and CRC.
 */
static void test_roundtrip_v3(void **state)
{
	(void)state;
	for (int sys = 0; sys < __TMNET_SYS_MAX; sys++) {
		struct tm_model m, m2;
		struct tm_blob_error e;
		__u32 len, len1, len2;
		unsigned char *b1 = make_blob(sys, &len1, &m);
		unsigned char *b = make_blob_v3(sys, &len, &m), *b2;

		assert_int_equal(blob_version(b1), TMNET_BLOB_VERSION);
		assert_int_equal(blob_version(b), TMNET_BLOB_VERSION_EXT);
		assert_int_equal(len, len1 + sizeof(struct tmnet_blob_units) +
				 sizeof(struct tmnet_blob_ext));
		assert_int_equal(tm_model_from_blob(&m2, b, len, &e), 0);
		assert_int_equal(m2.ext.prior_kind, TMNET_PRIOR_DV);
		assert_true(m2.ext.tau_q32 == (__s64)1 << 30);
		assert_int_equal(m2.ext.hcov_scale_q16, 7 << 14);
		assert_int_equal(m2.kf.kind, TMNET_PRIOR_DV);
		assert_int_equal(m2.kf.hcov_q16, 7 << 14);
		/* phi = tau (1 - e^(-T/tau)) = 0.25 (1 - e^-2) s < T */
		assert_true(llabs(m2.kf.hgain - (__s64)(0.25 * (1 - exp(-2.0)) * 4294967296.0)) < 4);
		/* no units recorded: the version 3 blob carries scale 1, offset 0 */
		assert_true(m2.units.scale_f64[0] == 0x3ff0000000000000ULL &&
			    m2.units.scale_f64[1] == 0x3ff0000000000000ULL &&
			    !m2.units.offset_f64[0] && !m2.units.offset_f64[1]);
		assert_memory_equal(&m2.kalman, &m.kalman, sizeof(m.kalman));
		b2 = tt_blob(&m2, &len2);
		assert_int_equal(len2, len);
		assert_memory_equal(b2, b, len);
		free(b2);
		/* back to the default extension: version 2 (the units stay) */
		tm_ext_default(&m2.ext);
		b2 = tt_blob(&m2, &len2);
		assert_int_equal(blob_version(b2), TMNET_BLOB_VERSION_UNITS);
		assert_int_equal(len2, len1 + sizeof(struct tmnet_blob_units));
		free(b2);
		/* ... and without units: the version 1 bytes, CRC included */
		memset(&m2.units, 0, sizeof(m2.units));
		b2 = tt_blob(&m2, &len2);
		assert_int_equal(len2, len1);
		assert_memory_equal(b2, b1, len1);
		/* an all-zero extension (a model built by hand) is the default too */
		memset(&m2.ext, 0, sizeof(m2.ext));
		free(b2);
		b2 = tt_blob(&m2, &len2);
		assert_int_equal(len2, len1);
		assert_memory_equal(b2, b1, len1);
		assert_int_equal(tm_model_from_blob(&m2, b2, len2, &e), 0);
		assert_int_equal(m2.ext.hcov_scale_q16, TM_Q16_ONE);
		assert_int_equal(m2.ext.prior_kind, TMNET_PRIOR_CV);
		free(b2);
		free(b);
		free(b1);
	}
}

static void check_truncations(const unsigned char *b, __u32 len)
{
	for (__u32 l = 0; l < len; l++) {
		struct tm_blob_error e;
		unsigned char *c = malloc(l ? l : 1);	/* exact size: ASan sees overreads */

		memcpy(c, b, l);
		assert_true(load(c, l, &e) < 0);
		assert_int_equal(e.code, l < sizeof(struct tmnet_blob_hdr) ?
				 TMNET_BLOB_E_SHORT : TMNET_BLOB_E_SIZE);
		free(c);
	}
}

static void test_every_truncation(void **state)
{
	struct tm_model m;
	__u32 len;
	unsigned char *b = make_blob(TMNET_SYS_B, &len, &m);

	(void)state;
	check_truncations(b, len);
	free(b);
	b = make_blob_v3(TMNET_SYS_B, &len, &m);
	check_truncations(b, len);
	free(b);
	b = make_blob_v3(TMNET_SYS_PRIOR, &len, &m);
	check_truncations(b, len);
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

static void check_corruptions(const unsigned char *b, __u32 len)
{
	unsigned char *c = malloc(len);
	long checked = 0;

	for (__u32 off = 0; off < len; off++) {
		static const unsigned char flips[] = { 0x01, 0x80, 0xff, 0x5a };

		for (size_t k = 0; k < sizeof(flips); k++) {
			struct tm_blob_error e;

			memcpy(c, b, len);
			__u32 want = expected_for_byte(off);
			unsigned int v;

			c[off] ^= flips[k];
			/* another valid version: its header size disagrees */
			v = blob_version(c);
			if (want == TMNET_BLOB_E_VERSION && v >= TMNET_BLOB_VERSION &&
			    v <= TMNET_BLOB_VERSION_EXT)
				want = TMNET_BLOB_E_HDR_SIZE;
			assert_true(load(c, len, &e) < 0);
			if (e.code != want)
				fail_msg("byte %u ^ 0x%02x: got %s, want %s", off, flips[k],
					 tm_blob_strerror(e.code), tm_blob_strerror(want));
			checked++;
		}
	}
	printf("# blob (version %u): %u bytes, %ld single-byte corruptions all rejected\n",
	       blob_version(b), len, checked);
	free(c);
}

static void test_every_byte_corruption(void **state)
{
	struct tm_model m;
	__u32 len;
	unsigned char *b = make_blob(TMNET_SYS_B, &len, &m);

	(void)state;
	check_corruptions(b, len);
	free(b);
	b = make_blob_v3(TMNET_SYS_B, &len, &m);
	check_corruptions(b, len);
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

#define XOFF(f) (sizeof(struct tmnet_blob_hdr) + sizeof(struct tmnet_blob_units) + \
		 offsetof(struct tmnet_blob_ext, f))

/*
 * The extension's fields, on a version 3 blob of a DV model (tau 0.25 s,
 * horizon 1000 ticks) and of a CV model with hcov 1.75 (tau must be 0)
 */
static void test_ext_ranges(void **state)
{
	static const struct mutation dv[] = {
		{ "prior_kind 2", XOFF(prior_kind), 4, 2, TMNET_BLOB_E_EXT },
		{ "prior_kind huge", XOFF(prior_kind), 4, 0x80000000LL, TMNET_BLOB_E_EXT },
		{ "tau below min", XOFF(tau_q32), 8, TMNET_TAU_MIN_Q32 - 1, TMNET_BLOB_E_EXT },
		{ "tau 0", XOFF(tau_q32), 8, 0, TMNET_BLOB_E_EXT },
		{ "tau < 0", XOFF(tau_q32), 8, -((__s64)1 << 32), TMNET_BLOB_E_EXT },
		{ "tau above max", XOFF(tau_q32), 8, TMNET_TAU_MAX_Q32 + 1, TMNET_BLOB_E_EXT },
		{ "hcov 0", XOFF(hcov_scale_q16), 4, 0, TMNET_BLOB_E_EXT },
		{ "hcov above max", XOFF(hcov_scale_q16), 4, TMNET_HCOV_SCALE_MAX_Q16 + 1, TMNET_BLOB_E_EXT },
		{ "fuse_kind 2", XOFF(fuse_kind), 4, 2, TMNET_BLOB_E_EXT },
		{ "GATE with mon_shift", XOFF(mon_shift), 4, 1, TMNET_BLOB_E_EXT },
		{ "GATE with mon_stride", XOFF(mon_stride), 4, 16, TMNET_BLOB_E_EXT },
		{ "ext pad", XOFF(_pad), 4, 1, TMNET_BLOB_E_RESERVED },
		{ "reserved[0]", XOFF(reserved), 8, 1, TMNET_BLOB_E_RESERVED },
		{ "reserved[3]", XOFF(reserved) + 24, 8, -1, TMNET_BLOB_E_RESERVED },
		{ "units scale 0", sizeof(struct tmnet_blob_hdr), 8, 0, TMNET_BLOB_E_UNITS },
		{ "version 2 with the ext's size", HOFF(version), 2, 2, TMNET_BLOB_E_HDR_SIZE },
		{ "version 4", HOFF(version), 2, 4, TMNET_BLOB_E_VERSION },
		{ "tensor_off at the units", HOFF(tensor_off), 4,
		  sizeof(struct tmnet_blob_hdr) + sizeof(struct tmnet_blob_units), TMNET_BLOB_E_TABLE },
	};
	/* MONITOR on the same blob: fuse_kind 1 plus shift and stride */
	static const struct { __u32 shift, stride, want; } mon[] = {
		{ 4, 16, TMNET_BLOB_OK },		/* 16 * 63 = 1008 >= 1000 */
		{ 1, 1000, TMNET_BLOB_OK },
		{ TMNET_MON_SHIFT_MAX, TMNET_MAX_HORIZON_TICKS, TMNET_BLOB_OK },
		{ 0, 16, TMNET_BLOB_E_EXT },
		{ TMNET_MON_SHIFT_MAX + 1, 16, TMNET_BLOB_E_EXT },
		{ 4, 0, TMNET_BLOB_E_EXT },
		{ 4, 15, TMNET_BLOB_E_EXT },		/* 15 * 63 = 945 < 1000 */
		{ 4, TMNET_MAX_HORIZON_TICKS + 1, TMNET_BLOB_E_EXT },
	};
	struct tm_model m;
	struct tm_blob_error e;
	__u32 len;
	unsigned char *b = make_blob_v3(TMNET_SYS_B, &len, &m);
	unsigned char *c = malloc(len);

	(void)state;
	assert_int_equal(m.horizon_ticks, 1000);
	for (size_t i = 0; i < sizeof(dv) / sizeof(dv[0]); i++) {
		__s64 v = dv[i].value;

		memcpy(c, b, len);
		memcpy(c + dv[i].off, &v, (size_t)dv[i].size);
		fix_crc(c, len);
		assert_true(load(c, len, &e) < 0);
		if (e.code != dv[i].want)
			fail_msg("%s: got '%s', want '%s'", dv[i].what, e.msg,
				 tm_blob_strerror(dv[i].want));
		if (dv[i].want == TMNET_BLOB_E_EXT)
			assert_int_equal(e.offset, dv[i].off);
	}
	/* the extremes of tau are accepted */
	for (int k = 0; k < 2; k++) {
		__s64 v = k ? TMNET_TAU_MAX_Q32 : TMNET_TAU_MIN_Q32;
		__u32 h = k ? 1 : TMNET_HCOV_SCALE_MAX_Q16;

		memcpy(c, b, len);
		memcpy(c + XOFF(tau_q32), &v, 8);
		memcpy(c + XOFF(hcov_scale_q16), &h, 4);
		fix_crc(c, len);
		assert_int_equal(load(c, len, &e), 0);
	}
	for (size_t i = 0; i < sizeof(mon) / sizeof(mon[0]); i++) {
		__u32 fk = TMNET_FUSE_MONITOR;

		memcpy(c, b, len);
		memcpy(c + XOFF(fuse_kind), &fk, 4);
		memcpy(c + XOFF(mon_shift), &mon[i].shift, 4);
		memcpy(c + XOFF(mon_stride), &mon[i].stride, 4);
		fix_crc(c, len);
		if (mon[i].want == TMNET_BLOB_OK) {
			assert_int_equal(load(c, len, &e), 0);
		} else {
			assert_true(load(c, len, &e) < 0);
			assert_int_equal(e.code, mon[i].want);
		}
	}
	/* CV: tau must be 0 */
	{
		__u32 cv = TMNET_PRIOR_CV;
		__s64 tau = 0;

		memcpy(c, b, len);
		memcpy(c + XOFF(prior_kind), &cv, 4);
		fix_crc(c, len);
		assert_true(load(c, len, &e) < 0);
		assert_int_equal(e.code, TMNET_BLOB_E_EXT);
		assert_int_equal(e.offset, XOFF(tau_q32));
		memcpy(c + XOFF(tau_q32), &tau, 8);
		fix_crc(c, len);
		assert_int_equal(load(c, len, &e), 0);
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
		cmocka_unit_test(test_roundtrip_v3),
		cmocka_unit_test(test_ext_ranges),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_byte_corruption),
		cmocka_unit_test(test_semantic_ranges),
		cmocka_unit_test(test_tensor_data_ranges),
		cmocka_unit_test(test_strerror_all),
	};

	return cmocka_run_group_tests_name("blob", tests, NULL, NULL);
}
