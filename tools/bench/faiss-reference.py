#!/usr/bin/env python3
"""Reference side of `nx run indexer:bench`: the same measurements with Debian's python3-faiss on the
same vectors (float32 files written by indexer-bench.js). Prints one JSON object on stdout."""
import json
import sys
import time

import faiss
import numpy as np


def main():
    base_file, query_file, n, dim, nq, n_single, ef_search, repeats, factories = sys.argv[1:10]
    n, dim, nq, n_single, ef_search, repeats = int(n), int(dim), int(nq), int(n_single), int(ef_search), int(repeats)
    xb = np.fromfile(base_file, dtype=np.float32).reshape(n, dim)
    xq = np.fromfile(query_file, dtype=np.float32).reshape(nq, dim)
    out = {"faiss_version": faiss.__version__, "omp_threads": faiss.omp_get_max_threads()}
    truth = None
    for factory in factories.split(";"):
        # Same protocol as indexer-bench.js: best of `repeats` (HNSW add once).
        add_s = float("inf")
        for _ in range(repeats if factory == "Flat" else 1):
            index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
            t = time.perf_counter()
            index.add(xb)
            add_s = min(add_s, time.perf_counter() - t)
        if factory.startswith("HNSW"):
            faiss.ParameterSpace().set_index_parameter(index, "efSearch", ef_search)
        batch_s = single_s = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            _, labels = index.search(xq, 10)
            batch_s = min(batch_s, time.perf_counter() - t)
            t = time.perf_counter()
            for i in range(n_single):
                index.search(xq[i % nq : i % nq + 1], 10)
            single_s = min(single_s, time.perf_counter() - t)
        row = {"add_s": add_s, "add_per_s": n / add_s, "batch_qps": nq / batch_s, "single_qps": n_single / single_s}
        if truth is None:
            truth = labels
        else:
            row["recall_at_10"] = float(np.mean([len(set(labels[i]) & set(truth[i])) / 10 for i in range(nq)]))
        out[factory] = row
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
