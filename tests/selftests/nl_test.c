// SPDX-License-Identifier: GPL-2.0
/*
 * tests/selftests/nl_test.c - every op of the "tmnet" generic netlink
 * family over a raw NETLINK_GENERIC socket with NETLINK_EXT_ACK on, valid
 * and invalid requests, asserting errno and the extack text; and EPERM for
 * the mutating ops once CAP_NET_ADMIN is dropped.
 *
 * Needs tmnet.ko loaded with instances=2 and TMNET_BLOB=<a System B .tmn
 * at 2000 Hz>, TMNET_BLOB_1K=<the same at 1000 Hz> (tests/selftests/run.sh).
 */
#include "kselftest_harness.h"
#include "tmnet_st.h"

static unsigned char *load_file(const char *env, size_t *len)
{
	const char *path = getenv(env);

	if (!path)
		return NULL;
	return (unsigned char *)st_slurp(path, len);
}

FIXTURE(nl) {
	struct st_nl nl;
	struct st_attrs a;
	struct st_reply r;
};

FIXTURE_SETUP(nl)
{
	size_t n;

	ASSERT_EQ(0, st_nl_open(&self->nl)) {
		TH_LOG("cannot resolve family %s: %s", TMNET_GENL_NAME, strerror(errno));
	}
	self->a.len = 0;
	/* a known state: stopped, built-in prior, nothing pinned */
	st_dev0(&self->a);
	ASSERT_EQ(0, st_req(&self->nl, TMNET_CMD_STOP, &self->a, &self->r));
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(0, st_req(&self->nl, TMNET_CMD_MODEL_UNLOAD, &self->a, &self->r));
	ASSERT_EQ(0, self->r.err);
	self->a.len = 0;
	st_dev0(&self->a);
	n = st_nest_start(&self->a, TMNET_A_CONFIG | NLA_F_NESTED);
	st_put_u32(&self->a, TMNET_A_CFG_UNPIN, 0x7f);
	st_put_u32(&self->a, TMNET_A_CFG_RATE_HZ, 2000);
	st_nest_end(&self->a, n);
	ASSERT_EQ(0, st_req(&self->nl, TMNET_CMD_CONFIG_SET, &self->a, &self->r));
	ASSERT_EQ(0, self->r.err) TH_LOG("unpin: %s", self->r.msg);
	self->a.len = 0;
	/* no records left over from an earlier test */
	ASSERT_EQ(0, st_write_str(ST_DBG "config", "flush"));
}

FIXTURE_TEARDOWN(nl)
{
	close(self->nl.fd);
}

#define REQ(cmd) ASSERT_EQ(0, st_req(&self->nl, (cmd), &self->a, &self->r))
#define EXPECT_FAIL(e, text) do {					\
	ASSERT_EQ((e), self->r.err) { TH_LOG("extack: \"%s\"", self->r.msg); } \
	ASSERT_NE(NULL, strstr(self->r.msg, (text))) {			\
		TH_LOG("extack \"%s\" lacks \"%s\"", self->r.msg, (text)); } \
} while (0)

static uint32_t model_gen(struct st_nl *nl)
{
	static struct st_attrs a;
	static struct st_reply r;

	a.len = 0;
	st_dev0(&a);
	if (st_req(nl, TMNET_CMD_DEV_GET, &a, &r) || r.err)
		return ~0U;
	return (uint32_t)st_uint(st_top(&r, TMNET_A_MODEL_GEN), ~0ULL);
}

static int dev_running(struct st_nl *nl)
{
	static struct st_attrs a;
	static struct st_reply r;

	a.len = 0;
	st_dev0(&a);
	if (st_req(nl, TMNET_CMD_DEV_GET, &a, &r) || r.err)
		return -1;
	return (int)st_uint(st_top(&r, TMNET_A_RUNNING), 99);
}

/* ---- DEV_GET -------------------------------------------------------- */

