#!/usr/bin/env python3
"""PyTorch CPU reference for `nx run trainer:bench`: the same models, weighted InfoNCE and AdamW
as @lrat/trainer, on the exact inputs the TypeScript bench dumps (frozen USE embeddings for the
use-adapter, hashed Qwen3 token ids for bow). Prints one JSON line: ms per step and peak RSS."""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn.functional as F


def weighted_info_nce(q, p, targets, weights, temperature):
    scores = q @ p.T / temperature
    ce = F.cross_entropy(scores, targets, reduction="none")
    return (ce * weights).sum() / weights.sum().clamp_min(1e-12)


class UseAdapter(torch.nn.Module):
    """Residual linear adapters on frozen 512-d inputs, initialised to the identity."""

    def __init__(self, dim):
        super().__init__()
        self.qa = torch.nn.Linear(dim, dim)
        self.da = torch.nn.Linear(dim, dim)
        for lin in (self.qa, self.da):
            torch.nn.init.zeros_(lin.weight)
            torch.nn.init.zeros_(lin.bias)

    def forward(self, x, side):
        lin = self.qa if side == "query" else self.da
        return F.normalize(x + lin(x), dim=-1)


class Bow(torch.nn.Module):
    """Hashed token embeddings, mean pooling, linear projection, L2 normalisation."""

    def __init__(self, buckets, emb_dim, dim):
        super().__init__()
        self.emb = torch.nn.EmbeddingBag(buckets, emb_dim, mode="mean")
        self.proj = torch.nn.Linear(emb_dim, dim, bias=False)

    def forward(self, batch, side):
        ids, offsets = batch
        return F.normalize(self.proj(self.emb(ids, offsets)), dim=-1)


def bags(lists):
    ids, offsets, pos = [], [], 0
    for l in lists:
        l = l or [0]
        offsets.append(pos)
        ids.extend(l)
        pos += len(l)
    return torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--encoder", choices=["use-adapter", "bow"], required=True)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    d = json.load(open(a.inputs))
    targets = torch.tensor(d["targets"], dtype=torch.long)
    weights = torch.tensor(d["weights"], dtype=torch.float32)
    if a.encoder == "use-adapter":
        dim = d["use"]["dim"]
        model = UseAdapter(dim)
        qx = torch.tensor(d["use"]["queries"], dtype=torch.float32).view(-1, dim)
        px = torch.tensor(d["use"]["passages"], dtype=torch.float32).view(-1, dim)
        inputs = lambda: (qx, px)
    else:
        b = d["bow"]
        model = Bow(b["buckets"], b["embeddingDim"], b["dim"])
        inputs = lambda: (bags(b["queries"]), bags(b["passages"]))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

    def step():
        q_in, p_in = inputs()
        loss = weighted_info_nce(model(q_in, "query"), model(p_in, "document"), targets, weights, d["temperature"])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    step()
    step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    print(json.dumps({"encoder": a.encoder, "ms_per_step": ms, "threads": a.threads, "torch": torch.__version__,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
