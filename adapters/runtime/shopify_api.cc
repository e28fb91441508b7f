#include "shopify_api.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/money.h"
#include "core/proto_time.h"
#include "exact_json.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"
#include "webhook_signature.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// Shopify's "errors" (a string or an object of lists), or the HTTP status.
std::string ShopifyError(const HttpResponse& response) {
  const json body =
      json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("errors")) {
    return body["errors"].is_string() ? body["errors"].get<std::string>()
                                      : body["errors"].dump();
  }
  return absl::StrCat("HTTP ", response.status);
}

std::string Iso(const google::protobuf::Timestamp& at) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", core::FromProto(at),
                          absl::UTCTimeZone());
}

}  // namespace

ShopifyApi::ShopifyApi(makegood::v1::ShopifySettings settings,
                       VendorContext context, RetryPolicy retry)
    : VendorApi("shopify", std::move(context)),
      settings_(std::move(settings)),
      retry_(retry) {}

std::string ShopifyApi::Url(const std::string& path) const {
  return absl::StrCat(settings_.shop_url(), "/admin/api/",
                      settings_.api_version(), path);
}

bool ShopifyApi::Authentic(const WebhookRequest& request) const {
  auto header = request.headers.find("x-shopify-hmac-sha256");
  return header != request.headers.end() &&
         ShopifySignatureValid(settings_.client_secret(), request.body,
                               header->second);
}

std::string ShopifyApi::DeliveryId(const WebhookRequest& request) const {
  auto header = request.headers.find("x-shopify-event-id");
  return header == request.headers.end() ? "" : header->second;
}

absl::StatusOr<CommandOutcome> ShopifyApi::Apply(
    const makegood::v1::RemedyCommand& command,
    const WriteGate& may_write) const {
  const auto& action = command.apply_remedy();
  switch (action.kind()) {
    case makegood::v1::REMAKE:
      // Rejected rather than acknowledged, so the case shows that nothing
      // reached a kitchen.
      return CommandOutcome::Rejected(
          "Shopify has no kitchen to send a refire to: remake the item by "
          "hand");
    case makegood::v1::MANAGER_VISIT:
      return CommandOutcome::Applied(
          "none: a manager visit changes nothing in the shop");
    case makegood::v1::DISCOUNT_CODE:
      break;
    default:
      return CommandOutcome::Rejected(absl::StrCat(
          "Shopify: ", makegood::v1::RemedyKind_Name(action.kind()),
          " on a placed order needs GraphQL order editing, which this "
          "adapter does not do; offer a next-visit code"));
  }
  if (action.discount_code().empty()) {
    return CommandOutcome::Rejected(
        "Shopify: the command carries no discount code");
  }
  const std::string marker = RemedyMarker(command.command_id());
  json rule = {
      {"title", absl::StrCat("makegood ", action.discount_code(), " ", marker)},
      {"target_type", "line_item"},
      {"target_selection", "all"},
      {"allocation_method", "across"},
      {"customer_selection", "all"},
      {"once_per_customer", true},
      {"usage_limit", 1},
      {"starts_at", Iso(command.created_at())}};
  if (action.has_code_expires_at()) {
    rule["ends_at"] = Iso(action.code_expires_at());
  }
  if (action.percent_bps() > 0) {
    rule["value_type"] = "percentage";
    rule["value"] = absl::StrFormat("-%d.%02d", action.percent_bps() / 100,
                                    action.percent_bps() % 100);
  } else {
    rule["value_type"] = "fixed_amount";
    rule["value"] = "-" + core::FormatAmount(action.amount().minor_units(),
                                             action.amount().currency());
  }
  // Read back first: the price rule and code of an earlier try (a timeout
  // after Shopify created them, a crash before the outcome was saved) are
  // found by the marker in the rule's title and not created again.
  auto found_rule = FindRule(command);
  if (!found_rule.ok()) return FetchFailed(found_rule.status());
  std::string rule_id = *found_rule;
  if (!rule_id.empty()) {
    auto found_code = FindCode(rule_id, action.discount_code());
    if (!found_code.ok()) return FetchFailed(found_code.status());
    if (!found_code->empty()) {
      return CommandOutcome::Applied(absl::StrCat(
          "shopify:price_rule:", rule_id, ":discount_code:", *found_code));
    }
  } else {
    // Once each: Shopify has no idempotency key for these calls.
    if (absl::Status open = may_write(); !open.ok()) return open;
    auto created =
        CallVendor("POST", Url("/price_rules.json"), Headers(),
                   json{{"price_rule", rule}}.dump(), WriteOnce(retry_));
    if (!created.ok()) return created.status();
    if (AuthFailed(*created)) {
      return VendorAuthError("Shopify price rule", *created,
                             ShopifyError(*created));
    }
    if (created->status != 201 && created->status != 200) {
      return CommandOutcome::Rejected("Shopify price rule: " +
                                      ShopifyError(*created));
    }
    const json answer =
        json::parse(created->body, nullptr, /*allow_exceptions=*/false);
    rule_id = TextAt(ObjectAt(answer, "price_rule"), "id");
    if (rule_id.empty()) {
      return CommandOutcome::Rejected(
          "Shopify price rule: no id in the answer");
    }
  }
  auto code = CallVendor(
      "POST", Url("/price_rules/" + rule_id + "/discount_codes.json"),
      Headers(),
      json{{"discount_code", {{"code", action.discount_code()}}}}.dump(),
      WriteOnce(retry_));
  if (!code.ok()) return code.status();
  if (AuthFailed(*code)) {
    return VendorAuthError("Shopify discount code", *code, ShopifyError(*code));
  }
  if (code->status != 201 && code->status != 200) {
    return CommandOutcome::Rejected("Shopify discount code: " +
                                    ShopifyError(*code));
  }
  const json code_answer =
      json::parse(code->body, nullptr, /*allow_exceptions=*/false);
  return CommandOutcome::Applied(absl::StrCat(
      "shopify:price_rule:", rule_id,
      ":discount_code:", TextAt(ObjectAt(code_answer, "discount_code"), "id")));
}

