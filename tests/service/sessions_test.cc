// Tablet sessions (service/sessions.h) at explicit times, and the
// Authenticator taking their tokens on a fake clock.

#include "service/sessions.h"

#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/refusal.h"
#include "core/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "makegood/v1/config.pb.h"
#include "makegood/v1/errors.pb.h"
#include "service/auth.h"
#include "session_day.h"
#include "snapshot_of.h"

namespace makegood::service {
namespace {

using Lookup = SessionTable::Lookup;
using makegood::v1::Error;

constexpr absl::Duration kIdle = absl::Minutes(30);
constexpr absl::Duration kMicro = absl::Microseconds(1);

// Every time below is relative to the session day's start.
using testing::DayEnd;
using testing::DayStart;

TEST(SessionTableTest, AnOpenedSessionIsLive) {
  SessionTable table(kIdle);
  EXPECT_EQ(table.idle_limit(), kIdle);
  const std::string token =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  const SessionTable::Found found =
      table.Use(token, DayStart() + absl::Minutes(1));
  EXPECT_EQ(found.lookup, Lookup::kLive);
  EXPECT_EQ(found.record.staff_id, "s-17");
  EXPECT_EQ(found.record.device_id, "tablet-1");
  EXPECT_EQ(found.record.expires_at, DayEnd());
  EXPECT_EQ(found.record.last_used, DayStart() + absl::Minutes(1));
}

TEST(SessionTableTest, TheIdleLimitEndsASessionAtExactlyTheLimit) {
  SessionTable table(kIdle);
  const std::string before =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  const std::string at = table.Open("s-22", "tablet-1", DayStart(), DayEnd());
  EXPECT_EQ(table.Use(before, DayStart() + kIdle - kMicro).lookup,
            Lookup::kLive);
  EXPECT_EQ(table.Use(at, DayStart() + kIdle).lookup, Lookup::kEnded);
  // Ended stays ended.
  EXPECT_EQ(table.Use(at, DayStart() + kIdle + absl::Minutes(1)).lookup,
            Lookup::kEnded);
  const SessionTable::Found ended = table.Use(at, DayStart() + absl::Hours(1));
  EXPECT_EQ(ended.lookup, Lookup::kEnded);
  EXPECT_EQ(ended.record.staff_id, "s-22");
}

TEST(SessionTableTest, AUseRefreshesTheIdleClock) {
  SessionTable table(kIdle);
  const std::string token =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  EXPECT_EQ(table.Use(token, DayStart() + absl::Minutes(20)).lookup,
            Lookup::kLive);
  EXPECT_EQ(table.Use(token, DayStart() + absl::Minutes(40)).lookup,
            Lookup::kLive);
  EXPECT_EQ(table.Use(token, DayStart() + absl::Minutes(70) - kMicro).lookup,
            Lookup::kLive);
  // 30 minutes after the last use.
  EXPECT_EQ(table.Use(token, DayStart() + absl::Minutes(100) - kMicro).lookup,
            Lookup::kEnded);
}

TEST(SessionTableTest, TheEndOfTheBusinessDayEndsASession) {
  SessionTable table(kIdle);
  const absl::Time expires = DayStart() + absl::Minutes(10);
  const std::string token = table.Open("s-17", "tablet-1", DayStart(), expires);
  EXPECT_EQ(table.Use(token, expires - kMicro).lookup, Lookup::kLive);
  // Used a microsecond ago, but the day is over.
  EXPECT_EQ(table.Use(token, expires).lookup, Lookup::kEnded);
}

TEST(SessionTableTest, CloseEndsASessionOnce) {
  SessionTable table(kIdle);
  const std::string token =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  EXPECT_TRUE(table.Close(token, DayStart() + absl::Minutes(1)));
  EXPECT_EQ(table.Use(token, DayStart() + absl::Minutes(2)).lookup,
            Lookup::kEnded);
  EXPECT_FALSE(table.Close(token, DayStart() + absl::Minutes(3)));
  EXPECT_FALSE(table.Close("no-such-token", DayStart()));

  // A session the idle limit ended cannot be closed either.
  const std::string idle = table.Open("s-22", "tablet-1", DayStart(), DayEnd());
  EXPECT_FALSE(table.Close(idle, DayStart() + kIdle));
  EXPECT_EQ(table.Use(idle, DayStart() + kIdle).lookup, Lookup::kEnded);
}

TEST(SessionTableTest, AnUnknownTokenIsUnknown) {
  SessionTable table(kIdle);
  EXPECT_EQ(table.Use("no-such-token", DayStart()).lookup, Lookup::kUnknown);
  const std::string token =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  EXPECT_EQ(table.Use("", DayStart()).lookup, Lookup::kUnknown);
  EXPECT_EQ(table.Use(token + "x", DayStart()).lookup, Lookup::kUnknown);
  EXPECT_EQ(table.Use(token.substr(1), DayStart()).lookup, Lookup::kUnknown);
  EXPECT_EQ(table.Use(token, DayStart()).lookup, Lookup::kLive);
}

TEST(SessionTableTest, OnePersonOneSessionPerDevice) {
  SessionTable table(kIdle);
  const std::string first =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  const std::string other_device =
      table.Open("s-17", "tablet-2", DayStart(), DayEnd());
  const std::string other_staff =
      table.Open("s-22", "tablet-1", DayStart(), DayEnd());
  const absl::Time later = DayStart() + absl::Minutes(1);
  const std::string second = table.Open("s-17", "tablet-1", later, DayEnd());
  EXPECT_NE(first, second);
  EXPECT_EQ(table.Use(first, later).lookup, Lookup::kEnded);
  EXPECT_EQ(table.Use(second, later).lookup, Lookup::kLive);
  // Other devices, and other staff on the same device, are independent.
  EXPECT_EQ(table.Use(other_device, later).lookup, Lookup::kLive);
  EXPECT_EQ(table.Use(other_staff, later).lookup, Lookup::kLive);
  EXPECT_TRUE(table.Close(other_device, later));
  EXPECT_EQ(table.Use(second, later).lookup, Lookup::kLive);
  EXPECT_EQ(table.Use(other_staff, later).lookup, Lookup::kLive);
}

TEST(SessionTableTest, TokensAre43UrlSafeCharactersOf32RandomBytes) {
  SessionTable table(kIdle);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    // Different staff, so that no open ends another.
    const std::string token =
        table.Open("s-" + std::to_string(i), "tablet-1", DayStart(), DayEnd());
    ASSERT_EQ(token.size(), 43u) << token;
    for (char c : token) {
      const bool url_safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_';
      EXPECT_TRUE(url_safe) << "'" << c << "' in " << token;
    }
    std::string bytes;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &bytes)) << token;
    EXPECT_EQ(bytes.size(), 32u) << token;
    EXPECT_TRUE(seen.insert(token).second) << "token repeated: " << token;
  }
}

