// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet core: samples from input-device events.  See core/tm_input.h.
 *
 * Bounds: tm_input_event() walks the history (TM_INPUT_HIST entries) once;
 * tm_input_div() is one 64-bit division, or tm_udiv128 (128 steps) for a
 * numerator beyond 2^63 (a displacement of more than 2^17 device units per
 * ns-scaled window, which no real device produces).  Nothing else loops.
 */
#include "tm_input.h"

#define S64_MAX	0x7fffffffffffffffLL
#define S64_MIN	(-S64_MAX - 1)

__s64 tm_input_div(tm_s128 num, __u64 den)
{
	tm_u128 a = num < 0 ? -(tm_u128)num : (tm_u128)num, q;

	if (!den)
		return 0;
	if (a >> 63) {
		q = tm_udiv128(a + den / 2, den);
		if (q >> 63)
			return num < 0 ? S64_MIN : S64_MAX;
	} else {
		__u64 n64 = (__u64)a;

		/* n64 < 2^63 and den / 2 < 2^63: no overflow */
		q = (n64 + den / 2) / den;
	}
	return num < 0 ? -(__s64)q : (__s64)q;
}

/* ------------------------------------------------------------------ */
/* Units                                                               */
/* ------------------------------------------------------------------ */

/* value = mant * 2^e2; -1 for infinities and NaNs */
static int tm_f64_decode(__u64 b, __u64 *mant, int *e2, int *neg)
{
	unsigned int ex = (unsigned int)((b >> 52) & 0x7ff);
	__u64 frac = b & ((1ULL << 52) - 1);

	if (ex == 0x7ff)
		return -1;
	*neg = (int)(b >> 63);
	if (ex == 0) {
		*mant = frac;
		*e2 = -1074;
	} else {
		*mant = frac | (1ULL << 52);
		*e2 = (int)ex - 1075;
	}
	return 0;
}

/* round(mant * 2^k), saturating to s64 */
static __s64 tm_ldexp_s64(__u64 mant, int k, int neg)
{
	__s64 v;

	if (!mant)
		return 0;
	if (k >= 0) {
		if (k >= 63 || tm_bitlen64(mant) + (unsigned int)k > 63)
			v = S64_MAX;
		else
			v = (__s64)(mant << k);
	} else {
		v = k <= -64 ? 0 : tm_sat_shr128((tm_s128)mant, (unsigned int)-k);
	}
	return neg ? -v : v;
}

int tm_input_conv_init(struct tm_input_conv *c, const struct tmnet_blob_units *u)
{
	int a, e2, neg, bad = 0;
	__u64 mant;

	for (a = 0; a < 2; a++) {
		c->mult[a] = 1;
		c->sh[a] = 0;
		c->off_q32[a] = 0;
	}
	if (!u || (!u->scale_f64[0] && !u->scale_f64[1] &&
		   !u->offset_f64[0] && !u->offset_f64[1]))
		return 0;	/* version 1: none recorded */
	for (a = 0; a < 2; a++) {
		if (tm_f64_decode(u->scale_f64[a], &mant, &e2, &neg) || neg || !mant) {
			bad = 1;
			continue;
		}
		c->mult[a] = (__s64)mant;
		c->sh[a] = -e2;
		if (tm_f64_decode(u->offset_f64[a], &mant, &e2, &neg)) {
			bad = 1;
			continue;
		}
		c->off_q32[a] = tm_ldexp_s64(mant, e2 + 32, neg);
	}
	if (bad) {
		tm_input_conv_init(c, NULL);
		return -1;
	}
	return 0;
}

/* round(v * mult / 2^sh) with a possibly negative sh, saturating */
static __s64 tm_scale(tm_s128 v, __s64 mult, int sh)
{
	tm_s128 p = v * mult;	/* |v| < 2^65, mult < 2^53 */

	if (sh >= 0)
		return tm_sat_shr128(p, (unsigned int)sh);
	if (!p)
		return 0;
	if (sh < -62 || tm_bitlen128(p < 0 ? -(tm_u128)p : (tm_u128)p) + (unsigned int)-sh > 126)
		return p < 0 ? S64_MIN : S64_MAX;
	return tm_sat_shr128(p * ((tm_s128)1 << -sh), 0);
}

