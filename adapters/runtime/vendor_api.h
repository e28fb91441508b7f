#ifndef MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_API_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_API_H_

// What a running adapter needs from one vendor: webhook authentication,
// payload parsing, fetching a thin webhook's order, and carrying out a
// remedy command. Implementations are thread-safe.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "adapter_state.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// A webhook as received: header names in lower case, the raw body.
struct WebhookRequest {
  std::map<std::string, std::string> headers;
  std::string body;
};

// Whether a vendor write may still start; see VendorApi::Apply.
using WriteGate = std::function<absl::Status()>;

class VendorApi {
 public:
  virtual ~VendorApi() = default;

  // A setup request the vendor sends before any webhook (Clover's URL
  // verification): what to log for the operator; nullopt when not one.
  virtual std::optional<std::string> Handshake(
      const WebhookRequest& request) const {
    (void)request;
    return std::nullopt;
  }
  // The vendor's name ("square", "toast", ...).
  const std::string& vendor_name() const { return vendor_; }
  // True when the request carries the vendor's valid signature.
  virtual bool Authentic(const WebhookRequest& request) const = 0;
  // The delivery's id for deduplication ("" to use a hash of the body).
  virtual std::string DeliveryId(const WebhookRequest& request) const = 0;
  // A webhook body or an order (as stored from FetchOrder), read by the
  // vendor's parser.
  absl::StatusOr<VendorPayload> Parse(const std::string& body) const;
  // The order's JSON from the vendor's API; UNAVAILABLE to try later, a
  // VendorAuthError (vendor_http.h) when the vendor refuses the token. By
  // default FAILED_PRECONDITION: the vendor's webhooks carry whole orders.
  virtual absl::StatusOr<std::string> FetchOrder(
      const OrderToFetch& order) const;
  // The body to publish for the stored webhook `body`: `body` itself,
  // unless the vendor's webhooks leave out makegood's marker (Toast sends
  // externalId as null) and the order is read back from its API instead.
  // UNAVAILABLE or a VendorAuthError to try the delivery again later.
  virtual absl::StatusOr<std::string> WithRemedyMarkers(
      const std::string& body) const {
    return body;
  }
  // Carries out an ApplyRemedy command exactly once: the order is read
  // back first, and when a discount or line carrying the command's marker
  // (remedy_marker.h) is already there, the outcome is APPLIED with what
  // was found and nothing is written. UNAVAILABLE to try again later (a
  // write that timed out included: the next try reads back first); a
  // VendorAuthError when the vendor refuses the token. `may_write` is
  // asked right before the write: when it answers an error (the delivery's
  // lease ran out, its stream ended), that error is returned and nothing
  // is written.
  virtual absl::StatusOr<CommandOutcome> Apply(
      const makegood::v1::RemedyCommand& command,
      const WriteGate& may_write) const = 0;

 protected:
  // `vendor` names the parser ("square", "toast", ...).
  VendorApi(std::string vendor, VendorContext context)
      : vendor_(std::move(vendor)), context_(std::move(context)) {}

  // A write-back whose FetchOrder failed: UNAVAILABLE and a
  // VendorAuthError are returned so the command is tried again later; any
  // other error rejects the command with its message.
  static absl::StatusOr<CommandOutcome> FetchFailed(const absl::Status& status);

  const std::string& vendor() const { return vendor_; }
  const VendorContext& context() const { return context_; }

 private:
  const std::string vendor_;
  const VendorContext context_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_VENDOR_API_H_
