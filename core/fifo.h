// Copyright mtty-lab authors.
//
// The UART's receive FIFO: a bounded byte queue of kFifoCapacity bytes.
#ifndef MTTY_CORE_FIFO_H_
#define MTTY_CORE_FIFO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace mtty {

// A 16550A holds 16 bytes in each FIFO, and so does the kernel sample's ring.
inline constexpr size_t kFifoCapacity = 16;

// A first-in first-out queue of at most kFifoCapacity bytes.
//
// Occupancy is an explicit count, so a full queue can never be mistaken for an
// empty one (the sample's ring tests `head == tail` and wedges at 16 bytes).
// No sequence of calls can touch memory outside the ring. Slots that hold no
// queued byte are always zero.
//
// The per-access operations are defined here, inline: they sit on the path
// of every emulated RBR read and THR write (bench/bar_access_bench).
class Fifo {
 public:
  Fifo() = default;

  // Appends `byte` as the newest entry. Returns false, changing nothing, when
  // the queue is full.
  bool Push(uint8_t byte) {
    if (count_ >= kFifoCapacity) return false;
    ring_[(head_ + count_) % kFifoCapacity] = Slot{byte};
    ++count_;
    return true;
  }
  // Removes and returns the oldest byte; nullopt (no change) when empty.
  std::optional<uint8_t> Pop() {
    if (count_ == 0) return std::nullopt;
    const auto byte = static_cast<uint8_t>(ring_[head_]);
    ring_[head_] = Slot{0};
    head_ = (head_ + 1) % kFifoCapacity;
    --count_;
    return byte;
  }
  // Overwrites the newest byte (a 16450's receiver buffer taking a new
  // character over an unread one). Returns false, changing nothing, when
  // empty.
  bool ReplaceNewest(uint8_t byte) {
    if (count_ == 0) return false;
    ring_[(head_ + count_ - 1) % kFifoCapacity] = Slot{byte};
    return true;
  }
  // The oldest byte, left in place; nullopt when empty.
  std::optional<uint8_t> Peek() const { return At(0); }
  // The i-th oldest byte (0 is what Pop would return); nullopt if i >= size().
  std::optional<uint8_t> At(size_t i) const {
    if (i >= count_) return std::nullopt;
    return static_cast<uint8_t>(ring_[(head_ + i) % kFifoCapacity]);
  }
  // Whether any queued byte is nonzero: one pass over the ring, no loop over
  // the queue (free slots are zero).
  bool AnyNonZero() const {
    uint64_t lo, hi;
    static_assert(kFifoCapacity == sizeof lo + sizeof hi);
    std::memcpy(&lo, ring_.data(), sizeof lo);
    std::memcpy(&hi, ring_.data() + sizeof lo, sizeof hi);
    return (lo | hi) != 0;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == kFifoCapacity; }
  static constexpr size_t capacity() { return kFifoCapacity; }

  void Clear() {
    // Zeroing keeps the free-slots-are-zero rule (and dumps free of stale
    // data).
    ring_.fill(Slot{0});
    head_ = 0;
    count_ = 0;
  }

  // Copies the queued bytes, oldest first, into `out` and zero-fills the
  // rest of it; returns size(). Two block copies, no per-byte loop: device
  // snapshots call this after every fuzzer operation.
  size_t CopyOut(std::span<uint8_t, kFifoCapacity> out) const;

  // Queues are equal when they hold the same bytes in the same order; where
  // the bytes sit in the ring is not observable and does not count.
  friend bool operator==(const Fifo& a, const Fifo& b);

 private:
  // Not uint8_t: a store through a character type may alias anything, so
  // the compiler would reload head_ and count_ (and the other FIFO's) after
  // every byte stored, often straight from a store still in flight.
  enum class Slot : uint8_t {};
  static_assert(sizeof(Slot) == 1);
  std::array<Slot, kFifoCapacity> ring_{};
  size_t head_ = 0;   // slot of the oldest byte; always < kFifoCapacity
  size_t count_ = 0;  // always <= kFifoCapacity
};

}  // namespace mtty

#endif  // MTTY_CORE_FIFO_H_
