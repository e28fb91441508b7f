// The store's gauges (store/store_metrics.h) as a scrape reads them, each
// family and label checked against a state set up for it. First registered
// by the test over a database of its own: cases in every status, remedies
// in every status, a backlog of commands at three locations (one of them
// empty, one stamped ahead of the store's clock), the oldest one's age by
// the injected clock, the WAL's size, write health failing and back; a
// database the reads fail on leaves their families without samples. Then
// through a SqliteStore, whose requests move them, and on a disk that
// refuses writes.

#include "store/store_metrics.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "store/migrations.h"
#include "store/outbox.h"
#include "store/reader_pool.h"
#include "store/sqlite_store.h"
#include "store/write_health.h"
#include "support/faulty_vfs.h"
#include "support/log_lines.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"
#include "telemetry/metrics.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;
using makegood::testing::LogLines;
using makegood::testing::TempDir;
using makegood::v1::AckCommandRequest;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kUptown[] = "uptown-02";
constexpr char kMidtown[] = "midtown-03";
// The store's clock at the start of each test.
const absl::Time kMetricsNow = absl::FromUnixSeconds(1795000000);

// The families RegisterStoreGauges adds.
constexpr const char* kStoreFamilies[] = {
    "makegood_store_wal_bytes",
    "makegood_store_writable",
    "makegood_outbox_backlog_commands",
    "makegood_outbox_oldest_unacked_age_seconds",
    "makegood_cases_open",
    "makegood_remedies",
};

bool IsStoreFamily(absl::string_view name) {
  for (const char* family : kStoreFamilies) {
    if (name == family) return true;
  }
  return false;
}

// The samples of the store's families in an exposition text, each series
// as written ("name{label=\"value\"}") with its value; the other families
// (the writer's histograms, say) are left out.
std::map<std::string, double> StoreSamples(absl::string_view text) {
  std::map<std::string, double> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    const size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) {
      ADD_FAILURE() << "not a sample: " << line;
      continue;
    }
    const absl::string_view series = line.substr(0, space);
    if (!IsStoreFamily(series.substr(0, series.find('{')))) continue;
    double value = 0;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &value)) << line;
    EXPECT_FALSE(samples.contains(std::string(series))) << "twice: " << line;
    samples[std::string(series)] = value;
  }
  return samples;
}

std::string Series(absl::string_view family, absl::string_view label,
                   absl::string_view value) {
  return absl::StrCat(family, "{", label, "=\"", value, "\"}");
}

// What the store's gauges should read at a scrape.
struct Expected {
  double wal_bytes = 0;
  double writable = 1;
  // By location id: the commands not acknowledged, and the oldest one's age
  // in seconds.
  std::map<std::string, std::pair<double, double>> outbox;
  double cases_open = 0;
  // Remedies by AppliedRemedy.Status, in the enum's order.
  struct RemedyCounts {
    double pending_approval = 0;
    double denied = 0;
    double sent = 0;
    double applied = 0;
    double rejected = 0;
  };
  RemedyCounts remedies = {};
};

std::map<std::string, double> SamplesOf(const Expected& expected) {
  std::map<std::string, double> samples = {
      {"makegood_store_wal_bytes", expected.wal_bytes},
      {"makegood_store_writable", expected.writable},
      {"makegood_cases_open", expected.cases_open},
      {Series("makegood_remedies", "status", "PENDING_APPROVAL"),
       expected.remedies.pending_approval},
      {Series("makegood_remedies", "status", "DENIED"),
       expected.remedies.denied},
      {Series("makegood_remedies", "status", "SENT"), expected.remedies.sent},
      {Series("makegood_remedies", "status", "APPLIED"),
       expected.remedies.applied},
      {Series("makegood_remedies", "status", "REJECTED"),
       expected.remedies.rejected},
  };
  for (const auto& [location, outbox] : expected.outbox) {
    samples[Series("makegood_outbox_backlog_commands", "location", location)] =
        outbox.first;
    samples[Series("makegood_outbox_oldest_unacked_age_seconds", "location",
                   location)] = outbox.second;
  }
  return samples;
}

