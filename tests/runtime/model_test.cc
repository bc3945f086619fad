// Hostile and broken models: each must be refused with the right status code
// and a message that says what is wrong. Models are built with TfliteBuilder
// (or by hand with the flatbuffers library where the builder cannot express
// the fault) and then, where needed, patched in place.
#include "picoml/model.h"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "host/tflite_builder.h"
#include "picoml/interpreter.h"
#include "picoml/schema.h"

namespace picoml {
namespace {

using host::OperatorSpec;
using host::TensorSpec;
using host::TfliteBuilder;

// A stand-in kernel for ADD and RELU: accepts every node, computes nothing.
Status PlanNothing(const NodeContext&, KernelMemory*) { return Status::Ok(); }
Status PrepareNothing(const NodeContext&, void*) { return Status::Ok(); }
Status EvalNothing(const NodeContext&, const void*, void*) { return Status::Ok(); }
const KernelRegistration kAnyAdd = {BuiltinOperator::kAdd, PlanNothing, PrepareNothing, EvalNothing,
                                    false};
const KernelRegistration kAnyRelu = {BuiltinOperator::kRelu, PlanNothing, PrepareNothing,
                                     EvalNothing, false};

TensorSpec Int8(std::vector<int32_t> shape, std::vector<uint8_t> data = {}) {
  TensorSpec t;
  t.type = TensorType::kInt8;
  t.shape = std::move(shape);
  t.scales = {0.5f};
  t.zero_points = {-1};
  t.data = std::move(data);
  return t;
}

// in(0) -> ADD(in, weights(1)) -> out(2): the well-formed starting point.
struct Graph {
  TensorSpec in = Int8({1, 4});
  TensorSpec weights = Int8({1, 4}, {1, 2, 3, 4});
  TensorSpec out = Int8({1, 4});
  OperatorSpec op{BuiltinOperator::kAdd, 1, {0, 1}, {2}};
  std::vector<int32_t> inputs{0}, outputs{2};

  std::vector<uint8_t> Build() const {
    TfliteBuilder b;
    b.AddTensor(in);
    b.AddTensor(weights);
    b.AddTensor(out);
    b.AddOperator(op);
    b.SetInputs(inputs);
    b.SetOutputs(outputs);
    return b.Build();
  }
};

// The table of tensor `t` / operator `n` of the main graph, for patching.
FlatTable TensorTable(const std::vector<uint8_t>& bytes, uint32_t t) {
  const FlatTable graph =
      FlatTable::Root(bytes.data(), bytes.size()).Vector(schema::model::kSubgraphs).Table(0);
  return graph.Vector(schema::subgraph::kTensors).Table(t);
}
FlatTable OperatorTable(const std::vector<uint8_t>& bytes, uint32_t n) {
  const FlatTable graph =
      FlatTable::Root(bytes.data(), bytes.size()).Vector(schema::model::kSubgraphs).Table(0);
  return graph.Vector(schema::subgraph::kOperators).Table(n);
}
// Overwrites a scalar field that the builder wrote (it must be present).
template <typename T>
void Patch(std::vector<uint8_t>& bytes, const FlatTable& table, int id, T value) {
  const size_t at = table.FieldPosition(id);
  ASSERT_NE(at, 0u) << "field " << id << " is absent: nothing to patch";
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}

// A one-tensor model written field by field, for faults the builder cannot
// write: no subgraph at all, or a sparse tensor.
std::vector<uint8_t> HandWritten(bool with_subgraph, bool sparse) {
  flatbuffers::FlatBufferBuilder fbb;
  auto slot = [](int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); };
  auto start = fbb.StartTable();
  const flatbuffers::Offset<void> empty_buffer(fbb.EndTable(start));
  const auto buffers = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{empty_buffer});
  std::vector<flatbuffers::Offset<void>> graphs;
  if (with_subgraph) {
    flatbuffers::Offset<void> sparsity;
    if (sparse) {
      const auto order = fbb.CreateVector(std::vector<int32_t>{0});
      start = fbb.StartTable();
      fbb.AddOffset(slot(0), order);  // SparsityParameters.traversal_order
      sparsity = flatbuffers::Offset<void>(fbb.EndTable(start));
    }
    const auto shape = fbb.CreateVector(std::vector<int32_t>{1, 4});
    start = fbb.StartTable();
    fbb.AddOffset(slot(schema::tensor::kShape), shape);
    fbb.AddElement<int8_t>(slot(schema::tensor::kType), static_cast<int8_t>(TensorType::kInt8));
    if (sparse) fbb.AddOffset(slot(schema::tensor::kSparsity), sparsity);
    const flatbuffers::Offset<void> tensor(fbb.EndTable(start));
    const auto tensors = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{tensor});
    const auto io = fbb.CreateVector(std::vector<int32_t>{0});
    start = fbb.StartTable();
    fbb.AddOffset(slot(schema::subgraph::kTensors), tensors);
    fbb.AddOffset(slot(schema::subgraph::kInputs), io);
    fbb.AddOffset(slot(schema::subgraph::kOutputs), io);
    graphs.push_back(flatbuffers::Offset<void>(fbb.EndTable(start)));
  }
  const auto subgraphs = fbb.CreateVector(graphs);
  start = fbb.StartTable();
  fbb.AddElement<uint32_t>(slot(schema::model::kVersion), schema::kSchemaVersion, 0);
  fbb.AddOffset(slot(schema::model::kSubgraphs), subgraphs);
  fbb.AddOffset(slot(schema::model::kBuffers), buffers);
  fbb.Finish(flatbuffers::Offset<void>(fbb.EndTable(start)), schema::kFileIdentifier);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

