#include "depthforge/train/synthetic_scene.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <vector>

#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"

namespace depthforge {
namespace fs = std::filesystem;

void SyntheticSceneOptions::Check() const {
  if (size.width < 8 || size.height < 8 || size.width > 4096 || size.height > 4096) {
    throw OptionError("synthetic scene size must be between 8x8 and 4096x4096");
  }
  if (!(horizontal_fov_degrees > 10 && horizontal_fov_degrees < 150)) throw OptionError("field of view must be 10-150 degrees");
}

namespace {

enum class Pattern { kPlain, kChecker, kStripes, kNoise };

struct Material {
  cv::Vec3f color, second;
  Pattern pattern;
  float scale;  // metres per pattern period
};

struct Hit {
  float t = std::numeric_limits<float>::infinity();
  cv::Vec3f normal;
  cv::Vec2f uv;  // surface coordinates in metres, for the texture
  int material = 0;
};

struct Box {
  cv::Vec3f lo, hi;
  int material;
};
struct Sphere {
  cv::Vec3f centre;
  float radius;
  int material;
};

float Hash(int x, int y, uint32_t seed) {
  uint32_t h = uint32_t(x) * 374761393u + uint32_t(y) * 668265263u + seed * 2246822519u;
  h = (h ^ (h >> 13)) * 1274126177u;
  return float((h ^ (h >> 16)) & 0xffff) / 65535.f;
}

cv::Vec3f Shade(const Material& m, const cv::Vec2f& uv, uint32_t seed) {
  float u = uv[0] / m.scale, v = uv[1] / m.scale;
  switch (m.pattern) {
    case Pattern::kPlain: return m.color;
    case Pattern::kChecker: return ((int(std::floor(u)) + int(std::floor(v))) & 1) ? m.color : m.second;
    case Pattern::kStripes: return (int(std::floor(u * 2)) & 1) ? m.color : m.second;
    case Pattern::kNoise: {
      float n = Hash(int(std::floor(u * 8)), int(std::floor(v * 8)), seed);
      return m.color * (1 - n) + m.second * n;
    }
  }
  return m.color;
}

// Ray (origin 0) against an axis-aligned box: slab test, with the face normal.
void IntersectBox(const cv::Vec3f& d, const Box& box, Hit& hit) {
  float t_near = -std::numeric_limits<float>::infinity(), t_far = std::numeric_limits<float>::infinity();
  int axis = -1;
  for (int a = 0; a < 3; ++a) {
    if (std::abs(d[a]) < 1e-9f) {
      if (0 < box.lo[a] || 0 > box.hi[a]) return;
      continue;
    }
    float t1 = box.lo[a] / d[a], t2 = box.hi[a] / d[a];
    if (t1 > t2) std::swap(t1, t2);
    if (t1 > t_near) { t_near = t1; axis = a; }
    t_far = std::min(t_far, t2);
  }
  if (t_near > t_far || t_near <= 1e-4f || t_near >= hit.t || axis < 0) return;
  hit.t = t_near;
  hit.normal = cv::Vec3f(0, 0, 0);
  hit.normal[axis] = d[axis] > 0 ? -1.f : 1.f;
  cv::Vec3f p = d * t_near;
  int u_axis = (axis + 1) % 3, v_axis = (axis + 2) % 3;
  hit.uv = cv::Vec2f(p[u_axis], p[v_axis]);
  hit.material = box.material;
}

void IntersectSphere(const cv::Vec3f& d, const Sphere& s, Hit& hit) {
  // |t·d − centre|² = r², with d not of unit length.
  float a = d.dot(d), b = d.dot(s.centre), c = s.centre.dot(s.centre) - s.radius * s.radius;
  float disc = b * b - a * c;
  if (disc < 0) return;
  float t = (b - std::sqrt(disc)) / a;
  if (t <= 1e-4f || t >= hit.t) return;
  hit.t = t;
  cv::Vec3f p = d * t;
  hit.normal = (p - s.centre) / s.radius;
  hit.uv = cv::Vec2f(std::atan2(hit.normal[0], hit.normal[2]) * s.radius, std::asin(std::clamp(hit.normal[1], -1.f, 1.f)) * s.radius);
  hit.material = s.material;
}

}  // namespace

RgbdSample RenderSyntheticScene(uint64_t seed, const SyntheticSceneOptions& options) {
  options.Check();
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  auto uniform = [&](float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); };
  auto color = [&] { return cv::Vec3f(uniform(0.15f, 0.95f), uniform(0.15f, 0.95f), uniform(0.15f, 0.95f)); };
  std::vector<Material> materials;
  auto add_material = [&] {
    Pattern pattern = Pattern(std::uniform_int_distribution<int>(0, 3)(rng));
    materials.push_back({color(), color() * 0.6f, pattern, uniform(0.15f, 0.8f)});
    return int(materials.size() - 1);
  };
  // Camera at the origin looking along +z, y down (OpenCV axes), inside a
  // room whose size and camera placement vary.
  float half_width = uniform(1.5f, 3.5f), back = uniform(3.5f, 8.f), camera_height = uniform(1.0f, 1.7f);
  float floor_y = camera_height, ceiling_y = camera_height - uniform(2.4f, 3.2f);
  float left = -half_width * uniform(0.6f, 1.0f), right = half_width * uniform(0.6f, 1.0f);
  const float big = 100.f;
  std::vector<Box> boxes = {
      {{-big, floor_y, -1.f}, {big, floor_y + 1.f, big}, add_material()},          // floor
      {{-big, ceiling_y - 1.f, -1.f}, {big, ceiling_y, big}, add_material()},      // ceiling
      {{-big, -big, back}, {big, big, back + 1.f}, add_material()},                // back wall
      {{left - 1.f, -big, -1.f}, {left, big, big}, add_material()},                // left wall
      {{right, -big, -1.f}, {right + 1.f, big, big}, add_material()},              // right wall
  };
  int furniture = std::uniform_int_distribution<int>(1, 5)(rng);
  for (int i = 0; i < furniture; ++i) {
    float w = uniform(0.3f, 1.4f), h = uniform(0.3f, 1.6f), d = uniform(0.3f, 1.2f);
    float x = uniform(left + 0.2f, right - 0.2f - w), z = uniform(1.2f, back - d - 0.1f);
    boxes.push_back({{x, floor_y - h, z}, {x + w, floor_y, z + d}, add_material()});
  }
  std::vector<Sphere> spheres;
  int balls = std::uniform_int_distribution<int>(0, 3)(rng);
  for (int i = 0; i < balls; ++i) {
    float r = uniform(0.15f, 0.6f);
    spheres.push_back({{uniform(left + r, right - r), floor_y - r - uniform(0.f, 1.f), uniform(1.0f + r, back - r)}, r, add_material()});
  }
  cv::Vec3f light(uniform(left * 0.5f, right * 0.5f), ceiling_y + 0.3f, uniform(0.5f, back * 0.6f));
  uint32_t texture_seed = uint32_t(seed);