// The size of the -wal file beside `database`.
double WalBytes(const std::string& database) {
  return static_cast<double>(std::filesystem::file_size(database + "-wal"));
}

// A migrated database written by the test on a connection of its own, with
// three registered locations; the gauges are registered by each test.
class StoreGaugesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Connection::Open(path(), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(Migrate(*db_).ok());
    for (const char* location : {kLocation, kUptown, kMidtown}) {
      Exec(absl::StrCat("INSERT INTO locations VALUES('", location,
                        "','USD','America/New_York')"));
    }
  }

  void Exec(const std::string& sql) {
    const absl::Status status = db_->Exec(sql.c_str());
    ASSERT_TRUE(status.ok()) << status;
  }

  // `count` cases of `location` in `status`, ids "<prefix>-1" on.
  void AddCases(const std::string& prefix, const std::string& location,
                RecoveryCase::Status status, int count) {
    for (int i = 1; i <= count; ++i) {
      Exec(absl::StrCat(
          "INSERT INTO cases(case_id, location_id, check_id, status, "
          "flagged_by, flagged_at_us, business_day, body) VALUES('",
          prefix, "-", i, "','", location, "','c-", prefix, "-", i, "',",
          static_cast<int>(status), ",'s-17',", absl::ToUnixMicros(kMetricsNow),
          ",'2026-11-20',x'')"));
    }
  }

  // `count` comps of case `case_id` in `status`, ids "<prefix>-1" on.
  void AddRemedies(const std::string& prefix, const std::string& case_id,
                   AppliedRemedy::Status status, int count) {
    for (int i = 1; i <= count; ++i) {
      Exec(absl::StrCat(
          "INSERT INTO remedies(application_id, case_id, location_id, "
          "check_id, kind, status, cost_minor, requested_by, business_day, "
          "requested_at_us) VALUES('",
          prefix, "-", i, "','", case_id, "','", kLocation, "','c-", case_id,
          "',", static_cast<int>(makegood::v1::COMP_ITEM), ",",
          static_cast<int>(status), ",1800,'s-17','2026-11-20',",
          absl::ToUnixMicros(kMetricsNow), ")"));
    }
  }

  // A refire command of `location` created at `at`.
  void AddCommand(const std::string& id, const std::string& location,
                  absl::Time at) {
    makegood::v1::RemedyCommand command;
    command.set_command_id(id);
    command.set_case_id("RC-" + id);
    command.set_location_id(location);
    *command.mutable_created_at() = core::ToProto(at);
    command.mutable_apply_remedy()->set_kind(makegood::v1::REMAKE);
    const absl::Status enqueued = EnqueueCommand(*db_, command, "RA-" + id);
    ASSERT_TRUE(enqueued.ok()) << enqueued;
  }

  void Ack(const std::string& id, absl::Time at) {
    AckCommandRequest ack;
    ack.set_command_id(id);
    ack.set_result(AckCommandRequest::APPLIED);
    const absl::Status recorded = RecordAck(*db_, ack, absl::ToUnixMicros(at));
    ASSERT_TRUE(recorded.ok()) << recorded;
  }

  std::vector<telemetry::GaugeRegistration> Register(
      const std::string& database, ReaderPool& readers) {
    return RegisterStoreGauges(metrics_,
                               StoreGaugeSources{.database_path = database,
                                                 .health = &health_,
                                                 .readers = &readers,
                                                 .clock = &clock_});
  }

  std::string path() const { return dir_.File("m.db"); }

  TempDir dir_;
  core::FakeClock clock_{kMetricsNow};
  LogLines log_;
  WriteHealth health_{log_.Callback()};
  std::unique_ptr<Connection> db_;
  telemetry::MetricsRegistry metrics_;
};

