// Copyright mtty-lab authors.
//
// The kshim runtime: every kernel function the driver calls, implemented
// from the semantics the kernel's headers and documentation give them
// (include/linux/{slab,uaccess,mutex,eventfd,vfio,mdev}.h and
// drivers/vfio's documented SET_IRQS checks). See kshim/kshim.h.
#include "kshim/kshim.h"

#include "kshim/eventfd_fd.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kshim/base.h"
#include "kshim/device.h"
#include "kshim/eventfd.h"
#include "kshim/mdev.h"
#include "kshim/mem.h"
#include "kshim/sync.h"
#include "kshim/vfio.h"

// Defined by the driver file's module_init / module_exit.
extern "C" int (*const kshim_module_init_fn)(void);

namespace {

constexpr size_t kPageSize = 4096;

// "external/linux_source/samples/vfio-mdev/mtty.c" -> the kernel's path.
std::string Site(const char* file, int line) {
  std::string f = file != nullptr ? file : "?";
  constexpr const char kExternal[] = "external/";
  if (f.rfind(kExternal, 0) == 0) {
    const size_t slash = f.find('/', sizeof(kExternal) - 1);
    if (slash != std::string::npos) f = f.substr(slash + 1);
  }
  return f + ":" + std::to_string(line);
}

struct Runtime {
  unsigned fatal = (1u << KSHIM_BUG_COUNT) - 1;
  std::array<uint64_t, KSHIM_BUG_COUNT> counts{};
  std::string last_bug;
  const uint8_t* user_base = nullptr;
  size_t user_len = 0;
  std::string last_copy_to_user;
  kshim_fd_resolver resolver = nullptr;
  void* resolver_cookie = nullptr;
  kshim_signal_hook signal_hook = nullptr;
  void* signal_cookie = nullptr;
  bool verbose = false;
  bool module_loaded = false;
  int module_status = 0;
  mdev_driver* driver = nullptr;
  mdev_parent* parent = nullptr;
  std::map<const device*, vfio_device*> registered;
};

Runtime& R() {
  static Runtime* runtime = [] {
    auto* r = new Runtime;
    const char* v = getenv("KSHIM_VERBOSE");
    r->verbose = v != nullptr && v[0] == '1';
    return r;
  }();
  return *runtime;
}

// Reports a bug of the driver. Returns (to let the caller do the safe
// thing) only when the kind is survived.
__attribute__((format(printf, 4, 5))) void Bug(int kind, const char* file,
                                               int line, const char* fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  Runtime& r = R();
  const std::string site = Site(file, line);
  r.last_bug = site + ": " + what;
  if ((r.fatal & (1u << kind)) != 0) {
    fprintf(stderr,
            "==kshim== BUG: %s in the driver under test\n"
            "==kshim==   at %s\n"
            "==kshim==   %s\n"
            "SUMMARY: kshim: %s %s\n",
            kshim_bug_name(kind), site.c_str(), what, kshim_bug_name(kind),
            site.c_str());
    fflush(stderr);
    abort();
  }
  ++r.counts[static_cast<size_t>(kind)];
}

bool InUserWindow(const void* p, size_t n) {
  const Runtime& r = R();
  if (r.user_base == nullptr) return n == 0;
  const auto at = reinterpret_cast<uintptr_t>(p);
  const auto base = reinterpret_cast<uintptr_t>(r.user_base);
  if (at < base) return false;
  const uintptr_t off = at - base;
  return off <= r.user_len && n <= r.user_len - off;
}

}  // namespace

// eventfd contexts

struct eventfd_ctx {
  int fd;
  const void* identity;
  bool user_open;
  int driver_refs;
  uint64_t signals;
  std::string fdget_site;
};

namespace {

// Open descriptors by number; contexts the user closed but the driver
// still holds live in `orphans`.
struct EventfdTable {
  std::map<int, eventfd_ctx*> open;
  std::vector<eventfd_ctx*> orphans;
  std::map<int, uint64_t> signals_by_fd;  // survives contexts
};

EventfdTable& Fds() {
  static EventfdTable* table = new EventfdTable;
  return *table;
}

void MaybeFree(eventfd_ctx* ctx) {
  if (ctx->user_open || ctx->driver_refs > 0) return;
  EventfdTable& t = Fds();
  for (size_t i = 0; i < t.orphans.size(); ++i) {
    if (t.orphans[i] == ctx) {
      t.orphans.erase(t.orphans.begin() + static_cast<ptrdiff_t>(i));
      break;
    }
  }
  delete ctx;
}

void UserClose(eventfd_ctx* ctx) {
  ctx->user_open = false;
  if (ctx->driver_refs > 0) {
    Fds().orphans.push_back(ctx);
  } else {
    MaybeFree(ctx);
  }
}

}  // namespace

