// Request ids are scoped per caller: one caller's id never returns another
// caller's stored answer and never refuses another caller's request.

#include "store/idempotency.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "makegood/v1/recovery.pb.h"
#include "store/migrations.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

makegood::v1::FlagProblemRequest Request(const std::string& request_id,
                                         const std::string& check_id) {
  makegood::v1::FlagProblemRequest request;
  request.set_request_id(request_id);
  request.set_check_id(check_id);
  request.set_category_id("cold_food");
  return request;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Connection::Open(dir_.File("i.db"), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  makegood::testing::TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(IdempotencyTest, TheSameIdFromTwoCallersIsTwoRequests) {
  ASSERT_TRUE(Migrate(*db_).ok());
  const std::string dana =
      RequestFingerprint("FlagProblem", "s-17", Request("r1", "c1"));
  const std::string marco =
      RequestFingerprint("FlagProblem", "s-22", Request("r1", "c2"));
  ASSERT_TRUE(
      SaveAnswer(*db_, "s-17", "r1", "FlagProblem", dana, "dana's", kNow).ok());

  // Marco's r1 is new to him: neither Dana's answer nor a refusal.
  auto found = FindAnswer(*db_, "s-22", "r1", "FlagProblem", marco);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  ASSERT_TRUE(
      SaveAnswer(*db_, "s-22", "r1", "FlagProblem", marco, "marco's", kNow)
          .ok());

  // Each caller's retry gets their own answer.
  found = FindAnswer(*db_, "s-17", "r1", "FlagProblem", dana);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->value_or(""), "dana's");
  found = FindAnswer(*db_, "s-22", "r1", "FlagProblem", marco);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->value_or(""), "marco's");
}

TEST_F(IdempotencyTest, TheSameCallerReusingAnIdForAnotherRequestIsRefused) {
  ASSERT_TRUE(Migrate(*db_).ok());
  const std::string first =
      RequestFingerprint("FlagProblem", "s-17", Request("r1", "c1"));
  ASSERT_TRUE(
      SaveAnswer(*db_, "s-17", "r1", "FlagProblem", first, "first", kNow).ok());
  const std::string other_body =
      RequestFingerprint("FlagProblem", "s-17", Request("r1", "c2"));
  EXPECT_EQ(
      FindAnswer(*db_, "s-17", "r1", "FlagProblem", other_body).status().code(),
      absl::StatusCode::kAlreadyExists);
  const std::string other_method =
      RequestFingerprint("ApplyRemedy", "s-17", Request("r1", "c1"));
  EXPECT_EQ(FindAnswer(*db_, "s-17", "r1", "ApplyRemedy", other_method)
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(IdempotencyTest, ExpiredRecordsAreDeletedByTheGivenTime) {
  ASSERT_TRUE(Migrate(*db_).ok());
  const std::string fingerprint =
      RequestFingerprint("FlagProblem", "s-17", Request("r1", "c1"));
  ASSERT_TRUE(
      SaveAnswer(*db_, "s-17", "r1", "FlagProblem", fingerprint, "a", kNow)
          .ok());
  auto deleted = DeleteExpiredAnswers(*db_, kNow + kIdempotencyRetention, 100);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 0);
  auto found = FindAnswer(*db_, "s-17", "r1", "FlagProblem", fingerprint);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());
  deleted = DeleteExpiredAnswers(
      *db_, kNow + kIdempotencyRetention + absl::Microseconds(1), 100);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  found = FindAnswer(*db_, "s-17", "r1", "FlagProblem", fingerprint);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(IdempotencyTest, ABatchDeletesAtMostItsSizeAndSaysHowMany) {
  ASSERT_TRUE(Migrate(*db_).ok());
  // Five records past the retention and one written an hour later.
  for (int i = 0; i < 6; ++i) {
    const std::string id = absl::StrCat("r", i);
    ASSERT_TRUE(SaveAnswer(*db_, "s-17", id, "FlagProblem", "f", "a",
                           i < 5 ? kNow : kNow + absl::Hours(1))
                    .ok());
  }
  const absl::Time later = kNow + kIdempotencyRetention + absl::Minutes(1);
  std::vector<int64_t> batches;
  for (;;) {
    auto deleted = DeleteExpiredAnswers(*db_, later, 2);
    ASSERT_TRUE(deleted.ok()) << deleted.status();
    batches.push_back(*deleted);
    if (*deleted < 2) break;
  }
  EXPECT_EQ(batches, (std::vector<int64_t>{2, 2, 1}));
  auto kept = FindAnswer(*db_, "s-17", "r5", "FlagProblem", "f");
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->value_or(""), "a");
}

// A record stored before schema version 4 (keyed by request id alone) is
// migrated with caller '': its own caller's retry still gets the answer,
// while anyone else's request with the id runs as new and gets a record of
// its own.
TEST_F(IdempotencyTest, RecordsFromBeforeCallerScopingAnswerOnlyTheirCaller) {
  ASSERT_TRUE(MigrateTo(*db_, 3).ok());
  const std::string dana =
      RequestFingerprint("FlagProblem", "s-17", Request("r1", "c1"));
  {
    auto insert = db_->Prepare(
        "INSERT INTO idempotency(request_id, method, fingerprint, response, "
        "created_at_us) VALUES('r1','FlagProblem',?1,'dana''s',?2)");
    ASSERT_TRUE(insert.ok()) << insert.status();
    ASSERT_TRUE(
        (*insert)->Bind(1, dana).Bind(2, absl::ToUnixMicros(kNow)).Run().ok());
  }
  ASSERT_TRUE(Migrate(*db_).ok());

  auto found = FindAnswer(*db_, "s-17", "r1", "FlagProblem", dana);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->value_or(""), "dana's");

  const std::string marco =
      RequestFingerprint("FlagProblem", "s-22", Request("r1", "c2"));
  found = FindAnswer(*db_, "s-22", "r1", "FlagProblem", marco);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  ASSERT_TRUE(
      SaveAnswer(*db_, "s-22", "r1", "FlagProblem", marco, "marco's", kNow)
          .ok());
  found = FindAnswer(*db_, "s-22", "r1", "FlagProblem", marco);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->value_or(""), "marco's");
  // Dana's record is still hers.
  found = FindAnswer(*db_, "s-17", "r1", "FlagProblem", dana);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->value_or(""), "dana's");

  // And it expires with the retention like the others.
  ASSERT_TRUE(DeleteExpiredAnswers(
                  *db_, kNow + kIdempotencyRetention + absl::Seconds(1), 100)
                  .ok());
  found = FindAnswer(*db_, "s-17", "r1", "FlagProblem", dana);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
}

}  // namespace
}  // namespace makegood::store
