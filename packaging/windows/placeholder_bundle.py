"""A placeholder Windows bundle with the real bundle's layout, for compiling the installer here.

`make installer-check` compiles packaging/windows/kiosk.nsi with NSIS on Linux, where the
Windows bundle cannot be built. The payload it packs has the layout PyInstaller gives
packaging/kiosk.spec on Windows: the two executables, _internal/ with the Python runtime, the
kiosk's resources (from resources/, as the spec collects them), and PySide6's files for the Qt
modules the kiosk uses, taken from the real PySide6 Windows wheel's file list
(packaging/qt-files/) with the trimming rules (packaging/trim_rules.py) applied. Each file holds
a line naming what it stands for.

    python packaging/windows/placeholder_bundle.py OUT_DIR [--without RELATIVE_PATH]...
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import trim_rules  # noqa: E402

#: The Qt modules the kiosk imports (kiosk.spec excludes the rest).
QT_MODULES = ("Core", "Gui", "Widgets", "Svg", "Network", "DBus")
#: PySide6's plugin folders PyInstaller's Qt hooks collect for those modules.
PLUGIN_DIRS = (
    "platforms",
    "platformthemes",
    "platforminputcontexts",
    "imageformats",
    "iconengines",
    "styles",
    "generic",
    "networkinformation",
    "tls",
)
PYTHON_RUNTIME = (
    "base_library.zip",
    "python311.dll",
    "python3.dll",
    "VCRUNTIME140.dll",
    "VCRUNTIME140_1.dll",
    "libcrypto-3.dll",
    "libssl-3.dll",
    "libffi-8.dll",
    "sqlite3.dll",
    "_ssl.pyd",
    "_sqlite3.pyd",
    "_ctypes.pyd",
    "select.pyd",
    "unicodedata.pyd",
    "shiboken6/shiboken6.abi3.dll",
    "shiboken6/Shiboken.pyd",
)


def pyside_files() -> list[str]:
    """PySide6's files in the Windows bundle, as the bundle's _internal-relative paths."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    version = next(p["version"] for p in lock["package"] if p["name"] == "pyside6-essentials")
    listing = ROOT / "packaging" / "qt-files" / f"pyside6-essentials-{version}-win_amd64.txt"
    wheel = [
        line
        for line in listing.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    wanted = {f"PySide6/Qt6{m}.dll" for m in QT_MODULES} | {
        f"PySide6/Qt{m}.pyd" for m in QT_MODULES if m != "DBus"
    }
    wanted |= {"PySide6/pyside6.abi3.dll", "PySide6/opengl32sw.dll"}
    wanted |= {
        f for f in wheel if PurePosixPath(f).name.lower().startswith(("msvcp140", "vcruntime140"))
    }
    for f in wheel:
        parts = PurePosixPath(f).parts
        if len(parts) == 4 and parts[1] == "plugins" and parts[2] in PLUGIN_DIRS:
            wanted.add(f)
        if len(parts) == 3 and parts[1] == "translations" and parts[2].startswith("qtbase_"):
            wanted.add(f)
    missing = sorted(w for w in wanted if w not in wheel)
    if missing:
        raise SystemExit(f"placeholder_bundle: not in {listing.name}: {', '.join(missing)}")
    return sorted(f for f in wanted if not trim_rules.is_dropped(f))


def resource_files() -> list[tuple[Path, str]]:
    """kiosk.resources' runtime files, where the spec puts them (see resource_datas there)."""
    src = ROOT / "resources"
    out = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if not path.is_file() or path.suffix in {".py", ".pyc"} or path.name.startswith("."):
            continue
        if rel.parts[0] in {"screenshots", "__pycache__"}:
            continue
        out.append((path, str(PurePosixPath("kiosk", "resources", *rel.parts))))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--without", action="append", default=[], metavar="RELATIVE_PATH")
    args = parser.parse_args()
    out: Path = args.out_dir
    if out.exists():
        shutil.rmtree(out)
    internal = out / "_internal"
    files: dict[str, str] = {
        "gett-store-kiosk.exe": "the app (windowed)",
        "kiosk.exe": "the command line (console)",
    }
    for name in PYTHON_RUNTIME:
        files[f"_internal/{name}"] = "the Python runtime"
    for name in pyside_files():
        files[f"_internal/{name}"] = "PySide6 (from the Windows wheel's file list)"
    for name in args.without:
        files.pop(name, None)
    for rel, what in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"placeholder for {rel}: {what}\n", encoding="utf-8")
    for src, rel in resource_files():
        if f"_internal/{rel}" in args.without:
            continue
        dest = internal / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    count = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"placeholder bundle: {out} ({count} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
