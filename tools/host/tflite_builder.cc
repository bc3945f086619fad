#include "host/tflite_builder.h"

#include <flatbuffers/flatbuffers.h>

#include <map>
#include <tuple>
#include <stdexcept>

namespace picoml::host {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::uoffset_t;

constexpr flatbuffers::voffset_t Slot(int id) {
  return static_cast<flatbuffers::voffset_t>(4 + 2 * id);
}

Offset<void> WriteOptions(FlatBufferBuilder& fbb, const std::vector<OptionField>& fields) {
  // Vectors first: a table's children are written before the table.
  std::map<int, uoffset_t> vectors;
  for (const OptionField& f : fields)
    if (f.kind == OptionField::Kind::kInt32Vector) vectors[f.id] = fbb.CreateVector(f.vector).o;
  const uoffset_t start = fbb.StartTable();
  for (const OptionField& f : fields) {
    switch (f.kind) {
      case OptionField::Kind::kInt8:
        fbb.AddElement<int8_t>(Slot(f.id), static_cast<int8_t>(f.integer));
        break;
      case OptionField::Kind::kBool:
        fbb.AddElement<uint8_t>(Slot(f.id), static_cast<uint8_t>(f.integer));
        break;
      case OptionField::Kind::kInt32:
        fbb.AddElement<int32_t>(Slot(f.id), static_cast<int32_t>(f.integer));
        break;
      case OptionField::Kind::kFloat:
        fbb.AddElement<float>(Slot(f.id), f.real);
        break;
      case OptionField::Kind::kInt32Vector:
        fbb.AddOffset(Slot(f.id), Offset<void>(vectors[f.id]));
        break;
    }
  }
  return Offset<void>(fbb.EndTable(start));
}

}  // namespace

int TfliteBuilder::AddTensor(TensorSpec tensor) {
  tensors_.push_back(std::move(tensor));
  return static_cast<int>(tensors_.size() - 1);
}

int TfliteBuilder::AddOperator(OperatorSpec op) {
  operators_.push_back(std::move(op));
  return static_cast<int>(operators_.size() - 1);
}

