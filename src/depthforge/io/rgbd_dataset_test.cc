#include "depthforge/io/rgbd_dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/npy.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/train/synthetic_scene.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(RgbdDataset, CsvPairsWithScalesAndInvalidDepth) {
  testing::TempDir dir;
  fs::create_directories(dir.File("sub"));
  cv::imwrite(dir.File("sub/a.png"), cv::Mat3b(6, 8, cv::Vec3b(1, 2, 3)));
  cv::Mat1w mm(6, 8, uint16_t(2560));
  mm(0, 0) = 0;
  cv::imwrite(dir.File("sub/a_depth.png"), mm);
  WriteNpy(dir.File("b_depth.npy"), cv::Mat1f(6, 8, std::nanf("")));
  cv::imwrite(dir.File("b.png"), cv::Mat3b(6, 8, cv::Vec3b(1, 2, 3)));
  WriteFileBytes(dir.File("pairs.csv"), "image,depth\nsub/a.png,sub/a_depth.png\nb.png,b_depth.npy\n");
  auto mm_data = OpenDataset(dir.File("pairs.csv"));
  ASSERT_EQ(mm_data->size(), 2u);
  RgbdSample a = mm_data->Get(0);
  EXPECT_FLOAT_EQ(a.depth(3, 3), 2.56f);
  EXPECT_TRUE(std::isnan(a.depth(0, 0)));  // a 0 in the PNG: unknown, NaN as everywhere
  cv::Mat1f b = mm_data->Get(1).depth;
  EXPECT_EQ(cv::countNonZero(b == b), 0);  // NaN stays unknown
  DatasetOptions kitti;
  kitti.depth_scale = 256;
  EXPECT_FLOAT_EQ(OpenDataset(dir.File("pairs.csv"), kitti)->Get(0).depth(3, 3), 10.f);
}

TEST(RgbdDataset, CsvWithoutHeaderOtherColumnNamesOrByteOrderMark) {
  testing::TempDir dir;
  cv::imwrite(dir.File("a.png"), cv::Mat3b(6, 8, cv::Vec3b(1, 2, 3)));
  cv::imwrite(dir.File("a_depth.png"), cv::Mat1w(6, 8, uint16_t(1500)));
  cv::imwrite(dir.File("b.png"), cv::Mat3b(6, 8, cv::Vec3b(4, 5, 6)));
  cv::imwrite(dir.File("b_depth.png"), cv::Mat1w(6, 8, uint16_t(2500)));
  const std::string rows = "a.png,a_depth.png\nb.png,b_depth.png\n";
  WriteFileBytes(dir.File("bare.csv"), rows);  // as the common NYU CSVs are
  WriteFileBytes(dir.File("named.csv"), "image_path,depth_path\n" + rows);
  WriteFileBytes(dir.File("swapped.csv"), "gt_depth,rgb\na_depth.png,a.png\nb_depth.png,b.png\n");
  WriteFileBytes(dir.File("any_names.csv"), "x,y\n" + rows);
  WriteFileBytes(dir.File("bom.csv"), "\xEF\xBB\xBFimage,depth\r\n" + rows);
  WriteFileBytes(dir.File("bom_bare.csv"), "\xEF\xBB\xBF" + rows);
  for (const char* name : {"bare.csv", "named.csv", "swapped.csv", "any_names.csv", "bom.csv", "bom_bare.csv"}) {
    SCOPED_TRACE(name);
    auto data = OpenDataset(dir.File(name));
    ASSERT_EQ(data->size(), 2u);
    EXPECT_FLOAT_EQ(data->Get(0).depth(2, 2), 1.5f);
    EXPECT_FLOAT_EQ(data->Get(1).depth(2, 2), 2.5f);
    EXPECT_EQ(data->Get(1).image(0, 0), cv::Vec3b(4, 5, 6));
  }
}

