"""Command-line interface for knowledge admins: `python -m kb <command>`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb.config import ConfigError, KBConfig, load_config
from kb.encoders import Encoder, create_encoder
from kb.evaluate import evaluate, load_queries, scores_for_tuning, tune_threshold
from kb.index import IndexLoadError
from kb.knowledge_base import KnowledgeBase, KnowledgeBaseError
from kb.loaders import load_files_with_warnings
from kb.paths import default_kb_dir, default_model_dir
from kb.records import Entry
from kb.search import entry_title
from kb.validate import LoadError, LoadWarning

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


class Context:
    """Parsed global options, the config, and a lazily created encoder."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config: KBConfig = load_config(Path(args.config) if args.config else None)
        self.kb_dir = Path(args.kb_dir) if args.kb_dir else default_kb_dir()
        self._encoder: Encoder | None = None

    @property
    def encoder_name(self) -> str:
        return str(self.args.encoder or self.config.encoder)

    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = create_encoder(self.encoder_name, torch_threads=self.config.torch_threads,
                                           fusion_weights=self.config.fusion_weights)
        return self._encoder

    def open(self, with_encoder: bool = True) -> KnowledgeBase:
        return KnowledgeBase.open(self.kb_dir, self.encoder() if with_encoder else None,
                                  **self.config.kb_options())


def _emit(ctx: Context, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if getattr(ctx.args, "json", False) else text)


def warning_lines(warnings: list[LoadWarning], per_field: int = 3) -> list[str]:
    """Warnings grouped by file and field: the first few with their lines, then a count."""
    groups: dict[tuple[str, str], list[LoadWarning]] = {}
    for w in warnings:
        groups.setdefault((w.file, w.field), []).append(w)
    out = []
    for items in groups.values():
        out += [f"warning: {w}" for w in items[:per_field]]
        if len(items) > per_field:
            out.append(f"warning: {items[0].file}, field '{items[0].field}': "
                       f"{len(items) - per_field} more record(s) like these")
    return out


def load_sources(ctx: Context, files: list[str]) -> dict[str, Entry]:
    """Validate source files (LoadError on the first bad one) and print their warnings to stderr."""
    entries, warnings = load_files_with_warnings([Path(p) for p in files])
    for line in warning_lines(warnings):
        print(line, file=sys.stderr)
    return entries


def cmd_import(ctx: Context) -> int:
    entries = load_sources(ctx, ctx.args.files)  # validates everything before writing
    kb = ctx.open()
    change = kb.sync(entries) if ctx.args.replace else kb.upsert(entries.values())
    kb.save()
    summary = {"kb_dir": str(ctx.kb_dir), "added": len(change.added), "updated": len(change.updated),
               "deleted": len(change.deleted), "unchanged": change.unchanged, "count": kb.count(),
               "threshold": kb.threshold, "threshold_source": kb.threshold_source}
    _emit(ctx, summary, (f"imported into {ctx.kb_dir}: {summary['added']} added, {summary['updated']} "
                         f"updated, {summary['deleted']} deleted, {summary['unchanged']} unchanged; "
                         f"{kb.count()} entries; {_threshold_line(kb)}"))
    return EXIT_OK


def _threshold_line(kb: KnowledgeBase) -> str:
    cal = kb.manifest.get("calibration") or {}
    text = f"in-scope threshold {kb.threshold:.4f} ({kb.threshold_source})"
    if kb.threshold_source == "calibrated":
        text += (f": rejects {cal.get('offtopic_rejected', 0):.1%} of the generic off-topic set, keeps "
                 f"{cal.get('loo_kept') or 0:.1%} of the KB's own questions asked leave-one-out")
    return text


def cmd_build(ctx: Context) -> int:
    entries = load_sources(ctx, ctx.args.files) if ctx.args.files else None
    kb = ctx.open(with_encoder=False)
    kb.encoder = ctx.encoder()
    if entries is not None:
        kb.entries = entries
    kb.rebuild()
    kb.save()
    rows = kb.index.row_count() if kb.index else 0
    _emit(ctx, kb.manifest, f"built {ctx.kb_dir}: {kb.count()} entries, {rows} rows, "
                            f"encoder {kb.encoder.name}; {_threshold_line(kb)}")
    return EXIT_OK


