// Copyright mtty-lab authors.
#include "core/fifo.h"

#include <algorithm>

namespace mtty {

bool Fifo::Push(uint8_t byte) {
  if (count_ >= kFifoCapacity) return false;
  ring_[(head_ + count_) % kFifoCapacity] = byte;
  ++count_;
  return true;
}

std::optional<uint8_t> Fifo::Pop() {
  if (count_ == 0) return std::nullopt;
  const uint8_t byte = ring_[head_];
  head_ = (head_ + 1) % kFifoCapacity;
  --count_;
  return byte;
}

std::optional<uint8_t> Fifo::Peek() const { return At(0); }

std::optional<uint8_t> Fifo::At(size_t i) const {
  if (i >= count_) return std::nullopt;
  return ring_[(head_ + i) % kFifoCapacity];
}

size_t Fifo::CopyOut(std::span<uint8_t, kFifoCapacity> out) const {
  // The live bytes are ring_[head_, head_ + count_) modulo the capacity:
  // at most two runs.
  const size_t first = std::min(count_, kFifoCapacity - head_);
  std::copy_n(ring_.begin() + head_, first, out.begin());
  std::copy_n(ring_.begin(), count_ - first, out.begin() + first);
  std::fill(out.begin() + count_, out.end(), 0);
  return count_;
}

void Fifo::Clear() {
  // Zeroing keeps dumps of a cleared queue free of stale data.
  ring_.fill(0);
  head_ = 0;
  count_ = 0;
}

bool operator==(const Fifo& a, const Fifo& b) {
  if (a.count_ != b.count_) return false;
  for (size_t i = 0; i < a.count_; ++i) {
    if (a.At(i) != b.At(i)) return false;
  }
  return true;
}

}  // namespace mtty
