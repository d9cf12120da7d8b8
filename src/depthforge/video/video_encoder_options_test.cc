#include "depthforge/video/video_encoder_options.h"

#include <gtest/gtest.h>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

TEST(VideoEncoderOptions, DefaultsPassAndEachBadSettingIsNamed) {
  VideoEncoderOptions options;
  EXPECT_NO_THROW(options.Check());
  auto message = [](VideoEncoderOptions o) {
    try {
      o.Check();
    } catch (const OptionError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  VideoEncoderOptions bad = options;
  bad.codec = "mpeg2video";
  EXPECT_NE(message(bad).find("'mpeg2video'"), std::string::npos) << message(bad);
  bad = options;
  bad.crf = 52;
  EXPECT_NE(message(bad).find("crf"), std::string::npos) << message(bad);
  bad = options;
  bad.preset.clear();
  EXPECT_NE(message(bad).find("preset"), std::string::npos) << message(bad);
  bad = options;
  bad.frame_packing = 6;
  EXPECT_NE(message(bad).find("frame packing"), std::string::npos) << message(bad);
  bad = options;
  bad.codec = "libx265";
  bad.frame_packing = 3;
  EXPECT_NO_THROW(bad.Check());
}

}  // namespace
}  // namespace depthforge
