// IDX reading: small fixtures written here (plain and gzipped), malformed
// files, and the real datasets when they are present.
#include "host/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace picoml::host {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("picoml_idx_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  static void Write(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  static void WriteGzip(const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(file);
  }
  static std::vector<uint8_t> ReadBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  }

  fs::path dir_;
};

// Three 4x5 images: header 00 00 08 03, count 3, rows 4, cols 5 (big-endian),
// then pixel (i, r, c) = 20 * i + 5 * r + c.
std::vector<uint8_t> ThreeImages() {
  std::vector<uint8_t> bytes = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5};
  for (int i = 0; i < 3; ++i)
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 5; ++c) bytes.push_back(static_cast<uint8_t>(20 * i + 5 * r + c));
  return bytes;
}

std::vector<uint8_t> ThreeLabels() { return {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9}; }

void ExpectThreeImages(const IdxImages& images) {
  EXPECT_EQ(images.count, 3);
  EXPECT_EQ(images.rows, 4);
  EXPECT_EQ(images.cols, 5);
  ASSERT_EQ(images.pixels.size(), 60u);
  EXPECT_EQ(images.pixels[0], 0);
  EXPECT_EQ(images.pixels[7], 7);      // image 0, row 1, col 2
  EXPECT_EQ(images.image(2)[0], 40);   // image 2, row 0, col 0
  EXPECT_EQ(images.image(2)[19], 59);  // image 2, row 3, col 4
  EXPECT_EQ(images.image(1)[13], 33);  // image 1, row 2, col 3
}

// The message must name the file and contain `what`.
template <typename F>
void ExpectFailure(F&& read, const std::string& path, const std::string& what) {
  try {
    read();
    ADD_FAILURE() << "no exception for " << path;
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
  }
}

TEST_F(IdxTest, ReadsPlainImagesAndLabels) {
  Write(Path("images"), ThreeImages());
  Write(Path("labels"), ThreeLabels());
  ExpectThreeImages(ReadIdxImages(Path("images")));
  EXPECT_EQ(ReadIdxLabels(Path("labels")), (std::vector<uint8_t>{7, 0, 9}));
}

TEST_F(IdxTest, ReadsGzippedImagesAndLabels) {
  WriteGzip(Path("images.gz"), ThreeImages());
  WriteGzip(Path("labels.gz"), ThreeLabels());
  ASSERT_EQ(ReadBytes(Path("images.gz"))[0], 0x1f);  // really compressed
  ExpectThreeImages(ReadIdxImages(Path("images.gz")));
  EXPECT_EQ(ReadIdxLabels(Path("labels.gz")), (std::vector<uint8_t>{7, 0, 9}));
}

TEST_F(IdxTest, ReadsAnEmptySet) {
  Write(Path("labels"), {0, 0, 8, 1, 0, 0, 0, 0});
  EXPECT_TRUE(ReadIdxLabels(Path("labels")).empty());
}

TEST_F(IdxTest, RejectsWrongMagic) {
  Write(Path("labels"), ThreeLabels());
  ExpectFailure([&] { ReadIdxImages(Path("labels")); }, Path("labels"), "magic 0x00000801");
  std::vector<uint8_t> bytes = ThreeImages();
  bytes[2] = 0x0d;  // float data: not supported
  Write(Path("floats"), bytes);
  ExpectFailure([&] { ReadIdxImages(Path("floats")); }, Path("floats"), "not an IDX images file");
  Write(Path("images"), ThreeImages());
  ExpectFailure([&] { ReadIdxLabels(Path("images")); }, Path("images"), "not an IDX labels file");
}

TEST_F(IdxTest, RejectsCountThatDisagreesWithTheSize) {
  std::vector<uint8_t> bytes = ThreeImages();
  bytes[7] = 4;  // claims four images, holds three
  Write(Path("images"), bytes);
  ExpectFailure([&] { ReadIdxImages(Path("images")); }, Path("images"), "truncated");
  bytes[7] = 2;  // claims two images, holds three
  Write(Path("images"), bytes);
  ExpectFailure([&] { ReadIdxImages(Path("images")); }, Path("images"), "2 x 4 x 5 images");
  std::vector<uint8_t> labels = ThreeLabels();
  labels.push_back(5);  // one label more than declared
  Write(Path("labels"), labels);
  ExpectFailure([&] { ReadIdxLabels(Path("labels")); }, Path("labels"), "contents have 12 bytes");
}

TEST_F(IdxTest, RejectsTruncatedFiles) {
  std::vector<uint8_t> bytes = ThreeImages();
  bytes.resize(bytes.size() - 7);
  Write(Path("images"), bytes);
  ExpectFailure([&] { ReadIdxImages(Path("images")); }, Path("images"), "truncated");
  Write(Path("short"), {0, 0, 8, 3, 0, 0, 0, 1});
  ExpectFailure([&] { ReadIdxImages(Path("short")); }, Path("short"), "too short");
  Write(Path("empty"), {});
  ExpectFailure([&] { ReadIdxLabels(Path("empty")); }, Path("empty"), "too short");
}

