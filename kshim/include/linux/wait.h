/* Copyright mtty-lab authors. The kernel header <linux/wait.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_WAIT_H_
#define MTTY_KSHIM_LINUX_WAIT_H_
#include "kshim/base.h"
#endif
