// SPDX-License-Identifier: GPL-2.0
/*
 * tmnetctl - control the tmnet predictor (bpftool-style OBJECT COMMAND).
 * Netlink client code lives in libtmnet (tmn_nl.c); this file parses the
 * global options and dispatches.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmnetctl.h"

#define TMNETCTL_VERSION "1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tmnetctl [OPTIONS] OBJECT { COMMAND | help }\n"
		"       tmnetctl [OPTIONS] OBJECT COMMAND --help\n"
		"\n"
		"OBJECT := { dev | model | start | stop | set | stats | monitor | feed | read }\n"
		"  dev show                    devices, state and configuration\n"
		"  model { load FILE | show | unload }\n"
		"  start | stop                start or stop the 2 kHz tick\n"
		"  set KEY VALUE [KEY VALUE]...  mode eps budget rate chi2 source cpu\n"
		"  stats [--reset] [--watch SECONDS] [--count N]\n"
		"  monitor [-n COUNT]          print events (model, start/stop, alarms)\n"
		"  feed FILE.csv               stream samples (t_ns,x,y,vx,vy,valid)\n"
		"  read [-n N] [--csv] [--timeout SECONDS]   prediction records\n"
		"\n"
		"OPTIONS:\n"
		"  -j, --json        JSON output\n"
		"  -p, --pretty      pretty-printed JSON output (implies -j)\n"
		"  -d, --dev DEV     device name or index (default tmnet0)\n"
		"  -h, --help        this text\n"
		"  -V, --version     version\n"
		"\n"
		"Exit status: 0 ok, 1 the kernel or the device refused, 2 usage error,\n"
		"3 bad input file, 4 tmnet not loaded or no such device,\n"
		"5 permission denied (changing commands need CAP_NET_ADMIN).\n"
		"See tmnetctl(8).\n");
}

int ctl_usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("tmnetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "--help") || !strcmp(s, "-h");
}

int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end || !isfinite(*out))
		return -EINVAL;
	return 0;
}

int ctl_exit_for(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return EXIT_PERM;
	case -ENODEV:
		return EXIT_NOMOD;
	}
	return EXIT_FAIL;
}

int ctl_nl(struct ctl *c)
{
	int ret;

	if (c->nl_open)
		return 0;
	ret = tmn_nl_open(&c->nl);
	if (ret) {
		fprintf(stderr, "tmnetctl: %s\n", tmn_nl_errmsg(&c->nl));
		return ret == -ENOENT ? EXIT_NOMOD : ctl_exit_for(ret);
	}
	c->nl_open = 1;
	return 0;
}

int ctl_nl_fail(struct ctl *c, const char *what)
{
	fprintf(stderr, "tmnetctl: %s: %s\n", what, tmn_nl_errmsg(&c->nl));
	return ctl_exit_for(c->nl.err);
}

void ctl_dev_path(const struct ctl *c, char *buf, size_t n)
{
	if (c->dev.name)
		snprintf(buf, n, "/dev/%s", c->dev.name);
	else
		snprintf(buf, n, "/dev/tmnet%d", c->dev.index);
}

static const struct {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
} objects[] = {
	{ "dev", cmd_dev },
	{ "model", cmd_model },
	{ "start", cmd_start },
	{ "stop", cmd_stop },
	{ "set", cmd_set },
	{ "stats", cmd_stats },
	{ "monitor", cmd_monitor },
	{ "feed", cmd_feed },
	{ "read", cmd_read },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "dev", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .dev = { .index = -1, .name = "tmnet0" }, .dev_arg = "tmnet0" };
	int json = 0, pretty = 0, opt, ret;
	uint32_t idx;
	size_t i;

	/* "+": options end at the object; each command parses its own */
	while ((opt = getopt_long(argc, argv, "+jpd:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'p':
			pretty = 1;
			break;
		case 'd':
			c.dev_arg = optarg;
			c.dev_given = 1;
			if (!parse_u32(optarg, &idx) && idx < 0x7fffffff) {
				c.dev.index = (int)idx;
				c.dev.name = NULL;
			} else {
				c.dev.index = -1;
				c.dev.name = optarg;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("tmnetctl %s (generic netlink family \"%s\" version %d)\n",
			       TMNETCTL_VERSION, TMNET_GENL_NAME, TMNET_GENL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[optind])) {
		usage(stdout);
		return EXIT_OK;
	}
	pr_init(json, pretty);
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		if (strcmp(argv[optind], objects[i].name))
			continue;
		ret = objects[i].fn(&c, argc - optind - 1, argv + optind + 1);
		pr_flush();
		if (c.nl_open)
			tmn_nl_close(&c.nl);
		return ret;
	}
	return ctl_usage_err("unknown object '%s' (see tmnetctl --help)", argv[optind]);
}