extern "C" {

const char* kshim_bug_name(int kind) {
  switch (kind) {
    case KSHIM_BUG_NULL_EVENTFD_SIGNAL:
      return "null-eventfd-signal";
    case KSHIM_BUG_EVENTFD_USE_AFTER_PUT:
      return "eventfd-use-after-put";
    case KSHIM_BUG_EVENTFD_PUT_UNDERFLOW:
      return "eventfd-put-underflow";
    case KSHIM_BUG_EVENTFD_LEAK:
      return "eventfd-leak";
    case KSHIM_BUG_MUTEX_DEADLOCK:
      return "mutex-deadlock";
    case KSHIM_BUG_MUTEX_NOT_HELD:
      return "mutex-unlock-not-held";
    default:
      return "unknown";
  }
}

void kshim_set_fatal_bugs(unsigned mask) { R().fatal = mask; }
unsigned kshim_fatal_bugs(void) { return R().fatal; }
uint64_t kshim_bug_count(int kind) {
  if (kind < 0 || kind >= KSHIM_BUG_COUNT) return 0;
  return R().counts[static_cast<size_t>(kind)];
}
void kshim_reset_bug_counts(void) {
  R().counts.fill(0);
  R().last_bug.clear();
}
const char* kshim_last_bug(void) { return R().last_bug.c_str(); }

void kshim_printk(const char* level, const char* fmt, ...) {
  if (!R().verbose) return;
  fprintf(stderr, "kshim %s: ", level);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

// --- memory and user copies -------------------------------------------------

void* kshim_kzalloc(size_t size, const char* /*file*/, int /*line*/) {
  // calloc(0) may return NULL, which the driver would read as -ENOMEM;
  // the kernel's kzalloc(0) returns ZERO_SIZE_PTR, never NULL.
  return calloc(1, size == 0 ? 1 : size);
}

void kshim_kfree(const void* p) { free(const_cast<void*>(p)); }

void kshim_set_user_window(const void* base, size_t len) {
  R().user_base = static_cast<const uint8_t*>(base);
  R().user_len = base == nullptr ? 0 : len;
}

const char* kshim_last_copy_to_user_site(void) {
  return R().last_copy_to_user.c_str();
}

unsigned long kshim_copy_to_user(void* to, const void* from, unsigned long n,
                                 const char* file, int line) {
  R().last_copy_to_user = Site(file, line);
  if (!InUserWindow(to, n)) return n;
  memcpy(to, from, n);
  return 0;
}

unsigned long kshim_copy_from_user(void* to, const void* from, unsigned long n,
                                   const char* /*file*/, int /*line*/) {
  if (!InUserWindow(from, n)) {
    // The kernel zero-fills what it could not copy.
    memset(to, 0, n);
    return n;
  }
  memcpy(to, from, n);
  return 0;
}

void* kshim_memdup_user(const void* src, size_t len, const char* file,
                        int line) {
  if (!InUserWindow(src, len)) return ERR_PTR(-EFAULT);
  void* p = kshim_kzalloc(len, file, line);
  memcpy(p, src, len);
  return p;
}

// --- mutex -----------------------------------------------------------------

void kshim_mutex_init(struct mutex* m) {
  pthread_mutex_init(&m->m, nullptr);
  m->held = 0;
  m->held_at_file = nullptr;
  m->held_at_line = 0;
}

void kshim_mutex_lock(struct mutex* m, const char* file, int line) {
  if (m->held && pthread_equal(m->owner, pthread_self())) {
    Bug(KSHIM_BUG_MUTEX_DEADLOCK, file, line,
        "mutex_lock of a mutex this thread already holds (taken at %s): "
        "the kernel would hang here",
        Site(m->held_at_file, m->held_at_line).c_str());
    ++m->held;  // survived: count the nesting, take nothing
    return;
  }
  pthread_mutex_lock(&m->m);
  m->owner = pthread_self();
  m->held = 1;
  m->held_at_file = file;
  m->held_at_line = line;
}

void kshim_mutex_unlock(struct mutex* m, const char* file, int line) {
  if (!m->held || !pthread_equal(m->owner, pthread_self())) {
    Bug(KSHIM_BUG_MUTEX_NOT_HELD, file, line,
        "mutex_unlock of a mutex this thread does not hold");
    return;
  }
  if (--m->held > 0) return;
  pthread_mutex_unlock(&m->m);
}

// --- eventfd ---------------------------------------------------------------

void kshim_set_fd_resolver(kshim_fd_resolver resolver, void* cookie) {
  R().resolver = resolver;
  R().resolver_cookie = cookie;
}

void kshim_set_signal_hook(kshim_signal_hook hook, void* cookie) {
  R().signal_hook = hook;
  R().signal_cookie = cookie;
}

struct eventfd_ctx* kshim_eventfd_ctx_fdget(int fd, const char* file,
                                            int line) {
  const Runtime& r = R();
  if (r.resolver == nullptr) return static_cast<eventfd_ctx*>(ERR_PTR(-EBADF));
  const void* identity = nullptr;
  const int err = r.resolver(r.resolver_cookie, fd, &identity);
  if (err != 0) return static_cast<eventfd_ctx*>(ERR_PTR(err));
  EventfdTable& t = Fds();
  auto it = t.open.find(fd);
  if (it != t.open.end() && it->second->identity != identity) {
    // The number now names another file: the old one was closed.
    eventfd_ctx* old = it->second;
    t.open.erase(it);
    UserClose(old);
    it = t.open.end();
  }
  eventfd_ctx* ctx;
  if (it == t.open.end()) {
    ctx = new eventfd_ctx{fd, identity, true, 0, 0, ""};
    t.open[fd] = ctx;
  } else {
    ctx = it->second;
  }
  ++ctx->driver_refs;
  ctx->fdget_site = Site(file, line);
  return ctx;
}

void kshim_eventfd_ctx_put(struct eventfd_ctx* ctx, const char* file,
                           int line) {
  if (ctx->driver_refs <= 0) {
    Bug(KSHIM_BUG_EVENTFD_PUT_UNDERFLOW, file, line,
        "eventfd_ctx_put of fd %d's context, on which the driver holds no "
        "reference (last eventfd_ctx_fdget at %s): this put frees the user's "
        "own reference",
        ctx->fd, ctx->fdget_site.c_str());
    return;
  }
  --ctx->driver_refs;
  MaybeFree(ctx);
}

u64 kshim_eventfd_signal(struct eventfd_ctx* ctx, u64 n, const char* file,
                         int line) {
  if (ctx == nullptr) {
    Bug(KSHIM_BUG_NULL_EVENTFD_SIGNAL, file, line,
        "eventfd_signal(NULL, %llu): NULL pointer dereference (kernel oops)",
        static_cast<unsigned long long>(n));
    return 0;
  }
  if (ctx->driver_refs <= 0) {
    Bug(KSHIM_BUG_EVENTFD_USE_AFTER_PUT, file, line,
        "eventfd_signal on fd %d's context after the driver put its "
        "reference (fdget at %s): a use-after-free once the user closes the "
        "eventfd",
        ctx->fd, ctx->fdget_site.c_str());
  }
  ctx->signals += n;
  Fds().signals_by_fd[ctx->fd] += n;
  const Runtime& r = R();
  if (r.signal_hook != nullptr) r.signal_hook(r.signal_cookie, ctx->identity, n);
  return n;
}

int kshim_eventfd_ctx_user_fd(const struct eventfd_ctx* ctx) {
  return ctx == nullptr ? -1 : ctx->fd;
}

uint64_t kshim_eventfd_signals(int fd) {
  const auto& m = Fds().signals_by_fd;
  auto it = m.find(fd);
  return it == m.end() ? 0 : it->second;
}

int kshim_eventfd_driver_refs(int fd) {
  const auto& m = Fds().open;
  auto it = m.find(fd);
  return it == m.end() ? 0 : it->second->driver_refs;
}

void kshim_eventfd_close_all(int device_gone) {
  EventfdTable& t = Fds();
  std::map<int, eventfd_ctx*> open;
  open.swap(t.open);
  for (auto& [fd, ctx] : open) UserClose(ctx);
  if (device_gone) {
    std::vector<eventfd_ctx*> held;
    held.swap(t.orphans);
    for (eventfd_ctx* ctx : held) {
      const std::string site = ctx->fdget_site;
      const int fd = ctx->fd;
      const int refs = ctx->driver_refs;
      delete ctx;  // survived or not, nothing can reach it any more
      Bug(KSHIM_BUG_EVENTFD_LEAK, __FILE__, __LINE__,
          "fd %d's eventfd context still has %d driver reference(s) after "
          "the device was released; taken by eventfd_ctx_fdget at %s and "
          "never put",
          fd, refs, site.c_str());
    }
  }
  t.signals_by_fd.clear();
}

// --- driver model ------------------------------------------------------------

int dev_set_name(struct device* dev, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dev->name, sizeof(dev->name), fmt, ap);
  va_end(ap);
  return 0;
}

int device_register(struct device* dev) {
  dev->registered = 1;
  return 0;
}

void device_unregister(struct device* dev) {
  dev->registered = 0;
  if (dev->release != nullptr) dev->release(dev);
}

struct kshim_class* kshim_class_create(const char* name) {
  auto* c = static_cast<struct kshim_class*>(calloc(1, sizeof(struct kshim_class)));
  c->name = name;
  return c;
}

void class_destroy(struct kshim_class* cls) {
  if (cls != nullptr && !IS_ERR(cls)) free(cls);
}

int alloc_chrdev_region(dev_t* dev, unsigned baseminor, unsigned /*count*/,
                        const char* /*name*/) {
  *dev = (240u << MINORBITS) | baseminor;  // a "local/experimental" major
  return 0;
}
void unregister_chrdev_region(dev_t /*from*/, unsigned /*count*/) {}
void cdev_init(struct cdev* cdev, const struct file_operations* fops) {
  memset(cdev, 0, sizeof(*cdev));
  cdev->ops = fops;
}
int cdev_add(struct cdev* cdev, dev_t dev, unsigned count) {
  cdev->dev = dev;
  cdev->count = count;
  return 0;
}
void cdev_del(struct cdev* /*cdev*/) {}

// --- vfio core ---------------------------------------------------------------

struct vfio_device* kshim_vfio_alloc_device(
    size_t size, struct device* dev, const struct vfio_device_ops* ops) {
  auto* vdev = static_cast<vfio_device*>(kshim_kzalloc(size, nullptr, 0));
  vdev->dev = dev;
  vdev->ops = ops;
  if (ops->init != nullptr) {
    const int ret = ops->init(vdev);
    if (ret != 0) {
      kshim_kfree(vdev);
      return static_cast<vfio_device*>(ERR_PTR(ret));
    }
  }
  vdev->refcount = 1;
  return vdev;
}

void vfio_put_device(struct vfio_device* device) {
  if (--device->refcount > 0) return;
  // The driver's release must end with vfio_free_device (Linux 6.1 rule).
  device->ops->release(device);
}

void vfio_free_device(struct vfio_device* device) { kshim_kfree(device); }

int vfio_register_emulated_iommu_dev(struct vfio_device* device) {
  device->registered = 1;
  R().registered[device->dev] = device;
  return 0;
}

void vfio_unregister_group_dev(struct vfio_device* device) {
  // The kernel waits here for the last open file; the adapter closes it
  // before removing, so there is nothing to wait for.
  device->registered = 0;
  R().registered.erase(device->dev);
}

// The checks vfio_set_irqs_validate_and_prepare documents, in its order:
// header size, index and flag bits, then the vector range against
// `num_irqs`, exactly one data type, and a payload argsz can hold.
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set* hdr, int num_irqs,
                                       int max_irq_type, size_t* data_size) {
  const uint32_t minsz = offsetofend(struct vfio_irq_set, count);
  const uint32_t known =
      VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK;
  if (hdr->argsz < minsz || hdr->index >= static_cast<uint32_t>(max_irq_type) ||
      hdr->count >= UINT32_MAX - hdr->start || (hdr->flags & ~known) != 0) {
    return -EINVAL;
  }
  if (data_size != nullptr) *data_size = 0;
  const auto n = static_cast<uint32_t>(num_irqs);
  if (hdr->start >= n || hdr->start + hdr->count > n) return -EINVAL;
  size_t elem;
  switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
    case VFIO_IRQ_SET_DATA_NONE:
      elem = 0;
      break;
    case VFIO_IRQ_SET_DATA_BOOL:
      elem = sizeof(uint8_t);
      break;
    case VFIO_IRQ_SET_DATA_EVENTFD:
      elem = sizeof(int32_t);
      break;
    default:
      return -EINVAL;
  }
  if (elem != 0) {
    if (hdr->argsz - minsz < hdr->count * elem) return -EINVAL;
    if (data_size == nullptr) return -EINVAL;
    *data_size = hdr->count * elem;
  }
  return 0;
}

