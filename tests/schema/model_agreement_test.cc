// Every corpus model, read twice: by the flatbuffers library (code flatc
// generates from schema/picoml_tflite.fbs) and by picoml's own bounds-checked
// reader. Both must accept it and see the same model, field by field.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "picoml/model.h"
#include "picoml_tflite_generated.h"
#include "schema/corpus.h"

namespace picoml {
namespace {

template <typename T>
std::vector<T> FromLibrary(const flatbuffers::Vector<T>* v) {
  return v ? std::vector<T>(v->begin(), v->end()) : std::vector<T>();
}
template <typename T>
std::vector<T> FromPicoml(const FlatVector& v) {
  std::vector<T> values;
  for (uint32_t i = 0; i < v.size(); ++i) values.push_back(v.Scalar<T>(i));
  return values;
}
std::string FromLibrary(const flatbuffers::String* s) { return s ? s->str() : std::string(); }
std::string FromPicoml(const FlatString& s) { return std::string(s.data(), s.length()); }

class ModelAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelAgreement, LibraryAndPicomlSeeTheSameModel) {
  PICOML_SKIP_IF_CORPUS_ABSENT(GetParam());
  const std::vector<uint8_t> bytes = test::ReadCorpusModel(GetParam());
  ASSERT_FALSE(bytes.empty()) << GetParam();

  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  ASSERT_TRUE(picoml_fb::VerifyModelBuffer(verifier)) << "flatbuffers rejects " << GetParam();
  const Status structure = Model::VerifyStructure(bytes.data(), bytes.size());
  ASSERT_TRUE(structure.ok()) << structure.message();
  Model model;
  const Status created = Model::Create(bytes.data(), bytes.size(), &model);
  ASSERT_TRUE(created.ok()) << created.message();

  const picoml_fb::Model* root = picoml_fb::GetModel(bytes.data());
  EXPECT_EQ(model.version(), root->version());
  EXPECT_EQ(FromPicoml(model.description()), FromLibrary(root->description()));
  ASSERT_NE(root->buffers(), nullptr);
  EXPECT_EQ(model.buffer_count(), root->buffers()->size());
  ASSERT_NE(root->subgraphs(), nullptr);
  EXPECT_EQ(model.subgraph_count(), root->subgraphs()->size());

  const picoml_fb::SubGraph* graph = root->subgraphs()->Get(0);
  std::vector<int32_t> inputs, outputs;
  for (int i = 0; i < model.input_count(); ++i) inputs.push_back(model.input_tensor(i));
  for (int i = 0; i < model.output_count(); ++i) outputs.push_back(model.output_tensor(i));
  EXPECT_EQ(inputs, FromLibrary(graph->inputs()));
  EXPECT_EQ(outputs, FromLibrary(graph->outputs()));

  ASSERT_NE(graph->tensors(), nullptr);
  ASSERT_EQ(model.tensor_count(), graph->tensors()->size());
  for (uint32_t i = 0; i < model.tensor_count(); ++i) {
    SCOPED_TRACE("tensor " + std::to_string(i));
    const picoml_fb::Tensor* expected = graph->tensors()->Get(i);
    const Tensor actual = model.tensor(i);
    EXPECT_EQ(static_cast<int>(actual.type), static_cast<int>(expected->type()));
    EXPECT_EQ(std::vector<int32_t>(actual.shape.dims, actual.shape.dims + actual.shape.rank),
              FromLibrary(expected->shape()));
    EXPECT_EQ(FromPicoml(actual.name), FromLibrary(expected->name()));
    EXPECT_EQ(actual.is_variable, expected->is_variable());
    // Constant data: the same bytes of the same file, not a copy.
    const picoml_fb::Buffer* buffer = root->buffers()->Get(expected->buffer());
    const bool has_data = buffer->data() != nullptr && buffer->data()->size() > 0;
    EXPECT_EQ(actual.is_constant, has_data);
    EXPECT_EQ(actual.data, has_data ? buffer->data()->data() : nullptr);
    if (has_data) {
      EXPECT_EQ(actual.bytes, buffer->data()->size());
    }

    const picoml_fb::QuantizationParameters* q = expected->quantization();
    const std::vector<float> scales = q ? FromLibrary(q->scale()) : std::vector<float>();
    const std::vector<int64_t> zero_points =
        q ? FromLibrary(q->zero_point()) : std::vector<int64_t>();
    ASSERT_EQ(actual.quantization.count(), scales.size());
    for (uint32_t c = 0; c < scales.size(); ++c) {
      EXPECT_EQ(actual.quantization.scale(c), scales[c]);
      EXPECT_EQ(actual.quantization.zero_point(c), zero_points[c]);
    }
    if (q) {
      EXPECT_EQ(actual.quantization.quantized_dimension(), q->quantized_dimension());
    }
  }

