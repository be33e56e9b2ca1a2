#include "core/dicom/detail/IndexJson.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace medseg::core::detail {
namespace {

using nlohmann::json;

constexpr const char *FormatName = "medseg-dicom-index";
constexpr int FormatVersion = 1;

template <typename Array>
json optionalArray(const std::optional<Array> &value)
{
    if (!value)
        return nullptr;
    return json(*value);
}

template <typename Array>
std::optional<Array> readOptionalArray(const json &object, const char *key)
{
    const auto found = object.find(key);
    if (found == object.end() || !found->is_array() || found->size() != std::tuple_size_v<Array>)
        return std::nullopt;
    Array value{};
    for (std::size_t n = 0; n < value.size(); ++n)
        value[n] = (*found)[n].get<double>();
    return value;
}

json instanceJson(const DicomInstance &instance)
{
    json object = {
        {"path", instance.path},
        {"sopInstanceUid", instance.sopInstanceUid},
        {"sopClassUid", instance.sopClassUid},
        {"transferSyntaxUid", instance.transferSyntaxUid},
        {"photometricInterpretation", instance.photometricInterpretation},
        {"instanceNumber", instance.instanceNumber},
        {"frames", instance.frames},
        {"rows", instance.rows},
        {"columns", instance.columns},
        {"bitsAllocated", instance.bitsAllocated},
        {"hasPixelData", instance.hasPixelData},
        {"imagePosition", optionalArray(instance.imagePosition)},
        {"imageOrientation", optionalArray(instance.imageOrientation)},
        {"pixelSpacing", optionalArray(instance.pixelSpacing)},
        {"fileSize", instance.fileSize},
        {"modifiedTime", instance.modifiedTime},
    };
    if (!instance.warning.empty())
        object["warning"] = instance.warning;
    return object;
}

DicomInstance instanceFromJson(const json &object)
{
    DicomInstance instance;
    instance.path = object.value("path", std::string());
    instance.sopInstanceUid = object.value("sopInstanceUid", std::string());
    instance.sopClassUid = object.value("sopClassUid", std::string());
    instance.transferSyntaxUid = object.value("transferSyntaxUid", std::string());
    instance.photometricInterpretation = object.value("photometricInterpretation", std::string());
    instance.instanceNumber = object.value("instanceNumber", 0);
    instance.frames = object.value("frames", 1);
    instance.rows = object.value("rows", 0);
    instance.columns = object.value("columns", 0);
    instance.bitsAllocated = object.value("bitsAllocated", 0);
    instance.hasPixelData = object.value("hasPixelData", false);
    instance.imagePosition = readOptionalArray<Vec3>(object, "imagePosition");
    instance.imageOrientation =
        readOptionalArray<std::array<double, 6>>(object, "imageOrientation");
    instance.pixelSpacing = readOptionalArray<std::array<double, 2>>(object, "pixelSpacing");
    instance.fileSize = object.value("fileSize", std::int64_t(0));
    instance.modifiedTime = object.value("modifiedTime", std::int64_t(0));
    instance.warning = object.value("warning", std::string());
    return instance;
}

} // namespace

