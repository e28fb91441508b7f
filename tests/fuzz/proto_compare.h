#ifndef MAKEGOOD_TESTS_FUZZ_PROTO_COMPARE_H_
#define MAKEGOOD_TESTS_FUZZ_PROTO_COMPARE_H_

// Message equality for the fuzz targets' round trips.

#include <string>

#include "google/protobuf/message.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/message_differencer.h"

namespace makegood::fuzz {

// "" when `a` and `b` hold the same fields (unknown ones included), else
// what differs. NaN equals NaN: "NaN" is a value the JSON mapping carries.
inline std::string Differences(const google::protobuf::Message& a,
                               const google::protobuf::Message& b) {
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  std::string report;
  bool same = false;
  {
    // The report is complete once the differencer is gone.
    google::protobuf::util::MessageDifferencer differencer;
    differencer.set_field_comparator(&comparator);
    differencer.ReportDifferencesToString(&report);
    same = differencer.Compare(a, b);
  }
  if (same) return "";
  return report.empty() ? "(they differ)" : report;
}

}  // namespace makegood::fuzz

#endif  // MAKEGOOD_TESTS_FUZZ_PROTO_COMPARE_H_
