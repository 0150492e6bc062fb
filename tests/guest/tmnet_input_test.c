// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet_input_test - the input-device source of a loaded tmnet.ko (module
 * loaded with instances=2), run as root inside a guest with uinput and
 * evdev.  Prints TAP; exit status 0 iff all passed.
 *
 *   tmnet_input_test --ctl TMNETCTL --blob MODEL.tmn [--seconds S]
 *                    [--frame-hz HZ] [--burst FRAMES] [--dbg DIR]
 *
 * For a virtual tablet and a virtual mouse (/dev/uinput) it attaches
 * tmnet0 (tmnetctl set source input:...), plays a generated track paced at
 * --frame-hz while reading /dev/tmnet0 and the device's evdev node, stops,
 * and recomputes everything in userspace from the evdev capture: the
 * samples with the core's input assembler (core/tm_input.c, the code the
 * kernel's handler runs), their units with the loaded blob's recording
 * units, and the predictions with the core's tick for the samples the
 * kernel ingested (each record's sample_seq names it).  Every record must
 * be equal.  Then: a burst of --burst frames in few writes (the handler's
 * sustained event rate, events/s, with no sample lost by the handler), an
 * unplug while ticking (counted, an input-detached event), an attach to a
 * missing device (its extack message), a second attach (EBUSY both ways),
 * an unprivileged attach (EPERM) and detach on request.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * <linux/input.h> brings the kernel's __u64 (unsigned long long); the core
 * defines its own (uint64_t): give the core's another name here.
 */
#define __u8 tmc_u8
#define __s8 tmc_s8
#define __u16 tmc_u16
#define __s16 tmc_s16
#define __u32 tmc_u32
#define __s32 tmc_s32
#define __u64 tmc_u64
#define __s64 tmc_s64
#include "tm_core.h"
#include "tm_input.h"
#undef __u8
#undef __s8
#undef __u16
#undef __s16
#undef __u32
#undef __s32
#undef __u64
#undef __s64

#define MAX_REC		(1 << 20)
#define MAX_EV		(1 << 21)

static int ntap, nfail;
static const char *ctl = "tmnetctl", *blob_path, *dbg = "/sys/kernel/debug/tmnet/tmnet0";
static double seconds = 3.0;
static unsigned int frame_hz = 1000, burst = 200000;
static char tmpdir[64];

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	ntap++;
	if (!ok)
		nfail++;
	printf("%sok %d - ", ok ? "" : "not ", ntap);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Shell helpers: tmnetctl and debugfs                                 */
/* ------------------------------------------------------------------ */

static char out_buf[65536], err_buf[8192];

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* run "CTL ARGS" (prefix: e.g. setpriv ...); stdout/stderr into the buffers */
static int run_ctl(const char *prefix, const char *fmt, ...)
{
	char args[1024], cmd[2048], o[128], e[128];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(o, sizeof(o), "%s/out", tmpdir);
	snprintf(e, sizeof(e), "%s/err", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s %s %s >%s 2>%s", prefix ? prefix : "", ctl, args, o, e);
	st = system(cmd);
	slurp(o, out_buf, sizeof(out_buf));
	slurp(e, err_buf, sizeof(err_buf));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static int dbg_cmd(const char *line)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/config", dbg);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : -errno;
	close(fd);
	return ret;
}

/* "key": N in the JSON of the last run_ctl (first occurrence after from) */
static long long json_num(const char *from, const char *key)
{
	char pat[128];
	const char *p = strstr(out_buf, from ? from : "");

	if (!p)
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (!strncmp(p, "true", 4))
		return 1;
	if (!strncmp(p, "false", 5))
		return 0;
	return strtoll(p, NULL, 10);
}

/* the input nest of tmnet0 (dev show -j) */
static long long input_num(const char *key)
{
	if (run_ctl(NULL, "-j -d tmnet0 dev show"))
		return -1;
	return json_num("\"input\"", key);
}

static long long stat_num(const char *key)
{
	if (run_ctl(NULL, "-j -d tmnet0 stats"))
		return -1;
	return json_num("\"stats\"", key);
}

/* ------------------------------------------------------------------ */
/* Virtual devices                                                     */
/* ------------------------------------------------------------------ */

struct vdev {
	int ufd;		/* /dev/uinput */
	int efd;		/* its evdev node */
	char node[64];		/* /dev/input/eventN */
	char name[64];
	int rel;		/* a mouse */
	int mt;			/* a multi-touch screen (no ABS_X/ABS_Y) */
};

static int ui_abs(int fd, int code, int max)
{
	struct uinput_abs_setup a;

	memset(&a, 0, sizeof(a));
	a.code = (__u16)code;
	a.absinfo.minimum = 0;
	a.absinfo.maximum = max;
	a.absinfo.resolution = 100;
	return ioctl(fd, UI_SET_ABSBIT, code) || ioctl(fd, UI_ABS_SETUP, &a);
}

/* kind 0: a pen tablet, 1: a mouse, 2: a two-finger touchscreen */
static int vdev_create(struct vdev *v, const char *name, int kind)
{
	int rel = kind == 1;
	struct uinput_setup us;
	char sys[64], path[256];
	double t0;
	int i, clk = CLOCK_MONOTONIC;

	memset(v, 0, sizeof(*v));
	v->efd = -1;
	v->rel = rel;
	v->mt = kind == 2;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->ufd = open("/dev/uinput", O_WRONLY | O_CLOEXEC);
	if (v->ufd < 0)
		return -errno;
	if (ioctl(v->ufd, UI_SET_EVBIT, EV_SYN) || ioctl(v->ufd, UI_SET_EVBIT, EV_KEY))
		return -errno;
	if (rel) {
		if (ioctl(v->ufd, UI_SET_EVBIT, EV_REL) || ioctl(v->ufd, UI_SET_RELBIT, REL_X) ||
		    ioctl(v->ufd, UI_SET_RELBIT, REL_Y) || ioctl(v->ufd, UI_SET_KEYBIT, BTN_LEFT) ||
		    ioctl(v->ufd, UI_SET_KEYBIT, BTN_RIGHT))
			return -errno;
	} else if (kind == 2) {
		if (ioctl(v->ufd, UI_SET_EVBIT, EV_ABS) || ui_abs(v->ufd, ABS_MT_SLOT, 1) ||
		    ui_abs(v->ufd, ABS_MT_TRACKING_ID, 65535) ||
		    ui_abs(v->ufd, ABS_MT_POSITION_X, 65535) ||
		    ui_abs(v->ufd, ABS_MT_POSITION_Y, 65535) ||
		    ioctl(v->ufd, UI_SET_KEYBIT, BTN_TOUCH) ||
		    ioctl(v->ufd, UI_SET_PROPBIT, INPUT_PROP_DIRECT))
			return -errno;
	} else {
		if (ioctl(v->ufd, UI_SET_EVBIT, EV_ABS) || ui_abs(v->ufd, ABS_X, 65535) ||
		    ui_abs(v->ufd, ABS_Y, 65535) || ui_abs(v->ufd, ABS_PRESSURE, 1023) ||
		    ioctl(v->ufd, UI_SET_KEYBIT, BTN_TOUCH) ||
		    ioctl(v->ufd, UI_SET_KEYBIT, BTN_TOOL_PEN) ||
		    ioctl(v->ufd, UI_SET_PROPBIT, INPUT_PROP_DIRECT))
			return -errno;
	}
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0x7e57;
	us.id.product = (__u16)(kind + 1);
	snprintf(us.name, sizeof(us.name), "%s", name);
	if (ioctl(v->ufd, UI_DEV_SETUP, &us) || ioctl(v->ufd, UI_DEV_CREATE))
		return -errno;
	if (ioctl(v->ufd, UI_GET_SYSNAME(sizeof(sys)), sys) < 0)
		return -errno;
	/* the evdev node appears asynchronously */
	for (t0 = now_s(); now_s() < t0 + 5 && !v->node[0]; sleep_s(0.02))
		for (i = 0; i < 1024; i++) {
			struct stat sb;

			snprintf(path, sizeof(path), "/sys/devices/virtual/input/%s/event%d", sys, i);
			if (!stat(path, &sb)) {
				snprintf(v->node, sizeof(v->node), "/dev/input/event%d", i);
				break;
			}
		}
	for (t0 = now_s(); v->node[0] && now_s() < t0 + 5; sleep_s(0.02)) {
		v->efd = open(v->node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (v->efd >= 0)
			break;
	}
	if (v->efd < 0)
		return -ENOENT;
	if (ioctl(v->efd, EVIOCSCLOCKID, &clk))
		return -errno;
	return 0;
}

static void vdev_destroy(struct vdev *v)
{
	if (v->ufd >= 0) {
		ioctl(v->ufd, UI_DEV_DESTROY);
		close(v->ufd);
	}
	if (v->efd >= 0)
		close(v->efd);
	v->ufd = v->efd = -1;
}

/* events queued for one write() */
struct evbuf {
	struct input_event e[4096];
	unsigned int n;
};

static void ev_add(struct evbuf *b, int type, int code, int value)
{
	memset(&b->e[b->n], 0, sizeof(b->e[0]));
	b->e[b->n].type = (__u16)type;
	b->e[b->n].code = (__u16)code;
	b->e[b->n].value = value;
	b->n++;
}

static int ev_flush(struct vdev *v, struct evbuf *b)
{
	size_t len = b->n * sizeof(b->e[0]);
	ssize_t w = b->n ? write(v->ufd, b->e, len) : 0;

	b->n = 0;
	return w == (ssize_t)len ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* A run: play, capture, recompute                                     */
/* ------------------------------------------------------------------ */

static struct tmnet_pred *rec;
static size_t nrec;
static struct input_event *cap;
static size_t ncap;
static int tfd = -1;

static void drain(struct vdev *v)
{
	ssize_t n;

	for (;;) {
		n = read(tfd, rec + nrec, (MAX_REC - nrec) * sizeof(*rec));
		if (n <= 0 || nrec >= MAX_REC)
			break;
		nrec += (size_t)n / sizeof(*rec);
	}
	for (;;) {
		n = read(v->efd, cap + ncap, (MAX_EV - ncap) * sizeof(*cap));
		if (n <= 0 || ncap >= MAX_EV)
			break;
		ncap += (size_t)n / sizeof(*cap);
	}
}

/*
 * Position of the generated track at time t (device units): a pen writing
 * loops that drift to the right, lifted for 60 ms every 0.7 s; the mouse
 * gets the same path at a tenth of the size, as whole-count displacements.
 */
static void track(double t, double *x, double *y, int *down)
{
	double w = 2 * M_PI * 2.3, ph = fmod(t, 0.7);

	*x = 8000 + 3000 * t + 1500 * cos(w * t) + 400 * sin(3.1 * t);
	*y = 30000 + 2500 * sin(w * t) * (1 + 0.3 * sin(0.9 * t));
	*down = ph < 0.64;
}

static int pred_eq(const struct tmnet_pred *a, const struct tmnet_pred *b)
{
	return a->tick == b->tick && a->prior_x == b->prior_x && a->prior_y == b->prior_y &&
	       a->net_x == b->net_x && a->net_y == b->net_y && a->pred_x == b->pred_x &&
	       a->pred_y == b->pred_y && a->system == b->system && a->verdict == b->verdict &&
	       a->reason == b->reason &&
	       (a->flags & ~TMNET_PRED_F_OVERRUN) == (b->flags & ~TMNET_PRED_F_OVERRUN) &&
	       a->cert_q16 == b->cert_q16 && a->d2_q16 == b->d2_q16 &&
	       a->gate_macs == b->gate_macs && a->sample_seq == b->sample_seq;
}

static unsigned char *blob;
static size_t blob_len;
static struct tm_model model;

/*
 * Play the track on v attached to tmnet0 and check parity.  seed_x/y: the
 * device's position at attach (the kernel seeds an absolute device with it).
 */
static void run_parity(struct vdev *v, const char *model_path)
{
	struct tmnet_sample *smp = NULL;
	struct tm_input_conv conv;
	struct tm_input in;
	struct tm_input_raw r;
	static struct tm_state st;
	struct tm_cfg cfg;
	struct input_absinfo ax, ay, aslot;
	int tid = 0, stroke = 0;
	struct evbuf *b = calloc(1, sizeof(*b));
	double t0, tn, px = 0, py = 0, carry_x = 0, carry_y = 0;
	unsigned int frames = (unsigned int)(seconds * frame_hz), f, nsmp = 0, ingested = 0;
	unsigned int mismatch = 0, bad_tick = 0, dropped_ev = 0, made_seg = 0;
	long long samples_in0, samples_in1, dropped;
	int was_down = 1, rc;
	size_t i, k;
	__u32 prev_seq = (__u32)-1;
	struct timespec next;

	nrec = ncap = 0;
	if (v->mt) {
		/* a finger in slot 1 before the attach: the current slot is 1 */
		was_down = 0;
		ev_add(b, EV_ABS, ABS_MT_SLOT, 1);
		ev_add(b, EV_ABS, ABS_MT_TRACKING_ID, 999);
		ev_add(b, EV_ABS, ABS_MT_POSITION_X, 50000);
		ev_add(b, EV_ABS, ABS_MT_POSITION_Y, 50000);
		ev_add(b, EV_SYN, SYN_REPORT, 0);
		ev_flush(v, b);
		ev_add(b, EV_ABS, ABS_MT_TRACKING_ID, -1);
		ev_add(b, EV_SYN, SYN_REPORT, 0);
		ev_flush(v, b);
	}
	memset(&ax, 0, sizeof(ax));
	memset(&ay, 0, sizeof(ay));
	memset(&aslot, 0, sizeof(aslot));
	if (!v->rel && !v->mt &&
	    (ioctl(v->efd, EVIOCGABS(ABS_X), &ax) || ioctl(v->efd, EVIOCGABS(ABS_Y), &ay)))
		tap(0, "%s: EVIOCGABS", v->name);
	if (v->mt && ioctl(v->efd, EVIOCGABS(ABS_MT_SLOT), &aslot))
		tap(0, "%s: EVIOCGABS(ABS_MT_SLOT)", v->name);
	dbg_cmd("stop");
	/* a fresh generation: the kernel's first tick sees a model change */
	rc = run_ctl(NULL, "-d tmnet0 model load %s", model_path);
	tap(rc == 0, "%s: tmnetctl model load %s (exit %d) %s", v->name, model_path, rc, err_buf);
	dbg_cmd("flush");
	dbg_cmd("reset_state");
	run_ctl(NULL, "-d tmnet0 stats --reset");
	rc = run_ctl(NULL, "-d tmnet0 set source input:%s", v->node);
	tap(rc == 0 && strstr(out_buf, v->name), "%s: tmnetctl set source input:%s attaches (exit %d%s%s)",
	    v->name, v->node, rc, rc ? ": " : "", rc ? err_buf : "");
	samples_in0 = stat_num("samples-in");
	while (read(v->efd, cap, MAX_EV * sizeof(*cap)) > 0)
		;	/* nothing before the attach counts */
	dbg_cmd("start");
	clock_gettime(CLOCK_MONOTONIC, &next);
	t0 = now_s();
	for (f = 0; f < frames; f++) {
		double t = (double)f / frame_hz, x, y;
		int down;

		track(t, &x, &y, &down);
		if (v->rel) {
			double dx = (x - px) / 10 + carry_x, dy = (y - py) / 10 + carry_y;
			int ix = (int)lround(dx), iy = (int)lround(dy);

			carry_x = dx - ix;
			carry_y = dy - iy;
			px = x;
			py = y;
			if (f == 0)
				ix = iy = 0;
			if (ix)
				ev_add(b, EV_REL, REL_X, ix);
			if (iy)
				ev_add(b, EV_REL, REL_Y, iy);
			/* the mouse rests during the pen-up gaps: new segments */
			if (!down)
				b->n = 0;
		} else if (v->mt) {
			/* finger 0 writes; every other stroke finger 1 rests in slot 1 */
			if (down != was_down) {
				stroke += down;
				ev_add(b, EV_ABS, ABS_MT_SLOT, 0);
				ev_add(b, EV_ABS, ABS_MT_TRACKING_ID, down ? ++tid : -1);
				if (stroke & 1) {
					ev_add(b, EV_ABS, ABS_MT_SLOT, 1);
					ev_add(b, EV_ABS, ABS_MT_TRACKING_ID, down ? ++tid : -1);
					if (down) {
						ev_add(b, EV_ABS, ABS_MT_POSITION_X, 40000 + (int)f % 97);
						ev_add(b, EV_ABS, ABS_MT_POSITION_Y, 10000);
					}
				}
				ev_add(b, EV_KEY, BTN_TOUCH, down);
			}
			if (down) {
				ev_add(b, EV_ABS, ABS_MT_SLOT, 0);
				ev_add(b, EV_ABS, ABS_MT_POSITION_X, (int)lround(x));
				ev_add(b, EV_ABS, ABS_MT_POSITION_Y, (int)lround(y));
				if ((stroke & 1) && f % 5 == 0) {
					/* the resting finger wobbles: slot 1 events */
					ev_add(b, EV_ABS, ABS_MT_SLOT, 1);
					ev_add(b, EV_ABS, ABS_MT_POSITION_X, 40000 + (int)(f / 5) % 13);
				}
			}
			was_down = down;
		} else {
			if (down != was_down) {
				ev_add(b, EV_KEY, BTN_TOUCH, down);
				if (!down)
					ev_add(b, EV_ABS, ABS_PRESSURE, 0);
			}
			if (down) {
				ev_add(b, EV_ABS, ABS_X, (int)lround(x));
				ev_add(b, EV_ABS, ABS_Y, (int)lround(y));
				ev_add(b, EV_ABS, ABS_PRESSURE, 500 + (int)(f % 7));
			}
			was_down = down;
		}
		if (b->n)
			ev_add(b, EV_SYN, SYN_REPORT, 0);
		if (ev_flush(v, b))
			break;
		drain(v);
		next.tv_nsec += 1000000000L / frame_hz;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	tn = now_s();
	sleep_s(0.05);
	dbg_cmd("stop");
	drain(v);
	samples_in1 = stat_num("samples-in");
	dropped = json_num("\"stats\"", "dropped");
	printf("# %s: %u frames in %.3f s (%.0f frames/s), %zu evdev events, %zu records\n",
	       v->name, frames, tn - t0, frames / (tn - t0), ncap, nrec);

	/* recompute the samples from the evdev capture */
	smp = calloc(ncap + 1, sizeof(*smp));
	tm_input_init(&in, v->rel ? TM_INPUT_REL : v->mt ? TM_INPUT_MT : 0, 0, 0);
	if (!v->rel && !v->mt)
		tm_input_seed(&in, ax.value, ay.value);
	if (v->mt)
		tm_input_seed_slot(&in, aslot.value);
	if (tm_input_conv_init(&conv, &model.units))
		tap(0, "the blob's units decode");
	for (i = 0; i < ncap; i++) {
		const struct input_event *e = &cap[i];
		__u64 t = (__u64)e->input_event_sec * 1000000000ULL +
			  (__u64)e->input_event_usec * 1000ULL;

		if (e->type == EV_SYN && e->code == SYN_DROPPED)
			dropped_ev++;
		if (tm_input_event(&in, e->type, e->code, e->value, t, &r)) {
			tm_input_convert(&conv, &r, &smp[nsmp]);
			made_seg += !!(smp[nsmp].flags & TMNET_SAMPLE_SEG_START);
			nsmp++;
		}
	}
	tap(!dropped_ev, "%s: the evdev capture is complete (%u SYN_DROPPED)", v->name, dropped_ev);
	tap(samples_in1 - samples_in0 == (long long)nsmp && nsmp > frames / 2,
	    "%s: the kernel queued exactly the samples userspace makes from the capture (%lld, %u; %u segments)",
	    v->name, samples_in1 - samples_in0, nsmp, made_seg);

	/* the predictions, record for record */
	tm_cfg_from_model(&cfg, &model);
	tm_state_reset(&st);
	/* the kernel's first tick after a model load (every run loads one) */
	tm_state_model_changed(&st);
	for (i = 0; i < nrec; i++) {
		struct tmnet_pred u;
		struct tmnet_sample s, *sp = NULL;

		if (rec[i].tick != i)
			bad_tick++;
		if (rec[i].flags & TMNET_PRED_F_SAMPLE) {
			__u32 seq = rec[i].sample_seq;

			if (seq < nsmp && seq != prev_seq) {
				s = smp[seq];
				/* a segment start among the samples the tick dropped */
				for (k = prev_seq + 1; k < seq; k++)
					if (smp[k].flags & TMNET_SAMPLE_SEG_START)
						s.flags |= TMNET_SAMPLE_SEG_START;
				sp = &s;
				prev_seq = seq;
				ingested++;
			} else {
				mismatch++;	/* a sample userspace does not know */
				continue;
			}
		}
		memset(&u, 0, sizeof(u));
		tm_tick(&st, &model, &cfg, sp, &u, NULL);
		if (!pred_eq(&u, &rec[i])) {
			if (!mismatch)
				printf("# %s: first mismatch at tick %zu: kernel pred %d,%d seq %u, user %d,%d seq %u\n",
				       v->name, i, rec[i].pred_x, rec[i].pred_y, rec[i].sample_seq,
				       u.pred_x, u.pred_y, u.sample_seq);
			mismatch++;
		}
	}
	printf("# %s: parity: %zu records compared, %u differ; %u of %u samples ingested (%lld dropped by the newest-wins tick)\n",
	       v->name, nrec, mismatch, ingested, nsmp, dropped);
	tap(nrec > 0 && !bad_tick, "%s: records count ticks from 0 (%u out of order)", v->name, bad_tick);
	tap(nrec > 0 && !mismatch && ingested > 0,
	    "%s: /dev/tmnet0 equals the userspace core record for record (%zu compared, %u differ, %u samples ingested)",
	    v->name, nrec, mismatch, ingested);
	free(smp);
	free(b);
}

/* events/s the handler sustains: frames written as fast as possible */
static void run_burst(struct vdev *v)
{
	struct evbuf *b = calloc(1, sizeof(*b));
	long long ev0, ev1, sm0, sm1, in0, in1;
	unsigned int f, sent = 0;
	double t0, t1;

	dbg_cmd("start");
	ev0 = input_num("events");
	sm0 = json_num("\"input\"", "samples");
	in0 = stat_num("samples-in");
	t0 = now_s();
	for (f = 0; f < burst; f++) {
		/* both axes change in every frame: none is filtered */
		ev_add(b, EV_ABS, ABS_X, 1000 + (int)(f % 50000));
		ev_add(b, EV_ABS, ABS_Y, 2000 + 3 * (int)(f % 7));
		ev_add(b, EV_SYN, SYN_REPORT, 0);
		if (b->n + 3 > 4096 || f + 1 == burst) {
			sent += b->n;
			if (ev_flush(v, b))
				break;
			/* keep the evdev buffer from overflowing (not measured) */
			while (read(v->efd, cap, MAX_EV * sizeof(*cap)) > 0)
				;
		}
	}
	t1 = now_s();
	ev1 = input_num("events");
	sm1 = json_num("\"input\"", "samples");
	in1 = stat_num("samples-in");
	dbg_cmd("stop");
	printf("# burst: %u events (%u frames) in %.3f s: %.0f events/s, %.0f frames/s through the handler\n",
	       sent, f, t1 - t0, (ev1 - ev0) / (t1 - t0), (sm1 - sm0) / (t1 - t0));
	tap(f == burst && ev1 - ev0 == (long long)sent && sm1 - sm0 == burst && in1 - in0 == burst,
	    "burst: the handler saw all %u events and queued all %u samples (%lld, %lld, %lld): %.0f events/s",
	    sent, burst, ev1 - ev0, sm1 - sm0, in1 - in0, (ev1 - ev0) / (t1 - t0));
	free(b);
}

static int load_blob(void)
{
	FILE *f = fopen(blob_path, "rb");
	struct tm_blob_error be;
	long len;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	blob = malloc((size_t)len);
	if (!blob || fread(blob, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	blob_len = (size_t)len;
	if (tm_model_from_blob(&model, blob, (uint32_t)blob_len, &be)) {
		printf("# blob: %s\n", be.msg);
		return -1;
	}
	return 0;
}


/* ------------------------------------------------------------------ */
/* --demo: a handwriting device log through a virtual tablet           */
/* ------------------------------------------------------------------ */

static long long dbg_stat(const char *key)
{
	char path[256], line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stats", dbg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			v = strtoll(line + kl + 1, NULL, 0);
			break;
		}
	fclose(f);
	return v;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct_d(const double *v, size_t n, double q)
{
	return n ? v[(size_t)(q * (double)(n - 1))] : NAN;
}

/* the pen's (sample) position at time t, data units; 0 across a pen-up */
static int truth_at(const struct tmnet_sample *smp, unsigned int n, uint64_t t,
		    double *x, double *y)
{
	unsigned int lo = 0, hi = n;
	double w;

	if (!n || t < smp[0].t_ns || t > smp[n - 1].t_ns)
		return 0;
	while (hi - lo > 1) {
		unsigned int mid = (lo + hi) / 2;

		if (smp[mid].t_ns <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (hi >= n) {
		*x = smp[lo].x / 65536.0;
		*y = smp[lo].y / 65536.0;
		return 1;
	}
	if (smp[hi].flags & TMNET_SAMPLE_SEG_START)
		return 0;
	w = (double)(t - smp[lo].t_ns) / (double)(smp[hi].t_ns - smp[lo].t_ns);
	*x = (smp[lo].x + w * (smp[hi].x - smp[lo].x)) / 65536.0;
	*y = (smp[lo].y + w * (smp[hi].y - smp[lo].y)) / 65536.0;
	return 1;
}

/* demo-watch's per-second line, for the records [lo, hi) of second sec */
static void demo_second(size_t lo, size_t hi, unsigned int sec, const struct tmnet_sample *smp,
			unsigned int nsmp, uint64_t hor_ns, FILE *csv)
{
	static uint32_t v[TMNET_N_STAGES][40000];
	size_t n = hi - lo, i, m = 0, pass = 0, gated = 0, ovr = 0;
	double se = 0, sp = 0, tx, ty;
	uint32_t p999[TMNET_N_STAGES];
	char errs[64];
	long long kt = dbg_stat("ticks");

	if (n > 40000)
		n = 40000;
	for (i = 0; i < n; i++) {
		const struct tmnet_pred *p = &rec[lo + i];

		for (int s = 0; s < TMNET_N_STAGES; s++)
			v[s][i] = p->stage_ns[s];
		if (p->verdict != TMNET_VERDICT_NONE) {
			gated++;
			/* a blend (monitor models) passed the chi2 test too */
			pass += p->verdict == TMNET_VERDICT_PASS || p->verdict == TMNET_VERDICT_BLEND;
		}
		ovr += !!(p->flags & TMNET_PRED_F_OVERRUN);
		if (smp && (p->flags & TMNET_PRED_F_PRIOR_INIT) &&
		    truth_at(smp, nsmp, p->t_ns + hor_ns, &tx, &ty)) {
			se += hypot(p->pred_x / 65536.0 - tx, p->pred_y / 65536.0 - ty);
			sp += hypot(p->prior_x / 65536.0 - tx, p->prior_y / 65536.0 - ty);
			m++;
		}
	}
	for (int s = 0; s < TMNET_N_STAGES; s++) {
		qsort(v[s], n, sizeof(uint32_t), cmp_u32);
		p999[s] = n ? v[s][(size_t)(0.999 * (double)(n - 1))] : 0;
	}
	if (m)
		snprintf(errs, sizeof(errs), "err %7.2f prior %7.2f", se / m, sp / m);
	else
		snprintf(errs, sizeof(errs), "err       - prior       -");
	printf("%3us %6zu ticks (kernel %7lld) | P99.9 us: late %6.1f prior %5.1f net %5.1f gate %5.1f pub %5.1f total %6.1f | gate %5.1f%% | %s%s\n",
	       sec, n, kt, p999[0] / 1e3, p999[1] / 1e3, p999[2] / 1e3, p999[3] / 1e3,
	       p999[4] / 1e3, p999[5] / 1e3, gated ? 100.0 * pass / gated : 0.0, errs,
	       ovr ? "  (overrun)" : "");
	if (csv)
		fprintf(csv, "%u,%zu,%lld,%u,%u,%u,%u,%u,%u,%.4f,%.6g,%.6g,%zu\n", sec, n, kt,
			p999[0], p999[1], p999[2], p999[3], p999[4], p999[5],
			gated ? 100.0 * pass / gated : 0.0, m ? se / m : NAN, m ? sp / m : NAN, ovr);
}

/*
 * Play LOG (t_ms;x;y rows in device units, as `tmnet data gen --kind
 * handwriting --raw` writes it) through a virtual tablet attached to
 * tmnet0, in real time: a silence longer than 30 ms is a pen-up (BTN_TOUCH
 * 0 at the last point, 1 at the next).  Prints demo-watch's per-second
 * lines and a summary; writes OUT/pen.csv, pred.csv, per-second.csv and
 * summary.txt.
 */
static int run_demo(const char *log, const char *out, double secs)
{
	struct vdev tab;
	struct evbuf *b = calloc(1, sizeof(*b));
	static double lt[1 << 20];
	static int lx[1 << 20], ly[1 << 20];
	size_t nl = 0, i, sec_lo = 0, ne = 0, withs = 0, pass = 0, gated = 0, fb[__TMNET_REASON_MAX] = { 0 };
	unsigned int sec = 0, nsmp = 0, mismatch = 0, ingested = 0;
	struct tmnet_sample *smp;
	struct tm_input in;
	struct tm_input_raw r;
	struct tm_input_conv conv;
	static struct tm_state st;
	struct tm_cfg cfg;
	uint64_t hor_ns;
	double t0, tstart, *ep, *epr;
	char path[512], line[256];
	FILE *f, *csv, *pf, *sumf;
	int rc, xmax = 1, ymax = 1;
	long long kt, kov, kdrop;
	__u32 prev_seq = (__u32)-1;
	struct timespec ts;
	struct tmnet_sample *truth;
	double sc[2] = { 1, 1 }, off[2] = { 0, 0 };

	f = fopen(log, "r");
	if (!f) {
		fprintf(stderr, "demo: %s: %s\n", log, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) && nl < (1 << 20)) {
		double t;
		int x, y;

		if (sscanf(line, "%lf;%d;%d", &t, &x, &y) != 3)
			continue;
		if (t / 1e3 > secs)
			break;
		lt[nl] = t / 1e3;
		lx[nl] = x;
		ly[nl] = y;
		xmax = x > xmax ? x : xmax;
		ymax = y > ymax ? y : ymax;
		nl++;
	}
	fclose(f);
	if (nl < 2) {
		fprintf(stderr, "demo: %s: no t_ms;x;y rows\n", log);
		return 1;
	}
	hor_ns = (uint64_t)model.horizon_ticks * 1000000000ULL / model.rate_hz;
	(void)xmax;
	(void)ymax;
	rc = vdev_create(&tab, "tmnet demo tablet", 0);
	if (rc) {
		fprintf(stderr, "demo: cannot create the uinput tablet: %s\n", strerror(-rc));
		return 1;
	}
	dbg_cmd("stop");
	if (run_ctl(NULL, "-d tmnet0 model load %s", blob_path)) {
		fprintf(stderr, "demo: model load: %s", err_buf);
		return 1;
	}
	dbg_cmd("flush");
	dbg_cmd("reset_state");
	run_ctl(NULL, "-d tmnet0 stats --reset");
	if (run_ctl(NULL, "-d tmnet0 set source input:%s", tab.node)) {
		fprintf(stderr, "demo: attach: %s", err_buf);
		return 1;
	}
	printf("demo: %s attached to tmnet0 (tmnetctl set source input:%s); playing %zu pen samples (%.1f s) of %s in real time\n",
	       tab.name, tab.node, nl, lt[nl - 1], log);
	printf("       error = distance of the prediction to the pen position %.0f ms after the tick, data units\n",
	       hor_ns / 1e6);
	snprintf(path, sizeof(path), "%s/per-second.csv", out);
	csv = fopen(path, "w");
	if (csv)
		fputs("sec,ticks,kernel_ticks,p999_late_ns,p999_prior_ns,p999_net_ns,p999_gate_ns,p999_pub_ns,p999_total_ns,gate_pass_pct,err_mean,prior_err_mean,overruns\n",
		      csv);
	while (read(tab.efd, cap, MAX_EV * sizeof(*cap)) > 0)
		;
	nrec = ncap = 0;
	/* the pen's path in the model's units: the truth for the errors */
	if (model.units.scale_f64[0] || model.units.scale_f64[1])
		for (int a = 0; a < 2; a++) {
			memcpy(&sc[a], &model.units.scale_f64[a], sizeof(double));
			memcpy(&off[a], &model.units.offset_f64[a], sizeof(double));
		}
	truth = calloc(nl, sizeof(*truth));
	dbg_cmd("start");
	tstart = now_s();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec + ts.tv_nsec * 1e-9 + 0.05;
	for (i = 0; i < nl; i++) {
		truth[i].t_ns = (uint64_t)llround((t0 + lt[i]) * 1e9);
		truth[i].x = (int32_t)lround((lx[i] - off[0]) * sc[0] * 65536.0);
		truth[i].y = (int32_t)lround((ly[i] - off[1]) * sc[1] * 65536.0);
		truth[i].flags = !i || lt[i] - lt[i - 1] > 0.030 ? TMNET_SAMPLE_SEG_START : 0;
	}
	for (i = 0; i < nl; i++) {
		double at = t0 + lt[i];
		struct timespec w = { (time_t)at, (long)((at - (double)(time_t)at) * 1e9) };
		int up = i && lt[i] - lt[i - 1] > 0.030;

		if (up) {
			/* the pen left at the previous point */
			ev_add(b, EV_KEY, BTN_TOUCH, 0);
			ev_add(b, EV_SYN, SYN_REPORT, 0);
			ev_flush(&tab, b);
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &w, NULL) == EINTR)
			;
		if (!i || up)
			ev_add(b, EV_KEY, BTN_TOUCH, 1);
		ev_add(b, EV_ABS, ABS_X, lx[i]);
		ev_add(b, EV_ABS, ABS_Y, ly[i]);
		ev_add(b, EV_SYN, SYN_REPORT, 0);
		ev_flush(&tab, b);
		drain(&tab);
		if (now_s() - tstart >= sec + 1 && nrec > sec_lo) {
			/* records whose horizon has passed: the errors are known */
			size_t hi = sec_lo;

			while (hi < nrec && rec[hi].t_ns < rec[sec_lo].t_ns + 1000000000ULL)
				hi++;
			if (hi < nrec && rec[nrec - 1].t_ns > rec[hi - 1].t_ns + hor_ns) {
				demo_second(sec_lo, hi, sec + 1, truth, (unsigned int)nl, hor_ns, csv);
				sec_lo = hi;
				sec++;
			}
		}
	}
	sleep_s(0.05);
	dbg_cmd("stop");
	drain(&tab);
	kt = dbg_stat("ticks");
	kov = dbg_stat("overruns");
	kdrop = dbg_stat("dropped");
	t0 = now_s() - tstart;

	/* the samples, from the evdev capture, as the kernel made them */
	smp = calloc(ncap + 1, sizeof(*smp));
	tm_input_init(&in, 0, 0, 0);
	tm_input_seed(&in, 0, 0);
	tm_input_conv_init(&conv, &model.units);
	for (i = 0; i < ncap; i++) {
		const struct input_event *e = &cap[i];
		uint64_t t = (uint64_t)e->input_event_sec * 1000000000ULL +
			     (uint64_t)e->input_event_usec * 1000ULL;

		if (tm_input_event(&in, e->type, e->code, e->value, t, &r))
			tm_input_convert(&conv, &r, &smp[nsmp++]);
	}
	/* the rest of the per-second lines */
	while (sec_lo < nrec) {
		size_t hi = sec_lo;

		while (hi < nrec && rec[hi].t_ns < rec[sec_lo].t_ns + 1000000000ULL)
			hi++;
		if (hi - sec_lo > model.rate_hz / 10)
			demo_second(sec_lo, hi, sec + 1, truth, (unsigned int)nl, hor_ns, csv);
		sec_lo = hi;
		sec++;
	}
	if (csv)
		fclose(csv);
	snprintf(path, sizeof(path), "%s/pen.csv", out);
	f = fopen(path, "w");
	if (f) {
		fputs("t_s,x,y,seg_start\n", f);
		for (i = 0; i < nsmp; i++)
			fprintf(f, "%.6f,%.4f,%.4f,%d\n", (smp[i].t_ns - smp[0].t_ns) / 1e9,
				smp[i].x / 65536.0, smp[i].y / 65536.0,
				!!(smp[i].flags & TMNET_SAMPLE_SEG_START));
		fclose(f);
	}

	/* errors, parity, summary */
	ep = calloc(nrec + 1, sizeof(double));
	epr = calloc(nrec + 1, sizeof(double));
	snprintf(path, sizeof(path), "%s/pred.csv", out);
	pf = fopen(path, "w");
	if (pf)
		fputs("tick,target_s,truth_x,truth_y,pred_x,pred_y,prior_x,prior_y,err,prior_err,verdict\n", pf);
	tm_cfg_from_model(&cfg, &model);
	tm_state_reset(&st);
	tm_state_model_changed(&st);
	for (i = 0; i < nrec; i++) {
		const struct tmnet_pred *p = &rec[i];
		struct tmnet_pred u;
		struct tmnet_sample s, *sp = NULL;
		double tx, ty;

		withs += !!(p->flags & TMNET_PRED_F_SAMPLE);
		if (p->verdict != TMNET_VERDICT_NONE) {
			gated++;
			if (p->verdict == TMNET_VERDICT_PASS || p->verdict == TMNET_VERDICT_BLEND)
				pass++;
			else if (p->reason < __TMNET_REASON_MAX)
				fb[p->reason]++;
		}
		if ((p->flags & TMNET_PRED_F_PRIOR_INIT) &&
		    truth_at(truth, (unsigned int)nl, p->t_ns + hor_ns, &tx, &ty)) {
			ep[ne] = hypot(p->pred_x / 65536.0 - tx, p->pred_y / 65536.0 - ty);
			epr[ne] = hypot(p->prior_x / 65536.0 - tx, p->prior_y / 65536.0 - ty);
			if (pf && i % 4 == 0)
				fprintf(pf, "%llu,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%u\n",
					(unsigned long long)p->tick,
					(p->t_ns + hor_ns - rec[0].t_ns) / 1e9, tx, ty,
					p->pred_x / 65536.0, p->pred_y / 65536.0, p->prior_x / 65536.0,
					p->prior_y / 65536.0, ep[ne], epr[ne], p->verdict);
			ne++;
		}
		if (p->flags & TMNET_PRED_F_SAMPLE) {
			__u32 seq = p->sample_seq;

			if (seq >= nsmp || seq == prev_seq) {
				mismatch++;
				continue;
			}
			s = smp[seq];
			for (__u32 k = prev_seq + 1; k < seq; k++)
				if (smp[k].flags & TMNET_SAMPLE_SEG_START)
					s.flags |= TMNET_SAMPLE_SEG_START;
			sp = &s;
			prev_seq = seq;
			ingested++;
		}
		memset(&u, 0, sizeof(u));
		tm_tick(&st, &model, &cfg, sp, &u, NULL);
		mismatch += !pred_eq(&u, p);
	}
	if (pf)
		fclose(pf);
	qsort(ep, ne, sizeof(double), cmp_d);
	qsort(epr, ne, sizeof(double), cmp_d);
	snprintf(path, sizeof(path), "%s/summary.txt", out);
	sumf = fopen(path, "w");
#define SAY(...) do { printf(__VA_ARGS__); if (sumf) fprintf(sumf, __VA_ARGS__); } while (0)
	SAY("\n==== tmnet demo summary (SOURCE=input) ====\n");
	SAY("kernel      tmnet0, model %.*s (system %s, crc32 %08x, horizon %u ticks = %.0f ms)\n",
	    TMNET_NAME_LEN, model.name,
	    model.system == TMNET_SYS_B ? "B" : model.system == TMNET_SYS_A ? "A" : "prior",
	    model.crc32, model.horizon_ticks, hor_ns / 1e6);
	SAY("source      %s (uinput, %s) attached by tmnetctl set source input:%s; %zu events, %u pen samples made, %u ingested, %lld dropped by the newest-wins tick\n",
	    tab.name, tab.node, tab.node, ncap, nsmp, ingested, kdrop);
	SAY("run         %.2f s wall, %lld ticks at %u Hz (%.0f ticks/s), %lld overruns, %zu records read, %zu with a sample\n",
	    t0, kt, model.rate_hz, t0 > 0 ? kt / t0 : 0.0, kov, nrec, withs);
	SAY("gate        %.2f %% pass of %zu decisions; fallbacks:", gated ? 100.0 * pass / gated : 0.0, gated);
	for (int k = 1; k < __TMNET_REASON_MAX; k++)
		SAY(" %zu", fb[k]);
	SAY(" (chi2 budget cert no_model stale saturation)\n");
	SAY("error       vs the pen position (the log) %.0f ms after each tick, %zu ticks (data units)\n",
	    hor_ns / 1e6, ne);
	SAY("            published  P50 %8.3f  P90 %8.3f  P99 %8.3f\n", pct_d(ep, ne, .5),
	    pct_d(ep, ne, .9), pct_d(ep, ne, .99));
	SAY("            prior only P50 %8.3f  P90 %8.3f  P99 %8.3f   (P99 ratio %.3f)\n",
	    pct_d(epr, ne, .5), pct_d(epr, ne, .9), pct_d(epr, ne, .99),
	    pct_d(ep, ne, .99) / pct_d(epr, ne, .99));
	SAY("parity      %u of %zu kernel records differ from the userspace core fed the evdev capture (bit-exact: %s)\n",
	    mismatch, nrec, mismatch ? "NO" : "yes");
#undef SAY
	if (sumf)
		fclose(sumf);
	run_ctl(NULL, "-d tmnet0 set source input:none");
	vdev_destroy(&tab);
	free(ep);
	free(epr);
	free(smp);
	free(truth);
	free(b);
	return mismatch || !nrec;
}

/* bit pattern of a double */
static uint64_t f64_bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

/*
 * The model as given, with recording units data = (device - offset) *
 * scale written into it (a version 2+ blob), so that the kernel's
 * fixed-point conversion of the f64 scale and offset is exercised.
 */
static int write_units_blob(const char *path, double scale, double ox, double oy)
{
	static struct tm_model m2;
	static unsigned char buf[TMNET_BLOB_MAX_SIZE];
	struct tm_blob_error be;
	FILE *f;
	int n;

	m2 = model;
	m2.units.scale_f64[0] = m2.units.scale_f64[1] = f64_bits(scale);
	m2.units.offset_f64[0] = f64_bits(ox);
	m2.units.offset_f64[1] = f64_bits(oy);
	n = tm_blob_write(buf, sizeof(buf), &m2);
	if (n <= 0 || tm_model_from_blob(&m2, buf, (uint32_t)n, &be))
		return -1;
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, (size_t)n, f) != (size_t)n) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	model = m2;	/* what userspace computes with from now on */
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl", required_argument, NULL, 'c' },
		{ "blob", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "frame-hz", required_argument, NULL, 'f' },
		{ "burst", required_argument, NULL, 'n' },
		{ "dbg", required_argument, NULL, 'D' },
		{ "unload", no_argument, NULL, 'u' },
		{ "demo", required_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct vdev tab, mouse, touch, gone;
	char unpriv[512];
	static char msg[sizeof(err_buf)];
	const char *demo_log = NULL, *demo_out = ".";
	int o, rc, unload = 0;
	double t0;

	while ((o = getopt_long(argc, argv, "c:b:s:f:n:D:uL:o:", opts, NULL)) != -1) {
		switch (o) {
		case 'c': ctl = optarg; break;
		case 'b': blob_path = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'f': frame_hz = (unsigned int)atoi(optarg); break;
		case 'n': burst = (unsigned int)atoi(optarg); break;
		case 'D': dbg = optarg; break;
		case 'u': unload = 1; break;
		case 'L': demo_log = optarg; break;
		case 'o': demo_out = optarg; break;
		default:
			fprintf(stderr, "usage: tmnet_input_test --ctl TMNETCTL --blob MODEL [--seconds S] [--frame-hz HZ] [--burst N] [--dbg DIR]\n");
			return 2;
		}
	}
	if (!blob_path || !frame_hz || seconds <= 0 || seconds * 2000 > MAX_REC / 2) {
		fprintf(stderr, "tmnet_input_test: --blob is required; 0 < seconds <= %d\n", MAX_REC / 4000);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tmnet-input.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	rec = calloc(MAX_REC, sizeof(*rec));
	cap = calloc(MAX_EV, sizeof(*cap));
	if (!rec || !cap)
		return 2;

	if (demo_log) {
		if (load_blob())
			return 1;
		tfd = open("/dev/tmnet0", O_RDONLY | O_NONBLOCK);
		if (tfd < 0)
			return 1;
		return run_demo(demo_log, demo_out, seconds);
	}
	tap(!load_blob(), "userspace loads the model %s", blob_path);
	rc = run_ctl(NULL, "-d tmnet0 model load %s", blob_path);
	tap(rc == 0, "tmnetctl model load (exit %d) %s", rc, err_buf);
	tfd = open("/dev/tmnet0", O_RDONLY | O_NONBLOCK);
	tap(tfd >= 0, "open /dev/tmnet0");

	rc = vdev_create(&tab, "tmnet test tablet", 0);
	tap(!rc, "uinput tablet created (%s)", rc ? strerror(-rc) : tab.node);
	rc = vdev_create(&mouse, "tmnet test mouse", 1);
	tap(!rc, "uinput mouse created (%s)", rc ? strerror(-rc) : mouse.node);
	rc = vdev_create(&touch, "tmnet test touchscreen", 2);
	tap(!rc, "uinput multi-touch screen created (%s)", rc ? strerror(-rc) : touch.node);
	if (nfail) {
		printf("1..%d\n", ntap);
		return 1;
	}

	/* attach errors */
	rc = run_ctl(NULL, "-d tmnet0 set source input:/dev/input/event999");
	tap(rc != 0 && strstr(err_buf, "no input device") && strstr(err_buf, "input-selector"),
	    "attach to a missing device fails with the kernel's reason (exit %d: %.200s)", rc, err_buf);
	rc = run_ctl(NULL, "-d tmnet0 set source 'input:no such device'");
	tap(rc != 0 && strstr(err_buf, "no input device"),
	    "attach by an unknown name fails too (exit %d)", rc);

	/* unprivileged: its own copy of tmnetctl, readable by nobody */
	snprintf(unpriv, sizeof(unpriv), "cp %s %s/tmnetctl && chmod 755 %s %s/tmnetctl", ctl, tmpdir,
		 tmpdir, tmpdir);
	if (system(unpriv) == 0) {
		const char *saved = ctl;
		char copy[128];

		snprintf(copy, sizeof(copy), "%s/tmnetctl", tmpdir);
		ctl = copy;
		rc = run_ctl("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --",
			     "-d tmnet0 set source input:%s", tab.node);
		ctl = saved;
		memcpy(msg, err_buf, sizeof(msg));
		tap(rc != 0 && strstr(msg, "Operation not permitted") && input_num("attached") == 0,
		    "unprivileged attach: EPERM, nothing attached (exit %d: %.160s)", rc, msg);
	} else {
		tap(0, "stage tmnetctl for the unprivileged user");
	}

	/* parity on the tablet (units: 0.25 data units per count, offset), ... */
	{
		static struct tm_model given;
		char up[128];

		given = model;
		snprintf(up, sizeof(up), "%s/units.tmn", tmpdir);
		rc = write_units_blob(up, 0.25, 12000.5, 30000.0);
		tap(!rc, "a copy of the model with recording units (scale 0.25, offset 12000.5,30000)");
		if (!rc)
			run_parity(&tab, up);
		model = given;
	}
	/* ... then the second attach, then the mouse */
	rc = run_ctl(NULL, "-d tmnet0 set source input:%s", mouse.node);
	memcpy(msg, err_buf, sizeof(msg));
	tap(rc != 0 && strstr(msg, "already attached") && input_num("attached") == 1,
	    "a second attach of tmnet0 fails (EBUSY: %.200s)", msg);
	rc = run_ctl(NULL, "-d tmnet1 set source input:%s", tab.node);
	tap(rc != 0 && strstr(err_buf, "another tmnet device"),
	    "tmnet1 cannot take the tablet tmnet0 holds (%.160s)", err_buf);
	run_burst(&tab);
	rc = run_ctl(NULL, "-d tmnet0 set source input:none");
	tap(rc == 0 && input_num("attached") == 0 && json_num("\"input\"", "detaches") == 1 &&
	    json_num("\"input\"", "unplugs") == 0, "detach on request (input:none)");
	run_parity(&mouse, blob_path);
	rc = run_ctl(NULL, "-d tmnet0 set source replay");
	tap(rc == 0 && input_num("attached") == 0, "set source replay lets go of the mouse");
	/* slot 0 of a touchscreen, a second finger in slot 1 ignored */
	run_parity(&touch, blob_path);
	rc = run_ctl(NULL, "-d tmnet0 set source input:none");
	tap(rc == 0 && input_num("attached") == 0, "detach the touchscreen");
	vdev_destroy(&touch);

	/* unplug while ticking, with a listener for the event */
	rc = vdev_create(&gone, "tmnet test unplugged", 0);
	tap(!rc, "a third uinput device (%s)", gone.node);
	{
		static char cmd[sizeof(out_buf)];
		char evs[128];
		pid_t pid;

		snprintf(evs, sizeof(evs), "%s/events.json", tmpdir);
		pid = fork();
		if (pid == 0) {
			int fd = open(evs, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			dup2(fd, 1);
			execl(ctl, ctl, "-j", "monitor", (char *)NULL);
			_exit(127);
		}
		sleep_s(0.5);
		rc = run_ctl(NULL, "-d tmnet0 set source input:'tmnet test unplugged'");
		tap(rc == 0, "attach by name (exit %d %s)", rc, err_buf);
		dbg_cmd("start");
		{
			struct evbuf *b = calloc(1, sizeof(*b));

			for (int f = 0; f < 200; f++) {
				ev_add(b, EV_ABS, ABS_X, 1000 + f);
				ev_add(b, EV_ABS, ABS_Y, 2000 + f);
				ev_add(b, EV_SYN, SYN_REPORT, 0);
				ev_flush(&gone, b);
				sleep_s(0.001);
			}
			free(b);
		}
		vdev_destroy(&gone);
		t0 = now_s();
		while (now_s() < t0 + 3) {
			sleep_s(0.1);
			slurp(evs, out_buf, sizeof(out_buf));
			if (strstr(out_buf, "input-detached"))
				break;
		}
		slurp(evs, out_buf, sizeof(out_buf));
		memcpy(cmd, out_buf, sizeof(cmd));
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		{
			const char *d = strstr(cmd, "\"input-detached\"");
			const char *ev = d ? strstr(d, "\"event-value\"") : NULL;

			o = ev ? atoi(ev + strlen("\"event-value\"") + 1 + (ev[15] == ' ')) : -1;
		}
		tap(strstr(cmd, "\"input-attached\"") && o == 1,
		    "the unplug is announced: input-detached, event-value 1 (%.300s)", cmd);
		tap(input_num("attached") == 0 && json_num("\"input\"", "unplugs") == 1,
		    "the unplug is counted and the device detached");
		run_ctl(NULL, "-j -d tmnet0 dev show");
		tap(json_num(NULL, "running") == 1, "tmnet0 keeps ticking after the unplug");
		dbg_cmd("stop");
	}

	/* module unload with a device attached and ticking */
	rc = run_ctl(NULL, "-d tmnet0 set source input:%s", tab.node);
	dbg_cmd("start");
	tap(rc == 0, "tablet attached again, ticking");
	close(tfd);
	if (unload) {
		struct evbuf *b = calloc(1, sizeof(*b));

		rc = system("rmmod tmnet");
		tap(rc == 0, "rmmod tmnet with the tablet attached and the timer running");
		ev_add(b, EV_ABS, ABS_X, 4321);
		ev_add(b, EV_SYN, SYN_REPORT, 0);
		tap(!ev_flush(&tab, b), "the tablet still works after the unload");
		free(b);
	}
	vdev_destroy(&tab);
	vdev_destroy(&mouse);
	printf("1..%d\n", ntap);
	return nfail ? 1 : 0;
}
