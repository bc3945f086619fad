// The Network module: the reference architecture, Keras's initialisation,
// TensorFlow's SAME padding, and checkpoints.
#include "train/network.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace picoml::train {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("picoml_network_" + std::to_string(getpid()) + "_" + name))
      .string();
}

TEST(Network, ReferenceSpecHas260298Parameters) {
  torch::manual_seed(1);
  Network network(ReferenceMnistSpec());
  // 3*3*1*64+64 + 3*3*64*64+64 + 3*3*64*128+128 + 3*3*128*128+128 + 128*10+10
  EXPECT_EQ(network->ParameterCount(), 640 + 36928 + 73856 + 147584 + 1290);
  EXPECT_EQ(network->ParameterCount(), 260298);
}

TEST(Network, ForwardCollectReturnsEveryLayer) {
  torch::manual_seed(1);
  Network network(ReferenceMnistSpec());
  network->train();
  const std::vector<torch::Tensor> outputs = network->ForwardCollect(torch::rand({2, 1, 28, 28}));
  ASSERT_EQ(outputs.size(), 9u);
  const std::vector<std::vector<int64_t>> shapes = {
      {2, 64, 26, 26}, {2, 64, 24, 24}, {2, 64, 12, 12}, {2, 128, 10, 10}, {2, 128, 8, 8},
      {2, 128},        {2, 128},        {2, 10},         {2, 10}};
  for (size_t i = 0; i < shapes.size(); ++i)
    EXPECT_EQ(outputs[i].sizes().vec(), shapes[i]) << "layer " << i;
  EXPECT_GE(outputs[0].min().item<float>(), 0.0f);                    // fused ReLU
  EXPECT_TRUE(torch::equal(outputs[5], outputs[6]));                  // dropout off
  EXPECT_TRUE(torch::allclose(outputs[8].sum(1), torch::ones({2})));  // softmax
  EXPECT_TRUE(network->is_training());                                // mode restored
  EXPECT_FALSE(outputs[8].requires_grad());
}

// Keras's glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)),
// conv fans = kernel area times input or output channels. Biases start at zero.
TEST(Network, GlorotUniformInitialisationAsKeras) {
  torch::manual_seed(7);
  Network network(ReferenceMnistSpec());
  struct Case {
    size_t layer;
    double fan_in, fan_out;
  };
  for (const Case& c : {Case{0, 9 * 1, 9 * 64}, Case{1, 9 * 64, 9 * 64}, Case{3, 9 * 64, 9 * 128},
                        Case{4, 9 * 128, 9 * 128}, Case{7, 128, 10}}) {
    const double limit = std::sqrt(6.0 / (c.fan_in + c.fan_out));
    const torch::Tensor w = network->weight(c.layer).to(torch::kFloat64);
    EXPECT_LE(w.abs().max().item<double>(), limit) << "layer " << c.layer;
    // A uniform sample reaches near both ends and has variance limit^2 / 3.
    if (w.numel() > 1000) {
      EXPECT_GT(w.max().item<double>(), 0.99 * limit) << "layer " << c.layer;
      EXPECT_LT(w.min().item<double>(), -0.99 * limit) << "layer " << c.layer;
      EXPECT_NEAR(w.var().item<double>(), limit * limit / 3.0, 0.05 * limit * limit / 3.0)
          << "layer " << c.layer;
    }
    EXPECT_EQ(network->bias(c.layer).abs().max().item<float>(), 0.0f) << "layer " << c.layer;
  }
  EXPECT_THROW(network->weight(2), std::out_of_range);  // max pool has none
}

TEST(Network, SeedDecidesTheWeights) {
  torch::manual_seed(3);
  Network a(ReferenceMnistSpec());
  torch::manual_seed(3);
  Network b(ReferenceMnistSpec());
  torch::manual_seed(4);
  Network c(ReferenceMnistSpec());
  EXPECT_TRUE(torch::equal(a->weight(4), b->weight(4)));
  EXPECT_FALSE(torch::equal(a->weight(4), c->weight(4)));
}

NetworkSpec OneConv(bool same, int stride) {
  NetworkSpec spec;
  spec.height = 4;
  spec.width = 4;
  LayerSpec conv;
  conv.kind = LayerKind::kConv2D;
  conv.filters = 1;
  conv.same_padding = same;
  conv.stride = stride;
  spec.layers = {conv};
  return spec;
}

// With an all-ones 3x3 kernel on an all-ones image, each output counts the
// real (unpadded) pixels under the kernel.
torch::Tensor CountCovered(const NetworkSpec& spec) {
  Network network(spec);
  torch::NoGradGuard no_grad;
  network->weight(0).fill_(1.0f);
  return network->forward(torch::ones({1, 1, 4, 4})).squeeze();
}

TEST(Network, SamePaddingStrideOneIsSymmetric) {
  const torch::Tensor out = CountCovered(OneConv(true, 1));
  const torch::Tensor expected = torch::tensor({4.f, 6.f, 6.f, 4.f, 6.f, 9.f, 9.f, 6.f, 6.f, 9.f,
                                                9.f, 6.f, 4.f, 6.f, 6.f, 4.f})
                                     .reshape({4, 4});
  EXPECT_TRUE(torch::equal(out, expected)) << out;
}

