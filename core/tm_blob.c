// SPDX-License-Identifier: GPL-2.0
/*
 * Model blob (.tmn) validator and writer.
 *
 * The validator reads the blob byte by byte as little-endian (no alignment
 * or endianness assumptions), checks every field, size and offset with
 * 64-bit arithmetic (no overflow), the CRC, and the ranges of every
 * requantisation parameter and bias, and only then builds the model.
 * Order of checks: structure (magic, version, header size, total size),
 * then CRC, then semantics.  So any corruption of a single byte is reported
 * as the field it hit in the first group, or as a CRC error.
 */
#include "tm_core.h"

#define OFF(f) ((__u32)__builtin_offsetof(struct tmnet_blob_hdr, f))

#define TM_KALMAN_MAX	((__s64)1 << 52)	/* 2^20 units^2 in Q32.32 */
#define TM_BIAS_MAX	(1 << 24)
#define TM_STALE_MAX	1000000U
#define TM_WINDOW_MAX	100000U
#define TM_HDR_V1	((__u32)sizeof(struct tmnet_blob_hdr))
#define TM_HDR_V2	((__u32)(sizeof(struct tmnet_blob_hdr) + sizeof(struct tmnet_blob_units)))
#define TM_HDR_V3	(TM_HDR_V2 + (__u32)sizeof(struct tmnet_blob_ext))
#define UOFF(f)	(TM_HDR_V1 + (__u32)__builtin_offsetof(struct tmnet_blob_units, f))
#define EOFF(f)	(TM_HDR_V2 + (__u32)__builtin_offsetof(struct tmnet_blob_ext, f))
/* binary64 1.0: the units a version 3 blob of a model without units carries */
#define TM_F64_ONE	0x3ff0000000000000ULL

/* IEEE-754 binary64 bit patterns, checked without floating point */
static int tm_f64_finite(__u64 b)
{
	return ((b >> 52) & 0x7ff) != 0x7ff;
}

static int tm_f64_positive(__u64 b)
{
	return tm_f64_finite(b) && !(b >> 63) && b != 0;
}

static int tm_units_set(const struct tmnet_blob_units *u)
{
	return u->scale_f64[0] || u->scale_f64[1] || u->offset_f64[0] || u->offset_f64[1];
}

static __u32 rd8(const __u8 *p, __u32 off)
{
	return p[off];
}

static __u32 rd16(const __u8 *p, __u32 off)
{
	return (__u32)p[off] | (__u32)p[off + 1] << 8;
}

static __u32 rd32(const __u8 *p, __u32 off)
{
	return (__u32)p[off] | (__u32)p[off + 1] << 8 |
	       (__u32)p[off + 2] << 16 | (__u32)p[off + 3] << 24;
}

static __s64 rd64(const __u8 *p, __u32 off)
{
	return (__s64)((__u64)rd32(p, off) | (__u64)rd32(p, off + 4) << 32);
}

static void wr32(__u8 *p, __u32 off, __u32 v)
{
	p[off] = v & 0xff;
	p[off + 1] = (v >> 8) & 0xff;
	p[off + 2] = (v >> 16) & 0xff;
	p[off + 3] = (v >> 24) & 0xff;
}

static void wr16(__u8 *p, __u32 off, __u32 v)
{
	p[off] = v & 0xff;
	p[off + 1] = (v >> 8) & 0xff;
}

static void wr64(__u8 *p, __u32 off, __s64 v)
{
	wr32(p, off, (__u32)(__u64)v);
	wr32(p, off + 4, (__u32)((__u64)v >> 32));
}

static const char *const tm_blob_msgs[__TMNET_BLOB_E_MAX] = {
	[TMNET_BLOB_OK] = "ok",
	[TMNET_BLOB_E_SHORT] = "blob is shorter than the header",
	[TMNET_BLOB_E_MAGIC] = "bad magic: not a tmnet model",
	[TMNET_BLOB_E_VERSION] = "unsupported format version",
	[TMNET_BLOB_E_HDR_SIZE] = "header size field is wrong",
	[TMNET_BLOB_E_SIZE] = "total_size disagrees with the blob length",
	[TMNET_BLOB_E_CRC] = "CRC mismatch: blob is corrupt",
	[TMNET_BLOB_E_SYSTEM] = "unknown system (want prior, A or B)",
	[TMNET_BLOB_E_SHAPE] = "features/hidden/outputs do not fit the system",
	[TMNET_BLOB_E_RATE] = "sample rate out of range",
	[TMNET_BLOB_E_HORIZON] = "horizon or window out of range",
	[TMNET_BLOB_E_NAME] = "name is not NUL-terminated",
	[TMNET_BLOB_E_NORM] = "normalisation out of range",
	[TMNET_BLOB_E_KALMAN] = "Kalman parameters out of range or not PSD",
	[TMNET_BLOB_E_GATE] = "gate parameters out of range",
	[TMNET_BLOB_E_TABLE] = "tensor table out of bounds",
	[TMNET_BLOB_E_TENSOR] = "unknown, duplicate or misplaced tensor",
	[TMNET_BLOB_E_TENSOR_SHAPE] = "tensor shape or type does not match",
	[TMNET_BLOB_E_TENSOR_MISSING] = "a required tensor is missing",
	[TMNET_BLOB_E_RQ] = "requantisation multiplier/shift out of range",
	[TMNET_BLOB_E_BIAS] = "bias out of range",
	[TMNET_BLOB_E_RESERVED] = "reserved or padding bytes are not zero",
	[TMNET_BLOB_E_UNITS] = "recording units: scale not finite and > 0, or offset not finite",
	[TMNET_BLOB_E_EXT] = "prior/fusion extension out of range (prior kind, tau, hcov_scale, fusion kind or monitor parameters)",
};

