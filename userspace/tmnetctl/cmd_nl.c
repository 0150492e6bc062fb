// SPDX-License-Identifier: GPL-2.0
/*
 * tmnetctl: the control-plane objects (dev, model, start, stop, set,
 * stats, monitor) over the "tmnet" generic netlink family.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tmnetctl.h"

#define Q16 65536.0

static double q16(uint32_t v)
{
	return v / Q16;
}

/* ------------------------------------------------------------------ */
/* dev                                                                 */
/* ------------------------------------------------------------------ */

static const char *const field_names[] = {
	"mode", "rate", "eps", "budget", "chi2", "source", "cpu",
};

static void print_cfg(const struct tmn_cfg *cfg)
{
	unsigned int i;

	pr_obj_open("config");
	pr_str("mode", " mode %s", tmn_system_name(cfg->mode));
	pr_u64("rate-hz", " rate %llu Hz", cfg->rate_hz);
	pr_float("eps", " eps %g", q16(cfg->eps_q16));
	pr_u64("budget", " budget %llu", cfg->budget);
	pr_float("chi2", " chi2 %g", q16(cfg->chi2_q16));
	pr_str("source", " source %s", tmn_source_name(cfg->source));
	if (cfg->cpu < 0)
		pr_s64("cpu", " cpu any", cfg->cpu);
	else
		pr_s64("cpu", " cpu %lld", cfg->cpu);
	pr_arr_open("pinned");
	pr_text("%s", cfg->pinned ? "\n        pinned" : "");
	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (cfg->pinned & (1U << i))
			pr_str("", " %s", field_names[i]);
	pr_arr_close();
	pr_obj_close();
}

static void print_input(const struct tmn_input_info *in)
{
	if (!in->have)
		return;
	pr_obj_open("input");
	pr_bool("attached", NULL, in->attached);
	if (in->attached)
		pr_str("name", "\n        input \"%s\"", in->name);
	else if (in->name[0])
		pr_str("name", "\n        input none (last \"%s\")", in->name);
	else
		pr_text("\n        input none");
	if (in->phys[0])
		pr_str("phys", " phys %s", in->phys);
	if (in->attached)
		pr_bool("relative", in->relative ? " relative" : " absolute", in->relative);
	pr_u64("attaches", " attaches %llu", in->attaches);
	pr_u64("detaches", " detaches %llu", in->detaches);
	pr_u64("unplugs", " unplugs %llu", in->unplugs);
	pr_u64("events", "\n        events %llu", in->events);
	pr_u64("frames", " frames %llu", in->frames);
	pr_u64("samples", " samples %llu", in->samples);
	pr_u64("segments", " segments %llu", in->segments);
	pr_obj_close();
}

static int print_dev(const struct tmn_dev_info *d, void *arg)
{
	(void)arg;
	pr_obj_open(NULL);
	pr_u64("dev-index", "%llu: ", d->index);
	pr_str("dev-name", "%s:", d->name);
	pr_bool("running", NULL, d->running);
	pr_text(" %s", d->running ? "running" : "stopped");
	pr_u64("model-gen", " model-gen %llu\n       ", d->model_gen);
	print_cfg(&d->cfg);
	print_input(&d->input);
	pr_text("\n");
	pr_obj_close();
	return 0;
}

