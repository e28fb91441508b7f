// ToastApi's own checks before it writes to Toast, against a small Toast on
// loopback: the check is read back first, so a command whose discount or
// added line is already on it (a timeout after Toast took it, a crash
// before the outcome was saved) is not written again, a check Toast says
// is no longer OPEN is refused saying so, and a post that fails is not
// repeated. A remake and a complimentary item are added as selections
// marked with makegood's externalId, then comped.

#include "toast_api.h"

#include <httplib.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/temp_dir.h"

namespace makegood::adapters {
namespace {

using json = nlohmann::json;

// GET /orders/v2/orders/ord-1 answers `order`, GET /menus/v2/menus the
// menus; each POST under the check is recorded and answered `post_status`
// with the order set for its kind (selections or appliedDiscounts), the
// order itself when none is.
class SmallToast {
 public:
  struct Posted {
    std::string path;  // Under /orders/v2/orders/ord-1/checks/chk-1/.
    json body;
  };

  SmallToast() {
    server_.Get("/orders/v2/orders/ord-1",
                [this](const httplib::Request&, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  res.set_content(order_.dump(), "application/json");
                });
    server_.Get("/menus/v2/menus",
                [this](const httplib::Request&, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  res.set_content(menus_.dump(), "application/json");
                });
    server_.Post(
        R"(/orders/v2/orders/ord-1/checks/chk-1/(.+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> lock(mu_);
          const std::string path = req.matches[1];
          posted_.push_back({path, json::parse(req.body, nullptr, false)});
          const bool discount = path.find("appliedDiscounts") != path.npos;
          const json& answer =
              discount ? discounts_answer_ : selections_answer_;
          res.status = post_status_;
          res.set_content(answer.is_null() ? order_.dump() : answer.dump(),
                          "application/json");
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
    SetOrder(OrderOf(
        payment_status,
        {{{"guid", "sel-1"}, {"appliedDiscounts", std::move(discounts)}}}));
  }
  void SetOrder(json order) {
    std::lock_guard<std::mutex> lock(mu_);
    order_ = std::move(order);
  }
  void SetMenus(json menus) {
    std::lock_guard<std::mutex> lock(mu_);
    menus_ = std::move(menus);
  }
  void AnswerSelectionsWith(json order) {
    std::lock_guard<std::mutex> lock(mu_);
    selections_answer_ = std::move(order);
  }
  void AnswerDiscountsWith(json order) {
    std::lock_guard<std::mutex> lock(mu_);
    discounts_answer_ = std::move(order);
  }
  void AnswerPostsWith(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    post_status_ = status;
  }
  int posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(posted_.size());
  }
  std::vector<Posted> posted() {
    std::lock_guard<std::mutex> lock(mu_);
    return posted_;
  }

  // Order ord-1 with check chk-1 holding `selections`.
  static json OrderOf(const std::string& payment_status, json selections) {
    return {{"guid", "ord-1"},
            {"checks",
             {{{"guid", "chk-1"},
               {"paymentStatus", payment_status},
               {"selections", std::move(selections)}}}}};
  }

 private:
  std::mutex mu_;
  json order_ = json::object();
  json menus_ = json::object();
  json selections_answer_;  // Null: the order.
  json discounts_answer_;
  int post_status_ = 200;
  std::vector<Posted> posted_;
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

  makegood::v1::RemedyCommand RemakeCommand(const std::string& line_id) {
    makegood::v1::RemedyCommand command;
    command.set_command_id("CMD-2");
    command.set_check_id("chk-1");
    auto* action = command.mutable_apply_remedy();
    action->set_kind(makegood::v1::REMAKE);
    action->set_line_id(line_id);
    return command;
  }

