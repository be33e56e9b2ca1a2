#include "core/export/OnnxGraph.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace medseg::core {

namespace {

constexpr int64_t kSamplePerBatch = 16384;

onnx::AttributeProto *attribute(onnx::NodeProto *node, const std::string &name)
{
    auto *a = node->add_attribute();
    a->set_name(name);
    return a;
}

void setInt(onnx::NodeProto *node, const std::string &name, int64_t value)
{
    auto *a = attribute(node, name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

void setFloat(onnx::NodeProto *node, const std::string &name, float value)
{
    auto *a = attribute(node, name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
}

void setString(onnx::NodeProto *node, const std::string &name, const std::string &value)
{
    auto *a = attribute(node, name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(value);
}

void setInts(onnx::NodeProto *node, const std::string &name, const std::vector<int64_t> &values)
{
    auto *a = attribute(node, name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
        a->add_ints(v);
}

} // namespace

void addInitializer(onnx::GraphProto *graph, const std::string &name, const at::Tensor &value)
{
    const at::Tensor t = value.detach().contiguous().cpu();
    auto *init = graph->add_initializer();
    init->set_name(name);
    for (int64_t d : t.sizes())
        init->add_dims(d);
    switch (t.scalar_type()) {
    case at::kFloat:
        init->set_data_type(onnx::TensorProto::FLOAT);
        break;
    case at::kChar:
        init->set_data_type(onnx::TensorProto::INT8);
        break;
    case at::kByte:
        init->set_data_type(onnx::TensorProto::UINT8);
        break;
    case at::kInt:
        init->set_data_type(onnx::TensorProto::INT32);
        break;
    case at::kLong:
        init->set_data_type(onnx::TensorProto::INT64);
        break;
    default:
        throw std::invalid_argument("ONNX export: unsupported initializer type for " + name);
    }
    init->set_raw_data(t.data_ptr(), static_cast<size_t>(t.numel() * t.element_size()));
}

OnnxGraph::OnnxGraph(onnx::GraphProto *graph, int opset, Mode mode)
    : m_graph(graph)
    , m_opset(opset)
    , m_mode(mode)
{
    if (mode == Mode::Quantize && opset < 13)
        throw std::invalid_argument("int8 export needs opset 13 or later (per-channel "
                                    "DequantizeLinear), got " +
                                    std::to_string(opset));
}

void OnnxGraph::setQuantization(const std::map<std::string, QuantParams> *params,
                                QuantProfile profile)
{
    m_params = params;
    m_profile = profile;
}

std::string OnnxGraph::fresh(const std::string &hint)
{
    return hint + "_" + std::to_string(m_counter++);
}

onnx::NodeProto *OnnxGraph::node(const std::string &op, const std::vector<std::string> &inputs,
                                 const std::vector<std::string> &outputs)
{
    auto *n = m_graph->add_node();
    n->set_op_type(op);
    n->set_name(outputs.front() + "_" + op);
    for (const auto &i : inputs)
        n->add_input(i);
    for (const auto &o : outputs)
        n->add_output(o);
    return n;
}

std::string OnnxGraph::constant(const std::string &hint, const at::Tensor &value)
{
    // Own counter: the Quantize pass adds constants that the Record pass does not, and the names
    // of computed tensors must not depend on that.
    const std::string name = hint + "_c" + std::to_string(m_constants++);
    addInitializer(m_graph, name, value);
    return name;
}

std::string OnnxGraph::constantI64(const std::string &hint, const std::vector<int64_t> &values,
                                   bool scalar)
{
    auto t = at::tensor(values, at::kLong);
    if (scalar)
        t = t.reshape({});
    return constant(hint, t);
}

std::string OnnxGraph::constantF32(const std::string &hint, const std::vector<float> &values,
                                   bool scalar)
{
    auto t = at::tensor(values, at::kFloat);
    if (scalar)
        t = t.reshape({});
    return constant(hint, t);
}

std::string OnnxGraph::shapeOf(const std::string &name)
{
    // A tensor, its Q/DQ pair and its DequantizeLinear output share one Shape node, which reads
    // the quantized tensor once there is one: a Shape of a DequantizeLinear output (or of the
    // float tensor it quantizes) would keep that node in float in ONNX Runtime, beside the int8
    // ops that consume the pair. The Record pass keys the same tensors, so names agree.
    const auto origin = m_dequantized.find(name);
    const std::string key = origin != m_dequantized.end() ? origin->second : name;
    auto it = m_shapes.find(key);
    if (it != m_shapes.end())
        return it->second;
    const std::string out = fresh("shape");
    node("Shape", {m_quantized.count(key) ? key + "_q" : key}, {out});
    m_shapes[key] = out;
    return out;
}

std::string OnnxGraph::dimOf(const std::string &name, int64_t axis)
{
    const std::string out = fresh("dim");
    auto *n = node("Gather", {shapeOf(name), constantI64("axis", {axis}, true)}, {out});
    setInt(n, "axis", 0);
    return out;
}

OnnxValue OnnxGraph::input(const std::string &name, const at::Tensor &sample)
{
    return {name, sample};
}

OnnxValue OnnxGraph::quantizePoint(const OnnxValue &x)
{
    if (m_mode == Mode::Float || m_dequantized.count(x.name))
        return x;
    if (m_mode == Mode::Record) {
        if (m_ranges && m_recorded.insert(x.name).second) {
            TensorRange &range = (*m_ranges)[x.name];
            const at::Tensor flat = x.value.detach().reshape({-1}).to(at::kFloat);
            const float lo = flat.min().item<float>();
            const float hi = flat.max().item<float>();
            range.min = range.seen ? std::min(range.min, lo) : lo;
            range.max = range.seen ? std::max(range.max, hi) : hi;
            range.seen = true;
            const int64_t step = std::max<int64_t>(1, flat.numel() / kSamplePerBatch);
            const at::Tensor picked = flat.slice(0, 0, flat.numel(), step).contiguous();
            const float *p = picked.data_ptr<float>();
            range.sample.insert(range.sample.end(), p, p + picked.numel());
        }
        return x;
    }
    auto cached = m_quantized.find(x.name);
    if (cached != m_quantized.end())
        return {cached->second, x.value};
    if (!m_params || !m_params->count(x.name))
        throw std::logic_error("ONNX export: no calibration range for tensor " + x.name);
    return quantizeWith(x, m_params->at(x.name));
}

OnnxValue OnnxGraph::requantizeAs(const OnnxValue &y, const OnnxValue &x)
{
    if (m_mode != Mode::Quantize)
        return y;
    const auto origin = m_dequantized.find(x.name);
    if (origin == m_dequantized.end())
        throw std::logic_error("ONNX export: " + x.name + " is not quantized");
    return quantizeWith(y, m_params->at(origin->second));
}

OnnxValue OnnxGraph::quantizeWith(const OnnxValue &x, const QuantParams &p)
{
    const std::string scale = constantF32(x.name + "_scale", {p.scale}, true);
    const std::string zero = m_profile == QuantProfile::Cpu
                                 ? constant(x.name + "_zp", at::full({}, p.zeroPoint, at::kByte))
                                 : constant(x.name + "_zp", at::full({}, p.zeroPoint, at::kChar));
    const std::string q = x.name + "_q";
    const std::string dq = x.name + "_dq";
    node("QuantizeLinear", {x.name, scale, zero}, {q});
    node("DequantizeLinear", {q, scale, zero}, {dq});
    m_quantized[x.name] = dq;
    m_dequantized[dq] = x.name;
    return {dq, x.value};
}

OnnxValue OnnxGraph::conv(const OnnxValue &x_in, const at::Tensor &weight, const at::Tensor &bias,
                          int64_t stride, int64_t padding, int64_t dilation, int64_t groups,
                          ConvActivation activation)
{
    const OnnxValue x = quantizePoint(x_in);
    at::Tensor y = at::conv2d(x.value, weight, bias, {stride, stride}, {padding, padding},
                              {dilation, dilation}, groups);
    std::string w_name;
    std::string b_name;
    if (m_mode == Mode::Quantize) {
        // Per-output-channel symmetric weights. The CPU profile keeps 7 bits: ONNX Runtime's
        // int8 kernels on AVX2 without VNNI saturate the pairwise u8*s8 sums of 8-bit weights.
        const double qmax = m_profile == QuantProfile::Cpu ? 63.0 : 127.0;
        const at::Tensor absmax = weight.detach().abs().amax({1, 2, 3}).clamp_min(1e-12);
        const at::Tensor w_scale = (absmax / qmax).to(at::kFloat);
        const at::Tensor wq = at::round(weight.detach() / w_scale.view({-1, 1, 1, 1}))
                                  .clamp(-qmax, qmax)
                                  .to(at::kChar);
        const std::string wq_name = constant("w_int8", wq);
        const std::string ws_name = constant("w_scale", w_scale);
        const std::string wz_name = constant("w_zp", at::zeros({weight.size(0)}, at::kChar));
        w_name = wq_name + "_dq";
        auto *dq = node("DequantizeLinear", {wq_name, ws_name, wz_name}, {w_name});
        setInt(dq, "axis", 0);
        // int32 bias at scale x_scale * w_scale, zero point 0: what a fused QLinearConv needs.
        const auto origin = m_dequantized.find(x.name);
        if (origin == m_dequantized.end())
            throw std::logic_error("ONNX export: unquantized input to " + x.name);
        const auto &xp = m_params->at(origin->second);
        const at::Tensor b_scale = (w_scale * xp.scale).to(at::kFloat);
        const at::Tensor bq =
            at::round(bias.detach() / b_scale).clamp(-2147483647.0, 2147483647.0).to(at::kInt);
        const std::string bq_name = constant("b_int32", bq);
        const std::string bs_name = constant("b_scale", b_scale);
        const std::string bz_name = constant("b_zp", at::zeros({weight.size(0)}, at::kInt));
        b_name = bq_name + "_dq";
        auto *dqb = node("DequantizeLinear", {bq_name, bs_name, bz_name}, {b_name});
        setInt(dqb, "axis", 0);
    } else {
        w_name = constant("weight", weight.detach().to(at::kFloat));
        b_name = constant("bias", bias.detach().to(at::kFloat));
    }
    const std::string out = fresh("conv");
    auto *n = node("Conv", {x.name, w_name, b_name}, {out});
    const int64_t k = weight.size(2);
    const int64_t kw = weight.size(3);
    setInts(n, "kernel_shape", {k, kw});
    setInts(n, "strides", {stride, stride});
    setInts(n, "pads", {padding, padding, padding, padding});
    setInts(n, "dilations", {dilation, dilation});
    setInt(n, "group", groups);
    OnnxValue result{out, y};
    if (activation == ConvActivation::ReLU)
        result = relu(result);
    return quantizePoint(result);
}

OnnxValue OnnxGraph::relu(const OnnxValue &x)
{
    const std::string out = fresh("relu");
    node("Relu", {x.name}, {out});
    return {out, at::relu(x.value)};
}

OnnxValue OnnxGraph::sigmoid(const OnnxValue &x)
{
    const std::string out = fresh("sigmoid");
    node("Sigmoid", {x.name}, {out});
    return {out, at::sigmoid(x.value)};
}

OnnxValue OnnxGraph::hardSigmoid(const OnnxValue &x)
{
    const std::string out = fresh("hardsigmoid");
    auto *n = node("HardSigmoid", {x.name}, {out});
    setFloat(n, "alpha", 1.0f / 6.0f);
    setFloat(n, "beta", 0.5f);
    return {out, at::hardsigmoid(x.value)};
}

OnnxValue OnnxGraph::hardSwish(const OnnxValue &x)
{
    if (m_opset >= 14 && m_mode == Mode::Float) {
        const std::string out = fresh("hardswish");
        node("HardSwish", {x.name}, {out});
        return {out, at::hardswish(x.value)};
    }
    // In int8 both factors quantized: ONNX Runtime runs the product as an int8 Mul.
    const OnnxValue input = quantizePoint(x);
    const OnnxValue gate = quantizePoint(hardSigmoid(input));
    const std::string out = fresh("hardswish");
    node("Mul", {input.name, gate.name}, {out});
    return {out, at::hardswish(x.value)};
}

OnnxValue OnnxGraph::silu(const OnnxValue &x)
{
    // In int8 both factors quantized: ONNX Runtime runs the gate and the product as int8 ops.
    const OnnxValue input = quantizePoint(x);
    const OnnxValue gate = quantizePoint(sigmoid(input));
    const std::string out = fresh("silu");
    node("Mul", {input.name, gate.name}, {out});
    return {out, at::silu(x.value)};
}

OnnxValue OnnxGraph::gelu(const OnnxValue &x)
{
    // 0.5 x (1 + erf(x / sqrt(2))); the Gelu op exists only from opset 20.
    const std::string scaled = fresh("gelu_scaled");
    node("Mul", {x.name, constantF32("inv_sqrt2", {float(M_SQRT1_2)}, true)}, {scaled});
    const std::string erf = fresh("gelu_erf");
    node("Erf", {scaled}, {erf});
    const std::string plus = fresh("gelu_plus");
    node("Add", {erf, constantF32("one", {1.0f}, true)}, {plus});
    const std::string half = fresh("gelu_half");
    node("Mul", {x.name, constantF32("half", {0.5f}, true)}, {half});
    const std::string out = fresh("gelu");
    node("Mul", {half, plus}, {out});
    return {out, at::gelu(x.value)};
}

OnnxValue OnnxGraph::add(const OnnxValue &a, const OnnxValue &b)
{
    const std::string out = fresh("add");
    node("Add", {a.name, b.name}, {out});
    return {out, a.value + b.value};
}

OnnxValue OnnxGraph::mul(const OnnxValue &a, const OnnxValue &b)
{
    const std::string out = fresh("mul");
    node("Mul", {a.name, b.name}, {out});
    return {out, a.value * b.value};
}

OnnxValue OnnxGraph::maxPool(const OnnxValue &x, int64_t kernel, int64_t stride, int64_t padding)
{
    const std::string out = fresh("maxpool");
    auto *n = node("MaxPool", {x.name}, {out});
    setInts(n, "kernel_shape", {kernel, kernel});
    setInts(n, "strides", {stride, stride});
    setInts(n, "pads", {padding, padding, padding, padding});
    return {out, at::max_pool2d(x.value, {kernel, kernel}, {stride, stride}, {padding, padding})};
}

OnnxValue OnnxGraph::globalAveragePool(const OnnxValue &x)
{
    const std::string out = fresh("gap");
    node("GlobalAveragePool", {x.name}, {out});
    return {out, at::adaptive_avg_pool2d(x.value, {1, 1})};
}

OnnxValue OnnxGraph::layerNormChannels(const OnnxValue &x, const at::Tensor &weight,
                                       const at::Tensor &bias, double eps)
{
    if (m_static)
        return layerNormChannelsStatic(x, weight, bias, eps);
    const std::string mean = fresh("ln_mean");
    setInts(node("ReduceMean", {x.name}, {mean}), "axes", {1});
    const std::string centred = fresh("ln_centred");
    node("Sub", {x.name, mean}, {centred});
    const std::string square = fresh("ln_square");
    node("Mul", {centred, centred}, {square});
    const std::string var = fresh("ln_var");
    setInts(node("ReduceMean", {square}, {var}), "axes", {1});
    const std::string var_eps = fresh("ln_var_eps");
    node("Add", {var, constantF32("eps", {float(eps)}, true)}, {var_eps});
    const std::string stddev = fresh("ln_std");
    node("Sqrt", {var_eps}, {stddev});
    const std::string normed = fresh("ln_normed");
    node("Div", {centred, stddev}, {normed});
    return layerNormAffine(x, normed, weight, bias, eps);
}

OnnxValue OnnxGraph::layerNormAffine(const OnnxValue &x, const std::string &normed,
                                     const at::Tensor &weight, const at::Tensor &bias, double eps)
{
    const int64_t c = weight.size(0);
    const std::string scaled = fresh("ln_scaled");
    node("Mul", {normed, constant("ln_weight", weight.detach().reshape({1, c, 1, 1}))}, {scaled});
    const std::string out = fresh("ln");
    node("Add", {scaled, constant("ln_bias", bias.detach().reshape({1, c, 1, 1}))}, {out});
    const at::Tensor y =
        at::layer_norm(x.value.permute({0, 2, 3, 1}), {c}, weight, bias, eps).permute({0, 3, 1, 2});
    return {out, y};
}

OnnxValue OnnxGraph::layerNormChannelsStatic(const OnnxValue &x, const at::Tensor &weight,
                                             const at::Tensor &bias, double eps)
{
    // The channel mean and its broadcast back over the channels as 1x1 convolutions: OpenCV 4.6
    // cannot broadcast [N, 1, H, W] against [N, C, H, W] in an element-wise op.
    const int64_t c = weight.size(0);
    const auto conv1x1 = [&](const std::string &in, const at::Tensor &w, const std::string &hint) {
        const std::string out = fresh(hint);
        auto *n = node("Conv", {in, constant("ln_" + hint, w)}, {out});
        setInts(n, "kernel_shape", {1, 1});
        return out;
    };
    const at::Tensor average = at::full({1, c, 1, 1}, 1.0 / static_cast<double>(c), at::kFloat);
    const at::Tensor spread = at::ones({c, 1, 1, 1}, at::kFloat);
    const std::string mean = conv1x1(conv1x1(x.name, average, "mean"), spread, "mean_c");
    const std::string centred = fresh("ln_centred");
    node("Sub", {x.name, mean}, {centred});
    const std::string square = fresh("ln_square");
    node("Mul", {centred, centred}, {square});
    const std::string var = conv1x1(square, average, "var");
    const std::string var_eps = fresh("ln_var_eps");
    node("Add", {var, constantF32("eps", {float(eps)}, true)}, {var_eps});
    const std::string inv_std = fresh("ln_inv_std");
    node("Pow", {var_eps, constantF32("minus_half", {-0.5f}, true)}, {inv_std});
    const std::string normed = fresh("ln_normed");
    node("Mul", {centred, conv1x1(inv_std, spread, "inv_std_c")}, {normed});
    return layerNormAffine(x, normed, weight, bias, eps);
}

OnnxValue OnnxGraph::pad(const OnnxValue &x, int64_t top, int64_t bottom, int64_t left,
                         int64_t right)
{
    const std::string out = fresh("pad");
    node("Pad", {x.name, constantI64("pads", {0, 0, top, left, 0, 0, bottom, right})}, {out});
    return {out, at::constant_pad_nd(x.value, {left, right, top, bottom})};
}

std::string OnnxGraph::insideMask(const std::string &values, const std::string &start,
                                  const std::string &end)
{
    const std::string before = fresh("before");
    node("Less", {values, start}, {before});
    const std::string not_before = fresh("not_before");
    node("Not", {before}, {not_before});
    const std::string below_end = fresh("below_end");
    node("Less", {values, end}, {below_end});
    const std::string inside = fresh("inside");
    node("And", {not_before, below_end}, {inside});
    const std::string mask = fresh("inside_mask");
    setInt(node("Cast", {inside}, {mask}), "to", onnx::TensorProto::FLOAT);
    return mask;
}

OnnxGraph::PoolingMask OnnxGraph::poolingMask(const std::string &length, int64_t bins)
{
    // rows: bins; columns: positions 0..L-1. start_i = floor(i L / b), end_i = ceil((i+1) L / b),
    // in int64 arithmetic (non-negative, so Div truncates = floors).
    std::vector<int64_t> index(static_cast<size_t>(bins));
    for (int64_t i = 0; i < bins; ++i)
        index[static_cast<size_t>(i)] = i;
    const std::string b = constantI64("bins", {bins}, true);
    const std::string i_col =
        constant("bin_index", at::tensor(index, at::kLong).reshape({bins, 1}));
    const std::string i_l = fresh("pool_il");
    node("Mul", {i_col, length}, {i_l});
    const std::string start = fresh("pool_start");
    node("Div", {i_l, b}, {start});
    const std::string i1_l = fresh("pool_i1l");
    node("Add", {i_l, length}, {i1_l});
    const std::string i1_l_b = fresh("pool_i1lb");
    node("Add", {i1_l, constantI64("bins_minus_one", {bins - 1}, true)}, {i1_l_b});
    const std::string end = fresh("pool_end");
    node("Div", {i1_l_b, b}, {end});
    const std::string positions = fresh("pool_positions");
    node("Range", {constantI64("zero", {0}, true), length, constantI64("one", {1}, true)},
         {positions});
    const std::string row = fresh("pool_row");
    node("Reshape", {positions, constantI64("row_shape", {1, -1})}, {row});
    const std::string mask = insideMask(row, start, end); // [bins, L]
    const std::string count_i = fresh("pool_count_i");
    node("Sub", {end, start}, {count_i});
    const std::string count = fresh("pool_count");
    setInt(node("Cast", {count_i}, {count}), "to", onnx::TensorProto::FLOAT);
    return {mask, count}; // [bins, L], [bins, 1]
}

std::string OnnxGraph::poolingMatrix(const std::string &length, int64_t bins)
{
    const PoolingMask m = poolingMask(length, bins);
    const std::string matrix = fresh("pool_matrix");
    node("Div", {m.mask, m.count}, {matrix});
    return matrix; // [bins, L]
}

at::Tensor adaptivePoolingMatrix(int64_t length, int64_t bins)
{
    at::Tensor m = at::zeros({bins, length}, at::kFloat);
    for (int64_t i = 0; i < bins; ++i) {
        const int64_t start = i * length / bins;
        const int64_t end = ((i + 1) * length + bins - 1) / bins;
        m[i].slice(0, start, end).fill_(1.0 / static_cast<double>(end - start));
    }
    return m;
}

OnnxValue OnnxGraph::adaptiveAveragePoolStatic(const OnnxValue &x, int64_t bins)
{
    const auto constantT = [&](int64_t length) {
        return constant("pool_matrix_t", adaptivePoolingMatrix(length, bins).t().contiguous());
    };
    const std::string cols = fresh("pool_cols");
    node("MatMul", {x.name, constantT(x.value.size(3))}, {cols}); // [N, C, H, b]
    const std::string cols_t = fresh("pool_cols_t");
    setInts(node("Transpose", {cols}, {cols_t}), "perm", {0, 1, 3, 2}); // [N, C, b, H]
    const std::string both = fresh("pool_both");
    node("MatMul", {cols_t, constantT(x.value.size(2))}, {both}); // [N, C, b(w), b(h)]
    const std::string out = fresh("pool");
    setInts(node("Transpose", {both}, {out}), "perm", {0, 1, 3, 2});
    return {out, at::adaptive_avg_pool2d(x.value, {bins, bins})};
}

std::string OnnxGraph::quantizeExactly(const std::string &name)
{
    if (m_mode != Mode::Quantize)
        return name;
    const std::string scale = constantF32(name + "_scale", {1.0f}, true);
    const std::string zero = m_profile == QuantProfile::Cpu
                                 ? constant(name + "_zp", at::zeros({}, at::kByte))
                                 : constant(name + "_zp", at::zeros({}, at::kChar));
    node("QuantizeLinear", {name, scale, zero}, {name + "_q"});
    node("DequantizeLinear", {name + "_q", scale, zero}, {name + "_dq"});
    return name + "_dq";
}

OnnxValue OnnxGraph::adaptiveAveragePoolQuantized(const OnnxValue &x_in, int64_t bins)
{
    const OnnxValue x = quantizePoint(x_in);
    const at::Tensor ph = adaptivePoolingMatrix(x.value.size(2), bins); // [b, H]
    const at::Tensor pw = adaptivePoolingMatrix(x.value.size(3), bins); // [b, W]
    std::string maskH, countH, maskWt, countWt;
    if (m_static) {
        const at::Tensor inH = ph.gt(0).to(at::kFloat);
        const at::Tensor inW = pw.gt(0).to(at::kFloat);
        maskH = constant("pool_mask", inH);
        countH = constant("pool_count", inH.sum(1, true));
        maskWt = constant("pool_mask_t", inW.t().contiguous());
        countWt = constant("pool_count_t", inW.sum(1).reshape({1, bins}));
    } else {
        // Shapes of the unquantized tensor: its Shape node is shared, and the Record pass (no
        // Q/DQ) then creates the same nodes as the Quantize pass, so tensor names agree.
        const PoolingMask h = poolingMask(dimOf(x_in.name, 2), bins);
        const PoolingMask w = poolingMask(dimOf(x_in.name, 3), bins);
        maskH = h.mask;
        countH = h.count;
        maskWt = fresh("pool_mask_t");
        setInts(node("Transpose", {w.mask}, {maskWt}), "perm", {1, 0});
        countWt = fresh("pool_count_t");
        setInts(node("Transpose", {w.count}, {countWt}), "perm", {1, 0});
    }
    const std::string rowSums = fresh("pool_row_sums");
    node("MatMul", {quantizeExactly(maskH), x.name}, {rowSums}); // [N, C, b, W]
    const std::string rows = fresh("pool_rows");
    node("Div", {rowSums, countH}, {rows});
    const OnnxValue rowMeans = quantizePoint({rows, at::matmul(ph, x.value)});
    const std::string sums = fresh("pool_sums");
    node("MatMul", {rowMeans.name, quantizeExactly(maskWt)}, {sums}); // [N, C, b, b]
    const std::string out = fresh("pool");
    node("Div", {sums, countWt}, {out});
    return {out, at::adaptive_avg_pool2d(x.value, {bins, bins})};
}

OnnxValue OnnxGraph::adaptiveAveragePool(const OnnxValue &x, int64_t bins)
{
    if (bins == 1)
        return globalAveragePool(x);
    if (m_mode != Mode::Float)
        return adaptiveAveragePoolQuantized(x, bins);
    if (m_static)
        return adaptiveAveragePoolStatic(x, bins);
    const std::string ph = poolingMatrix(dimOf(x.name, 2), bins);
    const std::string pw = poolingMatrix(dimOf(x.name, 3), bins);
    const std::string pwt = fresh("pool_matrix_t");
    setInts(node("Transpose", {pw}, {pwt}), "perm", {1, 0});
    const std::string rows = fresh("pool_rows");
    node("MatMul", {ph, x.name}, {rows}); // [b, H] x [N, C, H, W] -> [N, C, b, W]
    const std::string out = fresh("pool");
    node("MatMul", {rows, pwt}, {out}); // [N, C, b, W] x [W, b] -> [N, C, b, b]
    return {out, at::adaptive_avg_pool2d(x.value, {bins, bins})};
}

OnnxValue OnnxGraph::resizeLike(const OnnxValue &x, const OnnxValue &like)
{
    const at::Tensor y = at::upsample_bilinear2d(x.value, {like.value.size(2), like.value.size(3)},
                                                 /*align_corners=*/false);
    // Opset 11 requires roi and scales; empty tensors mean "not given" at every opset.
    const std::string roi = constant("roi", at::empty({0}, at::kFloat));
    const std::string scales = constant("scales", at::empty({0}, at::kFloat));
    const std::string sizes = resizeSizesLike(x, like);
    const std::string out = fresh("resize");
    auto *n = node("Resize", {x.name, roi, scales, sizes}, {out});
    setString(n, "mode", "linear");
    setString(n, "coordinate_transformation_mode", "half_pixel");
    return {out, y};
}

OnnxValue OnnxGraph::broadcastLike(const OnnxValue &x, const OnnxValue &like)
{
    if (x.value.size(2) != 1 || x.value.size(3) != 1)
        throw std::logic_error("ONNX export: only a 1x1 map can be broadcast, got " + x.name);
    const at::Tensor y = x.value.expand({-1, -1, like.value.size(2), like.value.size(3)});
    const std::string out = fresh("broadcast");
    node("Expand", {x.name, resizeSizesLike(x, like)}, {out});
    return {out, y.contiguous()};
}

std::string OnnxGraph::resizeSizesLike(const OnnxValue &x, const OnnxValue &like)
{
    if (m_static)
        return constantI64("resize_sizes", {x.value.size(0), x.value.size(1), like.value.size(2),
                                            like.value.size(3)});
    const std::string nc = fresh("resize_nc");
    node("Slice",
         {shapeOf(x.name), constantI64("start", {0}), constantI64("end", {2}),
          constantI64("axes", {0})},
         {nc});
    const std::string hw = fresh("resize_hw");
    node("Slice",
         {shapeOf(like.name), constantI64("start", {2}), constantI64("end", {4}),
          constantI64("axes", {0})},
         {hw});
    const std::string sizes = fresh("resize_sizes");
    setInt(node("Concat", {nc, hw}, {sizes}), "axis", 0);
    return sizes;
}

OnnxValue OnnxGraph::concat(const std::vector<OnnxValue> &values, int64_t axis)
{
    std::vector<std::string> names;
    std::vector<at::Tensor> tensors;
    for (const auto &v : values) {
        names.push_back(v.name);
        tensors.push_back(v.value);
    }
    const std::string out = fresh("concat");
    setInt(node("Concat", names, {out}), "axis", axis);
    return {out, at::cat(tensors, axis)};
}

std::string OnnxGraph::shiftedBilinearMap(const std::string &length, int64_t bins, int64_t k)
{
    // Positions q = p + t - k/2 for p < length and every tap t: [length, k] (int64).
    const std::string positions = fresh("up_positions");
    node("Range", {constantI64("zero", {0}, true), length, constantI64("one", {1}, true)},
         {positions});
    const std::string column = fresh("up_column");
    node("Reshape", {positions, constantI64("column_shape", {-1, 1})}, {column});
    std::vector<int64_t> offsets;
    for (int64_t t = 0; t < k; ++t)
        offsets.push_back(t - k / 2);
    const std::string q = fresh("up_q");
    node("Add", {column, constant("tap_offsets", at::tensor(offsets, at::kLong).reshape({1, k}))},
         {q});
    // Inside the map: 0 <= q < length; elsewhere the tap reads the convolution's zero padding.
    const std::string inside = insideMask(q, constantI64("zero", {0}, true), length);
    // PyTorch's source coordinate: max(0, (q + 0.5) * bins / length - 0.5), in float.
    const std::string qf = fresh("up_qf");
    setInt(node("Cast", {q}, {qf}), "to", onnx::TensorProto::FLOAT);
    const std::string lengthf = fresh("up_lengthf");
    setInt(node("Cast", {length}, {lengthf}), "to", onnx::TensorProto::FLOAT);
    const std::string scale = fresh("up_scale");
    node("Div", {constantF32("bins", {float(bins)}, true), lengthf}, {scale});
    const std::string centre = fresh("up_centre");
    node("Add", {qf, constantF32("half", {0.5f}, true)}, {centre});
    const std::string scaled = fresh("up_scaled");
    node("Mul", {centre, scale}, {scaled});
    const std::string shifted = fresh("up_shifted");
    node("Sub", {scaled, constantF32("half", {0.5f}, true)}, {shifted});
    const std::string source = fresh("up_source");
    node("Max", {shifted, constantF32("zero", {0.0f}, true)}, {source});
    // Cells lower = floor(source) and upper = min(lower + 1, bins - 1), weighted 1 - l and l.
    const std::string lower = fresh("up_lower");
    node("Floor", {source}, {lower});
    const std::string upper_unclamped = fresh("up_upper_unclamped");
    node("Add", {lower, constantF32("one", {1.0f}, true)}, {upper_unclamped});
    const std::string upper = fresh("up_upper");
    node("Min", {upper_unclamped, constantF32("last", {float(bins - 1)}, true)}, {upper});
    const std::string fraction = fresh("up_fraction");
    node("Sub", {source, lower}, {fraction});
    const std::string rest = fresh("up_rest");
    node("Sub", {constantF32("one", {1.0f}, true), fraction}, {rest});
    // One-hot over the cells, [length, k, bins]; the cell indices are exact in float.
    std::vector<float> cells;
    for (int64_t i = 0; i < bins; ++i)
        cells.push_back(static_cast<float>(i));
    const std::string cell = constant("cells", at::tensor(cells, at::kFloat).reshape({1, 1, bins}));
    const auto expand = [&](const std::string &v) {
        const std::string out = fresh("up_cell_axis");
        node("Reshape", {v, constantI64("cell_axis", {0, 0, 1})}, {out});
        return out;
    };
    const auto weighted = [&](const std::string &index, const std::string &weight) {
        const std::string hit_b = fresh("up_hit_b");
        node("Equal", {expand(index), cell}, {hit_b});
        const std::string hit = fresh("up_hit");
        setInt(node("Cast", {hit_b}, {hit}), "to", onnx::TensorProto::FLOAT);
        const std::string out = fresh("up_weighted");
        node("Mul", {hit, expand(weight)}, {out});
        return out;
    };
    const std::string both = fresh("up_both");
    node("Add", {weighted(lower, rest), weighted(upper, fraction)}, {both});
    const std::string masked = fresh("up_masked");
    node("Mul", {both, expand(inside)}, {masked});
    const std::string map = fresh("up_map");
    node("Reshape", {masked, constantI64("map_shape", {0, -1})}, {map});
    return map; // [length, k * bins]
}

OnnxValue OnnxGraph::pyramidBranchesConv(const std::vector<OnnxValue> &grids,
                                         const std::vector<at::Tensor> &weights,
                                         const OnnxValue &like)
{
    if (grids.empty() || grids.size() != weights.size())
        throw std::logic_error("ONNX export: one weight per pyramid branch");
    const int64_t o = weights.front().size(0);
    const int64_t k = weights.front().size(2);
    const int64_t height = like.value.size(2);
    const int64_t width = like.value.size(3);
    const std::string heightName = dimOf(like.name, 2);
    const std::string widthName = dimOf(like.name, 3);
    at::Tensor value;
    std::vector<std::string> partial;
    std::vector<std::string> rowMaps;
    for (size_t b = 0; b < grids.size(); ++b) {
        const at::Tensor &w = weights[b];
        const int64_t cb = w.size(1);
        const int64_t gh = grids[b].value.size(2);
        const int64_t gw = grids[b].value.size(3);
        if (w.size(0) != o || w.size(2) != k || w.size(3) != k || k % 2 != 1 || gh != gw)
            throw std::logic_error("ONNX export: pyramid branches need square grids and one odd "
                                   "square kernel");
        const at::Tensor up = at::upsample_bilinear2d(grids[b].value, {height, width}, false);
        const at::Tensor share = at::conv2d(up, w, {}, 1, k / 2);
        value = value.defined() ? value + share : share;

        // Taps ordered (ky, kx, O): [N, (ky, kx, O), i, j] -> [N, (ky, i), (kx, j), O]. An
        // ordinary Conv, quantized in int8 models like every Conv, so that its weights (as many
        // as the upsampled head's convolution has for the branches) are stored in int8 too.
        const at::Tensor taps =
            w.detach().permute({2, 3, 0, 1}).reshape({k * k * o, cb, 1, 1}).contiguous();
        const OnnxValue mixed = conv(grids[b], taps, at::zeros({k * k * o}, taps.options()), 1, 0,
                                     1, 1, ConvActivation::None);
        const std::string split = fresh("pyramid_split");
        node("Reshape", {mixed.name, constantI64("split_shape", {-1, k, k, o, gh, gw})}, {split});
        const std::string ordered = fresh("pyramid_ordered");
        setInts(node("Transpose", {split}, {ordered}), "perm", {0, 1, 4, 2, 5, 3});
        const std::string byColumn = fresh("pyramid_by_column");
        node("Reshape", {ordered, constantI64("by_column_shape", {-1, k * gh, k * gw, o})},
             {byColumn});
        // Columns: [W, (kx, j)] x [N, (ky, i), (kx, j), O] -> [N, (ky, i), W, O].
        partial.push_back(fresh("pyramid_columns"));
        node("MatMul", {shiftedBilinearMap(widthName, gw, k), byColumn}, {partial.back()});
        rowMaps.push_back(shiftedBilinearMap(heightName, gh, k));
    }
    // Rows of all branches at once: [H, sum (ky, i)] x [N, sum (ky, i), (W, O)] -> [N, H, W, O],
    // channels last, as ONNX Runtime's int8 ops run (the Transpose to NCHW then cancels).
    std::string columns = partial.front();
    std::string rows = rowMaps.front();
    if (partial.size() > 1) {
        columns = fresh("pyramid_columns_all");
        setInt(node("Concat", partial, {columns}), "axis", 1);
        rows = fresh("pyramid_row_maps");
        setInt(node("Concat", rowMaps, {rows}), "axis", 1);
    }
    const std::string flat = fresh("pyramid_flat");
    node("Reshape", {columns, constantI64("flat_shape", {0, 0, -1})}, {flat});
    const std::string product = fresh("pyramid_product");
    node("MatMul", {rows, flat}, {product});
    const std::string nhwc = fresh("pyramid_nhwc");
    node("Reshape", {product, constantI64("nhwc_shape", {0, 0, -1, o})}, {nhwc});
    const std::string out = fresh("pyramid_branches");
    setInts(node("Transpose", {nhwc}, {out}), "perm", {0, 3, 1, 2});
    return {out, value};
}

OnnxValue OnnxGraph::softmaxChannels(const OnnxValue &x)
{
    const std::string out = fresh("softmax");
    if (m_opset >= 13) {
        setInt(node("Softmax", {x.name}, {out}), "axis", 1);
    } else {
        // Before opset 13 Softmax flattens from `axis` on: move the channels last first.
        const std::string nhwc = fresh("nhwc");
        setInts(node("Transpose", {x.name}, {nhwc}), "perm", {0, 2, 3, 1});
        const std::string soft = fresh("softmax_nhwc");
        setInt(node("Softmax", {nhwc}, {soft}), "axis", 3);
        setInts(node("Transpose", {soft}, {out}), "perm", {0, 3, 1, 2});
    }
    return {out, at::softmax(x.value, 1)};
}

OnnxValue OnnxGraph::argmaxChannels(const OnnxValue &x)
{
    const std::string out = fresh("argmax");
    auto *n = node("ArgMax", {x.name}, {out});
    setInt(n, "axis", 1);
    setInt(n, "keepdims", 0);
    return {out, x.value.argmax(1)};
}

OnnxValue OnnxGraph::rename(const OnnxValue &x, const std::string &name)
{
    node("Identity", {x.name}, {name});
    return {name, x.value};
}

} // namespace medseg::core
