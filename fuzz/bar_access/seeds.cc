// Copyright mtty-lab authors.
//
// bar_access seeds: what real drivers do to the device, so fuzzing starts
// from deep, meaningful states.
#include "fuzz/seeds.h"

#include "core/uart16550.h"
#include "core/vfio_uapi.h"
#include "fuzz/bar_access/harness.h"
#include "fuzz/bar_access/ops.h"

namespace mtty::fuzz {
namespace {

using bar::Input;
using bar::IrqSetup;

// Linux serial8250_do_startup + set_termios (115200 8N1) + a little traffic
// + shutdown, per docs/spec/linux-8250.md#startup.
void Linux8250Session(Input& in, int port) {
  // Clear the FIFOs, read the status registers.
  in.Write(port, kIirFcr, 0x01).Write(port, kIirFcr, 0x07);
  in.Write(port, kIirFcr, 0x00);
  in.Read(port, kLsr).Read(port, kRbrThr).Read(port, kIirFcr).Read(port, kMsr);
  in.Read(port, kLsr);  // the 0xff "no UART" check
  // THRE test.
  in.Write(port, kIer, kIerThri).Read(port, kIirFcr).Write(port, kIer, 0);
  in.Write(port, kIer, kIerThri).Read(port, kIirFcr).Write(port, kIer, 0);
  // 8N1, DTR | RTS | OUT2.
  in.Write(port, kLcr, 0x03).Write(port, kMcr, 0x0b);
  // TXEN test.
  in.Write(port, kIer, kIerThri).Read(port, kLsr).Read(port, kIirFcr);
  in.Write(port, kIer, 0);
  in.Read(port, kLsr).Read(port, kRbrThr).Read(port, kIirFcr).Read(port, kMsr);
  // set_termios: IER, divisor 1, FIFO trigger 8.
  in.Write(port, kIer, kIerRlsi | kIerRdi);
  in.Write(port, kLcr, 0x83).Write(port, kRbrThr, 0x01).Write(port, kIer, 0);
  in.Write(port, kLcr, 0x03);
  in.Write(port, kIirFcr, 0x01).Write(port, kIirFcr, 0x87);
  in.Write(port, kMcr, 0x0b);
  // Transmit "mtty\n" with THRI, as the IRQ handler does, then read it back.
  in.Write(port, kIer, kIerRlsi | kIerRdi | kIerThri);
  for (uint8_t c : {'m', 't', 't', 'y', '\n'}) {
    in.Read(port, kIirFcr).Read(port, kLsr).Write(port, kRbrThr, c);
  }
  in.Write(port, kIer, kIerRlsi | kIerRdi);
  in.AdvanceNs(2'000'000);  // character timeout for the 5 bytes below trigger
  in.Read(port, kIirFcr).Read(port, kLsr);
  for (int i = 0; i < 5; ++i) in.Read(port, kRbrThr).Read(port, kLsr);
  in.Read(port, kMsr);
  // Shutdown.
  in.Write(port, kIer, 0).Write(port, kMcr, 0x03).Write(port, kLcr, 0x03);
  in.Write(port, kIirFcr, 0x07).Write(port, kIirFcr, 0x00);
  in.Read(port, kRbrThr);
}

// Linux autoconfig(): IER probe, loopback probe, FIFO probe, scratch test,
// size_fifo (docs/spec/linux-8250.md#autoconfig).
void LinuxAutoconfig(Input& in) {
  in.Write(0, kIer, 0x00).Read(0, kIer).Write(0, kIer, 0x0f).Read(0, kIer);
  in.Write(0, kIer, 0x00);
  in.Write(0, kMcr, 0x1a).Read(0, kMsr).Write(0, kMcr, 0x00);
  in.Write(0, kLcr, 0xbf).Write(0, kIirFcr, 0x00).Write(0, kLcr, 0x00);
  in.Write(0, kIirFcr, 0x01).Read(0, kIirFcr);
  in.Write(0, kScr, 0xa5).Read(0, kScr).Write(0, kScr, 0x5a).Read(0, kScr);
  // size_fifo: loopback, divisor 1, FIFO cleared, 256 bytes out, count in.
  in.Write(0, kIirFcr, 0x07).Write(0, kMcr, 0x10);
  in.Write(0, kLcr, 0x80).Write(0, kRbrThr, 0x01).Write(0, kIer, 0x00);
  in.Write(0, kLcr, 0x03);
  for (int i = 0; i < 8; ++i) in.WriteRepeat(0, kRbrThr, 0x55, 32);
  in.ReadRepeat(0, kRbrThr, 16).Read(0, kLsr);
  in.Write(0, kIirFcr, 0x07).Write(0, kIirFcr, 0x00).Write(0, kMcr, 0x00);
}

Seed Make(const char* name, const Input& in) {
  return Seed{"bar_access", name, in.bytes()};
}

std::vector<Seed> BarAccessSeeds() {
  std::vector<Seed> seeds;
  {
    Input in(1, Profile::k16550a, IrqSetup::kIntx);
    Linux8250Session(in, 0);
    seeds.push_back(Make("linux_8250_startup_16550a_intx", in));
  }
  {
    Input in(2, Profile::kKernel, IrqSetup::kMsi);
    Linux8250Session(in, 0);
    Linux8250Session(in, 1);
    seeds.push_back(Make("linux_8250_startup_kernel_dual_msi", in));
  }
  {
    Input in(2, Profile::k16550a, IrqSetup::kMsi);
    Linux8250Session(in, 1);
    seeds.push_back(Make("linux_8250_startup_16550a_port1_msi", in));
  }
  {
    Input in(1, Profile::k16550a);
    LinuxAutoconfig(in);
    seeds.push_back(Make("linux_autoconfig_16550a", in));
  }
  {
    Input in(1, Profile::kKernel);
    LinuxAutoconfig(in);
    seeds.push_back(Make("linux_autoconfig_kernel", in));
  }
  {
    // Character timeout at every trigger level, with MSI.
    Input in(1, Profile::k16550a, IrqSetup::kMsi);
    in.Write(0, kLcr, 0x83).Write(0, kRbrThr, 0x01).Write(0, kLcr, 0x03);
    in.Write(0, kIer, kIerRdi);
    for (uint8_t fcr : {0x01, 0x41, 0x81, 0xc1}) {
      in.Write(0, kIirFcr, static_cast<uint8_t>(fcr | 0x02));
      in.WriteRepeat(0, kRbrThr, 0x30, 3);
      in.AdvanceNs(347'222).Read(0, kIirFcr).AdvanceNs(1).Read(0, kIirFcr);
      in.Read(0, kRbrThr).Read(0, kIirFcr);
    }
    seeds.push_back(Make("cti_every_trigger_level_16550a", in));
  }
  {
    // Overrun, break and line-status interrupts, FIFO on and off.
    Input in(1, Profile::k16550a, IrqSetup::kIntx);
    in.Write(0, kIer, kIerRlsi | kIerRdi);
    in.WriteRepeat(0, kRbrThr, 0x41, 17).Read(0, kIirFcr).Read(0, kLsr);
    in.IoctlOp(bar::kIntxUnmask);
    in.Write(0, kLcr, 0x40).Read(0, kLsr).Write(0, kLcr, 0x00);
    in.Write(0, kIirFcr, 0x01).Write(0, kLcr, 0x40).Read(0, kLsr);
    in.Write(0, kRbrThr, 0x42).Write(0, kLcr, 0x00).Read(0, kRbrThr);
    in.ReadRepeat(0, kLsr, 2);
    seeds.push_back(Make("overrun_break_rls_16550a", in));
  }
  {
    // The kernel profile's quirks: full FIFO, sticky overrun, ORed divisor,
    // MSR with AFE, MCR double events.
    Input in(1, Profile::kKernel, IrqSetup::kMsi);
    in.Write(0, kIer, 0x0f).WriteRepeat(0, kRbrThr, 0x61, 17);
    in.Read(0, kLsr).Read(0, kIirFcr).Write(0, kMcr, 0x2b).Read(0, kMsr);
    in.ReadRepeat(0, kRbrThr, 17).Read(0, kLsr);
    in.Write(0, kLcr, 0x80).Write(0, kRbrThr, 0x0c).Write(0, kRbrThr, 0x30);
    in.Read(0, kRbrThr).Write(0, kLcr, 0x03);
    seeds.push_back(Make("kernel_quirks_msi", in));
  }
  {
    // Windows-style IER 0 -> 0x0f toggles and modem-status interrupts.
    Input in(1, Profile::k16550a, IrqSetup::kIntx);
    for (int i = 0; i < 3; ++i) {
      in.Write(0, kIer, 0x00).Write(0, kIer, 0x0f).Read(0, kIirFcr);
      in.IoctlOp(bar::kIntxUnmask);
    }
    in.Write(0, kMcr, 0x1f).Read(0, kIirFcr).Read(0, kMsr);
    in.Write(0, kMcr, 0x10).Read(0, kMsr).Read(0, kIirFcr);
    seeds.push_back(Make("ier_toggle_modem_status_16550a", in));
  }
  {
    // Wide accesses across the BAR, both profiles' split rules.
    Input in(2, Profile::k16550a);
    in.WriteWide(0, 0, 4, 0x03c10f41).Read(0, 0, 4).Read(0, 4, 4);
    in.WriteWide(1, 2, 2, 0x8301).Read(1, 0, 2).Read(1, 6, 2);
    in.RawRead(vfio::RegionOffset(0) + 1, 4).RawRead(vfio::RegionOffset(1), 8);
    seeds.push_back(Make("wide_accesses_16550a_dual", in));
  }
  {
    // The kernel profile on wide accesses: the sample decodes only the
    // first byte of a 2- or 4-byte access (the rest of a read is zero, the
    // rest of a write is dropped), and ignores LSR and MSR writes.
    Input in(2, Profile::kKernel, IrqSetup::kIntx);
    in.Write(0, kLsr, 0xff).Write(0, kMsr, 0xff).Read(0, kLsr).Read(0, kMsr);
    in.WriteWide(0, 0, 4, 0x03c10f41).Read(0, 0, 4).Read(0, 4, 4);
    in.WriteWide(1, 6, 2, 0x5aa5).Read(1, 6, 2).Read(1, 4, 2);
    in.WriteWide(1, 4, 2, 0xff03).Read(1, 4, 2).Read(1, 0, 2);
    const uint8_t three[3] = {1, 2, 3};  // LSR, MSR, SCR of port 1
    in.RawWrite(vfio::RegionOffset(1) + 5, three);
    in.RawRead(vfio::RegionOffset(0) + 1, 4).RawRead(vfio::RegionOffset(1), 8);
    seeds.push_back(Make("kernel_wide_accesses_status_writes_dual", in));
  }
  {
    // The character timeout with the divisor never programmed (DLL = DLM =
    // 0 counts as 65536: about 16 s at 5N1), held while time keeps passing,
    // until the idle time saturates; a read clears it.
    Input in(1, Profile::k16550a, IrqSetup::kMsi);
    in.Write(0, kIer, kIerRdi).Write(0, kIirFcr, 0xc7);  // trigger 14
    in.WriteRepeat(0, kRbrThr, 0x5a, 3);
    in.AdvanceNs(1).Read(0, kIirFcr);               // no timeout yet
    in.AdvanceNs(16'000'000'000).Read(0, kIirFcr);  // CTI
    constexpr uint64_t kMaxSeconds = uint64_t{0xffffffff} * 1'000'000'000;
    for (int i = 0; i < 5; ++i) in.AdvanceNs(kMaxSeconds);  // saturates
    in.Read(0, kIirFcr).Read(0, kRbrThr).Read(0, kIirFcr);
    in.AdvanceNs(kMaxSeconds).Read(0, kIirFcr).ReadRepeat(0, kRbrThr, 2);
    seeds.push_back(Make("cti_held_divisor_zero_saturating_16550a", in));
  }
  {
    // Config space: BAR sizing, interrupt line, read-only bytes, and
    // accesses that must fail.
    Input in(2, Profile::kKernel);
    in.ConfigRead(0x00, 4).ConfigRead(0x08, 4);
    in.ConfigWrite(0x10, 4, 0xffffffff).ConfigRead(0x10, 4);
    in.ConfigWrite(0x10, 4, 0x0000c000).ConfigRead(0x10, 4);
    in.ConfigWrite(0x14, 4, 0xffffffff).ConfigRead(0x14, 4);
    in.ConfigWrite(0x3c, 1, 0x0b).ConfigWrite(0x3d, 1, 0x04);
    in.ConfigWrite(0x04, 2, 0x0007).ConfigRead(0xfc, 4).ConfigRead(0xfe, 1);
    seeds.push_back(Make("config_bar_sizing_dual", in));
  }
  {
    // Every kind of invalid access: BAR1 on a single port, BAR2..5, ROM,
    // VGA, indexes past 8, offsets just inside and past the region ends,
    // offsets near 2^40, empty requests.
    Input in(1, Profile::kKernel);
    const uint8_t data[4] = {1, 2, 3, 4};
    in.RawRead(vfio::RegionOffset(1), 1).RawWrite(vfio::RegionOffset(1), data);
    for (uint32_t index : {2u, 5u, 6u, 8u, 9u, 255u}) {
      in.RawRead(vfio::RegionOffset(index), 1);
    }
    in.RawRead(vfio::RegionOffset(0) + 7, 2)
        .RawRead(vfio::RegionOffset(0) + 8, 1);
    in.RawRead(vfio::RegionOffset(7) + 0xfe, 1)
        .RawRead(vfio::RegionOffset(7) + 0xfe, 2);
    in.RawWrite(vfio::RegionOffset(7) + vfio::kRegionOffsetMask - 1, data);
    in.RawRead(vfio::RegionOffset(0) + vfio::kRegionOffsetMask, 1);
    in.RawRead(~uint64_t{0}, 1).RawRead(vfio::RegionOffset(0), 0);
    in.RawWrite(vfio::RegionOffset(3), std::span<const uint8_t>());
    seeds.push_back(Make("invalid_regions_single", in));
  }
  {
    // The interrupt ioctls in between port activity.
    Input in(1, Profile::k16550a);
    in.IoctlOp(bar::kGetIrqInfo, 0).IoctlOp(bar::kGetRegionInfo, 7);
    in.IoctlOp(bar::kIntxEventfd).Write(0, kIer, kIerThri);
    in.IoctlOp(bar::kIntxMask).Write(0, kRbrThr, 1).IoctlOp(bar::kIntxUnmask);
    in.IoctlOp(bar::kIntxLoopback).IoctlOp(bar::kIntxBadFd);
    in.IoctlOp(bar::kMsiNotEventfd).IoctlOp(bar::kIntxDisable);
    in.IoctlOp(bar::kMsiEventfd).Write(0, kIer, 0).Write(0, kIer, kIerThri);
    in.IoctlOp(bar::kMsiLoopback).IoctlOp(bar::kReset).Read(0, kIirFcr);
    in.IoctlOp(bar::kClose).Write(0, kRbrThr, 2).IoctlOp(bar::kIntxFdMinus1);
    seeds.push_back(Make("irq_ioctls_16550a", in));
  }
  return seeds;
}

}  // namespace

MTTY_REGISTER_SEEDS(bar_access, BarAccessSeeds, RunBarAccess)

}  // namespace mtty::fuzz
