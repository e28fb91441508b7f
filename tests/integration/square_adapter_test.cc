// The Square adapter as it runs: the real makegood-adapter binary between
// the real makegoodd and a fake Square API on loopback that checks every
// request against Square's documented shapes.

#include <httplib.h>

#include <mutex>
#include <optional>

#include "remedy_fixture.h"
#include "webhook_signature.h"

namespace makegood {
namespace {

using nlohmann::json;

constexpr char kSquareToken[] = "test-square-access-token";
constexpr char kSignatureKey[] = "test-signature-key";
constexpr char kNotificationUrl[] = "https://pos.example.test/webhooks/square";

// Square's Orders API as far as the adapter uses it: RetrieveOrder and
// UpdateOrder, with versions and idempotency keys.
class FakeSquare : public FakeVendorApi {
 public:
  FakeSquare() {
    server_.Get(R"(/v2/orders/([^/]+))", [this](const httplib::Request& req,
                                                httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++gets_;
      if (RefusedLocked(res) || !Authorized(req, res)) return;
      auto it = orders_.find(req.matches[1]);
      if (it == orders_.end()) {
        res.status = 404;
        res.set_content(
            R"({"errors":[{"code":"NOT_FOUND","detail":"no order"}]})",
            "application/json");
        return;
      }
      res.set_content(json{{"order", it->second}}.dump(), "application/json");
    });
    server_.Put(R"(/v2/orders/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  {
                    std::lock_guard<std::mutex> lock(mu_);
                    ++puts_;
                    if (RefusedLocked(res) || !Authorized(req, res)) return;
                    if (fail_next_put_ != 0) {
                      res.status = fail_next_put_;
                      fail_next_put_ = 0;
                      return;
                    }
                    if (!Update(req.matches[1], req.body, res)) return;
                  }
                  gate_.Pass();  // Updated; the answer may be held.
                });
    Listen();
  }
  ~FakeSquare() override { Stop(); }

  void SetOrder(const json& order) {
    std::lock_guard<std::mutex> lock(mu_);
    orders_[order["id"].get<std::string>()] = order;
  }
  json Order(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return orders_[id];
  }
  int gets() {
    std::lock_guard<std::mutex> lock(mu_);
    return gets_;
  }
  int puts() {
    std::lock_guard<std::mutex> lock(mu_);
    return puts_;
  }
  void FailNextPutWith(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_put_ = status;
  }

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") !=
            std::string("Bearer ") + kSquareToken ||
        req.get_header_value("Square-Version").empty()) {
      shape_errors_.push_back("missing bearer token or Square-Version");
      res.status = 401;
      return false;
    }
    return true;
  }

  bool Reject(httplib::Response& res, const std::string& problem) {
    shape_errors_.push_back(problem);
    res.status = 400;
    res.set_content(
        json{{"errors", {{{"code", "BAD_REQUEST"}, {"detail", problem}}}}}
            .dump(),
        "application/json");
    return false;
  }

  // UpdateOrder: a sparse order at the current version, applied once per
  // idempotency key; a key used again for another body is refused, as
  // Square does. True when the order changed.
  bool Update(const std::string& id, const std::string& body,
              httplib::Response& res) {
    const json request = json::parse(body, nullptr, false);
    if (!request.is_object() || !request.contains("idempotency_key") ||
        !request["idempotency_key"].is_string() || !request.contains("order")) {
      return Reject(res, "UpdateOrder needs idempotency_key and order");
    }
    const std::string key = request["idempotency_key"];
    if (auto done = answered_.find(key); done != answered_.end()) {
      if (bodies_[key] != request) {
        res.status = 400;
        res.set_content(R"({"errors":[{"code":"IDEMPOTENCY_KEY_REUSED"}]})",
                        "application/json");
        return false;
      }
      res.set_content(done->second, "application/json");
      return false;
    }
    json& order = orders_[id];
    const json& sparse = request["order"];
    if (!order.contains("version")) {
      return Reject(res, "order has no version: not created through the API");
    }
    if (order.value("state", "") != "OPEN") {
      return Reject(res, "update of a " + order.value("state", "") + " order");
    }
    if (sparse.value("version", -1) != order["version"].get<int>()) {
      res.status = 409;
      res.set_content(R"({"errors":[{"code":"VERSION_MISMATCH"}]})",
                      "application/json");
      return false;
    }
    for (const json& discount : sparse.value("discounts", json::array())) {
      const bool percent =
          discount.contains("percentage") && discount["percentage"].is_string();
      const bool amount = discount.contains("amount_money") &&
                          discount["amount_money"].contains("amount");
      if (!discount.contains("uid") || !discount.contains("name") ||
          percent == amount ||
          (discount.value("scope", "") != "LINE_ITEM" &&
           discount.value("scope", "") != "ORDER")) {
        return Reject(res, "discount shape: " + discount.dump());
      }
      order["discounts"].push_back(discount);
    }
    for (const json& line : sparse.value("line_items", json::array())) {
      bool found = false;
      for (json& existing : order["line_items"]) {
        if (existing["uid"] == line["uid"]) {
          found = true;
          for (const json& applied :
               line.value("applied_discounts", json::array())) {
            if (!applied.contains("discount_uid")) {
              return Reject(res, "applied_discounts needs discount_uid");
            }
            existing["applied_discounts"].push_back(applied);
          }
        }
      }
      if (!found) {
        if (!line.contains("base_price_money") || !line.contains("quantity")) {
          return Reject(res, "a new line needs base_price_money and quantity");
        }
        // OrderLineItem's limits: uid 60, name 512, note 2000 characters.
        if (line.value("uid", "").size() > 60 ||
            Utf16Length(line.value("name", "")) > 512 ||
            Utf16Length(line.value("note", "")) > 2000) {
          return Reject(res, "a new line over Square's limits: " + line.dump());
        }
        order["line_items"].push_back(line);
      }
    }
    order["version"] = order["version"].get<int>() + 1;
    answered_[key] = json{{"order", order}}.dump();
    bodies_[key] = request;
    res.set_content(answered_[key], "application/json");
    return true;
  }

  std::map<std::string, json> orders_;
  std::map<std::string, std::string> answered_;
  std::map<std::string, json> bodies_;
  int gets_ = 0, puts_ = 0, fail_next_put_ = 0;
};

