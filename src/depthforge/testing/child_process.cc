#include "depthforge/testing/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace depthforge::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& arguments) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(pipe_ends[1], STDOUT_FILENO);
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    std::vector<char*> argv;
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_ends[1]);
  stdout_ = pipe_ends[0];
}

ChildProcess::~ChildProcess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    Wait();
  }
  if (stdout_ >= 0) close(stdout_);
}

std::optional<std::string> ChildProcess::ReadLine(double timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (true) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd ready{stdout_, POLLIN, 0};
    if (poll(&ready, 1, int(left.count())) <= 0) continue;
    char chunk[4096];
    const ssize_t got = read(stdout_, chunk, sizeof(chunk));
    if (got <= 0) return std::nullopt;
    buffer_.append(chunk, size_t(got));
  }
}

void ChildProcess::Signal(int signal) {
  if (!exited_) kill(pid_, signal);
}

int ChildProcess::Wait() {
  if (exited_) return status_;
  int status = 0;
  waitpid(pid_, &status, 0);
  exited_ = true;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

int64_t ChildProcess::PeakResidentBytes() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

int WaitForStudioPort(ChildProcess& server, double timeout_seconds) {
  static const std::regex kListening(R"(http://[^ ]*:(\d+)/)");
  while (auto line = server.ReadLine(timeout_seconds)) {
    std::smatch match;
    if (std::regex_search(*line, match, kListening)) return std::stoi(match[1]);
  }
  return 0;
}

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

RedisServer::RedisServer() {
  const char* binary = "/usr/bin/redis-server";
  if (access(binary, X_OK) != 0) return;
  for (int attempt = 0; attempt < 3 && port_ == 0; ++attempt) {
    const int port = FreeLoopbackPort();
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        binary, "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"});
    // Ready when it accepts a connection.
    for (int wait = 0; wait < 100; ++wait) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(uint16_t(port));
      const bool up = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
      close(fd);
      if (up) {
        port_ = port;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace depthforge::testing
