#include "depthforge/render/mesh.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include <opencv2/imgproc.hpp>
#include <tiny_gltf.h>

#include "depthforge/core/error.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;

void MeshOptions::Check() const {
  if (step < 1 || step > 64) throw OptionError("mesh step must be between 1 and 64 pixels");
  if (!(max_relative_jump > 0 && max_relative_jump < 10)) throw OptionError("mesh cut threshold must be in (0, 10)");
  if (max_vertices < 4) throw OptionError("a mesh needs at least 4 vertices");
  if (max_texture_side < 16) throw OptionError("mesh texture side must be at least 16 pixels");
}

Mesh BuildMesh(const DepthMap& depth, const cv::Mat3b& image, const Intrinsics& camera, const MeshOptions& options) {
  options.Check();
  if (depth.kind != DepthKind::kMetricDepth) throw Error("3D export needs metric depth, got " + ToString(depth.kind) + " (a relative model gives metres with --align-to)");
  if (depth.values.size() != image.size()) throw Error("depth map and image differ in size");
  if (depth.width() < 2 || depth.height() < 2) {
    throw Error("a photo " + std::to_string(depth.width()) + "x" + std::to_string(depth.height()) +
                " pixels has no surface to mesh (a mesh needs at least 2x2 pixels)");
  }
  Mesh mesh;
  double texture_scale = std::min(1.0, double(options.max_texture_side) / std::max(image.cols, image.rows));
  if (texture_scale < 1) {
    cv::resize(image, mesh.texture, cv::Size(), texture_scale, texture_scale, cv::INTER_AREA);
  } else {
    mesh.texture = image;
  }
  int step = options.step;
  double pixels = double(depth.width()) * depth.height();
  while (pixels / (double(step) * step) > double(options.max_vertices)) ++step;
  // A photo smaller than two grid steps still gets one cell.
  step = std::min(step, std::min(depth.width(), depth.height()) - 1);
  const int columns = (depth.width() - 1) / step + 1, rows = (depth.height() - 1) / step + 1;
  std::vector<int64_t> vertex(size_t(columns) * size_t(rows), -1);
  std::vector<float> grid_depth(vertex.size(), 0.f);
  for (int j = 0; j < rows; ++j) {
    for (int i = 0; i < columns; ++i) {
      int u = i * step, v = j * step;
      float z = depth.values(v, u);
      if (!std::isfinite(z) || z <= 0) continue;
      size_t k = size_t(j) * size_t(columns) + size_t(i);
      vertex[k] = int64_t(mesh.positions.size());
      grid_depth[k] = z;
      mesh.positions.push_back(camera.BackProject(u, v, z));
      mesh.uvs.emplace_back(float((u + 0.5) / depth.width()), float((v + 0.5) / depth.height()));
    }
  }
  float limit = float(1.0 + options.max_relative_jump * step);
  auto add = [&](size_t a, size_t b, size_t c) {
    if (vertex[a] < 0 || vertex[b] < 0 || vertex[c] < 0) return;
    float lo = std::min({grid_depth[a], grid_depth[b], grid_depth[c]});
    float hi = std::max({grid_depth[a], grid_depth[b], grid_depth[c]});
    if (hi > lo * limit) return;  // a depth discontinuity: leave the gap open
    mesh.indices.push_back(uint32_t(vertex[a]));
    mesh.indices.push_back(uint32_t(vertex[b]));
    mesh.indices.push_back(uint32_t(vertex[c]));
  };
  auto add_cells = [&] {
    for (int j = 0; j + 1 < rows; ++j) {
      for (int i = 0; i + 1 < columns; ++i) {
        size_t top_left = size_t(j) * size_t(columns) + size_t(i), top_right = top_left + 1;
        size_t bottom_left = top_left + size_t(columns), bottom_right = bottom_left + 1;
        add(top_left, bottom_left, top_right);
        add(top_right, bottom_left, bottom_right);
      }
    }
  };
  add_cells();
  if (mesh.indices.empty() && columns * rows <= 16 && !mesh.positions.empty()) {
    // A photo of a few pixels, each spanning a large angle: every cell
    // looks like a depth edge. Keep the surface whole instead of empty.
    limit = std::numeric_limits<float>::infinity();
    add_cells();
  }
  return mesh;
}

namespace {

template <typename T>
int AppendView(tinygltf::Model& model, const std::vector<T>& values, int target) {
  std::vector<unsigned char>& buffer = model.buffers[0].data;
  while (buffer.size() % 4) buffer.push_back(0);
  tinygltf::BufferView view;
  view.buffer = 0;
  view.byteOffset = buffer.size();
  view.byteLength = values.size() * sizeof(T);
  view.target = target;
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  buffer.insert(buffer.end(), bytes, bytes + view.byteLength);
  model.bufferViews.push_back(view);
  return int(model.bufferViews.size() - 1);
}

}  // namespace

