#include "telemetry/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace makegood::telemetry {
namespace {

// A programming error in what registers or updates metrics: never a
// condition of the data, so the process stops with what was wrong.
[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "makegood metrics: %s\n", message.c_str());
  std::abort();
}

bool IsNameStart(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon_allowed && c == ':');
}

bool IsNameChar(char c, bool colon_allowed) {
  return IsNameStart(c, colon_allowed) || (c >= '0' && c <= '9');
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for a metric, [a-zA-Z_][a-zA-Z0-9_]* for a label.
bool IsValidName(absl::string_view name, bool colon_allowed) {
  if (name.empty() || !IsNameStart(name[0], colon_allowed)) return false;
  return std::all_of(name.begin(), name.end(), [colon_allowed](char c) {
    return IsNameChar(c, colon_allowed);
  });
}

void CheckNames(absl::string_view name,
                const std::vector<std::string>& label_names,
                bool is_histogram) {
  if (!IsValidName(name, /*colon_allowed=*/true)) {
    Die(absl::StrCat("'", name, "' is not a valid metric name"));
  }
  for (const std::string& label : label_names) {
    if (!IsValidName(label, /*colon_allowed=*/false) ||
        absl::StartsWith(label, "__")) {
      Die(absl::StrCat(name, ": '", label, "' is not a valid label name"));
    }
    if (is_histogram && label == "le") {
      Die(absl::StrCat(name, ": a histogram cannot have the label 'le'"));
    }
  }
  std::vector<std::string> sorted = label_names;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    Die(absl::StrCat(name, ": a label name is repeated"));
  }
}

void CheckValues(const internal::FamilyInfo& info, const LabelValues& values) {
  if (values.size() != info.label_names.size()) {
    Die(absl::StrCat(info.name, " has labels (",
                     absl::StrJoin(info.label_names, ","), "), given ",
                     values.size(), " values"));
  }
}

// HELP text: backslash and newline escaped.
std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// A label value: backslash, double quote and newline escaped.
void AppendEscapedValue(std::string& out, absl::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendHeader(std::string& out, const internal::FamilyInfo& info,
                  absl::string_view type) {
  absl::StrAppend(&out, "# HELP ", info.name, " ", EscapeHelp(info.help), "\n",
                  "# TYPE ", info.name, " ", type, "\n");
}

// `name{a="x",b="y"} value`: the series' labels, then `le` when given.
void AppendSample(std::string& out, absl::string_view name,
                  const std::vector<std::string>& label_names,
                  const LabelValues& values, absl::string_view le,
                  absl::string_view value) {
  out.append(name.data(), name.size());
  if (!label_names.empty() || !le.empty()) {
    out += '{';
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) out += ',';
      absl::StrAppend(&out, label_names[i], "=\"");
      AppendEscapedValue(out, values[i]);
      out += '"';
    }
    if (!le.empty()) {
      absl::StrAppend(&out, label_names.empty() ? "" : ",", "le=\"", le, "\"");
    }
    out += '}';
  }
  absl::StrAppend(&out, " ", value, "\n");
}

}  // namespace

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest digits that read back as the same double, in plain
  // decimals unless very small or large (as Prometheus' own clients write
  // them): a bucket's `le` reads "0.0005", not "5e-04".
  const double magnitude = std::fabs(value);
  const std::chars_format format =
      magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e21)
          ? std::chars_format::fixed
          : std::chars_format::scientific;
  char buffer[64];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, format);
  return std::string(buffer, result.ptr);
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  bounds.reserve(static_cast<size_t>(std::max(0, count)));
  double bound = start;
  for (int i = 0; i < count; ++i) {
    bounds.push_back(bound);
    bound *= factor;
  }
  return bounds;
}

// ---------------------------------------------------------------------------

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  // The first bound >= value: buckets are "less than or equal".
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) -
      bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(total);
  }
  // Count from the buckets, so that `_count` always equals the `+Inf`
  // bucket even while observations land during the scrape.
  snapshot.count = total;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

// ---------------------------------------------------------------------------

Counter& CounterFamily::WithLabels(const LabelValues& values) {
  CheckValues(info_, values);
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Counter>& series = series_[values];
  if (series == nullptr) series = std::make_unique<Counter>();
  return *series;
}

void CounterFamily::Render(std::string& out) const {
  AppendHeader(out, info_, "counter");
  absl::MutexLock lock(&mu_);
  for (const auto& [values, counter] : series_) {
    AppendSample(out, info_.name, info_.label_names, values, "",
                 absl::StrCat(counter->value()));
  }
}

Histogram& HistogramFamily::WithLabels(const LabelValues& values) {
  CheckValues(info_, values);
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Histogram>& series = series_[values];
  if (series == nullptr) series = std::make_unique<Histogram>(bounds_);
  return *series;
}

