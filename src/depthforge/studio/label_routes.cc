// The studio's ordinal-labelling routes (the /label page; docs/API.md).
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"
#include "depthforge/studio/http_responses.h"
#include "depthforge/studio/studio_server.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/ordinal_labels.h"
#include "depthforge/label/ordinal_proposals.h"

namespace depthforge {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json PointJson(cv::Point2f point) { return json::array({point.x, point.y}); }

// [x, y] inside a photo of 'size', or nothing.
std::optional<cv::Point2f> PointFrom(const json& value, const LabelPhoto& photo) {
  if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) return std::nullopt;
  const double x = value[0].get<double>(), y = value[1].get<double>();
  if (!(x >= -0.5 && y >= -0.5 && x < photo.width - 0.5 && y < photo.height - 0.5)) return std::nullopt;
  return cv::Point2f(float(x), float(y));
}

json PhotoJson(const LabelPhoto& photo) {
  return {{"id", photo.id}, {"name", photo.display_name + photo.extension}, {"width", photo.width},
          {"height", photo.height}, {"pairs", photo.pairs}, {"answered", photo.answered},
          {"image", "/api/labels/photos/" + photo.id + "/image"}};
}

}  // namespace

void StudioServer::LabelRoutes() {
  httplib::Server& http = *http_;
  http.Get("/label", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(label_html_, "text/html; charset=utf-8");
    response.set_header("Cache-Control", "no-cache");
  });
  // A photo to label: stored, and its pairs proposed (the model's least sure first).
  http.Post("/api/labels/photos", [this](const httplib::Request& request, httplib::Response& response,
                                         const httplib::ContentReader& reader) {
    auto upload = ReceiveUpload(request, reader, response, "photo");
    if (!upload) return;
    std::error_code error;
    if (upload->type.kind != MediaKind::kImage) {
      fs::remove(upload->path, error);
      return SendError(response, 415, DisplayStem(upload->file_name) + " is a video; label photos");
    }
    LabelPhoto photo;
    photo.id = NewJobId();
    photo.display_name = DisplayStem(upload->file_name);
    photo.extension = upload->type.extension;
    const fs::path stored = fs::path(options_.data_dir) / "labels" / (photo.id + photo.extension);
    try {
      const std::string bytes = ReadFileBytes(upload->path);
      auto header = ProbeImageHeader(bytes);
      if (header && int64_t(header->width) * header->height > options_.limits.max_pixels) {
        throw FileError(photo.display_name + photo.extension, "larger than this server accepts");
      }
      cv::Mat3b image = DecodeImage(bytes, photo.display_name + photo.extension);
      photo.width = image.cols;
      photo.height = image.rows;
      LabeledImage proposed = ProposeOrdinalPairs(image, photo.display_name + photo.extension,
                                                  processor_->Estimator("", false));
      fs::create_directories(stored.parent_path());
      fs::rename(upload->path, stored);
      labels_->AddPhoto(photo, proposed.pairs);
    } catch (const Error& e) {
      fs::remove(upload->path, error);
      return SendError(response, 415, ForUser(e.what()));
    }
    photo.pairs = int(labels_->Pairs(photo.id).size());
    SendJson(response, 201, PhotoJson(photo));
  });
  http.Get("/api/labels/photos", [this](const httplib::Request&, httplib::Response& response) {
    json photos = json::array();
    for (const LabelPhoto& photo : labels_->List()) photos.push_back(PhotoJson(photo));
    SendJson(response, 200, {{"photos", photos}});
  });
  http.Get(std::string("/api/labels/photos/") + kJobPattern, [this](const httplib::Request& request, httplib::Response& response) {
    auto photo = labels_->Get(request.matches[1]);
    if (!photo) return SendError(response, 404, "no such photo");
    json body = PhotoJson(*photo);
    json pairs = json::array(), points = json::array();
    for (const StoredPair& stored : labels_->Pairs(photo->id)) {
      json pair = {{"id", stored.id}, {"a", PointJson(stored.pair.a)}, {"b", PointJson(stored.pair.b)},
                   {"answer", stored.answered ? json(CloserNames().Name(stored.pair.closer)) : json(nullptr)}};
      if (stored.pair.score) pair["score"] = *stored.pair.score;
      if (!stored.answered && stored.pair.score) pair["suggested"] = CloserNames().Name(stored.pair.closer);
      pairs.push_back(pair);
    }
    for (const DepthPoint& point : labels_->Points(photo->id)) points.push_back({{"at", PointJson(point.at)}, {"depth", point.depth}});
    body["pairs"] = pairs;
    body["points"] = points;
    SendJson(response, 200, body);
  });
  http.Get(std::string("/api/labels/photos/") + kJobPattern + "/image",
           [this](const httplib::Request& request, httplib::Response& response) {
             auto photo = labels_->Get(request.matches[1]);
             if (!photo) return SendError(response, 404, "no such photo");
             const std::string path = (fs::path(options_.data_dir) / "labels" / (photo->id + photo->extension)).string();
             std::error_code error;
             const auto size = fs::file_size(path, error);
             if (error) return SendError(response, 404, "the photo is gone");
             SendFile(response, path, size, ContentTypeForExtension(photo->extension));
           });
  // An answer, or its undo ("closer": null).
  http.Put("/api/labels/pairs/([0-9]{1,15})", [this](const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("closer")) return SendError(response, 400, "send {\"closer\": \"a\", \"b\", \"equal\" or null}");
    std::optional<Closer> closer;
    if (!body["closer"].is_null()) {
      if (!body["closer"].is_string()) return SendError(response, 400, "closer must be a, b, equal or null");
      try {
        closer = CloserNames().Parse(body["closer"].get<std::string>());
      } catch (const OptionError& e) {
        return SendError(response, 400, e.what());
      }
    }
    if (!labels_->Answer(std::stoll(request.matches[1]), closer)) return SendError(response, 404, "no such pair");
    SendJson(response, 200, {{"ok", true}});
  });
  http.Post(std::string("/api/labels/photos/") + kJobPattern + "/pairs",
            [this](const httplib::Request& request, httplib::Response& response) {
              auto photo = labels_->Get(request.matches[1]);
              if (!photo) return SendError(response, 404, "no such photo");
              const json body = json::parse(request.body, nullptr, false);
              OrdinalPair pair;
              auto a = body.is_object() ? PointFrom(body.value("a", json()), *photo) : std::nullopt;
              auto b = body.is_object() ? PointFrom(body.value("b", json()), *photo) : std::nullopt;
              if (!a || !b) return SendError(response, 400, "a and b must be [x, y] inside the photo");
              pair.a = *a;
              pair.b = *b;
              pair.confirmed = body.contains("closer") && body["closer"].is_string();
              if (pair.confirmed) {
                try {
                  pair.closer = CloserNames().Parse(body["closer"].get<std::string>());
                } catch (const OptionError& e) {
                  return SendError(response, 400, e.what());
                }
              }
              SendJson(response, 201, {{"id", labels_->AddPair(photo->id, pair)}});
            });
  http.Post(std::string("/api/labels/photos/") + kJobPattern + "/points",
            [this](const httplib::Request& request, httplib::Response& response) {
              auto photo = labels_->Get(request.matches[1]);
              if (!photo) return SendError(response, 404, "no such photo");
              const json body = json::parse(request.body, nullptr, false);
              auto at = body.is_object() ? PointFrom(body.value("at", json()), *photo) : std::nullopt;
              const bool depth_ok = body.is_object() && body.contains("depth") && body["depth"].is_number() &&
                                    body["depth"].get<double>() > 0 && std::isfinite(body["depth"].get<double>());
              if (!at || !depth_ok) return SendError(response, 400, "send {\"at\": [x, y] inside the photo, \"depth\": metres > 0}");
              labels_->AddPoint(photo->id, {*at, body["depth"].get<double>()});
              SendJson(response, 201, {{"ok", true}});
            });
  http.Get("/api/labels/export", [this](const httplib::Request& request, httplib::Response& response) {
    response.set_header("Content-Disposition", "attachment; filename=\"labels.json\"");
    response.set_content(OrdinalLabelsToJson(labels_->Export(request.has_param("proposals"))), "application/json");
  });
  // A label file: its pairs and points join the photos of the same name.
  http.Post("/api/labels/import", [this](const httplib::Request& request, httplib::Response& response) {
    OrdinalLabels imported;
    try {
      imported = ParseOrdinalLabels(request.body, "the label file");
    } catch (const FileError& e) {
      return SendError(response, 400, e.what());
    }
    const std::vector<LabelPhoto> photos = labels_->List();
    int pairs = 0, points = 0;
    json unmatched = json::array();
    for (const LabeledImage& image : imported.images) {
      const std::string name = fs::path(image.image).filename().string();
      auto photo = std::find_if(photos.begin(), photos.end(),
                                [&](const LabelPhoto& p) { return p.display_name + p.extension == name; });
      if (photo == photos.end()) {
        unmatched.push_back(name);
        continue;
      }
      for (const OrdinalPair& pair : image.pairs) {
        labels_->AddPair(photo->id, pair);
        ++pairs;
      }
      for (const DepthPoint& point : image.points) {
        labels_->AddPoint(photo->id, point);
        ++points;
      }
    }
    SendJson(response, 200, {{"pairs", pairs}, {"points", points}, {"unmatched", unmatched}});
  });
}

}  // namespace depthforge
