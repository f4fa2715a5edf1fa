#!/usr/bin/env python3
"""PyTorch CPU reference for the transformer rows of `nx run trainer:bench`: one training step of a
bi-encoder with weighted InfoNCE over in-batch + hard negatives, gradient-norm clipping and AdamW —
the step @lrat/trainer takes, written independently here — for two architectures:
  bert: post-LayerNorm encoder layers, exact-erf GELU, masked multi-head attention, mean pooling, L2;
  use:  USE-lite's shape (token embeddings + sinusoidal timing, pre-LayerNorm layers whose first one
        widens the residual stream through a projection, ReLU feed-forward, mean pooling, tanh layer, L2). Shapes come from the
command line so both sides time exactly the same model; token ids are random (timing only).
Prints one JSON line: median ms per step and peak RSS."""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F


class Layer(torch.nn.Module):
    def __init__(self, hidden, heads, inter):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.ModuleList([torch.nn.Linear(hidden, hidden) for _ in range(3)])
        self.out = torch.nn.Linear(hidden, hidden)
        self.ln1 = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.up = torch.nn.Linear(hidden, inter)
        self.down = torch.nn.Linear(inter, hidden)
        self.ln2 = torch.nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, additive_mask):
        b, t, h = x.shape
        hd = h // self.heads
        q, k, v = (lin(x).view(b, t, self.heads, hd).transpose(1, 2) for lin in self.qkv)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + additive_mask
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.down(F.gelu(self.up(x))))


class Encoder(torch.nn.Module):
    def __init__(self, vocab, hidden, layers, heads, inter, max_pos):
        super().__init__()
        self.word = torch.nn.Embedding(vocab, hidden)
        self.pos = torch.nn.Embedding(max_pos, hidden)
        self.token_type = torch.nn.Embedding(2, hidden)
        self.ln = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.layers = torch.nn.ModuleList([Layer(hidden, heads, inter) for _ in range(layers)])

    def forward(self, ids, mask):
        t = ids.shape[1]
        x = self.word(ids) + self.pos(torch.arange(t))[None] + self.token_type(torch.zeros_like(ids))
        x = self.ln(x)
        additive = (1.0 - mask[:, None, None, :].float()) * -1e9
        for layer in self.layers:
            x = layer(x, additive)
        m = mask[..., None].float()
        pooled = (x * m).sum(1) / m.sum(1).clamp_min(1e-9)
        return F.normalize(pooled, dim=-1)


def attention(x, additive_mask, qkv, out, heads):
    b, t, h = x.shape
    hd = h // heads
    q, k, v = (lin(x).view(b, t, heads, hd).transpose(1, 2) for lin in qkv)
    scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + additive_mask
    return out((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h))


class UseLayer(torch.nn.Module):
    def __init__(self, width_in, width_out, ffn, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(width_in, eps=1e-6)
        self.qkv = torch.nn.ModuleList([torch.nn.Linear(width_in, width_in) for _ in range(3)])
        self.out = torch.nn.Linear(width_in, width_out)
        self.residual = torch.nn.Linear(width_in, width_out) if width_in != width_out else None
        self.ln2 = torch.nn.LayerNorm(width_out, eps=1e-6)
        self.up = torch.nn.Linear(width_out, ffn)
        self.down = torch.nn.Linear(ffn, width_out)

    def forward(self, x, additive_mask):
        a = attention(self.ln1(x), additive_mask, self.qkv, self.out, self.heads)
        x = a + (self.residual(x) if self.residual is not None else x)
        return x + self.down(F.relu(self.up(self.ln2(x))))


class UseEncoder(torch.nn.Module):
    def __init__(self, vocab, layers, pooler):
        super().__init__()
        width = layers[0][0]
        self.emb = torch.nn.Embedding(vocab, width)
        inv = torch.exp(-math.log(1e4) * torch.arange(width // 2) / max(1, width // 2 - 1))
        self.register_buffer("inv", inv)
        self.layers = torch.nn.ModuleList([UseLayer(*l) for l in layers])
        self.pooler = torch.nn.Linear(layers[-1][1], pooler)

    def forward(self, ids, mask):
        t = ids.shape[1]
        scaled = torch.arange(t, dtype=torch.float32)[:, None] * self.inv[None]
        e = self.emb(ids)
        m = mask[..., None].float()
        x = (e + e + torch.cat([scaled.sin(), scaled.cos()], 1)[None]) * m
        additive = (1.0 - mask[:, None, None, :].float()) * -1e9
        for layer in self.layers:
            x = layer(x, additive)
        pooled = (x * m).sum(1) / m.sum(1).clamp_min(1e-9)
        return F.normalize(torch.tanh(self.pooler(pooled)), dim=-1)


def weighted_info_nce(q, p, targets, weights, temperature):
    ce = F.cross_entropy(q @ p.T / temperature, targets, reduction="none")
    return (ce * weights).sum() / weights.sum().clamp_min(1e-12)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["bert", "use"], default="bert")
    ap.add_argument("--layers", type=int, help="bert: encoder layers")
    ap.add_argument("--hidden", type=int, help="bert: hidden width")
    ap.add_argument("--heads", type=int, help="bert: attention heads")
    ap.add_argument("--intermediate", type=int, help="bert: feed-forward width")
    ap.add_argument("--use-layers", help="use: inWidth:outWidth:ffnWidth:heads per layer, comma-separated")
    ap.add_argument("--pooler", type=int, default=512, help="use: width of the tanh layer")
    ap.add_argument("--vocab", type=int, required=True)
    ap.add_argument("--tokens", type=int, required=True)
    ap.add_argument("--queries", type=int, required=True)
    ap.add_argument("--group", type=int, required=True, help="passages per query: 1 positive + hard negatives")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--frozen-passages", action="store_true",
                    help="train the query tower only: passages are fixed unit vectors (the frozen index), no passage forward")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.arch == "bert":
        model = Encoder(a.vocab, a.hidden, a.layers, a.heads, a.intermediate, max(512, a.tokens))
    else:
        layers = [tuple(int(x) for x in l.split(":")) for l in a.use_layers.split(",")]
        model = UseEncoder(a.vocab, layers, a.pooler)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01)
    nq, np_ = a.queries, a.queries * a.group
    q_ids = torch.randint(0, a.vocab, (nq, a.tokens))
    p_ids = torch.randint(0, a.vocab, (np_, a.tokens))
    q_mask = torch.ones_like(q_ids)
    p_mask = torch.ones_like(p_ids)
    targets = torch.arange(nq) * a.group
    weights = torch.rand(nq) + 0.5

    frozen = None
    if a.frozen_passages:
        with torch.no_grad():
            width = model(q_ids[:1], q_mask[:1]).shape[1]
        frozen = F.normalize(torch.randn(np_, width), dim=-1)

    def step():
        passages = frozen if frozen is not None else model(p_ids, p_mask)
        loss = weighted_info_nce(model(q_ids, q_mask), passages, targets, weights, 0.02)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms_per_step": statistics.median(times), "times_ms": times, "threads": a.threads, "torch": torch.__version__,
                      "params": sum(p.numel() for p in model.parameters()),
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
