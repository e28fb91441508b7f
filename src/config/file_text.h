#ifndef MAKEGOOD_CONFIG_FILE_TEXT_H_
#define MAKEGOOD_CONFIG_FILE_TEXT_H_

// Whole small files (configuration, PEM) read into memory.

#include <optional>
#include <string>

namespace makegood::config {

// The file's bytes, or nullopt when it cannot be opened; callers say which
// file it was and why it mattered.
std::optional<std::string> ReadFileText(const std::string& path);

}  // namespace makegood::config

#endif  // MAKEGOOD_CONFIG_FILE_TEXT_H_
