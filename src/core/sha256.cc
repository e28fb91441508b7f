#include "core/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace makegood::core {
namespace {

// Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up in
// the provider tables on every call, which costs as much as hashing a
// ledger row. Null if no provider offers it; SHA256() is used then.
const EVP_MD* FetchedSha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  if (const EVP_MD* md = FetchedSha256();
      md == nullptr ||
      EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr) != 1) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           digest);
  }
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH));
}

}  // namespace makegood::core