def cmd_search(ctx: Context) -> int:
    kb = ctx.open()
    result = kb.search(ctx.args.query, top_k=ctx.args.top_k, lang=ctx.args.lang,
                       kinds=ctx.args.kind or None)
    lines = [f"lang={result['lang']} in_scope={result['in_scope']} scope_score={result['scope_score']:.3f} "
             f"threshold={result['threshold']:.3f} ({kb.threshold_source})"]
    for i, hit in enumerate(result["hits"], start=1):
        lines.append(f"{i}. {hit['score']:.3f}  {hit['id']}  {hit['title']}")
        lines.append(f"   {hit['answer'][:160]}")
    _emit(ctx, result, "\n".join(lines))
    return EXIT_OK


def _fmt_metrics(name: str, m: dict[str, Any]) -> str:
    return (f"{name:<14} n={m['n']:<4} R@1={m['recall@1']:.3f}  R@5={m['recall@5']:.3f}  "
            f"MRR={m['mrr']:.3f}")


def cmd_eval(ctx: Context) -> int:
    queries = load_queries(Path(ctx.args.queries))
    ood = load_queries(Path(ctx.args.ood), need_gold=False) if ctx.args.ood else []
    if ctx.args.faq:
        entries = load_sources(ctx, ctx.args.faq)
        kb = KnowledgeBase(ctx.kb_dir, ctx.encoder(), **ctx.config.kb_options())
        if (ctx.kb_dir / "manifest.json").exists():  # keep a threshold tuned for this directory
            kb.manifest["threshold"] = ctx.open(with_encoder=False).manifest.get("threshold")
        kb.upsert(entries.values())  # in memory only: evaluating never writes a KB directory
        kb.calibrate()
    else:
        kb = ctx.open()
    unknown = sorted({q.gold for q in queries} - set(kb.entries))
    if unknown:
        raise LoadError(f"gold id(s) not in the knowledge base: {', '.join(unknown[:5])}",
                        ctx.args.queries, field="gold")
    report = evaluate(kb, queries, ood, threshold=ctx.args.threshold)
    lines = [_fmt_metrics("overall", report["overall"])]
    lines += [_fmt_metrics(f"lang {k}", v) for k, v in report["by_lang"].items()]
    lines += [_fmt_metrics(f"style {k}", v) for k, v in report["by_style"].items()]
    if "scope" in report:
        s = report["scope"]
        lines.append(f"out-of-scope @ {s['threshold']:.3f}: precision={s['ood_precision']:.3f} "
                     f"recall={s['ood_recall']:.3f} in-scope kept={s['in_scope_kept']:.3f}")
    _emit(ctx, report, "\n".join(lines))
    return EXIT_OK


def cmd_tune(ctx: Context) -> int:
    kb = ctx.open()
    queries = load_queries(Path(ctx.args.queries))
    ood = load_queries(Path(ctx.args.ood), need_gold=False)
    in_scores, ood_scores = scores_for_tuning(kb, queries, ood)
    target = ctx.args.min_ood_rejected or ctx.config.min_ood_rejected
    threshold, details = tune_threshold(in_scores, ood_scores, target, ctx.args.mode)
    details["queries"], details["ood"] = str(ctx.args.queries), str(ctx.args.ood)
    kb.set_threshold(threshold, details)
    kb.save()
    _emit(ctx, details, f"threshold {threshold:.4f} stored in {ctx.kb_dir}: out-of-scope rejected "
                        f"{details['ood_recall']:.3f}, in-scope kept {details['in_scope_kept']:.3f}")
    return EXIT_OK


def cmd_list(ctx: Context) -> int:
    kb = ctx.open(with_encoder=False)
    rows = []
    for eid in sorted(kb.entries):
        entry = kb.entries[eid]
        if ctx.args.kind and entry.kind not in ctx.args.kind:
            continue
        title = entry_title(entry)
        rows.append({"id": eid, "kind": entry.kind, "title": title})
    _emit(ctx, {"count": len(rows), "manifest": kb.manifest, "entries": rows},
          "\n".join(f"{r['kind']:<8} {r['id']:<40} {r['title']}" for r in rows)
          + f"\n{len(rows)} entries")
    return EXIT_OK


