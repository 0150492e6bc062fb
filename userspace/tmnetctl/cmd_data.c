// SPDX-License-Identifier: GPL-2.0
/*
 * tmnetctl: the data plane.  feed streams samples from a CSV file into
 * /dev/tmnetN; read prints prediction records from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmnetctl.h"

#define FEED_BATCH	256
#define READ_BATCH	256

static int open_dev(const struct ctl *c, int flags, char *path, size_t n)
{
	int fd;

	ctl_dev_path(c, path, n);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "tmnetctl: cannot open %s: %s%s\n", path, strerror(e),
			e == ENOENT ? " (is the tmnet module loaded?)" : "");
		return e == ENOENT ? -EXIT_NOMOD : e == EACCES || e == EPERM ?
			-EXIT_PERM : -EXIT_FAIL;
	}
	return fd;
}

/* ------------------------------------------------------------------ */
/* feed                                                                */
/* ------------------------------------------------------------------ */

/*
 * Recording units -> data units: data = (recording - offset) * scale for
 * positions, data = recording * scale for velocities (--scale/--offset or
 * --model's units; identity by default).
 */
struct feed_units {
	double scale[2], offset[2];
};

/*
 * The recording units of a .tmn (uapi/linux/tmnet.h: versions 2 and 3
 * carry a struct tmnet_blob_units after the header; version 1 has none).  The
 * module validates the whole blob when it is loaded; this only reads.
 */
static int blob_units(const char *path, struct feed_units *u)
{
	unsigned char b[sizeof(struct tmnet_blob_hdr) + sizeof(struct tmnet_blob_units)];
	struct tmnet_blob_hdr h;
	struct tmnet_blob_units bu;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "tmnetctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	memcpy(&h, b, n < sizeof(h) ? n : sizeof(h));
	if (n < sizeof(h) || h.magic != TMNET_BLOB_MAGIC) {
		fprintf(stderr, "tmnetctl: %s: not a tmnet model\n", path);
		return -1;
	}
	if (h.version == TMNET_BLOB_VERSION)
		return 0;	/* no units: data units */
	/* version 3 keeps the units right after the header, then its extension */
	if ((h.version != TMNET_BLOB_VERSION_UNITS && h.version != TMNET_BLOB_VERSION_EXT) ||
	    n < sizeof(b) ||
	    h.hdr_size != sizeof(b) + (h.version == TMNET_BLOB_VERSION_EXT ?
				       sizeof(struct tmnet_blob_ext) : 0)) {
		fprintf(stderr, "tmnetctl: %s: unknown model format version %u\n", path,
			h.version);
		return -1;
	}
	memcpy(&bu, b + sizeof(h), sizeof(bu));
	for (int i = 0; i < 2; i++) {
		memcpy(&u->scale[i], &bu.scale_f64[i], sizeof(double));
		memcpy(&u->offset[i], &bu.offset_f64[i], sizeof(double));
		if (!isfinite(u->scale[i]) || !(u->scale[i] > 0) || !isfinite(u->offset[i])) {
			fprintf(stderr, "tmnetctl: %s: bad recording units\n", path);
			return -1;
		}
	}
	return 0;
}

/* --scale S[,S] / --offset O[,O] into u; 0, or a usage message and -1 */
static int units_arg(const char *cmd, const char *opt, char *val, struct feed_units *u)
{
	int sc = opt[2] == 's';
	double *v = sc ? u->scale : u->offset;
	char *comma = strchr(val, ',');

	if (comma)
		*comma = '\0';
	if (parse_double(val, &v[0]) || (comma && parse_double(comma + 1, &v[1])))
		v[0] = NAN;
	if (!comma)
		v[1] = v[0];
	if (!isfinite(v[0]) || !isfinite(v[1]) || (sc && !(v[0] > 0 && v[1] > 0))) {
		ctl_usage_err("%s: %s: want a number or two (X,Y)%s", cmd, opt, sc ? ", > 0" : "");
		return -1;
	}
	return 0;
}

