"""Check the demo knowledge content and the labelled query sets; print counts per file and language."""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path
from typing import Any

import yaml

KB_DIR = Path(__file__).resolve().parent
DATA_DIR = KB_DIR.parent.parent / "bench" / "data"
SPECIAL = {"none", "fresh", "customised", "intimate", "digital"}
STYLES = {"plain", "colloquial", "typo", "traditional", "mixed", "english"}


def check_faqs(errors: list[str]) -> set[str]:
    """Every FAQ entry has a unique id and zh/en blocks with question, answer and 3–6 paraphrases."""
    ids: set[str] = set()
    for path in sorted((KB_DIR / "faq").glob("*.yaml")):
        for n, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")), 1):
            where = f"{path.name} record {n}"
            fid = entry.get("id", "")
            if not fid.startswith("faq.") or fid in ids:
                errors.append(f"{where}: bad or duplicate id {fid!r}")
            ids.add(fid)
            for lang in ("zh", "en"):
                block = entry.get(lang) or {}
                if not block.get("question") or not block.get("answer"):
                    errors.append(f"{where} ({fid}): {lang} question/answer missing")
                paras = block.get("paraphrases") or []
                if not 3 <= len(paras) <= 6 or not all(isinstance(p, str) for p in paras):
                    errors.append(f"{where} ({fid}): {lang} needs 3-6 string paraphrases")
    return ids


def check_products(errors: list[str]) -> set[str]:
    """Every product has a unique SKU, a known special value and zh/en name, description, attributes."""
    ids: set[str] = set()
    for n, p in enumerate(yaml.safe_load((KB_DIR / "products.yaml").read_text(encoding="utf-8")), 1):
        where = f"products.yaml record {n} ({p.get('sku')})"
        pid = f"product.{p.get('sku')}"
        if pid in ids:
            errors.append(f"{where}: duplicate sku")
        ids.add(pid)
        if p.get("special") not in SPECIAL:
            errors.append(f"{where}: special must be one of {sorted(SPECIAL)}")
        if not isinstance(p.get("price"), (int, float)) or not isinstance(p.get("stock"), int):
            errors.append(f"{where}: price/stock must be numbers")
        for lang in ("zh", "en"):
            block = p.get(lang) or {}
            if not block.get("name") or not block.get("description") or not block.get("attributes"):
                errors.append(f"{where}: {lang} name/description/attributes missing")
    return ids


def check_policies(errors: list[str]) -> int:
    """Each policy file opens with '# Title' and has '## Section' blocks; zh and en exist in pairs."""
    files = sorted((KB_DIR / "policies").glob("*.md"))
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith("# "):
            errors.append(f"{path.name}:1: must start with '# Title'")
        if sum(line.startswith("## ") for line in lines) < 2:
            errors.append(f"{path.name}: needs '## Section' blocks")
        twin = path.name.replace(".zh.md", ".en.md") if ".zh." in path.name else path.name.replace(".en.md", ".zh.md")
        if not (path.parent / twin).exists():
            errors.append(f"{path.name}: missing language twin {twin}")
    return len(files)


def check_queries(errors: list[str], known: set[str]) -> None:
    """Gold ids exist; every FAQ id is used at least twice across dev+test; print counts."""
    used: collections.Counter[str] = collections.Counter()
    for name in ("kb_queries_test.json", "kb_queries_dev.json", "kb_ood_test.json", "kb_ood_dev.json"):
        items: list[dict[str, Any]] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        langs = collections.Counter(i.get("lang") for i in items)
        print(f"{name}: {len(items)} {dict(langs)}")
        for n, item in enumerate(items, 1):
            if not item.get("text") or item.get("lang") not in ("zh", "en"):
                errors.append(f"{name} item {n}: text/lang invalid")
            if "gold" in item or not name.startswith("kb_ood"):
                if item.get("gold") not in known:
                    errors.append(f"{name} item {n}: unknown gold {item.get('gold')!r}")
                if item.get("style") not in STYLES:
                    errors.append(f"{name} item {n}: style must be one of {sorted(STYLES)}")
                used[item.get("gold", "")] += 1
    for fid in sorted(i for i in known if i.startswith("faq.") and used[i] < 2):
        errors.append(f"{fid}: used {used[fid]} times in dev+test (need >= 2)")


def main() -> int:
    """Run all checks; exit 1 with one line per problem."""
    errors: list[str] = []
    faqs = check_faqs(errors)
    products = check_products(errors)
    policies = check_policies(errors)
    print(f"faq entries: {len(faqs)}, products: {len(products)}, policy files: {policies}")
    if DATA_DIR.exists():
        check_queries(errors, faqs | products)
    for line in errors:
        print("ERROR", line, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
