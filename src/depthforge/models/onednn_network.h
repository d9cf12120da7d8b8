// An int8-quantised TFLite graph run in int8 by oneDNN (Debian's libdnnl,
// OpenMP threads), the faster of the two int8 engines measured
// (bench/int8_engines) — but exact only on CPUs with VNNI.
//
// oneDNN's int8 convolutions multiply unsigned activations by signed
// weights. With AVX-512 VNNI (vpdpbusd) the products are summed in 32 bits,
// as TFLite defines; without it its AVX2 kernels pair products in 16 bits
// (vpmaddubsw) and saturate, which put FastDepth up to 11 levels off
// (docs/PERFORMANCE.md). So Backend::kAuto picks this engine only where
// OneDnnIsExact(), and --backend onednn elsewhere is refused.
//
// Activations are unsigned bytes: an int8 tensor with zero point −128 is
// the same bytes as uint8 with zero point 0, and graphs made of such
// tensors (FastDepth, and TFLite's converter wherever a ReLU precedes) run
// here; others run on XNNPACK. PADs fold into the convolutions that read
// them (both pad with real 0), nearest resizing by whole factors is
// oneDNN's resampling, QUANTIZE and DEQUANTIZE between equal scales are
// the identity. Built per input size on first use (oneDNN's primitives are
// shape-specific) and kept.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/network.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge {

// The CPU has AVX-512 VNNI, where oneDNN's u8×s8 sums are exact.
bool OneDnnIsExact();
// True when every tensor and operator of 'model' is of the kind above;
// otherwise '*why' says what is not.
bool IsOneDnnGraph(const TfliteModel& model, std::string* why = nullptr);

class OneDnnNetwork : public Network {
 public:
  // threads: OpenMP threads for one forward pass (0 = every core). Throws
  // FileError naming the model when IsOneDnnGraph is false, and OptionError
  // when the CPU lacks VNNI (unless 'allow_inexact', for benchmarks).
  OneDnnNetwork(const TfliteModel& model, int threads, bool allow_inexact = false);
  ~OneDnnNetwork() override;
  OneDnnNetwork(const OneDnnNetwork&) = delete;
  OneDnnNetwork& operator=(const OneDnnNetwork&) = delete;

  // As XnnpackNetwork::Forward; calls from several threads are serialised.
  std::vector<cv::Mat> Forward(const std::vector<cv::Mat>& images) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
