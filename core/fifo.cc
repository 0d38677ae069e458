// Copyright mtty-lab authors.
#include "core/fifo.h"

#include <algorithm>
#include <cstring>

namespace mtty {

size_t Fifo::CopyOut(std::span<uint8_t, kFifoCapacity> out) const {
  // The live bytes are ring_[head_, head_ + count_) modulo the capacity:
  // at most two runs.
  const size_t first = std::min(count_, kFifoCapacity - head_);
  std::memcpy(out.data(), ring_.data() + head_, first);
  std::memcpy(out.data() + first, ring_.data(), count_ - first);
  std::fill(out.begin() + count_, out.end(), 0);
  return count_;
}

bool operator==(const Fifo& a, const Fifo& b) {
  if (a.count_ != b.count_) return false;
  for (size_t i = 0; i < a.count_; ++i) {
    if (a.At(i) != b.At(i)) return false;
  }
  return true;
}

}  // namespace mtty
