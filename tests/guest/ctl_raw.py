#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made (malformed) requests to the tmnet genl family.

  tests/guest/ctl_raw.py CASE

Prints one line "errno=N msg=TEXT bad-attr-offset=OFF miss-type=T" with
the kernel's ack (errno 0 = accepted) and exits 0; exit 2 on usage errors.
Used by tests/guest/ctl_guest.sh for requests tmnetctl never builds.
Only the socket API: no libnl, no YNL, so the kernel's policy is tested
from a third client.
"""
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_TYPE = 1, 2, 5
NLA_F_NESTED = 0x8000

# uapi/linux/tmnet_genl.h (checked against the spec by tests/genl)
CMD = {"dev-get": 1, "model-load": 2, "start": 4, "config-set": 6, "stats-get": 7}
A_DEV_INDEX, A_DEV_NAME, A_MODEL_BLOB, A_CONFIG = 2, 3, 6, 8
CFG_RATE_HZ, CFG_PINNED = 2, 8


def attr(t, payload):
    hdr = struct.pack("=HH", 4 + len(payload), t)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def msg(family, cmd, payload, reserved=0):
    body = struct.pack("=BBH", cmd, 1, reserved) + payload
    return struct.pack("=IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body


def recv_ack(s):
    while True:
        data = s.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, _, _ = struct.unpack_from("=IHHII", data, off)
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("=i", data, off + 16)[0]
                res = {"errno": -err, "msg": "", "offs": -1, "miss": -1}
                # capped ack: nlmsgerr = error + the request's 16-byte header
                a = off + 16 + 4 + 16
                while a + 4 <= off + ln:
                    alen, atyp = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    val = data[a + 4:a + alen]
                    if atyp == NLMSGERR_ATTR_MSG:
                        res["msg"] = val.rstrip(b"\0").decode()
                    elif atyp == NLMSGERR_ATTR_OFFS:
                        res["offs"] = struct.unpack("=I", val)[0]
                    elif atyp == NLMSGERR_ATTR_MISS_TYPE:
                        res["miss"] = struct.unpack("=I", val)[0]
                    a += (alen + 3) & ~3
                return res
            off += (ln + 3) & ~3


def family_id(s):
    s.send(msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b"tmnet\0")))
    data = s.recv(65536)
    ln, typ = struct.unpack_from("=IH", data, 0)
    if typ == NLMSG_ERROR:
        sys.exit("ctl_raw: family tmnet not found")
    a = 20
    while a < ln:
        alen, atyp = struct.unpack_from("=HH", data, a)
        if atyp == CTRL_ATTR_FAMILY_ID:
            fam = struct.unpack_from("=H", data, a + 4)[0]
            recv_ack(s)
            return fam
        a += (alen + 3) & ~3
    sys.exit("ctl_raw: no family id in the reply")


def dev():
    return attr(A_DEV_NAME, b"tmnet0\0")


def nest(t, payload):
    return attr(t | NLA_F_NESTED, payload)


CASES = {
    # (command, payload, reserved)
    "short-u32": ("stats-get", attr(A_DEV_INDEX, b"\0\0"), 0),
    "unknown-attr": ("stats-get", dev() + attr(99, b"\0\0\0\0"), 0),
    "no-dev": ("start", b"", 0),
    "no-config": ("config-set", dev(), 0),
    "nest-without-flag": ("config-set", dev() + attr(A_CONFIG, attr(CFG_RATE_HZ, struct.pack("=I", 2000))), 0),
    "empty-config": ("config-set", dev() + nest(A_CONFIG, b""), 0),
    "pinned-in-request": ("config-set", dev() + nest(A_CONFIG, attr(CFG_PINNED, struct.pack("=I", 1))), 0),
    "rate-short": ("config-set", dev() + nest(A_CONFIG, attr(CFG_RATE_HZ, b"\x10\x27")), 0),
    "no-blob": ("model-load", dev(), 0),
    "name-not-nul": ("stats-get", attr(A_DEV_NAME, b"tmnet0"), 0),
    "reserved-set": ("stats-get", dev(), 1),
    "index-and-name-differ": ("stats-get", dev() + attr(A_DEV_INDEX, struct.pack("=I", 1)), 0),
    "no-such-index": ("stats-get", attr(A_DEV_INDEX, struct.pack("=I", 7)), 0),
    "ok-stats": ("stats-get", dev(), 0),
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print(__doc__ + "\nCASE: " + " ".join(CASES), file=sys.stderr)
        return 2
    cmd, payload, reserved = CASES[sys.argv[1]]
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    fam = family_id(s)
    s.send(msg(fam, CMD[cmd], payload, reserved))
    r = recv_ack(s)
    print("errno=%d msg=%s bad-attr-offset=%d miss-type=%d" %
          (r["errno"], r["msg"], r["offs"], r["miss"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
