// Errors raised by depthforge. Each names the thing that was wrong (a file,
// an option, a model) and why, so the CLI can print it as one line.
#pragma once

#include <stdexcept>
#include <string>

namespace depthforge {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file that could not be read, parsed or written: "<path>: <reason>".
class FileError : public Error {
 public:
  FileError(const std::string& path, const std::string& reason)
      : Error(path + ": " + reason), path_(path), reason_(reason) {}
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

// An option with a value outside what it accepts.
class OptionError : public Error {
 public:
  using Error::Error;
};

}  // namespace depthforge
