#pragma once

#include "core/dicom/SeriesLoader.h"
#include "core/image/ImageHeader.h"

#include <memory>
#include <optional>
#include <string>

namespace medseg::core {

// Reads any series of a DicomIndex into a volume: DICOM through SeriesLoader (slices decoded in
// parallel as they come), image files (NIfTI, NRRD, MetaImage; DicomSeries::isImageFile())
// through readImageFile(). The same calls as SeriesLoader, so that a viewer, the CLI and
// training read every source one way.
class SeriesReader
{
public:
    explicit SeriesReader(DicomSeries series);
    // One file: an image file (its first volume) or a DICOM file (every frame a slice).
    static SeriesReader forFile(const std::string &path);

    // Reads the headers and allocates the volume. An image file is read whole here: its
    // modality is the series' own when set (the file's word, or the user's: a project keeps it
    // as the series' state "modality"), else judged from its values (guessModality) before a
    // viewer picks a window.
    // Throws std::runtime_error naming the file on unreadable input.
    void prepare();
    const SeriesLayout &layout() const;
    std::shared_ptr<Volume> volume() const;
    // The image file's header (empty for DICOM), valid after prepare().
    const ImageHeader &imageHeader() const { return m_header; }

    // As SeriesLoader::decode() and decodeSlice(); image files are already whole.
    void decode(ProgressSink *progress = nullptr,
                const std::function<void(int slice)> &onSliceDecoded = {});
    void decodeSlice(int slice);

    static std::shared_ptr<Volume> load(const DicomSeries &series, SeriesLayout *layout = nullptr,
                                        ProgressSink *progress = nullptr);

private:
    DicomSeries m_series;
    std::optional<SeriesLoader> m_dicom;
    ImageHeader m_header;
    SeriesLayout m_layout;
    std::shared_ptr<Volume> m_volume;
};

// The layout an image file's volume gets: modality from its values, one slice source per
// slice (frame = volumeIndex * depth + k), and what a user should know about its geometry.
SeriesLayout imageFileLayout(const std::string &path, int volumeIndex, const ImageHeader &header,
                             const Volume &volume);

} // namespace medseg::core
