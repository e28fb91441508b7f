// The metrics registry (telemetry/metrics.h): the exact exposition text
// Prometheus reads (format 0.0.4), its escaping, cumulative histogram
// buckets, gauges read at scrape time, and exact totals from concurrent
// writers.

#include "telemetry/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::telemetry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsRegistryTest, RendersEveryFamilyByNameInTheTextFormat) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.AddCounter(
      "demo_requests_total", "Requests answered.", {"method", "code"});
  requests.WithLabels({"Get", "OK"}).Increment(3);
  requests.WithLabels({"Flag", "NOT_FOUND"}).Increment();
  registry.AddCounter("demo_restarts_total", "Restarts.");
  HistogramFamily& latency = registry.AddHistogram(
      "demo_duration_seconds", "Time to answer.", {"method"}, {0.5, 1});
  Histogram& get = latency.WithLabels({"Get"});
  get.Observe(0.25);
  get.Observe(0.5);  // On a bound: counted in that bound's bucket.
  get.Observe(3);
  GaugeRegistration depth =
      registry.AddGauge("demo_queue_depth", "Jobs waiting.", {}, [] {
        return std::vector<GaugeSample>{{{}, 7}};
      });

  EXPECT_EQ(registry.Render(),
            "# HELP demo_duration_seconds Time to answer.\n"
            "# TYPE demo_duration_seconds histogram\n"
            "demo_duration_seconds_bucket{method=\"Get\",le=\"0.5\"} 2\n"
            "demo_duration_seconds_bucket{method=\"Get\",le=\"1\"} 2\n"
            "demo_duration_seconds_bucket{method=\"Get\",le=\"+Inf\"} 3\n"
            "demo_duration_seconds_sum{method=\"Get\"} 3.75\n"
            "demo_duration_seconds_count{method=\"Get\"} 3\n"
            "# HELP demo_queue_depth Jobs waiting.\n"
            "# TYPE demo_queue_depth gauge\n"
            "demo_queue_depth 7\n"
            "# HELP demo_requests_total Requests answered.\n"
            "# TYPE demo_requests_total counter\n"
            "demo_requests_total{method=\"Flag\",code=\"NOT_FOUND\"} 1\n"
            "demo_requests_total{method=\"Get\",code=\"OK\"} 3\n"
            "# HELP demo_restarts_total Restarts.\n"
            "# TYPE demo_restarts_total counter\n"
            "demo_restarts_total 0\n");
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelpText) {
  MetricsRegistry registry;
  registry
      .AddCounter("demo_total", "Back\\slash and\nnewline; \"quotes\" stay.",
                  {"value"})
      .WithLabels({"a\\b \"c\"\nd"})
      .Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP demo_total Back\\\\slash and\\nnewline; \"quotes\" "
            "stay.\n"
            "# TYPE demo_total counter\n"
            "demo_total{value=\"a\\\\b \\\"c\\\"\\nd\"} 1\n");
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricsRegistry registry;
  Histogram& sizes = registry
                         .AddHistogram("demo_group_size", "Jobs per group.", {},
                                       ExponentialBuckets(1, 2, 4))
                         .WithLabels({});
  for (double value : {1.0, 1.0, 2.0, 3.0, 8.0, 9.0, 100.0}) {
    sizes.Observe(value);
  }
  sizes.Observe(std::numeric_limits<double>::quiet_NaN());  // Not counted.

  const Histogram::Snapshot snapshot = sizes.snapshot();
  EXPECT_THAT(snapshot.cumulative, ::testing::ElementsAre(2, 3, 4, 5, 7));
  EXPECT_EQ(snapshot.count, 7u);
  EXPECT_EQ(snapshot.sum, 124.0);
  EXPECT_EQ(registry.Render(),
            "# HELP demo_group_size Jobs per group.\n"
            "# TYPE demo_group_size histogram\n"
            "demo_group_size_bucket{le=\"1\"} 2\n"
            "demo_group_size_bucket{le=\"2\"} 3\n"
            "demo_group_size_bucket{le=\"4\"} 4\n"
            "demo_group_size_bucket{le=\"8\"} 5\n"
            "demo_group_size_bucket{le=\"+Inf\"} 7\n"
            "demo_group_size_sum 124\n"
            "demo_group_size_count 7\n");
}

