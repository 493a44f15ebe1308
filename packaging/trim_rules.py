"""Which Qt and system files the bundle leaves out, on Linux and on Windows.

kiosk.spec applies these to PyInstaller's file list; tests/unit/test_trim_rules.py checks them
against the PySide6 wheels' real file lists for both platforms (packaging/qt-files/), so a rule
that matches nothing on one platform, or drops something the kiosk needs, fails in CI rather
than shipping 20 MiB of unused DLLs to store PCs. Sizes: packaging/README.md.

Paths are the bundle's, with '/' separators. Qt lives under ``PySide6/Qt/`` on Linux and macOS
and directly under ``PySide6/`` on Windows; a plugin is ``libqNAME.so`` on Linux and
``qNAME.dll`` on Windows, so the rules name plugins by ``qNAME`` and match both spellings.
"""

from __future__ import annotations

from pathlib import PurePosixPath

QT_ROOTS = ("PySide6/Qt/", "PySide6/")  # longest first: Linux/macOS, then Windows

#: The kiosk's languages other than English (kiosk.core.i18n.LANGUAGES; a test keeps them in
#: step): Qt's own words for them stay, every other language's go.
LANGUAGES = ("he", "ar", "ru")
#: Qt's translations kept: qtbase only (standard buttons, the text field's menu); the kiosk's
#: own words are its gettext catalogs.
KEPT_QT_TRANSLATIONS = frozenset(f"translations/qtbase_{code}.qm" for code in LANGUAGES)

#: Folders (relative to the Qt root) left out whole (but KEPT_QT_TRANSLATIONS).
DROP_DIRS = (
    "translations/",  # Qt's own words: all but qtbase in the kiosk's languages
    "plugins/egldeviceintegrations/",  # embedded EGL framebuffers (Linux)
    "plugins/tls/",  # Qt's TLS backends: the kiosk's HTTPS is httpx + truststore
)

#: Plugins left out, by folder; a name matches the plugin and any plugin whose name it starts.
DROP_PLUGINS = {
    # GTK3 theme: drags in the build machine's whole GTK stack for file dialogs never opened.
    "platformthemes": ("qgtk3",),
    # Framebuffer, VNC, Vulkan-display and Direct2D platforms: store PCs run a desktop session
    # on X11, Wayland or Windows' own plugin (`offscreen` stays: --screenshot and the smoke
    # test use it). qminimal also matches qminimalegl.
    "platforms": ("qeglfs", "qlinuxfb", "qminimal", "qvnc", "qvkkhrdisplay", "qdirect2d"),
    # Image formats the kiosk has no files in (SVG, PNG, GIF and ICO stay). JPEG goes too: it
    # links a private libjpeg (lintian's embedded-library) for images the kiosk never loads.
    "imageformats": ("qtiff", "qwebp", "qtga", "qwbmp", "qicns", "qpdf", "qjpeg"),
    # Qt's on-screen keyboard needs Qt Quick; the OS's touch keyboard serves the settings.
    "platforminputcontexts": ("qtvirtualkeyboardplugin",),
}

#: Single files (relative to the Qt root) left out.
DROP_FILES = (
    # Windows: Mesa's software OpenGL (19.7 MiB), a fallback for Qt Quick/OpenGL on PCs
    # without a GPU driver. The kiosk is Qt Widgets, painted by Qt's raster engine.
    "opengl32sw.dll",
)

#: Linux: shared libraries taken from the OS instead of the build machine (the .deb depends on
#: their packages). The C++ runtime: a bundled libstdc++ older than the target's stops the
#: system's Mesa GL drivers from loading (pyinstaller/pyinstaller#5573, #6993). The others are
#: libraries every Debian/Ubuntu system has, which lintian flags as embedded copies; libexpat
#: alone raised the glibc the bundle needs to 2.36 (Debian 12), shutting out Ubuntu 22.04.
LINUX_FROM_OS = frozenset(
    {
        "libstdc++.so.6",
        "libgcc_s.so.1",
        "libexpat.so.1",
        "libz.so.1",
        "libbz2.so.1.0",
        "libpng16.so.16",
        "libfreetype.so.6",
        "libmount.so.1",
        "libblkid.so.1",
    }
)


