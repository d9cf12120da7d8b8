#include "depthforge/io/ordinal_labels.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
using ::testing::HasSubstr;

TEST(OrdinalLabels, WriteThenReadGivesTheSameLabels) {
  testing::TempDir dir;
  OrdinalLabels labels;
  LabeledImage image;
  image.image = "photos/room.jpg";
  image.pairs.push_back({{10, 20}, {300.5f, 40}, Closer::kA, true, std::nullopt});
  image.pairs.push_back({{1, 2}, {3, 4}, Closer::kEqual, false, 1.25});
  image.points.push_back({{50, 60}, 2.4});
  labels.images.push_back(image);
  WriteOrdinalLabels(labels, dir.File("labels.json"));
  OrdinalLabels read = ReadOrdinalLabels(dir.File("labels.json"));
  ASSERT_EQ(read.images.size(), 1u);
  EXPECT_EQ(read.PairCount(), 2);
  EXPECT_EQ(read.ImagePath(read.images[0]), dir.File("photos/room.jpg"));  // relative to the label file
  const OrdinalPair& first = read.images[0].pairs[0];
  EXPECT_EQ(first.b, cv::Point2f(300.5f, 40));
  EXPECT_EQ(first.closer, Closer::kA);
  EXPECT_TRUE(first.confirmed);
  EXPECT_FALSE(first.score);
  EXPECT_FALSE(read.images[0].pairs[1].confirmed);
  EXPECT_EQ(read.images[0].pairs[1].score, 1.25);
  EXPECT_EQ(read.images[0].points[0].depth, 2.4);
}

TEST(OrdinalLabels, AMalformedEntryIsNamedByWhereItIs) {
  auto error_of = [](const std::string& text) {
    try {
      ParseOrdinalLabels(text, "labels.json");
    } catch (const FileError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error_of("{not json"), HasSubstr("labels.json: not valid JSON"));
  EXPECT_THAT(error_of("[]"), HasSubstr("a depthforge label file"));
  EXPECT_THAT(error_of(R"({"images": [{"pairs": []}]})"), HasSubstr("images[0]: needs \"image\""));
  EXPECT_THAT(error_of(R"({"images": [{"image": "x.jpg", "pairs": [{"a": [1, 2], "b": [3, 4], "closer": "c"}]}]})"),
              HasSubstr("images[0].pairs[0].closer: expected a, b or equal, got 'c'"));
  EXPECT_THAT(error_of(R"({"images": [{"image": "x.jpg", "pairs": [{"a": [1], "b": [3, 4], "closer": "a"}]}]})"),
              HasSubstr("images[0].pairs[0].a: expected [x, y]"));
  EXPECT_THAT(error_of(R"({"images": [{"image": "x.jpg", "points": [{"at": [1, 2], "depth": -1}]}]})"),
              HasSubstr("images[0].points[0].depth: must be a positive"));
}

}  // namespace
}  // namespace depthforge
