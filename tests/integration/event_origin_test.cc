// The origin of an order event through the real makegoodd: a discount that
// makegood itself wrote to the POS (origin MAKEGOOD, naming its command)
// confirms the remedy. It is stored, but it is not a POS discount: the
// line's remaining value is not reduced a second time, and POS discount
// totals and the loss-prevention report do not count it. One that names no
// command of its check counts as a POS discount, so nothing can be hidden.

#include <string>
#include <vector>

#include "integration/recovery_calls.h"

namespace makegood {
namespace {

using makegood::testing::BaseEvent;

class EventOriginTest : public RecoveryCallsTest {
 protected:
  // A discount of `amount` on `line` ("" for the whole check).
  static OrderEvent Discount(const std::string& event_id,
                             const std::string& check_id,
                             const std::string& line, int64_t amount,
                             v1::EventOrigin origin = v1::ORIGIN_UNSPECIFIED,
                             const std::string& command_id = "") {
    OrderEvent event = BaseEvent(event_id, check_id, absl::Now());
    auto* discount = event.mutable_item_discounted();
    discount->set_line_id(line);
    discount->set_discount_id(event_id);
    discount->mutable_amount()->set_minor_units(amount);
    discount->mutable_amount()->set_currency("USD");
    event.set_origin(origin);
    event.set_command_id(command_id);
    return event;
  }

  v1::Check GetCheck(const std::string& check_id) {
    v1::GetCheckRequest request;
    request.set_check_id(check_id);
    v1::Check check;
    const grpc::Status status = v1::CheckService::NewStub(channel_)->GetCheck(
        Context(kManagerToken).get(), request, &check);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return check;
  }

  static int64_t LineDiscounts(const v1::Check& check,
                               const std::string& line) {
    for (const auto& item : check.items()) {
      if (item.line_id() == line) return item.pos_discounts().minor_units();
    }
    ADD_FAILURE() << "no line " << line;
    return -1;
  }
};

TEST_F(EventOriginTest, MakegoodsOwnDiscountIsNotAPosDiscount) {
  SeedCheck("C1", {4800, 1295});
  v1::RecoveryCase flagged;
  ASSERT_TRUE(
      Flag(kServerToken, "flag-1", "C1", {"1"}, "quality", v1::MAJOR, &flagged)
          .ok());
  const v1::RemedyOption* half_off = OptionFor(flagged, "half_off_item");
  ASSERT_NE(half_off, nullptr) << flagged.DebugString();
  v1::RecoveryCase applied;
  ASSERT_TRUE(Apply(kManagerToken, "apply-1", flagged.case_id(),
                    half_off->option_id(), &applied)
                  .ok());
  const std::string command_id =
      QueryText(db_path(), "SELECT command_id FROM commands WHERE case_id = '" +
                               flagged.case_id() + "'");
  ASSERT_NE(command_id, "<no row>");

  // The adapter reports the half-off it wrote, and a discount staff gave
  // at the register on the other line.
  PublishAll(
      {Discount("C1-mg", "C1", "1", 2400, v1::ORIGIN_MAKEGOOD, command_id),
       Discount("C1-pos", "C1", "2", 300, v1::ORIGIN_POS)});
  EXPECT_EQ(Count("SELECT count(*) FROM order_events WHERE event_id = "
                  "'C1-mg'"),
            1);  // Kept, as every accepted event.
  const v1::Check check = GetCheck("C1");
  EXPECT_EQ(LineDiscounts(check, "1"), 0);
  EXPECT_EQ(LineDiscounts(check, "2"), 300);
  EXPECT_EQ(check.pos_discounts().minor_units(), 300);

  // A second problem with the same dish: half of it is left to comp, not
  // nothing (which it would be if the half-off counted twice).
  v1::RecoveryCase second;
  ASSERT_TRUE(Flag(kServerToken, "flag-2", "C1", {"1"}, "quality", v1::MAJOR,
                   &second, /*new_problem=*/true)
                  .ok());
  const v1::RemedyOption* comp = OptionFor(second, "comp_item");
  ASSERT_NE(comp, nullptr) << second.DebugString();
  EXPECT_EQ(comp->estimated_cost().minor_units(), 2400);
}

TEST_F(EventOriginTest,
       AMakegoodOriginNamingNoCommandOfTheCheckIsAPosDiscount) {
  SeedCheck("C2", {4800});
  PublishAll(
      {Discount("C2-claimed", "C2", "1", 1000, v1::ORIGIN_MAKEGOOD, "CMD-X")});
  EXPECT_EQ(LineDiscounts(GetCheck("C2"), "1"), 1000);

  // The loss-prevention report sees it: a discount on a check without a
  // case.
  v1::StaffReportRequest period;
  period.set_from_date(absl::FormatTime(
      "%Y-%m-%d", absl::Now() - absl::Hours(48), absl::UTCTimeZone()));
  period.set_to_date(absl::FormatTime("%Y-%m-%d", absl::Now() + absl::Hours(24),
                                      absl::UTCTimeZone()));
  v1::StaffReportResponse staff;
  const grpc::Status status = v1::ReportService::NewStub(channel_)->StaffReport(
      Context(kManagerToken).get(), period, &staff);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int unexplained = 0;
  for (const auto& finding : staff.findings()) {
    if (finding.kind() != v1::StaffFinding::UNEXPLAINED_POS_DISCOUNT) continue;
    ++unexplained;
    EXPECT_EQ(finding.check_id(), "C2");
    EXPECT_EQ(finding.amount().minor_units(), 1000);
  }
  EXPECT_EQ(unexplained, 1);
}

TEST_F(EventOriginTest, AMakegoodOriginWithoutItsCommandIsRejected) {
  SeedCheck("C3", {4800});
  PublishSummary summary;
  ASSERT_TRUE(Publish({Discount("C3-mg", "C3", "1", 4800, v1::ORIGIN_MAKEGOOD)},
                      &summary)
                  .ok());
  EXPECT_EQ(summary.rejected(), 1);
  ASSERT_EQ(summary.rejections_size(), 1);
  EXPECT_EQ(summary.rejections(0).reason(),
            "command_id: is required for an event of origin ORIGIN_MAKEGOOD "
            "(the remedy command it carries out)");
  EXPECT_EQ(Count("SELECT count(*) FROM order_events WHERE event_id = "
                  "'C3-mg'"),
            0);
}

}  // namespace
}  // namespace makegood
