// Staff sign-in on a paired tablet (makegood.v1.SessionService) through the
// real makegoodd over gRPC: the staff picker, PINs and their lockout, what a
// session may do (its staff member's role and limits, never the tablet's),
// sign-out, the idle limit and the end of the business day on a simulated
// clock, categories in the asked language, a log free of PINs and tokens,
// and an HTTP listener that will not serve PINs in clear beyond loopback.
//
// Times on the simulated clock are moved with SimulationService.SetClock;
// no test sleeps.

#include <signal.h>

#include <chrono>
#include <future>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/proto_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "integration/error_details.h"
#include "integration/recovery_calls.h"
#include "makegood/v1/errors.pb.h"
#include "makegood/v1/session.grpc.pb.h"
#include "makegood/v1/simulation.grpc.pb.h"

namespace makegood {
namespace {

using google::protobuf::util::MessageDifferencer;
using makegood::testing::ReadFileOrEmpty;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Not;
using v1::AppliedRemedy;
using v1::Error;
using v1::RecoveryCase;

// Demo credentials and PINs of packaging/config/sample.yaml.
constexpr char kTabletToken[] = "demo-tablet-floor";  // tablet-1
constexpr char kDanaPin[] = "2468";                   // s-17
constexpr char kMarcoPin[] = "1357";                  // s-22
constexpr char kLeePin[] = "8642";                    // m-2
// PINs nobody has, distinctive enough that finding one in the log means it
// leaked there.
constexpr const char* kWrongPins[] = {"864213", "703194", "90817263", "5511739",
                                      "3141592"};

// ---------------------------------------------------------------------------
// Reading refusals.

// `status` has `code` and an ErrorInfo of domain makegood.v1 with `reason`.
::testing::AssertionResult IsRefusedWith(const grpc::Status& status,
                                         grpc::StatusCode code,
                                         Error::Reason reason) {
  const ErrorDetails refusal = DetailsOf(status);
  const std::string want = Error::Reason_Name(reason);
  if (status.error_code() == code && refusal.parsed && refusal.reason == want &&
      refusal.domain == "makegood.v1") {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got code " << status.error_code() << " reason '" << refusal.reason
         << "' domain '" << refusal.domain << "' message '"
         << status.error_message() << "'"
         << (refusal.parsed ? "" : " (no google.rpc.Status details)")
         << "; want code " << code << " reason " << want;
}

// Whether `text` holds `digits` as a number of its own, not inside a longer
// run of digits (a timestamp's fraction, a thread id of gRPC's log lines).
bool HasNumber(absl::string_view text, absl::string_view digits) {
  for (size_t at = text.find(digits); at != absl::string_view::npos;
       at = text.find(digits, at + 1)) {
    const size_t end = at + digits.size();
    const bool digit_before =
        at > 0 && absl::ascii_isdigit(static_cast<unsigned char>(text[at - 1]));
    const bool digit_after =
        end < text.size() &&
        absl::ascii_isdigit(static_cast<unsigned char>(text[end]));
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The location's time (the sample's America/New_York, days from 04:00).

absl::TimeZone LocationZone() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("America/New_York", &zone))
      << "no time zone data for America/New_York";
  return zone;
}

// The instant of a local wall-clock time at the location.
absl::Time Local(int year, int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0),
                         LocationZone());
}

// The end of the business day `t` is in: the next 04:00 local.
absl::Time EndOfBusinessDay(absl::Time t) {
  const absl::TimeZone zone = LocationZone();
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone);
  absl::CivilDay day(local);
  if (local.hour() < 4) --day;  // Still the night of the day before.
  const absl::CivilDay next = day + 1;
  return absl::FromCivil(
      absl::CivilSecond(next.year(), next.month(), next.day(), 4, 0, 0), zone);
}

// ---------------------------------------------------------------------------
// Fixtures.

// The real makegoodd on the sample configuration and the real clock.
class SessionTest : public RecoveryCallsTest {
 protected:
  std::unique_ptr<v1::SessionService::Stub> Sessions() {
    return v1::SessionService::NewStub(channel_);
  }

