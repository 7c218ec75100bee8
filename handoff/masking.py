"""Masking of phone numbers and street addresses in logs and agent-facing transcripts."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)")
# Chinese street address: street name + house number / building / room ("文三路88号3栋501室").
# Province, city and district stay visible (useful, not identifying); the street part is hidden.
_ZH_ADDRESS = re.compile(
    r"(?:(?![省市区县镇送到在寄发])[\u4e00-\u9fff]){1,6}(?:路|街|大道|巷|弄|村|小区|花园|大厦)"
    r"[\u4e00-\u9fff\d\-]{0,12}?\d+\s*(?:号|栋|幢|单元|楼|室)(?:\s*[\d\-]+\s*(?:号|栋|幢|单元|楼|室))*")
# Building + room without a street ("SOHO现代城3号楼1208室", "5栋2单元302").
_ZH_BUILDING = re.compile(
    r"(?:(?![省市区县镇送到在寄发])[\u4e00-\u9fffA-Za-z]){0,8}\d+\s*(?:号楼|栋|幢|座)\s*(?:\d+\s*单元)?\s*\d+\s*(?:室|号)?")
_EN_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way)\b\.?",
)


def mask_phone(text: str) -> str:
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}",
                         _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text))


def mask_address(text: str) -> str:
    text = _ZH_BUILDING.sub("［地址已隐藏］", _ZH_ADDRESS.sub("［地址已隐藏］", text))
    return _EN_ADDRESS.sub("[address hidden]", text)


def mask(text: str) -> str:
    """Phone numbers keep their first 3 and last 4 digits; street addresses are hidden."""
    return mask_address(mask_phone(text))


class MaskingFilter(logging.Filter):
    """Logging filter: formats the record once and masks personal data in the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg, record.args = mask(message), None
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    target = logger or logging.getLogger()
    if not any(isinstance(f, MaskingFilter) for f in target.filters):
        target.addFilter(MaskingFilter())
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
