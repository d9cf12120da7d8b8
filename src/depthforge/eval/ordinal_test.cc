#include "depthforge/eval/ordinal.h"

#include <gtest/gtest.h>

#include <cmath>

namespace depthforge {
namespace {

DepthMap Ramp(DepthKind kind) {
  DepthMap depth;
  depth.kind = kind;
  depth.values.create(10, 20);
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 20; ++x) depth.values(y, x) = 1.0f + x;  // farther to the right (metric)
  return depth;
}

TEST(Ordinal, WhdrCountsOrderedPairsTheMapGetsWrong) {
  DepthMap metric = Ramp(DepthKind::kMetricDepth);
  std::vector<OrdinalPair> pairs = {
      {{2, 5}, {10, 5}, Closer::kA, true, std::nullopt},   // right
      {{2, 5}, {10, 5}, Closer::kB, true, std::nullopt},   // wrong
      {{3, 1}, {3, 8}, Closer::kA, true, std::nullopt},    // tie: wrong
      {{3, 1}, {15, 8}, Closer::kEqual, true, std::nullopt},  // left out
      {{3, 1}, {40, 8}, Closer::kA, true, std::nullopt},   // outside: unknown
  };
  OrdinalScore score = ScoreOrdinal(metric, pairs);
  EXPECT_EQ(score.ordered, 3);
  EXPECT_EQ(score.wrong, 2);
  EXPECT_EQ(score.unknown, 1);
  EXPECT_NEAR(score.whdr(), 66.667, 1e-3);
  // The same numbers as inverse depth mean the opposite order.
  EXPECT_EQ(ScoreOrdinal(Ramp(DepthKind::kRelativeInverseDepth), {pairs[0]}).wrong, 1);
  metric.values(5, 2) = std::nanf("");
  EXPECT_EQ(ScoreOrdinal(metric, {pairs[0]}).unknown, 1);
}

TEST(Ordinal, PairsFromATrueMapScoreZeroAndItsInverseAHundred) {
  DepthMap truth = Ramp(DepthKind::kMetricDepth);
  std::vector<OrdinalPair> pairs = OrdinalPairsFromDepth(truth, 200, 7);
  ASSERT_EQ(pairs.size(), 200u);
  OrdinalScore score = ScoreOrdinal(truth, pairs);
  EXPECT_GT(score.ordered, 150);  // same column pairs are "equal"
  EXPECT_EQ(score.wrong, 0);
  DepthMap inverted = truth;
  inverted.values = 100.0f - truth.values;
  EXPECT_EQ(ScoreOrdinal(inverted, pairs).whdr(), 100.0);
  EXPECT_EQ(OrdinalPairsFromDepth(truth, 200, 7)[13].a, pairs[13].a);  // seeded
}

}  // namespace
}  // namespace depthforge