TEST_F(nl, dev_get_by_name)
{
	const struct nlattr *cfg;

	st_dev0(&self->a);
	REQ(TMNET_CMD_DEV_GET);
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(1, self->r.n_msgs);
	ASSERT_EQ(0, st_uint(st_top(&self->r, TMNET_A_DEV_INDEX), 99));
	ASSERT_STREQ("tmnet0", (const char *)st_data(st_top(&self->r, TMNET_A_DEV_NAME)));
	ASSERT_EQ(0, st_uint(st_top(&self->r, TMNET_A_RUNNING), 99));
	cfg = st_top(&self->r, TMNET_A_CONFIG);
	ASSERT_NE(NULL, cfg);
	ASSERT_EQ(2000, st_uint(st_in(cfg, TMNET_A_CFG_RATE_HZ), 0));
	ASSERT_EQ(TMNET_SRC_REPLAY, st_uint(st_in(cfg, TMNET_A_CFG_SOURCE), 99));
	ASSERT_EQ(0, st_uint(st_in(cfg, TMNET_A_CFG_PINNED), 99));
}

TEST_F(nl, dev_get_by_index)
{
	st_put_u32(&self->a, TMNET_A_DEV_INDEX, 1);
	REQ(TMNET_CMD_DEV_GET);
	ASSERT_EQ(0, self->r.err);
	ASSERT_STREQ("tmnet1", (const char *)st_data(st_top(&self->r, TMNET_A_DEV_NAME)));
}

TEST_F(nl, dev_get_dump)
{
	ASSERT_EQ(0, st_send(&self->nl, self->nl.fam, TMNET_CMD_DEV_GET,
			     NLM_F_DUMP, 0, &self->a, &self->r));
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(2, self->r.n_msgs);
	ASSERT_EQ(0, st_uint(st_top(&self->r, TMNET_A_DEV_INDEX), 99));
}

TEST_F(nl, no_device_named)
{
	REQ(TMNET_CMD_DEV_GET);
	EXPECT_FAIL(EINVAL, "dev-index or dev-name: a device must be named");
	ASSERT_EQ(TMNET_A_DEV_INDEX, self->r.miss_type);
}

TEST_F(nl, no_such_index)
{
	st_put_u32(&self->a, TMNET_A_DEV_INDEX, 7);
	REQ(TMNET_CMD_STATS_GET);
	EXPECT_FAIL(ENODEV, "dev-index: no such tmnet device");
	/* nlmsghdr (16) + genlmsghdr (4): the first attribute */
	ASSERT_EQ(20, self->r.bad_offs);
}

TEST_F(nl, no_such_name)
{
	st_put_str(&self->a, TMNET_A_DEV_NAME, "tmnet9");
	REQ(TMNET_CMD_MODEL_GET);
	EXPECT_FAIL(ENODEV, "dev-name: no such tmnet device");
}

TEST_F(nl, index_and_name_disagree)
{
	st_dev0(&self->a);
	st_put_u32(&self->a, TMNET_A_DEV_INDEX, 1);
	REQ(TMNET_CMD_DEV_GET);
	EXPECT_FAIL(EINVAL, "dev-name: names another device than dev-index");
}

TEST_F(nl, unknown_attribute)
{
	st_dev0(&self->a);
	st_put_u32(&self->a, 99, 0);
	REQ(TMNET_CMD_STATS_GET);
	EXPECT_FAIL(EINVAL, "Unknown attribute type");
}

TEST_F(nl, short_u32)
{
	st_put(&self->a, TMNET_A_DEV_INDEX, "\0\0", 2);
	REQ(TMNET_CMD_STATS_GET);
	EXPECT_FAIL(EINVAL, "invalid attribute length");
	ASSERT_EQ(20, self->r.bad_offs);
}

TEST_F(nl, name_without_nul)
{
	st_put(&self->a, TMNET_A_DEV_NAME, "tmnet0", 6);
	REQ(TMNET_CMD_STATS_GET);
	EXPECT_FAIL(EINVAL, "Attribute failed policy validation");
}

TEST_F(nl, unknown_command)
{
	st_dev0(&self->a);
	REQ(99);
	ASSERT_EQ(EOPNOTSUPP, self->r.err);
	ASSERT_STREQ("", self->r.msg);
}

