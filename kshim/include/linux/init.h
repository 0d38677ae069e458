/* Copyright mtty-lab authors. The kernel header <linux/init.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_INIT_H_
#define MTTY_KSHIM_LINUX_INIT_H_
#include "kshim/base.h"
#endif
