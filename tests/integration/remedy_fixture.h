#ifndef MAKEGOOD_TESTS_INTEGRATION_REMEDY_FIXTURE_H_
#define MAKEGOOD_TESTS_INTEGRATION_REMEDY_FIXTURE_H_

// Steps of the vendor tests that apply a remedy of one kind (a refire, the
// dessert tray) and read the case back, on top of vendor_adapter_fixture.h.

#include <string>

#include "absl/strings/str_cat.h"
#include "vendor_adapter_fixture.h"

namespace makegood {

// The UTF-16 code units UTF-8 `text` takes, as the vendors' Java models
// count a name's length: each character one, a character past U+FFFF
// (a 4-byte sequence) two.
inline size_t Utf16Length(const std::string& text) {
  size_t units = 0;
  for (const char byte : text) {
    const auto value = static_cast<unsigned char>(byte);
    if ((value & 0xC0) != 0x80) ++units;  // Not a continuation byte.
    if (value >= 0xF0) ++units;           // Needs a surrogate pair.
  }
  return units;
}

class RemedyAdapterTest : public VendorAdapterTest {
 protected:
  // Flags `line` of `check_id` as cold food (MAJOR) and applies, as the
  // manager, the first remedy of `kind` the case offers: as the option (a
  // refire), or else alone as an extra (the dessert tray). The case id.
  std::string FlagAndApply(const std::string& check_id, const std::string& line,
                           v1::RemedyKind kind) {
    const std::string request =
        absl::StrCat(check_id, "-", v1::RemedyKind_Name(kind));
    const v1::RecoveryCase flagged = FlagCold(check_id, line, request);
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::ApplyRemedyRequest apply;
    apply.set_request_id("apply-" + request);
    apply.set_case_id(flagged.case_id());
    for (const auto& option : flagged.options()) {
      if (option.kind() == kind && apply.option_id().empty()) {
        apply.set_option_id(option.option_id());
      }
    }
    for (const auto& extra : flagged.extras()) {
      if (extra.kind() == kind && apply.option_id().empty() &&
          apply.extra_option_ids_size() == 0) {
        apply.add_extra_option_ids(extra.option_id());
      }
    }
    EXPECT_TRUE(!apply.option_id().empty() || apply.extra_option_ids_size() > 0)
        << "no " << v1::RemedyKind_Name(kind)
        << " offered: " << flagged.DebugString();
    v1::RecoveryCase applied;
    grpc::Status status =
        stub->ApplyRemedy(Context(kManagerToken).get(), apply, &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged.case_id();
  }

  // The case as the manager's screen gets it.
  v1::RecoveryCase Recovery(const std::string& case_id) {
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::GetRecoveryRequest get;
    get.set_case_id(case_id);
    v1::RecoveryCase recovery;
    const grpc::Status status =
        stub->GetRecovery(Context(kManagerToken).get(), get, &recovery);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return recovery;
  }
};

}  // namespace makegood

#endif  // MAKEGOOD_TESTS_INTEGRATION_REMEDY_FIXTURE_H_
