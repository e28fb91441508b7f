#include "shopify_api.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/money.h"
#include "core/proto_time.h"
#include "exact_json.h"
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
    const makegood::v1::RemedyCommand& command) const {
  const auto& action = command.apply_remedy();
  switch (action.kind()) {
    case makegood::v1::REMAKE:
      return CommandOutcome::Applied(
          "none: a remake changes nothing in the shop");
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
  json rule = {{"title", "makegood " + action.discount_code()},
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
  const std::vector<std::string> headers = {
      "X-Shopify-Access-Token: " + settings_.access_token(),
      "Content-Type: application/json"};
  auto created = CallVendor("POST", Url("/price_rules.json"), headers,
                            json{{"price_rule", rule}}.dump(), retry_);
  if (!created.ok()) return created.status();
  if (created->status != 201 && created->status != 200) {
    return CommandOutcome::Rejected("Shopify price rule: " +
                                    ShopifyError(*created));
  }
  const json answer =
      json::parse(created->body, nullptr, /*allow_exceptions=*/false);
  const std::string rule_id = TextAt(ObjectAt(answer, "price_rule"), "id");
  if (rule_id.empty()) {
    return CommandOutcome::Rejected("Shopify price rule: no id in the answer");
  }
  auto code = CallVendor(
      "POST", Url("/price_rules/" + rule_id + "/discount_codes.json"), headers,
      json{{"discount_code", {{"code", action.discount_code()}}}}.dump(),
      retry_);
  if (!code.ok()) return code.status();
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

}  // namespace makegood::adapters