const char *tm_blob_strerror(__u32 code)
{
	if (code >= __TMNET_BLOB_E_MAX)
		return "unknown error";
	return tm_blob_msgs[code];
}

static int tm_fail(struct tm_blob_error *err, __u32 code, __u32 off)
{
	if (err) {
		err->code = code;
		err->offset = off;
		err->msg = tm_blob_strerror(code);
	}
	return -(int)code;
}

/* Expected shape of each tensor id for a model with F inputs and H hidden */
struct tm_tshape {
	__u32 dtype, rows, cols, esize;
};

static int tm_tensor_shape(__u32 id, __u32 F, __u32 H, struct tm_tshape *t)
{
	switch (id) {
	case TMNET_T_W_IH:
		*t = (struct tm_tshape){ TMNET_DT_S8, 3 * H, F, 1 };
		return 0;
	case TMNET_T_W_HH:
		*t = (struct tm_tshape){ TMNET_DT_S8, 3 * H, H, 1 };
		return 0;
	case TMNET_T_B_IH:
	case TMNET_T_B_HH:
		*t = (struct tm_tshape){ TMNET_DT_S32, 3 * H, 1, 4 };
		return 0;
	case TMNET_T_RQ_IH:
	case TMNET_T_RQ_HH:
		*t = (struct tm_tshape){ TMNET_DT_RQ, 3 * H, 1, 8 };
		return 0;
	case TMNET_T_W_OUT:
		*t = (struct tm_tshape){ TMNET_DT_S8, TMNET_N_OUT, H, 1 };
		return 0;
	case TMNET_T_B_OUT:
		*t = (struct tm_tshape){ TMNET_DT_S32, TMNET_N_OUT, 1, 4 };
		return 0;
	case TMNET_T_RQ_OUT:
		*t = (struct tm_tshape){ TMNET_DT_RQ, TMNET_N_OUT, 1, 8 };
		return 0;
	default:
		return -1;
	}
}

static int tm_rq_ok(__s32 mult, __s32 shift)
{
	if (shift < TMNET_RQ_SHIFT_MIN || shift > TMNET_RQ_SHIFT_MAX)
		return 0;
	if (mult == 0)
		return 1;
	return mult >= (1 << 30);	/* and < 2^31 by type */
}

static int tm_psd2(__s64 a, __s64 b, __s64 c)
{
	/* [[a b][b c]] PSD: a >= 0, c >= 0, b^2 <= a c */
	if (a < 0 || c < 0)
		return 0;
	return (tm_s128)b * b <= (tm_s128)a * c;
}

/* copy one tensor's data into the model */
static void tm_load_tensor(struct tm_model *m, __u32 id, const __u8 *p, __u32 rows,
			   __u32 cols)
{
	__u32 i, j;

	for (i = 0; i < rows; i++) {
		for (j = 0; j < cols; j++) {
			__u32 k = i * cols + j;

			switch (id) {
			case TMNET_T_W_IH:
				m->w_ih[i][j] = (__s8)p[k];
				break;
			case TMNET_T_W_HH:
				m->w_hh[i][j] = (__s8)p[k];
				break;
			case TMNET_T_W_OUT:
				m->w_out[i][j] = (__s8)p[k];
				break;
			case TMNET_T_B_IH:
				m->b_ih[i] = (__s32)rd32(p, 4 * k);
				break;
			case TMNET_T_B_HH:
				m->b_hh[i] = (__s32)rd32(p, 4 * k);
				break;
			case TMNET_T_B_OUT:
				m->b_out[i] = (__s32)rd32(p, 4 * k);
				break;
			case TMNET_T_RQ_IH:
				m->rq_ih[i].mult = (__s32)rd32(p, 8 * k);
				m->rq_ih[i].shift = (__s32)rd32(p, 8 * k + 4);
				break;
			case TMNET_T_RQ_HH:
				m->rq_hh[i].mult = (__s32)rd32(p, 8 * k);
				m->rq_hh[i].shift = (__s32)rd32(p, 8 * k + 4);
				break;
			case TMNET_T_RQ_OUT:
				m->rq_out[i].mult = (__s32)rd32(p, 8 * k);
				m->rq_out[i].shift = (__s32)rd32(p, 8 * k + 4);
				break;
			}
		}
	}
}

void tm_ext_default(struct tmnet_blob_ext *ext)
{
	tm_memzero(ext, sizeof(*ext));
	ext->prior_kind = TMNET_PRIOR_CV;
	ext->fuse_kind = TMNET_FUSE_GATE;
	ext->hcov_scale_q16 = TM_Q16_ONE;
}

/*
 * An all-zero extension (a model object built by hand, as an all-zero
 * units block means none) counts as the default too.
 */