/* ---- MODEL_LOAD / MODEL_GET / MODEL_UNLOAD ---------------------------- */

TEST_F(nl, model_load_get_unload)
{
	const struct nlattr *m;
	unsigned char *blob;
	uint32_t gen0, gen1;
	size_t len;

	blob = load_file("TMNET_BLOB", &len);
	ASSERT_NE(NULL, blob) TH_LOG("set TMNET_BLOB to a System B model");
	gen0 = model_gen(&self->nl);
	ASSERT_NE(~0U, gen0);

	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, blob, len);
	REQ(TMNET_CMD_MODEL_LOAD);
	ASSERT_EQ(0, self->r.err) TH_LOG("extack: %s", self->r.msg);
	gen1 = (uint32_t)st_uint(st_top(&self->r, TMNET_A_MODEL_GEN), 0);
	ASSERT_EQ(gen0 + 1, gen1);
	ASSERT_EQ(gen1, model_gen(&self->nl));

	self->a.len = 0;
	st_dev0(&self->a);
	REQ(TMNET_CMD_MODEL_GET);
	ASSERT_EQ(0, self->r.err);
	m = st_top(&self->r, TMNET_A_MODEL);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(gen1, st_uint(st_in(m, TMNET_A_MODEL_GENERATION), 0));
	ASSERT_EQ(TMNET_SYS_B, st_uint(st_in(m, TMNET_A_MODEL_SYSTEM), 99));
	ASSERT_EQ(0, st_uint(st_in(m, TMNET_A_MODEL_BUILTIN), 99));
	ASSERT_NE(0, st_uint(st_in(m, TMNET_A_MODEL_CRC32), 0));
	ASSERT_EQ(2000, st_uint(st_in(m, TMNET_A_MODEL_RATE_HZ), 0));
	ASSERT_NE(0, st_uint(st_in(m, TMNET_A_MODEL_LOAD_TIME), 0));

	REQ(TMNET_CMD_MODEL_UNLOAD);
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(gen1 + 1, st_uint(st_top(&self->r, TMNET_A_MODEL_GEN), 0));
	REQ(TMNET_CMD_MODEL_GET);
	m = st_top(&self->r, TMNET_A_MODEL);
	ASSERT_EQ(1, st_uint(st_in(m, TMNET_A_MODEL_BUILTIN), 99));
	ASSERT_EQ(0, st_uint(st_in(m, TMNET_A_MODEL_CRC32), 99));
	free(blob);
}

TEST_F(nl, model_load_missing_blob)
{
	st_dev0(&self->a);
	REQ(TMNET_CMD_MODEL_LOAD);
	EXPECT_FAIL(EINVAL, "model-blob: missing");
	ASSERT_EQ(TMNET_A_MODEL_BLOB, self->r.miss_type);
}

TEST_F(nl, model_load_corrupt)
{
	unsigned char *blob;
	uint32_t gen0;
	size_t len;

	blob = load_file("TMNET_BLOB", &len);
	ASSERT_NE(NULL, blob);
	ASSERT_GT(len, 2000);
	blob[2000] ^= 0xff;
	gen0 = model_gen(&self->nl);
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, blob, len);
	REQ(TMNET_CMD_MODEL_LOAD);
	EXPECT_FAIL(EINVAL, "CRC mismatch: blob is corrupt");
	ASSERT_EQ(gen0, model_gen(&self->nl));	/* nothing changed */
	free(blob);
}

TEST_F(nl, model_load_garbage)
{
	unsigned char junk[512];

	memset(junk, 0x5a, sizeof(junk));
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, junk, sizeof(junk));
	REQ(TMNET_CMD_MODEL_LOAD);
	EXPECT_FAIL(EINVAL, "bad magic: not a tmnet model");
}

TEST_F(nl, model_load_short)
{
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, "TTMN", 4);
	REQ(TMNET_CMD_MODEL_LOAD);
	EXPECT_FAIL(EINVAL, "blob is shorter than the header");
}

