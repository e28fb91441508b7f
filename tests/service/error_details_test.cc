#include "service/error_details.h"

#include <string>
#include <tuple>

#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "store/write_health.h"

namespace makegood::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string ReasonIn(const google::rpc::Status& status) {
  for (const auto& detail : status.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// The store's refusals for a full or failing disk reach the client as they
// are: their code, their message and their reason, no incident id.
TEST(ErrorDetailsTest, TheStoresDiskRefusalsAreShownAsTheyAre) {
  for (const auto& [fault, code, reason] :
       {std::tuple{store::WriteFault::kFull,
                   absl::StatusCode::kResourceExhausted, "STORE_FULL"},
        std::tuple{store::WriteFault::kUnavailable,
                   absl::StatusCode::kUnavailable, "STORE_UNAVAILABLE"}}) {
    const absl::Status refused = store::NotSaved(fault);
    const google::rpc::Status client = ClientStatus(refused);
    EXPECT_EQ(client.code(), static_cast<int>(code));
    EXPECT_EQ(client.message(), std::string(refused.message()));
    EXPECT_THAT(client.message(), Not(HasSubstr("incident")));
    EXPECT_THAT(client.message(), Not(HasSubstr("ERR-")));
    EXPECT_EQ(ReasonIn(client), reason);
  }
}

// SQLite's own error for the same fault stays hidden behind an incident
// id: only the store's refusal above is for clients.
TEST(ErrorDetailsTest, SqlitesOwnFullErrorIsHidden) {
  absl::Status raw = absl::ResourceExhaustedError(
      "INSERT INTO cases ...: database or disk is full (sqlite code 13)");
  raw.SetPayload(sqlite::kInternalDetailPayload, absl::Cord());
  raw.SetPayload(sqlite::kSqliteCodePayload, absl::Cord("13"));
  const google::rpc::Status client = ClientStatus(raw);
  EXPECT_EQ(client.code(),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(client.message(), StartsWith("internal error;"));
  EXPECT_THAT(client.message(), Not(HasSubstr("INSERT")));
  EXPECT_EQ(ReasonIn(client), "SERVER_ERROR");
}

}  // namespace
}  // namespace makegood::service