int tm_ext_is_default(const struct tmnet_blob_ext *e)
{
	__u32 i;

	for (i = 0; i < 4; i++)
		if (e->reserved[i])
			return 0;
	return e->prior_kind == TMNET_PRIOR_CV && e->fuse_kind == TMNET_FUSE_GATE &&
	       e->tau_q32 == 0 && (e->hcov_scale_q16 == TM_Q16_ONE || e->hcov_scale_q16 == 0) &&
	       e->mon_shift == 0 && e->mon_stride == 0 && e->_pad == 0;
}

/*
 * The fusion fields of a version 3 extension (fuse_kind, mon_shift,
 * mon_stride, reserved) for a model with this horizon.  GATE: monitor
 * fields and reserved zero.  MONITOR: mon_shift in 1..TMNET_MON_SHIFT_MAX,
 * mon_stride >= 1 with stride (TMNET_MON_SLOTS - 1) >= horizon (every
 * prediction in flight has a slot) and at most TMNET_MAX_HORIZON_TICKS,
 * reserved[TMNET_MON_INIT_*] second moments (pp, nn >= 0, pn^2 <= pp nn),
 * the rest of reserved zero.  Returns 0 or the failing field's offset + 1
 * (its code is then TMNET_BLOB_E_EXT, or TMNET_BLOB_E_RESERVED for
 * reserved bytes when *code_res is set).
 */
static __u32 tm_blob_check_fuse(const __u8 *p, __u32 horizon, int *code_res)
{
	__u32 fk = rd32(p, EOFF(fuse_kind));
	__u32 sh = rd32(p, EOFF(mon_shift));
	__u32 st = rd32(p, EOFF(mon_stride));
	__u32 i;

	*code_res = 0;
	if (fk >= __TMNET_FUSE_MAX)
		return EOFF(fuse_kind) + 1;
	if (fk == TMNET_FUSE_GATE) {
		if (sh)
			return EOFF(mon_shift) + 1;
		if (st)
			return EOFF(mon_stride) + 1;
	} else {
		if (sh < 1 || sh > TMNET_MON_SHIFT_MAX)
			return EOFF(mon_shift) + 1;
		if (st < 1 || st > TMNET_MAX_HORIZON_TICKS ||
		    (__u64)st * (TMNET_MON_SLOTS - 1) < horizon)
			return EOFF(mon_stride) + 1;
	}
	i = 0;
	if (fk == TMNET_FUSE_MONITOR) {
		/*
		 * The monitor's initial moments (TMNET_MON_INIT_*): E[e_p.e_p]
		 * and E[e_n.e_n] >= 0, and Cauchy-Schwarz for E[e_p.e_n], so
		 * that they are second moments of some pair of errors
		 */
		__s64 pp = rd64(p, EOFF(reserved) + 8 * TMNET_MON_INIT_PP);
		__s64 nn = rd64(p, EOFF(reserved) + 8 * TMNET_MON_INIT_NN);
		__s64 pn = rd64(p, EOFF(reserved) + 8 * TMNET_MON_INIT_PN);

		if (pp < 0)
			return EOFF(reserved) + 8 * TMNET_MON_INIT_PP + 1;
		if (nn < 0)
			return EOFF(reserved) + 8 * TMNET_MON_INIT_NN + 1;
		if ((tm_u128)((tm_s128)pn * pn) > (tm_u128)pp * (__u64)nn)
			return EOFF(reserved) + 8 * TMNET_MON_INIT_PN + 1;
		i = TMNET_MON_INIT_PN + 1;
	}
	for (; i < 4; i++)
		if (rd64(p, EOFF(reserved) + 8 * i)) {
			*code_res = 1;
			return EOFF(reserved) + 8 * i + 1;
		}
	return 0;
}

int tm_model_from_blob(struct tm_model *m, const void *blob, __u32 len,
		       struct tm_blob_error *err)
{
	const __u8 *p = blob;
	__u32 total, crc, sys, F, H, nout, rate, hor, win, ntens, toff, i, ver, hsz;
	__u32 seen = 0, need = 0, end_prev;
	struct tmnet_blob_units units = { { 0, 0 }, { 0, 0 } };
	struct tmnet_blob_ext ext;
	__u64 tend;

	if (err)
		tm_fail(err, TMNET_BLOB_OK, 0);
	if (!p || len < sizeof(struct tmnet_blob_hdr))
		return tm_fail(err, TMNET_BLOB_E_SHORT, 0);
	if (rd32(p, OFF(magic)) != TMNET_BLOB_MAGIC)
		return tm_fail(err, TMNET_BLOB_E_MAGIC, OFF(magic));
	ver = rd16(p, OFF(version));
	if (ver != TMNET_BLOB_VERSION && ver != TMNET_BLOB_VERSION_UNITS &&
	    ver != TMNET_BLOB_VERSION_EXT)
		return tm_fail(err, TMNET_BLOB_E_VERSION, OFF(version));
	hsz = ver == TMNET_BLOB_VERSION ? TM_HDR_V1 :
	      ver == TMNET_BLOB_VERSION_UNITS ? TM_HDR_V2 : TM_HDR_V3;
	if (rd16(p, OFF(hdr_size)) != hsz)
		return tm_fail(err, TMNET_BLOB_E_HDR_SIZE, OFF(hdr_size));
	total = rd32(p, OFF(total_size));
	if (total != len || total > TMNET_BLOB_MAX_SIZE || (total & 7) || total < hsz)
		return tm_fail(err, TMNET_BLOB_E_SIZE, OFF(total_size));
	crc = tm_crc32(0, p, OFF(crc32));
	crc = tm_crc32(crc, "\0\0\0\0", 4);
	crc = tm_crc32(crc, p + OFF(crc32) + 4, len - OFF(crc32) - 4);
	if (crc != rd32(p, OFF(crc32)))
		return tm_fail(err, TMNET_BLOB_E_CRC, OFF(crc32));