TEST_F(nl, model_load_too_big)
{
	static unsigned char big[TMNET_GENL_BLOB_MAX + 4];

	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, big, sizeof(big));
	REQ(TMNET_CMD_MODEL_LOAD);
	/* lib/nlattr.c: a binary attribute over the policy's len is ERANGE */
	EXPECT_FAIL(ERANGE, "Attribute failed policy validation");
}

TEST_F(nl, model_load_other_rate)
{
	unsigned char *blob;
	size_t len;

	blob = load_file("TMNET_BLOB_1K", &len);
	ASSERT_NE(NULL, blob) TH_LOG("set TMNET_BLOB_1K to a 1000 Hz model");
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, blob, len);
	REQ(TMNET_CMD_MODEL_LOAD);
	EXPECT_FAIL(ERANGE, "model rate differs from the device tick rate");
	free(blob);
}

/* ---- START / STOP ------------------------------------------------------ */

TEST_F(nl, start_stop_idempotent)
{
	st_dev0(&self->a);
	REQ(TMNET_CMD_START);
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(1, dev_running(&self->nl));
	REQ(TMNET_CMD_START);
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(1, dev_running(&self->nl));
	REQ(TMNET_CMD_STOP);
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(0, dev_running(&self->nl));
	REQ(TMNET_CMD_STOP);
	ASSERT_EQ(0, self->r.err);
	ASSERT_EQ(0, dev_running(&self->nl));
}

TEST_F(nl, start_without_device)
{
	REQ(TMNET_CMD_START);
	EXPECT_FAIL(EINVAL, "dev-index or dev-name: a device must be named");
	ASSERT_EQ(0, dev_running(&self->nl));
}

/* ---- CONFIG_SET -------------------------------------------------------- */

TEST_F(nl, config_set_and_unpin)
{
	const struct nlattr *cfg;
	size_t n;

	st_dev0(&self->a);
	n = st_nest_start(&self->a, TMNET_A_CONFIG | NLA_F_NESTED);
	st_put_u32(&self->a, TMNET_A_CFG_EPS, 12345);
	st_put_u32(&self->a, TMNET_A_CFG_RATE_HZ, 1000);
	st_nest_end(&self->a, n);
	REQ(TMNET_CMD_CONFIG_SET);
	ASSERT_EQ(0, self->r.err) TH_LOG("extack: %s", self->r.msg);

	self->a.len = 0;
	st_dev0(&self->a);
	REQ(TMNET_CMD_DEV_GET);
	cfg = st_top(&self->r, TMNET_A_CONFIG);
	ASSERT_EQ(12345, st_uint(st_in(cfg, TMNET_A_CFG_EPS), 0));
	ASSERT_EQ(1000, st_uint(st_in(cfg, TMNET_A_CFG_RATE_HZ), 0));
	/* pinned: set, not from the model (the rate never follows a model) */
	ASSERT_EQ(TMNET_CFG_FIELD_EPS, st_uint(st_in(cfg, TMNET_A_CFG_PINNED), 0));

	/* back: rate 2000, eps follows the model again */
	self->a.len = 0;
	st_dev0(&self->a);
	n = st_nest_start(&self->a, TMNET_A_CONFIG | NLA_F_NESTED);
	st_put_u32(&self->a, TMNET_A_CFG_RATE_HZ, 2000);
	st_put_u32(&self->a, TMNET_A_CFG_UNPIN, TMNET_CFG_FIELD_EPS | TMNET_CFG_FIELD_RATE);
	st_nest_end(&self->a, n);
	REQ(TMNET_CMD_CONFIG_SET);
	ASSERT_EQ(0, self->r.err) TH_LOG("extack: %s", self->r.msg);
	self->a.len = 0;
	st_dev0(&self->a);
	REQ(TMNET_CMD_DEV_GET);
	cfg = st_top(&self->r, TMNET_A_CONFIG);
	ASSERT_EQ(2000, st_uint(st_in(cfg, TMNET_A_CFG_RATE_HZ), 0));
	ASSERT_EQ(0, st_uint(st_in(cfg, TMNET_A_CFG_PINNED), 99));
}

