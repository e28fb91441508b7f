#include "toast_api.h"

#include "absl/strings/str_cat.h"
#include "core/money.h"
#include "exact_json.h"
#include "vendor_parsers.h"
#include "webhook_signature.h"

namespace makegood::adapters {
using nlohmann::json;

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

absl::StatusOr<CommandOutcome> ToastApi::Apply(
    const makegood::v1::RemedyCommand& command) const {
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
  const json& order =
      stored.contains("details") ? ObjectAt(details, "order") : stored;
  const std::string restaurant = TextAt(details, "restaurantGuid");
  for (const json& check : ArrayAt(order, "checks")) {
    if (TextAt(check, "guid") != command.check_id()) continue;
    if (TextAt(check, "paymentStatus") != "OPEN") {
      return CommandOutcome::Rejected(
          "Toast: discounts can only be applied to an OPEN check; this one "
          "is " +
          TextAt(check, "paymentStatus"));
    }
  }
  json applied = json::object();
  std::string url =
      absl::StrCat(settings_.api_base(), "/orders/v2/orders/",
                   TextAt(order, "guid"), "/checks/", command.check_id());
  if (action.kind() == makegood::v1::COMP_ITEM) {
    applied["discount"] = {{"guid", settings_.comp_discount_guid()}};
  } else {
    if (action.percent_bps() > 0 || action.amount().minor_units() <= 0) {
      return CommandOutcome::Rejected(
          "Toast: open-percent discounts cannot be applied through the API; "
          "offer an amount");
    }
    const std::string& guid = action.kind() == makegood::v1::DISCOUNT_ITEM
                                  ? settings_.open_item_discount_guid()
                                  : settings_.open_check_discount_guid();
    if (guid.empty()) {
      return CommandOutcome::Rejected(
          "Toast: no open-amount discount is configured for this adapter");
    }
    applied["discount"] = {{"guid", guid}};
    // Toast takes money in major units.
    applied["discountAmount"] = json::parse(core::FormatAmount(
        action.amount().minor_units(), action.amount().currency()));
  }
  if (action.kind() != makegood::v1::DISCOUNT_CHECK) {
    absl::StrAppend(&url, "/selections/", action.line_id());
  }
  absl::StrAppend(&url, "/appliedDiscounts");
  auto response =
      CallVendor("POST", url,
                 {"Authorization: Bearer " + settings_.access_token(),
                  "Toast-Restaurant-External-ID: " + restaurant,
                  "Content-Type: application/json"},
                 json::array({applied}).dump(), retry_);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return CommandOutcome::Rejected("Toast: " +
                                    ErrorField(*response, "message"));
  }
  return CommandOutcome::Applied(
      absl::StrCat("toast:", command.check_id(), ":",
                   applied["discount"]["guid"].get<std::string>(),
                   action.line_id().empty() ? "" : ":" + action.line_id()));
}

}  // namespace makegood::adapters
