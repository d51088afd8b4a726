"""Welsh for the audit page(s), keyed by the English text."""

CY: dict[str, str] = {}
