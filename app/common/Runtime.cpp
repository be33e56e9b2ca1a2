#include "app/common/Runtime.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

namespace medseg::app {

void configureRuntime()
{
    int threads = int(std::thread::hardware_concurrency());
    if (const char *env = std::getenv("MEDSEG_THREADS")) {
        const int requested = std::atoi(env);
        if (requested > 0)
            threads = requested;
    }
    if (threads > 0)
        at::set_num_threads(threads);
}

} // namespace medseg::app
