# Test-only helper for test/support/fakesnow-proxy.ts: turns fakesnow's Arrow IPC rowsets into
# the JSON rowsets real Snowflake sends (every value a string, in Snowflake's wire format), so
# the Node snowflake-sdk, which reads only JSON rowsets, parses them with its own converters.
# One request per stdin line: {"b64": "<arrow ipc stream>", "rowtype": [...]};
# one answer per stdout line: {"rowset": [[...], ...]} or {"error": "..."}.
# pyarrow is used because fakesnow itself depends on it (it is in .venv already), whereas no
# Arrow reader is installed for Node and package.json is not ours to change.
import base64
import datetime
import decimal
import json
import sys

import pyarrow as pa

EPOCH_DAY = datetime.date(1970, 1, 1)


def seconds(epoch, fraction):
    # Snowflake writes epoch seconds with a 9-digit fraction; Decimal keeps negatives exact.
    return str(decimal.Decimal(epoch) + decimal.Decimal(fraction).scaleb(-9))


def to_wire(value, sf_type):
    # fakesnow builds timestamp structs without a null bitmap: a NULL is a struct of NULLs.
    if value is None or (isinstance(value, dict) and value.get("epoch") is None):
        return None
    if sf_type == "boolean":
        return "1" if value else "0"
    if sf_type == "date":
        return str((value - EPOCH_DAY).days)
    if sf_type == "time":
        return seconds(0, value)  # int64 nanoseconds since midnight
    if sf_type in ("timestamp_ntz", "timestamp_ltz"):
        return seconds(value["epoch"], value["fraction"])
    if sf_type == "timestamp_tz":
        # "<seconds> <offset minutes + 1440>" (result version 1); fakesnow only emits UTC (1440).
        return f'{seconds(value["epoch"], value["fraction"])} {value.get("timezone", 1440)}'
    if sf_type == "binary":
        return bytes(value).hex().upper()
    if sf_type == "real":
        return repr(float(value))
    return str(value)


def convert(b64, rowtype):
    table = pa.ipc.open_stream(base64.b64decode(b64)).read_all()
    columns = [col.to_pylist() for col in table.columns]
    types = [c["type"].lower() for c in rowtype]
    return [[to_wire(columns[i][r], types[i]) for i in range(len(columns))] for r in range(table.num_rows)]


for line in sys.stdin:
    try:
        req = json.loads(line)
        out = {"rowset": convert(req["b64"], req["rowtype"])}
    except Exception as e:  # answer every line, so the proxy never waits forever
        out = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
