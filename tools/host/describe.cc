#include "host/describe.h"

#include <fmt/format.h>

#include <cstring>

namespace picoml::host {
namespace {

std::string Name(const Tensor& t) { return std::string(t.name.data(), t.name.length()); }

}  // namespace

std::string ShapeString(const Shape& shape) {
  std::string s = "[";
  for (int i = 0; i < shape.rank; ++i) s += (i ? ", " : "") + std::to_string(shape.dims[i]);
  return s + "]";
}

int64_t NodeMacs(const Model& model, uint32_t node) {
  const Operator op = model.op(node);
  if (op.input_count() < 2 || op.output_count() < 1 || op.input(1) < 0) return 0;
  const Tensor output = model.tensor(static_cast<uint32_t>(op.output(0)));
  const Tensor filter = model.tensor(static_cast<uint32_t>(op.input(1)));
  switch (op.code) {
    case BuiltinOperator::kConv2D:  // filter OHWI
      if (filter.shape.rank != 4) return 0;
      return output.ElementCount() * filter.shape.dims[1] * filter.shape.dims[2] *
             filter.shape.dims[3];
    case BuiltinOperator::kDepthwiseConv2D:  // filter [1, H, W, C]
      if (filter.shape.rank != 4) return 0;
      return output.ElementCount() * filter.shape.dims[1] * filter.shape.dims[2];
    case BuiltinOperator::kFullyConnected:  // weights [units, depth]
      if (filter.shape.rank != 2) return 0;
      return output.ElementCount() * filter.shape.dims[1];
    default:
      return 0;
  }
}

int64_t TotalMacs(const Model& model) {
  int64_t total = 0;
  for (uint32_t n = 0; n < model.operator_count(); ++n) total += NodeMacs(model, n);
  return total;
}

int64_t ParameterBytes(const Model& model) {
  int64_t total = 0;
  for (uint32_t t = 0; t < model.tensor_count(); ++t) {
    const Tensor tensor = model.tensor(t);
    if (tensor.is_constant) total += static_cast<int64_t>(tensor.bytes);
  }
  return total;
}

nlohmann::json TensorJson(const Tensor& tensor, int index) {
  nlohmann::json j;
  j["index"] = index;
  j["name"] = Name(tensor);
  j["type"] = TensorTypeName(tensor.type);
  std::vector<int32_t> shape(tensor.shape.dims, tensor.shape.dims + tensor.shape.rank);
  j["shape"] = shape;
  j["bytes"] = tensor.bytes;
  const uint32_t count = tensor.quantization.count();
  if (count == 1) {
    j["scale"] = tensor.quantization.scale(0);
    j["zero_point"] = tensor.quantization.zero_point(0);
  } else if (count > 1) {
    std::vector<float> scales;
    for (uint32_t i = 0; i < count; ++i) scales.push_back(tensor.quantization.scale(i));
    j["scales"] = scales;
    j["quantized_dimension"] = tensor.quantization.quantized_dimension();
  }
  if (tensor.is_constant) j["constant"] = true;
  return j;
}

nlohmann::json TensorValuesJson(const Tensor& tensor) {
  nlohmann::json values = nlohmann::json::array();
  const auto* bytes = static_cast<const uint8_t*>(tensor.data);
  const int64_t n = tensor.ElementCount();
  for (int64_t i = 0; i < n && bytes; ++i) {
    switch (tensor.type) {
      case TensorType::kInt8:
        values.push_back(static_cast<int8_t>(bytes[i]));
        break;
      case TensorType::kUInt8:
        values.push_back(bytes[i]);
        break;
      case TensorType::kFloat32: {
        float f;
        std::memcpy(&f, bytes + 4 * i, 4);
        values.push_back(f);
        break;
      }
      case TensorType::kInt32: {
        int32_t v;
        std::memcpy(&v, bytes + 4 * i, 4);
        values.push_back(v);
        break;
      }
      case TensorType::kInt16: {
        int16_t v;
        std::memcpy(&v, bytes + 2 * i, 2);
        values.push_back(v);
        break;
      }
      default:
        return values;
    }
  }
  return values;
}

nlohmann::json ModelJson(const Model& model, const ArenaPlan* plan) {
  nlohmann::json j;
  j["version"] = model.version();
  j["description"] = std::string(model.description().data(), model.description().length());
  nlohmann::json nodes = nlohmann::json::array();
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    const Operator op = model.op(n);
    std::vector<int32_t> inputs, outputs;
    for (int k = 0; k < op.input_count(); ++k) inputs.push_back(op.input(k));
    for (int k = 0; k < op.output_count(); ++k) outputs.push_back(op.output(k));
    nodes.push_back({{"index", n},
                     {"operator", BuiltinOperatorName(op.code)},
                     {"version", op.version},
                     {"inputs", inputs},
                     {"outputs", outputs},
                     {"macs", NodeMacs(model, n)}});
  }
  j["nodes"] = nodes;
  nlohmann::json tensors = nlohmann::json::array();
  for (uint32_t t = 0; t < model.tensor_count(); ++t)
    tensors.push_back(TensorJson(model.tensor(t), static_cast<int>(t)));
  j["tensors"] = tensors;
  std::vector<int32_t> inputs, outputs;
  for (int i = 0; i < model.input_count(); ++i) inputs.push_back(model.input_tensor(i));
  for (int i = 0; i < model.output_count(); ++i) outputs.push_back(model.output_tensor(i));
  j["inputs"] = inputs;
  j["outputs"] = outputs;
  j["parameter_bytes"] = ParameterBytes(model);
  j["macs"] = TotalMacs(model);
  if (plan) {
    j["arena_bytes"] = plan->needed_bytes;
    j["arena"] = {{"persistent_bytes", plan->persistent_bytes},
                  {"activation_bytes", plan->activation_bytes},
                  {"planner_bytes", plan->planner_bytes}};
  }
  return j;
}

