// The Clover adapter as it runs, between the real makegoodd and a fake
// Clover REST API: doorbell webhooks, the fetch of the order they name, a
// comp as a line-item discount and the order total Clover does not update,
// a refire or free item as a line printed for the kitchen.

#include <mutex>

#include "remedy_fixture.h"

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
    // A custom line item: kept on the order unprinted, as Clover does.
    server_.Post(R"(/v3/merchants/([^/]+)/orders/([^/]+)/line_items)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   {
                     std::lock_guard<std::mutex> lock(mu_);
                     if (!Authorized(req, res)) return;
                     const json body = json::parse(req.body, nullptr, false);
                     // LineItem's limits: name 127, note 255 characters.
                     if (!body.is_object() || !body.contains("name") ||
                         !body["name"].is_string() ||
                         Utf16Length(body["name"].get<std::string>()) > 127 ||
                         !body.value("price", json()).is_number_integer() ||
                         Utf16Length(body.value("note", "")) > 255) {
                       shape_errors_.push_back("line item shape: " + req.body);
                       res.status = 400;
                       return;
                     }
                     if (order_["state"] == "locked") {
                       shape_errors_.push_back("line item on a locked order");
                       res.status = 400;
                       return;
                     }
                     json line = body;
                     line["id"] = "LINE" + std::to_string(lines_.size() + 1);
                     line["printed"] = false;
                     lines_.push_back(line);
                     order_["lineItems"]["elements"].push_back(line);
                     res.set_content(line.dump(), "application/json");
                   }
                   gate_.Pass();  // Added; the answer may be held.
                 });
    // Printing the order: the fake's device prints at once, and Clover
    // then marks every line printed.
    server_.Post(R"(/v3/merchants/([^/]+)/print_event)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   {
                     std::lock_guard<std::mutex> lock(mu_);
                     if (!Authorized(req, res)) return;
                     if (!Print(req, res)) return;
                   }
                   print_gate_.Pass();  // Printed; the answer may be held.
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
  ~FakeClover() override {
    print_gate_.Open();  // A held print finishes, so the server can stop.
    Stop();
  }

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
  // The line items posted, as posted (with their id).
  std::vector<json> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  int prints() {
    std::lock_guard<std::mutex> lock(mu_);
    return prints_;
  }
  // From now on print_event is answered 400 with `message`, as when the
  // merchant's device cannot print.
  void FailPrintsWith(const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    print_failure_ = message;
  }
  // Holds print_event's answer after the print, as gate() does the writes.
  WriteGate& print_gate() { return print_gate_; }

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

  // With mu_ held: print_event for the order; true when it printed.
  bool Print(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (req.matches[1].str() != "MERCH1" || !body.is_object() ||
        !body.value("orderRef", json()).is_object() ||
        body["orderRef"].value("id", "") != order_.value("id", "")) {
      shape_errors_.push_back("print_event shape: " + req.body);
      res.status = 400;
      return false;
    }
    if (!print_failure_.empty()) {
      res.status = 400;
      res.set_content(json{{"message", print_failure_}}.dump(),
                      "application/json");
      return false;
    }
    ++prints_;
    for (json& line : order_["lineItems"]["elements"]) line["printed"] = true;
    res.set_content(json{{"id", "PRINT" + std::to_string(prints_)},
                         {"orderRef", {{"id", order_["id"]}}},
                         {"state", "CREATED"}}
                        .dump(),
                    "application/json");
    return true;
  }

  json order_;
  int gets_ = 0;
  std::vector<json> discounts_;
  std::vector<json> lines_;
  int prints_ = 0;
  std::string print_failure_;
  WriteGate print_gate_;
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

class CloverAdapterTest : public RemedyAdapterTest {
 protected:
  void SetUp() override {
    RemedyAdapterTest::SetUp();
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

// A refire reaches the kitchen: a custom line at price 0 with the marker in
// its name, then the order printed on the kitchen's order printer.
TEST_F(CloverAdapterTest, ARefireIsAZeroPriceLinePrintedForTheKitchen) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"), "clover:ORD1:LINE1");
  EXPECT_TRUE(clover_.shape_errors().empty())
      << ::testing::PrintToString(clover_.shape_errors());
  const auto lines = clover_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["name"], "REFIRE: Ribeye 12oz (makegood mg-" +
                                  CommandText(case_id, "command_id") + ")");
  EXPECT_EQ(lines[0]["price"], 0);
  EXPECT_FALSE(lines[0].contains("item"));  // Custom: Clover keeps price 0.
  EXPECT_THAT(lines[0]["note"].get<std::string>(), HasSubstr(case_id));
  EXPECT_EQ(clover_.prints(), 1);
  EXPECT_EQ(clover_.order()["total"], 6095);  // Nothing taken off.
  EXPECT_TRUE(clover_.discounts().empty());
}

// Clover added the refire line, then the adapter died before it asked for
// the print: the restarted adapter finds the line by the marker, adds no
// second one, and prints it, since Clover shows it unprinted.
TEST_F(CloverAdapterTest,
       AnAdapterKilledAfterCloverAddedTheRefirePrintsItOnce) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  clover_.gate().Close();
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(clover_.gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  EXPECT_EQ(clover_.prints(), 0);
  clover_.gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"), "clover:ORD1:LINE1");
  EXPECT_EQ(clover_.lines().size(), 1u);
  EXPECT_EQ(clover_.prints(), 1);
  EXPECT_TRUE(clover_.shape_errors().empty())
      << ::testing::PrintToString(clover_.shape_errors());
}