std::string indexToJson(const DicomIndex &index, std::int64_t cacheWrittenAt)
{
    json patients = json::array();
    for (const DicomPatient &patient : index.patients) {
        json studies = json::array();
        for (const DicomStudy &study : patient.studies) {
            json seriesList = json::array();
            for (const DicomSeries &series : study.series) {
                json instances = json::array();
                for (const DicomInstance &instance : series.instances)
                    instances.push_back(instanceJson(instance));
                json entry = {
                    {"seriesInstanceUid", series.seriesInstanceUid},
                    {"modality", series.modality},
                    {"description", series.description},
                    {"bodyPart", series.bodyPart},
                    {"date", series.date},
                    {"time", series.time},
                    {"seriesNumber", series.seriesNumber},
                    // Derived, for readers of `medseg info --json`; ignored when read back.
                    {"imageCount", series.imageCount()},
                    {"rows", series.rows()},
                    {"columns", series.columns()},
                    {"instances", std::move(instances)},
                };
                if (!series.imageFormat.empty()) {
                    entry["imageFormat"] = series.imageFormat;
                    entry["volumeIndex"] = series.volumeIndex;
                    entry["volumeCount"] = series.volumeCount;
                }
                seriesList.push_back(std::move(entry));
            }
            studies.push_back({
                {"studyInstanceUid", study.studyInstanceUid},
                {"studyId", study.studyId},
                {"accessionNumber", study.accessionNumber},
                {"date", study.date},
                {"time", study.time},
                {"description", study.description},
                {"series", std::move(seriesList)},
            });
        }
        patients.push_back({
            {"patientId", patient.patientId},
            {"name", patient.name},
            {"birthDate", patient.birthDate},
            {"sex", patient.sex},
            {"studies", std::move(studies)},
        });
    }
    json problems = json::array();
    for (const DicomProblem &problem : index.problems) {
        problems.push_back({{"path", problem.path},
                            {"reason", problem.reason},
                            {"fileSize", problem.fileSize},
                            {"modifiedTime", problem.modifiedTime}});
    }
    json document = {
        {"format", FormatName},
        {"version", FormatVersion},
        {"root", index.root},
        {"filesScanned", index.filesScanned},
        {"filesReused", index.filesReused},
        {"patients", std::move(patients)},
        {"problems", std::move(problems)},
    };
    if (cacheWrittenAt >= 0)
        document["cacheWrittenAt"] = cacheWrittenAt;
    // DICOM text that was not valid in its declared character set must not make the whole
    // index unwritable: invalid bytes become U+FFFD.
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

DicomIndex indexFromJson(const std::string &text, std::int64_t *cacheWrittenAt)
{
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception &error) {
        throw std::runtime_error(std::string("not a DICOM index: ") + error.what());
    }
    const auto format = document.is_object() ? document.find("format") : document.end();
    if (!document.is_object() || format == document.end() || !format->is_string() ||
        format->get<std::string>() != FormatName)
        throw std::runtime_error("not a DICOM index (format is not " + std::string(FormatName) +
                                 ")");
    const auto version = document.find("version");
    if (version == document.end() || !version->is_number_integer() ||
        version->get<int>() != FormatVersion)
        throw std::runtime_error("this DICOM index version is not supported");
    try {
        DicomIndex index;
        index.root = document.value("root", std::string());
        index.filesScanned = document.value("filesScanned", 0);
        index.filesReused = document.value("filesReused", 0);
        for (const json &patientJson : document.value("patients", json::array())) {
            DicomPatient patient;
            patient.patientId = patientJson.value("patientId", std::string());
            patient.name = patientJson.value("name", std::string());
            patient.birthDate = patientJson.value("birthDate", std::string());
            patient.sex = patientJson.value("sex", std::string());
            for (const json &studyJson : patientJson.value("studies", json::array())) {
                DicomStudy study;
                study.studyInstanceUid = studyJson.value("studyInstanceUid", std::string());
                study.studyId = studyJson.value("studyId", std::string());
                study.accessionNumber = studyJson.value("accessionNumber", std::string());
                study.date = studyJson.value("date", std::string());
                study.time = studyJson.value("time", std::string());
                study.description = studyJson.value("description", std::string());
                for (const json &seriesJson : studyJson.value("series", json::array())) {
                    DicomSeries series;
                    series.seriesInstanceUid = seriesJson.value("seriesInstanceUid", std::string());
                    series.modality = seriesJson.value("modality", std::string());
                    series.description = seriesJson.value("description", std::string());
                    series.bodyPart = seriesJson.value("bodyPart", std::string());
                    series.date = seriesJson.value("date", std::string());
                    series.time = seriesJson.value("time", std::string());
                    series.seriesNumber = seriesJson.value("seriesNumber", 0);
                    series.imageFormat = seriesJson.value("imageFormat", std::string());
                    series.volumeIndex = seriesJson.value("volumeIndex", 0);
                    series.volumeCount = seriesJson.value("volumeCount", 1);
                    for (const json &instanceJson : seriesJson.value("instances", json::array()))
                        series.instances.push_back(instanceFromJson(instanceJson));
                    study.series.push_back(std::move(series));
                }
                patient.studies.push_back(std::move(study));
            }
            index.patients.push_back(std::move(patient));
        }
        for (const json &problemJson : document.value("problems", json::array())) {
            DicomProblem problem;
            problem.path = problemJson.value("path", std::string());
            problem.reason = problemJson.value("reason", std::string());
            problem.fileSize = problemJson.value("fileSize", std::int64_t(0));
            problem.modifiedTime = problemJson.value("modifiedTime", std::int64_t(0));
            index.problems.push_back(std::move(problem));
        }
        if (cacheWrittenAt)
            *cacheWrittenAt = document.value("cacheWrittenAt", std::int64_t(-1));
        return index;
    } catch (const json::exception &error) {
        throw std::runtime_error(std::string("malformed DICOM index: ") + error.what());
    }
}

} // namespace medseg::core::detail
