// The front end's defaults against the preprocessor model they reproduce:
// every table equals the model's constant tensor, every parameter its
// custom op's option; the computed tables equal a double-precision
// computation on this host.
#include <flatbuffers/flexbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "audio/audio_test_data.h"
#include "audio/signal_stages.h"
#include "picoml/audio_frontend.h"
#include "picoml/flatbuffer.h"
#include "picoml/schema.h"

namespace picoml {
namespace {

namespace fb = schema;

// Reads tensors and custom options straight from the flatbuffer: the model
// has UINT32/UINT64 tensors, which picoml::Model (an int8 runtime) refuses.
class PreprocessorModel {
 public:
  PreprocessorModel() : bytes_(test::ReadBytes(test::ModelPath("audio_preprocessor_int8.tflite"))) {
    const FlatTable root = FlatTable::Root(bytes_.data(), bytes_.size());
    buffers_ = root.Vector(fb::model::kBuffers);
    codes_ = root.Vector(fb::model::kOperatorCodes);
    const FlatTable graph = root.Vector(fb::model::kSubgraphs).Table(0);
    tensors_ = graph.Vector(fb::subgraph::kTensors);
    operators_ = graph.Vector(fb::subgraph::kOperators);
  }
  bool ok() const { return !bytes_.empty(); }

  std::vector<int16_t> Int16Tensor(const std::string& name) const {
    for (uint32_t t = 0; t < tensors_.size(); ++t) {
      const FlatTable tensor = tensors_.Table(t);
      if (!tensor.String(fb::tensor::kName).Equals(name.c_str())) continue;
      const FlatVector data =
          buffers_.Table(tensor.Scalar<uint32_t>(fb::tensor::kBuffer)).Vector(fb::buffer::kData);
      std::vector<int16_t> values(data.size() / 2);
      for (uint32_t i = 0; i < values.size(); ++i)
        values[i] = ReadLittleEndian<int16_t>(data.data() + 2 * i);
      return values;
    }
    return {};
  }
  int32_t Int32Scalar(const std::string& name) const {
    for (uint32_t t = 0; t < tensors_.size(); ++t) {
      const FlatTable tensor = tensors_.Table(t);
      if (!tensor.String(fb::tensor::kName).Equals(name.c_str())) continue;
      const FlatVector data =
          buffers_.Table(tensor.Scalar<uint32_t>(fb::tensor::kBuffer)).Vector(fb::buffer::kData);
      return ReadLittleEndian<int32_t>(data.data());
    }
    ADD_FAILURE() << "no tensor " << name;
    return 0;
  }
  // The custom options (a flexbuffer map) of the operator with this custom code.
  std::map<std::string, int64_t> Options(const std::string& custom_code) const {
    std::map<std::string, int64_t> options;
    for (uint32_t o = 0; o < operators_.size(); ++o) {
      const FlatTable op = operators_.Table(o);
      const FlatTable code = codes_.Table(op.Scalar<uint32_t>(fb::op::kOpcodeIndex));
      if (!code.String(fb::operator_code::kCustomCode).Equals(custom_code.c_str())) continue;
      const FlatVector raw = op.Vector(fb::op::kCustomOptions);
      const flexbuffers::Map map = flexbuffers::GetRoot(raw.data(), raw.size()).AsMap();
      const flexbuffers::TypedVector keys = map.Keys();
      for (size_t i = 0; i < keys.size(); ++i)
        options[keys[i].AsKey()] = map[keys[i].AsKey()].AsInt64();
      return options;
    }
    ADD_FAILURE() << "no operator " << custom_code;
    return options;
  }

 private:
  std::vector<uint8_t> bytes_;
  FlatVector buffers_, codes_, tensors_, operators_;
};

class FrontendDefaults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!model_.ok())
      GTEST_SKIP() << "no audio_preprocessor_int8.tflite under " << PICOML_SHARED_DIR;
  }
  PreprocessorModel model_;
  AudioFrontendConfig config_;
};

template <typename T>
std::vector<int16_t> Values(const T* table, size_t n) {
  return std::vector<int16_t>(table, table + n);
}

TEST_F(FrontendDefaults, TablesAreTheModelsConstants) {
  EXPECT_EQ(Values(config_.window, 480), model_.Int16Tensor("Const"));
  EXPECT_EQ(Values(config_.pcan_gain_lut, 125), model_.Int16Tensor("signal_pcan/Const"));
  const MelFilterBank& bank = config_.filter_bank;
  EXPECT_EQ(Values(bank.weights, 316), model_.Int16Tensor("signal_filter_bank/Const"));
  EXPECT_EQ(Values(bank.unweights, 316), model_.Int16Tensor("signal_filter_bank/Const_1"));
  EXPECT_EQ(Values(bank.frequency_starts, 41), model_.Int16Tensor("signal_filter_bank/Const_2"));
  EXPECT_EQ(Values(bank.weight_starts, 41), model_.Int16Tensor("signal_filter_bank/Const_3"));
  EXPECT_EQ(Values(bank.widths, 41), model_.Int16Tensor("signal_filter_bank/Const_4"));
}

