/* Copyright mtty-lab authors. The kernel header <linux/vfio.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_VFIO_H_
#define MTTY_KSHIM_LINUX_VFIO_H_
#include "kshim/mem.h"
#include "kshim/sync.h"
#include "kshim/vfio.h"
#endif
