#include "webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/str_cat.h"

namespace makegood::adapters {
namespace {

// Equal length and bytes, in time that does not depend on where they differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && !a.empty() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string HmacSha256Base64(absl::string_view key, absl::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &length);
  std::string encoded(4 * ((length + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest,
                  static_cast<int>(length));
  return encoded;
}

bool SquareSignatureValid(absl::string_view signature_key,
                          absl::string_view notification_url,
                          absl::string_view body, absl::string_view header) {
  return ConstantTimeEquals(
      HmacSha256Base64(signature_key, absl::StrCat(notification_url, body)),
      header);
}

bool ToastSignatureValid(absl::string_view secret, absl::string_view body,
                         absl::string_view timestamp,
                         absl::string_view header) {
  return ConstantTimeEquals(
      HmacSha256Base64(secret, absl::StrCat(body, timestamp)), header);
}

bool ShopifySignatureValid(absl::string_view secret, absl::string_view body,
                           absl::string_view header) {
  return ConstantTimeEquals(HmacSha256Base64(secret, body), header);
}

bool CloverAuthValid(absl::string_view auth_code, absl::string_view header) {
  return ConstantTimeEquals(auth_code, header);
}

}  // namespace makegood::adapters
