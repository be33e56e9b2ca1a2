#include "app/common/BuildInfo.h"

#include "core/dicom/DicomCodecs.h"
#include "core/export/OnnxRuntimeNode.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <opencv2/core/utility.hpp>
#include <vtkVersion.h>

#include <QtGlobal>

namespace medseg::app {

QString applicationVersion()
{
    return QStringLiteral(MEDSEG_VERSION);
}

QList<QPair<QString, QString>> componentVersions()
{
    // LibTorch and DCMTK offer no runtime query; Debian builds them as shared libraries of the
    // exact version their headers name, which the package dependencies pin.
    return {
        {QStringLiteral("MedSeg Studio"), applicationVersion()},
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion())},
        {QStringLiteral("LibTorch"), QStringLiteral(TORCH_VERSION)},
        {QStringLiteral("LibTorch threads"), QString::number(at::get_num_threads())},
        {QStringLiteral("DCMTK"), QString::fromStdString(core::DicomCodecs::toolkitVersion())},
        {QStringLiteral("OpenCV"), QString::fromStdString(cv::getVersionString())},
        {QStringLiteral("VTK"), QString::fromLatin1(vtkVersion::GetVTKVersion())},
        // What checks exported models, found beside the program when installed.
        {QStringLiteral("ONNX Runtime"),
         QString::fromStdString(core::OnnxRuntimeNode().describe())},
    };
}

} // namespace medseg::app
