// The Shopify adapter as it runs, between the real makegoodd and a fake
// Shopify Admin API: orders in by webhook, a next-visit code out as a price
// rule and discount code, and its redemption back in a later order; a
// refire rejected, since a shop has no kitchen.

#include <mutex>

#include "remedy_fixture.h"
#include "webhook_signature.h"

namespace makegood {
namespace {

using nlohmann::json;

constexpr char kShopifyToken[] = "shpat_test";
constexpr char kClientSecret[] = "test-client-secret";

// The Admin REST API's price rules and their discount codes: created,
// listed (price rules by created_at_min), with ids from 1001 and 2002.
class FakeShopify : public FakeVendorApi {
 public:
  FakeShopify() {
    server_.Post("/admin/api/2024-10/price_rules.json",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> lock(mu_);
                   if (RefusedLocked(res) || !Authorized(req, res)) return;
                   CreateRule(req, res);
                 });
    server_.Get("/admin/api/2024-10/price_rules.json", [this](const httplib::
                                                                  Request& req,
                                                              httplib::Response&
                                                                  res) {
      std::lock_guard<std::mutex> lock(mu_);
      if (RefusedLocked(res) || !Authorized(req, res)) return;
      if (!req.has_param("created_at_min")) {
        shape_errors_.push_back(
            "price rules listed without "
            "created_at_min");
      }
      json listed = json::array();
      for (const json& rule : rules_) listed.push_back(rule);
      res.set_content(json{{"price_rules", listed}}.dump(), "application/json");
    });
    server_.Get(R"(/admin/api/2024-10/price_rules/(\d+)/discount_codes.json)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  if (RefusedLocked(res) || !Authorized(req, res)) return;
                  json listed = json::array();
                  for (const json& code : code_records_) {
                    if (std::to_string(code["price_rule_id"].get<int64_t>()) ==
                        req.matches[1].str()) {
                      listed.push_back(code);
                    }
                  }
                  res.set_content(json{{"discount_codes", listed}}.dump(),
                                  "application/json");
                });
    server_.Post(R"(/admin/api/2024-10/price_rules/(\d+)/discount_codes.json)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   {
                     std::lock_guard<std::mutex> lock(mu_);
                     if (RefusedLocked(res) || !Authorized(req, res)) return;
                     if (!CreateCode(req, res)) return;
                   }
                   gate_.Pass();  // Created; the answer may be held.
                 });
    Listen();
  }
  ~FakeShopify() override { Stop(); }

  std::vector<json> rules() {
    std::lock_guard<std::mutex> lock(mu_);
    return rules_;
  }
  std::vector<std::string> codes() {
    std::lock_guard<std::mutex> lock(mu_);
    return codes_;
  }

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Shopify-Access-Token") != kShopifyToken) {
      shape_errors_.push_back("missing X-Shopify-Access-Token");
      res.status = 401;
      return false;
    }
    return true;
  }

  void CreateRule(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    const json& rule = body.is_object() && body.contains("price_rule")
                           ? body["price_rule"]
                           : json();
    for (const char* field :
         {"title", "target_type", "target_selection", "allocation_method",
          "value_type", "value", "customer_selection", "starts_at"}) {
      if (!rule.is_object() || !rule.contains(field)) {
        shape_errors_.push_back(std::string("price_rule without ") + field);
        res.status = 422;
        return;
      }
    }
    json created = rule;
    created["id"] = 1001 + static_cast<int64_t>(rules_.size());
    rules_.push_back(created);
    res.status = 201;
    res.set_content(json{{"price_rule", created}}.dump(), "application/json");
  }

  bool CreateCode(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("discount_code") ||
        !body["discount_code"].contains("code")) {
      shape_errors_.push_back("discount_code without code");
      res.status = 422;
      return false;
    }
    const std::string code = body["discount_code"]["code"];
    for (const std::string& existing : codes_) {
      if (existing == code) {  // Shopify: codes are unique in a shop.
        res.status = 422;
        res.set_content(R"({"errors":{"code":["must be unique"]}})",
                        "application/json");
        return false;
      }
    }
    codes_.push_back(code);
    const json record = {
        {"id", 2002 + static_cast<int64_t>(code_records_.size())},
        {"price_rule_id", std::stoll(req.matches[1].str())},
        {"code", code}};
    code_records_.push_back(record);
    res.status = 201;
    res.set_content(json{{"discount_code", record}}.dump(), "application/json");
    return true;
  }

  std::vector<json> rules_;
  std::vector<std::string> codes_;
  std::vector<json> code_records_;
};

