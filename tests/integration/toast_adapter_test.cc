// The Toast adapter as it runs, between the real makegoodd and a fake Toast
// orders API that checks the documented appliedDiscounts and selections
// requests.

#include <mutex>

#include "vendor_adapter_fixture.h"
#include "webhook_signature.h"

namespace makegood {
namespace {

using nlohmann::json;

constexpr char kToastToken[] = "test-toast-token";
constexpr char kWebhookSecret[] = "test-toast-secret";
constexpr char kRestaurant[] = "rest-0001";
constexpr char kComp[] = "comp-discount-guid";
constexpr char kOpenItem[] = "open-item-discount-guid";

// The restaurant's menu items the fake Toast knows: name and price.
struct FakeMenuItem {
  const char* guid;
  const char* name;
  double price;
};
constexpr FakeMenuItem kMenuItems[] = {{"ribeye", "Ribeye 12oz", 48.0},
                                       {"dessert-tray", "Dessert Tray", 18.0}};

// Toast's orders API as far as the adapter uses it: GET of an order,
// POST .../orders/{order}/checks/{check}[/selections/{sel}]/appliedDiscounts,
// which applies the discount to the order the GET then returns, POST
// .../checks/{check}/selections, which adds the selections, fired, at
// their menu price, and GET /menus/v2/menus.
class FakeToast : public FakeVendorApi {
 public:
  FakeToast() {
    server_.Get("/menus/v2/menus",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  if (RefusedLocked(res) || !Authorized(req, res)) return;
                  res.set_content(Menus().dump(), "application/json");
                });
    server_.Post(
        R"(/orders/v2/orders/([^/]+)/checks/([^/]+)/selections)",
        [this](const httplib::Request& req, httplib::Response& res) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (RefusedLocked(res) || !Authorized(req, res)) return;
            Posted posted{req.matches[1], req.matches[2], "",
                          json::parse(req.body, nullptr, false)};
            if (std::string error = SelectionsError(posted); !error.empty()) {
              shape_errors_.push_back(error);
              res.status = 400;
              res.set_content(json{{"message", error}}.dump(),
                              "application/json");
              return;
            }
            if (std::string taken = ExternalIdTaken(posted); !taken.empty()) {
              // Toast enforces unique selection externalIds.
              res.status = 400;
              res.set_content(
                  json{{"message", "externalId " + taken + " exists"}}.dump(),
                  "application/json");
              return;
            }
            line_posts_.push_back(posted);
            AddSelections(posted);
            res.set_content(order_.dump(), "application/json");
          }
          gate_.Pass();  // Added; the answer may be held.
        });
    server_.Get(R"(/orders/v2/orders/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  if (RefusedLocked(res) || !Authorized(req, res)) return;
                  if (order_.value("guid", "") != req.matches[1]) {
                    res.status = 404;
                    res.set_content(R"({"message":"no such order"})",
                                    "application/json");
                    return;
                  }
                  res.set_content(order_.dump(), "application/json");
                });
    server_.Post(
        R"(/orders/v2/orders/([^/]+)/checks/([^/]+)(?:/selections/([^/]+))?/appliedDiscounts)",
        [this](const httplib::Request& req, httplib::Response& res) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (RefusedLocked(res) || !Authorized(req, res)) return;
            Posted posted{req.matches[1], req.matches[2], req.matches[3],
                          json::parse(req.body, nullptr, false)};
            if (!posted.body.is_array() || posted.body.empty()) {
              shape_errors_.push_back("not an array of AppliedDiscount");
              res.status = 400;
              return;
            }
            for (const json& applied : posted.body) {
              if (!applied.contains("discount") ||
                  !applied["discount"].contains("guid")) {
                shape_errors_.push_back(
                    "AppliedDiscount without discount.guid");
                res.status = 400;
                return;
              }
            }
            posts_.push_back(posted);
            Apply(posted);
            res.set_content(order_.dump(), "application/json");
          }
          gate_.Pass();  // Applied; the answer may be held.
        });
    Listen();
  }
  ~FakeToast() override { Stop(); }

  struct Posted {
    std::string order, check, selection;
    json body;
  };
  // appliedDiscounts posts.
  std::vector<Posted> posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }
  // selections posts.
  std::vector<Posted> line_posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return line_posts_;
  }
  // The selections of check chk-1 whose externalId is `external_id`.
  json SelectionsMarked(const std::string& external_id) {
    std::lock_guard<std::mutex> lock(mu_);
    json marked = json::array();
    for (const json& check : order_["checks"]) {
      for (const json& selection : check["selections"]) {
        if (selection.value("externalId", "") == external_id) {
          marked.push_back(selection);
        }
      }
    }
    return marked;
  }
  void SetOrder(json order) {
    std::lock_guard<std::mutex> lock(mu_);
    order_ = std::move(order);
  }
  json order() {
    std::lock_guard<std::mutex> lock(mu_);
    return order_;
  }
  // The discounts applied to selection `sel`.
  json DiscountsOn(const std::string& sel) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const json& check : order_["checks"]) {
      for (const json& selection : check["selections"]) {
        if (selection["guid"] == sel) {
          return selection.value("appliedDiscounts", json::array());
        }
      }
    }
    return json::array();
  }

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") !=
            std::string("Bearer ") + kToastToken ||
        req.get_header_value("Toast-Restaurant-External-ID") != kRestaurant) {
      shape_errors_.push_back("bearer token or restaurant header");
      res.status = 401;
      return false;
    }
    return true;
  }

  // Toast applies the discount: on the selection, its whole price for the
  // Comp, or the amount posted; its net price goes down by as much.
  void Apply(const Posted& posted) {
    for (json& check : order_["checks"]) {
      if (check["guid"] != posted.check) continue;
      check["modifiedDate"] = Now();
      for (json& selection : check["selections"]) {
        if (selection["guid"] != posted.selection) continue;
        for (const json& applied : posted.body) {
          json discount = applied;
          discount["guid"] = "applied-" + std::to_string(++applied_);
          discount["name"] = "Comp";
          if (!discount.contains("discountAmount")) {
            discount["discountAmount"] = selection["receiptLinePrice"];
          }
          selection["price"] =
              selection.value("price",
                              selection["receiptLinePrice"].get<double>()) -
              discount["discountAmount"].get<double>();
          selection["appliedDiscounts"].push_back(discount);
        }
      }
    }
  }

  // What is wrong with a posted array of Selection: "" when nothing.
  static std::string SelectionsError(const Posted& posted) {
    if (!posted.body.is_array() || posted.body.empty()) {
      return "not an array of Selection";
    }
    for (const json& selection : posted.body) {
      if (!selection.is_object() || !selection.contains("item") ||
          !selection["item"].contains("guid") ||
          !selection.contains("itemGroup") ||
          !selection["itemGroup"].contains("guid") ||
          !selection.contains("quantity") ||
          !selection["quantity"].is_number()) {
        return "Selection without item.guid, itemGroup.guid and quantity";
      }
      if (PriceOf(selection["item"]["guid"]) < 0) {
        return "no menu item " + selection["item"]["guid"].dump();
      }
    }
    return "";
  }

  static double PriceOf(const json& item_guid) {
    for (const FakeMenuItem& item : kMenuItems) {
      if (item_guid == item.guid) return item.price;
    }
    return -1;
  }
  static std::string NameOf(const json& item_guid) {
    for (const FakeMenuItem& item : kMenuItems) {
      if (item_guid == item.guid) return item.name;
    }
    return "";
  }

  // With mu_ held: a posted externalId a selection of the order has.
  std::string ExternalIdTaken(const Posted& posted) {
    for (const json& check : order_["checks"]) {
      for (const json& selection : check["selections"]) {
        for (const json& added : posted.body) {
          if (added.contains("externalId") &&
              selection.value("externalId", "") == added["externalId"]) {
            return added["externalId"].get<std::string>();
          }
        }
      }
    }
    return "";
  }

  // Toast adds the selections to the check at their menu price, and fires
  // them (the order is fired, so they go out on a new ticket).
  void AddSelections(const Posted& posted) {
    for (json& check : order_["checks"]) {
      if (check["guid"] != posted.check) continue;
      check["modifiedDate"] = Now();
      for (const json& added : posted.body) {
        json selection = added;
        const double price = PriceOf(added["item"]["guid"]);
        selection["guid"] = "added-" + std::to_string(++added_);
        selection["displayName"] = NameOf(added["item"]["guid"]);
        selection["receiptLinePrice"] = price;
        selection["preDiscountPrice"] = price;
        selection["price"] = price;
        selection["fulfillmentStatus"] = "SENT";
        selection["createdDate"] = Now();
        selection["appliedDiscounts"] = json::array();
        check["selections"].push_back(selection);
      }
    }
  }

  // The published menus: the dessert tray, SKU DESSERT-TRAY, in Desserts.
  static json Menus() {
    return json::parse(R"({
      "restaurantGuid": "rest-0001",
      "menus": [{"guid": "dinner", "name": "Dinner", "menuGroups": [
        {"guid": "steaks", "name": "Steaks", "menuGroups": [], "menuItems": [
          {"guid": "ribeye", "name": "Ribeye 12oz", "sku": "", "price": 48.0,
           "pricingStrategy": "BASE_PRICE", "isDiscountable": true}]},
        {"guid": "desserts", "name": "Desserts", "menuGroups": [],
         "menuItems": [
          {"guid": "dessert-tray", "name": "Dessert Tray",
           "sku": "DESSERT-TRAY", "price": 18.0,
           "pricingStrategy": "BASE_PRICE", "isDiscountable": true}]}]}]})");
  }

  static std::string Now() {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000", absl::Now(),
                            absl::UTCTimeZone());
  }

  std::vector<Posted> posts_;
  std::vector<Posted> line_posts_;
  json order_ = json::object();
  int applied_ = 0;
  int added_ = 0;
};