ssize_t kshim_vfio_read(struct vfio_device* vdev, void* user, size_t len,
                        int64_t pos) {
  if (vdev->ops->read == nullptr) return -EINVAL;
  kshim_set_user_window(user, len);
  loff_t p = pos;
  const ssize_t ret =
      vdev->ops->read(vdev, static_cast<char*>(user), len, &p);
  kshim_set_user_window(nullptr, 0);
  return ret;
}

ssize_t kshim_vfio_write(struct vfio_device* vdev, const void* user,
                         size_t len, int64_t pos) {
  if (vdev->ops->write == nullptr) return -EINVAL;
  kshim_set_user_window(user, len);
  loff_t p = pos;
  const ssize_t ret =
      vdev->ops->write(vdev, static_cast<const char*>(user), len, &p);
  kshim_set_user_window(nullptr, 0);
  return ret;
}

long kshim_vfio_ioctl(struct vfio_device* vdev, unsigned cmd, void* user,
                      size_t len) {
  if (vdev->ops->ioctl == nullptr) return -ENOTTY;
  kshim_set_user_window(user, len);
  const long ret =
      vdev->ops->ioctl(vdev, cmd, reinterpret_cast<unsigned long>(user));
  kshim_set_user_window(nullptr, 0);
  return ret;
}

