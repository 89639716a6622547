#!/usr/bin/env python3
"""Files and lines of Rust code per crate and per folder: the figures docs/design.md and the
closing notes quote when the tree changes.

Usage: scripts/tree-stats.py [ROOT]   (default: the repository root)

A crate is a folder with a Cargo.toml and a src/ (fuzz/ and anything under target/ excluded);
for each, its src/ folders (direct files only, so each line is counted once) and its tests/.
"""
import sys
from pathlib import Path


def rust_files(folder: Path, recursive: bool):
    pattern = "**/*.rs" if recursive else "*.rs"
    return [f for f in folder.glob(pattern) if "target" not in f.parts and "node_modules" not in f.parts]


def lines(files):
    return sum(sum(1 for _ in f.open(encoding="utf-8", errors="replace")) for f in files)


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    crates = sorted(
        m.parent for m in root.rglob("Cargo.toml")
        if "target" not in m.parts and "fuzz" not in m.relative_to(root).parts and (m.parent / "src").is_dir()
    )
    print(f"{'files':>6} {'lines':>7}  path")
    for crate in crates:
        src = crate / "src"
        all_src = rust_files(src, True)
        name = crate.relative_to(root).as_posix() if crate != root else "(root)"
        print(f"{len(all_src):>6} {lines(all_src):>7}  {name}: src/ (crate total)")
        folders = sorted({f.parent for f in all_src})
        for folder in folders:
            own = rust_files(folder, False)
            print(f"{len(own):>6} {lines(own):>7}    {folder.relative_to(root).as_posix()}/")
        tests = crate / "tests"
        if tests.is_dir():
            t = rust_files(tests, True)
            print(f"{len(t):>6} {lines(t):>7}    {tests.relative_to(root).as_posix()}/ (all)")


if __name__ == "__main__":
    main()
