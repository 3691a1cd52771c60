// Status and Result<T>: errors as values at module boundaries.
//
// A Status is either OK or carries a code and a message that names where the
// problem is (file, line, field, column). Values are immutable after
// construction; const methods may be called from several threads at once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace fairlead {

class Status {
 public:
  enum class Code { kOk = 0, kInvalid, kNotFound, kIo, kConflict, kDenied, kInternal };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string msg) { return Status(Code::kInvalid, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Io(std::string msg) { return Status(Code::kIo, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Denied(std::string msg) { return Status(Code::kDenied, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid: people.csv:12: email: not an address"
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `where` ("file.csv:12: ").
  Status WithContext(const std::string& where) const {
    return ok() ? *this : Status(code_, where + message_);
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace fairlead

// Returns early from the calling function when `expr` yields a non-OK Status.
#define FL_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::fairlead::Status fl_status_ = (expr); \
    if (!fl_status_.ok()) return fl_status_; \
  } while (0)
