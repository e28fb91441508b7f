// A delivery the adapter cannot read, as the real makegood-adapter meets
// it between the real makegoodd and a vendor: a signed Toast webhook whose
// order has a string where Toast sends the checks array (this used to abort
// the adapter, and again on every restart, since a delivery is stored
// before it is parsed). It is answered 2xx, quarantined in the adapter's
// state, logged once without its payload and raised as an ADAPTER_PROBLEM
// alert; the next delivery goes through, and after a restart the poison
// one is not read again.

#include <optional>

#include "vendor_adapter_fixture.h"
#include "webhook_signature.h"

namespace makegood {
namespace {

using nlohmann::json;
using ::testing::Not;

constexpr char kWebhookSecret[] = "test-toast-secret";
// In the poison payload only, in a field the adapter does not read: the log
// must never carry a payload.
constexpr char kGuestNote[] = "window table, Ms. Okafor";

std::string ToastTime(absl::Duration ago) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000", absl::Now() - ago,
                          absl::UTCTimeZone());
}

// An order with one open check and a fired ribeye.
json GoodOrder(const std::string& check) {
  return {{"guid", "ord-" + check},
          {"openedDate", ToastTime(absl::Minutes(30))},
          {"checks",
           {{{"guid", check},
             {"openedDate", ToastTime(absl::Minutes(30))},
             {"modifiedDate", ToastTime(absl::Minutes(20))},
             {"paymentStatus", "OPEN"},
             {"selections",
              {{{"guid", "sel-1"},
                {"item", {{"guid", "ribeye"}}},
                {"displayName", "Ribeye 12oz"},
                {"quantity", 1},
                {"receiptLinePrice", 48.0},
                {"fulfillmentStatus", "SENT"},
                {"createdDate", ToastTime(absl::Minutes(29))}}}}}}}};
}

// What a proxy or an attacker with the secret might send: "checks" a
// string.
json PoisonOrder() {
  return {{"guid", "ord-poison"},
          {"openedDate", ToastTime(absl::Minutes(30))},
          {"guestNote", kGuestNote},
          {"checks", "chk-1"}};
}

std::string Webhook(const std::string& event_guid, const json& order) {
  return json{{"timestamp", ToastTime(absl::Minutes(1))},
              {"eventCategory", "order_updated"},
              {"eventType", "order_updated"},
              {"guid", event_guid},
              {"details", {{"restaurantGuid", "rest-0001"}, {"order", order}}}}
      .dump();
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

class PoisonDeliveryTest : public VendorAdapterTest {
 protected:
  void SetUp() override {
    VendorAdapterTest::SetUp();
    // The webhooks carry whole orders without discounts: Toast's API is
    // never called, so it points nowhere.
    StartAdapter("toast", absl::StrCat("toast:\n  api_base: http://127.0.0.1:1",
                                       "\n  access_token: test-toast-token",
                                       "\n  webhook_secret: ", kWebhookSecret,
                                       "\n  comp_discount_guid: comp\n"));
  }

  // Posts `body` signed as Toast signs it: the body, then its timestamp.
  httplib::Result PostSigned(const std::string& body) {
    const std::string timestamp =
        json::parse(body)["timestamp"].get<std::string>();
    return Post(
        body, {{"Toast-Signature",
                adapters::HmacSha256Base64(kWebhookSecret, body + timestamp)}});
  }

  std::string StateFile() { return dir_.File("adapter.db"); }
};

TEST_F(PoisonDeliveryTest, APoisonWebhookIsSetAsideAndTheNextOneGoesThrough) {
  auto stub = v1::RecoveryService::NewStub(channel_);
  auto watch_context = Context(kManagerToken);
  auto watch =
      stub->WatchRecoveries(watch_context.get(), v1::WatchRecoveriesRequest());
  ASSERT_TRUE(CatchUp(*watch));

  const std::string poison = Webhook("evt-poison", PoisonOrder());
  auto stored = PostSigned(poison);
  ASSERT_TRUE(stored);
  // 2xx: stored, so that Toast does not deliver it again and again.
  EXPECT_EQ(stored->status, 200);
  EXPECT_EQ(stored->body, "accepted\n");
  ASSERT_EQ(PostSigned(Webhook("evt-good", GoodOrder("chk-good")))->status,
            200);

  // The good one's events arrive (opened, added, fired): the adapter went
  // on past the poison one.
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE check_id = "
                     "'chk-good'",
                     3),
            3)
      << AdapterLog();
  std::optional<v1::Alert> alert = NextAdapterProblem(*watch);
  ASSERT_TRUE(alert.has_value()) << AdapterLog();
  EXPECT_EQ(alert->adapter_problem().adapter_name(), "toast-adapter");
  EXPECT_EQ(alert->adapter_problem().problem(),
            v1::Alert::AdapterProblem::DELIVERY_UNREADABLE);
  EXPECT_THAT(alert->message(), HasSubstr("could not be read"));
  EXPECT_THAT(alert->message(), HasSubstr("toast delivery evt-poison"));
  EXPECT_THAT(alert->message(),
              HasSubstr("details.order.checks: expected an array"));
  EXPECT_TRUE(alert->case_id().empty());

  // Marked in the state, with why; nothing waits in the inbox once the
  // adapter has noted the good one done, which it does after makegoodd
  // answered its events, so after they are in makegoodd's database.
  EXPECT_EQ(QueryText(StateFile(),
                      "SELECT i.event_id FROM quarantine q JOIN inbox i "
                      "ON i.seq = q.seq"),
            "evt-poison");
  EXPECT_EQ(QueryText(StateFile(), "SELECT error FROM quarantine"),
            "details.order.checks: expected an array, got \"chk-1\"");
  EXPECT_EQ(AwaitIntIn(StateFile(),
                       "SELECT count(*) FROM inbox WHERE processed = 0", 0),
            0);
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT count(*) FROM order_events WHERE "
                     "check_id = 'chk-1'"),
            0);
  // Logged once, as a structured event, and never with its payload.
  EXPECT_EQ(LogLinesWith("event=delivery_quarantined"), 1) << AdapterLog();
  EXPECT_EQ(LogLinesWith("delivery=evt-poison"), 1) << AdapterLog();
  EXPECT_THAT(AdapterLog(), Not(HasSubstr(kGuestNote)));

  // It did not crash: asked to stop, it stops cleanly.
  adapter_->Signal(SIGTERM);
  EXPECT_EQ(adapter_->Wait(), 0) << AdapterLog();

  // Restarted on the same state, it reads the next delivery and never the
  // poison one again.
  RestartAdapter();
  ASSERT_EQ(PostSigned(Webhook("evt-good-2", GoodOrder("chk-good-2")))->status,
            200);
  EXPECT_EQ(AwaitInt("SELECT count(*) FROM order_events WHERE check_id = "
                     "'chk-good-2'",
                     3),
            3)
      << AdapterLog();
  EXPECT_EQ(LogLinesWith("delivery_quarantined"), 0) << AdapterLog();
  EXPECT_EQ(QueryInt(StateFile(), "SELECT count(*) FROM quarantine"), 1);
  // Toast delivering it again is answered as a replay, not read.
  auto replay = PostSigned(poison);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 200);
  EXPECT_EQ(replay->body, "duplicate\n");
  watch_context->TryCancel();
  watch->Finish().IgnoreError();
}

}  // namespace
}  // namespace makegood
