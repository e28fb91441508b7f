// The running configuration's holder (service/live_config.h): what a
// snapshot derives from a configuration, and the swap a reload makes.

#include "service/live_config.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/pin_hash.h"
#include "core/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snapshot_of.h"

namespace makegood::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

makegood::v1::Credential* AddStaff(makegood::v1::Config& config,
                                   const std::string& id,
                                   makegood::v1::Role role,
                                   const std::string& token) {
  auto* staff = config.add_staff();
  staff->set_id(id);
  staff->set_name("Name of " + id);
  staff->set_role(role);
  staff->set_token_sha256(core::Sha256Hex(token));
  return staff;
}

// A configuration whose location, one credential and one category all
// carry `name`: a snapshot that mixed two configurations would show it.
makegood::v1::Config Named(const std::string& name) {
  makegood::v1::Config config;
  auto* location = config.mutable_location();
  location->set_id("loc-1");
  location->set_name(name);
  location->set_currency("USD");
  location->set_timezone("UTC");
  AddStaff(config, "s-1", makegood::v1::SERVER, "token-" + name)
      ->set_name(name);
  auto* category = config.add_categories();
  category->set_id("cold_food");
  category->set_label(name);
  return config;
}

TEST(ConfigSnapshotTest, DerivesTheCredentialsInTheConfigurationsOrder) {
  makegood::v1::Config config = Named("one");
  config.clear_staff();
  auto* dana = AddStaff(config, "s-17", makegood::v1::SERVER, "dana-token");
  dana->set_language("es");
  // Upper-case hex is taken as the same hash.
  dana->set_token_sha256(absl::AsciiStrToUpper(dana->token_sha256()));
  AddStaff(config, "m-2", makegood::v1::MANAGER, "lee-token");
  auto* tablet = config.add_devices();
  tablet->set_id("tablet-1");
  tablet->set_name("Floor tablet");
  tablet->set_role(makegood::v1::TABLET);
  tablet->set_token_sha256(core::Sha256Hex("tablet-token"));

  auto snapshot = SnapshotOf(config);
  ASSERT_NE(snapshot, nullptr);
  std::vector<std::string> ids;
  for (const auto& credential : snapshot->credentials()) {
    ids.push_back(credential.id);
  }
  EXPECT_THAT(ids, ElementsAre("s-17", "m-2", "tablet-1"));
  const ConfiguredCredential* found = snapshot->FindCredential("s-17");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->token_sha256, core::Sha256Hex("dana-token"));
  EXPECT_EQ(found->language, "es");
  EXPECT_EQ(found->role, makegood::v1::SERVER);
  EXPECT_EQ(snapshot->FindCredential("m-2")->language, "en");
  EXPECT_EQ(snapshot->FindCredential("tablet-1")->role, makegood::v1::TABLET);
  EXPECT_EQ(snapshot->FindCredential("tablet-1")->name, "Floor tablet");
  EXPECT_EQ(snapshot->FindCredential("nobody"), nullptr);
  EXPECT_EQ(snapshot->config().location().name(), "one");
  EXPECT_EQ(snapshot->rules().location_id(), "loc-1");
}

TEST(ConfigSnapshotTest, OnlyStaffWithAPinMaySignIn) {
  makegood::v1::Config config = Named("one");
  const core::PinHash pin =
      core::HashPin("2468", "sixteen-byte-salt", core::kMinPinIterations);
  AddStaff(config, "s-17", makegood::v1::SERVER, "dana-token")
      ->set_pin_pbkdf2(core::FormatPinHash(pin));
  AddStaff(config, "m-2", makegood::v1::MANAGER, "lee-token");

  auto snapshot = SnapshotOf(config);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->sign_in_staff().size(), 1u);
  const SignInStaff* dana = snapshot->FindSignInStaff("s-17");
  ASSERT_NE(dana, nullptr);
  EXPECT_EQ(dana->name, "Name of s-17");
  EXPECT_EQ(dana->role, makegood::v1::SERVER);
  EXPECT_TRUE(core::PinMatches(dana->pin, "2468"));
  EXPECT_EQ(snapshot->FindSignInStaff("m-2"), nullptr);
  EXPECT_EQ(snapshot->FindSignInStaff("s-1"), nullptr);
}

