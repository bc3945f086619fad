// libFuzzer target: arbitrary bytes as a .tflite model, through everything a
// user's program does with one — Model::Create, Interpreter::Create with every
// kernel and a fixed 256 KB arena, inputs filled with a pattern, Invoke.
// Whatever the bytes, each step must return a status: never crash, hang,
// leak or hit undefined behaviour (built with ASan and UBSan).
//
// A structure-aware mutator (LLVMFuzzerCustomMutator) helps libFuzzer past the
// verifier: half of the time it reads the input with picoml's Model view,
// perturbs one thing a hostile or buggy converter could get wrong (a tensor
// index, a shape, a buffer's size, quantization arrays, an operator code, an
// options value, the graph's inputs) and writes a new, well-formed
// flatbuffer with TfliteBuilder. The other half, and whenever the input does
// not load, libFuzzer's own byte-level mutations run.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "host/tflite_builder.h"
#include "picoml/interpreter.h"
#include "picoml/model.h"
#include "picoml/op_resolver.h"
#include "picoml/schema.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace picoml::fuzz {
namespace {

constexpr size_t kArenaBytes = 256 * 1024;
// Nodes whose work bound exceeds this are planned but not run, so a model
// that is merely enormous (a legal 10^11-MAC convolution) is not reported as
// a hang.
constexpr double kMaxWork = 3e8;

alignas(16) uint8_t g_arena[kArenaBytes];

// An upper bound on a node's arithmetic: per output element, the constant
// elements feeding one output channel (convolution and fully connected
// weights), plus the activation inputs' elements (pooling, MEAN and SOFTMAX
// windows cannot be larger than their input).
double WorkBound(const Model& model) {
  double total = 0;
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    const Operator op = model.op(n);
    double out_elements = 0;
    double out_channels = 1;
    for (int k = 0; k < op.output_count(); ++k) {
      const Tensor t = model.tensor(static_cast<uint32_t>(op.output(k)));
      out_elements += static_cast<double>(t.ElementCount());
      if (k == 0 && t.shape.rank > 0 && t.shape.Dim(-1) > 0) out_channels = t.shape.Dim(-1);
    }
    double per_output = 1;
    for (int k = 0; k < op.input_count(); ++k) {
      if (op.input(k) < 0) continue;
      const Tensor t = model.tensor(static_cast<uint32_t>(op.input(k)));
      const double elements = static_cast<double>(t.ElementCount());
      per_output += t.is_constant ? elements / out_channels : elements;
    }
    total += out_elements * per_output + per_output;
  }
  return total;
}

void FillInputs(Interpreter& interpreter, uint32_t seed) {
  for (int i = 0; i < interpreter.input_count(); ++i) {
    const Tensor t = interpreter.input(i);
    uint8_t* bytes = static_cast<uint8_t*>(t.data);
    if (t.type == TensorType::kFloat32 && (seed & 1) == 0) {
      // Finite values over a wide range; odd seeds use raw bytes (NaN, inf).
      for (size_t e = 0; e < t.bytes / 4; ++e) {
        const float v =
            std::ldexp(static_cast<float>(static_cast<int>((e * 7919 + seed) % 255) - 127),
                       static_cast<int>((e * 31 + seed) % 40) - 20);
        std::memcpy(bytes + 4 * e, &v, 4);
      }
    } else {
      for (size_t b = 0; b < t.bytes; ++b) bytes[b] = static_cast<uint8_t>(b * 37 + seed);
    }
  }
}

void RunOne(const uint8_t* data, size_t size) {
  // An exact-size copy: ASan then flags any read past the model's end. New
  // arrays are aligned for any scalar, like a model in flash or a file read.
  std::unique_ptr<uint8_t[]> bytes(new uint8_t[size ? size : 1]);
  if (size) std::memcpy(bytes.get(), data, size);
  Model model;
  if (!Model::Create(bytes.get(), size, &model).ok()) return;
  static const AllOpsResolver resolver;
  InterpreterOptions options;
  uint32_t seed = 0;
  for (size_t i = 0; i < size; i += 97) seed = seed * 31 + bytes[i];
  options.rounding = (seed & 2) ? Rounding::kSingle : Rounding::kDouble;
  Interpreter interpreter;
  if (!Interpreter::Create(model, resolver, g_arena, sizeof(g_arena), &interpreter, options).ok())
    return;
  if (WorkBound(model) > kMaxWork) return;
  FillInputs(interpreter, seed);
  (void)interpreter.Invoke();
  (void)interpreter.Invoke();  // a second run must not depend on leftovers
}

// --- structure-aware mutation ---

using host::OperatorSpec;
using host::OptionField;
using host::TensorSpec;

