#include "core/dicom/DemoStudy.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace fs = std::filesystem;

namespace medseg::core {
namespace {

constexpr int LabelLiver = 1;
constexpr int LabelKidney = 2;
constexpr int LabelSpleen = 3;
constexpr int LabelBone = 4;

// An axis-aligned ellipsoid in patient millimetres (LPS) with a soft edge.
struct Blob
{
    Vec3 centre;
    Vec3 radii;
    double hu = 0.0;
    int label = 0;
};

// Smooth membership of a point in an ellipsoid: 1 inside, 0 outside, a logistic ramp of about
// `edge` mm across the border (the partial-volume effect of a finite voxel).
double membership(const Blob &blob, const Vec3 &p, double edge)
{
    double r2 = 0.0;
    for (int a = 0; a < 3; ++a) {
        const double d = (p[a] - blob.centre[a]) / blob.radii[a];
        r2 += d * d;
    }
    const double minRadius = std::min({blob.radii[0], blob.radii[1], blob.radii[2]});
    const double distance = (std::sqrt(r2) - 1.0) * minRadius; // approximate, mm
    if (distance > 6 * edge)
        return 0.0;
    if (distance < -6 * edge)
        return 1.0;
    return 1.0 / (1.0 + std::exp(distance / edge));
}

std::string format(const char *pattern, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string uid()
{
    char buffer[100];
    dcmGenerateUniqueIdentifier(buffer, SITE_INSTANCE_UID_ROOT);
    return buffer;
}

void check(const OFCondition &status, const std::string &path)
{
    if (status.bad())
        throw std::runtime_error(path + ": " + status.text());
}

} // namespace

const std::vector<DemoLabel> &demoLabels()
{
    static const std::vector<DemoLabel> labels = {
        {0, "background", {0, 0, 0}},
        {LabelLiver, "liver", {221, 130, 101}},
        {LabelKidney, "kidney", {185, 102, 83}},
        {LabelSpleen, "spleen", {157, 108, 162}},
        {LabelBone, "bone", {241, 214, 145}},
    };
    return labels;
}

DemoPatient DemoStudy::generate(const Options &options, int index)
{
    if (options.size < 16 || options.size > 1024 || options.slices < 1 || options.slices > 1000)
        throw std::invalid_argument("demo study: size must be 16..1024 and slices 1..1000");
    // One generator per patient, seeded from the study seed and the index, so that patient k
    // is the same whatever the number of patients.
    std::seed_seq seq{options.seed, std::uint32_t(index), 0x5eedu};
    std::mt19937 rng(seq);
    auto uniform = [&rng](double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(rng);
    };

    const int n = options.size;
    const double fov = 360.0; // mm
    const double pixel = fov / n;
    const double coverage = 200.0; // mm, upper abdomen
    const double thickness = std::max(0.5, std::round(2.0 * coverage / options.slices) / 2.0);

    ImageGeometry geometry;
    geometry.spacing = {pixel, pixel, thickness};
    const double zFirst = -0.5 * thickness * (options.slices - 1);
    geometry.origin = {-0.5 * fov + 0.5 * pixel, -0.5 * fov + 0.5 * pixel,
                       zFirst + uniform(-5.0, 5.0)};

    DemoPatient patient;
    char name[64];
    std::snprintf(name, sizeof name, "DEMO^PATIENT%02d", index + 1);
    patient.patientName = name;
    std::snprintf(name, sizeof name, "DEMO-%04d", index + 1);
    patient.patientId = name;
    patient.ct = std::make_shared<Volume>(n, n, options.slices);
    patient.labels = std::make_shared<Volume>(n, n, options.slices);
    patient.ct->setGeometry(geometry);
    patient.labels->setGeometry(geometry);

    // Anatomy, in LPS mm around the table centre (+x patient left, +y posterior, +z up).
    const double bodyA = uniform(135, 165), bodyB = uniform(100, 120);
    const double bodyY = uniform(-8, 8);
    const double fatDepth = uniform(10, 25);
    const double muscleHu = uniform(35, 50);
    const double fatHu = uniform(-110, -90);
    const double wallDepth = uniform(8, 14);     // abdominal wall muscle
    const double visceralHu = uniform(-70, -30); // mesenteric fat and bowel around organs
    const double organHu = uniform(50, 60);      // liver, spleen and kidneys stay close to this
    const double span = 0.5 * coverage;

    std::vector<Blob> blobs;
    // Lungs (bases) at the top of the stack.
    for (const double side : {-1.0, 1.0})
        blobs.push_back({{side * uniform(60, 80), bodyY + uniform(0, 15), span + uniform(10, 30)},
                         {uniform(45, 60), uniform(55, 75), uniform(55, 75)},
                         uniform(-870, -820),
                         0});
    // Liver: patient right (-x), upper abdomen.
    blobs.push_back({{-uniform(45, 65), bodyY + uniform(-15, 5), uniform(10, 40)},
                     {uniform(65, 85), uniform(55, 70), uniform(55, 75)},
                     organHu + uniform(2, 8),
                     LabelLiver});
    // Spleen: patient left, posterior.
    blobs.push_back({{uniform(75, 95), bodyY + uniform(30, 45), uniform(10, 40)},
                     {uniform(25, 35), uniform(35, 45), uniform(35, 50)},
                     organHu + uniform(-4, 2),
                     LabelSpleen});
    // Kidneys, lower and posterior, either side of the spine.
    for (const double side : {-1.0, 1.0})
        blobs.push_back({{side * uniform(55, 70), bodyY + uniform(45, 60), uniform(-60, -20)},
                         {uniform(22, 28), uniform(25, 32), uniform(40, 55)},
                         organHu + uniform(-8, 0),
                         LabelKidney});
    // Bowel gas, anterior and low.
    const int gasPockets = 3 + int(rng() % 4);
    for (int g = 0; g < gasPockets; ++g)
        blobs.push_back({{uniform(-60, 60), bodyY - uniform(40, 80), uniform(-span, 0)},
                         {uniform(8, 18), uniform(8, 15), uniform(10, 25)},
                         uniform(-950, -850),
                         0});
    const double spineY = bodyY + bodyB - uniform(35, 45);
    const double spineR = uniform(15, 20);
    const double boneHu = uniform(350, 500);
    const double ribHu = uniform(600, 800);
    const double ribPeriod = uniform(22, 28);
    const double ribPhase = uniform(0, ribPeriod);
    const double noise = uniform(10, 15);
    std::normal_distribution<double> gaussian(0.0, noise);
    const double edge = 0.6 * pixel;

    for (int k = 0; k < options.slices; ++k) {
        float *ct = patient.ct->slice(k);
        float *label = patient.labels->slice(k);
        for (int j = 0; j < n; ++j) {
            for (int i = 0; i < n; ++i) {
                const Vec3 p = geometry.voxelToPatient({double(i), double(j), double(k)});
                // Body: an elliptic cylinder: fat under the skin, the muscle wall, and visceral
                // fat in the cavity where the organs lie.
                const double x = p[0] / bodyA, y = (p[1] - bodyY) / bodyB;
                const double r = std::sqrt(x * x + y * y);
                const double outside = (r - 1.0) * bodyB; // mm outside the skin (approx.)
                const double inBody = 1.0 / (1.0 + std::exp(outside / edge));
                const double inMuscle = 1.0 / (1.0 + std::exp((outside + fatDepth) / edge));
                double hu = -1000.0 + inBody * (fatHu + 1000.0);
                hu += inMuscle * (muscleHu - fatHu);
                const double inCavity =
                    1.0 / (1.0 + std::exp((outside + fatDepth + wallDepth) / edge));
                hu += inCavity * (visceralHu - muscleHu);
                int cls = 0;
                for (const Blob &blob : blobs) {
                    const double m = membership(blob, p, edge) * inMuscle;
                    if (m <= 0.0)
                        continue;
                    hu = hu * (1.0 - m) + blob.hu * m;
                    if (m >= 0.5)
                        cls = blob.label;
                }
                // Vertebral body (cortex brighter than the core) and ribs under the fat.
                const double dx = p[0], dy = p[1] - spineY;
                const double dr = std::sqrt(dx * dx + dy * dy) - spineR;
                const double inSpine = 1.0 / (1.0 + std::exp(dr / edge));
                if (inSpine > 0.0) {
                    const double cortex = std::exp(-(dr + 2.0) * (dr + 2.0) / 4.0);
                    hu = hu * (1.0 - inSpine) + inSpine * (boneHu + 300.0 * cortex);
                    if (inSpine >= 0.5)
                        cls = LabelBone;
                }
                // Ribs slope downwards from the spine, so a slice cuts them as arcs.
                const double angle = std::atan2(std::abs(p[0]), spineY - p[1]); // 0 at the spine
                const double zRib =
                    std::fmod(p[2] - ribPhase + 25.0 * angle + 1000.0 * ribPeriod, ribPeriod);
                const double ribDepth = outside + fatDepth + 4.0; // mm inside the muscle edge
                if (p[1] > bodyY - 0.5 * bodyB && std::abs(zRib - 0.5 * ribPeriod) < 4.0 &&
                    p[2] > -0.2 * span) {
                    const double inRib = std::exp(-ribDepth * ribDepth / 9.0);
                    hu = hu * (1.0 - inRib) + inRib * ribHu;
                    if (inRib >= 0.5)
                        cls = LabelBone;
                }
                hu += gaussian(rng) * std::min(1.0, inBody + 0.2);
                const std::size_t at = std::size_t(j) * n + i;
                ct[at] = float(std::clamp(std::round(hu), -1024.0, 3071.0));
                label[at] = float(cls);
            }
        }
    }
    return patient;
}

std::vector<DemoPatient> DemoStudy::write(const std::string &dir, const Options &options,
                                          ProgressSink *progress)
{
    if (options.patients < 1 || options.patients > 99)
        throw std::invalid_argument("demo study: patients must be 1..99");
    std::vector<DemoPatient> patients;
    const std::int64_t total = std::int64_t(options.patients) * options.slices;
    for (int index = 0; index < options.patients; ++index) {
        DemoPatient patient = generate(options, index);
        patient.studyInstanceUid = uid();
        patient.seriesInstanceUid = uid();
        const std::string frameOfReference = uid();
        char folder[32];
        std::snprintf(folder, sizeof folder, "PATIENT%02d", index + 1);
        patient.folder = (fs::path(dir) / folder).string();
        std::error_code error;
        fs::create_directories(patient.folder, error);
        if (error)
            throw std::runtime_error(patient.folder + ": " + error.message());

        const Volume &ct = *patient.ct;
        const ImageGeometry &g = ct.geometry();
        std::vector<Sint16> pixels(std::size_t(ct.width()) * ct.height());
        for (int k = 0; k < ct.depth(); ++k) {
            if (progress &&
                (!progress->progress(std::int64_t(index) * options.slices + k, total, "demo") ||
                 progress->isCancelled()))
                throw CancelledError();
            char fileName[32];
            std::snprintf(fileName, sizeof fileName, "IM%04d.dcm", k + 1);
            const std::string path = (fs::path(patient.folder) / fileName).string();
            DcmFileFormat file;
            DcmDataset *ds = file.getDataset();
            const Vec3 position = g.voxelToPatient({0.0, 0.0, double(k)});
            ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
            ds->putAndInsertString(DCM_SOPInstanceUID, uid().c_str());
            ds->putAndInsertString(DCM_StudyInstanceUID, patient.studyInstanceUid.c_str());
            ds->putAndInsertString(DCM_SeriesInstanceUID, patient.seriesInstanceUid.c_str());
            ds->putAndInsertString(DCM_FrameOfReferenceUID, frameOfReference.c_str());
            ds->putAndInsertString(DCM_PatientName, patient.patientName.c_str());
            ds->putAndInsertString(DCM_PatientID, patient.patientId.c_str());
            ds->putAndInsertString(DCM_PatientBirthDate, "19700101");
            ds->putAndInsertString(DCM_PatientSex, index % 2 ? "M" : "F");
            ds->putAndInsertString(DCM_StudyDate, "20240101");
            ds->putAndInsertString(DCM_StudyTime, "120000");
            ds->putAndInsertString(DCM_SeriesDate, "20240101");
            ds->putAndInsertString(DCM_StudyID, "DEMO");
            ds->putAndInsertString(DCM_AccessionNumber, "");
            ds->putAndInsertString(DCM_StudyDescription, "MedSeg demo abdomen (synthetic)");
            ds->putAndInsertString(DCM_SeriesDescription, "Synthetic axial CT");
            ds->putAndInsertString(DCM_Modality, "CT");
            ds->putAndInsertString(DCM_Manufacturer, "MedSeg Studio demo");
            ds->putAndInsertString(DCM_BodyPartExamined, "ABDOMEN");
            ds->putAndInsertString(DCM_PatientPosition, "HFS");
            ds->putAndInsertString(DCM_ImageType, "DERIVED\\SECONDARY\\AXIAL");
            ds->putAndInsertString(DCM_SeriesNumber, "1");
            ds->putAndInsertString(DCM_InstanceNumber, std::to_string(k + 1).c_str());
            ds->putAndInsertString(DCM_ImagePositionPatient, (format("%.6g", position[0]) + "\\" +
                                                              format("%.6g", position[1]) + "\\" +
                                                              format("%.6g", position[2]))
                                                                 .c_str());
            ds->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
            ds->putAndInsertString(DCM_SliceLocation, format("%.6g", position[2]).c_str());
            ds->putAndInsertString(
                DCM_PixelSpacing,
                (format("%.10g", g.spacing[1]) + "\\" + format("%.10g", g.spacing[0])).c_str());
            ds->putAndInsertString(DCM_SliceThickness, format("%.6g", g.spacing[2]).c_str());
            ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
            ds->putAndInsertString(DCM_RescaleSlope, "1");
            ds->putAndInsertString(DCM_RescaleType, "HU");
            ds->putAndInsertString(DCM_WindowCenter, "40");
            ds->putAndInsertString(DCM_WindowWidth, "400");
            ds->putAndInsertString(DCM_WindowCenterWidthExplanation, "ABDOMEN");
            ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
            ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
            ds->putAndInsertUint16(DCM_Rows, Uint16(ct.height()));
            ds->putAndInsertUint16(DCM_Columns, Uint16(ct.width()));
            ds->putAndInsertUint16(DCM_BitsAllocated, 16);
            ds->putAndInsertUint16(DCM_BitsStored, 16);
            ds->putAndInsertUint16(DCM_HighBit, 15);
            ds->putAndInsertUint16(DCM_PixelRepresentation, 1);
            const float *slice = ct.slice(k);
            for (std::size_t p = 0; p < pixels.size(); ++p)
                pixels[p] = Sint16(std::lround(slice[p]) + 1024);
            check(ds->putAndInsertUint16Array(DCM_PixelData,
                                              reinterpret_cast<const Uint16 *>(pixels.data()),
                                              Uint32(pixels.size())),
                  path);
            check(file.saveFile(path.c_str(), EXS_LittleEndianExplicit), path);
        }
        patients.push_back(std::move(patient));
    }
    if (progress)
        progress->progress(total, total, "demo");
    return patients;
}

} // namespace medseg::core
