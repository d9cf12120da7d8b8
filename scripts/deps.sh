# Installs depthforge's build and run dependencies from Debian, once.
# Sourced by setup.sh and test.sh; does nothing when all are present.
DEPTHFORGE_PACKAGES=(
  build-essential cmake pkg-config
  libtorch-dev libopenblas0-openmp
  libopencv-dev libopencv-contrib-dev
  libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev zlib1g-dev ca-certificates
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
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
