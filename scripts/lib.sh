# Shared set-up for scripts/run and scripts/test. Source it; every step is idempotent and
# skips quickly when its work is already done.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required ($2)" >&2; exit 1; }
}

# Debian packages, installed only when missing (as root, or through sudo).
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_rust_wasm() {
  need cargo "install Rust from https://rustup.rs"
  need rustup "the wasm32 target is added with rustup"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  # wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    step "cargo install wasm-bindgen-cli $want (into .tools/)"
    # --locked first (the exact tested dependency set); if a locked dependency is missing from
    # the registry mirror (seen: webpki-roots 1.0.11), resolve afresh within the same semver.
    cargo install --locked --quiet --root "$ROOT/.tools" wasm-bindgen-cli --version "$want" || {
      echo "(the locked dependency set is not all on this registry: retrying without --locked)"
      cargo install --quiet --root "$ROOT/.tools" wasm-bindgen-cli --version "$want"
    }
  fi
}

setup_node() {
  need node "install Node.js 20 or newer (Debian: apt-get install nodejs npm)"
  need npm "comes with Node.js"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Build the wasm module into www/pkg and vendor uPlot into www/vendor.
build_web() {
  step "cargo build (wasm32, profile wasm-release)"
  cargo build --lib --target wasm32-unknown-unknown --profile wasm-release
  step "wasm-bindgen → www/pkg"
  wasm-bindgen --target web --no-typescript --out-dir www/pkg \
    target/wasm32-unknown-unknown/wasm-release/lstm_lab.wasm
  mkdir -p www/vendor
  cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
  ls -l www/pkg/lstm_lab_bg.wasm | awk '{printf "    wasm module: %.1f MB\n", $5 / 1048576}'
}
