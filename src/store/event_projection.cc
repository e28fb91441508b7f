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

#include "store/event_projection.h"

#include <string>

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
      // Kept in order_events; recovery links redemptions to their codes.
    case OrderEvent::KIND_NOT_SET:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EventOutcome> AppendEvent(Connection& db,
                                         const OrderEvent& event,
                                         int64_t received_at_us) {
  const int64_t at_us = core::ToUnixMicros(event.occurred_at());
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
  if (db.Changes() == 0) return EventOutcome::kDuplicate;
  if (auto s = Project(db, event, at_us); !s.ok()) return s;
  return EventOutcome::kAccepted;
}

}  // namespace makegood::store
