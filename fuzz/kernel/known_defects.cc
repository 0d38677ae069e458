// Copyright mtty-lab authors.
#include "fuzz/kernel/known_defects.h"

#include <cstdio>
#include <cstdlib>

namespace mtty::fuzz::kernel {

const std::array<DefectInfo, kNumDefects>& AllDefects() {
  static const std::array<DefectInfo, kNumDefects> kDefects = {{
      {Defect::kConfigReadOob, "config-read-oob", "mdev_access",
       Detector::kSanitizer,
       "a config read at offset >= 0xff copies past the 255-byte vconfig "
       "(heap overflow; any 40-bit offset is accepted)"},
      {Defect::kBarIndexOob, "bar-index-oob", "handle_bar_write",
       Detector::kSanitizer,
       "BAR2..BAR5 index the two-element port array s[] (s[2] overlays the "
       "lock and dev_info, s[3].. run off the object)"},
      {Defect::kPhantomBar1, "phantom-bar1", "mdev_access",
       Detector::kDifferential,
       "BAR1 of a single-port device is a working port although its region "
       "size is 0"},
      {Defect::kBarReadUninit, "bar-read-uninit", "mtty_read",
       Detector::kDifferential,
       "a BAR read copies all 2/4 bytes of a stack value of which "
       "handle_bar_read wrote at most one (none for an empty RX or offset "
       ">= 8): kernel stack bytes reach the user"},
      {Defect::kConfigWriteOverread, "config-write-overread",
       "handle_pci_cfg_write", Detector::kSanitizer,
       "a 1- or 2-byte config write at 0x10/0x14 reads a u32 from the "
       "caller's 1/2-byte stack value: stack bytes land in the BAR"},
      {Defect::kNullEventfdSignal, "null-eventfd-signal",
       "mtty_trigger_interrupt", Detector::kKshim,
       "an interrupt raised before any SET_IRQS signals the NULL INTx "
       "eventfd (irq_index is -1)"},
      {Defect::kSetIrqsNullPayload, "set-irqs-null-payload", "mtty_set_irqs",
       Detector::kSanitizer,
       "SET_IRQS TRIGGER|DATA_EVENTFD with count 0 has no payload: the fd "
       "is read through a NULL pointer"},
      {Defect::kEventfdUseAfterPut, "eventfd-use-after-put",
       "mtty_trigger_interrupt", Detector::kKshim,
       "TRIGGER|DATA_NONE puts the eventfd but keeps the pointer, and the "
       "next interrupt signals it"},
      {Defect::kEventfdPutUnderflow, "eventfd-put-underflow", "mtty_set_irqs",
       Detector::kKshim,
       "a second TRIGGER|DATA_NONE puts the same eventfd again"},
      {Defect::kEventfdLeak, "eventfd-leak", "mtty_set_irqs", Detector::kKshim,
       "a new INTx eventfd replaces the old one without a put, and nothing "
       "puts the last one (6.1 has no close_device)"},
      {Defect::kFifoFullReadsEmpty, "fifo-full-reads-empty",
       "handle_bar_write", Detector::kDifferential,
       "16 queued bytes make head == tail: the port reads as empty and "
       "wedges until an FCR clear"},
      {Defect::kBarOffsetUnchecked, "bar-offset-unchecked", "handle_bar_read",
       Detector::kDifferential,
       "BAR accesses are not checked against the 8-byte region: offsets "
       "8..0xffff are accepted (writes dropped, reads copy uninitialised "
       "stack bytes) and the u16 offset makes 0x10000 alias register 0"},
      {Defect::kConfigWriteUnchecked, "config-write-unchecked",
       "handle_pci_cfg_write", Detector::kDifferential,
       "config writes are not checked against the 255-byte region: any "
       "40-bit offset is accepted and truncated to u16, so 0x10010 writes "
       "BAR0"},
  }};
  return kDefects;
}

const DefectInfo& Info(Defect d) {
  return AllDefects()[static_cast<size_t>(d)];
}

std::optional<Defect> DefectByName(std::string_view name) {
  for (const DefectInfo& info : AllDefects()) {
    if (name == info.name) return info.defect;
  }
  return std::nullopt;
}

const char* DetectorName(Detector d) {
  switch (d) {
    case Detector::kSanitizer:
      return "sanitizer";
    case Detector::kKshim:
      return "kshim";
    case Detector::kDifferential:
      return "differential";
  }
  return "?";
}

Hunt Hunt::All() {
  Hunt h;
  h.bits_ = (uint32_t{1} << kNumDefects) - 1;
  return h;
}

Hunt Hunt::None() { return Hunt(); }

std::optional<Hunt> Hunt::Parse(std::string_view spec, std::string* error) {
  if (spec.empty() || spec == "all") return All();
  if (spec == "none") return None();
  Hunt h;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view name = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view()
                                           : spec.substr(comma + 1);
    if (name.empty()) continue;
    const std::optional<Defect> d = DefectByName(name);
    if (!d) {
      if (error != nullptr) {
        *error = "unknown defect '" + std::string(name) + "'; known:";
        for (const DefectInfo& info : AllDefects()) {
          *error += " ";
          *error += info.name;
        }
      }
      return std::nullopt;
    }
    h.bits_ |= uint32_t{1} << static_cast<int>(*d);
  }
  return h;
}

const Hunt& Hunt::FromEnvironment() {
  static const Hunt* const hunt = [] {
    const char* env = std::getenv("MTTY_KERNEL_HUNT");
    std::string error;
    std::optional<Hunt> h = Parse(env == nullptr ? "" : env, &error);
    if (!h) {
      std::fprintf(stderr, "mtty-kernel: MTTY_KERNEL_HUNT=%s: %s\n", env,
                   error.c_str());
      std::exit(2);
    }
    return new Hunt(*h);
  }();
  return *hunt;
}

std::string Hunt::ToString() const {
  if (bits_ == All().bits_) return "all";
  if (bits_ == 0) return "none";
  std::string s;
  for (const DefectInfo& info : AllDefects()) {
    if (!hunts(info.defect)) continue;
    if (!s.empty()) s += ",";
    s += info.name;
  }
  return s;
}

}  // namespace mtty::fuzz::kernel
