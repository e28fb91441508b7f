#ifndef MAKEGOOD_ADAPTERS_VENDOR_WEBHOOK_SIGNATURE_H_
#define MAKEGOOD_ADAPTERS_VENDOR_WEBHOOK_SIGNATURE_H_

// Webhook authentication as each vendor documents it, always over the raw
// body bytes as received (a re-serialised body would not match), compared
// in constant time.

#include <string>

#include "absl/strings/string_view.h"

namespace makegood::adapters {

// base64(HMAC-SHA256(key, message)).
std::string HmacSha256Base64(absl::string_view key, absl::string_view message);

// Square: x-square-hmacsha256-signature = base64(HMAC-SHA256(signature key,
// notification URL + body)); the URL exactly as subscribed.
bool SquareSignatureValid(absl::string_view signature_key,
                          absl::string_view notification_url,
                          absl::string_view body, absl::string_view header);

// Toast: Toast-Signature = base64(HMAC-SHA256(secret, body + timestamp)).
bool ToastSignatureValid(absl::string_view secret, absl::string_view body,
                         absl::string_view timestamp, absl::string_view header);

// Shopify: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(client secret, body)).
bool ShopifySignatureValid(absl::string_view secret, absl::string_view body,
                           absl::string_view header);

// Clover signs nothing: X-Clover-Auth carries the app's static auth code.
bool CloverAuthValid(absl::string_view auth_code, absl::string_view header);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_WEBHOOK_SIGNATURE_H_
