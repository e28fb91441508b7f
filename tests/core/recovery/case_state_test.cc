#include "core/recovery/case_state.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/proto_time.h"
#include "gtest/gtest.h"
#include "recovery_test_support.h"

namespace makegood::core::recovery_test {
namespace {

class CaseStateTest : public RecoveryTest {
 protected:
  // A case with one remedy (of option o2, 1.00 each) per status, in order.
  RecoveryCase WithRemedies(const std::vector<AppliedRemedy::Status>& statuses,
                            RecoveryCase::Status start) {
    RecoveryCase recovery = MakeCase();
    for (size_t i = 0; i < statuses.size(); ++i) {
      AppliedRemedy* remedy = recovery.add_remedies();
      remedy->set_remedy_application_id(absl::StrCat("RA-", i + 1));
      remedy->set_option_id("o2");
      remedy->set_status(statuses[i]);
      *remedy->mutable_cost() = Usd(100);
      remedy->set_requested_by("server-1");
    }
    recovery.set_status(start);
    recovery.clear_total_cost();
    return recovery;
  }
};

TEST_F(CaseStateTest, TheStatusIsDerivedFromTheRemedies) {
  struct Row {
    std::vector<AppliedRemedy::Status> remedies;
    RecoveryCase::Status want;
    int64_t total_minor;
  };
  const std::vector<Row> rows = {
      {{}, RecoveryCase::OPEN, 0},
      {{AppliedRemedy::PENDING_APPROVAL}, RecoveryCase::PENDING_APPROVAL, 0},
      {{AppliedRemedy::SENT}, RecoveryCase::REMEDY_APPLIED, 100},
      {{AppliedRemedy::APPLIED}, RecoveryCase::REMEDY_APPLIED, 100},
      {{AppliedRemedy::DENIED}, RecoveryCase::OPEN, 0},
      {{AppliedRemedy::REJECTED}, RecoveryCase::OPEN, 0},
      {{AppliedRemedy::DENIED, AppliedRemedy::REJECTED}, RecoveryCase::OPEN, 0},
      {{AppliedRemedy::APPLIED, AppliedRemedy::REJECTED},
       RecoveryCase::REMEDY_APPLIED,
       100},
      {{AppliedRemedy::SENT, AppliedRemedy::APPLIED, AppliedRemedy::DENIED},
       RecoveryCase::REMEDY_APPLIED,
       200},
      // Waiting for a manager wins over what was given.
      {{AppliedRemedy::SENT, AppliedRemedy::PENDING_APPROVAL},
       RecoveryCase::PENDING_APPROVAL,
       100},
      {{AppliedRemedy::PENDING_APPROVAL, AppliedRemedy::APPLIED},
       RecoveryCase::PENDING_APPROVAL,
       100},
      {{AppliedRemedy::REJECTED, AppliedRemedy::PENDING_APPROVAL},
       RecoveryCase::PENDING_APPROVAL,
       0},
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("row ", i));
    const Row& row = rows[i];
    // Start from a stale status, so that the derivation shows.
    const RecoveryCase::Status stale = row.want == RecoveryCase::OPEN
                                           ? RecoveryCase::REMEDY_APPLIED
                                           : RecoveryCase::OPEN;
    RecoveryCase recovery = WithRemedies(row.remedies, stale);
    Recompute(recovery, rules());
    EXPECT_EQ(recovery.status(), row.want)
        << RecoveryCase::Status_Name(recovery.status());
    EXPECT_EQ(recovery.total_cost().minor_units(), row.total_minor);
    EXPECT_EQ(recovery.total_cost().currency(), "USD");
  }
}

TEST_F(CaseStateTest, AClosedCaseStaysClosedButItsTotalIsKept) {
  for (auto closed : {RecoveryCase::RESOLVED, RecoveryCase::GUEST_LEFT}) {
    RecoveryCase recovery = WithRemedies(
        {AppliedRemedy::SENT, AppliedRemedy::PENDING_APPROVAL}, closed);
    Recompute(recovery, rules());
    EXPECT_EQ(recovery.status(), closed);
    EXPECT_EQ(recovery.total_cost().minor_units(), 100);
    EXPECT_TRUE(IsClosed(recovery));
  }
  for (auto open : {RecoveryCase::OPEN, RecoveryCase::PENDING_APPROVAL,
                    RecoveryCase::REMEDY_APPLIED}) {
    RecoveryCase recovery = MakeCase();
    recovery.set_status(open);
    EXPECT_FALSE(IsClosed(recovery));
  }
}

TEST_F(CaseStateTest, ARemedyIsChargedToWhoeverGaveIt) {
  AppliedRemedy remedy;
  remedy.set_requested_by("server-1");
  remedy.set_status(AppliedRemedy::SENT);
  EXPECT_EQ(ChargedTo(remedy), "server-1");
  remedy.set_approved_by("manager-1");
  EXPECT_EQ(ChargedTo(remedy), "manager-1");
  remedy.set_status(AppliedRemedy::APPLIED);
  EXPECT_EQ(ChargedTo(remedy), "manager-1");
  for (auto not_given : {AppliedRemedy::PENDING_APPROVAL, AppliedRemedy::DENIED,
                         AppliedRemedy::REJECTED}) {
    remedy.set_status(not_given);
    EXPECT_EQ(ChargedTo(remedy), "");
  }
}

TEST_F(CaseStateTest, TheNextOfferIsTheFirstOptionNotDeclined) {
  RecoveryCase recovery = MakeCase();
  EXPECT_EQ(NextOfferText(recovery), "offer the next option: Refire (o1)");
  recovery.mutable_options(0)->set_declined(true);
  EXPECT_EQ(NextOfferText(recovery), "offer the next option: Comp item (o2)");
  for (auto& option : *recovery.mutable_options()) option.set_declined(true);
  EXPECT_EQ(NextOfferText(recovery),
            "no option is left: escalate to the manager");
}

TEST_F(CaseStateTest, OptionsAndRemediesAreFoundById) {
  RecoveryCase recovery = MakeCase();
  AddRemedy(recovery, "RA-1", "o2", AppliedRemedy::SENT, 2000);
  ASSERT_NE(FindOption(recovery, "o2"), nullptr);
  EXPECT_EQ(FindOption(recovery, "o2")->remedy_id(), "comp");
  ASSERT_NE(FindOption(recovery, "x1"), nullptr);
  EXPECT_EQ(FindOption(recovery, "x1")->remedy_id(), "dessert");
  EXPECT_EQ(FindOption(recovery, "o9"), nullptr);
  ASSERT_NE(FindRemedy(recovery, "RA-1"), nullptr);
  EXPECT_EQ(FindRemedy(recovery, "RA-1")->option_id(), "o2");
  EXPECT_EQ(FindRemedy(recovery, "RA-2"), nullptr);
}

TEST_F(CaseStateTest, ACategoryNoLongerConfiguredShowsItsId) {
  EXPECT_EQ(CategoryLabel(rules(), "cold_food"), "Cold food");
  EXPECT_EQ(CategoryLabel(rules(), "retired"), "retired");
}

TEST_F(CaseStateTest, LedgerRowsAndAlertsAreOfTheRequest) {
  const RecoveryCase recovery = MakeCase();
  const LedgerEntry entry =
      Entry(Manager(), recovery, "remedy_sent", 1234, "comp COMP_ITEM");
  EXPECT_EQ(entry.at, kNow);
  EXPECT_EQ(entry.location_id, kLocation);
  EXPECT_EQ(entry.case_id, kCaseId);
  EXPECT_EQ(entry.action, "remedy_sent");
  EXPECT_EQ(entry.actor, "manager-1");
  EXPECT_EQ(entry.approver, "");
  EXPECT_EQ(entry.amount_minor, 1234);
  EXPECT_EQ(entry.detail, "comp COMP_ITEM");

  Alert about;
  about.set_kind(Alert::PENDING_APPROVAL);
  about.set_message("look");
  const Alert alert = IdentifiedAlert(Manager(), about);
  EXPECT_EQ(alert.alert_id(), "AL-1");
  EXPECT_EQ(alert.kind(), Alert::PENDING_APPROVAL);
  EXPECT_EQ(alert.message(), "look");
}

}  // namespace
}  // namespace makegood::core::recovery_test