// An open order with one ribeye, created `minutes` ago; `api_created`
// orders carry a version, orders from the Square POS app do not.
json SquareOrder(const std::string& id, bool api_created) {
  const std::string created =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now() - absl::Minutes(20),
                       absl::UTCTimeZone());
  json order = {
      {"id", id},
      {"location_id", "LOC1"},
      {"state", "OPEN"},
      {"created_at", created},
      {"updated_at", created},
      {"line_items",
       {{{"uid", "L1"},
         {"name", "Ribeye 12oz"},
         {"catalog_object_id", "RIBEYE-12"},
         {"quantity", "1"},
         {"base_price_money", {{"amount", 4800}, {"currency", "USD"}}}}}},
      {"total_money", {{"amount", 4800}, {"currency", "USD"}}}};
  if (api_created) order["version"] = 1;
  return order;
}

std::string Webhook(const std::string& event_id, const std::string& order_id) {
  return json{{"merchant_id", "M1"},
              {"type", "order.updated"},
              {"event_id", event_id},
              {"created_at", "2026-11-20T19:00:00Z"},
              {"data",
               {{"type", "order"},
                {"id", order_id},
                {"object",
                 {{"order_updated",
                   {{"order_id", order_id},
                    {"location_id", "LOC1"},
                    {"state", "OPEN"},
                    {"version", 1}}}}}}}}
      .dump();
}

class SquareAdapterTest : public RemedyAdapterTest {
 protected:
  void SetUp() override {
    RemedyAdapterTest::SetUp();
    StartAdapter(
        "square",
        absl::StrCat("square:\n  api_base: http://127.0.0.1:", square_.port(),
                     "\n  access_token: ", kSquareToken,
                     "\n  signature_key: ", kSignatureKey,
                     "\n  notification_url: ", kNotificationUrl, "\n"));
  }

  httplib::Result Post(const std::string& body, const std::string& signature) {
    return VendorAdapterTest::Post(
        body, {{"x-square-hmacsha256-signature", signature}});
  }

  static std::string Sign(const std::string& body) {
    return adapters::HmacSha256Base64(kSignatureKey, kNotificationUrl + body);
  }

  FakeSquare square_;
};

