"""Compile the gettext catalogs (``.po`` → ``.mo``) without needing GNU gettext installed.

Run as ``python -m kakehashi.core.catalogs kakehashi/locale``; the compiled files are committed,
so an installed Kakehashi never needs this step. A test keeps them in step with the sources.
"""

import sys
from pathlib import Path


def compile_catalogs(locale_dir: Path) -> list[Path]:
    import polib

    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        catalog = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        catalog.save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[0] if argv else "kakehashi/locale")
    for path in compile_catalogs(locale_dir):
        print(f"compiled {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
