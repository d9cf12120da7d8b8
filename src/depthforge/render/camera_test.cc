#include "depthforge/render/camera.h"

#include <gtest/gtest.h>

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

TEST(Camera, FieldOfViewGivesTheFocalLength) {
  Intrinsics k = IntrinsicsFromFov({640, 480}, 90);
  EXPECT_NEAR(k.fx, 320.0, 1e-9);  // tan(45°) = 1: half the width
  EXPECT_EQ(k.fx, k.fy);
  EXPECT_NEAR(k.cx, 320.0, 1e-9);
  EXPECT_NEAR(k.cy, 240.0, 1e-9);
  cv::Vec3f corner = k.BackProject(0, 0, 2.0);
  EXPECT_NEAR(corner[0], -2.0, 1e-6);  // the left edge at 45° is as far out as it is deep
  EXPECT_THROW(IntrinsicsFromFov({640, 480}, 0.5), OptionError);
  // No EXIF in these bytes: the default field of view.
  Intrinsics fallback = IntrinsicsForPhoto("not a jpeg", {640, 480}, 90);
  EXPECT_NEAR(fallback.fx, 320.0, 1e-9);
}

}  // namespace
}  // namespace depthforge
