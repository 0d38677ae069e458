// Copyright mtty-lab authors.
//
// The vfio_ioctl fuzzer's logic: arbitrary argument memory for
// GET_INFO / GET_REGION_INFO / GET_IRQ_INFO / SET_IRQS / FEATURE / RESET and
// unknown commands, judged by IoctlModel — an independent statement of the
// validation rules and their effects (docs/spec/vfio-device-uapi.md,
// docs/spec/vfio-migration.md, core/PCI_IRQ.md §2, core/README.md's profile
// table). After every call:
//  * the status is the model's;
//  * the whole argument buffer is what the model says the kernel copies
//    back (nothing past minsz is written, nothing on error but FEATURE SET's
//    echo);
//  * a failed call leaves state() exactly as it was;
//  * IRQ state (index, mask, sinks, signals), migration state and the
//    GET_INFO quirk match the model, the eventfd counters add up, and the
//    ports and config space never change;
//  * a FEATURE SET that reports a data fd hands out exactly one file;
//  * after a GET_REGION_INFO / GET_IRQ_INFO, the typed form
//    (MttyDevice::GetRegionInfo / GetIrqInfo) for the same index answers
//    what the model says a whole, zeroed struct gets, and changes nothing.
#ifndef MTTY_FUZZ_VFIO_IOCTL_HARNESS_H_
#define MTTY_FUZZ_VFIO_IOCTL_HARNESS_H_

#include <cstdint>
#include <span>

#include "fuzz/device_under_test.h"
#include "fuzz/finding.h"

namespace mtty::fuzz {

struct VfioIoctlOptions {
  DeviceFactory factory = MakeRealDevice;
  size_t max_ops = 4096;
};

MaybeFinding RunVfioIoctl(std::span<const uint8_t> input,
                          const VfioIoctlOptions& options = {});

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_VFIO_IOCTL_HARNESS_H_