// Field kinds of the options tables, by union value (the schema subset).
struct OptionsLayout {
  schema::BuiltinOptionsType type;
  OptionField::Kind kinds[8];
  int count;
};
constexpr OptionField::Kind I8 = OptionField::Kind::kInt8;
constexpr OptionField::Kind I32 = OptionField::Kind::kInt32;
constexpr OptionField::Kind F32 = OptionField::Kind::kFloat;
constexpr OptionField::Kind B = OptionField::Kind::kBool;
constexpr OptionField::Kind V = OptionField::Kind::kInt32Vector;
using T = schema::BuiltinOptionsType;
const OptionsLayout kLayouts[] = {
    {T::kConv2DOptions, {I8, I32, I32, I8, I32, I32, I8}, 7},
    {T::kDepthwiseConv2DOptions, {I8, I32, I32, I32, I8, I32, I32}, 7},
    {T::kPool2DOptions, {I8, I32, I32, I32, I32, I8}, 6},
    {T::kFullyConnectedOptions, {I8, I8, B, B, I8}, 5},
    {T::kSoftmaxOptions, {F32}, 1},
    {T::kConcatenationOptions, {I32, I8}, 2},
    {T::kAddOptions, {I8, B}, 2},
    {T::kMulOptions, {I8}, 1},
    {T::kReshapeOptions, {V}, 1},
    {T::kReducerOptions, {B}, 1},
    {T::kSqueezeOptions, {V}, 1},
    {T::kPadOptions, {}, 0},
    {T::kTransposeOptions, {}, 0},
    {T::kDequantizeOptions, {}, 0},
    {T::kQuantizeOptions, {}, 0},
};

const OptionsLayout* FindLayout(uint8_t type) {
  for (const OptionsLayout& layout : kLayouts)
    if (static_cast<uint8_t>(layout.type) == type) return &layout;
  return nullptr;
}

std::vector<int32_t> ReadInts(const FlatVector& v) {
  std::vector<int32_t> values;
  for (uint32_t i = 0; i < v.size(); ++i) values.push_back(v.Scalar<int32_t>(i));
  return values;
}

// The model as builder specs (only called on models that loaded).
struct Specs {
  std::vector<TensorSpec> tensors;
  std::vector<OperatorSpec> operators;
  std::vector<int32_t> inputs, outputs;
};

Specs ReadSpecs(const Model& model) {
  Specs specs;
  for (uint32_t i = 0; i < model.tensor_count(); ++i) {
    const Tensor t = model.tensor(i);
    TensorSpec s;
    s.type = t.type;
    s.shape.assign(t.shape.dims, t.shape.dims + t.shape.rank);
    s.name.assign(t.name.data(), t.name.length());
    for (uint32_t c = 0; c < t.quantization.count(); ++c) {
      s.scales.push_back(t.quantization.scale(c));
      s.zero_points.push_back(t.quantization.zero_point(c));
    }
    s.quantized_dimension = t.quantization.quantized_dimension();
    if (t.is_constant && t.data != nullptr) {
      const uint8_t* p = static_cast<const uint8_t*>(t.data);
      s.data.assign(p, p + t.bytes);
    }
    s.is_variable = t.is_variable;
    specs.tensors.push_back(std::move(s));
  }
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    const Operator o = model.op(n);
    OperatorSpec s;
    s.code = o.code;
    s.version = o.version;
    s.inputs = ReadInts(o.inputs);
    s.outputs = ReadInts(o.outputs);
    s.custom_code.assign(o.custom_code.data(), o.custom_code.length());
    const uint8_t* custom = o.custom_options.data();
    if (custom) s.custom_options.assign(custom, custom + o.custom_options.size());
    if (const OptionsLayout* layout = FindLayout(o.options_type)) {
      s.options_type = layout->type;
      for (int id = 0; id < layout->count; ++id) {
        if (!o.options.Has(id)) continue;  // keep the schema default (dilation 1...)
        switch (layout->kinds[id]) {
          case I8:
            s.options.push_back(OptionField::Int8(id, o.options.Scalar<int8_t>(id)));
            break;
          case I32:
            s.options.push_back(OptionField::Int32(id, o.options.Scalar<int32_t>(id)));
            break;
          case F32:
            s.options.push_back(OptionField::Float(id, o.options.Scalar<float>(id)));
            break;
          case B:
            s.options.push_back(OptionField::Bool(id, o.options.Scalar<uint8_t>(id) != 0));
            break;
          case V:
            s.options.push_back(OptionField::Int32Vector(id, ReadInts(o.options.Vector(id))));
            break;
        }
      }
    }
    specs.operators.push_back(std::move(s));
  }
  for (int i = 0; i < model.input_count(); ++i) specs.inputs.push_back(model.input_tensor(i));
  for (int i = 0; i < model.output_count(); ++i) specs.outputs.push_back(model.output_tensor(i));
  return specs;
}

