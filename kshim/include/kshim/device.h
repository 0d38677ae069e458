/* Copyright mtty-lab authors.
 *
 * The driver-model pieces a module touches on load and unload: struct
 * device and its drvdata and name (include/linux/device.h), classes, char
 * device regions (include/linux/cdev.h, fs.h), idr, sysfs attribute
 * declarations (include/linux/sysfs.h) and the module macros. Registration
 * only records what was registered; there is no sysfs here (the adapter
 * calls show functions directly).
 */
#ifndef MTTY_KSHIM_DEVICE_H_
#define MTTY_KSHIM_DEVICE_H_

#include <stdio.h> /* sprintf, used by show functions */

#include "kshim/base.h"

KSHIM_EXTERN_C_BEGIN

struct module;
#define THIS_MODULE ((struct module *)0)
#define module_init(fn) \
  int (*const kshim_module_init_fn)(void) = fn;
#define module_exit(fn) \
  void (*const kshim_module_exit_fn)(void) = fn;
#define MODULE_LICENSE(s)
#define MODULE_INFO(tag, s)
#define MODULE_VERSION(s)
#define MODULE_AUTHOR(s)
#define MODULE_DESCRIPTION(s)

struct attribute {
  const char *name;
  unsigned short mode;
};
struct attribute_group {
  const char *name;
  struct attribute **attrs;
};

struct device;
struct device_attribute {
  struct attribute attr;
  ssize_t (*show)(struct device *dev, struct device_attribute *attr,
                  char *buf);
  ssize_t (*store)(struct device *dev, struct device_attribute *attr,
                   const char *buf, size_t count);
};
#define DEVICE_ATTR_RO(_name)                              \
  struct device_attribute dev_attr_##_name = {             \
      .attr = {.name = #_name, .mode = 0444},              \
      .show = _name##_show,                                \
      .store = NULL,                                       \
  }

/* `class` is a C++ keyword: C++ (the runtime) spells the same struct and
 * member kshim_class; the layout is one pointer either way. */
#ifdef __cplusplus
#define KSHIM_CLASS kshim_class
#else
#define KSHIM_CLASS class
#endif
struct KSHIM_CLASS {
  const char *name;
};

struct device_driver {
  const char *name;
  struct module *owner;
  const char *mod_name;
  const struct attribute_group **dev_groups;
};

struct device {
  struct device *parent;
  struct KSHIM_CLASS *KSHIM_CLASS;
  void *bus;
  void (*release)(struct device *dev);
  void *driver_data;
  char name[64];
  int registered;
};

static inline void *dev_get_drvdata(const struct device *dev) {
  return dev->driver_data;
}
static inline void dev_set_drvdata(struct device *dev, void *data) {
  dev->driver_data = data;
}
static inline const char *dev_name(const struct device *dev) {
  return dev->name;
}
int dev_set_name(struct device *dev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int device_register(struct device *dev);
void device_unregister(struct device *dev);

struct KSHIM_CLASS *kshim_class_create(const char *name);
#define class_create(owner, name) kshim_class_create(name)
void class_destroy(struct KSHIM_CLASS *cls);

struct file_operations {
  struct module *owner;
};
struct cdev {
  const struct file_operations *ops;
  dev_t dev;
  unsigned count;
};
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
int alloc_chrdev_region(dev_t *dev, unsigned baseminor, unsigned count,
                        const char *name);
void unregister_chrdev_region(dev_t from, unsigned count);
void cdev_init(struct cdev *cdev, const struct file_operations *fops);
int cdev_add(struct cdev *cdev, dev_t dev, unsigned count);
void cdev_del(struct cdev *cdev);

struct idr {
  int unused;
};
static inline void idr_init(struct idr *idr) { idr->unused = 0; }
static inline void idr_destroy(struct idr *idr) { (void)idr; }

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_DEVICE_H_ */