  grpc::Status SignIn(const std::string& staff_id, const std::string& pin,
                      v1::SignInResponse* out,
                      const std::string& device_token = kTabletToken) {
    v1::SignInRequest request;
    request.set_staff_id(staff_id);
    request.set_pin(pin);
    return Sessions()->SignIn(Context(device_token).get(), request, out);
  }

  // The token of a new session of `staff_id` on tablet-1; "" (and a
  // failure) when the sign-in fails.
  std::string SignedIn(const std::string& staff_id, const std::string& pin) {
    v1::SignInResponse response;
    const grpc::Status status = SignIn(staff_id, pin, &response);
    EXPECT_TRUE(status.ok()) << staff_id << ": " << status.error_message();
    return response.session_token();
  }

  grpc::Status GetSession(const std::string& token,
                          v1::Session* out = nullptr) {
    v1::Session ignored;
    return Sessions()->GetSession(Context(token).get(), v1::GetSessionRequest(),
                                  out != nullptr ? out : &ignored);
  }

  grpc::Status SignOut(const std::string& token) {
    v1::SignOutResponse response;
    return Sessions()->SignOut(Context(token).get(), v1::SignOutRequest(),
                               &response);
  }

  grpc::Status ListSignInStaff(const std::string& token,
                               v1::ListSignInStaffResponse* out) {
    return Sessions()->ListSignInStaff(Context(token).get(),
                                       v1::ListSignInStaffRequest(), out);
  }

