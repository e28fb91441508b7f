#include "store/check_queries.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "store/page_token.h"

namespace makegood::store {
namespace {

using makegood::v1::Check;
using makegood::v1::LineItem;

constexpr char kCheckColumns[] =
    "c.check_id, c.state, c.table_name, c.guest_count, c.server_id, "
    "c.guest_id, c.opened_at_us, c.paid_at_us, c.closed_at_us, "
    "c.paid_total_minor, c.tip_minor, c.first_event_at_us, l.currency, "
    "(SELECT coalesce(sum(i.quantity * i.unit_price_minor), 0) FROM line_items "
    "i "
    " WHERE i.location_id=c.location_id AND i.check_id=c.check_id "
    "   AND i.voided_at_us IS NULL), "
    "c.pos_discount_minor + (SELECT coalesce(sum(i.pos_discount_minor), 0) "
    " FROM line_items i WHERE i.location_id=c.location_id "
    "   AND i.check_id=c.check_id) "
    "FROM checks c JOIN locations l ON l.location_id=c.location_id ";

void SetMoney(makegood::v1::Money* money, int64_t minor_units,
              const std::string& currency) {
  money->set_minor_units(minor_units);
  money->set_currency(currency);
}

// Sets the timestamp field only when the column holds a time, so that
// unset stays distinguishable from the epoch.
template <typename MutableField>
void SetTime(const Statement& row, int column, MutableField mutable_field) {
  if (!row.IsNull(column))
    *mutable_field() = core::TimestampFromMicros(row.Int(column));
}

Check CheckFromRow(const Statement& row, absl::string_view location_id) {
  Check check;
  check.set_location_id(std::string(location_id));
  check.set_check_id(row.Text(0));
  Check::State state = Check::STATE_UNSPECIFIED;
  Check::State_Parse(row.Text(1), &state);
  check.set_state(state);
  check.set_table(row.Text(2));
  check.set_guest_count(static_cast<int32_t>(row.Int(3)));
  check.set_server_id(row.Text(4));
  check.set_guest_id(row.Text(5));
  SetTime(row, 6, [&] { return check.mutable_opened_at(); });
  SetTime(row, 7, [&] { return check.mutable_paid_at(); });
  SetTime(row, 8, [&] { return check.mutable_closed_at(); });
  const std::string currency = row.Text(12);
  SetMoney(check.mutable_paid_total(), row.Int(9), currency);
  SetMoney(check.mutable_tip(), row.Int(10), currency);
  SetTime(row, 11, [&] { return check.mutable_first_event_at(); });
  SetMoney(check.mutable_subtotal(), row.Int(13), currency);
  SetMoney(check.mutable_pos_discounts(), row.Int(14), currency);
  return check;
}

absl::Status ReadItems(Connection& db, Check& check) {
  auto stmt = db.Prepare(
      "SELECT line_id, sku, name, station, quantity, unit_price_minor, seat, "
      "state, ordered_at_us, fired_at_us, served_at_us, voided_at_us, "
      "void_reason, pos_discount_minor FROM line_items "
      "WHERE location_id=?1 AND check_id=?2 "
      "ORDER BY coalesce(ordered_at_us, fired_at_us, served_at_us, "
      "voided_at_us), line_id");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, check.location_id()).Bind(2, check.check_id());
  const std::string& currency = check.subtotal().currency();
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    LineItem* item = check.add_items();
    item->set_line_id(row.Text(0));
    item->set_sku(row.Text(1));
    item->set_name(row.Text(2));
    item->set_station(row.Text(3));
    item->set_quantity(static_cast<int32_t>(row.Int(4)));
    if (!row.IsNull(5))
      SetMoney(item->mutable_unit_price(), row.Int(5), currency);
    item->set_seat(static_cast<int32_t>(row.Int(6)));
    makegood::v1::ItemState state = makegood::v1::ITEM_STATE_UNSPECIFIED;
    makegood::v1::ItemState_Parse(row.Text(7), &state);
    item->set_state(state);
    SetTime(row, 8, [&] { return item->mutable_ordered_at(); });
    SetTime(row, 9, [&] { return item->mutable_fired_at(); });
    SetTime(row, 10, [&] { return item->mutable_served_at(); });
    SetTime(row, 11, [&] { return item->mutable_voided_at(); });
    item->set_void_reason(row.Text(12));
    SetMoney(item->mutable_pos_discounts(), row.Int(13), currency);
  }
}

}  // namespace

absl::StatusOr<Check> ReadCheckInTransaction(Connection& db,
                                             absl::string_view location_id,
                                             absl::string_view check_id) {
  static const std::string sql = absl::StrCat(
      "SELECT ", kCheckColumns, "WHERE c.location_id=?1 AND c.check_id=?2");
  auto stmt = db.Prepare(sql.c_str());
  if (!stmt.ok()) return stmt.status();
  auto found = (*stmt)->Bind(1, location_id).Bind(2, check_id).Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return absl::NotFoundError(absl::StrCat(
        "check '", check_id, "' is not known: no event of it has arrived"));
  }
  Check check = CheckFromRow(**stmt, location_id);
  stmt->reset();
  if (auto s = ReadItems(db, check); !s.ok()) return s;
  return check;
}

absl::StatusOr<Check> ReadCheck(Connection& db, absl::string_view location_id,
                                absl::string_view check_id) {
  // One read transaction: the check and its items from the same snapshot.
  if (auto s = db.Exec("BEGIN"); !s.ok()) return s;
  absl::StatusOr<Check> result =
      ReadCheckInTransaction(db, location_id, check_id);
  db.Exec("COMMIT").IgnoreError();
  return result;
}

absl::StatusOr<CheckPage> ReadCheckPage(Connection& db,
                                        absl::string_view location_id,
                                        const CheckListQuery& query) {
  if (query.page_size < 1 || query.page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1 to 1000, got ", query.page_size));
  }
  // The token holds the last row's first_event_at_us and check_id.
  auto after = ParsePageToken(query.page_token);
  if (!after.ok()) return after.status();
  static const std::string sql = absl::StrCat(
      "SELECT ", kCheckColumns,
      "WHERE c.location_id=?1 AND (?2=0 OR c.state='OPEN') "
      "AND (c.first_event_at_us, c.check_id) < (?3, ?4) "
      "ORDER BY c.first_event_at_us DESC, c.check_id DESC LIMIT ?5");
  auto stmt = db.Prepare(sql.c_str());
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, location_id)
      .Bind(2, query.open_only ? 1 : 0)
      .Bind(3, after->at_us)
      .Bind(4, after->id)
      .Bind(5, query.page_size + 1);
  CheckPage page;
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (static_cast<int>(page.checks.size()) == query.page_size) {
      const Check& last = page.checks.back();
      page.next_page_token = FormatPageToken(
          core::ToUnixMicros(last.first_event_at()), last.check_id());
      break;
    }
    page.checks.push_back(CheckFromRow(row, location_id));
  }
  return page;
}

}  // namespace makegood::store
