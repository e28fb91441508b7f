#include "soak/report_screen.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "soak/failure.h"
#include "soak/soak_rpc.h"

namespace makegood::soak {
namespace {

// The sample configuration's location, its zone and the hour its business
// day starts (packaging/config/sample.yaml).
constexpr char kLocation[] = "downtown-01";
constexpr char kZone[] = "America/New_York";
constexpr absl::Duration kDayStarts = absl::Hours(4);

// Today's business date at the location, "YYYY-MM-DD".
std::string BusinessDate() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(kZone, &zone)) {
    Fail(absl::StrCat("the time zone ", kZone,
                      " is not installed (tzdata): the report screen cannot "
                      "name today's business date"));
  }
  return absl::FormatTime("%Y-%m-%d", absl::Now() - kDayStarts, zone);
}

}  // namespace

ReportScreen::ReportScreen(int http_port, absl::Duration every)
    : http_port_(http_port), every_(every), thread_([this] { Run(); }) {}

ReportScreen::~ReportScreen() { Stop(); }

void ReportScreen::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ReportScreen::Run() {
  httplib::Client http("127.0.0.1", http_port_);
  http.set_keep_alive(true);
  http.set_read_timeout(30, 0);
  const httplib::Headers headers = {
      {"Authorization", absl::StrCat("Bearer ", kOfficeScreen.token)}};
  absl::Time next = absl::Now();
  // Paced by the screen's reload period; ends early when stopped.
  while (!stop_.WaitForNotificationWithTimeout(next - absl::Now())) {
    next += every_;
    const std::string body =
        nlohmann::json{{"businessDate", BusinessDate()}}.dump();
    const httplib::Result answer =
        http.Post("/makegood.v1.ReportService/EndOfDay", headers, body,
                  "application/json");
    if (!answer) {
      Fail(absl::StrCat("the report screen's EndOfDay over Connect failed: ",
                        httplib::to_string(answer.error())));
    }
    const nlohmann::json report = nlohmann::json::parse(
        answer->body, nullptr, /*allow_exceptions=*/false);
    if (answer->status != 200 || !report.is_object() ||
        report.value("locationId", "") != kLocation) {
      Fail(absl::StrCat("the report screen's EndOfDay over Connect answered ",
                        answer->status, ": ", answer->body.substr(0, 500)));
    }
    reports_.fetch_add(1);
  }
}

}  // namespace makegood::soak
