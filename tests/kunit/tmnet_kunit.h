/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the tmnet KUnit suites (tests/kunit/).  The core is
 * compiled unchanged into tmnet_kunit.ko; these helpers build models and
 * blobs for the suites with kunit-managed memory.
 */
#ifndef TMNET_KUNIT_H
#define TMNET_KUNIT_H

#include <kunit/test.h>
#include "tm_core.h"

/* xorshift64*: deterministic pseudo-random test data */
static inline u64 tmk_rand(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* a uniformly distributed integer in [lo, hi] */
static inline s64 tmk_range(u64 *s, s64 lo, s64 hi)
{
	return lo + (s64)(tmk_rand(s) % (u64)(hi - lo + 1));
}

/* A valid system-B model with `hidden` units and random weights. */
struct tm_model *tmk_model_b(struct kunit *test, u32 hidden, u64 seed);
/* tm_model_default_prior() in kunit memory */
struct tm_model *tmk_model_prior(struct kunit *test, u32 rate_hz);
/* Serialise m; *len receives the blob size */
u8 *tmk_blob(struct kunit *test, const struct tm_model *m, u32 *len);
/* Recompute the CRC after a deliberate edit, so later checks are reached */
void tmk_blob_fix_crc(u8 *blob, u32 len);

#endif /* TMNET_KUNIT_H */
