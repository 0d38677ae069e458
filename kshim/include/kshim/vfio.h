/* Copyright mtty-lab authors.
 *
 * The in-kernel vfio device API of Linux 6.1 (include/linux/vfio.h): struct
 * vfio_device and its ops, the device life cycle helpers
 * (vfio_alloc_device / vfio_put_device, .init / .release) and
 * vfio_set_irqs_validate_and_prepare, whose checks are restated from the
 * kernel's documentation of it (see kshim/kshim.cc).
 */
#ifndef MTTY_KSHIM_VFIO_H_
#define MTTY_KSHIM_VFIO_H_

#include <uapi/linux/vfio.h>

#include "kshim/base.h"
#include "kshim/device.h"

KSHIM_EXTERN_C_BEGIN

struct vfio_device;

struct vfio_device_ops {
  const char *name;
  int (*init)(struct vfio_device *vdev);
  void (*release)(struct vfio_device *vdev);
  int (*open_device)(struct vfio_device *vdev);
  void (*close_device)(struct vfio_device *vdev);
  ssize_t (*read)(struct vfio_device *vdev, char __user *buf, size_t count,
                  loff_t *ppos);
  ssize_t (*write)(struct vfio_device *vdev, const char __user *buf,
                   size_t count, loff_t *size);
  long (*ioctl)(struct vfio_device *vdev, unsigned int cmd,
                unsigned long arg);
};

struct vfio_device {
  struct device *dev;
  const struct vfio_device_ops *ops;
  int refcount;
  int registered;
};

/* The container of `member` (which must be its first member, as the
 * kernel's BUILD_BUG_ON_ZERO enforces) allocated zeroed, ops->init run. */
struct vfio_device *kshim_vfio_alloc_device(size_t size, struct device *dev,
                                            const struct vfio_device_ops *ops);
#define vfio_alloc_device(dev_struct, member, dev, ops)                     \
  container_of(kshim_vfio_alloc_device(                                     \
                   sizeof(struct dev_struct) +                              \
                       0 * sizeof(char[offsetof(struct dev_struct, member)  \
                                            ? -1                            \
                                            : 1]),                          \
                   (dev), (ops)),                                           \
               struct dev_struct, member)
void vfio_put_device(struct vfio_device *device);
void vfio_free_device(struct vfio_device *device);
int vfio_register_emulated_iommu_dev(struct vfio_device *device);
void vfio_unregister_group_dev(struct vfio_device *device);

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
                                       int max_irq_type, size_t *data_size);

KSHIM_EXTERN_C_END

#endif /* MTTY_KSHIM_VFIO_H_ */
