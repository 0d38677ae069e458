/* Copyright mtty-lab authors.
 *
 * kzalloc/kfree (include/linux/slab.h) and the user-copy API
 * (include/linux/uaccess.h). "User memory" is the window the caller of the
 * driver registered (kshim_set_user_window): the ioctl argument or the
 * read/write buffer a harness passed in. A copy that leaves the window
 * fails as a copy from an unmapped user page does: copy_*_user returns the
 * number of bytes not copied, memdup_user returns ERR_PTR(-EFAULT).
 */
#ifndef MTTY_KSHIM_MEM_H_
#define MTTY_KSHIM_MEM_H_

#include "kshim/base.h"

KSHIM_EXTERN_C_BEGIN

void *kshim_kzalloc(size_t size, const char *file, int line);
void kshim_kfree(const void *p);
#define kzalloc(size, gfp) kshim_kzalloc((size), __FILE__, __LINE__)
#define kmalloc(size, gfp) kshim_kzalloc((size), __FILE__, __LINE__)
#define kfree(p) kshim_kfree(p)
#define kvfree(p) kshim_kfree(p)

unsigned long kshim_copy_to_user(void __user *to, const void *from,
                                 unsigned long n, const char *file, int line);
unsigned long kshim_copy_from_user(void *to, const void __user *from,
                                   unsigned long n, const char *file,
                                   int line);
void *kshim_memdup_user(const void __user *src, size_t len, const char *file,
                        int line);
#define copy_to_user(to, from, n) \
  kshim_copy_to_user((to), (from), (n), __FILE__, __LINE__)
#define copy_from_user(to, from, n) \
  kshim_copy_from_user((to), (from), (n), __FILE__, __LINE__)
#define memdup_user(src, len) kshim_memdup_user((src), (len), __FILE__, __LINE__)

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_MEM_H_ */
