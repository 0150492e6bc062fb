/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmnetctl output: one set of print calls serves both the text output for
 * people and the JSON output (-j, -p pretty) for programs, as iproute2's
 * json_print does.  Each call names the JSON key and the text format; a
 * NULL key prints only in text mode, a NULL format only in JSON mode.
 * In a JSON array, elements take the key "" (no key printed).
 * Text formats take unsigned long long (pr_u64), long long (pr_s64),
 * const char * (pr_str, pr_bool: "yes"/"no") or double (pr_float).
 */
#ifndef TMNETCTL_PRINT_H
#define TMNETCTL_PRINT_H

#include <stdint.h>

void pr_init(int json, int pretty);
int pr_is_json(void);

void pr_obj_open(const char *key);	/* key NULL: at top level or in an array */
void pr_obj_close(void);
void pr_arr_open(const char *key);
void pr_arr_close(void);
/* End of one top-level JSON document (newline); flushes stdout */
void pr_flush(void);

void pr_u64(const char *key, const char *fmt, uint64_t v);
void pr_s64(const char *key, const char *fmt, int64_t v);
void pr_str(const char *key, const char *fmt, const char *s);
void pr_bool(const char *key, const char *fmt, int v);
/* JSON: a number; text: fmt gets a double */
void pr_float(const char *key, const char *fmt, double v);
/* text only */
void pr_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TMNETCTL_PRINT_H */
