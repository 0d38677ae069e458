/* Copyright mtty-lab authors. The kernel header <linux/file.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_FILE_H_
#define MTTY_KSHIM_LINUX_FILE_H_
#include "kshim/base.h"
#endif