std::vector<std::string> ShopifyApi::Headers() const {
  return {"X-Shopify-Access-Token: " + settings_.access_token(),
          "Content-Type: application/json"};
}

absl::StatusOr<std::string> ShopifyApi::FindRule(
    const makegood::v1::RemedyCommand& command) const {
  // Rules made since the command was created: its tries' and few others.
  // An hour's leeway covers a clock that is off.
  google::protobuf::Timestamp since = command.created_at();
  since.set_seconds(since.seconds() - 3600);
  auto listed = CallVendor(
      "GET", Url("/price_rules.json?limit=250&created_at_min=" + Iso(since)),
      Headers(), "", retry_);
  if (!listed.ok()) return listed.status();
  if (AuthFailed(*listed)) {
    return VendorAuthError("Shopify price rules", *listed,
                           ShopifyError(*listed));
  }
  if (listed->status != 200) {
    return absl::FailedPreconditionError("Shopify price rules: " +
                                         ShopifyError(*listed));
  }
  const json answer =
      json::parse(listed->body, nullptr, /*allow_exceptions=*/false);
  for (const json& rule : ArrayAt(answer, "price_rules")) {
    if (HasRemedyMarker(TextAt(rule, "title"), command.command_id())) {
      return TextAt(rule, "id");
    }
  }
  return std::string();
}

absl::StatusOr<std::string> ShopifyApi::FindCode(
    const std::string& rule_id, const std::string& code) const {
  auto listed =
      CallVendor("GET", Url("/price_rules/" + rule_id + "/discount_codes.json"),
                 Headers(), "", retry_);
  if (!listed.ok()) return listed.status();
  if (AuthFailed(*listed)) {
    return VendorAuthError("Shopify discount codes", *listed,
                           ShopifyError(*listed));
  }
  if (listed->status != 200) {
    return absl::FailedPreconditionError("Shopify discount codes: " +
                                         ShopifyError(*listed));
  }
  const json answer =
      json::parse(listed->body, nullptr, /*allow_exceptions=*/false);
  for (const json& existing : ArrayAt(answer, "discount_codes")) {
    if (absl::EqualsIgnoreCase(TextAt(existing, "code"), code)) {
      return TextAt(existing, "id");
    }
  }
  return std::string();
}

}  // namespace makegood::adapters