const int32_t kInterestingInts[] = {0,
                                    1,
                                    2,
                                    3,
                                    -1,
                                    -2,
                                    4,
                                    7,
                                    8,
                                    16,
                                    127,
                                    128,
                                    255,
                                    256,
                                    65535,
                                    65536,
                                    1 << 20,
                                    0x7fffffff,
                                    -0x7fffffff - 1};
const float kInterestingFloats[] = {0.0f, -0.0f, 1e-30f, 1e-10f, 1e-6f,    0.5f, 1.0f,
                                    3.0f, 1e6f,  1e30f,  -1.0f,  INFINITY, NAN};
const BuiltinOperator kCodes[] = {BuiltinOperator::kAdd,
                                  BuiltinOperator::kAveragePool2D,
                                  BuiltinOperator::kConcatenation,
                                  BuiltinOperator::kConv2D,
                                  BuiltinOperator::kDepthwiseConv2D,
                                  BuiltinOperator::kDequantize,
                                  BuiltinOperator::kFullyConnected,
                                  BuiltinOperator::kLogistic,
                                  BuiltinOperator::kMaxPool2D,
                                  BuiltinOperator::kMul,
                                  BuiltinOperator::kRelu,
                                  BuiltinOperator::kRelu6,
                                  BuiltinOperator::kReshape,
                                  BuiltinOperator::kSoftmax,
                                  BuiltinOperator::kPad,
                                  BuiltinOperator::kTranspose,
                                  BuiltinOperator::kMean,
                                  BuiltinOperator::kSqueeze,
                                  BuiltinOperator::kQuantize,
                                  BuiltinOperator(16) /* LSTM */};
const TensorType kTypes[] = {TensorType::kFloat32, TensorType::kInt8,  TensorType::kInt32,
                             TensorType::kInt16,   TensorType::kUInt8, TensorType::kInt64,
                             TensorType::kBool};

template <typename C>
auto& Pick(C& container, std::minstd_rand& random) {
  return container[random() % std::size(container)];
}
int32_t Nudge(int32_t value, std::minstd_rand& random) {
  switch (random() % 3) {
    case 0:
      return Pick(kInterestingInts, random);
    case 1:  // wraps at the ends, in unsigned arithmetic
      return static_cast<int32_t>(static_cast<uint32_t>(value) + 1u);
    default:
      return static_cast<int32_t>(static_cast<uint32_t>(value) - 1u);
  }
}

