#ifndef MAKEGOOD_REPORT_RENDER_H_
#define MAKEGOOD_REPORT_RENDER_H_

// Reports as people and programs read them:
//  - text: aligned tables for a terminal;
//  - JSON: the proto JSON mapping of the report message;
//  - CSV: one long table a spreadsheet opens, columns
//    section,key,label,count,amount,currency (amount a decimal string);
//  - HTML (end of day): one self-contained page with SVG charts (cost by
//    category, cases by hour), laid out to print on one or two pages.
// Pure; thread-safe.

#include <string>

#include "google/protobuf/message.h"
#include "makegood/v1/report.pb.h"

namespace makegood::report {

std::string ToJson(const google::protobuf::Message& report);

std::string EndOfDayText(const makegood::v1::EndOfDayReport& report);
std::string EndOfDayCsv(const makegood::v1::EndOfDayReport& report);
std::string EndOfDayHtml(const makegood::v1::EndOfDayReport& report);

std::string StaffReportText(const makegood::v1::StaffReportResponse& report);
std::string StaffReportCsv(const makegood::v1::StaffReportResponse& report);

std::string CauseSummaryText(const makegood::v1::CauseSummaryReport& report);
std::string CauseSummaryCsv(const makegood::v1::CauseSummaryReport& report);

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_RENDER_H_