// One check, one fired ribeye at $48.00 (a JSON double in major units, as
// Toast sends it).
json ToastOrder(const std::string& payment_status) {
  const auto at = [](int minutes_ago) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000",
                            absl::Now() - absl::Minutes(minutes_ago),
                            absl::UTCTimeZone());
  };
  return {{"guid", "ord-1"},
          {"openedDate", at(30)},
          {"numberOfGuests", 2},
          {"checks",
           {{{"guid", "chk-1"},
             {"openedDate", at(30)},
             {"modifiedDate", payment_status == "OPEN" ? at(20) : at(5)},
             {"paymentStatus", payment_status},
             {"totalAmount", 48.0},
             {"selections",
              {{{"guid", "sel-1"},
                {"item", {{"guid", "ribeye"}}},
                {"itemGroup", {{"guid", "steaks"}}},
                {"displayName", "Ribeye 12oz"},
                {"quantity", 1},
                {"receiptLinePrice", 48.0},
                {"fulfillmentStatus", "SENT"},
                {"createdDate", at(29)}}}}}}}};
}

// Toast's order_updated webhook carrying `order`, with externalId null as
// Toast's webhooks send it.
std::string ToastWebhookOf(const std::string& event_guid, json order) {
  for (json& check : order["checks"]) {
    for (json& selection : check["selections"]) {
      if (selection.contains("appliedDiscounts")) {
        for (json& applied : selection["appliedDiscounts"]) {
          applied["externalId"] = nullptr;
        }
      }
    }
  }
  return json{{"timestamp", absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000",
                                             absl::Now() - absl::Minutes(1),
                                             absl::UTCTimeZone())},
              {"eventCategory", "order_updated"},
              {"eventType", "order_updated"},
              {"guid", event_guid},
              {"details", {{"restaurantGuid", kRestaurant}, {"order", order}}}}
      .dump();
}

