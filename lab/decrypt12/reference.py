#!/usr/bin/env python3
"""Reads `tshark -T json -x --no-duplicate-keys` on stdin (a capture decrypted with its key log) and
writes the fields test/engine/decrypt12.test.ts compares, one object per frame:
  {"frame": N, "srcport": P, "records": [{"type": 22, "length": 40, "handshake": [20],
   "verifyData": ["b88c…"], "alert": [1, 0]}], "data": ["68656c6c6f…"]}
handshake/verifyData/alert are there only when tshark decrypted (or read in clear) such content;
data is the decrypted application data tshark handed to its "data" dissector, one entry per record
that had any (tshark shows no entry for an empty record)."""
import json
import sys


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def record(r):
    out = {"type": int(r["tls.record.content_type"]), "length": int(r["tls.record.length"])}
    hs = as_list(r.get("tls.handshake"))
    if hs:
        out["handshake"] = [int(h["tls.handshake.type"]) for h in hs if "tls.handshake.type" in h]
        vd = [h["tls.handshake.verify_data_raw"][0] for h in hs if "tls.handshake.verify_data_raw" in h]
        if vd:
            out["verifyData"] = vd
    al = as_list(r.get("tls.alert_message"))
    if al:
        out["alert"] = [[int(a["tls.alert_message.level"]), int(a["tls.alert_message.desc"])] for a in al]
    return out


frames = []
for p in json.load(sys.stdin):
    layers = p["_source"]["layers"]
    frame = {"frame": int(layers["frame"]["frame.number"]), "srcport": int(layers["tcp"]["tcp.srcport"]), "records": []}
    for tls in as_list(layers.get("tls")):
        for r in as_list(tls.get("tls.record")):
            frame["records"].append(record(r))
    data = [d["data.data_raw"][0] for d in as_list(layers.get("data"))]
    if data:
        frame["data"] = data
    frames.append(frame)
json.dump(frames, sys.stdout, indent=1)
sys.stdout.write("\n")
