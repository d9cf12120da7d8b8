#include "depthforge/video/packet_file.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <cstring>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

namespace {

constexpr char kMagic[8] = {'D', 'F', 'P', 'K', 'T', '1', '\n', '\0'};
constexpr int32_t kMaxPacket = 256 << 20;

template <typename T>
void Put(std::FILE* out, T value) {
  std::fwrite(&value, sizeof value, 1, out);
}

template <typename T>
bool Get(std::FILE* in, T& value) {
  return std::fread(&value, sizeof value, 1, in) == 1;
}

}  // namespace

PacketFileWriter::PacketFileWriter(const std::string& path, const AVCodecParameters* p)
    : file_(std::make_unique<AtomicFile>(path)) {
  out_ = std::fopen(file_->temp_path().c_str(), "wb");
  if (out_ == nullptr) throw FileError(path, "cannot create: " + std::string(std::strerror(errno)));
  std::fwrite(kMagic, 1, sizeof kMagic, out_);
  for (int32_t v : {int32_t(p->codec_type), int32_t(p->codec_id), int32_t(p->format), int32_t(p->width),
                    int32_t(p->height), int32_t(p->sample_aspect_ratio.num), int32_t(p->sample_aspect_ratio.den),
                    int32_t(p->extradata_size)}) {
    Put(out_, v);
  }
  if (p->extradata_size > 0) std::fwrite(p->extradata, 1, size_t(p->extradata_size), out_);
}

PacketFileWriter::~PacketFileWriter() {
  if (out_ != nullptr) std::fclose(out_);
}

void PacketFileWriter::Write(const AVPacket* packet) {
  Put(out_, int64_t(packet->pts));
  Put(out_, int64_t(packet->dts));
  Put(out_, int32_t(packet->flags));
  Put(out_, int32_t(packet->size));
  std::fwrite(packet->data, 1, size_t(packet->size), out_);
}

void PacketFileWriter::Commit() {
  const bool failed = std::ferror(out_) != 0;
  const bool closed = std::fclose(out_) == 0;
  out_ = nullptr;
  if (failed || !closed) throw FileError(file_->final_path(), "cannot write (disk full?)");
  file_->Commit();
}

PacketFileReader::PacketFileReader(const std::string& path) : path_(path) {
  in_ = std::fopen(path.c_str(), "rb");
  if (in_ == nullptr) throw FileError(path, "cannot open: " + std::string(std::strerror(errno)));
  char magic[sizeof kMagic];
  int32_t v[8];
  bool ok = std::fread(magic, 1, sizeof magic, in_) == sizeof magic && std::memcmp(magic, kMagic, sizeof magic) == 0;
  for (int32_t& x : v) ok = ok && Get(in_, x);
  if (!ok || v[7] < 0 || v[7] > kMaxPacket) throw FileError(path, "is not a depthforge packet file");
  parameters_ = avcodec_parameters_alloc();
  parameters_->codec_type = AVMediaType(v[0]);
  parameters_->codec_id = AVCodecID(v[1]);
  parameters_->format = v[2];
  parameters_->width = v[3];
  parameters_->height = v[4];
  parameters_->sample_aspect_ratio = {v[5], v[6]};
  if (v[7] > 0) {
    parameters_->extradata = static_cast<uint8_t*>(av_mallocz(size_t(v[7]) + AV_INPUT_BUFFER_PADDING_SIZE));
    parameters_->extradata_size = v[7];
    if (std::fread(parameters_->extradata, 1, size_t(v[7]), in_) != size_t(v[7])) {
      throw FileError(path, "is a damaged packet file (header)");
    }
  }
}

PacketFileReader::~PacketFileReader() {
  if (in_ != nullptr) std::fclose(in_);
  avcodec_parameters_free(&parameters_);
}

bool PacketFileReader::Read(AVPacket* packet) {
  int64_t pts = 0, dts = 0;
  int32_t flags = 0, size = 0;
  if (!Get(in_, pts)) return false;
  if (!Get(in_, dts) || !Get(in_, flags) || !Get(in_, size) || size < 0 || size > kMaxPacket) {
    throw FileError(path_, "is a damaged packet file");
  }
  av_packet_unref(packet);
  if (av_new_packet(packet, size) < 0) throw Error("out of memory for a video packet");
  if (std::fread(packet->data, 1, size_t(size), in_) != size_t(size)) throw FileError(path_, "is a damaged packet file");
  packet->pts = pts;
  packet->dts = dts;
  packet->flags = flags;
  return true;
}

}  // namespace depthforge
