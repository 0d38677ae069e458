// Copyright mtty-lab authors.
//
// The UART's receive FIFO: a bounded byte queue of kFifoCapacity bytes.
#ifndef MTTY_CORE_FIFO_H_
#define MTTY_CORE_FIFO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace mtty {

// A 16550A holds 16 bytes in each FIFO, and so does the kernel sample's ring.
inline constexpr size_t kFifoCapacity = 16;

// A first-in first-out queue of at most kFifoCapacity bytes.
//
// Occupancy is an explicit count, so a full queue can never be mistaken for an
// empty one (the sample's ring tests `head == tail` and wedges at 16 bytes).
// No sequence of calls can touch memory outside the ring.
class Fifo {
 public:
  Fifo() = default;

  // Appends `byte` as the newest entry. Returns false, changing nothing, when
  // the queue is full.
  bool Push(uint8_t byte);
  // Removes and returns the oldest byte; nullopt (no change) when empty.
  std::optional<uint8_t> Pop();
  // The oldest byte, left in place; nullopt when empty.
  std::optional<uint8_t> Peek() const;
  // The i-th oldest byte (0 is what Pop would return); nullopt if i >= size().
  std::optional<uint8_t> At(size_t i) const;

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == kFifoCapacity; }
  static constexpr size_t capacity() { return kFifoCapacity; }

  void Clear();

  // Copies the queued bytes, oldest first, into `out` and zero-fills the
  // rest of it; returns size(). Two block copies, no per-byte loop: device
  // snapshots call this after every fuzzer operation.
  size_t CopyOut(std::span<uint8_t, kFifoCapacity> out) const;

  // Queues are equal when they hold the same bytes in the same order; where
  // the bytes sit in the ring is not observable and does not count.
  friend bool operator==(const Fifo& a, const Fifo& b);

 private:
  std::array<uint8_t, kFifoCapacity> ring_{};
  size_t head_ = 0;   // slot of the oldest byte; always < kFifoCapacity
  size_t count_ = 0;  // always <= kFifoCapacity
};

}  // namespace mtty

#endif  // MTTY_CORE_FIFO_H_