// An orders/create webhook body: one $199.00 item, and the codes used.
std::string ShopifyOrder(int64_t id, const json& discount_codes) {
  const std::string created =
      absl::FormatTime("%Y-%m-%dT%H:%M:%S-00:00",
                       absl::Now() - absl::Minutes(20), absl::UTCTimeZone());
  return json{{"id", id},
              {"currency", "USD"},
              {"created_at", created},
              {"updated_at", created},
              {"location_id", 5001},
              {"financial_status", "pending"},
              {"discount_codes", discount_codes},
              {"line_items",
               {{{"id", id * 10 + 1},
                 {"sku", "IPOD-1"},
                 {"name", "iPod Nano"},
                 {"quantity", 1},
                 {"price", "199.00"}}}}}
      .dump();
}

class ShopifyAdapterTest : public RemedyAdapterTest {
 protected:
  void SetUp() override {
    RemedyAdapterTest::SetUp();
    StartAdapter(
        "shopify",
        absl::StrCat("shopify:\n  shop_url: http://127.0.0.1:", shopify_.port(),
                     "\n  access_token: ", kShopifyToken,
                     "\n  client_secret: ", kClientSecret, "\n"));
  }

  httplib::Result Deliver(const std::string& body,
                          const std::string& event_id) {
    return VendorAdapterTest::Post(
        body, {{"X-Shopify-Hmac-Sha256",
                adapters::HmacSha256Base64(kClientSecret, body)},
               {"X-Shopify-Event-Id", event_id}});
  }

  // A cold dish over $40 on order 7001: a refire, and 20% off the next
  // visit on top. The case id.
  std::string RefireWithNextVisitCode() {
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::FlagProblemRequest flag;
    flag.set_request_id("flag-7001");
    flag.set_check_id("7001");
    flag.add_line_ids("70011");
    flag.set_category_id("cold_food");
    flag.set_severity(v1::MAJOR);
    v1::RecoveryCase flagged;
    EXPECT_TRUE(
        stub->FlagProblem(Context(kServerToken).get(), flag, &flagged).ok());
    std::string next_visit_code;
    for (const auto& extra : flagged.extras()) {
      if (extra.kind() == v1::DISCOUNT_CODE)
        next_visit_code = extra.option_id();
    }
    EXPECT_FALSE(next_visit_code.empty()) << flagged.DebugString();
    v1::ApplyRemedyRequest apply;
    apply.set_request_id("apply-7001");
    apply.set_case_id(flagged.case_id());
    apply.set_option_id("o1");
    apply.add_extra_option_ids(next_visit_code);
    v1::RecoveryCase applied;
    const grpc::Status status =
        stub->ApplyRemedy(Context(kManagerToken).get(), apply, &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged.case_id();
  }

  // Waits until both of the case's commands are acknowledged: the code
  // APPLIED as a price rule, the refire REJECTED (a shop has no kitchen).
  bool AwaitCodeAppliedRefireRejected(const std::string& case_id) {
    return AwaitInt(
               "SELECT count(*) FROM commands WHERE acked_at_us IS NOT "
               "NULL AND case_id = '" +
                   case_id +
                   "' AND ((result = 1 AND pos_reference LIKE "
                   "'shopify:price_rule:%') OR (result = 2 AND "
                   "vendor_reason LIKE 'Shopify has no kitchen%'))",
               2) == 2;
  }

  FakeShopify shopify_;
};

TEST_F(ShopifyAdapterTest, ANextVisitCodeBecomesAPriceRuleAndComesBack) {
  ASSERT_EQ(Deliver(ShopifyOrder(7001, json::array()), "evt-1")->status, 200);
  ASSERT_TRUE(AwaitCheck("7001")) << AdapterLog();
  auto forged = VendorAdapterTest::Post(
      ShopifyOrder(7002, json::array()),
      {{"X-Shopify-Hmac-Sha256", "AAAA"}, {"X-Shopify-Event-Id", "evt-2"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);

  const std::string case_id = RefireWithNextVisitCode();
  ASSERT_TRUE(AwaitCodeAppliedRefireRejected(case_id)) << AdapterLog();

  EXPECT_TRUE(shopify_.shape_errors().empty())
      << ::testing::PrintToString(shopify_.shape_errors());
  const auto rules = shopify_.rules();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0]["value_type"], "percentage");
  EXPECT_EQ(rules[0]["value"], "-20.00");
  EXPECT_EQ(rules[0]["usage_limit"], 1);
  EXPECT_EQ(rules[0]["once_per_customer"], true);
  EXPECT_TRUE(rules[0].contains("ends_at"));
  const auto codes = shopify_.codes();
  ASSERT_EQ(codes.size(), 1u);
  const std::string issued =
      QueryText(db_path(), "SELECT code FROM discount_codes");
  ASSERT_NE(issued, "<no row>");
  EXPECT_EQ(codes[0], issued);
  EXPECT_EQ(
      QueryInt(db_path(), "SELECT count(*) FROM commands WHERE case_id = '" +
                              case_id +
                              "' AND pos_reference = "
                              "'shopify:price_rule:1001:discount_code:2002'"),
      1);

  // The guest comes back and uses it: the redemption reaches makegood.
  ASSERT_EQ(
      Deliver(ShopifyOrder(
                  7003, json::array({{{"code", issued}, {"amount", "39.80"}}})),
              "evt-3")
          ->status,
      200);
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM discount_codes WHERE "
                     "redeemed_check_id = '7003'",
                     1),
            1)
      << AdapterLog();
}

