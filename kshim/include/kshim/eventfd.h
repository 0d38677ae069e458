/* Copyright mtty-lab authors.
 *
 * struct eventfd_ctx (include/linux/eventfd.h). A context is counted as the
 * kernel counts it: one reference while the user's descriptor is open, one
 * per eventfd_ctx_fdget by the driver, dropped by eventfd_ctx_put. The shim
 * keeps the two kinds apart, so it can tell a driver that signals or puts a
 * context it no longer holds (the kernel's use-after-free, once the user
 * closes the descriptor) and one that never puts what it got (a leak).
 */
#ifndef MTTY_KSHIM_EVENTFD_H_
#define MTTY_KSHIM_EVENTFD_H_

#include "kshim/base.h"

KSHIM_EXTERN_C_BEGIN

struct eventfd_ctx;

struct eventfd_ctx *kshim_eventfd_ctx_fdget(int fd, const char *file,
                                            int line);
void kshim_eventfd_ctx_put(struct eventfd_ctx *ctx, const char *file,
                           int line);
u64 kshim_eventfd_signal(struct eventfd_ctx *ctx, u64 n, const char *file,
                         int line);
#define eventfd_ctx_fdget(fd) kshim_eventfd_ctx_fdget((fd), __FILE__, __LINE__)
#define eventfd_ctx_put(ctx) kshim_eventfd_ctx_put((ctx), __FILE__, __LINE__)
#define eventfd_signal(ctx, n) \
  kshim_eventfd_signal((ctx), (n), __FILE__, __LINE__)

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_EVENTFD_H_ */
