#include "webhook_signature.h"

#include <string>

#include "gtest/gtest.h"
#include "support/process.h"

namespace makegood::adapters {
namespace {

// The Square SDK's own test vector (fixtures/pos/square/
// webhook_signature_test_vector.body.source.txt).
constexpr char kSquareKey[] = "Ibxx_5AKakO-3qeNVR61Dw";
constexpr char kSquareUrl[] =
    "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9";
constexpr char kSquareSignature[] =
    "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=";

std::string SquareBody() {
  return testing::ReadFileOrEmpty(
      std::string(MAKEGOOD_POS_FIXTURES) +
      "/square/webhook_signature_test_vector.body.json");
}

TEST(WebhookSignatureTest, SquareSdkVectorsVerify) {
  const std::string body = SquareBody();
  ASSERT_FALSE(body.empty());
  EXPECT_TRUE(
      SquareSignatureValid(kSquareKey, kSquareUrl, body, kSquareSignature));
  EXPECT_TRUE(
      SquareSignatureValid("signature-key", "https://webhook.site/webhooks",
                           R"({"data":{"type":"webhooks","id":">id<"}})",
                           "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U="));
}

TEST(WebhookSignatureTest, SquareRefusesATamperedBodyAnotherUrlOrKey) {
  const std::string body = SquareBody();
  std::string tampered = body;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(
      SquareSignatureValid(kSquareKey, kSquareUrl, tampered, kSquareSignature));
  EXPECT_FALSE(SquareSignatureValid(kSquareKey, kSquareUrl, body + "\n",
                                    kSquareSignature));
  EXPECT_FALSE(SquareSignatureValid(kSquareKey, "https://webhook.site/other",
                                    body, kSquareSignature));
  EXPECT_FALSE(
      SquareSignatureValid("another-key", kSquareUrl, body, kSquareSignature));
  EXPECT_FALSE(SquareSignatureValid(kSquareKey, kSquareUrl, body, ""));
}

// Expected values computed independently with Python's hmac module.
TEST(WebhookSignatureTest, ToastSignsBodyThenTimestamp) {
  const std::string body = R"({"guid":"e-1"})";
  const std::string at = "2024-03-28T15:11:01.050Z";
  const std::string expected = "b0eaMH0jAo7hRswCC4as2Sa7eLh6OutGfvWyZR9pDwI=";
  EXPECT_TRUE(ToastSignatureValid("toast-secret", body, at, expected));
  EXPECT_FALSE(ToastSignatureValid("toast-secret", body,
                                   "2024-03-28T15:11:01.051Z", expected));
  EXPECT_FALSE(
      ToastSignatureValid("toast-secret", R"({"guid":"e-2"})", at, expected));
}

TEST(WebhookSignatureTest, ShopifySignsTheBody) {
  const std::string expected = "B35+vBoZvCTa7H99C7bkiU0aPS8q9cGsIcUAu5B3LZk=";
  EXPECT_TRUE(
      ShopifySignatureValid("shopify-secret", R"({"id":450789469})", expected));
  EXPECT_FALSE(ShopifySignatureValid("shopify-secret", R"({"id": 450789469})",
                                     expected));
}

TEST(WebhookSignatureTest, CloverComparesItsStaticCode) {
  EXPECT_TRUE(CloverAuthValid("c0de-from-dashboard", "c0de-from-dashboard"));
  EXPECT_FALSE(CloverAuthValid("c0de-from-dashboard", "c0de-from-dashboarD"));
  EXPECT_FALSE(CloverAuthValid("c0de-from-dashboard", "c0de"));
  EXPECT_FALSE(CloverAuthValid("", ""));  // An unset code accepts nothing.
}

}  // namespace
}  // namespace makegood::adapters
