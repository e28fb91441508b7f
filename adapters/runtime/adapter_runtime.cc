#include "adapter_runtime.h"

#include <httplib.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/connection.h"
#include "core/sha256.h"
#include "snapshot_events.h"

namespace makegood::adapters {
namespace {

constexpr absl::Duration kRetryLater = absl::Seconds(1);

void Log(const std::string& line) {
  std::cerr << "makegood-adapter: " << line << std::endl;
}

// The snapshot of `check_id` in a stored order body, if any.
std::optional<OrderSnapshot> SnapshotIn(const VendorApi& vendor,
                                        const std::string& body,
                                        const std::string& check_id) {
  auto payload = vendor.Parse(body);
  if (!payload.ok()) return std::nullopt;
  for (OrderSnapshot& order : payload->orders) {
    if (order.check_id == check_id) return std::move(order);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AdapterRuntime>> AdapterRuntime::Start(
    const makegood::v1::AdapterConfig& config, const VendorFactory& vendor) {
  client::ConnectionOptions connection;
  connection.server = config.makegood().server();
  connection.tls_ca_file = config.makegood().tls_ca_file();
  auto channel = client::OpenChannel(connection);
  if (!channel.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("makegood.tls_ca_file: ", channel.status().message()));
  }
  auto state = AdapterState::Open(config.state());
  if (!state.ok()) return state.status();
  std::unique_ptr<VendorApi> api = vendor(**state);
  std::unique_ptr<AdapterRuntime> runtime(new AdapterRuntime(
      config, *std::move(channel), std::move(api), *std::move(state)));
  const std::string& listen = config.listen();
  const size_t colon = listen.rfind(':');
  const std::string host = listen.substr(0, colon);
  int port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: '", listen, "' is not host:port"));
  }
  runtime->port_ =
      port == 0 ? runtime->server_->bind_to_any_port(host)
                : (runtime->server_->bind_to_port(host, port) ? port : -1);
  if (runtime->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("listen: cannot bind ", listen));
  }
  runtime->webhooks_ = std::thread([r = runtime.get()] { r->ServeWebhooks(); });
  runtime->inbox_ = std::thread([r = runtime.get()] { r->ProcessInbox(); });
  AdapterRuntime* r = runtime.get();
  runtime->commands_ = std::make_unique<client::CommandReceiver>(
      runtime->channel_, [r] { return r->Context(false); },
      config.adapter_name(),
      [r](const makegood::v1::RemedyCommand& command) { r->Handle(command); },
      [](const grpc::Status& ended) {
        Log(absl::StrCat("command stream ended (", ended.error_message(),
                         "); reconnecting"));
      },
      // A POS takes remedies; follow-ups are for a CRM adapter.
      std::vector<makegood::v1::CommandKind>{
          makegood::v1::COMMAND_KIND_REMEDY});
  return runtime;
}

AdapterRuntime::AdapterRuntime(const makegood::v1::AdapterConfig& config,
                               std::shared_ptr<grpc::Channel> channel,
                               std::unique_ptr<VendorApi> vendor,
                               std::unique_ptr<AdapterState> state)
    : config_(config),
      vendor_(std::move(vendor)),
      state_(std::move(state)),
      channel_(std::move(channel)),
      server_(std::make_unique<httplib::Server>()) {
  events_ = makegood::v1::OrderEventService::NewStub(channel_);
  acks_ = makegood::v1::RemedyCommandService::NewStub(channel_);

  server_->Post(config_.webhook_path(), [this](const httplib::Request& request,
                                               httplib::Response& response) {
    WebhookRequest webhook;
    for (const auto& [name, value] : request.headers) {
      webhook.headers[absl::AsciiStrToLower(name)] = value;
    }
    webhook.body = request.body;
    if (std::optional<std::string> note = vendor_->Handshake(webhook)) {
      Log(*note);
      response.set_content("ok\n", "text/plain");
      return;
    }
    if (!vendor_->Authentic(webhook)) {
      Log("webhook refused: the signature does not match");
      response.status = 401;
      response.set_content("signature does not match\n", "text/plain");
      return;
    }
    std::string id = vendor_->DeliveryId(webhook);
    if (id.empty()) id = "sha256:" + core::Sha256Hex(webhook.body);
    auto added = state_->AddDelivery(id, webhook.body);
    if (!added.ok()) {
      Log(absl::StrCat("webhook ", id,
                       " not stored: ", added.status().message()));
      response.status = 503;  // The vendor delivers it again.
      return;
    }
    response.set_content(*added ? "accepted\n" : "duplicate\n", "text/plain");
    absl::MutexLock lock(&mu_);
    inbox_changed_ = true;
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& r) {
    r.set_content("ok\n", "text/plain");
  });
}

AdapterRuntime::~AdapterRuntime() { Stop(); }

void AdapterRuntime::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !webhooks_.joinable()) return;
    stopping_ = true;
  }
  if (commands_ != nullptr) commands_->Stop();
  server_->stop();
  for (std::thread* thread : {&webhooks_, &inbox_}) {
    if (thread->joinable()) thread->join();
  }
}

void AdapterRuntime::ServeWebhooks() { server_->listen_after_bind(); }

bool AdapterRuntime::WaitUnlessStopped(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || inbox_changed_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&woken), delay);
  inbox_changed_ = false;
  return !stopping_;
}