// Shopify created the price rule and the code, then the adapter died before
// it saved that: the restarted adapter finds the rule by the marker in its
// title, and the code on it, and creates neither again.
TEST_F(ShopifyAdapterTest, AnAdapterKilledAfterShopifyMadeTheCodeMakesItOnce) {
  ASSERT_EQ(Deliver(ShopifyOrder(7001, json::array()), "evt-1")->status, 200);
  ASSERT_TRUE(AwaitCheck("7001")) << AdapterLog();
  shopify_.gate().Close();
  const std::string case_id = RefireWithNextVisitCode();
  ASSERT_TRUE(shopify_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  shopify_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitCodeAppliedRefireRejected(case_id)) << AdapterLog();
  EXPECT_EQ(
      QueryInt(db_path(), "SELECT count(*) FROM commands WHERE case_id = '" +
                              case_id +
                              "' AND pos_reference = "
                              "'shopify:price_rule:1001:discount_code:2002'"),
      1);
  EXPECT_EQ(shopify_.rules().size(), 1u);
  EXPECT_EQ(shopify_.codes().size(), 1u);
  EXPECT_TRUE(shopify_.shape_errors().empty())
      << ::testing::PrintToString(shopify_.shape_errors());
}

// A refire cannot reach a kitchen through Shopify: it is rejected with the
// reason, and the case tells the staff to remake the item by hand.
TEST_F(ShopifyAdapterTest, ARemakeIsRejectedBecauseShopifyHasNoKitchen) {
  ASSERT_EQ(Deliver(ShopifyOrder(7001, json::array()), "evt-1")->status, 200);
  ASSERT_TRUE(AwaitCheck("7001")) << AdapterLog();
  const std::string case_id = FlagAndApply("7001", "70011", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("Shopify has no kitchen"));
  const v1::RecoveryCase recovery = Recovery(case_id);
  ASSERT_EQ(recovery.remedies_size(), 1);
  EXPECT_EQ(recovery.remedies(0).status(), v1::AppliedRemedy::REJECTED);
  EXPECT_THAT(recovery.remedies(0).rejection_reason(),
              HasSubstr("remake the item by hand"));
  EXPECT_TRUE(shopify_.rules().empty());
}

// A free item on a placed order needs GraphQL order editing, which the
// adapter does not do: rejected as before, for staff to offer the next
// option.
TEST_F(ShopifyAdapterTest, TheDessertTrayIsRejectedOnAPlacedOrder) {
  ASSERT_EQ(Deliver(ShopifyOrder(7001, json::array()), "evt-1")->status, 200);
  ASSERT_TRUE(AwaitCheck("7001")) << AdapterLog();
  const std::string case_id =
      FlagAndApply("7001", "70011", v1::COMPLIMENTARY_ITEM);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("COMPLIMENTARY_ITEM on a placed order needs GraphQL "
                        "order editing"));
  EXPECT_TRUE(shopify_.rules().empty());
}

}  // namespace
}  // namespace makegood
