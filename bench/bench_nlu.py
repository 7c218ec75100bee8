"""NLU benchmark: held-out intent accuracy, Bitext accuracy, out-of-scope rejection, training time.

Run under the Rasa venv from anywhere (``make bench-bot`` does this):

    .venv/rasa/bin/python bench/bench_nlu.py [--model PATH] [--bitext-limit 1500]

Without ``--model`` it trains a fresh NLU model from ``bot/nlu`` + ``config.yml`` into
``<var>/bench/`` and records the training time. Public sets are read from
``../shared/eval`` (or ``CS_EVAL_DIR``) and skipped with a message when absent.
Writes ``bench/results/nlu.json`` and ``bench/results/nlu.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` and `bot` importable

from bench.nlu_metrics import (  # noqa: E402
    FALLBACK,
    Prediction,
    gate_sweep,
    heldout_report,
    rejected,
    threshold_sweep,
)

SEED = 20261126


# ---------------------------------------------------------------- data loading


def eval_dir() -> Path:
    """Public evaluation data folder (``CS_EVAL_DIR`` or ``<repo>/../shared/eval``)."""
    return Path(os.environ.get("CS_EVAL_DIR", ROOT.parent / "shared" / "eval"))


def var_dir() -> Path:
    """Runtime data folder (``CS_VAR_DIR`` or ``<repo>/var``)."""
    return Path(os.environ.get("CS_VAR_DIR", ROOT / "var"))


def load_heldout(path: Path) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(text, intent, entities) from a Rasa NLU YAML file; entity values after synonyms."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    rows = []
    for msg in data.intent_examples:
        ents = tuple((e["entity"], str(e["value"])) for e in msg.get("entities") or [])
        rows.append((msg.get("text"), msg.get("intent"), ents))
    return rows


def load_bitext(path: Path, mapping: dict[str, list[str]], limit: int) -> list[tuple[str, str]]:
    """(text, bitext intent) rows whose intent is mapped, a seeded sample of at most ``limit``."""
    with path.open(encoding="utf-8") as fh:
        rows = [(r["instruction"], r["intent"]) for r in csv.DictReader(fh) if r["intent"] in mapping]
    random.Random(SEED).shuffle(rows)
    return rows[:limit]


def load_column(path: Path, text_col: str, keep: Any, limit: int) -> list[str]:
    """Texts of the CSV rows accepted by ``keep``, a seeded sample of at most ``limit``."""
    with path.open(encoding="utf-8") as fh:
        texts = [r[text_col] for r in csv.DictReader(fh) if keep(r)]
    random.Random(SEED).shuffle(texts)
    return texts[:limit]


# ---------------------------------------------------------------- model I/O


def train_model(config: Path, out_dir: Path) -> tuple[str, float]:
    """Train an NLU model from bot/nlu + ``config``; returns (model path, seconds)."""
    from rasa.model_training import train_nlu

    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    path = train_nlu(config=str(config), nlu_data=str(ROOT / "bot" / "nlu"),
                     output=str(out_dir), fixed_model_name="nlu-bench")
    if path is None:
        raise RuntimeError("rasa train_nlu produced no model")
    return str(path), time.perf_counter() - start


class NluParser:
    """Parses texts with a loaded Rasa model in-process."""

    def __init__(self, model_path: str) -> None:
        from rasa.core.agent import Agent

        self._agent = Agent.load(model_path)

    async def _parse_all(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        return [await self._agent.parse_message(t) for t in texts]

    def parse(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """Rasa parse results for ``texts`` in order."""
        return asyncio.run(self._parse_all(texts))


def to_prediction(text: str, gold: str, parsed: dict[str, Any],
                  gold_entities: tuple[tuple[str, str], ...] = ()) -> Prediction:
    """Turn a Rasa parse result into a Prediction (DIET's top = best non-fallback ranking)."""
    from bot.components.language import detect_language

    ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK]
    top: dict[str, Any] = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
    scope = parsed.get("scope") or {}
    if scope.get("classifier_intent"):  # the gate may have overridden the classifier's intent
        top = scope["classifier_intent"]
    ents = tuple((e["entity"], str(e["value"])) for e in parsed.get("entities") or [])
    return Prediction(text=text, gold=gold, lang=detect_language(text) or "und",
                      final=parsed["intent"]["name"], top=top["name"],
                      confidence=float(top["confidence"]), entities=ents,
                      gold_entities=gold_entities, in_sim=scope.get("in_scope_similarity"),
                      oos_sim=scope.get("out_of_scope_similarity"))


