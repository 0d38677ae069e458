/* Copyright mtty-lab authors. The kernel header <linux/serial.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_SERIAL_H_
#define MTTY_KSHIM_LINUX_SERIAL_H_
#include "kshim/base.h"
#endif
