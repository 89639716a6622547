#!/usr/bin/env python3
"""Import cycles between the modules of a crate: the figure docs/design.md keeps.

Usage: scripts/module-cycles.py SRC_DIR [--all] [--layers "a<b<c,d<e"]

Every `.rs` file under SRC_DIR is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`; `lib.rs`,
`main.rs` are the crate root). A module depends on another when its text names it through a
`crate::`, `super::` or `self::` path (in `use` lines and in expressions alike; `#[cfg(test)]`
blocks count, they are code too). The script prints the strongly connected components with more
than one module, largest first, and says for each whether it stays inside one module and its own
children (allowed: a module and its submodules may know each other) or crosses between siblings
(the layering rule forbids it). With --layers, top-level modules are ranked (`,` for modules on
one level, which must not import each other either; `a::b` ranks a submodule apart from its
parent) and any import from a lower-ranked module to a higher-ranked or equal one is reported. Exit status 1 when a crossing cycle or a layer breach exists.
"""
import re
import sys
from pathlib import Path

PATH_RE = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP_RE = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)


def module_of(src: Path, file: Path) -> tuple:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    if parts and parts[0] == "bin":
        return ("<bin>",) + tuple(parts[1:])
    return tuple(parts)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def resolve(start: tuple, head: str, rest: list, modules: set):
    if head == "crate":
        base = ()
    elif head == "self":
        base = start
    else:
        base = start
        while rest and rest[0] == "super":
            rest = rest[1:]
            base = base[:-1]
        base = base[:-1]
    path = base
    best = base
    for seg in rest:
        if seg == "super":
            path = path[:-1]
            best = path
            continue
        path = path + (seg,)
        if path in modules:
            best = path
        else:
            break
    return best


def split_top(body: str):
    """The comma-separated items of a use group, nested braces kept whole."""
    depth, item = 0, ""
    for ch in body + ",":
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            if item.strip():
                yield item.strip()
            item = ""
        else:
            item += ch


def expand_item(prefix: list, item: str):
    """Every path a use-group item names: `a::{b, c::D}` under `crate` is `a::b`, `a::c::D`."""
    item = re.sub(r"\s+as\s+\w+$", "", item)
    if "{" in item:
        head, body = item.split("{", 1)
        body = body[: body.rindex("}")]
        path = prefix + [seg for seg in head.split("::") if seg]
        for sub in split_top(body):
            yield from expand_item(path, sub)
    else:
        yield prefix + [seg for seg in item.split("::") if seg and seg != "self"]


def expand_groups(text: str):
    """`use crate::a::{b::C, d::{e, f}}` names `crate::a::b::C`, `crate::a::d::e`, `crate::a::d::f`."""
    for head, prefix, body in USE_GROUP_RE.findall(text):
        start = [seg for seg in prefix.split("::") if seg]
        for sub in split_top(body):
            yield from ((head, path) for path in expand_item(start, sub))


def graph(src: Path):
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(src, f): f for f in files}
    names = set(modules)
    edges = {m: set() for m in names}
    for mod, file in modules.items():
        if mod and mod[0] == "<bin>":
            continue
        text = strip_comments(file.read_text())
        # A module declared inline in another file counts as part of that file's module. A
        # parent's `mod x;` is ownership, not an import: only paths count.
        paths = [(head, tail.split("::")[1:]) for head, tail in PATH_RE.findall(text)]
        for head, rest in paths + list(expand_groups(text)):
            target = resolve(mod, head, rest, names)
            if target != mod and target in names:
                edges[mod].add(target)
    return names, edges


def sccs(names, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.remove(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in sorted(names):
        if v not in index:
            visit(v)
    return out


def common_prefix(mods):
    prefix = list(mods[0])
    for m in mods[1:]:
        i = 0
        while i < len(prefix) and i < len(m) and prefix[i] == m[i]:
            i += 1
        prefix = prefix[:i]
    return tuple(prefix)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(sys.argv[1])
    names, edges = graph(src)
    comps = sorted((c for c in sccs(names, edges) if len(c) > 1), key=len, reverse=True)
    crossing = 0
    show_all = "--all" in sys.argv
    print(f"{src}: {len(names)} modules, {sum(len(e) for e in edges.values())} module imports")
    if not comps:
        print("no import cycles")
    for comp in comps:
        root = common_prefix(comp)
        # Allowed: every member is the root module or one of its descendants, and the root
        # itself is in the cycle (a module and its own children).
        inside = root in comp
        crossing += 0 if inside else 1
        label = "::".join(root) or "crate"
        kind = "inside one module and its children" if inside else "CROSSES sibling modules"
        print(f"cycle of {len(comp)} modules under {label} ({kind})")
        if show_all or len(comp) <= 12:
            for m in sorted(comp):
                print("    " + ("::".join(m) or "crate"))
    largest = len(comps[0]) if comps else 0
    print(f"largest cycle: {largest} modules; crossing cycles: {crossing}")
    breaches = check_layers(edges, sys.argv) if "--layers" in sys.argv else 0
    return 1 if crossing or breaches else 0


def check_layers(edges, argv):
    spec = argv[argv.index("--layers") + 1]
    rank = {}
    for level, names in enumerate(spec.split("<")):
        for name in names.split(","):
            rank[tuple(name.strip().split("::"))] = level

    def layer(module):
        """The longest ranked path the module is, or is under (`okta::apps` holds `okta::apps::x`)."""
        for n in range(len(module), 0, -1):
            if module[:n] in rank:
                return module[:n]
        return None

    breaches = []
    for src, targets in edges.items():
        src_layer = layer(src)
        if src_layer is None:
            continue
        for dst in targets:
            dst_layer = layer(dst)
            if dst_layer is None or dst_layer == src_layer:
                continue
            if rank[dst_layer] >= rank[src_layer]:
                breaches.append(f"    {'::'.join(src)} -> {'::'.join(dst)}")
    for line in sorted(breaches):
        print(line)
    print(f"layers {spec}: {len(breaches)} imports against the order")
    return len(breaches)


if __name__ == "__main__":
    sys.exit(main())