TEST_F(StoreGaugesTest, EachFamilyReadsWhatTheDatabaseHoldsAtEachScrape) {
  // Cases in every status, the OPEN one at another location: 1 + 2 + 3 are
  // not closed.
  AddCases("open", kUptown, RecoveryCase::OPEN, 1);
  AddCases("pending", kLocation, RecoveryCase::PENDING_APPROVAL, 2);
  AddCases("applied", kLocation, RecoveryCase::REMEDY_APPLIED, 3);
  AddCases("resolved", kLocation, RecoveryCase::RESOLVED, 4);
  AddCases("left", kLocation, RecoveryCase::GUEST_LEFT, 5);
  // A different number of remedies in each status; none REJECTED yet.
  AddRemedies("p", "pending-1", AppliedRemedy::PENDING_APPROVAL, 1);
  AddRemedies("d", "applied-1", AppliedRemedy::DENIED, 2);
  AddRemedies("s", "applied-2", AppliedRemedy::SENT, 3);
  AddRemedies("a", "resolved-1", AppliedRemedy::APPLIED, 4);
  // Downtown: three commands wait, the oldest 90 s old; an older one is
  // acknowledged. Uptown: none. Midtown: one stamped a minute after the
  // store's clock (a caller's clock ahead of it). A location never
  // registered: not reported.
  AddCommand("CMD-d0", kLocation, kMetricsNow - absl::Minutes(5));
  Ack("CMD-d0", kMetricsNow - absl::Minutes(4));
  AddCommand("CMD-d1", kLocation, kMetricsNow - absl::Seconds(90));
  AddCommand("CMD-d2", kLocation, kMetricsNow - absl::Milliseconds(30500));
  AddCommand("CMD-d3", kLocation, kMetricsNow - absl::Seconds(10));
  AddCommand("CMD-m1", kMidtown, kMetricsNow + absl::Minutes(1));
  AddCommand("CMD-g1", "ghost-09", kMetricsNow - absl::Hours(1));

  ReaderPool readers(path(), /*max_idle=*/1);
  std::vector<telemetry::GaugeRegistration> gauges = Register(path(), readers);
  EXPECT_EQ(gauges.size(), 6u);
  std::map<std::string, double> samples = StoreSamples(metrics_.Render());
  EXPECT_GT(WalBytes(path()), 0);
  EXPECT_EQ(samples, SamplesOf({.wal_bytes = WalBytes(path()),
                                .outbox = {{kLocation, {3, 90}},
                                           {kMidtown, {1, 0}},
                                           {kUptown, {0, 0}}},
                                .cases_open = 6,
                                .remedies = {.pending_approval = 1,
                                             .denied = 2,
                                             .sent = 3,
                                             .applied = 4}}));

  // Ten seconds on, CMD-d1 acknowledged: CMD-d2 is the oldest, 40.5 s old;
  // the one of midtown is still ahead of the clock. A SENT remedy rejected,
  // a case resolved.
  clock_.Advance(absl::Seconds(10));
  Ack("CMD-d1", clock_.Now());
  Exec(absl::StrCat(
      "UPDATE remedies SET status=", static_cast<int>(AppliedRemedy::REJECTED),
      " WHERE application_id='s-1'"));
  Exec(absl::StrCat(
      "UPDATE cases SET status=", static_cast<int>(RecoveryCase::RESOLVED),
      " WHERE case_id='applied-3'"));
  samples = StoreSamples(metrics_.Render());
  EXPECT_EQ(samples, SamplesOf({.wal_bytes = WalBytes(path()),
                                .outbox = {{kLocation, {2, 40.5}},
                                           {kMidtown, {1, 0}},
                                           {kUptown, {0, 0}}},
                                .cases_open = 5,
                                .remedies = {.pending_approval = 1,
                                             .denied = 2,
                                             .sent = 2,
                                             .applied = 4,
                                             .rejected = 1}}));

  // Unregistered, the families are still described but read no more.
  gauges.clear();
  const std::string text = metrics_.Render();
  EXPECT_THAT(StoreSamples(text), IsEmpty());
  for (const char* family : kStoreFamilies) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", family, " gauge\n")));
  }
}

