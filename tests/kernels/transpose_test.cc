// TRANSPOSE: 2-D, every 3-D permutation against an index oracle, 4-D
// reversal, 6-D, identity, element sizes 1 and 4, refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using host::TfliteBuilder;

TensorSpec Tensor(TensorType type, std::vector<int32_t> shape) {
  TensorSpec t;
  t.type = type;
  t.shape = std::move(shape);
  if (type == TensorType::kInt8) {
    t.scales = {0.1f};
    t.zero_points = {-3};
  }
  return t;
}

std::vector<uint8_t> TransposeModel(TensorType type, const std::vector<int32_t>& shape,
                                    const std::vector<int32_t>& perm, bool constant = true,
                                    std::vector<int32_t> out_shape = {}) {
  if (out_shape.empty())
    for (int32_t p : perm) out_shape.push_back(shape[p]);
  TfliteBuilder b;
  const int i = b.AddTensor(Tensor(type, shape));
  TensorSpec p;
  p.type = TensorType::kInt32;
  p.shape = {static_cast<int32_t>(perm.size())};
  if (constant) p.data = host::ToBytes(perm);
  const int ip = b.AddTensor(p);
  const int o = b.AddTensor(Tensor(type, out_shape));
  b.AddOperator({BuiltinOperator::kTranspose, 1, {i, ip}, {o}});
  b.SetInputs(constant ? std::vector<int32_t>{i} : std::vector<int32_t>{i, ip});
  b.SetOutputs({o});
  return b.Build();
}

struct Resolver : MutableOpResolver<1> {
  Resolver() { EXPECT_TRUE(AddTranspose().ok()); }
};

template <typename T>
std::vector<T> RunTranspose(const std::vector<uint8_t>& model, const std::vector<T>& input) {
  Resolver resolver;
  test::ModelRunner run(model, resolver);
  EXPECT_TRUE(run.ok()) << run.error();
  if (!run.ok()) return {};
  run.SetInput<T>(0, input);
  EXPECT_TRUE(run.Invoke().ok());
  return run.Output<T>(0);
}

// out[o_0..o_n] = in[i] with i_{perm[k]} = o_k, by explicit coordinates.
template <typename T>
std::vector<T> Expected(const std::vector<int32_t>& shape, const std::vector<int32_t>& perm,
                        const std::vector<T>& in) {
  const int rank = static_cast<int>(shape.size());
  std::vector<int32_t> out_shape;
  for (int32_t p : perm) out_shape.push_back(shape[p]);
  std::vector<T> out(in.size());
  for (size_t o = 0; o < out.size(); ++o) {
    std::vector<int32_t> oc(rank), ic(rank);
    size_t rest = o;
    for (int k = rank - 1; k >= 0; --k) {
      oc[k] = static_cast<int32_t>(rest % out_shape[k]);
      rest /= out_shape[k];
    }
    for (int k = 0; k < rank; ++k) ic[perm[k]] = oc[k];
    size_t i = 0;
    for (int k = 0; k < rank; ++k) i = i * shape[k] + ic[k];
    out[o] = in[i];
  }
  return out;
}

TEST(Transpose, TwoDimensionsByHand) {
  EXPECT_EQ(
      RunTranspose<float>(TransposeModel(TensorType::kFloat32, {2, 3}, {1, 0}), {1, 2, 3, 4, 5, 6}),
      (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(Transpose, EveryThreeDimensionalPermutation) {
  std::vector<int32_t> perm = {0, 1, 2};
  const std::vector<int32_t> shape = {2, 3, 4};
  std::vector<int8_t> in(24);
  std::iota(in.begin(), in.end(), -12);
  do {
    EXPECT_EQ(RunTranspose<int8_t>(TransposeModel(TensorType::kInt8, shape, perm), in),
              Expected(shape, perm, in))
        << perm[0] << perm[1] << perm[2];
  } while (std::next_permutation(perm.begin(), perm.end()));
}

TEST(Transpose, FourDimensionalReversalIdentityAndNhwcToNchw) {
  const std::vector<int32_t> shape = {2, 3, 4, 5};
  std::vector<float> in(120);
  std::iota(in.begin(), in.end(), 0.5f);
  for (const std::vector<int32_t>& perm :
       {std::vector<int32_t>{3, 2, 1, 0}, {0, 1, 2, 3}, {0, 3, 1, 2}, {0, 2, 3, 1}}) {
    EXPECT_EQ(RunTranspose<float>(TransposeModel(TensorType::kFloat32, shape, perm), in),
              Expected(shape, perm, in));
  }
  // Identity is a plain copy.
  EXPECT_EQ(RunTranspose<float>(TransposeModel(TensorType::kFloat32, shape, {0, 1, 2, 3}), in), in);
}

TEST(Transpose, SixDimensions) {
  const std::vector<int32_t> shape = {2, 1, 3, 2, 2, 3};
  const std::vector<int32_t> perm = {5, 3, 0, 4, 2, 1};
  std::vector<int8_t> in(72);
  std::iota(in.begin(), in.end(), -36);
  EXPECT_EQ(RunTranspose<int8_t>(TransposeModel(TensorType::kInt8, shape, perm), in),
            Expected(shape, perm, in));
}

TEST(TransposeErrors, Refusals) {
  Resolver resolver;
  test::ModelRunner runtime(TransposeModel(TensorType::kFloat32, {2, 3}, {1, 0}, false), resolver);
  EXPECT_EQ(runtime.code(), StatusCode::kUnsupported);
  EXPECT_NE(runtime.error().find("constant"), std::string::npos) << runtime.error();
  test::ModelRunner repeated(TransposeModel(TensorType::kFloat32, {2, 2}, {1, 1}, true, {2, 2}),
                             resolver);
  EXPECT_EQ(repeated.code(), StatusCode::kInvalidModel) << repeated.error();
  test::ModelRunner shape(TransposeModel(TensorType::kFloat32, {2, 3}, {1, 0}, true, {2, 3}),
                          resolver);
  EXPECT_EQ(shape.code(), StatusCode::kInvalidModel) << shape.error();
}

}  // namespace
}  // namespace picoml
