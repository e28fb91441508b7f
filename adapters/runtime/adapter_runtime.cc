#include "adapter_runtime.h"

#include <httplib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "adapter_config.h"
#include "client/connection.h"
#include "core/sha256.h"
#include "delivery_lease.h"
#include "snapshot_events.h"
#include "telemetry/log.h"

namespace makegood::adapters {
namespace {

// How often an idle inbox looks for deliveries a webhook did not announce.
constexpr absl::Duration kIdlePoll = absl::Seconds(1);
// AdapterConfig.vendor_call_timeout_ms when unset.
constexpr uint32_t kDefaultVendorCallTimeoutMs = 15000;
// Within makegoodd's limit for vendor_reason.
constexpr size_t kMaxReasonLength = 2000;

using telemetry::LogEvent;
using telemetry::LogLevel;

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

// What translated but is doubtful in what a delivery published (a check
// whose lines do not add up to the vendor's figure), for the operator.
void LogTranslationWarnings(const std::string& vendor,
                            const std::string& delivery,
                            const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) {
    LogEvent(LogLevel::kWarning, "translation_warning",
             {{"vendor", vendor}, {"delivery", delivery}, {"msg", warning}});
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<AdapterRuntime>> AdapterRuntime::Start(
    const makegood::v1::AdapterConfig& config, const VendorFactory& vendor) {
  auto channel = client::OpenChannel(ConnectionOf(config.makegood()),
                                     MakegoodTlsSettingNames());
  if (!channel.ok()) return channel.status();
  auto state = AdapterState::Open(config.state());
  if (!state.ok()) return state.status();
  auto stop = std::make_shared<StopSignal>();
  RetryPolicy retry;
  retry.timeout = absl::Milliseconds(config.vendor_call_timeout_ms() > 0
                                         ? config.vendor_call_timeout_ms()
                                         : kDefaultVendorCallTimeoutMs);
  retry.wait = [stop](absl::Duration delay) { return stop->WaitFor(delay); };
  std::unique_ptr<VendorApi> api = vendor(**state, retry);
  std::unique_ptr<AdapterRuntime> runtime(
      new AdapterRuntime(config, *std::move(channel), std::move(stop),
                         std::move(api), *std::move(state)));
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
  runtime->commands_ = std::thread([r = runtime.get()] { r->RunCommands(); });
  AdapterRuntime* r = runtime.get();
  runtime->receiver_ = std::make_unique<client::CommandReceiver>(
      runtime->channel_, [r] { return r->Context(false); },
      config.adapter_name(),
      [r](const makegood::v1::RemedyCommand& command) { r->Queue(command); },
      [r](const grpc::Status& ended) { r->StreamEnded(ended); },
      // A POS takes remedies; follow-ups are for a CRM adapter.
      std::vector<makegood::v1::CommandKind>{
          makegood::v1::COMMAND_KIND_REMEDY});
  return runtime;
}

AdapterRuntime::AdapterRuntime(const makegood::v1::AdapterConfig& config,
                               std::shared_ptr<grpc::Channel> channel,
                               std::shared_ptr<StopSignal> stop,
                               std::unique_ptr<VendorApi> vendor,
                               std::unique_ptr<AdapterState> state)
    : config_(config),
      stop_(std::move(stop)),
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
      // What the vendor's dashboard asks for (a verification code).
      LogEvent(LogLevel::kInfo, "webhook_handshake", {{"msg", *note}});
      response.set_content("ok\n", "text/plain");
      return;
    }
    if (!vendor_->Authentic(webhook)) {
      LogEvent(LogLevel::kWarning, "webhook_refused",
               {{"failure", "bad_signature"},
                {"msg", "webhook refused: the signature does not match"}});
      response.status = 401;
      response.set_content("signature does not match\n", "text/plain");
      return;
    }
    std::string id = vendor_->DeliveryId(webhook);
    if (id.empty()) id = "sha256:" + core::Sha256Hex(webhook.body);
    auto added = state_->AddDelivery(id, webhook.body);
    if (!added.ok()) {
      LogEvent(LogLevel::kError, "webhook_not_stored",
               {{"delivery", id}, {"error", added.status().message()}});
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
  stop_->Stop();  // Ends the vendor calls' retry waits.
  if (receiver_ != nullptr) receiver_->Stop();
  server_->stop();
  for (std::thread* thread : {&webhooks_, &inbox_, &commands_}) {
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
  Backoff backoff;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    auto next = state_->NextDelivery();
    if (!next.ok() || !next->has_value()) {
      if (!next.ok()) {
        LogEvent(LogLevel::kError, "inbox_failed",
                 {{"error", next.status().message()}});
      }
      if (!WaitUnlessStopped(kIdlePoll)) return;
      continue;
    }
    const Delivery& delivery = **next;
    absl::StatusOr<bool> processed = ProcessDelivery(delivery);
    if (!processed.ok()) {
      // The delivery stays first in the inbox: later ones wait behind it,
      // and a new webhook does not cut the wait short.
      const absl::Duration wait = backoff.Next();
      if (IsVendorAuthError(processed.status())) {
        VendorAuthFailed(processed.status());
      } else {
        LogEvent(LogLevel::kWarning, "delivery_failed",
                 {{"delivery", delivery.event_id},
                  {"error", processed.status().message()},
                  {"retry_in_ms", absl::ToInt64Milliseconds(wait)}});
      }
      if (!stop_->WaitFor(wait)) return;
      continue;
    }
    backoff.Reset();
    if (*processed) VendorAnswered();
    if (absl::Status s = state_->MarkProcessed(delivery.seq); !s.ok()) {
      LogEvent(LogLevel::kError, "inbox_failed",
               {{"delivery", delivery.event_id}, {"error", s.message()}});
    }
  }
}

absl::StatusOr<bool> AdapterRuntime::ProcessDelivery(const Delivery& delivery) {
  auto payload = vendor_->Parse(delivery.body);
  if (!payload.ok() &&
      payload.status().code() == absl::StatusCode::kUnimplemented) {
    // Well formed, of a kind that carries no order (a test notification).
    LogEvent(LogLevel::kInfo, "delivery_skipped",
             {{"vendor", vendor_->vendor_name()},
              {"delivery", delivery.event_id},
              {"msg", payload.status().message()}});
    return false;
  }
  if (!payload.ok()) {
    // Parsing it again would fail again: set aside, the next one's turn.
    if (absl::Status s = Quarantine(delivery, payload.status().message());
        !s.ok()) {
      return s;
    }
    return false;
  }
  // What the delivery names but cannot be read, fetched: it is published
  // as far as it goes, then quarantined.
  std::string unreadable;
  // Worth another try later; anything else will not change.
  auto passing = [](const absl::Status& status) {
    return status.code() == absl::StatusCode::kUnavailable ||
           IsVendorAuthError(status);
  };
  bool answered = false;
  // The warnings of the payloads whose orders were published, logged once
  // the delivery is through: a delivery tried again (makegoodd or the
  // vendor unreachable) logs them then, once, and the earlier snapshots
  // parsed to diff against log none.
  std::vector<std::string> warnings;
  auto published = [&warnings](const VendorPayload& parsed) {
    warnings.insert(warnings.end(), parsed.warnings.begin(),
                    parsed.warnings.end());
  };
  auto through = [&] {
    LogTranslationWarnings(vendor_->vendor_name(), delivery.event_id, warnings);
    return answered;
  };
  for (const OrderToFetch& fetch : payload->fetch) {
    auto body = vendor_->FetchOrder(fetch);
    if (!body.ok()) {
      if (passing(body.status())) return body.status();
      LogEvent(LogLevel::kWarning, "order_skipped",
               {{"order", fetch.order_id}, {"error", body.status().message()}});
      continue;
    }
    answered = true;
    auto fetched = vendor_->Parse(*body);
    if (!fetched.ok()) {
      if (unreadable.empty()) {
        unreadable = absl::StrCat("order ", fetch.order_id,
                                  " as fetched: ", fetched.status().message());
      }
      continue;
    }
    if (absl::Status s = PublishOrders(*body, fetched->orders); !s.ok()) {
      return s;
    }
    published(*fetched);
  }
  if (!unreadable.empty()) {
    if (absl::Status s = Quarantine(delivery, unreadable); !s.ok()) return s;
    return through();
  }
  if (unreadable_.Resolved()) {
    LogEvent(LogLevel::kInfo, "deliveries_readable",
             {{"delivery", delivery.event_id},
              {"msg", "a delivery was read again after quarantined ones"}});
  }
  if (payload->orders.empty()) return through();
  // Where a vendor's webhooks leave makegood's marker out, the order as its
  // API has it tells makegood's own discounts from the POS's.
  auto marked = vendor_->WithRemedyMarkers(delivery.body);
  if (!marked.ok()) return marked.status();
  if (*marked != delivery.body) {
    answered = true;
    auto reread = vendor_->Parse(*marked);
    if (reread.ok()) {
      if (absl::Status s = PublishOrders(*marked, reread->orders); !s.ok()) {
        return s;
      }
      published(*reread);
      return through();
    }
    LogEvent(LogLevel::kWarning, "order_reread_unreadable",
             {{"delivery", delivery.event_id},
              {"error", reread.status().message()},
              {"msg",
               "the order read back is not one this adapter reads; "
               "publishing the webhook"}});
  }
  if (absl::Status s = PublishOrders(delivery.body, payload->orders); !s.ok()) {
    return s;
  }
  published(*payload);
  return through();
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
        LogEvent(LogLevel::kWarning, "event_rejected",
                 {{"event_id", rejection.event_id()},
                  {"reason", rejection.reason()}});
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

void AdapterRuntime::Queue(const makegood::v1::RemedyCommand& command) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  for (Received& queued : queued_) {
    if (queued.command.command_id() == command.command_id()) {
      queued = Received{command, now};  // Delivered again before it was taken.
      return;
    }
  }
  queued_.push_back(Received{command, now});
}

void AdapterRuntime::StreamEnded(const grpc::Status& status) {
  // The disconnect; client::CommandReceiver reconnects.
  const std::string code(absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code())));
  LogEvent(LogLevel::kWarning, "disconnected",
           {{"adapter", config_.adapter_name()},
            {"code", code},
            {"error", status.error_message()},
            {"msg", "command stream ended; reconnecting"}});
  absl::MutexLock lock(&mu_);
  ++streams_ended_;
  queued_.clear();  // No longer leased to this adapter: offered again.
}

