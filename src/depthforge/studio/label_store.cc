#include "depthforge/studio/label_store.h"

#include "depthforge/studio/sqlite_statement.h"

namespace depthforge {

LabelStore::LabelStore(const std::string& path) : path_(path) {
  db_ = OpenDatabase(path);
  try {
    for (const char* sql :
         {"CREATE TABLE IF NOT EXISTS label_photos (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,"
          " display_name TEXT NOT NULL, extension TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL)",
          "CREATE TABLE IF NOT EXISTS label_pairs (id INTEGER PRIMARY KEY AUTOINCREMENT, photo TEXT NOT NULL,"
          " ax REAL NOT NULL, ay REAL NOT NULL, bx REAL NOT NULL, by REAL NOT NULL, closer TEXT,"
          " proposed TEXT, score REAL)",
          "CREATE INDEX IF NOT EXISTS label_pairs_by_photo ON label_pairs(photo)",
          "CREATE TABLE IF NOT EXISTS label_points (id INTEGER PRIMARY KEY AUTOINCREMENT, photo TEXT NOT NULL,"
          " x REAL NOT NULL, y REAL NOT NULL, depth REAL NOT NULL)"}) {
      Statement statement(db_, path_, sql, {});
      while (statement.Step()) {
      }
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

LabelStore::~LabelStore() { sqlite3_close(db_); }

void LabelStore::AddPhoto(const LabelPhoto& photo, const std::vector<OrdinalPair>& proposals) {
  std::lock_guard lock(mutex_);
  Statement begin(db_, path_, "BEGIN", {});
  begin.Step();
  try {
    Statement insert(db_, path_,
                     "INSERT INTO label_photos (id, display_name, extension, width, height) VALUES (?,?,?,?,?)",
                     {photo.id, photo.display_name, photo.extension, int64_t(photo.width), int64_t(photo.height)});
    insert.Step();
    for (const OrdinalPair& pair : proposals) {
      // The model's answer is kept apart: a proposal starts unanswered.
      Statement add(db_, path_,
                    "INSERT INTO label_pairs (photo, ax, ay, bx, by, proposed, score) VALUES (?,?,?,?,?,?,?)",
                    {photo.id, double(pair.a.x), double(pair.a.y), double(pair.b.x), double(pair.b.y),
                     CloserNames().Name(pair.closer), pair.score.value_or(0.0)});
      add.Step();
    }
  } catch (...) {
    Statement rollback(db_, path_, "ROLLBACK", {});
    rollback.Step();
    throw;
  }
  Statement commit(db_, path_, "COMMIT", {});
  commit.Step();
}

namespace {

const char* kPhotoColumns =
    "p.id, p.display_name, p.extension, p.width, p.height,"
    " (SELECT COUNT(*) FROM label_pairs q WHERE q.photo = p.id),"
    " (SELECT COUNT(*) FROM label_pairs q WHERE q.photo = p.id AND q.closer IS NOT NULL)";

LabelPhoto ReadPhoto(const Statement& row) {
  LabelPhoto photo;
  photo.id = row.Text(0);
  photo.display_name = row.Text(1);
  photo.extension = row.Text(2);
  photo.width = int(row.Integer(3));
  photo.height = int(row.Integer(4));
  photo.pairs = int(row.Integer(5));
  photo.answered = int(row.Integer(6));
  return photo;
}

}  // namespace

std::vector<LabelPhoto> LabelStore::List() const {
  std::lock_guard lock(mutex_);
  Statement select(db_, path_, std::string("SELECT ") + kPhotoColumns + " FROM label_photos p ORDER BY p.seq", {});
  std::vector<LabelPhoto> photos;
  while (select.Step()) photos.push_back(ReadPhoto(select));
  return photos;
}

std::optional<LabelPhoto> LabelStore::Get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  Statement select(db_, path_, std::string("SELECT ") + kPhotoColumns + " FROM label_photos p WHERE p.id = ?", {id});
  if (!select.Step()) return std::nullopt;
  return ReadPhoto(select);
}

std::vector<StoredPair> LabelStore::Pairs(const std::string& photo_id) const {
  std::lock_guard lock(mutex_);
  Statement select(db_, path_,
                   "SELECT id, ax, ay, bx, by, closer, proposed, score FROM label_pairs WHERE photo = ?"
                   " ORDER BY proposed IS NULL, score DESC, id",
                   {photo_id});
  std::vector<StoredPair> pairs;
  while (select.Step()) {
    StoredPair stored;
    stored.id = select.Integer(0);
    stored.pair.a = {float(select.Real(1)), float(select.Real(2))};
    stored.pair.b = {float(select.Real(3)), float(select.Real(4))};
    const std::string closer = select.Text(5);
    stored.answered = !closer.empty();
    stored.pair.closer = CloserNames().Parse(stored.answered ? closer : select.Text(6).empty() ? "equal" : select.Text(6));
    stored.pair.confirmed = stored.answered;
    if (!select.Text(6).empty()) stored.pair.score = select.Real(7);
    pairs.push_back(stored);
  }
  return pairs;
}

std::vector<DepthPoint> LabelStore::Points(const std::string& photo_id) const {
  std::lock_guard lock(mutex_);
  Statement select(db_, path_, "SELECT x, y, depth FROM label_points WHERE photo = ? ORDER BY id", {photo_id});
  std::vector<DepthPoint> points;
  while (select.Step()) points.push_back({{float(select.Real(0)), float(select.Real(1))}, select.Real(2)});
  return points;
}

bool LabelStore::Answer(int64_t pair_id, std::optional<Closer> closer) {
  std::lock_guard lock(mutex_);
  if (closer) {
    Statement update(db_, path_, "UPDATE label_pairs SET closer = ? WHERE id = ?", {CloserNames().Name(*closer), pair_id});
    update.Step();
  } else {
    Statement update(db_, path_, "UPDATE label_pairs SET closer = NULL WHERE id = ?", {pair_id});
    update.Step();
  }
  return sqlite3_changes(db_) > 0;
}

int64_t LabelStore::AddPair(const std::string& photo_id, const OrdinalPair& pair) {
  std::lock_guard lock(mutex_);
  Statement insert(db_, path_, "INSERT INTO label_pairs (photo, ax, ay, bx, by) VALUES (?,?,?,?,?)",
                   {photo_id, double(pair.a.x), double(pair.a.y), double(pair.b.x), double(pair.b.y)});
  insert.Step();
  const int64_t id = sqlite3_last_insert_rowid(db_);
  if (pair.confirmed) {
    Statement update(db_, path_, "UPDATE label_pairs SET closer = ? WHERE id = ?", {CloserNames().Name(pair.closer), id});
    update.Step();
  }
  return id;
}

void LabelStore::AddPoint(const std::string& photo_id, const DepthPoint& point) {
  std::lock_guard lock(mutex_);
  Statement insert(db_, path_, "INSERT INTO label_points (photo, x, y, depth) VALUES (?,?,?,?)",
                   {photo_id, double(point.at.x), double(point.at.y), point.depth});
  insert.Step();
}

OrdinalLabels LabelStore::Export(bool with_proposals) const {
  OrdinalLabels labels;
  for (const LabelPhoto& photo : List()) {
    LabeledImage image;
    image.image = photo.display_name + photo.extension;
    for (const StoredPair& stored : Pairs(photo.id)) {
      if (stored.answered || with_proposals) image.pairs.push_back(stored.pair);
    }
    image.points = Points(photo.id);
    labels.images.push_back(std::move(image));
  }
  return labels;
}

}  // namespace depthforge
