// `makegood flag`, `apply`, `approve`, `outcome`, `recoveries list|show` and
// `watch`: the recovery flow from a terminal.

#include <chrono>
#include <iostream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/watch_screen.h"
#include "core/discount_code.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "report/text_table.h"

namespace makegood::cli {
namespace {

using report::Table;

using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;

void PrintCase(const RecoveryCase& c, const TimeDisplay& times) {
  std::cout << "Case " << c.case_id() << "  "
            << RecoveryCase::Status_Name(c.status()) << "  check "
            << c.check_id()
            << (c.line_ids().empty()
                    ? "  (whole check)"
                    : "  lines " + absl::StrJoin(c.line_ids(), ","))
            << "\n"
            << c.category_id() << " "
            << makegood::v1::Severity_Name(c.severity()) << "  flagged by "
            << c.flagged_by() << " at "
            << times.When(c.has_flagged_at(), c.flagged_at())
            << "  cost so far " << Amount(c.total_cost()) << "\n";
  if (!c.guest_words().empty())
    std::cout << "Guest: \"" << c.guest_words() << "\"\n";
  if (!c.guidance().empty()) std::cout << "Guidance: " << c.guidance() << "\n";
  Table options({"OPTION", "REMEDY", "KIND", "EST. COST", "RULE", "NOTE"});
  for (const auto* list : {&c.options(), &c.extras()}) {
    for (const auto& o : *list) {
      options.AddRow({o.option_id(), o.label(),
                      makegood::v1::RemedyKind_Name(o.kind()),
                      Amount(o.estimated_cost()), o.rule(),
                      o.declined() ? "declined" : ""});
    }
  }
  std::cout << "\n";
  options.Print(std::cout);
  if (c.remedies_size() > 0) {
    Table remedies({"REMEDY", "OPTION", "LINE", "STATUS", "COST", "BY",
                    "APPROVED BY", "DETAIL"});
    for (const auto& r : c.remedies()) {
      std::string detail = r.discount_code().empty()
                               ? r.approval_reason()
                               : "code " + r.discount_code();
      if (!r.rejection_reason().empty()) detail = r.rejection_reason();
      if (!r.pos_reference().empty()) detail = "POS ref " + r.pos_reference();
      remedies.AddRow({r.remedy_application_id(), r.option_id(),
                       r.line_id().empty() ? "-" : r.line_id(),
                       AppliedRemedy::Status_Name(r.status()), Amount(r.cost()),
                       r.requested_by(),
                       r.approved_by().empty() ? "-" : r.approved_by(),
                       detail});
    }
    std::cout << "\n";
    remedies.Print(std::cout);
  }
  if (c.has_guest_contact()) {
    std::cout << "\nContact: " << c.guest_contact().name() << " "
              << c.guest_contact().email() << " " << c.guest_contact().phone()
              << "\n";
  }
  if (c.has_follow_up_due())
    std::cout << "Follow-up due "
              << times.When(c.has_follow_up_due(), c.follow_up_due()) << "\n";
  std::cout << "\n(" << times.Caption() << ")\n";
}

int Show(const ClientOptions& options, const grpc::Status& status,
         const RecoveryCase& c) {
  return PrintAnswer(options, status, c,
                     [&] { PrintCase(c, ScreenTimes(options)); });
}

template <typename Enum>
bool ParseEnum(const std::string& text,
               bool (*parse)(const std::string&, Enum*), Enum* out) {
  return parse(absl::AsciiStrToUpper(text), out);
}

std::unique_ptr<makegood::v1::RecoveryService::Stub> Stub(
    const ClientOptions& options) {
  return makegood::v1::RecoveryService::NewStub(MakeChannel(options));
}

void AddFlag(CLI::App& app, const ClientOptions& options, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "flag", "Flag a problem on a check (SERVER or MANAGER token)");
  auto request = std::make_shared<makegood::v1::FlagProblemRequest>();
  auto check = std::make_shared<std::string>();
  auto lines = std::make_shared<std::vector<std::string>>();
  auto category = std::make_shared<std::string>();
  auto severity = std::make_shared<std::string>();
  auto words = std::make_shared<std::string>();
  auto request_id = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto email = std::make_shared<std::string>();
  auto phone = std::make_shared<std::string>();
  auto consent = std::make_shared<bool>(false);
  cmd->add_option("check", *check, "The POS's check id")->required();
  cmd->add_option("--line", *lines,
                  "A flagged line id (repeat); none flags the whole check");
  cmd->add_option("--category", *category, "A configured category id")
      ->required();
  cmd->add_option("--severity", *severity, "MINOR, MAJOR or SEVERE")
      ->required();
  cmd->add_option("--words", *words, "What the guest said");
  cmd->add_option("--guest-name", *name, "Guest's name, for a follow-up");
  cmd->add_option("--guest-email", *email, "Guest's email, for a follow-up");
  cmd->add_option("--guest-phone", *phone, "Guest's phone, for a follow-up");
  cmd->add_flag("--consent", *consent,
                "The guest agreed to be contacted; without it no contact "
                "detail is stored");
  cmd->add_option("--request-id", *request_id,
                  "Idempotency key; a retry with the same id changes nothing");
  cmd->callback([=, &options] {
    makegood::v1::Severity parsed;
    if (!ParseEnum(*severity, &makegood::v1::Severity_Parse, &parsed)) {
      std::cerr << "makegood: --severity: '" << *severity
                << "' is not MINOR, MAJOR or SEVERE" << std::endl;
      *exit_code = kExitUsage;
      return;
    }
    makegood::v1::FlagProblemRequest req;
    req.set_request_id(request_id->empty() ? NewRequestId() : *request_id);
    req.set_check_id(*check);
    for (const auto& line : *lines) req.add_line_ids(line);
    req.set_category_id(*category);
    req.set_severity(parsed);
    req.set_guest_words(*words);
    if (!name->empty() || !email->empty() || !phone->empty()) {
      auto* contact = req.mutable_guest_contact();
      contact->set_name(*name);
      contact->set_email(*email);
      contact->set_phone(*phone);
      contact->set_follow_up_consent(*consent);
    }
    grpc::ClientContext context;
    PrepareContext(options, context);
    RecoveryCase response;
    *exit_code =
        Show(options, Stub(options)->FlagProblem(&context, req, &response),
             response);
  });
}

void AddApply(CLI::App& app, const ClientOptions& options, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "apply", "Apply an offered option and/or extras to a case");
  auto case_id = std::make_shared<std::string>();
  auto option = std::make_shared<std::string>();
  auto extras = std::make_shared<std::vector<std::string>>();
  auto note = std::make_shared<std::string>();
  auto request_id = std::make_shared<std::string>();
  cmd->add_option("case", *case_id, "The case id (RC-...)")->required();
  cmd->add_option("--option", *option, "The chosen option id (o1, o2, ...)");
  cmd->add_option("--extra", *extras, "An extra to add (x1, ...; repeat)");
  cmd->add_option("--note", *note, "Free text for the ledger");
  cmd->add_option("--request-id", *request_id,
                  "Idempotency key; a retry with the same id changes nothing");
  cmd->callback([=, &options] {
    makegood::v1::ApplyRemedyRequest req;
    req.set_request_id(request_id->empty() ? NewRequestId() : *request_id);
    req.set_case_id(*case_id);
    req.set_option_id(*option);
    for (const auto& extra : *extras) req.add_extra_option_ids(extra);
    req.set_note(*note);
    grpc::ClientContext context;
    PrepareContext(options, context);
    RecoveryCase response;
    *exit_code =
        Show(options, Stub(options)->ApplyRemedy(&context, req, &response),
             response);
  });
}

