// The recovery flow through the real makegoodd: flag, apply, approve,
// outcome, the command stream and its acks, codes and the ledger.

#include <thread>

#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "core/proto_time.h"
#include "integration/recovery_calls.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::BaseEvent;
using v1::AckCommandRequest;
using v1::AppliedRemedy;
using v1::RecoveryCase;

class RecoveryTest : public RecoveryCallsTest {};

TEST_F(RecoveryTest, FlagOffersTheConfiguredRemediesWithGuidance) {
  SeedCheck("c1", {4800});
  RecoveryCase recovery;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &recovery)
          .ok());
  EXPECT_EQ(recovery.status(), RecoveryCase::OPEN);
  EXPECT_EQ(recovery.flagged_by(), "s-17");
  EXPECT_THAT(recovery.guidance(), HasSubstr("refired"));
  ASSERT_GE(recovery.options_size(), 2);
  EXPECT_EQ(recovery.options(0).remedy_id(), "refire");
  EXPECT_EQ(recovery.options(0).rule(), "cold-major");
  EXPECT_EQ(recovery.options(1).remedy_id(), "comp_item");
  EXPECT_EQ(recovery.options(1).estimated_cost().minor_units(), 4800);
  ASSERT_NE(OptionFor(recovery, "dessert_tray"), nullptr);
  // 48.00 >= the expensive-dish rule's 40.00.
  ASSERT_NE(OptionFor(recovery, "next_visit_20"), nullptr);
  EXPECT_EQ(OptionFor(recovery, "next_visit_20")->rule(), "expensive-dish");
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action='flagged'"), 1);
}

