#include "core/imageio/SeriesReader.h"

#include "core/imageio/ImageFile.h"
#include "core/imageio/ImageFileIndex.h"

#include <stdexcept>

namespace medseg::core {

SeriesLayout imageFileLayout(const std::string &path, int volumeIndex, const ImageHeader &header,
                             const Volume &volume)
{
    SeriesLayout layout;
    layout.modality = guessModality(volume, header);
    layout.photometric = volume.components() == 3 ? "RGB" : "MONOCHROME2";
    layout.rescaleType = layout.modality == "CT" ? "HU" : "";
    layout.slices.reserve(std::size_t(volume.depth()));
    for (int k = 0; k < volume.depth(); ++k)
        layout.slices.push_back({path, volumeIndex * volume.depth() + k});
    if (header.geometrySource == "voxel sizes only")
        layout.warnings.push_back("the file has no sform or qform: its position and "
                                  "orientation in the patient are unknown");
    if (header.volumes > 1)
        layout.warnings.push_back("volume " + std::to_string(volumeIndex + 1) + " of " +
                                  std::to_string(header.volumes) + " of a 4D file");
    return layout;
}

SeriesReader::SeriesReader(DicomSeries series)
    : m_series(std::move(series))
{
    if (!m_series.isImageFile())
        m_dicom.emplace(m_series);
}

SeriesReader SeriesReader::forFile(const std::string &path)
{
    if (!isImageFileName(path)) {
        SeriesReader reader{DicomSeries{}};
        reader.m_dicom.emplace(SeriesLoader::forFile(path));
        return reader;
    }
    std::vector<DicomSeries> series = imageFileSeries(path);
    if (series.empty())
        throw std::runtime_error(path + ": holds no image");
    return SeriesReader(std::move(series.front()));
}

void SeriesReader::prepare()
{
    if (m_dicom) {
        m_dicom->prepare();
        return;
    }
    if (m_series.instances.empty())
        throw std::runtime_error("the series has no file");
    const std::string &path = m_series.instances.front().path;
    Volume volume = readImageFile(path, m_series.volumeIndex, &m_header);
    if (!m_series.modality.empty())
        m_header.modality = m_series.modality; // the user said so (or the file did)
    m_layout = imageFileLayout(path, m_series.volumeIndex, m_header, volume);
    m_volume = std::make_shared<Volume>(std::move(volume));
}

const SeriesLayout &SeriesReader::layout() const
{
    return m_dicom ? m_dicom->layout() : m_layout;
}

std::shared_ptr<Volume> SeriesReader::volume() const
{
    return m_dicom ? m_dicom->volume() : m_volume;
}

void SeriesReader::decode(ProgressSink *progress,
                          const std::function<void(int slice)> &onSliceDecoded)
{
    if (m_dicom) {
        m_dicom->decode(progress, onSliceDecoded);
        return;
    }
    if (progress && progress->isCancelled())
        throw CancelledError();
    if (onSliceDecoded && m_volume)
        for (int k = 0; k < m_volume->depth(); ++k)
            onSliceDecoded(k);
}

void SeriesReader::decodeSlice(int slice)
{
    if (m_dicom)
        m_dicom->decodeSlice(slice);
}

std::shared_ptr<Volume> SeriesReader::load(const DicomSeries &series, SeriesLayout *layout,
                                           ProgressSink *progress)
{
    SeriesReader reader(series);
    reader.prepare();
    reader.decode(progress);
    if (layout)
        *layout = reader.layout();
    return reader.volume();
}

} // namespace medseg::core
