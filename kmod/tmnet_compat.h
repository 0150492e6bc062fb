/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet - kernel API differences between the supported kernels (6.1 ..
 * current), in one place.  Detected by Kbuild (feature tests on the headers).
 */
#ifndef TMNET_COMPAT_H
#define TMNET_COMPAT_H

#include <linux/hrtimer.h>

/*
 * 6.13 added hrtimer_setup(), which sets the callback together with the
 * clock and mode; hrtimer_init() was removed later.  Kbuild defines
 * TMNET_HAVE_HRTIMER_SETUP when the kernel headers declare it.
 */
#ifdef TMNET_HAVE_HRTIMER_SETUP
static inline void tmnet_hrtimer_setup(struct hrtimer *t,
				       enum hrtimer_restart (*fn)(struct hrtimer *),
				       clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_setup(t, fn, clock, mode);
}
#else
static inline void tmnet_hrtimer_setup(struct hrtimer *t,
				       enum hrtimer_restart (*fn)(struct hrtimer *),
				       clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_init(t, clock, mode);
	t->function = fn;
}
#endif

#endif /* TMNET_COMPAT_H */
