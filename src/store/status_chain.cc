#include "store/status_chain.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace makegood::store {

absl::Status WithFollowUp(absl::Status status, const absl::Status& then,
                          absl::string_view what) {
  if (then.ok()) return status;
  if (status.ok()) return then;
  absl::Status merged(status.code(),
                      absl::StrCat(status.message(), "; then ", what,
                                   " failed too: ", then.message()));
  then.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    merged.SetPayload(url, payload);
  });
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    merged.SetPayload(url, payload);
  });
  return merged;
}

}  // namespace makegood::store
