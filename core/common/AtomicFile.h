#pragma once

#include <functional>
#include <string>

namespace medseg::core {

// Replaces a file so that a crash, a kill or a full disk at any moment leaves either the old
// file or the new complete one on disk, never half of one: the content goes to a temporary
// file in the same folder (STEM.tmp-XXXXXX.EXT, so that rename() stays within one file system),
// is fsynced, renamed over the target, and the folder is fsynced so that the rename itself
// survives a power cut. Writers that need a path (niftilib, DCMTK) write to tempPath():
//
//     AtomicFile file(path);
//     writer.save(file.tempPath());
//     file.commit();
//
// Without commit() the destructor removes the temporary file and the target stays as it was.
// Errors throw std::runtime_error naming the target and the system's reason ("No space left on
// device").
class AtomicFile
{
public:
    // Creates the (empty) temporary file next to `path`. Throws if the folder is not writable.
    explicit AtomicFile(const std::string &path);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    const std::string &path() const { return m_path; }
    const std::string &tempPath() const { return m_tempPath; }
    bool isCommitted() const { return m_committed; }
    // Whether `fileName` looks like a temporary file of this class (STEM.tmp-XXXXXX.EXT), e.g.
    // one left behind by a process killed while saving, which callers may delete.
    static bool isTemporaryName(const std::string &fileName);

    // fsync of the temporary file, rename over path(), fsync of the folder. Throws (and
    // removes the temporary file) on failure; the target is then untouched.
    void commit();
    // Removes the temporary file now; the target is untouched. Safe to call twice.
    void discard() noexcept;

    // Writes `content` to `path` atomically.
    static void writeAll(const std::string &path, const std::string &content);
    // Calls `write(tempPath)` and commits; any exception from `write` removes the temporary
    // file and is rethrown.
    static void write(const std::string &path,
                      const std::function<void(const std::string &tempPath)> &write);

private:
    std::string m_path;
    std::string m_tempPath;
    bool m_committed = false;
};

} // namespace medseg::core