  // The categories of a ListCategories call in `language`.
  std::vector<v1::ListCategoriesResponse::CategoryChoice> Categories(
      const std::string& token, const std::string& language) {
    v1::ListCategoriesRequest request;
    request.set_language(language);
    v1::ListCategoriesResponse response;
    const grpc::Status status =
        Sessions()->ListCategories(Context(token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return std::vector<v1::ListCategoriesResponse::CategoryChoice>(
        response.categories().begin(), response.categories().end());
  }

  grpc::Status ListChecks(const std::string& token,
                          v1::ListChecksResponse* out = nullptr) {
    v1::ListChecksResponse ignored;
    return v1::CheckService::NewStub(channel_)->ListChecks(
        Context(token).get(), v1::ListChecksRequest(),
        out != nullptr ? out : &ignored);
  }

  // Stops makegoodd with SIGTERM (it must exit 0 within a minute) and
  // returns its log, the temporary directory's random name left out.
  std::string StopAndReadLog() {
    daemon_->Signal(SIGTERM);
    auto exited = std::async(std::launch::async, [daemon = daemon_.get()] {
      return daemon->Wait();
    });
    if (exited.wait_for(std::chrono::seconds(60)) !=
        std::future_status::ready) {
      ADD_FAILURE() << "makegoodd did not stop within 60 s of SIGTERM";
      daemon_->Signal(SIGKILL);
    }
    EXPECT_EQ(exited.get(), 0);
    daemon_.reset();
    const std::string log = ReadFileOrEmpty(dir_.File("makegoodd.log"));
    return absl::StrReplaceAll(log, {{dir_.path(), "<test dir>"}});
  }

  // Expects `log` to hold none of `pins` and none of `tokens`.
  static void ExpectNoSecrets(const std::string& log,
                              const std::vector<std::string>& pins,
                              const std::vector<std::string>& tokens) {
    for (const std::string& pin : pins) {
      EXPECT_FALSE(HasNumber(log, pin)) << "PIN " << pin << " in the log:\n"
                                        << log;
    }
    for (const std::string& token : tokens) {
      ASSERT_FALSE(token.empty());
      EXPECT_THAT(log, Not(HasSubstr(token))) << "a session token";
    }
  }
};

// makegoodd on a simulated clock: each test starts it at its own time.
class SimulatedSessionTest : public SessionTest {
 protected:
  void SetUp() override {}

  void StartAt(absl::Time start) {
    daemon_.reset();
    auto daemon = DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", config_path_, "--listen", "127.0.0.1:0", "--http",
         "127.0.0.1:0", "--db", db_path(), "--simulated-clock",
         absl::FormatTime(absl::RFC3339_full, start, absl::UTCTimeZone())},
        dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }

  // Moves makegoodd's clock forward to `to`, as the owner.
  grpc::Status SetClock(absl::Time to) {
    v1::SetClockRequest request;
    *request.mutable_time() = core::ToProto(to);
    v1::SetClockResponse response;
    return v1::SimulationService::NewStub(channel_)->SetClock(
        Context(kAdminToken).get(), request, &response);
  }
};

// ---------------------------------------------------------------------------
// The staff picker.

TEST_F(SessionTest, TheTabletListsTheStaffWhoCanSignIn) {
  v1::ListSignInStaffResponse list;
  const grpc::Status status = ListSignInStaff(kTabletToken, &list);
  ASSERT_TRUE(status.ok()) << status.error_message();
  using Row = std::tuple<std::string, std::string, v1::Role>;
  std::vector<Row> staff;
  for (const auto& member : list.staff()) {
    staff.emplace_back(member.staff_id(), member.name(), member.role());
  }
  EXPECT_THAT(staff, ElementsAre(Row{"s-17", "Dana", v1::SERVER},
                                 Row{"s-22", "Marco", v1::SERVER},
                                 Row{"m-2", "Lee", v1::MANAGER},
                                 Row{"o-1", "Sam (owner)", v1::ADMIN}));
}

TEST_F(SessionTest, OnlyATabletListsTheStaff) {
  v1::ListSignInStaffResponse list;
  EXPECT_TRUE(IsRefusedWith(ListSignInStaff(kServerToken, &list),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  EXPECT_TRUE(IsRefusedWith(ListSignInStaff(kManagerToken, &list),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  // A session on the tablet is its staff member, not the tablet.
  const std::string dana = SignedIn("s-17", kDanaPin);
  ASSERT_FALSE(dana.empty());
  EXPECT_TRUE(IsRefusedWith(ListSignInStaff(dana, &list),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  EXPECT_TRUE(IsRefusedWith(ListSignInStaff("", &list),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::UNAUTHENTICATED));
  EXPECT_EQ(list.staff_size(), 0);
}

// ---------------------------------------------------------------------------
// Signing in and what a session is.

TEST_F(SessionTest, ASessionIsItsStaffMemberOnTheTabletUntilTheDaysEnd) {
  const absl::Time before = absl::Now();
  v1::SignInResponse signed_in;
  const grpc::Status status = SignIn("s-17", kDanaPin, &signed_in);
  const absl::Time after = absl::Now();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(signed_in.session_token().size(), 43u);

  v1::Session session;
  const grpc::Status got = GetSession(signed_in.session_token(), &session);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_EQ(session.principal_id(), "s-17");
  EXPECT_EQ(session.name(), "Dana");
  EXPECT_EQ(session.role(), v1::SERVER);
  EXPECT_EQ(session.device_id(), "tablet-1");
  EXPECT_EQ(session.idle_minutes(), 30);
  EXPECT_EQ(session.language(), "en");
  EXPECT_EQ(session.location_id(), "downtown-01");
  EXPECT_EQ(session.currency(), "USD");
  ASSERT_TRUE(session.has_expires_at());
  // The next 04:00 in New York (either side of the call, should it have run
  // across 04:00).
  EXPECT_THAT(core::FromProto(session.expires_at()),
              AnyOf(Eq(EndOfBusinessDay(before)), Eq(EndOfBusinessDay(after))));
  // SignIn answered with the same session.
  EXPECT_TRUE(MessageDifferencer::Equals(signed_in.session(), session))
      << signed_in.session().ShortDebugString() << "\nvs\n"
      << session.ShortDebugString();
}

TEST_F(SessionTest, ASessionHasItsPersonsLanguage) {
  v1::SignInResponse marco;
  const grpc::Status status = SignIn("s-22", kMarcoPin, &marco);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(marco.session().language(), "es");
  v1::Session session;
  ASSERT_TRUE(GetSession(marco.session_token(), &session).ok());
  EXPECT_EQ(session.principal_id(), "s-22");
  EXPECT_EQ(session.language(), "es");
  EXPECT_EQ(session.device_id(), "tablet-1");
}

TEST_F(SessionTest, APlainTokenIsNoSession) {
  v1::Session dana;
  ASSERT_TRUE(GetSession(kServerToken, &dana).ok());
  EXPECT_EQ(dana.principal_id(), "s-17");
  EXPECT_EQ(dana.role(), v1::SERVER);
  EXPECT_EQ(dana.device_id(), "");
  EXPECT_FALSE(dana.has_expires_at());
  EXPECT_EQ(dana.idle_minutes(), 0);

  v1::Session tablet;
  ASSERT_TRUE(GetSession(kTabletToken, &tablet).ok());
  EXPECT_EQ(tablet.principal_id(), "tablet-1");
  EXPECT_EQ(tablet.role(), v1::TABLET);
  EXPECT_EQ(tablet.device_id(), "");
  EXPECT_FALSE(tablet.has_expires_at());
}

TEST_F(SessionTest, ASessionActsAsItsStaffMemberWithHerLimits) {
  const std::string dana = SignedIn("s-17", kDanaPin);
  ASSERT_FALSE(dana.empty());
  SeedCheck("c-801", {3000});

  v1::ListChecksResponse checks;
  const grpc::Status listed = ListChecks(dana, &checks);
  ASSERT_TRUE(listed.ok()) << listed.error_message();
  std::vector<std::string> ids;
  for (const auto& check : checks.checks()) ids.push_back(check.check_id());
  EXPECT_THAT(ids, Contains("c-801"));

  RecoveryCase flagged;
  const grpc::Status flag = Flag(dana, "flag-c-801", "c-801", {"1"},
                                 "cold_food", v1::MAJOR, &flagged);
  ASSERT_TRUE(flag.ok()) << flag.error_message();
  EXPECT_EQ(flagged.flagged_by(), "s-17");
  const v1::RemedyOption* comp = OptionFor(flagged, "comp_item");
  ASSERT_NE(comp, nullptr) << flagged.ShortDebugString();

  // 30.00 is over a SERVER's 25.00 a case: it waits for a manager.
  RecoveryCase applied;
  const grpc::Status apply =
      Apply(dana, "comp-c-801", flagged.case_id(), comp->option_id(), &applied);
  ASSERT_TRUE(apply.ok()) << apply.error_message();
  EXPECT_EQ(applied.status(), RecoveryCase::PENDING_APPROVAL);
  ASSERT_EQ(applied.remedies_size(), 1) << applied.ShortDebugString();
  const AppliedRemedy& remedy = applied.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(remedy.requested_by(), "s-17");
  EXPECT_EQ(remedy.cost().minor_units(), 3000);
  EXPECT_THAT(remedy.approval_reason(), HasSubstr("SERVER limit"));

  // Her session cannot approve it: she is a SERVER.
  RecoveryCase approved;
  EXPECT_TRUE(IsRefusedWith(Approve(dana, "approve-c-801", flagged.case_id(),
                                    remedy.remedy_application_id(), &approved),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  // Lee, signed in on the same tablet, can.
  const std::string lee = SignedIn("m-2", kLeePin);
  ASSERT_FALSE(lee.empty());
  const grpc::Status approve =
      Approve(lee, "approve-c-801", flagged.case_id(),
              remedy.remedy_application_id(), &approved);
  ASSERT_TRUE(approve.ok()) << approve.error_message();
  ASSERT_EQ(approved.remedies_size(), 1);
  EXPECT_EQ(approved.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(approved.remedies(0).requested_by(), "s-17");
  EXPECT_EQ(approved.remedies(0).approved_by(), "m-2");
  EXPECT_EQ(approved.flagged_by(), "s-17");
}

TEST_F(SessionTest, APairedTabletIsNoSignedInPerson) {
  SeedCheck("c-802", {1500});
  v1::ListChecksResponse checks;
  EXPECT_TRUE(IsRefusedWith(ListChecks(kTabletToken, &checks),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  RecoveryCase flagged;
  EXPECT_TRUE(IsRefusedWith(Flag(kTabletToken, "flag-c-802", "c-802", {"1"},
                                 "cold_food", v1::MAJOR, &flagged),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);
}

// ---------------------------------------------------------------------------
// Bad sign-ins.

TEST_F(SessionTest, APinThatIsNoPinIsInvalidArgumentAndNeverRepeated) {
  for (const char* pin : {"12", "abcd", "123456789", "12a4", "98 76", ""}) {
    v1::SignInResponse response;
    const grpc::Status status = SignIn("s-17", pin, &response);
    EXPECT_TRUE(IsRefusedWith(status, grpc::StatusCode::INVALID_ARGUMENT,
                              Error::INVALID_FIELD))
        << "'" << pin << "'";
    const ErrorDetails refusal = DetailsOf(status);
    EXPECT_EQ(refusal.field, "pin") << "'" << pin << "'";
    if (*pin != '\0') {
      EXPECT_THAT(status.error_message(), Not(HasSubstr(pin)));
      EXPECT_THAT(refusal.field_description, Not(HasSubstr(pin)));
    }
    EXPECT_TRUE(response.session_token().empty());
  }
  // None of them counted as a wrong PIN: six would have locked Dana out.
  EXPECT_FALSE(SignedIn("s-17", kDanaPin).empty());
}

TEST_F(SessionTest, AnUnknownStaffMemberIsNotFound) {
  v1::SignInResponse response;
  const grpc::Status unknown = SignIn("s-99", kDanaPin, &response);
  EXPECT_TRUE(
      IsRefusedWith(unknown, grpc::StatusCode::NOT_FOUND, Error::NOT_FOUND));
  EXPECT_THAT(unknown.error_message(), HasSubstr("s-99"));
  EXPECT_THAT(unknown.error_message(), Not(HasSubstr(kDanaPin)));
  // A device is nobody to sign in as.
  EXPECT_TRUE(IsRefusedWith(SignIn("tablet-1", kDanaPin, &response),
                            grpc::StatusCode::NOT_FOUND, Error::NOT_FOUND));
  const grpc::Status no_id = SignIn("", kDanaPin, &response);
  EXPECT_TRUE(IsRefusedWith(no_id, grpc::StatusCode::INVALID_ARGUMENT,
                            Error::INVALID_FIELD));
  EXPECT_EQ(DetailsOf(no_id).field, "staff_id");
}

TEST_F(SessionTest, OnlyAPairedTabletSignsStaffIn) {
  v1::SignInResponse response;
  EXPECT_TRUE(IsRefusedWith(SignIn("s-17", kDanaPin, &response, kServerToken),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  EXPECT_TRUE(IsRefusedWith(SignIn("s-17", kDanaPin, &response, kAdminToken),
                            grpc::StatusCode::PERMISSION_DENIED,
                            Error::ROLE_NOT_ALLOWED));
  EXPECT_TRUE(IsRefusedWith(SignIn("s-17", kDanaPin, &response, ""),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::UNAUTHENTICATED));
  EXPECT_TRUE(response.session_token().empty());
}

TEST_F(SimulatedSessionTest, FiveWrongPinsLockTheStaffMemberOutForFiveMinutes) {
  const absl::Time start = Local(2026, 11, 20, 12, 0);
  ASSERT_NO_FATAL_FAILURE(StartAt(start));
  for (int i = 0; i < 4; ++i) {
    v1::SignInResponse response;
    const grpc::Status wrong = SignIn("s-17", kWrongPins[i], &response);
    EXPECT_TRUE(IsRefusedWith(wrong, grpc::StatusCode::UNAUTHENTICATED,
                              Error::WRONG_PIN))
        << "wrong PIN " << i + 1;
    const int left = 4 - i;
    EXPECT_THAT(
        wrong.error_message(),
        HasSubstr(absl::StrCat(left, left == 1 ? " try" : " tries", " left")));
    EXPECT_THAT(wrong.error_message(), Not(HasSubstr(kWrongPins[i])));
    EXPECT_FALSE(DetailsOf(wrong).retry_delay.has_value());
  }
  v1::SignInResponse response;
  const grpc::Status fifth = SignIn("s-17", kWrongPins[4], &response);
  EXPECT_TRUE(IsRefusedWith(fifth, grpc::StatusCode::RESOURCE_EXHAUSTED,
                            Error::PIN_LOCKED));
  EXPECT_EQ(DetailsOf(fifth).retry_delay, absl::Seconds(300));

  // While the lock holds, the right PIN is locked out too.
  const grpc::Status right = SignIn("s-17", kDanaPin, &response);
  EXPECT_TRUE(IsRefusedWith(right, grpc::StatusCode::RESOURCE_EXHAUSTED,
                            Error::PIN_LOCKED));
  EXPECT_EQ(DetailsOf(right).retry_delay, absl::Seconds(300));
  EXPECT_THAT(right.error_message(), Not(HasSubstr(kDanaPin)));
  EXPECT_TRUE(response.session_token().empty());

  // Another staff member on the same tablet is not locked.
  v1::SignInResponse lee;
  const grpc::Status other = SignIn("m-2", kLeePin, &lee);
  EXPECT_TRUE(other.ok()) << other.error_message();

  // A second before the five minutes are up, still locked.
  ASSERT_TRUE(SetClock(start + absl::Minutes(5) - absl::Seconds(1)).ok());
  const grpc::Status almost = SignIn("s-17", kDanaPin, &response);
  EXPECT_TRUE(IsRefusedWith(almost, grpc::StatusCode::RESOURCE_EXHAUSTED,
                            Error::PIN_LOCKED));
  EXPECT_EQ(DetailsOf(almost).retry_delay, absl::Seconds(1));

  // Then the right PIN works, and the count starts again.
  ASSERT_TRUE(SetClock(start + absl::Minutes(5)).ok());
  v1::SignInResponse dana;
  const grpc::Status again = SignIn("s-17", kDanaPin, &dana);
  ASSERT_TRUE(again.ok()) << again.error_message();
  EXPECT_EQ(dana.session().principal_id(), "s-17");
  const grpc::Status one_more = SignIn("s-17", kWrongPins[0], &response);
  EXPECT_TRUE(IsRefusedWith(one_more, grpc::StatusCode::UNAUTHENTICATED,
                            Error::WRONG_PIN));
  EXPECT_THAT(one_more.error_message(), HasSubstr("4 tries left"));

  const std::string log = StopAndReadLog();
  ExpectNoSecrets(log,
                  {kDanaPin, kLeePin, kWrongPins[0], kWrongPins[1],
                   kWrongPins[2], kWrongPins[3], kWrongPins[4]},
                  {dana.session_token(), lee.session_token()});
}

// ---------------------------------------------------------------------------
// The end of a session.

TEST_F(SessionTest, SignOutEndsTheSessionAtOnce) {
  const std::string dana = SignedIn("s-17", kDanaPin);
  ASSERT_FALSE(dana.empty());
  ASSERT_TRUE(ListChecks(dana).ok());
  const grpc::Status out = SignOut(dana);
  ASSERT_TRUE(out.ok()) << out.error_message();

  EXPECT_TRUE(IsRefusedWith(GetSession(dana), grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  EXPECT_TRUE(IsRefusedWith(ListChecks(dana), grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  RecoveryCase flagged;
  SeedCheck("c-803", {1200});
  EXPECT_TRUE(IsRefusedWith(Flag(dana, "flag-c-803", "c-803", {"1"},
                                 "cold_food", v1::MINOR, &flagged),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  EXPECT_TRUE(IsRefusedWith(SignOut(dana), grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  // Her own token is untouched.
  EXPECT_TRUE(ListChecks(kServerToken).ok());
}

TEST_F(SessionTest, OnlyASessionSignsOut) {
  EXPECT_TRUE(IsRefusedWith(SignOut(kServerToken),
                            grpc::StatusCode::FAILED_PRECONDITION,
                            Error::NOT_A_SESSION));
  EXPECT_TRUE(IsRefusedWith(SignOut(kTabletToken),
                            grpc::StatusCode::FAILED_PRECONDITION,
                            Error::NOT_A_SESSION));
  EXPECT_TRUE(IsRefusedWith(SignOut("not-a-token"),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::UNAUTHENTICATED));
  EXPECT_TRUE(ListChecks(kServerToken).ok());
}

TEST_F(SessionTest, SigningInAgainOnTheTabletEndsTheEarlierSession) {
  const std::string first = SignedIn("s-17", kDanaPin);
  const std::string marco = SignedIn("s-22", kMarcoPin);
  const std::string second = SignedIn("s-17", kDanaPin);
  ASSERT_FALSE(first.empty());
  ASSERT_NE(first, second);
  EXPECT_TRUE(IsRefusedWith(GetSession(first),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  EXPECT_TRUE(GetSession(second).ok());
  EXPECT_TRUE(GetSession(marco).ok());
}

TEST_F(SessionTest, AnUnknownTokenIsNoEndedSession) {
  // 43 characters like a session token, but none was ever handed out.
  const std::string made_up(43, 'A');
  const grpc::Status status = GetSession(made_up);
  EXPECT_TRUE(IsRefusedWith(status, grpc::StatusCode::UNAUTHENTICATED,
                            Error::UNAUTHENTICATED));
}

TEST_F(SimulatedSessionTest, ThirtyMinutesWithoutACallEndTheSession) {
  const absl::Time start = Local(2026, 11, 20, 12, 0);
  ASSERT_NO_FATAL_FAILURE(StartAt(start));
  const std::string idle = SignedIn("s-17", kDanaPin);
  const std::string used = SignedIn("s-22", kMarcoPin);
  ASSERT_FALSE(idle.empty());
  ASSERT_FALSE(used.empty());

  ASSERT_TRUE(SetClock(start + absl::Minutes(20)).ok());
  EXPECT_TRUE(GetSession(used).ok());

  ASSERT_TRUE(SetClock(start + absl::Minutes(31)).ok());
  EXPECT_TRUE(IsRefusedWith(GetSession(idle), grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  EXPECT_TRUE(IsRefusedWith(ListChecks(idle), grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));

  // Used at +20, so live at +40...
  ASSERT_TRUE(SetClock(start + absl::Minutes(40)).ok());
  v1::Session session;
  const grpc::Status live = GetSession(used, &session);
  ASSERT_TRUE(live.ok()) << live.error_message();
  EXPECT_EQ(session.principal_id(), "s-22");
  // ...and ended 30 minutes after that.
  ASSERT_TRUE(SetClock(start + absl::Minutes(70)).ok());
  EXPECT_TRUE(IsRefusedWith(GetSession(used), grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));
  // Signing in again is the way back.
  EXPECT_FALSE(SignedIn("s-17", kDanaPin).empty());
}

TEST_F(SimulatedSessionTest, TheEndOfTheBusinessDayEndsTheSession) {
  const absl::Time start = Local(2026, 11, 20, 3, 50);
  ASSERT_NO_FATAL_FAILURE(StartAt(start));
  v1::SignInResponse signed_in;
  const grpc::Status status = SignIn("s-17", kDanaPin, &signed_in);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(core::FromProto(signed_in.session().expires_at()),
            Local(2026, 11, 20, 4, 0));
  const std::string token = signed_in.session_token();

  ASSERT_TRUE(SetClock(Local(2026, 11, 20, 3, 59)).ok());
  EXPECT_TRUE(GetSession(token).ok());
  // Two minutes since the last call, but a new business day.
  ASSERT_TRUE(SetClock(Local(2026, 11, 20, 4, 1)).ok());
  EXPECT_TRUE(IsRefusedWith(GetSession(token),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));

  // A session of the new day lasts to the next 04:00.
  v1::SignInResponse next;
  ASSERT_TRUE(SignIn("s-17", kDanaPin, &next).ok());
  EXPECT_EQ(core::FromProto(next.session().expires_at()),
            Local(2026, 11, 21, 4, 0));
}

TEST_F(SimulatedSessionTest, TheDayEndsAtFourLocalAcrossAClockChange) {
  // New York leaves daylight saving time at 02:00 on 2026-11-01: that
  // business day is 25 hours long.
  const absl::Time start = Local(2026, 10, 31, 12, 0);
  ASSERT_NO_FATAL_FAILURE(StartAt(start));
  v1::SignInResponse signed_in;
  const grpc::Status status = SignIn("s-17", kDanaPin, &signed_in);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const absl::Time expires = core::FromProto(signed_in.session().expires_at());
  EXPECT_EQ(expires, Local(2026, 11, 1, 4, 0));
  EXPECT_EQ(expires, absl::FromCivil(absl::CivilSecond(2026, 11, 1, 9, 0, 0),
                                     absl::UTCTimeZone()));
}

// ---------------------------------------------------------------------------
// Categories.

TEST_F(SessionTest, CategoriesComeInTheAskedLanguage) {
  const std::string marco = SignedIn("s-22", kMarcoPin);
  ASSERT_FALSE(marco.empty());

  const auto spanish = Categories(marco, "es");
  ASSERT_FALSE(spanish.empty());
  EXPECT_EQ(spanish[0].category_id(), "cold_food");
  EXPECT_EQ(spanish[0].label(), "Comida fría");
  EXPECT_EQ(spanish[0].guidance(),
            "Discúlpate, dale las gracias por decírtelo, retira el plato y "
            "pide a cocina que lo vuelva a preparar enseguida.");

  for (const char* language : {"", "fr", "xx-unknown"}) {
    const auto english = Categories(marco, language);
    ASSERT_FALSE(english.empty()) << language;
    EXPECT_EQ(english[0].category_id(), "cold_food") << language;
    EXPECT_EQ(english[0].label(), "Cold food") << language;
    EXPECT_EQ(english[0].guidance(),
              "Apologize, thank them for telling you, take the plate and have "
              "it refired right away.")
        << language;
  }

  // Every category of the sample, in its order, for any caller.
  std::vector<std::string> ids;
  for (const auto& category : Categories(kServerToken, "es")) {
    ids.push_back(category.category_id());
  }
  EXPECT_THAT(ids, ElementsAre("cold_food", "wrong_item", "long_wait",
                               "missing_item", "foreign_object", "quality",
                               "billing_error", "rude_service",
                               "defective_product", "lost_or_damaged_order"));
}

// ---------------------------------------------------------------------------
// Secrets stay out of the log.

TEST_F(SessionTest, NeitherPinsNorSessionTokensReachTheLog) {
  v1::SignInResponse dana, marco;
  ASSERT_TRUE(SignIn("s-17", kDanaPin, &dana).ok());
  ASSERT_TRUE(SignIn("s-22", kMarcoPin, &marco).ok());
  for (int i = 0; i < 3; ++i) {
    v1::SignInResponse response;
    EXPECT_TRUE(IsRefusedWith(SignIn("m-2", kWrongPins[i], &response),
                              grpc::StatusCode::UNAUTHENTICATED,
                              Error::WRONG_PIN));
  }
  ASSERT_TRUE(ListChecks(dana.session_token()).ok());
  ASSERT_TRUE(GetSession(marco.session_token()).ok());
  ASSERT_TRUE(SignOut(dana.session_token()).ok());
  EXPECT_TRUE(IsRefusedWith(GetSession(dana.session_token()),
                            grpc::StatusCode::UNAUTHENTICATED,
                            Error::SESSION_ENDED));

  const std::string log = StopAndReadLog();
  EXPECT_THAT(log, HasSubstr("stopped"));
  ExpectNoSecrets(
      log, {kDanaPin, kMarcoPin, kWrongPins[0], kWrongPins[1], kWrongPins[2]},
      {dana.session_token(), marco.session_token()});
}

// ---------------------------------------------------------------------------
// The HTTP listener carries PINs and session tokens: never in clear beyond
// loopback.

TEST(SessionHttpListenerTest, RefusesANonLoopbackAddressWithoutTls) {
  makegood::testing::TempDir dir;
  const std::string log_path = dir.File("makegoodd.log");
  auto daemon = DaemonProcess::Start(
      MAKEGOODD_BIN,
      {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0", "--http",
       "0.0.0.0:0", "--db", dir.File("makegood.db")},
      log_path);
  ASSERT_FALSE(daemon.ok()) << "makegoodd served HTTP on 0.0.0.0 without TLS";
  EXPECT_EQ(daemon.status().code(), absl::StatusCode::kInternal)
      << daemon.status();
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr("makegoodd exited with 1;"));
  const std::string log = ReadFileOrEmpty(log_path);
  EXPECT_THAT(log, HasSubstr("without TLS"));
  EXPECT_THAT(log, HasSubstr("0.0.0.0:0"));
}

}  // namespace
}  // namespace makegood
