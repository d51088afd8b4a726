"""Welsh for the questions page(s), keyed by the English text."""

CY: dict[str, str] = {}
