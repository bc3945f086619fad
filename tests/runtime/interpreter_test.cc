// Interpreter and planner behaviour, with a tiny test kernel so the runtime is
// checked apart from the real kernels.
#include "picoml/interpreter.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <vector>

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
const KernelRegistration kCopy = {BuiltinOperator::kReshape, PlanCopy, PrepareCopy, EvalCopy, true};
// The same copy as "SQUEEZE", a second in-place operator for alias chains.
const KernelRegistration kSqueezeCopy = {BuiltinOperator::kSqueeze, PlanCopy, PrepareCopy, EvalCopy,
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
    EXPECT_TRUE(Add(kSqueezeCopy).ok());
  }
};

// The plan of `model` (planned in a buffer with room to spare).
ArenaPlan PlanOf(const Model& model, const OpResolver& resolver) {
  alignas(16) static uint8_t work[1 << 16];
  ArenaPlan plan;
  const Status status = Interpreter::Plan(model, resolver, work, sizeof(work), &plan);
  EXPECT_TRUE(status.ok()) << status.message();
  return plan;
}

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

// Two models with their persistent parts apart and one activation buffer
// between them, run in turn: each gives its own results every time (its
// node data survives the other's runs), and together they need less than
// two arenas.
TEST(Interpreter, TwoModelsShareOneActivationBuffer) {
  TestResolver resolver;
  const std::vector<uint8_t> bytes_a = Chain(3, 1000), bytes_b = Chain(2, 600);
  Model a, b;
  ASSERT_TRUE(Model::Create(bytes_a.data(), bytes_a.size(), &a).ok());
  ASSERT_TRUE(Model::Create(bytes_b.data(), bytes_b.size(), &b).ok());
  const ArenaPlan plan_a = PlanOf(a, resolver), plan_b = PlanOf(b, resolver);
  const size_t shared = std::max(Interpreter::SharedActivationBytes(plan_a),
                                 Interpreter::SharedActivationBytes(plan_b));
  EXPECT_EQ(Interpreter::SharedActivationBytes(plan_a),
            std::max(plan_a.activation_bytes, plan_a.planner_bytes));

  alignas(16) static uint8_t persistent_a[4096], persistent_b[4096], activations[1 << 14];
  Interpreter ia, ib;
  ASSERT_TRUE(Interpreter::Create(a, resolver, persistent_a, plan_a.persistent_bytes, activations,
                                  shared, &ia)
                  .ok());
  ASSERT_TRUE(Interpreter::Create(b, resolver, persistent_b, plan_b.persistent_bytes, activations,
                                  shared, &ib)
                  .ok());
  EXPECT_LT(plan_a.persistent_bytes + plan_b.persistent_bytes + shared,
            plan_a.needed_bytes + plan_b.needed_bytes);
  for (int round = 0; round < 3; ++round) {
    const Tensor in_a = ia.input(0);
    memset(in_a.data, round, in_a.bytes);
    ASSERT_TRUE(ia.Invoke().ok()) << round;
    EXPECT_EQ(ia.output(0).data_as<int8_t>()[999], round + 3);
    const Tensor in_b = ib.input(0);
    memset(in_b.data, 10 + round, in_b.bytes);
    ASSERT_TRUE(ib.Invoke().ok()) << round;
    const int8_t* out_b = ib.output(0).data_as<int8_t>();
    EXPECT_EQ(std::vector<int8_t>(out_b, out_b + 600), std::vector<int8_t>(600, 12 + round));
  }
}

