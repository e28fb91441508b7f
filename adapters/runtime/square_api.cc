#include "square_api.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "exact_json.h"
#include "pos_line_text.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"
#include "webhook_signature.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// Square's first error detail, or the HTTP status.
std::string SquareError(const HttpResponse& response) {
  const json body =
      json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("errors") &&
      body["errors"].is_array() && !body["errors"].empty()) {
    const json& first = body["errors"][0];
    return absl::StrCat(TextAt(first, "code"), ": ", TextAt(first, "detail"));
  }
  return absl::StrCat("HTTP ", response.status);
}

// The key of an UpdateOrder against `version`: Square answers a retry at
// the same version from its record of the first, and a redelivery after the
// order moved on is a new request, not a reuse of the key for another body
// (which Square refuses).
std::string IdempotencyKey(const std::string& command_id, int64_t version) {
  return absl::StrCat(command_id, "@v", version);
}

// True when the order holds makegood's discount or line `uid` (its marker).
bool HasRemedy(const json& order, const std::string& uid) {
  for (const char* list : {"discounts", "line_items"}) {
    for (const json& entry : ArrayAt(order, list)) {
      if (TextAt(entry, "uid") == uid) return true;
    }
  }
  return false;
}

// Square's limits on a line item (OrderLineItem.name, .note).
constexpr size_t kLineNameLimit = 512;
constexpr size_t kLineNoteLimit = 2000;

// The order's line item `uid`, or nullptr.
const json* FindLine(const json& order, const std::string& uid) {
  for (const json& line : ArrayAt(order, "line_items")) {
    if (TextAt(line, "uid") == uid) return &line;
  }
  return nullptr;
}

// makegood's line for a REMAKE ("REFIRE: <the line's name>") or a
// COMPLIMENTARY_ITEM (its SKU) on `order` as read back: one at base price
// 0 whose uid is the command's marker. Square sends a line added to an
// open order to its kitchen display like any other. FAILED_PRECONDITION
// with the reason to show the staff when it cannot be added: the order is
// completed or canceled, or the line to refire is no longer on it.
absl::StatusOr<json> KitchenLine(const makegood::v1::RemedyCommand& command,
                                 const json& order,
                                 const std::string& currency) {
  const auto& action = command.apply_remedy();
  const std::string state = TextAt(order, "state");
  if (state == "COMPLETED" || state == "CANCELED") {
    return absl::FailedPreconditionError(
        absl::StrCat("Square: order ", command.check_id(), " is ", state,
                     " and takes no new line; ", ByHand(action.kind())));
  }
  std::string name;
  if (action.kind() == makegood::v1::REMAKE) {
    if (action.line_id().empty()) {
      return absl::FailedPreconditionError(
          "Square: the remake names no line to refire");
    }
    const json* line = FindLine(order, action.line_id());
    if (line == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Square: line ", action.line_id(), " is no longer on order ",
          command.check_id(), "; ", ByHand(action.kind())));
    }
    const std::string item = TextAt(*line, "name");
    name = absl::StrCat(kRefirePrefix, item.empty() ? action.line_id() : item);
  } else {
    name = action.sku().empty() ? action.reason() : action.sku();
  }
  const std::string note =
      absl::StrCat("makegood ", command.case_id(),
                   action.reason().empty() ? "" : ": ", action.reason());
  return json{{"uid", RemedyMarker(command.command_id())},
              {"name", CutToUnits(name, kLineNameLimit)},
              {"quantity", "1"},
              {"note", CutToUnits(note, kLineNoteLimit)},
              {"base_price_money", {{"amount", 0}, {"currency", currency}}}};
}

// 1250 basis points as Square's percentage string "12.5".
std::string Percentage(int32_t bps) {
  std::string text = absl::StrFormat("%d.%02d", bps / 100, bps % 100);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

SquareApi::SquareApi(makegood::v1::SquareSettings settings,
                     VendorContext context, RetryPolicy retry)
    : VendorApi("square", std::move(context)),
      settings_(std::move(settings)),
      retry_(retry) {}

std::vector<std::string> SquareApi::Headers() const {
  return {"Authorization: Bearer " + settings_.access_token(),
          "Square-Version: " + settings_.api_version(),
          "Content-Type: application/json", "Accept: application/json"};
}

bool SquareApi::Authentic(const WebhookRequest& request) const {
  auto header = request.headers.find("x-square-hmacsha256-signature");
  return header != request.headers.end() &&
         SquareSignatureValid(settings_.signature_key(),
                              settings_.notification_url(), request.body,
                              header->second);
}

std::string SquareApi::DeliveryId(const WebhookRequest& request) const {
  auto json = ParseExactJson(request.body);
  return json.ok() ? TextAt(*json, "event_id") : "";
}

absl::StatusOr<std::string> SquareApi::FetchOrder(
    const OrderToFetch& order) const {
  auto response = CallVendor(
      "GET", absl::StrCat(settings_.api_base(), "/v2/orders/", order.order_id),
      Headers(), "", retry_);
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Square RetrieveOrder " + order.order_id, *response,
                           SquareError(*response));
  }
  if (response->status != 200) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Square RetrieveOrder ", order.order_id, ": ", SquareError(*response)));
  }
  return response->body;
}

