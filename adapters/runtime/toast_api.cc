#include "toast_api.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
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

const json* FindCheck(const json& order, const std::string& check_id) {
  for (const json& check : ArrayAt(order, "checks")) {
    if (TextAt(check, "guid") == check_id) return &check;
  }
  return nullptr;
}

// The selection makegood added to `check` for `command_id`, if Toast has it.
const json* FindAddedLine(const json& check, const std::string& command_id) {
  for (const json& selection : ArrayAt(check, "selections")) {
    if (HasRemedyMarker(TextAt(selection, "externalId"), command_id)) {
      return &selection;
    }
  }
  return nullptr;
}

// The guid of the configured discount makegood put on `selection` for
// `command_id`, if Toast has it.
std::optional<std::string> MarkedDiscount(const json& selection,
                                          const std::string& command_id) {
  for (const json& applied : ArrayAt(selection, "appliedDiscounts")) {
    if (HasRemedyMarker(TextAt(applied, "externalId"), command_id)) {
      return TextAt(ObjectAt(applied, "discount"), "guid");
    }
  }
  return std::nullopt;
}

// True when `text` is an amount Toast states as zero ("0", "0.0", "-0.00").
bool IsZeroAmount(const std::string& text) {
  bool digit = false;
  for (char c : text) {
    if (c == '0') {
      digit = true;
    } else if (c != '.' && c != '-') {
      return false;
    }
  }
  return digit;
}

// True when Toast states the price of `selection` before discounts as zero
// (an Open Price item posted without a price, a $0 menu item): there is
// nothing to comp.
bool Free(const json& selection) {
  std::string gross = TextAt(selection, "preDiscountPrice");
  if (gross.empty()) gross = TextAt(selection, "receiptLinePrice");
  return IsZeroAmount(gross);
}

// True when Toast states a net price still to pay for `selection` after its
// discounts (a comp on an item that is not discountable takes nothing off).
bool ChargedAfterDiscounts(const json& selection) {
  const std::string net = TextAt(selection, "price");
  return !net.empty() && !IsZeroAmount(net);
}

// A line for makegood to add to the check: the Selection to post and its
// name as staff know it, or why it cannot be added.
struct NewLine {
  json selection;
  std::string name;
  std::string refusal;
};

NewLine Refusal(std::string why) {
  NewLine line;
  line.refusal = std::move(why);
  return line;
}

// Toast's reference to a configured entity (menu item, group, modifier
// group, pre-modifier) by guid.
json ConfigReference(const std::string& guid) { return {{"guid", guid}}; }

// The `modifiers` of `selection` as the orders API takes them on a new
// selection of quantity 1 (a modifier's quantity must be the item's): the
// same modifiers, modifier groups and pre-modifiers, nested, and the
// guest's special requests, voided ones left out. The API adds no default
// modifiers, so those left out would be made without. INVALID_ARGUMENT
// for a modifier with no menu item to post.
absl::StatusOr<json> ModifiersForOne(const json& selection) {
  json copies = json::array();
  for (const json& modifier : ArrayAt(selection, "modifiers")) {
    if (BoolAt(modifier, "voided")) continue;
    const std::string type = TextAt(modifier, "selectionType");
    if (type == "SPECIAL_REQUEST") {
      copies.push_back({{"selectionType", type},
                        {"displayName", TextAt(modifier, "displayName")}});
      continue;
    }
    const std::string item = TextAt(ObjectAt(modifier, "item"), "guid");
    if (item.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("its modifier '", TextAt(modifier, "displayName"),
                       "' names no menu item"));
    }
    json copy = {{"item", ConfigReference(item)}, {"quantity", 1}};
    for (const char* field : {"optionGroup", "itemGroup", "preModifier"}) {
      const std::string guid = TextAt(ObjectAt(modifier, field), "guid");
      if (!guid.empty()) copy[field] = ConfigReference(guid);
    }
    if (type == "PORTION") copy["selectionType"] = type;
    absl::StatusOr<json> nested = ModifiersForOne(modifier);
    if (!nested.ok()) return nested.status();
    copy["modifiers"] = *std::move(nested);
    copies.push_back(std::move(copy));
  }
  return copies;
}

