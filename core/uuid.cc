#include "core/uuid.h"

#include <sys/random.h>

#include <atomic>
#include <chrono>
#include <random>

#include "core/hex.h"

namespace mtty {
namespace {

// Offsets of the 16 hex-digit pairs in the canonical string.
constexpr std::array<size_t, 16> kPairOffsets = {
    0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

constexpr bool IsHyphenOffset(size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

bool FillRandom(std::array<uint8_t, 16>& out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Result<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != kStringLength && text.size() != kStringLength + 1) {
    return Status::Error(-EINVAL);
  }
  // HexDigitValue takes the digits the kernel's isxdigit/hex_to_bin take:
  // ASCII 0-9, a-f and A-F only.
  for (size_t i = 0; i < kStringLength; ++i) {
    if (IsHyphenOffset(i) ? text[i] != '-' : HexDigitValue(text[i]) < 0) {
      return Status::Error(-EINVAL);
    }
  }
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) {
    const size_t at = kPairOffsets[i];
    bytes[i] = static_cast<uint8_t>(HexDigitValue(text[at]) << 4 |
                                    HexDigitValue(text[at + 1]));
  }
  return Uuid(bytes);
}

Uuid Uuid::RandomV4() {
  std::array<uint8_t, 16> bytes{};
  if (!FillRandom(bytes)) {
    static std::atomic<uint64_t> counter{0};
    std::mt19937_64 gen(static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count() ^
        (counter.fetch_add(1) * 0x9e3779b97f4a7c15ull)));
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t v = gen();
      for (size_t j = 0; j < 8; ++j)
        bytes[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122
  return Uuid(bytes);
}

std::string Uuid::ToString() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kStringLength, '-');
  for (size_t i = 0; i < bytes_.size(); ++i) {
    const size_t at = kPairOffsets[i];
    out[at] = kDigits[bytes_[i] >> 4];
    out[at + 1] = kDigits[bytes_[i] & 0x0f];
  }
  return out;
}

size_t Uuid::Hash() const {
  // FNV-1a: every byte matters and the result is the same on every run.
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : bytes_) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return static_cast<size_t>(h);
}

}  // namespace mtty
