#!/usr/bin/env bash
# CI entry point: installs what a fresh machine lacks, then runs the README's test command and
# the main job. Runs as root on a fresh clone (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n=== %s\n' "$*"; }

log "prerequisites"
need_apt=()
command -v cc >/dev/null || need_apt+=(gcc)
command -v python3 >/dev/null || need_apt+=(python3)
command -v mmdebstrap >/dev/null || need_apt+=(mmdebstrap)
# The report tests render report.html in headless Chromium.
command -v chromium >/dev/null || need_apt+=(chromium)
# The workflow linters (below) are installed from PyPI into a venv.
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# The static check loads libclang at run time (bindgen) and needs its resource headers
# (stddef.h); Debian's libclang-dev brings both.
compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null \
  && compgen -G "/usr/lib/llvm-*/lib/clang/*/include/stddef.h" >/dev/null \
  || need_apt+=(libclang-dev)
# Foreign architectures (matrix-arch.toml): Debian's cross compilers build the probes on the host,
# qemu user-mode emulation runs arm64 and s390x (i386 runs natively). Not gcc-multilib: it
# conflicts with the cross compilers.
for triple in i686-linux-gnu aarch64-linux-gnu s390x-linux-gnu; do
  command -v "$triple-gcc" >/dev/null || need_apt+=("gcc-$triple")
done
command -v qemu-aarch64-static >/dev/null && command -v qemu-s390x-static >/dev/null \
  || need_apt+=(qemu-user-static binfmt-support)
# binfmt_misc is not mounted at boot here: mount it before qemu-user-static is installed, so that
# its postinst registers the emulators with the kernel (it cannot while binfmt_misc is unmounted).
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
# Installed earlier while binfmt_misc was unmounted: register now (without a registration the
# harness starts qemu itself inside the chroot, which also works).
for qemu in aarch64 s390x; do
  if [ ! -e "/proc/sys/fs/binfmt_misc/qemu-$qemu" ]; then
    update-binfmts --enable "qemu-$qemu" || echo "note: no binfmt registration for qemu-$qemu; the harness starts qemu directly"
  fi
done
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi
# The matrix runs on the pyenv interpreters of this machine kind; a missing one is an error,
# never a silent skip.
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
missing=()
for v in 3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13; do
  compgen -G "$pyenv_root/versions/$v.*/bin/python3" >/dev/null || missing+=("$v")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: pyenv interpreters missing under $pyenv_root/versions: ${missing[*]}" >&2
  echo "install them with: for v in ${missing[*]}; do pyenv install \$v; done" >&2
  exit 2
fi

log "build and lint"
cargo build --workspace --locked --all-targets
cargo build --release --locked --package abi-harness
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi

log "workflows: zizmor and GitHub's workflow schema (from PyPI, in target/ci-tools)"

log "platforms: Debian root filesystems (cached in ~/.cache/abi-harness/rootfs)"
started=$(date +%s)
./target/release/abi-harness provision --matrix matrix.toml
./target/release/abi-harness provision --matrix matrix-arch.toml
echo "provisioned in $(( $(date +%s) - started ))s"

