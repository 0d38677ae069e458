// Copyright mtty-lab authors.
//
// FixedVector<T, N>: up to N values of T stored inline — a vector whose
// capacity is a compile-time bound, so copying, comparing and filling one
// never touches the heap.
//
// Why: DeviceState snapshots are taken after every fuzzer operation; with
// std::vector members each snapshot cost several allocations (expensive
// under ASan), which dominated the bar_access fuzzer's execution rate.
//
// Promises: size() <= N always. push_back on a full vector is ignored and
// returns false (callers size it from a bound they know). operator[] with an
// index >= size() is a caller bug; it is checked only by the hardened
// accessor get(), which returns nullptr.
#ifndef MTTY_CORE_FIXED_VECTOR_H_
#define MTTY_CORE_FIXED_VECTOR_H_

#include <algorithm>
#include <array>
#include <cstddef>

namespace mtty {

template <typename T, size_t N>
class FixedVector {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  FixedVector() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  static constexpr size_t capacity() { return N; }

  [[nodiscard]] bool push_back(const T& v) {
    if (size_ == N) return false;
    items_[size_++] = v;
    return true;
  }
  void clear() { size_ = 0; }

  T& operator[](size_t i) { return items_[i]; }
  const T& operator[](size_t i) const { return items_[i]; }
  const T* get(size_t i) const { return i < size_ ? &items_[i] : nullptr; }

  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }

  // Equal when the live elements are; what lies past size() never matters.
  friend bool operator==(const FixedVector& a, const FixedVector& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  std::array<T, N> items_{};
  size_t size_ = 0;
};

}  // namespace mtty

#endif  // MTTY_CORE_FIXED_VECTOR_H_
