#pragma once

#include "core/dataset/LabelTable.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medseg::core {

struct VocSample
{
    std::string name;
    std::string imagePath; // empty when the image is missing
    std::string maskPath;
    std::string split; // "train", "val" or empty when the dataset lists no split
};

enum class VocLayout {
    MedSeg,  // ours: labels.json + class_names.txt, palette masks in SegmentationClass/
    Labelme, // labelme2voc: class_names.txt, palette masks in SegmentationClassPNG/
    Cvat     // CVAT "Segmentation mask 1.1": labelmap.txt, RGB colour masks
};

struct VocDataset
{
    std::string root;
    VocLayout layout = VocLayout::MedSeg;
    LabelTable classes;
    std::vector<VocSample> samples; // by name
    // What was found wrong and left out, in English, for the user: masks without an image,
    // names a split file lists without a mask, masks a split leaves out.
    std::vector<std::string> notes;
};

// A mask as class indexes (255 = ignore).
struct VocMask
{
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> indexes;
};

// Reads PASCAL VOC style segmentation datasets: ours, labelme2voc's and CVAT's export.
// The class table comes from labels.json, else labelmap.txt (CVAT: "name:r,g,b::" per line,
// index = line order), else class_names.txt (one name per line, index = line order).
// Splits come from ImageSets/Segmentation/{train,val}.txt when present.
class VocReader
{
public:
    // Throws std::runtime_error naming the folder or file when it is not such a dataset.
    static VocDataset open(const std::string &dir);
    // Palette and grey masks hold the indexes; RGB masks are mapped through the class colours.
    // Throws std::runtime_error naming the file for unknown colours or indexes beyond the table.
    static VocMask readMask(const VocDataset &dataset, const VocSample &sample);
    // The image as 8-bit grey or RGB (channels 1 or 3), row-major.
    static std::vector<std::uint8_t> readImage(const std::string &path, int *width, int *height,
                                               int *channels);
};

} // namespace medseg::core