// A Selection of one `item` from `group`, with makegood's externalId and a
// special request (shown with the item on tickets and the KDS) saying why.
json MarkedSelection(const std::string& command_id, const std::string& item,
                     const std::string& group, json modifiers,
                     const std::string& request) {
  modifiers.push_back(
      {{"selectionType", "SPECIAL_REQUEST"}, {"displayName", request}});
  return {{"entityType", "MenuItemSelection"},
          {"externalId", ExternalId(command_id)},
          {"item", ConfigReference(item)},
          {"itemGroup", ConfigReference(group)},
          {"quantity", 1},
          {"modifiers", std::move(modifiers)}};
}

// REMAKE: the problem selection's menu item again.
NewLine RefireOf(const json& check,
                 const makegood::v1::RemedyCommand& command) {
  const std::string& line_id = command.apply_remedy().line_id();
  const json* original = nullptr;
  for (const json& selection : ArrayAt(check, "selections")) {
    if (!line_id.empty() && TextAt(selection, "guid") == line_id) {
      original = &selection;
    }
  }
  if (original == nullptr) {
    return Refusal(absl::StrCat("Toast: selection '", line_id,
                                "' is not on check ", command.check_id(),
                                "; refire it by hand"));
  }
  const std::string item = TextAt(ObjectAt(*original, "item"), "guid");
  const std::string group = TextAt(ObjectAt(*original, "itemGroup"), "guid");
  std::string name = TextAt(*original, "displayName");
  if (name.empty()) name = item;
  if (item.empty() || group.empty()) {
    return Refusal(
        absl::StrCat("Toast: selection ", line_id, " (", name,
                     ") names no menu item and group to order again (a special "
                     "request or a gift card); refire it by hand"));
  }
  absl::StatusOr<json> modifiers = ModifiersForOne(*original);
  if (!modifiers.ok()) {
    return Refusal(absl::StrCat("Toast: selection ", line_id, " (", name,
                                "): ", modifiers.status().message(),
                                "; refire it by hand"));
  }
  NewLine line;
  line.selection = MarkedSelection(command.command_id(), item, group,
                                   *std::move(modifiers), "REFIRE: " + name);
  line.name = "the refire of " + name;
  return line;
}

// A menu item of the published menus, where it was found first.
struct MenuItemFound {
  const json* item;
  std::string group;
};

// The items of `group` and of its subgroups whose guid or Toast SKU is
// `sku`, each item once.
void FindMenuItems(const json& group, const std::string& sku,
                   std::vector<MenuItemFound>& found) {
  for (const json& item : ArrayAt(group, "menuItems")) {
    const std::string guid = TextAt(item, "guid");
    if (guid != sku && TextAt(item, "sku") != sku) continue;
    bool seen = false;
    for (const MenuItemFound& earlier : found) {
      seen = seen || TextAt(*earlier.item, "guid") == guid;
    }
    if (!seen) found.push_back({&item, TextAt(group, "guid")});
  }
  for (const json& subgroup : ArrayAt(group, "menuGroups")) {
    FindMenuItems(subgroup, sku, found);
  }
}

