/* Copyright mtty-lab authors. The kernel header <linux/pci.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_PCI_H_
#define MTTY_KSHIM_LINUX_PCI_H_
#include <linux/pci_regs.h> /* the system uAPI register names */
#include "kshim/base.h"
#endif
