/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor's fusion (TMNET_FUSE_MONITOR) on a System B model, for the
 * benchmarks: the default shift of tmnet quantize (6), the smallest stride
 * the ring allows for the model's horizon, and initial moments (units^2)
 * that give a blend weight strictly inside (0, 1).
 */
#ifndef TM_BENCH_MON_H
#define TM_BENCH_MON_H

#include "tm_core.h"

static inline void tm_bench_monitor(struct tm_model *m)
{
	__u32 h = m->horizon_ticks;

	m->ext.fuse_kind = TMNET_FUSE_MONITOR;
	m->ext.mon_shift = 6;
	m->ext.mon_stride = h > TMNET_MON_SLOTS - 1 ?
		(h + TMNET_MON_SLOTS - 2) / (TMNET_MON_SLOTS - 1) : 1;
	m->ext.reserved[TMNET_MON_INIT_PP] = (__u64)(100 * TM_Q32_ONE);
	m->ext.reserved[TMNET_MON_INIT_NN] = (__u64)(50 * TM_Q32_ONE);
	m->ext.reserved[TMNET_MON_INIT_PN] = (__u64)(20 * TM_Q32_ONE);
}

#endif /* TM_BENCH_MON_H */
