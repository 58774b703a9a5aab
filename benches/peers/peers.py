#!/usr/bin/env python3
"""The Python peers of the harness. Each prints one JSON line per repetition, timing only the
work named in its doc (graph and model construction are reported as setup_s, not timed).

  peers.py scipy   GRAPH PHI SEEDS REPS        threshold cascade, one CSR mat-vec per step
  peers.py ndlib   GRAPH PHI SEEDS REPS        threshold cascade, NDlib ThresholdModel
  peers.py cynetdiff-ic GRAPH SEEDS P SAMPLES REPS   independent cascade Monte Carlo
  peers.py cynetdiff-lt GRAPH SEEDS - SAMPLES REPS   linear threshold Monte Carlo
  peers.py pynetim-imm GRAPH K P EPSILON       IMM seed selection (C++), IC with probability P
  peers.py pynetim-dd  GRAPH K P               DegreeDiscountIC seed selection
  peers.py mesa    GRAPH ACTIONS X STEPS REPS  Standing Ovation rule as a Mesa 3 model

Threshold rule (synchronous): an inactive node v with d > 0 sources activates when
(active sources) / d >= phi[v], in float64 (NDlib's test). Standing Ovation rule (synchronous,
Miller and Page with every agent's conformity X, ties keep, no noise): an agent seeing n
sources, s standing, stands if s/n > X, sits if (n-s)/n > X, keeps its action otherwise or on
an exact tie (s = n - s with X <= 0.5) or with no source; the run ends at a fixed point, at a
repeated state (a cycle) or after STEPS steps, as ovation's synchronous scheme does.
"""
import json
import sys
import time

import numpy as np

from common import load_edges, load_floats, load_ids


def emit(**rec):
    print(json.dumps(rec), flush=True)


# ---- threshold cascade ---------------------------------------------------------------------

def scipy_threshold(n, src, dst, phi, seeds, reps):
    import scipy.sparse as sp
    t = time.perf_counter()
    a = sp.csr_matrix((np.ones(src.size), (dst, src)), shape=(n, n))  # row v: its sources
    indeg = np.bincount(dst, minlength=n)
    has = indeg > 0
    setup = time.perf_counter() - t
    for rep in range(reps):
        t = time.perf_counter()
        active = np.zeros(n, dtype=bool)
        active[seeds] = True
        steps = visits = 0
        while True:
            cnt = a @ active.astype(np.float64)
            visits += a.nnz
            frac = np.divide(cnt, indeg, out=np.zeros(n), where=has)
            new = ~active & has & (frac >= phi)
            if not new.any():
                break
            active |= new
            steps += 1
        yield rep, setup, time.perf_counter() - t, int(active.sum()), steps, visits


def ndlib_threshold(n, src, dst, phi, seeds, reps):
    import networkx as nx
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep
    indeg = np.bincount(dst, minlength=n)
    for rep in range(reps):
        t = time.perf_counter()
        g = nx.DiGraph()  # u -> v: v follows u; predecessors(v) are its sources
        g.add_nodes_from(range(n))
        g.add_edges_from(zip(src.tolist(), dst.tolist()))
        model = ep.ThresholdModel(g, seed=0)
        cfg = mc.Configuration()
        cfg.add_model_initial_configuration("Infected", seeds.tolist())
        for v in range(n):
            cfg.add_node_configuration("threshold", v, float(phi[v]))
        model.set_initial_status(cfg)
        setup = time.perf_counter() - t
        t = time.perf_counter()
        model.iteration_bunch(1)  # iteration 0 only reports the initial status
        deltas = []
        while True:
            delta = model.iteration_bunch(1)[0]["status"]
            if not delta:
                break
            deltas.append(list(delta))
        secs = time.perf_counter() - t
        inactive = int(indeg.sum() - indeg[seeds].sum())  # visits, counted after the timing
        visits = inactive
        for d in deltas:
            inactive -= int(indeg[d].sum())
            visits += inactive
        active = sum(1 for s in model.status.values() if s == 1)
        yield rep, setup, secs, active, len(deltas), visits


def threshold_main(impl, graph, phi_path, seeds_path, reps):
    t = time.perf_counter()
    n, src, dst = load_edges(graph)
    parse = time.perf_counter() - t
    phi, seeds = load_floats(phi_path, n), load_ids(seeds_path)
    run = {"scipy": scipy_threshold, "ndlib": ndlib_threshold}[impl]
    for rep, setup, secs, active, steps, visits in run(n, src, dst, phi, seeds, int(reps)):
        emit(impl=impl, n=n, m=int(src.size), rep=rep, parse_s=parse, setup_s=setup,
             cascade_s=secs, active=active, steps=steps, visits=visits)


# ---- cascade Monte Carlo (cynetdiff) -------------------------------------------------------

def csr_by_source(n, src, dst):
    """cynetdiff's CSR: for each node u, the nodes it can activate (its followers)."""
    import array
    order = np.lexsort((dst, src))
    starts = np.searchsorted(src[order], np.arange(n))
    return array.array("I", starts.astype(np.uint32)), array.array("I", dst[order].astype(np.uint32))


