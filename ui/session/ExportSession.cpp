#include "ui/session/ExportSession.h"

#include "core/export/ModelExport.h"
#include "ui/session/ErrorText.h"
#include "ui/session/TrainingSession.h"

#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

namespace medseg::ui {
namespace {

// Forwards the job's steps to the GUI thread and its cancel flag to the job.
class ExportProgress : public core::ProgressSink
{
public:
    ExportProgress(ExportSession *session, std::shared_ptr<std::atomic<bool>> cancel)
        : m_session(session)
        , m_cancel(std::move(cancel))
    {}
    bool progress(std::int64_t done, std::int64_t total, const std::string &stage) override
    {
        const QString text = QString::fromStdString(stage);
        QMetaObject::invokeMethod(
            m_session,
            [session = m_session, done, total, text] {
                Q_EMIT session->progressed(int(done), int(total), text);
            },
            Qt::QueuedConnection);
        return !m_cancel->load();
    }
    bool isCancelled() const override { return m_cancel->load(); }

private:
    ExportSession *m_session;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

QString describe(const core::ExportReport &report)
{
    QStringList lines;
    if (report.format == "torchscript")
        lines << ExportSession::tr("Loaded back with torch::jit::load: %1")
                     .arg(QString::fromStdString(report.checkerFp32));
    else
        lines << ExportSession::tr("ONNX checker (fp32): %1")
                     .arg(QString::fromStdString(report.checkerFp32));
    lines << ExportSession::tr("fp32 against LibTorch: %1")
                 .arg(QString::fromStdString(report.fp32Status));
    for (const core::SizeCheck &size : report.fp32Sizes)
        lines << ExportSession::tr("  %1 x %2: max abs difference %3")
                     .arg(size.height)
                     .arg(size.width)
                     .arg(size.maxAbsDiff, 0, 'g', 3);
    if (!report.int8Status.empty()) {
        lines << ExportSession::tr("ONNX checker (int8): %1")
                     .arg(QString::fromStdString(report.checkerInt8));
        lines << ExportSession::tr("int8 against fp32: %1")
                     .arg(QString::fromStdString(report.int8Status));
        lines << ExportSession::tr("  argmax agreement %1%, Dice %2 -> %3 (drop %4, against %5)")
                     .arg(report.argmaxAgreement * 100.0, 0, 'f', 2)
                     .arg(report.diceFp32, 0, 'f', 4)
                     .arg(report.diceInt8, 0, 'f', 4)
                     .arg(report.diceDrop, 0, 'f', 4)
                     .arg(QString::fromStdString(report.diceReference));
        lines << ExportSession::tr("  size %1 MB (fp32 %2 MB)")
                     .arg(report.int8Bytes / 1e6, 0, 'f', 1)
                     .arg(report.fp32Bytes / 1e6, 0, 'f', 1);
    } else {
        lines << ExportSession::tr("  size %1 MB").arg(report.fp32Bytes / 1e6, 0, 'f', 1);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

ExportSession::ExportSession(TrainingSession *training, QObject *parent)
    : QObject(parent)
    , m_training(training)
{
    qRegisterMetaType<Summary>();
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, [this] {
        const Outcome outcome = m_watcher.result();
        if (!outcome.error.isEmpty())
            Q_EMIT failed(outcome.error);
        else
            Q_EMIT finished(outcome.summary);
    });
}

QString ExportSession::defaultFileName(Precision precision)
{
    switch (precision) {
    case Precision::Fp32:
        break;
    case Precision::Int8Cpu:
        return QStringLiteral("model-int8-cpu.onnx");
    case Precision::Int8TensorRT:
        return QStringLiteral("model-int8-tensorrt.onnx");
    case Precision::TorchScript:
        return QStringLiteral("model-torchscript.pt");
    }
    return QStringLiteral("model.onnx");
}

ExportSession::~ExportSession()
{
    cancel();
    m_watcher.waitForFinished();
}

void ExportSession::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

bool ExportSession::start(const QString &modelOrRun, const QString &output, Precision precision,
                          int opset, int calibrationSlices, QSize staticSize)
{
    m_error.clear();
    if (isRunning()) {
        m_error = tr("An export is running already.");
        return false;
    }
    core::ModelExportJob job;
    job.model = modelOrRun.toStdString();
    job.output = output.toStdString();
    job.options.opset = opset;
    if (staticSize.isValid() && !staticSize.isEmpty() && precision != Precision::TorchScript)
        job.options.staticSize = std::array<int64_t, 2>{staticSize.height(), staticSize.width()};
    if (precision == Precision::TorchScript) {
        job.format = core::ExportFormat::TorchScript;
    } else if (precision != Precision::Fp32) {
        job.options.int8 = precision == Precision::Int8Cpu ? core::QuantProfile::Cpu
                                                           : core::QuantProfile::TensorRT;
        job.options.opset = std::max(13, opset);
        if (precision == Precision::Int8TensorRT)
            job.options.calibration = core::CalibrationMethod::Percentile;
    }
    // Calibration and validation slices: the training data loaded in the dashboard.
    if (const auto data = m_training->trainingData()) {
        const auto pick = [calibrationSlices](const std::vector<core::TrainingSample> &from,
                                              std::vector<at::Tensor> *images,
                                              std::vector<at::Tensor> *masks) {
            const std::size_t n =
                std::min(from.size(), std::size_t(std::max(1, calibrationSlices)));
            for (std::size_t i = 0; i < n; ++i) {
                const core::TrainingSample &sample = from[i * from.size() / n];
                images->push_back(sample.image);
                if (masks)
                    masks->push_back(sample.mask);
            }
        };
        pick(data->train, &job.calibrationImages, nullptr);
        pick(data->val.empty() ? data->train : data->val, &job.validationImages,
             &job.validationMasks);
    }
    if (job.options.int8 && job.calibrationImages.empty()) {
        m_error = tr("int8 needs training slices to calibrate on: load the training data in the "
                     "Training dock first.");
        return false;
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto cancel = m_cancel;
    m_watcher.setFuture(QtConcurrent::run([this, job, cancel]() -> Outcome {
        Outcome outcome;
        try {
            ExportProgress progress(this, cancel);
            const core::ModelExportResult result = core::exportModel(job, &progress);
            outcome.summary.onnxPath = QString::fromStdString(result.onnxPath);
            outcome.summary.modelCardPath = QString::fromStdString(result.modelCardPath);
            outcome.summary.reportPath = QString::fromStdString(result.reportPath);
            outcome.summary.passed = result.report.passed();
            outcome.summary.failed = result.report.failed();
            outcome.summary.verified = result.report.verified();
            outcome.summary.notVerifiedReason =
                QString::fromStdString(result.report.notVerifiedReason());
            outcome.summary.details = describe(result.report);
        } catch (const core::CancelledError &) {
            outcome.error = tr("Export cancelled.");
        } catch (const std::exception &error) {
            outcome.error = errorText(error);
        }
        return outcome;
    }));
    return true;
}

} // namespace medseg::ui
