#include "toast_api.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "core/money.h"
#include "exact_json.h"
#include "order_reading.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"
#include "webhook_signature.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// Where makegood's discount sits on a check: the configured discount's guid
// and the selection ("" on the check itself).
struct FoundDiscount {
  std::string discount_guid;
  std::string selection;
};

// Toast asks for an externalId "prefixed by the naming authority".
std::string ExternalId(const std::string& command_id) {
  return "makegood:" + RemedyMarker(command_id);
}

// makegood's discount for `command_id` on `check`, if Toast has it.
std::optional<FoundDiscount> FindRemedy(const json& check,
                                        const std::string& command_id) {
  auto marked = [&](const json& applied) {
    return HasRemedyMarker(TextAt(applied, "externalId"), command_id);
  };
  for (const json& selection : ArrayAt(check, "selections")) {
    for (const json& applied : ArrayAt(selection, "appliedDiscounts")) {
      if (marked(applied)) {
        return FoundDiscount{TextAt(ObjectAt(applied, "discount"), "guid"),
                             TextAt(selection, "guid")};
      }
    }
  }
  for (const json& applied : ArrayAt(check, "appliedDiscounts")) {
    if (marked(applied)) {
      return FoundDiscount{TextAt(ObjectAt(applied, "discount"), "guid"), ""};
    }
  }
  return std::nullopt;
}

// True when any check of `order` carries a discount.
bool HasDiscounts(const json& order) {
  for (const json& check : ArrayAt(order, "checks")) {
    if (!ArrayAt(check, "appliedDiscounts").empty()) return true;
    for (const json& selection : ArrayAt(check, "selections")) {
      if (!ArrayAt(selection, "appliedDiscounts").empty()) return true;
    }
  }
  return false;
}

std::string Reference(const std::string& check_id, const FoundDiscount& found) {
  return absl::StrCat("toast:", check_id, ":", found.discount_guid,
                      found.selection.empty() ? "" : ":" + found.selection);
}

}  // namespace

ToastApi::ToastApi(makegood::v1::ToastSettings settings, VendorContext context,
                   AdapterState* state, RetryPolicy retry)
    : VendorApi("toast", std::move(context)),
      settings_(std::move(settings)),
      state_(state),
      retry_(retry) {}

bool ToastApi::Authentic(const WebhookRequest& request) const {
  auto header = request.headers.find("toast-signature");
  if (header == request.headers.end()) return false;
  auto json = ParseExactJson(request.body);
  const std::string timestamp = json.ok() ? TextAt(*json, "timestamp") : "";
  return ToastSignatureValid(settings_.webhook_secret(), request.body,
                             timestamp, header->second);
}

std::string ToastApi::DeliveryId(const WebhookRequest& request) const {
  auto json = ParseExactJson(request.body);
  return json.ok() ? TextAt(*json, "guid") : "";
}

std::vector<std::string> ToastApi::Headers(
    const std::string& restaurant) const {
  return {"Authorization: Bearer " + settings_.access_token(),
          "Toast-Restaurant-External-ID: " + restaurant,
          "Content-Type: application/json"};
}

absl::StatusOr<std::string> ToastApi::ReadOrder(
    const std::string& order_guid, const std::string& restaurant) const {
  auto response = CallVendor(
      "GET",
      absl::StrCat(settings_.api_base(), "/orders/v2/orders/", order_guid),
      Headers(restaurant), "", retry_);
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Toast order " + order_guid, *response,
                           ErrorField(*response, "message"));
  }
  if (response->status != 200) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Toast order ", order_guid, ": ", ErrorField(*response, "message")));
  }
  return response->body;
}

absl::StatusOr<std::string> ToastApi::WithRemedyMarkers(
    const std::string& body) const {
  auto webhook = ParseExactJson(body);
  if (!webhook.ok() || !webhook->is_object() || !webhook->contains("details")) {
    return body;  // Not a webhook: an order read from the API already.
  }
  const json& details = (*webhook)["details"];
  const json& order = ObjectAt(details, "order");
  // Only a discount can be makegood's; other changes are published as sent.
  if (!HasDiscounts(order)) return body;
  const std::string restaurant = TextAt(details, "restaurantGuid");
  const std::string order_guid = TextAt(order, "guid");
  // They go into Toast's URL and header as they are.
  if (!UrlSafeId(order_guid) || !UrlSafeId(restaurant)) return body;
  auto fresh = ReadOrder(order_guid, restaurant);
  if (!fresh.ok()) {
    if (fresh.status().code() == absl::StatusCode::kUnavailable ||
        IsVendorAuthError(fresh.status())) {
      return fresh.status();
    }
    return body;  // Toast does not know the order: what it sent stands.
  }
  if (!ParseExactJson(*fresh).ok()) return body;
  // The webhook's envelope around the order as the API has it, so that it
  // is stored and parsed like any webhook; the order's text is kept as
  // sent (its money is exact only as text).
  return absl::StrCat(
      "{\"guid\":", json(TextAt(*webhook, "guid")).dump(),
      ",\"timestamp\":", json(TextAt(*webhook, "timestamp")).dump(),
      ",\"eventCategory\":", json(TextAt(*webhook, "eventCategory")).dump(),
      ",\"eventType\":", json(TextAt(*webhook, "eventType")).dump(),
      ",\"details\":{\"restaurantGuid\":", json(restaurant).dump(),
      ",\"order\":", *fresh, "}}");
}

