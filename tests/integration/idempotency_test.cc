// Request ids through the real makegoodd: they are scoped per caller, so two
// staff members whose tablets happen to pick the same id each get their own
// case, while one caller reusing an id for another request is refused.

#include "integration/daemon_fixture.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using v1::RecoveryCase;

class IdempotencyTest : public DaemonTest {
 protected:
  // A check with one line, opened 30 minutes ago.
  void SeedCheck(const std::string& check_id) {
    const absl::Time t0 = absl::Now() - absl::Minutes(30);
    PublishSummary summary;
    ASSERT_TRUE(
        Publish({CheckOpened(check_id + "-open", check_id, t0),
                 ItemAdded(check_id + "-add1", check_id, "1", t0, 4800)},
                &summary)
            .ok());
    ASSERT_EQ(summary.accepted(), 2) << summary.DebugString();
  }

  grpc::Status Flag(const std::string& token, const std::string& request_id,
                    const std::string& check_id, const std::string& category,
                    RecoveryCase* out) {
    v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id(check_id);
    request.add_line_ids("1");
    request.set_category_id(category);
    request.set_severity(v1::MAJOR);
    auto stub = v1::RecoveryService::NewStub(channel_);
    return stub->FlagProblem(Context(token).get(), request, out);
  }

  int64_t Cases() { return QueryInt(db_path(), "SELECT count(*) FROM cases"); }
};

TEST_F(IdempotencyTest, TwoCallersUsingTheSameRequestIdEachGetTheirOwnCase) {
  SeedCheck("c1");
  SeedCheck("c2");
  RecoveryCase dana, marco;
  grpc::Status status =
      Flag(kServerToken, "tablet-7", "c1", "cold_food", &dana);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Marco's tablet picks the same id for his own flag: it is his request,
  // not a retry of Dana's and not a conflict with it.
  status = Flag(kOtherServerToken, "tablet-7", "c2", "wrong_item", &marco);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(marco.case_id(), dana.case_id());
  EXPECT_EQ(marco.check_id(), "c2");
  EXPECT_EQ(marco.category_id(), "wrong_item");
  EXPECT_EQ(marco.flagged_by(), "s-22");
  EXPECT_EQ(dana.check_id(), "c1");
  EXPECT_EQ(dana.flagged_by(), "s-17");
  EXPECT_EQ(Cases(), 2);

  // Each one's retry returns their own case and changes nothing.
  RecoveryCase again;
  ASSERT_TRUE(Flag(kServerToken, "tablet-7", "c1", "cold_food", &again).ok());
  EXPECT_EQ(again.case_id(), dana.case_id());
  ASSERT_TRUE(
      Flag(kOtherServerToken, "tablet-7", "c2", "wrong_item", &again).ok());
  EXPECT_EQ(again.case_id(), marco.case_id());
  EXPECT_EQ(Cases(), 2);
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT count(*) FROM idempotency WHERE "
                     "request_id='tablet-7'"),
            2);
}

TEST_F(IdempotencyTest, TheSameCallerReusingAnIdForAnotherRequestIsRefused) {
  SeedCheck("c1");
  SeedCheck("c2");
  RecoveryCase first;
  ASSERT_TRUE(Flag(kServerToken, "tablet-7", "c1", "cold_food", &first).ok());
  RecoveryCase second;
  grpc::Status status =
      Flag(kServerToken, "tablet-7", "c2", "cold_food", &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));
  EXPECT_EQ(Cases(), 1);
  // Another caller is not blocked by it.
  status = Flag(kOtherServerToken, "tablet-7", "c2", "cold_food", &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.flagged_by(), "s-22");
  EXPECT_EQ(Cases(), 2);
}

}  // namespace
}  // namespace makegood
