// The Toast adapter as it runs, between the real makegoodd and a fake Toast
// orders API that checks the documented appliedDiscounts requests.

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

// POST .../orders/{order}/checks/{check}[/selections/{sel}]/appliedDiscounts
class FakeToast : public FakeVendorApi {
 public:
  FakeToast() {
    server_.Post(
        R"(/orders/v2/orders/([^/]+)/checks/([^/]+)(?:/selections/([^/]+))?/appliedDiscounts)",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> lock(mu_);
          Posted posted{req.matches[1], req.matches[2], req.matches[3],
                        json::parse(req.body, nullptr, false)};
          if (req.get_header_value("Authorization") !=
                  std::string("Bearer ") + kToastToken ||
              req.get_header_value("Toast-Restaurant-External-ID") !=
                  kRestaurant) {
            shape_errors_.push_back("bearer token or restaurant header");
            res.status = 401;
            return;
          }
          if (!posted.body.is_array() || posted.body.empty()) {
            shape_errors_.push_back("not an array of AppliedDiscount");
            res.status = 400;
            return;
          }
          for (const json& applied : posted.body) {
            if (!applied.contains("discount") ||
                !applied["discount"].contains("guid")) {
              shape_errors_.push_back("AppliedDiscount without discount.guid");
              res.status = 400;
              return;
            }
          }
          posts_.push_back(posted);
          res.set_content(json{{"guid", posted.order}}.dump(),
                          "application/json");
        });
    Listen();
  }
  ~FakeToast() override { Stop(); }

  struct Posted {
    std::string order, check, selection;
    json body;
  };
  std::vector<Posted> posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }

 private:
  std::vector<Posted> posts_;
};

// Toast's order_updated webhook: one check, one fired ribeye at $48.00
// (a JSON double in major units, as Toast sends it).
std::string ToastWebhook(const std::string& event_guid,
                         const std::string& payment_status) {
  const auto at = [](int minutes_ago) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000",
                            absl::Now() - absl::Minutes(minutes_ago),
                            absl::UTCTimeZone());
  };
  const json order = {
      {"guid", "ord-1"},
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
            {"displayName", "Ribeye 12oz"},
            {"quantity", 1},
            {"receiptLinePrice", 48.0},
            {"fulfillmentStatus", "SENT"},
            {"createdDate", at(29)}}}}}}}};
  return json{{"timestamp", at(1)},
              {"eventCategory", "order_updated"},
              {"eventType", "order_updated"},
              {"guid", event_guid},
              {"details", {{"restaurantGuid", kRestaurant}, {"order", order}}}}
      .dump();
}

std::string ToastSignature(const std::string& body) {
  const json payload = json::parse(body);
  return adapters::HmacSha256Base64(
      kWebhookSecret, body + payload["timestamp"].get<std::string>());
}

class ToastAdapterTest : public VendorAdapterTest {
 protected:
  void SetUp() override {
    VendorAdapterTest::SetUp();
    StartAdapter(
        "toast",
        absl::StrCat("toast:\n  api_base: http://127.0.0.1:", toast_.port(),
                     "\n  access_token: ", kToastToken, "\n  webhook_secret: ",
                     kWebhookSecret, "\n  comp_discount_guid: ", kComp,
                     "\n  open_item_discount_guid: ", kOpenItem, "\n"));
  }

  httplib::Result Post(const std::string& body, const std::string& signature) {
    return VendorAdapterTest::Post(body, {{"Toast-Signature", signature}});
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
  const std::string body = ToastWebhook("evt-1", "OPEN");
  ASSERT_EQ(Post(body, ToastSignature(body))->status, 200);
  ASSERT_TRUE(AwaitCheck("chk-1")) << AdapterLog();
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
  EXPECT_EQ(posts[0].body,
            json::parse(R"([{"discount":{"guid":"comp-discount-guid"}}])"));
}

// makegood knows of the payment as soon as the adapter does, so it refuses
// the comp itself and no command reaches the adapter (the adapter's own
// refusal, for a payment between a command and its delivery, is in
// tests/adapters/toast_api_test.cc).
TEST_F(ToastAdapterTest, ACheckPaidMeanwhileIsRefusedWithTheReason) {
  const std::string open = ToastWebhook("evt-1", "OPEN");
  ASSERT_EQ(Post(open, ToastSignature(open))->status, 200);
  ASSERT_TRUE(AwaitCheck("chk-1")) << AdapterLog();
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

}  // namespace
}  // namespace makegood
