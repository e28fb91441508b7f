#include "clover_api.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "exact_json.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"
#include "webhook_signature.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// The id of makegood's discount or line for `command_id` on the order
// (expanded with lineItems.discounts and discounts), if Clover has it.
std::optional<std::string> FindRemedy(const json& order,
                                      const std::string& command_id) {
  auto marked = [&](const json& entry) {
    return HasRemedyMarker(TextAt(entry, "name"), command_id);
  };
  for (const json& line : ArrayAt(ObjectAt(order, "lineItems"), "elements")) {
    if (marked(line)) return TextAt(line, "id");  // A free item.
    for (const json& discount :
         ArrayAt(ObjectAt(line, "discounts"), "elements")) {
      if (marked(discount)) return TextAt(discount, "id");
    }
  }
  for (const json& discount :
       ArrayAt(ObjectAt(order, "discounts"), "elements")) {
    if (marked(discount)) return TextAt(discount, "id");
  }
  return std::nullopt;
}

}  // namespace

CloverApi::CloverApi(makegood::v1::CloverSettings settings,
                     VendorContext context, AdapterState* state,
                     RetryPolicy retry)
    : VendorApi("clover", std::move(context)),
      settings_(std::move(settings)),
      state_(state),
      retry_(retry) {}

std::vector<std::string> CloverApi::Headers() const {
  return {"Authorization: Bearer " + settings_.access_token(),
          "Content-Type: application/json"};
}

std::optional<std::string> CloverApi::Handshake(
    const WebhookRequest& request) const {
  auto json = ParseExactJson(request.body);
  if (!json.ok() || !json->is_object() || !json->contains("verificationCode")) {
    return std::nullopt;
  }
  return "Clover webhook URL verification code: " +
         TextAt(*json, "verificationCode") +
         " (enter it in the Clover developer dashboard)";
}

bool CloverApi::Authentic(const WebhookRequest& request) const {
  auto header = request.headers.find("x-clover-auth");
  return header != request.headers.end() &&
         CloverAuthValid(settings_.auth_code(), header->second);
}

std::string CloverApi::DeliveryId(const WebhookRequest&) const {
  return "";  // Clover sends none: the runtime uses the body's hash.
}

absl::StatusOr<std::string> CloverApi::FetchOrder(
    const OrderToFetch& order) const {
  auto response = CallVendor(
      "GET",
      absl::StrCat(settings_.api_base(), "/v3/merchants/",
                   order.vendor_location, "/orders/", order.order_id,
                   "?expand=lineItems,lineItems.discounts,lineItems.modifications,"
                   "discounts,payments"),
      Headers(), "", retry_);
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Clover order " + order.order_id, *response,
                           ErrorField(*response, "message"));
  }
  if (response->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("Clover order ", order.order_id, ": ",
                     ErrorField(*response, "message")));
  }
  return response->body;
}

