// Copyright mtty-lab authors.
//
// vfio_ioctl seeds: what QEMU's vfio-pci and a migration manager ask of the
// device, and the malformed requests the validation rules are about.
#include "fuzz/seeds.h"

#include "core/vfio_uapi.h"
#include "fuzz/vfio_ioctl/harness.h"
#include "fuzz/vfio_ioctl/ops.h"

namespace mtty::fuzz {
namespace {

using ioc::Input;
using namespace vfio;

constexpr uint8_t kNone = kIrqSetDataNone, kBool = kIrqSetDataBool,
                  kFd = kIrqSetDataEventfd, kMask = kIrqSetActionMask,
                  kUnmask = kIrqSetActionUnmask,
                  kTrigger = kIrqSetActionTrigger;
// Indexes into ioc::kFds.
constexpr uint8_t kFdA = 0, kFdB = 1, kFdOther = 2, kFdClosed = 3,
                  kFdMinus1 = 4;

void IrqWalk(Input& in) {
  const uint8_t a[] = {kFdA}, b[] = {kFdB}, other[] = {kFdOther},
                closed[] = {kFdClosed}, off[] = {kFdMinus1}, one[] = {1},
                zero[] = {0};
  in.Info(2, 16, kIntxIrqIndex, 16).Info(2, 16, kMsiIrqIndex, 16);
  in.Info(2, 16, kMsixIrqIndex, 16).Info(2, 16, kReqIrqIndex, 16);
  in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, a);
  in.IrqSet(kNone | kMask, kIntxIrqIndex, 0, 1);
  in.IrqSet(kNone | kTrigger, kIntxIrqIndex, 0, 1);  // lost while masked
  in.IrqSet(kBool | kUnmask, kIntxIrqIndex, 0, 1, one);
  in.IrqSet(kBool | kTrigger, kIntxIrqIndex, 0, 1, one);
  in.IrqSet(kBool | kTrigger, kIntxIrqIndex, 0, 1, zero);
  in.IrqSet(kFd | kMask, kIntxIrqIndex, 0, 1, a);    // -ENOTTY
  in.IrqSet(kFd | kTrigger, kMsiIrqIndex, 0, 1, b);  // INTx active: -EINVAL
  in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, closed);  // -EBADF
  in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, other);   // -EINVAL
  in.IrqSet(kNone | kTrigger, kIntxIrqIndex, 0, 0);        // disable
  in.IrqSet(kFd | kTrigger, kMsiIrqIndex, 0, 1, b);
  in.IrqSet(kNone | kTrigger, kMsiIrqIndex, 0, 1);
  in.IrqSet(kNone | kMask, kMsiIrqIndex, 0, 1);      // -ENOTTY
  in.IrqSet(kNone | kTrigger, kMsixIrqIndex, 0, 1);  // -ENOTTY
  in.IrqSet(kNone, kMsiIrqIndex, 0, 1);  // no action: silent success
  in.IrqSet(kNone | kMask | kTrigger, kMsiIrqIndex, 0, 1);
  in.IrqSet(kFd | kTrigger, kMsiIrqIndex, 0, 1, off);  // fd -1: disable
}

