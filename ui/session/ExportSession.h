#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QSize>
#include <QString>

#include <atomic>
#include <memory>

namespace medseg::ui {

class TrainingSession;

// The GUI's one-click export: a run's model to ONNX (fp32, or int8 calibrated on the training
// slices loaded in the Training dock) with the model card and the validation report, in the
// background through the same core::exportModel as `medseg export`.
class ExportSession : public QObject
{
    Q_OBJECT

public:
    // What to write: ONNX (fp32 or int8 for one of the two profiles) or TorchScript (fp32).
    enum class Precision { Fp32, Int8Cpu, Int8TensorRT, TorchScript };
    Q_ENUM(Precision)

    struct Summary
    {
        QString onnxPath;
        QString modelCardPath;
        QString reportPath;
        bool passed = false;       // every check ran and passed
        bool failed = false;       // a check that ran failed
        bool verified = false;     // the exported file was run and compared with the network
        QString notVerifiedReason; // why not, when it was not (technical words)
        QString details;           // one line per check, for the report dialog
    };

    // The suggested file name of each format, distinct so that exporting a run in several
    // formats into one folder never replaces one with another.
    static QString defaultFileName(Precision precision);

    explicit ExportSession(TrainingSession *training, QObject *parent = nullptr);
    ~ExportSession() override;

    // Returns false with errorString() when an export runs already or int8 has no slices to
    // calibrate on.
    // `staticSize` (height, width; 0 x 0: dynamic) writes an ONNX graph with a fixed input size
    // for runtimes that cannot compute shapes (OpenCV's dnn module).
    bool start(const QString &modelOrRun, const QString &output, Precision precision,
               int opset = 17, int calibrationSlices = 32, QSize staticSize = {});
    bool isRunning() const { return m_watcher.isRunning(); }
    void cancel();
    QString errorString() const { return m_error; }

Q_SIGNALS:
    void progressed(int done, int total, const QString &stage);
    void finished(const medseg::ui::ExportSession::Summary &summary);
    void failed(const QString &message);

private:
    struct Outcome
    {
        Summary summary;
        QString error;
    };

    TrainingSession *m_training;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QString m_error;
};

} // namespace medseg::ui

Q_DECLARE_METATYPE(medseg::ui::ExportSession::Summary)