TEST_F(SquareAdapterTest, ASignedWebhookPublishesTheFetchedOrderOnce) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  auto first = Post(body, Sign(body));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "accepted\n");
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE check_id = "
                     "'ORDER1'",
                     2),
            2)
      << AdapterLog();  // Opened, ribeye added.
  EXPECT_EQ(square_.gets(), 1);

  // Square retries a delivery it thinks failed: recognised, not refetched.
  auto replay = Post(body, Sign(body));
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 200);
  EXPECT_EQ(replay->body, "duplicate\n");

  // A changed body or a wrong key: 401, nothing fetched or published.
  std::string tampered = Webhook("evt-2", "ORDER1");
  auto forged = Post(tampered, Sign(body));
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto unsigned_post = Post(tampered, "");
  ASSERT_TRUE(unsigned_post);
  EXPECT_EQ(unsigned_post->status, 401);
  EXPECT_EQ(square_.gets(), 1);
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 2);
  EXPECT_TRUE(square_.shape_errors().empty());

  adapter_->Signal(SIGTERM);
  EXPECT_EQ(adapter_->Wait(), 0) << AdapterLog();
}

TEST_F(SquareAdapterTest, ACompIsWrittenBackAsADocumentedUpdateOrder) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_EQ(
      AwaitInt("SELECT count(*) FROM checks WHERE check_id = 'ORDER1'", 1), 1)
      << AdapterLog();
  // Square is busy once: the adapter asks to be sent the command again,
  // reads the order back (no comp on it yet) and writes it then.
  square_.FailNextPutWith(429);
  const std::string case_id = FlagAndComp("ORDER1", "L1");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_THAT(CommandText(case_id, "pos_reference"),
              ::testing::MatchesRegex("square:ORDER1:mg-CMD-.*@v2"));
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
  EXPECT_EQ(square_.puts(), 2);  // The 429, then the update.
  const json order = square_.Order("ORDER1");
  ASSERT_EQ(order["discounts"].size(), 1u);
  EXPECT_EQ(order["discounts"][0]["percentage"], "100");
  EXPECT_EQ(order["discounts"][0]["scope"], "LINE_ITEM");
  EXPECT_EQ(order["line_items"][0]["applied_discounts"][0]["discount_uid"],
            order["discounts"][0]["uid"]);
}

TEST_F(SquareAdapterTest, AnOrderFromTheSquareAppIsRejectedWithTheReason) {
  square_.SetOrder(SquareOrder("ORDER2", false));
  const std::string body = Webhook("evt-9", "ORDER2");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_EQ(
      AwaitInt("SELECT count(*) FROM checks WHERE check_id = 'ORDER2'", 1), 1)
      << AdapterLog();
  const std::string case_id = FlagAndComp("ORDER2", "L1");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("orders from the Square POS app have no version"));
  EXPECT_EQ(square_.puts(), 0);
  // The staff see the refusal and are offered the next option.
  auto stub = v1::RecoveryService::NewStub(channel_);
  v1::GetRecoveryRequest get;
  get.set_case_id(case_id);
  v1::RecoveryCase recovery;
  ASSERT_TRUE(
      stub->GetRecovery(Context(kManagerToken).get(), get, &recovery).ok());
  ASSERT_EQ(recovery.remedies_size(), 1);
  EXPECT_EQ(recovery.remedies(0).status(), v1::AppliedRemedy::REJECTED);
  EXPECT_THAT(recovery.remedies(0).rejection_reason(),
              HasSubstr("Square POS app"));
  int still_offered = 0;
  for (const auto& option : recovery.options()) {
    if (option.option_id() == "o2") {
      EXPECT_TRUE(option.declined());
    }
    if (!option.declined()) ++still_offered;
  }
  EXPECT_GT(still_offered, 0);  // The refire is offered again.
}

// Square applied the comp, then the adapter died before it saved that: the
// restarted adapter finds the discount by its uid (the marker) and writes
// nothing.
TEST_F(SquareAdapterTest,
       AnAdapterKilledAfterSquareAppliedTheCompWritesItOnce) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  square_.gate().Close();
  const std::string case_id = FlagAndComp("ORDER1", "L1");
  ASSERT_TRUE(square_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  square_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "square:ORDER1:mg-" + CommandText(case_id, "command_id") + "@v2");
  EXPECT_EQ(square_.puts(), 1);
  EXPECT_EQ(square_.Order("ORDER1")["discounts"].size(), 1u);
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
}

