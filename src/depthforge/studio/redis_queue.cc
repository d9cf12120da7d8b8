#include "depthforge/studio/redis_queue.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdarg>
#include <cmath>
#include <memory>
#include <regex>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

}  // namespace

RedisAddress RedisAddress::Parse(const std::string& url) {
  static const std::regex kUrl(R"(redis://([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?(?:/(\d{1,2}))?/?)");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) {
    throw OptionError("queue '" + url + "' is not a Redis address like redis://127.0.0.1:6379 (or redis://host:port/db)");
  }
  RedisAddress address;
  address.host = match[1].str();
  if (address.host.front() == '[') address.host = address.host.substr(1, address.host.size() - 2);
  if (match[2].matched) address.port = std::stoi(match[2].str());
  if (match[3].matched) address.database = std::stoi(match[3].str());
  if (address.port < 1 || address.port > 65535) throw OptionError("queue '" + url + "': port out of range");
  return address;
}

std::string RedisAddress::ToString() const {
  return "redis://" + host + ":" + std::to_string(port) + (database ? "/" + std::to_string(database) : "");
}

RedisQueue::RedisQueue(const std::string& url, std::string prefix)
    : address_(RedisAddress::Parse(url)), prefix_(std::move(prefix)) {
  Connect();
}

RedisQueue::~RedisQueue() {
  if (context_) redisFree(context_);
}

void RedisQueue::Connect() {
  if (context_) redisFree(context_);
  timeval timeout{5, 0};
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, timeout);
  if (!context_ || context_->err) {
    const std::string reason = context_ ? context_->errstr : "out of memory";
    if (context_) redisFree(context_);
    context_ = nullptr;
    throw Error("queue " + address_.ToString() + ": cannot connect: " + reason);
  }
  if (address_.database != 0) {
    std::unique_ptr<redisReply, ReplyDeleter> reply(
        static_cast<redisReply*>(redisCommand(context_, "SELECT %d", address_.database)));
    if (!reply || reply->type == REDIS_REPLY_ERROR) throw Error("queue " + address_.ToString() + ": cannot select the database");
  }
}

// One command; a dropped connection is opened again once.
std::shared_ptr<redisReply> RedisQueue::Command(const char* format, ...) {
  std::shared_ptr<redisReply> reply;
  for (int attempt = 0; attempt < 2 && !reply; ++attempt) {
    if (attempt > 0) Connect();
    va_list arguments;
    va_start(arguments, format);
    reply.reset(static_cast<redisReply*>(redisvCommand(context_, format, arguments)), ReplyDeleter());
    va_end(arguments);
  }
  if (!reply) throw Error("queue " + address_.ToString() + ": " + (context_ ? context_->errstr : "connection lost"));
  if (reply->type == REDIS_REPLY_ERROR) throw Error("queue " + address_.ToString() + ": " + std::string(reply->str, reply->len));
  return reply;
}

void RedisQueue::Push(const std::string& task) {
  Command("RPUSH %s:queue %b", prefix_.c_str(), task.data(), task.size());
}

std::optional<std::string> RedisQueue::Take(const std::string& worker, double timeout_seconds, double lease_seconds) {
  // The socket must wait longer than the blocking command.
  timeval wait{long(timeout_seconds) + 5, 0};
  redisSetTimeout(context_, wait);
  auto reply = Command("BLMOVE %s:queue %s:processing LEFT RIGHT %.3f", prefix_.c_str(), prefix_.c_str(),
                   timeout_seconds);
  if (reply->type != REDIS_REPLY_STRING) return std::nullopt;
  std::string task(reply->str, reply->len);
  Renew(task, worker, lease_seconds);
  return task;
}

bool RedisQueue::Renew(const std::string& task, const std::string& worker, double lease_seconds) {
  const long milliseconds = std::max(1L, long(std::lround(lease_seconds * 1000)));
  // Still ours if it is still in the processing list.
  auto position = Command("LPOS %s:processing %b", prefix_.c_str(), task.data(), task.size());
  if (position->type != REDIS_REPLY_INTEGER) return false;
  Command("SET %s:lease:%b %b PX %ld", prefix_.c_str(), task.data(), task.size(), worker.data(),
                   worker.size(), milliseconds);
  return true;
}

void RedisQueue::Done(const std::string& task) {
  Command("LREM %s:processing 1 %b", prefix_.c_str(), task.data(), task.size());
  Command("DEL %s:lease:%b", prefix_.c_str(), task.data(), task.size());
}

void RedisQueue::Release(const std::string& task) {
  auto removed = Command("LREM %s:processing 1 %b", prefix_.c_str(), task.data(), task.size());
  if (removed->type == REDIS_REPLY_INTEGER && removed->integer > 0) {
    Command("LPUSH %s:queue %b", prefix_.c_str(), task.data(), task.size());
  }
  Command("DEL %s:lease:%b", prefix_.c_str(), task.data(), task.size());
}

std::vector<std::string> RedisQueue::List(const std::string& key) {
  auto reply = Command("LRANGE %s:%s 0 -1", prefix_.c_str(), key.c_str());
  std::vector<std::string> items;
  for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; ++i) {
    items.emplace_back(reply->element[i]->str, reply->element[i]->len);
  }
  return items;
}

std::vector<std::string> RedisQueue::Queued() { return List("queue"); }
std::vector<std::string> RedisQueue::Processing() { return List("processing"); }

std::vector<std::string> RedisQueue::RequeueExpired() {
  std::vector<std::string> unleased, requeued;
  for (const std::string& task : Processing()) {
    auto lease = Command("EXISTS %s:lease:%b", prefix_.c_str(), task.data(), task.size());
    if (lease->type == REDIS_REPLY_INTEGER && lease->integer == 1) continue;
    if (std::find(unleased_.begin(), unleased_.end(), task) == unleased_.end()) {
      unleased.push_back(task);  // give it one more round
      continue;
    }
    auto removed = Command("LREM %s:processing 1 %b", prefix_.c_str(), task.data(), task.size());
    if (removed->type == REDIS_REPLY_INTEGER && removed->integer > 0) {
      Command("LPUSH %s:queue %b", prefix_.c_str(), task.data(), task.size());
      requeued.push_back(task);
    }
  }
  unleased_ = std::move(unleased);
  return requeued;
}

}  // namespace depthforge
