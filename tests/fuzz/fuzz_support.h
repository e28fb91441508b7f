#ifndef MAKEGOOD_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define MAKEGOOD_TESTS_FUZZ_FUZZ_SUPPORT_H_

// What every fuzz target shares: FUZZ_CHECK, which ends the run loudly when
// an invariant breaks (libFuzzer keeps the input as a crash, the corpus
// replay test fails), and FuzzInput, which cuts one input into the pieces a
// target needs. Lines carry the text fields so that seed inputs stay
// readable and editable by hand.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace makegood::fuzz {

// Reports the broken invariant and aborts.
[[noreturn]] inline void InvariantBroken(const char* file, int line,
                                         const char* condition,
                                         const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n%s\n", file, line,
               condition, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// `detail` (a std::string or a C string) is evaluated only when
// `condition` is false.
#define FUZZ_CHECK(condition, detail)                                   \
  do {                                                                  \
    if (!(condition)) {                                                 \
      ::makegood::fuzz::InvariantBroken(__FILE__, __LINE__, #condition, \
                                        std::string(detail));           \
    }                                                                   \
  } while (false)

// Bytes shown in a message: escaped, so that a report stays one readable
// line whatever the input held.
inline std::string Shown(absl::string_view bytes) {
  return "\"" + absl::CHexEscape(bytes) + "\"";
}

// The input, consumed from the front.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  // Up to the next newline, which is dropped; all that is left when there
  // is none; "" at the end.
  std::string Line() {
    const size_t end = rest_.find('\n');
    std::string line(rest_.substr(0, end));
    rest_.remove_prefix(end == absl::string_view::npos ? rest_.size()
                                                       : end + 1);
    return line;
  }

  // A line read as a number when it is one (so a seed can say "3"), or
  // else a number made of its bytes, so that every line picks something.
  int64_t NumberLine() {
    const std::string line = Line();
    int64_t number = 0;
    if (absl::SimpleAtoi(line, &number)) return number;
    uint64_t mixed = 0;
    for (unsigned char c : line) mixed = mixed * 131 + c;
    return static_cast<int64_t>(mixed >> 1);
  }

  // Everything not consumed yet.
  std::string Rest() {
    std::string rest(rest_);
    rest_ = absl::string_view();
    return rest;
  }

 private:
  absl::string_view rest_;
};

}  // namespace makegood::fuzz

#endif  // MAKEGOOD_TESTS_FUZZ_FUZZ_SUPPORT_H_
