/* SPDX-License-Identifier: GPL-2.0 */
/* tmnet: the trainer / evaluator CLI.  One subcommand per file. */
#ifndef TMNET_CLI_H
#define TMNET_CLI_H

int cmd_data(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_active(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* helpers (main.c) */
void die_usage(const char *usage);
int parse_int(const char *s, const char *what, long lo, long hi, long *out);
int parse_dbl(const char *s, const char *what, double lo, double hi, double *out);
double now_s(void);

#endif
