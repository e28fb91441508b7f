// The Authenticator across reloads of the configuration: new calls see the
// new credentials at once, open streams ask StillAuthorized, and tablet
// sessions of a removed staff member or tablet end.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "core/clock.h"
#include "core/refusal.h"
#include "core/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "makegood/v1/config.pb.h"
#include "makegood/v1/errors.pb.h"
#include "service/auth.h"
#include "service/live_config.h"
#include "service/sessions.h"
#include "session_day.h"
#include "snapshot_of.h"

namespace makegood::service {
namespace {

using makegood::v1::Config;
using makegood::v1::Error;
using ::testing::HasSubstr;

using testing::DayEnd;
using testing::DayStart;

void Add(google::protobuf::RepeatedPtrField<makegood::v1::Credential>* list,
         const std::string& id, makegood::v1::Role role,
         const std::string& token) {
  auto* credential = list->Add();
  credential->set_id(id);
  credential->set_name("Name of " + id);
  credential->set_role(role);
  credential->set_token_sha256(core::Sha256Hex(token));
}

Config Base() {
  Config config;
  config.mutable_location()->set_id("loc-1");
  config.mutable_location()->set_currency("USD");
  config.mutable_location()->set_timezone("UTC");
  Add(config.mutable_staff(), "s-17", makegood::v1::SERVER, "dana-token");
  Add(config.mutable_staff(), "m-2", makegood::v1::MANAGER, "lee-token");
  Add(config.mutable_devices(), "pos-1", makegood::v1::ADAPTER,
      "adapter-token");
  Add(config.mutable_devices(), "tablet-1", makegood::v1::TABLET,
      "tablet-token");
  auto* category = config.add_categories();
  category->set_id("cold_food");
  category->set_label("Cold food");
  return config;
}

Config Without(Config config, const std::string& id) {
  for (auto* list : {config.mutable_staff(), config.mutable_devices()}) {
    for (int i = 0; i < list->size(); ++i) {
      if (list->Get(i).id() == id) {
        list->DeleteSubrange(i, 1);
        return config;
      }
    }
  }
  ADD_FAILURE() << "no credential " << id;
  return config;
}

makegood::v1::Credential* Find(Config& config, const std::string& id) {
  for (auto* list : {config.mutable_staff(), config.mutable_devices()}) {
    for (auto& credential : *list) {
      if (credential.id() == id) return &credential;
    }
  }
  ADD_FAILURE() << "no credential " << id;
  return nullptr;
}

class AuthReloadTest : public ::testing::Test {
 protected:
  // What Server::Reload does: the swap, then the sessions.
  void Reload(const Config& next) {
    std::shared_ptr<const ConfigSnapshot> previous =
        live_.Replace(SnapshotOf(next));
    sessions_ended_ = auth_.EndRevokedSessions(*previous);
  }

  Principal Of(const std::string& token) {
    auto principal = auth_.Authenticate("Bearer " + token);
    EXPECT_TRUE(principal.ok()) << principal.status();
    return principal.ok() ? *principal : Principal{};
  }

  absl::StatusCode CodeOf(const std::string& token) {
    return auth_.Authenticate("Bearer " + token).status().code();
  }

  std::string OpenSession(const std::string& staff_id) {
    return sessions_.Open(staff_id, "tablet-1", clock_.Now(), DayEnd());
  }