void WriteGlb(const std::string& path, const Mesh& mesh) {
  if (mesh.positions.empty() || mesh.indices.empty()) throw FileError(path, "the mesh is empty (no valid depth)");
  tinygltf::Model model;
  model.asset.version = "2.0";
  model.asset.generator = "depthforge";
  model.buffers.resize(1);

  std::vector<cv::Vec3f> positions(mesh.positions.size());
  std::vector<double> lo(3, std::numeric_limits<double>::max()), hi(3, std::numeric_limits<double>::lowest());
  for (size_t i = 0; i < positions.size(); ++i) {
    positions[i] = cv::Vec3f(mesh.positions[i][0], -mesh.positions[i][1], -mesh.positions[i][2]);
    for (int c = 0; c < 3; ++c) {
      lo[size_t(c)] = std::min(lo[size_t(c)], double(positions[i][c]));
      hi[size_t(c)] = std::max(hi[size_t(c)], double(positions[i][c]));
    }
  }
  auto accessor = [&](int view, int component, int type, size_t count) {
    tinygltf::Accessor a;
    a.bufferView = view;
    a.componentType = component;
    a.type = type;
    a.count = count;
    model.accessors.push_back(a);
    return int(model.accessors.size() - 1);
  };
  int position_accessor = accessor(AppendView(model, positions, TINYGLTF_TARGET_ARRAY_BUFFER),
                                   TINYGLTF_COMPONENT_TYPE_FLOAT, TINYGLTF_TYPE_VEC3, positions.size());
  model.accessors[size_t(position_accessor)].minValues = lo;
  model.accessors[size_t(position_accessor)].maxValues = hi;
  int uv_accessor = accessor(AppendView(model, mesh.uvs, TINYGLTF_TARGET_ARRAY_BUFFER), TINYGLTF_COMPONENT_TYPE_FLOAT,
                             TINYGLTF_TYPE_VEC2, mesh.uvs.size());
  int index_accessor = accessor(AppendView(model, mesh.indices, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER),
                                TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT, TINYGLTF_TYPE_SCALAR, mesh.indices.size());

  std::string png = EncodePng(mesh.texture);
  tinygltf::Image image;
  image.mimeType = "image/png";
  image.bufferView = AppendView(model, std::vector<char>(png.begin(), png.end()), 0);
  model.images.push_back(image);
  tinygltf::Sampler sampler;
  sampler.magFilter = TINYGLTF_TEXTURE_FILTER_LINEAR;
  sampler.minFilter = TINYGLTF_TEXTURE_FILTER_LINEAR;
  sampler.wrapS = sampler.wrapT = TINYGLTF_TEXTURE_WRAP_CLAMP_TO_EDGE;
  model.samplers.push_back(sampler);
  tinygltf::Texture texture;
  texture.source = 0;
  texture.sampler = 0;
  model.textures.push_back(texture);
  tinygltf::Material material;
  material.name = "photo";
  material.pbrMetallicRoughness.baseColorTexture.index = 0;
  material.pbrMetallicRoughness.metallicFactor = 0.0;
  material.pbrMetallicRoughness.roughnessFactor = 1.0;
  material.doubleSided = true;
  model.materials.push_back(material);

  tinygltf::Primitive primitive;
  primitive.attributes["POSITION"] = position_accessor;
  primitive.attributes["TEXCOORD_0"] = uv_accessor;
  primitive.indices = index_accessor;
  primitive.material = 0;
  primitive.mode = TINYGLTF_MODE_TRIANGLES;
  tinygltf::Mesh gltf_mesh;
  gltf_mesh.name = "depth";
  gltf_mesh.primitives.push_back(primitive);
  model.meshes.push_back(gltf_mesh);
  tinygltf::Node node;
  node.mesh = 0;
  model.nodes.push_back(node);
  tinygltf::Scene scene;
  scene.nodes.push_back(0);
  model.scenes.push_back(scene);
  model.defaultScene = 0;

  WriteAtomically(path, [&](const std::string& temp) {
    tinygltf::TinyGLTF writer;
    if (!writer.WriteGltfSceneToFile(&model, temp, /*embedImages=*/true, /*embedBuffers=*/true,
                                     /*prettyPrint=*/false, /*writeBinary=*/true)) {
      throw FileError(path, "cannot write glTF binary");
    }
  });
}

void WriteObj(const std::string& path, const Mesh& mesh) {
  if (mesh.positions.empty() || mesh.indices.empty()) throw FileError(path, "the mesh is empty (no valid depth)");
  fs::path obj(path);
  std::string stem = obj.stem().string();
  fs::path mtl = obj.parent_path() / (stem + ".mtl"), png = obj.parent_path() / (stem + ".png");
  WritePng(png.string(), mesh.texture);
  WriteFileBytes(mtl.string(), "# depthforge\nnewmtl photo\nKa 1 1 1\nKd 1 1 1\nKs 0 0 0\nillum 1\nmap_Kd " +
                                   png.filename().string() + "\n");
  std::string text = "# depthforge: " + std::to_string(mesh.positions.size()) + " vertices, " +
                     std::to_string(mesh.indices.size() / 3) + " triangles\nmtllib " + mtl.filename().string() + "\n";
  text.reserve(text.size() + mesh.positions.size() * 60 + mesh.indices.size() * 12);
  char line[128];
  for (const cv::Vec3f& p : mesh.positions) {
    std::snprintf(line, sizeof line, "v %.5f %.5f %.5f\n", p[0], -p[1], -p[2]);
    text += line;
  }
  for (const cv::Vec2f& uv : mesh.uvs) {
    std::snprintf(line, sizeof line, "vt %.6f %.6f\n", uv[0], 1.0f - uv[1]);  // OBJ's v runs upwards
    text += line;
  }
  text += "usemtl photo\n";
  for (size_t i = 0; i + 2 < mesh.indices.size(); i += 3) {
    uint32_t a = mesh.indices[i] + 1, b = mesh.indices[i + 1] + 1, c = mesh.indices[i + 2] + 1;
    std::snprintf(line, sizeof line, "f %u/%u %u/%u %u/%u\n", a, a, b, b, c, c);
    text += line;
  }
  WriteFileBytes(path, text);
}

}  // namespace depthforge