// COMPLIMENTARY_ITEM: the menu item whose Toast SKU or guid is the
// command's SKU (makegood knows Toast's items by their guid), at no charge.
NewLine ComplimentaryOf(const json& menus,
                        const makegood::v1::RemedyCommand& command) {
  const std::string& sku = command.apply_remedy().sku();
  constexpr char kByHand[] = "bring it to the table by hand";
  if (sku.empty()) {
    return Refusal(absl::StrCat(
        "Toast: the remedy names no SKU of a menu item to add; ", kByHand));
  }
  std::vector<MenuItemFound> found;
  for (const json& menu : ArrayAt(menus, "menus")) {
    for (const json& group : ArrayAt(menu, "menuGroups")) {
      FindMenuItems(group, sku, found);
    }
  }
  if (found.empty()) {
    return Refusal(absl::StrCat(
        "Toast: no menu item on the restaurant's published menus has "
        "the SKU or guid '",
        sku, "' (set it as the item's SKU in Toast Web); ", kByHand));
  }
  if (found.size() > 1) {
    std::vector<std::string> names;
    for (const MenuItemFound& each : found) {
      names.push_back(absl::StrCat(TextAt(*each.item, "name"), " (",
                                   TextAt(*each.item, "guid"), ")"));
    }
    return Refusal(
        absl::StrCat("Toast: the SKU '", sku, "' names ", found.size(),
                     " menu items: ", absl::StrJoin(names, ", "),
                     " (give one of them a SKU of its own); ", kByHand));
  }
  const json& item = *found[0].item;
  const std::string name = TextAt(item, "name");
  const bool open_price = TextAt(item, "pricingStrategy") == "OPEN_PRICE";
  const bool priced = !open_price && !IsZeroAmount(TextAt(item, "price"));
  const auto discountable = item.find("isDiscountable");
  if (priced && discountable != item.end() && discountable->is_boolean() &&
      !discountable->get<bool>()) {
    return Refusal(absl::StrCat(
        "Toast: menu item ", name,
        " is not discountable, so the comp would take nothing off it "
        "and the guest would be charged; ",
        kByHand));
  }
  NewLine line;
  line.selection =
      MarkedSelection(command.command_id(), TextAt(item, "guid"),
                      found[0].group, json::array(), "COMPLIMENTARY: " + name);
  if (open_price) line.selection["openPriceAmount"] = 0;
  line.name = "the complimentary " + name;
  return line;
}

}  // namespace

struct ToastApi::CheckNow {
  std::string order_guid;
  std::string restaurant;
  json check;           // As Toast has it now.
  std::string refusal;  // Not empty: the command is rejected with it.
};

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

absl::StatusOr<std::string> ToastApi::ReadMenus(
    const std::string& restaurant) const {
  auto response = CallVendor("GET", settings_.api_base() + "/menus/v2/menus",
                             Headers(restaurant), "", retry_);
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    // 403 also when the token lacks the menus:read scope.
    return VendorAuthError("Toast menus", *response,
                           ErrorField(*response, "message"));
  }
  if (response->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("Toast menus of restaurant ", restaurant, ": ",
                     ErrorField(*response, "message"),
                     "; bring the complimentary item to the table by hand"));
  }
  return response->body;
}

absl::StatusOr<HttpResponse> ToastApi::PostOnce(
    const std::string& url, const std::string& restaurant,
    const std::string& body, const std::string& what,
    const WriteGate& may_write) const {
  // Once: Toast has no idempotency key for these calls, and a timeout may
  // come after it took the write. The next try reads back first.
  if (absl::Status open = may_write(); !open.ok()) return open;
  auto response =
      CallVendor("POST", url, Headers(restaurant), body, WriteOnce(retry_));
  if (!response.ok()) return response.status();
  if (AuthFailed(*response)) {
    return VendorAuthError("Toast " + what, *response,
                           ErrorField(*response, "message"));
  }
  return response;
}

absl::StatusOr<std::string> ToastApi::WithRemedyMarkers(
    const std::string& body) const {
  auto webhook = ParseExactJson(body);
  if (!webhook.ok() || !webhook->is_object() || !webhook->contains("details")) {
    return body;  // Not a webhook: an order read from the API already.
  }
  const json& details = (*webhook)["details"];
  const json& order = ObjectAt(details, "order");
  // Only a discount can be makegood's (a line makegood added carries its
  // comp, unless Toast priced it at zero); other changes are published as
  // sent.
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
    case makegood::v1::MANAGER_VISIT:
      return CommandOutcome::Applied(
          "none: a manager visit changes nothing on the check");
    case makegood::v1::DISCOUNT_CODE:
      return CommandOutcome::Applied(
          "none: the guest has makegood's next-visit code");
    case makegood::v1::REMAKE:
    case makegood::v1::COMPLIMENTARY_ITEM:
    case makegood::v1::COMP_ITEM:
    case makegood::v1::DISCOUNT_ITEM:
    case makegood::v1::DISCOUNT_CHECK:
      break;
    default:
      return CommandOutcome::Rejected(absl::StrCat(
          "Toast adapter: ", makegood::v1::RemedyKind_Name(action.kind()),
          " is not carried out on Toast; offer another remedy"));
  }
  absl::StatusOr<CheckNow> now = ReadCheck(command);
  if (!now.ok()) return now.status();
  if (!now->refusal.empty()) return CommandOutcome::Rejected(now->refusal);
  if (action.kind() == makegood::v1::REMAKE ||
      action.kind() == makegood::v1::COMPLIMENTARY_ITEM) {
    return AddLine(command, *now, may_write);
  }
  return ApplyDiscount(command, *now, may_write);
}