// Two [4] tensors of `type`: 0 the graph input and output, 1 a constant
// stored after the flatbuffer (schema 3c) in buffer 1 with `offset` and
// `size` (a size of 0 leaves the field out).
std::vector<uint8_t> OffsetModel(uint64_t offset, uint64_t size,
                                 TensorType type = TensorType::kInt8) {
  flatbuffers::FlatBufferBuilder fbb;
  auto slot = [](int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); };
  auto start = fbb.StartTable();
  const flatbuffers::Offset<void> empty(fbb.EndTable(start));
  start = fbb.StartTable();
  fbb.AddElement<uint64_t>(slot(schema::buffer::kOffset), offset, 0);
  fbb.AddElement<uint64_t>(slot(schema::buffer::kSize), size, 0);
  const flatbuffers::Offset<void> far(fbb.EndTable(start));
  const auto buffers = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{empty, far});
  std::vector<flatbuffers::Offset<void>> tensors;
  for (uint32_t buffer : {0u, 1u}) {
    const auto shape = fbb.CreateVector(std::vector<int32_t>{4});
    start = fbb.StartTable();
    fbb.AddOffset(slot(schema::tensor::kShape), shape);
    fbb.AddElement<int8_t>(slot(schema::tensor::kType), static_cast<int8_t>(type), -1);
    fbb.AddElement<uint32_t>(slot(schema::tensor::kBuffer), buffer, 0);
    tensors.push_back(flatbuffers::Offset<void>(fbb.EndTable(start)));
  }
  const auto tensor_vector = fbb.CreateVector(tensors);
  const auto io = fbb.CreateVector(std::vector<int32_t>{0});
  start = fbb.StartTable();
  fbb.AddOffset(slot(schema::subgraph::kTensors), tensor_vector);
  fbb.AddOffset(slot(schema::subgraph::kInputs), io);
  fbb.AddOffset(slot(schema::subgraph::kOutputs), io);
  const flatbuffers::Offset<void> graph(fbb.EndTable(start));
  const auto graphs = fbb.CreateVector(std::vector<flatbuffers::Offset<void>>{graph});
  start = fbb.StartTable();
  fbb.AddElement<uint32_t>(slot(schema::model::kVersion), schema::kSchemaVersion, 0);
  fbb.AddOffset(slot(schema::model::kSubgraphs), graphs);
  fbb.AddOffset(slot(schema::model::kBuffers), buffers);
  fbb.Finish(flatbuffers::Offset<void>(fbb.EndTable(start)), schema::kFileIdentifier);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

struct BadModel {
  const char* name;
  std::function<std::vector<uint8_t>()> make;
  bool needs_interpreter;  // the fault shows when planning, not at load
  StatusCode code;
  const char* message;  // a fragment the message must hold
};

