#include "service/read_executor.h"

#include <pthread.h>

#include <algorithm>
#include <utility>

#include "service/grpc_glue.h"

namespace makegood::service {
namespace {

int ThreadsFor(const ReadExecutorOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

ReadExecutor::ReadExecutor(ReadExecutorOptions options) {
  const int count = ThreadsFor(options);
  threads_.reserve(count);
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { Work(); });
}

ReadExecutor::~ReadExecutor() { Shutdown(); }

bool ReadExecutor::Schedule(Job job) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  queue_.push_back(std::move(job));
  return true;
}

void ReadExecutor::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock lock(&join_mu_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void ReadExecutor::Work() {
  pthread_setname_np(pthread_self(), "reader");
  for (;;) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // Stopping, and nothing is left (drain).
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

grpc::ServerUnaryReactor* FinishRead(ReadExecutor& executor,
                                     grpc::CallbackServerContext* context,
                                     std::function<absl::Status()> read) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The request and response stay valid until Finish; the reactor is done
  // only after it.
  const bool scheduled = executor.Schedule([reactor, read = std::move(read)] {
    reactor->Finish(ToGrpcStatus(read()));
  });
  if (!scheduled) {
    reactor->Finish(
        ToGrpcStatus(absl::UnavailableError("makegoodd is stopping")));
  }
  return reactor;
}

}  // namespace makegood::service
