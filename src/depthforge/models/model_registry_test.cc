#include "depthforge/models/model_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

TEST(ModelRegistry, BuiltinListsTheDefaultModel) {
  const ModelRegistry& registry = ModelRegistry::Builtin();
  EXPECT_EQ(registry.default_model(), "fastdepth-nyu");
  const ModelSpec& spec = registry.Find("fastdepth-nyu");
  EXPECT_EQ(spec.sha256, "e8957602750f16ac130210868f4403b38b4042f0d10c00b89ec03fc3dc840125");
  EXPECT_EQ(spec.size, 1680480);
  EXPECT_EQ(spec.output_kind, DepthKind::kMetricDepth);
  EXPECT_EQ(spec.input.train_crop_width, 304);
  EXPECT_THAT([&] { registry.Find("midas"); }, ::testing::Throws<OptionError>());
}

TEST(ModelRegistry, MalformedRegistryIsExplained) {
  EXPECT_THROW(ModelRegistry::Parse("{", "r.json"), Error);
  EXPECT_THROW(ModelRegistry::Parse(R"({"default": "x", "models": []})", "r.json"), Error);
}

}  // namespace
}  // namespace depthforge
