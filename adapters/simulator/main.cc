// makegood-sim: plays a day of service against a running makegoodd through
// its real gRPC API: the POS's order events, staff flagging problems and
// applying remedies (a manager approving those above their authority), the
// guests' answers, and earlier guests coming back with their codes.
//
// makegoodd must run with --simulated-clock (a clock that moves only when
// told); the simulator moves it to each step's time, so every case, remedy
// and response time lands on the simulated day. Deterministic for a seed.

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "client/connection.h"
#include "client/connection_flags.h"
#include "core/proto_time.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/simulation.grpc.pb.h"
#include "service_day.h"

namespace {

using makegood::simulator::Problem;
using makegood::simulator::ServiceDay;
namespace v1 = makegood::v1;

struct Settings {
  // --server and the TLS flags (client/connection_flags.h).
  makegood::client::ConnectionOptions connection;
  std::string date;
  int covers = 400;
  uint64_t seed = 1;
  double problem_rate = 0.03;
  std::string timezone = "America/New_York";
  std::string location = "downtown-01";
  std::string currency = "USD";
  std::string adapter_token = "demo-adapter-pos";
  std::vector<std::string> servers = {"s-17", "s-22"};
  std::vector<std::string> server_tokens = {"demo-server-dana",
                                            "demo-server-marco"};
  std::string manager_token = "demo-manager-lee";
  std::string admin_token = "demo-admin-owner";
};

// One thing to do at one time; ties keep the order they were added in.
struct Step {
  enum Kind { kEvents, kFlag, kApply, kApprove, kOutcome } kind;
  absl::Time at;
  size_t index;  // Into the events or the problems.
};

class Runner {
 public:
  Runner(const Settings& settings, ServiceDay day,
         std::shared_ptr<grpc::Channel> channel)
      : settings_(settings),
        day_(std::move(day)),
        channel_(std::move(channel)),
        events_(v1::OrderEventService::NewStub(channel_)),
        recovery_(v1::RecoveryService::NewStub(channel_)),
        simulation_(v1::SimulationService::NewStub(channel_)) {}

  int Run() {
    std::vector<Step> steps;
    for (size_t i = 0; i < day_.events.size(); ++i) {
      steps.push_back({Step::kEvents,
                       makegood::core::FromProto(day_.events[i].occurred_at()),
                       i});
    }
    for (size_t i = 0; i < day_.problems.size(); ++i) {
      const Problem& p = day_.problems[i];
      steps.push_back({Step::kFlag, p.flagged_at, i});
      steps.push_back({Step::kApply, p.applied_at, i});
      steps.push_back({Step::kApprove, p.applied_at + p.approval_after, i});
      steps.push_back({Step::kOutcome, p.outcome_at, i});
    }
    std::stable_sort(steps.begin(), steps.end(),
                     [](const Step& a, const Step& b) { return a.at < b.at; });
    cases_.resize(day_.problems.size());
    std::vector<v1::OrderEvent> batch;
    absl::Time batch_at;
    auto flush = [&]() -> bool {
      if (batch.empty()) return true;
      const bool ok = MoveClock(batch_at) && Publish(batch);
      batch.clear();
      return ok;
    };
    for (const Step& step : steps) {
      if (step.kind == Step::kEvents) {
        batch.push_back(day_.events[step.index]);
        batch_at = step.at;
        if (batch.size() < 200) continue;
      }
      if (!flush()) return 1;
      if (step.kind == Step::kEvents) continue;
      if (!MoveClock(step.at)) return 1;
      Act(step);
    }
    if (!flush()) return 1;
    std::cout << "simulated " << settings_.date << " (seed " << settings_.seed
              << "): " << day_.covers << " covers, " << day_.checks
              << " checks, " << published_ << " events, "
              << day_.problems.size() << " problems flagged, " << approvals_
              << " approved by a manager, " << day_.codes_redeemed
              << " earlier codes redeemed, " << failures_ << " failed calls"
              << std::endl;
    return failures_ == 0 ? 0 : 1;
  }

 private:
  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  std::string RequestId(const char* what, size_t index) const {
    return absl::StrCat("sim-", settings_.date, "-", settings_.seed, "-", what,
                        "-", index);
  }

  bool MoveClock(absl::Time at) {
    if (at <= clock_) return true;
    v1::SetClockRequest request;
    *request.mutable_time() = makegood::core::ToProto(at);
    v1::SetClockResponse response;
    const grpc::Status status = simulation_->SetClock(
        Context(settings_.admin_token).get(), request, &response);
    if (!status.ok()) {
      std::cerr << "makegood-sim: cannot move makegoodd's clock to "
                << absl::FormatTime(at) << ": " << status.error_message()
                << "\nStart makegoodd with --simulated-clock " << settings_.date
                << "T00:00:00Z (on a database without later days)."
                << std::endl;
      return false;
    }
    clock_ = at;
    return true;
  }

