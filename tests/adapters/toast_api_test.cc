// ToastApi's own checks before it writes to Toast: a command for a check
// that Toast says is no longer OPEN (the guest paid between the command and
// its delivery) is refused saying so, and nothing is posted.

#include "toast_api.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/temp_dir.h"

namespace makegood::adapters {
namespace {

using json = nlohmann::json;

class ToastApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = AdapterState::Open(dir_.File("adapter.db"));
    ASSERT_TRUE(state.ok()) << state.status();
    state_ = *std::move(state);
    // An address nothing listens on: a post would fail, not be refused.
    settings_.set_api_base("http://127.0.0.1:9");
    settings_.set_comp_discount_guid("comp-discount-guid");
  }

  void SaveCheck(const std::string& payment_status) {
    const json order = {{"guid", "ord-1"},
                        {"checks",
                         {{{"guid", "chk-1"},
                           {"paymentStatus", payment_status},
                           {"selections", {{{"guid", "sel-1"}}}}}}}};
    ASSERT_TRUE(state_->SaveOrder("chk-1", StoredOrder{1, order.dump()}).ok());
  }

  makegood::v1::RemedyCommand CompCommand() {
    makegood::v1::RemedyCommand command;
    command.set_command_id("CMD-1");
    command.set_check_id("chk-1");
    auto* action = command.mutable_apply_remedy();
    action->set_kind(makegood::v1::COMP_ITEM);
    action->set_line_id("sel-1");
    return command;
  }

  testing::TempDir dir_;
  std::unique_ptr<AdapterState> state_;
  makegood::v1::ToastSettings settings_;
};

TEST_F(ToastApiTest, ACheckPaidBeforeTheCommandArrivesIsRefusedWithTheReason) {
  SaveCheck("PAID");
  ToastApi api(settings_, VendorContext{}, state_.get());
  auto outcome = api.Apply(CompCommand());
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: discounts can only be applied to an OPEN check; this one "
            "is PAID");
}

TEST_F(ToastApiTest, ACheckNeverReceivedIsRefused) {
  ToastApi api(settings_, VendorContext{}, state_.get());
  auto outcome = api.Apply(CompCommand());
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: this check was never received from Toast");
}

}  // namespace
}  // namespace makegood::adapters
