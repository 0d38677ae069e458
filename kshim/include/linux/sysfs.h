/* Copyright mtty-lab authors. The kernel header <linux/sysfs.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_SYSFS_H_
#define MTTY_KSHIM_LINUX_SYSFS_H_
#include "kshim/device.h"
#endif