static int dev_help(FILE *f)
{
	fprintf(f, "Usage: tmnetctl [-j|-p] [-d DEV] dev show\n"
		   "  Without -d: every device (a DEV_GET dump); with -d: that one.\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int cmd_dev(struct ctl *c, int argc, char **argv)
{
	struct tmn_dev_info d;
	int ret, all;

	if (argc >= 1 && is_help(argv[0]))
		return dev_help(stdout);
	if (argc >= 1 && strcmp(argv[0], "show") && strcmp(argv[0], "list"))
		return ctl_usage_err("dev: unknown command '%s' (see tmnetctl dev help)", argv[0]);
	if (argc >= 2 && is_help(argv[1]))
		return dev_help(stdout);
	if (argc > 1)
		return ctl_usage_err("dev show: unexpected argument '%s'", argv[1]);
	ret = ctl_nl(c);
	if (ret)
		return ret;
	all = !c->dev_given;
	pr_arr_open(NULL);
	if (all) {
		ret = tmn_nl_dev_dump(&c->nl, print_dev, NULL);
	} else {
		ret = tmn_nl_dev_get(&c->nl, &c->dev, &d);
		if (!ret)
			print_dev(&d, NULL);
	}
	pr_arr_close();
	if (ret)
		return ctl_nl_fail(c, "dev show");
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* model                                                               */
/* ------------------------------------------------------------------ */

static int model_help(FILE *f)
{
	fprintf(f, "Usage: tmnetctl [-j|-p] [-d DEV] model { load FILE | show | unload }\n"
		   "  load FILE   validate FILE (.tmn) in the kernel and swap it in; the\n"
		   "              running model is untouched if it is rejected\n"
		   "  show        the running model's header, generation and load time\n"
		   "  unload      go back to the built-in prior-only model\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* Read at most TMNET_GENL_BLOB_MAX*2 bytes: bigger files are not models */
static int read_blob(const char *path, void **buf, size_t *len)
{
	const size_t cap = 0xffff - 4;	/* what one netlink attribute holds */
	struct stat st;
	ssize_t n;
	char *b;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "tmnetctl: model load: cannot open %s: %s\n", path, strerror(errno));
		return EXIT_INPUT;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "tmnetctl: model load: %s is not a regular file\n", path);
		close(fd);
		return EXIT_INPUT;
	}
	if ((size_t)st.st_size > cap) {
		fprintf(stderr, "tmnetctl: model load: %s is too large for a model (%lld bytes; limit %u)\n",
			path, (long long)st.st_size, TMNET_GENL_BLOB_MAX);
		close(fd);
		return EXIT_INPUT;
	}
	b = malloc(cap + 1);
	if (!b) {
		close(fd);
		return EXIT_FAIL;
	}
	*len = 0;
	while ((n = read(fd, b + *len, cap + 1 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	if (n < 0 || *len > cap) {
		fprintf(stderr, "tmnetctl: model load: cannot read %s: %s\n", path,
			n < 0 ? strerror(errno) : "file grew while reading");
		free(b);
		return EXIT_INPUT;
	}
	if (*len == 0) {
		fprintf(stderr, "tmnetctl: model load: %s is empty, not a model\n", path);
		free(b);
		return EXIT_INPUT;
	}
	*buf = b;
	return 0;
}

static void print_model(const struct tmn_model_info *m)
{
	char when[64] = "not reported";
	time_t t;
	struct tm tm;

	if (m->load_time_ns) {
		t = (time_t)(m->load_time_ns / 1000000000ULL);
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	pr_obj_open(NULL);
	pr_u64("dev-index", NULL, m->index);
	pr_str("dev-name", "%s: ", m->dev);
	pr_obj_open("model");
	pr_u64("generation", "model generation %llu", m->gen);
	pr_str("name", " \"%s\"", m->name);
	pr_bool("builtin", NULL, m->builtin);
	pr_text("%s\n", m->builtin ? " (built-in prior)" : "");
	pr_str("system", "  system %s", tmn_system_name(m->system));
	pr_u64("features", " features %llu", m->features);
	pr_u64("hidden", " hidden %llu\n", m->hidden);
	pr_u64("rate-hz", "  rate %llu Hz", m->rate_hz);
	pr_u64("window-ticks", " window %llu ticks", m->window_ticks);
	pr_u64("horizon-ticks", " horizon %llu ticks\n", m->horizon_ticks);
	pr_float("eps", "  gate eps %g", q16(m->eps_q16));
	pr_u64("budget", " budget %llu", m->budget);
	pr_float("chi2", " chi2 %g\n", q16(m->chi2_q16));
	pr_text("  crc32 0x%08x\n", m->crc32);
	pr_u64("crc32", NULL, m->crc32);
	if (m->load_time_ns)
		pr_u64("load-time", NULL, m->load_time_ns);
	pr_text("  loaded %s", when);
	pr_u64("loads", ", loads %llu", m->loads);
	pr_u64("load-errors", ", rejected %llu\n", m->load_errors);
	pr_obj_close();
	pr_obj_close();
}

int cmd_model(struct ctl *c, int argc, char **argv)
{
	struct tmn_model_info m;
	const char *verb;
	void *blob = NULL;
	size_t len = 0;
	uint32_t gen = 0;
	char what[320];
	int ret;

	if (argc < 1 || is_help(argv[0]))
		return model_help(argc < 1 ? stderr : stdout);
	verb = argv[0];
	if (argc >= 2 && is_help(argv[1]))
		return model_help(stdout);
	if (!strcmp(verb, "load")) {
		if (argc != 2)
			return ctl_usage_err("model load: give exactly one FILE");
		ret = read_blob(argv[1], &blob, &len);
		if (ret)
			return ret;
		ret = ctl_nl(c);
		if (ret) {
			free(blob);
			return ret;
		}
		ret = tmn_nl_model_load(&c->nl, &c->dev, blob, len, &gen);
		free(blob);
		if (ret) {
			snprintf(what, sizeof(what), "model load %s: rejected", argv[1]);
			return ctl_nl_fail(c, what);
		}
		pr_obj_open(NULL);
		pr_str("dev-name", "%s: ", c->dev_arg);
		pr_str("file", "loaded %s", argv[1]);
		pr_u64("model-gen", " as model generation %llu\n", gen);
		pr_obj_close();
		return EXIT_OK;
	}
	if (argc != 1)
		return ctl_usage_err("model %s: unexpected argument '%s'", verb, argv[1]);
	if (!strcmp(verb, "show")) {
		ret = ctl_nl(c);
		if (ret)
			return ret;
		if (tmn_nl_model_get(&c->nl, &c->dev, &m))
			return ctl_nl_fail(c, "model show");
		print_model(&m);
		return EXIT_OK;
	}
	if (!strcmp(verb, "unload")) {
		ret = ctl_nl(c);
		if (ret)
			return ret;
		if (tmn_nl_model_unload(&c->nl, &c->dev, &gen))
			return ctl_nl_fail(c, "model unload");
		pr_obj_open(NULL);
		pr_str("dev-name", "%s: ", c->dev_arg);
		pr_u64("model-gen", "built-in prior is model generation %llu\n", gen);
		pr_obj_close();
		return EXIT_OK;
	}
	return ctl_usage_err("model: unknown command '%s' (see tmnetctl model help)", verb);
}

/* ------------------------------------------------------------------ */
/* start, stop                                                         */
/* ------------------------------------------------------------------ */

static int start_stop(struct ctl *c, int argc, char **argv, int start)
{
	const char *name = start ? "start" : "stop";
	int ret;

	if (argc >= 1 && is_help(argv[0])) {
		printf("Usage: tmnetctl [-d DEV] %s\n  %s the device's tick timer (idempotent; needs CAP_NET_ADMIN)\n",
		       name, start ? "Start" : "Stop");
		return EXIT_OK;
	}
	if (argc)
		return ctl_usage_err("%s: unexpected argument '%s'", name, argv[0]);
	ret = ctl_nl(c);
	if (ret)
		return ret;
	ret = start ? tmn_nl_start(&c->nl, &c->dev) : tmn_nl_stop(&c->nl, &c->dev);
	if (ret)
		return ctl_nl_fail(c, name);
	pr_obj_open(NULL);
	pr_str("dev-name", "%s: ", c->dev_arg);
	pr_bool("running", NULL, start);
	pr_text("%s\n", start ? "started" : "stopped");
	pr_obj_close();
	return EXIT_OK;
}

int cmd_start(struct ctl *c, int argc, char **argv)
{
	return start_stop(c, argc, argv, 1);
}

int cmd_stop(struct ctl *c, int argc, char **argv)
{
	return start_stop(c, argc, argv, 0);
}

/* ------------------------------------------------------------------ */
/* set                                                                 */
/* ------------------------------------------------------------------ */

static int set_help(FILE *f)
{
	fprintf(f,
		"Usage: tmnetctl [-d DEV] set KEY VALUE [KEY VALUE]...\n"
		"  mode   prior | A | B | auto   system to run (auto: the model's)\n"
		"  eps    X | auto               gate certificate bound, 0 < X <= 1\n"
		"  budget N | auto               gate multiply-adds, 1 .. 100000000\n"
		"  chi2   X | auto               gate chi-square threshold, 0 < X <= 1000\n"
		"  rate   HZ                     tick rate 100 .. 10000 (only with the\n"
		"                                built-in prior: unload a model first)\n"
		"  source replay | live          one sample per tick, or newest wins\n"
		"                                (either lets go of an input device)\n"
		"  source input:SELECTOR         live, from an input device (mouse,\n"
		"                                tablet, touchscreen): its name, phys\n"
		"                                path, inputN or /dev/input/eventN\n"
		"  source input:none             let go of the input device\n"
		"  cpu    N | any                CPU of the tick timer\n"
		"All keys go to the kernel in one request: it applies all or none\n"
		"(source input:... is a second request, after the others).\n"
		"Ranges are checked by the kernel (eps and chi2 travel as Q16).\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* Q16 of a positive real; out of u32 range is a usage error */
static int parse_q16(const char *key, const char *s, uint32_t *out)
{
	double v;

	if (parse_double(s, &v))
		return ctl_usage_err("set: %s: '%s' is not a number", key, s);
	if (v < 0 || v * Q16 > 4294967295.0)
		return ctl_usage_err("set: %s: %s is out of range", key, s);
	*out = (uint32_t)llround(v * Q16);
	return 0;
}

int cmd_set(struct ctl *c, int argc, char **argv)
{
	struct tmn_cfg cfg = { 0 };
	struct tmn_dev_info d;
	const char *input = NULL;
	int i, ret;
	uint32_t v;

	if (argc < 1)
		return set_help(stderr);
	if (is_help(argv[0]))
		return set_help(stdout);
	for (i = 0; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (is_help(k))
			return set_help(stdout);
		if (!val)
			return ctl_usage_err("set: %s: missing value", k);
		if (!strcmp(k, "mode")) {
			if (!strcmp(val, "auto")) {
				cfg.unpin |= TMNET_CFG_FIELD_MODE;
				continue;
			}
			if (!strcasecmp(val, "prior") || !strcmp(val, "0"))
				cfg.mode = TMNET_SYS_PRIOR;
			else if (!strcasecmp(val, "A") || !strcmp(val, "1"))
				cfg.mode = TMNET_SYS_A;
			else if (!strcasecmp(val, "B") || !strcmp(val, "2"))
				cfg.mode = TMNET_SYS_B;
			else
				return ctl_usage_err("set: mode: '%s' is not prior, A, B or auto", val);
			cfg.have |= TMNET_CFG_FIELD_MODE;
		} else if (!strcmp(k, "eps") || !strcmp(k, "chi2")) {
			uint32_t bit = k[0] == 'e' ? TMNET_CFG_FIELD_EPS : TMNET_CFG_FIELD_CHI2;

			if (!strcmp(val, "auto")) {
				cfg.unpin |= bit;
				continue;
			}
			ret = parse_q16(k, val, bit == TMNET_CFG_FIELD_EPS ? &cfg.eps_q16 : &cfg.chi2_q16);
			if (ret)
				return ret;
			cfg.have |= bit;
		} else if (!strcmp(k, "budget")) {
			if (!strcmp(val, "auto")) {
				cfg.unpin |= TMNET_CFG_FIELD_BUDGET;
				continue;
			}
			ret = parse_u32(val, &cfg.budget);
			if (ret)
				return ctl_usage_err("set: budget: '%s' is %s", val,
						     ret == -ERANGE ? "out of range" : "not a whole number");
			cfg.have |= TMNET_CFG_FIELD_BUDGET;
		} else if (!strcmp(k, "rate")) {
			ret = parse_u32(val, &cfg.rate_hz);
			if (ret)
				return ctl_usage_err("set: rate: '%s' is %s", val,
						     ret == -ERANGE ? "out of range" : "not a whole number");
			cfg.have |= TMNET_CFG_FIELD_RATE;
		} else if (!strcmp(k, "source")) {
			if (!strcmp(val, "replay"))
				cfg.source = TMNET_SRC_REPLAY;
			else if (!strcmp(val, "live"))
				cfg.source = TMNET_SRC_LIVE;
			else if (!strncmp(val, "input:", 6) && val[6])
				input = val + 6;
			else
				return ctl_usage_err("set: source: '%s' is not replay, live or input:SELECTOR", val);
			if (!input)
				cfg.have |= TMNET_CFG_FIELD_SOURCE;
			else if (cfg.have & TMNET_CFG_FIELD_SOURCE)
				return ctl_usage_err("set: source: give one source");
		} else if (!strcmp(k, "cpu")) {
			if (!strcmp(val, "any")) {
				cfg.cpu = -1;
			} else {
				ret = parse_u32(val, &v);
				if (ret || v > 0x7fffffff)
					return ctl_usage_err("set: cpu: '%s' is not a CPU number or any", val);
				cfg.cpu = (int32_t)v;
			}
			cfg.have |= TMNET_CFG_FIELD_CPU;
		} else {
			return ctl_usage_err("set: unknown key '%s' (keys: mode eps budget chi2 rate source cpu)", k);
		}
	}
	if (input && (cfg.have & TMNET_CFG_FIELD_SOURCE))
		return ctl_usage_err("set: source: give one source");
	ret = ctl_nl(c);
	if (ret)
		return ret;
	if ((cfg.have || cfg.unpin || !input) && tmn_nl_config_set(&c->nl, &c->dev, &cfg)) {
		const char *e = tmn_nl_errmsg(&c->nl);

		if (strstr(e, "config.eps") || strstr(e, "config.chi2")) {
			fprintf(stderr, "tmnetctl: set: %s; eps and chi2 travel as Q16 (value * 65536)\n", e);
			return ctl_exit_for(c->nl.err);
		}
		return ctl_nl_fail(c, "set");
	}
	if (input && !strcmp(input, "none")) {
		if (tmn_nl_input_detach(&c->nl, &c->dev) && c->nl.err != -ENOENT)
			return ctl_nl_fail(c, "set: source input:none");
	} else if (input && tmn_nl_input_attach(&c->nl, &c->dev, input, NULL)) {
		return ctl_nl_fail(c, "set: source input");
	}
	if (tmn_nl_dev_get(&c->nl, &c->dev, &d))
		return ctl_nl_fail(c, "set: reading back the configuration");
	print_dev(&d, NULL);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* stats                                                               */
/* ------------------------------------------------------------------ */

static int stats_help(FILE *f)
{
	fprintf(f,
		"Usage: tmnetctl [-j|-p] [-d DEV] stats [--reset] [--watch SECONDS] [--count N]\n"
		"  Counters and per-stage tick latency percentiles (ns), as in debugfs.\n"
		"  --reset          print, then clear the counters and histograms\n"
		"                   (needs CAP_NET_ADMIN)\n"
		"  --watch SECONDS  print again every SECONDS (with -j: one JSON per line)\n"
		"  --count N        with --watch: stop after N reports\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

static void pr_stat(const struct tmn_stats *s, unsigned int a, const char *fmt)
{
	if (s->have[a])
		pr_u64(tmn_stats_attr_name(a), fmt, s->v[a]);
}

static void print_stats(const struct tmn_stats *s)
{
	const uint64_t *v = s->v;
	unsigned int i;

	pr_obj_open(NULL);
	pr_u64("dev-index", NULL, s->index);
	pr_str("dev-name", "%s:", s->dev);
	pr_bool("running", NULL, s->running);
	pr_text(" %s", s->running ? "running" : "stopped");
	pr_u64("model-gen", ", model generation %llu", s->model_gen);
	pr_obj_open("stats");
	pr_str("mode", ", mode %s", tmn_system_name((uint32_t)v[TMNET_A_STATS_MODE]));
	pr_str("source", ", source %s", tmn_source_name((uint32_t)v[TMNET_A_STATS_SOURCE]));
	pr_u64("rate-hz", ", %llu Hz", v[TMNET_A_STATS_RATE_HZ]);
	if ((int64_t)v[TMNET_A_STATS_CPU] < 0)
		pr_s64("cpu", ", cpu any\n", (int64_t)v[TMNET_A_STATS_CPU]);
	else
		pr_s64("cpu", ", cpu %lld\n", (int64_t)v[TMNET_A_STATS_CPU]);
	pr_stat(s, TMNET_A_STATS_TICKS, "  ticks %llu");
	pr_stat(s, TMNET_A_STATS_OVERRUNS, "  overruns %llu\n");
	pr_stat(s, TMNET_A_STATS_SAMPLES_IN, "  samples: in %llu");
	pr_stat(s, TMNET_A_STATS_SAMPLES_REJECTED, "  rejected %llu");
	pr_stat(s, TMNET_A_STATS_SAMPLES_INGESTED, "  ingested %llu");
	pr_stat(s, TMNET_A_STATS_DROPPED, "  dropped %llu");
	pr_stat(s, TMNET_A_STATS_MISSING, "  missing %llu");
	pr_stat(s, TMNET_A_STATS_NO_SAMPLE, "  no-sample %llu\n");
	pr_stat(s, TMNET_A_STATS_GATE_PASS, "  gate: pass %llu");
	pr_stat(s, TMNET_A_STATS_FALLBACKS, "  fallbacks %llu");
	pr_text("  fail:");
	pr_stat(s, TMNET_A_STATS_GATE_FAIL_CHI2, " chi2 %llu");
	pr_stat(s, TMNET_A_STATS_GATE_FAIL_BUDGET, " budget %llu");
	pr_stat(s, TMNET_A_STATS_GATE_FAIL_CERT, " cert %llu");
	pr_stat(s, TMNET_A_STATS_GATE_FAIL_NO_MODEL, " no-model %llu");
	pr_stat(s, TMNET_A_STATS_GATE_FAIL_STALE, " stale %llu");
	pr_stat(s, TMNET_A_STATS_GATE_FAIL_SATURATION, " saturation %llu\n");
	pr_stat(s, TMNET_A_STATS_BLEND, "  monitor: blends %llu");
	if (s->have[TMNET_A_STATS_BLEND_W_MEAN])
		pr_float("blend-w-mean", "  mean w %.4f",
			 q16((uint32_t)v[TMNET_A_STATS_BLEND_W_MEAN]));
	pr_stat(s, TMNET_A_STATS_MON_RESOLVED, "  resolved %llu");
	pr_stat(s, TMNET_A_STATS_MON_DROPPED, "  dropped %llu\n");
	pr_stat(s, TMNET_A_STATS_CERT_N, "  certificate: n %llu");
	pr_float("cert-mean", "  mean %.6f", q16((uint32_t)v[TMNET_A_STATS_CERT_MEAN]));
	pr_float("cert-max", "  max %.6f\n", q16((uint32_t)v[TMNET_A_STATS_CERT_MAX]));
	pr_stat(s, TMNET_A_STATS_SAT_INPUT, "  saturation: input %llu");
	pr_stat(s, TMNET_A_STATS_SAT_ACT, "  activation %llu");
	pr_stat(s, TMNET_A_STATS_SAT_OUT, "  output %llu\n");
	pr_stat(s, TMNET_A_STATS_OUT_RECORDS, "  records: out %llu");
	pr_stat(s, TMNET_A_STATS_OUT_OVERFLOW, "  overflow %llu");
	pr_stat(s, TMNET_A_STATS_OUT_READ, "  read %llu");
	pr_stat(s, TMNET_A_STATS_IN_QUEUED, "  queued: in %llu");
	pr_stat(s, TMNET_A_STATS_OUT_QUEUED, " out %llu\n");
	pr_stat(s, TMNET_A_STATS_MODEL_LOADS, "  models: loaded %llu");
	pr_stat(s, TMNET_A_STATS_MODEL_LOAD_ERRORS, "  rejected %llu\n");

	pr_text("  %-9s %10s %9s %9s %9s %9s %9s %9s\n", "stage(ns)", "count",
		"mean", "p50", "p90", "p99", "p99.9", "max");
	pr_arr_open("stage");
	for (i = 0; i < s->n_stages; i++) {
		const struct tmn_stage *g = &s->stage[i];

		pr_obj_open(NULL);
		pr_u64("id", NULL, g->id);
		pr_str("name", "  %-9s", g->name);
		pr_u64("count", " %10llu", g->count);
		pr_u64("mean-ns", " %9llu", g->mean_ns);
		pr_u64("p50-ns", " %9llu", g->p50_ns);
		pr_u64("p90-ns", " %9llu", g->p90_ns);
		pr_u64("p99-ns", " %9llu", g->p99_ns);
		pr_u64("p999-ns", " %9llu", g->p999_ns);
		pr_u64("max-ns", " %9llu\n", g->max_ns);
		pr_obj_close();
	}
	pr_arr_close();
	pr_obj_close();
	pr_obj_close();
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct tmn_stats *s;
	double watch = 0;
	uint32_t count = 0, n = 0;
	int reset = 0, i, ret;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i]))
			return stats_help(stdout);
		if (!strcmp(argv[i], "--reset")) {
			reset = 1;
		} else if (!strcmp(argv[i], "--watch") && i + 1 < argc) {
			if (parse_double(argv[++i], &watch) || watch <= 0 || watch > 86400)
				return ctl_usage_err("stats: --watch: '%s' is not 0 < SECONDS <= 86400", argv[i]);
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			if (parse_u32(argv[++i], &count) || !count)
				return ctl_usage_err("stats: --count: '%s' is not a positive number", argv[i]);
		} else {
			return ctl_usage_err("stats: unknown argument '%s' (see tmnetctl stats help)", argv[i]);
		}
	}
	ret = ctl_nl(c);
	if (ret)
		return ret;
	s = malloc(sizeof(*s));
	if (!s)
		return EXIT_FAIL;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (;;) {
		if (tmn_nl_stats_get(&c->nl, &c->dev, s)) {
			free(s);
			return ctl_nl_fail(c, "stats");
		}
		print_stats(s);
		pr_flush();
		if (reset && tmn_nl_stats_reset(&c->nl, &c->dev)) {
			free(s);
			return ctl_nl_fail(c, "stats --reset");
		}
		n++;
		if (!watch || (count && n >= count) || stop_flag)
			break;
		{
			struct timespec ts = { (time_t)watch,
					       (long)((watch - (time_t)watch) * 1e9) };

			while (nanosleep(&ts, &ts) && errno == EINTR && !stop_flag)
				;
		}
		if (stop_flag)
			break;
		pr_text("\n");
	}
	free(s);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* monitor                                                             */
/* ------------------------------------------------------------------ */

struct mon_ctx {
	uint32_t max, seen;
};

static int print_event(const struct tmn_event *ev, void *arg)
{
	struct mon_ctx *m = arg;

	pr_obj_open(NULL);
	pr_u64("dev-index", NULL, ev->index);
	pr_str("dev-name", "%s: ", ev->dev);
	pr_str("event", "%s", tmn_event_name(ev->event));
	pr_u64("model-gen", " model-gen %llu", ev->gen);
	switch (ev->event) {
	case TMNET_EVENT_GATE_FAIL_RATE:
		pr_u64("event-value", " fail rate %llu permille", ev->value);
		break;
	case TMNET_EVENT_OVERRUN:
		pr_u64("event-value", " missed %llu periods", ev->value);
		break;
	case TMNET_EVENT_MODEL_REJECTED:
		pr_u64("event-value", NULL, ev->value);
		break;
	case TMNET_EVENT_INPUT_DETACHED:
		pr_u64("event-value", ev->value ? " (unplugged)" : " (on request)", ev->value);
		break;
	}
	if (ev->msg[0])
		pr_str("message", ": %s", ev->msg);
	pr_text("\n");
	pr_obj_close();
	pr_flush();
	m->seen++;
	return m->max && m->seen >= m->max;
}

int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	struct mon_ctx m = { 0 };
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			printf("Usage: tmnetctl [-j] monitor [-n COUNT]\n"
			       "  Print the \"events\" multicast group: model-loaded, model-rejected,\n"
			       "  started, stopped, gate-fail-rate and overrun alarms, unpinned,\n"
			       "  input-attached and input-detached, one per line.\n"
			       "  -n COUNT  exit after COUNT events\n");
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			if (parse_u32(argv[++i], &m.max) || !m.max)
				return ctl_usage_err("monitor: -n: '%s' is not a positive number", argv[i]);
		} else {
			return ctl_usage_err("monitor: unknown argument '%s'", argv[i]);
		}
	}
	ret = ctl_nl(c);
	if (ret)
		return ret;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (tmn_nl_subscribe(&c->nl))
		return ctl_nl_fail(c, "monitor");
	/* on stderr, so that scripts know when no event can be missed */
	fprintf(stderr, "tmnetctl: monitoring \"%s\" events of family \"%s\"\n",
		TMNET_GENL_MCGRP_EVENTS, TMNET_GENL_NAME);
	ret = tmn_nl_monitor(&c->nl, print_event, &m);
	if (ret < 0)
		return ctl_nl_fail(c, "monitor");
	return EXIT_OK;
}
