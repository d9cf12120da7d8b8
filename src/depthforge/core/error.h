// Errors raised by depthforge. Each names the thing that was wrong (a file,
// an option, a model) and why, so the CLI can print it as one line.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

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

// Long work stopped by the user (Ctrl-C, InterruptRequested()). Whatever
// was being written for the item in progress has been removed.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

// Some of the outputs asked for could be written and were kept; the others
// failed for the reasons in what(). 'written' lists the files that exist.
class PartialOutputError : public Error {
 public:
  PartialOutputError(const std::string& reasons, std::vector<std::string> written)
      : Error(reasons), written_(std::move(written)) {}
  const std::vector<std::string>& written() const { return written_; }

 private:
  std::vector<std::string> written_;
};

}  // namespace depthforge
