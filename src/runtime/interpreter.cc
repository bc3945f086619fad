// Interpreter: plan (lifetimes -> offsets), prepare (node data), invoke.
//
// Arena layout, from its first 16-aligned byte:
//   persistent:  uint32 tensor offset per tensor | NodeRecord per node |
//                each node's data (8-aligned)
//   activations: planned buffers (16-aligned offsets), peak bytes
// While planning, the activation part holds the planner's working tables
// (one PlannedBuffer per tensor and per node's scratch, and sort indices), so
// an arena needs max(peak, planner tables) bytes there.
#include "picoml/interpreter.h"

#include <string.h>

#include "runtime/memory_planner.h"

namespace picoml {

struct Interpreter::NodeRecord {
  uint32_t data_offset;     // from the persistent start; 0 when none
  uint32_t scratch_offset;  // from the activation start
  uint16_t registration;    // index in the OpResolver
  uint16_t reserved;
};

namespace {

// Tensor offset of a tensor with no place in the arena: a constant (its
// data is in the model) or an activation no node touches (no data at all).
constexpr uint32_t kConstantTensor = kUnplacedTensor;
constexpr uint32_t kAliasFlag = 0x80000000u;  // during planning: "alias of tensor"
constexpr size_t kArenaAlignment = 16;
constexpr uint32_t kActivationAlignment = 16;
constexpr uint32_t kNodeDataAlignment = 8;

size_t AlignUp(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}
// For sums that may pass 4 GiB (and so wrap a 32-bit size_t).
uint64_t AlignUp64(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

Status NodeError(Status status, uint32_t node, const Operator& op) {
  status.Prefix("node %u (%s): ", static_cast<unsigned>(node), BuiltinOperatorName(op.code));
  return status;
}

// Looks up node `n`'s kernel; a readable error when the resolver lacks it.
Status FindKernel(const Model& model, const OpResolver& resolver, uint32_t n, int* index) {
  const Operator op = model.op(n);
  *index = resolver.Find(op.code);
  if (*index >= 0) return Status::Ok();
  if (op.code == BuiltinOperator::kCustom) {
    char name[48];
    const uint32_t length = op.custom_code.length() < sizeof(name) - 1
                                ? op.custom_code.length()
                                : static_cast<uint32_t>(sizeof(name) - 1);
    memcpy(name, op.custom_code.data(), length);
    name[length] = '\0';
    return Status::Error(StatusCode::kUnsupported,
                         "node %u uses custom operator '%s', which picoml does not provide",
                         static_cast<unsigned>(n), name);
  }
  return Status::Error(StatusCode::kUnsupported,
                       "node %u uses operator %s (code %d), which is not in the op resolver: "
                       "register it (resolver.Add...()), or picoml has no kernel for it",
                       static_cast<unsigned>(n), BuiltinOperatorName(op.code),
                       static_cast<int>(op.code));
}

}  // namespace

Status Interpreter::Plan(const Model& model, const OpResolver& resolver, uint8_t* work,
                         size_t work_bytes, ArenaPlan* plan, const InterpreterOptions& options) {
  return PlanIn(model, resolver, work, work_bytes, nullptr, 0, plan, options);
}

Status Interpreter::PlanIn(const Model& model, const OpResolver& resolver, uint8_t* work,
                           size_t work_bytes, uint8_t* planner_area, size_t planner_area_bytes,
                           ArenaPlan* plan, const InterpreterOptions& options) {
  if (plan == nullptr) return Status::Error(StatusCode::kInvalidArgument, "plan output is null");
  *plan = ArenaPlan();
  if (model.data() == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "model is empty: create it with Model::Create first");
  const uint32_t tensor_count = model.tensor_count();
  const uint32_t node_count = model.operator_count();

  // Tensor and node counts are at most 65535 (Model::Create), so these
  // tables are small; node data and the totals below are summed in 64 bits
  // (a kernel may ask for up to 4 GiB per node) and refused past 2 GiB, so
  // that no size_t sum wraps on a 32-bit target.
  const size_t offsets_bytes = AlignUp(tensor_count * sizeof(uint32_t), kNodeDataAlignment);
  const size_t records_bytes = AlignUp(node_count * sizeof(NodeRecord), kNodeDataAlignment);
  const uint32_t buffer_count = tensor_count + node_count;
  plan->planner_bytes = buffer_count * sizeof(PlannedBuffer) + PlannerScratchBytes(buffer_count);
  const uintptr_t address = reinterpret_cast<uintptr_t>(work);
  plan->alignment_bytes = AlignUp(address, kArenaAlignment) - address;
  uint8_t* persistent = work + plan->alignment_bytes;
  uint32_t* tensor_offsets = static_cast<uint32_t*>(static_cast<void*>(persistent));
  NodeRecord* records = static_cast<NodeRecord*>(static_cast<void*>(persistent + offsets_bytes));
  // Step 1 keeps each node's kernel and memory needs in its record (data
  // bytes in data_offset, scratch bytes in scratch_offset) when the work
  // buffer reaches that far; when it does not, planning fails below anyway.
  const bool keep_records =
      work != nullptr && work_bytes >= plan->alignment_bytes + offsets_bytes + records_bytes;

  // 1. Each node's kernel and memory needs (kernel plan functions are pure).
  uint64_t node_data_total = 0;
  for (uint32_t n = 0; n < node_count; ++n) {
    int index;
    PICOML_RETURN_IF_ERROR(FindKernel(model, resolver, n, &index));
    const Operator op = model.op(n);
    KernelMemory memory;
    const NodeContext node(&model, n, op, nullptr, nullptr, options.rounding);
    Status status = resolver.at(index)->plan(node, &memory);
    if (!status.ok()) return NodeError(status, n, op);
    node_data_total += AlignUp64(memory.node_data_bytes, kNodeDataAlignment);
    if (keep_records) {
      records[n].data_offset = memory.node_data_bytes;
      records[n].scratch_offset = memory.scratch_bytes;
      records[n].registration = static_cast<uint16_t>(index);
      records[n].reserved = 0;
    }
  }
  const uint64_t persistent_bytes =
      AlignUp64(offsets_bytes + records_bytes + node_data_total, kArenaAlignment);
  if (persistent_bytes > static_cast<uint64_t>(kMaxTensorBytes))
    return Status::Error(StatusCode::kArenaTooSmall,
                         "this model's kernels ask for %llu bytes of node data, more than the "
                         "2 GiB picoml can plan (a kernel's plan gives a corrupted size?)",
                         static_cast<unsigned long long>(node_data_total));
  plan->persistent_bytes = static_cast<size_t>(persistent_bytes);
  if (planner_area != nullptr) {
    // Tables in `work`, the planner's working space in `planner_area`.
    const size_t tables_bytes = plan->alignment_bytes + plan->persistent_bytes;
    if (work_bytes < tables_bytes)
      return Status::Error(
          StatusCode::kArenaTooSmall,
          "persistent buffer has %zu bytes, this model needs %zu (%zu persistent%s)", work_bytes,
          tables_bytes, plan->persistent_bytes,
          plan->alignment_bytes ? ", plus alignment: start it on 16 bytes" : "");
    if (planner_area_bytes < plan->planner_bytes)
      return Status::Error(StatusCode::kArenaTooSmall,
                           "activation buffer has %zu bytes; this model needs more than %zu just "
                           "to be planned; `picoml inspect MODEL` prints the exact figure",
                           planner_area_bytes, plan->planner_bytes);
  }
  const size_t planning_bytes =
      plan->alignment_bytes + plan->persistent_bytes + plan->planner_bytes;
  if (planner_area == nullptr && (work == nullptr || work_bytes < planning_bytes)) {
    plan->needed_bytes = planning_bytes;  // a lower bound only
    return Status::Error(StatusCode::kArenaTooSmall,
                         "arena has %zu bytes; this model needs more than %zu just to be planned "
                         "(%zu persistent + %zu planner); `picoml inspect MODEL` prints the exact "
                         "figure",
                         work_bytes, planning_bytes, plan->persistent_bytes, plan->planner_bytes);
  }

  // Every part starts 8- or 16-aligned (above), so the casts are sound;
  // through void* they say so to -Wcast-align on 32-bit targets.
  PlannedBuffer* buffers = static_cast<PlannedBuffer*>(static_cast<void*>(
      planner_area != nullptr ? planner_area : persistent + plan->persistent_bytes));
  uint32_t* scratch = reinterpret_cast<uint32_t*>(buffers + buffer_count);

  // 2. Lifetimes. Buffer t is tensor t's; buffer tensor_count + n is node n's
  // scratch. Times are node indices; graph inputs are alive from 0 and graph
  // outputs and variables until the end.
  const uint32_t kUnwritten = 0xffffffffu;
  for (uint32_t t = 0; t < tensor_count; ++t) {
    const Tensor tensor = model.tensor(t);
    PlannedBuffer& b = buffers[t];
    b = PlannedBuffer();
    tensor_offsets[t] = tensor.is_constant ? kConstantTensor : 0;
    if (tensor.is_constant) continue;
    b.size = static_cast<uint32_t>(tensor.bytes);
    b.first = kUnwritten;
    if (tensor.is_variable) {
      b.first = 0;
      b.last = node_count;
    }
  }
  for (int i = 0; i < model.input_count(); ++i) buffers[model.input_tensor(i)].first = 0;
  for (uint32_t n = 0; n < node_count; ++n) {
    const Operator op = model.op(n);
    for (int k = 0; k < op.input_count(); ++k) {
      const int32_t t = op.input(k);
      if (t < 0 || tensor_offsets[t] == kConstantTensor) continue;
      if (buffers[t].first == kUnwritten || buffers[t].first > n)
        return Status::Error(
            StatusCode::kInvalidModel, "node %u (%s) reads tensor %d before any node writes it",
            static_cast<unsigned>(n), BuiltinOperatorName(op.code), static_cast<int>(t));
      if (n > buffers[t].last) buffers[t].last = n;
    }
    for (int k = 0; k < op.output_count(); ++k) {
      const int32_t t = op.output(k);
      const Tensor tensor = model.tensor(static_cast<uint32_t>(t));
      if (buffers[t].first != kUnwritten && !tensor.is_variable)
        return Status::Error(StatusCode::kInvalidModel,
                             "node %u (%s) writes tensor %d, which is already written (a graph "
                             "input or an earlier node's output)",
                             static_cast<unsigned>(n), BuiltinOperatorName(op.code),
                             static_cast<int>(t));
      if (!tensor.is_variable) {
        buffers[t].first = n;
        buffers[t].last = n;
      }
    }
  }
  for (int i = 0; i < model.output_count(); ++i) {
    const int32_t t = model.output_tensor(i);
    if (tensor_offsets[t] == kConstantTensor) continue;
    if (buffers[t].first == kUnwritten)
      return Status::Error(StatusCode::kInvalidModel,
                           "graph output %d (tensor %d) is never written", i, static_cast<int>(t));
    buffers[t].last = node_count;
  }
  for (uint32_t t = 0; t < tensor_count; ++t) {  // tensors nothing touches: no place
    if (buffers[t].first != kUnwritten) continue;
    buffers[t].size = 0;
    tensor_offsets[t] = kUnplacedTensor;
  }

  // 3. In-place outputs: output 0 takes input 0's buffer when input 0 dies
  // at this node and is the same size.
  for (uint32_t n = 0; n < node_count; ++n) {
    const Operator op = model.op(n);
    const KernelRegistration* kernel = resolver.at(records[n].registration);
    if (!kernel->output_may_alias_input || op.input_count() < 1 || op.output_count() < 1) continue;
    const int32_t in = op.input(0), out = op.output(0);
    if (in < 0 || tensor_offsets[in] == kConstantTensor || model.tensor(in).is_variable ||
        model.tensor(out).is_variable)
      continue;
    const uint32_t root = (tensor_offsets[in] & kAliasFlag) ? (tensor_offsets[in] & ~kAliasFlag)
                                                            : static_cast<uint32_t>(in);
    const uint32_t in_last =
        (tensor_offsets[in] & kAliasFlag) ? buffers[in].last : buffers[root].last;
    // Compare the tensors' own sizes: an alias's buffer size is already 0.
    if (in_last != n || model.tensor(static_cast<uint32_t>(in)).bytes !=
                            model.tensor(static_cast<uint32_t>(out)).bytes)
      continue;
    tensor_offsets[out] = kAliasFlag | root;
    if (buffers[out].last > buffers[root].last) buffers[root].last = buffers[out].last;
    // Keep the aliased tensor's own last for chains; it is not placed.
    const uint32_t out_last = buffers[out].last;
    buffers[out].size = 0;
    buffers[out].last = out_last;
  }

  // Scratch buffers live during their node only.
  for (uint32_t n = 0; n < node_count; ++n) {
    PlannedBuffer& b = buffers[tensor_count + n];
    b = PlannedBuffer();
    b.size = records[n].scratch_offset;  // the scratch bytes, kept in step 1
    b.first = b.last = n;
  }

  // 4. Placement.
  const uint64_t peak = PlaceBuffers(buffers, buffer_count, scratch, kActivationAlignment);
  // Offsets are 32-bit (the same plan on 32- and 64-bit targets); a model
  // whose activations need more than 2 GiB cannot run anywhere picoml runs.
  if (peak > static_cast<uint64_t>(kMaxTensorBytes))
    return Status::Error(StatusCode::kArenaTooSmall,
                         "this model's activations need %llu bytes at their peak, more than the "
                         "2 GiB picoml can plan (corrupted shapes?)",
                         static_cast<unsigned long long>(peak));
  const uint64_t activation_bytes = AlignUp64(peak, kActivationAlignment);
  const uint64_t needed_bytes =
      static_cast<uint64_t>(plan->alignment_bytes) + persistent_bytes +
      (activation_bytes > plan->planner_bytes ? activation_bytes : plan->planner_bytes);
  if (needed_bytes > static_cast<uint64_t>(kMaxTensorBytes))
    return Status::Error(StatusCode::kArenaTooSmall,
                         "this model needs %llu bytes of arena (%llu persistent + %llu "
                         "activations), more than the 2 GiB picoml can plan (corrupted shapes?)",
                         static_cast<unsigned long long>(needed_bytes),
                         static_cast<unsigned long long>(persistent_bytes),
                         static_cast<unsigned long long>(activation_bytes));
  plan->activation_bytes = static_cast<size_t>(activation_bytes);
  plan->needed_bytes = static_cast<size_t>(needed_bytes);

  // 5. Final tables: tensor offsets, node records (data offsets, scratch).
  for (uint32_t t = 0; t < tensor_count; ++t) {
    if (tensor_offsets[t] == kConstantTensor) continue;
    const uint32_t root = (tensor_offsets[t] & kAliasFlag) ? (tensor_offsets[t] & ~kAliasFlag) : t;
    tensor_offsets[t] = buffers[root].offset;
  }
  // Below persistent_bytes, checked to fit 2 GiB above.
  uint32_t data_offset = static_cast<uint32_t>(offsets_bytes + records_bytes);
  for (uint32_t n = 0; n < node_count; ++n) {
    NodeRecord& record = records[n];
    const uint32_t node_data_bytes = record.data_offset;  // kept in step 1
    record.data_offset = node_data_bytes ? data_offset : 0;
    record.scratch_offset = buffers[tensor_count + n].offset;
    data_offset += static_cast<uint32_t>(AlignUp(node_data_bytes, kNodeDataAlignment));
  }
  return Status::Ok();
}

Status Interpreter::Create(const Model& model, const OpResolver& resolver, uint8_t* arena,
                           size_t arena_bytes, Interpreter* interpreter,
                           const InterpreterOptions& options) {
  if (interpreter == nullptr)
    return Status::Error(StatusCode::kInvalidArgument, "interpreter output is null");
  *interpreter = Interpreter();
  if (arena == nullptr)
    return Status::Error(StatusCode::kInvalidArgument, "arena is null: pass a buffer");

  ArenaPlan plan;
  PICOML_RETURN_IF_ERROR(Plan(model, resolver, arena, arena_bytes, &plan, options));
  if (plan.needed_bytes > arena_bytes)
    return Status::Error(
        StatusCode::kArenaTooSmall,
        "arena has %zu bytes, this model needs %zu (%zu persistent + %zu "
        "activations%s); give it at least %zu bytes",
        arena_bytes, plan.needed_bytes, plan.persistent_bytes, SharedActivationBytes(plan),
        plan.alignment_bytes ? ", plus alignment: start it on 16 bytes" : "", plan.needed_bytes);

  return Prepare(model, resolver, plan, arena + plan.alignment_bytes,
                 arena + plan.alignment_bytes + plan.persistent_bytes, options, interpreter);
}

Status Interpreter::Create(const Model& model, const OpResolver& resolver, uint8_t* persistent,
                           size_t persistent_bytes, uint8_t* activations, size_t activation_bytes,
                           Interpreter* interpreter, const InterpreterOptions& options) {
  if (interpreter == nullptr)
    return Status::Error(StatusCode::kInvalidArgument, "interpreter output is null");
  *interpreter = Interpreter();
  if (persistent == nullptr || activations == nullptr)
    return Status::Error(StatusCode::kInvalidArgument,
                         "persistent or activation buffer is null: pass both");
  if (reinterpret_cast<uintptr_t>(activations) % kArenaAlignment != 0)
    return Status::Error(StatusCode::kInvalidArgument,
                         "activation buffer does not start on %zu bytes: declare it alignas(%zu)",
                         kArenaAlignment, kArenaAlignment);
  for (uint32_t t = 0; t < model.tensor_count(); ++t) {
    if (model.tensor(t).is_variable)
      return Status::Error(StatusCode::kUnsupported,
                           "tensor %u is a variable (state kept between invocations), which "
                           "would live in a shared activation buffer; give this model its own "
                           "arena",
                           static_cast<unsigned>(t));
  }
  ArenaPlan plan;
  PICOML_RETURN_IF_ERROR(PlanIn(model, resolver, persistent, persistent_bytes, activations,
                                activation_bytes, &plan, options));
  if (plan.activation_bytes > activation_bytes)
    return Status::Error(StatusCode::kArenaTooSmall,
                         "activation buffer has %zu bytes, this model needs %zu; give it at least "
                         "%zu bytes",
                         activation_bytes, SharedActivationBytes(plan),
                         SharedActivationBytes(plan));
  return Prepare(model, resolver, plan, persistent + plan.alignment_bytes, activations, options,
                 interpreter);
}

size_t Interpreter::SharedActivationBytes(const ArenaPlan& plan) {
  return plan.activation_bytes > plan.planner_bytes ? plan.activation_bytes : plan.planner_bytes;
}

Status Interpreter::Prepare(const Model& model, const OpResolver& resolver, const ArenaPlan& plan,
                            uint8_t* persistent, uint8_t* activations,
                            const InterpreterOptions& options, Interpreter* interpreter) {
  Interpreter it;
  it.model_ = model;
  it.resolver_ = &resolver;
  it.options_ = options;
  it.plan_ = plan;
  it.persistent_ = persistent;
  it.activations_ = activations;
  it.tensor_offsets_ = static_cast<uint32_t*>(static_cast<void*>(it.persistent_));

  // Variables start at zero (their quantized zero for int8 state).
  for (uint32_t t = 0; t < model.tensor_count(); ++t) {
    const Tensor tensor = it.TensorAt(static_cast<int32_t>(t));
    if (!tensor.is_variable || tensor.data == nullptr) continue;
    memset(tensor.data, 0, tensor.bytes);
  }
  const NodeRecord* records = static_cast<const NodeRecord*>(static_cast<const void*>(
      it.persistent_ + AlignUp(model.tensor_count() * sizeof(uint32_t), kNodeDataAlignment)));
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    const NodeRecord& record = records[n];
    const NodeContext node = it.Node(n);
    void* data = record.data_offset ? it.persistent_ + record.data_offset : nullptr;
    Status status = resolver.at(record.registration)->prepare(node, data);
    if (!status.ok()) return NodeError(status, n, node.op());
  }
  it.ready_ = true;
  *interpreter = it;
  return Status::Ok();
}

Status Interpreter::Invoke() {
  if (!ready_)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "interpreter is not ready: Interpreter::Create must succeed first");
  const NodeRecord* records = static_cast<const NodeRecord*>(static_cast<const void*>(
      persistent_ + AlignUp(model_.tensor_count() * sizeof(uint32_t), kNodeDataAlignment)));
  for (uint32_t n = 0; n < model_.operator_count(); ++n) {
    const NodeRecord& record = records[n];
    const NodeContext node = Node(n);
    const void* data = record.data_offset ? persistent_ + record.data_offset : nullptr;
    if (observer_) observer_(observer_context_, n, node.op().code, false);
    Status status =
        resolver_->at(record.registration)->eval(node, data, activations_ + record.scratch_offset);
    if (observer_) observer_(observer_context_, n, node.op().code, true);
    if (!status.ok()) return NodeError(status, n, node.op());
  }
  return Status::Ok();
}

Tensor Interpreter::TensorAt(int32_t index) const {
  if (index < 0) return Tensor();  // an omitted optional input: no data, 0 bytes
  Tensor t = model_.tensor(static_cast<uint32_t>(index));
  if (!t.is_constant)
    t.data =
        tensor_offsets_[index] == kUnplacedTensor ? nullptr : activations_ + tensor_offsets_[index];
  return t;
}

NodeContext Interpreter::Node(uint32_t index) const {
  return NodeContext(&model_, index, model_.op(index), activations_, tensor_offsets_,
                     options_.rounding);
}

}  // namespace picoml
