// Video files made by the tests themselves, through FFmpeg's libraries:
// clips whose flashes coincide with beeps (to check audio sync), with
// variable frame timing, a chosen audio codec and rotation metadata; and
// readers for what the checks need (audio samples, 16-bit frames).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge::testing {

struct FlashClip {
  std::vector<double> frame_times;   // seconds, increasing (variable frame rate allowed)
  std::vector<size_t> flash_frames;  // these frames are white, the others dark; each starts a beep
  cv::Size size{160, 96};
  std::string audio_codec = "aac";   // "aac", "pcm_s16le" (e.g. in .mkv), or "" for no audio
  int sample_rate = 48000;
  double beep_seconds = 0.05;
  int rotation = 0;                  // display matrix, degrees clockwise (0, 90, 180, 270)
  bool subtitles = false;            // a subrip stream (Matroska) with one cue
};
// 'frames' dark frames at a constant rate, without audio.
FlashClip ConstantRateClip(int frames, double fps);
// Writes the clip (container from the extension: .mp4, .mkv); H.264 video.
void WriteFlashClip(const std::string& path, const FlashClip& clip);

// The first audio stream decoded to mono float samples; 'start' is the
// time of the first sample from the file's start.
struct DecodedAudio {
  std::vector<float> samples;
  int sample_rate = 0;
  double start = 0;
  std::string codec;
};
DecodedAudio DecodeAudio(const std::string& path);
// Times (seconds) where a beep starts: the envelope rises above half the
// loudest level after at least 'gap' seconds below it.
std::vector<double> BeepOnsets(const DecodedAudio& audio, double gap = 0.1);

// Every frame of a 16-bit grey video (FFV1 gray16le) with its time.
struct Gray16Frame {
  cv::Mat1w image;
  double time = 0;
};
std::vector<Gray16Frame> DecodeGray16(const std::string& path);

// Codec names of a file's streams, e.g. {"h264", "aac"}.
std::vector<std::string> StreamCodecs(const std::string& path);

// The cues of the first subtitle stream: start (from the first video
// frame) and duration in seconds and the text FFmpeg's decoder gives (ASS
// dialogue).
struct SubtitleCue {
  double start = 0, duration = 0;
  std::string text;
};
std::vector<SubtitleCue> SubtitleCues(const std::string& path);

// What OpenCV's own reader (videoio, FFmpeg underneath) sees in a video:
// an independent check of what depthforge writes and reads. Decodes it
// completely to count its frames. Throws FileError.
struct VideoInfo {
  int frames = 0;
  cv::Size size;
  double fps = 0;
  std::string codec;  // fourcc, e.g. "avc1" / "h264"
};
VideoInfo ProbeVideo(const std::string& path);

}  // namespace depthforge::testing