  makegood::v1::RemedyCommand DessertCommand() {
    makegood::v1::RemedyCommand command;
    command.set_command_id("CMD-3");
    command.set_check_id("chk-1");
    auto* action = command.mutable_apply_remedy();
    action->set_kind(makegood::v1::COMPLIMENTARY_ITEM);
    action->set_sku("DESSERT-TRAY");
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

// The ribeye as Toast has it: two at 48.00, medium rare, the sauce on the
// side, the fries taken off.
json Ribeye() {
  return {{"guid", "sel-1"},
          {"displayName", "Ribeye 12oz"},
          {"item", {{"guid", "ribeye"}}},
          {"itemGroup", {{"guid", "steaks"}}},
          {"quantity", 2},
          {"receiptLinePrice", 48.0},
          {"modifiers", json::array({{{"guid", "mod-1"},
                                      {"displayName", "Medium Rare"},
                                      {"item", {{"guid", "medium-rare"}}},
                                      {"optionGroup", {{"guid", "temps"}}},
                                      {"quantity", 2},
                                      {"modifiers", json::array()}},
                                     {{"guid", "mod-2"},
                                      {"selectionType", "SPECIAL_REQUEST"},
                                      {"displayName", "Sauce on the side"},
                                      {"item", nullptr},
                                      {"quantity", 2}},
                                     {{"guid", "mod-3"},
                                      {"displayName", "Fries"},
                                      {"item", {{"guid", "fries"}}},
                                      {"optionGroup", {{"guid", "sides"}}},
                                      {"voided", true},
                                      {"quantity", 2}}})}};
}

// makegood's line for `command` as Toast added it: `gross` before
// discounts, `net` after `discounts`.
json Added(const std::string& command, const std::string& guid,
           const std::string& name, double gross, double net, json discounts) {
  return {{"guid", guid},
          {"externalId", "makegood:mg-" + command},
          {"displayName", name},
          {"quantity", 1},
          {"receiptLinePrice", gross},
          {"preDiscountPrice", gross},
          {"price", net},
          {"appliedDiscounts", std::move(discounts)}};
}

json AddedRefire(double net, json discounts) {
  return Added("CMD-2", "added-1", "Ribeye 12oz", 48.0, net,
               std::move(discounts));
}

// The Comp that makegood applied for `command`, taking `amount` off.
json MarkedComp(const std::string& command, double amount) {
  return json::array({{{"guid", "applied-1"},
                       {"discount", {{"guid", "comp-discount-guid"}}},
                       {"externalId", "makegood:mg-" + command},
                       {"discountAmount", amount}}});
}

json OpenCheckWith(json added) {
  return SmallToast::OrderOf("OPEN", json::array({Ribeye(), std::move(added)}));
}

TEST_F(ToastApiTest, ARefireIsTheItemAgainWithItsModifiersAndARequest) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  // An Open Price item posted without a price: Toast adds it at 0.00.
  toast_.AnswerSelectionsWith(OpenCheckWith(
      Added("CMD-2", "added-1", "Ribeye 12oz", 0.0, 0.0, json::array())));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied) << outcome->vendor_reason;
  EXPECT_EQ(outcome->pos_reference, "toast:chk-1:added:added-1");
  const auto posted = toast_.posted();
  ASSERT_EQ(posted.size(), 1u);  // Free: nothing to comp.
  EXPECT_EQ(posted[0].path, "selections");
  // One of the same item, as prepared before (the fries taken off stay
  // off), and the refire request the kitchen sees.
  EXPECT_EQ(posted[0].body, json::parse(R"([{
      "entityType": "MenuItemSelection",
      "externalId": "makegood:mg-CMD-2",
      "item": {"guid": "ribeye"},
      "itemGroup": {"guid": "steaks"},
      "quantity": 1,
      "modifiers": [
        {"item": {"guid": "medium-rare"}, "optionGroup": {"guid": "temps"},
         "quantity": 1, "modifiers": []},
        {"selectionType": "SPECIAL_REQUEST",
         "displayName": "Sauce on the side"},
        {"selectionType": "SPECIAL_REQUEST",
         "displayName": "REFIRE: Ribeye 12oz"}]}])"));
}

TEST_F(ToastApiTest, ARefireToastPricesIsCompedUnderTheSameMarker) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  toast_.AnswerSelectionsWith(OpenCheckWith(AddedRefire(48.0, json::array())));
  toast_.AnswerDiscountsWith(
      OpenCheckWith(AddedRefire(0.0, MarkedComp("CMD-2", 48.0))));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied) << outcome->vendor_reason;
  EXPECT_EQ(outcome->pos_reference,
            "toast:chk-1:added:added-1:comp-discount-guid");
  const auto posted = toast_.posted();
  ASSERT_EQ(posted.size(), 2u);
  EXPECT_EQ(posted[1].path, "selections/added-1/appliedDiscounts");
  EXPECT_EQ(posted[1].body,
            json::parse(R"([{"discount": {"guid": "comp-discount-guid"},
                             "externalId": "makegood:mg-CMD-2"}])"));
}

