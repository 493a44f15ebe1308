#!/usr/bin/env bash
# Compile the Windows installer script (packaging/windows/kiosk.nsi) here, with NSIS's makensis,
# against a placeholder bundle with the real bundle's layout (placeholder_bundle.py). Warnings
# are errors (-WX). Then prove the check can fail: the same script must refuse a bundle without
# kiosk.exe, and one that still ships opengl32sw.dll.
#   packaging/windows/installer-check.sh        (make installer-check; CI runs it)
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "installer-check: $*" >&2; exit 1; }
command -v makensis >/dev/null 2>&1 || die "makensis is missing: .ci/system-deps.sh nsis (apt-get install nsis)"
python=${PYTHON:-.venv/bin/python}
[[ -x "$python" ]] || python=python3
started=$SECONDS
work=build/installer-check
rm -rf "$work"
mkdir -p "$work"
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' kiosk/__init__.py)
[[ -n "$version" ]] || die "no __version__ in kiosk/__init__.py"

compile() { # BUNDLE OUTFILE LOG
  makensis -WX -V2 -DVERSION="$version" -DBUNDLE="$PWD/$1" -DOUTFILE="$PWD/$2" \
    packaging/windows/kiosk.nsi >"$3" 2>&1
}

"$python" packaging/windows/placeholder_bundle.py "$work/bundle" >&2
compile "$work/bundle" "$work/gett-store-kiosk-$version-windows-x64.exe" "$work/makensis.log" \
  || { cat "$work/makensis.log" >&2; die "makensis failed on kiosk.nsi (log above)"; }
[[ "$(head -c 2 "$work/gett-store-kiosk-$version-windows-x64.exe")" == MZ ]] || die "$work/gett-store-kiosk-$version-windows-x64.exe is not a Windows executable"
echo "installer-check: compiled kiosk.nsi -> $work/gett-store-kiosk-$version-windows-x64.exe ($(stat -c %s "$work/gett-store-kiosk-$version-windows-x64.exe") bytes, makensis $(makensis -VERSION))" >&2

# The same script must stop on a bundle that is not one.
for broken in "kiosk.exe" "_internal/PySide6/plugins/platforms/qwindows.dll"; do
  "$python" packaging/windows/placeholder_bundle.py "$work/broken" --without "$broken" >/dev/null
  if compile "$work/broken" "$work/broken.exe" "$work/broken.log"; then
    die "kiosk.nsi compiled a bundle without $broken: its checks do not work"
  fi
  grep -q "missing\|no Qt" "$work/broken.log" || { cat "$work/broken.log" >&2; die "unexpected failure without $broken"; }
done
"$python" packaging/windows/placeholder_bundle.py "$work/broken" >/dev/null
echo "placeholder" >"$work/broken/_internal/PySide6/opengl32sw.dll"
if compile "$work/broken" "$work/broken.exe" "$work/broken.log"; then
  die "kiosk.nsi compiled a bundle that ships opengl32sw.dll: its checks do not work"
fi
rm -rf "$work/broken" "$work/broken.exe"
echo "installer-check: it refuses a bundle without kiosk.exe or qwindows.dll, or with opengl32sw.dll; done in $((SECONDS - started)) s" >&2
