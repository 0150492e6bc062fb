#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the YNL spec of the tmnet family against its C header.

  tests/genl/check_spec.py [--spec uapi/tmnet.yaml] [--schema FILE]

1. uapi/tmnet.yaml validates against the kernel's own schema,
   Documentation/netlink/genetlink.yaml from Debian's linux-source-6.12
   (found under /var/cache/tmnet/, extracted from
   /usr/src/linux-source-6.12.tar.xz if needed).
2. Every enum value the spec implies (YNL naming and numbering rules:
   attribute sets, operations, definitions, constants) equals the value the
   C compiler sees in uapi/linux/tmnet_genl.h (or linux/tmnet.h for
   definitions with a header:), and every enumerator of tmnet_genl.h is in
   the spec.
3. Family name, version and multicast group agree.
Prints TAP; exit 0 iff all passed.
"""
import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(os.environ.get("TMNET_CACHE", "/var/cache/tmnet"), "linux-source-6.12")
TARBALL = "/usr/src/linux-source-6.12.tar.xz"
HEADER = os.path.join(ROOT, "uapi/linux/tmnet_genl.h")
# C prefixes of enums the spec takes from linux/tmnet.h (header: ...)
HEADER_ENUMS = {"system": "TMNET_SYS_", "source": "TMNET_SRC_", "stage": "TMNET_STAGE_"}

n = 0
fails = 0


def tap(ok, desc):
    global n, fails
    n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, desc))
    if not ok:
        fails += 1
    return ok


def c_name(*parts):
    return "_".join(p for p in parts if p).upper().replace("-", "_")


def find_schema():
    path = os.path.join(CACHE, "Documentation/netlink/genetlink.yaml")
    if os.path.exists(path):
        return path
    if not os.path.exists(TARBALL):
        return None
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    with tarfile.open(TARBALL) as t:
        members = [m for m in t.getmembers()
                   if m.name.startswith("linux-source-6.12/Documentation/netlink/")]
        t.extractall(os.path.dirname(CACHE), members=members)
    return path if os.path.exists(path) else None


def expected(spec):
    """(C name, value, where) for everything the spec defines."""
    fam = spec["name"]
    out = []
    for d in spec.get("definitions", []):
        if d["type"] == "const":
            out.append((c_name(fam, d["name"]), d["value"], "const " + d["name"]))
            continue
        prefix = HEADER_ENUMS.get(d["name"]) if "header" in d else None
        if "header" in d and prefix is None:
            out.append((None, None, "definition %s: no C prefix known" % d["name"]))
            continue
        v = d.get("value-start", 0)
        for e in d["entries"]:
            name = e if isinstance(e, str) else e["name"]
            if not isinstance(e, str) and "value" in e:
                v = e["value"]
            cn = prefix + c_name(name) if prefix else c_name(fam, d["name"], name)
            val = (1 << v) if d["type"] == "flags" else v
            out.append((cn, val, "%s %s" % (d["name"], name)))
            v += 1
    for s in spec["attribute-sets"]:
        prefix = s.get("name-prefix", fam + "-a-" + s["name"] + "-")
        v = 1
        for a in s["attributes"]:
            v = a.get("value", v)
            out.append((c_name(prefix + a["name"]), v, "attr %s.%s" % (s["name"], a["name"])))
            v += 1
        out.append((c_name(prefix + "max"), v - 1, "attr %s max" % s["name"]))
    ops = spec["operations"]
    prefix = ops.get("name-prefix", fam + "-cmd-")
    v = 1
    for o in ops["list"]:
        v = o.get("value", v)
        out.append((c_name(prefix + o["name"]), v, "op " + o["name"]))
        v += 1
    out.append((c_name(prefix + "max"), v - 1, "op max"))
    return out


def compiled_values(names):
    """Values of names as the C compiler sees them (None if undefined)."""
    vals = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "v.c")
        with open(src, "w") as f:
            f.write('#include <stdio.h>\n#include "linux/tmnet.h"\n'
                    '#include "linux/tmnet_genl.h"\nint main(void)\n{\n')
            for nm in names:
                f.write('\tprintf("%%s %%lld\\n", "%s", (long long)(%s));\n' % (nm, nm))
            f.write("\treturn 0;\n}\n")
        exe = os.path.join(tmp, "v")
        r = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-I", os.path.join(ROOT, "uapi"),
                            src, "-o", exe], capture_output=True, text=True)
        if r.returncode:
            return None, r.stderr
        for line in subprocess.run([exe], capture_output=True, text=True, check=True).stdout.split("\n"):
            if line:
                k, v = line.split()
                vals[k] = int(v)
    return vals, ""


def header_enumerators():
    text = open(HEADER).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    names = []
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        for item in body.split(","):
            m = re.match(r"\s*([A-Za-z_]\w*)", item)
            if m:
                names.append(m.group(1))
    return names


def header_string(macro):
    m = re.search(r"#define\s+%s\s+\"([^\"]*)\"" % macro, open(HEADER).read())
    return m.group(1) if m else None


def header_int(macro):
    m = re.search(r"#define\s+%s\s+(\d+)" % macro, open(HEADER).read())
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=os.path.join(ROOT, "uapi/tmnet.yaml"))
    ap.add_argument("--schema")
    args = ap.parse_args()
    try:
        import yaml
        import jsonschema
    except ImportError as e:
        print("not ok 1 - python3-yaml and python3-jsonschema are needed (%s)" % e)
        print("1..1")
        return 1

    spec = yaml.safe_load(open(args.spec))
    schema_path = args.schema or find_schema()
    if tap(schema_path is not None, "kernel schema genetlink.yaml found (%s)" % schema_path):
        schema = yaml.safe_load(open(schema_path))
        try:
            jsonschema.validate(spec, schema)
            tap(True, "%s validates against %s" % (os.path.relpath(args.spec, ROOT), schema_path))
        except jsonschema.ValidationError as e:
            tap(False, "spec does not validate: %s" % e.message)

    tap(spec["name"] == header_string("TMNET_GENL_NAME"),
        "family name %s == TMNET_GENL_NAME" % spec["name"])
    groups = [g["name"] for g in spec["mcast-groups"]["list"]]
    tap(groups == [header_string("TMNET_GENL_MCGRP_EVENTS")],
        "multicast groups %s == [TMNET_GENL_MCGRP_EVENTS]" % groups)
    tap(header_int("TMNET_GENL_VERSION") == 1, "TMNET_GENL_VERSION is 1")

    exp = expected(spec)
    bad = [w for cn, _, w in exp if cn is None]
    tap(not bad, "every definition maps to C names" + (": " + ", ".join(bad) if bad else ""))
    exp = [e for e in exp if e[0]]
    hdr = set(header_enumerators())
    known = hdr | {cn for cn, _, _ in exp if not cn.startswith("TMNET_A_") and
                   not cn.startswith("TMNET_CMD_") and not cn.startswith("TMNET_EVENT_") and
                   not cn.startswith("TMNET_CFG_FIELD_")}
    known.add("TMNET_GENL_BLOB_MAX")
    missing = [cn for cn, _, _ in exp if cn not in known]
    tap(not missing, "every name the spec implies exists in the headers" +
        (": missing " + ", ".join(missing) if missing else ""))
    vals, err = compiled_values([cn for cn, _, _ in exp if cn not in missing])
    if not tap(vals is not None, "the headers compile"):
        print("# " + err.replace("\n", "\n# "))
    else:
        wrong = ["%s: spec %d, header %d" % (cn, v, vals[cn]) for cn, v, _ in exp
                 if cn in vals and vals[cn] != v]
        tap(not wrong, "%d values agree between spec and header" % len(vals) +
            ("; differ: " + "; ".join(wrong) if wrong else ""))
    spec_names = {cn for cn, _, _ in exp}
    extra = sorted(h for h in hdr if h not in spec_names and not h.startswith("__") and
                   not h.endswith("_UNSPEC"))
    tap(not extra, "every enumerator of tmnet_genl.h is in the spec" +
        (": not in spec " + ", ".join(extra) if extra else ""))
    print("1..%d" % n)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
