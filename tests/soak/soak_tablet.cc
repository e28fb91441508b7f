#include "soak/soak_tablet.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "soak/failure.h"
#include "support/sample_events.h"

namespace makegood::soak {

using makegood::v1::AppliedRemedy;
using makegood::v1::OrderEvent;
using makegood::v1::RecoveryCase;

namespace {

// The id of the option (offered, not an extra) of `remedy_id`; "" if none.
std::string OfferedOption(const RecoveryCase& recovery,
                          const std::string& remedy_id) {
  for (const auto& option : recovery.options()) {
    if (option.remedy_id() == remedy_id) return option.option_id();
  }
  return "";
}

// The first offered option neither declined nor given yet; "" if none.
std::string NextUntried(const RecoveryCase& recovery) {
  for (const auto& option : recovery.options()) {
    if (option.declined()) continue;
    bool given = false;
    for (const auto& remedy : recovery.remedies()) {
      given = given || remedy.option_id() == option.option_id();
    }
    if (!given) return option.option_id();
  }
  return "";
}

}  // namespace

SoakTablet::SoakTablet(TabletOptions options,
                       std::shared_ptr<grpc::Channel> tablet,
                       std::shared_ptr<grpc::Channel> pos, AnswerLog& log)
    : options_(std::move(options)),
      log_(log),
      recovery_(makegood::v1::RecoveryService::NewStub(tablet)),
      checks_(makegood::v1::CheckService::NewStub(tablet)),
      events_(makegood::v1::OrderEventService::NewStub(pos)),
      random_(options_.seed) {}

SoakTablet::Counts SoakTablet::counts() const {
  return Counts{calls_.load(),     retries_.load(), cases_.load(),
                approvals_.load(), denials_.load(), declines_.load(),
                refreshes_.load()};
}

bool SoakTablet::Chance(double p) {
  return std::uniform_real_distribution<double>(0, 1)(random_) < p;
}

void SoakTablet::PublishCheck(const std::vector<OrderEvent>& events) {
  const std::string& check = events.front().check_id();
  makegood::v1::PublishSummary summary;
  const grpc::Status status = CallUntilAnswered(
      absl::StrCat(options_.name, " publishing check ", check), options_.retry,
      [&] {
        summary.Clear();
        auto context = CallContext(kPosAdapter);
        auto writer = events_->Publish(context.get(), &summary);
        for (const OrderEvent& event : events) {
          if (!writer->Write(event)) break;
        }
        writer->WritesDone();
        return writer->Finish();
      },
      &retries_);
  const int64_t stored = summary.accepted() + summary.duplicates();
  if (!status.ok() || summary.rejected() != 0 ||
      stored != static_cast<int64_t>(events.size())) {
    Fail(absl::StrCat(
        options_.name, ": publishing the ", events.size(), " events of check ",
        check, " was answered ",
        status.ok() ? summary.ShortDebugString() : Describe(status),
        ": every one of them must be stored (accepted, or a "
        "duplicate of an earlier attempt)"));
  }
  ++calls_;
  std::vector<std::string> ids;
  for (const OrderEvent& event : events) ids.push_back(event.event_id());
  log_.AddEvents(ids);
}

RecoveryCase SoakTablet::Call(
    const std::string& method, const Credential& who,
    const std::string& request_id,
    const std::function<grpc::Status(grpc::ClientContext*, RecoveryCase*)>&
        rpc) {
  RecoveryCase answer;
  const grpc::Status status = CallUntilAnswered(
      absl::StrCat(options_.name, " ", method, " ", request_id), options_.retry,
      [&] {
        answer.Clear();
        return rpc(CallContext(who).get(), &answer);
      },
      &retries_);
  if (!status.ok()) {
    Fail(absl::StrCat(options_.name, ": ", method, " ", request_id, " (as ",
                      who.id, ") was refused: ", Describe(status),
                      ". No step of the tablets' flow may be refused, and a "
                      "retry with the same request id must get the first "
                      "answer"));
  }
  ++calls_;
  log_.AddRecovery(RecoveryAnswer{method, who.id, request_id, answer});
  return answer;
}

RecoveryCase SoakTablet::Apply(const std::string& request_id,
                               const std::string& case_id,
                               const std::string& option_id,
                               const std::vector<std::string>& extras) {
  makegood::v1::ApplyRemedyRequest request;
  request.set_request_id(request_id);
  request.set_case_id(case_id);
  request.set_option_id(option_id);
  for (const std::string& extra : extras) request.add_extra_option_ids(extra);
  return Call("ApplyRemedy", *options_.server, request_id,
              [&](grpc::ClientContext* context, RecoveryCase* out) {
                return recovery_->ApplyRemedy(context, request, out);
              });
}

RecoveryCase SoakTablet::DecideWaiting(const std::string& prefix,
                                       RecoveryCase recovery) {
  std::vector<std::string> waiting;
  for (const AppliedRemedy& remedy : recovery.remedies()) {
    if (remedy.status() == AppliedRemedy::PENDING_APPROVAL)
      waiting.push_back(remedy.remedy_application_id());
  }
  for (const std::string& application_id : waiting) {
    makegood::v1::ApproveRemedyRequest request;
    request.set_request_id(absl::StrCat(prefix, "-decide-", application_id));
    request.set_case_id(recovery.case_id());
    request.set_remedy_application_id(application_id);
    request.set_approve(!Chance(1.0 / 7));
    if (!request.approve())
      request.set_reason("Not needed: the guest is happy with the remake");
    ++(request.approve() ? approvals_ : denials_);
    recovery = Call("ApproveRemedy", kLee, request.request_id(),
                    [&](grpc::ClientContext* context, RecoveryCase* out) {
                      return recovery_->ApproveRemedy(context, request, out);
                    });
  }
  return recovery;
}

RecoveryCase SoakTablet::Outcome(const std::string& request_id,
                                 const std::string& case_id,
                                 makegood::v1::GuestResponse response) {
  makegood::v1::RecordOutcomeRequest request;
  request.set_request_id(request_id);
  request.set_case_id(case_id);
  request.set_guest_response(response);
  if (response != makegood::v1::DECLINED) {
    request.set_root_cause(makegood::v1::KITCHEN);
    request.set_action_taken("Told the pass to check plate temperatures");
  }
  return Call("RecordOutcome", *options_.server, request_id,
              [&](grpc::ClientContext* context, RecoveryCase* out) {
                return recovery_->RecordOutcome(context, request, out);
              });
}

void SoakTablet::RunCase() {
  const std::string check = absl::StrCat(options_.name, "-c", next_case_++);
  const int64_t price =
      1200 + 100 * std::uniform_int_distribution<int>(0, 36)(random_);
  const absl::Time opened = absl::Now() - absl::Minutes(20);
  PublishCheck(
      {makegood::testing::CheckOpened(check + "-open", check, opened,
                                      absl::StrCat(1 + next_case_ % 40)),
       makegood::testing::ItemAdded(check + "-add1", check, "1", opened, price),
       makegood::testing::ItemFired(check + "-fire1", check, "1",
                                    opened + absl::Minutes(5))});

  makegood::v1::FlagProblemRequest flag;
  flag.set_request_id(check + "-flag");
  flag.set_check_id(check);
  flag.add_line_ids("1");
  flag.set_category_id("cold_food");
  flag.set_severity(makegood::v1::MAJOR);
  flag.set_guest_words("The steak is cold in the middle");
  RecoveryCase recovery =
      Call("FlagProblem", *options_.server, flag.request_id(),
           [&](grpc::ClientContext* context, RecoveryCase* out) {
             return recovery_->FlagProblem(context, flag, out);
           });
  const std::string option =
      OfferedOption(recovery, Chance(0.5) ? "comp_item" : "refire");
  if (option.empty()) {
    Fail(absl::StrCat(options_.name, ": the flag of ", check,
                      " (cold food, MAJOR) offered no comp and no refire, as "
                      "the sample configuration's policy says it must: ",
                      recovery.ShortDebugString()));
  }
  std::vector<std::string> extras;
  if (Chance(0.3)) {
    for (const auto& extra : recovery.extras())
      extras.push_back(extra.option_id());
  }
  const std::string case_id = recovery.case_id();
  recovery = Apply(check + "-apply1", case_id, option, extras);
  recovery = DecideWaiting(check + "-apply1", recovery);

  const double guest = std::uniform_real_distribution<double>(0, 1)(random_);
  if (guest < 0.6) {
    Outcome(check + "-outcome1", case_id, makegood::v1::ACCEPTED);
  } else if (guest < 0.75) {
    Outcome(check + "-outcome1", case_id, makegood::v1::LEFT);
  } else {
    ++declines_;
    recovery = Outcome(check + "-outcome1", case_id, makegood::v1::DECLINED);
    const std::string next = NextUntried(recovery);
    if (next.empty()) {
      Outcome(check + "-outcome2", case_id, makegood::v1::LEFT);
    } else {
      recovery = Apply(check + "-apply2", case_id, next, {});
      DecideWaiting(check + "-apply2", recovery);
      Outcome(check + "-outcome2", case_id, makegood::v1::ACCEPTED);
    }
  }

  OrderEvent paid =
      makegood::testing::BaseEvent(check + "-paid", check, absl::Now());
  paid.mutable_check_paid()->mutable_total()->set_minor_units(price);
  paid.mutable_check_paid()->mutable_total()->set_currency("USD");
  OrderEvent closed =
      makegood::testing::BaseEvent(check + "-closed", check, absl::Now());
  closed.mutable_check_closed();
  PublishCheck({paid, closed});
  ++cases_;
}

void SoakTablet::Refresh() {
  makegood::v1::ListChecksRequest request;
  request.set_open_only(true);
  makegood::v1::ListChecksResponse response;
  const grpc::Status status = CallUntilAnswered(
      absl::StrCat(options_.name, " refreshing its open checks"),
      options_.retry,
      [&] {
        response.Clear();
        return checks_->ListChecks(CallContext(*options_.server).get(), request,
                                   &response);
      },
      &retries_);
  if (!status.ok()) {
    Fail(absl::StrCat(options_.name, ": ListChecks of the open checks failed: ",
                      Describe(status)));
  }
  ++calls_;
  ++refreshes_;
}

}  // namespace makegood::soak
