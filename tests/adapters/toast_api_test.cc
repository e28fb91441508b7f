// ToastApi's own checks before it writes to Toast, against a small Toast on
// loopback: the check is read back first, so a command whose discount is
// already on it (a timeout after Toast applied it, a crash before the
// outcome was saved) is applied without a second post, a check Toast says
// is no longer OPEN is refused saying so, and a post that fails is not
// repeated.

#include "toast_api.h"

#include <httplib.h>

#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/temp_dir.h"

namespace makegood::adapters {
namespace {

using json = nlohmann::json;

// GET /orders/v2/orders/ord-1 answers `order`; each POST of
// appliedDiscounts is counted and answered `post_status`.
class SmallToast {
 public:
  SmallToast() {
    server_.Get("/orders/v2/orders/ord-1",
                [this](const httplib::Request&, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  res.set_content(order_.dump(), "application/json");
                });
    server_.Post(
        R"(/orders/v2/orders/ord-1/checks/chk-1/selections/sel-1/appliedDiscounts)",
        [this](const httplib::Request&, httplib::Response& res) {
          std::lock_guard<std::mutex> lock(mu_);
          ++posts_;
          res.status = post_status_;
          res.set_content(order_.dump(), "application/json");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~SmallToast() {
    server_.stop();
    thread_.join();
  }

  std::string base() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  void SetCheck(const std::string& payment_status, json discounts) {
    std::lock_guard<std::mutex> lock(mu_);
    order_ = {{"guid", "ord-1"},
              {"checks",
               {{{"guid", "chk-1"},
                 {"paymentStatus", payment_status},
                 {"selections",
                  {{{"guid", "sel-1"},
                    {"appliedDiscounts", std::move(discounts)}}}}}}}};
  }
  void AnswerPostsWith(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    post_status_ = status;
  }
  int posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }

 private:
  std::mutex mu_;
  json order_ = json::object();
  int post_status_ = 200;
  int posts_ = 0;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class ToastApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = AdapterState::Open(dir_.File("adapter.db"));
    ASSERT_TRUE(state.ok()) << state.status();
    state_ = *std::move(state);
    settings_.set_api_base(toast_.base());
    settings_.set_comp_discount_guid("comp-discount-guid");
    // The order as the adapter last received it (open, in a webhook).
    const json webhook = {{"guid", "evt-1"},
                          {"details",
                           {{"restaurantGuid", "rest-1"},
                            {"order",
                             {{"guid", "ord-1"},
                              {"checks",
                               {{{"guid", "chk-1"},
                                 {"paymentStatus", "OPEN"},
                                 {"selections", {{{"guid", "sel-1"}}}}}}}}}}}};
    ASSERT_TRUE(
        state_->SaveOrder("chk-1", StoredOrder{1, webhook.dump()}).ok());
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

  ToastApi Api() {
    RetryPolicy once;
    once.attempts = 1;
    return ToastApi(settings_, VendorContext{}, state_.get(), once);
  }

  testing::TempDir dir_;
  SmallToast toast_;
  std::unique_ptr<AdapterState> state_;
  makegood::v1::ToastSettings settings_;
};

const WriteGate kMayWrite = [] { return absl::OkStatus(); };

TEST_F(ToastApiTest, ADeliveryNoLongerLeasedWritesNothing) {
  toast_.SetCheck("OPEN", json::array());
  auto outcome = Api().Apply(CompCommand(), [] {
    return absl::AbortedError("its lease would run out");
  });
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ADiscountWithTheCommandsMarkerIsNotPostedAgain) {
  toast_.SetCheck("OPEN",
                  json::array({{{"guid", "applied-9"},
                                {"discount", {{"guid", "comp-discount-guid"}}},
                                {"externalId", "makegood:mg-CMD-1"},
                                {"discountAmount", 48.0}}}));
  auto outcome = Api().Apply(CompCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied);
  EXPECT_EQ(outcome->pos_reference, "toast:chk-1:comp-discount-guid:sel-1");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ADiscountOfAnotherCommandDoesNotCount) {
  toast_.SetCheck("OPEN",
                  json::array({{{"guid", "applied-9"},
                                {"discount", {{"guid", "comp-discount-guid"}}},
                                {"externalId", "makegood:mg-CMD-10"}}}));
  auto outcome = Api().Apply(CompCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied);
  EXPECT_EQ(toast_.posts(), 1);
}

TEST_F(ToastApiTest, ACheckPaidBeforeTheCommandArrivesIsRefusedWithTheReason) {
  // The adapter last saw it OPEN; Toast says it is paid now.
  toast_.SetCheck("PAID", json::array());
  auto outcome = Api().Apply(CompCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: discounts can only be applied to an OPEN check; this one "
            "is PAID");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, APostThatFailsIsNotRepeatedButTriedLater) {
  toast_.SetCheck("OPEN", json::array());
  toast_.AnswerPostsWith(503);
  RetryPolicy patient;  // Reads would be retried five times; the post is not.
  patient.wait = [](absl::Duration) { return true; };
  ToastApi api(settings_, VendorContext{}, state_.get(), patient);
  auto outcome = api.Apply(CompCommand(), kMayWrite);
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(toast_.posts(), 1);
}

TEST_F(ToastApiTest, ARefusedTokenIsNeitherAppliedNorRejected) {
  toast_.SetCheck("OPEN", json::array());
  toast_.AnswerPostsWith(401);
  auto outcome = Api().Apply(CompCommand(), kMayWrite);
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(outcome.status().message(),
              ::testing::HasSubstr("refused the adapter's credentials"));
}

TEST_F(ToastApiTest, ACheckNeverReceivedIsRefused) {
  makegood::v1::RemedyCommand command = CompCommand();
  command.set_check_id("chk-unknown");
  auto outcome = Api().Apply(command, kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: this check was never received from Toast");
}

}  // namespace
}  // namespace makegood::adapters
