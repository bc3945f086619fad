// CONCATENATION: every axis of a 3-D pair, negative axis, three inputs,
// int8 with shared quantization, constant inputs, refusals.
#include <gtest/gtest.h>

#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::OptionField;
using host::TensorSpec;
using host::TfliteBuilder;

TensorSpec Tensor(TensorType type, std::vector<int32_t> shape, float scale = 0.25f,
                  int64_t zero_point = -7) {
  TensorSpec t;
  t.type = type;
  t.shape = std::move(shape);
  if (type == TensorType::kInt8) {
    t.scales = {scale};
    t.zero_points = {zero_point};
  }
  return t;
}

std::vector<uint8_t> ConcatModel(std::vector<TensorSpec> inputs, TensorSpec out, int axis,
                                 Activation activation = Activation::kNone) {
  TfliteBuilder b;
  std::vector<int32_t> ids, graph_inputs;
  for (auto& t : inputs) {
    const bool constant = !t.data.empty();
    ids.push_back(b.AddTensor(std::move(t)));
    if (!constant) graph_inputs.push_back(ids.back());
  }
  const int o = b.AddTensor(std::move(out));
  b.AddOperator({BuiltinOperator::kConcatenation,
                 1,
                 ids,
                 {o},
                 schema::BuiltinOptionsType::kConcatenationOptions,
                 {OptionField::Int32(schema::concatenation_options::kAxis, axis),
                  OptionField::Int8(schema::concatenation_options::kFusedActivation,
                                    static_cast<int>(activation))}});
  b.SetInputs(graph_inputs);
  b.SetOutputs({o});
  return b.Build();
}

struct Resolver : MutableOpResolver<1> {
  Resolver() { EXPECT_TRUE(AddConcatenation().ok()); }
};

template <typename T>
std::vector<T> RunConcat(const std::vector<uint8_t>& model, const std::vector<std::vector<T>>& in) {
  Resolver resolver;
  test::ModelRunner run(model, resolver);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  for (size_t i = 0; i < in.size(); ++i) run.SetInput<T>(static_cast<int>(i), in[i]);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<T>(0);
}

// a: [2,2,2] = 0..7, b: the same dims but 2 -> 1 along the axis, values 100+.
TEST(Concatenation, EachAxisAndNegativeAxes) {
  const std::vector<float> a = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<float> b = {100, 101, 102, 103};
  const auto f = TensorType::kFloat32;
  // axis 0: b is [1,2,2].
  const std::vector<float> axis0 = {0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103};
  // axis 1: b is [2,1,2].
  const std::vector<float> axis1 = {0, 1, 2, 3, 100, 101, 4, 5, 6, 7, 102, 103};
  // axis 2: b is [2,2,1].
  const std::vector<float> axis2 = {0, 1, 100, 2, 3, 101, 4, 5, 102, 6, 7, 103};
  EXPECT_EQ(RunConcat<float>(
                ConcatModel({Tensor(f, {2, 2, 2}), Tensor(f, {1, 2, 2})}, Tensor(f, {3, 2, 2}), 0),
                {a, b}),
            axis0);
  EXPECT_EQ(RunConcat<float>(
                ConcatModel({Tensor(f, {2, 2, 2}), Tensor(f, {2, 1, 2})}, Tensor(f, {2, 3, 2}), 1),
                {a, b}),
            axis1);
  EXPECT_EQ(RunConcat<float>(
                ConcatModel({Tensor(f, {2, 2, 2}), Tensor(f, {2, 2, 1})}, Tensor(f, {2, 2, 3}), 2),
                {a, b}),
            axis2);
  EXPECT_EQ(RunConcat<float>(
                ConcatModel({Tensor(f, {2, 2, 2}), Tensor(f, {2, 2, 1})}, Tensor(f, {2, 2, 3}), -1),
                {a, b}),
            axis2);
  EXPECT_EQ(RunConcat<float>(
                ConcatModel({Tensor(f, {2, 2, 2}), Tensor(f, {1, 2, 2})}, Tensor(f, {3, 2, 2}), -3),
                {a, b}),
            axis0);
}

TEST(Concatenation, ThreeInt8InputsOneConstant) {
  const auto i8 = TensorType::kInt8;
  TensorSpec constant = Tensor(i8, {2, 1});
  constant.data = host::ToBytes(std::vector<int8_t>{-128, 127});
  const auto model =
      ConcatModel({Tensor(i8, {2, 2}), constant, Tensor(i8, {2, 3})}, Tensor(i8, {2, 6}), 1);
  EXPECT_EQ(RunConcat<int8_t>(model, {{1, 2, 3, 4}, {10, 11, 12, 13, 14, 15}}),
            (std::vector<int8_t>{1, 2, -128, 10, 11, 12, 3, 4, 127, 13, 14, 15}));
}

TEST(ConcatenationErrors, Refusals) {
  Resolver resolver;
  const auto i8 = TensorType::kInt8;
  const auto f = TensorType::kFloat32;
  test::ModelRunner quant(ConcatModel({Tensor(i8, {2}), Tensor(i8, {2}, 0.5f)}, Tensor(i8, {4}), 0),
                          resolver);
  EXPECT_EQ(quant.code(), StatusCode::kUnsupported);
  EXPECT_NE(quant.error().find("scale or zero point"), std::string::npos) << quant.error();
  test::ModelRunner zp(
      ConcatModel({Tensor(i8, {2}), Tensor(i8, {2}, 0.25f, 0)}, Tensor(i8, {4}), 0), resolver);
  EXPECT_EQ(zp.code(), StatusCode::kUnsupported) << zp.error();
  test::ModelRunner act(
      ConcatModel({Tensor(f, {2}), Tensor(f, {2})}, Tensor(f, {4}), 0, Activation::kRelu),
      resolver);
  EXPECT_EQ(act.code(), StatusCode::kUnsupported) << act.error();
  test::ModelRunner axis(ConcatModel({Tensor(f, {2}), Tensor(f, {2})}, Tensor(f, {4}), 1),
                         resolver);
  EXPECT_EQ(axis.code(), StatusCode::kInvalidModel) << axis.error();
  test::ModelRunner sizes(ConcatModel({Tensor(f, {2, 2}), Tensor(f, {3, 2})}, Tensor(f, {2, 4}), 1),
                          resolver);
  EXPECT_EQ(sizes.code(), StatusCode::kInvalidModel) << sizes.error();
  test::ModelRunner total(ConcatModel({Tensor(f, {2}), Tensor(f, {2})}, Tensor(f, {5}), 0),
                          resolver);
  EXPECT_EQ(total.code(), StatusCode::kInvalidModel) << total.error();
}

}  // namespace
}  // namespace picoml
