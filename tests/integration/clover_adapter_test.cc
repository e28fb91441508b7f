// The Clover adapter as it runs, between the real makegoodd and a fake
// Clover REST API: doorbell webhooks, the fetch of the order they name, a
// comp as a line-item discount and the order total Clover does not update.

#include <mutex>

#include "vendor_adapter_fixture.h"

namespace makegood {
namespace {

using nlohmann::json;

constexpr char kCloverToken[] = "test-clover-token";
constexpr char kAuthCode[] = "test-clover-auth-code";

class FakeClover : public FakeVendorApi {
 public:
  FakeClover() {
    server_.Get(R"(/v3/merchants/([^/]+)/orders/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  ++gets_;
                  if (RefusedLocked(res) || !Authorized(req, res)) return;
                  if (req.get_param_value("expand").find("lineItems") ==
                      std::string::npos) {
                    shape_errors_.push_back("GET order without expand");
                  }
                  res.set_content(order_.dump(), "application/json");
                });
    server_.Post(
        R"(/v3/merchants/([^/]+)/orders/([^/]+)/line_items/([^/]+)/discounts)",
        [this](const httplib::Request& req, httplib::Response& res) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (!Authorized(req, res)) return;
            const json body = json::parse(req.body, nullptr, false);
            const bool percent =
                body.contains("percentage") && body["percentage"].is_number();
            const bool amount = body.contains("amount") &&
                                body["amount"].is_number() &&
                                body["amount"].get<int64_t>() < 0;
            if (!body.contains("name") || percent == amount) {
              shape_errors_.push_back("line discount shape: " + req.body);
              res.status = 400;
              return;
            }
            discounts_.push_back(body);
            // Kept on the line, as the order's GET then shows it.
            json discount = body;
            discount["id"] = "DISC" + std::to_string(discounts_.size());
            for (json& line : order_["lineItems"]["elements"]) {
              if (line["id"] == req.matches[3].str()) {
                line["discounts"]["elements"].push_back(discount);
              }
            }
            res.set_content(
                json{{"id", discount["id"]}, {"name", body["name"]}}.dump(),
                "application/json");
          }
          gate_.Pass();  // Applied; the answer may be held.
        });
    server_.Post(R"(/v3/merchants/([^/]+)/orders/([^/]+))",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> lock(mu_);
                   if (!Authorized(req, res)) return;
                   const json body = json::parse(req.body, nullptr, false);
                   if (!body.contains("total")) {
                     shape_errors_.push_back("order update without total");
                     res.status = 400;
                     return;
                   }
                   order_["total"] = body["total"];
                   res.set_content(order_.dump(), "application/json");
                 });
    Listen();
  }
  ~FakeClover() override { Stop(); }

  void SetOrder(json order) {
    std::lock_guard<std::mutex> lock(mu_);
    order_ = std::move(order);
  }
  json order() {
    std::lock_guard<std::mutex> lock(mu_);
    return order_;
  }
  int gets() {
    std::lock_guard<std::mutex> lock(mu_);
    return gets_;
  }
  std::vector<json> discounts() {
    std::lock_guard<std::mutex> lock(mu_);
    return discounts_;
  }

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") !=
        std::string("Bearer ") + kCloverToken) {
      shape_errors_.push_back("missing bearer token");
      res.status = 401;
      return false;
    }
    return true;
  }

  json order_;
  int gets_ = 0;
  std::vector<json> discounts_;
};

json CloverOrder() {
  const int64_t created = absl::ToUnixMillis(absl::Now() - absl::Minutes(20));
  return {{"href", "https://api.clover.com/v3/merchants/MERCH1/orders/ORD1"},
          {"id", "ORD1"},
          {"currency", "USD"},
          {"state", "open"},
          {"total", 6095},
          {"createdTime", created},
          {"modifiedTime", created + 60000},
          {"lineItems",
           {{"elements",
             {{{"id", "LI1"},
               {"name", "Ribeye 12oz"},
               {"item", {{"id", "RIBEYE-12"}}},
               {"price", 4800},
               {"printed", true}},
              {{"id", "LI2"}, {"name", "Fries"}, {"price", 1295}}}}}}};
}

std::string Doorbell() {
  const json ping = {
      {"ts", 1763665200000}, {"type", "UPDATE"}, {"objectId", "O:ORD1"}};
  return json{{"appId", "APP1"},
              {"merchants", {{"MERCH1", {ping, ping, ping}}}}}
      .dump();
}

class CloverAdapterTest : public VendorAdapterTest {
 protected:
  void SetUp() override {
    VendorAdapterTest::SetUp();
    clover_.SetOrder(CloverOrder());
    StartAdapter(
        "clover",
        absl::StrCat("clover:\n  api_base: http://127.0.0.1:", clover_.port(),
                     "\n  access_token: ", kCloverToken,
                     "\n  auth_code: ", kAuthCode, "\n"));
  }

  FakeClover clover_;
};

TEST_F(CloverAdapterTest, ADoorbellFetchesTheOrderOnceAndPublishesIt) {
  auto verify = Post(R"({"verificationCode":"9f0c2e"})", {});
  ASSERT_TRUE(verify);
  EXPECT_EQ(verify->status, 200);
  auto forged = Post(Doorbell(), {{"X-Clover-Auth", "wrong"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);

  auto rung = Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}});
  ASSERT_TRUE(rung);
  EXPECT_EQ(rung->status, 200);
  // Opened, two lines added, the printed one fired.
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE check_id = "
                     "'ORD1'",
                     4),
            4)
      << AdapterLog();
  EXPECT_EQ(clover_.gets(), 1);  // Three notifications, one fetch.
  EXPECT_THAT(AdapterLog(), HasSubstr("verification code: 9f0c2e"));
  auto again = Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "duplicate\n");
}

TEST_F(CloverAdapterTest, ACompIsALineDiscountAndTheTotalFollows) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  const std::string case_id = FlagAndComp("ORD1", "LI1");
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"), "clover:ORD1:DISC1");
  EXPECT_TRUE(clover_.shape_errors().empty())
      << ::testing::PrintToString(clover_.shape_errors());
  const auto discounts = clover_.discounts();
  ASSERT_EQ(discounts.size(), 1u);
  EXPECT_EQ(discounts[0]["percentage"], 100);
  EXPECT_EQ(clover_.order()["total"], 6095 - 4800);
}

// Clover applied the comp, then the adapter died before it saved that: the
// restarted adapter finds the discount by the marker in its name and posts
// nothing.
TEST_F(CloverAdapterTest, AnAdapterKilledAfterCloverAppliedTheCompPostsItOnce) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  clover_.gate().Close();
  const std::string case_id = FlagAndComp("ORD1", "LI1");
  ASSERT_TRUE(clover_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  clover_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"), "clover:ORD1:DISC1");
  const auto discounts = clover_.discounts();
  ASSERT_EQ(discounts.size(), 1u);
  EXPECT_EQ(discounts[0]["name"],
            "Comp (makegood mg-" + CommandText(case_id, "command_id") + ")");
}

}  // namespace
}  // namespace makegood