def cmd_delete(ctx: Context) -> int:
    kb = ctx.open(with_encoder=False)
    removed = kb.delete(ctx.args.ids)
    missing = [i for i in ctx.args.ids if i not in removed]
    if removed:
        kb.save()
    _emit(ctx, {"deleted": list(removed), "missing": missing},
          f"deleted {len(removed)}" + (f"; not found: {', '.join(missing)}" if missing else ""))
    return EXIT_OK if not missing else EXIT_FAIL


def cmd_prepare_encoder(ctx: Context) -> int:
    from kb.encoders.e5_build import build_e5_folder

    out = Path(ctx.args.out) if ctx.args.out else default_model_dir()
    stamp = build_e5_folder(out, force=ctx.args.force)
    _emit(ctx, stamp, f"e5-small ready in {out}: {stamp.get('verification')}")
    return EXIT_OK


def cmd_serve(ctx: Context) -> int:
    from kb.server import create_app

    app = create_app(kb_dir=ctx.kb_dir, encoder=ctx.encoder(), config=ctx.config)
    app.run(host=ctx.args.host, port=ctx.args.port, threaded=True)
    return EXIT_OK


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Global options, accepted before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--kb-dir", default=default,
                        help="knowledge base directory (default $KB_DIR or var/kb)")
    common.add_argument("--encoder", default=default,
                        help="override conf/kb.yaml's encoder (fused, e5-small, use-m3, hashing)")
    common.add_argument("--config", default=default, help="path of kb.yaml (default conf/kb.yaml)")
    common.add_argument("--json", action="store_true",
                        default=argparse.SUPPRESS if suppress else False, help="machine-readable output")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kb", description="Knowledge-base admin tool.",
                                     parents=[_common(False)])
    common = _common(True)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import", parents=[common], help="validate files, then add/update their entries")
    p.add_argument("files", nargs="+", help="YAML / JSON / CSV / Markdown files or directories")
    p.add_argument("--replace", action="store_true", help="delete entries not in these files")
    p = sub.add_parser("build", parents=[common], help="re-encode everything (optionally from FILES)")
    p.add_argument("files", nargs="*")
    p = sub.add_parser("search", parents=[common], help="search the knowledge base")
    p.add_argument("query")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--lang", choices=["zh", "en"])
    p.add_argument("--kind", action="append", choices=["faq", "product", "policy"])
    p = sub.add_parser("eval", parents=[common], help="Recall@1/@5, MRR, out-of-scope precision/recall")
    p.add_argument("--faq", nargs="+", help="evaluate a KB built in memory from these files (nothing is written)")
    p.add_argument("--queries", required=True)
    p.add_argument("--ood")
    p.add_argument("--threshold", type=float)
    p = sub.add_parser("tune", parents=[common], help="choose and store the in-scope threshold")
    p.add_argument("--queries", required=True)
    p.add_argument("--ood", required=True)
    p.add_argument("--mode", choices=["target", "balanced"], default="target")
    p.add_argument("--min-ood-rejected", type=float)
    p = sub.add_parser("serve", parents=[common], help="run the KB HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8010)
    p = sub.add_parser("prepare-encoder", parents=[common], help="build and verify the e5 model folder")
    p.add_argument("--out")
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("list", parents=[common], help="list entries")
    p.add_argument("--kind", action="append", choices=["faq", "product", "policy"])
    p = sub.add_parser("delete", parents=[common], help="delete entries by id")
    p.add_argument("ids", nargs="+")
    return parser


COMMANDS: dict[str, Callable[[Context], int]] = {
    "import": cmd_import, "build": cmd_build, "search": cmd_search, "eval": cmd_eval,
    "tune": cmd_tune, "list": cmd_list, "delete": cmd_delete, "serve": cmd_serve,
    "prepare-encoder": cmd_prepare_encoder,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; user errors print one line to stderr, never a stack trace."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](Context(args))
    except LoadError as exc:
        if args.json:
            print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False), file=sys.stderr)
        print(f"error: {exc}\nnothing was changed.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ConfigError, KnowledgeBaseError, IndexLoadError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except RuntimeError as exc:  # e.g. EncoderBuildError
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
