// Staff and tables by makegood's names: the configured maps applied to a
// snapshot, the rules for their entries, and the maps in effect on a whole
// translation.

#include "names_map.h"

#include <string>

#include "core/event_validation.h"
#include "gtest/gtest.h"
#include "translate.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;

OrderSnapshot Check(const std::string& server_id, const std::string& table) {
  OrderSnapshot order;
  order.check_id = "check-1";
  order.server_id = server_id;
  order.table = table;
  return order;
}

VendorContext Maps() {
  VendorContext context;
  context.staff_map = {{"emp-9", "s-17"}, {"emp-4", "m-2"}};
  context.table_map = {{"table-12", "12"}, {"table-b3", "Bar 3"}};
  return context;
}

TEST(NamesMapTest, AMappedServerAndTableTakeTheConfiguredNames) {
  const OrderSnapshot mapped =
      WithConfiguredNames(Check("emp-9", "table-b3"), Maps());
  EXPECT_EQ(mapped.server_id, "s-17");
  EXPECT_EQ(mapped.table, "Bar 3");
  EXPECT_EQ(mapped.check_id, "check-1");  // Nothing else changes.
}

TEST(NamesMapTest, AnUnmappedIdStaysAsTheVendorSentIt) {
  const OrderSnapshot unmapped =
      WithConfiguredNames(Check("emp-new", "patio-1"), Maps());
  EXPECT_EQ(unmapped.server_id, "emp-new");
  EXPECT_EQ(unmapped.table, "patio-1");
  // No maps at all: everything as sent.
  const OrderSnapshot plain =
      WithConfiguredNames(Check("emp-9", "table-12"), VendorContext{});
  EXPECT_EQ(plain.server_id, "emp-9");
  EXPECT_EQ(plain.table, "table-12");
  // No server or table stays none, even where a map has an empty key.
  VendorContext empty_key;
  empty_key.staff_map = {{"", "s-17"}};
  empty_key.table_map = {{"", "12"}};
  const OrderSnapshot none = WithConfiguredNames(Check("", ""), empty_key);
  EXPECT_EQ(none.server_id, "");
  EXPECT_EQ(none.table, "");
}

TEST(NamesMapTest, EachMapRenamesItsOwnFieldOnly) {
  // The same vendor id names an employee in one map and a table in the
  // other: each field is looked up in its own map.
  VendorContext context;
  context.staff_map = {{"7", "s-7"}};
  context.table_map = {{"7", "Table 7"}};
  const OrderSnapshot both = WithConfiguredNames(Check("7", "7"), context);
  EXPECT_EQ(both.server_id, "s-7");
  EXPECT_EQ(both.table, "Table 7");
  // A server mapped and a table not, and the other way round.
  const OrderSnapshot server_only =
      WithConfiguredNames(Check("emp-4", "patio-1"), Maps());
  EXPECT_EQ(server_only.server_id, "m-2");
  EXPECT_EQ(server_only.table, "patio-1");
  const OrderSnapshot table_only =
      WithConfiguredNames(Check("emp-new", "table-12"), Maps());
  EXPECT_EQ(table_only.server_id, "emp-new");
  EXPECT_EQ(table_only.table, "12");
}

TEST(NamesMapTest, AStaffMapEntryNeedsBothIdsAndAShortStaffId) {
  EXPECT_TRUE(CheckStaffMapEntry("emp-9", "s-17").ok());
  EXPECT_TRUE(
      CheckStaffMapEntry("emp-9", std::string(core::kMaxIdLength, 's')).ok());

  const absl::Status no_vendor_id = CheckStaffMapEntry("", "s-17");
  EXPECT_EQ(no_vendor_id.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_vendor_id.message(), "a vendor employee id is empty");
  const absl::Status no_staff_id = CheckStaffMapEntry("emp-9", "");
  EXPECT_EQ(no_staff_id.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_staff_id.message(), "'emp-9': the staff id is empty");
  const absl::Status too_long =
      CheckStaffMapEntry("emp-9", std::string(core::kMaxIdLength + 1, 's'));
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.message(),
            "'emp-9': the staff id is 129 bytes; makegood's ids are at most "
            "128");
}

TEST(NamesMapTest, ATableMapEntryNeedsBothTheIdAndTheName) {
  EXPECT_TRUE(CheckTableMapEntry("table-12", "12").ok());
  // A table name is free text of any length (CheckOpened.table).
  EXPECT_TRUE(CheckTableMapEntry("table-12", std::string(300, 't')).ok());

  const absl::Status no_vendor_id = CheckTableMapEntry("", "12");
  EXPECT_EQ(no_vendor_id.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_vendor_id.message(), "a vendor table id is empty");
  const absl::Status no_name = CheckTableMapEntry("table-12", "");
  EXPECT_EQ(no_name.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_name.message(), "'table-12': the table name is empty");
}

// A Toast order names its server and table by GUID.
constexpr char kToastOrder[] = R"({
  "guid": "order-1", "server": {"guid": "emp-9"},
  "table": {"guid": "table-12"}, "openedDate": "2026-11-20T19:00:00.000+0000",
  "checks": [{"guid": "check-1", "selections": []}]
})";

TEST(NamesMapTest, ATranslationNamesStaffAndTablesByTheMaps) {
  VendorContext context = Maps();
  context.source = "toast";
  context.default_location = "downtown-01";
  context.currency = "USD";
  auto translation = Translate("toast", kToastOrder, context);
  ASSERT_TRUE(translation.ok()) << translation.status();
  ASSERT_EQ(translation->events.size(), 1u);
  const OrderEvent& opened = translation->events[0];
  ASSERT_TRUE(opened.has_check_opened());
  EXPECT_EQ(opened.check_opened().server_id(), "s-17");
  EXPECT_EQ(opened.check_opened().table(), "12");

  // The same order without the maps keeps Toast's GUIDs.
  context.staff_map.clear();
  context.table_map.clear();
  translation = Translate("toast", kToastOrder, context);
  ASSERT_TRUE(translation.ok()) << translation.status();
  ASSERT_EQ(translation->events.size(), 1u);
  EXPECT_EQ(translation->events[0].check_opened().server_id(), "emp-9");
  EXPECT_EQ(translation->events[0].check_opened().table(), "table-12");
}

}  // namespace
}  // namespace makegood::adapters
