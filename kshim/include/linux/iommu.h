/* Copyright mtty-lab authors. The kernel header <linux/iommu.h>, as kshim provides it. */
#ifndef MTTY_KSHIM_LINUX_IOMMU_H_
#define MTTY_KSHIM_LINUX_IOMMU_H_
#include "kshim/base.h"
#endif
