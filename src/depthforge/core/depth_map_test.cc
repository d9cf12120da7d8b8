#include "depthforge/core/depth_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

TEST(DepthMap, KindsRoundTripThroughTheirNames) {
  for (const auto& [name, kind] : DepthKindNames().names) {
    EXPECT_EQ(DepthKindFromString(name), kind);
    EXPECT_EQ(ToString(kind), name);
  }
  EXPECT_THAT([] { DepthKindFromString("depth"); },
              ::testing::ThrowsMessage<OptionError>(::testing::HasSubstr(
                  "unknown depth kind 'depth' (expected metric_depth, relative_inverse_depth or disparity)")));
}

TEST(EnumNames, ListsNamesAsASentence) {
  enum class Two { kA, kB };
  EnumNames<Two> two{"letter", {{"a", Two::kA}, {"b", Two::kB}}};
  EXPECT_EQ(two.List(), "a or b");
  EXPECT_EQ(two.Name(Two::kB), "b");
  EXPECT_EQ(two.Parse("a"), Two::kA);
  EXPECT_THROW(two.Parse("c"), OptionError);
}

}  // namespace
}  // namespace depthforge
