/* Copyright mtty-lab authors. The kernel header <linux/ctype.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_CTYPE_H_
#define MTTY_KSHIM_LINUX_CTYPE_H_
#include <ctype.h>
#endif