std::string ToastWebhook(const std::string& event_guid,
                         const std::string& payment_status) {
  return ToastWebhookOf(event_guid, ToastOrder(payment_status));
}

std::string ToastSignature(const std::string& body) {
  const json payload = json::parse(body);
  return adapters::HmacSha256Base64(
      kWebhookSecret, body + payload["timestamp"].get<std::string>());
}

std::string ToastSettings(int port) {
  return absl::StrCat("toast:\n  api_base: http://127.0.0.1:", port,
                      "\n  access_token: ", kToastToken,
                      "\n  webhook_secret: ", kWebhookSecret,
                      "\n  comp_discount_guid: ", kComp,
                      "\n  open_item_discount_guid: ", kOpenItem, "\n");
}

class ToastAdapterTest : public VendorAdapterTest {
 protected:
  void SetUp() override {
    VendorAdapterTest::SetUp();
    StartAdapter("toast", ToastSettings(toast_.port()));
  }

  httplib::Result Post(const std::string& body, const std::string& signature) {
    return VendorAdapterTest::Post(body, {{"Toast-Signature", signature}});
  }

  // Toast has the open check, and its webhook has reached makegoodd.
  void OpenCheck() {
    toast_.SetOrder(ToastOrder("OPEN"));
    const std::string body = ToastWebhook("evt-1", "OPEN");
    ASSERT_EQ(Post(body, ToastSignature(body))->status, 200);
    ASSERT_TRUE(AwaitCheck("chk-1")) << AdapterLog();
  }