  ASSERT_NE(graph->operators(), nullptr);
  ASSERT_EQ(model.operator_count(), graph->operators()->size());
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    SCOPED_TRACE("node " + std::to_string(n));
    const picoml_fb::Operator* expected = graph->operators()->Get(n);
    const Operator actual = model.op(n);
    const picoml_fb::OperatorCode* code = root->operator_codes()->Get(expected->opcode_index());
    // An operator's code is the larger of the two fields (LiteRT's rule).
    const int32_t expected_code =
        std::max<int32_t>(code->deprecated_builtin_code(), code->builtin_code());
    EXPECT_EQ(static_cast<int32_t>(actual.code), expected_code);
    EXPECT_EQ(actual.version, code->version());
    EXPECT_EQ(FromPicoml(actual.custom_code), FromLibrary(code->custom_code()));
    EXPECT_EQ(FromPicoml<int32_t>(actual.inputs), FromLibrary(expected->inputs()));
    EXPECT_EQ(FromPicoml<int32_t>(actual.outputs), FromLibrary(expected->outputs()));
    EXPECT_EQ(actual.options_type, static_cast<uint8_t>(expected->builtin_options_type()));
    const uint8_t* options = static_cast<const uint8_t*>(expected->builtin_options());
    EXPECT_EQ(actual.options.present(), options != nullptr);
    if (options != nullptr) {
      EXPECT_EQ(actual.options.position(), static_cast<size_t>(options - bytes.data()));
    }
    EXPECT_EQ(FromPicoml<uint8_t>(actual.custom_options), FromLibrary(expected->custom_options()));
  }
}

// Options tables read through picoml's reader (the way kernels read them)
// give the same values as the generated accessors, defaults included.
TEST_P(ModelAgreement, OptionsReadTheSame) {
  PICOML_SKIP_IF_CORPUS_ABSENT(GetParam());
  const std::vector<uint8_t> bytes = test::ReadCorpusModel(GetParam());
  Model model;
  ASSERT_TRUE(Model::Create(bytes.data(), bytes.size(), &model).ok());
  const picoml_fb::SubGraph* graph = picoml_fb::GetModel(bytes.data())->subgraphs()->Get(0);
  int checked = 0;
  for (uint32_t n = 0; n < model.operator_count(); ++n) {
    SCOPED_TRACE("node " + std::to_string(n));
    const picoml_fb::Operator* expected = graph->operators()->Get(n);
    const FlatTable options = model.op(n).options;
    if (const auto* conv = expected->builtin_options_as_Conv2DOptions()) {
      EXPECT_EQ(options.Scalar<int8_t>(0), conv->padding());
      EXPECT_EQ(options.Scalar<int32_t>(1), conv->stride_w());
      EXPECT_EQ(options.Scalar<int32_t>(2), conv->stride_h());
      EXPECT_EQ(options.Scalar<int8_t>(3), conv->fused_activation_function());
      EXPECT_EQ(options.Scalar<int32_t>(4, 1), conv->dilation_w_factor());
      EXPECT_EQ(options.Scalar<int32_t>(5, 1), conv->dilation_h_factor());
      ++checked;
    } else if (const auto* dw = expected->builtin_options_as_DepthwiseConv2DOptions()) {
      EXPECT_EQ(options.Scalar<int8_t>(0), dw->padding());
      EXPECT_EQ(options.Scalar<int32_t>(1), dw->stride_w());
      EXPECT_EQ(options.Scalar<int32_t>(2), dw->stride_h());
      EXPECT_EQ(options.Scalar<int32_t>(3), dw->depth_multiplier());
      EXPECT_EQ(options.Scalar<int8_t>(4), dw->fused_activation_function());
      EXPECT_EQ(options.Scalar<int32_t>(5, 1), dw->dilation_w_factor());
      EXPECT_EQ(options.Scalar<int32_t>(6, 1), dw->dilation_h_factor());
      ++checked;
    } else if (const auto* pool = expected->builtin_options_as_Pool2DOptions()) {
      EXPECT_EQ(options.Scalar<int8_t>(0), pool->padding());
      EXPECT_EQ(options.Scalar<int32_t>(1), pool->stride_w());
      EXPECT_EQ(options.Scalar<int32_t>(2), pool->stride_h());
      EXPECT_EQ(options.Scalar<int32_t>(3), pool->filter_width());
      EXPECT_EQ(options.Scalar<int32_t>(4), pool->filter_height());
      EXPECT_EQ(options.Scalar<int8_t>(5), pool->fused_activation_function());
      ++checked;
    } else if (const auto* fc = expected->builtin_options_as_FullyConnectedOptions()) {
      EXPECT_EQ(options.Scalar<int8_t>(0), fc->fused_activation_function());
      EXPECT_EQ(options.Scalar<uint8_t>(2) != 0, fc->keep_num_dims());
      ++checked;
    } else if (const auto* softmax = expected->builtin_options_as_SoftmaxOptions()) {
      EXPECT_EQ(options.Scalar<float>(0), softmax->beta());
      ++checked;
    } else if (const auto* reshape = expected->builtin_options_as_ReshapeOptions()) {
      EXPECT_EQ(FromPicoml<int32_t>(options.Vector(0)), FromLibrary(reshape->new_shape()));
      ++checked;
    } else if (const auto* reducer = expected->builtin_options_as_ReducerOptions()) {
      EXPECT_EQ(options.Scalar<uint8_t>(0) != 0, reducer->keep_dims());
      ++checked;
    }
  }
  if (model.operator_count() > 0 && checked == 0)
    GTEST_LOG_(INFO) << GetParam() << ": no options table of the kinds compared here";
}

INSTANTIATE_TEST_SUITE_P(Corpus, ModelAgreement, ::testing::ValuesIn(test::CorpusModelNames()),
                         [](const auto& info) { return test::ParamName(info.param); });

}  // namespace
}  // namespace picoml
