/* Copyright mtty-lab authors.
 *
 * The mediated device API of Linux 6.1 (include/linux/mdev.h): types,
 * parents, mdev drivers. Registration records the driver and its types;
 * the adapter (kshim/kernel_mtty.h) plays the mdev core's part when it
 * creates a device: it calls the driver's probe with a fresh mdev_device of
 * the chosen type, and remove when it destroys it.
 */
#ifndef MTTY_KSHIM_MDEV_H_
#define MTTY_KSHIM_MDEV_H_

#include "kshim/base.h"
#include "kshim/device.h"

KSHIM_EXTERN_C_BEGIN

typedef struct {
  u8 b[16];
} guid_t;

struct mdev_type {
  const char *sysfs_name;
  const char *pretty_name;
  struct mdev_parent *parent;
};

struct mdev_device {
  struct device dev;
  guid_t uuid;
  struct mdev_type *type;
};

static inline struct mdev_device *to_mdev_device(struct device *dev) {
  return container_of(dev, struct mdev_device, dev);
}

struct mdev_driver {
  const char *device_api;
  unsigned int max_instances;
  int (*probe)(struct mdev_device *dev);
  void (*remove)(struct mdev_device *dev);
  unsigned int (*get_available)(struct mdev_type *mtype);
  ssize_t (*show_description)(struct mdev_type *mtype, char *buf);
  struct device_driver driver;
};

struct mdev_parent {
  struct device *dev;
  struct mdev_driver *mdev_driver;
  struct mdev_type **types;
  int nr_types;
};

int mdev_register_driver(struct mdev_driver *drv);
void mdev_unregister_driver(struct mdev_driver *drv);
int mdev_register_parent(struct mdev_parent *parent, struct device *dev,
                         struct mdev_driver *mdev_driver,
                         struct mdev_type **types, unsigned int nr_types);
void mdev_unregister_parent(struct mdev_parent *parent);

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_MDEV_H_ */
