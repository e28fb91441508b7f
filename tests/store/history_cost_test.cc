// However long a location's history, each request of the recovery path,
// and the manager screen's snapshot, reads the same rows. The measure is
// SQLite's count of virtual-machine steps (SQLITE_STMTSTATUS_VM_STEP) over
// every statement a request runs, on a database holding a few earlier cases
// and on one holding a thousand. A statement whose plan walks the history (an
// index used on location_id alone, a scan of a table) takes steps in
// proportion to it: a count shows that exactly, where a clock on a shared
// machine would blur it.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "store/event_projection.h"
#include "store/idempotency.h"
#include "store/recovery_flow.h"
#include "store/sqlite_store.h"
#include "store/watch_queries.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::kLocation;

constexpr char kHistoryConfig[] = R"pb(
  location { id: "downtown-01" currency: "USD" timezone: "America/New_York" }
  categories { id: "quality" label: "Quality" }
  remedies { id: "refire" kind: REMAKE }
  policy { offer: "refire" }
  recurring { count: 3 window_minutes: 90 }
)pb";

// 2026-06-01 20:00 UTC, an evening in New York; the history is before it.
const absl::Time kHistoryNow = absl::FromUnixSeconds(1780344000);
constexpr char kManager[] = "m-1";

// The steps every statement prepared on `db` took since the last call; each
// statement's count is reset. The connection caches every statement it
// prepares (sqlite::Connection::Prepare), so none is missed.
int64_t TakeSteps(sqlite3* db) {
  int64_t steps = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr;
       s = sqlite3_next_stmt(db, s)) {
    steps += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, /*reset=*/1);
  }
  return steps;
}

// A location's database with `history` closed cases before kHistoryNow, each on
// its own check: flagged, its refire applied and acknowledged by the POS,
// the guest's acceptance recorded. Then one more check flagged and carried
// through the same requests at kHistoryNow, each request's steps kept by name.
class Location {
 public:
  explicit Location(int history) : history_(history) {}