// A refire reaches the kitchen: a line at base price 0 on the open order,
// which Square sends to its kitchen display, with the marker as its uid.
TEST_F(SquareAdapterTest, ARefireIsAZeroPriceLineForTheKitchenDisplay) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  const std::string case_id = FlagAndApply("ORDER1", "L1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  const std::string uid = "mg-" + CommandText(case_id, "command_id");
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "square:ORDER1:" + uid + "@v2");
  EXPECT_EQ(square_.puts(), 1);
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
  const json order = square_.Order("ORDER1");
  ASSERT_EQ(order["line_items"].size(), 2u);
  const json& refire = order["line_items"][1];
  EXPECT_EQ(refire["uid"], uid);
  EXPECT_EQ(refire["name"], "REFIRE: Ribeye 12oz");
  EXPECT_EQ(refire["quantity"], "1");
  EXPECT_EQ(refire["base_price_money"],
            (json{{"amount", 0}, {"currency", "USD"}}));
  EXPECT_FALSE(refire.contains("catalog_object_id"));  // Square's price.
  EXPECT_THAT(refire["note"].get<std::string>(), HasSubstr(case_id));
  EXPECT_EQ(order["line_items"][0]["name"], "Ribeye 12oz");  // Untouched.
}

// Square added the refire line, then the adapter died before it saved
// that: the restarted adapter finds the line by its uid and adds no second
// one for the kitchen to cook.
TEST_F(SquareAdapterTest, AnAdapterKilledAfterSquareAddedTheRefireAddsItOnce) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  square_.gate().Close();
  const std::string case_id = FlagAndApply("ORDER1", "L1", v1::REMAKE);
  ASSERT_TRUE(square_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  square_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "square:ORDER1:mg-" + CommandText(case_id, "command_id") + "@v2");
  EXPECT_EQ(square_.puts(), 1);
  const json order = square_.Order("ORDER1");
  ASSERT_EQ(order["line_items"].size(), 2u);
  EXPECT_EQ(order["line_items"][1]["name"], "REFIRE: Ribeye 12oz");
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
}

