#include "last_error.h"

#include <utility>

namespace makegood::plugin {
namespace {

thread_local std::string last_error;

}  // namespace

mg_status Fail(mg_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

mg_status FromGrpc(const grpc::Status& status, const char* what) {
  if (status.ok()) {
    last_error.clear();
    return MG_OK;
  }
  // mg_status values are the gRPC codes.
  return Fail(static_cast<mg_status>(status.error_code()),
              std::string(what) + ": " + status.error_message());
}

const char* LastError() { return last_error.c_str(); }

}  // namespace makegood::plugin
