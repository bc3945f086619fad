#include "host/image.h"

#include <algorithm>
#include <boost/gil.hpp>
#include <boost/gil/extension/io/png.hpp>
#include <boost/gil/extension/io/pnm.hpp>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "host/model_file.h"

namespace picoml::host {
namespace {

namespace gil = boost::gil;

enum class Format { kPng, kPnm, kUnknown };

Format Sniff(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open image '" + path + "': " + std::strerror(errno));
  unsigned char magic[8] = {};
  in.read(reinterpret_cast<char*>(magic), sizeof(magic));
  const std::streamsize got = in.gcount();
  static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (got == 8 && std::memcmp(magic, kPng, 8) == 0) return Format::kPng;
  if (got >= 2 && magic[0] == 'P' && magic[1] >= '1' && magic[1] <= '6') return Format::kPnm;
  return Format::kUnknown;
}

GrayImage FromView(const gil::gray8_image_t& image, std::string conversion) {
  GrayImage out;
  out.width = static_cast<int>(image.width());
  out.height = static_cast<int>(image.height());
  out.pixels.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height));
  auto view = gil::const_view(image);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      out.pixels[static_cast<size_t>(y) * out.width + x] = view(x, y)[0];
  out.conversion = std::move(conversion);
  return out;
}

GrayImage ReadPng(const std::string& path) {
  const auto info = gil::read_image_info(path, gil::png_tag());
  const auto& base = info._info;
  if (base._bit_depth != 8)
    throw Error("image '" + path + "' has " + std::to_string(base._bit_depth) +
                "-bit samples; picoml reads 8-bit PNGs only (save it as 8-bit grayscale)");
  gil::gray8_image_t image;
  switch (base._color_type) {
    case PNG_COLOR_TYPE_GRAY:
      gil::read_image(path, image, gil::png_tag());
      return FromView(image, "");
    case PNG_COLOR_TYPE_RGB:
      gil::read_and_convert_image(path, image, gil::png_tag());
      return FromView(image, "RGB converted to gray (luminance)");
    case PNG_COLOR_TYPE_RGB_ALPHA:
      gil::read_and_convert_image(path, image, gil::png_tag());
      return FromView(image, "RGBA converted to gray (luminance times alpha)");
    default:
      throw Error("image '" + path + "' is a " +
                  (base._color_type == PNG_COLOR_TYPE_PALETTE ? std::string("palette")
                                                              : std::string("gray+alpha")) +
                  " PNG; picoml reads 8-bit grayscale, RGB or RGBA PNGs (save it as 8-bit "
                  "grayscale)");
  }
}

// Boost.GIL reads a truncated PNM without complaint (missing pixels become
// zeros), so the pixel data is counted here first.
void CheckPnmComplete(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 2;
  // Reads the next header/ASCII number, skipping whitespace and # comments.
  auto next_number = [&](long* value) {
    while (at < bytes.size()) {
      if (bytes[at] == '#') {
        while (at < bytes.size() && bytes[at] != '\n') ++at;
      } else if (std::isspace(static_cast<unsigned char>(bytes[at]))) {
        ++at;
      } else {
        break;
      }
    }
    if (at >= bytes.size() || !std::isdigit(static_cast<unsigned char>(bytes[at]))) return false;
    *value = 0;
    while (at < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at])) &&
           *value < 100000000)
      *value = *value * 10 + (bytes[at++] - '0');
    return true;
  };
  long width = 0, height = 0, max_value = 0;
  const char type = bytes.size() > 1 ? bytes[1] : '0';
  if (!next_number(&width) || !next_number(&height) || !next_number(&max_value) || width <= 0 ||
      height <= 0)
    throw Error("image '" + path + "' has a malformed PGM/PPM header");
  const long samples = width * height * (type == '3' || type == '6' ? 3 : 1);
  if (type == '5' || type == '6') {
    const size_t data = bytes.size() - std::min(bytes.size(), at + 1);  // one whitespace byte
    if (static_cast<long>(data) < samples)
      throw Error("image '" + path + "' is truncated: " + std::to_string(data) + " of " +
                  std::to_string(samples) + " pixel bytes");
  } else if (type == '2' || type == '3') {
    long value, count = 0;
    while (count < samples && next_number(&value)) ++count;
    if (count < samples)
      throw Error("image '" + path + "' is truncated: " + std::to_string(count) + " of " +
                  std::to_string(samples) + " pixel values");
  }
}

GrayImage ReadPnm(const std::string& path) {
  CheckPnmComplete(path);
  const auto info = gil::read_image_info(path, gil::pnm_tag());
  const auto& base = info._info;
  if (base._type == 1 || base._type == 4)
    throw Error("image '" + path + "' is a bitmap (PBM); picoml reads 8-bit PGM or PPM files");
  if (base._max_value != 255)
    throw Error("image '" + path + "' has maximum value " + std::to_string(base._max_value) +
                "; picoml reads 8-bit PGM/PPM files (maximum value 255)");
  gil::gray8_image_t image;
  if (base._type == 2 || base._type == 5) {
    gil::read_image(path, image, gil::pnm_tag());
    return FromView(image, "");
  }
  gil::read_and_convert_image(path, image, gil::pnm_tag());
  return FromView(image, "RGB converted to gray (luminance)");
}

}  // namespace

GrayImage ReadGrayImage(const std::string& path) {
  const Format format = Sniff(path);
  if (format == Format::kUnknown)
    throw Error("image '" + path + "' is neither a PNG nor a PGM/PPM file");
  try {
    return format == Format::kPng ? ReadPng(path) : ReadPnm(path);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // Boost.GIL reports libpng's and its own parse errors as exceptions.
    throw Error("cannot read image '" + path + "' (corrupt or truncated?): " + e.what());
  }
}

void WriteGrayImage(const std::string& path, const GrayImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height)
    throw Error("cannot write '" + path + "': image size and pixel count disagree");
  const bool pgm = path.size() >= 4 && path.compare(path.size() - 4, 4, ".pgm") == 0;
  const std::string temporary = path + ".tmp";
  try {
    const auto view = gil::interleaved_view(
        image.width, image.height, reinterpret_cast<const gil::gray8_pixel_t*>(image.pixels.data()),
        image.width);
    if (pgm)
      gil::write_view(temporary, view, gil::pnm_tag());
    else
      gil::write_view(temporary, view, gil::png_tag());
  } catch (const std::exception& e) {
    std::remove(temporary.c_str());
    throw Error("cannot write image '" + path + "': " + e.what());
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw Error("cannot rename '" + temporary + "' to '" + path + "'");
  }
}

}  // namespace picoml::host
