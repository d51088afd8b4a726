"""Welsh for the broadcasts page(s), keyed by the English text."""

CY: dict[str, str] = {}