// Ended sessions are pruned when a session is opened; a day after they
// ended their tokens are unknown.
TEST(SessionTableTest, AnIdleSessionIsForgottenADayAfterItEnded) {
  SessionTable table(kIdle);
  const std::string token =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  const absl::Time ended = DayStart() + kIdle;
  const absl::Time a_day_later = ended + absl::Hours(24);
  table.Open("s-22", "tablet-1", a_day_later, a_day_later + absl::Hours(8));
  EXPECT_EQ(table.Use(token, a_day_later).lookup, Lookup::kEnded);
  table.Open("m-2", "tablet-1", a_day_later + kMicro,
             a_day_later + absl::Hours(8));
  EXPECT_EQ(table.Use(token, a_day_later + kMicro).lookup, Lookup::kUnknown);
}

TEST(SessionTableTest, AnExpiredSessionIsForgottenADayAfterItsDayEnded) {
  SessionTable table(kIdle);
  const absl::Time expires = DayStart() + absl::Minutes(10);
  const std::string token = table.Open("s-17", "tablet-1", DayStart(), expires);
  EXPECT_EQ(table.Use(token, DayStart() + absl::Minutes(5)).lookup,
            Lookup::kLive);
  const absl::Time a_day_later = expires + absl::Hours(24);
  table.Open("s-22", "tablet-1", a_day_later, a_day_later + absl::Hours(8));
  EXPECT_EQ(table.Use(token, a_day_later).lookup, Lookup::kEnded);
  table.Open("m-2", "tablet-1", a_day_later + kMicro,
             a_day_later + absl::Hours(8));
  EXPECT_EQ(table.Use(token, a_day_later + kMicro).lookup, Lookup::kUnknown);
}