absl::StatusOr<CommandOutcome> SquareApi::Apply(
    const makegood::v1::RemedyCommand& command,
    const WriteGate& may_write) const {
  const auto& action = command.apply_remedy();
  switch (action.kind()) {
    case makegood::v1::MANAGER_VISIT:
      return CommandOutcome::Applied(
          "none: a manager visit changes nothing on the order");
    case makegood::v1::DISCOUNT_CODE:
      return CommandOutcome::Applied(
          "none: Square has no coupon codes; the guest has makegood's code");
    case makegood::v1::REFUND:
    case makegood::v1::REPLACE:
      return CommandOutcome::Rejected(
          "Square: refunds and replacements are made at the register; this "
          "adapter does not issue them");
    case makegood::v1::REMAKE:
    case makegood::v1::COMP_ITEM:
    case makegood::v1::DISCOUNT_ITEM:
    case makegood::v1::DISCOUNT_CHECK:
    case makegood::v1::COMPLIMENTARY_ITEM:
      break;
    default:
      return CommandOutcome::Rejected(
          absl::StrCat("Square adapter: remedy kind ",
                       RemedyKind_Name(action.kind()), " is not supported"));
  }
  // Optimistic concurrency: read the current version, write against it,
  // and read again when someone else changed the order meanwhile. Each
  // read first looks for the command's marker: written before (a timeout,
  // a crash before the outcome was saved), it is not written again.
  const std::string uid = RemedyMarker(command.command_id());
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto fetched = FetchOrder(OrderToFetch{command.check_id(), "", 0});
    if (!fetched.ok()) return FetchFailed(fetched.status());
    const json order = ParseExactJson(*fetched).value_or(json::object());
    const json& current = order.contains("order") ? order["order"] : order;
    if (HasRemedy(current, uid)) {
      return CommandOutcome::Applied(absl::StrCat("square:", command.check_id(),
                                                  ":", uid, "@v",
                                                  IntAt(current, "version")));
    }
    if (!current.contains("version")) {
      return CommandOutcome::Rejected(absl::StrCat(
          "Square: this order was not created through the Orders API (orders "
          "from the Square POS app have no version) and cannot be updated; ",
          AddsKitchenLine(action.kind()) ? ByHand(action.kind())
                                         : "offer another remedy"));
    }
    json sparse = {{"version", current["version"]},
                   {"location_id", TextAt(current, "location_id")}};
    if (AddsKitchenLine(action.kind())) {
      absl::StatusOr<json> line = KitchenLine(command, current,
                                              action.amount().currency().empty()
                                                  ? context().currency
                                                  : action.amount().currency());
      if (!line.ok()) {
        return CommandOutcome::Rejected(std::string(line.status().message()));
      }
      sparse["line_items"] = json::array({*std::move(line)});
    } else {
      json discount = {{"uid", uid},
                       {"name", action.kind() == makegood::v1::COMP_ITEM
                                    ? "Comp (makegood)"
                                    : "Make-good discount"}};
      if (action.kind() == makegood::v1::COMP_ITEM) {
        discount["type"] = "FIXED_PERCENTAGE";
        discount["percentage"] = "100";
      } else if (action.percent_bps() > 0) {
        discount["type"] = "FIXED_PERCENTAGE";
        discount["percentage"] = Percentage(action.percent_bps());
      } else {
        discount["type"] = "FIXED_AMOUNT";
        discount["amount_money"] = {{"amount", action.amount().minor_units()},
                                    {"currency", action.amount().currency()}};
      }
      const bool whole_check = action.kind() == makegood::v1::DISCOUNT_CHECK;
      discount["scope"] = whole_check ? "ORDER" : "LINE_ITEM";
      sparse["discounts"] = json::array({discount});
      if (!whole_check) {
        sparse["line_items"] = json::array(
            {{{"uid", action.line_id()},
              {"applied_discounts", json::array({{{"discount_uid", uid}}})}}});
      }
    }
    const json request = {
        {"idempotency_key",
         IdempotencyKey(command.command_id(), IntAt(current, "version"))},
        {"order", sparse}};
    if (absl::Status open = may_write(); !open.ok()) return open;
    auto response = CallVendor(
        "PUT",
        absl::StrCat(settings_.api_base(), "/v2/orders/", command.check_id()),
        Headers(), request.dump(), WriteOnce(retry_));
    // UNAVAILABLE (a timeout, 429, 5xx): the next try reads back first.
    if (!response.ok()) return response.status();
    if (response->status == 200) {
      const json updated =
          json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      const json& result = updated.is_object() && updated.contains("order")
                               ? updated["order"]
                               : updated;
      return CommandOutcome::Applied(absl::StrCat("square:", command.check_id(),
                                                  ":", uid, "@v",
                                                  IntAt(result, "version")));
    }
    if (response->status == 409) continue;  // VERSION_MISMATCH: read again.
    if (AuthFailed(*response)) {
      return VendorAuthError("Square UpdateOrder " + command.check_id(),
                             *response, SquareError(*response));
    }
    return CommandOutcome::Rejected("Square: " + SquareError(*response));
  }
  return CommandOutcome::Rejected("Square: the order kept changing; try again");
}

}  // namespace makegood::adapters
