/* Copyright mtty-lab authors. The kernel header <linux/mdev.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_MDEV_H_
#define MTTY_KSHIM_LINUX_MDEV_H_
#include "kshim/mdev.h"
#endif
