# Shared set-up for scripts/run and scripts/test. Source it; every step is idempotent and
# skips quickly when its work is already done.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$PATH"

# Each step names the minutes and seconds since the script started (bash's SECONDS), so a CI log
# shows where a cold run spends its time.
step() { printf '\n==> [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required ($2)" >&2; exit 1; }
}

# The two layers (README, "The house"): only src/trainer/ uses burn. A file elsewhere that
# names it fails the run, naming the file.
check_layers() {
  local outside
  outside="$(grep -rlE '\bburn(_[a-z]+)?::' src --include='*.rs' | grep -v '^src/trainer/' || true)"
  if [ -n "$outside" ]; then
    echo "error: only src/trainer/ may use burn; these files name it:" >&2
    echo "$outside" >&2
    return 1
  fi
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
  setup_wasm_target
  setup_wasm_bindgen
}

setup_wasm_target() {
  need cargo "install Rust from https://rustup.rs"
  need rustup "the wasm32 target is added with rustup"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

# (Separate so scripts/test can build it in the background, beside the native tests.)
setup_wasm_bindgen() {
  # wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    step "cargo install wasm-bindgen-cli $want (into .tools/)"
    # --locked first (the exact tested dependency set); if a locked dependency is missing from
    # the registry mirror (seen: webpki-roots 1.0.11), resolve afresh within the same semver.
    # opt-level 1: the tool runs for seconds, its build is minutes of a cold scripts/test.
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
    # Only the `wasm-bindgen` binary: the package's test runner and wasm2es6js are not used here.
    cargo install --locked --quiet --root "$ROOT/.tools" wasm-bindgen-cli --version "$want" --bin wasm-bindgen || {
      echo "(the locked dependency set is not all on this registry: retrying without --locked)"
      cargo install --quiet --root "$ROOT/.tools" wasm-bindgen-cli --version "$want" --bin wasm-bindgen
    }
    unset CARGO_PROFILE_RELEASE_OPT_LEVEL
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

# The two wasm modules into www/pkg (see Cargo.toml), and uPlot into www/vendor:
#   lstm_lab_page     the first view (no `trainer` feature), size-optimised, then wasm-opt -Oz
#   lstm_lab_trainer  burn and the kernels, with wasm SIMD, loaded by the training worker when needed
# Names sections are dropped (≈6 MB of the trainer); panics still carry their messages.
# TRAINER_PROFILE=wasm-test (scripts/test only) builds the trainer at opt-level 1; see Cargo.toml.
# clippy as the compiler of this crate only (scripts/test sets LINT=with_clippy): its lints come
# out of the very builds the tests use, as errors, so no dependency is compiled a second time in
# check mode (that would be minutes of a cold run). Dependencies are built by plain rustc.
with_clippy() {
  if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    rustup component add clippy >&2
  fi
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)" \
    CLIPPY_ARGS='-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__' "$@"
}

build_web() {
  local trainer_profile="${TRAINER_PROFILE:-wasm-release}"
  step "cargo build (wasm32, the page's first view: profile wasm-page, no trainer)"
  # (`|| return`: set -e does not apply inside a function called from an && list.)
  ${LINT:-} cargo build --lib --target wasm32-unknown-unknown --profile wasm-page --no-default-features || return
  # The trainer with wasm SIMD (gemm's and burn's CPU kernels; every browser with WebGPU has it).
  # RUSTFLAGS replaces .cargo/config.toml's flags, so the getrandom cfg is repeated here. The
  # first view's module stays without SIMD, so it runs everywhere.
  step "cargo build (wasm32, the trainer: profile $trainer_profile, +simd128)"
  RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128' \
    ${LINT:-} cargo build --lib --target wasm32-unknown-unknown --profile "$trainer_profile" || return
  step "wasm-bindgen → www/pkg"
  rm -f www/pkg/lstm_lab.js www/pkg/lstm_lab_bg.wasm # the single module of earlier builds
  local bindgen=(wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg)
  "${bindgen[@]}" --out-name lstm_lab_page target/wasm32-unknown-unknown/wasm-page/lstm_lab.wasm || return
  "${bindgen[@]}" --out-name lstm_lab_trainer "target/wasm32-unknown-unknown/$trainer_profile/lstm_lab.wasm" || return
  # wasm-opt (binaryen from npm) on the small module only: on the trainer, -Oz takes ~7 min here
  # and its brotli output is larger (measured: 2.55 vs 2.40 MB), so the trainer is left as is.
  step "wasm-opt -Oz lstm_lab_page_bg.wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types \
    www/pkg/lstm_lab_page_bg.wasm -o www/pkg/lstm_lab_page_bg.wasm || return
  mkdir -p www/vendor
  cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
  for m in page trainer; do
    ls -l "www/pkg/lstm_lab_${m}_bg.wasm" | awk -v m="$m" '{printf "    %s module: %.2f MB\n", m, $5 / 1048576}'
  done
}

# The page's JavaScript, checked in seconds without a browser (needs setup_node): Biome's format
# and lint (biome.json; `node_modules/.bin/biome check --write` applies its fixes), tsc on the
# JSDoc types (tsconfig.json: the worker protocol, the views, lib/, export/), and the unit tests of
# the pure functions (tests/unit/).
js_checks() {
  step "JS: format, lint, types, unit tests"
  node_modules/.bin/biome ci --colors=off || return
  node_modules/.bin/tsc -p tsconfig.json || return
  node --test --test-reporter=spec tests/unit/ || return
}

# The static site in dist/ (needs build_web first): hashed names, .br/.gz, service worker.
build_dist() {
  step "static site → dist/"
  node scripts/build.mjs "$@"
}
