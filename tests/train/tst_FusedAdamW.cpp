#include "core/train/CudaGraphStep.h"
#include "core/train/FusedAdamW.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <QtTest>

using namespace medseg::core;

class TestFusedAdamW : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesTorchAdamWOverSeveralSteps();
    void everyLayoutAndTypeMatchesTorchAdamW();
    void skipsParametersWithoutGradient();
    void stateDictRoundTripContinuesIdentically();
    void learningRateChangesBetweenSteps();
    void cudaGraphStepNeedsACudaBuild();
};

namespace {

torch::nn::Sequential makeNet()
{
    torch::manual_seed(3);
    return torch::nn::Sequential(torch::nn::Linear(5, 7), torch::nn::ReLU(),
                                 torch::nn::Linear(7, 3));
}

FusedAdamW::NamedParameters named(torch::nn::Module &module)
{
    FusedAdamW::NamedParameters parameters;
    for (const auto &item : module.named_parameters())
        parameters.emplace_back(item.key(), item.value());
    return parameters;
}

void backward(torch::nn::Sequential &net, int step)
{
    torch::manual_seed(100 + step);
    const torch::Tensor x = torch::randn({4, 5});
    net->forward(x).pow(2).mean().backward();
}

double maxDifference(torch::nn::Module &a, torch::nn::Module &b)
{
    double difference = 0;
    const auto pa = a.parameters(), pb = b.parameters();
    for (std::size_t i = 0; i < pa.size(); ++i)
        difference = std::max(difference, (pa[i] - pb[i]).abs().max().item<double>());
    return difference;
}

} // namespace

void TestFusedAdamW::matchesTorchAdamWOverSeveralSteps()
{
    auto reference = makeNet();
    auto ours = makeNet();
    torch::optim::AdamW torchOptimizer(reference->parameters(),
                                       torch::optim::AdamWOptions(1e-2).weight_decay(0.05));
    FusedAdamW fused(named(*ours), AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.05});
    for (int step = 0; step < 6; ++step) {
        torchOptimizer.zero_grad();
        fused.zeroGrad();
        backward(reference, step);
        backward(ours, step);
        torchOptimizer.step();
        fused.step();
    }
    QVERIFY(maxDifference(*reference, *ours) <= 1e-6);
    // And the parameters did move.
    auto initial = makeNet();
    QVERIFY(maxDifference(*initial, *ours) > 1e-3);
}

// The one-pass CPU update takes float32 parameters whose gradient shares their dense layout (a
// parameter larger than one task's share, so that several threads run it; a channels_last
// convolution weight); the multi-tensor kernels take the rest (a gradient laid out otherwise, a
// float64 parameter). All must step as torch::optim::AdamW does.
void TestFusedAdamW::everyLayoutAndTypeMatchesTorchAdamW()
{
    at::set_num_threads(2);
    torch::manual_seed(7);
    std::vector<torch::Tensor> initial{
        torch::randn({3, 70000}),
        torch::randn({16, 8, 3, 3}).contiguous(at::MemoryFormat::ChannelsLast),
        torch::randn({64, 48}),
        torch::randn({5, 6}, torch::kDouble),
    };
    std::vector<torch::Tensor> reference, ours;
    FusedAdamW::NamedParameters named;
    for (std::size_t i = 0; i < initial.size(); ++i) {
        reference.push_back(initial[i].clone().set_requires_grad(true));
        ours.push_back(initial[i].clone().set_requires_grad(true));
        named.emplace_back("p" + std::to_string(i), ours.back());
    }
    QVERIFY(ours[1].is_contiguous(at::MemoryFormat::ChannelsLast));
    torch::optim::AdamW torchOptimizer(reference,
                                       torch::optim::AdamWOptions(1e-2).weight_decay(0.05));
    FusedAdamW fused(named, AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.05});
    for (int step = 0; step < 5; ++step) {
        for (std::size_t i = 0; i < initial.size(); ++i) {
            torch::Tensor grad = torch::randn_like(initial[i]);
            if (i == 2) // the same values, transposed in memory
                grad = grad.t().contiguous().t();
            reference[i].mutable_grad() = grad.clone();
            ours[i].mutable_grad() = grad;
        }
        QVERIFY(!ours[2].grad().is_contiguous());
        torchOptimizer.step();
        fused.step();
    }
    for (std::size_t i = 0; i < initial.size(); ++i) {
        const double moved = (ours[i] - initial[i]).abs().max().item<double>();
        const double difference = (ours[i] - reference[i]).abs().max().item<double>();
        QVERIFY2(moved > 1e-2,
                 qPrintable(QStringLiteral("parameter %1 moved %2").arg(i).arg(moved)));
        QVERIFY2(difference <= 1e-6,
                 qPrintable(QStringLiteral("parameter %1 differs by %2").arg(i).arg(difference)));
    }
    QVERIFY(ours[1].is_contiguous(at::MemoryFormat::ChannelsLast));
    const auto state = fused.stateDict();
    QCOMPARE(state.at("p0.step").item<std::int64_t>(), std::int64_t(5));
}