TEST_F(RecoveryTest, UnknownCheckOrLineIsNotFoundAndBadInputChangesNothing) {
  SeedCheck("c1", {1500});
  RecoveryCase recovery;
  EXPECT_EQ(
      Flag(kServerToken, "r1", "nope", {}, "long_wait", v1::MINOR, &recovery)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  grpc::Status line =
      Flag(kServerToken, "r2", "c1", {"9"}, "cold_food", v1::MINOR, &recovery);
  EXPECT_EQ(line.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(line.error_message(), HasSubstr("line '9'"));
  grpc::Status category =
      Flag(kServerToken, "r3", "c1", {"1"}, "soggy", v1::MINOR, &recovery);
  EXPECT_EQ(category.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(category.error_message(), HasSubstr("category_id"));
  grpc::Status severity = Flag(kServerToken, "r4", "c1", {"1"}, "cold_food",
                               v1::SEVERITY_UNSPECIFIED, &recovery);
  EXPECT_EQ(severity.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(severity.error_message(), HasSubstr("severity"));
  EXPECT_EQ(
      Flag(kAdapterToken, "r5", "c1", {"1"}, "cold_food", v1::MINOR, &recovery)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger"), 0);
}

TEST_F(RecoveryTest, APaidCheckIsOfferedOnlyWhatFitsAfterPayment) {
  SeedCheck("c1", {4800}, absl::Now() - absl::Minutes(30), /*paid=*/true);
  RecoveryCase recovery;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &recovery)
          .ok());
  for (const auto* list : {&recovery.options(), &recovery.extras()}) {
    for (const auto& option : *list) {
      EXPECT_TRUE(option.kind() == v1::DISCOUNT_CODE ||
                  option.kind() == v1::REFUND || option.kind() == v1::REPLACE ||
                  option.kind() == v1::COMPLIMENTARY_ITEM)
          << option.ShortDebugString();
    }
  }
  EXPECT_EQ(OptionFor(recovery, "comp_item"), nullptr);
  EXPECT_NE(OptionFor(recovery, "next_visit_20"), nullptr);
}

TEST_F(RecoveryTest, FullFlowFromFlagToAck) {
  SeedCheck("c1", {2400});
  RecoveryCase flagged;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  RecoveryCase applied;
  const std::string comp = OptionFor(flagged, "comp_item")->option_id();
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), comp, &applied).ok());
  ASSERT_EQ(applied.remedies_size(), 1);
  const AppliedRemedy& remedy = applied.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 2400);
  EXPECT_TRUE(remedy.waste());  // Fired before it was comped.
  EXPECT_EQ(applied.status(), RecoveryCase::REMEDY_APPLIED);

  auto commands = ReadCommands(1);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].command_id(), remedy.command_id());
  EXPECT_EQ(commands[0].apply_remedy().kind(), v1::COMP_ITEM);
  EXPECT_EQ(commands[0].apply_remedy().line_id(), "1");
  EXPECT_EQ(commands[0].apply_remedy().amount().minor_units(), 2400);

  v1::AckCommandResponse ack;
  ASSERT_TRUE(Ack("a1", remedy.command_id(), AckCommandRequest::APPLIED,
                  "sq-disc-77", &ack)
                  .ok());
  EXPECT_FALSE(ack.duplicate());
  v1::GetRecoveryRequest get;
  get.set_case_id(flagged.case_id());
  RecoveryCase now;
  ASSERT_TRUE(
      Recovery()->GetRecovery(Context(kServerToken).get(), get, &now).ok());
  EXPECT_EQ(now.remedies(0).status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(now.remedies(0).pos_reference(), "sq-disc-77");
  EXPECT_EQ(now.total_cost().minor_units(), 2400);

  v1::RecordOutcomeRequest outcome;
  outcome.set_request_id("r3");
  outcome.set_case_id(flagged.case_id());
  outcome.set_guest_response(v1::ACCEPTED);
  outcome.set_root_cause(v1::KITCHEN);
  outcome.set_action_taken("Heat lamps checked");
  RecoveryCase closed;
  ASSERT_TRUE(Recovery()
                  ->RecordOutcome(Context(kServerToken).get(), outcome, &closed)
                  .ok());
  EXPECT_EQ(closed.status(), RecoveryCase::RESOLVED);
  EXPECT_EQ(closed.root_cause(), v1::KITCHEN);
  EXPECT_TRUE(closed.has_closed_at());
  // A comp never exceeds what is left: the line is fully comped.
  RecoveryCase again;
  ASSERT_TRUE(
      Flag(kServerToken, "r4", "c1", {"1"}, "cold_food", v1::MAJOR, &again)
          .ok());
  EXPECT_EQ(OptionFor(again, "comp_item")->estimated_cost().minor_units(), 0);
  grpc::Status nothing_left =
      Apply(kServerToken, "r5", again.case_id(),
            OptionFor(again, "comp_item")->option_id(), &applied);
  EXPECT_EQ(nothing_left.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(nothing_left.error_message(), HasSubstr("nothing is left"));
  EXPECT_EQ(Count("SELECT count(*) FROM remedies"), 1);
}

TEST_F(RecoveryTest, ADoublePressGivesOneComp) {
  SeedCheck("c1", {2400});
  RecoveryCase flagged, first, second;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  const std::string comp = OptionFor(flagged, "comp_item")->option_id();
  ASSERT_TRUE(
      Apply(kServerToken, "press", flagged.case_id(), comp, &first).ok());
  ASSERT_TRUE(
      Apply(kServerToken, "press", flagged.case_id(), comp, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(Count("SELECT count(*) FROM remedies"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM commands"), 1);
  // The same id for another request is refused.
  grpc::Status reused =
      Apply(kServerToken, "press", flagged.case_id(), "o1", &second);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // A new press of the applied option is refused too: never a double comp.
  grpc::Status again =
      Apply(kServerToken, "press-2", flagged.case_id(), comp, &second);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Count("SELECT count(*) FROM remedies"), 1);
}

TEST_F(RecoveryTest, ConcurrentAppliesNeverOverspendTheShiftBudget) {
  // SERVER: 25.00 per case, 60.00 per shift. 64 comps of 15.00 at once.
  constexpr int kCases = 64;
  std::vector<std::string> case_ids;
  for (int i = 0; i < kCases; ++i) {
    const std::string check = "b" + std::to_string(i);
    SeedCheck(check, {1500});
    RecoveryCase flagged;
    ASSERT_TRUE(Flag(kServerToken, "f" + check, check, {"1"}, "wrong_item",
                     v1::MINOR, &flagged)
                    .ok());
    case_ids.push_back(flagged.case_id());
  }
  absl::Mutex mu;
  int sent = 0, pending = 0, failed = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kCases; ++i) {
    threads.emplace_back([&, i] {
      RecoveryCase applied;
      // "o2" is comp_item for wrong_item: [refire, comp_item].
      grpc::Status status = Apply(kServerToken, "a" + std::to_string(i),
                                  case_ids[i], "o2", &applied);
      absl::MutexLock lock(&mu);
      if (!status.ok() || applied.remedies_size() != 1) {
        ++failed;
      } else if (applied.remedies(0).status() == AppliedRemedy::SENT) {
        ++sent;
      } else if (applied.remedies(0).status() ==
                 AppliedRemedy::PENDING_APPROVAL) {
        ++pending;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(sent, 4);  // 4 × 15.00 = 60.00; a fifth would reach 75.00.
  EXPECT_EQ(pending, kCases - 4);
  EXPECT_EQ(Count("SELECT sum(cost_minor) FROM remedies WHERE status=3"), 6000);
}

TEST_F(RecoveryTest, ApprovalRules) {
  SeedCheck("c1", {3000});
  RecoveryCase flagged, applied, approved;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "wrong_item", v1::MAJOR, &flagged)
          .ok());
  // 30.00 is over the SERVER's 25.00 per case: it waits for a manager.
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), "o2", &applied).ok());
  ASSERT_EQ(applied.remedies(0).status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_THAT(applied.remedies(0).approval_reason(), HasSubstr("25.00"));
  EXPECT_EQ(applied.status(), RecoveryCase::PENDING_APPROVAL);
  EXPECT_EQ(Count("SELECT count(*) FROM commands"), 0);
  const std::string id = applied.remedies(0).remedy_application_id();

  EXPECT_EQ(Approve(kOtherServerToken, "r3", flagged.case_id(), id, &approved)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      Approve(kManagerToken, "r4", flagged.case_id(), id, &approved).ok());
  EXPECT_EQ(approved.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(approved.remedies(0).approved_by(), "m-2");
  EXPECT_EQ(approved.total_cost().minor_units(), 3000);
  EXPECT_EQ(Count("SELECT count(*) FROM commands"), 1);

  // A manager's own request above their limit waits for someone else.
  SeedCheck("c2", {25000});
  ASSERT_TRUE(
      Flag(kManagerToken, "r5", "c2", {"1"}, "wrong_item", v1::MAJOR, &flagged)
          .ok());
  ASSERT_TRUE(
      Apply(kManagerToken, "r6", flagged.case_id(), "o2", &applied).ok());
  ASSERT_EQ(applied.remedies(0).status(), AppliedRemedy::PENDING_APPROVAL);
  grpc::Status own =
      Approve(kManagerToken, "r7", flagged.case_id(),
              applied.remedies(0).remedy_application_id(), &approved);
  EXPECT_EQ(own.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(own.error_message(), HasSubstr("own request"));
}

TEST_F(RecoveryTest, ARejectedAckReoffersTheNextOptionAndAlertsManagers) {
  SeedCheck("c1", {2000});
  // A manager screen watching.
  auto watch_stub = v1::RecoveryService::NewStub(channel_);
  auto watch_context = Context(kManagerToken);
  auto watch = watch_stub->WatchRecoveries(watch_context.get(),
                                           v1::WatchRecoveriesRequest());
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MINOR, &flagged)
          .ok());
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), "o1", &applied).ok());
  v1::AckCommandResponse ack;
  ASSERT_TRUE(
      Ack("a1", applied.remedies(0).command_id(), AckCommandRequest::REJECTED,
          "Orders created in the Square POS app cannot be updated", &ack)
          .ok());
  v1::RecoveryUpdate update;
  bool alerted = false;
  while (!alerted && watch->Read(&update)) {
    if (update.has_alert() &&
        update.alert().kind() == v1::Alert::COMMAND_REJECTED) {
      alerted = true;
      EXPECT_THAT(update.alert().message(), HasSubstr("cannot be updated"));
    }
  }
  EXPECT_TRUE(alerted);
  watch_context->TryCancel();
  watch->Finish().IgnoreError();

  v1::GetRecoveryRequest get;
  get.set_case_id(flagged.case_id());
  RecoveryCase now;
  ASSERT_TRUE(
      Recovery()->GetRecovery(Context(kServerToken).get(), get, &now).ok());
  EXPECT_EQ(now.status(), RecoveryCase::OPEN);
  EXPECT_TRUE(now.options(0).declined());
  EXPECT_EQ(now.remedies(0).status(), AppliedRemedy::REJECTED);
  EXPECT_THAT(now.remedies(0).rejection_reason(), HasSubstr("Square POS app"));
  EXPECT_EQ(
      Apply(kServerToken, "r3", flagged.case_id(), "o1", &applied).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RecoveryTest, UnackedCommandsAreRedeliveredAndASecondAckChangesNothing) {
  SeedCheck("c1", {2000});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MINOR, &flagged)
          .ok());
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), "o1", &applied).ok());
  auto first = ReadCommands(1);  // Disconnects without acking.
  ASSERT_EQ(first.size(), 1u);
  auto again = ReadCommands(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].command_id(), first[0].command_id());
  EXPECT_GE(again[0].delivery_attempt(), 2);

  v1::AckCommandResponse ack;
  ASSERT_TRUE(Ack("a1", first[0].command_id(), AckCommandRequest::APPLIED,
                  "ref-1", &ack)
                  .ok());
  const int64_t ledger_rows = Count("SELECT count(*) FROM ledger");
  ASSERT_TRUE(Ack("a2", first[0].command_id(), AckCommandRequest::APPLIED,
                  "ref-1", &ack)
                  .ok());
  EXPECT_TRUE(ack.duplicate());
  EXPECT_EQ(Count("SELECT count(*) FROM ledger"), ledger_rows);
  // A later answer, even a contrary one, gets the first answer back and
  // changes nothing (remedy_commands.proto).
  grpc::Status contrary =
      Ack("a3", first[0].command_id(), AckCommandRequest::REJECTED, "no", &ack);
  ASSERT_TRUE(contrary.ok()) << contrary.error_message();
  EXPECT_TRUE(ack.duplicate());
  EXPECT_EQ(ack.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger"), ledger_rows);
  EXPECT_EQ(Count("SELECT count(*) FROM remedies WHERE status=4"), 1);
  // Acked: a new stream has nothing to send.
  EXPECT_EQ(Count("SELECT count(*) FROM commands WHERE acked_at_us IS NULL"),
            0);
}