	/* semantics */
	sys = rd8(p, OFF(system));
	F = rd8(p, OFF(n_features));
	H = rd8(p, OFF(hidden));
	nout = rd8(p, OFF(n_out));
	if (sys >= __TMNET_SYS_MAX)
		return tm_fail(err, TMNET_BLOB_E_SYSTEM, OFF(system));
	if (sys == TMNET_SYS_PRIOR) {
		if (F || H || nout)
			return tm_fail(err, TMNET_BLOB_E_SHAPE, OFF(n_features));
	} else {
		if (F != (sys == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B))
			return tm_fail(err, TMNET_BLOB_E_SHAPE, OFF(n_features));
		if (H < 1 || H > TMNET_MAX_HIDDEN)
			return tm_fail(err, TMNET_BLOB_E_SHAPE, OFF(hidden));
		if (nout != TMNET_N_OUT)
			return tm_fail(err, TMNET_BLOB_E_SHAPE, OFF(n_out));
	}
	rate = rd32(p, OFF(rate_hz));
	if (rate < TMNET_MIN_RATE_HZ || rate > TMNET_MAX_RATE_HZ)
		return tm_fail(err, TMNET_BLOB_E_RATE, OFF(rate_hz));
	win = rd32(p, OFF(window_ticks));
	if (win < 1 || win > TM_WINDOW_MAX)
		return tm_fail(err, TMNET_BLOB_E_HORIZON, OFF(window_ticks));
	hor = rd32(p, OFF(horizon_ticks));
	if (hor < 1 || hor > TMNET_MAX_HORIZON_TICKS)
		return tm_fail(err, TMNET_BLOB_E_HORIZON, OFF(horizon_ticks));
	for (i = 0; i < TMNET_NAME_LEN && p[OFF(name) + i]; i++)
		;
	if (i == TMNET_NAME_LEN)
		return tm_fail(err, TMNET_BLOB_E_NAME, OFF(name));
	for (; i < TMNET_NAME_LEN; i++)
		if (p[OFF(name) + i])
			return tm_fail(err, TMNET_BLOB_E_RESERVED, OFF(name) + i);

	/* normalisation */
	for (i = 0; i < TMNET_MAX_FEATURES; i++) {
		__s32 mean = (__s32)rd32(p, OFF(norm.mean) + 4 * i);
		__s32 istd = (__s32)rd32(p, OFF(norm.inv_std) + 4 * i);

		if (i >= F && (mean || istd))
			return tm_fail(err, TMNET_BLOB_E_RESERVED, OFF(norm.mean) + 4 * i);
		if (i < F && istd <= 0)
			return tm_fail(err, TMNET_BLOB_E_NORM, OFF(norm.inv_std) + 4 * i);
	}
	for (i = 0; i < TMNET_N_OUT; i++) {
		__s32 os = (__s32)rd32(p, OFF(norm.out_scale) + 4 * i);

		if (sys != TMNET_SYS_PRIOR ? os <= 0 : os != 0)
			return tm_fail(err, TMNET_BLOB_E_NORM, OFF(norm.out_scale) + 4 * i);
	}
	if (rd32(p, OFF(norm.in_frac)) > 7)
		return tm_fail(err, TMNET_BLOB_E_NORM, OFF(norm.in_frac));
	if (rd32(p, OFF(norm._pad)))
		return tm_fail(err, TMNET_BLOB_E_RESERVED, OFF(norm._pad));