// Paid at the register after the flag, before Square's webhook said so:
// the order read back is COMPLETED, nothing is written, and the case tells
// the staff to refire by hand.
TEST_F(SquareAdapterTest, ARefireOnACompletedOrderIsRejectedForAHandRefire) {
  json order = SquareOrder("ORDER1", true);
  square_.SetOrder(order);
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  order["state"] = "COMPLETED";
  order["version"] = 2;
  square_.SetOrder(order);
  const std::string case_id = FlagAndApply("ORDER1", "L1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("order ORDER1 is COMPLETED"));
  EXPECT_EQ(square_.puts(), 0);
  const v1::RecoveryCase recovery = Recovery(case_id);
  ASSERT_EQ(recovery.remedies_size(), 1);
  EXPECT_EQ(recovery.remedies(0).status(), v1::AppliedRemedy::REJECTED);
  EXPECT_THAT(recovery.remedies(0).rejection_reason(),
              HasSubstr("refire the item by hand"));
}

// The ribeye was taken off the order (by the POS) after the flag: there is
// nothing to refire from, and the refusal names the line.
TEST_F(SquareAdapterTest, ARefireOfALineNoLongerOnTheOrderIsRejectedNamingIt) {
  json order = SquareOrder("ORDER1", true);
  square_.SetOrder(order);
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  order["line_items"] = json::array(
      {{{"uid", "L2"},
        {"name", "Fries"},
        {"quantity", "1"},
        {"base_price_money", {{"amount", 900}, {"currency", "USD"}}}}});
  order["version"] = 2;
  square_.SetOrder(order);
  const std::string case_id = FlagAndApply("ORDER1", "L1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("line L1 is no longer on order ORDER1"));
  EXPECT_EQ(square_.puts(), 0);
  EXPECT_EQ(square_.Order("ORDER1")["line_items"].size(), 1u);
}

// The dessert tray lands on the open order as a line at base price 0,
// which the kitchen display receives like the refire.
TEST_F(SquareAdapterTest, TheDessertTrayIsAZeroPriceLineOnTheOpenOrder) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  const std::string case_id =
      FlagAndApply("ORDER1", "L1", v1::COMPLIMENTARY_ITEM);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  const std::string uid = "mg-" + CommandText(case_id, "command_id");
  EXPECT_EQ(CommandText(case_id, "pos_reference"),
            "square:ORDER1:" + uid + "@v2");
  const json order = square_.Order("ORDER1");
  ASSERT_EQ(order["line_items"].size(), 2u);
  const json& tray = order["line_items"][1];
  EXPECT_EQ(tray["uid"], uid);
  EXPECT_EQ(tray["name"], "DESSERT-TRAY");
  EXPECT_EQ(tray["base_price_money"]["amount"], 0);
  EXPECT_THAT(tray["note"].get<std::string>(), HasSubstr(case_id));
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
}

// "REFIRE: " and a long name are cut to Square's 512 characters between
// two characters: a character past U+FFFF counts two, and half of one
// would not be UTF-8.
TEST_F(SquareAdapterTest, ALongNameIsCutToSquaresLimitBetweenCharacters) {
  const std::string steak = "\xF0\x9F\xA5\xA9";  // U+1F969 CUT OF MEAT
  json order = SquareOrder("ORDER1", true);
  order["line_items"][0]["name"] = std::string(502, 'a') + steak + steak;
  square_.SetOrder(order);
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  const std::string case_id = FlagAndApply("ORDER1", "L1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  const json refire = square_.Order("ORDER1")["line_items"][1];
  // 8 + 502 + 2 units: the second steak would make 514.
  EXPECT_EQ(refire["name"], "REFIRE: " + std::string(502, 'a') + steak);
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
}

// Two adapter processes on one location (a restart overlap, a second
// machine): each command is leased to one of them and applied once.
TEST_F(SquareAdapterTest, TwoAdaptersConnectedAtOnceApplyEachCommandOnce) {
  std::unique_ptr<DaemonProcess> second = StartInstance(
      "adapter-2",
      absl::StrCat("square:\n  api_base: http://127.0.0.1:", square_.port(),
                   "\n  access_token: ", kSquareToken,
                   "\n  signature_key: ", kSignatureKey,
                   "\n  notification_url: ", kNotificationUrl, "\n"));
  ASSERT_TRUE(second != nullptr);
  const std::vector<std::string> orders = {"ORDER1", "ORDER2", "ORDER3"};
  for (const std::string& id : orders) {
    square_.SetOrder(SquareOrder(id, true));
    const std::string body = Webhook("evt-" + id, id);
    ASSERT_EQ(Post(body, Sign(body))->status, 200);
    ASSERT_TRUE(AwaitCheck(id)) << AdapterLog();
  }
  std::vector<std::string> cases;
  for (const std::string& id : orders) cases.push_back(FlagAndComp(id, "L1"));
  for (const std::string& case_id : cases) {
    ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog() << AdapterLog("adapter-2");
    EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  }
  for (const std::string& id : orders) {
    EXPECT_EQ(square_.Order(id)["discounts"].size(), 1u) << id;
  }
  EXPECT_EQ(square_.puts(), 3);
  EXPECT_TRUE(square_.shape_errors().empty())
      << ::testing::PrintToString(square_.shape_errors());
}

// Reads a WatchRecoveries stream up to its caught_up: from then on it gets
// every alert published.
bool CatchUp(grpc::ClientReader<v1::RecoveryUpdate>& watch) {
  v1::RecoveryUpdate update;
  while (watch.Read(&update)) {
    if (update.has_caught_up()) return true;
  }
  return false;
}

// The next ADAPTER_PROBLEM alert on a manager's WatchRecoveries stream.
std::optional<v1::Alert> NextAdapterProblem(
    grpc::ClientReader<v1::RecoveryUpdate>& watch) {
  v1::RecoveryUpdate update;
  while (watch.Read(&update)) {
    if (update.has_alert() &&
        update.alert().kind() == v1::Alert::ADAPTER_PROBLEM) {
      return update.alert();
    }
  }
  return std::nullopt;
}

// An expired Square token: the webhook is kept (not marked processed, not
// dropped), the refusal is logged once and raised as an alert, and the
// order is published as soon as the token works again.
TEST_F(SquareAdapterTest, ARefusedTokenKeepsTheDeliveryAndAlertsTheManager) {
  auto stub = v1::RecoveryService::NewStub(channel_);
  auto context = Context(kManagerToken);
  auto watch =
      stub->WatchRecoveries(context.get(), v1::WatchRecoveriesRequest());
  ASSERT_TRUE(CatchUp(*watch));
  square_.SetOrder(SquareOrder("ORDER1", true));
  square_.RefuseToken(true);
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);

  std::optional<v1::Alert> alert = NextAdapterProblem(*watch);
  ASSERT_TRUE(alert.has_value()) << AdapterLog();
  EXPECT_THAT(alert->message(), HasSubstr("square-adapter"));
  EXPECT_THAT(alert->message(), HasSubstr("HTTP 401"));
  EXPECT_EQ(alert->adapter_problem().problem(),
            v1::Alert::AdapterProblem::VENDOR_AUTH_FAILED);
  EXPECT_TRUE(alert->case_id().empty());
  // Tried again (after 1 s, then 2 s), logged once.
  ASSERT_TRUE(AwaitTrue([&] { return square_.refused() >= 3; }))
      << AdapterLog();
  EXPECT_EQ(LogLinesWith("refused the adapter's credentials"), 1)
      << AdapterLog();
  EXPECT_EQ(QueryInt(dir_.File("adapter.db"),
                     "SELECT count(*) FROM inbox WHERE processed = 0"),
            1);
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 0);

  square_.RefuseToken(false);
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE check_id = "
                     "'ORDER1'",
                     2),
            2)
      << AdapterLog();
  EXPECT_TRUE(AwaitTrue([&] {
    return LogLinesWith("accepts the adapter's token again") == 1;
  })) << AdapterLog();
  EXPECT_TRUE(AwaitTrue([&] {
    return QueryInt(dir_.File("adapter.db"),
                    "SELECT count(*) FROM inbox WHERE processed = 0") == 0;
  }));
  context->TryCancel();
  watch->Finish().IgnoreError();
}

