// The outcome of a command from JavaScript: ok, or which JS error to throw and its message.
#pragma once
#include <string>
#include <utility>

namespace sy {

struct Status {
  enum class Kind { kOk, kTypeError, kRangeError, kError };
  Kind kind = Kind::kOk;
  std::string message;

  bool ok() const { return kind == Kind::kOk; }
  static Status Ok() { return {}; }
  static Status Type(std::string m) { return {Kind::kTypeError, std::move(m)}; }
  static Status Range(std::string m) { return {Kind::kRangeError, std::move(m)}; }
  static Status Error(std::string m) { return {Kind::kError, std::move(m)}; }
};

}  // namespace sy