def cynetdiff_main(impl, graph, seeds_path, p, samples, reps):
    from cynetdiff.models import IndependentCascadeModel, LinearThresholdModel
    n, src, dst = load_edges(graph)
    seeds = load_ids(seeds_path).tolist()
    t = time.perf_counter()
    starts, edges = csr_by_source(n, src, dst)
    if impl == "cynetdiff-ic":
        model = IndependentCascadeModel(starts, edges, activation_prob=float(p), rng=1)
    else:
        model = LinearThresholdModel(starts, edges, rng=1)  # influence 1/in-degree
    model.set_seeds(seeds)
    setup = time.perf_counter() - t
    samples, reps = int(samples), int(reps)
    # The spread's standard deviation, from 1,000 untimed replicates one by one (the timed
    # estimate below returns only the mean).
    counts = []
    for _ in range(min(samples, 1000)):
        model.reset_model()
        model.advance_until_completion()
        counts.append(model.get_num_activated_nodes())
    sd = float(np.std(counts, ddof=1)) if len(counts) > 1 else 0.0
    for rep in range(reps):
        t = time.perf_counter()
        # cynetdiff's own Monte Carlo loop in C++ (its fastest path): mean activated count.
        mean = model.compute_marginal_gains(seeds, [], samples)[0]
        secs = time.perf_counter() - t
        emit(impl=impl, rule=impl[-2:], n=n, m=int(src.size), rep=rep, setup_s=setup,
             run_s=secs, samples=samples, seeds=len(seeds), mean=mean, sd=sd, sd_samples=len(counts),
             threads=1)


# ---- seed selection (pynetim) --------------------------------------------------------------

def pynetim_main(impl, graph, k, p, epsilon=None):
    from pynetim import DegreeDiscountAlgorithm, IMGraph, IMMAlgorithm
    n, src, dst = load_edges(graph)
    t = time.perf_counter()
    g = IMGraph(list(zip(src.tolist(), dst.tolist())), weights=float(p), directed=True, renumber=True)
    setup = time.perf_counter() - t
    t = time.perf_counter()
    if impl == "pynetim-imm":
        chosen = IMMAlgorithm(g, model="IC", epsilon=float(epsilon), random_seed=1).run(k=int(k))
    else:
        chosen = DegreeDiscountAlgorithm(g, diffusion_model="IC").run(k=int(k))
    secs = time.perf_counter() - t
    back = g.internal_to_original
    emit(impl=impl, n=n, m=int(src.size), setup_s=setup, select_s=secs,
         seeds=sorted(int(back[s]) for s in chosen), threads=1)


# ---- Standing Ovation in Mesa --------------------------------------------------------------

def mesa_main(graph, actions_path, x, max_steps, reps):
    import mesa
    import networkx as nx
    from mesa.discrete_space import CellAgent, Network

    class Spectator(CellAgent):
        """A member of the audience: stands or sits, looks at its sources' cells."""

        def __init__(self, model, cell, standing):
            super().__init__(model)
            self.cell = cell
            self.standing = standing
            self.next_standing = standing

        def decide(self):
            sources = list(self.cell.neighborhood.agents)
            total = len(sources)
            if total == 0:
                return
            s = sum(1 for a in sources if a.standing)
            x = self.model.conformity
            if s == total - s and x <= 0.5:
                self.next_standing = self.standing          # tie: keep
            elif s / total > x and (total - s) / total > x:
                self.next_standing = s > total - s          # both above X: the majority
            elif s / total > x:
                self.next_standing = True
            elif (total - s) / total > x:
                self.next_standing = False
            else:
                self.next_standing = self.standing

        def advance(self):
            self.standing = self.next_standing

    class Ovation(mesa.Model):
        """The audience on a follower graph; every agent revises from the previous step."""

        def __init__(self, g, initial, conformity):
            super().__init__(seed=1)
            self.conformity = conformity
            self.grid = Network(g, random=self.random)
            for node in g.nodes:
                Spectator(self, self.grid._cells[node], bool(initial[node]))

        def step(self):
            self.agents.do("decide")
            self.agents.do("advance")

        def state(self):
            return bytes(a.standing for a in self.agents)

    n, src, dst = load_edges(graph)
    initial = np.loadtxt(actions_path, dtype=np.int8, ndmin=1)
    if initial.size != n:
        raise ValueError(f"{actions_path}: {initial.size} actions for {n} nodes")
    for rep in range(int(reps)):
        t = time.perf_counter()
        g = nx.DiGraph()  # follower -> source, so a cell's neighbourhood is its sources
        g.add_nodes_from(range(n))
        g.add_edges_from(zip(dst.tolist(), src.tolist()))
        model = Ovation(g, initial, float(x))
        setup = time.perf_counter() - t
        t = time.perf_counter()
        seen = {model.state(): 0}
        outcome, steps = "step_limit", int(max_steps)
        for step in range(1, int(max_steps) + 1):
            before = model.state()
            model.step()
            after = model.state()
            if after == before:
                outcome, steps = "fixed_point", step - 1
                break
            if after in seen:
                outcome, steps = "cycle", step
                break
            seen[after] = step
        secs = time.perf_counter() - t
        standing = sum(1 for a in model.agents if a.standing)
        emit(impl="mesa", n=n, m=int(src.size), rep=rep, setup_s=setup, run_s=secs,
             initial_standing=int(initial.sum()), standing=standing, steps=steps, outcome=outcome,
             agent_updates=n * steps, threads=1)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    impl, args = sys.argv[1], sys.argv[2:]
    if impl in ("scipy", "ndlib"):
        threshold_main(impl, *args)
    elif impl in ("cynetdiff-ic", "cynetdiff-lt"):
        cynetdiff_main(impl, *args)
    elif impl in ("pynetim-imm", "pynetim-dd"):
        pynetim_main(impl, *args)
    elif impl == "mesa":
        mesa_main(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