TEST_F(StoreGaugesTest, TheWritableGaugeIsZeroWhileWritesAreRefused) {
  ReaderPool readers(path(), /*max_idle=*/1);
  std::vector<telemetry::GaugeRegistration> gauges = Register(path(), readers);
  const auto writable = [&] {
    return StoreSamples(metrics_.Render()).at("makegood_store_writable");
  };
  EXPECT_EQ(writable(), 1);

  health_.Failed(WriteFault::kFull,
                 absl::ResourceExhaustedError("database or disk is full"), 1);
  EXPECT_EQ(writable(), 0);
  // Another fault in the same episode: still refused.
  health_.Failed(WriteFault::kUnavailable,
                 absl::InternalError("disk I/O error"), 1);
  EXPECT_EQ(writable(), 0);
  // A job's own error says nothing of the disk.
  health_.Committed();
  health_.Failed(WriteFault::kNone, absl::InternalError("no such table"), 1);
  EXPECT_EQ(writable(), 1);
  EXPECT_EQ(log_.Count("store: cannot write (disk full)"), 1);
  EXPECT_EQ(log_.Count("store: writing again; 2 writes were refused"), 1);
  // The other families read on meanwhile.
  EXPECT_EQ(StoreSamples(metrics_.Render()).at("makegood_cases_open"), 0);
}

TEST_F(StoreGaugesTest, AFamilyWhoseReadFailsHasNoSamplesAndTheOthersStillDo) {
  // A database without the store's tables (the readers create it empty),
  // and without a WAL.
  const std::string bare = dir_.File("bare.db");
  ReaderPool readers(bare, /*max_idle=*/1);
  std::vector<telemetry::GaugeRegistration> gauges = Register(bare, readers);

  const std::string text = metrics_.Render();
  EXPECT_EQ(StoreSamples(text), (std::map<std::string, double>{
                                    {"makegood_store_wal_bytes", 0},
                                    {"makegood_store_writable", 1},
                                }));
  for (const char* family : kStoreFamilies) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", family, " gauge\n")));
  }
  EXPECT_FALSE(std::filesystem::exists(bare + "-wal"));

  // What those reads were told.
  auto db = Connection::Open(bare, /*read_only=*/true);
  ASSERT_TRUE(db.ok()) << db.status();
  auto open = CountOpenCases(**db);
  EXPECT_EQ(open.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(open.status().message()),
              HasSubstr("no such table: cases"));
  auto remedies = CountRemediesByStatus(**db);
  EXPECT_EQ(remedies.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(remedies.status().message()),
              HasSubstr("no such table: remedies"));
  auto backlog = ReadOutboxBacklog(**db);
  EXPECT_EQ(backlog.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(backlog.status().message()),
              HasSubstr("no such table"));
}

TEST_F(StoreGaugesTest, RemediesAreCountedForEveryStatusInTheEnumsOrder) {
  AddCases("applied", kLocation, RecoveryCase::REMEDY_APPLIED, 1);
  AddRemedies("s", "applied-1", AppliedRemedy::SENT, 2);
  AddRemedies("r", "applied-1", AppliedRemedy::REJECTED, 1);

  auto counts = CountRemediesByStatus(*db_);
  ASSERT_TRUE(counts.ok()) << counts.status();
  std::vector<std::pair<AppliedRemedy::Status, int64_t>> seen;
  for (const RemedyStatusCount& count : *counts) {
    seen.emplace_back(count.status, count.remedies);
  }
  EXPECT_EQ(seen, (std::vector<std::pair<AppliedRemedy::Status, int64_t>>{
                      {AppliedRemedy::PENDING_APPROVAL, 0},
                      {AppliedRemedy::DENIED, 0},
                      {AppliedRemedy::SENT, 2},
                      {AppliedRemedy::APPLIED, 0},
                      {AppliedRemedy::REJECTED, 1},
                  }));
  auto open = CountOpenCases(*db_);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(*open, 1);
}

// ---------------------------------------------------------------------------
// Through the store.

