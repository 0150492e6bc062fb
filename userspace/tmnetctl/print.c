// SPDX-License-Identifier: GPL-2.0
/*
 * tmnetctl output in text or JSON from the same calls (see print.h).
 * JSON: a stack of open containers remembers whether a comma is due;
 * -p indents by two spaces per level.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "print.h"

#define PR_MAX_DEPTH 16

static int pr_json, pr_pretty, pr_depth;
static int pr_first[PR_MAX_DEPTH];	/* nothing written yet at this level */

void pr_init(int json, int pretty)
{
	pr_json = json || pretty;
	pr_pretty = pretty;
	pr_depth = 0;
	pr_first[0] = 1;
}

int pr_is_json(void)
{
	return pr_json;
}

static void pr_indent(void)
{
	int i;

	if (!pr_pretty)
		return;
	putchar('\n');
	for (i = 0; i < pr_depth; i++)
		fputs("  ", stdout);
}

static void pr_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Comma, indentation and "key": before a value */
static void pr_key(const char *key)
{
	if (!pr_first[pr_depth])
		putchar(',');
	pr_first[pr_depth] = 0;
	if (pr_depth > 0)
		pr_indent();
	if (key && *key) {
		pr_json_str(key);
		fputs(pr_pretty ? ": " : ":", stdout);
	}
}

static void pr_open(const char *key, char c)
{
	if (!pr_json)
		return;
	pr_key(key);
	putchar(c);
	if (pr_depth < PR_MAX_DEPTH - 1)
		pr_depth++;
	pr_first[pr_depth] = 1;
}

static void pr_close(char c)
{
	int empty;

	if (!pr_json)
		return;
	empty = pr_first[pr_depth];
	if (pr_depth > 0)
		pr_depth--;
	if (!empty)
		pr_indent();
	putchar(c);
}

void pr_obj_open(const char *key)
{
	pr_open(key, '{');
}

void pr_obj_close(void)
{
	pr_close('}');
}

void pr_arr_open(const char *key)
{
	pr_open(key, '[');
}

void pr_arr_close(void)
{
	pr_close(']');
}

void pr_flush(void)
{
	if (pr_json && pr_depth == 0 && !pr_first[0]) {
		putchar('\n');
		pr_first[0] = 1;
	}
	fflush(stdout);
}

void pr_u64(const char *key, const char *fmt, uint64_t v)
{
	if (pr_json) {
		if (key) {
			pr_key(key);
			printf("%" PRIu64, v);
		}
	} else if (fmt) {
		printf(fmt, (unsigned long long)v);
	}
}

void pr_s64(const char *key, const char *fmt, int64_t v)
{
	if (pr_json) {
		if (key) {
			pr_key(key);
			printf("%" PRId64, v);
		}
	} else if (fmt) {
		printf(fmt, (long long)v);
	}
}

void pr_str(const char *key, const char *fmt, const char *s)
{
	if (pr_json) {
		if (key) {
			pr_key(key);
			pr_json_str(s);
		}
	} else if (fmt) {
		printf(fmt, s);
	}
}

void pr_bool(const char *key, const char *fmt, int v)
{
	if (pr_json) {
		if (key) {
			pr_key(key);
			fputs(v ? "true" : "false", stdout);
		}
	} else if (fmt) {
		printf(fmt, v ? "yes" : "no");
	}
}

void pr_float(const char *key, const char *fmt, double v)
{
	if (pr_json) {
		if (key) {
			pr_key(key);
			if (isfinite(v))
				printf("%.9g", v);
			else
				fputs("null", stdout);
		}
	} else if (fmt) {
		printf(fmt, v);
	}
}

void pr_text(const char *fmt, ...)
{
	va_list ap;

	if (pr_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
