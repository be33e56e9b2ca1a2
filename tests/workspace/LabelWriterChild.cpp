// Helper for tst_AtomicSaveKill: saves two different label volumes to one path in turns, as
// fast as it can, until it is killed, starting with volume FIRST (0 or 1). Prints "ready" once
// the first save is on disk.
//   medseg_test_label_writer PATH WIDTH HEIGHT DEPTH FIRST

#include "LabelPatterns.h"

#include "core/dataset/NiftiIo.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s PATH WIDTH HEIGHT DEPTH FIRST\n", argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    const int width = std::atoi(argv[2]);
    const int height = std::atoi(argv[3]);
    const int depth = std::atoi(argv[4]);
    const int first = std::atoi(argv[5]) ? 1 : 0;
    const medseg::core::ImageGeometry geometry = medseg::test::killTestGeometry();
    const std::vector<std::uint16_t> volumes[2] = {
        medseg::test::killTestPattern(width, height, depth, 0),
        medseg::test::killTestPattern(width, height, depth, 1)};
    try {
        for (long round = 0;; ++round) {
            const std::vector<std::uint16_t> &labels = volumes[(round + first) % 2];
            medseg::core::NiftiIo::writeLabelVolume(path, labels.data(), width, height, depth,
                                                    geometry);
            if (round == 0) {
                std::printf("ready\n");
                std::fflush(stdout);
            }
        }
    } catch (const std::exception &error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 1;
    }
}
