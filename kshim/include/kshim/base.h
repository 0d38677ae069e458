/* Copyright mtty-lab authors.
 *
 * kshim base: the kernel's basic types, compiler attributes, error pointers
 * and printk, as include/linux/{types,compiler,err,kernel,printk}.h document
 * them, for compiling one driver file (samples/vfio-mdev/mtty.c) unmodified
 * in userspace. C and C++ both include it: C++ sees only the declarations
 * the runtime (kshim/kshim.cc) implements.
 */
#ifndef MTTY_KSHIM_BASE_H_
#define MTTY_KSHIM_BASE_H_

#include <linux/types.h> /* the system uAPI: __u8 ... __u64, __le32 */
#include <errno.h> /* the kernel's errno values are the same numbers */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "kshim/kshim.h" /* the runtime's own API: bug kinds */

#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
#define KSHIM_EXTERN_C_BEGIN extern "C" {
#define KSHIM_EXTERN_C_END }
#else
#define KSHIM_EXTERN_C_BEGIN
#define KSHIM_EXTERN_C_END
#endif

KSHIM_EXTERN_C_BEGIN

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef long long kshim_loff_t;
#define loff_t kshim_loff_t
typedef unsigned int gfp_t;
/* dev_t is the system's (sys/types.h); the sample only stores it. */

/* include/linux/types.h: the intrusive list node (list.h in sync.h). */
struct list_head {
  struct list_head *next, *prev;
};

/* Address-space and section annotations have no userspace meaning. */
#define __user
#define __init
#define __exit
#define __iomem
#define __must_check

#define GFP_KERNEL 0u

/* A file of its own is one translation unit; KBUILD_MODNAME names it. */
#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME "mtty"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetofend(TYPE, MEMBER) \
  (offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#define container_of(ptr, type, member) \
  ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
/* Zero when `e` is false; a compile error (negative bit-field) otherwise. */
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int : (-!!(e)); })))

/* include/linux/err.h: the top 4095 addresses encode -errno. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) {
  return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

/* printk: silent unless KSHIM_VERBOSE=1 (the sample logs every config
 * write it ignores; a fuzzer would spend its time printing). */
void kshim_printk(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define pr_info(fmt, ...) kshim_printk("info", fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) kshim_printk("err", fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) kshim_printk("warn", fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) kshim_printk("debug", fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) kshim_printk("debug", fmt, ##__VA_ARGS__)

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_BASE_H_ */
