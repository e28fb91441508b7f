#include "adapter_config.h"

#include <iostream>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/token_file.h"
#include "config/config_loader.h"
#include "config/file_text.h"
#include "core/money.h"
#include "names_map.h"

namespace makegood::adapters {
namespace {

// A map setting as the translators take it, in key order (so that its
// errors, too, come in the same order every time).
std::map<std::string, std::string> Sorted(
    const google::protobuf::Map<std::string, std::string>& map) {
  return std::map<std::string, std::string>(map.begin(), map.end());
}

// One "setting: what is wrong" per entry of `map` that `check` refuses.
std::vector<std::string> MapEntryErrors(
    const char* setting,
    const google::protobuf::Map<std::string, std::string>& map,
    absl::Status (*check)(absl::string_view, absl::string_view)) {
  std::vector<std::string> errors;
  for (const auto& [key, value] : Sorted(map)) {
    if (absl::Status s = check(key, value); !s.ok()) {
      errors.push_back(absl::StrCat(setting, ": ", s.message()));
    }
  }
  return errors;
}

}  // namespace

VendorContext VendorContextOf(const makegood::v1::AdapterConfig& config,
                              const std::string& vendor) {
  VendorContext context;
  context.source = vendor;
  context.locations = Sorted(config.locations());
  context.default_location = config.location();
  context.staff_map = Sorted(config.staff_map());
  context.table_map = Sorted(config.table_map());
  context.currency = config.currency();
  return context;
}

client::TlsSettingNames MakegoodTlsSettingNames() {
  client::TlsSettingNames names;
  names.ca_file = "makegood.tls_ca_file";
  names.cert_file = "makegood.tls_cert_file";
  names.key_file = "makegood.tls_key_file";
  return names;
}

client::ConnectionOptions ConnectionOf(
    const makegood::v1::MakegoodEndpoint& endpoint) {
  client::ConnectionOptions connection;
  connection.server = endpoint.server();
  connection.tls_ca_file = endpoint.tls_ca_file();
  connection.tls_cert_file = endpoint.tls_cert_file();
  connection.tls_key_file = endpoint.tls_key_file();
  return connection;
}

absl::StatusOr<makegood::v1::AdapterConfig> LoadAdapterConfig(
    const std::string& path, const std::string& vendor) {
  std::optional<std::string> text = config::ReadFileText(path);
  if (!text) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read the adapter configuration"));
  }
  makegood::v1::AdapterConfig settings;
  if (absl::Status s = config::ParseYamlInto(*text, path, settings); !s.ok()) {
    return s;
  }
  if (settings.listen().empty()) settings.set_listen("127.0.0.1:8085");
  if (settings.webhook_path().empty()) {
    settings.set_webhook_path("/webhooks/" + vendor);
  }
  if (settings.makegood().server().empty()) {
    settings.mutable_makegood()->set_server("127.0.0.1:50051");
  }
  if (settings.state().empty()) {
    settings.set_state("var/adapter-" + vendor + ".db");
  }
  if (settings.adapter_name().empty()) {
    settings.set_adapter_name("makegood-adapter-" + vendor);
  }
  auto& square = *settings.mutable_square();
  if (square.api_base().empty()) {
    square.set_api_base("https://connect.squareup.com");
  }
  if (square.api_version().empty()) square.set_api_version("2025-08-20");
  auto& toast = *settings.mutable_toast();
  if (toast.api_base().empty()) {
    toast.set_api_base("https://ws-api.toasttab.com");
  }

  std::vector<std::string> errors;
  auto require = [&](const std::string& value, const char* field) {
    if (value.empty()) errors.push_back(absl::StrCat(field, ": is required"));
  };
  auto& endpoint = *settings.mutable_makegood();
  if (!endpoint.token_file().empty()) {
    if (!endpoint.token().empty()) {
      errors.push_back(
          "makegood.token_file: give makegood.token or makegood.token_file, "
          "not both");
    } else if (auto read = client::ReadTokenFile(endpoint.token_file());
               !read.ok()) {
      errors.push_back(
          absl::StrCat("makegood.token_file: ", read.status().message()));
    } else {
      if (!read->warning.empty()) {
        std::cerr << path << ": warning: makegood.token_file: " << read->warning
                  << std::endl;
      }
      endpoint.set_token(std::move(read->token));
    }
  } else if (endpoint.token().empty()) {
    errors.push_back("makegood.token: is required (or makegood.token_file)");
  } else if (!client::IsWellFormedToken(endpoint.token())) {
    // gRPC aborts the process on such a header value.
    errors.push_back(
        "makegood.token: is not a token (visible ASCII only, no spaces)");
  }
  if (auto tls = client::ReadTlsFiles(ConnectionOf(endpoint),
                                      MakegoodTlsSettingNames());
      !tls.ok()) {
    errors.push_back(std::string(tls.status().message()));
  }
  if (settings.listen().find(':') == std::string::npos) {
    errors.push_back(
        absl::StrCat("listen: '", settings.listen(), "' is not host:port"));
  }
  if (!absl::StartsWith(settings.webhook_path(), "/")) {
    errors.push_back("webhook_path: must start with /");
  }
  if (!settings.currency().empty() &&
      !core::CurrencyExponent(settings.currency())) {
    errors.push_back(absl::StrCat("currency: '", settings.currency(),
                                  "' is not an ISO 4217 code"));
  }
  for (std::string& error :
       MapEntryErrors("staff_map", settings.staff_map(), &CheckStaffMapEntry)) {
    errors.push_back(std::move(error));
  }
  for (std::string& error :
       MapEntryErrors("table_map", settings.table_map(), &CheckTableMapEntry)) {
    errors.push_back(std::move(error));
  }
  if (vendor == "square") {
    require(square.access_token(), "square.access_token");
    require(square.signature_key(), "square.signature_key");
    require(square.notification_url(), "square.notification_url");
  }
  auto& shopify = *settings.mutable_shopify();
  if (shopify.api_version().empty()) shopify.set_api_version("2024-10");
  if (vendor == "shopify") {
    require(shopify.shop_url(), "shopify.shop_url");
    require(shopify.access_token(), "shopify.access_token");
    require(shopify.client_secret(), "shopify.client_secret");
  }
  auto& clover = *settings.mutable_clover();
  if (clover.api_base().empty()) clover.set_api_base("https://api.clover.com");
  if (vendor == "clover") {
    require(clover.access_token(), "clover.access_token");
    require(clover.auth_code(), "clover.auth_code");
  }
  if (vendor == "toast") {
    require(toast.access_token(), "toast.access_token");
    require(toast.webhook_secret(), "toast.webhook_secret");
    require(toast.comp_discount_guid(), "toast.comp_discount_guid");
    require(settings.currency(), "currency");
  }
  if (!errors.empty()) {
    for (std::string& error : errors) error = absl::StrCat(path, ": ", error);
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  return settings;
}

}  // namespace makegood::adapters
