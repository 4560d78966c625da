// Result<T> and Status: errors as values inside lib/ (DESIGN.md "Conventions").
// An Error carries the text a Postfix program would print after "fatal:" or
// "warning:", plus the errno that caused it, when there was one.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace postline::base {

struct Error {
    std::string message;  // e.g. "open database t.db: No such file or directory"
    int errnum = 0;       // errno value behind the error, 0 when none
};

// Builds an Error from a prefix and errno: "PREFIX: strerror(errnum)".
Error errnoError(const std::string& prefix, int errnum = errno);

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// Status is a Result without a value.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), failed_(true) {}
    static Status success() { return Status(); }

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool failed_ = false;
};

}  // namespace postline::base