std::string ModelText(const Model& model, const ArenaPlan* plan, const std::string& plan_error) {
  std::string out;
  out += fmt::format("nodes: {}\n", model.operator_count());
  out += fmt::format("  {:>4}  {:<20} {:>12}  {}\n", "node", "operator", "MACs", "inputs -> outputs");
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    const Operator op = model.op(n);
    std::string io;
    for (int k = 0; k < op.input_count(); ++k) io += (k ? "," : "") + std::to_string(op.input(k));
    io += " -> ";
    for (int k = 0; k < op.output_count(); ++k) io += (k ? "," : "") + std::to_string(op.output(k));
    out += fmt::format("  {:>4}  {:<20} {:>12}  {}\n", n, BuiltinOperatorName(op.code),
                       NodeMacs(model, n), io);
  }
  out += fmt::format("tensors: {}\n", model.tensor_count());
  for (uint32_t t = 0; t < model.tensor_count(); ++t) {
    const Tensor tensor = model.tensor(t);
    std::string quant;
    if (tensor.quantization.count() == 1)
      quant = fmt::format("scale {:.6g} zero_point {}", tensor.quantization.scale(0),
                          tensor.quantization.zero_point(0));
    else if (tensor.quantization.count() > 1)
      quant = fmt::format("{} scales along dim {}", tensor.quantization.count(),
                          tensor.quantization.quantized_dimension());
    out += fmt::format("  {:>4}  {:<8} {:<18} {:>9} B {:<9} {}  {}\n", t, TensorTypeName(tensor.type),
                       ShapeString(tensor.shape), tensor.bytes, tensor.is_constant ? "constant" : "",
                       quant, Name(tensor));
  }
  std::string inputs, outputs;
  for (int i = 0; i < model.input_count(); ++i) inputs += (i ? "," : "") + std::to_string(model.input_tensor(i));
  for (int i = 0; i < model.output_count(); ++i) outputs += (i ? "," : "") + std::to_string(model.output_tensor(i));
  out += fmt::format("inputs: {}  outputs: {}\n", inputs, outputs);
  out += fmt::format("parameter_bytes: {}\n", ParameterBytes(model));
  out += fmt::format("macs: {}\n", TotalMacs(model));
  if (plan)
    out += fmt::format("arena_bytes: {} ({} persistent + {} activations)\n", plan->needed_bytes,
                       plan->persistent_bytes,
                       std::max(plan->activation_bytes, plan->planner_bytes));
  else
    out += "arena_bytes: unknown (" + plan_error + ")\n";
  return out;
}

}  // namespace picoml::host
