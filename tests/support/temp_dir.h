#ifndef MAKEGOOD_TESTS_SUPPORT_TEMP_DIR_H_
#define MAKEGOOD_TESTS_SUPPORT_TEMP_DIR_H_

// A fresh directory for one test, removed with everything in it afterwards.

#include <string>

namespace makegood::testing {

class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_TEMP_DIR_H_
