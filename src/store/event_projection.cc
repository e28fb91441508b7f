// The check projection: order events -> checks and line_items rows.
//
// Invariants:
//  1. An event is applied at most once: the projection runs only when the
//     INSERT into order_events created a row.
//  2. Order of arrival does not matter. Every event first makes sure its
//     check exists; a fire/serve/void of an unknown line creates the line
//     with only that time set, and item_added fills in the rest later.
//  3. Per line, each of ordered/fired/served/voided keeps its earliest
//     time; the state is derived from which times are set (later states
//     win), so "served before fired" ends SERVED with both times kept.
//  4. Amounts accumulate: split payments, tips and POS discounts add up.
//  5. A discount of origin MAKEGOOD that names a command of one of this
//     check's cases confirms that remedy: it is stored but adds nothing to
//     pos_discount_minor, because the remedy's own money off already
//     counts. Naming any other command, it counts as a POS discount, so an
//     origin cannot hide a discount from the loss-prevention report.

#include "store/event_projection.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/discount_code.h"
#include "core/event_validation.h"
#include "core/proto_time.h"

namespace makegood::store {
namespace {

using makegood::v1::OrderEvent;

// Keeps the earliest of the stored and the new time (NULL counts as unset).
#define EARLIEST(col) \
  col "=coalesce(min(" col ", excluded." col "), excluded." col ")"

constexpr char kInsertEvent[] =
    "INSERT OR IGNORE INTO order_events(source, event_id, location_id, "
    "check_id, kind, occurred_at_us, received_at_us, payload) "
    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)";

// Writes nothing when the check exists and started no later than this
// event, which is nearly always: no row or index rewrite per event.
constexpr char kEnsureCheck[] =
    "INSERT INTO checks(location_id, check_id, first_event_at_us) "
    "VALUES(?1,?2,?3) ON CONFLICT DO UPDATE SET first_event_at_us=?3 "
    "WHERE first_event_at_us > ?3";

constexpr char kCheckOpened[] =
    "UPDATE checks SET table_name=coalesce(?3, table_name), "
    "guest_count=coalesce(?4, guest_count), "
    "server_id=coalesce(?5, server_id), guest_id=coalesce(?6, guest_id), "
    "opened_at_us=coalesce(min(opened_at_us, ?7), ?7) "
    "WHERE location_id=?1 AND check_id=?2";

constexpr char kCheckPaid[] =
    "UPDATE checks SET paid_at_us=coalesce(min(paid_at_us, ?3), ?3), "
    "paid_total_minor=paid_total_minor+?4, tip_minor=tip_minor+?5 "
    "WHERE location_id=?1 AND check_id=?2";

constexpr char kCheckClosed[] =
    "UPDATE checks SET closed_at_us=coalesce(min(closed_at_us, ?3), ?3) "
    "WHERE location_id=?1 AND check_id=?2";

constexpr char kCheckDiscounted[] =
    "UPDATE checks SET pos_discount_minor=pos_discount_minor+?3 "
    "WHERE location_id=?1 AND check_id=?2";

constexpr char kItemAdded[] =
    "INSERT INTO line_items(location_id, check_id, line_id, sku, name, "
    "station, quantity, unit_price_minor, seat, ordered_at_us) "
    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) "
    "ON CONFLICT DO UPDATE SET sku=excluded.sku, name=excluded.name, "
    "station=excluded.station, quantity=excluded.quantity, "
    "unit_price_minor=excluded.unit_price_minor, seat=excluded.seat, " EARLIEST(
        "ordered_at_us");

constexpr char kItemFired[] =
    "INSERT INTO line_items(location_id, check_id, line_id, fired_at_us) "
    "VALUES(?1,?2,?3,?4) ON CONFLICT DO UPDATE SET " EARLIEST("fired_at_us");

constexpr char kItemServed[] =
    "INSERT INTO line_items(location_id, check_id, line_id, served_at_us) "
    "VALUES(?1,?2,?3,?4) ON CONFLICT DO UPDATE SET " EARLIEST("served_at_us");

constexpr char kItemVoided[] =
    "INSERT INTO line_items(location_id, check_id, line_id, voided_at_us, "
    "void_reason) VALUES(?1,?2,?3,?4,?5) ON CONFLICT DO UPDATE SET " EARLIEST(
        "voided_at_us") ", void_reason=coalesce(void_reason, excluded.void_reason)";

constexpr char kItemDiscounted[] =
    "INSERT INTO line_items(location_id, check_id, line_id, "
    "pos_discount_minor) VALUES(?1,?2,?3,?4) ON CONFLICT DO UPDATE SET "
    "pos_discount_minor=pos_discount_minor+excluded.pos_discount_minor";