#: Libraries the .deb's Depends install (packaging/linux/build-deb.sh: libglib2.0-0, libdbus-1-3,
#: libfontconfig1, libxkbcommon0/-x11-0, libxcb-cursor0/-icccm4/-image0/-keysyms1/-render-util0/
#: -shape0, libgl1), and the ones those packages themselves depend on. Keep it and the Depends
#: in step (build-deb.sh checks that every library the bundle links is covered).
LINUX_FROM_DEB_DEPENDS = frozenset(
    {
    # the Depends themselves
    "libglib-2.0.so.0", "libgobject-2.0.so.0", "libgio-2.0.so.0", "libgmodule-2.0.so.0",
    "libgthread-2.0.so.0", "libdbus-1.so.3", "libfontconfig.so.1", "libxkbcommon.so.0",
    "libxkbcommon-x11.so.0", "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-image.so.0",
    "libxcb-keysyms.so.1", "libxcb-render-util.so.0", "libxcb-shape.so.0",
    # what they depend on: glib (libmount1, libblkid1, libselinux1, libpcre2-8-0, libffi8,
    # zlib1g), fontconfig (libfreetype6 -> libpng16-16, libbrotli1; libexpat1), dbus
    # (libsystemd0 -> libcap2, libgcrypt20 -> libgpg-error0, liblz4-1, liblzma5, libzstd1),
    # the xcb libraries (libxcb-render0, libxcb-shm0, libxcb-util1, libxcb-xkb1) and libgl1
    # (libx11-6 -> libxau6, libxdmcp6)
    "libmount.so.1", "libblkid.so.1", "libselinux.so.1", "libpcre2-8.so.0", "libffi.so.8",
    "libz.so.1", "libfreetype.so.6", "libpng16.so.16", "libbrotlidec.so.1",
    "libbrotlicommon.so.1", "libexpat.so.1", "libsystemd.so.0", "libcap.so.2",
    "libgcrypt.so.20", "libgpg-error.so.0", "liblz4.so.1", "liblzma.so.5", "libzstd.so.1",
    "libxcb-render.so.0", "libxcb-shm.so.0", "libxcb-util.so.1", "libxcb-xkb.so.1",
    "libX11.so.6", "libXau.so.6", "libXdmcp.so.6",
    }
)

def qt_relative(dest: str) -> str | None:
    """The path below the Qt root, or None for a file that is not Qt's."""
    dest = dest.replace("\\", "/")
    for root in QT_ROOTS:
        if dest.startswith(root):
            return dest[len(root) :]
    return None


def _plugin_name(filename: str) -> str:
    stem = filename.split(".", 1)[0]
    return stem[3:] if stem.startswith("lib") else stem


def is_dropped(dest: str) -> bool:
    """True if the bundle leaves this Qt file out (any platform's spelling)."""
    rel = qt_relative(dest)
    if rel is None:
        return False
    if rel in KEPT_QT_TRANSLATIONS:
        return False
    if rel.startswith(DROP_DIRS) or rel in DROP_FILES:
        return True
    parts = PurePosixPath(rel).parts
    if len(parts) == 3 and parts[0] == "plugins":
        names = DROP_PLUGINS.get(parts[1], ())
        return _plugin_name(parts[2]).startswith(names)
    return False


def rules() -> list[str]:
    """Every rule, spelled as a pattern (for the check that each one matches something)."""
    out = list(DROP_DIRS) + list(DROP_FILES)
    out += [f"plugins/{folder}/{name}" for folder, names in DROP_PLUGINS.items() for name in names]
    return out


def matches(rule: str, dest: str) -> bool:
    """Whether one rule (from ``rules()``) drops ``dest``."""
    rel = qt_relative(dest)
    if rel is None:
        return False
    if rule.endswith("/"):
        return rel.startswith(rule)
    if not rule.startswith("plugins/"):
        return rel == rule
    parts = PurePosixPath(rel).parts
    folder, name = rule.split("/")[1:]
    return (
        len(parts) == 3
        and parts[:2] == ("plugins", folder)
        and _plugin_name(parts[2]).startswith(name)
    )


#: Babel's CLDR data kept (babel/locale-data/<name>.dat): the kiosk's languages and root, the
#: parent every one of them inherits from. The other ~1000 locales are 30 MiB it never reads.
BABEL_LOCALES = frozenset({"root", "en", *LANGUAGES})


def is_dropped_data(dest: str) -> bool:
    """True for Babel locale data of a language the kiosk does not ship."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if len(parts) == 3 and parts[:2] == ("babel", "locale-data") and parts[2].endswith(".dat"):
        return parts[2][: -len(".dat")] not in BABEL_LOCALES
    return False
