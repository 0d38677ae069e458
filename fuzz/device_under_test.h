// Copyright mtty-lab authors.
//
// DeviceUnderTest: the device surface the fuzz harnesses drive, as an
// interface, so an oracle test can hand a harness a device with one rule
// deliberately broken (a subclass of RealDevice overriding one method)
// without touching core/. RealDevice forwards to MttyDevice unchanged; the
// fuzzers only ever use RealDevice.
#ifndef MTTY_FUZZ_DEVICE_UNDER_TEST_H_
#define MTTY_FUZZ_DEVICE_UNDER_TEST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/migration.h"
#include "core/status.h"
#include "core/vfio_device.h"

namespace mtty::fuzz {

class DeviceUnderTest {
 public:
  virtual ~DeviceUnderTest() = default;

  virtual Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) = 0;
  virtual Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) = 0;
  virtual Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) = 0;
  // The typed forms MttyDevice offers on top of Ioctl.
  virtual Result<vfio::RegionInfo> GetRegionInfo(uint32_t index) = 0;
  virtual Result<vfio::IrqInfo> GetIrqInfo(uint32_t index) = 0;
  virtual Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) = 0;
  virtual std::shared_ptr<MigrationFile> TakeMigrationFile(int32_t token) = 0;
  virtual void AdvanceTime(uint64_t ns) = 0;
  virtual void Close() = 0;
  virtual DeviceState state() const = 0;

  // Stream I/O on a file this device handed out; a hook point for tests.
  virtual Result<size_t> FileRead(MigrationFile& file, std::span<uint8_t> out) {
    return file.Read(out);
  }
  virtual Result<size_t> FileWrite(MigrationFile& file,
                                   std::span<const uint8_t> in) {
    return file.Write(in);
  }
};

class RealDevice : public DeviceUnderTest {
 public:
  explicit RealDevice(const DeviceOptions& options) : dev_(options) {}

  Result<size_t> Read(uint64_t pos, std::span<uint8_t> buf) override {
    return dev_.Read(pos, buf);
  }
  Result<size_t> Write(uint64_t pos, std::span<const uint8_t> buf) override {
    return dev_.Write(pos, buf);
  }
  Status Ioctl(uint32_t cmd, std::span<uint8_t> arg) override {
    return dev_.Ioctl(cmd, arg);
  }
  Result<vfio::RegionInfo> GetRegionInfo(uint32_t index) override {
    return dev_.GetRegionInfo(index);
  }
  Result<vfio::IrqInfo> GetIrqInfo(uint32_t index) override {
    return dev_.GetIrqInfo(index);
  }
  Result<std::shared_ptr<MigrationFile>> SetMigState(
      vfio::MigState target) override {
    return dev_.SetMigState(target);
  }
  std::shared_ptr<MigrationFile> TakeMigrationFile(int32_t token) override {
    return dev_.TakeMigrationFile(token);
  }
  void AdvanceTime(uint64_t ns) override { dev_.AdvanceTime(ns); }
  void Close() override { dev_.Close(); }
  DeviceState state() const override { return dev_.state(); }

  MttyDevice& device() { return dev_; }

 private:
  MttyDevice dev_;
};

// For oracle tests: a real device that can signal an eventfd behind its
// interrupt controller's back, and owns up to it in state() (irq.signals),
// so the eventfd count and the controller's count still agree and only the
// rule a test breaks on purpose is broken.
class RogueSignalDevice : public RealDevice {
 public:
  explicit RogueSignalDevice(const DeviceOptions& options)
      : RealDevice(options), resolver_(options.resolver) {}

  DeviceState state() const override {
    DeviceState s = RealDevice::state();
    s.irq.signals += rogue_signals_;
    return s;
  }

 protected:
  // Signals the sink `fd` resolves to; a no-op if it resolves to none.
  void SignalBehindController(int32_t fd) {
    if (resolver_ == nullptr) return;
    Result<std::shared_ptr<IrqSink>> sink = resolver_->Resolve(fd);
    if (!sink.ok()) return;
    sink.value()->Signal();
    ++rogue_signals_;
  }

 private:
  SinkResolver* resolver_;
  uint64_t rogue_signals_ = 0;
};

// Makes the device a harness run drives. Tests substitute broken devices.
using DeviceFactory =
    std::function<std::unique_ptr<DeviceUnderTest>(const DeviceOptions&)>;

inline std::unique_ptr<DeviceUnderTest> MakeRealDevice(
    const DeviceOptions& options) {
  return std::make_unique<RealDevice>(options);
}

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_DEVICE_UNDER_TEST_H_
