#ifndef MAKEGOOD_ADAPTERS_VENDOR_REMEDY_MARKER_H_
#define MAKEGOOD_ADAPTERS_VENDOR_REMEDY_MARKER_H_

// makegood's marker on what it writes to a POS: "mg-<command_id>", put in
// the discount's uid (Square), externalId (Toast), name (Clover) or price
// rule title (Shopify). Before any write an adapter reads the order back
// and looks for it, so a command delivered again, retried or resumed after
// a crash is recognised as done instead of written twice; the translators
// use it to tell makegood's own discounts from the POS's.
// Pure; thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace makegood::adapters {

// "mg-CMD-123" for command "CMD-123".
std::string RemedyMarker(absl::string_view command_id);

// The command id of the first marker in `text` ("Comp (makegood
// mg-CMD-123)" -> "CMD-123"): "mg-" at the start or after a character
// that is not a letter or digit, followed by the id's letters, digits,
// '-' and '_', at most core::kMaxIdLength of them. nullopt when there is
// none.
std::optional<std::string> FindRemedyMarker(absl::string_view text);

// True when `text` carries the marker of `command_id`.
bool HasRemedyMarker(absl::string_view text, absl::string_view command_id);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_REMEDY_MARKER_H_
