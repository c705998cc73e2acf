// Defines std::ios_base_library_init(), which GCC 13+ headers reference from every translation unit
// that includes <iostream> (libstdc++ 3.4.32). Older libstdc++ (Debian 12 ships GCC 12's) lacks it;
// constructing one ios_base::Init here gives the standard streams the initialisation it stands for.
#include <ios>

namespace std {
void ios_base_library_init() {
    static ios_base::Init init;
}
}  // namespace std

namespace {
struct InitAtLoad {
    InitAtLoad() { std::ios_base_library_init(); }
} init_at_load;
}  // namespace