  bool Publish(const std::vector<v1::OrderEvent>& events) {
    v1::PublishBatchRequest request;
    for (const auto& event : events) *request.add_events() = event;
    v1::PublishSummary summary;
    const grpc::Status status = events_->PublishBatch(
        Context(settings_.adapter_token).get(), request, &summary);
    if (!status.ok()) {
      std::cerr << "makegood-sim: publish: " << status.error_message()
                << std::endl;
      return false;
    }
    for (const auto& rejection : summary.rejections()) {
      std::cerr << "makegood-sim: event " << rejection.event_id()
                << " rejected: " << rejection.reason() << std::endl;
      ++failures_;
    }
    published_ += summary.accepted() + summary.duplicates();
    return true;
  }

  void Fail(const char* what, const Problem& problem,
            const grpc::Status& status) {
    std::cerr << "makegood-sim: " << what << " on check " << problem.check_id
              << ": " << status.error_message() << std::endl;
    ++failures_;
  }

  void Act(const Step& step) {
    const Problem& problem = day_.problems[step.index];
    v1::RecoveryCase& recovery = cases_[step.index];
    const std::string& staff = settings_.server_tokens[problem.server_index];
    switch (step.kind) {
      case Step::kFlag: {
        v1::FlagProblemRequest flag;
        flag.set_request_id(RequestId("flag", step.index));
        flag.set_check_id(problem.check_id);
        for (const auto& line : problem.line_ids) flag.add_line_ids(line);
        flag.set_category_id(problem.category_id);
        flag.set_severity(problem.severity);
        flag.set_guest_words(problem.guest_words);
        const grpc::Status status =
            recovery_->FlagProblem(Context(staff).get(), flag, &recovery);
        if (!status.ok()) Fail("flag", problem, status);
        return;
      }
      case Step::kApply: {
        if (recovery.case_id().empty() || recovery.options().empty()) return;
        v1::ApplyRemedyRequest apply;
        apply.set_request_id(RequestId("apply", step.index));
        apply.set_case_id(recovery.case_id());
        const int option =
            std::min(problem.option_index, recovery.options_size() - 1);
        apply.set_option_id(recovery.options(option).option_id());
        if (problem.severity == v1::SEVERE) {
          for (const auto& extra : recovery.extras()) {
            apply.add_extra_option_ids(extra.option_id());
          }
        }
        const grpc::Status status =
            recovery_->ApplyRemedy(Context(staff).get(), apply, &recovery);
        if (!status.ok()) Fail("apply", problem, status);
        return;
      }
      case Step::kApprove: {
        for (const auto& remedy : recovery.remedies()) {
          if (remedy.status() != v1::AppliedRemedy::PENDING_APPROVAL) continue;
          v1::ApproveRemedyRequest approve;
          approve.set_request_id(
              RequestId(remedy.remedy_application_id().c_str(), step.index));
          approve.set_case_id(recovery.case_id());
          approve.set_remedy_application_id(remedy.remedy_application_id());
          approve.set_approve(true);
          v1::RecoveryCase approved;
          const grpc::Status status = recovery_->ApproveRemedy(
              Context(settings_.manager_token).get(), approve, &approved);
          if (!status.ok()) {
            Fail("approve", problem, status);
            continue;
          }
          ++approvals_;
        }
        return;
      }
      case Step::kOutcome: {
        if (recovery.case_id().empty()) return;
        v1::RecordOutcomeRequest outcome;
        outcome.set_request_id(RequestId("outcome", step.index));
        outcome.set_case_id(recovery.case_id());
        outcome.set_guest_response(problem.response);
        outcome.set_root_cause(problem.root_cause);
        outcome.set_action_taken(problem.action_taken);
        v1::RecoveryCase closed;
        const grpc::Status status =
            recovery_->RecordOutcome(Context(staff).get(), outcome, &closed);
        if (!status.ok()) Fail("outcome", problem, status);
        return;
      }
      case Step::kEvents:
        return;
    }
  }

