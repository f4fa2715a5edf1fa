#!/usr/bin/python3
"""Independent PyTorch reference for @lrat/trainer's BERT-family encoder.

Run with Debian's /usr/bin/python3 (torch + numpy; no transformers / safetensors /
sentence-transformers packages are used or needed). Everything here is written from the formats'
specifications and the Hugging Face / sentence-transformers semantics, independently of the
TypeScript code:

  make-fixtures OUT_DIR   tiny randomly initialised BERT folders (both sentence-transformers config
                          generations, an fp16 + "bert."-prefixed variant, a bare HF folder), written
                          with this file's own safetensors writer, plus expected.json: token ids and
                          embeddings of TEXTS computed by this file's own tokenizer and forward pass.
  embed DIR TEXTS.json [--side query|document] [--pooling cls|mean]
                          prints the embeddings of a folder (what SentenceTransformer(DIR).encode gives).
  compare DIR OURS.json   OURS.json = {"texts": [...], "embeddings": [[...]], "side"?: ..., "pooling"?: ...};
                          prints the max abs difference between our embeddings and this reference's.
"""
import json
import math
import os
import struct
import sys
import unicodedata

import numpy as np
import torch

# --------------------------------------------------------------------------------------------------
# safetensors (https://github.com/huggingface/safetensors#format)

DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (None, 2), "F64": (np.float64, 8), "I64": (np.int64, 8), "I32": (np.int32, 4)}


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    """tensors: list of (name, np.ndarray). Header padded with spaces to a multiple of 8."""
    header = {"__metadata__": metadata or {"format": "pt"}}
    blobs = []
    off = 0
    for name, arr in tensors:
        if dtype == "F16":
            b = arr.astype("<f2").tobytes()
        elif dtype == "BF16":
            u = arr.astype("<f4").view("<u4")
            # round to nearest even, as torch's float32 -> bfloat16 cast
            u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
            b = u.tobytes()
        else:
            b = arr.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        buf = data[b:end]
        if e["dtype"] == "BF16":
            u = np.frombuffer(buf, dtype="<u2").astype("<u4") << 16
            arr = u.view("<f4")
        else:
            arr = np.frombuffer(buf, dtype=np.dtype(DTYPES[e["dtype"]][0]).newbyteorder("<"))
        out[name] = arr.astype(np.float32).reshape(e["shape"])
    return out


# --------------------------------------------------------------------------------------------------
# WordPiece tokenizer with the Rust `tokenizers` semantics (BertNormalizer, BertPreTokenizer)

PY_WS = set("\t\n\r")


def is_whitespace(c):
    if c in PY_WS:
        return True
    # Unicode White_Space property
    return c in " \x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def is_control(c):
    if c in PY_WS:
        return False
    return unicodedata.category(c) in ("Cc", "Cf", "Cn", "Co", "Cs")


def is_punct(c):
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(o):
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2A6DF
        or 0x2A700 <= o <= 0x2B73F
        or 0x2B740 <= o <= 0x2B81F
        or 0x2B920 <= o <= 0x2CEAF
        or 0xF900 <= o <= 0xFAFF
        or 0x2F800 <= o <= 0x2FA1F
    )