// A token that expires between the order and the comp: the command stays
// unacknowledged (neither applied nor rejected) until the token works.
TEST_F(SquareAdapterTest, ARefusedTokenLeavesTheCommandWaiting) {
  square_.SetOrder(SquareOrder("ORDER1", true));
  const std::string body = Webhook("evt-1", "ORDER1");
  ASSERT_EQ(Post(body, Sign(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("ORDER1")) << AdapterLog();
  square_.RefuseToken(true);
  const std::string case_id = FlagAndComp("ORDER1", "L1");
  ASSERT_TRUE(AwaitTrue([&] { return square_.refused() >= 2; }))
      << AdapterLog();
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT count(*) FROM commands WHERE acked_at_us IS NULL "
                     "AND case_id = '" +
                         case_id + "'"),
            1);
  EXPECT_EQ(square_.puts(), 0);
  square_.RefuseToken(false);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(square_.puts(), 1);
  EXPECT_EQ(LogLinesWith("refused the adapter's credentials"), 1)
      << AdapterLog();
}

TEST(AdapterConfigTest, NamesEveryMissingOrUnknownSetting) {
  testing::TempDir dir;
  const std::string missing = dir.File("missing.yaml");
  std::ofstream(missing) << "square: { api_base: http://127.0.0.1:1 }\n";
  CommandResult run =
      RunCommand({MAKEGOOD_ADAPTER_BIN, "square", "--config", missing});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(missing + ": makegood.token: is required"));
  EXPECT_THAT(run.err,
              HasSubstr(missing + ": square.signature_key: is required"));
  EXPECT_THAT(run.err,
              HasSubstr(missing + ": square.notification_url: is required"));

  run = RunCommand({MAKEGOOD_ADAPTER_BIN, "toast", "--config", missing});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err,
              HasSubstr(missing + ": toast.webhook_secret: is required"));
  EXPECT_THAT(run.err,
              HasSubstr(missing + ": toast.comp_discount_guid: is required"));
  EXPECT_THAT(run.err, HasSubstr(missing + ": currency: is required"));

  run = RunCommand({MAKEGOOD_ADAPTER_BIN, "shopify", "--config", missing});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(missing + ": shopify.shop_url: is required"));
  EXPECT_THAT(run.err,
              HasSubstr(missing + ": shopify.client_secret: is required"));

  run = RunCommand({MAKEGOOD_ADAPTER_BIN, "clover", "--config", missing});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(missing + ": clover.auth_code: is required"));

  const std::string unknown = dir.File("unknown.yaml");
  std::ofstream(unknown) << "square: { acess_token: x }\n";
  run = RunCommand({MAKEGOOD_ADAPTER_BIN, "square", "--config", unknown});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("square.acess_token: unknown field"));

  run = RunCommand({MAKEGOOD_ADAPTER_BIN, "square"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--config FILE (or translate)"));
}

}  // namespace
}  // namespace makegood
