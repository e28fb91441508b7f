#include "service_day.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/proto_time.h"

namespace makegood::simulator {
namespace {

using makegood::v1::OrderEvent;

struct MenuItem {
  const char* sku;
  const char* name;
  const char* station;
  int64_t price_minor;
};

constexpr MenuItem kStarters[] = {
    {"BURRATA", "Burrata, heirloom tomato", "garde-manger", 1600},
    {"CALAMARI", "Fried calamari", "fry", 1500},
    {"SOUP-DAY", "Soup of the day", "saute", 900},
    {"CAESAR", "Caesar salad", "garde-manger", 1200},
};
constexpr MenuItem kMains[] = {
    {"RIBEYE-12", "Ribeye 12oz", "grill", 4800},
    {"SALMON", "Roasted salmon", "saute", 3200},
    {"BURGER", "House burger", "grill", 1900},
    {"RISOTTO", "Mushroom risotto", "saute", 2600},
    {"CHICKEN", "Half chicken", "grill", 2800},
    {"FISH-CHIPS", "Fish and chips", "fry", 2200},
};
constexpr MenuItem kDesserts[] = {
    {"TIRAMISU", "Tiramisu", "pastry", 1100},
    {"CHEESECAKE", "Cheesecake", "pastry", 1000},
};

// Deterministic everywhere: mt19937_64's sequence is fixed by the
// standard; the distributions are not, so none are used.
class Dice {
 public:
  explicit Dice(uint64_t seed) : engine_(seed) {}
  // 0..n-1.
  int Below(int n) { return static_cast<int>(engine_() % n); }
  bool Chance(double p) {
    return static_cast<double>(engine_() % 1000000) < p * 1000000;
  }
  absl::Duration Minutes(int from, int to) {
    return absl::Minutes(from + Below(to - from + 1));
  }

 private:
  std::mt19937_64 engine_;
};

class DayWriter {
 public:
  explicit DayWriter(const DayOptions& options) : options_(options) {}

  OrderEvent& Add(const std::string& check_id, const std::string& suffix,
                  absl::Time at) {
    OrderEvent& event = events_.emplace_back();
    event.set_event_id(absl::StrCat(check_id, "/", suffix));
    event.set_source("makegood-sim");
    event.set_location_id(options_.location_id);
    event.set_check_id(check_id);
    *event.mutable_occurred_at() = core::ToProto(at);
    return event;
  }

  std::vector<OrderEvent> TakeSorted() {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const OrderEvent& a, const OrderEvent& b) {
                       return core::FromProto(a.occurred_at()) <
                              core::FromProto(b.occurred_at());
                     });
    return std::move(events_);
  }

 private:
  const DayOptions& options_;
  std::vector<OrderEvent> events_;
};

const char* kColdWords[] = {"My food is cold", "This is lukewarm",
                            "The steak came out cold"};
const char* kWrongWords[] = {"I ordered something else",
                             "This isn't what I asked for"};
const char* kQualityWords[] = {"This is overcooked", "It tastes off"};

}  // namespace

