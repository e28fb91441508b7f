#include "service/auth.h"

#include "core/sha256.h"
#include "gtest/gtest.h"
#include "snapshot_of.h"

namespace makegood::service {
namespace {

using core::Sha256Hex;

makegood::v1::Config TwoCredentials() {
  makegood::v1::Config config;
  config.mutable_location()->set_timezone("UTC");
  auto* server = config.add_staff();
  server->set_id("s-17");
  server->set_role(makegood::v1::SERVER);
  server->set_token_sha256(Sha256Hex("dana-token"));
  auto* adapter = config.add_devices();
  adapter->set_id("pos-1");
  adapter->set_role(makegood::v1::ADAPTER);
  adapter->set_token_sha256(Sha256Hex("adapter-token"));
  return config;
}

TEST(Sha256HexTest, MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthenticatorTest, FindsThePrincipalOfAToken) {
  LiveConfig live(SnapshotOf(TwoCredentials()));
  Authenticator auth(live);
  auto principal = auth.Authenticate("Bearer dana-token");
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->id, "s-17");
  EXPECT_EQ(principal->role, makegood::v1::SERVER);
  EXPECT_EQ(auth.Authenticate("bearer adapter-token")->id, "pos-1");
}

TEST(AuthenticatorTest, MissingMalformedOrUnknownTokensAreUnauthenticated) {
  LiveConfig live(SnapshotOf(TwoCredentials()));
  Authenticator auth(live);
  for (const char* header : {"", "dana-token", "Basic ZGFuYQ==", "Bearer ",
                             "Bearer dana-token ", "Bearer wrong"}) {
    EXPECT_EQ(auth.Authenticate(header).status().code(),
              absl::StatusCode::kUnauthenticated)
        << header;
  }
}

TEST(AuthenticatorTest, WrongRoleIsPermissionDenied) {
  LiveConfig live(SnapshotOf(TwoCredentials()));
  Authenticator auth(live);
  auto denied = auth.Authorize("Bearer dana-token", {makegood::v1::ADAPTER});
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().message(),
            "s-17 has role SERVER; this call needs ADAPTER");
  EXPECT_TRUE(
      auth.Authorize("Bearer adapter-token", {makegood::v1::ADAPTER}).ok());
  EXPECT_EQ(
      auth.Authorize("Bearer nope", {makegood::v1::ADAPTER}).status().code(),
      absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace makegood::service