std::vector<Seed> VfioIoctlSeeds() {
  std::vector<Seed> seeds;
  auto add = [&](const char* name, const Input& in) {
    seeds.push_back(Seed{"vfio_ioctl", name, in.bytes()});
  };
  {
    Input in(1, false);
    in.Info(0, 16, 0, 16);
    IrqWalk(in);
    add("qemu_style_irq_setup_kernel", in);
  }
  {
    Input in(2, true);
    IrqWalk(in);
    in.Close();
    IrqWalk(in);
    add("irq_setup_16550a_dual_with_close", in);
  }
  {
    // The sample's quirk: IRQ ioctls need a GET_INFO first.
    Input in(1, false);
    const uint8_t a[] = {kFdA};
    in.Info(2, 16, kIntxIrqIndex, 16);
    in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, a);
    in.Info(0, 24, 0, 24).Info(2, 16, kIntxIrqIndex, 16);
    in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, a);
    add("irq_before_get_info_kernel", in);
  }
  {
    Input in(2, false);
    for (uint32_t index = 0; index <= 9; ++index) in.Info(1, 32, index, 32);
    in.Info(1, 31, 7, 32)
        .Info(1, 32, 7, 31)
        .Info(1, 0xffffffff, 0xffffffff, 63);
    in.Info(0, 15, 0, 16).Info(0, 16, 0, 15).Info(2, 15, 0, 16);
    add("region_and_info_validation", in);
  }
  {
    // Validation rules one by one (PCI_IRQ.md §2.3).
    Input in(1, false);
    in.Info(0, 16, 0, 16);
    const uint8_t a[] = {kFdA, kFdB};
    in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, a, 0, 0x80 | 4);  // short
    in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, a, -1);  // argsz short
    in.IrqSet(kFd | kTrigger, 5, 0, 1, a);                  // index
    in.IrqSet(kNone | kBool | kTrigger, kIntxIrqIndex, 0, 1, a);
    in.IrqSet(0x40 | kNone | kTrigger, kIntxIrqIndex, 0, 1);
    in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 4, 2, a);      // start+count
    in.IrqSetWide(kNone | kTrigger, 0, 1, 0xfffffffe, 20);  // overflow
    in.IrqSetWide(kNone | kTrigger, 0, 0xffffffff, 0, 20);
    in.IrqSetWide(kFd | kTrigger, 0, 0, 1, 0x10000, {});  // data missing
    in.IrqSetWide(kBool | kTrigger, 0, 0, 0, 20);         // count 0
    add("set_irqs_validation_order", in);
  }
  {
    // Migration through VFIO_DEVICE_FEATURE, every state, and the refusals.
    Input in(1, false);
    const uint32_t get = kFeatureGet, set = kFeatureSet, probe = kFeatureProbe;
    in.Feature(probe | get | kFeatureMigration, 8, 0, 0, 8);
    in.Feature(get | kFeatureMigration, 16);
    in.Feature(get | kFeatureMigDataSize, 16);
    in.Feature(get | kFeatureMigDeviceState, 16);
    for (uint32_t state : {6u, 7u, 3u, 1u, 4u, 2u, 5u, 1u, 3u, 6u, 0u, 8u}) {
      in.Feature(set | kFeatureMigDeviceState, 16, state, 0xffffffff);
      in.Feature(get | kFeatureMigDeviceState, 16);
    }
    in.Reset().Feature(get | kFeatureMigDeviceState, 16);
    in.Feature(set | get | kFeatureMigDeviceState, 16, 1);
    in.Feature(set | kFeatureMigration, 16).Feature(get | 3, 16);
    in.Feature(get | kFeatureMigDeviceState, 15).Feature(0x80000000 | get, 16);
    in.Feature(get | kFeatureMigDeviceState, 7, 0, 0, 7);
    add("feature_migration_states", in);
  }
  {
    Input in(2, true);
    const uint8_t empty[1] = {0};
    for (uint8_t cmd = 0; cmd < ioc::kNumRawCommands; ++cmd) {
      in.Raw(cmd, std::span<const uint8_t>(empty, 0));
      const uint8_t arg[24] = {24};
      in.Raw(cmd, arg);
    }
    add("raw_every_command", in);
  }
  {
    // The SET_IRQS and FEATURE answers the walks above leave out: argsz
    // below the header, MASK/UNMASK and loopback triggers with no or the
    // other index active, count 0 that is not a disable, BOOL 0 (no
    // effect), no action on INTx, UNMASK on MSI.
    Input in(1, false);
    const uint8_t a[] = {kFdA}, zero[] = {0};
    in.Info(0, 16, 0, 16);
    in.IrqSet(kNone | kTrigger, kIntxIrqIndex, 0, 1, {}, -2);  // argsz 19
    in.IrqSet(kNone | kMask, kIntxIrqIndex, 0, 1);     // INTx not enabled
    in.IrqSet(kNone | kUnmask, kIntxIrqIndex, 0, 0);   // count 0
    in.IrqSet(kNone | kTrigger, kMsiIrqIndex, 0, 1);   // loopback, none
    in.IrqSet(kBool | kTrigger, kIntxIrqIndex, 0, 0);  // count 0, no disable
    in.IrqSet(kNone, kIntxIrqIndex, 0, 1);             // no action
    in.IrqSet(kFd | kTrigger, kIntxIrqIndex, 0, 1, a);
    in.IrqSet(kNone | kMask, kIntxIrqIndex, 0, 0);  // count 0: -EINVAL
    in.IrqSet(kBool | kMask, kIntxIrqIndex, 0, 1, zero);
    in.IrqSet(kBool | kUnmask, kIntxIrqIndex, 0, 1, zero);
    in.IrqSet(kBool | kTrigger, kIntxIrqIndex, 0, 1, zero);
    in.IrqSet(kBool | kTrigger, kIntxIrqIndex, 0, 0);  // not DATA_NONE
    in.IrqSet(kNone | kUnmask, kMsiIrqIndex, 0, 1);    // -ENOTTY
    in.IrqSet(kNone | kTrigger, kMsiIrqIndex, 0, 0);   // INTx is active
    in.IrqSet(kNone | kTrigger, kMsiIrqIndex, 0, 1);
    const uint32_t get = kFeatureGet, set = kFeatureSet, probe = kFeatureProbe;
    in.Feature(get | kFeatureMigration, 4);                      // argsz
    in.Feature(probe | get | set | kFeatureMigDeviceState, 16);  // probe
    in.Feature(probe | set | kFeatureMigration, 16);             // no SET
    in.Feature(probe | kFeatureMigDataSize, 16);
    in.Feature(kFeatureMigDeviceState, 16);                  // no op
    in.Feature(get | kFeatureMigDataSize, 8);                // minsz
    in.Feature(set | kFeatureMigDataSize, 16);               // no SET
    in.Feature(get | kFeatureMigration, 16, 0, 0, 12);       // short
    in.Feature(get | kFeatureMigDataSize, 16, 0, 0, 12);     // short
    in.Feature(set | kFeatureMigDeviceState, 16, 1, 0, 12);  // short
    add("irq_and_feature_edges_kernel", in);
  }
  return seeds;
}

}  // namespace

MTTY_REGISTER_SEEDS(vfio_ioctl, VfioIoctlSeeds, RunVfioIoctl)

}  // namespace mtty::fuzz
