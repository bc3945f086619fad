// DEQUANTIZE: scale * (q - zero_point) rounded to float once, zero points at
// both ends, errors.
#include <gtest/gtest.h>

#include "kernels/single_op_model.h"
#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using test::FloatTensor;
using test::Int8Tensor;
using test::ModelRunner;

std::vector<uint8_t> DequantizeModel(TensorSpec in, TensorSpec out) {
  return test::SingleOpModel(BuiltinOperator::kDequantize, std::move(in), std::move(out),
                             schema::BuiltinOptionsType::kNone, {});
}

class DequantizeResolver : public MutableOpResolver<1> {
 public:
  DequantizeResolver() { EXPECT_TRUE(AddDequantize().ok()); }
};

std::vector<float> Dequantize(float scale, int zero_point, const std::vector<int8_t>& in) {
  DequantizeResolver resolver;
  const int32_t n = static_cast<int32_t>(in.size());
  ModelRunner run(DequantizeModel(Int8Tensor({n}, scale, zero_point), FloatTensor({n})), resolver);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<int8_t>(0, in);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<float>(0);
}

TEST(Dequantize, ZeroPointsAtBothEnds) {
  EXPECT_EQ(Dequantize(0.5f, -128, {-128, 127, 0}), (std::vector<float>{0.0f, 127.5f, 64.0f}));
  EXPECT_EQ(Dequantize(0.5f, 127, {-128, 127, 0}), (std::vector<float>{-127.5f, 0.0f, -63.5f}));
}

// 0.1f * 3 in exact arithmetic is 0.3000000044703..., whose nearest float is
// 0.3f; 0.0371f * -121 rounds to the float nearest -4.4891.
TEST(Dequantize, ProductIsRoundedOnce) {
  const std::vector<float> out = Dequantize(0.1f, 0, {3, -7});
  EXPECT_EQ(out[0], 0.3f);
  EXPECT_EQ(out[1], static_cast<float>(static_cast<double>(0.1f) * -7.0));
  EXPECT_EQ(Dequantize(0.0371f, -7, {-128})[0],
            static_cast<float>(static_cast<double>(0.0371f) * -121.0));
}

TEST(Dequantize, PlanRefusesBadNodes) {
  DequantizeResolver resolver;
  ModelRunner float_in(DequantizeModel(FloatTensor({4}), FloatTensor({4})), resolver);
  EXPECT_EQ(float_in.code(), StatusCode::kUnsupported) << float_in.error();
  ModelRunner int8_out(DequantizeModel(Int8Tensor({4}, 1, 0), Int8Tensor({4}, 1, 0)), resolver);
  EXPECT_EQ(int8_out.code(), StatusCode::kUnsupported) << int8_out.error();
  TensorSpec per_channel = Int8Tensor({1, 2}, 1, 0);
  per_channel.scales = {1.0f, 2.0f};
  per_channel.zero_points = {0, 0};
  per_channel.quantized_dimension = 1;
  ModelRunner channels(DequantizeModel(per_channel, FloatTensor({1, 2})), resolver);
  EXPECT_EQ(channels.code(), StatusCode::kUnsupported) << channels.error();
  ModelRunner shape(DequantizeModel(Int8Tensor({4}, 1, 0), FloatTensor({4, 1})), resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
}

}  // namespace
}  // namespace picoml
