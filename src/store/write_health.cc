#include "store/write_health.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/refusal.h"
#include "sqlite/connection.h"
#include "telemetry/log.h"

namespace makegood::store {
namespace {

using makegood::v1::Error;

const char* WhatOf(WriteFault fault) {
  return fault == WriteFault::kFull ? "disk full" : "I/O error";
}

// The fault field of the structured events.
const char* FaultName(WriteFault fault) {
  return fault == WriteFault::kFull ? "disk_full" : "io_error";
}

}  // namespace

WriteFault FaultOf(const absl::Status& status) {
  switch (sqlite::SqliteCodeOf(status) & 0xff) {  // The primary code.
    case SQLITE_FULL:
      return WriteFault::kFull;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return WriteFault::kUnavailable;
    default:
      return WriteFault::kNone;
  }
}

absl::Status NotSaved(WriteFault fault) {
  if (fault == WriteFault::kFull) {
    return core::Refuse(
        absl::StatusCode::kResourceExhausted, Error::STORE_FULL,
        "not saved: the server's disk is full, so nothing of this request was "
        "stored; retry it once space is freed");
  }
  return core::Refuse(
      absl::StatusCode::kUnavailable, Error::STORE_UNAVAILABLE,
      "not saved: the server cannot write to its disk, so nothing of this "
      "request was stored; retry it");
}

WriteHealth::WriteHealth(Log log) : log_(std::move(log)) {}

void WriteHealth::Failed(WriteFault fault, const absl::Status& cause,
                         int64_t refused) {
  if (fault == WriteFault::kNone) return;
  absl::MutexLock lock(&mu_);
  const bool begins = fault_ == WriteFault::kNone;
  if (begins) refused_ = 0;
  refused_ += refused;
  if (fault == fault_) return;  // Logged when the episode began.
  fault_ = fault;
  const std::string& reason =
      Error::Reason_Name(fault == WriteFault::kFull ? Error::STORE_FULL
                                                    : Error::STORE_UNAVAILABLE);
  const std::string line = absl::StrCat(
      begins ? "store: cannot write (" : "store: still cannot write, now (",
      WhatOf(fault), "): ", cause.message(), "; writes are refused (", reason,
      ") and health is NOT_SERVING until one commits again");
  if (log_) {
    log_(line);
  } else {
    telemetry::LogEvent(
        telemetry::LogLevel::kError,
        begins ? "store_write_failed" : "store_write_fault_changed",
        {{"fault", FaultName(fault)},
         {"reason", reason},
         {"error", cause.message()},
         {"msg", line}});
  }
  if (begins && observer_) observer_(false);
}

void WriteHealth::Committed() {
  absl::MutexLock lock(&mu_);
  if (fault_ == WriteFault::kNone) return;
  fault_ = WriteFault::kNone;
  const std::string line = absl::StrCat(
      "store: writing again; ", refused_,
      refused_ == 1 ? " write was" : " writes were", " refused meanwhile");
  if (log_) {
    log_(line);
  } else {
    telemetry::LogEvent(telemetry::LogLevel::kInfo, "store_write_recovered",
                        {{"refused", refused_}, {"msg", line}});
  }
  if (observer_) observer_(true);
}

bool WriteHealth::can_write() const {
  absl::MutexLock lock(&mu_);
  return fault_ == WriteFault::kNone;
}

void WriteHealth::Watch(Observer observer) {
  absl::MutexLock lock(&mu_);
  observer_ = std::move(observer);
  if (observer_) observer_(fault_ == WriteFault::kNone);
}

}  // namespace makegood::store
