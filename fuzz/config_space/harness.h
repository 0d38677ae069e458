// Copyright mtty-lab authors.
//
// The config_space fuzzer's logic: config-space reads and writes of every
// width (valid or not) and alignment, directly on PciConfig or through the
// device's config region, against ConfigModel — an independent statement of
// the rules in core/PCI_IRQ.md §1 (initial bytes, per-byte write rule, BAR
// rule). After every operation:
//  * the result (value / -EFAULT) is the model's, and all 0xff bytes equal
//    the model's; a failed access changes nothing;
//  * every byte that differs from its initial value is one
//    PciConfig::ByteMayChange allows (and ByteMayChange agrees with the
//    model's writable set everywhere);
//  * the BAR sizing protocol answers ~7 | I/O | sticky bit 1 on an
//    implemented BAR, 0 elsewhere, and the restore puts back every byte
//    (unless the BAR held 0xffffffff: writing that back sizes again).
#ifndef MTTY_FUZZ_CONFIG_SPACE_HARNESS_H_
#define MTTY_FUZZ_CONFIG_SPACE_HARNESS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/pci_config.h"
#include "core/status.h"
#include "fuzz/device_under_test.h"
#include "fuzz/finding.h"
#include "fuzz/models/config_model.h"

namespace mtty::fuzz {

// What the direct path drives; tests subclass RealPciConfig to break a rule.
class ConfigUnderTest {
 public:
  virtual ~ConfigUnderTest() = default;
  virtual Result<uint32_t> Read(uint32_t offset, int width) = 0;
  virtual Status Write(uint32_t offset, int width, uint32_t value) = 0;
  virtual void Reset() = 0;
  virtual std::vector<uint8_t> bytes() const = 0;
};

class RealPciConfig : public ConfigUnderTest {
 public:
  explicit RealPciConfig(int nr_ports) : config_(nr_ports) {}
  Result<uint32_t> Read(uint32_t offset, int width) override {
    return config_.Read(offset, width);
  }
  Status Write(uint32_t offset, int width, uint32_t value) override {
    return config_.Write(offset, width, value);
  }
  void Reset() override { config_.Reset(); }
  std::vector<uint8_t> bytes() const override {
    return {config_.bytes().begin(), config_.bytes().end()};
  }

 private:
  PciConfig config_;
};

struct ConfigSpaceOptions {
  std::function<std::unique_ptr<ConfigUnderTest>(int nr_ports)> config =
      [](int nr_ports) { return std::make_unique<RealPciConfig>(nr_ports); };
  DeviceFactory device = MakeRealDevice;
  // The core's statement of which bytes may change, checked against the
  // rules; replaceable so a test can show the check fires.
  std::function<bool(uint32_t offset, int nr_ports)> byte_may_change =
      &PciConfig::ByteMayChange;
  size_t max_ops = 4096;
};

MaybeFinding RunConfigSpace(std::span<const uint8_t> input,
                            const ConfigSpaceOptions& options = {});

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_CONFIG_SPACE_HARNESS_H_