  // Flags the ribeye (sel-1) as cold, MAJOR, and applies the option of
  // `remedy_id` as the manager; the case id.
  std::string FlagAndApply(const std::string& remedy_id) {
    const v1::RecoveryCase flagged = FlagCold("chk-1", "sel-1", "chk-1");
    std::string option;
    for (const auto* list : {&flagged.options(), &flagged.extras()}) {
      for (const auto& offered : *list) {
        if (offered.remedy_id() == remedy_id) option = offered.option_id();
      }
    }
    EXPECT_FALSE(option.empty()) << flagged.ShortDebugString();
    v1::ApplyRemedyRequest apply;
    apply.set_request_id("apply-chk-1");
    apply.set_case_id(flagged.case_id());
    apply.set_option_id(option);
    v1::RecoveryCase applied;
    auto stub = v1::RecoveryService::NewStub(channel_);
    grpc::Status status =
        stub->ApplyRemedy(Context(kManagerToken).get(), apply, &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged.case_id();
  }

  std::string Marker(const std::string& case_id) {
    return "makegood:mg-" + CommandText(case_id, "command_id");
  }

  FakeToast toast_;
};

TEST_F(ToastAdapterTest, ASignedOrderWebhookIsPublishedOnce) {
  const std::string body = ToastWebhook("evt-1", "OPEN");
  auto first = Post(body, ToastSignature(body));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  // Opened, ribeye added and fired (fulfillmentStatus SENT).
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE check_id = "
                     "'chk-1'",
                     3),
            3)
      << AdapterLog();
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT unit_price_minor FROM line_items "
                     "WHERE check_id = 'chk-1'"),
            4800);
  auto replay = Post(body, ToastSignature(body));
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->body, "duplicate\n");
  auto forged = Post(ToastWebhook("evt-2", "OPEN"), ToastSignature(body));
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 3);
}

TEST_F(ToastAdapterTest, ACompIsTheConfiguredDiscountOnTheSelection) {
  OpenCheck();
  const std::string case_id = FlagAndComp("chk-1", "sel-1");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "toast:chk-1:comp-discount-guid:sel-1");
  EXPECT_TRUE(toast_.shape_errors().empty())
      << ::testing::PrintToString(toast_.shape_errors());
  const auto posts = toast_.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].order, "ord-1");
  EXPECT_EQ(posts[0].check, "chk-1");
  EXPECT_EQ(posts[0].selection, "sel-1");
  // makegood's marker as the externalId, to find it again.
  EXPECT_EQ(
      posts[0].body,
      json::array({{{"discount", {{"guid", "comp-discount-guid"}}},
                    {"externalId",
                     "makegood:mg-" + CommandText(case_id, "command_id")}}}));
}

// Toast's webhook brings the comp back with externalId null; the adapter
// reads the order back, sees makegood's marker, and makegoodd takes the
// discount as the remedy's confirmation, not as a POS discount.
TEST_F(ToastAdapterTest, TheCompComingBackFromToastIsNoPosDiscount) {
  OpenCheck();
  const std::string case_id = FlagAndComp("chk-1", "sel-1");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  const std::string body = ToastWebhookOf("evt-2", toast_.order());
  ASSERT_EQ(Post(body, ToastSignature(body))->status, 200);
  const json discounts = toast_.DiscountsOn("sel-1");
  ASSERT_EQ(discounts.size(), 1u);
  const std::string event_id =
      "chk-1/sel-1/discount/" + discounts[0]["guid"].get<std::string>();
  ASSERT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE event_id = '" +
                         event_id + "'",
                     1),
            1)
      << AdapterLog();
  auto stub = v1::CheckService::NewStub(channel_);
  v1::GetCheckRequest get;
  get.set_check_id("chk-1");
  v1::Check check;
  ASSERT_TRUE(stub->GetCheck(Context(kManagerToken).get(), get, &check).ok());
  EXPECT_EQ(check.pos_discounts().minor_units(), 0);
  ASSERT_EQ(check.items_size(), 1);
  EXPECT_EQ(check.items(0).pos_discounts().minor_units(), 0);
}

