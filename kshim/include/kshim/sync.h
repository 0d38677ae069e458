/* Copyright mtty-lab authors.
 *
 * atomic_t (include/linux/atomic.h) and struct mutex
 * (include/linux/mutex.h). The mutex checks what lockdep would: locking a
 * mutex the caller already holds, or unlocking one it does not hold, is
 * reported as a bug of the driver at its file:line instead of hanging.
 */
#ifndef MTTY_KSHIM_SYNC_H_
#define MTTY_KSHIM_SYNC_H_

#include <pthread.h>

#include "kshim/base.h"

KSHIM_EXTERN_C_BEGIN

typedef struct {
  int counter;
} atomic_t;
#define ATOMIC_INIT(i) \
  { (i) }

static inline int atomic_read(const atomic_t *v) {
  return __atomic_load_n(&v->counter, __ATOMIC_SEQ_CST);
}
static inline void atomic_set(atomic_t *v, int i) {
  __atomic_store_n(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline void atomic_add(int i, atomic_t *v) {
  __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);
}
static inline void atomic_sub(int i, atomic_t *v) {
  __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST);
}
/* Documented: if *v == *old, store new and return true; else load *v into
 * *old and return false. */
static inline bool atomic_try_cmpxchg(atomic_t *v, int *old, int new_value) {
  return __atomic_compare_exchange_n(&v->counter, old, new_value, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

struct mutex {
  pthread_mutex_t m;
  pthread_t owner;
  int held;
  const char *held_at_file;
  int held_at_line;
};

void kshim_mutex_init(struct mutex *m);
void kshim_mutex_lock(struct mutex *m, const char *file, int line);
void kshim_mutex_unlock(struct mutex *m, const char *file, int line);
#define mutex_init(m) kshim_mutex_init(m)
#define mutex_lock(m) kshim_mutex_lock((m), __FILE__, __LINE__)
#define mutex_unlock(m) kshim_mutex_unlock((m), __FILE__, __LINE__)
#define mutex_destroy(m) ((void)(m))

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_SYNC_H_ */