void AddApprove(CLI::App& app, const ClientOptions& options, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "approve", "Approve or deny a remedy waiting for approval (MANAGER)");
  auto case_id = std::make_shared<std::string>();
  auto remedy = std::make_shared<std::string>();
  auto deny = std::make_shared<bool>(false);
  auto reason = std::make_shared<std::string>();
  auto request_id = std::make_shared<std::string>();
  cmd->add_option("case", *case_id, "The case id")->required();
  cmd->add_option("remedy", *remedy, "The remedy id (RA-...)")->required();
  cmd->add_flag("--deny", *deny, "Deny instead of approving");
  cmd->add_option("--reason", *reason, "Why (required with --deny)");
  cmd->add_option("--request-id", *request_id,
                  "Idempotency key; a retry with the same id changes nothing");
  cmd->callback([=, &options] {
    makegood::v1::ApproveRemedyRequest req;
    req.set_request_id(request_id->empty() ? NewRequestId() : *request_id);
    req.set_case_id(*case_id);
    req.set_remedy_application_id(*remedy);
    req.set_approve(!*deny);
    req.set_reason(*reason);
    grpc::ClientContext context;
    PrepareContext(options, context);
    RecoveryCase response;
    *exit_code =
        Show(options, Stub(options)->ApproveRemedy(&context, req, &response),
             response);
  });
}

