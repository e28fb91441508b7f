#ifndef MAKEGOOD_TELEMETRY_METRICS_H_
#define MAKEGOOD_TELEMETRY_METRICS_H_

// makegoodd's Prometheus metrics: counters and histograms that the code
// updates as things happen, gauges read at scrape time, and the text
// exposition format 0.0.4 that GET /metrics answers.
//
// A family has a name, a help line and fixed label names; each list of
// label values is one series of it. Updating a series is a few atomic adds.
// Looking a series up by its label values takes the family's lock for a map
// lookup, so a hot path whose labels never change keeps the reference:
// series live as long as the registry.
//
// Names follow Prometheus conventions, which the registry checks only for
// their characters: base units in the name (`_seconds`, `_bytes`), counters
// ending in `_total`. A bad name, a bad label name, label values that do
// not match the family's names, or a name registered again as something
// else is a programming error: the process aborts with a message naming it.
//
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace makegood::telemetry {

// The Content-Type of Render's text.
inline constexpr char kExpositionContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

// One value per label name of the family, in the same order.
using LabelValues = std::vector<std::string>;

// A count that only goes up.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Increment(uint64_t by = 1) {
    value_.fetch_add(by, std::memory_order_relaxed);
  }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Observations counted into buckets by fixed upper bounds (Prometheus'
// `le`, "less than or equal"), with their sum. NaN is not counted.
class Histogram {
 public:
  // `bounds` (strictly increasing, finite) must outlive the histogram.
  explicit Histogram(const std::vector<double>& bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);
  void ObserveDuration(absl::Duration duration) {
    Observe(absl::ToDoubleSeconds(duration));
  }

  struct Snapshot {
    // Observations <= each bound, then all of them (`+Inf`): one more
    // entry than there are bounds.
    std::vector<uint64_t> cumulative;
    double sum = 0;
    // The same as cumulative.back().
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double>& bounds_;
  // Observations per bucket (not cumulative), the last one above every
  // bound.
  const std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// One gauge series as a reader computes it at scrape time.
struct GaugeSample {
  LabelValues labels;
  double value = 0;
};
// Called at each Render with the registry's lock held: it must not call the
// registry, and should be quick (a scrape waits for it).
using GaugeReader = std::function<std::vector<GaugeSample>()>;

class MetricsRegistry;

namespace internal {
// What a family is, for its HELP and TYPE lines and its series' labels.
struct FamilyInfo {
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
};
}  // namespace internal

class CounterFamily {
 public:
  CounterFamily(const CounterFamily&) = delete;
  CounterFamily& operator=(const CounterFamily&) = delete;

  // The series of `values`, created at 0 on first use.
  Counter& WithLabels(const LabelValues& values);

 private:
  friend class MetricsRegistry;
  explicit CounterFamily(internal::FamilyInfo info) : info_(std::move(info)) {}
  void Render(std::string& out) const;

  const internal::FamilyInfo info_;
  mutable absl::Mutex mu_;
  std::map<LabelValues, std::unique_ptr<Counter>> series_ ABSL_GUARDED_BY(mu_);
};

class HistogramFamily {
 public:
  HistogramFamily(const HistogramFamily&) = delete;
  HistogramFamily& operator=(const HistogramFamily&) = delete;

  // The series of `values`, created empty on first use.
  Histogram& WithLabels(const LabelValues& values);

 private:
  friend class MetricsRegistry;
  HistogramFamily(internal::FamilyInfo info, std::vector<double> bounds)
      : info_(std::move(info)), bounds_(std::move(bounds)) {}
  void Render(std::string& out) const;

  const internal::FamilyInfo info_;
  const std::vector<double> bounds_;
  mutable absl::Mutex mu_;
  std::map<LabelValues, std::unique_ptr<Histogram>> series_
      ABSL_GUARDED_BY(mu_);
};

// Keeps a gauge reader registered; destroying it (or Reset) unregisters the
// reader, waiting for a scrape that is calling it. Must not outlive its
// registry.
class GaugeRegistration {
 public:
  GaugeRegistration() = default;
  GaugeRegistration(GaugeRegistration&& other) noexcept;
  GaugeRegistration& operator=(GaugeRegistration&& other) noexcept;
  ~GaugeRegistration() { Reset(); }

  void Reset();

 private:
  friend class MetricsRegistry;
  GaugeRegistration(MetricsRegistry* registry, uint64_t id)
      : registry_(registry), id_(id) {}

  MetricsRegistry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;
  ~MetricsRegistry();

  // The family `name`, registered now or, with the same kind, label names
  // (and bounds), earlier. A family without labels has its one series from
  // the start, at 0.
  CounterFamily& AddCounter(absl::string_view name, absl::string_view help,
                            std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(absl::string_view name, absl::string_view help,
                                std::vector<std::string> label_names,
                                std::vector<double> bounds);

  // Adds `read` to the gauge family `name` (registered now, or earlier with
  // the same label names); the family's series are what its readers return
  // at each scrape, and no two of them may return the same label values.
  [[nodiscard]] GaugeRegistration AddGauge(absl::string_view name,
                                           absl::string_view help,
                                           std::vector<std::string> label_names,
                                           GaugeReader read);

  // Every family, by name, in the text exposition format 0.0.4: HELP and
  // TYPE lines, then the series by label values.
  std::string Render() const;

 private:
  friend class GaugeRegistration;
  enum class Kind { kCounter, kHistogram, kGauge };
  struct Entry;
  // The entry of `name`, created when new; aborts when it is registered as
  // another kind or with other label names.
  Entry& EntryLocked(absl::string_view name, absl::string_view help, Kind kind,
                     std::vector<std::string> label_names)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveGauge(uint64_t id);

  // Also held while Render calls the gauge readers, so that RemoveGauge
  // waits for a scrape that is calling the reader it removes.
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_gauge_id_ ABSL_GUARDED_BY(mu_) = 1;
};

// Upper bounds for latencies in seconds: 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();
// `count` bounds from `start`, each `factor` times the one before.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// How Render writes a sample value: shortest round-trip decimal, "+Inf",
// "-Inf", "NaN".
std::string FormatSampleValue(double value);

}  // namespace makegood::telemetry

#endif  // MAKEGOOD_TELEMETRY_METRICS_H_