class Tokenizer:
    def __init__(self, tj):
        m = tj["model"]
        assert m["type"] == "WordPiece"
        self.vocab = m["vocab"]
        self.unk = m.get("unk_token", "[UNK]")
        self.prefix = m.get("continuing_subword_prefix", "##")
        self.max_chars = m.get("max_input_chars_per_word", 100)
        n = tj.get("normalizer")
        self.norm = None
        if n:
            lower = n.get("lowercase", True)
            sa = n.get("strip_accents")
            self.norm = dict(clean=n.get("clean_text", True), cjk=n.get("handle_chinese_chars", True), strip=lower if sa is None else sa, lower=lower)
        self.added = {t["content"]: t["id"] for t in tj.get("added_tokens", []) if not t.get("normalized", False)}
        pp = tj.get("post_processor")
        self.before, self.after = [], []
        if pp and pp["type"] == "BertProcessing":
            self.before, self.after = [pp["cls"][1]], [pp["sep"][1]]
        elif pp and pp["type"] == "TemplateProcessing":
            seen = False
            for piece in pp["single"]:
                if "Sequence" in piece:
                    seen = True
                    continue
                ids = pp["special_tokens"][piece["SpecialToken"]["id"]]["ids"]
                (self.after if seen else self.before).extend(ids)

    def normalize(self, s):
        c = self.norm
        if not c:
            return s
        if c["clean"]:
            s = "".join(" " if is_whitespace(ch) else ch for ch in s if not (ord(ch) == 0 or ord(ch) == 0xFFFD or is_control(ch)))
        if c["cjk"]:
            s = "".join(" " + ch + " " if is_cjk(ord(ch)) else ch for ch in s)
        if c["strip"]:
            s = "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")
        if c["lower"]:
            s = "".join(ch.lower() for ch in s)  # per character: no final-sigma context, like Rust
        return s

    @staticmethod
    def pre_tokenize(s):
        words, cur = [], ""
        for ch in s:
            if is_whitespace(ch):
                if cur:
                    words.append(cur)
                cur = ""
            elif is_punct(ch):
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
        return words

    def wordpiece(self, w):
        if len(w) > self.max_chars:
            return [self.vocab[self.unk]]
        out, start = [], 0
        while start < len(w):
            end = len(w)
            cur = None
            while start < end:
                sub = w[start:end]
                if start > 0:
                    sub = self.prefix + sub
                if sub in self.vocab:
                    cur = self.vocab[sub]
                    break
                end -= 1
            if cur is None:
                return [self.vocab[self.unk]]
            out.append(cur)
            start = end
        return out

    def split_added(self, s):
        parts = []
        toks = sorted(self.added, key=len, reverse=True)
        while s:
            best, tok = -1, None
            for t in toks:
                i = s.find(t)
                if i >= 0 and (best < 0 or i < best):
                    best, tok = i, t
            if best < 0:
                parts.append(s)
                break
            if best > 0:
                parts.append(s[:best])
            parts.append(self.added[tok])
            s = s[best + len(tok) :]
        return parts

    def tokenize(self, s):
        ids = []
        for p in self.split_added(s):
            if isinstance(p, int):
                ids.append(p)
                continue
            for w in self.pre_tokenize(self.normalize(p)):
                ids.extend(self.wordpiece(w))
        return ids

    def encode(self, s, max_len):
        body = self.tokenize(s)[: max(0, max_len - len(self.before) - len(self.after))]
        return self.before + body + self.after


# --------------------------------------------------------------------------------------------------
# BERT forward (eval mode) and sentence-transformers module semantics


def bert_forward(w, cfg, ids):
    """ids: list of token ids of one text → [T, H] token states (fp32)."""
    p = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
    W = lambda n: torch.from_numpy(w[p + n].copy())
    eps = cfg.get("layer_norm_eps", 1e-12)
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = H // nh
    t = len(ids)
    idx = torch.tensor(ids, dtype=torch.long)
    x = W("embeddings.word_embeddings.weight")[idx] + W("embeddings.position_embeddings.weight")[:t] + W("embeddings.token_type_embeddings.weight")[0]
    ln = lambda z, n: torch.nn.functional.layer_norm(z, (H,), W(n + ".weight"), W(n + ".bias"), eps)
    lin = lambda z, n: z @ W(n + ".weight").T + W(n + ".bias")
    x = ln(x, "embeddings.LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        L = f"encoder.layer.{i}."
        q = lin(x, L + "attention.self.query").view(t, nh, hd).transpose(0, 1)
        k = lin(x, L + "attention.self.key").view(t, nh, hd).transpose(0, 1)
        v = lin(x, L + "attention.self.value").view(t, nh, hd).transpose(0, 1)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd), dim=-1) @ v
        a = lin(a.transpose(0, 1).reshape(t, H), L + "attention.output.dense")
        x = ln(x + a, L + "attention.output.LayerNorm")
        h = lin(x, L + "intermediate.dense")
        h = torch.nn.functional.gelu(h) if cfg.get("hidden_act", "gelu") == "gelu" else torch.relu(h)
        x = ln(x + lin(h, L + "output.dense"), L + "output.LayerNorm")
    return x


POOL_KEYS = [("cls", "pooling_mode_cls_token"), ("max", "pooling_mode_max_tokens"), ("mean", "pooling_mode_mean_tokens"), ("mean_sqrt_len_tokens", "pooling_mode_mean_sqrt_len_tokens"), ("weightedmean", "pooling_mode_weightedmean_tokens"), ("lasttoken", "pooling_mode_lasttoken")]


def pooling_modes(pc):
    if pc.get("pooling_mode"):
        modes = pc["pooling_mode"]
        modes = modes if isinstance(modes, list) else modes.lower().split("+")
        return [m for m, _ in POOL_KEYS if m in modes]
    return [m for m, k in POOL_KEYS if pc.get(k, k == "pooling_mode_mean_tokens")]


