/* Copyright mtty-lab authors. The kernel header <linux/cdev.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_CDEV_H_
#define MTTY_KSHIM_LINUX_CDEV_H_
#include "kshim/device.h"
#endif
