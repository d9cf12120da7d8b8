// A progress line for long work: items done, rate and time left.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace depthforge {

class Progress {
 public:
  // total <= 0 means unknown. unit names the items ("img", "B").
  Progress(std::string label, double total, std::string unit, std::FILE* out = stderr);
  ~Progress();

  void Set(double done);
  // Extra text shown after the counts, e.g. "loss 0.123".
  void SetNote(std::string note) { note_ = std::move(note); }
  void Add(double amount) { Set(done_ + amount); }
  // Prints the last state and a newline. Called by the destructor if needed.
  void Finish();

  // "1.2 MB" for bytes, "12" otherwise.
  static std::string FormatAmount(double amount, const std::string& unit);
  static std::string FormatDuration(double seconds);

 private:
  void Draw(bool final_line);

  std::string label_;
  double total_;
  std::string unit_;
  std::FILE* out_;
  bool interactive_;
  bool finished_ = false;
  double done_ = 0;
  std::string note_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace depthforge