TEST_F(IdxTest, RejectsTruncatedGzip) {
  // Incompressible-looking pixels so that the compressed stream is long.
  std::vector<uint8_t> bytes = {0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 10, 0, 0, 0, 10};
  uint32_t state = 12345;
  for (int i = 0; i < 100 * 100; ++i) {
    state = state * 1103515245u + 12345u;
    bytes.push_back(static_cast<uint8_t>(state >> 24));
  }
  WriteGzip(Path("whole.gz"), bytes);
  ASSERT_EQ(ReadIdxImages(Path("whole.gz")).count, 100);
  std::vector<uint8_t> compressed = ReadBytes(Path("whole.gz"));
  compressed.resize(compressed.size() / 2);
  Write(Path("half.gz"), compressed);
  ExpectFailure([&] { ReadIdxImages(Path("half.gz")); }, Path("half.gz"), "truncated");
}

TEST_F(IdxTest, RejectsMissingFile) {
  ExpectFailure([&] { ReadIdxImages(Path("absent")); }, Path("absent"), "cannot open");
}

TEST_F(IdxTest, LocatesPlainOrGzippedFilesAndSaysWhatToDo) {
  Write(Path("train-images-idx3-ubyte"), ThreeImages());
  WriteGzip(Path("train-labels-idx1-ubyte.gz"), ThreeLabels());
  Write(Path("t10k-images-idx3-ubyte"), ThreeImages());
  ExpectFailure([&] { LocateDataset(dir_.string(), "run the fetch script"); },
                Path("t10k-labels-idx1-ubyte"), "run the fetch script");
  WriteGzip(Path("t10k-labels-idx1-ubyte.gz"), ThreeLabels());
  const DatasetFiles files = LocateDataset(dir_.string(), "unused");
  EXPECT_EQ(files.train_labels, Path("train-labels-idx1-ubyte.gz"));
  EXPECT_EQ(files.test_images, Path("t10k-images-idx3-ubyte"));
  const Dataset data = LoadDataset(files);
  ExpectThreeImages(data.train_images);
  ExpectThreeImages(data.test_images);
  EXPECT_EQ(data.test_labels, (std::vector<uint8_t>{7, 0, 9}));
  EXPECT_EQ(LoadDataset(files, /*read_test=*/false).test_images.count, 0);
}

TEST_F(IdxTest, RejectsLabelsThatDoNotMatchTheImages) {
  Write(Path("train-images-idx3-ubyte"), ThreeImages());
  Write(Path("train-labels-idx1-ubyte"), {0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
  Write(Path("t10k-images-idx3-ubyte"), ThreeImages());
  Write(Path("t10k-labels-idx1-ubyte"), ThreeLabels());
  ExpectFailure([&] { LoadDataset(LocateDataset(dir_.string(), "")); },
                Path("train-labels-idx1-ubyte"), "has 2 labels");
}

TEST(FashionMnist, LoadsFromTheDebianPackage) {
  const std::string probe = std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz";
  if (!fs::exists(probe))
    GTEST_SKIP() << "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist";
  const Dataset data = LoadDataset(LocateFashionMnist());
  EXPECT_EQ(data.train_images.count, 60000);
  EXPECT_EQ(data.train_images.rows, 28);
  EXPECT_EQ(data.train_images.cols, 28);
  EXPECT_EQ(data.test_images.count, 10000);
  // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
  std::array<int, 10> train{}, test{};
  for (uint8_t label : data.train_labels) ++train.at(label);
  for (uint8_t label : data.test_labels) ++test.at(label);
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train[c], 6000) << "class " << c;
    EXPECT_EQ(test[c], 1000) << "class " << c;
  }
}

TEST(Mnist, LoadsFromTheCache) {
  const std::string dir = DefaultMnistDir();
  if (!fs::exists(dir + "/train-images-idx3-ubyte"))
    GTEST_SKIP() << "MNIST is not in " << dir << ": run scripts/fetch-mnist.sh";
  const Dataset data = LoadDataset(LocateMnist(dir));
  EXPECT_EQ(data.train_images.count, 60000);
  EXPECT_EQ(data.test_images.count, 10000);
  EXPECT_EQ(data.train_images.rows, 28);
  // MNIST's published class counts (training set): 5,923 zeros, 6,742 ones;
  // the first two training labels are 5 and 0, the first test label is 7.
  std::array<int, 10> train{};
  for (uint8_t label : data.train_labels) ++train.at(label);
  EXPECT_EQ(train[0], 5923);
  EXPECT_EQ(train[1], 6742);
  EXPECT_EQ(data.train_labels[0], 5);
  EXPECT_EQ(data.train_labels[1], 0);
  EXPECT_EQ(data.test_labels[0], 7);
}

}  // namespace
}  // namespace picoml::host
