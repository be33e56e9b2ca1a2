#include "core/common/AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace medseg::core {
namespace {

std::string folderOf(const std::string &path)
{
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

[[noreturn]] void fail(const std::string &path, const std::string &what, int error)
{
    throw std::runtime_error(path + ": " + what + ": " + std::strerror(error));
}

// fsync on a descriptor opened read-only works for files and folders alike on Linux.
int syncPath(const std::string &path, bool folder)
{
    const int fd = ::open(path.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int error = 0;
    if (::fsync(fd) != 0 && !(folder && (errno == EINVAL || errno == EROFS)))
        error = errno;
    ::close(fd);
    return error;
}

} // namespace

AtomicFile::AtomicFile(const std::string &path)
    : m_path(path)
{
    if (path.empty())
        throw std::runtime_error("cannot save: empty file name");
    // The temporary name keeps the extension (labels.tmp-XXXXXX.nii.gz): niftilib and DCMTK
    // choose compression and format from it.
    const std::size_t slash = path.find_last_of('/');
    const std::size_t nameStart = slash == std::string::npos ? 0 : slash + 1;
    std::size_t dot = path.find('.', nameStart + 1); // a leading dot is no extension
    if (dot == std::string::npos)
        dot = path.size();
    const std::string extension = path.substr(dot);
    std::string pattern = path.substr(0, dot) + ".tmp-XXXXXX" + extension;
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    // mkostemps: a unique name even when two saves of the same file race (autosave and save).
    const int fd = ::mkostemps(name.data(), int(extension.size()), O_CLOEXEC);
    if (fd < 0)
        fail(path, "cannot create a temporary file in " + folderOf(path), errno);
    // mkstemp creates 0600: a replaced file keeps its mode, a new one gets the usual 0644
    // (umask() cannot be read without setting it, which would race with other threads).
    struct stat existing;
    ::fchmod(fd, ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : 0644);
    ::close(fd);
    m_tempPath = name.data();
}

AtomicFile::~AtomicFile()
{
    discard();
}

void AtomicFile::commit()
{
    if (m_committed)
        return;
    if (m_tempPath.empty())
        throw std::runtime_error(m_path + ": nothing to save (temporary file already removed)");
    if (const int error = syncPath(m_tempPath, false)) {
        discard();
        fail(m_path, "cannot write", error);
    }
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        const int error = errno;
        discard();
        fail(m_path, "cannot replace the file", error);
    }
    m_committed = true;
    m_tempPath.clear();
    // The new name is only durable once the folder is: without this a power cut right after
    // rename() can bring back the old file (or none) even though save() returned.
    if (const int error = syncPath(folderOf(m_path), true))
        fail(m_path, "saved, but its folder could not be synced", error);
}

void AtomicFile::discard() noexcept
{
    if (!m_tempPath.empty()) {
        ::unlink(m_tempPath.c_str());
        m_tempPath.clear();
    }
}

bool AtomicFile::isTemporaryName(const std::string &fileName)
{
    const std::size_t slash = fileName.find_last_of('/');
    const std::string name = slash == std::string::npos ? fileName : fileName.substr(slash + 1);
    const std::size_t at = name.find(".tmp-");
    if (at == std::string::npos || at + 11 > name.size())
        return false;
    return at + 11 == name.size() || name[at + 11] == '.';
}

void AtomicFile::writeAll(const std::string &path, const std::string &content)
{
    AtomicFile file(path);
    const int fd = ::open(file.tempPath().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        fail(path, "cannot write", errno);
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int error = errno;
            ::close(fd);
            fail(path, "cannot write", error);
        }
        written += std::size_t(n);
    }
    if (::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        fail(path, "cannot write", error);
    }
    // close() reports delayed write errors on some file systems (NFS).
    if (::close(fd) != 0)
        fail(path, "cannot write", errno);
    file.commit();
}

void AtomicFile::write(const std::string &path,
                       const std::function<void(const std::string &tempPath)> &write)
{
    AtomicFile file(path);
    write(file.tempPath());
    file.commit();
}

} // namespace medseg::core
