#include "depthforge/eval/ordinal.h"

#include <cmath>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/image_io.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/progress.h"

namespace depthforge {

void OrdinalScore::Add(const OrdinalScore& other) {
  ordered += other.ordered;
  wrong += other.wrong;
  unknown += other.unknown;
}

float DepthAt(const DepthMap& depth, cv::Point2f point) {
  const int x = int(std::lround(point.x)), y = int(std::lround(point.y));
  if (x < 0 || y < 0 || x >= depth.width() || y >= depth.height()) return std::numeric_limits<float>::quiet_NaN();
  return depth.values(y, x);
}

Closer AnswerOf(const DepthMap& depth, const OrdinalPair& pair) {
  const int order = CompareNearness(depth.kind, DepthAt(depth, pair.a), DepthAt(depth, pair.b));
  return order > 0 ? Closer::kA : order < 0 ? Closer::kB : Closer::kEqual;
}

OrdinalScore ScoreOrdinal(const DepthMap& depth, const std::vector<OrdinalPair>& pairs) {
  OrdinalScore score;
  for (const OrdinalPair& pair : pairs) {
    if (pair.closer == Closer::kEqual) continue;
    const float a = DepthAt(depth, pair.a), b = DepthAt(depth, pair.b);
    if (!(std::isfinite(a) && a > 0 && std::isfinite(b) && b > 0)) {
      ++score.unknown;
      continue;
    }
    ++score.ordered;
    if (AnswerOf(depth, pair) != pair.closer) ++score.wrong;
  }
  return score;
}

std::vector<OrdinalPair> OrdinalPairsFromDepth(const DepthMap& truth, int count, uint64_t seed, double equal_ratio) {
  std::vector<cv::Point> valid;
  cv::findNonZero(truth.ValidMask(), valid);
  std::vector<OrdinalPair> pairs;
  if (valid.size() < 2) return pairs;
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<size_t> pick(0, valid.size() - 1);
  while (int(pairs.size()) < count) {
    const cv::Point a = valid[pick(random)], b = valid[pick(random)];
    if (a == b) continue;
    OrdinalPair pair;
    pair.a = cv::Point2f(a);
    pair.b = cv::Point2f(b);
    const float da = truth.values(a), db = truth.values(b);
    const bool close = std::abs(da - db) < equal_ratio * std::max(da, db);
    pair.closer = close ? Closer::kEqual : AnswerOf(truth, pair);
    pairs.push_back(pair);
  }
  return pairs;
}

OrdinalReport EvaluateOrdinal(const DepthEstimator& estimator, const OrdinalLabels& labels, bool show_progress) {
  OrdinalReport report;
  report.model = estimator.name();
  Progress progress("eval ordinal", double(labels.images.size()), "img", show_progress ? stderr : nullptr);
  for (const LabeledImage& image : labels.images) {
    const DepthMap depth = estimator.Estimate(ReadImage(labels.ImagePath(image)));
    OrdinalScore score = ScoreOrdinal(depth, image.pairs);
    report.total.Add(score);
    report.per_image.push_back({image.image, score});
    progress.Add(1);
  }
  progress.Finish();
  return report;
}

void WriteOrdinalReport(const OrdinalReport& report, const std::string& json_path) {
  auto entry = [](const OrdinalScore& score) {
    return nlohmann::json{{"whdr", score.whdr()}, {"ordered_pairs", score.ordered}, {"wrong", score.wrong},
                          {"unknown", score.unknown}};
  };
  nlohmann::json json = entry(report.total);
  json["model"] = report.model;
  json["images"] = nlohmann::json::array();
  for (const auto& [image, score] : report.per_image) {
    nlohmann::json item = entry(score);
    item["image"] = image;
    json["images"].push_back(item);
  }
  WriteFileBytes(json_path, json.dump(1) + "\n");
}

}  // namespace depthforge