absl::StatusOr<ToastApi::CheckNow> ToastApi::ReadCheck(
    const makegood::v1::RemedyCommand& command) const {
  // The order and restaurant of the check, from the last order seen.
  auto last = state_->LastOrder(command.check_id());
  if (!last.ok()) return last.status();
  if (!last->has_value()) {
    CheckNow never;
    never.refusal = "Toast: this check was never received from Toast";
    return never;
  }
  const json stored = ParseExactJson((*last)->body).value_or(json::object());
  const json& details = ObjectAt(stored, "details");
  const json& stored_order =
      stored.contains("details") ? ObjectAt(details, "order") : stored;
  CheckNow now;
  now.order_guid = TextAt(stored_order, "guid");
  now.restaurant = TextAt(details, "restaurantGuid");
  // The check as Toast has it now: what makegood wrote may be on it already
  // (a timeout after Toast took it, a crash before the outcome was saved),
  // and it must still be open.
  auto fresh = ReadOrder(now.order_guid, now.restaurant);
  if (!fresh.ok()) {
    absl::StatusOr<CommandOutcome> failed = FetchFailed(fresh.status());
    if (!failed.ok()) return failed.status();
    now.refusal = failed->vendor_reason;
    return now;
  }
  const json order = ParseExactJson(*fresh).value_or(json::object());
  const json* check = FindCheck(order, command.check_id());
  if (check == nullptr) {
    now.refusal = "Toast: the check is no longer on order " + now.order_guid;
    return now;
  }
  now.check = *check;
  return now;
}

absl::StatusOr<CommandOutcome> ToastApi::ApplyDiscount(
    const makegood::v1::RemedyCommand& command, const CheckNow& now,
    const WriteGate& may_write) const {
  const auto& action = command.apply_remedy();
  if (std::optional<FoundDiscount> found =
          FindRemedy(now.check, command.command_id())) {
    return CommandOutcome::Applied(Reference(command.check_id(), *found));
  }
  if (TextAt(now.check, "paymentStatus") != "OPEN") {
    return CommandOutcome::Rejected(
        "Toast: discounts can only be applied to an OPEN check; this one "
        "is " +
        TextAt(now.check, "paymentStatus"));
  }
  json applied = json::object();
  std::string url =
      absl::StrCat(settings_.api_base(), "/orders/v2/orders/", now.order_guid,
                   "/checks/", command.check_id());
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
  auto response = PostOnce(url, now.restaurant, json::array({applied}).dump(),
                           "appliedDiscounts", may_write);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return CommandOutcome::Rejected("Toast: " +
                                    ErrorField(*response, "message"));
  }
  return CommandOutcome::Applied(Reference(command.check_id(), target));
}