static void config_one(struct st_attrs *a, uint16_t type, uint32_t v)
{
	size_t n;

	a->len = 0;
	st_dev0(a);
	n = st_nest_start(a, TMNET_A_CONFIG | NLA_F_NESTED);
	st_put_u32(a, type, v);
	st_nest_end(a, n);
}

TEST_F(nl, config_missing)
{
	st_dev0(&self->a);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(EINVAL, "config: missing");
	ASSERT_EQ(TMNET_A_CONFIG, self->r.miss_type);
}

TEST_F(nl, config_empty)
{
	size_t n;

	st_dev0(&self->a);
	n = st_nest_start(&self->a, TMNET_A_CONFIG | NLA_F_NESTED);
	st_nest_end(&self->a, n);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(EINVAL, "config: no field to change");
}

TEST_F(nl, config_nest_without_flag)
{
	size_t n;

	st_dev0(&self->a);
	n = st_nest_start(&self->a, TMNET_A_CONFIG);
	st_put_u32(&self->a, TMNET_A_CFG_RATE_HZ, 2000);
	st_nest_end(&self->a, n);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(EINVAL, "NLA_F_NESTED is missing");
}

TEST_F(nl, config_rate_out_of_range)
{
	config_one(&self->a, TMNET_A_CFG_RATE_HZ, 50);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(ERANGE, "integer out of range");
	config_one(&self->a, TMNET_A_CFG_RATE_HZ, TMNET_MAX_RATE_HZ + 1);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(ERANGE, "integer out of range");
}

TEST_F(nl, config_eps_zero)
{
	config_one(&self->a, TMNET_A_CFG_EPS, 0);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(ERANGE, "integer out of range");
}

TEST_F(nl, config_bad_mode_and_source)
{
	config_one(&self->a, TMNET_A_CFG_MODE, 3);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(ERANGE, "integer out of range");
	config_one(&self->a, TMNET_A_CFG_SOURCE, 2);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(ERANGE, "integer out of range");
}

TEST_F(nl, config_impossible_cpu)
{
	config_one(&self->a, TMNET_A_CFG_CPU, 4096);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(EINVAL, "cpu: not a possible CPU");
}

TEST_F(nl, config_pinned_is_output_only)
{
	config_one(&self->a, TMNET_A_CFG_PINNED, 1);
	REQ(TMNET_CMD_CONFIG_SET);
	ASSERT_EQ(EINVAL, self->r.err);
	ASSERT_NE(0, strlen(self->r.msg));
	/* nlmsghdr + genl + dev-name (12) + config nest header (4) */
	ASSERT_EQ(36, self->r.bad_offs);
}

TEST_F(nl, config_rate_with_loaded_model)
{
	unsigned char *blob;
	size_t len;

	blob = load_file("TMNET_BLOB", &len);
	ASSERT_NE(NULL, blob);
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, blob, len);
	REQ(TMNET_CMD_MODEL_LOAD);
	ASSERT_EQ(0, self->r.err);
	config_one(&self->a, TMNET_A_CFG_RATE_HZ, 1000);
	REQ(TMNET_CMD_CONFIG_SET);
	EXPECT_FAIL(ERANGE, "the loaded model was trained for another rate; unload it first");
	free(blob);
}

/* ---- STATS_GET / STATS_RESET ------------------------------------------- */

