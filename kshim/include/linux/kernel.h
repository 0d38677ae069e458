/* Copyright mtty-lab authors. The kernel header <linux/kernel.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_KERNEL_H_
#define MTTY_KSHIM_LINUX_KERNEL_H_
#include "kshim/base.h"
#include "kshim/sync.h"
#endif
