#ifndef MAKEGOOD_TESTS_SERVICE_SNAPSHOT_OF_H_
#define MAKEGOOD_TESTS_SERVICE_SNAPSHOT_OF_H_

// A ConfigSnapshot (service/live_config.h) of a configuration built in a
// test, which must compile: a failure is reported where it is built.

#include <memory>

#include "gtest/gtest.h"
#include "makegood/v1/config.pb.h"
#include "service/live_config.h"

namespace makegood::service {

inline std::shared_ptr<const ConfigSnapshot> SnapshotOf(
    const makegood::v1::Config& config) {
  auto snapshot = ConfigSnapshot::Build(config);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  return snapshot.ok() ? *std::move(snapshot) : nullptr;
}

}  // namespace makegood::service

#endif  // MAKEGOOD_TESTS_SERVICE_SNAPSHOT_OF_H_
