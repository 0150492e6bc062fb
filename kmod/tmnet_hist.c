// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet - log-linear latency histograms and their percentiles.
 *
 * tmnet_hist_add() runs in the tick (hard IRQ): a handful of integer
 * operations, no division, no locks.  Percentiles are computed on demand
 * in process context.
 */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/limits.h>

#include "tmnet_dev.h"

#define LIN	BIT(TMNET_HIST_LIN_BITS)
#define SUB	BIT(TMNET_HIST_SUB_BITS)
#define LAST	(TMNET_HIST_BUCKETS - 1)

const char *const tmnet_stage_names[TMNET_N_STAGES] = {
	[TMNET_STAGE_LATENESS] = "lateness",
	[TMNET_STAGE_PRIOR] = "prior",
	[TMNET_STAGE_NET] = "net",
	[TMNET_STAGE_GATE] = "gate",
	[TMNET_STAGE_PUBLISH] = "publish",
	[TMNET_STAGE_TOTAL] = "total",
};

unsigned int tmnet_hist_bucket(u64 ns)
{
	unsigned int e, sub;

	if (ns < LIN)
		return ns;
	e = fls64(ns) - 1;
	if (e >= TMNET_HIST_MAX_EXP)
		return LAST;
	sub = (ns >> (e - TMNET_HIST_SUB_BITS)) & (SUB - 1);
	return LIN + (e - TMNET_HIST_LIN_BITS) * SUB + sub;
}

void tmnet_hist_bucket_range(unsigned int b, u64 *lo, u64 *hi)
{
	unsigned int e, sub;

	if (b < LIN) {
		*lo = b;
		*hi = b;
		return;
	}
	if (b >= LAST) {
		*lo = 1ULL << TMNET_HIST_MAX_EXP;
		*hi = U64_MAX;
		return;
	}
	e = TMNET_HIST_LIN_BITS + (b - LIN) / SUB;
	sub = (b - LIN) % SUB;
	*lo = (u64)(SUB + sub) << (e - TMNET_HIST_SUB_BITS);
	*hi = *lo + (1ULL << (e - TMNET_HIST_SUB_BITS)) - 1;
}

void tmnet_hist_add(struct tmnet_hist *h, u64 ns)
{
	h->bucket[tmnet_hist_bucket(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

/* Smallest value v such that at least permille/1000 of the samples are <= v */
static u64 tmnet_hist_rank(const struct tmnet_hist *h, u64 total, u32 permille)
{
	u64 rank = div_u64(total * permille + 999, 1000);
	u64 cum = 0, lo, hi;
	unsigned int b;

	if (!rank)
		rank = 1;
	for (b = 0; b < TMNET_HIST_BUCKETS; b++) {
		cum += h->bucket[b];
		if (cum >= rank) {
			tmnet_hist_bucket_range(b, &lo, &hi);
			return min(hi, h->max_ns);
		}
	}
	return h->max_ns;
}

void tmnet_hist_percentiles(const struct tmnet_hist *h, struct tmnet_pct *p)
{
	u64 total = 0;
	unsigned int b;

	/* the bucket sum, not h->count, so that a racy copy stays consistent */
	for (b = 0; b < TMNET_HIST_BUCKETS; b++)
		total += h->bucket[b];
	p->count = total;
	if (!total) {
		p->mean_ns = 0;
		p->p50_ns = 0;
		p->p90_ns = 0;
		p->p99_ns = 0;
		p->p999_ns = 0;
		p->max_ns = 0;
		return;
	}
	p->mean_ns = h->count ? div64_u64(h->sum_ns, h->count) : 0;
	p->p50_ns = tmnet_hist_rank(h, total, 500);
	p->p90_ns = tmnet_hist_rank(h, total, 900);
	p->p99_ns = tmnet_hist_rank(h, total, 990);
	p->p999_ns = tmnet_hist_rank(h, total, 999);
	p->max_ns = h->max_ns;
}
