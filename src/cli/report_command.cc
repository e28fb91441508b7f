// `makegood report eod|causes|staff` and `makegood followups due|done`: the
// manager's reports and follow-ups from a terminal.

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "core/discount_code.h"
#include "makegood/v1/report.grpc.pb.h"
#include "report/render.h"
#include "report/text_table.h"

namespace makegood::cli {
namespace {

enum class ReportFormat { kTable, kJson, kCsv, kHtml };

struct ReportOutput {
  std::string format;  // Empty: follow the global --output.
  std::string file;    // Empty: stdout.
};

void AddOutputOptions(CLI::App* cmd, ReportOutput& output, bool html) {
  cmd->add_option("--format", output.format,
                  html ? "table (default), json, csv or html"
                       : "table (default), json or csv")
      ->check(html ? CLI::IsMember({"table", "json", "csv", "html"})
                   : CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("--out", output.file,
                  "Write the report to this file instead of stdout");
}

ReportFormat FormatOf(const ReportOutput& output,
                      const ClientOptions& options) {
  static const std::map<std::string, ReportFormat> kFormats = {
      {"table", ReportFormat::kTable},
      {"json", ReportFormat::kJson},
      {"csv", ReportFormat::kCsv},
      {"html", ReportFormat::kHtml}};
  if (!output.format.empty()) return kFormats.at(output.format);
  return options.output == OutputFormat::kJson ? ReportFormat::kJson
                                               : ReportFormat::kTable;
}

// The report in `format`. Without `html` the command does not offer it
// (AddOutputOptions), and the table stands in.
template <typename Response>
std::string Rendered(ReportFormat format, const Response& response,
                     std::string (*text)(const Response&),
                     std::string (*csv)(const Response&),
                     std::string (*html)(const Response&) = nullptr) {
  switch (format) {
    case ReportFormat::kJson:
      return report::ToJson(response);
    case ReportFormat::kCsv:
      return csv(response);
    case ReportFormat::kHtml:
      if (html != nullptr) return html(response);
      break;
    case ReportFormat::kTable:
      break;
  }
  return text(response);
}

// Writes the rendered report; exit 1 when the file cannot be written.
int Emit(const ReportOutput& output, const std::string& text) {
  if (output.file.empty()) {
    std::cout << text << std::flush;
    return kExitOk;
  }
  std::ofstream file(output.file, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "makegood: cannot write " << output.file << std::endl;
    return kExitServerSaidNo;
  }
  std::cerr << "makegood: wrote " << output.file << std::endl;
  return kExitOk;
}

std::unique_ptr<makegood::v1::ReportService::Stub> Stub(
    const ClientOptions& options) {
  return makegood::v1::ReportService::NewStub(MakeChannel(options));
}

void AddEndOfDay(CLI::App* report, const ClientOptions& options,
                 int* exit_code) {
  CLI::App* cmd = report->add_subcommand(
      "eod", "End-of-day recovery report of one business day");
  auto date = std::make_shared<std::string>();
  auto output = std::make_shared<ReportOutput>();
  cmd->add_option("--date", *date,
                  "Business date, YYYY-MM-DD; a day runs from the configured "
                  "business_day_starts to the next, so 01:30 belongs to the "
                  "day before")
      ->required();
  AddOutputOptions(cmd, *output, /*html=*/true);
  cmd->callback([=, &options] {
    makegood::v1::EndOfDayRequest request;
    request.set_business_date(*date);
    grpc::ClientContext context;
    PrepareContext(options, context);
    makegood::v1::EndOfDayReport response;
    grpc::Status status = Stub(options)->EndOfDay(&context, request, &response);
    if (!status.ok()) {
      *exit_code = ReportRpcError(options, status);
      return;
    }
    *exit_code =
        Emit(*output, Rendered(FormatOf(*output, options), response,
                               report::EndOfDayText, report::EndOfDayCsv,
                               report::EndOfDayHtml));
  });
}

// A period subcommand (--from, --to) rendering one report message.
template <typename Request, typename Response, typename Call, typename Text,
          typename Csv>
void AddPeriodReport(CLI::App* report, const ClientOptions& options,
                     int* exit_code, const char* name, const char* help,
                     Call call, Text text, Csv csv) {
  CLI::App* cmd = report->add_subcommand(name, help);
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto output = std::make_shared<ReportOutput>();
  cmd->add_option("--from", *from, "First business date, YYYY-MM-DD")
      ->required();
  cmd->add_option("--to", *to, "Last business date, YYYY-MM-DD (included)")
      ->required();
  AddOutputOptions(cmd, *output, /*html=*/false);
  cmd->callback([=, &options] {
    Request request;
    request.set_from_date(*from);
    request.set_to_date(*to);
    grpc::ClientContext context;
    PrepareContext(options, context);
    Response response;
    grpc::Status status = call(*Stub(options), &context, request, &response);
    if (!status.ok()) {
      *exit_code = ReportRpcError(options, status);
      return;
    }
    *exit_code = Emit(*output, Rendered<Response>(FormatOf(*output, options),
                                                  response, text, csv));
  });
}

void AddFollowUps(CLI::App& app, const ClientOptions& options, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "followups", "Guests to contact about an earlier problem (MANAGER)");
  cmd->require_subcommand(1);
  CLI::App* due = cmd->add_subcommand("due", "Follow-ups due and not done");
  auto within = std::make_shared<int>(0);
  due->add_option("--within-days", *within, "Also those due in the next N days")
      ->check(CLI::Range(0, 365))
      ->capture_default_str();
  due->callback([=, &options] {
    makegood::v1::ListFollowUpsRequest request;
    // Counted from the daemon's clock (simulated or not), not this machine's.
    request.mutable_due_within()->set_seconds(int64_t{24 * 3600} * *within);
    request.set_page_size(1000);
    // Every page, shown as one answer.
    makegood::v1::ListFollowUpsResponse response;
    grpc::Status status;
    auto stub = Stub(options);
    do {
      grpc::ClientContext context;
      PrepareContext(options, context);
      makegood::v1::ListFollowUpsResponse page;
      status = stub->ListFollowUps(&context, request, &page);
      if (!status.ok()) break;
      for (auto& follow_up : *page.mutable_follow_ups())
        *response.add_follow_ups() = std::move(follow_up);
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    *exit_code = PrintAnswer(options, status, response, [&] {
      const TimeDisplay times = ScreenTimes(options);
      report::Table table(
          {"CASE", "DUE", "CATEGORY", "CHECK", "NAME", "EMAIL", "PHONE"});
      for (const auto& f : response.follow_ups()) {
        table.AddRow({f.case_id(), times.When(f.has_due_at(), f.due_at()),
                      f.category_id(), f.check_id(), f.contact().name(),
                      f.contact().email(), f.contact().phone()});
      }
      table.Print(std::cout);
      std::cout << response.follow_ups_size() << " follow-ups, "
                << times.Caption() << std::endl;
    });
  });
  CLI::App* done = cmd->add_subcommand("done", "Mark a follow-up done");
  auto case_id = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  auto request_id = std::make_shared<std::string>();
  done->add_option("case", *case_id, "The case id")->required();
  done->add_option("--note", *note, "What came of it")->required();
  done->add_option("--request-id", *request_id,
                   "Idempotency key; a retry with the same id changes "
                   "nothing (default: a new one)");
  done->callback([=, &options] {
    makegood::v1::CompleteFollowUpRequest request;
    request.set_request_id(request_id->empty() ? NewRequestId() : *request_id);
    request.set_case_id(*case_id);
    request.set_note(*note);
    grpc::ClientContext context;
    PrepareContext(options, context);
    makegood::v1::FollowUp response;
    grpc::Status status =
        Stub(options)->CompleteFollowUp(&context, request, &response);
    *exit_code = PrintAnswer(options, status, response, [&] {
      const TimeDisplay times = ScreenTimes(options);
      std::cout << "Follow-up of case " << response.case_id() << " done by "
                << response.done_by() << " at "
                << times.When(response.has_done_at(), response.done_at())
                << " (" << times.Caption() << ")\n";
    });
  });
}

}  // namespace

void AddReportCommands(CLI::App& app, const ClientOptions& options,
                       int* exit_code) {
  CLI::App* report = app.add_subcommand(
      "report", "Reports (MANAGER, REPORTER or ADMIN token)");
  report->require_subcommand(1);
  AddEndOfDay(report, options, exit_code);
  AddPeriodReport<makegood::v1::CauseSummaryRequest,
                  makegood::v1::CauseSummaryReport>(
      report, options, exit_code, "causes",
      "Root causes and actions taken over a period",
      [](auto& stub, auto* context, const auto& request, auto* response) {
        return stub.CauseSummary(context, request, response);
      },
      report::CauseSummaryText, report::CauseSummaryCsv);
  AddPeriodReport<makegood::v1::StaffReportRequest,
                  makegood::v1::StaffReportResponse>(
      report, options, exit_code, "staff",
      "Loss prevention: comps per staff member and shift, and findings",
      [](auto& stub, auto* context, const auto& request, auto* response) {
        return stub.StaffReport(context, request, response);
      },
      report::StaffReportText, report::StaffReportCsv);
  AddFollowUps(app, options, exit_code);
}

}  // namespace makegood::cli
