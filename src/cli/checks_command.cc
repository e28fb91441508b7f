// `makegood checks show ID` and `makegood checks list [--open]`.

#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "makegood/v1/checks.grpc.pb.h"
#include "report/text_table.h"

namespace makegood::cli {
namespace {

using report::Table;

using makegood::v1::Check;

std::string Or(const std::string& value, const char* fallback = "-") {
  return value.empty() ? fallback : value;
}

void PrintCheck(const Check& check, const TimeDisplay& times) {
  std::cout << "Check " << check.check_id() << "  "
            << Check::State_Name(check.state()) << "  table "
            << Or(check.table()) << "  guests "
            << (check.guest_count() > 0 ? std::to_string(check.guest_count())
                                        : "-")
            << "  server " << Or(check.server_id()) << "\n";
  std::cout << "opened " << times.When(check.has_opened_at(), check.opened_at())
            << "  paid " << times.When(check.has_paid_at(), check.paid_at())
            << "  closed "
            << times.When(check.has_closed_at(), check.closed_at()) << "  ("
            << times.Caption() << ")\n\n";
  Table items({"LINE", "ITEM", "STATION", "QTY", "PRICE", "STATE", "ORDERED",
               "FIRED", "SERVED", "NOTE"});
  for (const auto& item : check.items()) {
    std::string note = item.void_reason();
    if (item.pos_discounts().minor_units() > 0) {
      note = absl::StrCat(note.empty() ? "" : note + "; ", "POS discount ",
                          Amount(item.pos_discounts()));
    }
    items.AddRow(
        {item.line_id(), Or(item.name(), "(not yet known)"), Or(item.station()),
         item.quantity() > 0 ? std::to_string(item.quantity()) : "-",
         item.has_unit_price() ? Amount(item.unit_price()) : "-",
         makegood::v1::ItemState_Name(item.state()),
         times.When(item.has_ordered_at(), item.ordered_at(), "%H:%M"),
         times.When(item.has_fired_at(), item.fired_at(), "%H:%M"),
         times.When(item.has_served_at(), item.served_at(), "%H:%M"), note});
  }
  items.Print(std::cout);
  const std::string& currency = check.subtotal().currency();
  std::cout << "\nsubtotal " << Amount(check.subtotal()) << " " << currency
            << "  POS discounts " << Amount(check.pos_discounts()) << "  paid "
            << Amount(check.paid_total()) << "  tip " << Amount(check.tip())
            << std::endl;
}

int RunShow(const ClientOptions& options, const std::string& check_id) {
  auto stub = makegood::v1::CheckService::NewStub(MakeChannel(options));
  grpc::ClientContext context;
  PrepareContext(options, context);
  makegood::v1::GetCheckRequest request;
  request.set_check_id(check_id);
  Check check;
  grpc::Status status = stub->GetCheck(&context, request, &check);
  return PrintAnswer(options, status, check,
                     [&] { PrintCheck(check, ScreenTimes(options)); });
}

int RunList(const ClientOptions& options, bool open_only, int limit) {
  auto stub = makegood::v1::CheckService::NewStub(MakeChannel(options));
  makegood::v1::ListChecksResponse all;
  std::string token;
  do {
    grpc::ClientContext context;
    PrepareContext(options, context);
    makegood::v1::ListChecksRequest request;
    request.set_open_only(open_only);
    request.set_page_size(std::min(limit - all.checks_size(), 1000));
    request.set_page_token(token);
    makegood::v1::ListChecksResponse page;
    grpc::Status status = stub->ListChecks(&context, request, &page);
    if (!status.ok()) return ReportRpcError(options, status);
    for (auto& check : *page.mutable_checks())
      *all.add_checks() = std::move(check);
    token = page.next_page_token();
  } while (!token.empty() && all.checks_size() < limit);
  if (options.output == OutputFormat::kJson) {
    PrintJson(all);
    return kExitOk;
  }
  const TimeDisplay times = ScreenTimes(options);
  Table table({"CHECK", "STATE", "TABLE", "GUESTS", "SERVER", "OPENED",
               "SUBTOTAL", "PAID"});
  for (const auto& check : all.checks()) {
    table.AddRow(
        {check.check_id(), Check::State_Name(check.state()), Or(check.table()),
         check.guest_count() > 0 ? std::to_string(check.guest_count()) : "-",
         Or(check.server_id()),
         times.When(check.has_opened_at(), check.opened_at()),
         Amount(check.subtotal()), Amount(check.paid_total())});
  }
  table.Print(std::cout);
  std::cout << all.checks_size() << (open_only ? " open" : "") << " checks"
            << (token.empty() ? "" : " (more: raise --limit)") << ", "
            << times.Caption() << std::endl;
  return kExitOk;
}

}  // namespace

TimeDisplay ScreenTimes(const ClientOptions& options) {
  if (options.utc) return TimeDisplay::Utc();
  auto stub = makegood::v1::CheckService::NewStub(MakeChannel(options));
  grpc::ClientContext context;
  PrepareContext(options, context);
  makegood::v1::Location location;
  grpc::Status status = stub->GetLocation(
      &context, makegood::v1::GetLocationRequest(), &location);
  return TimeDisplay::InZone(status.ok() ? location.timezone() : "");
}

void AddChecksCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code) {
  CLI::App* checks = app.add_subcommand(
      "checks", "Checks as makegood built them from order events (any token)");
  checks->require_subcommand(1);

  CLI::App* show = checks->add_subcommand(
      "show", "One check with its items, their states and times");
  auto check_id = std::make_shared<std::string>();
  show->add_option("id", *check_id, "The POS's check id")->required();
  show->callback([&options, exit_code, check_id] {
    *exit_code = RunShow(options, *check_id);
  });

  CLI::App* list =
      checks->add_subcommand("list", "Checks, most recently started first");
  auto open_only = std::make_shared<bool>(false);
  auto limit = std::make_shared<int>(100);
  list->add_flag("--open", *open_only, "Only checks not yet paid or closed");
  list->add_option("--limit", *limit, "At most this many checks")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  list->callback([&options, exit_code, open_only, limit] {
    *exit_code = RunList(options, *open_only, *limit);
  });
}

}  // namespace makegood::cli
