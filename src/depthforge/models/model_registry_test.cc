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

namespace depthforge {
namespace {

TEST(ModelRegistry, OnnxEntriesCarryTheirSidecar) {
  const ModelRegistry& registry = ModelRegistry::Builtin();
  const ModelSpec& midas = registry.Find("midas-small");
  EXPECT_EQ(midas.format, "onnx");
  EXPECT_EQ(midas.size, 66764249);
  EXPECT_EQ(midas.sha256, "2d8c6cb8f415229daf1eb041024208e2608c9f98e17c81cc7c6ecb449c56fd58");
  EXPECT_EQ(midas.input.width, 256);
  EXPECT_EQ(midas.input.height, 256);
  EXPECT_EQ(midas.input.multiple_of, 0);
  EXPECT_FLOAT_EQ(midas.input.mean[0], 0.485f);
  EXPECT_FLOAT_EQ(midas.input.std[2], 0.225f);
  EXPECT_FLOAT_EQ(midas.input.range_max, 1.f);
  EXPECT_EQ(midas.output_kind, DepthKind::kRelativeInverseDepth);
  EXPECT_FALSE(midas.card.empty());
  const ModelSpec& anything = registry.Find("depth-anything-v2-small");
  EXPECT_EQ(anything.input.multiple_of, 14);
  EXPECT_EQ(anything.input.width, 518);
  EXPECT_EQ(anything.licence.rfind("Apache-2.0", 0), 0u);
  EXPECT_EQ(registry.Find("depth-anything-v2-small-fp16").size, 49642442);
}

TEST(ModelRegistry, SidecarDefaultsAndErrorsNameTheKey) {
  ModelSpec spec;
  ParseOnnxSidecar("{\"multiple_of\": 32, \"color\": \"BGR\", \"scale\": 1, \"output\": \"metric\", \"output_scale\": 0.001}",
                   "net.json", spec);
  EXPECT_EQ(spec.input.multiple_of, 32);
  EXPECT_EQ(spec.input.width, 384);  // no input_size: a shorter side near 384, in multiples
  EXPECT_EQ(spec.input.color, "bgr");
  EXPECT_FLOAT_EQ(spec.input.range_max, 255.f);
  EXPECT_FLOAT_EQ(spec.output_scale, 0.001f);
  EXPECT_EQ(spec.output_kind, DepthKind::kMetricDepth);
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"{\"input_size\": [0, 10], \"output\": \"metric\"}", "\"input_size\""},
           {"{\"input_size\": [10, 10], \"output\": \"metric\", \"std\": [1, 0, 1]}", "\"std\""},
           {"{\"input_size\": [10, 10], \"output\": \"metric\", \"scale\": -1}", "\"scale\""},
           {"{\"input_size\": [10, 10], \"output\": \"metric\", \"color\": \"RGBA\"}", "\"color\""},
           {"{\"input_size\": [10, 10], \"output\": \"metric\", \"multiple_of\": 0}", "\"multiple_of\""},
           {"[1, 2]", "JSON object"}}) {
    try {
      ModelSpec s;
      ParseOnnxSidecar(text, "net.json", s);
      ADD_FAILURE() << text << " was accepted";
    } catch (const FileError& e) {
      EXPECT_EQ(e.path(), "net.json");
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace depthforge