// Toast applied the comp, then the adapter died before it saved that: the
// restarted adapter finds the comp by its marker and posts nothing.
TEST_F(ToastAdapterTest, AnAdapterKilledAfterToastAppliedTheCompPostsItOnce) {
  OpenCheck();
  toast_.gate().Close();
  const std::string case_id = FlagAndComp("chk-1", "sel-1");
  ASSERT_TRUE(toast_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  toast_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "toast:chk-1:comp-discount-guid:sel-1");
  EXPECT_EQ(toast_.posts().size(), 1u);
  EXPECT_EQ(toast_.DiscountsOn("sel-1").size(), 1u);
}

// Toast applies the comp but answers after the adapter's timeout: the post
// is not repeated; the next try reads the order back and finds it.
TEST_F(ToastAdapterTest, ACompWhoseAnswerTimesOutIsPostedOnce) {
  adapter_->Signal(SIGTERM);
  ASSERT_EQ(adapter_->Wait(), 0) << AdapterLog();
  RestartAdapter(ToastSettings(toast_.port()) +
                 "vendor_call_timeout_ms: 500\n");
  OpenCheck();
  toast_.gate().Close();
  const std::string case_id = FlagAndComp("chk-1", "sel-1");
  ASSERT_TRUE(toast_.gate().AwaitPassed(1)) << AdapterLog();
  // Acknowledged while Toast still holds its first answer.
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  toast_.gate().Open();
  EXPECT_EQ(toast_.posts().size(), 1u);
  EXPECT_EQ(toast_.DiscountsOn("sel-1").size(), 1u);
}

// makegood knows of the payment as soon as the adapter does, so it refuses
// the comp itself and no command reaches the adapter (the adapter's own
// refusal, for a payment between a command and its delivery, is in
// tests/adapters/toast_api_test.cc).
TEST_F(ToastAdapterTest, ACheckPaidMeanwhileIsRefusedWithTheReason) {
  OpenCheck();
  auto stub = v1::RecoveryService::NewStub(channel_);
  v1::FlagProblemRequest flag;
  flag.set_request_id("flag-chk-1");
  flag.set_check_id("chk-1");
  flag.add_line_ids("sel-1");
  flag.set_category_id("cold_food");
  flag.set_severity(v1::MAJOR);
  v1::RecoveryCase flagged;
  ASSERT_TRUE(
      stub->FlagProblem(Context(kServerToken).get(), flag, &flagged).ok());

  // The guest pays at the terminal before the comp reaches the POS.
  const std::string paid = ToastWebhook("evt-2", "PAID");
  ASSERT_EQ(Post(paid, ToastSignature(paid))->status, 200);
  ASSERT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE event_id = "
                     "'chk-1/paid'",
                     1),
            1)
      << AdapterLog();
  v1::ApplyRemedyRequest apply;
  apply.set_request_id("apply-chk-1");
  apply.set_case_id(flagged.case_id());
  apply.set_option_id("o2");  // The comp offered while the check was open.
  v1::RecoveryCase applied;
  const grpc::Status status =
      stub->ApplyRemedy(Context(kManagerToken).get(), apply, &applied);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(),
              HasSubstr("was paid since the flag, and a COMP_ITEM does not "
                        "fit a settled check"));
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM commands"), 0);
  EXPECT_TRUE(toast_.posts().empty());
}

// A remake reaches the kitchen: one more ribeye on the check, with the
// refire request on its ticket, marked as makegood's and comped, so the
// guest pays nothing for it.
TEST_F(ToastAdapterTest, ARemakeAddsOneRefireLineAtNoCharge) {
  OpenCheck();
  const std::string case_id = FlagAndApply("refire");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1")  // APPLIED
      << CommandText(case_id, "vendor_reason");
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "toast:chk-1:added:added-1:comp-discount-guid");
  EXPECT_TRUE(toast_.shape_errors().empty())
      << ::testing::PrintToString(toast_.shape_errors());
  const auto lines = toast_.line_posts();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].order, "ord-1");
  EXPECT_EQ(lines[0].check, "chk-1");
  EXPECT_EQ(lines[0].body,
            json::array(
                {{{"entityType", "MenuItemSelection"},
                  {"externalId", Marker(case_id)},
                  {"item", {{"guid", "ribeye"}}},
                  {"itemGroup", {{"guid", "steaks"}}},
                  {"quantity", 1},
                  {"modifiers",
                   json::array({{{"selectionType", "SPECIAL_REQUEST"},
                                 {"displayName", "REFIRE: Ribeye 12oz"}}})}}}));
  const auto comps = toast_.posts();
  ASSERT_EQ(comps.size(), 1u);
  EXPECT_EQ(comps[0].selection, "added-1");
  EXPECT_EQ(comps[0].body, json::array({{{"discount", {{"guid", kComp}}},
                                         {"externalId", Marker(case_id)}}}));
  const json refire = toast_.SelectionsMarked(Marker(case_id));
  ASSERT_EQ(refire.size(), 1u);
  EXPECT_EQ(refire[0]["fulfillmentStatus"], "SENT");
  EXPECT_EQ(refire[0]["price"], 0.0);
  EXPECT_EQ(toast_.DiscountsOn("sel-1").size(), 0u);  // The first is paid.
}

