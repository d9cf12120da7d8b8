// Stopping long work. The first Ctrl-C (SIGINT) asks the work to stop after
// the item in progress, whose outputs are completed or removed; the program
// then exits 130. A second Ctrl-C, or one SIGTERM (timeout, service
// managers, kill), ends the program at once: the temporary files being
// written are removed first, and the exit status is the signal's (130, 143),
// so nothing half-written is left and nothing finished is lost.
#pragma once

namespace depthforge {

// Installs the SIGINT/SIGTERM handler. Idempotent.
void InstallInterruptHandler();
bool InterruptRequested();
void RequestInterrupt();  // as if the user pressed Ctrl-C (for tests)
void ClearInterrupt();

}  // namespace depthforge