# ---------------------------------------------------------------- runs and report


def run_public(parser: NluParser, args: argparse.Namespace) -> dict[str, Any]:
    """Bitext accuracy and out-of-scope predictions on the public sets (empty when absent)."""
    import yaml

    base = eval_dir()
    if not base.is_dir():
        print(f"public eval data not found at {base}: skipping Bitext / CLINC150 / SMP2017")
        return {}
    mapping = yaml.safe_load((ROOT / "bench/data/bitext_intent_map.yaml").read_text())["mapped"]
    bitext = load_bitext(base / "bitext_customer_support" /
                         "Bitext_Sample_Customer_Support_Training_Dataset.csv", mapping, args.bitext_limit)
    parsed = parser.parse([t for t, _ in bitext])
    per_intent: dict[str, Counter] = defaultdict(Counter)
    wrong: Counter = Counter()
    for (_, intent), res in zip(bitext, parsed, strict=True):
        ok = res["intent"]["name"] in mapping[intent]
        per_intent[intent]["ok" if ok else "bad"] += 1
        if not ok:
            wrong[f"{intent} -> {res['intent']['name']}"] += 1
    n_ok = sum(c["ok"] for c in per_intent.values())
    out: dict[str, Any] = {"bitext": {
        "n": len(bitext), "accuracy": round(n_ok / max(len(bitext), 1), 4),
        "per_intent": {k: round(c["ok"] / (c["ok"] + c["bad"]), 4) for k, c in sorted(per_intent.items())},
        "confusions": wrong.most_common(15)}}
    clinc = load_column(base / "clinc150_oos" / "clinc150_test_with_oos.csv", "text",
                        lambda r: r["intent"] == "oos", args.oos_limit)
    smp = load_column(base / "smp2017_ecdt_domain" / "smp2017_ecdt_task1.csv", "text",
                      lambda r: True, args.oos_limit)
    out["oos_preds"] = {
        name: [to_prediction(t, "out_of_scope", r) for t, r in zip(texts, parser.parse(texts), strict=True)]
        for name, texts in (("clinc150_oos", clinc), ("smp2017_ecdt_domain", smp))}
    return out


def render_markdown(res: dict[str, Any]) -> str:
    """The human-readable summary written to bench/results/nlu.md."""
    h = res["heldout"]
    lines = ["# NLU benchmark", "", f"Model: `{res['model']}` (config `{res['config']}`); fallback threshold "
             f"{res['fallback_threshold']}; training time: "
             f"{res['train_seconds'] if res['train_seconds'] is not None else 'n/a (given model)'} s; "
             f"parse {res['parse_ms_per_message']} ms/message.", "",
             "## Held-out set (bench/data/nlu_heldout.yml, never trained on)", "",
             "| lang | n | accuracy | macro-F1 | accuracy (no fallback) | macro-F1 (no fallback) |",
             "|---|---|---|---|---|---|"]
    for lang in ("zh", "en", "all"):
        r = h[lang]
        lines.append(f"| {lang} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
                     f"{r['accuracy_raw']:.3f} | {r['macro_f1_raw']:.3f} |")
    lines += ["", f"In-scope accuracy at the configured threshold: {h['in_scope_accuracy']:.3f}", "",
              "Entities (held-out): " + ", ".join(
                  f"{k} F1 {v['f1']:.3f} (n={v['support']})" for k, v in h["entities"].items()), "",
              "Top confusions: " + "; ".join(f"{c} ×{n}" for c, n in h["confusions"][:10]), ""]
    if "bitext" in res:
        b = res["bitext"]
        lines += ["## Bitext (en, mapped intents, see bench/data/bitext_intent_map.yaml)", "",
                  f"Accuracy {b['accuracy']:.3f} on {b['n']} sampled utterances.", "",
                  "| Bitext intent | accuracy |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in b["per_intent"].items()]
        lines += ["", "Top confusions: " + "; ".join(f"{c} ×{n}" for c, n in b["confusions"][:8]), ""]
    if "oos" in res:
        lines += ["## Out-of-scope rejection (predicted out_of_scope or nlu_fallback)", "",
                  "| set | n | rejected |", "|---|---|---|"]
        lines += [f"| {k} | {v['n']} | {v['rejected']:.3f} |" for k, v in res["oos"].items()]
    else:
        lines += ["Public evaluation data absent: Bitext and out-of-scope parts skipped.", ""]
    lines += ["", "Threshold sweep (information only; the threshold is chosen on bench/data/nlu_dev.yml):", "",
              "| threshold | in-scope accuracy | " + " | ".join(
                  k for k in res["sweep"][0] if k.startswith("rejected_")) + " |",
              "|---" * (len(res["sweep"][0])) + "|"]
    for row in res["sweep"]:
        lines.append("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v)
                                       for v in row.values()) + " |")
    if res.get("gate_sweep"):
        keys = list(res["gate_sweep"][0])
        lines += ["", "Scope-gate sweep at the configured fallback threshold:", "",
                  "| " + " | ".join(keys) + " |", "|---" * len(keys) + "|"]
        lines += ["| " + " | ".join(f"{row[k]:.3f}" for k in keys) + " |" for row in res["gate_sweep"]]
    return "\n".join(lines) + "\n"