TEST(ConfigSnapshotTest, RulesThatDoNotCompileAreInvalidArgument) {
  makegood::v1::Config config = Named("one");
  config.mutable_location()->set_timezone("Mars/Olympus_Mons");
  auto snapshot = ConfigSnapshot::Build(config);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(snapshot.status().message()),
              HasSubstr("location.timezone"));
}

TEST(ConfigSnapshotTest, APinHashThatDoesNotParseIsInvalidArgument) {
  makegood::v1::Config config = Named("one");
  AddStaff(config, "s-17", makegood::v1::SERVER, "dana-token")
      ->set_pin_pbkdf2("not-a-pin-hash");
  auto snapshot = ConfigSnapshot::Build(config);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(snapshot.status().message()),
              HasSubstr("'s-17'.pin_pbkdf2"));
}

TEST(LiveConfigTest, ReplaceSwapsTheWholeSnapshotAndReturnsThePrevious) {
  std::shared_ptr<const ConfigSnapshot> one = SnapshotOf(Named("one"));
  std::shared_ptr<const ConfigSnapshot> two = SnapshotOf(Named("two"));
  LiveConfig live(one);
  EXPECT_EQ(live.Get(), one);
  const std::shared_ptr<const ConfigSnapshot> taken = live.Get();

  EXPECT_EQ(live.Replace(two), one);
  EXPECT_EQ(live.Get(), two);
  EXPECT_EQ(live.Get()->config().location().name(), "two");
  // A call that took the first one goes on with it, unchanged.
  EXPECT_EQ(taken->config().location().name(), "one");
  EXPECT_EQ(taken->FindCredential("s-1")->name, "one");
  EXPECT_EQ(taken->rules().FindCategory("cold_food")->label(), "one");
}

TEST(LiveConfigTest, ASnapshotTakenLivesOnAfterItWasReplaced) {
  LiveConfig live(SnapshotOf(Named("one")));
  std::shared_ptr<const ConfigSnapshot> taken = live.Get();
  live.Replace(SnapshotOf(Named("two")));
  // The holder let go of it; the call's reference is the last one.
  EXPECT_EQ(taken.use_count(), 1);
  EXPECT_EQ(taken->config().location().name(), "one");
}

TEST(LiveConfigTest, EverySnapshotReadIsOneWholeConfiguration) {
  constexpr int kReloads = 200;
  std::vector<std::shared_ptr<const ConfigSnapshot>> snapshots;
  for (int i = 0; i <= kReloads; ++i) {
    snapshots.push_back(SnapshotOf(Named(absl::StrCat("gen-", i))));
    ASSERT_NE(snapshots.back(), nullptr);
  }
  LiveConfig live(snapshots[0]);
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  std::vector<int> mixed(2, 0);
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&live, &done, &mixed, r] {
      // At least one read after the last reload, whatever the timing.
      bool last = false;
      while (!last) {
        last = done.load();
        std::shared_ptr<const ConfigSnapshot> config = live.Get();
        const std::string& name = config->config().location().name();
        if (config->FindCredential("s-1")->name != name ||
            config->rules().FindCategory("cold_food")->label() != name) {
          ++mixed[r];
        }
      }
    });
  }
  for (int i = 1; i <= kReloads; ++i) live.Replace(snapshots[i]);
  done.store(true);
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(mixed[0] + mixed[1], 0);
  EXPECT_EQ(live.Get()->config().location().name(),
            absl::StrCat("gen-", kReloads));
}

}  // namespace
}  // namespace makegood::service
