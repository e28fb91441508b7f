#include "soak/pos_feed.h"

#include <functional>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "soak/failure.h"
#include "soak/soak_rpc.h"
#include "support/sample_events.h"

namespace makegood::soak {
namespace {

constexpr int kLines = 4;
constexpr absl::Duration kServedAfter = absl::Seconds(30);
constexpr absl::Duration kPaidAfter = absl::Seconds(60);

int64_t LinePrice(int line) { return 1500 + 500 * line; }

}  // namespace

PosFeed::PosFeed(std::string name, std::shared_ptr<grpc::Channel> channel,
                 absl::Time first, absl::Duration every, uint64_t seed,
                 AnswerLog& log)
    : name_(std::move(name)),
      stub_(makegood::v1::OrderEventService::NewStub(std::move(channel))),
      first_(first),
      every_(every),
      log_(log),
      random_(seed),
      thread_([this] { Run(); }) {}

PosFeed::~PosFeed() { Stop(); }

void PosFeed::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PosFeed::Run() {
  // (when, check, stage), soonest first.
  using Due = std::tuple<absl::Time, int64_t, int>;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due;
  due.emplace(first_, 0, 0);
  std::uniform_real_distribution<double> spread(0.5, 1.5);
  while (!due.empty()) {
    const auto [at, index, stage] = due.top();
    due.pop();
    // Paced by the schedule; ends early when stopped.
    if (stop_.WaitForNotificationWithTimeout(at - absl::Now())) return;
    Publish(index, stage);
    if (stage == 0) {
      due.emplace(at + kServedAfter, index, 1);
      due.emplace(at + kPaidAfter, index, 2);
      due.emplace(at + every_ * spread(random_), index + 1, 0);
    }
  }
}

void PosFeed::Publish(int64_t index, int stage) {
  const std::string check = absl::StrCat(name_, "-", index);
  const absl::Time now = absl::Now();
  makegood::v1::PublishBatchRequest request;
  auto add = [&](makegood::v1::OrderEvent event) {
    *request.add_events() = std::move(event);
  };
  int64_t total = 0;
  for (int line = 1; line <= kLines; ++line) {
    const std::string id = absl::StrCat(line);
    total += LinePrice(line);
    if (stage == 0) {
      if (line == 1) {
        add(makegood::testing::CheckOpened(check + "-open", check, now,
                                           absl::StrCat(1 + index % 40)));
      }
      add(makegood::testing::ItemAdded(check + "-add" + id, check, id, now,
                                       LinePrice(line)));
      add(makegood::testing::ItemFired(check + "-fire" + id, check, id, now));
    } else if (stage == 1) {
      add(makegood::testing::ItemServed(check + "-serve" + id, check, id, now));
    }
  }
  if (stage == 2) {
    makegood::v1::OrderEvent paid =
        makegood::testing::BaseEvent(check + "-paid", check, now);
    paid.mutable_check_paid()->mutable_total()->set_minor_units(total);
    paid.mutable_check_paid()->mutable_total()->set_currency("USD");
    add(paid);
    makegood::v1::OrderEvent closed =
        makegood::testing::BaseEvent(check + "-closed", check, now);
    closed.mutable_check_closed();
    add(closed);
  }
  makegood::v1::PublishSummary summary;
  const grpc::Status status =
      stub_->PublishBatch(CallContext(kPosAdapter).get(), request, &summary);
  if (!status.ok() || summary.rejected() != 0 ||
      summary.accepted() != request.events_size()) {
    Fail(absl::StrCat(
        name_, ": PublishBatch of ", request.events_size(), " events of check ",
        check, " was answered ",
        status.ok() ? summary.ShortDebugString() : Describe(status),
        ": every one must be accepted"));
  }
  std::vector<std::string> ids;
  for (const auto& event : request.events()) ids.push_back(event.event_id());
  log_.AddEvents(ids);
  events_.fetch_add(request.events_size());
  if (stage == 0) checks_.fetch_add(1);
}

}  // namespace makegood::soak
