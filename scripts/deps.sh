# Installs depthforge's build and run dependencies from Debian, once.
# Sourced by setup.sh and test.sh (from the repository root).
DEPTHFORGE_PACKAGES=(
  build-essential cmake pkg-config
  libtorch-dev libopenblas0-openmp
  libopencv-dev libopencv-contrib-dev
  libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev zlib1g-dev ca-certificates
  libtinygltf-dev libstb-dev libhdf5-dev libgloo-dev libmatio-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  libxnnpack-dev libpthreadpool-dev libdnnl-dev ocl-icd-opencl-dev python3
  libsqlite3-dev libhiredis-dev redis-server chromium
  libonnx-dev libprotobuf-dev python3-onnx python3-torch python3-numpy libturbojpeg0-dev libpng-dev
)

depthforge_install_deps() {
  local missing=()
  for package in "${DEPTHFORGE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "depthforge: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

depthforge_build() {
  local build_dir="$1"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j"$(nproc)"
}

# The studio page's files (three.js) and its browser tests' driver
# (puppeteer-core), pinned by web/package-lock.json; Node.js from Debian
# when the machine has none.
depthforge_web_assets() {
  if ! command -v npm >/dev/null 2>&1; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Installs what is missing, builds into build/, and points DEPTHFORGE_MIRROR
# at the shared data folder beside the checkout when it is there and unset.
depthforge_prepare() {
  depthforge_install_deps
  depthforge_web_assets
  depthforge_build build
  if [ -z "${DEPTHFORGE_MIRROR:-}" ] && [ -d ../shared ]; then
    DEPTHFORGE_MIRROR="$(cd ../shared && pwd)"
    export DEPTHFORGE_MIRROR
  fi
}
