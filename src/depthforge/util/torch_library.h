// LibTorch is loaded only by the commands that need it (training, .pt
// models, --backend torch). Linking it costs every process about 0.95 s of
// start-up in its static initialisation (measured: docs/PERFORMANCE.md), so
// the code that uses it is built into its own shared library,
// libdepthforge_torch.so, opened here on first use. Its entry points are
// extern "C" functions named depthforge_torch_*; each caller casts the
// symbol to the signature the library defines beside it.
#pragma once

namespace depthforge {

// The address of 'name' in libdepthforge_torch.so, opening the library on
// the first call (thread-safe). The library is looked for in
// $DEPTHFORGE_TORCH_LIBRARY, then beside libdepthforge.so, then on the
// loader's search path. Throws Error naming the paths tried and the
// loader's reason when it cannot be opened or lacks 'name'.
void* TorchLibrarySymbol(const char* name);

}  // namespace depthforge
