#include "core/recovery/follow_up_done.h"

#include <string>

#include "absl/time/time.h"
#include "core/proto_time.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recovery_test_support.h"

namespace makegood::core::recovery_test {
namespace {

using makegood::v1::CompleteFollowUpRequest;
using makegood::v1::FollowUp;
using ::testing::HasSubstr;

class FollowUpDoneTest : public RecoveryTest {
 protected:
  static CompleteFollowUpRequest Done(const std::string& note) {
    CompleteFollowUpRequest done;
    done.set_request_id("req-5");
    done.set_case_id(kCaseId);
    done.set_note(note);
    return done;
  }

  // The follow-up of kCaseId, due an hour ago, as the store loads it.
  static FollowUpSnapshot Due() {
    FollowUpSnapshot snapshot;
    FollowUp& follow_up = snapshot.follow_up;
    follow_up.set_case_id(kCaseId);
    follow_up.set_check_id(kCheckId);
    follow_up.set_category_id("cold_food");
    *follow_up.mutable_flagged_at() = ToProto(kNow - Days(7));
    *follow_up.mutable_due_at() = ToProto(kNow - absl::Hours(1));
    return snapshot;
  }
};

TEST_F(FollowUpDoneTest, MarksTheFollowUpDoneByTheCaller) {
  auto decision =
      DecideFollowUpDone(Manager(), Done("Called, booked for Friday"), Due());
  ASSERT_TRUE(decision.ok()) << decision.status();
  const FollowUp& follow_up = decision->follow_up;
  ASSERT_TRUE(follow_up.has_done_at());
  EXPECT_EQ(FromProto(follow_up.done_at()), kNow);
  EXPECT_EQ(follow_up.done_by(), "manager-1");
  EXPECT_EQ(follow_up.note(), "Called, booked for Friday");
  EXPECT_EQ(follow_up.case_id(), kCaseId);
  EXPECT_EQ(follow_up.check_id(), kCheckId);
  EXPECT_EQ(follow_up.category_id(), "cold_food");
  EXPECT_EQ(FromProto(follow_up.due_at()), kNow - absl::Hours(1));

  const LedgerEntry& entry = decision->ledger;
  EXPECT_EQ(entry.action, "follow_up_done");
  EXPECT_EQ(entry.at, kNow);
  EXPECT_EQ(entry.location_id, kLocation);
  EXPECT_EQ(entry.case_id, kCaseId);
  EXPECT_EQ(entry.actor, "manager-1");
  EXPECT_EQ(entry.approver, "");
  EXPECT_EQ(entry.amount_minor, 0);
  EXPECT_EQ(entry.device, "");
}

TEST_F(FollowUpDoneTest, TheLedgerEntryRecordsTheDeviceOfATabletSession) {
  RecoveryRequest request = Manager();
  request.device_id = "tablet-office";
  auto decision = DecideFollowUpDone(request, Done("Called"), Due());
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->ledger.actor, "manager-1");
  EXPECT_EQ(decision->ledger.device, "tablet-office");
}

TEST_F(FollowUpDoneTest, AFollowUpIsDoneOnce) {
  FollowUpSnapshot snapshot = Due();
  *snapshot.follow_up.mutable_done_at() = ToProto(kNow - absl::Minutes(30));
  snapshot.follow_up.set_done_by("manager-2");
  snapshot.follow_up.set_note("Left a voicemail");
  auto decision = DecideFollowUpDone(Manager(), Done("Called again"), snapshot);
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::FOLLOW_UP_DONE));
  EXPECT_THAT(decision.status().message(), HasSubstr("manager-2"));
}

}  // namespace
}  // namespace makegood::core::recovery_test
