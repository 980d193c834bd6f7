// Status and Result<T>: how every backaid API reports failure.
//
// Library exceptions (yaml-cpp, simdjson, the standard library) are caught at
// the module edge and turned into a Status; callers never see them.
//
// Contract: both types are values (copyable, movable, no shared state), so
// any number of threads may use different objects; one object is not
// synchronized. Both are [[nodiscard]]: an ignored error does not compile
// with -Werror. A message is plain text for a person or a log (it may name
// a file, line, member or id, never a secret such as a token).
#ifndef BACKAID_STATUS_H_
#define BACKAID_STATUS_H_

#include <string>
#include <utility>
#include <variant>

namespace backaid {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the input is malformed or out of range
  kNotFound,            // a named thing does not exist
  kFailedPrecondition,  // e.g. a knowledge base that does not lint clean
  kIoError,             // a file could not be read or written
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return Status(StatusCode::kInvalidArgument, std::move(m));
  }
  static Status NotFound(std::string m) {
    return Status(StatusCode::kNotFound, std::move(m));
  }
  static Status FailedPrecondition(std::string m) {
    return Status(StatusCode::kFailedPrecondition, std::move(m));
  }
  static Status IoError(std::string m) {
    return Status(StatusCode::kIoError, std::move(m));
  }
  static Status Internal(std::string m) {
    return Status(StatusCode::kInternal, std::move(m));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status. Constructing it from an OK Status is a
// programming error (ok() is false and value() throws
// std::bad_variant_access). value() on a failed Result throws the same:
// check ok() first. status() of a successful Result is an OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace backaid

#endif  // BACKAID_STATUS_H_
