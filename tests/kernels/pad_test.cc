// PAD: every border, float (0.0) and int8 (output zero point) fill, int64
// paddings, 5-D, and refusals.
#include <gtest/gtest.h>

#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using host::TfliteBuilder;

TensorSpec Tensor(TensorType type, std::vector<int32_t> shape, int64_t zero_point = 0) {
  TensorSpec t;
  t.type = type;
  t.shape = std::move(shape);
  if (type == TensorType::kInt8) {
    t.scales = {0.5f};
    t.zero_points = {zero_point};
  }
  return t;
}

template <typename P>
std::vector<uint8_t> PadModel(TensorSpec in, const std::vector<P>& paddings, TensorSpec out,
                              bool constant = true) {
  TfliteBuilder b;
  const int i = b.AddTensor(std::move(in));
  TensorSpec p;
  p.type = sizeof(P) == 8 ? TensorType::kInt64 : TensorType::kInt32;
  p.shape = {static_cast<int32_t>(paddings.size() / 2), 2};
  if (constant) p.data = host::ToBytes(paddings);
  const int ip = b.AddTensor(p);
  const int o = b.AddTensor(std::move(out));
  b.AddOperator({BuiltinOperator::kPad, 1, {i, ip}, {o}});
  b.SetInputs(constant ? std::vector<int32_t>{i} : std::vector<int32_t>{i, ip});
  b.SetOutputs({o});
  return b.Build();
}

struct Resolver : MutableOpResolver<1> {
  Resolver() { EXPECT_TRUE(AddPad().ok()); }
};

template <typename T>
std::vector<T> RunPad(const std::vector<uint8_t>& model, const std::vector<T>& input) {
  Resolver resolver;
  test::ModelRunner run(model, resolver);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, input);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<T>(0);
}

TEST(PadInt8, EveryBorderFilledWithTheOutputZeroPoint) {
  // [1,2,2,1] padded (0,1) (1,0) (2,1) (0,1) -> [2,3,5,2]; zero points at both ends.
  for (int zp : {-128, 3, 127}) {
    const auto model =
        PadModel<int32_t>(Tensor(TensorType::kInt8, {1, 2, 2, 1}, zp), {0, 1, 1, 0, 2, 1, 0, 1},
                          Tensor(TensorType::kInt8, {2, 3, 5, 2}, zp));
    const auto out = RunPad<int8_t>(model, {1, 2, 3, 4});
    std::vector<int8_t> expected(2 * 3 * 5 * 2, static_cast<int8_t>(zp));
    // Input (h, w) lands at output (0, 1 + h, 2 + w, 0).
    expected[((0 * 3 + 1) * 5 + 2) * 2] = 1;
    expected[((0 * 3 + 1) * 5 + 3) * 2] = 2;
    expected[((0 * 3 + 2) * 5 + 2) * 2] = 3;
    expected[((0 * 3 + 2) * 5 + 3) * 2] = 4;
    EXPECT_EQ(out, expected) << "zero point " << zp;
  }
}

TEST(PadFloat, TwoDimensionsWithZeros) {
  const auto model = PadModel<int32_t>(Tensor(TensorType::kFloat32, {2, 2}), {1, 0, 0, 2},
                                       Tensor(TensorType::kFloat32, {3, 4}));
  EXPECT_EQ(RunPad<float>(model, {1, 2, 3, 4}),
            (std::vector<float>{0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0}));
}

TEST(PadFloat, Int64PaddingsAndFiveDimensions) {
  const auto model = PadModel<int64_t>(Tensor(TensorType::kFloat32, {1, 1, 1, 1, 2}),
                                       {0, 0, 1, 0, 0, 0, 0, 1, 1, 0},
                                       Tensor(TensorType::kFloat32, {1, 2, 1, 2, 3}));
  EXPECT_EQ(RunPad<float>(model, {7, 8}), (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 7, 8, 0, 0, 0}));
}

TEST(PadErrors, Refusals) {
  Resolver resolver;
  test::ModelRunner negative(PadModel<int32_t>(Tensor(TensorType::kFloat32, {3}), {-1, 0},
                                               Tensor(TensorType::kFloat32, {2})),
                             resolver);
  EXPECT_EQ(negative.code(), StatusCode::kInvalidModel);
  EXPECT_NE(negative.error().find("negative"), std::string::npos) << negative.error();
  test::ModelRunner runtime(PadModel<int32_t>(Tensor(TensorType::kFloat32, {3}), {1, 0},
                                              Tensor(TensorType::kFloat32, {4}), false),
                            resolver);
  EXPECT_EQ(runtime.code(), StatusCode::kUnsupported);
  EXPECT_NE(runtime.error().find("constant"), std::string::npos) << runtime.error();
  test::ModelRunner shape(PadModel<int32_t>(Tensor(TensorType::kFloat32, {3}), {1, 1},
                                            Tensor(TensorType::kFloat32, {4})),
                          resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
}

}  // namespace
}  // namespace picoml
