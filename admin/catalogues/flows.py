"""Welsh for the flows page(s), keyed by the English text."""

CY: dict[str, str] = {}