void AdapterRuntime::RunCommands() {
  for (;;) {
    Received command;
    int64_t stream = 0;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queued_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      command = std::move(queued_.front());
      queued_.pop_front();
      stream = streams_ended_;
    }
    CarryOut(command, stream);
  }
}

void AdapterRuntime::CarryOut(const Received& received, int64_t stream) {
  const makegood::v1::RemedyCommand& command = received.command;
  auto known = state_->Outcome(command.command_id());
  if (!known.ok()) {
    LogEvent(LogLevel::kError, "command_failed",
             {{"command", command.command_id()},
              {"error", known.status().message()}});
    AskAgainLater(command, known.status(), stream);
    return;
  }
  CommandOutcome outcome;
  if (known->has_value()) {
    outcome = **known;  // Redelivered: acknowledge again, do not redo.
  } else {
    absl::StatusOr<CommandOutcome> done =
        command.has_apply_remedy()
            ? vendor_->Apply(command,
                             [&] { return MayWrite(received, stream); })
            : CommandOutcome{true,
                             "none: the POS keeps no guest follow-ups; "
                             "see makegood followups due",
                             ""};
    if (!done.ok() && done.status().code() == absl::StatusCode::kAborted) {
      // No longer leased here: the delivery that holds it now answers.
      LogEvent(LogLevel::kInfo, "command_not_written",
               {{"command", command.command_id()},
                {"msg", done.status().message()}});
      return;
    }
    if (!done.ok()) {
      if (IsVendorAuthError(done.status())) {
        VendorAuthFailed(done.status());
      } else {
        LogEvent(LogLevel::kWarning, "command_failed",
                 {{"command", command.command_id()},
                  {"error", done.status().message()}});
      }
      AskAgainLater(command, done.status(), stream);
      return;
    }
    if (command.has_apply_remedy()) VendorAnswered();
    outcome = *done;
    if (absl::Status s = state_->SaveOutcome(command.command_id(), outcome);
        !s.ok()) {
      // Not acknowledged: the next try reads the order back and finds it.
      LogEvent(LogLevel::kError, "command_failed",
               {{"command", command.command_id()}, {"error", s.message()}});
      AskAgainLater(command, s, stream);
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
  Acknowledge(ack, stream);
}

absl::Status AdapterRuntime::MayWrite(const Received& received,
                                      int64_t stream) {
  {
    absl::MutexLock lock(&mu_);
    if (streams_ended_ != stream) {
      return absl::AbortedError(
          "its stream ended before the vendor write; not written, makegoodd "
          "offers it again");
    }
  }
  // A write that could end after the lease might race another adapter
  // that was offered the command meanwhile.
  const absl::Duration call = absl::Milliseconds(
      config_.vendor_call_timeout_ms() > 0 ? config_.vendor_call_timeout_ms()
                                           : kDefaultVendorCallTimeoutMs);
  if (!LeaseCoversCall(received.at, absl::Now(),
                       received.command.lease_seconds(), call)) {
    return absl::AbortedError(
        "its lease would run out during the vendor write; not written, "
        "makegoodd offers it again");
  }
  return absl::OkStatus();
}

void AdapterRuntime::AskAgainLater(const makegood::v1::RemedyCommand& command,
                                   const absl::Status& why, int64_t stream) {
  const absl::Duration delay =
      BackoffDelay(BackoffPolicy{}, command.delivery_attempt());
  makegood::v1::AckCommandRequest ack;
  // One request per delivery: the reason may differ from one to the next.
  ack.set_request_id(absl::StrCat("retry-", command.command_id(), "-",
                                  command.delivery_attempt()));
  ack.set_command_id(command.command_id());
  ack.set_result(makegood::v1::AckCommandRequest::RETRY_LATER);
  ack.set_retry_after_seconds(
      static_cast<int32_t>(std::max<int64_t>(1, absl::ToInt64Seconds(delay))));
  ack.set_vendor_reason(std::string(why.message().substr(0, kMaxReasonLength)));
  Acknowledge(ack, stream);
}

void AdapterRuntime::Acknowledge(const makegood::v1::AckCommandRequest& ack,
                                 int64_t stream) {
  const std::string& id = ack.command_id();
  const bool done = RetryWithBackoff(
      [&] {
        makegood::v1::AckCommandResponse answer;
        auto context = Context(true);
        const grpc::Status status =
            acks_->AckCommand(context.get(), ack, &answer);
        if (status.ok()) return TryResult::kDone;
        const std::string code(absl::StatusCodeToString(
            static_cast<absl::StatusCode>(status.error_code())));
        const bool again = AckWorthRetrying(status.error_code());
        LogEvent(again ? LogLevel::kWarning : LogLevel::kError,
                 "delivery_error",
                 {{"command", id},
                  {"code", code},
                  {"error", status.error_message()},
                  {"retrying", again}});
        return again ? TryResult::kRetry : TryResult::kGiveUp;
      },
      [&](absl::Duration wait) { return WaitOnStream(wait, stream); });
  if (!done) return;
  switch (ack.result()) {
    case makegood::v1::AckCommandRequest::APPLIED:
      LogEvent(LogLevel::kInfo, "command_applied",
               {{"command", id}, {"pos_reference", ack.pos_reference()}});
      break;
    case makegood::v1::AckCommandRequest::REJECTED:
      LogEvent(LogLevel::kWarning, "command_rejected",
               {{"command", id}, {"vendor_reason", ack.vendor_reason()}});
      break;
    default:
      // Why was logged when it happened (a vendor refusing the token once
      // an episode).
      LogEvent(LogLevel::kInfo, "command_retry_later",
               {{"command", id}, {"retry_after_s", ack.retry_after_seconds()}});
      break;
  }
}

absl::Status AdapterRuntime::Quarantine(const Delivery& delivery,
                                        absl::string_view error) {
  const std::string why(error.substr(0, kMaxReasonLength));
  if (absl::Status s = state_->Quarantine(delivery.seq, why); !s.ok()) {
    return s;
  }
  // Once: a quarantined delivery is never read again.
  LogEvent(LogLevel::kError, "delivery_quarantined",
           {{"vendor", vendor_->vendor_name()},
            {"delivery", delivery.event_id},
            {"error", why},
            {"msg",
             "the delivery cannot be read; it is kept in the adapter's state, "
             "marked, and not tried again"}});
  const ProblemEpisode::Seen seen = unreadable_.Occurred();
  ReportProblem(unreadable_, seen,
                makegood::v1::ReportAdapterProblemRequest::DELIVERY_UNREADABLE,
                absl::StrCat(vendor_->vendor_name(), " delivery ",
                             delivery.event_id, ": ", why));
  return absl::OkStatus();
}

void AdapterRuntime::VendorAuthFailed(const absl::Status& status) {
  const ProblemEpisode::Seen seen = vendor_auth_.Occurred();
  if (seen.starts) {
    LogEvent(LogLevel::kError, "vendor_auth_failed",
             {{"msg", absl::StrCat(status.message(),
                                   "; orders and remedies wait until the "
                                   "vendor accepts the token again (renew it "
                                   "in the configuration)")}});
  }
  ReportProblem(vendor_auth_, seen,
                makegood::v1::ReportAdapterProblemRequest::VENDOR_AUTH_FAILED,
                status.message());
}

bool AdapterRuntime::ReportProblem(
    ProblemEpisode& episode, const ProblemEpisode::Seen& seen,
    makegood::v1::ReportAdapterProblemRequest::Problem problem,
    absl::string_view message) {
  if (!seen.report) return false;
  makegood::v1::ReportAdapterProblemRequest report;
  report.set_adapter_name(config_.adapter_name());
  report.set_problem(problem);
  report.set_message(std::string(message.substr(0, kMaxReasonLength)));
  makegood::v1::ReportAdapterProblemResponse answer;
  auto context = Context(true);
  const grpc::Status sent =
      acks_->ReportAdapterProblem(context.get(), report, &answer);
  episode.ReportDone(sent.ok());
  if (!sent.ok() && seen.starts) {
    LogEvent(
        LogLevel::kWarning, "problem_report_failed",
        {{"problem",
          makegood::v1::ReportAdapterProblemRequest::Problem_Name(problem)},
         {"error", sent.error_message()},
         {"msg",
          "could not alert makegoodd; trying again with the next "
          "failure"}});
  }
  return sent.ok();
}

void AdapterRuntime::VendorAnswered() {
  if (vendor_auth_.Resolved()) {
    LogEvent(LogLevel::kInfo, "vendor_auth_recovered",
             {{"msg", "the vendor accepts the adapter's token again"}});
  }
}

bool AdapterRuntime::WaitOnStream(absl::Duration delay, int64_t stream) {
  absl::MutexLock lock(&mu_);
  auto over = [this, stream]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || streams_ended_ != stream;
  };
  mu_.AwaitWithTimeout(absl::Condition(&over), delay);
  return !over();
}

}  // namespace makegood::adapters
