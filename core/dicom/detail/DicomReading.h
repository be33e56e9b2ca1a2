#pragma once

// Private to core/dicom (never included from outside it): the one place that knows how to get a
// data set out of a file that may be broken in the ways real archives are, and how to read the
// attributes the index and the loader need. DCMTK types are fine here; the public headers stay
// free of them.

#include "core/dicom/DicomIndex.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dctagkey.h>

class DcmDataset;
class DcmElement;
class DcmPixelSequence;

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace medseg::core::detail {

// Registers the codecs and quietens DCMTK's logger (it would print every broken file to stderr;
// set MEDSEG_DCMTK_LOG=warn|error|debug to see it). Once per process, thread-safe.
void initializeDcmtk();

// What reading one file gave: a data set, or an error in words for the user.
struct DicomRead
{
    std::unique_ptr<DcmFileFormat> file; // null when the file could not be read
    std::string error;                   // set when file is null
    std::string warning;                 // read, but with a workaround
    std::string transferSyntaxUid;       // from the meta header, else as detected
    // The read stopped with an error inside the pixel data: the header is complete.
    bool pixelDataTruncated = false;
};

// Reads the data set of `path`. Values longer than maxReadLength stay in the file until used,
// so a header-only read passes 256 and never reads the pixel data. Copes with files without
// preamble or file meta information (transfer syntax detected), with a meta header that lacks
// the transfer syntax, and with a few bytes of junk before a bare data set. Text in another
// character set than UTF-8 is converted when `convertText` (the index shows it; decoding
// pixels does not need it).
DicomRead readDicom(const std::string &path, std::uint32_t maxReadLength, bool convertText = true);

// Attribute access with DICOM's padding removed. Missing attributes give "" / nullopt.
std::string getString(DcmItem &item, const DcmTagKey &tag);      // all values, '\' separated
std::string getFirstString(DcmItem &item, const DcmTagKey &tag); // the first value
std::optional<double> getDouble(DcmItem &item, const DcmTagKey &tag, unsigned long pos = 0);
std::optional<long> getInt(DcmItem &item, const DcmTagKey &tag, unsigned long pos = 0);
// Every value of a numeric attribute (DS, IS, US, ...), or empty when absent or unparsable.
std::vector<double> getDoubles(DcmItem &item, const DcmTagKey &tag);
// Item `index` of a sequence inside `item`, or null.
DcmItem *sequenceItem(DcmItem &item, const DcmTagKey &sequence, unsigned long index = 0);
// A per-frame functional group macro attribute: looks in the frame's item of the
// PerFrameFunctionalGroupsSequence first, then in the SharedFunctionalGroupsSequence.
DcmItem *functionalGroup(DcmItem &dataset, const DcmTagKey &macroSequence, int frame);

// The encapsulated pixel data's items (item 0: the Basic Offset Table, then the fragments), or
// null when `pixelData` is native or unreadable.
DcmPixelSequence *pixelSequence(DcmDataset &dataset, DcmElement *pixelData);
// The computer's physical memory in bytes: what a file or series may claim to need at most.
std::uint64_t physicalMemoryBytes();

// Everything the index keeps about one file, with its series, study and patient attributes
// (the parent structs carry no children here).
struct HeaderRecord
{
    DicomInstance instance;
    DicomSeries series;
    DicomStudy study;
    DicomPatient patient;
};

// Reads a file's header (not its pixel data) into a record. On failure returns nullopt and
// sets `reason`. `fileSize`/`modifiedTime` are copied into the record.
std::optional<HeaderRecord> readHeaderRecord(const std::string &path, std::string &reason);

// Transfer syntaxes the loader can decode (DCMTK's codecs and OpenJPEG).
bool isDecodableTransferSyntax(const std::string &uid);
bool isJpeg2000TransferSyntax(const std::string &uid);

// SOP classes of objects that are not images to window (DICOMDIR, SEG, ...).
bool isSegmentationStorage(const std::string &sopClassUid);
bool isMediaStorageDirectory(const std::string &sopClassUid);

} // namespace medseg::core::detail
