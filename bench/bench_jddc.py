"""jddc_dev benchmark: how the bot's NLU reads real JD.com customer messages.

Run under the Rasa venv (``make bench-bot`` does this):

    .venv/rasa/bin/python bench/bench_jddc.py [--model PATH] [--as-baseline] [--show-errors N]

Reads ``<eval>/jddc_dev/dev.jsonl`` (``CS_EVAL_DIR`` or ``<repo>/../shared/eval``) at run time and
skips with a message when it is absent. The set is for evaluation only: nothing here trains or
tunes on it, and the results files hold counts and row ids, never message text.

Each message is parsed on its own by the trained model (``--model``, default: the model
``scripts.stack`` trains for the current bot files). The reply a customer would receive is
derived from the predicted intent with the documented mapping in
``bench/data/jddc_intent_map.yaml`` (intent -> KB answer / own action / out-of-scope reply;
nlu_fallback -> the KB path, which answers or asks a clarifying question).
Writes ``bench/results/jddc.json`` and ``bench/results/jddc.md``; ``--as-baseline`` stores the run
as the baseline shown beside later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make `bench`, `bot` and `scripts` importable

from bench.jddc_metrics import OUTCOMES, STRATA, TARGETS, LabelMap, Row, report  # noqa: E402

MAP_PATH = ROOT / "bench" / "data" / "jddc_intent_map.yaml"
RESULTS = ROOT / "bench" / "results"


def eval_dir() -> Path:
    return Path(os.environ.get("CS_EVAL_DIR", ROOT.parent / "shared" / "eval"))


def load_dev(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_map() -> LabelMap:
    import yaml

    return LabelMap.from_dict(yaml.safe_load(MAP_PATH.read_text(encoding="utf-8")))


def kb_rule_intents() -> set[str]:
    """Intents that a rule in bot/ answers with action_kb_answer as the first bot action."""
    import yaml

    found = set()
    for path in sorted((ROOT / "bot").rglob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            steps = rule.get("steps") or []
            if (len(steps) >= 2 and "intent" in steps[0] and not rule.get("condition")
                    and steps[1].get("action") == "action_kb_answer"):
                found.add(steps[0]["intent"])
    return found


def fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.0f}%" if pct else f"{value:.2f}"


def render_markdown(res: dict[str, Any]) -> str:
    cur, base = res["current"], res.get("baseline")
    lines = ["# jddc_dev benchmark (real JD.com customer messages)", "",
             f"Model `{cur['model']}`; {cur['n']} messages of `jddc_dev/dev.jsonl` (evaluation only, never trained "
             "on), each parsed on its own. Reply outcomes follow the intent -> reply mapping of "
             "`bench/data/jddc_intent_map.yaml` (nlu_fallback -> KB answer or clarifying question).", ""]
    if base:
        lines += [f"Baseline: `{base['model']}` ({base.get('note', '')}).", ""]
    lines += ["## Targets (GitHub issue 7)", "",
              "| stratum | smalltalk | intent accuracy (≥ 0.80) | shop msgs out of scope (≤ 5%) | "
              "acceptable replies (≥ 90%) | fallback |", "|---|---|---|---|---|---|"]
    for stratum in STRATA:
        for key in ("with_smalltalk", "without_smalltalk"):
            c = cur["report"][stratum][key]
            b = base["report"][stratum][key] if base else None

            def pair(name: str, pct: bool, c: dict[str, Any] = c, b: dict[str, Any] | None = b) -> str:
                now = fmt(c[name], pct)
                return f"{now} (was {fmt(b[name], pct)})" if b else now
            lines.append(f"| {stratum} (n={c['n']}) | {'with' if key == 'with_smalltalk' else 'without'} | "
                         f"{pair('intent_accuracy', False)} | {pair('shop_out_of_scope', True)} | "
                         f"{pair('acceptable', True)} | {pair('fallback', True)} |")
    lines += ["", "## What the customer receives (all messages)", "",
              "| stratum | " + " | ".join(OUTCOMES) + " |", "|---" * (len(OUTCOMES) + 1) + "|"]
    for stratum in STRATA:
        o = cur["report"][stratum]["with_smalltalk"]["outcomes"]
        lines.append(f"| {stratum} | " + " | ".join(fmt(o[k], True) for k in OUTCOMES) + " |")
    lines += ["", "## Intent accuracy per label (all strata; – = no bot intent, left out of accuracy)", "",
              "| label | n | accuracy | out of scope | keyword acc. (n) | random acc. (n) |"
              + (" baseline acc. |" if base else ""), "|---|---|---|---|---|---|" + ("---|" if base else "")]
    per = cur["report"]["all"]["with_smalltalk"]["per_label"]
    for label, row in sorted(per.items(), key=lambda kv: -kv[1]["n"]):
        cells = []
        for stratum in ("keyword", "random"):
            s = cur["report"][stratum]["with_smalltalk"]["per_label"].get(label)
            cells.append(f"{fmt(s['accuracy'])} ({s['n']})" if s else "– (0)")
        line = (f"| {label} | {row['n']} | {fmt(row['accuracy'])} | {fmt(row['out_of_scope'], True)} | "
                + " | ".join(cells) + " |")
        if base:
            old = base["report"]["all"]["with_smalltalk"]["per_label"].get(label)
            line += f" {fmt(old['accuracy']) if old else '–'} |"
        lines.append(line)
    conf = cur["report"]["all"]["with_smalltalk"]["confusions"]
    lines += ["", "Top confusions (label -> predicted): " + "; ".join(f"{c} ×{n}" for c, n in conf[:15]), ""]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="trained model .tar.gz (default: the current bot model, trained if needed)")
    ap.add_argument("--as-baseline", action="store_true", help="store this run as the baseline")
    ap.add_argument("--note", default="", help="free text stored with the run (e.g. 'before issue 7')")
    ap.add_argument("--show-errors", type=int, default=0,
                    help="print N misread messages to the terminal (never written to files)")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)

    dev_path = eval_dir() / "jddc_dev" / "dev.jsonl"
    if not dev_path.is_file():
        print(f"jddc_dev not found at {dev_path}: skipping the jddc benchmark")
        return 0
    mapping = load_map()
    missing = sorted(mapping.kb_intents - kb_rule_intents())
    if missing:
        print(f"warning: jddc_intent_map.yaml says {missing} answer from the KB, but no rule in bot/ does")

    from bench.bench_nlu import NluParser, quiet_logs

    quiet_logs()
    os.chdir(ROOT)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    model = args.model
    if model is None:
        from scripts.stack import ensure_model

        model = str(ensure_model())
    dev = load_dev(dev_path)
    parsed = NluParser(model).parse([d["text"] for d in dev])
    rows = [Row(id=int(d["id"]), stratum=d["stratum"], label=d["intent"], predicted=p["intent"]["name"])
            for d, p in zip(dev, parsed, strict=True)]
    run = {"model": os.path.relpath(model, ROOT), "n": len(rows), "note": args.note,
           "report": report(rows, mapping),
           "predictions": {str(r.id): r.predicted for r in rows}}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "jddc.json"
    previous = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else {}
    res: dict[str, Any] = {"targets": TARGETS, "current": run}
    if args.as_baseline:
        res["baseline"] = run
    elif previous.get("baseline"):
        res["baseline"] = previous["baseline"]
    json_path.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "jddc.md").write_text(render_markdown(res), encoding="utf-8")
    print(render_markdown(res))
    if args.show_errors:
        bad = [(d, r) for d, r in zip(dev, rows, strict=True)
               if mapping.has_intent(r.label) and not mapping.correct(r.label, r.predicted)]
        for d, r in bad[:args.show_errors]:
            print(f"{r.stratum:7s} {r.label:>24s} -> {r.predicted:24s} {d['text'][:80]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
