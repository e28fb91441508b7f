// RecoveryHub and reloads (recovery_hub.h, 6.): listeners whose credential
// no longer holds are revoked by RecheckCredentials and refused at
// registration.

#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "service/recovery_hub.h"

namespace makegood::service {
namespace {

using makegood::v1::CaughtUp;

const absl::Time kAt = absl::FromUnixSeconds(1795000000);

// A stream whose credential holds while `holds` is OK.
class Stream final : public RecoveryHub::Listener {
 public:
  void OnUpdate(const makegood::v1::RecoveryUpdate& /*update*/) override {
    ++updates;
  }
  void OnClose() override { closed = true; }
  absl::Status CredentialsHold() const override { return holds; }
  void OnRevoked(const absl::Status& why) override { revoked.push_back(why); }

  absl::Status holds;
  int updates = 0;
  bool closed = false;
  std::vector<absl::Status> revoked;
};

store::RecoveryResult Change() {
  store::RecoveryResult result;
  result.recovery.set_case_id("RC-1");
  return result;
}

TEST(RecoveryHubCredentialsTest, RecheckRevokesOnlyTheListenersRefused) {
  RecoveryHub hub(RecoveryHubOptions{16, "run-1"});
  Stream kept, gone;
  ASSERT_TRUE(hub.Add(&kept));
  ASSERT_TRUE(hub.Add(&gone));
  EXPECT_EQ(hub.RecheckCredentials(), 0);

  gone.holds = absl::UnauthenticatedError("the credential 'm-2' was revoked");
  EXPECT_EQ(hub.RecheckCredentials(), 1);
  EXPECT_TRUE(kept.revoked.empty());
  ASSERT_EQ(gone.revoked.size(), 1u);
  EXPECT_EQ(gone.revoked[0].code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(gone.closed);
  // Until it unregisters (its stream's OnDone), it is still fed.
  hub.Publish(Change(), kAt);
  EXPECT_EQ(kept.updates, 1);
}

TEST(RecoveryHubCredentialsTest,
     AListenerRefusedAtRegistrationIsNotRegistered) {
  RecoveryHub hub(RecoveryHubOptions{16, "run-1"});
  Stream refused;
  refused.holds = absl::UnauthenticatedError("revoked");
  EXPECT_FALSE(hub.Add(&refused));

  auto resumed = hub.Resume(&refused, "run-1", /*after_sequence=*/0, kAt);
  ASSERT_FALSE(resumed.ok());
  EXPECT_EQ(resumed.status().code(), absl::StatusCode::kUnauthenticated);

  EXPECT_FALSE(hub.StartWithSnapshot(&refused, {}, CaughtUp::SNAPSHOT, kAt));
  EXPECT_EQ(refused.updates, 0);  // Not even the caught_up.

  hub.Publish(Change(), kAt);
  EXPECT_EQ(refused.updates, 0);
  EXPECT_EQ(hub.RecheckCredentials(), 0);
  EXPECT_TRUE(refused.revoked.empty());
}

TEST(RecoveryHubCredentialsTest, ARefusedResumeHandsNothingOfTheRing) {
  RecoveryHub hub(RecoveryHubOptions{16, "run-1"});
  hub.Publish(Change(), kAt);
  Stream refused;
  refused.holds = absl::PermissionDeniedError("m-2 has role SERVER");
  auto resumed = hub.Resume(&refused, "run-1", /*after_sequence=*/1, kAt);
  EXPECT_EQ(resumed.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.updates, 0);
}

}  // namespace
}  // namespace makegood::service
