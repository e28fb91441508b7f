#ifndef MAKEGOOD_REPORT_REPORT_ROWS_H_
#define MAKEGOOD_REPORT_REPORT_ROWS_H_

// What the reports are built from: plain rows, which the store fills
// (store/report_queries.h) and src/report aggregates. Times are instants;
// money is minor units of the location's currency. A header of its own
// target (makegood_report_rows), so the store depends on the rows' shape
// and not on the report builders.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::report {

// A flagged line as the check knows it.
struct ReportLine {
  std::string line_id;
  std::string sku;
  std::string name;
  std::string station;
};

struct ReportCase {
  makegood::v1::RecoveryCase recovery;  // Without contact details.
  std::string guest_id;                 // The check's guest, when known.
  std::vector<ReportLine> lines;        // The flagged lines.
};

struct RedeemedCode {
  std::string case_id;
  std::string category_id;  // Of the case.
  std::string check_id;     // Where it was redeemed.
  int64_t amount_minor = 0;
  absl::Time at;
};

// A check of a guest who had been recovered before it opened: by the same
// guest id, or by redeeming their case's code on it.
struct ReturnVisit {
  std::string guest_key;  // The guest id, else "case:" + the case id.
  std::string check_id;
  absl::Time at;            // The check's first event.
  absl::Time recovered_at;  // The guest's latest case before it.
  int64_t spent_minor = 0;  // Paid total, tips excluded.
};

// One business day of a location.
struct DayRows {
  std::vector<ReportCase> cases;  // Flagged during the day, oldest first.
  int64_t sales_minor = 0;        // Paid totals of checks opened that day.
  std::vector<RedeemedCode> redeemed_codes;  // Redeemed during the day.
  int follow_ups_due = 0;
  int follow_ups_done = 0;  // Of those due.
  std::vector<ReturnVisit> returns;
};

// A remedy that cost money and was sent or applied.
struct CompRow {
  std::string case_id;
  std::string check_id;
  std::string requested_by;
  std::string business_day;
  std::string guest_id;
  int64_t cost_minor = 0;
  absl::Time requested_at;
  std::optional<absl::Time> check_paid_at;
};

struct CheckRow {
  std::string check_id;
  std::string server_id;
  absl::Time opened_at;      // The check's first event.
  absl::Time last_activity;  // Latest of opened, paid, closed.
  int64_t sales_minor = 0;
  // Discounts done at the POS, on the check and its lines.
  int64_t pos_discount_minor = 0;
  bool has_case = false;
};

struct CaseRow {
  std::string case_id;
  std::string flagged_by;
  std::string guest_id;
  absl::Time flagged_at;
};

// Business days [from, to] of a location.
struct StaffRows {
  std::vector<CompRow> comps;
  std::vector<CheckRow> checks;  // Opened within the days.
  std::vector<CaseRow> cases;    // Flagged within the days, with a guest.
};

// Takes the rows of StaffRows one at a time, as the store reads them
// (store::StreamStaffRows), so that a period of a year is aggregated
// without being held: every check first, then every comp, then every case,
// each kind in the order StaffRows would list it.
class StaffRowSink {
 public:
  virtual ~StaffRowSink() = default;
  virtual void AddCheck(const CheckRow& check) = 0;
  virtual void AddComp(const CompRow& comp) = 0;
  virtual void AddCase(const CaseRow& flagged) = 0;
};

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_REPORT_ROWS_H_
