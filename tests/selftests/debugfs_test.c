// SPDX-License-Identifier: GPL-2.0
/*
 * tests/selftests/debugfs_test.c - the format of the debugfs files
 * /sys/kernel/debug/tmnet/tmnet0/{stats,latency,model}, checked line by
 * line after the device ticked (so that the latency rows are populated).
 */
#include <poll.h>

#include "kselftest_harness.h"
#include "tmnet_st.h"

#define CFG	ST_DBG "config"

/* Split buf into lines in place; returns the count */
static int lines(char *buf, char **out, int max)
{
	int n = 0;
	char *p = buf, *nl;

	while (*p && n < max) {
		out[n++] = p;
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	return n;
}

/* "key <unsigned decimal>" exactly */
static int is_key_uint(const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *v = line + kl + 1;

	if (strncmp(line, key, kl) || line[kl] != ' ' || !*v)
		return 0;
	if (*v == '-' && v[1])
		v++;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return 0;
	return 1;
}

static int is_key_str(const char *line, const char *key, const char *val)
{
	size_t kl = strlen(key);

	return !strncmp(line, key, kl) && line[kl] == ' ' &&
	       (!val || !strcmp(line + kl + 1, val));
}

FIXTURE(dbg) {
	char *buf;
	char *ln[128];
	int n;
};

/* Let the device tick until a record is out, so that every stage has data */
FIXTURE_SETUP(dbg)
{
	struct pollfd pfd;
	struct tmnet_pred p;
	int fd;

	self->buf = NULL;
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	ASSERT_EQ(0, st_write_str(CFG, "flush"));
	ASSERT_EQ(0, st_write_str(ST_DBG "reset", "1"));
	fd = open(ST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, st_write_str(CFG, "start"));
	pfd.fd = fd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ((ssize_t)sizeof(p), read(fd, &p, sizeof(p)));
	ASSERT_EQ(0, st_write_str(CFG, "stop"));
	close(fd);
}

FIXTURE_TEARDOWN(dbg)
{
	free(self->buf);
	st_write_str(CFG, "flush");
}

TEST_F(dbg, stats)
{
	static const char *const keys[] = {
		"device", "running", "model_gen", "mode", "source", "rate_hz",
		"cpu", "ticks", "overruns", "samples_in", "samples_rejected",
		"samples_ingested", "dropped", "missing", "no_sample",
		"gate_pass", "gate_fail_chi2", "gate_fail_budget",
		"gate_fail_cert", "gate_fail_no_model", "gate_fail_stale",
		"gate_fail_saturation", "fallbacks", "blend", "blend_w_mean_q16",
		"mon_stored", "mon_resolved", "mon_dropped", "cert_n", "cert_mean_q16",
		"cert_max_q16", "sat_input", "sat_act", "sat_out", "out_records",
		"out_overflow", "out_read", "in_ring", "out_ring", "in_queued",
		"out_queued", "model_loads", "model_load_errors", "unpinned",
		"offcpu_ticks",
	};
	unsigned int i, k = 0;

	self->buf = st_slurp(ST_DBG "stats", NULL);
	ASSERT_NE(NULL, self->buf);
	self->n = lines(self->buf, self->ln, 128);
	/* exactly these lines, in this order */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *l;

		ASSERT_LT(k, (unsigned int)self->n) TH_LOG("missing %s", keys[i]);
		l = self->ln[k++];
		if (!strcmp(keys[i], "device")) {
			ASSERT_TRUE(is_key_str(l, "device", "tmnet0")) TH_LOG("%s", l);
		} else if (!strcmp(keys[i], "source")) {
			ASSERT_TRUE(is_key_str(l, "source", "replay") ||
				    is_key_str(l, "source", "live")) TH_LOG("%s", l);
		} else {
			ASSERT_TRUE(is_key_uint(l, keys[i])) TH_LOG("want \"%s N\", got \"%s\"",
								  keys[i], l);
		}
	}
	ASSERT_EQ(k, (unsigned int)self->n) TH_LOG("extra line \"%s\"", self->ln[k]);
	ASSERT_TRUE(is_key_str(self->ln[1], "running", "0"));
	ASSERT_LT(0, st_stat("stats", "ticks"));
	ASSERT_LT(0, st_stat("stats", "out_records"));
	ASSERT_EQ(4096, st_stat("stats", "in_ring"));
	ASSERT_EQ(8192, st_stat("stats", "out_ring"));
}

