// Copyright mtty-lab authors.
//
// ByteReader: the fuzzers' view of an input as a stream of little-endian
// fields. Reading past the end yields zero bytes, so every decoder is total:
// any input, however short, decodes into some operation sequence.
#ifndef MTTY_FUZZ_BYTE_READER_H_
#define MTTY_FUZZ_BYTE_READER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mtty::fuzz {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool empty() const { return pos_ >= data_.size(); }
  size_t remaining() const { return empty() ? 0 : data_.size() - pos_; }

  uint8_t U8() { return empty() ? 0 : data_[pos_++]; }
  uint16_t U16() { return static_cast<uint16_t>(Le(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Le(4)); }
  uint64_t U64() { return Le(8); }

  // The next min(n, remaining()) bytes.
  std::span<const uint8_t> Bytes(size_t n) {
    const size_t take = std::min(n, remaining());
    std::span<const uint8_t> out = data_.subspan(pos_, take);
    pos_ += take;
    return out;
  }

 private:
  uint64_t Le(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{U8()} << (8 * i);
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// Little-endian appends, the inverse of ByteReader, for seed encoders.
inline void PutLe(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace mtty::fuzz

#endif  // MTTY_FUZZ_BYTE_READER_H_