// Applies one semantic change; false when the model offers nothing to change.
bool Perturb(Specs& s, std::minstd_rand& random) {
  const int tensors = static_cast<int>(s.tensors.size());
  const int operators = static_cast<int>(s.operators.size());
  auto any_tensor = [&] { return static_cast<int32_t>(random() % (tensors + 3)) - 1; };
  switch (random() % 12) {
    case 0: {  // an operator's input or output index
      if (operators == 0) return false;
      OperatorSpec& op = s.operators[random() % operators];
      std::vector<int32_t>& list = (random() % 2) ? op.inputs : op.outputs;
      if (list.empty() || random() % 4 == 0)
        list.push_back(any_tensor());
      else
        list[random() % list.size()] = any_tensor();
      return true;
    }
    case 1: {  // a dimension
      if (tensors == 0) return false;
      TensorSpec& t = s.tensors[random() % tensors];
      if (t.shape.empty() || random() % 5 == 0) {
        t.shape.insert(t.shape.begin() + (t.shape.empty() ? 0 : random() % (t.shape.size() + 1)),
                       1 + static_cast<int32_t>(random() % 3));
      } else if (random() % 5 == 0) {
        t.shape.erase(t.shape.begin() + random() % t.shape.size());
      } else {
        int32_t& d = t.shape[random() % t.shape.size()];
        d = Nudge(d, random);
      }
      // Half of the time keep the data consistent, to get past the loader.
      if (!t.data.empty() && random() % 2) {
        int64_t elements = 1;
        for (int32_t d : t.shape) {
          elements *= d > 0 ? d : 0;
          if (elements > (1 << 20)) break;
        }
        if (elements <= (1 << 20))
          t.data.resize(static_cast<size_t>(elements) * TensorTypeSize(t.type));
      }
      return true;
    }
    case 2: {  // a buffer's size, or constant <-> activation
      if (tensors == 0) return false;
      TensorSpec& t = s.tensors[random() % tensors];
      switch (random() % 3) {
        case 0:
          t.data.resize(t.data.size() + 1 + random() % 8, 0x5a);
          break;
        case 1:
          t.data.resize(t.data.size() > 0 ? t.data.size() - 1 : 0);
          break;
        default:
          t.data.clear();
          break;
      }
      return true;
    }
    case 3: {  // quantization arrays
      if (tensors == 0) return false;
      TensorSpec& t = s.tensors[random() % tensors];
      switch (random() % 5) {
        case 0:
          t.scales.push_back(0.25f);
          t.zero_points.push_back(0);
          break;
        case 1:
          if (!t.scales.empty()) t.scales.pop_back();
          if (!t.zero_points.empty() && random() % 2) t.zero_points.pop_back();
          break;
        case 2:
          if (t.scales.empty()) return false;
          Pick(t.scales, random) = Pick(kInterestingFloats, random);
          break;
        case 3:
          if (t.zero_points.empty()) return false;
          Pick(t.zero_points, random) = (random() % 2) ? Pick(kInterestingInts, random)
                                                       : static_cast<int64_t>(random() % 512) - 256;
          break;
        default:
          t.quantized_dimension = Nudge(t.quantized_dimension, random);
          break;
      }
      return true;
    }
    case 4: {  // an operator's code
      if (operators == 0) return false;
      s.operators[random() % operators].code = Pick(kCodes, random);
      return true;
    }
    case 5:
    case 6: {  // an options value: strides 0, huge dilations, odd axes...
      if (operators == 0) return false;
      OperatorSpec& op = s.operators[random() % operators];
      const OptionsLayout* layout = FindLayout(static_cast<uint8_t>(op.options_type));
      if (layout == nullptr || layout->count == 0) return false;
      const int id = static_cast<int>(random() % layout->count);
      OptionField* field = nullptr;
      for (OptionField& f : op.options)
        if (f.id == id) field = &f;
      if (field == nullptr) {
        op.options.push_back(OptionField{id, layout->kinds[id], 0, 0.0f, {}});
        field = &op.options.back();
      }
      switch (field->kind) {
        case F32:
          field->real = Pick(kInterestingFloats, random);
          break;
        case V:
          if (field->vector.empty() || random() % 3 == 0)
            field->vector.push_back(Nudge(0, random));
          else
            Pick(field->vector, random) = Nudge(Pick(field->vector, random), random);
          break;
        case I8:
        case B:
          field->integer = static_cast<int8_t>(Nudge(static_cast<int32_t>(field->integer), random));
          break;
        case I32:
          field->integer = Nudge(static_cast<int32_t>(field->integer), random);
          break;
      }
      return true;
    }
    case 7: {  // options of another kind, or none
      if (operators == 0) return false;
      OperatorSpec& op = s.operators[random() % operators];
      op.options_type = (random() % 4 == 0) ? T::kNone : Pick(kLayouts, random).type;
      op.options.clear();
      return true;
    }
    case 8: {  // a tensor's type
      if (tensors == 0) return false;
      s.tensors[random() % tensors].type = Pick(kTypes, random);
      return true;
    }
    case 9: {  // the graph's inputs and outputs
      std::vector<int32_t>& list = (random() % 2) ? s.inputs : s.outputs;
      if (list.empty() || random() % 3 == 0)
        list.push_back(any_tensor());
      else
        list[random() % list.size()] = any_tensor();
      return true;
    }
    case 10: {  // drop or duplicate an operator
      if (operators == 0) return false;
      const size_t n = random() % operators;
      if (random() % 2)
        s.operators.erase(s.operators.begin() + n);
      else
        s.operators.insert(s.operators.begin() + n, s.operators[n]);
      return true;
    }
    default: {  // a variable flag
      if (tensors == 0) return false;
      TensorSpec& t = s.tensors[random() % tensors];
      t.is_variable = !t.is_variable;
      return true;
    }
  }
}

size_t MutateStructure(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  // libFuzzer's buffer carries no alignment promise; Model::Create wants 8.
  const std::vector<uint8_t> copy(data, data + size);
  Model model;
  if (!Model::Create(copy.data(), copy.size(), &model).ok()) return 0;
  std::minstd_rand random(seed);
  Specs specs = ReadSpecs(model);
  const int changes = 1 + static_cast<int>(random() % 3);
  for (int i = 0; i < changes; ++i) Perturb(specs, random);
  host::TfliteBuilder builder;
  for (TensorSpec& t : specs.tensors) builder.AddTensor(std::move(t));
  for (OperatorSpec& op : specs.operators) builder.AddOperator(std::move(op));
  builder.SetInputs(specs.inputs);
  builder.SetOutputs(specs.outputs);
  const std::vector<uint8_t> rebuilt = builder.Build("fuzz");
  if (rebuilt.size() > max_size) return 0;
  std::memcpy(data, rebuilt.data(), rebuilt.size());
  return rebuilt.size();
}

}  // namespace
}  // namespace picoml::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  picoml::fuzz::RunOne(data, size);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  if (seed % 2 == 0) {
    const size_t mutated = picoml::fuzz::MutateStructure(data, size, max_size, seed / 2);
    if (mutated != 0) return mutated;
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
