#include "service/report_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "report/cause_summary.h"
#include "report/end_of_day.h"
#include "report/staff_report.h"
#include "service/grpc_glue.h"
#include "service/recovery_validation.h"

namespace makegood::service {
namespace {

using makegood::v1::Role;

constexpr std::initializer_list<Role> kReportReaders = {
    makegood::v1::MANAGER, makegood::v1::REPORTER, makegood::v1::ADMIN};
// Follow-ups carry guest contact details.
constexpr std::initializer_list<Role> kManagers = {makegood::v1::MANAGER,
                                                   makegood::v1::ADMIN};
// A period report reads at most this many business days.
constexpr int kMaxPeriodDays = 366;

absl::StatusOr<core::DayBounds> DayOf(const core::RecoveryRules& rules,
                                      absl::string_view field,
                                      const std::string& date) {
  if (date.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": is required (YYYY-MM-DD)"));
  }
  auto bounds = rules.BoundsOf(date);
  if (!bounds.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", bounds.status().message()));
  }
  return bounds;
}

// The instants of business days [from, to].
absl::StatusOr<core::DayBounds> PeriodOf(const core::RecoveryRules& rules,
                                         const std::string& from,
                                         const std::string& to) {
  auto first = DayOf(rules, "from_date", from);
  if (!first.ok()) return first.status();
  auto last = DayOf(rules, "to_date", to);
  if (!last.ok()) return last.status();
  if (last->start < first->start) {
    return absl::InvalidArgumentError(
        absl::StrCat("to_date: ", to, " is before from_date ", from));
  }
  if (last->end - first->start > absl::Hours(24 * kMaxPeriodDays + 2)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "to_date: a period covers at most ", kMaxPeriodDays, " days"));
  }
  return core::DayBounds{first->start, last->end};
}

}  // namespace

ReportServiceImpl::ReportServiceImpl(store::Store& store,
                                     const Authenticator& auth,
                                     const core::Clock& clock,
                                     ReadExecutor& readers)
    : store_(store), auth_(auth), clock_(clock), readers_(readers) {}

grpc::ServerUnaryReactor* ReportServiceImpl::EndOfDay(
    grpc::CallbackServerContext* context,
    const makegood::v1::EndOfDayRequest* request,
    makegood::v1::EndOfDayReport* response) {
  auto principal = AuthorizeCall(*context, auth_, kReportReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  // The call's one configuration (service/live_config.h).
  std::shared_ptr<const ConfigSnapshot> config = principal->config;
  auto bounds =
      DayOf(config->rules(), "business_date", request->business_date());
  if (!bounds.ok()) return FinishUnary(context, bounds.status());
  return FinishRead(
      readers_, context,
      [this, request, response, config, bounds = *bounds]() -> absl::Status {
        const core::RecoveryRules& rules = config->rules();
        auto day =
            store_.ReadDay(rules.location_id(), bounds.start, bounds.end);
        if (!day.ok()) return day.status();
        auto staff = store_.ReadStaff(rules.location_id(), bounds.start,
                                      bounds.end, request->business_date(),
                                      request->business_date());
        if (!staff.ok()) return staff.status();
        *response = report::BuildEndOfDay(rules, request->business_date(),
                                          bounds, *day, *staff);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::CauseSummary(
    grpc::CallbackServerContext* context,
    const makegood::v1::CauseSummaryRequest* request,
    makegood::v1::CauseSummaryReport* response) {
  auto principal = AuthorizeCall(*context, auth_, kReportReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  std::shared_ptr<const ConfigSnapshot> config = principal->config;
  auto period =
      PeriodOf(config->rules(), request->from_date(), request->to_date());
  if (!period.ok()) return FinishUnary(context, period.status());
  return FinishRead(
      readers_, context,
      [this, request, response, config, period = *period]() -> absl::Status {
        const core::RecoveryRules& rules = config->rules();
        auto cases =
            store_.CasesFlagged(rules.location_id(), period.start, period.end);
        if (!cases.ok()) return cases.status();
        *response = report::BuildCauseSummary(rules, request->from_date(),
                                              request->to_date(), *cases);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::StaffReport(
    grpc::CallbackServerContext* context,
    const makegood::v1::StaffReportRequest* request,
    makegood::v1::StaffReportResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, kReportReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  std::shared_ptr<const ConfigSnapshot> config = principal->config;
  auto period =
      PeriodOf(config->rules(), request->from_date(), request->to_date());
  if (!period.ok()) return FinishUnary(context, period.status());
  return FinishRead(
      readers_, context,
      [this, request, response, config, period = *period]() -> absl::Status {
        const core::RecoveryRules& rules = config->rules();
        // Aggregated as the rows are read: a year of them is never held.
        report::StaffReportBuilder builder(rules, request->from_date(),
                                           request->to_date());
        if (auto s = store_.StreamStaff(rules.location_id(), period.start,
                                        period.end, request->from_date(),
                                        request->to_date(), builder);
            !s.ok())
          return s;
        *response = builder.Finish();
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::ListFollowUps(
    grpc::CallbackServerContext* context,
    const makegood::v1::ListFollowUpsRequest* request,
    makegood::v1::ListFollowUpsResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, kManagers);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  const absl::Time now = clock_.Now();
  absl::Time due_by = now;
  if (request->has_due_by()) {
    due_by = core::FromProto(request->due_by());
  } else if (request->has_due_within()) {
    const absl::Duration within =
        absl::Seconds(request->due_within().seconds()) +
        absl::Nanoseconds(request->due_within().nanos());
    if (within < absl::ZeroDuration() ||
        within > absl::Hours(24) * kMaxPeriodDays) {
      return FinishUnary(
          context, absl::InvalidArgumentError(absl::StrCat(
                       "due_within: must be 0 to ", kMaxPeriodDays, " days")));
    }
    due_by = now + within;
  }
  if (auto valid = CheckPageSize(request->page_size()); !valid.ok())
    return FinishUnary(context, valid);
  store::FollowUpQuery query;
  query.due_by = due_by;
  if (request->page_size() > 0) query.page_size = request->page_size();
  query.page_token = request->page_token();
  return FinishRead(readers_, context,
                    [this, query, now, response,
                     config = principal->config]() -> absl::Status {
                      auto page = store_.DueFollowUps(
                          config->rules().location_id(), query, now);
                      if (!page.ok()) return page.status();
                      for (auto& follow_up : page->follow_ups)
                        *response->add_follow_ups() = std::move(follow_up);
                      response->set_next_page_token(page->next_page_token);
                      return absl::OkStatus();
                    });
}

grpc::ServerUnaryReactor* ReportServiceImpl::CompleteFollowUp(
    grpc::CallbackServerContext* context,
    const makegood::v1::CompleteFollowUpRequest* request,
    makegood::v1::FollowUp* response) {
  auto principal = AuthorizeCall(*context, auth_, kManagers);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (auto valid = ValidateCompleteFollowUp(*request); !valid.ok())
    return FinishUnary(context, valid);
  // `done` holds the snapshot call.rules points into until the store is
  // done with the write.
  std::shared_ptr<const ConfigSnapshot> config = principal->config;
  store::RecoveryCall call{principal->id, principal->role, clock_.Now(),
                           &config->rules()};
  call.device_id = principal->device_id;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_.CompleteFollowUp(
      call, *request,
      [reactor, response, config](absl::StatusOr<makegood::v1::FollowUp> done) {
        if (done.ok()) *response = *std::move(done);
        reactor->Finish(ToGrpcStatus(done.status()));
      });
  return reactor;
}

}  // namespace makegood::service
