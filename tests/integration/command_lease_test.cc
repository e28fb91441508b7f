// Command leases through the real makegoodd: with two adapter streams open
// at once each command goes to one of them; a stream that ends, an answer
// that does not come before the ack deadline, and a RETRY_LATER answer each
// put the command back for its next delivery attempt; a stream gets only
// the kinds it asked for; an acked command is never offered again.
//
// Each stream is read on its own thread into a shared Inbox, and the tests
// wait on the Inbox's deliveries with a deadline. That a command was NOT
// delivered is shown by a later event, never by waiting: a stream's
// commands arrive in the order the daemon hands them to it, so once a
// stream has received a command handed to it later, anything handed to it
// earlier has arrived too.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/recovery_calls.h"

namespace makegood {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::Eq;
using v1::AckCommandRequest;
using v1::AppliedRemedy;
using v1::RecoveryCase;

// Every command the test's adapter streams received, in arrival order.
class Inbox {
 public:
  struct Delivery {
    std::string stream;
    v1::RemedyCommand command;
  };

  void Add(const std::string& stream, const v1::RemedyCommand& command) {
    absl::MutexLock lock(&mu_);
    deliveries_.push_back({stream, command});
    changed_.SignalAll();
  }

  void Ended(const std::string& stream, const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    endings_.push_back(absl::StrCat(stream, " ended with code ",
                                    static_cast<int>(status.error_code()), " ",
                                    status.error_message()));
    changed_.SignalAll();
  }

  // Waits up to `timeout` until `done` holds of the deliveries so far;
  // whether it does.
  bool WaitUntil(const std::function<bool(const std::vector<Delivery>&)>& done,
                 absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    absl::MutexLock lock(&mu_);
    while (!done(deliveries_)) {
      if (absl::Now() >= deadline) return false;
      changed_.WaitWithDeadline(&mu_, deadline);
    }
    return true;
  }

