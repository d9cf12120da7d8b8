#include "depthforge/util/interrupt.h"

#include <csignal>
#include <unistd.h>

#include <atomic>

namespace depthforge {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void HandleInterrupt(int signal_number) {
  if (interrupted.exchange(true)) {
    // Second interrupt: give up now, the way the default handler would.
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
    return;
  }
  const char message[] = "\ninterrupt: finishing the current item, then stopping (Ctrl-C again to quit now)\n";
  ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
}

}  // namespace

void InstallInterruptHandler() {
  struct sigaction action {};
  action.sa_handler = HandleInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool InterruptRequested() { return interrupted.load(); }
void RequestInterrupt() { interrupted = true; }
void ClearInterrupt() { interrupted = false; }

}  // namespace depthforge