	/* Kalman */
	{
		__s64 qxx = rd64(p, OFF(kalman.qa_xx)), qxy = rd64(p, OFF(kalman.qa_xy));
		__s64 qyy = rd64(p, OFF(kalman.qa_yy));
		__s64 rx = rd64(p, OFF(kalman.r_x)), ry = rd64(p, OFF(kalman.r_y));
		__s64 p0p = rd64(p, OFF(kalman.p0_pos)), p0v = rd64(p, OFF(kalman.p0_vel));

		if (qxx < 0 || qxx > TM_KALMAN_MAX || qyy < 0 || qyy > TM_KALMAN_MAX ||
		    qxy < -TM_KALMAN_MAX || qxy > TM_KALMAN_MAX || !tm_psd2(qxx, qxy, qyy))
			return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.qa_xx));
		if (rx <= 0 || rx > TM_KALMAN_MAX)
			return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.r_x));
		if (ry <= 0 || ry > TM_KALMAN_MAX)
			return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.r_y));
		if (p0p <= 0 || p0p > TM_KALMAN_MAX)
			return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.p0_pos));
		if (p0v <= 0 || p0v > TM_KALMAN_MAX)
			return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.p0_vel));
		if (rd32(p, OFF(kalman.stale_ticks)) > TM_STALE_MAX)
			return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.stale_ticks));
		if (rd32(p, OFF(kalman._pad)))
			return tm_fail(err, TMNET_BLOB_E_RESERVED, OFF(kalman._pad));
	}
	/* gate */
	{
		__u32 eps = rd32(p, OFF(gate.eps_q16)), bud = rd32(p, OFF(gate.budget));
		__u32 chi = rd32(p, OFF(gate.chi2_q16));
		__s64 fxx = rd64(p, OFF(gate.floor_xx)), fxy = rd64(p, OFF(gate.floor_xy));
		__s64 fyy = rd64(p, OFF(gate.floor_yy));

		if (eps == 0 || eps > TM_Q16_ONE)
			return tm_fail(err, TMNET_BLOB_E_GATE, OFF(gate.eps_q16));
		if (bud == 0 || bud > TMNET_GATE_BUDGET_MAX)
			return tm_fail(err, TMNET_BLOB_E_GATE, OFF(gate.budget));
		if (chi == 0 || chi > TMNET_GATE_CHI2_MAX)
			return tm_fail(err, TMNET_BLOB_E_GATE, OFF(gate.chi2_q16));
		if (rd32(p, OFF(gate.cov_scale_q16)) == 0 ||
		    rd32(p, OFF(gate.cov_scale_q16)) > (1000U << 16))
			return tm_fail(err, TMNET_BLOB_E_GATE, OFF(gate.cov_scale_q16));
		if (fxx > TM_KALMAN_MAX || fyy > TM_KALMAN_MAX || fxy > TM_KALMAN_MAX ||
		    fxy < -TM_KALMAN_MAX || !tm_psd2(fxx, fxy, fyy))
			return tm_fail(err, TMNET_BLOB_E_GATE, OFF(gate.floor_xx));
		if (rd32(p, OFF(gate._pad)))
			return tm_fail(err, TMNET_BLOB_E_RESERVED, OFF(gate._pad));
	}

	/* recording units (versions 2 and 3) */
	if (ver >= TMNET_BLOB_VERSION_UNITS) {
		for (i = 0; i < 2; i++) {
			units.scale_f64[i] = (__u64)rd64(p, UOFF(scale_f64) + 8 * i);
			units.offset_f64[i] = (__u64)rd64(p, UOFF(offset_f64) + 8 * i);
			if (!tm_f64_positive(units.scale_f64[i]))
				return tm_fail(err, TMNET_BLOB_E_UNITS, UOFF(scale_f64) + 8 * i);
			if (!tm_f64_finite(units.offset_f64[i]))
				return tm_fail(err, TMNET_BLOB_E_UNITS, UOFF(offset_f64) + 8 * i);
		}
	}

	/* prior and fusion (version 3) */
	tm_ext_default(&ext);
	if (ver == TMNET_BLOB_VERSION_EXT) {
		__u32 pk = rd32(p, EOFF(prior_kind));
		__s64 tau = rd64(p, EOFF(tau_q32));
		__u32 hc = rd32(p, EOFF(hcov_scale_q16));
		__u32 bad;
		int res;

		if (pk >= __TMNET_PRIOR_MAX)
			return tm_fail(err, TMNET_BLOB_E_EXT, EOFF(prior_kind));
		if (pk == TMNET_PRIOR_DV ? tau < TMNET_TAU_MIN_Q32 || tau > TMNET_TAU_MAX_Q32 :
					   tau != 0)
			return tm_fail(err, TMNET_BLOB_E_EXT, EOFF(tau_q32));
		if (hc == 0 || hc > TMNET_HCOV_SCALE_MAX_Q16)
			return tm_fail(err, TMNET_BLOB_E_EXT, EOFF(hcov_scale_q16));
		if (rd32(p, EOFF(_pad)))
			return tm_fail(err, TMNET_BLOB_E_RESERVED, EOFF(_pad));
		bad = tm_blob_check_fuse(p, hor, &res);
		if (bad)
			return tm_fail(err, res ? TMNET_BLOB_E_RESERVED : TMNET_BLOB_E_EXT,
				       bad - 1);
		ext.prior_kind = pk;
		ext.fuse_kind = rd32(p, EOFF(fuse_kind));
		ext.tau_q32 = tau;
		ext.hcov_scale_q16 = hc;
		ext.mon_shift = rd32(p, EOFF(mon_shift));
		ext.mon_stride = rd32(p, EOFF(mon_stride));
		for (i = 0; i < 4; i++)
			ext.reserved[i] = (__u64)rd64(p, EOFF(reserved) + 8 * i);
	}

	/* tensor table */
	ntens = rd32(p, OFF(n_tensors));
	toff = rd32(p, OFF(tensor_off));
	if (sys == TMNET_SYS_PRIOR ? ntens != 0 : ntens != __TMNET_T_MAX - 1)
		return tm_fail(err, TMNET_BLOB_E_TABLE, OFF(n_tensors));
	tend = (__u64)toff + (__u64)ntens * sizeof(struct tmnet_tensor_desc);
	if (toff != hsz || tend > total)
		return tm_fail(err, TMNET_BLOB_E_TABLE, OFF(tensor_off));
	if (sys != TMNET_SYS_PRIOR)
		need = ((1U << __TMNET_T_MAX) - 1) & ~1U;

	tm_memzero(m, sizeof(*m));
	end_prev = (__u32)tend;
	for (i = 0; i < ntens; i++) {
		__u32 d = toff + i * sizeof(struct tmnet_tensor_desc);
		__u32 id = rd32(p, d), dt = rd32(p, d + 4), rows = rd32(p, d + 8);
		__u32 cols = rd32(p, d + 12), off = rd32(p, d + 16), nb = rd32(p, d + 20);
		struct tm_tshape t;
		__u32 k, pad_end;

		if (tm_tensor_shape(id, F, H, &t) || (seen & (1U << id)))
			return tm_fail(err, TMNET_BLOB_E_TENSOR, d);
		seen |= 1U << id;
		if (dt != t.dtype || rows != t.rows || cols != t.cols ||
		    (__u64)nb != (__u64)rows * cols * t.esize)
			return tm_fail(err, TMNET_BLOB_E_TENSOR_SHAPE, d + 4);
		/* in order, 8-aligned, zero padding between, inside the blob */
		if ((off & 7) || off < end_prev || (__u64)off + nb > total)
			return tm_fail(err, TMNET_BLOB_E_TENSOR, d + 16);
		for (k = end_prev; k < off; k++)
			if (p[k])
				return tm_fail(err, TMNET_BLOB_E_RESERVED, k);
		/* range checks of the data */
		for (k = 0; k < rows * cols; k++) {
			if (t.dtype == TMNET_DT_RQ) {
				if (!tm_rq_ok((__s32)rd32(p, off + 8 * k),
					      (__s32)rd32(p, off + 8 * k + 4)))
					return tm_fail(err, TMNET_BLOB_E_RQ, off + 8 * k);
			} else if (t.dtype == TMNET_DT_S32) {
				__s32 b = (__s32)rd32(p, off + 4 * k);

				if (b > TM_BIAS_MAX || b < -TM_BIAS_MAX)
					return tm_fail(err, TMNET_BLOB_E_BIAS, off + 4 * k);
			} else if ((__s8)p[off + k] == -128) {
				/* symmetric int8: -128 is never produced */
				return tm_fail(err, TMNET_BLOB_E_TENSOR_SHAPE, off + k);
			}
		}
		tm_load_tensor(m, id, p + off, rows, cols);
		end_prev = off + nb;
		pad_end = (end_prev + 7) & ~7U;
		(void)pad_end;
	}
	if ((seen & need) != need)
		return tm_fail(err, TMNET_BLOB_E_TENSOR_MISSING, OFF(n_tensors));
	if (((end_prev + 7) & ~7U) != total)
		return tm_fail(err, TMNET_BLOB_E_SIZE, OFF(total_size));
	for (i = end_prev; i < total; i++)
		if (p[i])
			return tm_fail(err, TMNET_BLOB_E_RESERVED, i);

	/* build */
	m->system = sys;
	m->n_feat = F;
	m->hidden = H;
	m->rate_hz = rate;
	m->window_ticks = win;
	m->horizon_ticks = hor;
	m->crc32 = crc;
	m->units = units;
	m->ext = ext;
	for (i = 0; i < TMNET_NAME_LEN; i++)
		m->name[i] = (char)p[OFF(name) + i];
	for (i = 0; i < TMNET_MAX_FEATURES; i++) {
		m->norm.mean[i] = (__s32)rd32(p, OFF(norm.mean) + 4 * i);
		m->norm.inv_std[i] = (__s32)rd32(p, OFF(norm.inv_std) + 4 * i);
	}
	for (i = 0; i < TMNET_N_OUT; i++)
		m->norm.out_scale[i] = (__s32)rd32(p, OFF(norm.out_scale) + 4 * i);
	m->norm.in_frac = rd32(p, OFF(norm.in_frac));
	m->kalman.qa_xx = rd64(p, OFF(kalman.qa_xx));
	m->kalman.qa_xy = rd64(p, OFF(kalman.qa_xy));
	m->kalman.qa_yy = rd64(p, OFF(kalman.qa_yy));
	m->kalman.r_x = rd64(p, OFF(kalman.r_x));
	m->kalman.r_y = rd64(p, OFF(kalman.r_y));
	m->kalman.p0_pos = rd64(p, OFF(kalman.p0_pos));
	m->kalman.p0_vel = rd64(p, OFF(kalman.p0_vel));
	m->kalman.stale_ticks = rd32(p, OFF(kalman.stale_ticks));
	m->gate.eps_q16 = rd32(p, OFF(gate.eps_q16));
	m->gate.budget = rd32(p, OFF(gate.budget));
	m->gate.chi2_q16 = rd32(p, OFF(gate.chi2_q16));
	m->gate.cov_scale_q16 = rd32(p, OFF(gate.cov_scale_q16));
	m->gate.floor_xx = rd64(p, OFF(gate.floor_xx));
	m->gate.floor_xy = rd64(p, OFF(gate.floor_xy));
	m->gate.floor_yy = rd64(p, OFF(gate.floor_yy));
	m->gate.sat_limit = rd32(p, OFF(gate.sat_limit));
	if (tm_kf_params_init_ext(&m->kf, &m->kalman, &m->ext, rate, hor))
		return tm_fail(err, TMNET_BLOB_E_KALMAN, OFF(kalman.r_x));
	tm_model_pack(m);
	return 0;
}