constexpr char kMetricsConfig[] = R"pb(
  location { id: "downtown-01" currency: "USD" timezone: "America/New_York" }
  staff { id: "s-17" name: "Dana" role: SERVER }
  staff { id: "m-2" name: "Lee" role: MANAGER }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  remedies { id: "comp_item" kind: COMP_ITEM }
  policy { offer: "refire" offer: "comp_item" }
  authority {
    roles { role: SERVER max_per_case: "25.00" }
    roles { role: MANAGER max_per_case: "200.00" }
  }
  recurring { count: 3 window_minutes: 90 }
)pb";

// Runs `submit` with a callback and waits for the answer it gets.
template <typename Result, typename Submit>
absl::StatusOr<Result> Wait(Submit submit) {
  absl::Notification done;
  absl::StatusOr<Result> result;
  submit([&](absl::StatusOr<Result> answer) {
    result = std::move(answer);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

// A store reporting to a registry, its clock a FakeClock at kMetricsNow, with
// two locations registered. Its maintenance stays out of the way, so that only
// the test's requests write to the WAL.
class StoreMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    makegood::v1::Config config;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kMetricsConfig, &config));
    auto rules = core::RecoveryRules::Compile(config);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::make_unique<core::RecoveryRules>(*std::move(rules));
    SqliteStoreOptions options;
    options.path = db_path();
    options.clock = &clock_;
    options.metrics = &metrics_;
    options.log = log_.Callback();
    options.checkpoint_interval = absl::Hours(1);
    options.cleanup_interval = absl::Hours(1);
    auto store = SqliteStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->RegisterLocation(config.location()).ok());
    makegood::v1::Location uptown;
    uptown.set_id(kUptown);
    uptown.set_currency("USD");
    uptown.set_timezone("America/Chicago");
    ASSERT_TRUE(store_->RegisterLocation(uptown).ok());
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  RecoveryCall Call(const std::string& actor, makegood::v1::Role role) const {
    RecoveryCall call;
    call.actor_id = actor;
    call.actor_role = role;
    call.now = clock_.Now();
    call.rules = rules_.get();
    return call;
  }

  // A check opened now with one line (42.00), flagged by s-17; the case's
  // id.
  std::string Flag(const std::string& check) {
    const absl::Time now = clock_.Now();
    EXPECT_TRUE(AppendEventsAndWait(*store_,
                                    {CheckOpened(check + "-open", check, now),
                                     ItemAdded(check + "-1", check, "1", now)},
                                    now)
                    .ok());
    makegood::v1::FlagProblemRequest request;
    request.set_request_id(NextRequestId());
    request.set_check_id(check);
    request.add_line_ids("1");
    request.set_category_id("quality");
    request.set_severity(makegood::v1::MINOR);
    auto flagged = Wait<RecoveryResult>([&](auto done) {
      store_->FlagProblem(Call("s-17", makegood::v1::SERVER), request, done);
    });
    EXPECT_TRUE(flagged.ok()) << flagged.status();
    return flagged.ok() ? flagged->recovery.case_id() : "";
  }

  // s-17 applies `option` (o1 the refire, o2 the comp).
  absl::StatusOr<RecoveryResult> Apply(const std::string& case_id,
                                       const std::string& option) {
    makegood::v1::ApplyRemedyRequest request;
    request.set_request_id(NextRequestId());
    request.set_case_id(case_id);
    request.set_option_id(option);
    return Wait<RecoveryResult>([&](auto done) {
      store_->ApplyRemedy(Call("s-17", makegood::v1::SERVER), request, done);
    });
  }

  // The one command a request sent; "" (and a failure) otherwise.
  static std::string SentCommand(const absl::StatusOr<RecoveryResult>& sent) {
    EXPECT_TRUE(sent.ok()) << sent.status();
    if (!sent.ok()) return "";
    EXPECT_EQ(sent->commands.size(), 1u);
    return sent->commands.empty() ? "" : sent->commands[0].command_id();
  }

  absl::Status Deny(const std::string& case_id,
                    const std::string& application_id) {
    makegood::v1::ApproveRemedyRequest request;
    request.set_request_id(NextRequestId());
    request.set_case_id(case_id);
    request.set_remedy_application_id(application_id);
    request.set_approve(false);
    request.set_reason("a refire is enough here");
    return Wait<RecoveryResult>([&](auto done) {
             store_->ApproveRemedy(Call("m-2", makegood::v1::MANAGER), request,
                                   done);
           })
        .status();
  }

  absl::Status Ack(const std::string& command_id,
                   AckCommandRequest::Result result) {
    AckCommandRequest request;
    request.set_request_id(NextRequestId());
    request.set_command_id(command_id);
    request.set_result(result);
    return Wait<AckResult>([&](auto done) {
             store_->AckCommand(Call("pos-1", makegood::v1::ADAPTER), request,
                                done);
           })
        .status();
  }

  absl::Status Outcome(const std::string& case_id,
                       makegood::v1::GuestResponse response) {
    makegood::v1::RecordOutcomeRequest request;
    request.set_request_id(NextRequestId());
    request.set_case_id(case_id);
    request.set_guest_response(response);
    return Wait<RecoveryResult>([&](auto done) {
             store_->RecordOutcome(Call("s-17", makegood::v1::SERVER), request,
                                   done);
           })
        .status();
  }

  std::string NextRequestId() { return absl::StrCat("req-", ++requests_); }
  std::map<std::string, double> Scrape() {
    return StoreSamples(metrics_.Render());
  }
  std::string db_path() const { return dir_.File("s.db"); }

  TempDir dir_;
  core::FakeClock clock_{kMetricsNow};
  LogLines log_;
  telemetry::MetricsRegistry metrics_;  // Outlives the store.
  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<SqliteStore> store_;
  int requests_ = 0;
};

