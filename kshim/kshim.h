/* Copyright mtty-lab authors.
 *
 * kshim: the smallest kernel-API layer that compiles one driver file,
 * samples/vfio-mdev/mtty.c of Linux 6.1, unmodified in userspace. This
 * header is the runtime's face towards the program that drives the driver
 * (kshim/kernel_mtty.h); the driver itself sees the kernel's own header
 * names under kshim/include/linux/.
 *
 * Promises:
 *  * The runtime never hangs on the driver's account: a mutex the driver
 *    already holds, locked again, is a reported bug (a real kernel would
 *    deadlock), and no call waits on anything else.
 *  * Every bug the runtime sees is reported with the driver's file:line
 *    (the macros in kshim/include capture __FILE__/__LINE__ at the call).
 *    A bug kind is either fatal (report on stderr, then abort(): the fuzzer
 *    saves the input) or survived (counted, and the runtime does the
 *    memory-safe thing: a NULL context is not signalled, an extra put frees
 *    nothing). Sanitizer findings (ASan, UBSan) are the sanitizers' own.
 *  * Not thread-safe: one driver, driven from one thread at a time.
 */
#ifndef MTTY_KSHIM_KSHIM_H_
#define MTTY_KSHIM_KSHIM_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the runtime can see the driver do wrong. */
enum kshim_bug {
  /* eventfd_signal(NULL): a kernel oops. */
  KSHIM_BUG_NULL_EVENTFD_SIGNAL = 0,
  /* eventfd_signal on a context the driver has put back: a use-after-free
   * in the kernel as soon as the user closes the eventfd. */
  KSHIM_BUG_EVENTFD_USE_AFTER_PUT = 1,
  /* eventfd_ctx_put without a reference: frees the user's own reference. */
  KSHIM_BUG_EVENTFD_PUT_UNDERFLOW = 2,
  /* A reference taken with eventfd_ctx_fdget still held when the device
   * was released: nothing can ever put it. */
  KSHIM_BUG_EVENTFD_LEAK = 3,
  /* mutex_lock on a mutex the caller holds: a deadlock. */
  KSHIM_BUG_MUTEX_DEADLOCK = 4,
  /* mutex_unlock of a mutex the caller does not hold. */
  KSHIM_BUG_MUTEX_NOT_HELD = 5,
  KSHIM_BUG_COUNT = 6
};
const char *kshim_bug_name(int kind);

/* Bit (1 << kind) set: that kind is fatal. Default: all fatal. */
void kshim_set_fatal_bugs(unsigned mask);
unsigned kshim_fatal_bugs(void);
/* Survived bugs of `kind` since the last kshim_reset_bug_counts. */
uint64_t kshim_bug_count(int kind);
void kshim_reset_bug_counts(void);
/* "file:line: what" of the last bug of any kind ("" if none). */
const char *kshim_last_bug(void);

/* The caller's user memory for the next driver call. */
void kshim_set_user_window(const void *base, size_t len);
/* file:line of the driver's last copy_to_user ("" if none). */
const char *kshim_last_copy_to_user_site(void);

/* The user's descriptor table as eventfd_ctx_fdget sees it. The resolver
 * returns 0 and an identity for an open eventfd (the same identity each
 * time for the same open file), -EBADF for a closed descriptor, -EINVAL
 * for a file that is not an eventfd. */
typedef int (*kshim_fd_resolver)(void *cookie, int fd, const void **identity);
void kshim_set_fd_resolver(kshim_fd_resolver resolver, void *cookie);
/* Called for every eventfd_signal the driver makes on a context (also on a
 * put one: the kernel would write to whatever the pointer names), with the
 * identity the resolver gave for it. */
typedef void (*kshim_signal_hook)(void *cookie, const void *identity,
                                  uint64_t n);
void kshim_set_signal_hook(kshim_signal_hook hook, void *cookie);
/* Signals delivered to the context of user descriptor `fd` so far. */
uint64_t kshim_eventfd_signals(int fd);
/* References the driver holds on the context of `fd`. */
int kshim_eventfd_driver_refs(int fd);
/* The user closes every descriptor: contexts the driver no longer holds
 * are freed. Then every reference the driver still holds is a leak
 * (KSHIM_BUG_EVENTFD_LEAK, reported with the fdget's file:line) if
 * `device_gone`; survived leaks are freed here so no memory leaks. */
void kshim_eventfd_close_all(int device_gone);

/* The module (module_init of the driver file): run once per process. */
int kshim_module_load(void);

/* The mdev core's side of create/remove. `type_index` selects one of the
 * types the driver registered with mdev_register_parent. Returns the new
 * device, or NULL with *err set (the driver's probe error, or -EINVAL for
 * an unknown type). */
struct mdev_device;
struct vfio_device;
struct mdev_device *kshim_mdev_create(unsigned type_index,
                                      const uint8_t uuid[16], int *err);
/* The driver's remove, then the device is gone. */
void kshim_mdev_remove(struct mdev_device *mdev);
unsigned kshim_mdev_nr_types(void);
/* The driver's get_available for a type (0 for an unknown type). */
unsigned kshim_mdev_available(unsigned type_index);
/* The vfio device the driver registered for `mdev` (NULL if none). */
struct vfio_device *kshim_mdev_vfio(struct mdev_device *mdev);
/* The driver's show function of device attribute `group/name` into `buf`
 * (PAGE_SIZE bytes); -ENOENT if the driver has none. */
ssize_t kshim_mdev_show_attr(struct mdev_device *mdev, const char *group,
                             const char *name, char *buf);

/* The vfio core's side of the device file: what vfio_device_fops_read,
 * _write and _unl_ioctl hand the driver's ops. `user`/`len` become the
 * user window for the call. ENOTTY / EINVAL when the driver has no op. */
ssize_t kshim_vfio_read(struct vfio_device *vdev, void *user, size_t len,
                        int64_t pos);
ssize_t kshim_vfio_write(struct vfio_device *vdev, const void *user,
                         size_t len, int64_t pos);
long kshim_vfio_ioctl(struct vfio_device *vdev, unsigned cmd, void *user,
                      size_t len);
/* close_device, if the driver has one (Linux 6.1's mtty has none). */
void kshim_vfio_close(struct vfio_device *vdev);

#ifdef __cplusplus
}
#endif

#endif /* MTTY_KSHIM_KSHIM_H_ */
