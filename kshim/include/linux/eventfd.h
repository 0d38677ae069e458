/* Copyright mtty-lab authors. The kernel header <linux/eventfd.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_EVENTFD_H_
#define MTTY_KSHIM_LINUX_EVENTFD_H_
#include "kshim/eventfd.h"
#endif