TEST(Interpreter, SharedActivationBufferTooSmallOrUnalignedOrForAVariableIsRefused) {
  TestResolver resolver;
  const std::vector<uint8_t> bytes = Chain(3, 1000);
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  const ArenaPlan plan = PlanOf(model, resolver);
  const size_t shared = Interpreter::SharedActivationBytes(plan);
  alignas(16) static uint8_t persistent[4096], activations[1 << 14];
  Interpreter interpreter;
  Status status = Interpreter::Create(model, resolver, persistent, plan.persistent_bytes,
                                      activations, shared - 1, &interpreter);
  EXPECT_EQ(status.code(), StatusCode::kArenaTooSmall);
  EXPECT_NE(std::string(status.message()).find(std::to_string(shared)), std::string::npos)
      << status.message();
  status = Interpreter::Create(model, resolver, persistent, plan.persistent_bytes - 1, activations,
                               shared, &interpreter);
  EXPECT_EQ(status.code(), StatusCode::kArenaTooSmall);
  EXPECT_NE(std::string(status.message()).find(std::to_string(plan.persistent_bytes)),
            std::string::npos)
      << status.message();
  status = Interpreter::Create(model, resolver, persistent, plan.persistent_bytes, activations + 4,
                               shared, &interpreter);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("alignas"), std::string::npos) << status.message();

  TfliteBuilder b;
  TensorSpec state = Activation(16);
  state.is_variable = true;
  const int in = b.AddTensor(Activation(16)), var = b.AddTensor(state);
  const int out = b.AddTensor(Activation(16));
  b.SetInputs({in});
  b.AddOperator({BuiltinOperator::kAdd, 1, {in}, {var}});
  b.AddOperator({BuiltinOperator::kAdd, 1, {var}, {out}});
  b.SetOutputs({out});
  const std::vector<uint8_t> stateful = b.Build();
  Model with_state;
  ASSERT_TRUE(Model::Create(stateful.data(), stateful.size(), &with_state).ok());
  status = Interpreter::Create(with_state, resolver, persistent, sizeof(persistent), activations,
                               sizeof(activations), &interpreter);
  EXPECT_EQ(status.code(), StatusCode::kUnsupported);
  EXPECT_NE(std::string(status.message()).find("variable"), std::string::npos) << status.message();
  alignas(16) static uint8_t arena[1 << 14];
  EXPECT_TRUE(Interpreter::Create(with_state, resolver, arena, sizeof(arena), &interpreter).ok());
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

// RESHAPE then SQUEEZE, both in place: all three tensors share one buffer
// (the second alias compares the tensors' sizes, not the first alias's
// emptied buffer).
TEST(Interpreter, ChainOfInPlaceOpsSharesOneBuffer) {
  TfliteBuilder b;
  const int in = b.AddTensor(Activation(64));
  const int mid = b.AddTensor(Activation(64));
  const int reshaped = b.AddTensor(Activation(64));
  const int squeezed = b.AddTensor(Activation(64));
  const int out = b.AddTensor(Activation(64));
  b.AddOperator({BuiltinOperator::kAdd, 1, {in}, {mid}});
  b.AddOperator({BuiltinOperator::kReshape, 1, {mid}, {reshaped}});
  b.AddOperator({BuiltinOperator::kSqueeze, 1, {reshaped}, {squeezed}});
  b.AddOperator({BuiltinOperator::kAdd, 1, {squeezed}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  TestResolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  const Interpreter& it = run.interpreter();
  ASSERT_NE(it.tensor(mid).data, nullptr);
  EXPECT_EQ(it.tensor(mid).data, it.tensor(reshaped).data);
  EXPECT_EQ(it.tensor(mid).data, it.tensor(squeezed).data);
  // Two 64-byte buffers alive at once at most (in/mid, mid/out), plus the
  // increments' 32 bytes of scratch: 64 + 64 + 32.
  EXPECT_EQ(it.arena_plan().activation_bytes, 160u);
  run.SetInput<int8_t>(0, std::vector<int8_t>(64, 1));
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), std::vector<int8_t>(64, 3));
}

// The node observer sees every node just before and just after its Eval, in
// order, with its operator, and nothing once it is cleared.
struct ObservedCall {
  uint32_t node;
  BuiltinOperator op;
  bool finished;
  int8_t first_output;  // the node's output's first byte when observed
};
struct Observation {
  Interpreter* interpreter;
  std::vector<ObservedCall> calls;
};
void Observe(void* context, uint32_t node, BuiltinOperator op, bool finished) {
  Observation* o = static_cast<Observation*>(context);
  const Tensor out =
      o->interpreter->tensor(static_cast<uint32_t>(o->interpreter->model().op(node).output(0)));
  o->calls.push_back({node, op, finished, out.data_as<int8_t>()[0]});
}

