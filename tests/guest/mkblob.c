// SPDX-License-Identifier: GPL-2.0
/*
 * mkblob - write a tmnet model blob (.tmn) with deterministic pseudo-random
 * INT8 weights, for tests that need a valid model without the trainer.
 * The network is not trained: it produces small, plausible corrections so
 * that the gate passes most ticks.  Same seed, same bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_core.h"

static uint32_t rng_state;

static uint32_t rng(void)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* uniform in [-lim, lim] */
static int32_t rnd(int32_t lim)
{
	return (int32_t)(rng() % (uint32_t)(2 * lim + 1)) - lim;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mkblob [options] -o FILE\n"
		"Write a tmnet model blob with deterministic pseudo-random weights.\n\n"
		"  -s, --system prior|A|B   system (default B)\n"
		"  -H, --hidden N           GRU width 1..%d (default 16)\n"
		"  -r, --rate HZ            tick rate (default %d)\n"
		"  -S, --seed N             PRNG seed (default 1)\n"
		"  -n, --name NAME          model name (default mkblob-<system>-<seed>)\n"
		"  -k, --out-scale X100     head output scale, hundredths of a data\n"
		"                           unit per normalised unit (default 100)\n"
		"  -o, --output FILE        where to write the blob (required)\n"
		"  -h, --help               this text\n",
		TMNET_MAX_HIDDEN, TMNET_DEFAULT_RATE_HZ);
}

static long parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "mkblob: %s: '%s' is not a number in %ld..%ld\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static void fill_rq(struct tmnet_rq *rq, unsigned int n, int32_t shift)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* mult in [2^30, 2^31): per-row scale between 0.5 and 1 */
		rq[i].mult = (int32_t)((1U << 30) + (rng() & ((1U << 30) - 1)));
		rq[i].shift = shift;
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "system", required_argument, NULL, 's' },
		{ "hidden", required_argument, NULL, 'H' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'n' },
		{ "out-scale", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct tm_model m;
	static struct tm_model check;
	struct tm_blob_error err;
	const char *out = NULL, *name = NULL;
	unsigned int sys = TMNET_SYS_B, hidden = 16, rate = TMNET_DEFAULT_RATE_HZ;
	unsigned int seed = 1, g3, r, c, size;
	long out_scale = 100;
	unsigned char *buf;
	FILE *f;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:H:r:S:n:k:o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!strcmp(optarg, "prior"))
				sys = TMNET_SYS_PRIOR;
			else if (!strcmp(optarg, "A") || !strcmp(optarg, "a"))
				sys = TMNET_SYS_A;
			else if (!strcmp(optarg, "B") || !strcmp(optarg, "b"))
				sys = TMNET_SYS_B;
			else {
				fprintf(stderr, "mkblob: --system: want prior, A or B, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'H':
			hidden = (unsigned int)parse_num("--hidden", optarg, 1, TMNET_MAX_HIDDEN);
			break;
		case 'r':
			rate = (unsigned int)parse_num("--rate", optarg, TMNET_MIN_RATE_HZ,
						       TMNET_MAX_RATE_HZ);
			break;
		case 'S':
			seed = (unsigned int)parse_num("--seed", optarg, 0, 0x7fffffff);
			break;
		case 'n':
			name = optarg;
			if (strlen(name) >= TMNET_NAME_LEN) {
				fprintf(stderr, "mkblob: --name: at most %d characters\n",
					TMNET_NAME_LEN - 1);
				return 2;
			}
			break;
		case 'k':
			out_scale = parse_num("--out-scale", optarg, 1, 100000);
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return 2;
	}
	rng_state = seed * 2654435761U + 0x9e3779b9U;
	if (!rng_state)
		rng_state = 1;

	tm_model_default_prior(&m, rate);
	if (name)
		snprintf(m.name, sizeof(m.name), "%s", name);
	else
		snprintf(m.name, sizeof(m.name), "mkblob-%s-%u",
			 sys == TMNET_SYS_PRIOR ? "prior" : sys == TMNET_SYS_A ? "A" : "B",
			 seed);
	m.system = sys;
	if (sys != TMNET_SYS_PRIOR) {
		m.n_feat = sys == TMNET_SYS_A ? TMNET_FEATURES_A : TMNET_FEATURES_B;
		m.hidden = hidden;
		/* features: dx, dy (units/tick), vx, vy (units/s), disp (units) */
		m.norm.inv_std[0] = (int32_t)(rate << 16) / 4;
		m.norm.inv_std[1] = (int32_t)(rate << 16) / 4;
		m.norm.inv_std[2] = 1 << 14;
		m.norm.inv_std[3] = 1 << 14;
		if (m.n_feat > 4) {
			m.norm.inv_std[4] = 1 << 15;
			m.norm.inv_std[5] = 1 << 15;
		}
		m.norm.in_frac = 5;
		m.norm.out_scale[0] = (int32_t)(out_scale * 65536 / 100);
		m.norm.out_scale[1] = (int32_t)(out_scale * 65536 / 100);
		g3 = 3 * hidden;
		for (r = 0; r < g3; r++) {
			for (c = 0; c < m.n_feat; c++)
				m.w_ih[r][c] = (int8_t)rnd(127);
			for (c = 0; c < hidden; c++)
				m.w_hh[r][c] = (int8_t)rnd(127);
			m.b_ih[r] = rnd(512);
			m.b_hh[r] = rnd(512);
		}
		/* |acc_ih| ~ 1e4 -> Q12 ~ 0.6; |acc_hh| ~ 1e7 -> Q12 ~ 0.5 */
		fill_rq(m.rq_ih, g3, 1);
		fill_rq(m.rq_hh, g3, 12);
		for (r = 0; r < TMNET_N_OUT; r++) {
			for (c = 0; c < hidden; c++)
				m.w_out[r][c] = (int8_t)rnd(127);
			m.b_out[r] = rnd(256);
		}
		/* head: Q16 normalised outputs of about +-0.05 */
		fill_rq(m.rq_out, TMNET_N_OUT, 9);
	}

	size = tm_blob_size(m.system, m.n_feat, m.hidden);
	buf = calloc(1, size);
	if (!buf) {
		fprintf(stderr, "mkblob: out of memory\n");
		return 1;
	}
	if (tm_blob_write(buf, size, &m) != (int)size) {
		fprintf(stderr, "mkblob: tm_blob_write failed\n");
		return 1;
	}
	/* never hand out a blob the kernel would refuse */
	if (tm_model_from_blob(&check, buf, size, &err)) {
		fprintf(stderr, "mkblob: generated blob does not validate: %s (offset %u)\n",
			err.msg, err.offset);
		return 1;
	}
	f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "mkblob: %s: %s\n", out, strerror(errno));
		return 1;
	}
	printf("mkblob: wrote %s: system %u, %u features, hidden %u, %u Hz, %u bytes, crc 0x%08x, name %s\n",
	       out, m.system, m.n_feat, m.hidden, rate, size, check.crc32, m.name);
	free(buf);
	return 0;
}
