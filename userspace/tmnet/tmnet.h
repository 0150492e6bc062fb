/* SPDX-License-Identifier: GPL-2.0 */
/* tmnet: the trainer / evaluator CLI.  One subcommand per file. */
#ifndef TMNET_CLI_H
#define TMNET_CLI_H

#include <stddef.h>

#include "tm_types.h"

int cmd_data(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_active(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_export_onnx(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* helpers (main.c) */
void die_usage(const char *usage);
int parse_int(const char *s, const char *what, long lo, long hi, long *out);
int parse_dbl(const char *s, const char *what, double lo, double hi, double *out);
double now_s(void);
/* CLOCK_MONOTONIC in ns (a struct tm_clock callback; ctx unused) */
__u64 tmn_mono_ns(void *ctx);
/* write JSON text to stdout with bare nan/inf tokens turned into null */
int tmn_json_emit_clean(char *buf, size_t len);

#endif
