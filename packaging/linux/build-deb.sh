#!/usr/bin/env bash
# Build the Debian/Ubuntu package from a PyInstaller bundle.
#   packaging/linux/build-deb.sh BUNDLE_DIR OUT_DIR
# BUNDLE_DIR is dist/gett-store-kiosk (from packaging/kiosk.spec). Writes
# OUT_DIR/gett-store-kiosk_<version>_<arch>.deb and prints its path on stdout (progress on stderr).
#
# Layout: /opt/gett-store-kiosk (the bundle + kiosk-autostart), /usr/bin/kiosk -> the bundle's
# binary, a menu entry, an icon and an XDG autostart entry (/etc/xdg/autostart, a conffile).
set -euo pipefail

die() { echo "build-deb: $*" >&2; exit 1; }
[[ $# -eq 2 ]] || die "usage: $0 BUNDLE_DIR OUT_DIR"
bundle=$(cd "$1" && pwd) || die "no bundle at $1"
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for tool in dpkg-deb dpkg-query objdump md5sum; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed (apt-get install dpkg binutils coreutils)"
done

pkg=gett-store-kiosk
exe="$bundle/$pkg"
[[ -x "$exe" ]] || die "$exe is missing or not executable; build the bundle first"

# The version the binary itself reports ("kiosk 0.1.0"), in Debian's spelling (0.1.0rc1 -> 0.1.0~rc1).
py_version=$("$exe" --version | awk '{print $2}')
[[ "$py_version" =~ ^[0-9] ]] || die "could not read the version from '$exe --version'"
version=$(sed -E 's/\.?(a|b|rc|dev)([0-9]+)/~\1\2/g' <<<"$py_version")
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-Gett Store Kiosk maintainers <kiosk@example.invalid>}

# Lowest C library the bundle can run on: the newest GLIBC_x.y symbol version any of its ELF
# files asks for. The C++ runtime is not bundled (see kiosk.spec): require at least this machine's.
glibc=$(find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | { xargs -0 objdump -T 2>/dev/null || true; } | { grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' || true; } \
  | sed 's/GLIBC_//' | sort -uV | tail -n 1)
[[ -n "$glibc" ]] || die "could not work out the glibc version the bundle needs"
host_ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null | sed -E 's/^[0-9]+://; s/-[^-]*$//'; }
stdcxx=$(host_ver libstdc++6)
gcc_s=$(host_ver libgcc-s1)
[[ -n "$stdcxx" && -n "$gcc_s" ]] || die "libstdc++6/libgcc-s1 are not installed on this machine?"

depends=(
  "libc6 (>= $glibc)" "libstdc++6 (>= $stdcxx)" "libgcc-s1 (>= $gcc_s)"
  libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-shape0
)
depends_line=$(printf '%s, ' "${depends[@]}")
depends_line=${depends_line%, }

stage=$(mktemp -d -t kiosk-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/etc/xdg/autostart" \
  "$root/usr/share/doc/$pkg"

cp -a "$bundle" "$root/opt/$pkg"
install -m 0755 "$here/kiosk-autostart" "$root/opt/$pkg/kiosk-autostart"
ln -s "/opt/$pkg/$pkg" "$root/usr/bin/kiosk"
install -m 0644 "$here/$pkg.desktop" "$root/usr/share/applications/$pkg.desktop"
install -m 0644 "$here/$pkg-autostart.desktop" "$root/etc/xdg/autostart/$pkg.desktop"
install -m 0644 "$here/$pkg.svg" "$root/usr/share/icons/hicolor/scalable/apps/$pkg.svg"
cat >"$root/usr/share/doc/$pkg/copyright" <<'EOF'
Gett Store Kiosk
Copyright: the Gett Store Kiosk authors. Proprietary; see the project's licence terms.
Bundles Python, Qt 6 (LGPLv3) through PySide6, and the Python packages listed in the
project's uv.lock, each under its own licence.
EOF

printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
  "$pkg" "$version" "$py_version" "$maintainer" \
  "$(date -R)" | gzip -9n >"$root/usr/share/doc/$pkg/changelog.gz"

# Root-owned, nothing group/world-writable, whatever the umask of the build; shared libraries
# are not executables.
chmod -R u+rwX,go+rX,go-w "$root"
find "$root/opt/$pkg/_internal" -type f -name '*.so*' -exec chmod 0644 {} +

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: $depends_line
Recommends: gnome-keyring | kwalletmanager
Section: misc
Priority: optional
Description: Touchscreen kiosk to pause and resume a store on Gett
 Shows whether the store is ONLINE or PAUSED on the Gett delivery marketplace
 and lets kitchen staff pause it (reason, then how long) or resume it with a
 tap. Changes made while offline are kept and sent when the network is back.
 Also installs the kiosk command for scripts, and an autostart entry that
 starts the kiosk at login for users that have a kiosk configuration.
 The API key is kept in the user's OS keyring (Secret Service).
EOF
echo "/etc/xdg/autostart/$pkg.desktop" >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
  | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

deb="$out/${pkg}_${version}_${arch}.deb"
rm -f "$deb"
echo "build-deb: packing $deb (xz; this takes a minute)" >&2
dpkg-deb --root-owner-group -Zxz --threads-max="$(nproc)" --build "$root" "$deb" >/dev/null
echo "$deb"
