// Parts of depthforge built as shared libraries of their own and opened on
// first use, because the libraries they link cost every process start-up
// time just by being loaded: libdepthforge_torch.so (LibTorch, ~0.95 s),
// libdepthforge_opencv.so (OpenCV's imgcodecs, dnn and ximgproc with their
// trees, ~0.25 s) and libdepthforge_ffmpeg.so (FFmpeg's libraries with
// theirs, ~60 ms; docs/PERFORMANCE.md). Their entry points are extern "C"
// functions named depthforge_torch_* / depthforge_opencv_* /
// depthforge_ffmpeg_*; each caller casts the symbol to the signature
// defined beside it.
#pragma once

namespace depthforge {

// The address of 'name' in libdepthforge_torch.so, opening it on the first
// call (thread-safe). Looked for in $DEPTHFORGE_TORCH_LIBRARY, then beside
// libdepthforge.so, then on the loader's search path. Throws Error naming
// the paths tried and the loader's reason when it cannot be opened or
// lacks 'name'.
void* TorchLibrarySymbol(const char* name);

// The same for libdepthforge_opencv.so ($DEPTHFORGE_OPENCV_LIBRARY).
void* OpenCvLibrarySymbol(const char* name);

// The same for libdepthforge_ffmpeg.so ($DEPTHFORGE_FFMPEG_LIBRARY).
void* FfmpegLibrarySymbol(const char* name);

}  // namespace depthforge
