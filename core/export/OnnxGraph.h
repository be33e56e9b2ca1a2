#pragma once

// Writes an ONNX graph op by op with the ONNX protobuf API while computing every op with LibTorch
// on a sample input. The computed tensors serve the calibration of int8 models: the same graph
// is walked once per calibration batch in `Record` mode, which stores the statistics of each
// tensor that will carry a QuantizeLinear/DequantizeLinear pair, and once more in `Quantize` mode,
// which writes those pairs. Tensor names depend only on the order of the ops, so the passes agree.
//
// By default shapes are never baked in: everything that depends on the height and width (pooling
// masks, resize targets) is computed in the graph from Shape(x), so batch, height and width stay
// dynamic. With static shapes the sample's sizes become constants and the graph computes no shape
// at all, for runtimes that cannot evaluate shape subgraphs (OpenCV 4.6's dnn module).

#include "core/export/detail/NetworkWalk.h"

#include <ATen/ATen.h>

#include <onnx/onnx_pb.h> // defines ONNX_API, then includes onnx-ml.pb.h

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace medseg::core {

// A tensor of the graph: its ONNX name and its value on the current sample.
struct OnnxValue
{
    std::string name;
    at::Tensor value;
};

// Statistics of one quantized tensor over all calibration batches.
struct TensorRange
{
    float min = 0.0f;
    float max = 0.0f;
    bool seen = false;
    std::vector<float> sample; // a strided subsample for the percentile method
};

enum class QuantProfile {
    Cpu,     // uint8 asymmetric activations, int8 weights in [-63, 63] (7 bits)
    TensorRT // int8 symmetric activations and weights, zero point 0
};

struct QuantParams
{
    float scale = 1.0f;
    int zeroPoint = 0;
};

class OnnxGraph
{
public:
    using Value = OnnxValue;
    enum class Mode { Float, Record, Quantize };

    OnnxGraph(onnx::GraphProto *graph, int opset, Mode mode);

    int opset() const { return m_opset; }
    Mode mode() const { return m_mode; }

    // Bakes the sample's sizes into the graph (see above); off by default.
    void setStaticShapes(bool on) { m_static = on; }

    // Record mode: where tensor statistics go (kept across passes by the caller).
    void setRanges(std::map<std::string, TensorRange> *ranges) { m_ranges = ranges; }
    // Quantize mode: the activation parameters per tensor name and the weight profile.
    void setQuantization(const std::map<std::string, QuantParams> *params, QuantProfile profile);

    OnnxValue input(const std::string &name, const at::Tensor &sample);

    // Conv with weight [O, I/groups, kH, kW] and bias [O] (BatchNorm already folded in), then the
    // activation. In Quantize mode the input, weight (per channel, symmetric), bias (int32) and
    // the output (after a ReLU, so that ONNX Runtime fuses it) carry Q/DQ pairs.
    OnnxValue conv(const OnnxValue &x, const at::Tensor &weight, const at::Tensor &bias,
                   int64_t stride, int64_t padding, int64_t dilation, int64_t groups,
                   ConvActivation activation);

    OnnxValue relu(const OnnxValue &x);
    OnnxValue sigmoid(const OnnxValue &x);
    OnnxValue hardSigmoid(const OnnxValue &x); // PyTorch's: relu6(x + 3) / 6
    OnnxValue hardSwish(const OnnxValue &x);
    OnnxValue silu(const OnnxValue &x);
    OnnxValue gelu(const OnnxValue &x); // exact (erf) form
    OnnxValue add(const OnnxValue &a, const OnnxValue &b);
    OnnxValue mul(const OnnxValue &a, const OnnxValue &b);
    OnnxValue maxPool(const OnnxValue &x, int64_t kernel, int64_t stride, int64_t padding);
    OnnxValue globalAveragePool(const OnnxValue &x);
    // LayerNorm over the channel axis of an NCHW tensor (ConvNeXt's LayerNorm2d and the
    // channels-last LayerNorm inside its blocks), written with ReduceMean so that it exists at
    // every opset.
    OnnxValue layerNormChannels(const OnnxValue &x, const at::Tensor &weight,
                                const at::Tensor &bias, double eps);
    OnnxValue pad(const OnnxValue &x, int64_t top, int64_t bottom, int64_t left, int64_t right);
    // Adaptive average pooling of the last two axes to bins x bins, exact at any height and
    // width: Y = Ph X Pw^T with averaging masks built in the graph from the input shape (bin i of
    // L covers [floor(i L / b), ceil((i + 1) L / b)), as in PyTorch). With static shapes the
    // masks are constants and the products are taken as (X Pw^T)^T Ph^T, transposed back, so
    // that the constant is always the right-hand factor. In int8 both MatMuls carry Q/DQ pairs
    // (see adaptiveAveragePoolQuantized).
    OnnxValue adaptiveAveragePool(const OnnxValue &x, int64_t bins);
    // Bilinear resize of x to the height and width of `like`, half-pixel centres
    // (align_corners=false), as torch::nn::functional::interpolate.
    OnnxValue resizeLike(const OnnxValue &x, const OnnxValue &like);
    // A 1x1 map spread over the height and width of `like` (Expand): what resizeLike computes
    // for a single pixel, without its cost.
    OnnxValue broadcastLike(const OnnxValue &x, const OnnxValue &like);
    OnnxValue concat(const std::vector<OnnxValue> &values, int64_t axis);

    // Whether PSPNet's bottleneck is written in the factored form (pyramidBranchesConv): with
    // dynamic shapes unless turned off; static graphs, for OpenCV's dnn, keep the upsampled one.
    bool factorsPyramidHead() const { return m_factorPyramidHead && !m_static; }
    void setFactorPyramidHead(bool on) { m_factorPyramidHead = on; }
    // The branches' share of PSPNet's bottleneck convolution (models/PyramidConv.h): conv2d, stride
    // 1, padding k / 2, no bias, of weights[b] [O, C_b, k, k] over the grids upsampled bilinearly
    // to the height and width of `like`, summed over the branches, computed on the grids: each
    // grid's channels mixed with every tap's weights (a 1x1 Conv, quantized in int8 like every
    // Conv), then the k shifted column maps of each branch and the k shifted row maps of all
    // branches as two MatMuls, which write the result channels last (ONNX Runtime's int8
    // layout; a Transpose gives NCHW). The maps are built in the graph from Shape(like). These
    // MatMuls stay float in int8 models: bilinear weights have no exact 8-bit form, and the
    // products cost about 1% of the convolution they replace.
    OnnxValue pyramidBranchesConv(const std::vector<OnnxValue> &grids,
                                  const std::vector<at::Tensor> &weights, const OnnxValue &like);
    OnnxValue softmaxChannels(const OnnxValue &x);
    OnnxValue argmaxChannels(const OnnxValue &x);

    // Gives a graph output the name `name` (an Identity node).
    OnnxValue rename(const OnnxValue &x, const std::string &name);

    // A Q/DQ pair on `x` (once per tensor) in Quantize mode, its statistics in Record mode.
    OnnxValue quantizePoint(const OnnxValue &x);
    // A Q/DQ pair on `y` with the parameters of the quantized `x` it was computed from, for ops
    // that only move values (Resize): ONNX Runtime then drops both pairs and runs the op on the
    // uint8 tensor. Returns `y` itself outside Quantize mode.
    OnnxValue requantizeAs(const OnnxValue &y, const OnnxValue &x);

private:
    std::string fresh(const std::string &hint);
    onnx::NodeProto *node(const std::string &op, const std::vector<std::string> &inputs,
                          const std::vector<std::string> &outputs);
    std::string constant(const std::string &hint, const at::Tensor &value);
    std::string constantI64(const std::string &hint, const std::vector<int64_t> &values,
                            bool scalar = false);
    std::string constantF32(const std::string &hint, const std::vector<float> &values,
                            bool scalar = false);
    OnnxValue quantizeWith(const OnnxValue &x, const QuantParams &params);
    // [length, k * bins]: the bilinear upsampling map from `bins` cells to `length` positions
    // (half-pixel, as PyTorch), k copies side by side, copy t shifted by t - k / 2 positions
    // with zeros outside (models::shiftedTaps of models::bilinearWeights), from a scalar int64
    // length computed in the graph.
    std::string shiftedBilinearMap(const std::string &length, int64_t bins, int64_t k);
    std::string shapeOf(const std::string &name);
    // Scalar int64 of axis `axis` of Shape(name).
    std::string dimOf(const std::string &name, int64_t axis);
    struct PoolingMask
    {
        std::string mask;  // [bins, L]: 1 where position l lies in bin i, else 0
        std::string count; // [bins, 1]: the positions in each bin
    };
    PoolingMask poolingMask(const std::string &length, int64_t bins);
    // 1.0 where start <= values < end, else 0.0 (int64 operands, broadcast).
    std::string insideMask(const std::string &values, const std::string &start,
                           const std::string &end);
    std::string poolingMatrix(const std::string &length, int64_t bins); // mask / count
    // int8: the binary masks (exact at scale 1) quantized around both MatMuls, the division by
    // the bin sizes in float, and the row means between the products quantized (calibrated).
    OnnxValue adaptiveAveragePoolQuantized(const OnnxValue &x, int64_t bins);
    // A Q/DQ pair at scale 1, zero point 0 (Quantize mode): exact for the 0/1 masks.
    std::string quantizeExactly(const std::string &name);
    OnnxValue adaptiveAveragePoolStatic(const OnnxValue &x, int64_t bins);
    OnnxValue layerNormChannelsStatic(const OnnxValue &x, const at::Tensor &weight,
                                      const at::Tensor &bias, double eps);
    // Both forms' end: normed * weight + bias, and the value of the whole LayerNorm of x.
    OnnxValue layerNormAffine(const OnnxValue &x, const std::string &normed,
                              const at::Tensor &weight, const at::Tensor &bias, double eps);
    // [N, C, H', W'] from Shape(x) and Shape(like), computed in the graph (constants with
    // static shapes).
    std::string resizeSizesLike(const OnnxValue &x, const OnnxValue &like);

    onnx::GraphProto *m_graph;
    int m_opset;
    Mode m_mode;
    bool m_static = false;
    bool m_factorPyramidHead = true;
    int64_t m_counter = 0;
    int64_t m_constants = 0;
    std::map<std::string, TensorRange> *m_ranges = nullptr;
    const std::map<std::string, QuantParams> *m_params = nullptr;
    QuantProfile m_profile = QuantProfile::Cpu;
    std::map<std::string, std::string> m_quantized;   // tensor -> its DequantizeLinear output
    std::map<std::string, std::string> m_dequantized; // DequantizeLinear output -> tensor
    std::map<std::string, std::string> m_shapes;      // tensor -> its Shape output
    std::set<std::string> m_recorded;                 // Record mode: tensors seen in this pass
};

// The averaging matrix [bins, length] of adaptive average pooling along one axis: row i holds
// 1 / n_i over the n_i positions of bin i (PyTorch's bins, see adaptiveAveragePool).
at::Tensor adaptivePoolingMatrix(int64_t length, int64_t bins);

// Adds `value` (float, int8, uint8, int32, int64) as an initializer named `name`.
void addInitializer(onnx::GraphProto *graph, const std::string &name, const at::Tensor &value);

} // namespace medseg::core
