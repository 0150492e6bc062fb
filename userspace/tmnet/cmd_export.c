// SPDX-License-Identifier: GPL-2.0
/*
 * tmnet export-hf: a directory ready to push to a HuggingFace model repository
 * tmnet export-onnx: the float export of a checkpoint alone (ONNX, safetensors,
 * config.json), also for networks that cannot be quantised (--b-extra)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmn_export.h"
#include "tmnet.h"

/*
 * <sys/stat.h> cannot be included next to the core's fixed-width types
 * (with _GNU_SOURCE it pulls in <linux/types.h>, whose __u64 differs), so
 * declare the one POSIX call needed here.
 */
extern int mkdir(const char *path, mode_t mode);

static const char usage[] =
	"usage: tmnet export-hf --model MODEL.tmn --out DIR (--data FILE.csv | --eval EVAL.json) [options]\n"
	"  Writes DIR/README.md (model card: YAML front matter with license, tags and\n"
	"  the measured metrics as model-index), config.json, model.safetensors (the\n"
	"  float weights of the checkpoint, PyTorch nn.GRU names), model.tmn (the INT8\n"
	"  blob, unchanged), model.onnx (the float network as one ONNX streaming\n"
	"  step, see tmnet export-onnx), eval.json and recipe.txt.  Nothing is uploaded; the card\n"
	"  shows the one command that pushes DIR (huggingface-cli upload).\n"
	"  -m, --model FILE      the .tmn blob\n"
	"  -o, --out DIR         output directory (created; files in it are replaced)\n"
	"  -c, --ckpt FILE       its checkpoint (default: MODEL with .ckpt for .tmn)\n"
	"  -d, --data FILE       measure now: runs `tmnet eval -j -d FILE -m MODEL -f CKPT`\n"
	"  -e, --eval FILE       or use saved `tmnet eval -j` output for this model\n"
	"  -r, --recipe FILE     the exact training commands (default: MODEL with\n"
	"                        .recipe for .tmn, if it exists)\n"
	"      --data-desc TEXT  what the data is (default: the data file's name)\n"
	"      --license ID      HuggingFace licence id (default gpl-2.0)\n"
	"      --repo-id ID      user/name used in the card's upload command\n"
	"  -q, --quiet\n"
	"  -h, --help\n";

static char *sibling(const char *path, const char *ext)
{
	size_t n = strlen(path);
	char *s = malloc(n + strlen(ext) + 1);

	if (!s)
		return NULL;
	memcpy(s, path, n + 1);
	if (n > 4 && !strcmp(s + n - 4, ".tmn"))
		s[n - 4] = 0;
	strcat(s, ext);
	return s;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0, cap = 0, k;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *ns = realloc(s, cap + 65536);

			if (!ns) {
				free(s);
				fclose(f);
				return NULL;
			}
			s = ns;
			cap += 65536;
		}
		k = fread(s + n, 1, cap - n - 1, f);
		n += k;
		if (!k)
			break;
	}
	fclose(f);
	s[n] = 0;
	return s;
}

