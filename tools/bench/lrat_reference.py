#!/usr/bin/env python3
"""An independent Python reference of the LRAT mining rules (docs/lrat-algorithm.md §1-§7).

Written for this repository (not the official code): it is the baseline of `nx run miners:bench` and
the oracle of the miners' differential tests. Being Python, it gets the Python-isms the official
builder relies on (str() of JSON values, json's grammar, str.split/strip) for free.

  lrat_reference.py mine  --traj-dir D --corpus C --verdicts V --out O   # replay judge, whitespace tokens
  lrat_reference.py bench --pool-dir D --corpus C --verdicts V --count N # parse+mine N trajectories from memory
"""
import argparse
import hashlib
import json
import math
import os
import resource
import statistics
import sys
import time

VISIT_TOOLS = {"get_document", "visit"}  # a set: an unhashable tool_name raises, as in the official code


class Corpus(dict):
    @classmethod
    def load(cls, path):
        docs = cls()
        with open(path, encoding="utf-8") as fh:
            for raw in fh:
                if raw.strip():
                    row = json.loads(raw)
                    docs[str(row["docid"])] = row["text"]
        return docs


class Replay:
    """Verdicts by sha256 of the judged text; `hash:` judges RELEVANT when the digest starts with 0-a."""

    def __init__(self, path):
        self.asked = []
        self.table = None if path == "hash:" else {}
        if self.table is None:
            return
        with open(path, encoding="utf-8") as fh:
            for raw in fh:
                if raw.strip():
                    row = json.loads(raw)
                    self.table[row["reasoning_sha256"]] = row["verdict"] == "RELEVANT"

    def __call__(self, text):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.asked.append(digest)
        return digest[0] in "0123456789a" if self.table is None else self.table[digest]


def tool_args(step):
    raw = step.get("arguments", "{}")
    return json.loads(raw if raw else "{}")


def is_visit(step):
    return step.get("type") == "tool_call" and step.get("tool_name") in VISIT_TOOLS


def following_thought(steps, k):
    if k + 1 >= len(steps) or steps[k + 1].get("type") != "reasoning":
        return ""
    body = steps[k + 1].get("output", "")
    if isinstance(body, list):
        return " ".join(map(str, body))
    return str(body)


def first_query(args):
    q = args.get("query", [""])
    if isinstance(q, list) and len(q) > 0:
        return q[0]
    return str(q)


def shown_docids(step):
    text = step.get("output", "") or ""
    return [ln.split(":", 1)[1].strip() for ln in text.split("\n") if ln.startswith("DocID:")]


def visited_docid(step):
    d = tool_args(step).get("docid")
    if isinstance(d, list):
        d = d[0] if d else None
    if d is None:
        return None
    return str(d).rsplit(":", 1)[-1]


def dedupe(seq, banned):
    seen, out = set(), []
    for d in seq:
        if d in seen:
            continue
        seen.add(d)
        if d not in banned:
            out.append(d)
    return out


class Miner:
    def __init__(self, corpus, judge, count_tokens):
        self.corpus, self.judge, self.count = corpus, judge, count_tokens

    def mine(self, traj):
        steps = traj["result"]
        out = []
        query, lists, rejected = None, [], []
        k = 0
        while k < len(steps):
            st = steps[k]
            if st.get("type") == "tool_call" and st.get("tool_name") == "search":
                query = first_query(tool_args(st))
                lists.append(shown_docids(st))
                k += 1
            elif is_visit(st):
                query = query or ""
                visits, k = self.collect_run(steps, k)
                out.extend(self.samples_for(visits, query, lists, rejected))
                good = [d for d, _, ok in visits if ok]
                rejected += [d for d, _, ok in visits if not ok]
                if good:
                    query, lists, rejected = None, [], []
            else:
                k += 1
        return out

    def collect_run(self, steps, k):
        visits = []
        while k < len(steps) and is_visit(steps[k]):
            doc = visited_docid(steps[k])
            if doc is None:
                k += 1
                continue
            thought = following_thought(steps, k)
            visits.append((doc, self.count(thought), bool(self.judge(thought))))
            has_thought = k + 1 < len(steps) and steps[k + 1].get("type") == "reasoning"
            k += 2 if has_thought else 1
        return visits, k

    def samples_for(self, visits, query, lists, rejected):
        good = {d for d, _, ok in visits if ok}
        bad_recent = [d for d, _, ok in reversed(visits) if not ok]
        old_recent = rejected[::-1]
        touched = set(rejected) | {d for d, _, _ in visits}
        fresh = [d for docs in reversed(lists) for d in docs if d not in touched]
        shown = {d for docs in lists for d in docs}
        res = []
        for doc, n_tokens, ok in visits:
            if doc not in shown or doc not in self.corpus:
                continue
            if ok:
                negs = dedupe(bad_recent + old_recent + fresh, good)
            else:
                negs = dedupe([d for d in bad_recent if d != doc] + old_recent + fresh, good | {doc})
            negs = [d for d in negs if d in self.corpus]
            res.append({
                "query": query,
                "pos": [self.corpus[doc]],
                "neg": [self.corpus[d] for d in negs],
                "pos_id": [doc],
                "neg_id": negs,
                "reasoning_len": n_tokens,
                "satisfied": ok,
            })
        return res


