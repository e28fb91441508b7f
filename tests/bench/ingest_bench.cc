// Ingestion benchmark: order events streamed into a real makegoodd over gRPC,
// acknowledged only once durable, against the floor of writing the same
// rows straight into SQLite with the same pragmas in batched transactions.

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/bench_support.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "sqlite/connection.h"
#include "store/event_projection.h"
#include "store/migrations.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace {

using makegood::bench::StartDaemon;
using makegood::v1::OrderEvent;

// Events per second of `count` in `elapsed`.
double Rate(size_t count, absl::Duration elapsed) {
  return static_cast<double>(count) / absl::ToDoubleSeconds(elapsed);
}

// The floor: the store's own SQL for each event, batched, one connection.
double FloorRate(const std::vector<OrderEvent>& events, const std::string& path,
                 size_t batch) {
  auto db = makegood::sqlite::Connection::Open(path, /*read_only=*/false);
  if (!db.ok() || !makegood::store::Migrate(**db).ok() ||
      !(*db)
           ->Exec("INSERT INTO locations VALUES('downtown-01','USD','UTC')")
           .ok()) {
    std::cerr << "floor: cannot prepare " << path << std::endl;
    std::exit(1);
  }
  const int64_t received_at = absl::ToUnixMicros(absl::Now());
  const absl::Time start = absl::Now();
  for (size_t i = 0; i < events.size(); i += batch) {
    (*db)->Exec("BEGIN IMMEDIATE").IgnoreError();
    for (size_t j = i; j < std::min(i + batch, events.size()); ++j) {
      auto outcome = makegood::store::AppendEvent(**db, events[j], received_at);
      if (!outcome.ok()) {
        std::cerr << "floor: " << outcome.status() << std::endl;
        std::exit(1);
      }
    }
    (*db)->Exec("COMMIT").IgnoreError();
  }
  return Rate(events.size(), absl::Now() - start);
}

// Streams each slice on its own Publish call, all concurrently; returns the
// rate at which summaries (commits) came back.
double DaemonRate(const std::vector<std::vector<OrderEvent>>& slices,
                  const std::string& address, const std::string& token) {
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  size_t total = 0;
  for (const auto& slice : slices) total += slice.size();
  std::vector<std::thread> streams;
  std::vector<makegood::v1::PublishSummary> summaries(slices.size());
  std::vector<grpc::Status> statuses(slices.size());
  const absl::Time start = absl::Now();
  for (size_t s = 0; s < slices.size(); ++s) {
    streams.emplace_back([&, s] {
      auto stub = makegood::v1::OrderEventService::NewStub(channel);
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + token);
      auto writer = stub->Publish(&context, &summaries[s]);
      grpc::WriteOptions options;
      for (const auto& event : slices[s]) {
        if (!writer->Write(event, options)) break;
      }
      writer->WritesDone();
      statuses[s] = writer->Finish();
    });
  }
  for (auto& t : streams) t.join();
  const absl::Duration elapsed = absl::Now() - start;
  size_t accepted = 0;
  for (size_t s = 0; s < slices.size(); ++s) {
    if (!statuses[s].ok()) {
      std::cerr << "publish failed: " << statuses[s].error_message()
                << std::endl;
      std::exit(1);
    }
    accepted += summaries[s].accepted();
  }
  if (accepted != total) {
    std::cerr << "only " << accepted << " of " << total << " accepted"
              << std::endl;
    std::exit(1);
  }
  return Rate(total, elapsed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Order-event ingestion: makegoodd over gRPC vs. raw SQLite",
               "ingest_bench"};
  int count = 200000;
  int streams = 2;
  int batch = 512;
  std::string server, token = "demo-adapter-pos";
  app.add_option("--events", count, "Events to publish")->capture_default_str();
  app.add_option("--streams", streams, "Concurrent Publish streams")
      ->capture_default_str();
  app.add_option("--batch", batch, "Events per transaction in the floor")
      ->capture_default_str();
  app.add_option(
      "--server", server,
      "A running makegoodd (location downtown-01, USD); default: start "
      "one with the sample config on a temporary database");
  app.add_option("--token", token, "ADAPTER token")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  makegood::testing::TempDir dir;
  const absl::Time start = absl::Now() - absl::Hours(30);
  std::vector<std::vector<OrderEvent>> slices;
  for (int s = 0; s < streams; ++s) {
    slices.push_back(makegood::testing::SyntheticService(
        count / streams,
        absl::StrCat("bench", s, "-", absl::ToUnixNanos(absl::Now())), start));
  }
  std::vector<OrderEvent> all;
  for (const auto& slice : slices)
    all.insert(all.end(), slice.begin(), slice.end());

  std::unique_ptr<makegood::testing::DaemonProcess> daemon;
  if (server.empty()) {
    auto started = StartDaemon(dir);
    if (!started.ok()) return 1;
    daemon = *std::move(started);
    server = daemon->address();
  }

  const double floor = FloorRate(all, dir.File("floor.db"), batch);
  const double daemon_rate = DaemonRate(slices, server, token);
  std::cout << "events:  " << all.size() << " (" << streams << " streams)\n"
            << "makegoodd ingestion, acknowledged and durable: "
            << static_cast<int64_t>(daemon_rate) << " events/s\n"
            << "floor, same rows straight into SQLite (batches of " << batch
            << "): " << static_cast<int64_t>(floor) << " events/s\n"
            << "ratio: " << daemon_rate / floor
            << " (target >= 0.5), absolute target >= 100000 events/s: "
            << (daemon_rate >= 100000 && daemon_rate >= floor / 2 ? "met"
                                                                  : "NOT met")
            << std::endl;
  return 0;
}
