#include "core/event_validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/proto_time.h"

namespace makegood::core {
namespace {

using makegood::v1::Money;
using makegood::v1::OrderEvent;

absl::Status FieldError(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

absl::Status CheckId(absl::string_view path, const std::string& value) {
  if (value.empty()) return FieldError(path, "is required");
  if (value.size() > kMaxIdLength) {
    return FieldError(path, absl::StrCat("is longer than ", kMaxIdLength,
                                         " bytes (", value.size(), ")"));
  }
  return absl::OkStatus();
}

// `amount` must be set, in the location's currency and not negative; zero is
// allowed only where `allow_zero`.
absl::Status CheckMoney(absl::string_view path, bool present,
                        const Money& amount,
                        const EventValidationContext& context,
                        bool allow_zero = true) {
  if (!present) return FieldError(path, "is required");
  if (amount.currency() != context.currency) {
    return FieldError(absl::StrCat(path, ".currency"),
                      absl::StrCat("'", amount.currency(),
                                   "' does not match the location currency '",
                                   context.currency, "'"));
  }
  if (amount.minor_units() < 0) {
    return FieldError(
        absl::StrCat(path, ".minor_units"),
        absl::StrCat("must not be negative, got ", amount.minor_units()));
  }
  if (!allow_zero && amount.minor_units() == 0) {
    return FieldError(absl::StrCat(path, ".minor_units"), "must be positive");
  }
  return absl::OkStatus();
}

absl::Status CheckOccurredAt(const OrderEvent& event,
                             const EventValidationContext& context) {
  if (!event.has_occurred_at()) return FieldError("occurred_at", "is required");
  const auto& ts = event.occurred_at();
  if (ts.nanos() < 0 || ts.nanos() > 999'999'999) {
    return FieldError("occurred_at.nanos", "must be within 0..999999999");
  }
  static const absl::Time kEarliest =
      absl::FromCivil(absl::CivilSecond(2000, 1, 1), absl::UTCTimeZone());
  const absl::Time at = FromProto(ts);
  if (at < kEarliest) {
    return FieldError("occurred_at", absl::StrCat(absl::FormatTime(at),
                                                  " is before 2000-01-01"));
  }
  if (at > context.now + kMaxClockSkew) {
    return FieldError(
        "occurred_at",
        absl::StrCat(absl::FormatTime(at),
                     " is more than one hour ahead of the daemon's clock (",
                     absl::FormatTime(context.now), ")"));
  }
  return absl::OkStatus();
}

// makegood's own change must say which remedy command it carries out, so
// the store can tell it from a POS discount.
absl::Status CheckOrigin(const OrderEvent& event) {
  switch (event.origin()) {
    case makegood::v1::ORIGIN_UNSPECIFIED:
    case makegood::v1::ORIGIN_POS:
      if (!event.command_id().empty()) {
        return FieldError("command_id",
                          "is only for an event of origin ORIGIN_MAKEGOOD");
      }
      return absl::OkStatus();
    case makegood::v1::ORIGIN_MAKEGOOD:
      if (event.command_id().empty()) {
        return FieldError("command_id",
                          "is required for an event of origin "
                          "ORIGIN_MAKEGOOD (the remedy command it carries "
                          "out)");
      }
      return CheckId("command_id", event.command_id());
    default:
      return FieldError(
          "origin",
          absl::StrCat("unknown value ", static_cast<int>(event.origin()),
                       " (ORIGIN_POS or ORIGIN_MAKEGOOD)"));
  }
}

// The modifiers of an item: named, of a positive quantity, priced in the
// event's currency, and within what a line can hold. Their prices are part
// of unit_price already; they are not added again.
absl::Status CheckModifiers(const makegood::v1::ItemAdded& item,
                            const EventValidationContext& context) {
  if (item.modifiers_size() > kMaxModifiersPerItem) {
    return FieldError(
        "item_added.modifiers",
        absl::StrCat("has ", item.modifiers_size(), " modifiers; at most ",
                     kMaxModifiersPerItem, " are accepted"));
  }
  // At most 50 products of an int64 and an int32: far inside 128 bits.
  __int128 worth = 0;
  for (int i = 0; i < item.modifiers_size(); ++i) {
    const auto& modifier = item.modifiers(i);
    const std::string path = absl::StrCat("item_added.modifiers[", i, "]");
    if (modifier.name().empty() ||
        modifier.name().size() > kMaxModifierNameLength) {
      return FieldError(
          path + ".name",
          modifier.name().empty()
              ? std::string("is required")
              : absl::StrCat("is ", modifier.name().size(), " bytes; at most ",
                             kMaxModifierNameLength));
    }
    if (modifier.quantity() < 0) {
      return FieldError(
          path + ".quantity",
          absl::StrCat("must not be negative, got ", modifier.quantity()));
    }
    if (auto s = CheckMoney(path + ".unit_price", modifier.has_unit_price(),
                            modifier.unit_price(), context);
        !s.ok()) {
      return s;
    }
    worth += static_cast<__int128>(modifier.unit_price().minor_units()) *
             modifier.quantity();
  }
  if (worth > item.unit_price().minor_units()) {
    return FieldError("item_added.modifiers",
                      absl::StrCat("are worth more than the unit_price of ",
                                   item.unit_price().minor_units(),
                                   " minor units, which includes them"));
  }
  return absl::OkStatus();
}

absl::Status CheckKind(const OrderEvent& event,
                       const EventValidationContext& context) {
  switch (event.kind_case()) {
    case OrderEvent::kCheckOpened:
      if (event.check_opened().guest_count() < 0) {
        return FieldError("check_opened.guest_count", "must not be negative");
      }
      return absl::OkStatus();
    case OrderEvent::kItemAdded: {
      const auto& item = event.item_added();
      if (auto s = CheckId("item_added.line_id", item.line_id()); !s.ok()) {
        return s;
      }
      if (item.quantity() <= 0) {
        return FieldError(
            "item_added.quantity",
            absl::StrCat("must be positive, got ", item.quantity()));
      }
      if (item.seat() < 0) {
        return FieldError("item_added.seat", "must not be negative");
      }
      if (auto s = CheckMoney("item_added.unit_price", item.has_unit_price(),
                              item.unit_price(), context);
          !s.ok()) {
        return s;
      }
      return CheckModifiers(item, context);
    }
    case OrderEvent::kItemFired:
      return CheckId("item_fired.line_id", event.item_fired().line_id());
    case OrderEvent::kItemServed:
      return CheckId("item_served.line_id", event.item_served().line_id());
    case OrderEvent::kItemVoided:
      return CheckId("item_voided.line_id", event.item_voided().line_id());
    case OrderEvent::kItemDiscounted: {
      const auto& discount = event.item_discounted();
      if (discount.line_id().size() > kMaxIdLength) {
        return CheckId("item_discounted.line_id", discount.line_id());
      }
      return CheckMoney("item_discounted.amount", discount.has_amount(),
                        discount.amount(), context, /*allow_zero=*/false);
    }
    case OrderEvent::kDiscountCodeRedeemed: {
      const auto& redeemed = event.discount_code_redeemed();
      if (redeemed.code().empty()) {
        return FieldError("discount_code_redeemed.code", "is required");
      }
      return CheckMoney("discount_code_redeemed.amount", redeemed.has_amount(),
                        redeemed.amount(), context);
    }
    case OrderEvent::kCheckPaid: {
      const auto& paid = event.check_paid();
      if (auto s = CheckMoney("check_paid.total", paid.has_total(),
                              paid.total(), context);
          !s.ok()) {
        return s;
      }
      if (paid.has_tip()) {
        return CheckMoney("check_paid.tip", true, paid.tip(), context);
      }
      return absl::OkStatus();
    }
    case OrderEvent::kCheckClosed:
      return absl::OkStatus();
    case OrderEvent::KIND_NOT_SET:
      break;
  }
  return FieldError("kind",
                    "exactly one of check_opened, item_added, item_fired, "
                    "item_served, item_voided, item_discounted, "
                    "discount_code_redeemed, check_paid, check_closed is "
                    "required");
}

}  // namespace

absl::Status ValidateOrderEvent(const OrderEvent& event,
                                const EventValidationContext& context) {
  if (auto s = CheckId("event_id", event.event_id()); !s.ok()) return s;
  if (auto s = CheckId("source", event.source()); !s.ok()) return s;
  if (event.location_id() != context.location_id) {
    return FieldError(
        "location_id",
        event.location_id().empty()
            ? "is required"
            : absl::StrCat("'", event.location_id(),
                           "' is not served by this daemon (location '",
                           context.location_id, "')"));
  }
  if (auto s = CheckId("check_id", event.check_id()); !s.ok()) return s;
  if (auto s = CheckOccurredAt(event, context); !s.ok()) return s;
  if (auto s = CheckOrigin(event); !s.ok()) return s;
  return CheckKind(event, context);
}

absl::string_view EventKindName(const OrderEvent& event) {
  switch (event.kind_case()) {
    case OrderEvent::kCheckOpened:
      return "check_opened";
    case OrderEvent::kItemAdded:
      return "item_added";
    case OrderEvent::kItemFired:
      return "item_fired";
    case OrderEvent::kItemServed:
      return "item_served";
    case OrderEvent::kItemVoided:
      return "item_voided";
    case OrderEvent::kItemDiscounted:
      return "item_discounted";
    case OrderEvent::kDiscountCodeRedeemed:
      return "discount_code_redeemed";
    case OrderEvent::kCheckPaid:
      return "check_paid";
    case OrderEvent::kCheckClosed:
      return "check_closed";
    case OrderEvent::KIND_NOT_SET:
      break;
  }
  return "none";
}

}  // namespace makegood::core
