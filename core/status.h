// Copyright mtty-lab authors.
//
// Errors are values. A Status carries 0 (success) or a negative Linux errno,
// the same convention the kernel's vfio callbacks use, so a result can be
// compared one-for-one with what the sample returns. Result<T> carries either
// a value or such a Status. Nothing here throws.
#ifndef MTTY_CORE_STATUS_H_
#define MTTY_CORE_STATUS_H_

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace mtty {

class [[nodiscard]] Status {
 public:
  constexpr Status() = default;
  static constexpr Status Ok() { return Status(); }
  // `neg_errno` is a negative errno such as -EINVAL; positive values are
  // normalised to negative so both spellings mean the same thing.
  static constexpr Status Error(int neg_errno) {
    return Status(neg_errno > 0 ? -neg_errno : neg_errno);
  }

  constexpr bool ok() const { return code_ == 0; }
  // 0 or a negative errno.
  constexpr int code() const { return code_; }

  // "OK" or e.g. "EINVAL (Invalid argument)".
  std::string ToString() const;

  friend constexpr bool operator==(Status a, Status b) {
    return a.code_ == b.code_;
  }

 private:
  constexpr explicit Status(int code) : code_(code) {}
  int code_ = 0;
};

// Symbolic name of a positive errno ("EINVAL"), or "E<number>" if unknown.
std::string ErrnoName(int err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status s) : v_(s) {}                // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  // Precondition: ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mtty

#endif  // MTTY_CORE_STATUS_H_
