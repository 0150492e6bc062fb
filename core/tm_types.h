/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's only include: fixed-width types for the kernel and userspace.
 * Everything else in core/ is freestanding (no float, no libc, no kernel API).
 */
#ifndef TM_TYPES_H
#define TM_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#define TM_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef int8_t __s8;
typedef uint16_t __u16;
typedef int16_t __s16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
typedef int64_t __s64;
#define TM_FREESTANDING_TYPES 1
#define TM_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#ifndef __SIZEOF_INT128__
#error "the tmnet core needs a compiler with 128-bit integer multiply (64-bit target)"
#endif

typedef __int128 tm_s128;
typedef unsigned __int128 tm_u128;

#ifndef NULL
#define NULL ((void *)0)
#endif

#define TM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* TM_TYPES_H */