std::vector<uint8_t> TfliteBuilder::Build(const std::string& description) const {
  FlatBufferBuilder fbb(1024);
  // Writing defaults keeps every field explicit, as the LiteRT converter's
  // files are not guaranteed to omit them; readers must handle both.
  fbb.ForceDefaults(false);

  // Buffers: 0 is the empty sentinel, then one per constant tensor.
  std::vector<Offset<void>> buffers;
  {
    const uoffset_t start = fbb.StartTable();
    buffers.push_back(Offset<void>(fbb.EndTable(start)));
  }
  std::vector<uint32_t> tensor_buffer(tensors_.size(), 0);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const TensorSpec& t = tensors_[i];
    if (t.data.empty()) continue;
    fbb.ForceVectorAlignment(t.data.size(), 1, 16);
    const auto data = fbb.CreateVector(t.data);
    const uoffset_t start = fbb.StartTable();
    fbb.AddOffset(Slot(schema::buffer::kData), data);
    tensor_buffer[i] = static_cast<uint32_t>(buffers.size());
    buffers.push_back(Offset<void>(fbb.EndTable(start)));
  }

  // Operator codes, deduplicated by (code, version, custom name).
  std::vector<Offset<void>> codes;
  std::vector<uint32_t> op_code_index;
  std::map<std::tuple<int32_t, int32_t, std::string>, uint32_t> code_map;
  for (const OperatorSpec& op : operators_) {
    const auto key = std::make_tuple(static_cast<int32_t>(op.code), op.version, op.custom_code);
    auto found = code_map.find(key);
    if (found == code_map.end()) {
      const int32_t code = static_cast<int32_t>(op.code);
      Offset<flatbuffers::String> custom;
      if (!op.custom_code.empty()) custom = fbb.CreateString(op.custom_code);
      const uoffset_t start = fbb.StartTable();
      // Both fields, as current converters write them: the byte is capped at
      // PLACEHOLDER_FOR_GREATER_OP_CODES for codes that do not fit.
      fbb.AddElement<int8_t>(Slot(schema::operator_code::kDeprecatedBuiltinCode),
                             static_cast<int8_t>(code < 127 ? code : 127), 0);
      if (!op.custom_code.empty()) fbb.AddOffset(Slot(schema::operator_code::kCustomCode), custom);
      fbb.AddElement<int32_t>(Slot(schema::operator_code::kVersion), op.version, 1);
      fbb.AddElement<int32_t>(Slot(schema::operator_code::kBuiltinCode), code, 0);
      found = code_map.emplace(key, static_cast<uint32_t>(codes.size())).first;
      codes.push_back(Offset<void>(fbb.EndTable(start)));
    }
    op_code_index.push_back(found->second);
  }

  std::vector<Offset<void>> tensors;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const TensorSpec& t = tensors_[i];
    const auto shape = fbb.CreateVector(t.shape);
    const auto name = fbb.CreateString(t.name.empty() ? "t" + std::to_string(i) : t.name);
    Offset<void> quantization;
    if (!t.scales.empty() || !t.min.empty()) {
      Offset<flatbuffers::Vector<float>> min, max, scale;
      Offset<flatbuffers::Vector<int64_t>> zero_point;
      if (!t.min.empty()) min = fbb.CreateVector(t.min);
      if (!t.max.empty()) max = fbb.CreateVector(t.max);
      if (!t.scales.empty()) scale = fbb.CreateVector(t.scales);
      if (!t.zero_points.empty()) zero_point = fbb.CreateVector(t.zero_points);
      const uoffset_t start = fbb.StartTable();
      if (!t.min.empty()) fbb.AddOffset(Slot(schema::quantization::kMin), min);
      if (!t.max.empty()) fbb.AddOffset(Slot(schema::quantization::kMax), max);
      if (!t.scales.empty()) fbb.AddOffset(Slot(schema::quantization::kScale), scale);
      if (!t.zero_points.empty()) fbb.AddOffset(Slot(schema::quantization::kZeroPoint), zero_point);
      fbb.AddElement<int32_t>(Slot(schema::quantization::kQuantizedDimension),
                              t.quantized_dimension, 0);
      quantization = Offset<void>(fbb.EndTable(start));
    }
    const uoffset_t start = fbb.StartTable();
    fbb.AddOffset(Slot(schema::tensor::kShape), shape);
    fbb.AddElement<int8_t>(Slot(schema::tensor::kType), static_cast<int8_t>(t.type), 0);
    fbb.AddElement<uint32_t>(Slot(schema::tensor::kBuffer), tensor_buffer[i], 0);
    fbb.AddOffset(Slot(schema::tensor::kName), name);
    if (!quantization.IsNull()) fbb.AddOffset(Slot(schema::tensor::kQuantization), quantization);
    fbb.AddElement<uint8_t>(Slot(schema::tensor::kIsVariable), t.is_variable ? 1 : 0, 0);
    tensors.push_back(Offset<void>(fbb.EndTable(start)));
  }

  std::vector<Offset<void>> operators;
  for (size_t i = 0; i < operators_.size(); ++i) {
    const OperatorSpec& op = operators_[i];
    const auto inputs = fbb.CreateVector(op.inputs);
    const auto outputs = fbb.CreateVector(op.outputs);
    Offset<void> options;
    if (op.options_type != schema::BuiltinOptionsType::kNone) options = WriteOptions(fbb, op.options);
    Offset<flatbuffers::Vector<uint8_t>> custom;
    if (!op.custom_options.empty()) custom = fbb.CreateVector(op.custom_options);
    const uoffset_t start = fbb.StartTable();
    fbb.AddElement<uint32_t>(Slot(schema::op::kOpcodeIndex), op_code_index[i], 0);
    fbb.AddOffset(Slot(schema::op::kInputs), inputs);
    fbb.AddOffset(Slot(schema::op::kOutputs), outputs);
    if (!options.IsNull()) {
      fbb.AddElement<uint8_t>(Slot(schema::op::kBuiltinOptionsType),
                              static_cast<uint8_t>(op.options_type), 0);
      fbb.AddOffset(Slot(schema::op::kBuiltinOptions), options);
    }
    if (!custom.IsNull()) fbb.AddOffset(Slot(schema::op::kCustomOptions), custom);
    operators.push_back(Offset<void>(fbb.EndTable(start)));
  }

  const auto tensor_vector = fbb.CreateVector(tensors);
  const auto input_vector = fbb.CreateVector(inputs_);
  const auto output_vector = fbb.CreateVector(outputs_);
  const auto operator_vector = fbb.CreateVector(operators);
  const auto graph_name = fbb.CreateString("main");
  uoffset_t start = fbb.StartTable();
  fbb.AddOffset(Slot(schema::subgraph::kTensors), tensor_vector);
  fbb.AddOffset(Slot(schema::subgraph::kInputs), input_vector);
  fbb.AddOffset(Slot(schema::subgraph::kOutputs), output_vector);
  fbb.AddOffset(Slot(schema::subgraph::kOperators), operator_vector);
  fbb.AddOffset(Slot(schema::subgraph::kName), graph_name);
  const Offset<void> subgraph(fbb.EndTable(start));

  const auto code_vector = fbb.CreateVector(codes);
  const auto subgraph_vector = fbb.CreateVector(std::vector<Offset<void>>{subgraph});
  const auto text = fbb.CreateString(description);
  const auto buffer_vector = fbb.CreateVector(buffers);
  start = fbb.StartTable();
  fbb.AddElement<uint32_t>(Slot(schema::model::kVersion), schema::kSchemaVersion, 0);
  fbb.AddOffset(Slot(schema::model::kOperatorCodes), code_vector);
  fbb.AddOffset(Slot(schema::model::kSubgraphs), subgraph_vector);
  fbb.AddOffset(Slot(schema::model::kDescription), text);
  fbb.AddOffset(Slot(schema::model::kBuffers), buffer_vector);
  const Offset<void> model(fbb.EndTable(start));
  fbb.Finish(model, schema::kFileIdentifier);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace picoml::host