TEST_F(StoreMetricsTest, TheGaugesFollowTheRequestsThatMoveCommandsAndCases) {
  EXPECT_EQ(Scrape(),
            SamplesOf({.wal_bytes = WalBytes(db_path()),
                       .outbox = {{kLocation, {0, 0}}, {kUptown, {0, 0}}}}));

  // A flagged, then its refire sent now: one command, as old as the clock.
  const std::string a = Flag("c1");
  EXPECT_EQ(Scrape(),
            SamplesOf({.wal_bytes = WalBytes(db_path()),
                       .outbox = {{kLocation, {0, 0}}, {kUptown, {0, 0}}},
                       .cases_open = 1}));
  const std::string a_command = SentCommand(Apply(a, "o1"));
  EXPECT_EQ(Scrape(),
            SamplesOf({.wal_bytes = WalBytes(db_path()),
                       .outbox = {{kLocation, {1, 0}}, {kUptown, {0, 0}}},
                       .cases_open = 1,
                       .remedies = {.sent = 1}}));

  // 90 s later B's refire is sent, and C's comp (42.00, over the server's
  // 25.00) waits for approval; 30 s after that, A's command is 120 s old.
  clock_.Advance(absl::Seconds(90));
  const std::string b = Flag("c2");
  const std::string b_command = SentCommand(Apply(b, "o1"));
  const std::string c = Flag("c3");
  auto c_comp = Apply(c, "o2");
  ASSERT_TRUE(c_comp.ok()) << c_comp.status();
  ASSERT_EQ(c_comp->recovery.status(), RecoveryCase::PENDING_APPROVAL);
  ASSERT_EQ(c_comp->recovery.remedies_size(), 1);
  EXPECT_TRUE(c_comp->commands.empty());
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(Scrape(),
            SamplesOf({.wal_bytes = WalBytes(db_path()),
                       .outbox = {{kLocation, {2, 120}}, {kUptown, {0, 0}}},
                       .cases_open = 3,
                       .remedies = {.pending_approval = 1, .sent = 2}}));

  // A's command applied: B's is the oldest left, 30 s old.
  ASSERT_EQ(Ack(a_command, AckCommandRequest::APPLIED), absl::OkStatus());
  EXPECT_EQ(Scrape(),
            SamplesOf({.wal_bytes = WalBytes(db_path()),
                       .outbox = {{kLocation, {1, 30}}, {kUptown, {0, 0}}},
                       .cases_open = 3,
                       .remedies = {
                           .pending_approval = 1, .sent = 1, .applied = 1}}));

  // B's command rejected, C's comp denied: nothing waits, and both cases
  // are open for their next offer.
  ASSERT_EQ(Ack(b_command, AckCommandRequest::REJECTED), absl::OkStatus());
  ASSERT_EQ(Deny(c, c_comp->recovery.remedies(0).remedy_application_id()),
            absl::OkStatus());
  Expected now = {.wal_bytes = WalBytes(db_path()),
                  .outbox = {{kLocation, {0, 0}}, {kUptown, {0, 0}}},
                  .cases_open = 3,
                  .remedies = {.denied = 1, .applied = 1, .rejected = 1}};
  EXPECT_EQ(Scrape(), SamplesOf(now));

  // A resolved and B's guest gone: C alone is open.
  ASSERT_EQ(Outcome(a, makegood::v1::ACCEPTED), absl::OkStatus());
  ASSERT_EQ(Outcome(b, makegood::v1::LEFT), absl::OkStatus());
  now.wal_bytes = WalBytes(db_path());
  now.cases_open = 1;
  EXPECT_EQ(Scrape(), SamplesOf(now));

  // Gone with the store.
  store_->Shutdown();
  store_.reset();
  EXPECT_THAT(Scrape(), IsEmpty());
}

