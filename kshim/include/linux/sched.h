/* Copyright mtty-lab authors. The kernel header <linux/sched.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_SCHED_H_
#define MTTY_KSHIM_LINUX_SCHED_H_
#include "kshim/base.h"
#endif