def weigh(samples):
    lens = [s["reasoning_len"] for s in samples]
    pos = [float(x) for x in lens if isinstance(x, (int, float)) and x > 0]
    beta = statistics.median(pos) if pos else 1.0
    curve = lambda n: 1 - math.exp(-(float(n)) * math.log(2.0) / float(beta))
    mean = sum(curve(x) for x in pos) / len(pos) if pos else 1.0
    for s in samples:
        n = s["reasoning_len"]
        ok = isinstance(n, (int, float)) and n > 0
        s["reweight_rate"] = (curve(n) / mean if mean != 0 else 1.0) if ok else 1.0
    return beta, mean


def load_dir(d):
    trajs = []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if not os.path.isfile(p):
            continue
        try:
            with open(p, encoding="utf-8") as fh:
                t = json.load(fh)
        except Exception as e:  # noqa: BLE001 - every unreadable file is skipped, as the official loader
            print(f"skip {name}: {e}", file=sys.stderr)
            continue
        if isinstance(t, dict) and "result" in t:
            trajs.append((name, t))
        else:
            print(f"skip {name}: no result", file=sys.stderr)
    return trajs


def cmd_mine(a):
    judge = Replay(a.verdicts)
    miner = Miner(Corpus.load(a.corpus), judge, lambda t: len(t.split()))
    samples = []
    for name, t in load_dir(a.traj_dir):
        try:
            samples.extend(miner.mine(t))
        except Exception as e:  # noqa: BLE001 - a failing trajectory yields nothing (all-or-nothing)
            print(f"drop {name}: {e!r}", file=sys.stderr)
    weigh(samples)
    with open(a.out, "w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    if a.judged_out:
        with open(a.judged_out, "w", encoding="utf-8") as fh:
            fh.write("".join(d + "\n" for d in judge.asked))


def cmd_bench(a):
    names = sorted(n for n in os.listdir(a.pool_dir) if os.path.isfile(os.path.join(a.pool_dir, n)))
    pool = []
    for n in names:
        with open(os.path.join(a.pool_dir, n), "rb") as fh:
            pool.append(fh.read())
    miner = Miner(Corpus.load(a.corpus), Replay(a.verdicts), lambda t: len(t.split()))
    samples = []
    t0 = time.perf_counter()
    c0 = time.process_time()
    for i in range(a.count):
        t = json.loads(pool[i % len(pool)].decode("utf-8"))
        try:
            samples.extend(miner.mine(t))
        except Exception:  # noqa: BLE001
            pass
    weigh(samples)
    lines = [json.dumps(s, ensure_ascii=False) for s in samples]
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "trajectories": a.count, "samples": len(samples), "seconds": dt,
        "cpu_seconds": cpu, "trajectories_per_s": a.count / dt, "samples_per_s": len(samples) / dt,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "bytes_out": sum(map(len, lines)),
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mine")
    m.add_argument("--traj-dir", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--pool-dir", required=True)
    b.add_argument("--count", type=int, default=20000)
    for p in (m, b):
        p.add_argument("--corpus", required=True)
        p.add_argument("--verdicts", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--judged-out", help="write the sha256 of every judged text, in call order")
    a = ap.parse_args()
    cmd_mine(a) if a.cmd == "mine" else cmd_bench(a)


if __name__ == "__main__":
    main()