/* Q16.16 of a real number of data units; -ERANGE if it does not fit */
static int to_q16(const char *s, double scale, double offset, int32_t *out)
{
	double v;

	if (parse_double(s, &v))
		return -EINVAL;
	v = round((v - offset) * scale * 65536.0);
	if (v > 2147483647.0 || v < -2147483648.0)
		return -ERANGE;
	*out = (int32_t)v;
	return 0;
}

/* One CSV line t_ns,x,y,vx,vy,valid[,seg] into a sample; message on error */
static int parse_sample(char *line, const struct feed_units *u, struct tmnet_sample *s,
			const char **why)
{
	char *f[8];
	int n = 0, i;
	uint32_t valid, seg = 0;
	unsigned long long t;
	char *p = line, *end;

	while (n < 8) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n != 6 && n != 7) {
		*why = "want 6 fields: t_ns,x,y,vx,vy,valid (and a 7th, seg, optional)";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		while (*f[i] == ' ' || *f[i] == '\t')
			f[i]++;
		end = f[i] + strlen(f[i]);
		while (end > f[i] && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
	}
	memset(s, 0, sizeof(*s));
	errno = 0;
	t = strtoull(f[0], &end, 10);
	if (!*f[0] || *end || errno || f[0][0] == '-') {
		*why = "t_ns is not a whole number of nanoseconds";
		return -EINVAL;
	}
	s->t_ns = t;
	if (to_q16(f[1], u->scale[0], u->offset[0], &s->x) ||
	    to_q16(f[2], u->scale[1], u->offset[1], &s->y)) {
		*why = "x/y is not a number in -32768 .. 32767 data units";
		return -EINVAL;
	}
	if (to_q16(f[3], u->scale[0], 0, &s->vx) || to_q16(f[4], u->scale[1], 0, &s->vy)) {
		*why = "vx/vy is not a number in -32768 .. 32767 data units/s";
		return -EINVAL;
	}
	if (parse_u32(f[5], &valid) || valid > 1) {
		*why = "valid is not 0 or 1";
		return -EINVAL;
	}
	if (n == 7 && (parse_u32(f[6], &seg) || seg > 1)) {
		*why = "seg is not 0 or 1";
		return -EINVAL;
	}
	s->flags = (valid ? TMNET_SAMPLE_VALID : 0) | (seg ? TMNET_SAMPLE_SEG_START : 0);
	return 0;
}

/* Write n samples, waiting (with a hint) while the queue is full */
static int write_all(int fd, const char *path, const struct tmnet_sample *s, size_t n)
{
	const char *p = (const char *)s;
	size_t left = n * sizeof(*s);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int waited = 0;
	ssize_t w;

	while (left) {
		w = write(fd, p, left);
		if (w > 0) {
			p += w;
			left -= (size_t)w;
			waited = 0;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, 2000) == 0 && !waited++)
				fprintf(stderr, "tmnetctl: feed: %s is full; waiting for the tick to consume (is the device started?)\n",
					path);
			continue;
		}
		fprintf(stderr, "tmnetctl: feed: write to %s failed: %s\n", path,
			w < 0 ? strerror(errno) : "no progress");
		return w < 0 && (errno == EACCES || errno == EPERM) ? EXIT_PERM : EXIT_FAIL;
	}
	return 0;
}