std::unique_ptr<grpc::ClientContext> AdapterRuntime::Context(
    bool with_deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (with_deadline) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
  }
  client::AddBearerToken(*context, config_.makegood().token());
  return context;
}

void AdapterRuntime::ProcessInbox() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    auto next = state_->NextDelivery();
    if (!next.ok() || !next->has_value()) {
      if (!next.ok()) Log(std::string(next.status().message()));
      if (!WaitUnlessStopped(kRetryLater)) return;
      continue;
    }
    const Delivery& delivery = **next;
    if (absl::Status s = ProcessDelivery(delivery); !s.ok()) {
      Log(absl::StrCat("delivery ", delivery.event_id, ": ", s.message(),
                       "; trying again"));
      if (!WaitUnlessStopped(kRetryLater)) return;
      continue;
    }
    if (absl::Status s = state_->MarkProcessed(delivery.seq); !s.ok()) {
      Log(std::string(s.message()));
    }
  }
}

absl::Status AdapterRuntime::ProcessDelivery(const Delivery& delivery) {
  auto payload = vendor_->Parse(delivery.body);
  if (!payload.ok()) {
    Log(absl::StrCat("delivery ", delivery.event_id,
                     " is not a payload this adapter reads, skipped: ",
                     payload.status().message()));
    return absl::OkStatus();
  }
  for (const OrderToFetch& fetch : payload->fetch) {
    auto body = vendor_->FetchOrder(fetch);
    if (!body.ok()) {
      if (body.status().code() == absl::StatusCode::kUnavailable) {
        return body.status();
      }
      Log(absl::StrCat("order ", fetch.order_id,
                       " skipped: ", body.status().message()));
      continue;
    }
    auto fetched = vendor_->Parse(*body);
    if (!fetched.ok()) {
      Log(absl::StrCat("order ", fetch.order_id,
                       " skipped: ", fetched.status().message()));
      continue;
    }
    if (absl::Status s = PublishOrders(*body, fetched->orders); !s.ok()) {
      return s;
    }
  }
  return PublishOrders(delivery.body, payload->orders);
}

absl::Status AdapterRuntime::PublishOrders(
    const std::string& body, const std::vector<OrderSnapshot>& orders) {
  for (const OrderSnapshot& order : orders) {
    auto last = state_->LastOrder(order.check_id);
    if (!last.ok()) return last.status();
    std::optional<OrderSnapshot> before;
    if (last->has_value()) {
      if (order.version < (*last)->version) continue;  // An older retry.
      before = SnapshotIn(*vendor_, (*last)->body, order.check_id);
    }
    std::vector<makegood::v1::OrderEvent> events =
        EventsFor(before ? &*before : nullptr, order);
    if (!events.empty()) {
      makegood::v1::PublishBatchRequest request;
      for (auto& event : events) *request.add_events() = std::move(event);
      makegood::v1::PublishSummary summary;
      auto context = Context(true);
      const grpc::Status status =
          events_->PublishBatch(context.get(), request, &summary);
      if (!status.ok()) {
        return absl::UnavailableError(
            absl::StrCat("publish to makegoodd: ", status.error_message()));
      }
      for (const auto& rejection : summary.rejections()) {
        Log(absl::StrCat("event ", rejection.event_id(),
                         " rejected by makegoodd: ", rejection.reason()));
      }
    }
    if (absl::Status s =
            state_->SaveOrder(order.check_id, StoredOrder{order.version, body});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void AdapterRuntime::Handle(const makegood::v1::RemedyCommand& command) {
  auto known = state_->Outcome(command.command_id());
  if (!known.ok()) {
    Log(std::string(known.status().message()));
    return;
  }
  CommandOutcome outcome;
  if (known->has_value()) {
    outcome = **known;  // Redelivered: acknowledge again, do not redo.
  } else {
    absl::StatusOr<CommandOutcome> done =
        command.has_apply_remedy()
            ? vendor_->Apply(command)
            : CommandOutcome{true,
                             "none: the POS keeps no guest follow-ups; "
                             "see makegood followups due",
                             ""};
    if (!done.ok()) {
      Log(absl::StrCat("command ", command.command_id(), ": ",
                       done.status().message(),
                       "; makegoodd offers it again after the ack deadline"));
      return;
    }
    outcome = *done;
    if (absl::Status s = state_->SaveOutcome(command.command_id(), outcome);
        !s.ok()) {
      Log(std::string(s.message()));
      return;
    }
  }
  makegood::v1::AckCommandRequest ack;
  ack.set_request_id("ack-" + command.command_id());
  ack.set_command_id(command.command_id());
  ack.set_result(outcome.applied ? makegood::v1::AckCommandRequest::APPLIED
                                 : makegood::v1::AckCommandRequest::REJECTED);
  ack.set_pos_reference(outcome.pos_reference);
  ack.set_vendor_reason(outcome.vendor_reason);
  makegood::v1::AckCommandResponse answer;
  auto context = Context(true);
  const grpc::Status status = acks_->AckCommand(context.get(), ack, &answer);
  if (!status.ok()) {
    Log(absl::StrCat("ack ", command.command_id(), ": ",
                     status.error_message()));
  } else {
    Log(absl::StrCat("command ", command.command_id(), " ",
                     outcome.applied ? "applied: " + outcome.pos_reference
                                     : "rejected: " + outcome.vendor_reason));
  }
}

}  // namespace makegood::adapters
