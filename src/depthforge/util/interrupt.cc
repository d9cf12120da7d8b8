#include "depthforge/util/interrupt.h"

#include <csignal>
#include <unistd.h>

#include <atomic>

#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

std::atomic<bool> interrupted{false};

void Say(const char* message, size_t length) {
  ssize_t ignored = write(STDERR_FILENO, message, length);
  (void)ignored;
}

extern "C" void HandleInterrupt(int signal_number) {
  if (signal_number == SIGTERM || interrupted.exchange(true)) {
    // Stop now, the way the default handler would, without the temporary
    // files of the outputs in progress.
    RemoveLiveTemporaries();
    if (signal_number == SIGTERM) {
      const char message[] = "\nterminated: stopping now (finished outputs are kept)\n";
      Say(message, sizeof message - 1);
    }
    _exit(128 + signal_number);
  }
  const char message[] = "\ninterrupt: finishing the current item, then stopping (Ctrl-C again to quit now)\n";
  Say(message, sizeof message - 1);
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
