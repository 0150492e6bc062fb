/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnet core: samples from input-device events (core/tm_input.c).
 *
 * Shared bit for bit by the kernel's input handler (kmod/tmnet_input.c) and
 * userspace (tests/guest/tmnet_input_test.c replays what evdev reported), so
 * that userspace can recompute exactly the samples the kernel queued.
 * Freestanding like the rest of the core: no float, no libc, no kernel API.
 *
 * Two steps:
 *  1. tm_input_event() assembles the events of one frame (up to
 *     EV_SYN/SYN_REPORT) into a struct tm_input_raw in device units:
 *     position (ABS_X/ABS_Y, or ABS_MT_POSITION_X/Y of slot 0, or REL_X/
 *     REL_Y integrated) and velocity (device units/s, Q16.16), the causal
 *     backward difference over a window w, v(t) = (p(t) - p(t - w)) / w with
 *     p(t - w) interpolated between the two samples around it, which is what
 *     `tmnet data import` computes on its resampled track (a span shorter
 *     than w when the segment is younger than w; 0 for its first sample).
 *  2. tm_input_convert() maps device units to the model's data units with
 *     the blob's recording units, data = (device - offset) * scale, using a
 *     fixed-point form of the f64 scale and offset that tm_input_conv_init()
 *     derives from their bit patterns (integer operations only).
 *
 * Segments: a sample starts one (TMNET_SAMPLE_SEG_START) when it is the
 * first after init, after a release of BTN_TOUCH or BTN_TOOL_PEN (the frame
 * holding the release still ends the old segment), after the end of the
 * tracked contact (ABS_MT_TRACKING_ID -1 in slot 0), after SYN_DROPPED, or
 * when more than gap_ns passed since the previous sample.  Relative devices
 * (mice): the integrated position restarts at (0, 0) at every segment
 * start, and a segment also restarts when it leaves +-TM_INPUT_REL_LIMIT
 * device units, so the position stays in the Q16.16 range.
 *
 * A frame gives a sample only if it moved the tracked position and both
 * coordinates are known; frames with only button or pressure changes give
 * none.  All loops are bounded by TM_INPUT_HIST.
 */
#ifndef TM_INPUT_H
#define TM_INPUT_H

#include "tm_core.h"

/* The Linux input event codes used here (stable uapi values) */
#define TM_EV_SYN		0x00
#define TM_EV_KEY		0x01
#define TM_EV_REL		0x02
#define TM_EV_ABS		0x03
#define TM_SYN_REPORT		0
#define TM_SYN_DROPPED		3
#define TM_REL_X		0x00
#define TM_REL_Y		0x01
#define TM_ABS_X		0x00
#define TM_ABS_Y		0x01
#define TM_ABS_MT_SLOT		0x2f
#define TM_ABS_MT_POSITION_X	0x35
#define TM_ABS_MT_POSITION_Y	0x36
#define TM_ABS_MT_TRACKING_ID	0x39
#define TM_BTN_TOOL_PEN		0x140
#define TM_BTN_TOUCH		0x14a

#define TM_INPUT_HIST		16	/* samples kept for the velocity */
#define TM_INPUT_REL		(1U << 0)	/* relative device: integrate */
#define TM_INPUT_MT		(1U << 1)	/* positions from ABS_MT slot 0 */
#define TM_INPUT_REL_LIMIT	((__s64)1 << 24)	/* device units */
/* the defaults of `tmnet data import` (--vel-window-ms 10, --gap-ms 50) */
#define TM_INPUT_VEL_WINDOW_NS	10000000ULL
#define TM_INPUT_GAP_NS		50000000ULL

/* data_q16 = round((device * 2^32 - off_q32) * mult / 2^(sh + 16)) */
struct tm_input_conv {
	__s64 mult[2];		/* mantissa of scale, < 2^53 */
	__s32 sh[2];		/* scale = mult * 2^-sh */
	__s64 off_q32[2];	/* offset, device units, Q32.32 (saturated) */
};

/* One sample in device units */
struct tm_input_raw {
	__u64 t_ns;
	__s64 x, y;		/* device units */
	__s64 vx_q16, vy_q16;	/* device units per second, Q16.16 */
	__u32 flags;		/* TMNET_SAMPLE_* */
	__u32 seq;		/* samples made before this one */
};

struct tm_input_hist {
	__u64 t_ns;
	__s64 x, y;
};

struct tm_input {
	__u32 flags;		/* TM_INPUT_REL, TM_INPUT_MT */
	__u32 have;		/* bit 0: x known, bit 1: y known */
	__u32 moved;		/* this frame moved the position */
	__u32 lift;		/* this frame released the pen / touch */
	__u32 seg;		/* the next sample starts a segment */
	__s32 slot;		/* current ABS_MT slot */
	__u64 vel_window_ns;
	__u64 gap_ns;
	__s64 pos[2];		/* device units */
	__u32 seq;
	__u32 nh;		/* valid history entries (this segment) */
	__u32 hh;		/* index of the newest entry */
	__u32 _pad;
	struct tm_input_hist hist[TM_INPUT_HIST];
	/* counters */
	__u64 events, frames, samples, segs;
};

/*
 * Decode the blob's recording units (all zero: scale 1, offset 0).
 * Load-time only.  Returns 0, or -1 if a scale is not finite and > 0 or an
 * offset is not finite (conv is then the identity).
 */
int tm_input_conv_init(struct tm_input_conv *c, const struct tmnet_blob_units *u);
void tm_input_convert(const struct tm_input_conv *c, const struct tm_input_raw *r,
		      struct tmnet_sample *s);

void tm_input_init(struct tm_input *in, __u32 flags, __u64 vel_window_ns, __u64 gap_ns);
/* The device's current absolute position (known before any event) */
void tm_input_seed(struct tm_input *in, __s64 x, __s64 y);
/*
 * A multi-touch device's current slot (its ABS_MT_SLOT value): the input
 * core sends ABS_MT_SLOT only when the slot changes.
 */
void tm_input_seed_slot(struct tm_input *in, __s32 slot);
/* Returns 1 and fills *out when the event completes a sample, else 0 */
int tm_input_event(struct tm_input *in, __u32 type, __u32 code, __s32 value,
		   __u64 t_ns, struct tm_input_raw *out);
/*
 * round(num / den), ties away from zero, saturating to s64 (den > 0): the
 * velocity division of the input path (num = displacement Q16.16 * 1e9,
 * den = ns).
 */
__s64 tm_input_div(tm_s128 num, __u64 den);

#endif /* TM_INPUT_H */
