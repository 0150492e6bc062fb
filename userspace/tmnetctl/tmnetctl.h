/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnetctl - control the tmnet predictor over generic netlink and feed its
 * data plane.  Shared declarations of the command files.
 */
#ifndef TMNETCTL_H
#define TMNETCTL_H

#include "tmn_nl.h"
#include "print.h"

/* Exit status (documented in tmnetctl(8) and --help) */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the kernel or the device refused */
	EXIT_USAGE = 2,		/* bad command line: unknown key, bad value */
	EXIT_INPUT = 3,		/* input file missing, unreadable or malformed */
	EXIT_NOMOD = 4,		/* tmnet not loaded / no such device */
	EXIT_PERM = 5,		/* permission denied (needs CAP_NET_ADMIN) */
};

struct ctl {
	struct tmn_dev_sel dev;
	const char *dev_arg;	/* as given with -d (default tmnet0) */
	int dev_given;		/* -d was given */
	struct tmn_nl nl;
	int nl_open;
};

/* Open the netlink client (once); 0 or an exit status after a message */
int ctl_nl(struct ctl *c);
/* Print "tmnetctl: what: <netlink error>" and map it to an exit status */
int ctl_nl_fail(struct ctl *c, const char *what);
/* Exit status for -errno */
int ctl_exit_for(int err);
/* /dev path of the selected device */
void ctl_dev_path(const struct ctl *c, char *buf, size_t n);

__attribute__((format(printf, 1, 2)))
int ctl_usage_err(const char *fmt, ...);	/* prints, returns EXIT_USAGE */

int is_help(const char *s);
int parse_u32(const char *s, uint32_t *out);
int parse_double(const char *s, double *out);

int cmd_dev(struct ctl *c, int argc, char **argv);
int cmd_model(struct ctl *c, int argc, char **argv);
int cmd_start(struct ctl *c, int argc, char **argv);
int cmd_stop(struct ctl *c, int argc, char **argv);
int cmd_set(struct ctl *c, int argc, char **argv);
int cmd_stats(struct ctl *c, int argc, char **argv);
int cmd_monitor(struct ctl *c, int argc, char **argv);
int cmd_feed(struct ctl *c, int argc, char **argv);
int cmd_read(struct ctl *c, int argc, char **argv);

#endif /* TMNETCTL_H */
