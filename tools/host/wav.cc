#include "host/wav.h"

#include <fmt/format.h>
#include <sndfile.h>

#include <cstdio>

#include "host/model_file.h"

namespace picoml::host {

WavAudio ReadWav(const std::string& path, int required_rate_hz) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr)
    throw Error(fmt::format("cannot read audio file '{}': {}", path, sf_strerror(nullptr)));
  struct Closer {
    SNDFILE* f;
    ~Closer() { sf_close(f); }
  } closer{file};

  WavAudio audio;
  audio.sample_rate_hz = info.samplerate;
  audio.file_channels = info.channels;
  audio.declared_frames = info.frames;
  if (info.channels < 1) throw Error(fmt::format("audio file '{}' has no channels", path));
  if (required_rate_hz > 0 && info.samplerate != required_rate_hz)
    throw Error(fmt::format(
        "audio file '{}' is {} Hz; picoml needs {} Hz mono 16-bit (it does not resample, so "
        "that features match training). Convert it: sox '{}' -r {} -c 1 -b 16 out.wav",
        path, info.samplerate, required_rate_hz, path, required_rate_hz));

  const int channels = info.channels;
  std::vector<int16_t> interleaved(static_cast<size_t>(4096) * channels);
  int64_t read_frames = 0;
  while (true) {
    const sf_count_t n = sf_readf_short(file, interleaved.data(), 4096);
    if (n <= 0) break;
    read_frames += n;
    for (sf_count_t f = 0; f < n; ++f) {
      if (channels == 1) {
        audio.samples.push_back(interleaved[static_cast<size_t>(f)]);
        continue;
      }
      int32_t sum = 0;
      for (int c = 0; c < channels; ++c) sum += interleaved[static_cast<size_t>(f * channels + c)];
      audio.samples.push_back(static_cast<int16_t>(sum / channels));
    }
  }
  if (audio.samples.empty())
    throw Error(fmt::format(
        "audio file '{}' has no samples (empty or truncated right after its header)", path));
  if (channels > 1) audio.notes.push_back(fmt::format("mixed {} channels down to mono", channels));
  if ((info.format & SF_FORMAT_SUBMASK) != SF_FORMAT_PCM_16)
    audio.notes.push_back("converted the samples to 16-bit");
  if (info.frames > 0 && read_frames < info.frames)
    audio.notes.push_back(fmt::format("truncated: the header announces {} frames, {} were read",
                                      info.frames, read_frames));
  return audio;
}

void WriteWav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate_hz) {
  const std::string temporary = path + ".tmp";
  SF_INFO info{};
  info.samplerate = sample_rate_hz;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* file = sf_open(temporary.c_str(), SFM_WRITE, &info);
  if (file == nullptr)
    throw Error(fmt::format("cannot write audio file '{}': {}", temporary, sf_strerror(nullptr)));
  const sf_count_t written =
      sf_write_short(file, samples.data(), static_cast<sf_count_t>(samples.size()));
  const std::string write_error = sf_strerror(file);
  if (sf_close(file) != 0 || written != static_cast<sf_count_t>(samples.size())) {
    std::remove(temporary.c_str());
    throw Error(fmt::format("cannot write audio file '{}': {}", temporary, write_error));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw Error(fmt::format("cannot rename '{}' to '{}'", temporary, path));
  }
}

}  // namespace picoml::host
