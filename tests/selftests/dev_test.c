// SPDX-License-Identifier: GPL-2.0
/*
 * tests/selftests/dev_test.c - the data plane /dev/tmnet0: write() of
 * whole, partial and garbage sample records, read() and poll().
 *
 * The device is driven through debugfs "config" (stop, flush, source) and
 * checked through debugfs "stats" (in_queued, samples_in, ...).
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "tmnet_st.h"

#define CFG	ST_DBG "config"
/* the replay queue: 4096 samples (docs/kernel.md) */
#define TMNET_IN_RING_SIZE_TEST	4096

static void fill(struct tmnet_sample *s, unsigned int n, uint32_t seq0)
{
	unsigned int i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].t_ns = (uint64_t)(seq0 + i) * 500000;
		s[i].x = (int32_t)(i * 65536);
		s[i].y = -(int32_t)(i * 32768);
		s[i].flags = TMNET_SAMPLE_VALID;
		s[i].seq = seq0 + i;
	}
}

FIXTURE(dev) {
	int fd;
	long long in0, rej0;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	ASSERT_EQ(0, st_write_str(CFG, "source replay"));
	ASSERT_EQ(0, st_write_str(CFG, "flush"));
	self->fd = open(ST_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", ST_DEV, strerror(errno));
	ASSERT_EQ(0, st_stat("stats", "in_queued"));
	ASSERT_EQ(0, st_stat("stats", "out_queued"));
	self->in0 = st_stat("stats", "samples_in");
	self->rej0 = st_stat("stats", "samples_rejected");
	ASSERT_LE(0, self->in0);
	ASSERT_LE(0, self->rej0);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
	st_write_str(CFG, "stop");
	st_write_str(CFG, "flush");
}

TEST_F(dev, sizes)
{
	ASSERT_EQ(32, sizeof(struct tmnet_sample));
	ASSERT_EQ(88, sizeof(struct tmnet_pred));
}

TEST_F(dev, write_whole_records)
{
	struct tmnet_sample s[10];

	fill(s, 10, 1);
	ASSERT_EQ((ssize_t)sizeof(s), write(self->fd, s, sizeof(s)));
	ASSERT_EQ(10, st_stat("stats", "in_queued"));
	ASSERT_EQ(self->in0 + 10, st_stat("stats", "samples_in"));
	ASSERT_EQ(0, write(self->fd, s, 0));
	ASSERT_EQ(10, st_stat("stats", "in_queued"));
}

TEST_F(dev, write_partial_record)
{
	struct tmnet_sample s[3];
	static const size_t bad[] = { 1, 31, 33, 63, sizeof(s) - 1 };
	unsigned int i;

	fill(s, 3, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ASSERT_EQ(-1, write(self->fd, s, bad[i])) TH_LOG("length %zu", bad[i]);
		ASSERT_EQ(EINVAL, errno);
	}
	/* nothing was queued, nothing counted */
	ASSERT_EQ(0, st_stat("stats", "in_queued"));
	ASSERT_EQ(self->in0, st_stat("stats", "samples_in"));
	ASSERT_EQ(self->rej0, st_stat("stats", "samples_rejected"));
}

TEST_F(dev, write_garbage_first_record)
{
	struct tmnet_sample s[4];

	fill(s, 4, 1);
	s[0].flags = 0x80000000u;
	errno = 0;
	ASSERT_EQ(-1, write(self->fd, s, sizeof(s)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, st_stat("stats", "in_queued"));
	ASSERT_EQ(self->rej0 + 1, st_stat("stats", "samples_rejected"));
	ASSERT_EQ(self->in0, st_stat("stats", "samples_in"));
}

TEST_F(dev, write_garbage_in_the_middle)
{
	struct tmnet_sample s[40];

	/* the bad record sits in the second 16-record chunk of the driver */
	fill(s, 40, 1);
	s[20].flags = 0xff;
	ASSERT_EQ(20 * (ssize_t)sizeof(s[0]), write(self->fd, s, sizeof(s)));
	ASSERT_EQ(20, st_stat("stats", "in_queued"));
	ASSERT_EQ(self->in0 + 20, st_stat("stats", "samples_in"));
	ASSERT_EQ(self->rej0 + 1, st_stat("stats", "samples_rejected"));
}

TEST_F(dev, write_random_bytes)
{
	unsigned char junk[32 * 8];
	struct tmnet_sample *s = (struct tmnet_sample *)junk;
	unsigned int i, good = 0;
	ssize_t n;

	srand(4242);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rand();
	/* the driver accepts records up to the first with unknown flags */
	while (good < 8 && !(s[good].flags & ~TMNET_SAMPLE_FLAGS_ALL))
		good++;
	ASSERT_LT(good, 8);
	n = write(self->fd, junk, sizeof(junk));
	if (good == 0) {
		ASSERT_EQ(-1, n);
		ASSERT_EQ(EINVAL, errno);
	} else {
		ASSERT_EQ((ssize_t)(good * 32), n);
	}
	ASSERT_EQ(good, st_stat("stats", "in_queued"));
}

TEST_F(dev, read_small_buffer)
{
	char buf[sizeof(struct tmnet_pred) - 1];

	errno = 0;
	ASSERT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(dev, read_empty_nonblock)
{
	struct tmnet_pred p;

	errno = 0;
	ASSERT_EQ(-1, read(self->fd, &p, sizeof(p)));
	ASSERT_EQ(EAGAIN, errno);
}

TEST_F(dev, poll_idle)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLOUT, pfd.revents & (POLLIN | POLLOUT));
}

TEST_F(dev, replay_queue_full)
{
	static struct tmnet_sample s[TMNET_IN_RING_SIZE_TEST];
	struct pollfd pfd = { .fd = self->fd, .events = POLLOUT };

	fill(s, TMNET_IN_RING_SIZE_TEST, 1);
	ASSERT_EQ((ssize_t)sizeof(s), write(self->fd, s, sizeof(s)));
	ASSERT_EQ(TMNET_IN_RING_SIZE_TEST, st_stat("stats", "in_queued"));
	ASSERT_EQ(TMNET_IN_RING_SIZE_TEST, st_stat("stats", "in_ring"));
	/* full: no POLLOUT, and a non-blocking write fails */
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	errno = 0;
	ASSERT_EQ(-1, write(self->fd, s, sizeof(s[0])));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, st_write_str(CFG, "flush"));
	ASSERT_EQ(0, st_stat("stats", "in_queued"));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
}