void tm_model_default_prior(struct tm_model *m, __u32 rate_hz)
{
	static const char name[] = "builtin-prior";
	__u32 i;

	tm_memzero(m, sizeof(*m));
	m->system = TMNET_SYS_PRIOR;
	m->rate_hz = rate_hz;
	m->window_ticks = TMNET_DEFAULT_WINDOW_TICKS * rate_hz / TMNET_DEFAULT_RATE_HZ;
	if (!m->window_ticks)
		m->window_ticks = 1;
	m->horizon_ticks = TMNET_DEFAULT_HORIZON_TICKS * rate_hz / TMNET_DEFAULT_RATE_HZ;
	if (!m->horizon_ticks)
		m->horizon_ticks = 1;
	for (i = 0; i < sizeof(name); i++)
		m->name[i] = name[i];
	/* data units assumed O(1..100): qa 10 u^2/s^3, r 1e-4 u^2 */
	m->kalman.qa_xx = 10 * TM_Q32_ONE;
	m->kalman.qa_yy = 10 * TM_Q32_ONE;
	m->kalman.r_x = TM_Q32_ONE / 10000;
	m->kalman.r_y = TM_Q32_ONE / 10000;
	m->kalman.p0_pos = TM_Q32_ONE / 10000;
	m->kalman.p0_vel = TM_Q32_ONE;
	m->kalman.stale_ticks = rate_hz / 10;
	m->gate.eps_q16 = TMNET_GATE_EPS_DEFAULT;
	m->gate.budget = TMNET_GATE_BUDGET_DEFAULT;
	m->gate.chi2_q16 = TMNET_GATE_CHI2_DEFAULT;
	m->gate.cov_scale_q16 = TM_Q16_ONE;
	tm_ext_default(&m->ext);
	tm_kf_params_init_ext(&m->kf, &m->kalman, &m->ext, m->rate_hz, m->horizon_ticks);
}