TEST(SessionTableTest, ASignedOutSessionIsForgottenAboutADayLater) {
  SessionTable table(kIdle);
  const std::string token =
      table.Open("s-17", "tablet-1", DayStart(), DayEnd());
  const absl::Time closed = DayStart() + absl::Minutes(1);
  ASSERT_TRUE(table.Close(token, closed));
  const absl::Time almost = closed + absl::Hours(23);
  table.Open("s-22", "tablet-1", almost, almost + absl::Hours(8));
  EXPECT_EQ(table.Use(token, almost).lookup, Lookup::kEnded);
  const absl::Time after = closed + absl::Hours(25);
  table.Open("m-2", "tablet-1", after, after + absl::Hours(8));
  EXPECT_EQ(table.Use(token, after).lookup, Lookup::kUnknown);
}

// ---------------------------------------------------------------------------
// Session tokens at the Authenticator.

makegood::v1::Config TabletConfig() {
  makegood::v1::Config config;
  config.mutable_location()->set_timezone("UTC");
  auto* dana = config.add_staff();
  dana->set_id("s-17");
  dana->set_name("Dana");
  dana->set_role(makegood::v1::SERVER);
  dana->set_token_sha256(core::Sha256Hex("dana-token"));
  auto* marco = config.add_staff();
  marco->set_id("s-22");
  marco->set_name("Marco");
  marco->set_role(makegood::v1::SERVER);
  marco->set_language("es");
  marco->set_token_sha256(core::Sha256Hex("marco-token"));
  auto* lee = config.add_staff();
  lee->set_id("m-2");
  lee->set_name("Lee");
  lee->set_role(makegood::v1::MANAGER);
  lee->set_token_sha256(core::Sha256Hex("lee-token"));
  auto* tablet = config.add_devices();
  tablet->set_id("tablet-1");
  tablet->set_name("Floor tablet");
  tablet->set_role(makegood::v1::TABLET);
  tablet->set_token_sha256(core::Sha256Hex("tablet-token"));
  return config;
}

class SessionAuthTest : public ::testing::Test {
 protected:
  std::string Open(const std::string& staff_id) {
    return sessions_.Open(staff_id, "tablet-1", clock_.Now(), DayEnd());
  }

  SessionTable sessions_{kIdle};
  core::FakeClock clock_{DayStart()};
  LiveConfig live_{SnapshotOf(TabletConfig())};
  Authenticator auth_{live_, &sessions_, &clock_};
};

TEST_F(SessionAuthTest, ASessionTokenIsItsStaffMemberOnItsDevice) {
  const std::string token = Open("s-17");
  auto principal = auth_.Authenticate("Bearer " + token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->id, "s-17");
  EXPECT_EQ(principal->name, "Dana");
  EXPECT_EQ(principal->role, makegood::v1::SERVER);
  EXPECT_EQ(principal->device_id, "tablet-1");
  EXPECT_EQ(principal->session_expires_at, DayEnd());
  EXPECT_EQ(principal->language, "en");

  const std::string manager = Open("m-2");
  auto lee = auth_.Authorize("Bearer " + manager, {makegood::v1::MANAGER});
  ASSERT_TRUE(lee.ok()) << lee.status();
  EXPECT_EQ(lee->id, "m-2");
  EXPECT_EQ(lee->device_id, "tablet-1");

  auto marco = auth_.Authenticate("Bearer " + Open("s-22"));
  ASSERT_TRUE(marco.ok()) << marco.status();
  EXPECT_EQ(marco->language, "es");
}