TEST_F(dev, replay_records)
{
	struct tmnet_sample s[8];
	struct tmnet_pred p[64];
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	unsigned int got = 0, i;
	ssize_t n;

	fill(s, 8, 100);
	ASSERT_EQ(0, st_write_str(CFG, "reset_state"));
	ASSERT_EQ((ssize_t)sizeof(s), write(self->fd, s, sizeof(s)));
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	while (got < 8) {
		ASSERT_EQ(1, poll(&pfd, 1, 5000)) TH_LOG("no record within 5 s");
		ASSERT_TRUE(pfd.revents & POLLIN);
		n = read(self->fd, p + got, sizeof(p) - got * sizeof(p[0]));
		ASSERT_LT(0, n);
		ASSERT_EQ(0, n % (ssize_t)sizeof(p[0]));
		got += (unsigned int)(n / (ssize_t)sizeof(p[0]));
	}
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	/* one queued sample per tick, in order (overruns may skip ticks) */
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(100 + i, p[i].sample_seq);
		ASSERT_NE(0, p[i].t_ns);
	}
	for (i = 1; i < 8; i++) {
		ASSERT_LT(p[i - 1].tick, p[i].tick);
		ASSERT_LT(p[i - 1].t_ns, p[i].t_ns);
	}
	ASSERT_LE(8, st_stat("stats", "out_read"));
}

TEST_HARNESS_MAIN