__u32 tm_blob_size(__u32 system, __u32 n_feat, __u32 hidden)
{
	__u32 sz = sizeof(struct tmnet_blob_hdr), id;
	struct tm_tshape t;

	if (system == TMNET_SYS_PRIOR)
		return sz;
	sz += (__TMNET_T_MAX - 1) * sizeof(struct tmnet_tensor_desc);
	for (id = 1; id < __TMNET_T_MAX; id++) {
		tm_tensor_shape(id, n_feat, hidden, &t);
		sz = (sz + 7) & ~7U;
		sz += t.rows * t.cols * t.esize;
	}
	return (sz + 7) & ~7U;
}

/* the header size tm_blob_write() uses for m: the smallest version */
static __u32 tm_model_hdr_size(const struct tm_model *m)
{
	if (!tm_ext_is_default(&m->ext))
		return TM_HDR_V3;
	return tm_units_set(&m->units) ? TM_HDR_V2 : TM_HDR_V1;
}

__u32 tm_model_blob_size(const struct tm_model *m)
{
	return tm_blob_size(m->system, m->n_feat, m->hidden) + tm_model_hdr_size(m) - TM_HDR_V1;
}

/*
 * The smallest version that represents the model: 3 when the extension
 * is not the default (the units follow the header, scale 1 and offset 0
 * if the model records none, then the extension), else 2 when the model
 * records units, else 1.  So a version 1 or 2 model keeps its exact bytes
 * and CRC.
 */