TEST_F(RecoveryTest, ACodeIsRedeemedOnceAndMistypesAreCaught) {
  SeedCheck("c1", {4800});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  const std::string code_option =
      OptionFor(flagged, "next_visit_20")->option_id();
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), "", &applied, {code_option})
          .ok());
  ASSERT_EQ(applied.remedies_size(), 1);
  const std::string code = applied.remedies(0).discount_code();
  ASSERT_EQ(code.size(), 14u);  // XXXX-XXXX-XXXX
  EXPECT_EQ(code.find_first_of("01OIL"), std::string::npos);

  auto redeem = [&](const std::string& event_id, const std::string& typed) {
    OrderEvent event = BaseEvent(event_id, "later-check", absl::Now());
    event.mutable_discount_code_redeemed()->set_code(typed);
    event.mutable_discount_code_redeemed()->mutable_amount()->set_minor_units(
        900);
    event.mutable_discount_code_redeemed()->mutable_amount()->set_currency(
        "USD");
    PublishSummary summary;
    EXPECT_TRUE(Publish({event}, &summary).ok());
    return summary;
  };
  std::string mistyped = code;
  mistyped[0] = mistyped[0] == 'A' ? 'B' : 'A';
  PublishSummary typo = redeem("x0", mistyped);
  ASSERT_EQ(typo.rejected(), 1);
  EXPECT_THAT(typo.rejections(0).reason(), HasSubstr("mistyped"));

  PublishSummary first = redeem("x1", absl::AsciiStrToLower(code));
  EXPECT_EQ(first.accepted(), 1) << first.DebugString();
  PublishSummary second = redeem("x2", code);
  ASSERT_EQ(second.rejected(), 1);
  EXPECT_THAT(second.rejections(0).reason(), HasSubstr("already redeemed at "));
  EXPECT_THAT(second.rejections(0).reason(), HasSubstr("on check later-check"));
  EXPECT_EQ(Count("SELECT count(*) FROM order_events WHERE event_id='x2'"), 0);
}