TEST_F(ToastApiTest, ARefireAddedBeforeIsCompedWithoutAddingItAgain) {
  toast_.SetOrder(OpenCheckWith(AddedRefire(48.0, json::array())));
  toast_.AnswerDiscountsWith(
      OpenCheckWith(AddedRefire(0.0, MarkedComp("CMD-2", 48.0))));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied) << outcome->vendor_reason;
  const auto posted = toast_.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "selections/added-1/appliedDiscounts");
}

TEST_F(ToastApiTest, ARefireAddedAndCompedBeforeIsNotWrittenAgain) {
  // Paid since: what is on the check is done all the same.
  toast_.SetOrder(SmallToast::OrderOf(
      "PAID",
      json::array({Ribeye(), AddedRefire(0.0, MarkedComp("CMD-2", 48.0))})));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied) << outcome->vendor_reason;
  EXPECT_EQ(outcome->pos_reference,
            "toast:chk-1:added:added-1:comp-discount-guid");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ARefireAddedOfAnotherCommandDoesNotCount) {
  toast_.SetOrder(OpenCheckWith(
      Added("CMD-20", "added-9", "Ribeye 12oz", 0.0, 0.0, json::array())));
  toast_.AnswerSelectionsWith(SmallToast::OrderOf(
      "OPEN", json::array({Ribeye(),
                           Added("CMD-20", "added-9", "Ribeye 12oz", 0.0, 0.0,
                                 json::array()),
                           Added("CMD-2", "added-1", "Ribeye 12oz", 0.0, 0.0,
                                 json::array())})));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->pos_reference, "toast:chk-1:added:added-1");
  EXPECT_EQ(toast_.posts(), 1);
}

TEST_F(ToastApiTest, ARefireToastDidNotDiscountIsRejectedSayingSo) {
  toast_.SetOrder(OpenCheckWith(AddedRefire(48.0, json::array())));
  // Toast applies a discount to an item that is not discountable as 0.00.
  toast_.AnswerDiscountsWith(
      OpenCheckWith(AddedRefire(48.0, MarkedComp("CMD-2", 0.0))));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: the refire of Ribeye 12oz is on the check for the "
            "kitchen, but Toast took nothing off it (its menu item is not "
            "discountable): take it off the check by hand");
  EXPECT_EQ(toast_.posts(), 1);
}

TEST_F(ToastApiTest, ARefireOfASelectionNotOnTheCheckIsRefusedNamingIt) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  auto outcome = Api().Apply(RemakeCommand("sel-9"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: selection 'sel-9' is not on check chk-1; refire it by "
            "hand");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ARefireOnACheckNoLongerOpenIsRefusedWithTheReason) {
  toast_.SetOrder(SmallToast::OrderOf("CLOSED", json::array({Ribeye()})));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: lines are added at no charge only to an OPEN check; this "
            "one is CLOSED; refire it by hand");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ARefireToastRefusesIsRejectedWithItsMessage) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  toast_.AnswerPostsWith(400);
  toast_.AnswerSelectionsWith({{"message", "Menu item ribeye is 86'd"}});
  auto outcome = Api().Apply(RemakeCommand("sel-1"), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: Menu item ribeye is 86'd; refire it by hand");
  EXPECT_EQ(toast_.posts(), 1);
}

TEST_F(ToastApiTest, ARefireNoLongerLeasedAddsNothing) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  auto outcome = Api().Apply(RemakeCommand("sel-1"), [] {
    return absl::AbortedError("its lease would run out");
  });
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(toast_.posts(), 0);
}

// The menus with the dessert tray in a subgroup, and again in a second
// menu (one item, listed twice), beside `other`.
json Menus(json dessert_tray, json other = json::array()) {
  json desserts = {{"guid", "desserts"},
                   {"menuItems", json::array({dessert_tray})},
                   {"menuGroups", json::array()}};
  return {
      {"restaurantGuid", "rest-1"},
      {"menus",
       json::array(
           {{{"guid", "dinner"},
             {"menuGroups",
              json::array({{{"guid", "sweets"},
                            {"menuItems", std::move(other)},
                            {"menuGroups", json::array({desserts})}}})}},
            {{"guid", "late"},
             {"menuGroups",
              json::array({{{"guid", "late-desserts"},
                            {"menuItems", json::array({dessert_tray})}}})}}})}};
}

