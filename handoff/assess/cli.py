"""`python -m handoff assess`: read one JSON conversation on stdin, print the decision as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from .batch import assess_lines
from .config import ConfigError, HandoffConfig, load_config
from .decide import assess
from .emotion import EmotionScorer, LexiconScorer
from .model import load_scorer
from .paths import default_model_path
from .payload import PayloadError, parse_conversation

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_BAD_CONFIG = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m handoff assess",
        description="Decide whether a conversation (JSON on stdin) should go to a human; prints the decision as JSON.",
    )
    parser.add_argument("--config", type=Path, default=None, help="thresholds file (default conf/handoff.yaml)")
    parser.add_argument("--model", type=Path, default=None, help="emotion model (default <var>/models/emotion.npz)")
    parser.add_argument("--no-model", action="store_true", help="use the keyword emotion scorer, not the trained model")
    parser.add_argument("--pretty", action="store_true", help="indent the JSON output")
    parser.add_argument("--batch", type=Path, default=None, metavar="FILE",
                        help="JSON lines of conversations ('-' for stdin); prints one JSON decision per line")
    return parser


def _error(stdout: TextIO, code: str, message: str, field: str | None = None) -> None:
    body: dict[str, object] = {"code": code, "message": message}
    if field:
        body["field"] = field
    stdout.write(json.dumps({"error": body}, ensure_ascii=False) + "\n")


def run(argv: list[str], stdin: TextIO, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Entry point used by `python -m handoff assess`; returns the exit code (2: bad input, 3: bad config)."""
    import sys

    err = stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed its message
        return EXIT_OK if exc.code == 0 else EXIT_BAD_INPUT
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_BAD_CONFIG
    if args.batch is not None:
        return _run_batch(args, config, stdin, stdout, err)
    try:
        data = json.loads(stdin.read())
        conversation = parse_conversation(data)
    except json.JSONDecodeError as exc:
        err.write(f"error: stdin: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}\n")
        _error(stdout, "bad_json", exc.msg)
        return EXIT_BAD_INPUT
    except PayloadError as exc:
        err.write(f"error: {exc}\n")
        _error(stdout, "bad_request", str(exc), exc.field)
        return EXIT_BAD_INPUT
    scorer = _scorer(args, config)
    decision = assess(conversation.messages, conversation.customer, conversation.orders, config=config, scorer=scorer)
    out = decision.to_dict()
    out["scorer"] = scorer.name
    stdout.write(json.dumps(out, ensure_ascii=False, indent=2 if args.pretty else None) + "\n")
    return EXIT_OK


def _scorer(args: argparse.Namespace, config: HandoffConfig) -> EmotionScorer:
    if args.no_model:
        return LexiconScorer()
    return load_scorer(args.model or default_model_path(), config.anger.swearing)


def _run_batch(args: argparse.Namespace, config: HandoffConfig, stdin: TextIO, stdout: TextIO, err: TextIO) -> int:
    """Each input line → one output line; bad lines are reported in place (exit 2 if any), the rest still run."""
    try:
        lines = stdin.read().splitlines() if str(args.batch) == "-" else args.batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"error: {args.batch}: {exc}\n")
        return EXIT_BAD_INPUT
    scorer = _scorer(args, config)
    bad = 0
    for out in assess_lines(lines, config=config, scorer=scorer):
        if "error" in out:
            bad += 1
            err.write(f"error: {args.batch}:{out['line']}: {out['error']['message']}\n")
        else:
            out["scorer"] = scorer.name
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return EXIT_BAD_INPUT if bad else EXIT_OK
