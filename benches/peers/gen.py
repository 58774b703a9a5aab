#!/usr/bin/env python3
"""Inputs of the peer harness, every one from a fixed seed (numpy only).

  gen.py graph MODEL N OUT [--deg 10] [--seed 1]
      a directed follower graph as a SNAP edge list: each line `u v` means v follows u
      (u is a source of v); the first line is `# Nodes: N Edges: M`.
      ba  Price-style preferential attachment: node v (1..n-1) follows `deg` earlier nodes
          chosen with probability ~ followers + deg (power-law follower counts, ~deg sources
          each), vectorised with the copying trick (pick a uniform earlier node, or copy the
          source of a uniform earlier edge, resolved by pointer jumping).
      er  directed G(n, m = n * deg), uniform pairs u != v.
      Duplicates are dropped; node ids are shuffled (seeded) so hubs are not packed at low ids.
  gen.py phi GRAPH OUT const:0.18 | uniform:SEED     one threshold per node (%.17g)
  gen.py seeds GRAPH OUT top:FRACTION_OR_COUNT | random:FRACTION:SEED
      top: the nodes with most followers (ties to the lower id); random: distinct nodes.
      A value >= 1 is a count, below 1 a fraction of n (rounded up).
  gen.py actions GRAPH OUT SHARE:SEED    one 0/1 step-0 action per node (1 with prob. SHARE)
"""
import math
import sys

import numpy as np

from common import load_edges


def ba_edges(n, deg, rng):
    a = float(deg)
    dst = np.repeat(np.arange(1, n, dtype=np.int64), deg)
    m = dst.size
    j = np.arange(m, dtype=np.int64)
    uniform = rng.random(m) < a * dst / (j + a * dst)
    src = np.where(uniform, (rng.random(m) * dst).astype(np.int64), -1)
    parent = np.where(uniform, j, (rng.random(m) * np.maximum(j, 1)).astype(np.int64))
    while True:  # pointer jumping: copy from the edge that drew uniformly
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    src = src[parent]
    assert (src >= 0).all() and (src < dst).all()
    return src, dst


def er_edges(n, deg, rng):
    src = rng.integers(0, n, n * deg, dtype=np.int64)
    dst = rng.integers(0, n, n * deg, dtype=np.int64)
    keep = src != dst
    return src[keep], dst[keep]


def graph(model, n, out, deg=10, seed=1):
    rng = np.random.default_rng(seed)
    src, dst = {"ba": ba_edges, "er": er_edges}[model](n, deg, rng)
    perm = rng.permutation(n)
    key = np.unique(perm[src] * n + perm[dst])  # dedupe, sort by (u, v)
    with open(out, "w") as f:
        f.write(f"# Nodes: {n} Edges: {key.size}\n")
        f.write(f"# gen.py graph {model} {n} deg={deg} seed={seed}; line 'u v' means v follows u\n")
        np.savetxt(f, np.column_stack((key // n, key % n)), fmt="%d")


def count(spec, n):
    x = float(spec)
    return int(x) if x >= 1 else max(1, math.ceil(x * n))


def phi(graph_path, out, spec):
    n, _, _ = load_edges(graph_path)
    kind, *rest = spec.split(":")
    if kind == "const":
        values = np.full(n, float(rest[0]))
    elif kind == "uniform":
        values = np.random.default_rng(int(rest[0])).random(n)
    else:
        sys.exit(f"phi: expected const:X or uniform:SEED, found {spec!r}")
    np.savetxt(out, values, fmt="%.17g")


def seeds(graph_path, out, spec):
    n, src, _ = load_edges(graph_path)
    kind, *rest = spec.split(":")
    k = count(rest[0], n)
    if kind == "top":
        followers = np.bincount(src, minlength=n)
        chosen = np.lexsort((np.arange(n), -followers))[:k]
    elif kind == "random":
        chosen = np.random.default_rng(int(rest[1])).choice(n, k, replace=False)
    else:
        sys.exit(f"seeds: expected top:K or random:F:SEED, found {spec!r}")
    np.savetxt(out, np.sort(chosen), fmt="%d")


def actions(graph_path, out, spec):
    n, _, _ = load_edges(graph_path)
    share, seed = spec.split(":")
    stand = np.random.default_rng(int(seed)).random(n) < float(share)
    np.savetxt(out, stand.astype(np.int8), fmt="%d")


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    what, args = sys.argv[1], sys.argv[2:]
    if what == "graph":
        opts = dict(deg=10, seed=1)
        rest = args[3:]
        for i in range(0, len(rest), 2):
            opts[rest[i].lstrip("-")] = int(rest[i + 1])
        graph(args[0], int(args[1]), args[2], **opts)
    elif what in ("phi", "seeds", "actions"):
        globals()[what](args[0], args[1], args[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