TEST(MetricsRegistryTest, AHistogramWithoutLabelsStartsEmpty) {
  MetricsRegistry registry;
  registry.AddHistogram("demo_seconds", "Time.", {}, {0.001});
  EXPECT_EQ(registry.Render(),
            "# HELP demo_seconds Time.\n"
            "# TYPE demo_seconds histogram\n"
            "demo_seconds_bucket{le=\"0.001\"} 0\n"
            "demo_seconds_bucket{le=\"+Inf\"} 0\n"
            "demo_seconds_sum 0\n"
            "demo_seconds_count 0\n");
}

TEST(MetricsRegistryTest, GaugesAreReadAtEachScrapeFromEveryReader) {
  MetricsRegistry registry;
  int backlog = 2;
  GaugeRegistration first =
      registry.AddGauge("demo_backlog", "Waiting.", {"location"}, [&backlog] {
        return std::vector<GaugeSample>{
            {{"uptown"}, static_cast<double>(backlog)}};
      });
  GaugeRegistration second =
      registry.AddGauge("demo_backlog", "Waiting.", {"location"}, [] {
        return std::vector<GaugeSample>{{{"downtown"}, 0.5}};
      });
  EXPECT_EQ(registry.Render(),
            "# HELP demo_backlog Waiting.\n"
            "# TYPE demo_backlog gauge\n"
            "demo_backlog{location=\"downtown\"} 0.5\n"
            "demo_backlog{location=\"uptown\"} 2\n");

  backlog = 5;
  EXPECT_THAT(registry.Render(),
              HasSubstr("demo_backlog{location=\"uptown\"} 5\n"));

  // Moved, the registration still owns the reader; reset, it is gone.
  GaugeRegistration moved = std::move(second);
  second.Reset();  // Moved from: owns nothing.
  EXPECT_THAT(registry.Render(), HasSubstr("location=\"downtown\""));
  moved.Reset();
  EXPECT_THAT(registry.Render(), Not(HasSubstr("location=\"downtown\"")));
  { GaugeRegistration gone = std::move(first); }
  EXPECT_EQ(registry.Render(),
            "# HELP demo_backlog Waiting.\n"
            "# TYPE demo_backlog gauge\n");
}

TEST(MetricsRegistryTest, RegisteringANameAgainReturnsTheSameFamily) {
  MetricsRegistry registry;
  CounterFamily& first = registry.AddCounter("demo_total", "Things.", {"kind"});
  CounterFamily& again = registry.AddCounter("demo_total", "Things.", {"kind"});
  EXPECT_EQ(&first, &again);
  EXPECT_EQ(&first.WithLabels({"a"}), &again.WithLabels({"a"}));
  HistogramFamily& h1 = registry.AddHistogram("demo_seconds", "T.", {}, {1});
  HistogramFamily& h2 = registry.AddHistogram("demo_seconds", "T.", {}, {1});
  EXPECT_EQ(&h1, &h2);
}

TEST(MetricsRegistryTest, FormatsSampleValuesAsPrometheusParsesThem) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(7), "7");
  EXPECT_EQ(FormatSampleValue(0.0005), "0.0005");
  EXPECT_EQ(FormatSampleValue(2.5), "2.5");
  EXPECT_EQ(FormatSampleValue(-1.25), "-1.25");
  EXPECT_EQ(FormatSampleValue(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatSampleValue(123456.5), "123456.5");
  EXPECT_EQ(FormatSampleValue(1e20), "100000000000000000000");
  EXPECT_EQ(FormatSampleValue(1e21), "1e+21");
  EXPECT_EQ(FormatSampleValue(0.00001), "1e-05");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()),
            "-Inf");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
}

