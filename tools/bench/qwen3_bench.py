#!/usr/bin/python3
"""PyTorch CPU side of packages/trainer/bench/qwen3-bench.ts: forward and forward+backward of the same
Qwen3-shaped decoder (tools/reference/qwen3_reference.py's independent forward, here in float32).

  qwen3_bench.py '{"config": {...}, "batch": 2, "tokens": 128, "steps": 3, "threads": 1}'
prints one JSON line {"fwd_ms", "fwd_bwd_ms", "torch"} (medians of `steps` after one warm-up).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import torch  # noqa: E402

from qwen3_reference import qwen3_forward  # noqa: E402

torch.set_default_dtype(torch.float32)


def main():
    a = json.loads(sys.argv[1])
    torch.set_num_threads(a["threads"])
    c, B, T = a["config"], a["batch"], a["tokens"]
    H, I, hd = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    nh, nkv = c["num_attention_heads"], c["num_key_value_heads"]
    g = torch.Generator().manual_seed(0)
    rnd = lambda *s: (torch.rand(*s, generator=g) - 0.5) * 0.0625  # noqa: E731
    W = {"embed_tokens.weight": rnd(c["vocab_size"], H), "norm.weight": torch.ones(H)}
    for i in range(c["num_hidden_layers"]):
        p = f"layers.{i}."
        W.update({
            p + "input_layernorm.weight": torch.ones(H), p + "post_attention_layernorm.weight": torch.ones(H),
            p + "self_attn.q_proj.weight": rnd(nh * hd, H), p + "self_attn.k_proj.weight": rnd(nkv * hd, H),
            p + "self_attn.v_proj.weight": rnd(nkv * hd, H), p + "self_attn.o_proj.weight": rnd(H, nh * hd),
            p + "self_attn.q_norm.weight": torch.ones(hd), p + "self_attn.k_norm.weight": torch.ones(hd),
            p + "mlp.gate_proj.weight": rnd(I, H), p + "mlp.up_proj.weight": rnd(I, H), p + "mlp.down_proj.weight": rnd(H, I),
        })
    for v in W.values():
        v.requires_grad_(True)
    ids = (torch.arange(B * T) * 7919 % c["vocab_size"]).view(B, T)
    mask = torch.ones(B, T, dtype=torch.long)
    r = torch.randn(B, T, H, generator=g)

    def fwd():
        with torch.no_grad():
            qwen3_forward(W, c, ids, mask)

    def fwd_bwd():
        for v in W.values():
            v.grad = None
        (qwen3_forward(W, c, ids, mask) * r).sum().backward()

    def timed(f):
        f()
        ms = []
        for _ in range(a["steps"]):
            t0 = time.perf_counter()
            f()
            ms.append((time.perf_counter() - t0) * 1000)
        return sorted(ms)[len(ms) // 2]

    print(json.dumps({"fwd_ms": timed(fwd), "fwd_bwd_ms": timed(fwd_bwd), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