void kshim_vfio_close(struct vfio_device* vdev) {
  if (vdev->ops->close_device != nullptr) vdev->ops->close_device(vdev);
}

// --- mdev core ---------------------------------------------------------------

int mdev_register_driver(struct mdev_driver* drv) {
  R().driver = drv;
  return 0;
}
void mdev_unregister_driver(struct mdev_driver* /*drv*/) { R().driver = nullptr; }

int mdev_register_parent(struct mdev_parent* parent, struct device* dev,
                         struct mdev_driver* mdev_driver,
                         struct mdev_type** types, unsigned int nr_types) {
  parent->dev = dev;
  parent->mdev_driver = mdev_driver;
  parent->types = types;
  parent->nr_types = static_cast<int>(nr_types);
  for (unsigned i = 0; i < nr_types; ++i) types[i]->parent = parent;
  R().parent = parent;
  return 0;
}
void mdev_unregister_parent(struct mdev_parent* /*parent*/) {
  R().parent = nullptr;
}

int kshim_module_load(void) {
  Runtime& r = R();
  if (!r.module_loaded) {
    r.module_loaded = true;
    r.module_status = kshim_module_init_fn();
  }
  return r.module_status;
}

unsigned kshim_mdev_nr_types(void) {
  const mdev_parent* p = R().parent;
  return p == nullptr ? 0 : static_cast<unsigned>(p->nr_types);
}

