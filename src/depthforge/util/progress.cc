#include "depthforge/util/progress.h"

#include <unistd.h>

#include <cmath>

namespace depthforge {

Progress::Progress(std::string label, double total, std::string unit, std::FILE* out)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)), out_(out),
      interactive_(out != nullptr && isatty(fileno(out))),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { Finish(); }

std::string Progress::FormatAmount(double amount, const std::string& unit) {
  char text[64];
  if (unit == "B") {
    const char* prefixes[] = {"B", "kB", "MB", "GB", "TB"};
    int i = 0;
    while (amount >= 1000 && i < 4) { amount /= 1000; ++i; }
    std::snprintf(text, sizeof text, i == 0 ? "%.0f %s" : "%.1f %s", amount, prefixes[i]);
  } else {
    std::snprintf(text, sizeof text, "%.0f", amount);
  }
  return text;
}

std::string Progress::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  long s = std::lround(seconds);
  char text[32];
  if (s >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

void Progress::Set(double done) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  // Redraw a terminal line often, a log line rarely.
  double every = interactive_ ? 0.1 : 5.0;
  if (std::chrono::duration<double>(now - last_draw_).count() >= every) {
    last_draw_ = now;
    Draw(false);
  }
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

void Progress::Draw(bool final_line) {
  if (out_ == nullptr) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? done_ / elapsed : 0;
  char rate_text[48];
  if (unit_ == "B") std::snprintf(rate_text, sizeof rate_text, "%s/s", FormatAmount(rate, "B").c_str());
  else std::snprintf(rate_text, sizeof rate_text, "%.2f %s/s", rate, unit_.c_str());
  std::string line = label_ + " ";
  if (total_ > 0) {
    double fraction = std::min(1.0, done_ / total_);
    const int width = 24;
    int filled = int(fraction * width);
    line += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    line += FormatAmount(done_, unit_) + "/" + FormatAmount(total_, unit_) + " " + unit_ + "  ";
    double eta = rate > 0 ? (total_ - done_) / rate : NAN;
    line += rate_text;
    line += final_line ? "  in " + FormatDuration(elapsed) : "  ETA " + FormatDuration(eta);
  } else {
    line += FormatAmount(done_, unit_) + " " + unit_ + "  " + rate_text;
  }
  if (!note_.empty()) line += "  " + note_;
  if (interactive_) {
    std::fprintf(out_, "\r%s\033[K%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace depthforge
