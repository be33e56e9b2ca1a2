#include "core/dicom/DicomIndex.h"

namespace medseg::core {

int DicomSeries::imageCount() const
{
    int count = 0;
    for (const DicomInstance &instance : instances)
        count += instance.frames;
    return count;
}

const DicomSeries *DicomIndex::findSeries(const std::string &seriesInstanceUid) const
{
    for (const DicomPatient &patient : patients) {
        for (const DicomStudy &study : patient.studies) {
            for (const DicomSeries &series : study.series) {
                if (series.seriesInstanceUid == seriesInstanceUid)
                    return &series;
            }
        }
    }
    return nullptr;
}

int DicomIndex::seriesCount() const
{
    int count = 0;
    for (const DicomPatient &patient : patients) {
        for (const DicomStudy &study : patient.studies)
            count += int(study.series.size());
    }
    return count;
}

int DicomIndex::instanceCount() const
{
    int count = 0;
    for (const DicomPatient &patient : patients) {
        for (const DicomStudy &study : patient.studies) {
            for (const DicomSeries &series : study.series)
                count += int(series.instances.size());
        }
    }
    return count;
}

std::string derivedUid(const std::string &key)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned char c : key) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return "2.25." + std::to_string(hash);
}

} // namespace medseg::core