  // Creates the database, writes the history and measures the requests.
  void Run() {
    makegood::v1::Config config;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kHistoryConfig, &config));
    auto rules = core::RecoveryRules::Compile(config);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = std::make_unique<core::RecoveryRules>(*std::move(rules));
    {
      // The store migrates the file and registers the location, as
      // makegoodd does; the requests then run on a connection of the test's
      // own, the way the store's writer runs them.
      SqliteStoreOptions options;
      options.path = dir_.File("history.db");
      auto store = SqliteStore::Open(options);
      ASSERT_TRUE(store.ok()) << store.status();
      ASSERT_TRUE((*store)->RegisterLocation(config.location()).ok());
      (*store)->Shutdown();
    }
    auto db = sqlite::Connection::Open(dir_.File("history.db"), false);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);

    ASSERT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < history_; ++i) {
      // Six hours apart: about 250 days for a thousand cases.
      CarryThrough(absl::StrCat("h", i),
                   kHistoryNow - absl::Hours(6) * (i + 1));
      if (::testing::Test::HasFatalFailure()) return;
    }
    ASSERT_TRUE(db_->Exec("COMMIT").ok());

    measuring_ = true;
    TakeSteps(db_->raw());
    CarryThrough("today", kHistoryNow);
    if (::testing::Test::HasFatalFailure()) return;
    WatchSnapshotQuery watch;
    watch.location_id = kLocation;
    watch.recurring_from = kHistoryNow - absl::Hours(12);
    watch.recurring_to = kHistoryNow + absl::Hours(12);
    auto snapshot = ReadWatchSnapshotRows(*db_, watch);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    steps_["ReadWatchSnapshot"] = TakeSteps(db_->raw());
  }

  const std::map<std::string, int64_t>& steps() const { return steps_; }

 private:
  // One check opened at `at` and its case through every request of the
  // recovery path.
  void CarryThrough(const std::string& check, absl::Time at) {
    Measure("AppendEvent", [&]() -> absl::Status {
      for (const auto& event : {CheckOpened(check + "-o", check, at),
                                ItemAdded(check + "-a", check, "1", at)}) {
        auto appended = AppendEvent(*db_, event, absl::ToUnixMicros(at));
        if (!appended.ok()) return appended.status();
      }
      return absl::OkStatus();
    });

    makegood::v1::FlagProblemRequest flag;
    flag.set_request_id(check + "-flag");
    flag.set_check_id(check);
    flag.add_line_ids("1");
    flag.set_category_id("quality");
    flag.set_severity(makegood::v1::MINOR);
    RecoveryResult flagged;
    Submit("FlagProblem", flag, at, FlagProblemInTransaction, flagged);
    if (::testing::Test::HasFatalFailure()) return;

    makegood::v1::ApplyRemedyRequest apply;
    apply.set_request_id(check + "-apply");
    apply.set_case_id(flagged.recovery.case_id());
    apply.set_option_id("o1");
    RecoveryResult applied;
    Submit("ApplyRemedy", apply, at + absl::Minutes(2),
           ApplyRemedyInTransaction, applied);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_EQ(applied.commands.size(), 1u) << check;

    makegood::v1::AckCommandRequest ack;
    ack.set_request_id(check + "-ack");
    ack.set_command_id(applied.commands[0].command_id());
    ack.set_result(makegood::v1::AckCommandRequest::APPLIED);
    AckResult acked;
    Submit("AckCommand", ack, at + absl::Minutes(3), AckCommandInTransaction,
           acked);
    if (::testing::Test::HasFatalFailure()) return;

    makegood::v1::RecordOutcomeRequest outcome;
    outcome.set_request_id(check + "-outcome");
    outcome.set_case_id(flagged.recovery.case_id());
    outcome.set_guest_response(makegood::v1::ACCEPTED);
    RecoveryResult closed;
    Submit("RecordOutcome", outcome, at + absl::Minutes(10),
           RecordOutcomeInTransaction, closed);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_EQ(closed.recovery.status(), makegood::v1::RecoveryCase::RESOLVED);
  }

  // A request as SqliteStore::SubmitIdempotent runs it on the writer: the
  // caller's stored answer looked up, the work done, the answer saved.
  template <typename RequestProto, typename Result, typename Work>
  void Submit(const char* method, const RequestProto& request, absl::Time at,
              Work work, Result& result) {
    RecoveryCall call;
    call.actor_id = kManager;
    call.actor_role = makegood::v1::MANAGER;
    call.now = at;
    call.rules = rules_.get();
    const std::string fingerprint =
        RequestFingerprint(method, kManager, request);
    Measure(method, [&]() -> absl::Status {
      auto stored =
          FindAnswer(*db_, kManager, request.request_id(), method, fingerprint);
      if (!stored.ok()) return stored.status();
      if (stored->has_value()) {
        return absl::AlreadyExistsError(
            absl::StrCat(request.request_id(), " was answered before"));
      }
      auto done = work(*db_, call, request);
      if (!done.ok()) return done.status();
      result = *std::move(done);
      return SaveAnswer(*db_, kManager, request.request_id(), method,
                        fingerprint, "answer", at);
    });
  }

  // Runs `request`; once measuring, keeps its steps under `name`.
  void Measure(const std::string& name,
               const std::function<absl::Status()>& request) {
    absl::Status status = request();
    ASSERT_TRUE(status.ok()) << name << ": " << status;
    if (measuring_) steps_[name] = TakeSteps(db_->raw());
  }

  const int history_;
  makegood::testing::TempDir dir_;
  std::unique_ptr<core::RecoveryRules> rules_;
  std::unique_ptr<sqlite::Connection> db_;
  bool measuring_ = false;
  std::map<std::string, int64_t> steps_;
};

TEST(HistoryCostTest,
     EachRequestTakesAsManyStepsAfterAThousandCasesAsAfterTen) {
  Location small(10), large(1000);
  small.Run();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  large.Run();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  ASSERT_EQ(small.steps().size(), 6u);
  for (const auto& [request, steps] : small.steps()) {
    ASSERT_GT(steps, 0) << request;
    const int64_t after_a_thousand = large.steps().at(request);
    // A request that read one row more per earlier case would take at
    // least a thousand steps more; a B-tree one level deeper takes none
    // (a seek is one step at any depth). A little room for the few rows
    // whose count does differ: a longer case id, a ledger sequence.
    EXPECT_LE(after_a_thousand, steps + steps / 20 + 10)
        << request << " took " << steps << " steps after 10 cases and "
        << after_a_thousand << " after 1000";
  }
}

}  // namespace
}  // namespace makegood::store
