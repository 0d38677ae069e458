// Copyright mtty-lab authors.
//
// Errors are values. A Status carries 0 (success) or a negative Linux errno,
// the same convention the kernel's vfio callbacks use, so a result can be
// compared one-for-one with what the sample returns, and optionally a reason
// in words for a person reading a failure. Result<T> carries either a value
// or such a Status. Nothing here throws.
#ifndef MTTY_CORE_STATUS_H_
#define MTTY_CORE_STATUS_H_

#include <cerrno>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace mtty {

// Trivially copyable and two words, so it is returned in registers; a
// Result of a small value packs it tighter still (PackedStorage below).
class [[nodiscard]] Status {
 public:
  constexpr Status() = default;
  static constexpr Status Ok() { return Status(); }
  // `neg_errno` is a negative errno such as -EINVAL; positive values are
  // normalised to negative so both spellings mean the same thing. `reason`,
  // if given, must be a string literal (or otherwise outlive every copy of
  // the Status): it is kept as a pointer, never copied or freed. It says what
  // was wrong, e.g. "RX count above the FIFO capacity".
  static constexpr Status Error(int neg_errno, const char* reason = nullptr) {
    return Status(neg_errno > 0 ? -neg_errno : neg_errno, reason);
  }

  constexpr bool ok() const { return code_ == 0; }
  // 0 or a negative errno.
  constexpr int code() const { return code_; }
  // The reason given to Error, or "" if none was.
  constexpr const char* reason() const {
    return reason_ != nullptr ? reason_ : "";
  }

  // "OK", "EINVAL (Invalid argument)", or with a reason
  // "EINVAL (Invalid argument): <reason>".
  std::string ToString() const;

  // Compares the errno only. Our results are compared with the kernel
  // sample's, which has no reasons, and the same failure may be explained in
  // different words at different layers.
  friend constexpr bool operator==(Status a, Status b) {
    return a.code_ == b.code_;
  }

 private:
  constexpr Status(int code, const char* reason)
      : code_(code), reason_(reason) {}

  int code_ = 0;
  const char* reason_ = nullptr;  // a string literal, or nullptr for none
};
static_assert(std::is_trivially_copyable_v<Status>);
static_assert(sizeof(Status) <= 2 * sizeof(void*));

// Symbolic name of a positive errno ("EINVAL"), or "E<number>" if unknown.
std::string ErrnoName(int err);

namespace status_internal {

// Reports a value() call on a Result that holds an error, and aborts.
[[noreturn]] void BadResultAccess(Status status);

// Result's storage for any T: the value or the Status.
template <typename T>
class VariantStorage {
 public:
  explicit VariantStorage(T value) : v_(std::move(value)) {}
  explicit VariantStorage(Status s) : v_(s) {}

  bool has_value() const { return std::holds_alternative<T>(v_); }
  Status error() const { return *std::get_if<Status>(&v_); }
  T& value() { return *std::get_if<T>(&v_); }
  const T& value() const { return *std::get_if<T>(&v_); }

 private:
  std::variant<T, Status> v_;
};

// Result's storage for a trivially copyable T. The value shares its bytes
// with the error's reason pointer, so that Result<size_t> stays two words
// and is returned in registers; std::variant<size_t, Status> would be three
// and go through memory, which bench/bar_access_bench measures as slower
// 1-byte BAR writes. Trivially copyable itself.
template <typename T>
class PackedStorage {
 public:
  explicit PackedStorage(T value) : value_(value) {}
  explicit PackedStorage(Status s)
      : reason_(s.reason()), code_(s.code()), is_error_(true) {}

  bool has_value() const { return !is_error_; }
  Status error() const { return Status::Error(code_, reason_); }
  T& value() { return value_; }
  const T& value() const { return value_; }

 private:
  union {
    T value_;
    const char* reason_;  // Status::reason() while is_error_
  };
  // Both 0 with a value: Result<size_t>'s second register is then a plain 0,
  // as with std::variant's index.
  int code_ = 0;
  bool is_error_ = false;
};

}  // namespace status_internal

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : s_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status s) : s_(s) {}                // NOLINT: implicit by design

  bool ok() const { return s_.has_value(); }
  Status status() const { return ok() ? Status::Ok() : s_.error(); }
  // Precondition: ok(); otherwise reports the error and aborts.
  const T& value() const& {
    CheckOk();
    return s_.value();
  }
  T& value() & {
    CheckOk();
    return s_.value();
  }
  T&& value() && {
    CheckOk();
    return std::move(s_.value());
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckOk() const {
    if (!ok()) [[unlikely]] {
      status_internal::BadResultAccess(s_.error());
    }
  }

  std::conditional_t<std::is_trivially_copyable_v<T>,
                     status_internal::PackedStorage<T>,
                     status_internal::VariantStorage<T>>
      s_;
};

}  // namespace mtty

#endif  // MTTY_CORE_STATUS_H_