/* run this binary's `eval -j` and capture its stdout */
static char *run_eval(const char *data, const char *model, const char *ckpt)
{
	char *out = NULL;
	size_t n = 0, cap = 0;
	int fd[2], st;
	pid_t pid;
	ssize_t k;

	if (pipe(fd))
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return NULL;
	}
	if (!pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/proc/self/exe", "tmnet", "eval", "-j", "-d", data, "-m", model, "-f", ckpt,
		      (char *)NULL);
		fprintf(stderr, "tmnet export-hf: cannot run tmnet eval: %s\n", strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		if (cap - n < 4096) {
			char *ns = realloc(out, cap + 65536);

			if (!ns)
				break;
			out = ns;
			cap += 65536;
		}
		k = read(fd[0], out + n, cap - n - 1);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) || !out) {
		free(out);
		return NULL;
	}
	out[n] = 0;
	return out;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "ckpt", required_argument, NULL, 'c' },
		{ "data", required_argument, NULL, 'd' },
		{ "eval", required_argument, NULL, 'e' },
		{ "recipe", required_argument, NULL, 'r' },
		{ "data-desc", required_argument, NULL, 1 },
		{ "license", required_argument, NULL, 2 },
		{ "repo-id", required_argument, NULL, 3 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tmn_export_opts eo = { 0 };
	const char *data = NULL, *evalf = NULL, *recipef = NULL;
	char *ckpt_def = NULL, *recipe_def = NULL, *evaltext = NULL, *recipe = NULL;
	char err[1024];
	int o, quiet = 0, rc = 1;
	DIR *dir;

	optind = 1;
	while ((o = getopt_long(argc, argv, "m:o:c:d:e:r:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'm': eo.model_path = optarg; break;
		case 'o': eo.out_dir = optarg; break;
		case 'c': eo.ckpt_path = optarg; break;
		case 'd': data = optarg; break;
		case 'e': evalf = optarg; break;
		case 'r': recipef = optarg; break;
		case 1: eo.data_desc = optarg; break;
		case 2: eo.license = optarg; break;
		case 3: eo.repo_id = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: die_usage(usage);
		}
	}
	if (!eo.model_path || !eo.out_dir || optind != argc)
		die_usage(usage);
	if (!data == !evalf) {
		fprintf(stderr, "tmnet export-hf: give either --data FILE.csv (to measure now) or --eval EVAL.json\n");
		return 2;
	}
	if (!eo.ckpt_path) {
		ckpt_def = sibling(eo.model_path, ".ckpt");
		eo.ckpt_path = ckpt_def;
		if (ckpt_def && access(ckpt_def, R_OK)) {
			fprintf(stderr, "tmnet export-hf: no checkpoint %s next to %s: give --ckpt (the float weights come from it)\n",
				ckpt_def, eo.model_path);
			goto out;
		}
	}
	if (!recipef) {
		recipe_def = sibling(eo.model_path, ".recipe");
		if (recipe_def && !access(recipe_def, R_OK))
			recipef = recipe_def;
	}
	if (recipef) {
		recipe = read_text(recipef);
		if (!recipe) {
			fprintf(stderr, "tmnet export-hf: %s: %s\n", recipef, strerror(errno));
			goto out;
		}
		eo.recipe = recipe;
	}
	if (mkdir(eo.out_dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "tmnet export-hf: %s: %s\n", eo.out_dir, strerror(errno));
		goto out;
	}
	dir = opendir(eo.out_dir);
	if (!dir) {
		fprintf(stderr, "tmnet export-hf: %s: %s\n", eo.out_dir, strerror(errno));
		goto out;
	}
	closedir(dir);
	if (data) {
		if (!quiet)
			fprintf(stderr, "export-hf: measuring: tmnet eval -j -d %s -m %s -f %s\n", data,
				eo.model_path, eo.ckpt_path);
		evaltext = run_eval(data, eo.model_path, eo.ckpt_path);
		if (!evaltext) {
			fprintf(stderr, "tmnet export-hf: tmnet eval failed (its message is above)\n");
			goto out;
		}
		if (!eo.data_desc) {
			const char *b = strrchr(data, '/');

			eo.data_desc = b ? b + 1 : data;
		}
	} else {
		evaltext = read_text(evalf);
		if (!evaltext) {
			fprintf(stderr, "tmnet export-hf: %s: %s\n", evalf, strerror(errno));
			goto out;
		}
	}
	eo.eval_json = evaltext;
	if (tmn_export_hf(&eo, quiet, err, sizeof(err))) {
		fprintf(stderr, "tmnet export-hf: %s\n", err);
		goto out;
	}
	if (!quiet)
		fprintf(stderr, "export-hf: done; push with: (cd %s && huggingface-cli upload %s . . --repo-type model)\n",
			eo.out_dir, eo.repo_id ? eo.repo_id : "YOUR-NAME/tmnet-model");
	rc = 0;
out:
	free(ckpt_def);
	free(recipe_def);
	free(evaltext);
	free(recipe);
	return rc;
}

static const char usage_onnx[] =
	"usage: tmnet export-onnx --ckpt MODEL.ckpt --out DIR [--model MODEL.tmn] [-q]\n"
	"  The float network of a checkpoint, exactly as trained (head gain folded):\n"
	"  DIR/model.onnx (opset 17: Sub/Mul/Clip input normalisation, the standard\n"
	"  GRU operator with linear_before_reset = 1, Gemm head, Mul by out_scale,\n"
	"  Add of the base position; inputs features [1,F], base [1,2], h_in [1,1,H];\n"
	"  outputs position, displacement, h_out: one tick per run), model.safetensors\n"
	"  (PyTorch nn.GRU + nn.Linear names) and config.json (feature definitions,\n"
	"  normalisation, output scale, Kalman prior and its float algorithm).\n"
	"  Works for every network tmnet train makes, --b-extra ones included.\n"
	"  -c, --ckpt FILE       checkpoint from tmnet train\n"
	"  -o, --out DIR         output directory (created; files in it are replaced)\n"
	"  -m, --model FILE      the checkpoint's INT8 blob: adds its crc32 and (B) the\n"
	"                        gate to config.json\n"
	"  -q, --quiet\n"
	"  -h, --help\n";

int cmd_export_onnx(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ckpt", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "model", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ckpt = NULL, *out = NULL, *model = NULL;
	static struct tm_model m;
	struct tmn_model_f mf;
	char err[1024], name[64];
	int o, quiet = 0, rc = 1;
	DIR *dir;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:o:m:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': ckpt = optarg; break;
		case 'o': out = optarg; break;
		case 'm': model = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage_onnx, stdout); return 0;
		default: die_usage(usage_onnx);
		}
	}
	if (!ckpt || !out || optind != argc)
		die_usage(usage_onnx);
	if (tmn_ckpt_load(ckpt, &mf, err, sizeof(err))) {
		fprintf(stderr, "tmnet export-onnx: %s\n", err);
		return 1;
	}
	{
		const char *b = strrchr(ckpt, '/');
		char *dot;

		snprintf(name, sizeof(name), "%s", b ? b + 1 : ckpt);
		dot = strrchr(name, '.');
		if (dot && dot != name)
			*dot = 0;
	}
	if (model) {
		if (tmq_read_blob_file(model, &m, NULL, NULL, err, sizeof(err))) {
			fprintf(stderr, "tmnet export-onnx: %s\n", err);
			goto out;
		}
		if (m.system != mf.h.system || m.n_feat != mf.h.F || m.hidden != mf.h.H ||
		    m.rate_hz != mf.h.rate_hz || m.horizon_ticks != mf.h.horizon) {
			fprintf(stderr, "tmnet export-onnx: %s is not the INT8 blob of %s (system, shape, rate or horizon differ)\n",
				model, ckpt);
			goto out;
		}
		snprintf(name, sizeof(name), "%s", m.name);
	}
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "tmnet export-onnx: %s: %s\n", out, strerror(errno));
		goto out;
	}
	dir = opendir(out);
	if (!dir) {
		fprintf(stderr, "tmnet export-onnx: %s: %s\n", out, strerror(errno));
		goto out;
	}
	closedir(dir);
	if (tmn_export_float(&mf, model ? &m : NULL, name, out, quiet, err, sizeof(err))) {
		fprintf(stderr, "tmnet export-onnx: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	tmn_model_f_free(&mf);
	return rc;
}
