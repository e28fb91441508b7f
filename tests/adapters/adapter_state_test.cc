#include "adapter_state.h"

#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace makegood::adapters {
namespace {

class AdapterStateTest : public ::testing::Test {
 protected:
  std::unique_ptr<AdapterState> Open() {
    auto state = AdapterState::Open(dir_.File("adapter.db"));
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *std::move(state) : nullptr;
  }

  testing::TempDir dir_;
};

TEST_F(AdapterStateTest, ADeliveryIsStoredOnceAndWaitsUntilProcessed) {
  auto state = Open();
  EXPECT_TRUE(*state->AddDelivery("evt-1", "{\"a\":1}"));
  EXPECT_FALSE(*state->AddDelivery("evt-1", "{\"a\":1}"));  // A replay.
  EXPECT_TRUE(*state->AddDelivery("evt-2", "{\"b\":2}"));
  auto next = state->NextDelivery();
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->event_id, "evt-1");

  // A restart before it was processed finds it again.
  state.reset();
  state = Open();
  next = state->NextDelivery();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->event_id, "evt-1");
  ASSERT_TRUE(state->MarkProcessed((*next)->seq).ok());
  next = state->NextDelivery();
  EXPECT_EQ((*next)->event_id, "evt-2");
  ASSERT_TRUE(state->MarkProcessed((*next)->seq).ok());
  EXPECT_FALSE(state->NextDelivery()->has_value());
  // Processed deliveries are still recognised as replays.
  EXPECT_FALSE(*state->AddDelivery("evt-2", "{\"b\":2}"));
}

TEST_F(AdapterStateTest, AnOrderOnlyMovesToANewerVersion) {
  auto state = Open();
  EXPECT_FALSE(state->LastOrder("O1")->has_value());
  ASSERT_TRUE(state->SaveOrder("O1", {3, "v3"}).ok());
  ASSERT_TRUE(state->SaveOrder("O1", {2, "v2"}).ok());  // A late retry.
  EXPECT_EQ((*state->LastOrder("O1"))->body, "v3");
  ASSERT_TRUE(state->SaveOrder("O1", {4, "v4"}).ok());
  EXPECT_EQ((*state->LastOrder("O1"))->version, 4);
}

TEST_F(AdapterStateTest, ACommandsFirstOutcomeIsKeptAcrossRestarts) {
  auto state = Open();
  EXPECT_FALSE(state->Outcome("CMD-1")->has_value());
  ASSERT_TRUE(state->SaveOutcome("CMD-1", {true, "pos-1", ""}).ok());
  // Saving again (a redelivery racing the first) changes nothing.
  ASSERT_TRUE(state->SaveOutcome("CMD-1", {false, "", "late"}).ok());
  state.reset();
  state = Open();
  auto outcome = state->Outcome("CMD-1");
  ASSERT_TRUE(outcome->has_value());
  EXPECT_TRUE((*outcome)->applied);
  EXPECT_EQ((*outcome)->pos_reference, "pos-1");
}

// A delivery that cannot be read is set aside for good: not offered again,
// restarts included, and kept with why.
TEST_F(AdapterStateTest, AQuarantinedDeliveryIsNeverOfferedAgain) {
  auto state = Open();
  EXPECT_TRUE(*state->AddDelivery("evt-poison", "{\"checks\":\"x\"}"));
  EXPECT_TRUE(*state->AddDelivery("evt-good", "{}"));
  auto next = state->NextDelivery();
  ASSERT_TRUE(next.ok() && next->has_value());
  ASSERT_EQ((*next)->event_id, "evt-poison");
  ASSERT_TRUE(
      state->Quarantine((*next)->seq, "order.checks: expected an array").ok());
  // Again changes nothing.
  ASSERT_TRUE(state->Quarantine((*next)->seq, "something else").ok());
  EXPECT_EQ((*state->NextDelivery())->event_id, "evt-good");

  state.reset();
  state = Open();
  EXPECT_EQ((*state->NextDelivery())->event_id, "evt-good");
  auto quarantined = state->Quarantined();
  ASSERT_TRUE(quarantined.ok()) << quarantined.status();
  ASSERT_EQ(quarantined->size(), 1u);
  EXPECT_EQ((*quarantined)[0].event_id, "evt-poison");
  EXPECT_EQ((*quarantined)[0].error, "order.checks: expected an array");
  // A replay is still recognised.
  EXPECT_FALSE(*state->AddDelivery("evt-poison", "{\"checks\":\"x\"}"));
}

}  // namespace
}  // namespace makegood::adapters
