// Interpreter and planner behaviour, with a tiny test kernel so the runtime is
// checked apart from the real kernels.
#include "picoml/interpreter.h"

#include <gtest/gtest.h>

#include <cstring>

#include "support/model_runner.h"

namespace picoml {
namespace {

using host::TensorSpec;
using host::TfliteBuilder;

// "ADD" stand-in: out = in0 + 1 per int8 byte; asks for 8 bytes of node data
// and 32 of scratch, and checks it gets them.
Status PlanIncrement(const NodeContext& node, KernelMemory* memory) {
  if (node.input_count() != 1 || node.output_count() != 1)
    return Status::Error(StatusCode::kInvalidModel, "wants 1 input and 1 output");
  if (node.input(0).bytes != node.output(0).bytes)
    return Status::Error(StatusCode::kInvalidModel, "sizes differ");
  memory->node_data_bytes = 8;
  memory->scratch_bytes = 32;
  return Status::Ok();
}
Status PrepareIncrement(const NodeContext& node, void* data) {
  const int32_t marker[2] = {static_cast<int32_t>(node.index()), 7};
  memcpy(data, marker, sizeof(marker));
  return Status::Ok();
}
Status EvalIncrement(const NodeContext& node, const void* data, void* scratch) {
  int32_t marker[2];
  memcpy(marker, data, sizeof(marker));
  if (marker[0] != static_cast<int32_t>(node.index()) || marker[1] != 7)
    return Status::Error(StatusCode::kInvalidModel, "node data lost");
  memset(scratch, 0xAB, 32);
  const Tensor in = node.input(0);
  const Tensor out = node.output(0);
  for (size_t i = 0; i < in.bytes; ++i)
    out.data_as<int8_t>()[i] = static_cast<int8_t>(in.data_as<int8_t>()[i] + 1);
  return Status::Ok();
}
const KernelRegistration kIncrement = {BuiltinOperator::kAdd, PlanIncrement, PrepareIncrement,
                                       EvalIncrement, false};

// "RESHAPE" stand-in that copies (and may run in place).
Status PlanCopy(const NodeContext&, KernelMemory*) { return Status::Ok(); }
Status PrepareCopy(const NodeContext&, void*) { return Status::Ok(); }
Status EvalCopy(const NodeContext& node, const void*, void*) {
  const Tensor in = node.input(0);
  const Tensor out = node.output(0);
  if (in.data != out.data) memcpy(out.data, in.data, in.bytes);
  return Status::Ok();
}
const KernelRegistration kCopy = {BuiltinOperator::kReshape, PlanCopy, PrepareCopy, EvalCopy,
                                  true};

TensorSpec Activation(int32_t n) {
  TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = {1, n};
  t.scales = {1.0f};
  t.zero_points = {0};
  return t;
}

// A chain of `nodes` increments over n-byte tensors.
std::vector<uint8_t> Chain(int nodes, int32_t n) {
  TfliteBuilder b;
  int previous = b.AddTensor(Activation(n));
  b.SetInputs({previous});
  for (int i = 0; i < nodes; ++i) {
    const int next = b.AddTensor(Activation(n));
    b.AddOperator({BuiltinOperator::kAdd, 1, {previous}, {next}});
    previous = next;
  }
  b.SetOutputs({previous});
  return b.Build();
}

class TestResolver : public MutableOpResolver<4> {
 public:
  TestResolver() {
    EXPECT_TRUE(Add(kIncrement).ok());
    EXPECT_TRUE(Add(kCopy).ok());
  }
};

TEST(Interpreter, RunsAChainAndReusesMemory) {
  TestResolver resolver;
  test::ModelRunner run(Chain(5, 1000), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  run.SetInput<int8_t>(0, std::vector<int8_t>(1000, 3));
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), std::vector<int8_t>(1000, 8));
  // Six 1000-byte tensors, but at most two are alive at once: offsets 0 and
  // 1008 (16-aligned), then the node's 32 bytes of scratch at 2016.
  const ArenaPlan& plan = run.interpreter().arena_plan();
  EXPECT_EQ(plan.activation_bytes, 2048u);
  // Persistent: 6 offsets (24 -> 24) + 5 records (60 -> 64) + 5 x 8 data.
  EXPECT_EQ(plan.persistent_bytes, 128u);
}

TEST(Interpreter, ArenaTooSmallGivesTheExactFigure) {
  TestResolver resolver;
  const std::vector<uint8_t> bytes = Chain(3, 4000);
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  alignas(16) static uint8_t arena[1 << 16];
  ArenaPlan plan;
  ASSERT_TRUE(Interpreter::Plan(model, resolver, arena, sizeof(arena), &plan).ok());
  Interpreter interpreter;
  Status status = Interpreter::Create(model, resolver, arena, plan.needed_bytes - 1, &interpreter);
  EXPECT_EQ(status.code(), StatusCode::kArenaTooSmall);
  EXPECT_NE(std::string(status.message()).find(std::to_string(plan.needed_bytes)),
            std::string::npos)
      << status.message();
  EXPECT_TRUE(Interpreter::Create(model, resolver, arena, plan.needed_bytes, &interpreter).ok());
}

TEST(Interpreter, MissingKernelNamesTheNodeAndOperator) {
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.Add(kCopy).ok());
  test::ModelRunner run(Chain(2, 10), resolver);
  EXPECT_EQ(run.code(), StatusCode::kUnsupported);
  EXPECT_NE(run.error().find("node 0"), std::string::npos) << run.error();
  EXPECT_NE(run.error().find("ADD"), std::string::npos) << run.error();
}

TEST(Interpreter, InPlaceOutputSharesItsInputBuffer) {
  TfliteBuilder b;
  const int in = b.AddTensor(Activation(64));
  const int mid = b.AddTensor(Activation(64));
  const int reshaped = b.AddTensor(Activation(64));
  const int out = b.AddTensor(Activation(64));
  b.AddOperator({BuiltinOperator::kAdd, 1, {in}, {mid}});
  b.AddOperator({BuiltinOperator::kReshape, 1, {mid}, {reshaped}});
  b.AddOperator({BuiltinOperator::kAdd, 1, {reshaped}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  TestResolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(run.interpreter().tensor(mid).data, run.interpreter().tensor(reshaped).data);
  run.SetInput<int8_t>(0, std::vector<int8_t>(64, 1));
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), std::vector<int8_t>(64, 3));
}

TEST(Interpreter, ReadBeforeWriteIsAnError) {
  TfliteBuilder b;
  const int in = b.AddTensor(Activation(4));
  const int never_written = b.AddTensor(Activation(4));
  const int out = b.AddTensor(Activation(4));
  b.AddOperator({BuiltinOperator::kAdd, 1, {never_written}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  TestResolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  EXPECT_EQ(run.code(), StatusCode::kInvalidModel);
  EXPECT_NE(run.error().find("before any node writes it"), std::string::npos) << run.error();
}

TEST(Interpreter, InvokeBeforeCreateFails) {
  Interpreter interpreter;
  EXPECT_EQ(interpreter.Invoke().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace picoml