json DessertTray() {
  return {{"guid", "dessert-tray"},          {"name", "Dessert Tray"},
          {"sku", "DESSERT-TRAY"},           {"price", 18.0},
          {"pricingStrategy", "BASE_PRICE"}, {"isDiscountable", true}};
}

TEST_F(ToastApiTest, ADessertTrayIsTheMenuItemOfItsSkuComped) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  toast_.SetMenus(Menus(DessertTray()));
  toast_.AnswerSelectionsWith(OpenCheckWith(
      Added("CMD-3", "added-2", "Dessert Tray", 18.0, 18.0, json::array())));
  toast_.AnswerDiscountsWith(
      OpenCheckWith(Added("CMD-3", "added-2", "Dessert Tray", 18.0, 0.0,
                          MarkedComp("CMD-3", 18.0))));
  auto outcome = Api().Apply(DessertCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied) << outcome->vendor_reason;
  EXPECT_EQ(outcome->pos_reference,
            "toast:chk-1:added:added-2:comp-discount-guid");
  const auto posted = toast_.posted();
  ASSERT_EQ(posted.size(), 2u);
  EXPECT_EQ(posted[0].path, "selections");
  EXPECT_EQ(posted[0].body, json::parse(R"([{
      "entityType": "MenuItemSelection",
      "externalId": "makegood:mg-CMD-3",
      "item": {"guid": "dessert-tray"},
      "itemGroup": {"guid": "desserts"},
      "quantity": 1,
      "modifiers": [{"selectionType": "SPECIAL_REQUEST",
                     "displayName": "COMPLIMENTARY: Dessert Tray"}]}])"));
  EXPECT_EQ(posted[1].path, "selections/added-2/appliedDiscounts");
}

TEST_F(ToastApiTest, AnOpenPriceDessertTrayIsPostedAtZeroAndNotComped) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  json tray = DessertTray();
  tray["pricingStrategy"] = "OPEN_PRICE";
  tray["price"] = nullptr;
  tray["isDiscountable"] = false;  // No matter: there is nothing to take off.
  toast_.SetMenus(Menus(tray));
  toast_.AnswerSelectionsWith(OpenCheckWith(
      Added("CMD-3", "added-2", "Dessert Tray", 0.0, 0.0, json::array())));
  auto outcome = Api().Apply(DessertCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->applied) << outcome->vendor_reason;
  EXPECT_EQ(outcome->pos_reference, "toast:chk-1:added:added-2");
  const auto posted = toast_.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].body[0]["openPriceAmount"], 0);
}

TEST_F(ToastApiTest, ADessertTrayNoMenuItemHasIsRefused) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  json cake = DessertTray();
  cake["guid"] = "cake";
  cake["sku"] = "CAKE";
  toast_.SetMenus(Menus(cake));
  auto outcome = Api().Apply(DessertCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: no menu item on the restaurant's published menus has the "
            "SKU or guid 'DESSERT-TRAY' (set it as the item's SKU in Toast "
            "Web); bring it to the table by hand");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ASkuOfTwoMenuItemsIsRefusedNamingThem) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  json other = DessertTray();
  other["guid"] = "dessert-tray-2";
  other["name"] = "Dessert Tray (large)";
  toast_.SetMenus(Menus(DessertTray(), json::array({other})));
  auto outcome = Api().Apply(DessertCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: the SKU 'DESSERT-TRAY' names 2 menu items: Dessert Tray "
            "(large) (dessert-tray-2), Dessert Tray (dessert-tray) (give one "
            "of them a SKU of its own); bring it to the table by hand");
  EXPECT_EQ(toast_.posts(), 0);
}

TEST_F(ToastApiTest, ADessertTrayToastWouldNotDiscountIsRefusedBeforeAdding) {
  toast_.SetOrder(SmallToast::OrderOf("OPEN", json::array({Ribeye()})));
  json tray = DessertTray();
  tray["isDiscountable"] = false;
  toast_.SetMenus(Menus(tray));
  auto outcome = Api().Apply(DessertCommand(), kMayWrite);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(outcome->vendor_reason,
            "Toast: menu item Dessert Tray is not discountable, so the comp "
            "would take nothing off it and the guest would be charged; bring "
            "it to the table by hand");
  EXPECT_EQ(toast_.posts(), 0);
}

}  // namespace
}  // namespace makegood::adapters