static int feed_help(FILE *f)
{
	fprintf(f,
		"Usage: tmnetctl [-j] [-d DEV] feed [--model FILE.tmn | --scale S[,S] [--offset O[,O]]] FILE.csv\n"
		"  Stream samples into /dev/DEV.  One sample per line:\n"
		"    t_ns,x,y,vx,vy,valid[,seg]\n"
		"  t_ns: sensor time (ns); x, y: position; vx, vy: velocity (per second);\n"
		"  valid: 1 measured, 0 missing; seg: 1 on the first sample of a segment\n"
		"  (the module resets its filter and network state there).  A first line\n"
		"  that is not numeric (a header), empty lines and lines starting with #\n"
		"  are skipped.  Values are data units (what tmnet data import writes),\n"
		"  or the recording's own units with --model (the units recorded in that\n"
		"  blob) or --scale/--offset: data = (recording - offset) * scale.\n"
		"  A .tmd file (the binary form, tmnet(1); not from standard input) is\n"
		"  fed record by record.\n"
		"  In replay mode the device consumes one sample per tick and feed waits\n"
		"  while its queue is full.  FILE \"-\" reads standard input.\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int cmd_feed(struct ctl *c, int argc, char **argv)
{
	struct tmnet_sample buf[FEED_BATCH];
	char path[64], *line = NULL;
	const char *file, *why;
	size_t cap = 0, n = 0;
	unsigned long long total = 0, lineno = 0;
	int fd, ret = EXIT_OK, tty = isatty(2);
	FILE *in;

	struct feed_units u = { { 1, 1 }, { 0, 0 } };
	int have_scale = 0, have_offset = 0, have_model = 0, binary = 0;

	for (; argc > 1 && argv[0][0] == '-' && argv[0][1] == '-'; argc -= 2, argv += 2) {
		if (is_help(argv[0]))
			return feed_help(stdout);
		if (!strcmp(argv[0], "--model")) {
			if (blob_units(argv[1], &u))
				return EXIT_INPUT;
			have_model = 1;
		} else if (!strcmp(argv[0], "--scale") || !strcmp(argv[0], "--offset")) {
			if (units_arg("feed", argv[0], argv[1], &u))
				return EXIT_USAGE;
			*(argv[0][2] == 's' ? &have_scale : &have_offset) = 1;
		} else {
			return ctl_usage_err("feed: unknown option '%s'", argv[0]);
		}
	}
	if (argc < 1)
		return feed_help(stderr);
	if (is_help(argv[0]) || (argc > 1 && is_help(argv[1])))
		return feed_help(stdout);
	if (argc != 1)
		return ctl_usage_err("feed: give exactly one FILE");
	if (have_model && (have_scale || have_offset))
		return ctl_usage_err("feed: --model or --scale/--offset, not both");
	if (have_offset && !have_scale)
		return ctl_usage_err("feed: --offset needs --scale");
	file = argv[0];
	in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!in) {
		fprintf(stderr, "tmnetctl: feed: cannot open %s: %s\n", file, strerror(errno));
		return EXIT_INPUT;
	}
	{
		/* the binary form (.tmd, tmnet(1)): a 64-byte header, then records */
		int ch = getc(in);
		uint32_t magic = 0;

		if (ch != EOF)
			ungetc(ch, in);
		if (ch == 'T' && in != stdin && fread(&magic, 4, 1, in) == 1 &&
		    magic != 0x444e4d54U)
			rewind(in);	/* a CSV whose header starts with 'T' */
		if (magic == 0x444e4d54U) {
			unsigned char hdr[60];

			if (fread(hdr, 1, sizeof(hdr), in) != sizeof(hdr)) {
				fprintf(stderr, "tmnetctl: feed: %s: short .tmd header\n", file);
				fclose(in);
				return EXIT_INPUT;
			}
			if (have_model || have_scale) {
				if (in != stdin)
					fclose(in);
				return ctl_usage_err("feed: a .tmd file holds data units already (no --model/--scale)");
			}
			binary = 1;
		}
	}
	fd = open_dev(c, O_WRONLY | O_NONBLOCK, path, sizeof(path));
	if (fd < 0) {
		if (in != stdin)
			fclose(in);
		return -fd;
	}
	while (binary && ret == EXIT_OK) {
		size_t got = fread(buf, sizeof(buf[0]), FEED_BATCH, in);

		for (size_t k = 0; k < got; k++) {
			if (buf[k].flags & ~TMNET_SAMPLE_FLAGS_ALL) {
				fprintf(stderr, "tmnetctl: feed: %s: record %llu: unknown flags\n", file,
					total + k);
				ret = EXIT_INPUT;
				got = k;
				break;
			}
			buf[k].seq = (uint32_t)(total + k);
		}
		if (got && ret == EXIT_OK)
			ret = write_all(fd, path, buf, got);
		else if (got)
			write_all(fd, path, buf, got);
		total += got;
		if (got < FEED_BATCH)
			break;
	}
	while (!binary && getline(&line, &cap, in) > 0) {
		char *p = line;

		lineno++;
		p[strcspn(p, "\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#' || *p == '\r')
			continue;
		if (parse_sample(p, &u, &buf[n], &why)) {
			if (lineno == 1)	/* a header */
				continue;
			fprintf(stderr, "tmnetctl: feed: %s:%llu: %s\n", file, lineno, why);
			ret = EXIT_INPUT;
			break;
		}
		buf[n].seq = (uint32_t)total;
		n++;
		total++;
		if (n == FEED_BATCH) {
			ret = write_all(fd, path, buf, n);
			if (ret)
				break;
			n = 0;
			if (tty && total % 8192 == 0)
				fprintf(stderr, "\rtmnetctl: feed: %llu samples", total);
		}
	}
	if (!ret && n)
		ret = write_all(fd, path, buf, n);
	else if (ret == EXIT_INPUT)
		total -= n;	/* the partial batch was not written */
	if (tty && total >= 8192)
		fputc('\n', stderr);
	free(line);
	if (in != stdin)
		fclose(in);
	close(fd);
	pr_obj_open(NULL);
	pr_str("dev-name", "%s: ", c->dev_arg);
	pr_u64("samples", "fed %llu samples", total);
	pr_str("file", " from %s\n", file);
	pr_bool("complete", NULL, ret == EXIT_OK);
	pr_obj_close();
	return ret;
}

/* ------------------------------------------------------------------ */
/* read                                                                */
/* ------------------------------------------------------------------ */

static const char *verdict_name(unsigned int v)
{
	static const char *const n[] = { "none", "pass", "fallback", "blend" };

	return v < 4 ? n[v] : "unknown";
}

static const char *reason_name(unsigned int r)
{
	static const char *const n[] = {
		"ok", "chi2", "budget", "cert", "no-model", "stale", "saturation",
	};

	return r < sizeof(n) / sizeof(n[0]) ? n[r] : "unknown";
}

/* read --model/--scale: positions back in the recording's units */
static struct feed_units read_units = { { 1, 1 }, { 0, 0 } };

static double qx(int32_t v)
{
	return v / 65536.0 / read_units.scale[0] + read_units.offset[0];
}

static double qy(int32_t v)
{
	return v / 65536.0 / read_units.scale[1] + read_units.offset[1];
}

static void print_csv_header(void)
{
	printf("t_ns,tick,prior_x,prior_y,net_x,net_y,pred_x,pred_y,system,verdict,reason,flags,cert,d2,gate_macs,model_gen,sample_seq,total_ns\n");
}

static void print_csv(const struct tmnet_pred *r)
{
	printf("%llu,%llu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%s,%s,%s,%u,",
	       (unsigned long long)r->t_ns, (unsigned long long)r->tick,
	       qx(r->prior_x), qy(r->prior_y), qx(r->net_x), qy(r->net_y),
	       qx(r->pred_x), qy(r->pred_y), tmn_system_name(r->system),
	       verdict_name(r->verdict), reason_name(r->reason), r->flags);
	if (r->cert_q16 == TMNET_CERT_NONE)
		printf(",");
	else
		printf("%.6f,", r->cert_q16 / 65536.0);
	printf("%.6f,%u,%u,%u,%u\n", r->d2_q16 / 65536.0, r->gate_macs,
	       r->model_gen, r->sample_seq, r->stage_ns[TMNET_STAGE_TOTAL]);
}

static void print_rec(const struct tmnet_pred *r)
{
	unsigned int i;
	static const char *const stages[TMNET_N_STAGES] = {
		"lateness", "prior", "net", "gate", "publish", "total",
	};

	pr_obj_open(NULL);
	pr_u64("tick", "tick %llu", r->tick);
	pr_u64("t-ns", NULL, r->t_ns);
	pr_float("pred-x", " pred (%.4f", qx(r->pred_x));
	pr_float("pred-y", ", %.4f)", qy(r->pred_y));
	pr_float("prior-x", " prior (%.4f", qx(r->prior_x));
	pr_float("prior-y", ", %.4f)", qy(r->prior_y));
	pr_float("net-x", NULL, qx(r->net_x));
	pr_float("net-y", NULL, qy(r->net_y));
	pr_str("system", " %s", tmn_system_name(r->system));
	pr_str("verdict", " %s", verdict_name(r->verdict));
	pr_str("reason", " (%s)", reason_name(r->reason));
	pr_u64("flags", NULL, r->flags);
	if (r->cert_q16 != TMNET_CERT_NONE)
		pr_float("cert", " cert %.5f", r->cert_q16 / 65536.0);
	pr_float("d2", NULL, r->d2_q16 / 65536.0);
	pr_u64("gate-macs", NULL, r->gate_macs);
	pr_u64("model-gen", " gen %llu", r->model_gen);
	pr_u64("sample-seq", " seq %llu", r->sample_seq);
	pr_obj_open("stage-ns");
	for (i = 0; i < TMNET_N_STAGES; i++)
		pr_u64(stages[i], NULL, r->stage_ns[i]);
	pr_obj_close();
	pr_u64(NULL, " %llu ns\n", r->stage_ns[TMNET_STAGE_TOTAL]);
	pr_obj_close();
}

static int read_help(FILE *f)
{
	fprintf(f,
		"Usage: tmnetctl [-j|-p] [-d DEV] read [-n N] [--csv] [--timeout SECONDS]\n"
		"                      [--model FILE.tmn | --scale S[,S] [--offset O[,O]]]\n"
		"  Read N prediction records (default 10; 0 = until interrupted) from\n"
		"  /dev/DEV.  Records are consumed: one queue per device.\n"
		"  --csv               one CSV line per record (positions in data units)\n"
		"  --model FILE.tmn    positions in the recording's units of that model\n"
		"  --scale, --offset   or these: recording = data / scale + offset\n"
		"  --timeout SECONDS   give up when no record came for SECONDS (exit 1)\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int cmd_read(struct ctl *c, int argc, char **argv)
{
	struct tmnet_pred buf[READ_BATCH];
	uint32_t want = 10, got = 0;
	double timeout = -1;
	int csv = 0, fd, i, ret = EXIT_OK;
	char path[64];
	struct pollfd pfd;
	ssize_t n;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i]))
			return read_help(stdout);
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			if (parse_u32(argv[++i], &want))
				return ctl_usage_err("read: -n: '%s' is not a whole number", argv[i]);
		} else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
			if (blob_units(argv[++i], &read_units))
				return EXIT_INPUT;
		} else if ((!strcmp(argv[i], "--scale") || !strcmp(argv[i], "--offset")) &&
			   i + 1 < argc) {
			if (units_arg("read", argv[i], argv[i + 1], &read_units))
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(argv[i], "--csv")) {
			csv = 1;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (parse_double(argv[++i], &timeout) || timeout < 0 || timeout > 86400)
				return ctl_usage_err("read: --timeout: '%s' is not 0 .. 86400 seconds", argv[i]);
		} else {
			return ctl_usage_err("read: unknown argument '%s' (see tmnetctl read help)", argv[i]);
		}
	}
	if (csv && pr_is_json())
		return ctl_usage_err("read: --csv and -j exclude each other");
	fd = open_dev(c, O_RDONLY | O_NONBLOCK, path, sizeof(path));
	if (fd < 0)
		return -fd;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (csv)
		print_csv_header();
	pr_arr_open(NULL);
	while (!want || got < want) {
		size_t room = want ? want - got : READ_BATCH;

		if (room > READ_BATCH)
			room = READ_BATCH;
		n = read(fd, buf, room * sizeof(buf[0]));
		if (n < 0 && errno == EAGAIN) {
			int r = poll(&pfd, 1, timeout < 0 ? -1 : (int)(timeout * 1000));

			if (r == 0) {
				fprintf(stderr, "tmnetctl: read: no record for %g s (%u of %u read; is the device started?)\n",
					timeout, got, want);
				ret = EXIT_FAIL;
				break;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "tmnetctl: read: %s: %s\n", path,
				n < 0 ? strerror(errno) : "end of file");
			ret = EXIT_FAIL;
			break;
		}
		for (i = 0; i < (int)(n / (ssize_t)sizeof(buf[0])); i++) {
			if (csv)
				print_csv(&buf[i]);
			else
				print_rec(&buf[i]);
			got++;
		}
	}
	pr_arr_close();
	close(fd);
	return ret;
}