  const int width = options.size.width, height = options.size.height;
  const double f = width / (2.0 * std::tan(options.horizontal_fov_degrees * CV_PI / 360.0));
  RgbdSample sample;
  sample.image = cv::Mat3b(height, width);
  sample.depth = cv::Mat1f(height, width);
  sample.name = "synth_" + std::to_string(seed);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      cv::Vec3f d(float((x + 0.5 - width / 2.0) / f), float((y + 0.5 - height / 2.0) / f), 1.f);
      Hit hit;
      for (const Box& box : boxes) IntersectBox(d, box, hit);
      for (const Sphere& s : spheres) IntersectSphere(d, s, hit);
      cv::Vec3f p = d * hit.t;
      sample.depth(y, x) = p[2];  // ray z component is 1: t is the depth
      cv::Vec3f to_light = light - p;
      float distance = float(cv::norm(to_light));
      float lambert = std::max(0.f, hit.normal.dot(to_light / distance));
      float intensity = 0.35f + 0.9f * lambert / (1.f + 0.05f * distance * distance);
      cv::Vec3f c = Shade(materials[size_t(hit.material)], hit.uv, texture_seed + uint32_t(hit.material)) * intensity;
      sample.image(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(c[2] * 255), cv::saturate_cast<uchar>(c[1] * 255),
                                     cv::saturate_cast<uchar>(c[0] * 255));
    }
  }
  return sample;
}

std::string WriteSyntheticDataset(const std::string& output_dir, int count, uint64_t seed,
                                  const SyntheticSceneOptions& options, bool show_progress) {
  options.Check();
  if (count < 1 || count > 10'000'000) throw OptionError("scene count must be at least 1");
  EnsureWritableDirectory((fs::path(output_dir) / "image").string());
  EnsureWritableDirectory((fs::path(output_dir) / "depth").string());
  std::vector<std::pair<std::string, std::string>> rows;
  Progress progress("synth", count, "scene", show_progress ? stderr : nullptr);
  for (int i = 0; i < count; ++i) {
    RgbdSample sample = RenderSyntheticScene(seed + uint64_t(i), options);
    char name[32];
    std::snprintf(name, sizeof name, "%06d.png", i);
    std::string image = std::string("image/") + name, depth = std::string("depth/") + name;
    WritePng((fs::path(output_dir) / image).string(), sample.image);
    DepthMap map;
    map.values = sample.depth;
    WriteDepth((fs::path(output_dir) / depth).string(), map, DepthFormat::kPng16);
    rows.emplace_back(image, depth);
    progress.Set(i + 1);
  }
  std::string csv = (fs::path(output_dir) / "pairs.csv").string();
  WritePairCsv(csv, rows);
  return csv;
}

}  // namespace depthforge
