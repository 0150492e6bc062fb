/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet - kernel API differences between the supported kernels (6.1 ..
 * current), in one place.
 */
#ifndef TMNET_COMPAT_H
#define TMNET_COMPAT_H

#include <linux/version.h>
#include <linux/hrtimer.h>

/*
 * 6.13 added hrtimer_setup(), which sets the callback together with the
 * clock and mode; hrtimer_init() was removed later.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
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
