// Reading 8-bit images for `picoml predict` and the MNIST example, with
// Boost.GIL (PNG through libpng; PGM/PPM through GIL's PNM reader).
//
// Accepted: 8-bit grayscale (PNG colour type 0, PGM P2/P5), used as it is;
// 8-bit RGB (PNG colour type 2, PPM P3/P6) and RGBA (PNG colour type 6),
// converted to gray by Boost.GIL's luminance formula (0.30 R + 0.59 G +
// 0.11 B; RGBA is first multiplied by its alpha). Everything else (16-bit,
// palette, gray+alpha, bitmaps) is refused with a message saying so.
#ifndef PICOML_TOOLS_HOST_IMAGE_H_
#define PICOML_TOOLS_HOST_IMAGE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace picoml::host {

struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // row-major, height * width
  std::string conversion;       // empty, or what was done ("RGB converted to gray")
};

// Throws host::Error naming the file and what is wrong with it.
GrayImage ReadGrayImage(const std::string& path);

// Writes an 8-bit grayscale PNG or binary PGM (by the path's extension,
// ".pgm" = PGM), via a temporary file and a rename.
void WriteGrayImage(const std::string& path, const GrayImage& image);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_IMAGE_H_
