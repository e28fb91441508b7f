#ifndef MAKEGOOD_TESTS_INTEGRATION_RECOVERY_CALLS_H_
#define MAKEGOOD_TESTS_INTEGRATION_RECOVERY_CALLS_H_

// The recovery calls the recovery tests make against the real makegoodd:
// seeding a check, flag, apply, approve, the command stream and its acks,
// each over a real gRPC client.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/daemon_fixture.h"
#include "support/sample_events.h"

namespace makegood {

// The option of `recovery` (offered or extra) for `remedy_id`; null when
// there is none.
inline const v1::RemedyOption* OptionFor(const v1::RecoveryCase& recovery,
                                         const std::string& remedy_id) {
  for (const auto* list : {&recovery.options(), &recovery.extras()}) {
    for (const auto& option : *list) {
      if (option.remedy_id() == remedy_id) return &option;
    }
  }
  return nullptr;
}

class RecoveryCallsTest : public DaemonTest {
 protected:
  // A check of table 12 served by s-17, one ribeye line per price (lines
  // "1", "2", ...), ordered at `opened` and fired 5 minutes later; with
  // `paid`, paid now (100.00) in the same batch.
  void SeedCheck(const std::string& check_id, std::vector<int64_t> prices,
                 absl::Time opened = absl::Now() - absl::Minutes(30),
                 bool paid = false, const std::string& guest_id = "") {
    std::vector<OrderEvent> events;
    OrderEvent open_event =
        makegood::testing::CheckOpened(check_id + "-open", check_id, opened);
    open_event.mutable_check_opened()->set_guest_id(guest_id);
    events.push_back(open_event);
    for (size_t i = 0; i < prices.size(); ++i) {
      const std::string line = std::to_string(i + 1);
      events.push_back(makegood::testing::ItemAdded(
          check_id + "-add" + line, check_id, line, opened, prices[i]));
      events.push_back(makegood::testing::ItemFired(check_id + "-fire" + line,
                                                    check_id, line,
                                                    opened + absl::Minutes(5)));
    }
    if (paid) {
      OrderEvent pay = makegood::testing::BaseEvent(check_id + "-paid",
                                                    check_id, absl::Now());
      pay.mutable_check_paid()->mutable_total()->set_minor_units(10000);
      pay.mutable_check_paid()->mutable_total()->set_currency("USD");
      events.push_back(pay);
    }
    PublishAll(events);
  }

  // Publishes `events`, every one of which must be accepted.
  void PublishAll(const std::vector<OrderEvent>& events) {
    PublishSummary summary;
    ASSERT_TRUE(Publish(events, &summary).ok());
    ASSERT_EQ(summary.accepted(), static_cast<int>(events.size()))
        << summary.DebugString();
  }

  grpc::Status Flag(const std::string& token, const std::string& request_id,
                    const std::string& check_id, std::vector<std::string> lines,
                    const std::string& category, v1::Severity severity,
                    v1::RecoveryCase* out, bool new_problem = false) {
    v1::FlagProblemRequest request;
    request.set_new_problem(new_problem);
    request.set_request_id(request_id);
    request.set_check_id(check_id);
    for (const auto& line : lines) request.add_line_ids(line);
    request.set_category_id(category);
    request.set_severity(severity);
    request.set_guest_words("It came out cold");
    return Recovery()->FlagProblem(Context(token).get(), request, out);
  }

  grpc::Status Apply(const std::string& token, const std::string& request_id,
                     const std::string& case_id, const std::string& option,
                     v1::RecoveryCase* out,
                     std::vector<std::string> extras = {}) {
    v1::ApplyRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_option_id(option);
    for (const auto& extra : extras) request.add_extra_option_ids(extra);
    return Recovery()->ApplyRemedy(Context(token).get(), request, out);
  }

  // Seeds `check_id` with one 5.00 line, flags it cold (MAJOR) and comps
  // the line as s-17, within a SERVER's 25.00 a case: the case after the
  // comp, with its one remedy (failures are reported; then it has none).
  v1::RecoveryCase CompOneLine(const std::string& check_id) {
    SeedCheck(check_id, {500});
    v1::RecoveryCase flagged, applied;
    grpc::Status flag = Flag(kServerToken, "flag-" + check_id, check_id, {"1"},
                             "cold_food", v1::MAJOR, &flagged);
    EXPECT_TRUE(flag.ok()) << flag.error_message();
    const v1::RemedyOption* comp = OptionFor(flagged, "comp_item");
    EXPECT_NE(comp, nullptr) << flagged.ShortDebugString();
    if (comp == nullptr) return applied;
    grpc::Status apply = Apply(kServerToken, "comp-" + check_id,
                               flagged.case_id(), comp->option_id(), &applied);
    EXPECT_TRUE(apply.ok()) << apply.error_message();
    EXPECT_EQ(applied.remedies_size(), 1);
    return applied;
  }

  // Approves (or, with `approve` false, denies for `reason`) a pending
  // remedy.
  grpc::Status Approve(const std::string& token, const std::string& request_id,
                       const std::string& case_id,
                       const std::string& application_id, v1::RecoveryCase* out,
                       bool approve = true, const std::string& reason = "") {
    v1::ApproveRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_remedy_application_id(application_id);
    request.set_approve(approve);
    request.set_reason(reason);
    return Recovery()->ApproveRemedy(Context(token).get(), request, out);
  }

  // Acks a command as the adapter: `text` is the POS reference when
  // APPLIED, else the vendor's reason.
  grpc::Status Ack(const std::string& request_id, const std::string& command_id,
                   v1::AckCommandRequest::Result result,
                   const std::string& text, v1::AckCommandResponse* out) {
    v1::AckCommandRequest request;
    request.set_request_id(request_id);
    request.set_command_id(command_id);
    request.set_result(result);
    if (result == v1::AckCommandRequest::APPLIED) {
      request.set_pos_reference(text);
    } else {
      request.set_vendor_reason(text);
    }
    auto stub = v1::RemedyCommandService::NewStub(channel_);
    return stub->AckCommand(Context(kAdapterToken).get(), request, out);
  }

  // Reads `count` commands from a fresh stream, then disconnects.
  std::vector<v1::RemedyCommand> ReadCommands(size_t count) {
    auto stub = v1::RemedyCommandService::NewStub(channel_);
    auto context = Context(kAdapterToken);
    v1::StreamCommandsRequest request;
    request.set_adapter_name("test");
    auto reader = stub->StreamCommands(context.get(), request);
    std::vector<v1::RemedyCommand> commands;
    v1::RemedyCommand command;
    while (commands.size() < count && reader->Read(&command))
      commands.push_back(command);
    context->TryCancel();
    reader->Finish().IgnoreError();
    return commands;
  }

  std::unique_ptr<v1::RecoveryService::Stub> Recovery() {
    return v1::RecoveryService::NewStub(channel_);
  }

  int64_t Count(const std::string& sql) { return QueryInt(db_path(), sql); }
};

}  // namespace makegood

#endif  // MAKEGOOD_TESTS_INTEGRATION_RECOVERY_CALLS_H_