const BadModel kBadModels[] = {
    {"TruncatedToFourBytes",
     [] {
       std::vector<uint8_t> b = Graph().Build();
       b.resize(4);
       return b;
     },
     false, StatusCode::kInvalidModel, "too short for a .tflite file"},
    {"TruncatedInTheMiddle",
     [] {
       std::vector<uint8_t> b = Graph().Build();
       b.resize(b.size() / 2);
       return b;
     },
     false, StatusCode::kInvalidModel, "malformed flatbuffer (truncated or corrupted file)"},
    {"WrongMagic",
     [] {
       std::vector<uint8_t> b = Graph().Build();
       std::memcpy(b.data() + 4, "ONNX", 4);
       return b;
     },
     false, StatusCode::kInvalidModel, "not a .tflite file: bytes 4..7 are 'ONNX'"},
    {"WrongSchemaVersion",
     [] {
       std::vector<uint8_t> b = Graph().Build();
       Patch<uint32_t>(b, FlatTable::Root(b.data(), b.size()), schema::model::kVersion, 2);
       return b;
     },
     false, StatusCode::kInvalidModel, "schema version 2"},
    {"NoSubgraph", [] { return HandWritten(false, false); }, false, StatusCode::kInvalidModel,
     "no subgraph"},
    {"SparseTensor", [] { return HandWritten(true, true); }, false, StatusCode::kUnsupported,
     "tensor 0 is sparse"},
    {"OperatorInputOutOfRange",
     [] {
       Graph g;
       g.op.inputs = {0, 7};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "node 0 (ADD) input 1 names tensor 7; the model has 3"},
    {"OperatorOutputOutOfRange",
     [] {
       Graph g;
       g.op.outputs = {-1};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "node 0 (ADD) output 0 names tensor -1"},
    {"BufferIndexOutOfRange",
     [] {
       std::vector<uint8_t> b = Graph().Build();
       Patch<uint32_t>(b, TensorTable(b, 1), schema::tensor::kBuffer, 99);
       return b;
     },
     false, StatusCode::kInvalidModel, "tensor 1 refers to buffer 99; the model has 2 buffers"},
    {"BufferTooSmallForShape",
     [] {
       Graph g;
       g.weights.data = {1, 2, 3};
       return g.Build();
     },
     false, StatusCode::kInvalidModel,
     "tensor 1 (INT8, 4 elements) needs 4 bytes but its buffer 1 holds 3"},
    {"BufferTooLargeForShape",
     [] {
       Graph g;
       g.weights.data = {1, 2, 3, 4, 5};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "needs 4 bytes but its buffer 1 holds 5"},
    {"NegativeDimension",
     [] {
       Graph g;
       g.out.shape = {1, -4};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 2 has dimension 1 of -4"},
    {"HugeDimensions",
     [] {
       Graph g;
       g.out.type = TensorType::kInt32;
       g.out.shape = {65536, 65536, 4};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 2 (INT32, rank 3) needs more than 2147483647 bytes"},
    {"ZeroDimensionDoesNotLiftTheSizeLimit",
     [] {
       // 0 elements, but kernels multiply the other dimensions (2^32) in int32.
       Graph g;
       g.out.shape = {0, 65536, 65536};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 2 (INT8, rank 3) needs more than 2147483647 bytes"},
    {"OffsetBufferWithoutSize", [] { return OffsetModel(8, 0); }, false, StatusCode::kInvalidModel,
     "tensor 1 (INT8, 4 elements) needs 4 bytes but its buffer 1 "
     "holds 0"},
    {"OffsetBufferSizeShort", [] { return OffsetModel(8, 3); }, false, StatusCode::kInvalidModel,
     "needs 4 bytes but its buffer 1 holds 3"},
    {"OffsetBufferMisaligned", [] { return OffsetModel(10, 16, TensorType::kInt32); }, false,
     StatusCode::kInvalidModel, "constant data of tensor 1 is not aligned to its 4-byte elements"},
    {"RankAboveSix",
     [] {
       Graph g;
       g.out.shape = {1, 1, 1, 1, 1, 1, 4};
       return g.Build();
     },
     false, StatusCode::kUnsupported, "tensor 2 has rank 7; picoml supports up to 6"},
    {"UnknownTypeCode",
     [] {
       Graph g;
       g.out.type = static_cast<TensorType>(42);
       return g.Build();
     },
     false, StatusCode::kUnsupported, "tensor 2 has type code 42"},
    {"StringTensor",
     [] {
       Graph g;
       g.out.type = TensorType::kString;
       return g.Build();
     },
     false, StatusCode::kUnsupported, "tensor 2 has type STRING"},
    {"UnsupportedOperator",
     [] {
       Graph g;
       g.op.code = BuiltinOperator(16);  // LSTM
       return g.Build();
     },
     true, StatusCode::kUnsupported, "node 0 uses operator LSTM (code 16)"},
    {"PerChannelScaleCountMismatch",
     [] {
       Graph g;
       g.weights.shape = {4, 1};
       g.weights.scales = {0.1f, 0.2f, 0.3f};
       g.weights.zero_points = {0, 0, 0};
       g.weights.quantized_dimension = 0;
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 1 has 3 per-channel scales but dimension 0 has 4"},
    {"ScalesAndZeroPointsDiffer",
     [] {
       Graph g;
       g.weights.zero_points = {0, 0};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 1 has 1 quantization scales but 2 zero points"},
    {"QuantizedDimensionPastRank",
     [] {
       Graph g;
       g.weights.scales = {0.1f, 0.2f, 0.3f, 0.4f};
       g.weights.zero_points = {0, 0, 0, 0};
       g.weights.quantized_dimension = 5;
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 1 is quantized along dimension 5 but has rank 2"},
    {"ZeroScale",
     [] {
       Graph g;
       g.in.scales = {0.0f};
       return g.Build();
     },
     false, StatusCode::kInvalidModel,
     "tensor 0: quantization scale 0 is zero; scales must be positive and finite"},
    {"NegativeScale",
     [] {
       Graph g;
       g.weights.shape = {4, 1};
       g.weights.scales = {0.5f, 0.25f, -0.5f, 1.0f};
       g.weights.zero_points = {0, 0, 0, 0};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 1: quantization scale 2 is negative"},
    {"NaNScale",
     [] {
       Graph g;
       g.out.scales = {std::numeric_limits<float>::quiet_NaN()};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 2: quantization scale 0 is not a number"},
    {"InfiniteScale",
     [] {
       Graph g;
       g.out.scales = {std::numeric_limits<float>::infinity()};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "tensor 2: quantization scale 0 is infinite"},
    {"ZeroPointOutOfInt32Range",
     [] {
       Graph g;
       g.in.zero_points = {int64_t{1} << 40};
       return g.Build();
     },
     false, StatusCode::kInvalidModel,
     "tensor 0 has zero point 0 of 1099511627776, outside the int32 range"},
    {"OpcodeIndexOutOfRange",
     [] {
       Graph g;
       TfliteBuilder b;
       b.AddTensor(g.in);
       b.AddTensor(g.weights);
       b.AddTensor(g.out);
       b.AddTensor(Int8({1, 4}));
       b.AddOperator(g.op);
       b.AddOperator({BuiltinOperator::kRelu, 1, {2}, {3}});  // opcode_index 1: present
       b.SetInputs({0});
       b.SetOutputs({3});
       std::vector<uint8_t> bytes = b.Build();
       Patch<uint32_t>(bytes, OperatorTable(bytes, 1), schema::op::kOpcodeIndex, 9);
       return bytes;
     },
     false, StatusCode::kInvalidModel, "node 1 uses operator code 9; the model lists 2"},
    {"OperatorWritesAConstant",
     [] {
       Graph g;
       g.op.outputs = {1};
       g.outputs = {1};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "node 0 (ADD) writes tensor 1, which holds constant data"},
    {"GraphInputOutOfRange",
     [] {
       Graph g;
       g.inputs = {9};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "graph input 0 names tensor 9; the model has 3 tensors"},
    {"GraphOutputOutOfRange",
     [] {
       Graph g;
       g.outputs = {-2};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "graph output 0 names tensor -2"},
    {"GraphInputIsAConstant",
     [] {
       Graph g;
       g.inputs = {1};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "graph input 0 (tensor 1) has constant data"},
    {"NoGraphInputs",
     [] {
       Graph g;
       g.inputs = {};
       return g.Build();
     },
     false, StatusCode::kInvalidModel, "the main graph has no inputs"},
    {"VariableWithInitialData",
     [] {
       Graph g;
       g.weights.is_variable = true;
       return g.Build();
     },
     false, StatusCode::kUnsupported, "tensor 1 is a variable with initial data"},
    {"TensorReadBeforeWritten",
     [] {
       Graph g;
       TfliteBuilder b;
       b.AddTensor(g.in);
       b.AddTensor(g.weights);
       b.AddTensor(g.out);
       b.AddTensor(Int8({1, 4}));
       b.AddOperator({BuiltinOperator::kAdd, 1, {3, 1}, {2}});  // tensor 3: nobody writes it
       b.SetInputs({0});
       b.SetOutputs({2});
       return b.Build();
     },
     true, StatusCode::kInvalidModel, "node 0 (ADD) reads tensor 3 before any node writes it"},
    {"TensorWrittenTwice",
     [] {
       TfliteBuilder b;
       b.AddTensor(Int8({1, 4}));
       b.AddTensor(Int8({1, 4}));
       b.AddOperator({BuiltinOperator::kRelu, 1, {0}, {1}});
       b.AddOperator({BuiltinOperator::kRelu, 1, {0}, {1}});
       b.SetInputs({0});
       b.SetOutputs({1});
       return b.Build();
     },
     true, StatusCode::kInvalidModel, "node 1 (RELU) writes tensor 1, which is already written"},
    {"OperatorOverwritesGraphInput",
     [] {
       TfliteBuilder b;
       b.AddTensor(Int8({1, 4}));
       b.AddTensor(Int8({1, 4}));
       b.AddOperator({BuiltinOperator::kRelu, 1, {1}, {0}});
       b.SetInputs({0, 1});
       b.SetOutputs({0});
       return b.Build();
     },
     true, StatusCode::kInvalidModel, "node 0 (RELU) writes tensor 0, which is already written"},
    {"OutputNeverWritten",
     [] {
       TfliteBuilder b;
       b.AddTensor(Int8({1, 4}));
       b.AddTensor(Int8({1, 4}));
       b.SetInputs({0});
       b.SetOutputs({1});
       return b.Build();
     },
     true, StatusCode::kInvalidModel, "graph output 0 (tensor 1) is never written"},
    {"ActivationsPastTwoGiB",
     [] {
       // Three 1.5 GB activations alive at once: each fits the per-tensor
       // limit, their sum does not fit 32-bit offsets.
       TfliteBuilder b;
       for (int i = 0; i < 4; ++i) b.AddTensor(Int8({3, 500000000}));
       b.AddOperator({BuiltinOperator::kAdd, 1, {0, 1}, {3}});
       b.SetInputs({0, 1, 2});
       b.SetOutputs({2, 3});
       return b.Build();
     },
     true, StatusCode::kArenaTooSmall, "more than the 2 GiB picoml can plan"},
};

class BadModels : public ::testing::TestWithParam<BadModel> {};

TEST_P(BadModels, AreRefusedWithAClearMessage) {
  const BadModel& c = GetParam();
  const std::vector<uint8_t> bytes = c.make();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  Model model;
  Status status = Model::Create(bytes.data(), bytes.size(), &model);
  if (c.needs_interpreter) {
    ASSERT_TRUE(status.ok()) << "the model should load; the fault is for the planner: "
                             << status.message();
    MutableOpResolver<2> resolver;
    ASSERT_TRUE(resolver.Add(kAnyAdd).ok());
    ASSERT_TRUE(resolver.Add(kAnyRelu).ok());
    alignas(16) static uint8_t arena[64 * 1024];
    Interpreter interpreter;
    status = Interpreter::Create(model, resolver, arena, sizeof(arena), &interpreter);
  } else {
    EXPECT_EQ(model.data(), nullptr) << "a refused model must leave an empty view";
  }
  std::cout << "[ message  ] " << StatusCodeName(status.code()) << ": " << status.message() << "\n";
  EXPECT_EQ(status.code(), c.code) << StatusCodeName(status.code()) << ": " << status.message();
  EXPECT_NE(std::string(status.message()).find(c.message), std::string::npos)
      << "message: " << status.message() << "\nexpected to contain: " << c.message;
}

INSTANTIATE_TEST_SUITE_P(Hostile, BadModels, ::testing::ValuesIn(kBadModels),
                         [](const auto& info) { return std::string(info.param.name); });

// The well-formed starting point loads, so each case above fails for its own
// fault alone.
TEST(Model, TheUnbrokenGraphLoadsAndPlans) {
  const std::vector<uint8_t> bytes = Graph().Build();
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  EXPECT_EQ(model.tensor_count(), 3u);
  EXPECT_EQ(model.operator_count(), 1u);
  MutableOpResolver<1> resolver;
  ASSERT_TRUE(resolver.Add(kAnyAdd).ok());
  alignas(16) static uint8_t arena[4096];
  Interpreter interpreter;
  const Status status = Interpreter::Create(model, resolver, arena, sizeof(arena), &interpreter);
  EXPECT_TRUE(status.ok()) << status.message();
}

// A rank-1 per-channel tensor whose quantized dimension names a higher
// dimension: the converter writes depthwise biases this way (person_detect),
// and TFLM runs them, so it loads, with the channels read along dimension 0.
TEST(Model, PerChannelBiasWithTheFiltersDimensionLoads) {
  Graph g;
  g.weights.type = TensorType::kInt32;
  g.weights.shape = {4};
  g.weights.data = std::vector<uint8_t>(16, 0);
  g.weights.scales = {0.1f, 0.2f, 0.3f, 0.4f};
  g.weights.zero_points = {0, 0, 0, 0};
  g.weights.quantized_dimension = 3;
  const std::vector<uint8_t> bytes = g.Build();
  Model model;
  const Status status = Model::Create(bytes.data(), bytes.size(), &model);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(model.tensor(1).quantization.count(), 4u);
  EXPECT_FLOAT_EQ(model.tensor(1).quantization.scale(3), 0.4f);
}

// Constant data stored after the flatbuffer (schema 3c: Buffer.offset/size)
// that points past the end of the file is refused, not followed.
TEST(Model, OffsetBufferPastTheEndIsRefused) {
  const std::vector<uint8_t> bytes = OffsetModel(uint64_t{1} << 40, 4);
  Model model;
  const Status status = Model::Create(bytes.data(), bytes.size(), &model);
  EXPECT_EQ(status.code(), StatusCode::kInvalidModel);
  EXPECT_NE(std::string(status.message())
                .find("buffer 1 (tensor 1) claims 4 bytes at offset 1099511627776"),
            std::string::npos)
      << status.message();
}

// A well-formed offset buffer (exact size, inside the file) loads as a
// constant pointing into the file.
TEST(Model, OffsetBufferOfTheRightSizeLoads) {
  const std::vector<uint8_t> bytes = OffsetModel(8, 4);
  Model model;
  const Status status = Model::Create(bytes.data(), bytes.size(), &model);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(model.tensor(1).is_constant);
  EXPECT_EQ(model.tensor(1).data, bytes.data() + 8);
  EXPECT_EQ(model.tensor(1).bytes, 4u);
}

// A zero dimension with small other dimensions is an empty tensor, not an
// error.
TEST(Model, EmptyTensorLoads) {
  Graph g;
  g.out.shape = {0, 4};
  const std::vector<uint8_t> bytes = g.Build();
  Model model;
  const Status status = Model::Create(bytes.data(), bytes.size(), &model);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(model.tensor(2).bytes, 0u);
  EXPECT_EQ(model.tensor(2).ElementCount(), 0);
}

// Kernels read int32/float constants through typed pointers: model bytes
// that do not start on 8 bytes are refused with what to do about it.
TEST(Model, MisalignedModelDataIsRefused) {
  const std::vector<uint8_t> bytes = Graph().Build();
  std::vector<uint8_t> shifted(bytes.size() + 8);
  for (size_t shift : {1u, 4u}) {
    std::memcpy(shifted.data() + shift, bytes.data(), bytes.size());
    Model model;
    const Status status = Model::Create(shifted.data() + shift, bytes.size(), &model);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << "shift " << shift;
    EXPECT_NE(std::string(status.message())
                  .find("is not aligned to 8 bytes: declare the array "
                        "alignas(16)"),
              std::string::npos)
        << status.message();
    EXPECT_EQ(model.data(), nullptr);
  }
  std::memcpy(shifted.data() + 8, bytes.data(), bytes.size());
  Model model;
  EXPECT_TRUE(Model::Create(shifted.data() + 8, bytes.size(), &model).ok());
}

}  // namespace
}  // namespace picoml
