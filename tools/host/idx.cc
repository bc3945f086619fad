#include "host/idx.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace picoml::host {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
// Far above any real dataset; keeps a corrupt or hostile gzip from filling memory.
constexpr size_t kMaxBytes = size_t{4} << 30;

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", path, what));
}

std::vector<uint8_t> ReadGzip(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) Fail(path, "cannot open the file");
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file.get(), &code);
      Fail(path, fmt::format("the gzip stream is corrupt or truncated ({}): fetch the file again",
                             message));
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    if (bytes.size() > kMaxBytes) Fail(path, "decompresses to more than 4 GiB: not an IDX file");
  }
  // zlib reports a stream cut short only as an early end; ask it explicitly.
  int code = 0;
  gzerror(file.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END)
    Fail(path, "the gzip stream is truncated: fetch the file again");
  return bytes;
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Checks magic and size, returns the dimension sizes.
std::vector<uint32_t> CheckHeader(const std::string& path, const std::vector<uint8_t>& bytes,
                                  uint32_t magic, const char* kind) {
  const size_t rank = magic & 0xff;
  const size_t header = 4 + 4 * rank;
  auto too_short = [&] {
    Fail(path, fmt::format("has {} bytes, too short for an IDX {} header ({} bytes): the file is "
                           "truncated; fetch it again",
                           bytes.size(), kind, header));
  };
  if (bytes.size() < 4) too_short();
  const uint32_t found = BigEndian32(bytes.data());
  if (found != magic)
    Fail(path, fmt::format("starts with magic 0x{:08x}, expected 0x{:08x} for IDX {} of unsigned "
                           "bytes: this is not an IDX {} file (wrong file given?)",
                           found, magic, kind, kind));
  if (bytes.size() < header) too_short();
  std::vector<uint32_t> dims(rank);
  uint64_t values = 1;
  for (size_t i = 0; i < rank; ++i) {
    dims[i] = BigEndian32(bytes.data() + 4 + 4 * i);
    // Each factor is below 2^32, so check before multiplying to stay in 64 bits.
    if (dims[i] != 0 && values > kMaxBytes / dims[i])
      Fail(path, fmt::format("header declares an absurd size (dimension {} is {})", i, dims[i]));
    values *= dims[i];
  }
  const uint64_t expected = header + values;
  if (bytes.size() != expected) {
    std::string shape = std::to_string(dims[0]);
    for (size_t i = 1; i < rank; ++i) shape += " x " + std::to_string(dims[i]);
    Fail(path, fmt::format("header declares {} {} ({} data bytes + {}-byte header = {} bytes) but "
                           "the contents have {} bytes: the file is {}; fetch it again",
                           shape, kind, values, header, expected, bytes.size(),
                           bytes.size() < expected ? "truncated" : "corrupt"));
  }
  return dims;
}

bool Exists(const std::string& path) { return std::filesystem::is_regular_file(path); }

}  // namespace

std::vector<uint8_t> ReadMaybeGzipped(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(path, "cannot open the file (does it exist and is it readable?)");
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  if (in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    in.close();
    return ReadGzip(path);
  }
  in.clear();
  in.seekg(0);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) Fail(path, "read error");
  return bytes;
}

IdxImages ReadIdxImages(const std::string& path) {
  std::vector<uint8_t> bytes = ReadMaybeGzipped(path);
  const std::vector<uint32_t> dims = CheckHeader(path, bytes, kImagesMagic, "images");
  if (dims[1] == 0 || dims[2] == 0 || dims[1] > 65535 || dims[2] > 65535)
    Fail(path, fmt::format("header declares images of {} x {} pixels", dims[1], dims[2]));
  IdxImages images;
  images.count = dims[0];
  images.rows = static_cast<int>(dims[1]);
  images.cols = static_cast<int>(dims[2]);
  images.pixels.assign(bytes.begin() + 16, bytes.end());
  return images;
}

std::vector<uint8_t> ReadIdxLabels(const std::string& path) {
  std::vector<uint8_t> bytes = ReadMaybeGzipped(path);
  CheckHeader(path, bytes, kLabelsMagic, "labels");
  return std::vector<uint8_t>(bytes.begin() + 8, bytes.end());
}

std::string DefaultMnistDir() {
  if (const char* dir = std::getenv("PICOML_DATA_DIR"); dir && *dir) return dir;
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache)
    return std::string(cache) + "/picoml/mnist";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/picoml/mnist";
}

DatasetFiles LocateDataset(const std::string& dir, const std::string& hint) {
  auto find = [&](const char* name) {
    const std::string plain = dir + "/" + name;
    if (Exists(plain)) return plain;
    if (Exists(plain + ".gz")) return plain + ".gz";
    throw std::runtime_error(
        fmt::format("{}: missing (neither {} nor {}.gz is there): {}", plain, name, name, hint));
  };
  DatasetFiles files;
  files.train_images = find("train-images-idx3-ubyte");
  files.train_labels = find("train-labels-idx1-ubyte");
  files.test_images = find("t10k-images-idx3-ubyte");
  files.test_labels = find("t10k-labels-idx1-ubyte");
  return files;
}

DatasetFiles LocateMnist(const std::string& dir) {
  return LocateDataset(dir, "run scripts/fetch-mnist.sh to fetch MNIST (it caches it in " +
                                DefaultMnistDir() + ", or in $PICOML_DATA_DIR if set)");
}

DatasetFiles LocateFashionMnist(const std::string& dir) {
  return LocateDataset(dir,
                       "install Debian's dataset-fashion-mnist package "
                       "(apt-get install dataset-fashion-mnist)");
}

Dataset LoadDataset(const DatasetFiles& files, bool read_test) {
  Dataset data;
  auto check = [](const IdxImages& images, const std::vector<uint8_t>& labels,
                  const std::string& labels_path, const std::string& images_path) {
    if (static_cast<int64_t>(labels.size()) != images.count)
      Fail(labels_path, fmt::format("has {} labels but {} has {} images: the files do not belong "
                                    "together",
                                    labels.size(), images_path, images.count));
  };
  data.train_images = ReadIdxImages(files.train_images);
  data.train_labels = ReadIdxLabels(files.train_labels);
  check(data.train_images, data.train_labels, files.train_labels, files.train_images);
  if (read_test) {
    data.test_images = ReadIdxImages(files.test_images);
    data.test_labels = ReadIdxLabels(files.test_labels);
    check(data.test_images, data.test_labels, files.test_labels, files.test_images);
    if (data.test_images.rows != data.train_images.rows ||
        data.test_images.cols != data.train_images.cols)
      Fail(files.test_images, fmt::format("has {} x {} images but the training images are {} x {}",
                                          data.test_images.rows, data.test_images.cols,
                                          data.train_images.rows, data.train_images.cols));
  }
  return data;
}

}  // namespace picoml::host
