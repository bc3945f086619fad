// SQUEEZE: all unit dimensions, listed (and negative) dimensions, in place,
// refusals.
#include <gtest/gtest.h>

#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using host::TfliteBuilder;

TensorSpec Float(std::vector<int32_t> shape) {
  TensorSpec t;
  t.type = TensorType::kFloat32;
  t.shape = std::move(shape);
  return t;
}

std::vector<uint8_t> SqueezeModel(TensorSpec in, TensorSpec out, std::vector<int32_t> dims) {
  TfliteBuilder b;
  const int i = b.AddTensor(std::move(in));
  const int o = b.AddTensor(std::move(out));
  b.AddOperator({BuiltinOperator::kSqueeze,
                 1,
                 {i},
                 {o},
                 schema::BuiltinOptionsType::kSqueezeOptions,
                 {OptionField::Int32Vector(schema::squeeze_options::kSqueezeDims, dims)}});
  b.SetInputs({i});
  b.SetOutputs({o});
  return b.Build();
}

struct Resolver : MutableOpResolver<2> {
  Resolver() {
    EXPECT_TRUE(AddSqueeze().ok());
    EXPECT_TRUE(AddRelu().ok());
  }
};

TEST(Squeeze, AllOrListedUnitDimensions) {
  Resolver resolver;
  const std::vector<float> values = {1, -2, 3};
  for (const auto& [out_shape, dims] :
       std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>>{
           {{3}, {}}, {{3, 1}, {0, 1}}, {{1, 3, 1}, {-4}}, {{1, 3}, {3, -4}}}) {
    test::ModelRunner run(SqueezeModel(Float({1, 1, 3, 1}), Float(out_shape), dims), resolver);
    ASSERT_TRUE(run.ok()) << run.error();
    run.SetInput<float>(0, values);
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<float>(0), values);
  }
}

TEST(Squeeze, RunsInPlace) {
  TfliteBuilder b;
  const int in = b.AddTensor(Float({1, 4}));
  const int mid = b.AddTensor(Float({1, 4}));
  const int squeezed = b.AddTensor(Float({4}));
  const int out = b.AddTensor(Float({4}));
  b.AddOperator({BuiltinOperator::kRelu, 1, {in}, {mid}});
  b.AddOperator({BuiltinOperator::kSqueeze, 1, {mid}, {squeezed}});
  b.AddOperator({BuiltinOperator::kRelu, 1, {squeezed}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  Resolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(run.interpreter().tensor(mid).data, run.interpreter().tensor(squeezed).data);
  run.SetInput<float>(0, {-1, 2, -3, 4});
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<float>(0), (std::vector<float>{0, 2, 0, 4}));
}

TEST(SqueezeErrors, Refusals) {
  Resolver resolver;
  test::ModelRunner not_unit(SqueezeModel(Float({2, 1}), Float({1}), {0}), resolver);
  EXPECT_EQ(not_unit.code(), StatusCode::kInvalidModel) << not_unit.error();
  test::ModelRunner range(SqueezeModel(Float({2, 1}), Float({2}), {2}), resolver);
  EXPECT_EQ(range.code(), StatusCode::kInvalidModel) << range.error();
  test::ModelRunner shape(SqueezeModel(Float({2, 1}), Float({2, 1}), {}), resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
}

}  // namespace
}  // namespace picoml
