// A file of one stream's compressed packets with their timestamps (1/90000
// s): how a finished segment of a converted video is kept until the
// segments are joined into the final file by stream copy. Plain and exact:
// a header with the stream's description (codec, size, extradata), then
// the packets as encoded. Written under a temporary name and renamed, so a
// packet file that exists is complete.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

struct AVCodecParameters;
struct AVPacket;

namespace depthforge {

class AtomicFile;

class PacketFileWriter {
 public:
  PacketFileWriter(const std::string& path, const AVCodecParameters* parameters);
  ~PacketFileWriter();  // an uncommitted file is removed
  void Write(const AVPacket* packet);
  void Commit();

 private:
  std::unique_ptr<AtomicFile> file_;
  std::FILE* out_ = nullptr;
};

class PacketFileReader {
 public:
  // Throws FileError when the file is not a complete packet file.
  explicit PacketFileReader(const std::string& path);
  ~PacketFileReader();
  PacketFileReader(const PacketFileReader&) = delete;
  PacketFileReader& operator=(const PacketFileReader&) = delete;
  const AVCodecParameters* parameters() const { return parameters_; }
  // The next packet (pts/dts in 1/90000 s); false at the end.
  bool Read(AVPacket* packet);

 private:
  std::string path_;
  std::FILE* in_ = nullptr;
  AVCodecParameters* parameters_ = nullptr;
};

}  // namespace depthforge