def fallback_threshold(config_path: Path) -> float | None:
    """The FallbackClassifier threshold configured in ``config_path``."""
    import yaml

    config = yaml.safe_load(config_path.read_text())
    for comp in config.get("pipeline", []):
        if comp.get("name") == "FallbackClassifier":
            return float(comp.get("threshold", 0.3))
    return None


def quiet_logs() -> None:
    """Keep Rasa's per-message debug logging out of the benchmark output."""
    import logging

    import structlog

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="trained model .tar.gz (default: train a fresh one)")
    ap.add_argument("--config", default=str(ROOT / "config.yml"), help="pipeline to train")
    ap.add_argument("--heldout", default=str(ROOT / "bench/data/nlu_heldout.yml"))
    ap.add_argument("--bitext-limit", type=int, default=1500)
    ap.add_argument("--oos-limit", type=int, default=5000)
    ap.add_argument("--skip-public", action="store_true", help="only the held-out (or dev) file")
    ap.add_argument("--out", default=str(ROOT / "bench/results"))
    args = ap.parse_args(argv)

    quiet_logs()
    os.chdir(ROOT)  # Rasa resolves custom components (bot.components.*) from the working dir
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("RASA_CACHE_DIRECTORY", str(var_dir() / "rasa-cache-bench"))
    train_seconds = None
    model = args.model
    if model is None:
        model, train_seconds = train_model(Path(args.config), var_dir() / "bench")
    parser = NluParser(model)

    rows = load_heldout(Path(args.heldout))
    start = time.perf_counter()
    parsed = parser.parse([t for t, _, _ in rows])
    parse_ms = 1000 * (time.perf_counter() - start) / max(len(rows), 1)
    heldout = [to_prediction(t, g, r, e) for (t, g, e), r in zip(rows, parsed, strict=True)]

    res: dict[str, Any] = {"model": os.path.relpath(model, ROOT), "config": os.path.relpath(args.config, ROOT),
                           "fallback_threshold": fallback_threshold(Path(args.config)),
                           "train_seconds": round(train_seconds, 1) if train_seconds else None,
                           "parse_ms_per_message": round(parse_ms, 2),
                           "heldout": heldout_report(heldout)}
    public = {} if args.skip_public else run_public(parser, args)
    if public:
        res["bitext"] = public["bitext"]
        oos = public["oos_preds"]
        res["oos"] = {k: {"n": len(v), "rejected": round(sum(rejected(p) for p in v) / max(len(v), 1), 4)}
                      for k, v in oos.items()}
        res["oos_misses"] = {k: [p.text + " -> " + p.final for p in v if not rejected(p)][:30]
                             for k, v in oos.items()}
    else:
        oos = {}
    own_oos = [p for p in heldout if p.gold == "out_of_scope"]
    res["sweep"] = threshold_sweep(heldout, {"heldout_oos": own_oos, **oos},
                                   [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    if any(p.in_sim is not None for p in heldout):
        grid = [(m, d) for m in (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55) for d in (0.0, 0.05, 0.1, 1.0)]
        res["gate_sweep"] = gate_sweep(heldout, {"heldout_oos": own_oos, **oos},
                                       res["fallback_threshold"] or 0.0, grid)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "nlu.md").write_text(render_markdown(res), encoding="utf-8")
    print(render_markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