TEST(StoreMetricsFaultTest, TheStoreIsNotWritableWhileItsDiskIsFull) {
  makegood::testing::FaultyVfs vfs;  // First: the store's connections use it.
  TempDir dir;
  LogLines log;
  telemetry::MetricsRegistry metrics;
  absl::Mutex mu;
  bool can_write = false;
  SqliteStoreOptions options;
  options.path = dir.File("s.db");
  options.log = log.Callback();
  options.metrics = &metrics;
  options.checkpoint_interval = absl::Hours(1);
  options.cleanup_interval = absl::Hours(1);
  options.write_probe_interval = absl::Milliseconds(20);
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  makegood::v1::Location location;
  location.set_id(kLocation);
  location.set_currency("USD");
  location.set_timezone("America/New_York");
  ASSERT_TRUE((*store)->RegisterLocation(location).ok());
  (*store)->WatchWriteHealth([&](bool ok) {
    absl::MutexLock lock(&mu);
    can_write = ok;
  });
  const std::string backlog =
      Series("makegood_outbox_backlog_commands", "location", kLocation);
  std::map<std::string, double> samples = StoreSamples(metrics.Render());
  EXPECT_EQ(samples.at("makegood_store_writable"), 1);
  EXPECT_EQ(samples.at(backlog), 0);

  vfs.FailWrites("/s.db-wal", SQLITE_FULL);
  const absl::Status refused =
      AppendEventsAndWait(**store, {CheckOpened("e1", "c1", kMetricsNow)},
                          kMetricsNow)
          .status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_EQ(core::ReasonOf(refused), makegood::v1::Error::STORE_FULL);
  samples = StoreSamples(metrics.Render());
  EXPECT_EQ(samples.at("makegood_store_writable"), 0);
  EXPECT_EQ(samples.at(backlog), 0);  // Reads go on.

  // The writer's probe finds the disk back.
  vfs.Heal();
  {
    absl::MutexLock lock(&mu);
    const auto told = [&] { return can_write; };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&told), absl::Seconds(10)));
  }
  EXPECT_EQ(StoreSamples(metrics.Render()).at("makegood_store_writable"), 1);
  EXPECT_TRUE(AppendEventsAndWait(
                  **store, {CheckOpened("e1", "c1", kMetricsNow)}, kMetricsNow)
                  .ok());
  (*store)->WatchWriteHealth(nullptr);
  (*store)->Shutdown();
}

}  // namespace
}  // namespace makegood::store
