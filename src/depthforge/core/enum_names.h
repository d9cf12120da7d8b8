// One name table per enum, for both directions: parsing a name from the
// command line or a file, naming a value in outputs, and listing the names
// in messages and --help.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "depthforge/core/error.h"

namespace depthforge {

template <typename Enum>
struct EnumNames {
  std::string what;  // what the names are, for messages: "framing", "loss"
  std::vector<std::pair<std::string, Enum>> names;

  // Throws OptionError: "unknown framing 'x' (expected crop or full)".
  Enum Parse(const std::string& name) const {
    for (const auto& [known, value] : names) {
      if (known == name) return value;
    }
    throw OptionError("unknown " + what + " '" + name + "' (expected " + List() + ")");
  }
  std::string Name(Enum value) const {
    for (const auto& [known, candidate] : names) {
      if (candidate == value) return known;
    }
    return "unknown";
  }
  // "a, b or c"
  std::string List() const {
    std::string text;
    for (size_t i = 0; i < names.size(); ++i) {
      text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i].first;
    }
    return text;
  }
};

}  // namespace depthforge