#undef EARLIEST

constexpr char kCommandOfCheck[] =
    "SELECT 1 FROM commands c JOIN cases k ON k.case_id = c.case_id "
    "WHERE c.command_id=?1 AND k.location_id=?2 AND k.check_id=?3";

// True when the discount is makegood's own remedy on this check (5.).
absl::StatusOr<bool> ConfirmsRemedy(Connection& db, const OrderEvent& event) {
  if (event.origin() != makegood::v1::ORIGIN_MAKEGOOD) return false;
  auto stmt = db.Prepare(kCommandOfCheck);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, event.command_id())
      .Bind(2, event.location_id())
      .Bind(3, event.check_id())
      .Step();
}

// Prepares `sql` and binds location and check as ?1 and ?2.
absl::StatusOr<std::unique_ptr<Statement>> ForCheck(Connection& db,
                                                    const char* sql,
                                                    const OrderEvent& event) {
  auto stmt = db.Prepare(sql);
  if (stmt.ok())
    (*stmt)->Bind(1, event.location_id()).Bind(2, event.check_id());
  return stmt;
}

// Runs `sql` for the event's check with ?3 = the line and ?4 = a time or an
// amount.
absl::Status LineValue(Connection& db, const char* sql, const OrderEvent& event,
                       const std::string& line_id, int64_t at_us) {
  auto stmt = ForCheck(db, sql, event);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(3, line_id).Bind(4, at_us).Run();
}

absl::Status Project(Connection& db, const OrderEvent& event, int64_t at_us) {
  {
    auto touch = ForCheck(db, kEnsureCheck, event);
    if (!touch.ok()) return touch.status();
    if (auto s = (*touch)->Bind(3, at_us).Run(); !s.ok()) return s;
  }
  switch (event.kind_case()) {
    case OrderEvent::kCheckOpened: {
      const auto& opened = event.check_opened();
      auto stmt = ForCheck(db, kCheckOpened, event);
      if (!stmt.ok()) return stmt.status();
      (*stmt)->BindOptional(3, opened.table());
      if (opened.guest_count() > 0) (*stmt)->Bind(4, opened.guest_count());
      return (*stmt)
          ->BindOptional(5, opened.server_id())
          .BindOptional(6, opened.guest_id())
          .Bind(7, at_us)
          .Run();
    }
    case OrderEvent::kItemAdded: {
      const auto& item = event.item_added();
      auto stmt = ForCheck(db, kItemAdded, event);
      if (!stmt.ok()) return stmt.status();
      (*stmt)
          ->Bind(3, item.line_id())
          .BindOptional(4, item.sku())
          .BindOptional(5, item.name())
          .BindOptional(6, item.station())
          .Bind(7, item.quantity())
          .Bind(8, item.unit_price().minor_units())
          .Bind(10, at_us);
      if (item.seat() > 0) (*stmt)->Bind(9, item.seat());
      return (*stmt)->Run();
    }
    case OrderEvent::kItemFired:
      return LineValue(db, kItemFired, event, event.item_fired().line_id(),
                       at_us);
    case OrderEvent::kItemServed:
      return LineValue(db, kItemServed, event, event.item_served().line_id(),
                       at_us);
    case OrderEvent::kItemVoided: {
      auto stmt = ForCheck(db, kItemVoided, event);
      if (!stmt.ok()) return stmt.status();
      return (*stmt)
          ->Bind(3, event.item_voided().line_id())
          .Bind(4, at_us)
          .BindOptional(5, event.item_voided().reason())
          .Run();
    }
    case OrderEvent::kItemDiscounted: {
      const auto& discount = event.item_discounted();
      auto remedy = ConfirmsRemedy(db, event);
      if (!remedy.ok()) return remedy.status();
      if (*remedy) return absl::OkStatus();
      if (discount.line_id().empty()) {
        auto stmt = ForCheck(db, kCheckDiscounted, event);
        if (!stmt.ok()) return stmt.status();
        return (*stmt)->Bind(3, discount.amount().minor_units()).Run();
      }
      return LineValue(db, kItemDiscounted, event, discount.line_id(),
                       discount.amount().minor_units());
    }
    case OrderEvent::kCheckPaid: {
      auto stmt = ForCheck(db, kCheckPaid, event);
      if (!stmt.ok()) return stmt.status();
      return (*stmt)
          ->Bind(3, at_us)
          .Bind(4, event.check_paid().total().minor_units())
          .Bind(5, event.check_paid().tip().minor_units())
          .Run();
    }
    case OrderEvent::kCheckClosed: {
      auto stmt = ForCheck(db, kCheckClosed, event);
      if (!stmt.ok()) return stmt.status();
      return (*stmt)->Bind(3, at_us).Run();
    }
    case OrderEvent::kDiscountCodeRedeemed:
      // Checked and marked by RedeemCode before the insert.
    case OrderEvent::KIND_NOT_SET:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

std::string LocalTime(int64_t at_us) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(at_us),
                          absl::UTCTimeZone());
}

