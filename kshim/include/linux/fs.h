/* Copyright mtty-lab authors. The kernel header <linux/fs.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_FS_H_
#define MTTY_KSHIM_LINUX_FS_H_
#include "kshim/device.h"
#endif