// Toast added the refire, then the adapter died before it saved that: the
// restarted adapter finds the line by its marker, adds no second one, and
// only comps it.
TEST_F(ToastAdapterTest, AnAdapterKilledAfterToastAddedTheRefireAddsItOnce) {
  OpenCheck();
  toast_.gate().Close();
  const std::string case_id = FlagAndApply("refire");
  ASSERT_TRUE(toast_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  ASSERT_EQ(toast_.line_posts().size(), 1u);
  EXPECT_TRUE(toast_.posts().empty());  // Killed before the comp.
  toast_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1")  // APPLIED
      << CommandText(case_id, "vendor_reason");
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "toast:chk-1:added:added-1:comp-discount-guid");
  EXPECT_EQ(toast_.line_posts().size(), 1u);
  EXPECT_EQ(toast_.posts().size(), 1u);
  const json refire = toast_.SelectionsMarked(Marker(case_id));
  ASSERT_EQ(refire.size(), 1u);
  EXPECT_EQ(refire[0]["appliedDiscounts"].size(), 1u);
  EXPECT_EQ(refire[0]["price"], 0.0);
}

// The guest paid at the terminal and Toast's webhook has not come yet:
// makegood still sees the check open and sends the remake; Toast's check
// is PAID, so nothing is added and staff refire by hand.
TEST_F(ToastAdapterTest, ARemakeOnACheckPaidMeanwhileIsRejectedWithTheReason) {
  OpenCheck();
  toast_.SetOrder(ToastOrder("PAID"));
  const std::string case_id = FlagAndApply("refire");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_EQ(CommandText(case_id, "vendor_reason"),
            "Toast: lines are added at no charge only to an OPEN check; this "
            "one is PAID; refire it by hand");
  EXPECT_TRUE(toast_.line_posts().empty());
  EXPECT_TRUE(toast_.posts().empty());
}

TEST_F(ToastAdapterTest, ARemakeOfASelectionToastNoLongerHasIsRejected) {
  OpenCheck();
  json order = ToastOrder("OPEN");
  order["checks"][0]["selections"][0]["guid"] = "sel-2";
  toast_.SetOrder(order);
  const std::string case_id = FlagAndApply("refire");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_EQ(CommandText(case_id, "vendor_reason"),
            "Toast: selection 'sel-1' is not on check chk-1; refire it by "
            "hand");
  EXPECT_TRUE(toast_.line_posts().empty());
}

// The dessert tray is the menu item whose Toast SKU is the remedy's SKU,
// added to the check for the kitchen and comped.
TEST_F(ToastAdapterTest, ADessertTrayIsItsMenuItemOnTheCheckAtNoCharge) {
  OpenCheck();
  const std::string case_id = FlagAndApply("dessert_tray");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1")  // APPLIED
      << CommandText(case_id, "vendor_reason");
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "toast:chk-1:added:added-1:comp-discount-guid");
  EXPECT_TRUE(toast_.shape_errors().empty())
      << ::testing::PrintToString(toast_.shape_errors());
  const auto lines = toast_.line_posts();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(
      lines[0].body,
      json::array(
          {{{"entityType", "MenuItemSelection"},
            {"externalId", Marker(case_id)},
            {"item", {{"guid", "dessert-tray"}}},
            {"itemGroup", {{"guid", "desserts"}}},
            {"quantity", 1},
            {"modifiers", json::array({{{"selectionType", "SPECIAL_REQUEST"},
                                        {"displayName",
                                         "COMPLIMENTARY: Dessert Tray"}}})}}}));
  ASSERT_EQ(toast_.posts().size(), 1u);
  const json tray = toast_.SelectionsMarked(Marker(case_id));
  ASSERT_EQ(tray.size(), 1u);
  EXPECT_EQ(tray[0]["price"], 0.0);
}

}  // namespace
}  // namespace makegood