TEST_F(dbg, latency)
{
	static const char *const stages[] = {
		"lateness", "prior", "net", "gate", "publish", "total",
	};
	char name[32], hdr[8][16];
	unsigned long long v[7];
	long long ticks = st_stat("stats", "ticks");
	unsigned int i, j;

	self->buf = st_slurp(ST_DBG "latency", NULL);
	ASSERT_NE(NULL, self->buf);
	self->n = lines(self->buf, self->ln, 128);
	ASSERT_EQ(8, self->n);
	ASSERT_EQ(8, sscanf(self->ln[0], "%15s %15s %15s %15s %15s %15s %15s %15s",
			    hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7]));
	ASSERT_STREQ("stage(ns)", hdr[0]);
	ASSERT_STREQ("count", hdr[1]);
	ASSERT_STREQ("mean", hdr[2]);
	ASSERT_STREQ("p50", hdr[3]);
	ASSERT_STREQ("p90", hdr[4]);
	ASSERT_STREQ("p99", hdr[5]);
	ASSERT_STREQ("p99.9", hdr[6]);
	ASSERT_STREQ("max", hdr[7]);
	for (i = 0; i < 6; i++) {
		char extra[4];

		ASSERT_EQ(8, sscanf(self->ln[1 + i], "%31s %llu %llu %llu %llu %llu %llu %llu%3s",
				    name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], extra))
			TH_LOG("row \"%s\"", self->ln[1 + i]);
		ASSERT_STREQ(stages[i], name);
		/* every tick is measured in every stage */
		ASSERT_LT(0, v[0]);
		ASSERT_GE((unsigned long long)ticks, v[0]);
		/* percentiles ordered, capped at the exact maximum; mean <= max */
		for (j = 2; j < 6; j++)
			ASSERT_LE(v[j], v[j + 1]) TH_LOG("%s column %u", name, j);
		ASSERT_LE(v[1], v[6]);
	}
	ASSERT_TRUE(is_key_uint(self->ln[7], "overruns")) TH_LOG("%s", self->ln[7]);
}

TEST_F(dbg, model)
{
	static const char *const keys[] = {
		"generation", "name", "system", "features", "hidden", "rate_hz",
		"window_ticks", "horizon_ticks", "crc32", "kalman_qa_q32",
		"kalman_r_q32", "kalman_stale_ticks", "gate_eps_q16",
		"gate_budget", "gate_chi2_q16", "gate_cov_scale_q16",
		"gate_sat_limit", "last_error",
	};
	unsigned int i, k = 0;
	char *end;

	self->buf = st_slurp(ST_DBG "model", NULL);
	ASSERT_NE(NULL, self->buf);
	self->n = lines(self->buf, self->ln, 128);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *l, *val;

		/* lines the kernel may add between the known ones are skipped */
		while (k < (unsigned int)self->n && !is_key_str(self->ln[k], keys[i], NULL))
			k++;
		ASSERT_LT(k, (unsigned int)self->n) TH_LOG("no \"%s\" line", keys[i]);
		l = self->ln[k++];
		val = l + strlen(keys[i]) + 1;
		if (!strcmp(keys[i], "system")) {
			ASSERT_TRUE(!strcmp(val, "prior") || !strcmp(val, "A") ||
				    !strcmp(val, "B")) TH_LOG("%s", l);
		} else if (!strcmp(keys[i], "crc32")) {
			ASSERT_EQ(10, strlen(val));
			ASSERT_EQ(0, strncmp(val, "0x", 2));
			strtoul(val, &end, 16);
			ASSERT_EQ(0, *end);
		} else if (!strcmp(keys[i], "kalman_qa_q32")) {
			long long a, b, c;

			ASSERT_EQ(3, sscanf(val, "%lld %lld %lld", &a, &b, &c)) TH_LOG("%s", l);
		} else if (!strcmp(keys[i], "kalman_r_q32")) {
			long long a, b;

			ASSERT_EQ(2, sscanf(val, "%lld %lld", &a, &b)) TH_LOG("%s", l);
		} else if (!strcmp(keys[i], "name") || !strcmp(keys[i], "last_error")) {
			ASSERT_NE(0, strlen(val));
		} else {
			ASSERT_TRUE(is_key_uint(l, keys[i])) TH_LOG("%s", l);
		}
	}
	/* generation agrees with stats; rate with the configuration */
	ASSERT_EQ(st_stat("stats", "model_gen"), st_stat("model", "generation"));
}

TEST_F(dbg, model_last_error)
{
	char *p;

	ASSERT_EQ(-EINVAL, st_write_str(ST_DBG "load_model", "not a model, just text"));
	self->buf = st_slurp(ST_DBG "model", NULL);
	ASSERT_NE(NULL, self->buf);
	p = strstr(self->buf, "\nlast_error ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, strncmp(p + 12, "blob error ", 11)) TH_LOG("%s", p + 1);
}

TEST_HARNESS_MAIN
