/* Fractional-threshold (Granovetter/Watts) cascade over CSR arrays: the C baseline of the
 * peer harness (benches/peers/run.sh builds it with -O3 -march=native).
 *
 *   threshold GRAPH PHI SEEDS sweep|incr REPS
 *
 * GRAPH: SNAP edge list, 'u v' = v follows u (u is a source of v); '#' lines skipped,
 *        '# Nodes: N' header honoured.  PHI: n thresholds.  SEEDS: node ids.
 * Rule (synchronous): inactive v with d = #sources > 0 activates when
 *        (double)active_sources / d >= phi[v]   (same float64 test as NDlib).
 * sweep: every step re-reads the sources of every inactive node.
 * incr : counts down the active sources each node still needs; each step reads only the
 *        followers of the nodes activated in the previous step (counters set up inside the timing).
 * Prints one JSON line per repetition; only the cascade is timed (parse_s is separate).
 * "visits" = adjacency entries read during the cascade.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint32_t n; uint64_t m; uint64_t *in_off, *out_off; uint32_t *in_src, *out_dst; } Graph;

static double now(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec;
}
static void *xmalloc(size_t b) { void *p = malloc(b ? b : 1); if (!p) { perror("malloc"); exit(2); } return p; }
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb"); if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END); *len = ftell(f); fseek(f, 0, SEEK_SET);
    char *b = xmalloc(*len + 1);
    if (fread(b, 1, *len, f) != *len) { perror(path); exit(2); }
    b[*len] = 0; fclose(f); return b;
}

/* Build both CSR directions from the edge list. */
static Graph load_graph(const char *path) {
    size_t len; char *b = slurp(path, &len), *p = b, *end = b + len;
    size_t cap = 1 << 20, cnt = 0; uint32_t *e = xmalloc(cap * sizeof *e);
    uint64_t n = 0; unsigned long line = 1;
    while (p < end) {
        if (*p == '#') {
            char *nl = memchr(p, '\n', end - p); if (!nl) nl = end;
            char *h = strstr(p, "Nodes:");
            if (h && h < nl) { uint64_t hn = strtoull(h + 6, NULL, 10); if (hn > n) n = hn; }
            p = nl + 1; line++; continue;
        }
        uint64_t v[2]; int k = 0;
        while (p < end && *p != '\n') {
            if (*p >= '0' && *p <= '9') {
                uint64_t x = 0; while (p < end && *p >= '0' && *p <= '9') x = x * 10 + (*p++ - '0');
                if (k == 2) { fprintf(stderr, "%s:%lu: more than two fields\n", path, line); exit(2); }
                v[k++] = x;
            } else if (*p == ' ' || *p == '\t' || *p == '\r') p++;
            else { fprintf(stderr, "%s:%lu: unexpected character '%c'\n", path, line, *p); exit(2); }
        }
        if (k == 1) { fprintf(stderr, "%s:%lu: expected 'u v'\n", path, line); exit(2); }
        if (k == 2) {
            if (cnt + 2 > cap) { cap *= 2; e = realloc(e, cap * sizeof *e); if (!e) exit(2); }
            e[cnt++] = (uint32_t)v[0]; e[cnt++] = (uint32_t)v[1];
            if (v[0] + 1 > n) n = v[0] + 1;
            if (v[1] + 1 > n) n = v[1] + 1;
        }
        p++; line++;
    }
    free(b);
    Graph g = { .n = (uint32_t)n, .m = cnt / 2 };
    g.in_off = calloc(n + 1, sizeof(uint64_t)); g.out_off = calloc(n + 1, sizeof(uint64_t));
    g.in_src = xmalloc(g.m * sizeof(uint32_t)); g.out_dst = xmalloc(g.m * sizeof(uint32_t));
    for (uint64_t i = 0; i < g.m; i++) { g.out_off[e[2 * i] + 1]++; g.in_off[e[2 * i + 1] + 1]++; }
    for (uint64_t v = 0; v < n; v++) { g.out_off[v + 1] += g.out_off[v]; g.in_off[v + 1] += g.in_off[v]; }
    uint64_t *oc = xmalloc(n * sizeof *oc), *ic = xmalloc(n * sizeof *ic);
    memcpy(oc, g.out_off, n * sizeof *oc); memcpy(ic, g.in_off, n * sizeof *ic);
    for (uint64_t i = 0; i < g.m; i++) {
        uint32_t u = e[2 * i], v = e[2 * i + 1];
        g.out_dst[oc[u]++] = v; g.in_src[ic[v]++] = u;
    }
    free(oc); free(ic); free(e);
    return g;
}

typedef struct { uint64_t active, steps, visits; } Result;

