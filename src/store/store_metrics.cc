#include "store/store_metrics.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "store/outbox.h"

namespace makegood::store {
namespace {

using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using telemetry::GaugeSample;

std::vector<GaugeSample> One(double value) { return {{{}, value}}; }

double WalBytes(const std::string& database_path) {
  std::error_code error;
  const std::uintmax_t size =
      std::filesystem::file_size(absl::StrCat(database_path, "-wal"), error);
  return error ? 0 : static_cast<double>(size);  // No WAL yet: nothing in it.
}

}  // namespace

absl::StatusOr<int64_t> CountOpenCases(Connection& db) {
  auto stmt =
      db.Prepare("SELECT count(*) FROM cases WHERE status IN (?1,?2,?3)");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, int64_t{RecoveryCase::OPEN})
      .Bind(2, int64_t{RecoveryCase::PENDING_APPROVAL})
      .Bind(3, int64_t{RecoveryCase::REMEDY_APPLIED});
  auto found = row.Step();
  if (!found.ok()) return found.status();
  return *found ? row.Int(0) : 0;
}

absl::StatusOr<std::vector<RemedyStatusCount>> CountRemediesByStatus(
    Connection& db) {
  auto stmt =
      db.Prepare("SELECT status, count(*) FROM remedies GROUP BY status");
  if (!stmt.ok()) return stmt.status();
  std::map<int64_t, int64_t> stored;
  absl::Status read = ForEachRow(**stmt, [&](Statement& row) {
    stored[row.Int(0)] = row.Int(1);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  std::vector<RemedyStatusCount> counts;
  for (int status = AppliedRemedy::Status_MIN + 1;
       status <= AppliedRemedy::Status_MAX; ++status) {
    if (!AppliedRemedy::Status_IsValid(status)) continue;
    const auto it = stored.find(status);
    counts.push_back(
        RemedyStatusCount{static_cast<AppliedRemedy::Status>(status),
                          it == stored.end() ? 0 : it->second});
  }
  return counts;
}

std::vector<telemetry::GaugeRegistration> RegisterStoreGauges(
    telemetry::MetricsRegistry& metrics, const StoreGaugeSources& sources) {
  std::vector<telemetry::GaugeRegistration> gauges;
  const std::string path = sources.database_path;
  const WriteHealth* health = sources.health;
  ReaderPool* readers = sources.readers;
  const core::Clock* clock = sources.clock;

  gauges.push_back(metrics.AddGauge(
      "makegood_store_wal_bytes",
      "Size of the database's write-ahead log (the -wal file) in bytes.", {},
      [path] { return One(WalBytes(path)); }));
  gauges.push_back(metrics.AddGauge(
      "makegood_store_writable",
      "1 while writes commit; 0 while the disk refuses them (full or "
      "failing): writes are then refused with STORE_FULL or "
      "STORE_UNAVAILABLE.",
      {}, [health] { return One(health->can_write() ? 1 : 0); }));

  const auto backlog = [readers] {
    return readers->With<std::vector<OutboxBacklog>>(
        [](Connection& db) { return ReadOutboxBacklog(db); });
  };
  gauges.push_back(metrics.AddGauge(
      "makegood_outbox_backlog_commands",
      "Remedy and follow-up commands not yet acknowledged by an adapter, by "
      "location.",
      {"location"}, [backlog] {
        std::vector<GaugeSample> samples;
        auto read = backlog();
        if (!read.ok()) return samples;
        for (const OutboxBacklog& location : *read) {
          samples.push_back(GaugeSample{
              {location.location_id}, static_cast<double>(location.commands)});
        }
        return samples;
      }));
  gauges.push_back(metrics.AddGauge(
      "makegood_outbox_oldest_unacked_age_seconds",
      "Age of the oldest command not yet acknowledged, by location; 0 when "
      "every command is acknowledged.",
      {"location"}, [backlog, clock] {
        std::vector<GaugeSample> samples;
        auto read = backlog();
        if (!read.ok()) return samples;
        const int64_t now_us = absl::ToUnixMicros(clock->Now());
        for (const OutboxBacklog& location : *read) {
          const double age =
              location.commands == 0
                  ? 0
                  : std::max<int64_t>(0, now_us - location.oldest_created_us) /
                        1e6;
          samples.push_back(GaugeSample{{location.location_id}, age});
        }
        return samples;
      }));

  gauges.push_back(metrics.AddGauge(
      "makegood_cases_open",
      "Recovery cases not closed yet: OPEN, PENDING_APPROVAL or "
      "REMEDY_APPLIED.",
      {}, [readers] {
        auto open = readers->With<int64_t>(
            [](Connection& db) { return CountOpenCases(db); });
        if (!open.ok()) return std::vector<GaugeSample>{};
        return One(static_cast<double>(*open));
      }));
  gauges.push_back(metrics.AddGauge(
      "makegood_remedies",
      "Remedies applied or requested, by status (AppliedRemedy.Status).",
      {"status"}, [readers] {
        std::vector<GaugeSample> samples;
        auto counts = readers->With<std::vector<RemedyStatusCount>>(
            [](Connection& db) { return CountRemediesByStatus(db); });
        if (!counts.ok()) return samples;
        for (const RemedyStatusCount& count : *counts) {
          samples.push_back(
              GaugeSample{{AppliedRemedy::Status_Name(count.status)},
                          static_cast<double>(count.remedies)});
        }
        return samples;
      }));
  return gauges;
}

}  // namespace makegood::store