void TestFusedAdamW::skipsParametersWithoutGradient()
{
    auto net = makeNet();
    const torch::Tensor frozen = net->parameters()[0].detach().clone();
    net->parameters()[0].set_requires_grad(false);
    FusedAdamW fused(named(*net), AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.05});
    backward(net, 0);
    fused.step();
    QVERIFY(torch::equal(frozen, net->parameters()[0]));
    const auto state = fused.stateDict();
    QVERIFY(!state.count("0.weight.exp_avg"));
    QCOMPARE(state.at("2.weight.step").item<std::int64_t>(), std::int64_t(1));
}

void TestFusedAdamW::stateDictRoundTripContinuesIdentically()
{
    auto a = makeNet();
    auto b = makeNet();
    FusedAdamW first(named(*a), AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.01});
    for (int step = 0; step < 3; ++step) {
        first.zeroGrad();
        backward(a, step);
        first.step();
    }
    // b takes a's weights and optimizer state, then both go on the same way.
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < a->parameters().size(); ++i)
            b->parameters()[i].copy_(a->parameters()[i]);
    }
    FusedAdamW second(named(*b), AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.01});
    second.loadStateDict(first.stateDict());
    for (int step = 3; step < 6; ++step) {
        first.zeroGrad();
        second.zeroGrad();
        backward(a, step);
        backward(b, step);
        first.step();
        second.step();
    }
    QCOMPARE(maxDifference(*a, *b), 0.0);
}

QTEST_APPLESS_MAIN(TestFusedAdamW)
// setLearningRate between steps takes effect at the next step, as changing a torch::optim
// parameter group's lr does (on CUDA it also refills the device copy a captured step reads).
void TestFusedAdamW::learningRateChangesBetweenSteps()
{
    auto reference = makeNet();
    auto ours = makeNet();
    auto unchanged = makeNet();
    torch::optim::AdamW torchOptimizer(reference->parameters(),
                                       torch::optim::AdamWOptions(1e-2).weight_decay(0.05));
    FusedAdamW fused(named(*ours), AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.05});
    FusedAdamW steady(named(*unchanged), AdamWOptions{1e-2, 0.9, 0.999, 1e-8, 0.05});
    for (int step = 0; step < 6; ++step) {
        if (step == 3) {
            static_cast<torch::optim::AdamWOptions &>(torchOptimizer.param_groups()[0].options())
                .lr(1e-3);
            fused.setLearningRate(1e-3);
        }
        torchOptimizer.zero_grad();
        fused.zeroGrad();
        steady.zeroGrad();
        backward(reference, step);
        backward(ours, step);
        backward(unchanged, step);
        torchOptimizer.step();
        fused.step();
        steady.step();
    }
    QCOMPARE(fused.learningRate(), 1e-3);
    QVERIFY(maxDifference(*reference, *ours) <= 1e-6);
    QVERIFY(maxDifference(*unchanged, *ours) > 1e-3);
}

// CUDA graphs exist in CUDA builds of LibTorch only; a CPU build says so instead of failing later.
void TestFusedAdamW::cudaGraphStepNeedsACudaBuild()
{
#ifdef MEDSEG_WITH_CUDA
    QVERIFY(CudaGraphStep::available());
#else
    QVERIFY(!CudaGraphStep::available());
    QString message;
    try {
        CudaGraphStep step([] { return torch::zeros({}); });
    } catch (const std::exception &error) {
        message = QString::fromUtf8(error.what());
    }
    QVERIFY2(message.contains(QLatin1String("CPU-only")), qPrintable(message));
#endif
}

#include "tst_FusedAdamW.moc"