void AddOutcome(CLI::App& app, const ClientOptions& options, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "outcome", "Record the guest's answer, the root cause and the action");
  auto case_id = std::make_shared<std::string>();
  auto response_text = std::make_shared<std::string>();
  auto cause = std::make_shared<std::string>();
  auto action = std::make_shared<std::string>();
  auto request_id = std::make_shared<std::string>();
  cmd->add_option("case", *case_id, "The case id")->required();
  cmd->add_option("--guest", *response_text, "ACCEPTED, DECLINED or LEFT");
  cmd->add_option(
      "--cause", *cause,
      "KITCHEN, FRONT_OF_HOUSE, SUPPLIER, PROCESS, PRODUCT or OTHER");
  cmd->add_option("--action", *action, "What was done about the cause");
  cmd->add_option("--request-id", *request_id,
                  "Idempotency key; a retry with the same id changes nothing");
  cmd->callback([=, &options] {
    makegood::v1::RecordOutcomeRequest req;
    req.set_request_id(request_id->empty() ? NewRequestId() : *request_id);
    req.set_case_id(*case_id);
    if (!response_text->empty()) {
      makegood::v1::GuestResponse parsed;
      if (!ParseEnum(*response_text, &makegood::v1::GuestResponse_Parse,
                     &parsed)) {
        std::cerr << "makegood: --guest: '" << *response_text
                  << "' is not ACCEPTED, DECLINED or LEFT" << std::endl;
        *exit_code = kExitUsage;
        return;
      }
      req.set_guest_response(parsed);
    }
    if (!cause->empty()) {
      makegood::v1::RootCause parsed;
      if (!ParseEnum(*cause, &makegood::v1::RootCause_Parse, &parsed)) {
        std::cerr << "makegood: --cause: '" << *cause << "' is not a root cause"
                  << std::endl;
        *exit_code = kExitUsage;
        return;
      }
      req.set_root_cause(parsed);
    }
    req.set_action_taken(*action);
    grpc::ClientContext context;
    PrepareContext(options, context);
    RecoveryCase response;
    *exit_code =
        Show(options, Stub(options)->RecordOutcome(&context, req, &response),
             response);
  });
}

void AddRecoveries(CLI::App& app, const ClientOptions& options,
                   int* exit_code) {
  CLI::App* cmd = app.add_subcommand("recoveries", "Read recovery cases");
  cmd->require_subcommand(1);
  CLI::App* show = cmd->add_subcommand("show", "One case with its remedies");
  auto case_id = std::make_shared<std::string>();
  show->add_option("case", *case_id, "The case id")->required();
  show->callback([=, &options] {
    makegood::v1::GetRecoveryRequest req;
    req.set_case_id(*case_id);
    grpc::ClientContext context;
    PrepareContext(options, context);
    RecoveryCase response;
    *exit_code =
        Show(options, Stub(options)->GetRecovery(&context, req, &response),
             response);
  });
  CLI::App* list = cmd->add_subcommand("list", "Cases, most recent first");
  auto status = std::make_shared<std::string>();
  auto staff = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(100);
  list->add_option("--status", *status,
                   "OPEN, PENDING_APPROVAL, REMEDY_APPLIED, RESOLVED or "
                   "GUEST_LEFT");
  list->add_option("--staff", *staff, "Flagged, requested or approved by");
  list->add_option("--limit", *limit, "At most this many cases")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  list->callback([=, &options] {
    makegood::v1::ListRecoveriesRequest req;
    if (!status->empty()) {
      RecoveryCase::Status parsed;
      if (!ParseEnum(*status, &RecoveryCase::Status_Parse, &parsed)) {
        std::cerr << "makegood: --status: '" << *status
                  << "' is not a case status" << std::endl;
        *exit_code = kExitUsage;
        return;
      }
      req.set_status(parsed);
    }
    req.set_staff_id(*staff);
    req.set_page_size(*limit);
    grpc::ClientContext context;
    PrepareContext(options, context);
    makegood::v1::ListRecoveriesResponse response;
    grpc::Status result =
        Stub(options)->ListRecoveries(&context, req, &response);
    *exit_code = PrintAnswer(options, result, response, [&] {
      const TimeDisplay times = ScreenTimes(options);
      Table table({"CASE", "STATUS", "CHECK", "CATEGORY", "SEVERITY",
                   "FLAGGED BY", "FLAGGED AT", "COST"});
      for (const auto& c : response.cases()) {
        table.AddRow({c.case_id(), RecoveryCase::Status_Name(c.status()),
                      c.check_id(), c.category_id(),
                      makegood::v1::Severity_Name(c.severity()), c.flagged_by(),
                      times.When(c.has_flagged_at(), c.flagged_at()),
                      Amount(c.total_cost())});
      }
      table.Print(std::cout);
      std::cout << response.cases_size() << " cases, " << times.Caption()
                << std::endl;
    });
  });
}