void HistogramFamily::Render(std::string& out) const {
  AppendHeader(out, info_, "histogram");
  const std::string bucket = absl::StrCat(info_.name, "_bucket");
  const std::string sum = absl::StrCat(info_.name, "_sum");
  const std::string count = absl::StrCat(info_.name, "_count");
  absl::MutexLock lock(&mu_);
  for (const auto& [values, histogram] : series_) {
    const Histogram::Snapshot snapshot = histogram->snapshot();
    for (size_t i = 0; i < bounds_.size(); ++i) {
      AppendSample(out, bucket, info_.label_names, values,
                   FormatSampleValue(bounds_[i]),
                   absl::StrCat(snapshot.cumulative[i]));
    }
    AppendSample(out, bucket, info_.label_names, values, "+Inf",
                 absl::StrCat(snapshot.count));
    AppendSample(out, sum, info_.label_names, values, "",
                 FormatSampleValue(snapshot.sum));
    AppendSample(out, count, info_.label_names, values, "",
                 absl::StrCat(snapshot.count));
  }
}

// ---------------------------------------------------------------------------

GaugeRegistration::GaugeRegistration(GaugeRegistration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)),
      id_(std::exchange(other.id_, 0)) {}

GaugeRegistration& GaugeRegistration::operator=(
    GaugeRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void GaugeRegistration::Reset() {
  if (registry_ == nullptr) return;
  registry_->RemoveGauge(id_);
  registry_ = nullptr;
  id_ = 0;
}

// ---------------------------------------------------------------------------

struct MetricsRegistry::Entry {
  Kind kind = Kind::kCounter;
  internal::FamilyInfo info;
  // The one of these that `kind` names.
  std::unique_ptr<CounterFamily> counters;
  std::unique_ptr<HistogramFamily> histograms;
  std::map<uint64_t, GaugeReader> gauges;  // By registration id.
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Entry& MetricsRegistry::EntryLocked(
    absl::string_view name, absl::string_view help, Kind kind,
    std::vector<std::string> label_names) {
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    Entry& entry = *it->second;
    if (entry.kind != kind || entry.info.label_names != label_names) {
      Die(absl::StrCat(name,
                       " is registered again as another kind of metric or "
                       "with other labels"));
    }
    return entry;
  }
  CheckNames(name, label_names, kind == Kind::kHistogram);
  auto entry = std::make_unique<Entry>();
  entry->kind = kind;
  entry->info = internal::FamilyInfo{std::string(name), std::string(help),
                                     std::move(label_names)};
  return *entries_.emplace(std::string(name), std::move(entry)).first->second;
}

CounterFamily& MetricsRegistry::AddCounter(
    absl::string_view name, absl::string_view help,
    std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  Entry& entry =
      EntryLocked(name, help, Kind::kCounter, std::move(label_names));
  if (entry.counters == nullptr) {
    entry.counters.reset(new CounterFamily(entry.info));
    // A lone series is there from the start: rate() needs its zero.
    if (entry.info.label_names.empty()) entry.counters->WithLabels({});
  }
  return *entry.counters;
}

HistogramFamily& MetricsRegistry::AddHistogram(
    absl::string_view name, absl::string_view help,
    std::vector<std::string> label_names, std::vector<double> bounds) {
  if (bounds.empty() ||
      !std::all_of(bounds.begin(), bounds.end(),
                   [](double b) { return std::isfinite(b); }) ||
      std::adjacent_find(bounds.begin(), bounds.end(),
                         std::greater_equal<double>()) != bounds.end()) {
    Die(absl::StrCat(name,
                     ": histogram bounds must be finite and strictly "
                     "increasing"));
  }
  absl::MutexLock lock(&mu_);
  Entry& entry =
      EntryLocked(name, help, Kind::kHistogram, std::move(label_names));
  if (entry.histograms == nullptr) {
    entry.histograms.reset(new HistogramFamily(entry.info, std::move(bounds)));
    if (entry.info.label_names.empty()) entry.histograms->WithLabels({});
  } else if (entry.histograms->bounds_ != bounds) {
    Die(absl::StrCat(name, " is registered again with other bounds"));
  }
  return *entry.histograms;
}

GaugeRegistration MetricsRegistry::AddGauge(
    absl::string_view name, absl::string_view help,
    std::vector<std::string> label_names, GaugeReader read) {
  absl::MutexLock lock(&mu_);
  Entry& entry = EntryLocked(name, help, Kind::kGauge, std::move(label_names));
  const uint64_t id = next_gauge_id_++;
  entry.gauges.emplace(id, std::move(read));
  return GaugeRegistration(this, id);
}

void MetricsRegistry::RemoveGauge(uint64_t id) {
  absl::MutexLock lock(&mu_);
  for (auto& [name, entry] : entries_) {
    if (entry->gauges.erase(id) > 0) return;
  }
}

std::string MetricsRegistry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, entry] : entries_) {
    switch (entry->kind) {
      case Kind::kCounter:
        entry->counters->Render(out);
        break;
      case Kind::kHistogram:
        entry->histograms->Render(out);
        break;
      case Kind::kGauge: {
        std::vector<GaugeSample> samples;
        for (const auto& [id, read] : entry->gauges) {
          std::vector<GaugeSample> more = read();
          for (GaugeSample& sample : more) {
            CheckValues(entry->info, sample.labels);
            samples.push_back(std::move(sample));
          }
        }
        std::stable_sort(samples.begin(), samples.end(),
                         [](const GaugeSample& a, const GaugeSample& b) {
                           return a.labels < b.labels;
                         });
        AppendHeader(out, entry->info, "gauge");
        for (const GaugeSample& sample : samples) {
          AppendSample(out, name, entry->info.label_names, sample.labels, "",
                       FormatSampleValue(sample.value));
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace makegood::telemetry
