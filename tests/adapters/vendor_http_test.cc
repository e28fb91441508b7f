// Calls to a vendor's API against a scripted server on loopback: reads are
// retried with backoff (the waits recorded, not slept), writes are made
// once, and a refused token is told apart from other answers.

#include "vendor_http.h"

#include <httplib.h>

#include <mutex>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::adapters {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers /thing with `statuses` in turn, then 200; 429 with Retry-After 3.
class ScriptedVendor {
 public:
  explicit ScriptedVendor(std::vector<int> statuses)
      : statuses_(std::move(statuses)) {
    auto answer = [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      const size_t i = requests_++;
      res.status = i < statuses_.size() ? statuses_[i] : 200;
      if (res.status == 429) res.set_header("Retry-After", "3");
      res.set_content(
          res.status == 200 ? R"({"ok":true})" : R"({"message":"not now"})",
          "application/json");
    };
    server_.Get("/thing", answer);
    server_.Post("/thing", answer);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ScriptedVendor() {
    server_.stop();
    thread_.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/thing";
  }
  size_t requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  const std::vector<int> statuses_;
  std::mutex mu_;
  size_t requests_ = 0;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Records the waits instead of sleeping.
RetryPolicy Recording(std::vector<absl::Duration>* waits) {
  RetryPolicy policy;
  policy.first_wait = absl::Milliseconds(200);
  policy.wait = [waits](absl::Duration wait) {
    waits->push_back(wait);
    return true;
  };
  return policy;
}

TEST(CallVendorTest, AReadIsRetriedWithBackoffHonouringRetryAfter) {
  ScriptedVendor vendor({503, 429});
  std::vector<absl::Duration> waits;
  auto response = CallVendor("GET", vendor.url(), {}, "", Recording(&waits));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(vendor.requests(), 3u);
  // 200 ms, then 400 ms stretched to the 3 s Retry-After asked for.
  EXPECT_THAT(waits, ElementsAre(absl::Milliseconds(200), absl::Seconds(3)));
}

TEST(CallVendorTest, AWriteIsMadeOnce) {
  ScriptedVendor vendor({503});
  std::vector<absl::Duration> waits;
  auto response =
      CallVendor("POST", vendor.url(), {}, "{}", WriteOnce(Recording(&waits)));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(),
              HasSubstr("HTTP 503 after 1 attempt"));
  EXPECT_EQ(vendor.requests(), 1u);
  EXPECT_TRUE(waits.empty());
}

TEST(CallVendorTest, AWaitCutShortEndsTheRetries) {
  ScriptedVendor vendor({503, 503, 503});
  RetryPolicy stopping;
  stopping.wait = [](absl::Duration) { return false; };
  auto response = CallVendor("GET", vendor.url(), {}, "", stopping);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("stopped retrying"));
  EXPECT_EQ(vendor.requests(), 1u);
}

TEST(CallVendorTest, ARefusedTokenIsAnsweredNotRetried) {
  ScriptedVendor vendor({401});
  std::vector<absl::Duration> waits;
  auto response = CallVendor("GET", vendor.url(), {}, "", Recording(&waits));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(vendor.requests(), 1u);
  EXPECT_TRUE(waits.empty());
  EXPECT_TRUE(AuthFailed(*response));
  EXPECT_EQ(ErrorField(*response, "message"), "not now");

  const absl::Status expired =
      VendorAuthError("Square RetrieveOrder O1", *response, "UNAUTHORIZED");
  EXPECT_EQ(expired.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.message(),
            "Square RetrieveOrder O1: HTTP 401 (UNAUTHORIZED): the vendor "
            "refused the adapter's credentials");
  EXPECT_TRUE(IsVendorAuthError(expired));
  const absl::Status revoked =
      VendorAuthError("Toast order", HttpResponse{403, ""}, "scope missing");
  EXPECT_EQ(revoked.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(IsVendorAuthError(revoked));
  EXPECT_FALSE(AuthFailed(HttpResponse{404, ""}));
  EXPECT_FALSE(IsVendorAuthError(absl::UnavailableError("down")));
}

}  // namespace
}  // namespace makegood::adapters
