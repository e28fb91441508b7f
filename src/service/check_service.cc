#include "service/check_service.h"

#include <utility>

#include "service/grpc_glue.h"

namespace makegood::service {

using makegood::v1::Role;

namespace {

// Reading checks is open to every role: checks carry no guest contact.
constexpr std::initializer_list<Role> kReaders = {
    makegood::v1::SERVER, makegood::v1::MANAGER, makegood::v1::ADAPTER,
    makegood::v1::REPORTER, makegood::v1::ADMIN};

}  // namespace

CheckServiceImpl::CheckServiceImpl(store::Store& store,
                                   const Authenticator& auth,
                                   ReadExecutor& readers)
    : store_(store), auth_(auth), readers_(readers) {}

grpc::ServerUnaryReactor* CheckServiceImpl::GetCheck(
    grpc::CallbackServerContext* context,
    const makegood::v1::GetCheckRequest* request,
    makegood::v1::Check* response) {
  auto principal = AuthorizeCall(*context, auth_, kReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (request->check_id().empty()) {
    return FinishUnary(context,
                       absl::InvalidArgumentError("check_id: is required"));
  }
  return FinishRead(
      readers_, context,
      [this, request, response,
       location_id =
           principal->config->config().location().id()]() -> absl::Status {
        auto check = store_.GetCheck(location_id, request->check_id());
        if (!check.ok()) return check.status();
        *response = *std::move(check);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CheckServiceImpl::ListChecks(
    grpc::CallbackServerContext* context,
    const makegood::v1::ListChecksRequest* request,
    makegood::v1::ListChecksResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, kReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (auto valid = CheckPageSize(request->page_size()); !valid.ok())
    return FinishUnary(context, valid);
  store::CheckListQuery query;
  query.open_only = request->open_only();
  if (request->page_size() > 0) query.page_size = request->page_size();
  query.page_token = request->page_token();
  return FinishRead(
      readers_, context,
      [this, query, response,
       location_id =
           principal->config->config().location().id()]() -> absl::Status {
        auto page = store_.ListChecks(location_id, query);
        if (!page.ok()) return page.status();
        for (auto& check : page->checks)
          *response->add_checks() = std::move(check);
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CheckServiceImpl::GetLocation(
    grpc::CallbackServerContext* context,
    const makegood::v1::GetLocationRequest* /*request*/,
    makegood::v1::Location* response) {
  auto principal = AuthorizeCall(*context, auth_, kReaders);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  // The running configuration's (defaults filled in by the config loader).
  *response = principal->config->config().location();
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace makegood::service