def pool(x, modes):
    out = []
    t = x.shape[0]
    for m in modes:
        if m == "cls":
            out.append(x[0])
        elif m == "max":
            out.append(x.max(0).values)
        elif m == "mean":
            out.append(x.sum(0) / t)
        elif m == "mean_sqrt_len_tokens":
            out.append(x.sum(0) / math.sqrt(t))
        elif m == "weightedmean":
            wts = torch.arange(1, t + 1, dtype=torch.float32).unsqueeze(1)
            out.append((x * wts).sum(0) / wts.sum())
        elif m == "lasttoken":
            out.append(x[-1])
    return torch.cat(out)


class Folder:
    """A sentence-transformers folder (or a bare Hugging Face one with a chosen pooling)."""

    def __init__(self, d, pooling=None):
        self.d = d
        rd = lambda f: json.load(open(os.path.join(d, f), encoding="utf-8"))
        self.modules = rd("modules.json") if os.path.exists(os.path.join(d, "modules.json")) else None
        tdir = d
        self.normalize = False
        self.modes = [pooling or "cls"]
        if self.modules:
            for m in self.modules:
                kind = m["type"].rsplit(".", 1)[-1]
                if kind == "Transformer":
                    tdir = os.path.join(d, m["path"])
                elif kind == "Pooling":
                    self.modes = pooling_modes(rd(os.path.join(m["path"], "config.json")))
                elif kind == "Normalize":
                    self.normalize = True
                else:
                    raise SystemExit(f"unsupported module {m['type']}")
        self.cfg = json.load(open(os.path.join(tdir, "config.json")))
        self.weights = read_safetensors(os.path.join(tdir, "model.safetensors"))
        self.tok = Tokenizer(json.load(open(os.path.join(tdir, "tokenizer.json"), encoding="utf-8")))
        sb = os.path.join(tdir, "sentence_bert_config.json")
        sbc = json.load(open(sb)) if os.path.exists(sb) else {}
        tc = os.path.join(tdir, "tokenizer_config.json")
        model_max = json.load(open(tc)).get("model_max_length", 10**30) if os.path.exists(tc) else 10**30
        self.max_len = sbc.get("max_seq_length") or min(self.cfg.get("max_position_embeddings", 512), model_max)
        self.lower = sbc.get("do_lower_case", False)
        cst = os.path.join(d, "config_sentence_transformers.json")
        self.prompts = json.load(open(cst)).get("prompts", {}) if os.path.exists(cst) else {}

    def token_ids(self, text, side="document"):
        prompt = self.prompts.get(side, "") if side == "query" else self.prompts.get("document", self.prompts.get("passage", ""))
        s = (prompt + text).strip()
        if self.lower:
            s = s.lower()
        return self.tok.encode(s, self.max_len)

    @torch.no_grad()
    def embed(self, texts, side="document"):
        rows = []
        for t in texts:
            x = bert_forward(self.weights, self.cfg, self.token_ids(t, side))
            e = pool(x, self.modes)
            if self.normalize:
                e = torch.nn.functional.normalize(e, p=2, dim=0)
            rows.append(e.numpy().astype(np.float64).tolist())
        return rows


# --------------------------------------------------------------------------------------------------
# fixtures

TEXTS = [
    "hello world",
    "",
    "The quick brown fox jumps over the lazy dog.",
    "  padded with spaces  ",
    "Café résumé naïve Ångström",
    "ΟΔΟΣ σοφία",
    "中文字 and 日本",
    "𠀀 astral ideograph",
    "punctuation!!! (brackets) [MASK] token, “quotes” — dash",
    "tab\there\nnew line\u0000null\u200bzero-width",
    "UPPERCASE lowercase MiXeD",
    "unknownwordzzzzqqqq xyz",
    "a " * 40,
    "searching the index returns ranked documents quickly",
    "résumé",
    "fox",
    "the the the the the the the the the the the the the the the the the the the the the the the",
    "numbers 123 4567 and symbols #$%&",
    "Ünïcödé ñ ç ø",
    "query about dense retrieval with agents",
]

WORDS = "the quick brown fox jump over lazy dog hello world cafe resume naive angstrom search index return rank document quick upper lower case mixed number symbol unicode query about dense retrieval with agent tab here new line null zero width pad space punctuation bracket token quote dash and a xyz".split()
SUFFIXES = ["s", "ed", "ing", "ly", "er", "es"]