TEST_F(nl, stats_get_and_reset)
{
	static const char *const names[] = {
		"lateness", "prior", "net", "gate", "publish", "total",
	};
	const struct nlattr *s, *na;
	unsigned int i = 0;
	size_t off;

	st_dev0(&self->a);
	REQ(TMNET_CMD_STATS_RESET);
	ASSERT_EQ(0, self->r.err);
	REQ(TMNET_CMD_STATS_GET);
	ASSERT_EQ(0, self->r.err);
	s = st_top(&self->r, TMNET_A_STATS);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, st_uint(st_in(s, TMNET_A_STATS_TICKS), 99));
	ASSERT_EQ(0, st_uint(st_in(s, TMNET_A_STATS_SAMPLES_IN), 99));
	ASSERT_EQ(2000, st_uint(st_in(s, TMNET_A_STATS_RATE_HZ), 0));
	ASSERT_NE(NULL, st_in(s, TMNET_A_STATS_MODEL_LOAD_ERRORS));
	/* one stage nest per stage, in order, each with every percentile */
	for (off = NLA_HDRLEN; off + NLA_HDRLEN <= s->nla_len; off += NLA_ALIGN(na->nla_len)) {
		na = (const void *)((const char *)s + off);
		if ((na->nla_type & NLA_TYPE_MASK) != TMNET_A_STATS_STAGE)
			continue;
		ASSERT_LT(i, 6);
		ASSERT_EQ(i, st_uint(st_in(na, TMNET_A_STAGE_ID), 99));
		ASSERT_STREQ(names[i], (const char *)st_data(st_in(na, TMNET_A_STAGE_NAME)));
		ASSERT_EQ(0, st_uint(st_in(na, TMNET_A_STAGE_COUNT), 99));
		ASSERT_NE(NULL, st_in(na, TMNET_A_STAGE_P999_NS));
		ASSERT_NE(NULL, st_in(na, TMNET_A_STAGE_MAX_NS));
		i++;
	}
	ASSERT_EQ(6, i);
}

TEST_F(nl, stats_reset_clears_ticks)
{
	int fd = open(ST_DEV, O_RDONLY);
	struct tmnet_pred p;

	ASSERT_LE(0, fd);
	st_dev0(&self->a);
	REQ(TMNET_CMD_START);
	ASSERT_EQ(0, self->r.err);
	/* blocks until the timer produced a record */
	ASSERT_EQ((ssize_t)sizeof(p), read(fd, &p, sizeof(p)));
	REQ(TMNET_CMD_STOP);
	close(fd);
	REQ(TMNET_CMD_STATS_GET);
	ASSERT_LT(0, st_uint(st_in(st_top(&self->r, TMNET_A_STATS), TMNET_A_STATS_TICKS), 0));
	REQ(TMNET_CMD_STATS_RESET);
	ASSERT_EQ(0, self->r.err);
	REQ(TMNET_CMD_STATS_GET);
	ASSERT_EQ(0, st_uint(st_in(st_top(&self->r, TMNET_A_STATS), TMNET_A_STATS_TICKS), 99));
}

/* ---- the "events" multicast group ------------------------------------- */

TEST_F(nl, events_model_loaded_and_rejected)
{
	static struct st_reply ev;
	struct st_nl lis;
	unsigned char *blob;
	const struct nlattr *m;
	uint32_t gen;
	size_t len;

	ASSERT_NE(0, self->nl.mcgrp_events) TH_LOG("no \"%s\" group", TMNET_GENL_MCGRP_EVENTS);
	ASSERT_EQ(0, st_nl_open(&lis));
	ASSERT_EQ(0, setsockopt(lis.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&self->nl.mcgrp_events, sizeof(self->nl.mcgrp_events)));
	blob = load_file("TMNET_BLOB", &len);
	ASSERT_NE(NULL, blob);
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, blob, len);
	REQ(TMNET_CMD_MODEL_LOAD);
	ASSERT_EQ(0, self->r.err);
	gen = (uint32_t)st_uint(st_top(&self->r, TMNET_A_MODEL_GEN), 0);
	ASSERT_EQ(0, st_wait_event(lis.fd, TMNET_EVENT_MODEL_LOADED, &ev))
		TH_LOG("no model-loaded event: %s", strerror(errno));
	ASSERT_EQ(gen, st_uint(st_top(&ev, TMNET_A_MODEL_GEN), 0));
	ASSERT_STREQ("tmnet0", (const char *)st_data(st_top(&ev, TMNET_A_DEV_NAME)));

	blob[len / 2] ^= 0x40;
	self->a.len = 0;
	st_dev0(&self->a);
	st_put(&self->a, TMNET_A_MODEL_BLOB, blob, len);
	REQ(TMNET_CMD_MODEL_LOAD);
	ASSERT_EQ(EINVAL, self->r.err);
	ASSERT_EQ(0, st_wait_event(lis.fd, TMNET_EVENT_MODEL_REJECTED, &ev))
		TH_LOG("no model-rejected event: %s", strerror(errno));
	m = st_top(&ev, TMNET_A_MESSAGE);
	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, strstr(st_data(m), "CRC mismatch")) TH_LOG("message \"%s\"",
								    (const char *)st_data(m));
	close(lis.fd);
	free(blob);
}

