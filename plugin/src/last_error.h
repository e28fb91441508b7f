#ifndef MAKEGOOD_PLUGIN_LAST_ERROR_H_
#define MAKEGOOD_PLUGIN_LAST_ERROR_H_

// The per-thread message behind mg_last_error, and the mapping of gRPC
// results to mg_status.

#include <grpcpp/grpcpp.h>

#include <string>

#include "makegood_plugin.h"

namespace makegood::plugin {

// Records `message` as this thread's last error and returns `status`.
mg_status Fail(mg_status status, std::string message);

// MG_OK after clearing the last error, or Fail with the call's code and
// "<what>: <server message>".
mg_status FromGrpc(const grpc::Status& status, const char* what);

const char* LastError();

}  // namespace makegood::plugin

#endif  // MAKEGOOD_PLUGIN_LAST_ERROR_H_
