#include "train/history_plot.h"

#include <fmt/format.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace picoml::train {
namespace {

struct Color {
  uint8_t r, g, b;
};
constexpr Color kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrid{225, 225, 225};
constexpr Color kTrain{31, 119, 180}, kValidation{255, 127, 14};  // matplotlib's first two

// A 5x7 bitmap font for the few characters the plot writes; each row is
// five bits, most significant (bit 4) on the left.
struct Glyph {
  char c;
  std::array<uint8_t, 7> rows;
};
constexpr Glyph kFont[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'N', {0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'Y', {0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04}},
};
constexpr int kScale = 2;             // font pixels per glyph dot
constexpr int kAdvance = 6 * kScale;  // glyph width plus one column of space
constexpr int kTextHeight = 7 * kScale;

class Canvas {
 public:
  Canvas(int width, int height) : width_(width), height_(height), rgb_(3 * width * height, 255) {}

  void Set(int x, int y, Color c) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
    uint8_t* p = &rgb_[3 * (static_cast<size_t>(y) * width_ + x)];
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
  void Fill(int x0, int y0, int x1, int y1, Color c) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) Set(x, y, c);
  }
  // Bresenham, drawn `thickness` pixels wide by stamping squares.
  void Line(int x0, int y0, int x1, int y1, Color c, int thickness = 1) {
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int error = dx + dy;
    const int lo = -(thickness - 1) / 2, hi = thickness / 2;
    for (;;) {
      Fill(x0 + lo, y0 + lo, x0 + hi, y0 + hi, c);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * error;
      if (e2 >= dy) error += dy, x0 += sx;
      if (e2 <= dx) error += dx, y0 += sy;
    }
  }
  void Text(int x, int y, const std::string& text, Color c) {
    for (char ch : text) {
      for (const Glyph& glyph : kFont) {
        if (glyph.c != ch) continue;
        for (int row = 0; row < 7; ++row)
          for (int col = 0; col < 5; ++col)
            if (glyph.rows[row] & (0x10 >> col))
              Fill(x + col * kScale, y + row * kScale, x + col * kScale + kScale - 1,
                   y + row * kScale + kScale - 1, c);
      }
      x += kAdvance;
    }
  }
  static int TextWidth(const std::string& text) { return static_cast<int>(text.size()) * kAdvance; }

  int width() const { return width_; }
  int height() const { return height_; }
  const uint8_t* row(int y) const { return &rgb_[3 * static_cast<size_t>(y) * width_]; }

 private:
  int width_, height_;
  std::vector<uint8_t> rgb_;
};