absl::StatusOr<CommandOutcome> ToastApi::AddLine(
    const makegood::v1::RemedyCommand& command, const CheckNow& now,
    const WriteGate& may_write) const {
  const bool refire = command.apply_remedy().kind() == makegood::v1::REMAKE;
  const std::string& command_id = command.command_id();
  const std::string check_url =
      absl::StrCat(settings_.api_base(), "/orders/v2/orders/", now.order_guid,
                   "/checks/", command.check_id());
  json check = now.check;
  json added;
  std::string what;  // "the refire of Ribeye 12oz".
  if (const json* found = FindAddedLine(check, command_id)) {
    added = *found;  // Added before: a timeout, a crash, a lease run out.
  } else {
    if (TextAt(check, "paymentStatus") != "OPEN") {
      return CommandOutcome::Rejected(absl::StrCat(
          "Toast: lines are added at no charge only to an OPEN check; this "
          "one is ",
          TextAt(check, "paymentStatus"), "; ",
          refire ? "refire it by hand" : "bring it to the table by hand"));
    }
    NewLine line;
    if (refire) {
      line = RefireOf(check, command);
    } else {
      absl::StatusOr<std::string> menus = ReadMenus(now.restaurant);
      if (!menus.ok()) return FetchFailed(menus.status());
      line = ComplimentaryOf(ParseExactJson(*menus).value_or(json::object()),
                             command);
    }
    if (!line.refusal.empty()) return CommandOutcome::Rejected(line.refusal);
    auto response =
        PostOnce(check_url + "/selections", now.restaurant,
                 json::array({line.selection}).dump(), "selections", may_write);
    if (!response.ok()) return response.status();
    if (response->status != 200) {
      return CommandOutcome::Rejected(absl::StrCat(
          "Toast: ", ErrorField(*response, "message"), "; ",
          refire ? "refire it by hand" : "bring it to the table by hand"));
    }
    const json answer = ParseExactJson(response->body).value_or(json::object());
    const json* answered = FindCheck(answer, command.check_id());
    const json* posted =
        answered != nullptr ? FindAddedLine(*answered, command_id) : nullptr;
    if (posted == nullptr) {
      return absl::UnavailableError(
          "Toast took the new line but its answer does not show it; the next "
          "try reads the order back");
    }
    check = *answered;
    added = *posted;
    what = line.name;
  }
  const std::string added_guid = TextAt(added, "guid");
  if (what.empty()) {
    what = absl::StrCat(refire ? "the refire of " : "the complimentary ",
                        TextAt(added, "displayName"));
  }
  const std::string reference =
      absl::StrCat("toast:", command.check_id(), ":added:", added_guid);
  // What was added stays on the check: a comp that fails is for staff to
  // sort out, not a reason to add the line again.
  const auto on_the_check = [&](absl::string_view but) {
    return CommandOutcome::Rejected(
        absl::StrCat("Toast: ", what, " is on the check for the kitchen, but ",
                     but, ": take it off the check by hand"));
  };
  constexpr char kNotDiscounted[] =
      "Toast took nothing off it (its menu item is not discountable)";
  if (Free(added)) return CommandOutcome::Applied(reference);
  if (std::optional<std::string> comp = MarkedDiscount(added, command_id)) {
    if (ChargedAfterDiscounts(added)) return on_the_check(kNotDiscounted);
    return CommandOutcome::Applied(absl::StrCat(reference, ":", *comp));
  }
  if (TextAt(check, "paymentStatus") != "OPEN") {
    return on_the_check(
        absl::StrCat("the check is ", TextAt(check, "paymentStatus"),
                     " now and Toast discounts only OPEN checks"));
  }
  if (!UrlSafeId(added_guid)) {
    return on_the_check("Toast gave it a guid that cannot go in a URL");
  }
  const json applied = {
      {"discount", {{"guid", settings_.comp_discount_guid()}}},
      {"externalId", ExternalId(command_id)}};
  auto response = PostOnce(
      absl::StrCat(check_url, "/selections/", added_guid, "/appliedDiscounts"),
      now.restaurant, json::array({applied}).dump(), "appliedDiscounts",
      may_write);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return on_the_check(absl::StrCat("Toast refused the comp (",
                                     ErrorField(*response, "message"), ")"));
  }
  const json answer = ParseExactJson(response->body).value_or(json::object());
  const json* answered = FindCheck(answer, command.check_id());
  const json* comped =
      answered != nullptr ? FindAddedLine(*answered, command_id) : nullptr;
  if (comped != nullptr && ChargedAfterDiscounts(*comped)) {
    return on_the_check(kNotDiscounted);
  }
  return CommandOutcome::Applied(
      absl::StrCat(reference, ":", settings_.comp_discount_guid()));
}

}  // namespace makegood::adapters