int tm_blob_write(void *buf, __u32 cap, const struct tm_model *m)
{
	__u8 *p = buf;
	__u32 total = tm_model_blob_size(m);
	__u32 hsz = tm_model_hdr_size(m);
	__u32 i, id, off, ntens = 0;

	if (cap < total || m->system >= __TMNET_SYS_MAX)
		return -1;
	tm_memzero(p, total);
	wr32(p, OFF(magic), TMNET_BLOB_MAGIC);
	wr16(p, OFF(version), hsz == TM_HDR_V1 ? TMNET_BLOB_VERSION :
			      hsz == TM_HDR_V2 ? TMNET_BLOB_VERSION_UNITS : TMNET_BLOB_VERSION_EXT);
	wr16(p, OFF(hdr_size), hsz);
	if (hsz >= TM_HDR_V2) {
		int set = tm_units_set(&m->units);

		for (i = 0; i < 2; i++) {
			wr64(p, UOFF(scale_f64) + 8 * i,
			     (__s64)(set ? m->units.scale_f64[i] : TM_F64_ONE));
			wr64(p, UOFF(offset_f64) + 8 * i, (__s64)(set ? m->units.offset_f64[i] : 0));
		}
	}
	if (hsz == TM_HDR_V3) {
		wr32(p, EOFF(prior_kind), m->ext.prior_kind);
		wr32(p, EOFF(fuse_kind), m->ext.fuse_kind);
		wr64(p, EOFF(tau_q32), m->ext.tau_q32);
		wr32(p, EOFF(hcov_scale_q16), m->ext.hcov_scale_q16);
		wr32(p, EOFF(mon_shift), m->ext.mon_shift);
		wr32(p, EOFF(mon_stride), m->ext.mon_stride);
		for (i = 0; i < 4; i++)
			wr64(p, EOFF(reserved) + 8 * i, (__s64)m->ext.reserved[i]);
	}
	wr32(p, OFF(total_size), total);
	p[OFF(system)] = (__u8)m->system;
	p[OFF(n_features)] = (__u8)m->n_feat;
	p[OFF(hidden)] = (__u8)m->hidden;
	p[OFF(n_out)] = m->system == TMNET_SYS_PRIOR ? 0 : TMNET_N_OUT;
	wr32(p, OFF(rate_hz), m->rate_hz);
	wr32(p, OFF(window_ticks), m->window_ticks);
	wr32(p, OFF(horizon_ticks), m->horizon_ticks);
	for (i = 0; i + 1 < TMNET_NAME_LEN && m->name[i]; i++)
		p[OFF(name) + i] = (__u8)m->name[i];
	for (i = 0; i < TMNET_MAX_FEATURES; i++) {
		wr32(p, OFF(norm.mean) + 4 * i, (__u32)m->norm.mean[i]);
		wr32(p, OFF(norm.inv_std) + 4 * i, (__u32)m->norm.inv_std[i]);
	}
	for (i = 0; i < TMNET_N_OUT; i++)
		wr32(p, OFF(norm.out_scale) + 4 * i, (__u32)m->norm.out_scale[i]);
	wr32(p, OFF(norm.in_frac), m->norm.in_frac);
	wr64(p, OFF(kalman.qa_xx), m->kalman.qa_xx);
	wr64(p, OFF(kalman.qa_xy), m->kalman.qa_xy);
	wr64(p, OFF(kalman.qa_yy), m->kalman.qa_yy);
	wr64(p, OFF(kalman.r_x), m->kalman.r_x);
	wr64(p, OFF(kalman.r_y), m->kalman.r_y);
	wr64(p, OFF(kalman.p0_pos), m->kalman.p0_pos);
	wr64(p, OFF(kalman.p0_vel), m->kalman.p0_vel);
	wr32(p, OFF(kalman.stale_ticks), m->kalman.stale_ticks);
	wr32(p, OFF(gate.eps_q16), m->gate.eps_q16);
	wr32(p, OFF(gate.budget), m->gate.budget);
	wr32(p, OFF(gate.chi2_q16), m->gate.chi2_q16);
	wr32(p, OFF(gate.cov_scale_q16), m->gate.cov_scale_q16);
	wr64(p, OFF(gate.floor_xx), m->gate.floor_xx);
	wr64(p, OFF(gate.floor_xy), m->gate.floor_xy);
	wr64(p, OFF(gate.floor_yy), m->gate.floor_yy);
	wr32(p, OFF(gate.sat_limit), m->gate.sat_limit);
	wr32(p, OFF(tensor_off), hsz);

	off = hsz;
	if (m->system != TMNET_SYS_PRIOR)
		ntens = __TMNET_T_MAX - 1;
	wr32(p, OFF(n_tensors), ntens);
	off += ntens * sizeof(struct tmnet_tensor_desc);
	for (id = 1; id <= ntens; id++) {
		__u32 d = hsz + (id - 1) * (__u32)sizeof(struct tmnet_tensor_desc);
		struct tm_tshape t;
		__u32 r, c;

		tm_tensor_shape(id, m->n_feat, m->hidden, &t);
		off = (off + 7) & ~7U;
		wr32(p, d, id);
		wr32(p, d + 4, t.dtype);
		wr32(p, d + 8, t.rows);
		wr32(p, d + 12, t.cols);
		wr32(p, d + 16, off);
		wr32(p, d + 20, t.rows * t.cols * t.esize);
		for (r = 0; r < t.rows; r++) {
			for (c = 0; c < t.cols; c++) {
				__u32 k = r * t.cols + c;

				switch (id) {
				case TMNET_T_W_IH:
					p[off + k] = (__u8)m->w_ih[r][c];
					break;
				case TMNET_T_W_HH:
					p[off + k] = (__u8)m->w_hh[r][c];
					break;
				case TMNET_T_W_OUT:
					p[off + k] = (__u8)m->w_out[r][c];
					break;
				case TMNET_T_B_IH:
					wr32(p, off + 4 * k, (__u32)m->b_ih[r]);
					break;
				case TMNET_T_B_HH:
					wr32(p, off + 4 * k, (__u32)m->b_hh[r]);
					break;
				case TMNET_T_B_OUT:
					wr32(p, off + 4 * k, (__u32)m->b_out[r]);
					break;
				case TMNET_T_RQ_IH:
					wr32(p, off + 8 * k, (__u32)m->rq_ih[r].mult);
					wr32(p, off + 8 * k + 4, (__u32)m->rq_ih[r].shift);
					break;
				case TMNET_T_RQ_HH:
					wr32(p, off + 8 * k, (__u32)m->rq_hh[r].mult);
					wr32(p, off + 8 * k + 4, (__u32)m->rq_hh[r].shift);
					break;
				case TMNET_T_RQ_OUT:
					wr32(p, off + 8 * k, (__u32)m->rq_out[r].mult);
					wr32(p, off + 8 * k + 4, (__u32)m->rq_out[r].shift);
					break;
				}
			}
		}
		off += t.rows * t.cols * t.esize;
	}
	wr32(p, OFF(crc32), tm_crc32(0, p, total));
	return (int)total;
}
