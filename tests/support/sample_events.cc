#include "support/sample_events.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"

namespace makegood::testing {

using makegood::v1::OrderEvent;

OrderEvent BaseEvent(const std::string& event_id, const std::string& check_id,
                     absl::Time at) {
  OrderEvent event;
  event.set_event_id(event_id);
  event.set_source("test-pos");
  event.set_location_id(kLocation);
  event.set_check_id(check_id);
  *event.mutable_occurred_at() = core::ToProto(at);
  return event;
}

OrderEvent CheckOpened(const std::string& event_id, const std::string& check_id,
                       absl::Time at, const std::string& table) {
  OrderEvent event = BaseEvent(event_id, check_id, at);
  auto* opened = event.mutable_check_opened();
  opened->set_table(table);
  opened->set_guest_count(2);
  opened->set_server_id("s-17");
  return event;
}

OrderEvent ItemAdded(const std::string& event_id, const std::string& check_id,
                     const std::string& line_id, absl::Time at,
                     int64_t price_minor, int quantity) {
  OrderEvent event = BaseEvent(event_id, check_id, at);
  auto* item = event.mutable_item_added();
  item->set_line_id(line_id);
  item->set_sku("RIBEYE-12");
  item->set_name("Ribeye 12oz");
  item->set_station("grill");
  item->set_quantity(quantity);
  item->mutable_unit_price()->set_minor_units(price_minor);
  item->mutable_unit_price()->set_currency(kCurrency);
  return event;
}

OrderEvent ItemFired(const std::string& event_id, const std::string& check_id,
                     const std::string& line_id, absl::Time at) {
  OrderEvent event = BaseEvent(event_id, check_id, at);
  event.mutable_item_fired()->set_line_id(line_id);
  return event;
}

OrderEvent ItemServed(const std::string& event_id, const std::string& check_id,
                      const std::string& line_id, absl::Time at) {
  OrderEvent event = BaseEvent(event_id, check_id, at);
  event.mutable_item_served()->set_line_id(line_id);
  return event;
}

std::vector<OrderEvent> SyntheticService(int count, const std::string& prefix,
                                         absl::Time start) {
  std::vector<OrderEvent> events;
  events.reserve(count);
  int n = 0;
  auto next_id = [&] { return absl::StrCat(prefix, "-", n++); };
  for (int check = 0; static_cast<int>(events.size()) < count; ++check) {
    const std::string check_id = absl::StrCat(prefix, "-check-", check);
    absl::Time at = start + absl::Seconds(check);
    events.push_back(CheckOpened(next_id(), check_id, at));
    const int items = 2 + check % 2;
    for (int line = 1; line <= items; ++line) {
      events.push_back(ItemAdded(next_id(), check_id, absl::StrCat(line),
                                 at + absl::Minutes(3), 1500 + 700 * line));
    }
    for (int line = 1; line <= items; ++line) {
      events.push_back(ItemFired(next_id(), check_id, absl::StrCat(line),
                                 at + absl::Minutes(5)));
      events.push_back(ItemServed(next_id(), check_id, absl::StrCat(line),
                                  at + absl::Minutes(20)));
    }
    OrderEvent paid = BaseEvent(next_id(), check_id, at + absl::Minutes(60));
    paid.mutable_check_paid()->mutable_total()->set_minor_units(6000);
    paid.mutable_check_paid()->mutable_total()->set_currency(kCurrency);
    events.push_back(std::move(paid));
  }
  events.resize(count);
  return events;
}

}  // namespace makegood::testing
