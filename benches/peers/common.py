"""Input files shared by the Python peers: SNAP edge list, thresholds, ids, actions."""
import re

import numpy as np


def load_edges(path):
    """A SNAP edge list (`u v` = v follows u) as (n, src, dst); n is the larger of the
    `# Nodes:` header and the largest id + 1, as c/threshold.c and `ovation bench peer` read it."""
    with open(path, "rb") as f:
        data = f.read()
    header = re.search(rb"^#.*?Nodes:\s*(\d+)", data, re.M)
    body = re.sub(rb"(?m)^#.*\n?", b"", data)
    flat = np.array(body.split(), dtype=np.int64)
    if flat.size % 2:
        raise ValueError(f"{path}: odd number of integers; every line must be 'u v'")
    src, dst = flat[0::2], flat[1::2]
    n = max(int(header.group(1)) if header else 0, int(flat.max()) + 1 if flat.size else 0)
    return n, src, dst


def load_floats(path, n):
    values = np.loadtxt(path, dtype=np.float64, ndmin=1)
    if values.size != n:
        raise ValueError(f"{path}: {values.size} values for {n} nodes")
    return values


def load_ids(path):
    return np.loadtxt(path, dtype=np.int64, ndmin=1)
