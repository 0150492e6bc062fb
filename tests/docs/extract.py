#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/docs/extract.py OUTDIR FILE... - cut the runnable commands out of
the docs, one shell file per block, so that tests/docs/run.sh can run them.

Markdown: fenced blocks whose info string starts with "sh":
    ```sh        run on the host (quick)
    ```sh long   run on the host, full level only (boots QEMU, minutes)
    ```sh root   run as root next to tmnet.ko (in a QEMU guest, full level)
    ```sh norun  never run; the block's first comment line says why
Man pages: the .EX/.EE blocks of the EXAMPLES section; section 1 runs on
the host, section 4 and 8 as root in the guest.

Each OUTDIR/NNN.KIND.sh starts with "# FILE:LINE"; index.tsv lists
NNN, KIND, FILE:LINE and the block's first command.
"""
import os
import re
import sys

KINDS = ("host", "long", "root", "norun")


def md_blocks(path):
    out, cur, start, kind = [], None, 0, None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if cur is None:
                m = re.match(r"^```sh(?:\s+(\w+))?\s*$", s)
                if m:
                    tag = m.group(1) or "host"
                    if tag not in KINDS:
                        sys.exit(f"{path}:{n}: unknown block tag '{tag}' (want one of {KINDS})")
                    cur, start, kind = [], n + 1, tag
            elif s.startswith("```"):
                out.append((kind, start, cur))
                cur = None
            else:
                cur.append(s)
    if cur is not None:
        sys.exit(f"{path}:{start}: unterminated code block")
    return out


def troff_text(s):
    s = s.replace(r"\(aq", "'").replace(r"\(dq", '"').replace(r"\-", "-")
    s = s.replace(r"\e", "\\").replace(r"\&", "")
    return s


def man_blocks(path):
    sect = os.path.splitext(path)[1].lstrip(".")
    kind = "host" if sect == "1" else "root"
    out, cur, start, in_ex = [], None, 0, False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if s.startswith(".SH"):
                in_ex = s.split(None, 1)[1].strip('"') == "EXAMPLES" if " " in s else False
            elif in_ex and s == ".EX":
                cur, start = [], n + 1
            elif in_ex and s == ".EE" and cur is not None:
                out.append((kind, start, cur))
                cur = None
            elif cur is not None:
                cur.append(troff_text(s))
    return out


def main():
    outdir, files = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    idx = []
    k = 0
    for path in files:
        blocks = md_blocks(path) if path.endswith(".md") else man_blocks(path)
        for kind, start, lines in blocks:
            k += 1
            name = f"{k:03d}.{kind}.sh"
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
                f.write(f"# {path}:{start}\n")
                f.write("\n".join(lines) + "\n")
            first = next((l.strip() for l in lines if l.strip() and not l.lstrip().startswith("#")), "")
            why = next((l.strip("# ").strip() for l in lines if l.lstrip().startswith("#")), "")
            idx.append(f"{k:03d}\t{kind}\t{path}:{start}\t{first[:70]}\t{why}")
    with open(os.path.join(outdir, "index.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(idx) + ("\n" if idx else ""))


if __name__ == "__main__":
    main()
