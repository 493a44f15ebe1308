#!/usr/bin/env bash
# Make sure the Debian/Ubuntu packages the kiosk needs are installed.
#   .ci/system-deps.sh qt        offscreen Qt (tests, screenshots)
#   .ci/system-deps.sh qt x11    plus a real X window under Xvfb
#   .ci/system-deps.sh keyring   gnome-keyring + D-Bus, the real keyring backend the tests use
#   .ci/system-deps.sh icu       icupkg + gcc: the bundle's smaller ICU data (packaging/icu_filter.py)
#   .ci/system-deps.sh deb       what the .deb's build and check need (patchelf, lintian)
#   .ci/system-deps.sh nsis      NSIS's makensis, which compiles the Windows installer script
# Installs what is missing when run as root with apt-get; otherwise prints the exact command and fails.
set -euo pipefail

declare -A GROUPS_=(
  [qt]="libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core"
  [x11]="xvfb xauth xdotool libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0"
  [keyring]="gnome-keyring dbus"
  [icu]="icu-devtools gcc"
  [deb]="patchelf lintian"
  [nsis]="nsis"
)

wanted=()
for group in "$@"; do
  [[ -n "${GROUPS_[$group]:-}" ]] || { echo "system-deps: unknown group '$group'" >&2; exit 2; }
  read -r -a pkgs <<<"${GROUPS_[$group]}"
  wanted+=("${pkgs[@]}")
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure the equivalents of these are installed:" >&2
  echo "  ${wanted[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-deps: these system packages are missing: ${missing[*]}" >&2
  echo "Install them, then run make again:" >&2
  echo "  sudo $line" >&2
  exit 1
fi
