// Copyright mtty-lab authors.
//
// ConfigModel: the mtty config space's bytes and write rules, restated from
// core/PCI_IRQ.md §1.2 and §1.3 (initial bytes, the per-byte write rule,
// the BAR rule) without reading core/pci_config.cc. The config_space
// fuzzer's oracle; fuzz/models/config_model_test.cc checks it on cases
// written from that document.
#ifndef MTTY_FUZZ_MODELS_CONFIG_MODEL_H_
#define MTTY_FUZZ_MODELS_CONFIG_MODEL_H_

#include <array>
#include <cstdint>

#include "core/status.h"

namespace mtty::fuzz {

class ConfigModel {
 public:
  static constexpr uint32_t kSize = 0xff;

  explicit ConfigModel(int nr_ports);
  void Reset();
  // -EFAULT (as a Status) for a width outside {1,2,4} or any byte at or
  // past kSize.
  Result<uint32_t> Read(uint32_t offset, int width) const;
  Status Write(uint32_t offset, int width, uint32_t value);
  // Whether any write can change the byte at `offset`.
  bool Writable(uint32_t offset) const;
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }

 private:
  int nr_ports_;
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_MODELS_CONFIG_MODEL_H_