def make_vocab(extra=()):
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789") + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["“", "”", "—", "σ", "ο", "δ", "φ", "ι", "α", "中", "文", "字", "日", "本", "𠀀", "ø"]
    for c in chars:
        toks.append(c)
    for c in "abcdefghijklmnopqrstuvwxyz0123456789σςοδφια":
        toks.append("##" + c)
    for w in WORDS:
        if w not in toks:
            toks.append(w)
    for s in SUFFIXES:
        toks.append("##" + s)
    for e in extra:
        if e not in toks:
            toks.append(e)
    return {t: i for i, t in enumerate(toks)}


def tokenizer_json(vocab, lowercase=True, strip_accents=None, template=True, max_chars=100):
    special = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True} for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]]
    if template:
        post = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [vocab["[SEP]"]], "tokens": ["[SEP]"]}},
        }
    else:
        post = {"type": "BertProcessing", "sep": ["[SEP]", vocab["[SEP]"]], "cls": ["[CLS]", vocab["[CLS]"]]}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": strip_accents, "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": post,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": max_chars, "vocab": vocab},
    }


def random_bert(vocab_size, seed, hidden=32, layers=2, heads=4, inter=64, max_pos=40, pooler=True):
    g = np.random.default_rng(seed)
    r = lambda *s: (g.standard_normal(s) * 0.2).astype(np.float32)
    t = [
        ("embeddings.word_embeddings.weight", r(vocab_size, hidden) * 2.5),
        ("embeddings.position_embeddings.weight", r(max_pos, hidden)),
        ("embeddings.token_type_embeddings.weight", r(2, hidden)),
        ("embeddings.LayerNorm.weight", 1 + r(hidden) * 0.5),
        ("embeddings.LayerNorm.bias", r(hidden) * 0.5),
    ]
    for i in range(layers):
        L = f"encoder.layer.{i}."
        for n in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            t += [(L + n + ".weight", r(hidden, hidden) * 2), (L + n + ".bias", r(hidden) * 0.5)]
        t += [(L + "attention.output.LayerNorm.weight", 1 + r(hidden) * 0.5), (L + "attention.output.LayerNorm.bias", r(hidden) * 0.5)]
        t += [(L + "intermediate.dense.weight", r(inter, hidden) * 2), (L + "intermediate.dense.bias", r(inter) * 0.5)]
        t += [(L + "output.dense.weight", r(hidden, inter) * 2), (L + "output.dense.bias", r(hidden) * 0.5)]
        t += [(L + "output.LayerNorm.weight", 1 + r(hidden) * 0.5), (L + "output.LayerNorm.bias", r(hidden) * 0.5)]
    if pooler:
        t += [("pooler.dense.weight", r(hidden, hidden)), ("pooler.dense.bias", r(hidden))]
    cfg = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab_size,
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": inter,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": max_pos,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "transformers_version": "4.44.0",
    }
    return cfg, t


def dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def make_fixtures(out):
    os.makedirs(out, exist_ok=True)
    vocab = make_vocab()
    # name: (generation, pooling config, normalize, sbert config, tokenizer args, weights dtype, prefix, prompts, seed)
    specs = {
        # Classic sentence-transformers (v2–v5 save format): boolean pooling flags, Normalize, max_seq_length 16.
        "st-classic": dict(pool={"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False, "include_prompt": True}, normalize=True, sbert={"max_seq_length": 16, "do_lower_case": False}, tok=dict(lowercase=True, strip_accents=None, template=True), dtype="F32", prefix="", prompts=None, seed=1, module_ns="sentence_transformers.models"),
        # Newer layout: pooling_mode string, prompts (E5-style), no Normalize, accents kept, BertProcessing.
        "st-v5": dict(pool={"word_embedding_dimension": 32, "pooling_mode": "cls", "include_prompt": True}, normalize=False, sbert={"max_seq_length": 20, "do_lower_case": True}, tok=dict(lowercase=True, strip_accents=False, template=False, max_chars=12), dtype="F32", prefix="", prompts={"query": "query: ", "document": "passage: "}, seed=2, module_ns="sentence_transformers.sentence_transformer.modules"),
        # fp16 weights under the "bert." prefix of a BertForMaskedLM, max pooling, Normalize, cased tokenizer.
        "st-fp16": dict(pool={"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": True, "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False}, normalize=True, sbert={"max_seq_length": 24, "do_lower_case": False}, tok=dict(lowercase=False, strip_accents=None, template=True), dtype="F16", prefix="bert.", prompts=None, seed=3, module_ns="sentence_transformers.models"),
        # A bare Hugging Face folder: config.json + weights + tokenizer only; bf16 weights.
        "hf-bare": dict(pool=None, normalize=False, sbert=None, tok=dict(lowercase=True, strip_accents=None, template=True), dtype="BF16", prefix="", prompts=None, seed=4, module_ns=None),
    }
    expected = {"texts": TEXTS, "models": {}}
    for name, s in specs.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        cfg, tensors = random_bert(len(vocab), s["seed"])
        if s["prefix"]:
            cfg["architectures"] = ["BertForMaskedLM"]
            tensors = [(s["prefix"] + n, a) for n, a in tensors if not n.startswith("pooler.")]
            tensors.append(("cls.predictions.bias", np.zeros(len(vocab), np.float32)))
        if s["dtype"] != "F32":
            cfg["torch_dtype"] = {"F16": "float16", "BF16": "bfloat16"}[s["dtype"]]
        dump(os.path.join(d, "config.json"), cfg)
        write_safetensors(os.path.join(d, "model.safetensors"), tensors, s["dtype"])
        dump(os.path.join(d, "tokenizer.json"), tokenizer_json(vocab, **s["tok"]))
        dump(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "BertTokenizer", "do_lower_case": s["tok"]["lowercase"], "model_max_length": 512, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"})
        if s["module_ns"]:
            ns = s["module_ns"]
            mods = [{"idx": 0, "name": "0", "path": "", "type": f"{ns}.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": f"{ns}.Pooling"}]
            if s["normalize"]:
                mods.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": f"{ns}.Normalize"})
                os.makedirs(os.path.join(d, "2_Normalize"), exist_ok=True)
            dump(os.path.join(d, "modules.json"), mods)
            os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
            dump(os.path.join(d, "1_Pooling", "config.json"), s["pool"])
            dump(os.path.join(d, "sentence_bert_config.json"), s["sbert"])
            dump(os.path.join(d, "config_sentence_transformers.json"), {"__version__": {"sentence_transformers": "5.1.0" if "v5" in name else "2.7.0", "transformers": "4.44.0", "pytorch": "2.4.0"}, "prompts": s["prompts"] or {}, "default_prompt_name": None, "similarity_fn_name": "cosine"})
        entry = {}
        if s["module_ns"]:
            f = Folder(d)
            entry["document"] = {"ids": [f.token_ids(t) for t in TEXTS], "embeddings": f.embed(TEXTS)}
            if s["prompts"]:
                entry["query"] = {"ids": [f.token_ids(t, "query") for t in TEXTS], "embeddings": f.embed(TEXTS, "query")}
        else:
            for p in ("cls", "mean"):
                f = Folder(d, pooling=p)
                entry[p] = {"ids": [f.token_ids(t) for t in TEXTS], "embeddings": f.embed(TEXTS)}
        expected["models"][name] = entry
    dump(os.path.join(out, "expected.json"), round_floats(expected))


def round_floats(o):
    if isinstance(o, float):
        return float(f"{o:.8g}")
    if isinstance(o, list):
        return [round_floats(x) for x in o]
    if isinstance(o, dict):
        return {k: round_floats(v) for k, v in o.items()}
    return o


def main(argv):
    if len(argv) >= 2 and argv[0] == "make-fixtures":
        make_fixtures(argv[1])
        return
    if len(argv) >= 3 and argv[0] in ("embed", "compare"):
        opts = {argv[i]: argv[i + 1] for i in range(3, len(argv) - 1, 2)}
        data = json.load(open(argv[2], encoding="utf-8"))
        texts = data["texts"] if isinstance(data, dict) else data
        side = opts.get("--side", data.get("side", "document") if isinstance(data, dict) else "document")
        pooling = opts.get("--pooling", data.get("pooling") if isinstance(data, dict) else None)
        ref = Folder(argv[1], pooling=pooling).embed(texts, side)
        if argv[0] == "embed":
            json.dump(ref, sys.stdout)
            return
        ours = data["embeddings"]
        diff = max(abs(a - b) for ra, rb in zip(ref, ours) for a, b in zip(ra, rb))
        print(json.dumps({"rows": len(ref), "dim": len(ref[0]) if ref else 0, "max_abs_diff": diff}))
        return
    print(__doc__)
    sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
