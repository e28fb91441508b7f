#include "clover_api.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "exact_json.h"
#include "pos_line_text.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"
#include "webhook_signature.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// Clover's limits on a line item (LineItem.name and .note in Clover's SDK).
constexpr size_t kLineNameLimit = 127;
constexpr size_t kLineNoteLimit = 255;

// makegood's discount or line for a command, as the order shows it.
struct FoundRemedy {
  std::string id;
  // A line (a refire, a free item) that Clover has not printed yet.
  bool unprinted_line = false;
};

// makegood's discount or line for `command_id` on the order (expanded with
// lineItems.discounts and discounts), if Clover has it.
std::optional<FoundRemedy> FindRemedy(const json& order,
                                      const std::string& command_id) {
  auto marked = [&](const json& entry) {
    return HasRemedyMarker(TextAt(entry, "name"), command_id);
  };
  for (const json& line : ArrayAt(ObjectAt(order, "lineItems"), "elements")) {
    if (marked(line)) {
      return FoundRemedy{TextAt(line, "id"), !BoolAt(line, "printed")};
    }
    for (const json& discount :
         ArrayAt(ObjectAt(line, "discounts"), "elements")) {
      if (marked(discount)) return FoundRemedy{TextAt(discount, "id")};
    }
  }
  for (const json& discount :
       ArrayAt(ObjectAt(order, "discounts"), "elements")) {
    if (marked(discount)) return FoundRemedy{TextAt(discount, "id")};
  }
  return std::nullopt;
}

// Paid as Clover's translator reads it: locked, or paymentState PAID.
bool Paid(const json& order) {
  return TextAt(order, "state") == "locked" ||
         TextAt(order, "paymentState") == "PAID";
}

// "<base> (makegood mg-<command id>)" within Clover's name limit: `base`
// is cut so that the marker stays whole. FAILED_PRECONDITION when the
// marker leaves no room for `base`.
absl::StatusOr<std::string> MarkedName(absl::string_view base,
                                       const std::string& command_id) {
  const std::string suffix =
      absl::StrCat(" (makegood ", RemedyMarker(command_id), ")");
  const size_t suffix_units = Utf16Units(suffix);
  if (suffix_units >= kLineNameLimit) {
    return absl::FailedPreconditionError(
        absl::StrCat("Clover: command id ", command_id,
                     " is too long to mark a line name of at most ",
                     kLineNameLimit, " characters"));
  }
  return absl::StrCat(CutToUnits(base, kLineNameLimit - suffix_units), suffix);
}