  // The first delivery `match` accepts, waiting up to 10 s for one.
  std::optional<Delivery> WaitFor(
      const std::function<bool(const Delivery&)>& match) {
    std::optional<Delivery> found;
    WaitUntil([&](const std::vector<Delivery>& deliveries) {
      for (const Delivery& delivery : deliveries) {
        if (match(delivery)) {
          found = delivery;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  std::optional<Delivery> WaitForCommand(const std::string& command_id,
                                         int attempt) {
    return WaitFor([&](const Delivery& delivery) {
      return delivery.command.command_id() == command_id &&
             delivery.command.delivery_attempt() == attempt;
    });
  }

  // The first command of the case (a follow-up: its id is not in the case).
  std::optional<Delivery> WaitForCase(const std::string& case_id) {
    return WaitFor([&](const Delivery& delivery) {
      return delivery.command.case_id() == case_id;
    });
  }

  // Waits until each of `command_ids` was delivered at least once.
  bool WaitForAll(const std::vector<std::string>& command_ids) {
    return WaitUntil([&](const std::vector<Delivery>& deliveries) {
      for (const std::string& id : command_ids) {
        bool seen = false;
        for (const Delivery& delivery : deliveries)
          seen = seen || delivery.command.command_id() == id;
        if (!seen) return false;
      }
      return true;
    });
  }

  // The deliveries of one command, in arrival order.
  std::vector<Delivery> Of(const std::string& command_id) const {
    absl::MutexLock lock(&mu_);
    std::vector<Delivery> out;
    for (const Delivery& delivery : deliveries_) {
      if (delivery.command.command_id() == command_id) out.push_back(delivery);
    }
    return out;
  }

  // The command ids, and the case ids, one stream received, in order.
  std::vector<std::string> CommandsTo(const std::string& stream) const {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const Delivery& delivery : deliveries_) {
      if (delivery.stream == stream)
        out.push_back(delivery.command.command_id());
    }
    return out;
  }
  std::vector<std::string> CasesTo(const std::string& stream) const {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const Delivery& delivery : deliveries_) {
      if (delivery.stream == stream) out.push_back(delivery.command.case_id());
    }
    return out;
  }

  std::vector<Delivery> All() const {
    absl::MutexLock lock(&mu_);
    return deliveries_;
  }

  // For failure messages.
  std::string Describe() const {
    absl::MutexLock lock(&mu_);
    std::string out = "deliveries:";
    for (const Delivery& delivery : deliveries_) {
      absl::StrAppend(&out, " [", delivery.stream, " ",
                      delivery.command.command_id(), " case ",
                      delivery.command.case_id(), " attempt ",
                      delivery.command.delivery_attempt(), "]");
    }
    for (const std::string& ending : endings_)
      absl::StrAppend(&out, "; ", ending);
    return out;
  }

 private:
  mutable absl::Mutex mu_;
  absl::CondVar changed_;
  std::vector<Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> endings_ ABSL_GUARDED_BY(mu_);
};

// One adapter's StreamCommands call (the demo ADAPTER credential), read on
// its own thread into `inbox` under `name`. Never acks by itself.
class AdapterStream {
 public:
  // `kinds` empty: every kind.
  AdapterStream(const std::shared_ptr<grpc::Channel>& channel, std::string name,
                std::vector<v1::CommandKind> kinds, Inbox* inbox)
      : name_(std::move(name)),
        inbox_(inbox),
        stub_(v1::RemedyCommandService::NewStub(channel)) {
    // Bounds the whole stream, so that a test gone wrong still ends.
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(60));
    context_.AddMetadata("authorization",
                         absl::StrCat("Bearer ", kAdapterToken));
    v1::StreamCommandsRequest request;
    request.set_adapter_name(name_);
    for (v1::CommandKind kind : kinds) request.add_kinds(kind);
    reader_ = stub_->StreamCommands(&context_, request);
    thread_ = std::thread([this] { Run(); });
  }
  AdapterStream(const AdapterStream&) = delete;
  AdapterStream& operator=(const AdapterStream&) = delete;
  ~AdapterStream() { Disconnect(); }

  // Cancels the call (the adapter goes away without answering) and waits
  // for the reading thread.
  void Disconnect() {
    if (!thread_.joinable()) return;
    context_.TryCancel();
    thread_.join();
  }

 private:
  void Run() {
    v1::RemedyCommand command;
    while (reader_->Read(&command)) inbox_->Add(name_, command);
    inbox_->Ended(name_, reader_->Finish());
  }

  const std::string name_;
  Inbox* const inbox_;
  std::unique_ptr<v1::RemedyCommandService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::RemedyCommand>> reader_;
  std::thread thread_;
};

class CommandLeaseTest : public RecoveryCallsTest {
 protected:
  // CompOneLine, sent at once: the comp's command id, empty on failure.
  std::string Comp(const std::string& check_id) {
    const RecoveryCase applied = CompOneLine(check_id);
    if (applied.remedies_size() != 1) return "";
    EXPECT_EQ(applied.remedies(0).status(), AppliedRemedy::SENT);
    return applied.remedies(0).command_id();
  }

  // Flags a long wait on the whole of `check_id` (a new case each time)
  // with the guest's consent to a follow-up, which queues a follow-up
  // command for the case: the case id.
  std::string FlagWithFollowUp(const std::string& check_id,
                               const std::string& request_id) {
    v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id(check_id);
    request.set_category_id("long_wait");
    request.set_severity(v1::MINOR);
    request.set_guest_words("We waited an hour");
    request.set_new_problem(true);
    request.mutable_guest_contact()->set_name("Ana");
    request.mutable_guest_contact()->set_email("ana@example.com");
    request.mutable_guest_contact()->set_follow_up_consent(true);
    RecoveryCase recovery;
    grpc::Status status = Recovery()->FlagProblem(Context(kServerToken).get(),
                                                  request, &recovery);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(recovery.contact_on_file());
    return recovery.case_id();
  }

  void AckApplied(const std::string& command_id) {
    v1::AckCommandResponse ack;
    grpc::Status status =
        Ack("applied-" + command_id, command_id, AckCommandRequest::APPLIED,
            "pos-" + command_id, &ack);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(ack.recorded_result(), AckCommandRequest::APPLIED);
    EXPECT_FALSE(ack.duplicate());
  }

  grpc::Status AckRetryLater(const std::string& request_id,
                             const std::string& command_id,
                             int retry_after_seconds,
                             v1::AckCommandResponse* out) {
    v1::AckCommandRequest request;
    request.set_request_id(request_id);
    request.set_command_id(command_id);
    request.set_result(AckCommandRequest::RETRY_LATER);
    request.set_vendor_reason("the check is open at a terminal");
    request.set_retry_after_seconds(retry_after_seconds);
    auto stub = v1::RemedyCommandService::NewStub(channel_);
    return stub->AckCommand(Context(kAdapterToken).get(), request, out);
  }

  // Returns once both open streams (each taking every kind) are registered
  // with the daemon. A client's StreamCommands returns before the daemon
  // has registered the stream, and nothing is sent before a command, so
  // registration is seen through deliveries: while one stream holds a
  // probe (a lease), the next probe goes to the other stream as soon as
  // that one is registered (fewest leases, rule 4 of command_dispatcher.h).
  // A probe that still went to the holder is acked and another is sent,
  // for up to 10 s. The probes are follow-ups (no budget) on check "probe";
  // all are acked before returning, so neither stream holds a lease then.
  void AwaitBothRegistered(Inbox& inbox) {
    SeedCheck("probe", {500});
    const std::string held_case = FlagWithFollowUp("probe", "probe-held");
    const std::optional<Inbox::Delivery> held = inbox.WaitForCase(held_case);
    ASSERT_TRUE(held.has_value()) << inbox.Describe();
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    for (int i = 0;; ++i) {
      ASSERT_TRUE(absl::Now() < deadline)
          << "the second stream never registered; " << inbox.Describe();
      const std::string probe_case =
          FlagWithFollowUp("probe", absl::StrCat("probe-", i));
      const std::optional<Inbox::Delivery> probe =
          inbox.WaitForCase(probe_case);
      ASSERT_TRUE(probe.has_value()) << inbox.Describe();
      ASSERT_NO_FATAL_FAILURE(AckApplied(probe->command.command_id()));
      if (probe->stream != held->stream) break;
    }
    ASSERT_NO_FATAL_FAILURE(AckApplied(held->command.command_id()));
  }

  // Restarts the daemon with server.command_ack_deadline_seconds set; the
  // database stays.
  void RestartWithAckDeadline(int seconds) {
    RestartWithServerSettings(
        absl::StrCat("  command_ack_deadline_seconds: ", seconds, "\n"));
  }

  // How many of the command's rows match `condition`.
  int64_t CommandRows(const std::string& command_id,
                      const std::string& condition) {
    return Count(
        absl::StrCat("SELECT count(*) FROM commands WHERE command_id='",
                     command_id, "' AND ", condition));
  }
};

TEST_F(CommandLeaseTest, TwoStreamsOpenAtOnceEachGetDifferentCommands) {
  Inbox inbox;
  AdapterStream a(channel_, "a", {}, &inbox);
  AdapterStream b(channel_, "b", {}, &inbox);
  ASSERT_NO_FATAL_FAILURE(AwaitBothRegistered(inbox));

  std::vector<std::string> comps;
  for (const char* check : {"c1", "c2", "c3", "c4"}) {
    comps.push_back(Comp(check));
    ASSERT_FALSE(comps.back().empty());
  }
  ASSERT_TRUE(inbox.WaitForAll(comps)) << inbox.Describe();
  // One marker to each stream (fewest leases again): once both arrived,
  // every copy of a comp either stream was handed has arrived before it.
  const std::optional<Inbox::Delivery> marker_1 =
      inbox.WaitForCase(FlagWithFollowUp("probe", "marker-1"));
  const std::optional<Inbox::Delivery> marker_2 =
      inbox.WaitForCase(FlagWithFollowUp("probe", "marker-2"));
  ASSERT_TRUE(marker_1.has_value() && marker_2.has_value()) << inbox.Describe();
  ASSERT_NE(marker_1->stream, marker_2->stream) << inbox.Describe();

  std::map<std::string, int> per_stream;
  for (const std::string& id : comps) {
    const std::vector<Inbox::Delivery> deliveries = inbox.Of(id);
    ASSERT_EQ(deliveries.size(), 1u) << id << ": " << inbox.Describe();
    EXPECT_EQ(deliveries[0].command.delivery_attempt(), 1);
    ++per_stream[deliveries[0].stream];
  }
  // Rule 4: the stream holding fewer leases gets the next command.
  EXPECT_EQ(per_stream["a"], 2) << inbox.Describe();
  EXPECT_EQ(per_stream["b"], 2) << inbox.Describe();
}

TEST_F(CommandLeaseTest, AStreamThatEndsUnackedHandsItsCommandsToTheOther) {
  Inbox inbox;
  AdapterStream a(channel_, "a", {}, &inbox);
  AdapterStream b(channel_, "b", {}, &inbox);
  ASSERT_NO_FATAL_FAILURE(AwaitBothRegistered(inbox));
  std::vector<std::string> comps;
  for (const char* check : {"c1", "c2", "c3", "c4"}) {
    comps.push_back(Comp(check));
    ASSERT_FALSE(comps.back().empty());
  }
  ASSERT_TRUE(inbox.WaitForAll(comps)) << inbox.Describe();
  std::vector<std::string> held_by_a, held_by_b;
  for (const std::string& id : comps) {
    (inbox.Of(id)[0].stream == "a" ? held_by_a : held_by_b).push_back(id);
  }
  ASSERT_EQ(held_by_a.size(), 2u) << inbox.Describe();  // Rule 4.

  a.Disconnect();  // Without acking anything.
  for (const std::string& id : held_by_a) {
    const std::optional<Inbox::Delivery> again = inbox.WaitForCommand(id, 2);
    ASSERT_TRUE(again.has_value()) << id << ": " << inbox.Describe();
    EXPECT_EQ(again->stream, "b");
  }
  // A later delivery to b: b's own commands, still leased to it, were not
  // offered again meanwhile.
  const std::optional<Inbox::Delivery> marker =
      inbox.WaitForCase(FlagWithFollowUp("probe", "marker"));
  ASSERT_TRUE(marker.has_value()) << inbox.Describe();
  EXPECT_EQ(marker->stream, "b");
  for (const std::string& id : held_by_b)
    EXPECT_EQ(inbox.Of(id).size(), 1u) << id << ": " << inbox.Describe();
  for (const std::string& id : held_by_a)
    EXPECT_EQ(inbox.Of(id).size(), 2u) << id << ": " << inbox.Describe();
  for (const std::string& id : comps) ASSERT_NO_FATAL_FAILURE(AckApplied(id));
}

TEST_F(CommandLeaseTest, AnUnansweredCommandIsOfferedAgainAfterTheAckDeadline) {
  ASSERT_NO_FATAL_FAILURE(RestartWithAckDeadline(1));
  Inbox inbox;
  AdapterStream a(channel_, "a", {}, &inbox);
  AdapterStream b(channel_, "b", {}, &inbox);
  const std::string id = Comp("c1");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(inbox.WaitForCommand(id, 1).has_value()) << inbox.Describe();
  // Not answered: the lease ends 1 s after the delivery and the command is
  // offered again, to either stream.
  const std::optional<Inbox::Delivery> again = inbox.WaitForCommand(id, 2);
  ASSERT_TRUE(again.has_value()) << inbox.Describe();
  EXPECT_THAT(again->stream, AnyOf(Eq("a"), Eq("b")));
  ASSERT_NO_FATAL_FAILURE(AckApplied(id));
  EXPECT_EQ(CommandRows(id, "acked_at_us IS NOT NULL AND result=1"), 1);
}

TEST_F(CommandLeaseTest, RetryLaterRecordsNothingAndOffersTheCommandAgain) {
  Inbox inbox;
  AdapterStream a(channel_, "a", {}, &inbox);
  const std::string id = Comp("c1");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(inbox.WaitForCommand(id, 1).has_value()) << inbox.Describe();

  v1::AckCommandResponse later;
  grpc::Status status = AckRetryLater("retry-1", id, 1, &later);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(later.command_id(), id);
  EXPECT_EQ(later.recorded_result(), AckCommandRequest::RETRY_LATER);
  EXPECT_FALSE(later.duplicate());
  EXPECT_EQ(CommandRows(id, "acked_at_us IS NULL AND result IS NULL"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action IN "
                  "('command_applied','command_rejected')"),
            0);

  v1::AckCommandResponse bad;
  grpc::Status out_of_range = AckRetryLater("retry-2", id, 5000, &bad);
  EXPECT_EQ(out_of_range.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out_of_range.error_message(), HasSubstr("retry_after_seconds"));

  const std::optional<Inbox::Delivery> again = inbox.WaitForCommand(id, 2);
  ASSERT_TRUE(again.has_value()) << inbox.Describe();
  EXPECT_EQ(again->stream, "a");
  EXPECT_EQ(CommandRows(id, "acked_at_us IS NULL"), 1);

  ASSERT_NO_FATAL_FAILURE(AckApplied(id));
  EXPECT_EQ(CommandRows(id, absl::StrCat("acked_at_us IS NOT NULL AND "
                                         "result=1 AND pos_reference='pos-",
                                         id, "'")),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action='command_applied'"),
            1);
}

TEST_F(CommandLeaseTest, AStreamGetsOnlyTheKindsItAskedFor) {
  Inbox inbox;
  AdapterStream crm(channel_, "crm", {v1::COMMAND_KIND_FOLLOW_UP}, &inbox);
  SeedCheck("guest", {500});

  // Only the CRM stream is open. The comp is committed before the
  // follow-up, so had the CRM stream been handed the comp it would have
  // received it before the follow-up.
  const std::string comp_1 = Comp("c1");
  ASSERT_FALSE(comp_1.empty());
  const std::string follow_up_1 = FlagWithFollowUp("guest", "follow-up-1");
  const std::optional<Inbox::Delivery> got_1 = inbox.WaitForCase(follow_up_1);
  ASSERT_TRUE(got_1.has_value()) << inbox.Describe();
  EXPECT_EQ(got_1->stream, "crm");
  EXPECT_TRUE(got_1->command.has_guest_follow_up());
  EXPECT_EQ(got_1->command.guest_follow_up().contact().email(),
            "ana@example.com");
  EXPECT_THAT(inbox.CasesTo("crm"), ElementsAre(follow_up_1));

  // The comp waited for a stream that takes remedies: its first delivery.
  AdapterStream pos(channel_, "pos", {v1::COMMAND_KIND_REMEDY}, &inbox);
  const std::optional<Inbox::Delivery> remedy_1 =
      inbox.WaitForCommand(comp_1, 1);
  ASSERT_TRUE(remedy_1.has_value()) << inbox.Describe();
  EXPECT_EQ(remedy_1->stream, "pos");

  // Both open: a follow-up, a comp, a follow-up. POS receiving the comp
  // shows it was not handed the follow-up before it; CRM receiving the
  // last follow-up shows it was not handed the comp before it.
  const std::string follow_up_2 = FlagWithFollowUp("guest", "follow-up-2");
  const std::string comp_2 = Comp("c2");
  ASSERT_FALSE(comp_2.empty());
  const std::string follow_up_3 = FlagWithFollowUp("guest", "follow-up-3");
  ASSERT_TRUE(inbox.WaitForCommand(comp_2, 1).has_value()) << inbox.Describe();
  ASSERT_TRUE(inbox.WaitForCase(follow_up_3).has_value()) << inbox.Describe();

  EXPECT_THAT(inbox.CommandsTo("pos"), ElementsAre(comp_1, comp_2));
  EXPECT_THAT(inbox.CasesTo("crm"),
              ElementsAre(follow_up_1, follow_up_2, follow_up_3));
  for (const Inbox::Delivery& delivery : inbox.All()) {
    EXPECT_EQ(delivery.command.delivery_attempt(), 1) << inbox.Describe();
    EXPECT_EQ(delivery.command.has_guest_follow_up(), delivery.stream == "crm")
        << inbox.Describe();
  }
}

TEST_F(CommandLeaseTest, AnAckedCommandIsNeverOfferedAgain) {
  Inbox inbox;
  const std::string applied = Comp("c1");
  ASSERT_FALSE(applied.empty());
  {
    AdapterStream first(channel_, "first", {}, &inbox);
    ASSERT_TRUE(inbox.WaitForCommand(applied, 1).has_value())
        << inbox.Describe();
    ASSERT_NO_FATAL_FAILURE(AckApplied(applied));
  }  // Disconnects.
  EXPECT_EQ(CommandRows(applied, "acked_at_us IS NOT NULL"), 1);

  // That nothing comes can only be shown by a bounded read or by a later
  // event; this uses a later one. A new stream is handed the backlog when
  // it registers, oldest first, and a newer command never goes out before
  // an older one it could take (rule 3), so had the acked comp still been
  // pending, this stream would have received it before the newer comp.
  {
    AdapterStream second(channel_, "second", {}, &inbox);
    const std::string newer = Comp("c2");
    ASSERT_FALSE(newer.empty());
    const std::optional<Inbox::Delivery> got = inbox.WaitForCommand(newer, 1);
    ASSERT_TRUE(got.has_value()) << inbox.Describe();
    EXPECT_EQ(got->stream, "second");
    EXPECT_THAT(inbox.CommandsTo("second"), ElementsAre(newer));
    ASSERT_NO_FATAL_FAILURE(AckApplied(newer));
  }

  // After a restart the backlog is loaded from the store: neither acked
  // comp is in it.
  daemon_.reset();
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  AdapterStream third(channel_, "third", {}, &inbox);
  const std::string newest = Comp("c3");
  ASSERT_FALSE(newest.empty());
  ASSERT_TRUE(inbox.WaitForCommand(newest, 1).has_value()) << inbox.Describe();
  EXPECT_THAT(inbox.CommandsTo("third"), ElementsAre(newest));
}

}  // namespace
}  // namespace makegood
