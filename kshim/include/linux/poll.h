/* Copyright mtty-lab authors. The kernel header <linux/poll.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_POLL_H_
#define MTTY_KSHIM_LINUX_POLL_H_
#include "kshim/base.h"
#endif
