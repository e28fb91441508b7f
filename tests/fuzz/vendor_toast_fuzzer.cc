// Fuzz target vendor_toast: any bytes as a Toast payload through the
// adapter's translate mode; the invariants are in vendor_payload_fuzz.h.

#include <cstddef>
#include <cstdint>

#include "vendor_payload_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::FuzzVendorPayload("toast", data, size);
}
