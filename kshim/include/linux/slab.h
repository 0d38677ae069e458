/* Copyright mtty-lab authors. The kernel header <linux/slab.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_SLAB_H_
#define MTTY_KSHIM_LINUX_SLAB_H_
#include "kshim/mem.h"
#endif
