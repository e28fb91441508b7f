#include "core/recovery/flag.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/proto_time.h"
#include "core/recovery/alerts.h"
#include "core/recovery/case_state.h"
#include "core/recovery/check_view.h"
#include "core/recovery/recurring_keys.h"
#include "core/refusal.h"

namespace makegood::core {
namespace {

using makegood::v1::Alert;
using makegood::v1::Check;
using makegood::v1::RecoveryCase;

// When the check stopped being the guest's current check: closed, else
// paid; nullopt while it is open.
std::optional<absl::Time> SettledAt(const Check& check) {
  if (check.has_closed_at()) return FromProto(check.closed_at());
  if (check.has_paid_at()) return FromProto(check.paid_at());
  return std::nullopt;
}

absl::Status CheckFlagTime(const RecoveryRequest& request, const Check& check) {
  if (request.actor_role == makegood::v1::MANAGER ||
      request.actor_role == makegood::v1::ADMIN) {
    return absl::OkStatus();
  }
  const std::optional<absl::Time> settled = SettledAt(check);
  const absl::Duration window = request.rules->flag_closed_within();
  if (!settled || request.now - *settled <= window) return absl::OkStatus();
  return Refuse(
      absl::StatusCode::kPermissionDenied, makegood::v1::Error::FLAG_TOO_LATE,
      absl::StrCat("check ", check.check_id(), " was closed ",
                   absl::ToInt64Hours(request.now - *settled),
                   " hours ago, more than the ", absl::ToInt64Hours(window),
                   " hours within which staff may flag it "
                   "(recovery.flag_closed_within_hours): a manager must "
                   "flag it"));
}

// The alerts of the keys this flag brings to the recurring count.
void AddRecurringAlerts(const RecoveryRequest& request,
                        const std::vector<PolicyItem>& flagged,
                        const FlagSnapshot& snapshot, CaseDecision& decision) {
  const RecoveryRules& rules = *request.rules;
  const int count = rules.config().recurring().count();
  const RecoveryCase& recovery = decision.recovery;
  std::set<std::string> seen;
  for (const PolicyItem& item : flagged) {
    for (const ProblemKey& key : ProblemKeysOf(item, recovery.category_id())) {
      if (!seen.insert(key.key).second) continue;
      decision.problem_keys.push_back({key.key});
      const auto found = snapshot.recent_flags.find(key.key);
      std::vector<absl::Time> times;
      if (found != snapshot.recent_flags.end()) times = found->second;
      if (static_cast<int>(times.size()) + 1 != count) continue;
      absl::Time first = request.now;
      for (absl::Time t : times) first = std::min(first, t);
      // About the item or station, not one case.
      decision.alerts.push_back(IdentifiedAlert(
          request,
          RecurringProblemAlert(
              rules, {key.item_name, key.station, recovery.category_id(),
                      recovery.check_id(), first, request.now})));
    }
  }
}

}  // namespace

const RecoveryCase* OpenCaseCovering(
    const makegood::v1::FlagProblemRequest& flag,
    const FlagSnapshot& snapshot) {
  if (flag.new_problem()) return nullptr;
  for (const RecoveryCase& open : snapshot.open_cases) {
    if (IsClosed(open) || open.category_id() != flag.category_id()) continue;
    if (flag.line_ids().empty() != open.line_ids().empty()) continue;
    const std::set<std::string> covered(open.line_ids().begin(),
                                        open.line_ids().end());
    const bool covers = std::all_of(
        flag.line_ids().begin(), flag.line_ids().end(),
        [&](const std::string& id) { return covered.count(id) > 0; });
    if (covers) return &open;
  }
  return nullptr;
}

absl::StatusOr<CaseDecision> DecideFlag(
    const RecoveryRequest& request,
    const makegood::v1::FlagProblemRequest& flag,
    const FlagSnapshot& snapshot) {
  const RecoveryRules& rules = *request.rules;
  const auto* category = rules.FindCategory(flag.category_id());
  if (category == nullptr) {
    return BadField(
        "category_id",
        absl::StrCat("'", flag.category_id(), "' is not configured"),
        makegood::v1::Error::UNKNOWN_CATEGORY);
  }
  const Check& check = snapshot.check.check;
  std::vector<std::string> lines(flag.line_ids().begin(),
                                 flag.line_ids().end());
  auto input = PolicyInputFor(snapshot.check, request.now, lines);
  if (!input.ok()) return input.status();

  CaseDecision decision;
  if (const RecoveryCase* open = OpenCaseCovering(flag, snapshot)) {
    decision.recovery = *open;
    decision.recovery.set_already_open(true);
    return decision;
  }
  if (auto s = CheckFlagTime(request, check); !s.ok()) return s;

  input->category_id = flag.category_id();
  input->severity = flag.severity();
  input->problems_on_check = snapshot.cases_on_check + 1;
  input->guest_case_times = snapshot.guest_case_times;
  PolicyDecision offered = ChooseRemedies(rules, *input);

  RecoveryCase& recovery = decision.recovery;
  recovery.set_case_id(request.ids->NewId("RC-", request.now));
  recovery.set_location_id(rules.location_id());
  recovery.set_check_id(flag.check_id());
  *recovery.mutable_line_ids() = flag.line_ids();
  recovery.set_category_id(flag.category_id());
  recovery.set_severity(flag.severity());
  recovery.set_guest_words(flag.guest_words());
  recovery.set_status(RecoveryCase::OPEN);
  recovery.set_flagged_by(request.actor_id);
  *recovery.mutable_flagged_at() = ToProto(request.now);
  recovery.set_guidance(category->guidance());
  for (auto& option : offered.options)
    *recovery.add_options() = std::move(option);
  for (auto& extra : offered.extras) *recovery.add_extras() = std::move(extra);
  Recompute(recovery, rules);
  decision.case_write = CaseDecision::CaseWrite::kInsert;
  decision.guest_id = check.guest_id();
  decision.business_day = rules.BusinessDay(request.now);

  if (flag.has_guest_contact() && flag.guest_contact().follow_up_consent()) {
    recovery.set_contact_on_file(true);
    *recovery.mutable_follow_up_due() =
        ToProto(request.now + absl::Hours(24) * rules.follow_up_after_days());
    decision.contact_forget_at =
        request.now + absl::Hours(24) * rules.contact_retention_days();
    makegood::v1::RemedyCommand command;
    command.set_command_id(request.ids->NewId("CMD-", request.now));
    command.set_case_id(recovery.case_id());
    command.set_location_id(recovery.location_id());
    command.set_check_id(recovery.check_id());
    *command.mutable_created_at() = ToProto(request.now);
    auto* action = command.mutable_guest_follow_up();
    action->set_category_id(recovery.category_id());
    *action->mutable_due_at() = recovery.follow_up_due();
    decision.commands.push_back({std::move(command), ""});
  }
  AddRecurringAlerts(request, input->flagged, snapshot, decision);

  std::vector<std::string> offers, extras;
  for (const auto& o : recovery.options()) offers.push_back(o.remedy_id());
  for (const auto& o : recovery.extras()) extras.push_back(o.remedy_id());
  decision.ledger.push_back(
      Entry(request, recovery, "flagged", 0,
            absl::StrCat(flag.category_id(), " ",
                         makegood::v1::Severity_Name(flag.severity()),
                         " lines [", absl::StrJoin(lines, ","), "] offers [",
                         absl::StrJoin(offers, ","), "] extras [",
                         absl::StrJoin(extras, ","), "]")));
  return decision;
}

}  // namespace makegood::core
