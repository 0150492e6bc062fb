// SPDX-License-Identifier: GPL-2.0
/*
 * tests/selftests/kmod_test.c - the module's behaviour at its edges:
 * statistics resets on stopped and running devices, a configuration change
 * to an offline CPU (refused, nothing changes), the pinned CPU going
 * offline under a ticking device (counted, the device keeps ticking),
 * multi-MiB live-mode writes and a signal ending one, and statistics that
 * answer while a reader is stuck in a faulting copy_to_user().
 *
 * CPU hotplug needs two CPUs and a writable cpu1/online; those tests skip
 * otherwise.  The device is driven through debugfs "config" and checked
 * through debugfs "stats".
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "tmnet_st.h"

#define CFG	ST_DBG "config"
#define CPU1	"/sys/devices/system/cpu/cpu1/online"
#define IN_RING	4096	/* the input queue, docs/kernel.md */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until stats key reaches at least v; its value (or the last seen) */
static long long wait_stat(const char *key, long long v, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	long long x;

	do {
		x = st_stat("stats", key);
		if (x >= v)
			return x;
		usleep(2000);
	} while (now_ms() < end);
	return x;
}

static long long cfg_value(const char *key)
{
	char path[] = CFG, *buf, *p;
	long long v = -1;
	size_t kl = strlen(key);

	buf = st_slurp(path, NULL);
	if (!buf)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			v = strtoll(p + kl + 1, NULL, 0);
			break;
		}
	free(buf);
	return v;
}

static void fill(struct tmnet_sample *s, size_t n, uint32_t seq0)
{
	size_t i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].t_ns = (uint64_t)(seq0 + i) * 500000;
		s[i].x = (int32_t)((i & 1023) * 65536);
		s[i].y = -(int32_t)((i & 511) * 32768);
		s[i].flags = TMNET_SAMPLE_VALID;
		s[i].seq = seq0 + (uint32_t)i;
	}
}

static int cpu1_set(int on)
{
	return st_write_str(CPU1, on ? "1" : "0");
}

FIXTURE(kmod) {
	int fd;
	int cpu1_was;	/* -1: no hotplug for cpu1 */
};

