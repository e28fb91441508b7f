#include "service/reload_changes.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"

namespace makegood::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

bool SameField(const Message& a, const Message& b,
               const FieldDescriptor* field) {
  MessageDifferencer differencer;
  return differencer.CompareWithFields(a, b, {field}, {field});
}

// "prefix.field" for each field of `a`'s type that differs in `b`.
void AppendChangedFields(const Message& a, const Message& b,
                         const std::string& prefix,
                         std::vector<std::string>& out) {
  const Descriptor* type = a.GetDescriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (!SameField(a, b, field)) out.push_back(prefix + field->name());
  }
}

}  // namespace

absl::Status CheckReloadable(const makegood::v1::Config& running,
                             const makegood::v1::Config& next) {
  const auto& was = running.location();
  const auto& now = next.location();
  if (now.id() != was.id()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "location.id: changed from '", was.id(), "' to '", now.id(),
        "': the database holds location '", was.id(),
        "'; a reload cannot move it to another location. Give the other "
        "location its own database, or restart makegoodd"));
  }
  if (now.currency() != was.currency()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "location.currency: changed from ", was.currency(), " to ",
        now.currency(),
        ": the money in the database and the file's amounts "
        "would be read in different currencies; restart makegoodd to change "
        "it"));
  }
  return absl::OkStatus();
}

std::vector<std::string> RestartOnlyChanges(const makegood::v1::Config& running,
                                            const makegood::v1::Config& next) {
  std::vector<std::string> changes;
  if (next.location().timezone() != running.location().timezone()) {
    changes.push_back("location.timezone");
  }
  // Every server.* field, a new one too: none is read after start.
  AppendChangedFields(running.server(), next.server(), "server.", changes);
  return changes;
}

makegood::v1::Config KeepRestartOnly(const makegood::v1::Config& running,
                                     makegood::v1::Config next) {
  next.mutable_location()->set_timezone(running.location().timezone());
  *next.mutable_server() = running.server();
  return next;
}

std::vector<std::string> ChangedFields(const makegood::v1::Config& running,
                                       const makegood::v1::Config& next) {
  std::vector<std::string> changes;
  const Descriptor* type = makegood::v1::Config::descriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->number() == makegood::v1::Config::kLocationFieldNumber) {
      AppendChangedFields(running.location(), next.location(), "location.",
                          changes);
    } else if (field->number() == makegood::v1::Config::kServerFieldNumber) {
      AppendChangedFields(running.server(), next.server(), "server.", changes);
    } else if (!SameField(running, next, field)) {
      changes.push_back(field->name());
    }
  }
  return changes;
}

}  // namespace makegood::service
