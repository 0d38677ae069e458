/* Copyright mtty-lab authors.
 * The user descriptor behind an eventfd context, for views and reports. */
#ifndef MTTY_KSHIM_EVENTFD_FD_H_
#define MTTY_KSHIM_EVENTFD_FD_H_

#ifdef __cplusplus
extern "C" {
#endif

struct eventfd_ctx;
/* -1 for NULL. Reads the context, so it must still be allocated. */
int kshim_eventfd_ctx_user_fd(const struct eventfd_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MTTY_KSHIM_EVENTFD_FD_H_ */