static Result run_sweep(const Graph *g, const double *phi, const uint32_t *seeds, size_t k,
                        uint8_t *active, uint32_t *fresh) {
    Result r = {0, 0, 0};
    memset(active, 0, g->n);
    for (size_t i = 0; i < k; i++) if (!active[seeds[i]]) { active[seeds[i]] = 1; r.active++; }
    for (;;) {
        size_t nf = 0;
        for (uint32_t v = 0; v < g->n; v++) {
            if (active[v]) continue;
            uint64_t a = g->in_off[v], b = g->in_off[v + 1];
            if (a == b) continue;
            uint32_t c = 0;
            for (uint64_t j = a; j < b; j++) c += active[g->in_src[j]];
            r.visits += b - a;
            if ((double)c / (double)(b - a) >= phi[v]) fresh[nf++] = v;
        }
        if (!nf) break;
        for (size_t i = 0; i < nf; i++) active[fresh[i]] = 1;  /* synchronous: apply after the sweep */
        r.active += nf; r.steps++;
    }
    return r;
}

/* rem[v] = active sources still missing before v activates; INT32_MAX = never (no sources,
 * or phi > 1), negative = already active or queued.  One random read-modify-write per visit. */
static Result run_incr(const Graph *g, const double *phi, const uint32_t *seeds, size_t k,
                       int32_t *rem, uint32_t *front, uint32_t *next) {
    Result r = {0, 0, 0};
    size_t nf = 0, nn = 0;
    for (uint32_t v = 0; v < g->n; v++) {      /* least c with (double)c/d >= phi[v] */
        uint64_t d = g->in_off[v + 1] - g->in_off[v];
        if (d == 0) { rem[v] = INT32_MAX; continue; }
        double x = phi[v] * (double)d; uint64_t c = x <= 0 ? 0 : (uint64_t)x;
        while (c > 0 && (double)(c - 1) / (double)d >= phi[v]) c--;
        while (c <= d && (double)c / (double)d < phi[v]) c++;
        rem[v] = c > d ? INT32_MAX : (int32_t)c;
    }
    for (size_t i = 0; i < k; i++) if (rem[seeds[i]] >= 0) { rem[seeds[i]] = -1; front[nf++] = seeds[i]; }
    r.active = nf;
    for (uint32_t v = 0; v < g->n; v++)        /* phi <= 0: active in step 1 with no active source */
        if (rem[v] == 0) { rem[v] = -1; next[nn++] = v; }
    for (;;) {
        for (size_t i = 0; i < nf; i++) {
            uint32_t u = front[i];
            uint64_t a = g->out_off[u], b = g->out_off[u + 1];
            r.visits += b - a;
            for (uint64_t j = a; j < b; j++) {
                uint32_t v = g->out_dst[j];
                if (--rem[v] == 0) next[nn++] = v;   /* active/queued nodes go further below 0 */
            }
        }
        if (!nn) break;
        r.active += nn; r.steps++;
        uint32_t *t = front; front = next; next = t; nf = nn; nn = 0;
    }
    return r;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s GRAPH PHI SEEDS sweep|incr REPS\n", argv[0]); return 2; }
    int incr = strcmp(argv[4], "incr") == 0, reps = atoi(argv[5]);
    if (!incr && strcmp(argv[4], "sweep")) { fprintf(stderr, "variant must be sweep or incr\n"); return 2; }
    double t0 = now();
    Graph g = load_graph(argv[1]);
    double parse_s = now() - t0;
    size_t len; char *b = slurp(argv[2], &len), *p = b;
    double *phi = xmalloc(g.n * sizeof *phi);
    for (uint32_t v = 0; v < g.n; v++) {
        char *q; phi[v] = strtod(p, &q);
        if (q == p) { fprintf(stderr, "%s: expected %u thresholds, got %u\n", argv[2], g.n, v); return 2; }
        p = q;
    }
    free(b);
    b = slurp(argv[3], &len); p = b;
    size_t k = 0; uint32_t *seeds = xmalloc((len / 2 + 1) * sizeof *seeds);
    for (;;) {
        char *q; unsigned long x = strtoul(p, &q, 10);
        if (q == p) break;
        if (x >= g.n) { fprintf(stderr, "%s: seed %lu out of range\n", argv[3], x); return 2; }
        seeds[k++] = (uint32_t)x; p = q;
    }
    free(b);
    uint8_t *active = xmalloc(g.n);
    uint32_t *a1 = xmalloc(g.n * sizeof *a1), *a2 = xmalloc(g.n * sizeof *a2),
             *a3 = xmalloc(g.n * sizeof *a3);
    for (int rep = 0; rep < reps; rep++) {
        double t = now();
        Result r = incr ? run_incr(&g, phi, seeds, k, (int32_t *)a1, a2, a3)
                        : run_sweep(&g, phi, seeds, k, active, a1);
        double s = now() - t;
        printf("{\"impl\": \"c-%s\", \"n\": %u, \"m\": %llu, \"rep\": %d, \"parse_s\": %.6f, \"cascade_s\": %.9f, "
               "\"active\": %llu, \"steps\": %llu, \"visits\": %llu}\n",
               argv[4], g.n, (unsigned long long)g.m, rep, parse_s, s, (unsigned long long)r.active,
               (unsigned long long)r.steps, (unsigned long long)r.visits);
        fflush(stdout);
    }
    return 0;
}
