/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integer-only synthetic trajectory for the pipeline parity vectors, shared
 * by the host tests and the KUnit suite (no libm, no float): a point on a
 * circle-ish path with piecewise-constant acceleration, ~1 % dropouts.
 * Q16.16 positions, units/s velocities.
 */
#ifndef TM_VEC_TRAJ_H
#define TM_VEC_TRAJ_H

struct tm_vec_traj {
	__u64 rng;
	__s64 x, y, vx, vy;	/* Q32.32 */
	__s64 ax, ay;		/* Q32.32 units/s^2 */
	__u32 t;
};

static inline __u64 tm_vec_rand(struct tm_vec_traj *tr)
{
	tr->rng ^= tr->rng >> 12;
	tr->rng ^= tr->rng << 25;
	tr->rng ^= tr->rng >> 27;
	return tr->rng * 0x2545F4914F6CDD1DULL;
}

static inline void tm_vec_traj_init(struct tm_vec_traj *tr, __u64 seed)
{
	tr->rng = seed ? seed : 1;
	tr->x = 0;
	tr->y = 0;
	tr->vx = (__s64)3 << 32;
	tr->vy = (__s64)1 << 31;
	tr->ax = 0;
	tr->ay = 0;
	tr->t = 0;
}

/* one 2 kHz tick: fills s, returns 1 */
static inline void tm_vec_traj_next(struct tm_vec_traj *tr, struct tmnet_sample *s)
{
	__u64 r;

	if (tr->t % 600 == 0) {	/* new acceleration every 300 ms, +-8 u/s^2 */
		tr->ax = (__s64)(tm_vec_rand(tr) % 16001) * ((__s64)1 << 32) / 1000 -
			 ((__s64)8 << 32);
		tr->ay = (__s64)(tm_vec_rand(tr) % 16001) * ((__s64)1 << 32) / 1000 -
			 ((__s64)8 << 32);
	}
	tr->vx += tr->ax / 2000;
	tr->vy += tr->ay / 2000;
	/* soft arena: pull back towards the origin */
	tr->vx -= tr->x / 20000000;
	tr->vy -= tr->y / 20000000;
	tr->x += tr->vx / 2000;
	tr->y += tr->vy / 2000;
	r = tm_vec_rand(tr);
	s->t_ns = (__u64)tr->t * 500000ULL;
	/* +-0.004 units of uniform sensor noise */
	s->x = (__s32)((tr->x + (__s64)(r % 1025) * 16777216LL - 8598323200LL) / 65536);
	s->y = (__s32)((tr->y + (__s64)((r >> 16) % 1025) * 16777216LL - 8598323200LL) / 65536);
	s->vx = (__s32)(tr->vx / 65536);
	s->vy = (__s32)(tr->vy / 65536);
	s->flags = ((r >> 40) % 100) ? TMNET_SAMPLE_VALID : 0;
	s->seq = tr->t;
	tr->t++;
}

#endif
