#!/usr/bin/env python3
"""Prints which domain of src/depthforge includes which, and fails (exit 1)
on an include that reaches a domain at the same or a higher layer.

    python3 scripts/include_graph.py [--dot]

The layers, lowest first; a domain may include only domains below it.
"""
import collections
import pathlib
import re
import sys

LAYERS = [
    ["core"],
    ["util"],
    ["io"],
    ["models"],
    ["estimate"],
    ["eval", "render"],
    ["label"],
    ["video", "stereo"],
    ["convert"],
    ["train", "studio"],
]
LEVEL = {domain: level for level, domains in enumerate(LAYERS) for domain in domains}
INCLUDE = re.compile(r'^\s*#\s*include\s+"depthforge/([a-z_]+)/([^"]+)"', re.M)


def main():
    root = pathlib.Path(__file__).resolve().parent.parent / "src" / "depthforge"
    edges = collections.Counter()
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc") or path.name.endswith("_test.cc"):
            continue
        domain = path.relative_to(root).parts[0]
        if domain == "testing":
            continue  # helpers of the tests, not the library
        if domain not in LEVEL:
            problems.append(f"{path.relative_to(root)}: domain '{domain}' has no layer in {__file__}")
            continue
        for target, header in INCLUDE.findall(path.read_text()):
            if target == domain:
                continue
            edges[(domain, target)] += 1
            if target not in LEVEL or LEVEL[target] >= LEVEL[domain]:
                problems.append(f"{path.relative_to(root)} includes depthforge/{target}/{header}: "
                                f"{domain} may include only {', '.join(d for d in LEVEL if LEVEL[d] < LEVEL[domain])}")
    if "--dot" in sys.argv:
        print("digraph depthforge {")
        for (a, b), n in sorted(edges.items()):
            print(f'  "{a}" -> "{b}" [label={n}];')
        print("}")
    else:
        print("layers (lowest first): " + " < ".join("/".join(d) for d in LAYERS))
        for level in reversed(range(len(LAYERS))):
            for domain in LAYERS[level]:
                targets = sorted({b for (a, b) in edges if a == domain}, key=lambda d: -LEVEL.get(d, 99))
                print(f"  {domain:9s} -> {', '.join(targets) if targets else '(nothing)'}")
    for problem in problems:
        print("upward include: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