absl::StatusOr<CommandOutcome> CloverApi::Apply(
    const makegood::v1::RemedyCommand& command,
    const WriteGate& may_write) const {
  const auto& action = command.apply_remedy();
  switch (action.kind()) {
    case makegood::v1::REMAKE:
      return CommandOutcome::Applied("none: the kitchen remakes the item");
    case makegood::v1::MANAGER_VISIT:
      return CommandOutcome::Applied(
          "none: a manager visit changes nothing on the order");
    case makegood::v1::DISCOUNT_CODE:
      return CommandOutcome::Applied(
          "none: Clover has no coupon codes; the guest has makegood's code");
    case makegood::v1::COMP_ITEM:
    case makegood::v1::DISCOUNT_ITEM:
    case makegood::v1::DISCOUNT_CHECK:
    case makegood::v1::COMPLIMENTARY_ITEM:
      break;
    default:
      return CommandOutcome::Rejected(absl::StrCat(
          "Clover adapter: ", makegood::v1::RemedyKind_Name(action.kind()),
          " is not carried out on Clover; offer another remedy"));
  }
  auto last = state_->LastOrder(command.check_id());
  if (!last.ok()) return last.status();
  if (!last->has_value()) {
    return CommandOutcome::Rejected(
        "Clover: this order was never received from Clover");
  }
  const std::string merchant =
      CloverMerchantOf(ParseExactJson((*last)->body).value_or(json::object()));
  // The order as it is now: makegood's discount if it is there already (a
  // timeout after Clover applied it, a crash before the outcome was saved),
  // its state, total and the line's price.
  auto fetched = FetchOrder(OrderToFetch{command.check_id(), merchant, 0});
  if (!fetched.ok()) return FetchFailed(fetched.status());
  const json order = ParseExactJson(*fetched).value_or(json::object());
  if (std::optional<std::string> found =
          FindRemedy(order, command.command_id())) {
    return CommandOutcome::Applied(
        absl::StrCat("clover:", command.check_id(), ":", *found));
  }
  if (TextAt(order, "state") == "locked") {
    return CommandOutcome::Rejected(
        "Clover: the order is paid (locked) and cannot change");
  }
  int64_t line_price = 0;
  for (const json& line : ArrayAt(ObjectAt(order, "lineItems"), "elements")) {
    if (TextAt(line, "id") == action.line_id())
      line_price = IntAt(line, "price");
  }
  const std::string base =
      absl::StrCat(settings_.api_base(), "/v3/merchants/", merchant, "/orders/",
                   command.check_id());
  std::string url;
  json body;
  int64_t taken_off = 0;
  // The name carries the marker: Clover keeps no other field of ours.
  const std::string marker = RemedyMarker(command.command_id());
  if (action.kind() == makegood::v1::COMPLIMENTARY_ITEM) {
    url = base + "/line_items";
    body = {{"name",
             absl::StrCat(action.sku().empty() ? action.reason() : action.sku(),
                          " (makegood ", marker, ")")},
            {"price", 0}};
  } else {
    body["name"] = absl::StrCat(action.kind() == makegood::v1::COMP_ITEM
                                    ? "Comp"
                                    : "Make-good discount",
                                " (makegood ", marker, ")");
    const bool whole_check = action.kind() == makegood::v1::DISCOUNT_CHECK;
    const int64_t base_price = whole_check ? IntAt(order, "total") : line_price;
    if (action.kind() == makegood::v1::COMP_ITEM) {
      body["percentage"] = 100;
      taken_off = line_price;
    } else if (action.percent_bps() > 0 && action.percent_bps() % 100 == 0) {
      body["percentage"] = action.percent_bps() / 100;
      taken_off = (base_price * action.percent_bps() + 5000) / 10000;
    } else {
      taken_off = action.percent_bps() > 0
                      ? (base_price * action.percent_bps() + 5000) / 10000
                      : action.amount().minor_units();
      body["amount"] = -taken_off;  // Clover: negative cents off.
    }
    url = whole_check ? base + "/discounts"
                      : base + "/line_items/" + action.line_id() + "/discounts";
  }
  // Once: Clover has no idempotency key, and a timeout may come after it
  // applied the write. The next try reads back first.
  if (absl::Status open = may_write(); !open.ok()) return open;
  auto response =
      CallVendor("POST", url, Headers(), body.dump(), WriteOnce(retry_));
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Clover discount", *response,
                           ErrorField(*response, "message"));
  }
  if (response->status != 200) {
    return CommandOutcome::Rejected("Clover: " +
                                    ErrorField(*response, "message"));
  }
  const std::string created_id = TextAt(
      json::parse(response->body, nullptr, /*allow_exceptions=*/false), "id");
  if (taken_off > 0) {
    // Clover does not recompute totals: the order's total follows.
    auto total =
        CallVendor("POST", base, Headers(),
                   json{{"total", IntAt(order, "total") - taken_off}}.dump(),
                   WriteOnce(retry_));
    if (!total.ok() || total->status != 200) {
      // The discount stands; the reference says the total may be stale.
      return CommandOutcome::Applied(absl::StrCat("clover:", command.check_id(),
                                                  ":", created_id,
                                                  " (total not confirmed)"));
    }
  }
  return CommandOutcome::Applied(
      absl::StrCat("clover:", command.check_id(), ":", created_id));
}

}  // namespace makegood::adapters
