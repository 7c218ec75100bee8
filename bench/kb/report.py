"""Render the KB benchmark results as a Markdown report with the issue's targets."""

from __future__ import annotations

from typing import Any


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _own(own: dict[str, Any]) -> list[str]:
    if "skipped" in own:
        return [f"_Skipped: {own['skipped']}_", ""]
    lines = [f"Test set: {own['n_test']} in-scope queries, {own['n_ood_test']} out-of-scope; threshold tuned "
             f"on the dev sets ({own['n_dev']} + {own['n_ood_dev']}) to reject ≥ 95 % of out-of-scope.", "",
             "| method | R@1 | R@5 | MRR | zh R@1 | zh R@5 | en R@1 | OOD rejected | in-scope kept | AUROC | "
             "smp2017 rejected | clinc-oos rejected |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, m in own["methods"].items():
        o, zh, en = m["overall"], m["by_lang"].get("zh", {}), m["by_lang"].get("en", {})
        s, pub = m.get("scope_test", {}), m.get("public_ood_rejected", {})
        lines.append(f"| {name} | {_f(o['recall@1'])} | {_f(o['recall@5'])} | {_f(o['mrr'])} | "
                     f"{_f(zh.get('recall@1'))} | {_f(zh.get('recall@5'))} | {_f(en.get('recall@1'))} | "
                     f"{_f(s.get('ood_recall'))} | {_f(s.get('in_scope_kept'))} | {_f(m.get('scope_auroc'))} | "
                     f"{_f(pub.get('smp2017_zh'))} | {_f(pub.get('clinc_oos_en'))} |")
    fused = own["methods"].get("fused")
    if fused:
        lines += ["", "Fused encoder by query style:", "", "| style | n | R@1 | R@5 | MRR |", "|---|---|---|---|---|"]
        for style, m in fused["by_style"].items():
            lines.append(f"| {style} | {m['n']} | {_f(m['recall@1'])} | {_f(m['recall@5'])} | {_f(m['mrr'])} |")
    return lines + [""]


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
             "Targets: zh R@1 ≥ 0.92, R@5 ≥ 0.99; en R@1 ≥ 0.90; ≥ 95 % OOD rejected with ≥ 95 % in-scope kept; "
             "p95 ≤ 25 ms at 10k entries; 100k build ≤ 10 min; RSS ≤ 1.5 GB.", "",
             f"Every encoder row runs the production search path: {results.get('search_path', 'dense')}. "
             f"Load average at the start: {results.get('load_average', '—')}.", "",
             "## Own labelled queries (bench/data/kb_*_test.json)", ""]
    lines += _own(results["own"])
    if "public" in results:
        lines += ["## Public data (../shared/eval)", ""] + _public(results["public"])
    lines += ["## Latency, memory, scale", ""] + _perf(results["performance"])
    return "\n".join(lines)