TEST(MetricsRegistryTest, LatencyBucketsRunFromHalfAMillisecondToTenSeconds) {
  const std::vector<double> bounds = LatencyBuckets();
  ASSERT_FALSE(bounds.empty());
  EXPECT_EQ(bounds.front(), 0.0005);
  EXPECT_EQ(bounds.back(), 10);
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
  EXPECT_THAT(ExponentialBuckets(1, 2, 4), ::testing::ElementsAre(1, 2, 4, 8));
}

TEST(MetricsRegistryTest, ConcurrentWritersLoseNoUpdate) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  MetricsRegistry registry;
  CounterFamily& calls =
      registry.AddCounter("demo_calls_total", "Calls.", {"method"});
  HistogramFamily& seconds =
      registry.AddHistogram("demo_seconds", "Time.", {"method"}, {0.5, 1.5});
  const std::vector<std::string> methods = {"A", "B", "C", "D"};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Series are looked up (and the first ones created) concurrently.
        const std::string& method = methods[(t + i) % methods.size()];
        calls.WithLabels({method}).Increment();
        seconds.WithLabels({method}).Observe(i % 2 == 0 ? 1.0 : 2.0);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  uint64_t total = 0;
  for (const std::string& method : methods) {
    SCOPED_TRACE(method);
    const uint64_t count = calls.WithLabels({method}).value();
    EXPECT_EQ(count, kThreads * kPerThread / methods.size());
    total += count;
    const Histogram::Snapshot snapshot =
        seconds.WithLabels({method}).snapshot();
    EXPECT_EQ(snapshot.count, count);
    // Half the observations are 1.0 (bucket 1.5), half 2.0 (+Inf).
    EXPECT_THAT(snapshot.cumulative,
                ::testing::ElementsAre(0, count / 2, count));
    EXPECT_EQ(snapshot.sum, 1.5 * static_cast<double>(count));
  }
  EXPECT_EQ(total, static_cast<uint64_t>(kThreads * kPerThread));
}

// The `_count` and `+Inf` lines of one histogram series in `text`.
std::pair<uint64_t, uint64_t> CountAndInf(absl::string_view text) {
  uint64_t count = 0, inf = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) continue;
    const absl::string_view name = line.substr(0, space);
    uint64_t value = 0;
    if (!absl::SimpleAtoi(line.substr(space + 1), &value)) continue;
    if (name == "demo_seconds_count") count = value;
    if (name == "demo_seconds_bucket{le=\"+Inf\"}") inf = value;
  }
  return {count, inf};
}

TEST(MetricsRegistryTest, AScrapeDuringObservationsKeepsCountEqualToInf) {
  MetricsRegistry registry;
  Histogram& seconds =
      registry.AddHistogram("demo_seconds", "Time.", {}, {1}).WithLabels({});
  absl::Notification stop;
  std::thread writer([&] {
    while (!stop.HasBeenNotified()) seconds.Observe(2);
  });
  for (int i = 0; i < 200; ++i) {
    const auto [count, inf] = CountAndInf(registry.Render());
    ASSERT_EQ(count, inf) << "scrape " << i;
  }
  stop.Notify();
  writer.join();
}

TEST(MetricsRegistryDeathTest, ProgrammingErrorsStopTheProcessNamingThem) {
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("demo_total", "x", {"a", "b"}).WithLabels({"1"});
      },
      "demo_total has labels \\(a,b\\), given 1 values");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("demo_total", "x");
        registry.AddCounter("demo_total", "x", {"kind"});
      },
      "demo_total is registered again");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("demo-total", "x");
      },
      "'demo-total' is not a valid metric name");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddHistogram("demo_seconds", "x", {"le"}, {1});
      },
      "cannot have the label 'le'");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddHistogram("demo_seconds", "x", {}, {1, 1});
      },
      "strictly increasing");
}

}  // namespace
}  // namespace makegood::telemetry
