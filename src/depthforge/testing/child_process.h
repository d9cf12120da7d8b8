// A program run by a test or a benchmark as its users run it: its own
// process, its standard output read line by line, killed at scope exit
// (SIGKILL) if it is still running.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace depthforge::testing {

class ChildProcess {
 public:
  // Starts 'arguments[0]' (a path) with the rest as its arguments; stderr
  // goes to the test's stderr.
  explicit ChildProcess(const std::vector<std::string>& arguments);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of standard output, or nullopt at its end or after the timeout.
  std::optional<std::string> ReadLine(double timeout_seconds);
  void Signal(int signal);
  int Wait();  // the exit status as the shell shows it (128 + signal when killed)
  pid_t pid() const { return pid_; }
  // Largest resident memory so far (VmHWM), in bytes; 0 once it has exited.
  int64_t PeakResidentBytes() const;

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string buffer_;
  bool exited_ = false;
  int status_ = 0;
};

// "depthforge studio: http://127.0.0.1:41234/ ..." -> 41234: waits for
// the line `depthforge serve` prints once it listens. Returns 0 on failure.
int WaitForStudioPort(ChildProcess& server, double timeout_seconds = 60);

// A free TCP port on loopback (bound, then released: good for a test).
int FreeLoopbackPort();

// A redis-server of the test's own on a free loopback port, without
// persistence; stopped at scope exit. ok() is false when Redis is not
// installed (the test then skips).
class RedisServer {
 public:
  RedisServer();
  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace depthforge::testing