FIXTURE_SETUP(kmod)
{
	char *s = st_slurp(CPU1, NULL);

	self->cpu1_was = s ? atoi(s) : -1;
	free(s);
	if (self->cpu1_was == 0)
		cpu1_set(1);
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	ASSERT_EQ(0, st_write_str(CFG, "cpu -1"));
	ASSERT_EQ(0, st_write_str(CFG, "source replay"));
	ASSERT_EQ(0, st_write_str(CFG, "flush"));
	ASSERT_EQ(0, st_write_str(ST_DBG "reset", "1"));
	self->fd = open(ST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", ST_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(kmod)
{
	close(self->fd);
	if (self->cpu1_was >= 0)
		cpu1_set(1);
	st_write_str(CFG, "stop");
	st_write_str(CFG, "cpu -1");
	st_write_str(CFG, "source replay");
	st_write_str(CFG, "flush");
}

/* a stopped device's counters and histograms clear at once */
TEST_F(kmod, stats_reset_stopped)
{
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	ASSERT_LE(50, wait_stat("ticks", 50, 20000));
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	ASSERT_LT(0, st_stat("latency", "total"));
	ASSERT_EQ(0, st_write_str(ST_DBG "reset", "1"));
	EXPECT_EQ(0, st_stat("stats", "ticks"));
	EXPECT_EQ(0, st_stat("stats", "no_sample"));
	EXPECT_EQ(0, st_stat("stats", "out_records"));
	/* the latency table's count column */
	EXPECT_EQ(0, st_stat("latency", "total"));
}

/* a running device clears at its next tick and counts on from 0 */
TEST_F(kmod, stats_reset_running)
{
	long long t0, t1;
	uint64_t end;

	ASSERT_EQ(0, st_write_str(CFG, "start"));
	t0 = wait_stat("ticks", 400, 30000);
	ASSERT_LE(400, t0);
	ASSERT_EQ(0, st_write_str(ST_DBG "reset", "1"));
	/* the next tick clears: far fewer ticks counted than before */
	end = now_ms() + 20000;
	do {
		t1 = st_stat("stats", "ticks");
		if (t1 < t0 / 2)
			break;
		usleep(1000);
	} while (now_ms() < end);
	EXPECT_GT(t0 / 2, t1) TH_LOG("ticks %lld before the reset, %lld after", t0, t1);
	EXPECT_LE(1, wait_stat("ticks", 1, 20000));
	/* the counters still add up: every tick published or lost one record */
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	EXPECT_EQ(st_stat("stats", "ticks"),
		  st_stat("stats", "out_records") + st_stat("stats", "out_overflow"));
	EXPECT_EQ(st_stat("stats", "ticks"), st_stat("latency", "total"));
}

/* moving a running device to an offline CPU is refused and changes nothing */
TEST_F(kmod, config_to_offline_cpu)
{
	long long t0;

	if (self->cpu1_was < 0)
		SKIP(return, "no hotplug control for cpu1 (%s)", CPU1);
	ASSERT_EQ(0, st_write_str(CFG, "cpu 0"));
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	ASSERT_EQ(0, cpu1_set(0)) TH_LOG("cannot offline cpu1");
	EXPECT_EQ(-EINVAL, st_write_str(CFG, "cpu 1"));
	/* nothing changed: still running, on CPU 0, ticking */
	EXPECT_EQ(1, cfg_value("running"));
	EXPECT_EQ(0, cfg_value("cpu"));
	t0 = st_stat("stats", "ticks");
	EXPECT_LT(t0, wait_stat("ticks", t0 + 10, 20000));
	/* a stopped device may be configured for it (start then refuses) */
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	EXPECT_EQ(0, st_write_str(CFG, "cpu 1"));
	EXPECT_EQ(-EINVAL, st_write_str(CFG, "start"));
	EXPECT_EQ(0, cfg_value("running"));
	ASSERT_EQ(0, cpu1_set(1));
	EXPECT_EQ(0, st_write_str(CFG, "start"));
	EXPECT_EQ(1, cfg_value("running"));
}

/* the pinned CPU goes offline: the timer moves, which is counted */
TEST_F(kmod, pinned_cpu_goes_offline)
{
	long long t0, off0;
	static struct st_reply ev;
	struct st_nl lis;

	if (self->cpu1_was < 0)
		SKIP(return, "no hotplug control for cpu1 (%s)", CPU1);
	/* a listener on the events group: the move is announced */
	ASSERT_EQ(0, st_nl_open(&lis));
	ASSERT_NE(0, lis.mcgrp_events);
	ASSERT_EQ(0, setsockopt(lis.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&lis.mcgrp_events, sizeof(lis.mcgrp_events)));
	ASSERT_EQ(0, st_write_str(CFG, "cpu 1"));
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	ASSERT_LE(20, wait_stat("ticks", 20, 20000));
	ASSERT_EQ(0, st_stat("stats", "unpinned"));
	ASSERT_EQ(0, st_stat("stats", "offcpu_ticks"));
	/* the watcher (5 Hz) takes its baseline while the group is listened to */
	usleep(500000);
	ASSERT_EQ(0, cpu1_set(0)) TH_LOG("cannot offline cpu1");
	t0 = st_stat("stats", "ticks");
	EXPECT_LT(t0, wait_stat("ticks", t0 + 20, 20000)) TH_LOG("the device stopped ticking");
	EXPECT_EQ(1, st_stat("stats", "unpinned"));
	EXPECT_LT(0, st_stat("stats", "offcpu_ticks"));
	EXPECT_EQ(0, st_wait_event(lis.fd, TMNET_EVENT_UNPINNED, &ev))
		TH_LOG("no unpinned event: %s", strerror(errno));
	close(lis.fd);
	/* the configuration still names CPU 1; a restart pins it there again */
	EXPECT_EQ(1, cfg_value("cpu"));
	EXPECT_EQ(1, cfg_value("running"));
	ASSERT_EQ(0, cpu1_set(1));
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	t0 = st_stat("stats", "ticks");
	ASSERT_LT(t0, wait_stat("ticks", t0 + 2, 20000));
	off0 = st_stat("stats", "offcpu_ticks");
	t0 = st_stat("stats", "ticks");
	ASSERT_LT(t0, wait_stat("ticks", t0 + 20, 20000));
	EXPECT_EQ(off0, st_stat("stats", "offcpu_ticks"));
	EXPECT_EQ(1, st_stat("stats", "unpinned"));
}

/* 8 MiB in one live-mode write: all counted, the newest 4096 kept */
TEST_F(kmod, live_write_multi_mib)
{
	const size_t n = (8u << 20) / sizeof(struct tmnet_sample);
	struct tmnet_sample *s = malloc(n * sizeof(*s));
	struct tmnet_pred p;
	long long in0, dr0;
	ssize_t w;

	ASSERT_NE(NULL, s);
	fill(s, n, 1000);
	ASSERT_EQ(0, st_write_str(CFG, "source live"));
	in0 = st_stat("stats", "samples_in");
	dr0 = st_stat("stats", "dropped");
	w = write(self->fd, s, n * sizeof(*s));
	ASSERT_EQ((ssize_t)(n * sizeof(*s)), w) TH_LOG("write: %s", strerror(errno));
	EXPECT_EQ(in0 + (long long)n, st_stat("stats", "samples_in"));
	EXPECT_EQ(dr0 + (long long)n - IN_RING, st_stat("stats", "dropped"));
	EXPECT_EQ(IN_RING, st_stat("stats", "in_queued"));
	/* the first tick takes the newest sample */
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	ASSERT_EQ((ssize_t)sizeof(p), read(self->fd, &p, sizeof(p)));
	EXPECT_EQ(1000 + n - 1, p.sample_seq);
	free(s);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* a signal ends a long live-mode write with the bytes queued so far */
TEST_F(kmod, live_write_ends_on_signal)
{
	const size_t len = 128u << 20;
	const size_t n = len / sizeof(struct tmnet_sample);
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct tmnet_sample *s;
	long long in0;
	int seen;
	ssize_t w;

	/* one page of samples mapped over and over would need a file; fill */
	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s);
	fill(s, n, 0);
	ASSERT_EQ(0, st_write_str(CFG, "source live"));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	in0 = st_stat("stats", "samples_in");
	alarms = 0;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	w = write(self->fd, s, len);
	seen = alarms;
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	TH_LOG("write of %zu MiB returned %zd after %d SIGALRMs", len >> 20, w, seen);
	if (w == (ssize_t)len && !seen)
		SKIP(goto out, "the write finished before the first signal");
	ASSERT_LT(0, seen);
	/* ended early, on a record boundary, with what it queued counted */
	ASSERT_LT(0, w) TH_LOG("write: %s", strerror(errno));
	EXPECT_GT((ssize_t)len, w);
	EXPECT_EQ(0, w % (ssize_t)sizeof(struct tmnet_sample));
	EXPECT_EQ(in0 + w / (ssize_t)sizeof(struct tmnet_sample), st_stat("stats", "samples_in"));
out:
	munmap(s, len);
}

/* A reader blocked in copy_to_user() (userfaultfd) must not block stats */
struct uffd_ctx {
	int uffd, fd, done_pipe[2];
	void *page;
	long psz;
	ssize_t got;
};

static void *uffd_reader(void *arg)
{
	struct uffd_ctx *c = arg;

	c->got = read(c->fd, c->page, sizeof(struct tmnet_pred));
	return NULL;
}

TEST_F(kmod, stats_while_reader_faults)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy cp = { .mode = 0 };
	void *src;
	struct uffd_msg msg;
	struct uffd_ctx c = { .fd = self->fd };
	struct pollfd pfd;
	pthread_t th;
	uint64_t t0, dt;
	long long ticks;

	c.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (c.uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(c.uffd, UFFDIO_API, &api));
	c.psz = sysconf(_SC_PAGESIZE);
	c.page = mmap(NULL, (size_t)c.psz, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c.page);
	reg.range.start = (unsigned long)c.page;
	reg.range.len = (unsigned long)c.psz;
	ASSERT_EQ(0, ioctl(c.uffd, UFFDIO_REGISTER, &reg));

	/* records waiting, then a reader whose buffer is not there yet */
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	ASSERT_LE(5, wait_stat("out_queued", 5, 20000));
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	ASSERT_EQ(0, pthread_create(&th, NULL, uffd_reader, &c));
	pfd.fd = c.uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 20000)) TH_LOG("the reader never faulted");
	ASSERT_EQ((ssize_t)sizeof(msg), read(c.uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* the reader now sleeps in copy_to_user(), holding the read side */
	t0 = now_ms();
	ticks = st_stat("stats", "ticks");
	dt = now_ms() - t0;
	EXPECT_LT(0, ticks);
	EXPECT_GT(2000, dt) TH_LOG("stats took %llu ms behind a blocked reader",
				   (unsigned long long)dt);

	/* let the reader go: it gets its record */
	src = calloc(1, (size_t)c.psz);
	ASSERT_NE(NULL, src);
	cp.dst = (unsigned long)c.page;
	cp.src = (unsigned long)src;
	cp.len = (unsigned long)c.psz;
	ASSERT_EQ(0, ioctl(c.uffd, UFFDIO_COPY, &cp));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ((ssize_t)sizeof(struct tmnet_pred), c.got);
	free(src);
	munmap(c.page, (size_t)c.psz);
	close(c.uffd);
}

TEST_HARNESS_MAIN