  SessionTable sessions_{absl::Minutes(30)};
  core::FakeClock clock_{DayStart()};
  LiveConfig live_{SnapshotOf(Base())};
  Authenticator auth_{live_, &sessions_, &clock_};
  int sessions_ended_ = 0;
};

TEST_F(AuthReloadTest, ACallCarriesTheSnapshotItWasAuthenticatedUnder) {
  const Principal lee = Of("lee-token");
  EXPECT_EQ(lee.config, live_.Get());
  Reload(Base());
  EXPECT_NE(lee.config, live_.Get());
  EXPECT_EQ(Of("lee-token").config, live_.Get());
}

TEST_F(AuthReloadTest, ARemovedOrChangedTokenIsUnauthenticatedAtOnce) {
  Config next = Without(Base(), "m-2");
  Find(next, "pos-1")->set_token_sha256(core::Sha256Hex("adapter-token-2"));
  Reload(next);
  EXPECT_EQ(CodeOf("lee-token"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeOf("adapter-token"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Of("adapter-token-2").id, "pos-1");
  EXPECT_EQ(Of("dana-token").id, "s-17");
}

TEST_F(AuthReloadTest, AStreamHoldsWithoutAReloadAndAcrossUnrelatedChanges) {
  const Principal lee = Of("lee-token");
  EXPECT_TRUE(auth_.StillAuthorized(lee, {makegood::v1::MANAGER}).ok());
  Config next = Base();
  next.mutable_categories(0)->set_label("Cold plate");
  Find(next, "m-2")->set_name("Lee Chen");
  Reload(next);
  EXPECT_TRUE(auth_.StillAuthorized(lee, {makegood::v1::MANAGER}).ok());
}

TEST_F(AuthReloadTest, AStreamOfARemovedCredentialIsUnauthenticated) {
  const Principal lee = Of("lee-token");
  const Principal adapter = Of("adapter-token");
  Reload(Without(Without(Base(), "m-2"), "pos-1"));
  const absl::Status revoked =
      auth_.StillAuthorized(lee, {makegood::v1::MANAGER});
  EXPECT_EQ(revoked.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(revoked.message()), HasSubstr("'m-2' was revoked"));
  EXPECT_EQ(auth_.StillAuthorized(adapter, {makegood::v1::ADAPTER}).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthReloadTest, AStreamOfAChangedTokenIsUnauthenticated) {
  const Principal lee = Of("lee-token");
  Config next = Base();
  Find(next, "m-2")->set_token_sha256(core::Sha256Hex("lee-token-2"));
  Reload(next);
  EXPECT_EQ(auth_.StillAuthorized(lee, {makegood::v1::MANAGER}).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthReloadTest, ARoleThatNoLongerMayIsPermissionDenied) {
  const Principal lee = Of("lee-token");
  Config next = Base();
  Find(next, "m-2")->set_role(makegood::v1::SERVER);
  Reload(next);
  const absl::Status demoted =
      auth_.StillAuthorized(lee, {makegood::v1::MANAGER, makegood::v1::ADMIN});
  EXPECT_EQ(demoted.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(demoted.message(),
            "m-2 has role SERVER; this call needs MANAGER or ADMIN");
  EXPECT_TRUE(auth_.StillAuthorized(lee, {makegood::v1::SERVER}).ok());
}

TEST_F(AuthReloadTest, SessionsOfARemovedTabletEndForGood) {
  const std::string dana = OpenSession("s-17");
  const std::string lee = OpenSession("m-2");
  ASSERT_EQ(Of(dana).device_id, "tablet-1");
  Reload(Without(Base(), "tablet-1"));
  EXPECT_EQ(sessions_ended_, 2);
  for (const std::string& token : {dana, lee}) {
    const absl::Status ended = auth_.Authenticate("Bearer " + token).status();
    EXPECT_EQ(ended.code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(core::ReasonOf(ended), Error::SESSION_ENDED) << ended;
  }
  EXPECT_EQ(CodeOf("tablet-token"), absl::StatusCode::kUnauthenticated);
  // Pairing the tablet again does not bring its old sessions back.
  Reload(Base());
  EXPECT_EQ(sessions_ended_, 0);
  EXPECT_EQ(core::ReasonOf(auth_.Authenticate("Bearer " + dana).status()),
            Error::SESSION_ENDED);
  EXPECT_EQ(Of("tablet-token").id, "tablet-1");
}

TEST_F(AuthReloadTest, SessionsOfARemovedStaffMemberEndOthersStay) {
  const std::string dana = OpenSession("s-17");
  const std::string lee = OpenSession("m-2");
  Reload(Without(Base(), "s-17"));
  EXPECT_EQ(sessions_ended_, 1);
  EXPECT_EQ(core::ReasonOf(auth_.Authenticate("Bearer " + dana).status()),
            Error::SESSION_ENDED);
  EXPECT_EQ(Of(lee).id, "m-2");
}

TEST_F(AuthReloadTest, ANewTabletTokenEndsTheSessionsOpenedWithTheOldOne) {
  const std::string dana = OpenSession("s-17");
  const Principal session = Of(dana);
  Config next = Base();
  Find(next, "tablet-1")->set_token_sha256(core::Sha256Hex("tablet-token-2"));
  Reload(next);
  EXPECT_EQ(sessions_ended_, 1);
  EXPECT_EQ(core::ReasonOf(auth_.Authenticate("Bearer " + dana).status()),
            Error::SESSION_ENDED);
  const absl::Status stream =
      auth_.StillAuthorized(session, {makegood::v1::SERVER});
  EXPECT_EQ(stream.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(core::ReasonOf(stream), Error::SESSION_ENDED);
  EXPECT_EQ(CodeOf("tablet-token"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Of("tablet-token-2").id, "tablet-1");
}

TEST_F(AuthReloadTest, ADeviceThatIsNoLongerATabletEndsItsSessions) {
  const std::string dana = OpenSession("s-17");
  Config next = Base();
  Find(next, "tablet-1")->set_role(makegood::v1::REPORTER);
  Reload(next);
  EXPECT_EQ(sessions_ended_, 1);
  EXPECT_EQ(core::ReasonOf(auth_.Authenticate("Bearer " + dana).status()),
            Error::SESSION_ENDED);
}

TEST_F(AuthReloadTest, ASessionOpenedAfterTheSweepIsStillRefused) {
  // A sign-in authenticated before the reload opens its session after
  // EndRevokedSessions ran: Authenticate refuses it by the configuration,
  // and SignIn's own check after opening it (the session's principal, as
  // of the sign-in's snapshot) says so too.
  Principal signing_in = Of("dana-token");
  signing_in.device_id = "tablet-1";
  Reload(Without(Base(), "tablet-1"));
  const std::string late = OpenSession("s-17");
  EXPECT_EQ(core::ReasonOf(auth_.Authenticate("Bearer " + late).status()),
            Error::SESSION_ENDED);
  const absl::Status check =
      auth_.StillAuthorized(signing_in, {makegood::v1::SERVER});
  EXPECT_EQ(check.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(core::ReasonOf(check), Error::SESSION_ENDED);
}

TEST_F(AuthReloadTest, SessionsOfConfiguredStaffOnAKeptTabletStay) {
  const std::string dana = OpenSession("s-17");
  Config next = Base();
  next.mutable_categories(0)->set_label("Cold plate");
  Reload(next);
  EXPECT_EQ(sessions_ended_, 0);
  const Principal principal = Of(dana);
  EXPECT_EQ(principal.id, "s-17");
  EXPECT_EQ(principal.device_id, "tablet-1");
  EXPECT_EQ(principal.config, live_.Get());
}

}  // namespace
}  // namespace makegood::service
