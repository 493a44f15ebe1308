"""A smaller ICU data library for the Linux bundle: Qt's ``libicudata.so.NN`` without the data
the kiosk never reaches (kiosk.spec calls :func:`filtered_icudata`).

PySide6's ``libicudata`` is ~31 MiB, nearly a quarter of the bundle. Qt Core links ICU and uses
its *core* data (character properties, case mapping, normalization, bidi, break rules, time
zones, locale data) for every language; what it never needs here, because the kiosk uses no
QCollator, no legacy text codecs and no ICU display names, is dropped:

- the display names of currencies, languages, regions, units and time zones (``curr/``,
  ``lang/``, ``region/``, ``unit/``, ``zone/``), spelled-out numbers (``rbnf/``) and
  transliterators (``translit/``): ~21 MiB;
- legacy codepage converters (``*.cnv``; UTF-8/16/32 and Latin-1 are algorithmic, not data) and
  Unicode character names (``unames.icu``): ~5 MiB;

Every locale's own data (the top-level ``*.res``), collation (``coll/``) and the line-break
rules and dictionaries (``brkitr/``, Thai and CJK included) are kept, so a language the kiosk is
translated into later finds its case rules, plurals, calendar, sorting and line breaking here
(checked: Turkish and German case mapping, Swedish collation, Hebrew, Arabic, Russian,
Japanese, Thai, Chinese and French dates and numbers, time zones give the same answers as with
the full data; only legacy codecs such as EUC-JP or windows-1255 are gone). The package is
rebuilt with ICU's ``icupkg`` (Debian: ``icu-devtools``) and linked with ``gcc`` as a library
with the same soname and data symbol. ``tests/packaging`` is not where this is checked:
packaging/smoke-test.sh runs the frozen build, and `make bench` prints the size.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

DROP_DIRS = ("curr/", "lang/", "region/", "unit/", "zone/", "rbnf/", "translit/")


def dropped(item: str) -> bool:
    """Whether an item of the package (``curr/de.res``, ``ibm-1390_P110-2003.cnv``) goes."""
    if item.startswith(DROP_DIRS):
        return True
    return item.endswith(".cnv") or item == "unames.icu"


def _rodata(elf: bytes) -> tuple[int, int]:
    """(file offset, size) of the ``.rodata`` section of a 64-bit little-endian ELF file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i: int) -> tuple[int, int, int]:
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, offset, size

    _, names_at, _ = section(shstrndx)
    for i in range(shnum):
        name, offset, size = section(i)
        end = elf.index(b"\0", names_at + name)
        if elf[names_at + name : end] == b".rodata":
            return offset, size
    raise ValueError("no .rodata section")


def filtered_icudata(library: Path, out_dir: Path) -> Path:
    """Build ``out_dir/<library's name>`` holding only the data the kiosk can reach."""
    match = re.fullmatch(r"libicudata\.so\.(\d+)", library.name)
    if match is None:
        raise ValueError(f"{library.name}: not libicudata.so.NN")
    version = match.group(1)
    for tool in ("icupkg", "gcc"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"icu_filter: '{tool}' is missing: apt-get install icu-devtools gcc "
                "(or .ci/system-deps.sh icu)"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    elf = library.read_bytes()
    offset, size = _rodata(elf)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        full = work / f"icudt{version}l.dat"
        full.write_bytes(elf[offset : offset + size])
        listing = subprocess.run(
            ["icupkg", "-l", str(full)], check=True, capture_output=True, text=True
        ).stdout.split()
        drop = [item for item in listing if dropped(item)]
        if not listing or len(drop) == len(listing):
            raise SystemExit(f"icu_filter: unexpected package contents in {library}")
        (work / "drop.txt").write_text("\n".join(drop) + "\n")
        # icupkg names the package (the prefix of every item) after the output file: same name.
        (work / "small").mkdir()
        small = work / "small" / full.name
        subprocess.run(
            ["icupkg", "-r", str(work / "drop.txt"), str(full), str(small)],
            check=True,
            capture_output=True,
        )
        symbol = f"icudt{version}_dat"
        (work / "data.S").write_text(
            f".section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n"
            f'{symbol}:\n.incbin "{small}"\n.size {symbol}, .-{symbol}\n'
            '.section .note.GNU-stack,"",@progbits\n'
        )
        target = out_dir / library.name
        subprocess.run(
            ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(target),
             str(work / "data.S")],
            check=True, capture_output=True,
        )  # fmt: skip
    print(
        f"icu_filter: {library.name} {len(elf) / 2**20:.1f} MiB -> "
        f"{target.stat().st_size / 2**20:.1f} MiB ({len(drop)} of {len(listing)} items dropped)"
    )
    return target


if __name__ == "__main__":
    import sys

    filtered_icudata(Path(sys.argv[1]), Path(sys.argv[2]))
