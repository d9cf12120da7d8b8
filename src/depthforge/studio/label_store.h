// The studio's ordinal labels (the /label page), in the same SQLite file as
// the jobs: photos to label, their pairs (proposed, or added by a person)
// with the answers given so far, and points with a typed metric depth.
// Exported as a label file (io/ordinal_labels.h) and imported from one.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "depthforge/io/ordinal_labels.h"

struct sqlite3;

namespace depthforge {

struct LabelPhoto {
  std::string id;            // 32 hex digits, as a job's
  std::string display_name;  // the upload's stem, reduced (job.h: DisplayStem)
  std::string extension;     // from the sniffed content: ".jpg"
  int width = 0, height = 0;
  int pairs = 0, answered = 0;  // counts, filled by List and Get
};

struct StoredPair {
  int64_t id = 0;
  OrdinalPair pair;          // closer is meaningful only when answered
  bool answered = false;
};

class LabelStore {
 public:
  explicit LabelStore(const std::string& path);  // throws FileError
  ~LabelStore();
  LabelStore(const LabelStore&) = delete;
  LabelStore& operator=(const LabelStore&) = delete;

  // A photo and its proposed pairs (unanswered).
  void AddPhoto(const LabelPhoto& photo, const std::vector<OrdinalPair>& proposals);
  std::vector<LabelPhoto> List() const;  // oldest first
  std::optional<LabelPhoto> Get(const std::string& id) const;
  // Proposed pairs first by score (least sure first), then pairs people added.
  std::vector<StoredPair> Pairs(const std::string& photo_id) const;
  std::vector<DepthPoint> Points(const std::string& photo_id) const;

  // nullopt clears the answer (undo). False when there is no such pair.
  bool Answer(int64_t pair_id, std::optional<Closer> closer);
  int64_t AddPair(const std::string& photo_id, const OrdinalPair& pair);  // answered when 'confirmed'
  void AddPoint(const std::string& photo_id, const DepthPoint& point);

  // The label file: every photo with its answered pairs (and, with
  // 'with_proposals', the unanswered ones, unconfirmed) and its points.
  // "image" is the upload's name, so the file sits beside the user's photos.
  OrdinalLabels Export(bool with_proposals) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
};

}  // namespace depthforge
