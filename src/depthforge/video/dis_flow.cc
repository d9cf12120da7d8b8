// In libdepthforge_opencv.so: OpenCV's DIS optical flow for
// video/depth_stabilizer.cc, which calls it through OpenCvLibrarySymbol
// (the video module's library needs dnn, too heavy for every start-up).
#include <opencv2/video/tracking.hpp>

extern "C" void depthforge_opencv_create_dis_flow(int preset, cv::Ptr<cv::DenseOpticalFlow>* flow) {
  *flow = cv::DISOpticalFlow::create(preset);
}