absl::StatusOr<bool> IsStored(Connection& db, const OrderEvent& event) {
  auto stmt =
      db.Prepare("SELECT 1 FROM order_events WHERE source=?1 AND event_id=?2");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, event.source()).Bind(2, event.event_id()).Step();
}

// Why a redemption is refused.
struct Refusal {
  core::Reason reason = makegood::v1::Error::REASON_UNSPECIFIED;
  std::string message;
};

// Marks the redeemed code, or says why the redemption is refused (nullopt
// when it is accepted).
absl::StatusOr<std::optional<Refusal>> RedeemCode(Connection& db,
                                                  const OrderEvent& event,
                                                  int64_t at_us) {
  const auto& redeemed = event.discount_code_redeemed();
  std::optional<std::string> code =
      core::CanonicalDiscountCode(redeemed.code());
  if (!code) {
    return Refusal{
        makegood::v1::Error::UNKNOWN_CODE,
        absl::StrCat("discount_code_redeemed.code: '", redeemed.code(),
                     "' is not a makegood code (mistyped?)")};
  }
  auto find = db.Prepare(
      "SELECT expires_at_us, redeemed_at_us, redeemed_check_id "
      "FROM discount_codes WHERE code=?1 AND location_id=?2");
  if (!find.ok()) return find.status();
  Statement& row = **find;
  auto found = row.Bind(1, *code).Bind(2, event.location_id()).Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return Refusal{makegood::v1::Error::UNKNOWN_CODE,
                   absl::StrCat("discount code ", *code,
                                " was not issued at this location")};
  }
  if (!row.IsNull(1)) {
    return Refusal{
        makegood::v1::Error::CODE_ALREADY_REDEEMED,
        absl::StrCat("discount code ", *code, " already redeemed at ",
                     LocalTime(row.Int(1)), " on check ", row.Text(2))};
  }
  if (at_us >= row.Int(0)) {
    return Refusal{makegood::v1::Error::CODE_EXPIRED,
                   absl::StrCat("discount code ", *code, " expired at ",
                                LocalTime(row.Int(0)))};
  }
  find->reset();
  auto mark = db.Prepare(
      "UPDATE discount_codes SET redeemed_at_us=?2, redeemed_check_id=?3, "
      "redeemed_amount_minor=?4 WHERE code=?1");
  if (!mark.ok()) return mark.status();
  absl::Status marked = (*mark)
                            ->Bind(1, *code)
                            .Bind(2, at_us)
                            .Bind(3, event.check_id())
                            .Bind(4, redeemed.amount().minor_units())
                            .Run();
  if (!marked.ok()) return marked;
  return std::optional<Refusal>();
}

}  // namespace

absl::StatusOr<EventResult> AppendEvent(Connection& db, const OrderEvent& event,
                                        int64_t received_at_us) {
  const int64_t at_us = core::ToUnixMicros(event.occurred_at());
  if (event.has_discount_code_redeemed()) {
    auto stored = IsStored(db, event);
    if (!stored.ok()) return stored.status();
    if (*stored) return EventResult{EventOutcome::kDuplicate, "", ""};
    auto refusal = RedeemCode(db, event, at_us);
    if (!refusal.ok()) return refusal.status();
    if (refusal->has_value()) {
      return EventResult{EventOutcome::kRejected, event.event_id(),
                         std::move((*refusal)->message), (*refusal)->reason};
    }
  }
  std::string payload;
  event.SerializeToString(&payload);
  auto insert = db.Prepare(kInsertEvent);
  if (!insert.ok()) return insert.status();
  absl::Status inserted = (*insert)
                              ->Bind(1, event.source())
                              .Bind(2, event.event_id())
                              .Bind(3, event.location_id())
                              .Bind(4, event.check_id())
                              .Bind(5, core::EventKindName(event))
                              .Bind(6, at_us)
                              .Bind(7, received_at_us)
                              .BindBlob(8, payload)
                              .Run();
  if (!inserted.ok()) return inserted;
  if (db.Changes() == 0) return EventResult{EventOutcome::kDuplicate, "", ""};
  if (auto s = Project(db, event, at_us); !s.ok()) return s;
  return EventResult{EventOutcome::kAccepted, "", ""};
}

}  // namespace makegood::store
