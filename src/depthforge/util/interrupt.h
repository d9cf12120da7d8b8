// Ctrl-C for long work: the first interrupt asks the work to stop after the
// item in progress (whose outputs are completed or removed); a second one
// ends the program at once.
#pragma once

namespace depthforge {

// Installs the SIGINT/SIGTERM handler. Idempotent.
void InstallInterruptHandler();
bool InterruptRequested();
void RequestInterrupt();  // as if the user pressed Ctrl-C (for tests)
void ClearInterrupt();

}  // namespace depthforge
