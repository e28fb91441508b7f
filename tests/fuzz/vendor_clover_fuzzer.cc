// Fuzz target vendor_clover: any bytes as a Clover payload through the
// adapter's translate mode; the invariants are in vendor_payload_fuzz.h.

#include <cstddef>
#include <cstdint>

#include "vendor_payload_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::FuzzVendorPayload("clover", data, size);
}
