#ifndef MAKEGOOD_STORE_REPORT_SQL_H_
#define MAKEGOOD_STORE_REPORT_SQL_H_

// The SELECTs behind the reports, which store/report_queries.cc runs. They
// have a header of their own so that report_bench's floor runs them too,
// on the same indexes, and follows the reports when they change: all but
// kDayCases and kFlaggedLine, whose line ids the report takes from each
// case's body. For those the floor runs one join of its own over the same
// rows, which parses no body and must be kept in step with them by hand
// (tests/bench/report_bench.cc). Instants are microseconds since the
// epoch; ranges are half-open [start, end); business days ("YYYY-MM-DD")
// are inclusive.

#include <cstdint>

namespace makegood::store::report_sql {

// The page cache a report's read may fill, in KiB (PRAGMA cache_size=-N).
// A report reads ranges of keys in time order (record ids sort by creation
// time, core/record_id.h), so only the B-trees' inner pages and the leaves
// under the current rows are hot at a time; a year-long read through the
// connections' own 64 MiB (sqlite/connection.cc) would fill all of it, in
// makegoodd's memory, with pages it reads once.
inline constexpr int64_t kReportCacheKiB = 16 * 1024;

// ?1 location, ?2 start, ?3 end: body, guest id of the cases flagged,
// oldest first (index cases_by_time).
inline constexpr char kDayCases[] =
    "SELECT body, coalesce(guest_id, '') FROM cases WHERE location_id=?1 "
    "AND flagged_at_us>=?2 AND flagged_at_us<?3 "
    "ORDER BY flagged_at_us, case_id";

// ?1 location, ?2 check, ?3 line: sku, name, station of a flagged line
// (line_items' primary key).
inline constexpr char kFlaggedLine[] =
    "SELECT coalesce(sku, ''), coalesce(name, ''), "
    "coalesce(station, '') FROM line_items WHERE location_id=?1 AND "
    "check_id=?2 AND line_id=?3";

// ?1 location, ?2 guest, ?3 before: the guest's latest case flagged before
// (index cases_by_guest); one row, NULL when there is none.
inline constexpr char kLatestCaseOfGuest[] =
    "SELECT max(flagged_at_us) FROM cases WHERE location_id=?1 AND "
    "guest_id=?2 AND flagged_at_us<?3";

// ?1 location, ?2 start, ?3 end: check id, guest id, first event, paid
// total of the checks opened (index checks_by_start).
inline constexpr char kDayChecks[] =
    "SELECT check_id, coalesce(guest_id, ''), first_event_at_us, "
    "paid_total_minor FROM checks WHERE location_id=?1 AND "
    "first_event_at_us>=?2 AND first_event_at_us<?3";

// ?1 location, ?2 start, ?3 end: the codes redeemed, with their case, the
// check they were redeemed on and the case's body (index
// codes_by_redemption).
inline constexpr char kDayCodes[] =
    "SELECT d.case_id, coalesce(d.redeemed_check_id, ''), "
    "coalesce(d.redeemed_amount_minor, 0), d.redeemed_at_us, "
    "coalesce(c.guest_id, ''), c.flagged_at_us, "
    "coalesce(ch.paid_total_minor, 0), "
    "coalesce(ch.first_event_at_us, d.redeemed_at_us), c.body "
    "FROM discount_codes d JOIN cases c ON c.case_id=d.case_id "
    "LEFT JOIN checks ch ON ch.location_id=d.location_id AND "
    "ch.check_id=d.redeemed_check_id "
    "WHERE d.location_id=?1 AND d.redeemed_at_us>=?2 AND "
    "d.redeemed_at_us<?3 ORDER BY d.redeemed_at_us";

// ?1 location, ?2 start, ?3 end: follow-ups due and done (index
// follow_ups_by_due); one row.
inline constexpr char kDayFollowUps[] =
    "SELECT count(*), count(done_at_us) FROM follow_ups WHERE "
    "location_id=?1 AND due_at_us>=?2 AND due_at_us<?3";

// ?1 location, ?2 start, ?3 end: the checks opened, with their server,
// last activity, sales, POS discounts (the check's and its lines') and
// whether a case is on them (index checks_by_start).
inline constexpr char kStaffChecks[] =
    "SELECT c.check_id, coalesce(c.server_id, ''), c.first_event_at_us, "
    "max(c.first_event_at_us, coalesce(c.opened_at_us, 0), "
    "coalesce(c.paid_at_us, 0), coalesce(c.closed_at_us, 0)), "
    "c.paid_total_minor, c.pos_discount_minor + (SELECT "
    "coalesce(sum(li.pos_discount_minor), 0) FROM line_items li WHERE "
    "li.location_id=c.location_id AND li.check_id=c.check_id), "
    "EXISTS(SELECT 1 FROM cases k WHERE k.location_id=c.location_id AND "
    "k.check_id=c.check_id) FROM checks c WHERE c.location_id=?1 AND "
    "c.first_event_at_us>=?2 AND c.first_event_at_us<?3";

// ?1 location, ?2 first day, ?3 last day: the remedies that cost money and
// were sent or applied (statuses 3 and 4, AppliedRemedy SENT and APPLIED)
// in the business days, with the case's guest and the check's payment
// (index remedies_by_day). No ORDER BY: the staff report's findings keep
// the order this plan gives.
inline constexpr char kStaffComps[] =
    "SELECT r.case_id, r.check_id, r.requested_by, r.business_day, "
    "coalesce(c.guest_id, ''), r.cost_minor, r.requested_at_us, "
    "ch.paid_at_us FROM remedies r JOIN cases c ON c.case_id=r.case_id "
    "LEFT JOIN checks ch ON ch.location_id=r.location_id AND "
    "ch.check_id=r.check_id WHERE r.location_id=?1 AND "
    "r.business_day BETWEEN ?2 AND ?3 AND r.cost_minor>0 AND "
    "r.status IN (3, 4)";

// ?1 location, ?2 start, ?3 end: case id, flagged by, guest id, flagged at
// of the cases flagged with a guest (index cases_by_time).
inline constexpr char kStaffCases[] =
    "SELECT case_id, flagged_by, guest_id, flagged_at_us FROM cases "
    "WHERE location_id=?1 AND flagged_at_us>=?2 AND flagged_at_us<?3 "
    "AND guest_id IS NOT NULL";

// ?1 location, ?2 start, ?3 end: the bodies of the cases flagged, oldest
// first (index cases_by_time).
inline constexpr char kCasesFlagged[] =
    "SELECT body FROM cases WHERE location_id=?1 AND flagged_at_us>=?2 "
    "AND flagged_at_us<?3 ORDER BY flagged_at_us, case_id";

}  // namespace makegood::store::report_sql

#endif  // MAKEGOOD_STORE_REPORT_SQL_H_