/* ---- EPERM without CAP_NET_ADMIN (each TEST runs in its own child) ------ */

/* the events group carries model names and load errors: CAP_NET_ADMIN only */
TEST_F(nl, events_listener_needs_cap_net_admin)
{
	struct st_nl lis;
	uint32_t grp = self->nl.mcgrp_events;

	ASSERT_NE(0, grp) TH_LOG("no \"%s\" group", TMNET_GENL_MCGRP_EVENTS);
	ASSERT_EQ(0, st_drop_cap(CAP_NET_ADMIN));
	ASSERT_EQ(0, st_has_cap(CAP_NET_ADMIN));
	ASSERT_EQ(0, st_nl_open(&lis));
	EXPECT_EQ(-1, setsockopt(lis.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				 &grp, sizeof(grp)));
	EXPECT_EQ(EPERM, errno);
	/* nor through bind() with a group bitmap (groups 1..32) */
	if (grp <= 32) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
					  .nl_groups = 1u << (grp - 1) };
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
		EXPECT_EQ(EPERM, errno);
		close(fd);
	}
	close(lis.fd);
}

TEST_F(nl, eperm_without_cap_net_admin)
{
	static const uint8_t admin[] = {
		TMNET_CMD_MODEL_LOAD, TMNET_CMD_START, TMNET_CMD_STOP,
		TMNET_CMD_CONFIG_SET, TMNET_CMD_STATS_RESET, TMNET_CMD_MODEL_UNLOAD,
	};
	static const uint8_t readonly[] = {
		TMNET_CMD_DEV_GET, TMNET_CMD_MODEL_GET, TMNET_CMD_STATS_GET,
	};
	uint32_t gen0 = model_gen(&self->nl);
	unsigned int i;
	size_t n;

	ASSERT_EQ(0, st_drop_cap(CAP_NET_ADMIN));
	ASSERT_EQ(0, st_has_cap(CAP_NET_ADMIN));
	/* a socket opened without the capability too */
	close(self->nl.fd);
	ASSERT_EQ(0, st_nl_open(&self->nl));
	/* well-formed requests, so only the permission can refuse them */
	for (i = 0; i < sizeof(admin); i++) {
		self->a.len = 0;
		st_dev0(&self->a);
		if (admin[i] == TMNET_CMD_CONFIG_SET) {
			n = st_nest_start(&self->a, TMNET_A_CONFIG | NLA_F_NESTED);
			st_put_u32(&self->a, TMNET_A_CFG_EPS, 1000);
			st_nest_end(&self->a, n);
		}
		if (admin[i] == TMNET_CMD_MODEL_LOAD)
			st_put(&self->a, TMNET_A_MODEL_BLOB, "TTMN", 4);
		REQ(admin[i]);
		ASSERT_EQ(EPERM, self->r.err) TH_LOG("cmd %u: errno %d (%s)",
						    admin[i], self->r.err, self->r.msg);
	}
	/* nothing happened */
	ASSERT_EQ(0, dev_running(&self->nl));
	ASSERT_EQ(gen0, model_gen(&self->nl));
	/* reading stays allowed */
	for (i = 0; i < sizeof(readonly); i++) {
		self->a.len = 0;
		st_dev0(&self->a);
		REQ(readonly[i]);
		ASSERT_EQ(0, self->r.err) TH_LOG("cmd %u: %s", readonly[i], self->r.msg);
	}
}

TEST_HARNESS_MAIN