TEST(Interpreter, NodeObserverBracketsEveryEval) {
  TfliteBuilder b;
  const int in = b.AddTensor(Activation(8));
  const int mid = b.AddTensor(Activation(8));
  const int out = b.AddTensor(Activation(8));
  b.AddOperator({BuiltinOperator::kAdd, 1, {in}, {mid}});
  b.AddOperator({BuiltinOperator::kReshape, 1, {mid}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  TestResolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  Observation seen{&run.interpreter(), {}};
  run.interpreter().SetNodeObserver(Observe, &seen);
  run.SetInput<int8_t>(0, std::vector<int8_t>(8, 5));
  ASSERT_TRUE(run.Invoke().ok());
  ASSERT_EQ(seen.calls.size(), 4u);
  EXPECT_EQ(seen.calls[0].node, 0u);
  EXPECT_EQ(seen.calls[0].op, BuiltinOperator::kAdd);
  EXPECT_FALSE(seen.calls[0].finished);
  EXPECT_TRUE(seen.calls[1].finished);
  EXPECT_EQ(seen.calls[1].first_output, 6);  // observed after the increment ran
  EXPECT_EQ(seen.calls[2].node, 1u);
  EXPECT_EQ(seen.calls[2].op, BuiltinOperator::kReshape);
  EXPECT_FALSE(seen.calls[2].finished);
  EXPECT_TRUE(seen.calls[3].finished);
  run.interpreter().SetNodeObserver(nullptr, nullptr);
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(seen.calls.size(), 4u);
}

// A tensor no node reads or writes gets no place: no data pointer, rather
// than one aliasing other tensors' bytes.
TEST(Interpreter, UntouchedTensorHasNoData) {
  TfliteBuilder b;
  const int in = b.AddTensor(Activation(16));
  const int out = b.AddTensor(Activation(16));
  const int stray = b.AddTensor(Activation(16));
  b.AddOperator({BuiltinOperator::kAdd, 1, {in}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  TestResolver resolver;
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(run.interpreter().tensor(stray).data, nullptr);
  EXPECT_EQ(run.interpreter().tensor(stray).bytes, 16u);  // the shape is still known
  EXPECT_NE(run.interpreter().tensor(in).data, nullptr);
}

// What a kernel sees for an omitted optional input (-1) and past the count.
struct OptionalSeen {
  int calls = 0;
  bool has_input1 = true, has_input5 = true;
  const void* data1 = &calls;
  size_t bytes1 = 99, bytes5 = 99;
};
OptionalSeen g_optional;
Status LookAtOptional(const NodeContext& node) {
  ++g_optional.calls;
  g_optional.has_input1 = node.has_input(1);
  g_optional.has_input5 = node.has_input(5);
  g_optional.data1 = node.input(1).data;
  g_optional.bytes1 = node.input(1).bytes;
  g_optional.bytes5 = node.input(5).bytes;
  return Status::Ok();
}
Status PlanOptional(const NodeContext& node, KernelMemory*) { return LookAtOptional(node); }
Status EvalOptional(const NodeContext& node, const void*, void*) { return LookAtOptional(node); }
const KernelRegistration kOptional = {BuiltinOperator::kAdd, PlanOptional, PrepareCopy,
                                      EvalOptional, false};

TEST(Interpreter, OmittedOptionalInputIsAnEmptyTensor) {
  TfliteBuilder b;
  const int in = b.AddTensor(Activation(8));
  const int out = b.AddTensor(Activation(8));
  b.AddOperator({BuiltinOperator::kAdd, 1, {in, -1}, {out}});
  b.SetInputs({in});
  b.SetOutputs({out});
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.Add(kOptional).ok());
  g_optional = OptionalSeen();
  test::ModelRunner run(b.Build(), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  ASSERT_TRUE(run.Invoke().ok());  // eval: tensors placed
  EXPECT_GE(g_optional.calls, 2);
  EXPECT_FALSE(g_optional.has_input1);
  EXPECT_FALSE(g_optional.has_input5);
  EXPECT_EQ(g_optional.data1, nullptr);
  EXPECT_EQ(g_optional.bytes1, 0u);
  EXPECT_EQ(g_optional.bytes5, 0u);
}

// Kernel plan functions are asked once per node, not once per planning step.
int g_plan_calls = 0;
Status PlanCounted(const NodeContext& node, KernelMemory* memory) {
  ++g_plan_calls;
  return PlanIncrement(node, memory);
}
const KernelRegistration kCountedIncrement = {BuiltinOperator::kAdd, PlanCounted, PrepareIncrement,
                                              EvalIncrement, false};

TEST(Interpreter, PlansEachNodeOnce) {
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.Add(kCountedIncrement).ok());
  g_plan_calls = 0;
  test::ModelRunner run(Chain(3, 100), resolver);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(g_plan_calls, 3);
  // The kept node data and scratch sizes still land where they belong.
  run.SetInput<int8_t>(0, std::vector<int8_t>(100, 0));
  ASSERT_TRUE(run.Invoke().ok());
  EXPECT_EQ(run.Output<int8_t>(0), std::vector<int8_t>(100, 3));
  // 4 offsets (16) + 3 records (36 -> 40) + 3 x 8 data = 80.
  EXPECT_EQ(run.interpreter().arena_plan().persistent_bytes, 80u);
}

// Node data sizes are summed in 64 bits: two nodes asking 3 GiB each would
// wrap a 32-bit size_t into a small, wrong plan.
uint32_t g_node_data_bytes = 0;
Status PlanHuge(const NodeContext&, KernelMemory* memory) {
  memory->node_data_bytes = g_node_data_bytes;
  return Status::Ok();
}
const KernelRegistration kHuge = {BuiltinOperator::kAdd, PlanHuge, PrepareCopy, EvalCopy, false};

TEST(Interpreter, NodeDataPastTwoGiBIsRefused) {
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.Add(kHuge).ok());
  g_node_data_bytes = 0xC0000000u;
  const std::vector<uint8_t> bytes = Chain(2, 16);
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  alignas(16) static uint8_t arena[4096];
  ArenaPlan plan;
  const Status status = Interpreter::Plan(model, resolver, arena, sizeof(arena), &plan);
  EXPECT_EQ(status.code(), StatusCode::kArenaTooSmall);
  EXPECT_NE(std::string(status.message())
                .find("ask for 6442450944 bytes of node data, more than the 2 GiB"),
            std::string::npos)
      << status.message();
}

// Persistent part and activations each under 2 GiB, their sum over it: the
// total is refused too. The work buffer is reserved address space; only the
// few pages the planner touches become memory.
TEST(Interpreter, ArenaTotalPastTwoGiBIsRefused) {
  const size_t reserve = size_t{3} << 30;
  void* work = mmap(nullptr, reserve, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (work == MAP_FAILED) GTEST_SKIP() << "cannot reserve 3 GiB of address space";
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.Add(kHuge).ok());
  g_node_data_bytes = 0x60000000u;                         // 1.5 GiB
  const std::vector<uint8_t> bytes = Chain(1, 400000000);  // 2 x 400 MB alive at node 0
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  ArenaPlan plan;
  const Status status =
      Interpreter::Plan(model, resolver, static_cast<uint8_t*>(work), reserve, &plan);
  munmap(work, reserve);
  EXPECT_EQ(status.code(), StatusCode::kArenaTooSmall);
  EXPECT_NE(std::string(status.message()).find("more than the 2 GiB picoml can plan"),
            std::string::npos)
      << status.message();
  EXPECT_NE(std::string(status.message()).find("800000000 activations"), std::string::npos)
      << status.message();
}

TEST(Interpreter, InvokeBeforeCreateFails) {
  Interpreter interpreter;
  EXPECT_EQ(interpreter.Invoke().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace picoml
