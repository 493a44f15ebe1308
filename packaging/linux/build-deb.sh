#!/usr/bin/env bash
# Build the Debian/Ubuntu package from a PyInstaller bundle.
#   packaging/linux/build-deb.sh BUNDLE_DIR OUT_DIR
# BUNDLE_DIR is dist/gett-store-kiosk (from packaging/kiosk.spec). Writes
# OUT_DIR/gett-store-kiosk_<version>_<arch>.deb and prints its path on stdout (progress on stderr).
#
# Layout: /opt/gett-store-kiosk (the bundle + kiosk-autostart), /usr/bin/kiosk -> the bundle's
# binary, a menu entry, an icon, a man page and an XDG autostart entry (/etc/xdg/autostart, a
# conffile). Targets Debian 12, Ubuntu 22.04 and Ubuntu 24.04 (amd64): Depends names packages all
# three have (with the 64-bit-time names of 24.04 as alternatives), and the build fails if the
# bundle needs a newer glibc than Ubuntu 22.04's 2.35 or links a system library no Depends covers.
#
# Environment: DEB_COMPRESSION=zstd|xz (default zstd: measured in packaging/README.md),
# DEB_MAINTAINER="Name <email>".
set -euo pipefail

die() { echo "build-deb: $*" >&2; exit 1; }
[[ $# -eq 2 ]] || die "usage: $0 BUNDLE_DIR OUT_DIR"
bundle=$(cd "$1" && pwd) || die "no bundle at $1"
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for tool in dpkg-deb dpkg-query objdump md5sum patchelf; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed (apt-get install dpkg binutils coreutils patchelf)"
done
compression=${DEB_COMPRESSION:-zstd}
case $compression in
  zstd) compress_args=(-Zzstd -z9) ;; # dpkg >= 1.21.18 on Debian 12; Ubuntu's dpkg since 21.10
  xz) compress_args=(-Zxz) ;;
  *) die "DEB_COMPRESSION must be zstd or xz, not '$compression'" ;;
esac
# The oldest glibc of the distributions named above (Ubuntu 22.04).
MAX_GLIBC=2.35

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
if [[ "$(printf '%s\n' "$glibc" "$MAX_GLIBC" | sort -V | tail -n 1)" != "$MAX_GLIBC" ]]; then
  die "the bundle needs glibc $glibc, newer than Ubuntu 22.04's $MAX_GLIBC: build on an older system, or leave the library that needs it out of the bundle (packaging/trim_rules.py)"
fi
# The C++ runtime is not bundled (see trim_rules.py): the libstdc++6 needed is the GCC release
# that brought the newest GLIBCXX_3.4.x symbol version the bundle asks for (not this build
# machine's version, which Ubuntu 22.04's 12-20220319 would fail as a version number).
glibcxx=$(find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | { xargs -0 objdump -T 2>/dev/null || true; } | { grep -oE 'GLIBCXX_3\.4\.[0-9]+' || true; } \
  | sed 's/GLIBCXX_3\.4\.//' | sort -un | tail -n 1)
case ${glibcxx:-0} in
  [0-9] | 1[0-9] | 2[0-8]) stdcxx=10 ;;
  29) stdcxx=11 ;;
  30) stdcxx=12 ;; # the newest Ubuntu 22.04 has
  *) die "the bundle needs GLIBCXX_3.4.$glibcxx, newer than Ubuntu 22.04's libstdc++ (3.4.30)" ;;
esac

# Alternatives "NEW | OLD": Ubuntu 24.04 renamed some libraries for 64-bit time (…t64).
depends=(
  "libc6 (>= $glibc)" "libstdc++6 (>= $stdcxx)" libgcc-s1
  libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 "libglib2.0-0t64 | libglib2.0-0"
  fonts-dejavu-core libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-render-util0 libxcb-shape0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  libexpat1 zlib1g libbz2-1.0 "libpng16-16t64 | libpng16-16" libfreetype6 libmount1 libblkid1
  libx11-6 libxcb-render0 libxcb-shm0 libxcb-util1 libxcb-xkb1 libffi8 libbrotli1 liblzma5
  libzstd1
)
depends_line=$(printf '%s, ' "${depends[@]}")
depends_line=${depends_line%, }

