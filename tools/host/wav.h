// Host WAV reading and writing for the audio tools and tests (libsndfile
// underneath).
// The audio front end wants 16 kHz mono int16: 16-bit files are used as they
// are; other integer or float sample formats are converted by libsndfile;
// stereo (or more channels) is mixed down by averaging; any other rate is
// refused with the sox command that converts it (picoml does not resample:
// a resampler's filter would change the features the model was trained on).
#ifndef PICOML_TOOLS_HOST_WAV_H_
#define PICOML_TOOLS_HOST_WAV_H_

#include <cstdint>
#include <string>
#include <vector>

namespace picoml::host {

struct WavAudio {
  std::vector<int16_t> samples;  // mono, at sample_rate_hz
  int sample_rate_hz = 0;
  int file_channels = 0;           // channels in the file (mixed down to 1)
  int64_t declared_frames = 0;     // frames the header announces
  std::vector<std::string> notes;  // what was done to the audio, for the user
};

// Reads any file libsndfile reads. Throws host::Error (model_file.h) with a
// message saying what is wrong and what to do: missing or unreadable file,
// not audio, no samples, a rate other than `required_rate_hz` (0 = any).
// A file shorter than its header says is read as far as it goes, with a note.
WavAudio ReadWav(const std::string& path, int required_rate_hz = 16000);

// Writes mono 16-bit PCM WAV at `sample_rate_hz`, atomically (a temporary
// file beside `path`, then a rename): a reader never sees half a file.
// Throws host::Error naming the file when it cannot be written.
void WriteWav(const std::string& path, const std::vector<int16_t>& samples,
              int sample_rate_hz = 16000);

}  // namespace picoml::host

#endif  // PICOML_TOOLS_HOST_WAV_H_