// Says on stderr that the stream was lost and when the watch reconnects.
void ReportWatchLost(const ClientOptions& options, const grpc::Status& status,
                     absl::Duration retry_in) {
  RpcError error = ReadRpcError(status);
  if (status.ok()) error.message = "makegoodd ended the stream";
  if (options.output == OutputFormat::kJson) {
    std::cerr << RpcErrorJson(error, retry_in) << std::endl;
    return;
  }
  std::cerr << "makegood: watch: "
            << (status.ok() ? error.message : RpcErrorText(error))
            << "; reconnecting in " << absl::FormatDuration(retry_in)
            << std::endl;
}

void AddWatch(CLI::App& app, const ClientOptions& options, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Follow case changes and alerts live (MANAGER); Ctrl-C stops. Starts "
      "with what is pending; when the stream is lost, reconnects by itself "
      "(0.5 s, doubling to 10 s) and shows what it missed, or a fresh "
      "snapshot. With --output json, one RecoveryUpdate per line.");
  cmd->callback([=, &options] {
    const bool table = options.output != OutputFormat::kJson;
    // Asked once, before the stream: the zone is named in the screen's
    // first line.
    const TimeDisplay times = table ? ScreenTimes(options) : TimeDisplay::Utc();
    if (table) {
      std::cout << "Watching case changes and alerts; " << times.Caption()
                << std::endl;
    }
    // The channel's own reconnect backoff no longer than the watch's.
    grpc::ChannelArguments arguments;
    arguments.SetInt(
        GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
        static_cast<int>(absl::ToInt64Milliseconds(kFirstWatchRetry)));
    arguments.SetInt(
        GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
        static_cast<int>(absl::ToInt64Milliseconds(kLongestWatchRetry)));
    auto stub =
        makegood::v1::RecoveryService::NewStub(MakeChannel(options, arguments));
    WatchScreen screen(times);
    ResumePoint resume;
    absl::Duration retry = kFirstWatchRetry;
    for (;;) {
      grpc::ClientContext context;
      PrepareContext(options, context);
      // A watch runs until stopped: no deadline.
      context.set_deadline(std::chrono::system_clock::time_point::max());
      auto reader = stub->WatchRecoveries(&context, resume.Request());
      screen.StreamStarted();
      makegood::v1::RecoveryUpdate update;
      while (reader->Read(&update)) {
        resume.Saw(update);
        // Caught up: the next outage starts the backoff afresh.
        if (update.has_caught_up()) retry = kFirstWatchRetry;
        if (table) {
          std::cout << screen.Line(update) << std::endl;
        } else {
          PrintJson(update);
        }
      }
      const grpc::Status status = reader->Finish();
      if (!WatchReconnects(status)) {
        *exit_code = ReportRpcError(options, status);
        return;
      }
      ReportWatchLost(options, status, retry);
      // Client runtime behaviour: the screen waits before it calls again.
      absl::SleepFor(retry);
      retry = NextWatchRetry(retry);
    }
  });
}

}  // namespace

void AddRecoveryCommands(CLI::App& app, const ClientOptions& options,
                         int* exit_code) {
  AddFlag(app, options, exit_code);
  AddApply(app, options, exit_code);
  AddApprove(app, options, exit_code);
  AddOutcome(app, options, exit_code);
  AddRecoveries(app, options, exit_code);
  AddWatch(app, options, exit_code);
}

}  // namespace makegood::cli