absl::StatusOr<CommandOutcome> ToastApi::Apply(
    const makegood::v1::RemedyCommand& command,
    const WriteGate& may_write) const {
  const auto& action = command.apply_remedy();
  switch (action.kind()) {
    case makegood::v1::REMAKE:
      return CommandOutcome::Applied("none: the kitchen remakes the item");
    case makegood::v1::MANAGER_VISIT:
      return CommandOutcome::Applied(
          "none: a manager visit changes nothing on the check");
    case makegood::v1::DISCOUNT_CODE:
      return CommandOutcome::Applied(
          "none: the guest has makegood's next-visit code");
    case makegood::v1::COMP_ITEM:
    case makegood::v1::DISCOUNT_ITEM:
    case makegood::v1::DISCOUNT_CHECK:
      break;
    default:
      return CommandOutcome::Rejected(absl::StrCat(
          "Toast adapter: ", makegood::v1::RemedyKind_Name(action.kind()),
          " is not carried out on Toast; offer another remedy"));
  }
  // The order and restaurant of the check, from the last order seen.
  auto last = state_->LastOrder(command.check_id());
  if (!last.ok()) return last.status();
  if (!last->has_value()) {
    return CommandOutcome::Rejected(
        "Toast: this check was never received from Toast");
  }
  const json stored = ParseExactJson((*last)->body).value_or(json::object());
  const json& details = ObjectAt(stored, "details");
  const json& stored_order =
      stored.contains("details") ? ObjectAt(details, "order") : stored;
  const std::string order_guid = TextAt(stored_order, "guid");
  const std::string restaurant = TextAt(details, "restaurantGuid");
  // The check as Toast has it now: makegood's discount may be on it already
  // (a timeout after Toast applied it, a crash before the outcome was
  // saved), and it must still be open.
  auto fresh = ReadOrder(order_guid, restaurant);
  if (!fresh.ok()) return FetchFailed(fresh.status());
  const json order = ParseExactJson(*fresh).value_or(json::object());
  const json* check = nullptr;
  for (const json& candidate : ArrayAt(order, "checks")) {
    if (TextAt(candidate, "guid") == command.check_id()) check = &candidate;
  }
  if (check == nullptr) {
    return CommandOutcome::Rejected("Toast: the check is no longer on order " +
                                    order_guid);
  }
  if (std::optional<FoundDiscount> found =
          FindRemedy(*check, command.command_id())) {
    return CommandOutcome::Applied(Reference(command.check_id(), *found));
  }
  if (TextAt(*check, "paymentStatus") != "OPEN") {
    return CommandOutcome::Rejected(
        "Toast: discounts can only be applied to an OPEN check; this one "
        "is " +
        TextAt(*check, "paymentStatus"));
  }
  json applied = json::object();
  std::string url = absl::StrCat(settings_.api_base(), "/orders/v2/orders/",
                                 order_guid, "/checks/", command.check_id());
  FoundDiscount target;
  if (action.kind() == makegood::v1::COMP_ITEM) {
    target.discount_guid = settings_.comp_discount_guid();
  } else {
    if (action.percent_bps() > 0 || action.amount().minor_units() <= 0) {
      return CommandOutcome::Rejected(
          "Toast: open-percent discounts cannot be applied through the API; "
          "offer an amount");
    }
    target.discount_guid = action.kind() == makegood::v1::DISCOUNT_ITEM
                               ? settings_.open_item_discount_guid()
                               : settings_.open_check_discount_guid();
    if (target.discount_guid.empty()) {
      return CommandOutcome::Rejected(
          "Toast: no open-amount discount is configured for this adapter");
    }
    // Toast takes money in major units.
    applied["discountAmount"] = json::parse(core::FormatAmount(
        action.amount().minor_units(), action.amount().currency()));
  }
  applied["discount"] = {{"guid", target.discount_guid}};
  applied["externalId"] = ExternalId(command.command_id());
  if (action.kind() != makegood::v1::DISCOUNT_CHECK) {
    target.selection = action.line_id();
    absl::StrAppend(&url, "/selections/", action.line_id());
  }
  absl::StrAppend(&url, "/appliedDiscounts");
  // Once: Toast has no idempotency key for this call, and a timeout may
  // come after it applied the discount. The next try reads back first.
  if (absl::Status open = may_write(); !open.ok()) return open;
  auto response = CallVendor("POST", url, Headers(restaurant),
                             json::array({applied}).dump(), WriteOnce(retry_));
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Toast appliedDiscounts", *response,
                           ErrorField(*response, "message"));
  }
  if (response->status != 200) {
    return CommandOutcome::Rejected("Toast: " +
                                    ErrorField(*response, "message"));
  }
  return CommandOutcome::Applied(Reference(command.check_id(), target));
}

}  // namespace makegood::adapters