  const Settings& settings_;
  ServiceDay day_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OrderEventService::Stub> events_;
  std::unique_ptr<v1::RecoveryService::Stub> recovery_;
  std::unique_ptr<v1::SimulationService::Stub> simulation_;
  std::vector<v1::RecoveryCase> cases_;
  absl::Time clock_ = absl::InfinitePast();
  int64_t published_ = 0;
  int approvals_ = 0;
  int failures_ = 0;
};

// Next-visit codes given in the 90 days before the day and still valid
// then, oldest first.
absl::StatusOr<std::vector<makegood::simulator::DayOptions::Code>> EarlierCodes(
    const Settings& settings, const makegood::simulator::DayOptions& options,
    const std::shared_ptr<grpc::Channel>& channel) {
  auto recovery = v1::RecoveryService::NewStub(channel);
  const absl::Time day_start = absl::FromCivil(options.date, options.zone);
  v1::ListRecoveriesRequest request;
  *request.mutable_from() =
      makegood::core::ToProto(day_start - absl::Hours(24 * 90));
  *request.mutable_to() = makegood::core::ToProto(day_start);
  request.set_page_size(100);
  std::vector<makegood::simulator::DayOptions::Code> codes;
  for (;;) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    context.AddMetadata("authorization", "Bearer " + settings.manager_token);
    v1::ListRecoveriesResponse page;
    const grpc::Status status =
        recovery->ListRecoveries(&context, request, &page);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("reading earlier cases from ",
                                                 settings.connection.server,
                                                 ": ", status.error_message()));
    }
    for (const auto& recovery_case : page.cases()) {
      for (const auto& remedy : recovery_case.remedies()) {
        if (remedy.discount_code().empty() ||
            makegood::core::FromProto(remedy.code_expires_at()) < day_start) {
          continue;
        }
        codes.push_back({remedy.discount_code(), remedy.cost().minor_units()});
      }
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return codes;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "makegood-sim: play a believable day of service against makegoodd.\n"
      "Start makegoodd with --simulated-clock DATET00:00:00Z first; the "
      "simulator moves that clock through the day. The same seed plays the "
      "same day.",
      "makegood-sim"};
  Settings settings;
  app.add_option("--date", settings.date, "The business day, YYYY-MM-DD")
      ->required();
  app.add_option("--covers", settings.covers, "Guests served over the day")
      ->check(CLI::Range(1, 5000))
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "Seed of the day")
      ->capture_default_str();
  app.add_option("--problem-rate", settings.problem_rate,
                 "Chance that an item has a problem")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  // Its tokens stay flags: the simulator plays the sample configuration's
  // demo tokens against a makegoodd on a simulated clock, never a live one.
  makegood::client::AddConnectionFlags(app, settings.connection);
  app.add_option("--timezone", settings.timezone,
                 "The location's time zone (as in its configuration)")
      ->capture_default_str();
  app.add_option("--location", settings.location, "The location id")
      ->capture_default_str();
  app.add_option("--currency", settings.currency, "The location's currency")
      ->capture_default_str();
  app.add_option("--adapter-token", settings.adapter_token,
                 "ADAPTER token the POS events are published with")
      ->capture_default_str();
  app.add_option("--servers", settings.servers,
                 "Staff ids of the servers (SERVER role)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--server-tokens", settings.server_tokens,
                 "Their tokens, in the same order")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--manager-token", settings.manager_token,
                 "MANAGER token that approves")
      ->capture_default_str();
  app.add_option("--admin-token", settings.admin_token,
                 "ADMIN token that moves the simulated clock")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; any other command-line mistake is a usage error.
    return app.exit(e) == 0 ? 0 : 2;
  }

  makegood::simulator::DayOptions options;
  if (!absl::ParseCivilTime(settings.date, &options.date)) {
    std::cerr << "makegood-sim: --date: '" << settings.date
              << "' is not YYYY-MM-DD" << std::endl;
    return 2;
  }
  if (!absl::LoadTimeZone(settings.timezone, &options.zone)) {
    std::cerr << "makegood-sim: --timezone: unknown time zone '"
              << settings.timezone << "'" << std::endl;
    return 2;
  }
  if (settings.servers.size() != settings.server_tokens.size() ||
      settings.servers.empty()) {
    std::cerr << "makegood-sim: --servers and --server-tokens must name the "
                 "same number of staff"
              << std::endl;
    return 2;
  }
  options.location_id = settings.location;
  options.currency = settings.currency;
  options.covers = settings.covers;
  options.seed = settings.seed;
  options.problem_rate = settings.problem_rate;
  options.servers = settings.servers;
  auto channel = makegood::client::OpenChannel(
      settings.connection, makegood::client::TlsFlagNames());
  if (!channel.ok()) {
    std::cerr << "makegood-sim: " << channel.status().message() << std::endl;
    return 2;
  }
  auto codes = EarlierCodes(settings, options, *channel);
  if (!codes.ok()) {
    std::cerr << "makegood-sim: " << codes.status().message() << std::endl;
    return 1;
  }
  options.earlier_codes = *std::move(codes);
  Runner runner(settings, makegood::simulator::PlanServiceDay(options),
                *std::move(channel));
  return runner.Run();
}
