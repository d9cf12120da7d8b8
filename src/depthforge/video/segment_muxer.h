// Joins the encoded segments of a converted video into the final file by
// stream copy, with the source's audio and subtitle streams beside them:
// copied packet by packet when the container takes their codec, audio
// re-encoded to AAC when it does not (PCM into MP4, for example), text
// subtitles converted to the container's text codec when theirs does not
// fit (SubRip into MP4 becomes mov_text), bitmap subtitles left out (and
// said) when they cannot go in. Nothing is decoded twice and
// nothing is held for the whole film.
#pragma once

#include <string>
#include <vector>

namespace depthforge {

struct MuxInput {
  std::vector<std::string> segments;  // packet files of the video stream, in time order
  std::string source;                 // audio and subtitles come from here ("" = none)
  // The source time that becomes 0 in the output; packets of the source's
  // other streams before it are left out, as are those from 'end' on.
  double start = 0;
  double end = 0;  // 0 = to the end of the source
  // Average frames per second of the video: the container's rate, and the
  // display time of the last frame (the others last until the next).
  double frame_rate = 25;
};

struct MuxReport {
  std::vector<std::string> copied;     // e.g. "audio aac", "subtitle mov_text"
  std::vector<std::string> reencoded;  // e.g. "audio pcm_s16le -> aac"
  std::vector<std::string> dropped;    // e.g. "subtitle subrip (MP4 cannot hold it)"
};

// Writes 'output' (the container from its extension) directly; the caller
// stages it. Throws FileError naming the file that failed.
MuxReport MuxSegments(const std::string& output, const MuxInput& input);

}  // namespace depthforge