ServiceDay PlanServiceDay(const DayOptions& options) {
  Dice dice(options.seed);
  DayWriter out(options);
  ServiceDay day;
  int seated = 0;
  while (seated < options.covers) {
    const int party = std::min(1 + dice.Below(dice.Chance(0.6) ? 2 : 6),
                               options.covers - seated);
    seated += party;
    const bool lunch = dice.Chance(0.4);
    // Arrivals cluster at the peaks: 12:15 and 19:30, give or take.
    const absl::CivilMinute peak =
        lunch ? absl::CivilMinute(options.date.year(), options.date.month(),
                                  options.date.day(), 11, 30)
              : absl::CivilMinute(options.date.year(), options.date.month(),
                                  options.date.day(), 17, 30);
    const int spread = lunch ? 150 : 240;
    const int offset = (dice.Below(spread) + dice.Below(spread)) / 2;
    const absl::Time arrived = absl::FromCivil(peak + offset, options.zone) +
                               absl::Seconds(dice.Below(60));
    ++day.checks;
    const std::string check_id =
        absl::StrFormat("SIM-%04d%02d%02d-%04d", options.date.year(),
                        options.date.month(), options.date.day(), day.checks);
    const int server = dice.Below(static_cast<int>(options.servers.size()));
    auto& opened = *out.Add(check_id, "opened", arrived).mutable_check_opened();
    opened.set_table(absl::StrCat("T", 1 + dice.Below(30)));
    opened.set_guest_count(party);
    opened.set_server_id(options.servers[server]);
    if (dice.Chance(0.3)) {
      opened.set_guest_id(absl::StrCat("guest-", dice.Below(600)));
    }

    struct Line {
      std::string id;
      const MenuItem* item;
      absl::Time served;
    };
    std::vector<Line> lines;
    int64_t total = 0;
    const absl::Time ordered = arrived + dice.Minutes(3, 8);
    auto add_line = [&](const MenuItem& item, int seat, absl::Time fire,
                        absl::Duration cook) {
      Line line{absl::StrCat(lines.size() + 1), &item, fire + cook};
      auto& added =
          *out.Add(check_id, line.id + "/added", ordered).mutable_item_added();
      added.set_line_id(line.id);
      added.set_sku(item.sku);
      added.set_name(item.name);
      added.set_station(item.station);
      added.set_quantity(1);
      added.set_seat(seat);
      added.mutable_unit_price()->set_minor_units(item.price_minor);
      added.mutable_unit_price()->set_currency(options.currency);
      out.Add(check_id, line.id + "/fired", fire)
          .mutable_item_fired()
          ->set_line_id(line.id);
      out.Add(check_id, line.id + "/served", line.served)
          .mutable_item_served()
          ->set_line_id(line.id);
      total += item.price_minor;
      lines.push_back(line);
    };
    const absl::Time starters_fired = ordered + dice.Minutes(1, 4);
    for (int guest = 0; guest < party; ++guest) {
      if (dice.Chance(0.5)) {
        add_line(kStarters[dice.Below(std::size(kStarters))], guest + 1,
                 starters_fired, dice.Minutes(8, 14));
      }
    }
    const absl::Time mains_fired = ordered + dice.Minutes(15, 25);
    // A slow night at the grill now and then: mains take much longer.
    const bool slow = dice.Chance(0.05);
    for (int guest = 0; guest < party; ++guest) {
      add_line(kMains[dice.Below(std::size(kMains))], guest + 1, mains_fired,
               slow ? dice.Minutes(35, 50) : dice.Minutes(12, 20));
    }
    absl::Time last_served = arrived;
    for (const Line& line : lines)
      last_served = std::max(last_served, line.served);
    for (int guest = 0; guest < party; ++guest) {
      if (dice.Chance(0.35)) {
        add_line(kDesserts[dice.Below(std::size(kDesserts))], guest + 1,
                 last_served + dice.Minutes(15, 25), dice.Minutes(4, 8));
      }
    }
    for (const Line& line : lines)
      last_served = std::max(last_served, line.served);

    // Problems: one item at a time, or the whole check after a slow night.
    std::vector<Problem> problems;
    if (slow) {
      Problem wait;
      wait.check_id = check_id;
      wait.category_id = "long_wait";
      wait.severity = makegood::v1::MAJOR;
      wait.guest_words = "We have been waiting for ages";
      wait.flagged_at = mains_fired + absl::Minutes(30);
      wait.root_cause = makegood::v1::KITCHEN;
      wait.action_taken = "Second grill cook called in for the rush";
      problems.push_back(wait);
    }
    for (const Line& line : lines) {
      if (!dice.Chance(options.problem_rate)) continue;
      Problem problem;
      problem.check_id = check_id;
      problem.line_ids = {line.id};
      const int kind = dice.Below(20);
      if (kind < 10) {
        problem.category_id = "cold_food";
        problem.guest_words = kColdWords[dice.Below(std::size(kColdWords))];
        problem.root_cause = makegood::v1::KITCHEN;
        problem.action_taken = "Pass checked; plates held under the lamp";
      } else if (kind < 15) {
        problem.category_id = "wrong_item";
        problem.guest_words = kWrongWords[dice.Below(std::size(kWrongWords))];
        problem.root_cause = makegood::v1::FRONT_OF_HOUSE;
        problem.action_taken = "Order read back at the table";
      } else if (kind < 19) {
        problem.category_id = "quality";
        problem.guest_words =
            kQualityWords[dice.Below(std::size(kQualityWords))];
        problem.root_cause = makegood::v1::KITCHEN;
        problem.action_taken = "Recipe card reviewed with the line";
      } else {
        problem.category_id = "foreign_object";
        problem.guest_words = "There is something in my food";
        problem.root_cause = makegood::v1::SUPPLIER;
        problem.action_taken = "Batch set aside; supplier called";
      }
      const int severity = dice.Below(10);
      problem.severity = severity < 4   ? makegood::v1::MINOR
                         : severity < 9 ? makegood::v1::MAJOR
                                        : makegood::v1::SEVERE;
      if (problem.category_id == "foreign_object") {
        problem.severity = makegood::v1::SEVERE;
      }
      problem.flagged_at = line.served + dice.Minutes(2, 6);
      problems.push_back(problem);
    }
    absl::Time last_outcome = last_served;
    for (Problem& problem : problems) {
      problem.server_index = server;
      problem.applied_at = problem.flagged_at + dice.Minutes(1, 3);
      problem.option_index = dice.Chance(0.75) ? 0 : 1;
      problem.approval_after = dice.Minutes(2, 5);
      problem.outcome_at =
          problem.applied_at + problem.approval_after + dice.Minutes(5, 12);
      const int response = dice.Below(20);
      problem.response = response < 17   ? makegood::v1::ACCEPTED
                         : response < 19 ? makegood::v1::DECLINED
                                         : makegood::v1::LEFT;
      last_outcome = std::max(last_outcome, problem.outcome_at);
      day.problems.push_back(problem);
    }
    const absl::Time paid_at =
        std::max(last_served, last_outcome) + dice.Minutes(10, 30);
    auto& paid = *out.Add(check_id, "paid", paid_at).mutable_check_paid();
    paid.mutable_total()->set_minor_units(total);
    paid.mutable_total()->set_currency(options.currency);
    paid.mutable_tip()->set_minor_units(total * (15 + dice.Below(8)) / 100);
    paid.mutable_tip()->set_currency(options.currency);
    out.Add(check_id, "closed", paid_at + absl::Minutes(2))
        .mutable_check_closed();
  }
  // Guests from earlier days, back for dinner with their code.
  for (const DayOptions::Code& code : options.earlier_codes) {
    if (!dice.Chance(0.5)) continue;
    ++day.checks;
    ++day.codes_redeemed;
    const std::string check_id = absl::StrFormat(
        "SIM-%04d%02d%02d-R%03d", options.date.year(), options.date.month(),
        options.date.day(), day.codes_redeemed);
    const absl::Time arrived = absl::FromCivil(
        absl::CivilMinute(options.date.year(), options.date.month(),
                          options.date.day(), 18, 0) +
            dice.Below(180),
        options.zone);
    auto& opened = *out.Add(check_id, "opened", arrived).mutable_check_opened();
    opened.set_table(absl::StrCat("T", 1 + dice.Below(30)));
    opened.set_guest_count(2);
    opened.set_server_id(
        options.servers[dice.Below(static_cast<int>(options.servers.size()))]);
    int64_t total = 0;
    for (int guest = 0; guest < 2; ++guest) {
      const MenuItem& item = kMains[dice.Below(std::size(kMains))];
      const std::string line = absl::StrCat(guest + 1);
      auto& added =
          *out.Add(check_id, line + "/added", arrived + absl::Minutes(5))
               .mutable_item_added();
      added.set_line_id(line);
      added.set_sku(item.sku);
      added.set_name(item.name);
      added.set_station(item.station);
      added.set_quantity(1);
      added.set_seat(guest + 1);
      added.mutable_unit_price()->set_minor_units(item.price_minor);
      added.mutable_unit_price()->set_currency(options.currency);
      total += item.price_minor;
    }
    const int64_t off =
        std::min(total, code.value_minor > 0 ? code.value_minor : total / 10);
    const absl::Time paid_at = arrived + dice.Minutes(60, 90);
    auto& redeemed = *out.Add(check_id, "code", paid_at - absl::Minutes(2))
                          .mutable_discount_code_redeemed();
    redeemed.set_code(code.code);
    redeemed.mutable_amount()->set_minor_units(off);
    redeemed.mutable_amount()->set_currency(options.currency);
    auto& paid = *out.Add(check_id, "paid", paid_at).mutable_check_paid();
    paid.mutable_total()->set_minor_units(total - off);
    paid.mutable_total()->set_currency(options.currency);
    paid.mutable_tip()->set_minor_units(total * 18 / 100);
    paid.mutable_tip()->set_currency(options.currency);
    out.Add(check_id, "closed", paid_at + absl::Minutes(2))
        .mutable_check_closed();
  }
  day.covers = seated;
  day.events = out.TakeSorted();
  std::stable_sort(day.problems.begin(), day.problems.end(),
                   [](const Problem& a, const Problem& b) {
                     return a.flagged_at < b.flagged_at;
                   });
  return day;
}

}  // namespace makegood::simulator
