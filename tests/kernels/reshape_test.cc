// RESHAPE: copy, in place (the planner aliases input and output in a
// 2-node model), shape from options or a constant input, refusals.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using host::TfliteBuilder;

TensorSpec Int8(std::vector<int32_t> shape) {
  TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.scales = {0.5f};
  t.zero_points = {1};
  return t;
}

struct Resolver : MutableOpResolver<2> {
  Resolver() {
    EXPECT_TRUE(AddReshape().ok());
    EXPECT_TRUE(AddRelu6().ok());
  }
};

std::vector<uint8_t> ReshapeModel(TensorSpec in, TensorSpec out, std::vector<int32_t> new_shape,
                                  bool as_input = false) {
  TfliteBuilder b;
  const int i = b.AddTensor(std::move(in));
  std::vector<int32_t> inputs = {i};
  if (as_input) {
    TensorSpec s;
    s.type = TensorType::kInt32;
    s.shape = {static_cast<int32_t>(new_shape.size())};
    s.data = host::ToBytes(new_shape);
    inputs.push_back(b.AddTensor(s));
  }
  const int o = b.AddTensor(std::move(out));
  if (as_input)
    b.AddOperator({BuiltinOperator::kReshape, 1, inputs, {o}});
  else
    b.AddOperator({BuiltinOperator::kReshape,
                   1,
                   inputs,
                   {o},
                   schema::BuiltinOptionsType::kReshapeOptions,
                   {OptionField::Int32Vector(schema::reshape_options::kNewShape, new_shape)}});
  b.SetInputs({i});
  b.SetOutputs({o});
  return b.Build();
}

TEST(Reshape, CopiesBytesFromOptionsOrShapeInput) {
  std::vector<int8_t> in(24);
  std::iota(in.begin(), in.end(), -100);
  Resolver resolver;
  for (bool as_input : {false, true}) {
    test::ModelRunner run(ReshapeModel(Int8({2, 3, 4}), Int8({4, 6}), {-1, 6}, as_input), resolver);
    ASSERT_TRUE(run.ok()) << run.error();
    run.SetInput<int8_t>(0, in);
    ASSERT_TRUE(run.Invoke().ok());
    EXPECT_EQ(run.Output<int8_t>(0), in);
  }
}

TEST(Reshape, RunsInPlaceWhenThePlannerAliases) {
  // RELU6 -> RESHAPE -> RELU6: the middle tensor dies at RESHAPE, so the
  // planner gives RESHAPE's input and output one buffer.
  TfliteBuilder b;
  const int in = b.AddTensor(Int8({2, 8}));
  const int mid = b.AddTensor(Int8({2, 8}));
  const int reshaped = b.AddTensor(Int8({4, 4}));
  const int out = b.AddTensor(Int8({4, 4}));
  b.AddOperator({BuiltinOperator::kRelu6, 1, {in}, {mid}});
  b.AddOperator({BuiltinOperator::kReshape, 1, {mid}, {reshaped}});
  b.AddOperator({BuiltinOperator::kRelu6, 1, {reshaped}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  Resolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(run.interpreter().tensor(mid).data, run.interpreter().tensor(reshaped).data);
  std::vector<int8_t> values(16);
  std::iota(values.begin(), values.end(), -5);
  run.SetInput<int8_t>(0, values);
  ASSERT_TRUE(run.Invoke().ok());
  // RELU6 with scale 0.5, zp 1 clamps to [1, 13].
  std::vector<int8_t> expected;
  for (int8_t v : values) expected.push_back(static_cast<int8_t>(std::min(13, std::max(1, +v))));
  EXPECT_EQ(run.Output<int8_t>(0), expected);
}

TEST(ReshapeErrors, Refusals) {
  Resolver resolver;
  test::ModelRunner count(ReshapeModel(Int8({2, 3}), Int8({4, 2}), {4, 2}), resolver);
  EXPECT_EQ(count.code(), StatusCode::kInvalidModel) << count.error();
  test::ModelRunner options(ReshapeModel(Int8({2, 3}), Int8({3, 2}), {2, 3}), resolver);
  EXPECT_EQ(options.code(), StatusCode::kInvalidModel) << options.error();
  test::ModelRunner shape_input(ReshapeModel(Int8({2, 3}), Int8({3, 2}), {6, 1}, true), resolver);
  EXPECT_EQ(shape_input.code(), StatusCode::kInvalidModel) << shape_input.error();
}

}  // namespace
}  // namespace picoml