static __s64 tm_clamp_dev(__s64 v)
{
	const __s64 lim = (__s64)1 << 32;

	return v > lim ? lim : v < -lim ? -lim : v;
}

void tm_input_convert(const struct tm_input_conv *c, const struct tm_input_raw *r,
		      struct tmnet_sample *s)
{
	const __s64 p[2] = { tm_clamp_dev(r->x), tm_clamp_dev(r->y) };
	const __s64 v[2] = { r->vx_q16, r->vy_q16 };
	__s32 out[2], vout[2];
	int a;

	for (a = 0; a < 2; a++) {
		/* a multiplication, not a shift: p may be negative */
		tm_s128 q32 = (tm_s128)p[a] * ((tm_s128)1 << 32) - c->off_q32[a];

		out[a] = tm_sat_s32(tm_scale(q32, c->mult[a], c->sh[a] + 16));
		vout[a] = tm_sat_s32(tm_scale(v[a], c->mult[a], c->sh[a]));
	}
	s->t_ns = r->t_ns;
	s->x = out[0];
	s->y = out[1];
	s->vx = vout[0];
	s->vy = vout[1];
	s->flags = r->flags;
	s->seq = r->seq;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

void tm_input_init(struct tm_input *in, __u32 flags, __u64 vel_window_ns, __u64 gap_ns)
{
	tm_memzero(in, sizeof(*in));
	in->flags = flags;
	in->vel_window_ns = vel_window_ns ? vel_window_ns : TM_INPUT_VEL_WINDOW_NS;
	in->gap_ns = gap_ns ? gap_ns : TM_INPUT_GAP_NS;
	in->seg = 1;
	if (flags & TM_INPUT_REL)
		in->have = 3;
}

void tm_input_seed(struct tm_input *in, __s64 x, __s64 y)
{
	in->pos[0] = x;
	in->pos[1] = y;
	in->have = 3;
}

void tm_input_seed_slot(struct tm_input *in, __s32 slot)
{
	in->slot = slot;
}

static const struct tm_input_hist *tm_hist_at(const struct tm_input *in, __u32 age)
{
	return &in->hist[(in->hh + TM_INPUT_HIST - age) % TM_INPUT_HIST];
}

/* (p - p_ref) * 1e9 / dt in Q16.16, p in device units */
static __s64 tm_vel(__s64 p_q16, __s64 ref_q16, __u64 dt_ns)
{
	return tm_input_div(((tm_s128)p_q16 - ref_q16) * 1000000000, dt_ns);
}

/* Velocity of the new sample (t, x, y) from the history of its segment */
static void tm_input_velocity(const struct tm_input *in, __u64 t, const __s64 p[2],
			      __s64 v[2])
{
	const struct tm_input_hist *h, *newer = NULL;
	__u64 w = in->vel_window_ns, tr;
	__u32 k;
	int a;

	v[0] = v[1] = 0;
	if (!in->nh)
		return;
	tr = t > w ? t - w : 0;
	for (k = 0; k < in->nh && k < TM_INPUT_HIST; k++) {
		h = tm_hist_at(in, k);
		if (h->t_ns <= tr)
			break;
		newer = h;
	}
	if (k == in->nh || k == TM_INPUT_HIST) {
		/* the segment is younger than w: its longest span */
		h = tm_hist_at(in, in->nh - 1);
		if (t <= h->t_ns)
			return;
		for (a = 0; a < 2; a++)
			v[a] = tm_vel(p[a] * TM_Q16_ONE, (&h->x)[a] * TM_Q16_ONE, t - h->t_ns);
		return;
	}
	if (!newer) {
		/* the previous sample is older than w: p(t - w) on the chord to it */
		for (a = 0; a < 2; a++)
			v[a] = tm_vel(p[a] * TM_Q16_ONE, (&h->x)[a] * TM_Q16_ONE, t - h->t_ns);
		return;
	}
	/* h->t_ns <= tr < newer->t_ns: interpolate p(tr) between them */
	for (a = 0; a < 2; a++) {
		__s64 p0 = (&h->x)[a], p1 = (&newer->x)[a], ref;

		ref = p0 * TM_Q16_ONE +
		      tm_input_div(((tm_s128)p1 - p0) * TM_Q16_ONE * (__s64)(tr - h->t_ns),
				   newer->t_ns - h->t_ns);
		v[a] = tm_vel(p[a] * TM_Q16_ONE, ref, w);
	}
}

static int tm_input_frame(struct tm_input *in, __u64 t, struct tm_input_raw *out)
{
	const struct tm_input_hist *last;
	struct tm_input_hist *h;
	__s64 v[2];
	int seg = in->seg, a;

	if (!in->moved || in->have != 3)
		return 0;
	last = in->nh ? tm_hist_at(in, 0) : NULL;
	if (!last || t < last->t_ns || t - last->t_ns > in->gap_ns)
		seg = 1;
	if ((in->flags & TM_INPUT_REL) &&
	    (in->pos[0] > TM_INPUT_REL_LIMIT || in->pos[0] < -TM_INPUT_REL_LIMIT ||
	     in->pos[1] > TM_INPUT_REL_LIMIT || in->pos[1] < -TM_INPUT_REL_LIMIT))
		seg = 1;
	if (seg) {
		in->nh = 0;
		in->segs++;
		if (in->flags & TM_INPUT_REL)
			in->pos[0] = in->pos[1] = 0;
	}
	tm_input_velocity(in, t, in->pos, v);
	out->t_ns = t;
	out->x = in->pos[0];
	out->y = in->pos[1];
	out->vx_q16 = v[0];
	out->vy_q16 = v[1];
	out->flags = TMNET_SAMPLE_VALID | (seg ? TMNET_SAMPLE_SEG_START : 0);
	out->seq = in->seq++;
	in->hh = (in->hh + 1) % TM_INPUT_HIST;
	h = &in->hist[in->hh];
	h->t_ns = t;
	for (a = 0; a < 2; a++)
		(&h->x)[a] = in->pos[a];
	if (in->nh < TM_INPUT_HIST)
		in->nh++;
	in->seg = 0;
	in->samples++;
	return 1;
}

int tm_input_event(struct tm_input *in, __u32 type, __u32 code, __s32 value,
		   __u64 t_ns, struct tm_input_raw *out)
{
	int made = 0;

	in->events++;
	switch (type) {
	case TM_EV_SYN:
		if (code == TM_SYN_REPORT) {
			in->frames++;
			made = tm_input_frame(in, t_ns, out);
			if (in->lift)
				in->seg = 1;
		} else if (code == TM_SYN_DROPPED) {
			in->seg = 1;
		}
		in->moved = 0;
		in->lift = 0;
		break;
	case TM_EV_KEY:
		if ((code == TM_BTN_TOUCH || code == TM_BTN_TOOL_PEN) && value == 0)
			in->lift = 1;
		break;
	case TM_EV_REL:
		if (!(in->flags & TM_INPUT_REL) || code > TM_REL_Y)
			break;
		in->pos[code] = tm_sat_add64(in->pos[code], value);
		in->moved = 1;
		break;
	case TM_EV_ABS:
		if (in->flags & TM_INPUT_REL)
			break;
		if (!(in->flags & TM_INPUT_MT)) {
			if (code <= TM_ABS_Y) {
				in->pos[code] = value;
				in->have |= 1U << code;
				in->moved = 1;
			}
			break;
		}
		if (code == TM_ABS_MT_SLOT) {
			in->slot = value;
		} else if (in->slot == 0 && (code == TM_ABS_MT_POSITION_X ||
					     code == TM_ABS_MT_POSITION_Y)) {
			code -= TM_ABS_MT_POSITION_X;
			in->pos[code] = value;
			in->have |= 1U << code;
			in->moved = 1;
		} else if (in->slot == 0 && code == TM_ABS_MT_TRACKING_ID && value < 0) {
			in->lift = 1;
		}
		break;
	default:
		break;
	}
	return made;
}
