#!/usr/bin/env python3
"""Rewrite official LRAT trajectories as BrowseComp-Plus openai_client run files (the twin fixture).

Usage: python3 tools/bcp-twin/official-to-openai-client.py <official dir> <out dir>

Follows what texttron/BrowseComp-Plus search_agent/openai_client.py writes in _persist_response:
- {metadata, query_id, tool_call_counts, usage, status, retrieved_docids, result}; no question text;
- search calls: tool_name "search", arguments = the model's JSON text, output = json.dumps(list of
  {"docid", "snippet"}, indent=2) (no "score": the official text output has none, and the client then
  omits the key); Tongyi's multi-query calls keep their list of queries (a real openai_client call has
  one string; the reader takes both), the hits of all sub-queries in order;
- browses: tool_name "get_document", arguments {"docid": "<id>"} (Tongyi's `visit` and integer ids
  become what the client's string-typed tool takes), output = json.dumps({"docid", "text"}, indent=2);
- reasoning: the Responses API summary, a list of {"text", "type": "summary_text"} parts, one per
  string of the official output;
- output_text unchanged. Usage counts are unknown and written as null; metadata.converted_from names
  the source file. File names run_<official name>.json keep the official sort order.
Standard library only; the output is committed, tests never run this.
"""
import json
import os
import sys


def hits_from_text(output):
    """The DocID blocks of an official search output, as the official builder finds them."""
    hits = []
    current = None
    for line in (output or "").split("\n"):
        if line.startswith("DocID:"):
            current = {"docid": line[6:].strip(), "lines": []}
            hits.append(current)
        elif line.startswith("A search for ") or line == "## Web Results":
            current = None
        elif current is not None:
            current["lines"].append(line)
    out = []
    for h in hits:
        lines = h["lines"]
        if lines and lines[0].startswith("[") and lines[0].endswith("]"):
            lines = lines[1:]  # the "[title]" line; the title is also the text's first line
        out.append({"docid": h["docid"], "snippet": "\n".join(lines).strip()})
    return out


def convert_step(step):
    t = step.get("type")
    if t == "reasoning":
        out = step.get("output")
        parts = out if isinstance(out, list) else [out]
        return {"type": "reasoning", "tool_name": None, "arguments": None,
                "output": [{"text": str(p), "type": "summary_text"} for p in parts]}
    if t == "tool_call" and step.get("tool_name") == "search":
        return {"type": "tool_call", "tool_name": "search", "arguments": step.get("arguments"),
                "output": json.dumps(hits_from_text(step.get("output")), indent=2)}
    if t == "tool_call" and step.get("tool_name") in ("visit", "get_document"):
        docid = json.loads(step.get("arguments") or "{}").get("docid")
        if isinstance(docid, list):
            docid = docid[0] if docid else None
        docid = None if docid is None else str(docid)
        return {"type": "tool_call", "tool_name": "get_document", "arguments": json.dumps({"docid": docid}),
                "output": json.dumps({"docid": docid, "text": step.get("output")}, indent=2)}
    return {"type": t, "tool_name": step.get("tool_name"), "arguments": step.get("arguments"), "output": step.get("output")}


def convert(official, name):
    result = [convert_step(s) for s in official["result"]]
    counts = {}
    retrieved = set()
    for s in result:
        if s["type"] == "tool_call":
            counts[s["tool_name"]] = counts.get(s["tool_name"], 0) + 1
            if s["tool_name"] == "search":
                retrieved.update(h["docid"] for h in json.loads(s["output"]))
    meta = official.get("metadata") or {}
    return {
        "metadata": {"model": meta.get("model"), "reasoning": {"summary": "detailed"}, "output_dir": "runs/lrat-examples",
                     "max_tokens": None, "converted_from": f"official LRAT trajectory {name}"},
        "query_id": official.get("query_id"),
        "tool_call_counts": counts,
        "usage": {"input_tokens": None, "input_tokens_cached": None, "output_tokens": None,
                  "included_reasoning_tokens": None, "total_tokens": None},
        "status": official.get("status"),
        "retrieved_docids": sorted(retrieved),
        "result": result,
    }


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            official = json.load(f)
        with open(os.path.join(dst, f"run_{name}"), "w", encoding="utf-8") as f:
            json.dump(convert(official, name), f, indent=2)


if __name__ == "__main__":
    main()