TEST_F(RecoveryTest, TheLedgerVerifiesAndDetectsAChangedRow) {
  SeedCheck("c1", {2000});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), "o2", &applied).ok());
  CommandResult ok =
      RunCommand({MAKEGOOD_BIN, "ledger", "verify", "--db", db_path()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("intact"));

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  // The triggers refuse changes...
  EXPECT_NE(sqlite3_exec(db, "UPDATE ledger SET amount_minor=1", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  EXPECT_THAT(sqlite3_errmsg(db), HasSubstr("append-only"));
  // ...and someone who drops them is still caught by the hash chain.
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER ledger_no_update; "
                         "UPDATE ledger SET amount_minor=1 WHERE seq=2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  CommandResult bad =
      RunCommand({MAKEGOOD_BIN, "ledger", "verify", "--db", db_path()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out + bad.err, HasSubstr("row 2"));
}

TEST_F(RecoveryTest, ContactsAreForManagersOnly) {
  SeedCheck("c1", {2000});
  v1::FlagProblemRequest request;
  request.set_request_id("r1");
  request.set_check_id("c1");
  request.set_category_id("rude_service");
  request.set_severity(v1::MAJOR);
  request.mutable_guest_contact()->set_name("Ana");
  request.mutable_guest_contact()->set_email("ana@example.com");
  request.mutable_guest_contact()->set_follow_up_consent(true);
  RecoveryCase flagged;
  ASSERT_TRUE(Recovery()
                  ->FlagProblem(Context(kServerToken).get(), request, &flagged)
                  .ok());
  EXPECT_TRUE(flagged.contact_on_file());
  EXPECT_TRUE(flagged.has_follow_up_due());
  EXPECT_FALSE(flagged.has_guest_contact());
  v1::GetRecoveryRequest get;
  get.set_case_id(flagged.case_id());
  RecoveryCase as_server, as_manager;
  ASSERT_TRUE(Recovery()
                  ->GetRecovery(Context(kServerToken).get(), get, &as_server)
                  .ok());
  EXPECT_FALSE(as_server.has_guest_contact());
  ASSERT_TRUE(Recovery()
                  ->GetRecovery(Context(kManagerToken).get(), get, &as_manager)
                  .ok());
  EXPECT_EQ(as_manager.guest_contact().email(), "ana@example.com");
}

TEST_F(RecoveryTest, ARecurringProblemAlertsManagersAtOnce) {
  auto watch_stub = v1::RecoveryService::NewStub(channel_);
  auto watch_context = Context(kManagerToken);
  auto watch = watch_stub->WatchRecoveries(watch_context.get(),
                                           v1::WatchRecoveriesRequest());
  // The same ribeye from the grill comes back cold on three checks; the
  // sample configuration alerts at 3 within 90 minutes.
  for (int i = 1; i <= 3; ++i) {
    const std::string check = absl::StrCat("c", i);
    SeedCheck(check, {4200});
    RecoveryCase flagged;
    ASSERT_TRUE(Flag(kServerToken, absl::StrCat("r", i), check, {"1"},
                     "cold_food", v1::MINOR, &flagged)
                    .ok());
  }
  std::vector<std::string> messages;
  v1::RecoveryUpdate update;
  while (messages.size() < 2 && watch->Read(&update)) {
    if (update.has_alert() &&
        update.alert().kind() == v1::Alert::RECURRING_PROBLEM) {
      EXPECT_EQ(update.alert().check_id(), "c3");
      messages.push_back(update.alert().message());
    }
  }
  watch_context->TryCancel();
  watch->Finish().IgnoreError();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_THAT(messages[0],
              HasSubstr("Ribeye 12oz flagged 3 times for Cold food between "));
  EXPECT_THAT(messages[1],
              HasSubstr("Station grill flagged 3 times for Cold food"));
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM problem_keys"), 6);
}

TEST_F(RecoveryTest, AFollowUpGoesToTheAdapterStreamAndContactsStayOutOfLogs) {
  SeedCheck("c1", {2000});
  v1::FlagProblemRequest request;
  request.set_request_id("r1");
  request.set_check_id("c1");
  request.add_line_ids("1");
  request.set_category_id("quality");
  request.set_severity(v1::MINOR);
  request.mutable_guest_contact()->set_name("Ana");
  request.mutable_guest_contact()->set_email("ana@example.com");
  request.mutable_guest_contact()->set_follow_up_consent(true);
  RecoveryCase flagged;
  ASSERT_TRUE(Recovery()
                  ->FlagProblem(Context(kServerToken).get(), request, &flagged)
                  .ok());
  auto commands = ReadCommands(1);
  ASSERT_EQ(commands.size(), 1u);
  ASSERT_TRUE(commands[0].has_guest_follow_up());
  const auto& follow_up = commands[0].guest_follow_up();
  EXPECT_EQ(follow_up.contact().email(), "ana@example.com");
  EXPECT_EQ(follow_up.category_id(), "quality");
  EXPECT_EQ(core::FromProto(follow_up.due_at()),
            core::FromProto(flagged.flagged_at()) + absl::Hours(24 * 7));
  v1::AckCommandResponse ack;
  ASSERT_TRUE(Ack("a1", commands[0].command_id(), AckCommandRequest::APPLIED,
                  "crm-77", &ack)
                  .ok());
  EXPECT_EQ(ack.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_TRUE(ReadCommands(0).empty());
  // The details live only in guest_contacts: not in the outbox, the ledger,
  // the stored answers or the daemon's log.
  for (const auto& [table, column] :
       std::vector<std::pair<std::string, std::string>>{
           {"commands", "body"},
           {"ledger", "detail"},
           {"idempotency", "response"}}) {
    EXPECT_EQ(QueryInt(db_path(), absl::StrCat("SELECT count(*) FROM ", table,
                                               " WHERE instr(CAST(", column,
                                               " AS BLOB), CAST('ana@example."
                                               "com' AS BLOB)) > 0")),
              0)
        << table;
  }
  std::ifstream log(dir_.File("makegoodd.log"));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_THAT(text.str(), ::testing::Not(HasSubstr("ana@example.com")));
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM follow_ups"), 1);
}

TEST_F(RecoveryTest, ARootCauseCanBeRequiredToCloseACase) {
  RestartWithConfig("outcomes: { require_root_cause: true }");
  SeedCheck("c1", {2000});
  RecoveryCase flagged, applied, closed;
  ASSERT_TRUE(
      Flag(kServerToken, "r1", "c1", {"1"}, "cold_food", v1::MINOR, &flagged)
          .ok());
  ASSERT_TRUE(
      Apply(kServerToken, "r2", flagged.case_id(), "o1", &applied).ok());
  v1::RecordOutcomeRequest outcome;
  outcome.set_request_id("r3");
  outcome.set_case_id(flagged.case_id());
  outcome.set_guest_response(v1::ACCEPTED);
  grpc::Status refused =
      Recovery()->RecordOutcome(Context(kServerToken).get(), outcome, &closed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("root_cause"));
  outcome.set_request_id("r4");
  outcome.set_root_cause(v1::KITCHEN);
  refused =
      Recovery()->RecordOutcome(Context(kServerToken).get(), outcome, &closed);
  EXPECT_THAT(refused.error_message(), HasSubstr("action_taken"));
  v1::GetRecoveryRequest get;
  get.set_case_id(flagged.case_id());
  RecoveryCase now;
  ASSERT_TRUE(
      Recovery()->GetRecovery(Context(kServerToken).get(), get, &now).ok());
  EXPECT_EQ(now.status(), RecoveryCase::REMEDY_APPLIED);
  EXPECT_EQ(now.root_cause(), v1::ROOT_CAUSE_UNSPECIFIED);
  outcome.set_request_id("r5");
  outcome.set_action_taken("Heat lamp repaired");
  ASSERT_TRUE(Recovery()
                  ->RecordOutcome(Context(kServerToken).get(), outcome, &closed)
                  .ok());
  EXPECT_EQ(closed.status(), RecoveryCase::RESOLVED);
}

TEST_F(RecoveryTest, ListRecoveriesFiltersAndPages) {
  SeedCheck("c1", {2000});
  RecoveryCase flagged;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Flag(i == 2 ? kOtherServerToken : kServerToken,
                     "r" + std::to_string(i), "c1", {"1"}, "cold_food",
                     v1::MINOR, &flagged, /*new_problem=*/true)
                    .ok());
  }
  v1::ListRecoveriesRequest request;
  request.set_staff_id("s-17");
  request.set_page_size(1);
  std::vector<std::string> seen;
  for (;;) {
    v1::ListRecoveriesResponse page;
    ASSERT_TRUE(
        Recovery()
            ->ListRecoveries(Context(kReporterToken).get(), request, &page)
            .ok());
    for (const auto& c : page.cases()) seen.push_back(c.flagged_by());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"s-17", "s-17"}));
  request.set_page_token("garbage");
  v1::ListRecoveriesResponse page;
  EXPECT_EQ(Recovery()
                ->ListRecoveries(Context(kReporterToken).get(), request, &page)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RecoveryTest, TheCliRunsTheFlow) {
  SeedCheck("c1", {2000});
  CommandResult bad = Cli({"flag", "c1", "--line", "1", "--category",
                           "cold_food", "--severity", "LUKEWARM"},
                          kServerToken);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--severity"));
  CommandResult flagged =
      Cli({"--output", "json", "flag", "c1", "--line", "1", "--category",
           "cold_food", "--severity", "major", "--words", "Cold steak"},
          kServerToken);
  ASSERT_EQ(flagged.exit_code, 0) << flagged.err;
  const std::string case_id =
      nlohmann::json::parse(flagged.out)["case_id"].get<std::string>();
  CommandResult applied =
      Cli({"apply", case_id, "--option", "o2"}, kServerToken);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("SENT"));
  EXPECT_THAT(applied.out, HasSubstr("Comp the item"));
  CommandResult shown = Cli({"recoveries", "show", case_id}, kServerToken);
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_THAT(shown.out, HasSubstr("REMEDY_APPLIED"));
  CommandResult listed = Cli({"recoveries", "list"}, kServerToken);
  EXPECT_THAT(listed.out, HasSubstr(case_id));
  CommandResult refused =
      Cli({"approve", case_id, "RA-NONE"}, kServerToken);  // Not a manager.
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("PERMISSION_DENIED"));
  CommandResult outcome =
      Cli({"outcome", case_id, "--guest", "accepted", "--cause", "kitchen"},
          kServerToken);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("RESOLVED"));
}

}  // namespace
}  // namespace makegood
