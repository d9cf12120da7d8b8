// Fine-tuning with ordinal labels, held to issue 10's bar on real depth
// (testing/ordinal_experiment.h): the labelled frames' WHDR falls by at
// least 30 %, other frames' rises by at most 2 points.
#include <gtest/gtest.h>

#include "depthforge/testing/ordinal_experiment.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

TEST(OrdinalTraining, FineTuningFastDepthOnFiveFramesCutsTheirWhdrAndKeepsOthers) {
  const std::string mirror = testing::MirrorDir();
  if (mirror.empty() || testing::MirrorFile("data/rgbd/other_formats/TUM_depth.png").empty()) {
    GTEST_SKIP() << "needs the RGB-D frames of the data mirror";
  }
  testing::TempDir dir;
  auto e = testing::RunOrdinalExperiment(mirror, dir.File("work"), 30, 3e-5);
  EXPECT_LT(e.last_loss, e.first_loss);
  const double before = e.labelled_before.total.whdr(), after = e.labelled_after.total.whdr();
  EXPECT_GT(before, 15);  // the imported model does get many pairs wrong
  EXPECT_LE(after, 0.7 * before) << before << " -> " << after;
  EXPECT_LE(e.others_after.total.whdr(), e.others_before.total.whdr() + 2.0)
      << e.others_before.total.whdr() << " -> " << e.others_after.total.whdr();
}

}  // namespace
}  // namespace depthforge