# Every system library the bundle links and does not carry must come from a package above
# (on this build machine: its package, by dpkg -S). A new one fails the build here, not on a PC.
bundled=$(find "$bundle" -name '*.so*' -printf '%f\n' | sort -u)
needed=$(find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | { xargs -0 objdump -p 2>/dev/null || true; } | awk '/NEEDED/ {print $2}' | sort -u)
uncovered=()
for soname in $(comm -23 <(printf '%s\n' "$needed") <(printf '%s\n' "$bundled")); do
  owner=$(dpkg -S "*/$soname" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
  [[ -n "$owner" ]] || { uncovered+=("$soname (no package on this machine)"); continue; }
  [[ " ${depends[*]//[(|)]/ } " == *" $owner "* ]] || uncovered+=("$soname ($owner)")
done
[[ ${#uncovered[@]} -eq 0 ]] || die "the bundle links system libraries no Depends covers: ${uncovered[*]}"

stage=$(mktemp -d -t kiosk-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/etc/xdg/autostart" \
  "$root/usr/share/doc/$pkg" "$root/usr/share/man/man1" "$root/usr/share/lintian/overrides"

cp -a "$bundle" "$root/opt/$pkg"
# RUNPATHs baked in by the build machine's Python (/root/.pyenv/...: lintian's
# custom-library-search-path) point at folders no store PC has; the bundle finds its libraries
# through the bootloader's own search path. Keep only $ORIGIN-relative ones.
while IFS= read -r -d '' elf; do
  rpath=$(patchelf --print-rpath "$elf" 2>/dev/null) || continue
  [[ -n "$rpath" ]] || continue
  keep=$(tr ':' '\n' <<<"$rpath" | grep '^\$ORIGIN' | paste -sd: || true)
  if [[ "$keep" != "$rpath" ]]; then
    if [[ -n "$keep" ]]; then patchelf --set-rpath "$keep" "$elf"; else patchelf --remove-rpath "$elf"; fi
  fi
done < <(find "$root/opt/$pkg" -type f \( -name '*.so*' -o -perm -u+x \) -print0)
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/$pkg"
gzip -9n <"$here/kiosk.1" >"$root/usr/share/man/man1/kiosk.1.gz"
install -m 0755 "$here/kiosk-autostart" "$root/opt/$pkg/kiosk-autostart"
ln -s "/opt/$pkg/$pkg" "$root/usr/bin/kiosk"
install -m 0644 "$here/$pkg.desktop" "$root/usr/share/applications/$pkg.desktop"
install -m 0644 "$here/$pkg-autostart.desktop" "$root/etc/xdg/autostart/$pkg.desktop"
install -m 0644 "$here/$pkg.svg" "$root/usr/share/icons/hicolor/scalable/apps/$pkg.svg"
cat >"$root/usr/share/doc/$pkg/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Gett Store Kiosk

Files: *
Copyright: $(date -u +%Y) the Gett Store Kiosk authors
License: proprietary
 Proprietary; see the project's licence terms. The bundle in /opt/$pkg carries
 Python (PSF License), Qt 6 (LGPL-3) through PySide6 (LGPL-3), and the Python
 packages listed in the project's uv.lock, each under its own licence.
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
# After an upgrade: restart the running kiosk apps (as the new version) or say the next login will.
install -m 0755 "$here/postinst" "$root/DEBIAN/postinst"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
  | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

deb="$out/${pkg}_${version}_${arch}.deb"
rm -f "$deb"
echo "build-deb: packing $deb ($compression)" >&2
pack_started=$SECONDS
dpkg-deb --root-owner-group "${compress_args[@]}" --threads-max="$(nproc)" --build "$root" "$deb" >/dev/null
echo "build-deb: packed in $((SECONDS - pack_started)) s: $(du -h "$deb" | cut -f1) ($compression)" >&2
echo "$deb"