// One panel: two curves over epochs 1..n in the box whose top-left corner is
// (left, top).
void DrawPanel(Canvas& canvas, int left, int top, int width, int height, const std::string& title,
               const std::vector<double>& train, const std::vector<double>& validation) {
  constexpr int kMarginLeft = 80, kMarginRight = 20, kMarginTop = 40, kMarginBottom = 50;
  const int x0 = left + kMarginLeft, x1 = left + width - kMarginRight;
  const int y0 = top + kMarginTop, y1 = top + height - kMarginBottom;
  const size_t n = train.size();

  double low = std::min(*std::min_element(train.begin(), train.end()),
                        *std::min_element(validation.begin(), validation.end()));
  double high = std::max(*std::max_element(train.begin(), train.end()),
                         *std::max_element(validation.begin(), validation.end()));
  if (!std::isfinite(low) || !std::isfinite(high)) low = 0.0, high = 1.0;
  const double pad = std::max((high - low) * 0.05, 1e-4);
  low -= pad, high += pad;

  auto px = [&](size_t epoch_index) {
    return n <= 1 ? (x0 + x1) / 2
                  : x0 + static_cast<int>(std::lround(static_cast<double>(epoch_index) * (x1 - x0) /
                                                      static_cast<double>(n - 1)));
  };
  auto py = [&](double value) {
    return y1 - static_cast<int>(std::lround((value - low) / (high - low) * (y1 - y0)));
  };

  // Horizontal grid lines with their values; decimals enough to tell them apart.
  constexpr int kTicks = 5;
  const double span = high - low;
  const int decimals =
      std::clamp(static_cast<int>(std::ceil(-std::log10(span / kTicks))) + 1, 1, 5);
  for (int i = 0; i <= kTicks; ++i) {
    const double value = low + span * i / kTicks;
    const int y = py(value);
    canvas.Line(x0, y, x1, y, kGrid);
    const std::string label = fmt::format("{:.{}f}", value, decimals);
    canvas.Text(x0 - 8 - Canvas::TextWidth(label), y - kTextHeight / 2, label, kBlack);
  }
  // Epoch ticks: at most about ten labels.
  const size_t every = std::max<size_t>(1, (n + 9) / 10);
  for (size_t i = 0; i < n; i += every) {
    const int x = px(i);
    canvas.Line(x, y1, x, y1 + 5, kBlack);
    const std::string label = std::to_string(i + 1);
    canvas.Text(x - Canvas::TextWidth(label) / 2, y1 + 10, label, kBlack);
  }
  canvas.Line(x0, y1, x1, y1, kBlack);
  canvas.Line(x0, y0, x0, y1, kBlack);
  canvas.Text((x0 + x1 - Canvas::TextWidth("EPOCH")) / 2, y1 + 30, "EPOCH", kBlack);
  canvas.Text(x0, top + 12, title, kBlack);

  auto curve = [&](const std::vector<double>& values, Color color) {
    for (size_t i = 0; i < n; ++i) {
      canvas.Fill(px(i) - 3, py(values[i]) - 3, px(i) + 3, py(values[i]) + 3, color);
      if (i > 0) canvas.Line(px(i - 1), py(values[i - 1]), px(i), py(values[i]), color, 2);
    }
  };
  curve(train, kTrain);
  curve(validation, kValidation);

  // Legend, top right.
  const int legend_x = x1 - Canvas::TextWidth("TRAIN") - 30;
  canvas.Fill(legend_x, top + 12, legend_x + 16, top + 12 + kTextHeight - 1, kTrain);
  canvas.Text(legend_x + 22, top + 12, "TRAIN", kBlack);
  canvas.Fill(legend_x - 90, top + 12, legend_x - 74, top + 12 + kTextHeight - 1, kValidation);
  canvas.Text(legend_x - 68, top + 12, "VAL", kBlack);
}

void WritePng(const Canvas& canvas, const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw std::runtime_error(path + ": cannot create the file");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    throw std::runtime_error(path + ": libpng failed to write the plot");
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, canvas.width(), canvas.height(), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < canvas.height(); ++y)
    png_write_row(png, const_cast<png_bytep>(canvas.row(y)));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(file) != 0) throw std::runtime_error(path + ": cannot write the file");
}

}  // namespace

void WriteHistoryPng(const std::vector<EpochRecord>& history, const std::string& path) {
  if (history.empty()) throw std::invalid_argument("no epochs to plot");
  std::vector<double> loss, val_loss, accuracy, val_accuracy;
  for (const EpochRecord& record : history) {
    loss.push_back(record.loss);
    val_loss.push_back(record.val_loss);
    accuracy.push_back(record.accuracy);
    val_accuracy.push_back(record.val_accuracy);
  }
  constexpr int kPanelWidth = 520, kHeight = 400;
  Canvas canvas(2 * kPanelWidth, kHeight);
  DrawPanel(canvas, 0, 0, kPanelWidth, kHeight, "LOSS", loss, val_loss);
  DrawPanel(canvas, kPanelWidth, 0, kPanelWidth, kHeight, "ACCURACY", accuracy, val_accuracy);
  const std::string temporary = path + ".tmp";
  try {
    WritePng(canvas, temporary);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace picoml::train