TEST_F(SessionAuthTest, ASessionHasItsStaffMembersRoleNotTheTablets) {
  const std::string token = Open("s-17");
  EXPECT_EQ(auth_.Authorize("Bearer " + token, {makegood::v1::TABLET})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(auth_.Authorize("Bearer " + token, {makegood::v1::MANAGER})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(auth_.Authorize("Bearer " + token, {makegood::v1::SERVER}).ok());
}

TEST_F(SessionAuthTest, AnEndedSessionIsUnauthenticatedSessionEnded) {
  const std::string idle = Open("s-17");
  const std::string closed = Open("s-22");
  ASSERT_TRUE(sessions_.Close(closed, clock_.Now()));
  clock_.Advance(kIdle);
  for (const std::string& token : {idle, closed}) {
    auto principal = auth_.Authenticate("Bearer " + token);
    ASSERT_FALSE(principal.ok());
    EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(core::ReasonOf(principal.status()), Error::SESSION_ENDED)
        << principal.status();
    EXPECT_THAT(std::string(principal.status().message()),
                ::testing::Not(::testing::HasSubstr(token)));
  }
}

TEST_F(SessionAuthTest, CallsThroughTheAuthenticatorKeepASessionAlive) {
  const std::string token = Open("s-17");
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(absl::Minutes(20));
    EXPECT_TRUE(auth_.Authenticate("Bearer " + token).ok()) << "call " << i;
  }
  clock_.Advance(kIdle);
  EXPECT_EQ(core::ReasonOf(auth_.Authenticate("Bearer " + token).status()),
            Error::SESSION_ENDED);
}

TEST_F(SessionAuthTest, ASessionOfSomeoneNoLongerConfiguredIsEnded) {
  const std::string token = Open("s-99");
  auto principal = auth_.Authenticate("Bearer " + token);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(core::ReasonOf(principal.status()), Error::SESSION_ENDED);
}

TEST_F(SessionAuthTest, PlainTokensStillWork) {
  Open("s-17");
  auto dana = auth_.Authenticate("Bearer dana-token");
  ASSERT_TRUE(dana.ok()) << dana.status();
  EXPECT_EQ(dana->id, "s-17");
  EXPECT_EQ(dana->role, makegood::v1::SERVER);
  EXPECT_EQ(dana->device_id, "");
  EXPECT_EQ(dana->session_expires_at, absl::InfinitePast());

  auto tablet = auth_.Authenticate("Bearer tablet-token");
  ASSERT_TRUE(tablet.ok()) << tablet.status();
  EXPECT_EQ(tablet->id, "tablet-1");
  EXPECT_EQ(tablet->role, makegood::v1::TABLET);
  EXPECT_EQ(tablet->device_id, "");

  auto marco = auth_.Authenticate("Bearer marco-token");
  ASSERT_TRUE(marco.ok()) << marco.status();
  EXPECT_EQ(marco->language, "es");
}

TEST_F(SessionAuthTest, AnUnknownTokenIsUnauthenticatedWithoutSessionEnded) {
  Open("s-17");
  auto unknown = auth_.Authenticate("Bearer no-such-token");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(core::ReasonOf(unknown.status()), Error::SESSION_ENDED);
}

TEST(SessionAuthWithoutTableTest, SessionTokensNeedTheTable) {
  SessionTable sessions(kIdle);
  const std::string token =
      sessions.Open("s-17", "tablet-1", DayStart(), DayEnd());
  LiveConfig live(SnapshotOf(TabletConfig()));
  Authenticator auth(live);
  EXPECT_EQ(auth.Authenticate("Bearer " + token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth.Authenticate("Bearer dana-token").ok());
}

}  // namespace
}  // namespace makegood::service
