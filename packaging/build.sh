#!/usr/bin/env bash
# Build the Linux release of Gett Store Kiosk from a clean state:
#   1. a locked build environment (build/venv: the app's runtime deps + pyinstaller, from uv.lock)
#   2. the PyInstaller bundle dist/gett-store-kiosk/ (packaging/kiosk.spec)
#   3. the smoke test of the frozen build (packaging/smoke-test.sh)
#   4. the .deb: dist/gett-store-kiosk_<version>_<arch>.deb (packaging/linux/build-deb.sh)
#   5. lintian on the .deb: any tag not overridden (with its reason) in
#      packaging/linux/lintian-overrides fails the build
#
#   packaging/build.sh [--no-deb]
#
# Run from anywhere; paths are relative to the repository root. Needs uv, binutils, dpkg-deb,
# curl, and the system packages of `.ci/system-deps.sh qt x11 keyring deb` (installed if run as
# root).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
make_deb=1
case "${1:-}" in
  "") ;;
  --no-deb) make_deb=0 ;;
  -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

die() { echo "build.sh: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*" >&2; }
started=$SECONDS

step "Checking the tools"
[[ "$(uname -s)" == Linux ]] || die "this script builds the Linux release; see packaging/windows/ for Windows"
if command -v uv >/dev/null 2>&1; then
  uv=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  uv=(python3 -m uv)
else
  die "uv is needed: python3 -m pip install uv (or see https://docs.astral.sh/uv/)"
fi
need=(curl strip objdump timeout)
[[ $make_deb -eq 0 ]] || need+=(dpkg-deb)
for tool in "${need[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing: apt-get install curl binutils coreutils dpkg"
done
# Qt's system libraries, Xvfb for the X11 check, gnome-keyring + D-Bus for the keyring checks.
.ci/system-deps.sh qt x11 keyring icu
[[ $make_deb -eq 0 ]] || .ci/system-deps.sh deb

step "Locked build environment (build/venv: runtime deps + pyinstaller, no dev tools)"
# Its own venv, not .venv: `uv sync` elsewhere (make test) must not remove pyinstaller mid-build,
# and the bundle must contain only what the lock says the app needs. The project itself is not
# installed; kiosk.spec takes it from the source tree.
env -u VIRTUAL_ENV UV_PROJECT_ENVIRONMENT="$repo/build/venv" \
  "${uv[@]}" sync --locked --no-dev --group packaging --no-install-project --quiet
pyinstaller=$repo/build/venv/bin/pyinstaller
echo "pyinstaller $("$pyinstaller" --version), $("$repo/build/venv/bin/python" --version)" >&2

step "PyInstaller bundle (clean)"
rm -rf build/pyinstaller dist/gett-store-kiosk dist/gett-store-kiosk_*.deb
build_started=$SECONDS
"$pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/kiosk.spec
bundle_seconds=$((SECONDS - build_started))
bundle_size=$(du -sh dist/gett-store-kiosk | cut -f1)
bundle_files=$(find dist/gett-store-kiosk -type f | wc -l)
echo "bundle: dist/gett-store-kiosk, $bundle_size, $bundle_files files, built in ${bundle_seconds}s" >&2

step "Smoke test of the frozen build"
smoke_started=$SECONDS
packaging/smoke-test.sh dist/gett-store-kiosk build/smoke
smoke_seconds=$((SECONDS - smoke_started))

deb=
if [[ $make_deb -eq 1 ]]; then
  step "Debian package"
  deb_started=$SECONDS
  deb=$(packaging/linux/build-deb.sh dist/gett-store-kiosk dist)
  deb_seconds=$((SECONDS - deb_started))

  step "lintian"
  lint_started=$SECONDS
  # Overrides ship in the package (/usr/share/lintian/overrides); errors and warnings fail.
  lint_rc=0
  lint_out=$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>&1) || lint_rc=$?
  grep -v 'running with root privileges' <<<"$lint_out" >&2 || true
  [[ $lint_rc -eq 0 ]] \
    || die "lintian found problems in $deb (above); fix them, or override one in packaging/linux/lintian-overrides with the reason"
  echo "lintian: clean apart from packaging/linux/lintian-overrides ($((SECONDS - lint_started)) s)" >&2
fi

step "Done in $((SECONDS - started))s (PyInstaller ${bundle_seconds}s, smoke test ${smoke_seconds}s${deb:+, .deb ${deb_seconds}s})"
echo "  bundle   dist/gett-store-kiosk/  ($bundle_size; run dist/gett-store-kiosk/gett-store-kiosk)"
if [[ -n "$deb" ]]; then
  echo "  package  ${deb#"$repo"/}  ($(du -h "$deb" | cut -f1))"
fi
echo "  smoke    build/smoke/ (demo.png, demo-smoke.log)"