// TensorFlow pads SAME with the odd pixel at the bottom/right: a 4x4 input,
// 3x3 kernel, stride 2 gives 2x2 with padding 0 above/left, 1 below/right.
TEST(Network, SamePaddingStrideTwoPadsBottomRightAsTensorFlow) {
  const torch::Tensor out = CountCovered(OneConv(true, 2));
  EXPECT_TRUE(torch::equal(out, torch::tensor({9.f, 6.f, 6.f, 4.f}).reshape({2, 2}))) << out;
  const torch::Tensor valid = CountCovered(OneConv(false, 1));
  EXPECT_TRUE(torch::equal(valid, torch::full({2, 2}, 9.0f))) << valid;
}

TEST(Network, RejectsSpecsItCannotBuild) {
  NetworkSpec spec = OneConv(false, 1);
  spec.layers[0].kernel_h = 5;  // larger than the 4x4 input
  EXPECT_THROW(Network{spec}, std::invalid_argument);
  LayerSpec dense;
  dense.kind = LayerKind::kDense;
  dense.filters = 10;
  spec = OneConv(false, 1);
  spec.layers.push_back(dense);  // dense on a 4-D activation
  EXPECT_THROW(Network{spec}, std::invalid_argument);
}

TEST(Network, SpecJsonRoundTrip) {
  NetworkSpec spec = ReferenceMnistSpec();
  spec.layers[1].same_padding = true;
  spec.layers[1].stride = 2;
  spec.layers[6].rate = 0.25f;
  const NetworkSpec back = SpecFromJson(SpecToJson(spec));
  EXPECT_EQ(back.name, spec.name);
  ASSERT_EQ(back.layers.size(), spec.layers.size());
  EXPECT_TRUE(back.layers[1].same_padding);
  EXPECT_EQ(back.layers[1].stride, 2);
  EXPECT_EQ(back.layers[6].rate, 0.25f);
  EXPECT_EQ(back.layers[8].kind, LayerKind::kSoftmax);
  EXPECT_EQ(back.layers[1].StrideW(), 2);  // square unless the width's is given
}

TEST(Network, UnequalStridesAndPoolsRoundTripAndShapeTheOutput) {
  NetworkSpec spec = ReferenceMnistSpec();
  spec.layers[0].stride = 1;
  spec.layers[0].stride_w = 2;  // 28 x 28 -> 26 x 13
  spec.layers[2].pool = 1;
  spec.layers[2].pool_w = 2;  // after the second conv (24 x 11): 24 x 5
  const NetworkSpec back = SpecFromJson(SpecToJson(spec));
  EXPECT_EQ(back.layers[0].StrideH(), 1);
  EXPECT_EQ(back.layers[0].StrideW(), 2);
  EXPECT_EQ(back.layers[2].PoolH(), 1);
  EXPECT_EQ(back.layers[2].PoolW(), 2);
  Network network(back);
  network->eval();
  const std::vector<torch::Tensor> outputs = network->ForwardCollect(torch::rand({1, 1, 28, 28}));
  EXPECT_EQ(outputs[0].sizes(), (std::vector<int64_t>{1, 64, 26, 13}));
  EXPECT_EQ(outputs[2].sizes(), (std::vector<int64_t>{1, 64, 24, 5}));
  // Checkpoints written before the width's fields existed load as square.
  nlohmann::json old = nlohmann::json::parse(SpecToJson(ReferenceMnistSpec()));
  for (nlohmann::json& layer : old["layers"]) {
    layer.erase("stride_w");
    layer.erase("pool_w");
  }
  const NetworkSpec square = SpecFromJson(old.dump());
  EXPECT_EQ(square.layers[2].PoolW(), 2);
  EXPECT_EQ(square.layers[0].StrideW(), 1);
}

TEST(Checkpoint, RoundTripGivesIdenticalOutputs) {
  torch::manual_seed(11);
  Network network(ReferenceMnistSpec());
  {
    // Non-zero biases too, so that a bias lost on the way would show.
    torch::NoGradGuard no_grad;
    for (torch::Tensor& p : network->parameters()) p.add_(0.01f);
  }
  const std::string path = TempPath("model.pt");
  SaveCheckpoint(network, path);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  Network loaded = LoadCheckpoint(path);
  fs::remove(path);
  EXPECT_EQ(SpecToJson(loaded->spec()), SpecToJson(network->spec()));
  const torch::Tensor x = torch::rand({3, 1, 28, 28});
  const auto a = network->ForwardCollect(x), b = loaded->ForwardCollect(x);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "layer " << i;
}

TEST(Checkpoint, RejectsFilesThatAreNotCheckpoints) {
  const std::string path = TempPath("garbage.pt");
  {
    std::ofstream out(path);
    out << "not a checkpoint";
  }
  try {
    LoadCheckpoint(path);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a picoml checkpoint"), std::string::npos) << e.what();
  }
  fs::remove(path);
  EXPECT_THROW(LoadCheckpoint(TempPath("absent.pt")), std::runtime_error);
}

}  // namespace
}  // namespace picoml::train
