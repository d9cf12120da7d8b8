// Label -> fine-tune -> measure on real depth, shared by the benchmark
// (bench/ordinal_finetune) and the test that holds it to issue 10's bar:
// ordinal pairs made from the ground truth of the five RGB-D frames in
// ../shared/data/rgbd/ stand in for a person's answers; FastDepth (imported
// weights) is fine-tuned on them with the ranking loss; WHDR is measured
// before and after on those frames and on the three real frames of other
// sensors (NYU Kinect, SUN RGB-D, TUM) that training never saw.
#pragma once

#include <string>

#include "depthforge/eval/ordinal.h"

namespace depthforge::testing {

struct OrdinalExperiment {
  int epochs = 30;
  double learning_rate = 3e-5;
  int pairs_per_frame = 500;
  int labelled_pairs = 0;
  double first_loss = 0, last_loss = 0;
  // WHDR of the imported model as `depth` runs it (int8, crop framing).
  OrdinalReport labelled_imported, others_imported;
  // Before: the imported weights through the trained-model path (one step
  // at a negligible learning rate), the path "after" is measured with.
  OrdinalReport labelled_before, others_before, labelled_after, others_after;
};

// Runs it in 'work_dir' (removed first). Throws on missing data.
OrdinalExperiment RunOrdinalExperiment(const std::string& mirror, const std::string& work_dir, int epochs,
                                       double learning_rate);

}  // namespace depthforge::testing