// Clover printed the refire, then the adapter died before it saved that:
// the restarted adapter finds the line printed and calls nothing more.
TEST_F(CloverAdapterTest,
       AnAdapterKilledAfterCloverPrintedTheRefirePrintsOnce) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  clover_.print_gate().Close();
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(clover_.print_gate().AwaitPassed(1)) << AdapterLog();
  KillAdapter();
  clover_.print_gate().Open();
  RestartAdapter();
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"), "clover:ORD1:LINE1");
  EXPECT_EQ(clover_.lines().size(), 1u);
  EXPECT_EQ(clover_.prints(), 1);
}

// Paid at the register after the flag, before Clover's doorbell rang: the
// order read back is locked, nothing is posted, and the case tells the
// staff to refire by hand.
TEST_F(CloverAdapterTest, ARefireOnAPaidOrderIsRejectedForAHandRefire) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  json paid = clover_.order();
  paid["state"] = "locked";
  clover_.SetOrder(paid);
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("paid (locked)"));
  EXPECT_TRUE(clover_.lines().empty());
  EXPECT_EQ(clover_.prints(), 0);
  const v1::RecoveryCase recovery = Recovery(case_id);
  ASSERT_EQ(recovery.remedies_size(), 1);
  EXPECT_EQ(recovery.remedies(0).status(), v1::AppliedRemedy::REJECTED);
  EXPECT_THAT(recovery.remedies(0).rejection_reason(),
              HasSubstr("refire the item by hand"));
}

// The ribeye was deleted from the order after the flag: nothing to refire
// from, and the refusal names the line.
TEST_F(CloverAdapterTest, ARefireOfALineNoLongerOnTheOrderIsRejectedNamingIt) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  json order = clover_.order();
  order["lineItems"]["elements"].erase(0);  // LI1
  clover_.SetOrder(order);
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  EXPECT_THAT(CommandText(case_id, "vendor_reason"),
              HasSubstr("line LI1 is no longer on order ORD1"));
  EXPECT_TRUE(clover_.lines().empty());
  EXPECT_EQ(clover_.prints(), 0);
}

// The device cannot print: the refire line is on the order (at price 0)
// but the kitchen does not have it, so the command is rejected with
// Clover's reason and the staff refire by hand.
TEST_F(CloverAdapterTest, ARefireCloverCannotPrintIsRejectedWithItsReason) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  clover_.FailPrintsWith("No order printer is set up");
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "2");  // REJECTED
  const std::string reason = CommandText(case_id, "vendor_reason");
  EXPECT_THAT(reason, HasSubstr("line LINE1 is on order ORD1"));
  EXPECT_THAT(reason, HasSubstr("No order printer is set up"));
  EXPECT_THAT(reason, HasSubstr("refire the item by hand"));
  EXPECT_EQ(clover_.lines().size(), 1u);
  EXPECT_EQ(clover_.prints(), 0);
}

// The dessert tray lands as a custom line at price 0 and is printed for
// the kitchen like the refire.
TEST_F(CloverAdapterTest, TheDessertTrayIsAZeroPriceLinePrintedForTheKitchen) {
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  const std::string case_id =
      FlagAndApply("ORD1", "LI1", v1::COMPLIMENTARY_ITEM);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  EXPECT_EQ(CommandText(case_id, "pos_reference"), "clover:ORD1:LINE1");
  const auto lines = clover_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["name"], "DESSERT-TRAY (makegood mg-" +
                                  CommandText(case_id, "command_id") + ")");
  EXPECT_EQ(lines[0]["price"], 0);
  EXPECT_EQ(clover_.prints(), 1);
  EXPECT_EQ(clover_.order()["total"], 6095);
  EXPECT_TRUE(clover_.shape_errors().empty())
      << ::testing::PrintToString(clover_.shape_errors());
}

// A long name is cut to Clover's 127 characters between two characters,
// and the marker after it stays whole, so that a later try still finds
// the line.
TEST_F(CloverAdapterTest, ALongNameIsCutAndKeepsTheMarkerWhole) {
  json order = CloverOrder();
  std::string long_name;
  for (int i = 0; i < 150; ++i) long_name += "\xC3\xA9";  // "é"
  order["lineItems"]["elements"][0]["name"] = long_name;
  clover_.SetOrder(order);
  ASSERT_EQ(Post(Doorbell(), {{"X-Clover-Auth", kAuthCode}})->status, 200);
  ASSERT_TRUE(AwaitCheck("ORD1")) << AdapterLog();
  const std::string case_id = FlagAndApply("ORD1", "LI1", v1::REMAKE);
  ASSERT_TRUE(AwaitAck(case_id)) << AdapterLog();
  EXPECT_EQ(CommandText(case_id, "result"), "1");  // APPLIED
  const auto lines = clover_.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string marker =
      " (makegood mg-" + CommandText(case_id, "command_id") + ")";
  std::string kept;
  for (size_t i = 0; i < 127 - 8 - marker.size(); ++i) kept += "\xC3\xA9";
  EXPECT_EQ(lines[0]["name"], "REFIRE: " + kept + marker);
  EXPECT_EQ(Utf16Length(lines[0]["name"].get<std::string>()), 127u);
  EXPECT_TRUE(clover_.shape_errors().empty())
      << ::testing::PrintToString(clover_.shape_errors());
}

}  // namespace
}  // namespace makegood
