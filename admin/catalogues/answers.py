"""Welsh for the answers page(s), keyed by the English text."""

CY: dict[str, str] = {}