// makegood's line for a REMAKE ("REFIRE: <the line's name>") or a
// COMPLIMENTARY_ITEM (its SKU) on `order` as read back: a custom line item
// (no inventory item, so Clover keeps the price given) at price 0, the
// marker in its name, a note naming the case. FAILED_PRECONDITION with the
// reason to show the staff when the line to refire is no longer on the
// order.
absl::StatusOr<json> KitchenLine(const makegood::v1::RemedyCommand& command,
                                 const json& order) {
  const auto& action = command.apply_remedy();
  std::string base;
  if (action.kind() == makegood::v1::REMAKE) {
    if (action.line_id().empty()) {
      return absl::FailedPreconditionError(
          "Clover: the remake names no line to refire");
    }
    const json* refired = nullptr;
    for (const json& line : ArrayAt(ObjectAt(order, "lineItems"), "elements")) {
      if (TextAt(line, "id") == action.line_id()) refired = &line;
    }
    if (refired == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Clover: line ", action.line_id(), " is no longer on order ",
          command.check_id(), "; ", ByHand(action.kind())));
    }
    const std::string item = TextAt(*refired, "name");
    base = absl::StrCat(kRefirePrefix, item.empty() ? action.line_id() : item);
  } else {
    base = action.sku().empty() ? action.reason() : action.sku();
  }
  absl::StatusOr<std::string> name = MarkedName(base, command.command_id());
  if (!name.ok()) return name.status();
  const std::string note =
      absl::StrCat("makegood ", command.case_id(),
                   action.reason().empty() ? "" : ": ", action.reason());
  return json{{"name", *std::move(name)},
              {"price", 0},
              {"note", CutToUnits(note, kLineNoteLimit)}};
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
  auto response =
      CallVendor("GET",
                 absl::StrCat(settings_.api_base(), "/v3/merchants/",
                              order.vendor_location, "/orders/", order.order_id,
                              "?expand=lineItems,lineItems.discounts,lineItems."
                              "modifications,discounts,payments"),
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
    case makegood::v1::MANAGER_VISIT:
      return CommandOutcome::Applied(
          "none: a manager visit changes nothing on the order");
    case makegood::v1::DISCOUNT_CODE:
      return CommandOutcome::Applied(
          "none: Clover has no coupon codes; the guest has makegood's code");
    case makegood::v1::REMAKE:
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
  // The order as it is now: makegood's discount or line if it is there
  // already (a timeout after Clover applied it, a crash before the outcome
  // was saved), its state, total and the line's price.
  auto fetched = FetchOrder(OrderToFetch{command.check_id(), merchant, 0});
  if (!fetched.ok()) return FetchFailed(fetched.status());
  const json order = ParseExactJson(*fetched).value_or(json::object());
  if (std::optional<FoundRemedy> found =
          FindRemedy(order, command.command_id())) {
    // An earlier try added the line and ended before Clover printed it (a
    // crash or timeout between the two calls): the line is not added
    // again, but the kitchen still needs it.
    if (found->unprinted_line) {
      return PrintForKitchen(command, merchant, found->id, may_write);
    }
    return CommandOutcome::Applied(
        absl::StrCat("clover:", command.check_id(), ":", found->id));
  }
  if (Paid(order)) {
    return CommandOutcome::Rejected(absl::StrCat(
        "Clover: the order is paid (locked) and cannot change",
        AddsKitchenLine(action.kind()) ? "; " + ByHand(action.kind()) : ""));
  }
  if (AddsKitchenLine(action.kind())) {
    absl::StatusOr<json> line = KitchenLine(command, order);
    if (!line.ok()) {
      return CommandOutcome::Rejected(std::string(line.status().message()));
    }
    return AddKitchenLine(command, merchant, *line, may_write);
  }
  int64_t line_price = 0;
  for (const json& line : ArrayAt(ObjectAt(order, "lineItems"), "elements")) {
    if (TextAt(line, "id") == action.line_id())
      line_price = IntAt(line, "price");
  }
  const std::string base =
      absl::StrCat(settings_.api_base(), "/v3/merchants/", merchant, "/orders/",
                   command.check_id());
  json body;
  int64_t taken_off = 0;
  // The name carries the marker: Clover keeps no other field of ours.
  body["name"] = absl::StrCat(
      action.kind() == makegood::v1::COMP_ITEM ? "Comp" : "Make-good discount",
      " (makegood ", RemedyMarker(command.command_id()), ")");
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
  const std::string url =
      whole_check ? base + "/discounts"
                  : base + "/line_items/" + action.line_id() + "/discounts";
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

absl::StatusOr<CommandOutcome> CloverApi::AddKitchenLine(
    const makegood::v1::RemedyCommand& command, const std::string& merchant,
    const json& line, const WriteGate& may_write) const {
  // Once, as the discounts: the next try reads back first.
  if (absl::Status open = may_write(); !open.ok()) return open;
  auto response =
      CallVendor("POST",
                 absl::StrCat(settings_.api_base(), "/v3/merchants/", merchant,
                              "/orders/", command.check_id(), "/line_items"),
                 Headers(), line.dump(), WriteOnce(retry_));
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Clover line item", *response,
                           ErrorField(*response, "message"));
  }
  if (response->status != 200) {
    return CommandOutcome::Rejected(
        absl::StrCat("Clover: ", ErrorField(*response, "message"), "; ",
                     ByHand(command.apply_remedy().kind())));
  }
  const std::string created_id = TextAt(
      json::parse(response->body, nullptr, /*allow_exceptions=*/false), "id");
  return PrintForKitchen(command, merchant, created_id, may_write);
}

absl::StatusOr<CommandOutcome> CloverApi::PrintForKitchen(
    const makegood::v1::RemedyCommand& command, const std::string& merchant,
    const std::string& line_id, const WriteGate& may_write) const {
  // A line added through the API is not printed by itself (Clover sets
  // its `printed` once it is): print_event sends the order to the firing
  // device's order printer. Asked again only while the line shows
  // unprinted, so a timeout here may print it twice, never not at all.
  if (absl::Status open = may_write(); !open.ok()) return open;
  auto response = CallVendor(
      "POST",
      absl::StrCat(settings_.api_base(), "/v3/merchants/", merchant,
                   "/print_event"),
      Headers(), json{{"orderRef", {{"id", command.check_id()}}}}.dump(),
      WriteOnce(retry_));
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Clover print_event", *response,
                           ErrorField(*response, "message"));
  }
  if (response->status < 200 || response->status >= 300) {
    return CommandOutcome::Rejected(absl::StrCat(
        "Clover: line ", line_id, " is on order ", command.check_id(),
        " but Clover did not print it for the kitchen (",
        ErrorField(*response, "message"), "); ",
        ByHand(command.apply_remedy().kind())));
  }
  return CommandOutcome::Applied(
      absl::StrCat("clover:", command.check_id(), ":", line_id));
}

}  // namespace makegood::adapters
