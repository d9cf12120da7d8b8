#include "depthforge/util/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace depthforge {
namespace {

TEST(Progress, FormatsAmountsAndDurations) {
  EXPECT_EQ(Progress::FormatAmount(999, "B"), "999 B");
  EXPECT_EQ(Progress::FormatAmount(1680480, "B"), "1.7 MB");
  EXPECT_EQ(Progress::FormatAmount(12, "img"), "12");
  EXPECT_EQ(Progress::FormatDuration(75), "1:15");
  EXPECT_EQ(Progress::FormatDuration(3725), "1:02:05");
  EXPECT_EQ(Progress::FormatDuration(-1), "--:--");
}

TEST(Progress, WritesCountRateAndFinalLine) {
  std::FILE* out = std::tmpfile();
  {
    Progress progress("depth", 4, "img", out);
    progress.SetNote("loss 0.5");
    progress.Set(2);
    progress.Set(4);
  }
  std::rewind(out);
  char buffer[512] = {0};
  size_t n = std::fread(buffer, 1, sizeof buffer - 1, out);
  std::fclose(out);
  std::string text(buffer, n);
  EXPECT_NE(text.find("depth [########################] 4/4 img"), std::string::npos) << text;
  EXPECT_NE(text.find("img/s"), std::string::npos);
  EXPECT_NE(text.find(" in 0:00"), std::string::npos);
  EXPECT_NE(text.find("loss 0.5"), std::string::npos);
}

}  // namespace
}  // namespace depthforge
