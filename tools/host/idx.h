// IDX files: the format of MNIST and Fashion-MNIST (http://yann.lecun.com/
// exdb/mnist/). A big-endian header — two zero bytes, a type byte (0x08 =
// unsigned byte), the number of dimensions — then one 32-bit big-endian size
// per dimension, then the values in row-major order. Files may be gzipped.
//
// Every reader checks the header against the file and throws
// std::runtime_error naming the file, what was wrong and what to do.
#ifndef PICOML_TOOLS_HOST_IDX_H_
#define PICOML_TOOLS_HOST_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

namespace picoml::host {

// Images from an idx3-ubyte file (magic 0x00000803): `count` images of
// rows x cols pixels, 0 = background, stored image after image, row-major.
struct IdxImages {
  int64_t count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols

  const uint8_t* image(int64_t i) const { return pixels.data() + i * rows * cols; }
};

IdxImages ReadIdxImages(const std::string& path);

// Labels from an idx1-ubyte file (magic 0x00000801).
std::vector<uint8_t> ReadIdxLabels(const std::string& path);

// The whole contents of a file, gunzipped when it starts with the gzip magic.
std::vector<uint8_t> ReadMaybeGzipped(const std::string& path);

// The four files of an MNIST-style dataset.
struct DatasetFiles {
  std::string train_images, train_labels, test_images, test_labels;
};

// An MNIST-style dataset in memory, labels checked against the images.
struct Dataset {
  IdxImages train_images, test_images;
  std::vector<uint8_t> train_labels, test_labels;
};

// Where scripts/fetch-mnist.sh caches the standard MNIST: $PICOML_DATA_DIR
// if set, else ${XDG_CACHE_HOME:-$HOME/.cache}/picoml/mnist.
std::string DefaultMnistDir();

// Debian's dataset-fashion-mnist package installs its four gzipped files here.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The four files in `dir`, named as LeCun's distribution names them
// (train-images-idx3-ubyte, ..., t10k-labels-idx1-ubyte), each either plain
// or with a .gz suffix. Throws, saying how to get the data, if one is missing.
// `hint` is what to do when files are missing (e.g. run a fetch script).
DatasetFiles LocateDataset(const std::string& dir, const std::string& hint);

DatasetFiles LocateMnist(const std::string& dir = DefaultMnistDir());
DatasetFiles LocateFashionMnist(const std::string& dir = kFashionMnistDir);

// Reads the four files; throws if the label counts differ from the image
// counts, or the training and test images differ in size.
// `read_test` false leaves the test set empty (it is for final figures only).
Dataset LoadDataset(const DatasetFiles& files, bool read_test = true);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_IDX_H_
