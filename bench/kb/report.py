"""Render the KB benchmark results as a Markdown report with the issue's targets."""

from __future__ import annotations

from typing import Any


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _m(m: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(m, dict):
            return None
        m = m.get(key)  # type: ignore[assignment]
    return m


def _ok(value: Any, target: float | None) -> str:
    if value is None or target is None:
        return _f(value)
    return f"{_f(value)} {'✓' if value >= target else '✗'}"


def _shops(shops: dict[str, Any], before: dict[str, Any]) -> list[str]:
    demo, shop2 = shops["demo"]["methods"]["shipped"], shops["shop2"]["methods"]["shipped"]
    b = before.get("new_shop", {})
    rows = [
        ("R@1", ("overall", "recall@1"), "≥ 0.92", 0.92, None, b.get("recall@1")),
        ("R@5", ("overall", "recall@5"), "—", None, 0.99, None),
        ("zh R@1", ("by_lang", "zh", "recall@1"), "—", None, 0.92, None),
        ("en R@1", ("by_lang", "en", "recall@1"), "—", None, 0.90, b.get("en_recall@1")),
        ("in-scope kept (automatic threshold)", ("scope", "in_scope_kept"), "—", None, 0.95, b.get("in_scope_kept")),
        ("out-of-scope rejected", ("scope", "ood_rejected"), "—", None, 0.95, None),
        ("scope AUROC", ("scope", "auroc"), "—", None, None, None),
        ("automatic threshold", ("threshold",), "—", None, None, None),
    ]
    s2 = shops["shop2"]
    lines = [f"Demo: {shops['demo']['n_queries']} test queries, {shops['demo']['n_ood']} out-of-scope. "
             f"Second shop (bench/data/kb_shop2, never tuned on): {s2['entries']} entries imported from its "
             f"export ({s2.get('import_warnings', 0)} import warnings, fields {s2.get('import_warning_fields')}), "
             f"{s2['n_queries']} queries, {s2['n_ood']} out-of-scope. Both thresholds are the KBs' own automatic "
             "ones (no labelled queries used).", "",
             "| measure | demo | target | second shop | target | before (issue 7, new shop) |",
             "|---|---|---|---|---|---|"]
    for label, path, demo_t, demo_v, shop_v, was in rows:
        lines.append(f"| {label} | {_ok(_m(demo, *path), demo_v)} | {demo_t} | {_ok(_m(shop2, *path), shop_v)} | "
                     f"{'≥ ' + _f(shop_v, 2) if shop_v is not None else '—'} | {_f(was, 2) if was is not None else '—'} |")
    lines += ["", f"Before: the fused cosine alone reached R@1 {_f(b.get('fused_cosine_recall@1'), 2)} on that shop.", ""]
    for name in ("demo", "shop2"):
        shop = shops[name]
        lines += [f"### {name}: methods side by side", "",
                  "| method | R@1 | R@5 | MRR | zh R@1 | en R@1 | threshold | in-scope kept | OOD rejected | AUROC | "
                  "smp2017 rejected | clinc-oos rejected |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for label, m in shop["methods"].items():
            o, pub = m["overall"], m.get("public_ood_rejected", {})
            lines.append(f"| {label} | {_f(o['recall@1'])} | {_f(o['recall@5'])} | {_f(o['mrr'])} | "
                         f"{_f(_m(m, 'by_lang', 'zh', 'recall@1'))} | {_f(_m(m, 'by_lang', 'en', 'recall@1'))} | "
                         f"{_f(m.get('threshold'))} | {_f(_m(m, 'scope', 'in_scope_kept'))} | "
                         f"{_f(_m(m, 'scope', 'ood_rejected'))} | {_f(_m(m, 'scope', 'auroc'))} | "
                         f"{_f(pub.get('smp2017_zh'))} | {_f(pub.get('clinc_oos_en'))} |")
        shipped = shop["methods"]["shipped"]
        cal = shipped.get("calibration", {})
        lines += ["", f"Calibration ({shipped.get('threshold_source')}): off-topic cut {_f(cal.get('offtopic_cut'))}, "
                  f"leave-one-out keep point {_f(cal.get('loo_keep_point'))} → {_f(cal.get('threshold'))}; "
                  f"rejects {_f(cal.get('offtopic_rejected'))} of {cal.get('n_offtopic')} generic off-topic lines, "
                  f"keeps {_f(cal.get('loo_kept'))} of {cal.get('n_loo')} own questions asked leave-one-out.", "",
                  "Shipped path by query style:", "", "| style | n | R@1 | R@5 |", "|---|---|---|---|"]
        for style, m in shipped["by_style"].items():
            lines.append(f"| {style} | {m['n']} | {_f(m['recall@1'])} | {_f(m['recall@5'])} |")
        lines.append("")
    return lines


def _public(pub: dict[str, Any]) -> list[str]:
    if "skipped" in pub:
        return [f"_Skipped: {pub['skipped']}_", ""]
    lines = []
    para = pub.get("paraphrase_zh")
    if para:
        lines += [f"Paraphrase clusters from bq_corpus + afqmc positive pairs: {para['kb_entries']} KB entries, "
                  f"{para['queries']} queries (zh).", "", "| method | R@1 | R@5 | MRR |", "|---|---|---|---|"]
        lines += [f"| {n} | {_f(m['recall@1'])} | {_f(m['recall@5'])} | {_f(m['mrr'])} |"
                  for n, m in para["methods"].items()]
        lines.append("")
    auto = pub.get("clinc150_en_auto_threshold")
    if auto:
        lines += [f"CLINC150 with the shipped path and its automatic threshold ({_f(auto['threshold'])}): R@1 "
                  f"{_f(auto['recall@1'])}, in-scope kept {_f(auto['in_scope_kept'])}, out-of-scope rejected "
                  f"{_f(auto['ood_rejected'])}. CLINC's in-scope intents include weather, banking and small talk, "
                  "which the generic off-topic set calls off-topic, so this is a hard case for the calibration.", ""]
    clinc = pub.get("clinc150_en")
    if clinc:
        lines += [f"CLINC150 (en): KB = 10 sampled train utterances × {clinc['kb_entries']} intents; "
                  f"{clinc['queries']} test queries, {clinc['ood']} out-of-scope; threshold tuned on val.", "",
                  "| method | R@1 | R@5 | OOD rejected | in-scope kept | AUROC |", "|---|---|---|---|---|---|"]
        lines += [f"| {n} | {_f(m['recall@1'])} | {_f(m['recall@5'])} | {_f(m['ood_recall'])} | "
                  f"{_f(m['in_scope_kept'])} | {_f(m['auroc'])} |" for n, m in clinc["methods"].items()]
        lines.append("")
    return lines


def _perf(p: dict[str, Any]) -> list[str]:
    demo, ten, mem = p["demo_kb"], p["at_10k_entries"], p["memory"]
    lines = ["| measure | value |", "|---|---|",
             f"| single query, encode + search, demo KB ({demo['entries']} entries / {demo['rows']} rows) | "
             f"p50 {demo['latency']['p50_ms']} ms, p95 {demo['latency']['p95_ms']} ms |",
             f"| single query, encode + search, 10k entries ({ten['rows']} rows, synthetic) | "
             f"p50 {ten['latency_encode_plus_search']['p50_ms']} ms, "
             f"p95 {ten['latency_encode_plus_search']['p95_ms']} ms |",
             f"| batch throughput (batch 32, fused) | {p['batch_throughput_sentences_per_s']} sentences/s |",
             f"| service-shaped process, encoder + demo KB | RSS {mem.get('demo_kb', {}).get('rss_mb')} MB, "
             f"peak {mem.get('demo_kb', {}).get('peak_rss_mb')} MB |",
             f"| same + a 10k-entry index | RSS {mem.get('plus_10k_entry_index', {}).get('rss_mb')} MB, "
             f"peak {mem.get('plus_10k_entry_index', {}).get('peak_rss_mb')} MB |", "",
             "Scale (synthetic: perturbed real vectors, one row per entry; encoding time estimated "
             "from the measured throughput):", "",
             "| entries | index build | + encoding (est.) | search p50 | search p95 | RSS |",
             "|---|---|---|---|---|---|"]
    for s in p["scale_one_row_per_entry"]:
        lines.append(f"| {s['entries']:,} | {s['index_build_s']} s | {s['total_build_estimate_s']} s | "
                     f"{s['search']['p50_ms']} ms | {s['search']['p95_ms']} ms | {s.get('rss_mb')} MB |")
    return lines + [""]


def render(results: dict[str, Any]) -> str:
    """The whole report."""
    lines = ["# Knowledge-base benchmark", "",
             f"`make bench-kb` on {results.get('machine_cores')} cores, {results['kb_entries']} demo KB entries, "
             f"production encoder: {results['encoder_config']}. Run time {results.get('elapsed_s')} s.", "",
             "Targets (issue 7): second shop zh R@1 ≥ 0.92, en R@1 ≥ 0.90, R@5 ≥ 0.99, ≥ 95 % in-scope kept at "
             "≥ 95 % out-of-scope rejected; demo R@1 ≥ 0.92. Performance: p95 ≤ 25 ms at 10k entries; "
             "RSS ≤ 1.5 GB (the 100k scale run needs --scale-100k).", "",
             f"Every encoder row runs the production search path: {results.get('search_path', 'dense')}. "
             f"Load average at the start: {results.get('load_average', '—')}.", "",
             "## Demo and second shop", ""]
    lines += _shops(results["shops"], results.get("before", {}))
    if "public" in results:
        lines += ["## Public data (../shared/eval)", ""] + _public(results["public"])
    lines += ["## Latency, memory, scale", ""] + _perf(results["performance"])
    return "\n".join(lines)
