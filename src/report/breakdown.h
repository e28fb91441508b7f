#ifndef MAKEGOOD_REPORT_BREAKDOWN_H_
#define MAKEGOOD_REPORT_BREAKDOWN_H_

// Small pieces every report builder uses: money in the location's currency,
// shares in basis points, staff names, and count/cost breakdowns.

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "core/recovery_rules.h"
#include "google/protobuf/repeated_field.h"
#include "makegood/v1/common.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::report {

makegood::v1::Money MoneyOf(int64_t minor_units, absl::string_view currency);

// part / whole in basis points, rounded half up; 0 when whole is 0.
int32_t ShareBps(int64_t part, int64_t whole);

// The configured name of a staff member or device, else the id.
std::string NameOf(const core::RecoveryRules& rules, absl::string_view id);

// Counts and costs per key.
class Breakdown {
 public:
  enum class Order { kMostFrequentFirst, kByKey };

  void Add(const std::string& key, const std::string& label, int count,
           int64_t cost_minor);
  void AddTo(google::protobuf::RepeatedPtrField<makegood::v1::CountRow>& rows,
             absl::string_view currency,
             Order order = Order::kMostFrequentFirst) const;

 private:
  struct Entry {
    std::string label;
    int count = 0;
    int64_t cost_minor = 0;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_BREAKDOWN_H_
