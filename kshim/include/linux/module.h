/* Copyright mtty-lab authors. The kernel header <linux/module.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_MODULE_H_
#define MTTY_KSHIM_LINUX_MODULE_H_
#include "kshim/device.h"
#endif
