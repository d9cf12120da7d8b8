// The program build/depthforge. It links nothing of depthforge: the
// commands live in libdepthforge_cli.so (beside it in lib/), which pulls in
// OpenCV, FFmpeg and the rest, ~0.3 s of dynamic loading before main. So
// `depthforge --version` answers at once, and every other command opens the
// library and runs it (docs/PERFORMANCE.md).
#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("depthforge %s\n", DEPTHFORGE_VERSION);
    return 0;
  }
  // Large buffers (a 640×480 depth map is 1.2 MB) from the heap, and freed
  // memory kept up to 64 MB: the limits glibc's adaptive thresholds grow to,
  // set from the start. Otherwise each such buffer is a fresh mapping until
  // glibc happens to free one, and a fresh 4 KB page costs ~12 µs to fault
  // in on this project's VMs: 40 photos took 0.95–1.05 s instead of 0.75 s
  // (docs/PERFORMANCE.md). The library leaves this to the program.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // The library: $DEPTHFORGE_CLI_LIBRARY, else lib/ beside this program.
  std::string library;
  if (const char* given = std::getenv("DEPTHFORGE_CLI_LIBRARY")) {
    library = given;
  } else {
    char self[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (length <= 0) {
      std::fprintf(stderr, "depthforge: error: cannot find this program's own folder\n");
      return 2;
    }
    std::string path(self, size_t(length));
    library = path.substr(0, path.rfind('/') + 1) + "lib/libdepthforge_cli.so";
  }
  void* handle = dlopen(library.c_str(), RTLD_LAZY | RTLD_GLOBAL);
  if (!handle) {
    std::fprintf(stderr, "depthforge: error: cannot load %s: %s\n", library.c_str(), dlerror());
    return 2;
  }
  using Main = int (*)(int, char**);
  auto run = reinterpret_cast<Main>(dlsym(handle, "depthforge_cli_main"));
  if (!run) {
    std::fprintf(stderr, "depthforge: error: %s has no depthforge_cli_main\n", library.c_str());
    return 2;
  }
  return run(argc, argv);
}
