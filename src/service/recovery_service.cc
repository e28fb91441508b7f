#include "service/recovery_service.h"

#include <memory>
#include <utility>

#include "core/proto_time.h"
#include "core/recovery/delivery_stuck.h"
#include "service/grpc_glue.h"
#include "service/recovery_validation.h"
#include "service/server_limits.h"
#include "service/stream_writer.h"
#include "service/watch_snapshot.h"

namespace makegood::service {

using makegood::v1::RecoveryCase;
using makegood::v1::Role;

namespace {

// ADMIN may do everything a MANAGER may (common.proto).
constexpr std::initializer_list<Role> kStaff = {
    makegood::v1::SERVER, makegood::v1::MANAGER, makegood::v1::ADMIN};
constexpr std::initializer_list<Role> kReaders = {
    makegood::v1::SERVER, makegood::v1::MANAGER, makegood::v1::REPORTER,
    makegood::v1::ADMIN};
constexpr std::initializer_list<Role> kManagers = {makegood::v1::MANAGER,
                                                   makegood::v1::ADMIN};

// Guest contact details are for MANAGER and above only.
bool SeesContacts(Role role) {
  return role == makegood::v1::MANAGER || role == makegood::v1::ADMIN;
}

// A resume point is a sequence of a named run.
absl::Status ValidateWatch(
    const makegood::v1::WatchRecoveriesRequest& request) {
  if (request.after_sequence() < 0) {
    return absl::InvalidArgumentError(
        "after_sequence: must be 0 (start with a snapshot) or a sequence "
        "received earlier");
  }
  if (request.after_sequence() > 0 && request.stream_epoch().empty()) {
    return absl::InvalidArgumentError(
        "stream_epoch: is required with after_sequence: send the "
        "stream_epoch that came with that sequence");
  }
  return absl::OkStatus();
}

}  // namespace

// One manager screen: a catch-up (the updates it missed, or a snapshot of
// what is pending), then every committed case change and alert, until the
// client cancels or the server stops. RecoveryHub says why nothing is lost
// or sent twice.
class RecoveryServiceImpl::WatchReactor final
    : public QueuedWriter<makegood::v1::RecoveryUpdate>,
      public RecoveryHub::Listener {
 public:
  // The stream runs under `principal`'s configuration throughout; a
  // reload that revokes its credential ends it (RecoveryHub, 6.).
  WatchReactor(RecoveryHub& hub, store::Store& store, const Authenticator& auth,
               Principal principal, const StuckCommandAlerts& stuck,
               absl::Time now,
               const makegood::v1::WatchRecoveriesRequest& request)
      : QueuedWriter<makegood::v1::RecoveryUpdate>(
            StreamQueueLimit(principal.config->config())),
        hub_(hub),
        auth_(auth),
        principal_(std::move(principal)),
        rules_(principal_.config->rules()),
        stuck_(stuck) {
    auto start = hub_.Resume(this, request.stream_epoch(),
                             request.after_sequence(), now);
    if (!start.ok()) {
      Close(ToGrpcStatus(start.status()));
      return;
    }
    if (*start == makegood::v1::CaughtUp::RESUMED) return;  // Live already.
    {
      absl::MutexLock lock(&start_mu_);
      loading_ = true;
    }
    // Registered in the read's callback, which runs in commit order among
    // the writes' callbacks; this thread does not wait for it.
    store.ReadWatchSnapshot(SnapshotQuery(rules_, now),
                            [this, how = *start, now](
                                absl::StatusOr<store::WatchSnapshot> snapshot) {
                              Started(how, now, std::move(snapshot));
                            });
  }

  // Under the hub's lock, one at a time. The catch-up, up to and with its
  // caught_up, does not count against the queue's limit (stream_writer.h,
  // 6.); live updates do.
  void OnUpdate(const makegood::v1::RecoveryUpdate& update) override {
    if (caught_up_) {
      Enqueue(update);
      return;
    }
    caught_up_ = update.has_caught_up();
    EnqueueUncounted(update);
  }
  void OnClose() override { Close(); }

  // Under the hub's lock (RecoveryHub, 6.).
  absl::Status CredentialsHold() const override {
    return auth_.StillAuthorized(principal_, kManagers);
  }
  void OnRevoked(const absl::Status& why) override { Abort(ToGrpcStatus(why)); }

  // While the snapshot is being read the stream may not finish (the read's
  // callback still uses this reactor): that callback finishes it instead.
  void OnCancel() override {
    {
      absl::MutexLock lock(&start_mu_);
      if (loading_) {
        cancelled_ = true;
        return;
      }
    }
    Writer::OnCancel();
  }

 private:
  using Writer = QueuedWriter<makegood::v1::RecoveryUpdate>;

  // The snapshot was read: send it and go live, unless cancelled meanwhile.
  void Started(makegood::v1::CaughtUp::Start how, absl::Time now,
               absl::StatusOr<store::WatchSnapshot> snapshot) {
    bool cancelled = false, registered = false;
    {
      absl::MutexLock lock(&start_mu_);
      cancelled = cancelled_;
      if (!cancelled && snapshot.ok()) {
        // A stuck delivery's alert only once raised live (RecoveryHub, 5.).
        registered = hub_.StartWithSnapshot(
            this, SnapshotUpdates(*snapshot, rules_, now), how, now,
            [this](const makegood::v1::RecoveryUpdate& update) {
              return !update.has_alert() ||
                     update.alert().kind() !=
                         makegood::v1::Alert::COMMAND_STUCK ||
                     stuck_.Raised(update.alert());
            });
      }
      loading_ = false;
    }
    if (cancelled) {
      Writer::OnCancel();
    } else if (!snapshot.ok()) {
      Close(ToGrpcStatus(snapshot.status()));
    } else if (!registered) {
      // Refused by the hub: it is stopping, or a reload revoked the
      // credential while the snapshot was read.
      const absl::Status holds = CredentialsHold();
      Close(holds.ok()
                ? grpc::Status(grpc::UNAVAILABLE, "makegoodd is stopping")
                : ToGrpcStatus(holds));
    }
  }

  void Unregister() override { hub_.Remove(this); }

  RecoveryHub& hub_;
  const Authenticator& auth_;
  // Holds the snapshot rules_ is part of.
  const Principal principal_;
  const core::RecoveryRules& rules_;
  const StuckCommandAlerts& stuck_;
  // Set by OnUpdate once the catch-up's caught_up is queued; OnUpdate runs
  // under the hub's lock.
  bool caught_up_ = false;
  absl::Mutex start_mu_;
  // Set while the snapshot is being read.
  bool loading_ ABSL_GUARDED_BY(start_mu_) = false;
  // The client cancelled while loading_.
  bool cancelled_ ABSL_GUARDED_BY(start_mu_) = false;
};

RecoveryServiceImpl::RecoveryServiceImpl(
    store::Store& store, const Authenticator& auth, const core::Clock& clock,
    RecoveryHub& hub, ReadExecutor& readers, const StuckCommandAlerts& stuck)
    : store_(store),
      auth_(auth),
      clock_(clock),
      hub_(hub),
      readers_(readers),
      stuck_(stuck) {}

template <typename Validate, typename Submit>
grpc::ServerUnaryReactor* RecoveryServiceImpl::Mutate(
    grpc::CallbackServerContext* context, std::initializer_list<Role> roles,
    Validate validate, RecoveryCase* response, Submit submit) {
  auto principal = AuthorizeCall(*context, auth_, roles);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  // The call's one configuration (service/live_config.h).
  std::shared_ptr<const ConfigSnapshot> config = principal->config;
  if (absl::Status valid = validate(config->rules()); !valid.ok()) {
    return FinishUnary(context, valid);
  }
  store::RecoveryCall call{principal->id, principal->role, clock_.Now(),
                           &config->rules()};
  call.device_id = principal->device_id;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // `done` holds the snapshot call.rules points into until the store is
  // done with the write.
  submit(call, [this, reactor, response, config,
                at = call.now](absl::StatusOr<store::RecoveryResult> result) {
    if (!result.ok()) {
      reactor->Finish(ToGrpcStatus(result.status()));
      return;
    }
    core::MarkStuckDeliveries(result->recovery, at,
                              CommandStuckAfter(config->config()));
    *response = result->recovery;
    hub_.Publish(*result, at);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* RecoveryServiceImpl::FlagProblem(
    grpc::CallbackServerContext* context,
    const makegood::v1::FlagProblemRequest* request, RecoveryCase* response) {
  return Mutate(
      context, kStaff,
      [request](const core::RecoveryRules& rules) {
        return ValidateFlag(*request, rules);
      },
      response,
      [&](const store::RecoveryCall& call, store::RecoveryDone done) {
        store_.FlagProblem(call, *request, std::move(done));
      });
}

grpc::ServerUnaryReactor* RecoveryServiceImpl::ApplyRemedy(
    grpc::CallbackServerContext* context,
    const makegood::v1::ApplyRemedyRequest* request, RecoveryCase* response) {
  return Mutate(
      context, kStaff,
      [request](const core::RecoveryRules&) { return ValidateApply(*request); },
      response,
      [&](const store::RecoveryCall& call, store::RecoveryDone done) {
        store_.ApplyRemedy(call, *request, std::move(done));
      });
}

grpc::ServerUnaryReactor* RecoveryServiceImpl::ApproveRemedy(
    grpc::CallbackServerContext* context,
    const makegood::v1::ApproveRemedyRequest* request, RecoveryCase* response) {
  return Mutate(
      context, kManagers,
      [request](const core::RecoveryRules&) {
        return ValidateApprove(*request);
      },
      response,
      [&](const store::RecoveryCall& call, store::RecoveryDone done) {
        store_.ApproveRemedy(call, *request, std::move(done));
      });
}

grpc::ServerUnaryReactor* RecoveryServiceImpl::RecordOutcome(
    grpc::CallbackServerContext* context,
    const makegood::v1::RecordOutcomeRequest* request, RecoveryCase* response) {
  return Mutate(
      context, kStaff,
      [request](const core::RecoveryRules&) {
        return ValidateOutcome(*request);
      },
      response,
      [&](const store::RecoveryCall& call, store::RecoveryDone done) {
        store_.RecordOutcome(call, *request, std::move(done));
      });
}

grpc::ServerUnaryReactor* RecoveryServiceImpl::GetRecovery(
    grpc::CallbackServerContext* context,
    const makegood::v1::GetRecoveryRequest* request, RecoveryCase* response) {
  auto principal = AuthorizeCall(*context, auth_, kReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (request->case_id().empty()) {
    return FinishUnary(context,
                       absl::InvalidArgumentError("case_id: is required"));
  }
  const bool with_contact = SeesContacts(principal->role);
  return FinishRead(
      readers_, context,
      [this, request, response, with_contact,
       config = principal->config]() -> absl::Status {
        auto recovery = store_.GetRecovery(config->rules().location_id(),
                                           request->case_id(), with_contact);
        if (!recovery.ok()) return recovery.status();
        *response = *std::move(recovery);
        core::MarkStuckDeliveries(*response, clock_.Now(),
                                  CommandStuckAfter(config->config()));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RecoveryServiceImpl::ListRecoveries(
    grpc::CallbackServerContext* context,
    const makegood::v1::ListRecoveriesRequest* request,
    makegood::v1::ListRecoveriesResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, kReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (auto valid = CheckPageSize(request->page_size()); !valid.ok())
    return FinishUnary(context, valid);
  store::RecoveryListQuery query;
  query.status = request->status();
  query.staff_id = request->staff_id();
  if (request->has_from()) query.from = core::FromProto(request->from());
  if (request->has_to()) query.to = core::FromProto(request->to());
  if (query.from >= query.to) {
    return FinishUnary(
        context, absl::InvalidArgumentError("to: must be later than from"));
  }
  if (request->page_size() > 0) query.page_size = request->page_size();
  query.page_token = request->page_token();
  query.with_contact = SeesContacts(principal->role);
  return FinishRead(
      readers_, context,
      [this, query, response, config = principal->config]() -> absl::Status {
        auto page = store_.ListRecoveries(config->rules().location_id(), query);
        if (!page.ok()) return page.status();
        const absl::Time now = clock_.Now();
        const absl::Duration stuck_after = CommandStuckAfter(config->config());
        for (auto& recovery : page->cases) {
          core::MarkStuckDeliveries(recovery, now, stuck_after);
          *response->add_cases() = std::move(recovery);
        }
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerWriteReactor<makegood::v1::RecoveryUpdate>*
RecoveryServiceImpl::WatchRecoveries(
    grpc::CallbackServerContext* context,
    const makegood::v1::WatchRecoveriesRequest* request) {
  auto principal = AuthorizeCall(*context, auth_, kManagers);
  const absl::Status valid =
      principal.ok() ? ValidateWatch(*request) : principal.status();
  if (!valid.ok()) {
    return new FinishedWriteReactor<makegood::v1::RecoveryUpdate>(
        ToGrpcStatus(valid));
  }
  return new WatchReactor(hub_, store_, auth_, *std::move(principal), stuck_,
                          clock_.Now(), *request);
}

}  // namespace makegood::service