TEST_F(FrontendDefaults, ParametersAreTheModelsOptions) {
  EXPECT_EQ(model_.Options("SignalWindow")["shift"], config_.window_shift);
  EXPECT_EQ(model_.Options("SignalRfft")["fft_length"], config_.fft_length);
  auto energy = model_.Options("SignalEnergy");
  EXPECT_EQ(energy["start_index"], config_.spectrum_start_bin);
  EXPECT_EQ(energy["end_index"], config_.spectrum_end_bin);
  EXPECT_EQ(model_.Options("SignalFilterBank")["num_channels"], config_.filter_bank.num_channels);
  auto noise = model_.Options("SignalFilterBankSpectralSubtraction");
  EXPECT_EQ(noise["smoothing_bits"], config_.smoothing_bits);
  EXPECT_EQ(noise["spectral_subtraction_bits"], config_.spectral_subtraction_bits);
  EXPECT_EQ(noise["smoothing"], config_.smoothing);
  EXPECT_EQ(noise["one_minus_smoothing"], config_.one_minus_smoothing);
  EXPECT_EQ(noise["alternate_smoothing"], config_.alternate_smoothing);
  EXPECT_EQ(noise["alternate_one_minus_smoothing"], config_.alternate_one_minus_smoothing);
  EXPECT_EQ(noise["min_signal_remaining"], config_.min_signal_remaining);
  EXPECT_EQ(noise["clamping"], config_.clamping ? 1 : 0);
  EXPECT_EQ(model_.Options("SignalPCAN")["snr_shift"], config_.pcan_snr_shift);
  auto log = model_.Options("SignalFilterBankLog");
  EXPECT_EQ(log["input_correction_bits"], config_.log_input_correction_bits);
  EXPECT_EQ(log["output_scale"], config_.log_output_scale);
  // The int8 step: Mul by Const1, Add Cast_3, TruncateDiv by Const_1, Add Const_2.
  EXPECT_EQ(model_.Int32Scalar("Const1"), config_.feature_multiplier);
  EXPECT_EQ(model_.Int32Scalar("Cast_3"), config_.feature_divisor / 2);
  EXPECT_EQ(model_.Int32Scalar("Const_1"), config_.feature_divisor);
  EXPECT_EQ(model_.Int32Scalar("Const_2"), config_.feature_zero_point);
}

TEST(FrontendTables, ComputedTablesMatchDoublePrecision) {
  for (int i = 0; i < 480; ++i)
    EXPECT_EQ(kHannWindow480[i],
              std::lround(4096 * (0.5 - 0.5 * std::cos(2 * M_PI * (i + 0.5) / 480))))
        << i;
  for (int k = 0; k < 256; ++k) {
    const double phase = -2 * M_PI * k / 256;
    EXPECT_EQ(audio::kFftTwiddles256[2 * k], std::floor(0.5 + 32767 * std::cos(phase))) << k;
    EXPECT_EQ(audio::kFftTwiddles256[2 * k + 1], std::floor(0.5 + 32767 * std::sin(phase))) << k;
  }
  for (int k = 0; k < 128; ++k) {
    const double phase = -M_PI * ((k + 1) / 256.0 + 0.5);
    EXPECT_EQ(audio::kRealFftTwiddles128[2 * k], std::floor(0.5 + 32767 * std::cos(phase))) << k;
    EXPECT_EQ(audio::kRealFftTwiddles128[2 * k + 1], std::floor(0.5 + 32767 * std::sin(phase)))
        << k;
  }
  for (int k = 0; k <= 128; ++k)
    EXPECT_EQ(audio::kLogCorrection[k], std::lround(65536 * (std::log2(1 + k / 128.0) - k / 128.0)))
        << k;
}

TEST(AudioFrontend, RefusesBadConfigsWithAReason) {
  static AudioFrontendState state;
  AudioFrontend frontend;
  AudioFrontendConfig config;
  config.fft_length = 256;
  Status status = AudioFrontend::Create(config, &state, &frontend);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("fft_length"), std::string::npos);
  config = AudioFrontendConfig();
  config.filter_bank.num_channels = 65;
  EXPECT_FALSE(AudioFrontend::Create(config, &state, &frontend).ok());
  config = AudioFrontendConfig();
  config.spectrum_end_bin = 300;
  EXPECT_FALSE(AudioFrontend::Create(config, &state, &frontend).ok());
  const int16_t wide[41] = {250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250,
                            250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250,
                            250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250};
  config = AudioFrontendConfig();
  config.filter_bank.frequency_starts = wide;  // 250 + width 4..16 runs past bin 256
  status = AudioFrontend::Create(config, &state, &frontend);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("outside the spectrum"), std::string::npos)
      << status.message();
  // A negative weight (the 64-bit sums treat weights as 16-bit fractions).
  config = AudioFrontendConfig();
  std::vector<int16_t> weights(config.filter_bank.weights,
                               config.filter_bank.weights + config.filter_bank.weight_count);
  weights[config.filter_bank.weight_starts[3]] = -1;
  config.filter_bank.weights = weights.data();
  status = AudioFrontend::Create(config, &state, &frontend);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("out of range (-1"), std::string::npos)
      << status.message();
  weights[config.filter_bank.weight_starts[3]] = 4097;  // above 1.0 in Q12
  status = AudioFrontend::Create(config, &state, &frontend);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("out of range (4097"), std::string::npos)
      << status.message();
  EXPECT_FALSE(AudioFrontend::Create(AudioFrontendConfig(), nullptr, &frontend).ok());
  AudioFrontend unused;
  size_t consumed;
  bool ready;
  int8_t features[40];
  EXPECT_EQ(unused.Push(nullptr, 0, &consumed, features, &ready).code(),
            StatusCode::kFailedPrecondition);
}

TEST(AudioFrontend, StateSizeIsKnown) {
  // The front end's whole RAM; printed for the record.
  std::printf("sizeof(AudioFrontendState) = %zu, sizeof(AudioFrontend) = %zu\n",
              sizeof(AudioFrontendState), sizeof(AudioFrontend));
  EXPECT_LE(sizeof(AudioFrontendState), 4096u);
}

}  // namespace
}  // namespace picoml