struct mdev_device* kshim_mdev_create(unsigned type_index,
                                      const uint8_t uuid[16], int* err) {
  Runtime& r = R();
  if (r.parent == nullptr || r.driver == nullptr ||
      type_index >= static_cast<unsigned>(r.parent->nr_types)) {
    *err = -EINVAL;
    return nullptr;
  }
  auto* mdev = static_cast<mdev_device*>(calloc(1, sizeof(mdev_device)));
  memcpy(mdev->uuid.b, uuid, 16);
  mdev->type = r.parent->types[type_index];
  mdev->dev.parent = r.parent->dev;
  const uint8_t* u = uuid;
  dev_set_name(&mdev->dev,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x"
               "%02x%02x",
               u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
               u[10], u[11], u[12], u[13], u[14], u[15]);
  const int ret = r.driver->probe(mdev);
  if (ret != 0) {
    free(mdev);
    *err = ret;
    return nullptr;
  }
  *err = 0;
  return mdev;
}

void kshim_mdev_remove(struct mdev_device* mdev) {
  if (R().driver != nullptr) R().driver->remove(mdev);
  free(mdev);
}

unsigned kshim_mdev_available(unsigned type_index) {
  const Runtime& r = R();
  if (r.parent == nullptr || r.driver == nullptr ||
      r.driver->get_available == nullptr ||
      type_index >= static_cast<unsigned>(r.parent->nr_types)) {
    return 0;
  }
  return r.driver->get_available(r.parent->types[type_index]);
}

struct vfio_device* kshim_mdev_vfio(struct mdev_device* mdev) {
  auto it = R().registered.find(&mdev->dev);
  return it == R().registered.end() ? nullptr : it->second;
}

ssize_t kshim_mdev_show_attr(struct mdev_device* mdev, const char* group,
                             const char* name, char* buf) {
  const mdev_driver* drv = R().driver;
  if (drv == nullptr || drv->driver.dev_groups == nullptr) return -ENOENT;
  for (const attribute_group* const* g = drv->driver.dev_groups; *g != nullptr;
       ++g) {
    if ((*g)->name == nullptr || strcmp((*g)->name, group) != 0) continue;
    for (attribute** a = (*g)->attrs; *a != nullptr; ++a) {
      if (strcmp((*a)->name, name) != 0) continue;
      auto* da = container_of(*a, struct device_attribute, attr);
      if (da->show == nullptr) return -ENOENT;
      memset(buf, 0, kPageSize);
      return da->show(&mdev->dev, da, buf);
    }
  }
  return -ENOENT;
}

}  // extern "C"