TEST(RgbdDataset, BadCsvAndFoldersAreExplained) {
  testing::TempDir dir;
  WriteFileBytes(dir.File("unclear.csv"), "left,right,middle\na.png,b.png,c.png\n");
  EXPECT_THAT([&] { OpenDataset(dir.File("unclear.csv")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("cannot tell the image and depth columns")));
  WriteFileBytes(dir.File("header_only.csv"), "image,depth\n");
  EXPECT_THAT([&] { OpenDataset(dir.File("header_only.csv")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("lists no image/depth pairs")));
  WriteFileBytes(dir.File("missing.csv"), "image,depth\nnope.png,nope_depth.png\n");
  auto missing = OpenDataset(dir.File("missing.csv"));
  EXPECT_THAT([&] { missing->Get(0); }, ::testing::ThrowsMessage<FileError>(HasSubstr("nope.png: no such file")));
  EXPECT_THROW(OpenDataset(dir.path()), FileError);  // no image/ and depth/
  EXPECT_THROW(OpenDataset(dir.File("nothing.csv")), FileError);
  DatasetOptions bad;
  bad.depth_scale = 0;
  EXPECT_THROW(bad.Check(), OptionError);
}

TEST(RgbdDataset, SynthFolderRoundTripsExactDepth) {
  testing::TempDir dir;
  std::string csv = WriteSyntheticDataset(dir.path(), 2, 5, {}, false);
  auto from_csv = OpenDataset(csv);
  auto from_folder = OpenDataset(dir.path());
  ASSERT_EQ(from_csv->size(), 2u);
  ASSERT_EQ(from_folder->size(), 2u);
  RgbdSample direct = RenderSyntheticScene(6);
  RgbdSample stored = from_csv->Get(1);
  // Depth is stored in millimetres: exact to half a millimetre.
  EXPECT_LT(cv::norm(direct.depth, stored.depth, cv::NORM_INF), 0.0006);
  EXPECT_EQ(cv::norm(direct.image, stored.image, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(RenderSyntheticScene(6).depth, direct.depth, cv::NORM_INF), 0);  // deterministic
}

// A file laid out like NYU Depth v2's labelled .mat (MATLAB v7.3 = HDF5).
void WriteNyuLikeMat(const std::string& path, int n, int width, int height) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t image_dims[4] = {hsize_t(n), 3, hsize_t(width), hsize_t(height)};
  hsize_t depth_dims[3] = {hsize_t(n), hsize_t(width), hsize_t(height)};
  std::vector<uint8_t> images(size_t(n) * 3 * size_t(width) * size_t(height));
  std::vector<float> depths(size_t(n) * size_t(width) * size_t(height));
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c)
      for (int x = 0; x < width; ++x)
        for (int y = 0; y < height; ++y) {
          images[((size_t(i) * 3 + size_t(c)) * size_t(width) + size_t(x)) * size_t(height) + size_t(y)] = uint8_t(10 * c + x + i);
          depths[(size_t(i) * size_t(width) + size_t(x)) * size_t(height) + size_t(y)] = 1.f + 0.1f * float(y) + float(i);
        }
  hid_t space = H5Screate_simple(4, image_dims, nullptr);
  hid_t set = H5Dcreate2(file, "images", H5T_NATIVE_UINT8, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(set, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, images.data());
  H5Dclose(set);
  H5Sclose(space);
  space = H5Screate_simple(3, depth_dims, nullptr);
  set = H5Dcreate2(file, "depths", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, depths.data());
  H5Dclose(set);
  H5Sclose(space);
  H5Fclose(file);
}

TEST(RgbdDataset, NyuMatReadsOneImageAtATimeInTheRightOrientation) {
  testing::TempDir dir;
  WriteNyuLikeMat(dir.File("nyu.mat"), 3, 8, 6);
  DatasetOptions options;
  options.indices = {2, 0};
  auto data = OpenDataset(dir.File("nyu.mat"), options);
  ASSERT_EQ(data->size(), 2u);
  RgbdSample s = data->Get(0);  // image 2
  ASSERT_EQ(s.image.size(), cv::Size(8, 6));
  EXPECT_EQ(s.image(4, 5), cv::Vec3b(20 + 5 + 2, 10 + 5 + 2, 0 + 5 + 2));  // BGR of R=x+i, G=10+x+i, B=20+x+i
  EXPECT_FLOAT_EQ(s.depth(4, 5), 1.f + 0.4f + 2.f);  // depth grows down the rows
  options.indices = {7};
  EXPECT_THROW(OpenDataset(dir.File("nyu.mat"), options), FileError);
  WriteFileBytes(dir.File("fake.mat"), "MATLAB 5.0 MAT-file, not HDF5");
  EXPECT_THAT([&] { OpenDataset(dir.File("fake.mat")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("not an HDF5")));
}

}  // namespace
}  // namespace depthforge

#include <matio.h>

namespace depthforge {
namespace {

TEST(RgbdDataset, NyuOfficialSplitFromMatlabOrText) {
  testing::TempDir dir;
  // A MATLAB v5 file like NYU's splits.mat: column vectors of 1-based indices.
  mat_t* file = Mat_CreateVer(dir.File("splits.mat").c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(file, nullptr);
  double train[3] = {1, 2, 5}, test[2] = {3, 4};
  size_t train_dims[2] = {3, 1}, test_dims[2] = {2, 1};
  matvar_t* a = Mat_VarCreate("trainNdxs", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, train_dims, train, 0);
  matvar_t* b = Mat_VarCreate("testNdxs", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, test_dims, test, 0);
  Mat_VarWrite(file, a, MAT_COMPRESSION_NONE);
  Mat_VarWrite(file, b, MAT_COMPRESSION_NONE);
  Mat_VarFree(a);
  Mat_VarFree(b);
  Mat_Close(file);
  EXPECT_EQ(ReadNyuSplit(dir.File("splits.mat"), "train"), (std::vector<size_t>{0, 1, 4}));
  EXPECT_EQ(ReadNyuSplit(dir.File("splits.mat"), "test"), (std::vector<size_t>{2, 3}));
  WriteFileBytes(dir.File("test.txt"), "3\n4\n\n");
  EXPECT_EQ(ReadNyuSplit(dir.File("test.txt"), "test"), (std::vector<size_t>{2, 3}));
  WriteFileBytes(dir.File("bad.txt"), "3\nzero\n");
  EXPECT_THROW(ReadNyuSplit(dir.File("bad.txt"), "test"), FileError);
  WriteFileBytes(dir.File("zero.txt"), "0\n");
  EXPECT_THROW(ReadNyuSplit(dir.File("zero.txt"), "test"), FileError);
  EXPECT_THROW(ReadNyuSplit(dir.File("splits.mat"), "validation"), OptionError);
  // The split selects images of a NYU .mat.
  WriteNyuLikeMat(dir.File("nyu.mat"), 5, 8, 6);
  DatasetOptions options;
  options.indices = ReadNyuSplit(dir.File("splits.mat"), "test");
  auto data = OpenDataset(dir.File("nyu.mat"), options);
  ASSERT_EQ(data->size(), 2u);
  EXPECT_EQ(data->Get(1).name, "nyu_3");
}

}  // namespace
}  // namespace depthforge
