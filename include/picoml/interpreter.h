// Interpreter: runs a Model's main graph inside one caller-owned arena.
//
//   alignas(16) static uint8_t arena[kArenaBytes];
//   picoml::Model model;
//   picoml::Interpreter interpreter;
//   PICOML_RETURN_IF_ERROR(picoml::Model::Create(model_data, model_size, &model));
//   PICOML_RETURN_IF_ERROR(picoml::Interpreter::Create(model, resolver, arena,
//                                                      sizeof(arena), &interpreter));
//   ... fill interpreter.input(0), interpreter.Invoke(), read output(0) ...
//
// Memory: Create plans every activation tensor's place by its lifetime and
// lays out, at the start of the arena, the small persistent part (tensor
// offsets, per-node data such as per-channel multipliers); activations follow.
// Nothing is allocated anywhere else. The exact number of bytes a model needs
// is known before any inference (ArenaPlan), and an arena that is too small
// fails with that number.
//
// Ownership and lifetime: the model bytes, the Model, the OpResolver and the
// arena must all outlive the Interpreter; the Interpreter owns none of them.
// A graph input's bytes may be reused once no node needs them, so write
// inputs before each Invoke() and read outputs after it.
#ifndef PICOML_INTERPRETER_H_
#define PICOML_INTERPRETER_H_

#include <stddef.h>
#include <stdint.h>

#include "picoml/kernel.h"
#include "picoml/model.h"
#include "picoml/op_resolver.h"
#include "picoml/status.h"

namespace picoml {

// Called just before (finished = false) and just after (finished = true) each
// node's Eval, when set with Interpreter::SetNodeObserver: per-operator
// profiling on a device (cycle counters, instruction-count marks) without a
// profiler built into the runtime. It must not touch the interpreter.
typedef void (*NodeObserver)(void* context, uint32_t node, BuiltinOperator op, bool finished);

struct InterpreterOptions {
  Rounding rounding = Rounding::kDouble;  // kDouble matches TFLM's default build
};

// Where the bytes of an arena go, for a model and resolver.
struct ArenaPlan {
  size_t persistent_bytes = 0;  // tensor offsets, node records, node data
  size_t activation_bytes = 0;  // peak of the planned activations and scratch
  size_t planner_bytes = 0;     // working space the planner borrows while planning
  size_t alignment_bytes = 0;   // lost to aligning this arena's start to 16
  // What an arena at this address must hold:
  // alignment + persistent + max(activations, planner).
  size_t needed_bytes = 0;
};

class Interpreter {
 public:
  Interpreter() = default;

  // Plans the arena and prepares every node. Fails with kArenaTooSmall, and
  // the exact figure, when `arena_bytes` is too small; with kUnsupported
  // naming the node and operator when the resolver lacks a kernel or a
  // kernel refuses the node.
  static Status Create(const Model& model, const OpResolver& resolver, uint8_t* arena,
                       size_t arena_bytes, Interpreter* interpreter,
                       const InterpreterOptions& options = InterpreterOptions());

  // The same with the persistent part and the activations in two buffers.
  // `persistent` holds the tables and node data for the interpreter's life
  // (ArenaPlan's alignment_bytes + persistent_bytes, from Plan or `picoml
  // inspect`); `activations` (16-byte aligned) holds tensors and scratch,
  // and is the planner's working space during Create: it needs
  // SharedActivationBytes(plan). Interpreters that never run at the same
  // time may share one activation buffer, e.g. an ensemble's models run in
  // turn: write an interpreter's input right before its Invoke and read its
  // output before another runs. A model with variable tensors (state kept
  // between invocations) is refused: give it its own arena.
  static Status Create(const Model& model, const OpResolver& resolver, uint8_t* persistent,
                       size_t persistent_bytes, uint8_t* activations, size_t activation_bytes,
                       Interpreter* interpreter,
                       const InterpreterOptions& options = InterpreterOptions());
  // Bytes of activation buffer a model with this plan needs when its
  // persistent part is apart: max(activation_bytes, planner_bytes).
  static size_t SharedActivationBytes(const ArenaPlan& plan);

  // Works out the plan for `model` using `work` (at least planner_bytes plus
  // persistent_bytes; any larger buffer will do) as scratch, without
  // preparing anything. For host tools that report arena sizes.
  static Status Plan(const Model& model, const OpResolver& resolver, uint8_t* work,
                     size_t work_bytes, ArenaPlan* plan,
                     const InterpreterOptions& options = InterpreterOptions());

  // Runs every node in order.
  Status Invoke();

  // Observes every node of later Invoke() calls; nullptr stops observing.
  void SetNodeObserver(NodeObserver observer, void* context) {
    observer_ = observer;
    observer_context_ = context;
  }

  int input_count() const { return model_.input_count(); }
  int output_count() const { return model_.output_count(); }
  // Tensors with their data in the arena. `i` must be in range.
  Tensor input(int i) const { return TensorAt(model_.input_tensor(i)); }
  Tensor output(int i) const { return TensorAt(model_.output_tensor(i)); }
  // Any tensor of the graph, by index (for debugging and tools).
  Tensor tensor(uint32_t index) const { return TensorAt(static_cast<int32_t>(index)); }

  const ArenaPlan& arena_plan() const { return plan_; }
  const Model& model() const { return model_; }

 private:
  struct NodeRecord;
  // Plan with its working space in `planner_area` when that is not null
  // (the tables stay in `work`), else after the tables in `work`.
  static Status PlanIn(const Model& model, const OpResolver& resolver, uint8_t* work,
                       size_t work_bytes, uint8_t* planner_area, size_t planner_area_bytes,
                       ArenaPlan* plan, const InterpreterOptions& options);
  // Sets up `interpreter` over planned buffers and prepares every node.
  static Status Prepare(const Model& model, const OpResolver& resolver, const ArenaPlan& plan,
                        uint8_t* persistent, uint8_t* activations,
                        const InterpreterOptions& options, Interpreter* interpreter);
  Tensor TensorAt(int32_t index) const;
  NodeContext Node(uint32_t index) const;

  Model model_;
  const OpResolver* resolver_ = nullptr;
  InterpreterOptions options_;
  ArenaPlan plan_;
  uint8_t* persistent_ = nullptr;   // start of the persistent part
  uint8_t* activations_ = nullptr;  // start of the activation part
  uint32_t* tensor_offsets_ = nullptr;
  NodeObserver observer_ = nullptr;
  void* observer_context_ = nullptr;
  bool ready_ = false;
};

}  // namespace picoml

#endif  // PICOML_INTERPRETER_H_
