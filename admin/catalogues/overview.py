"""Welsh for the overview page(s), keyed by the English text."""

CY: dict[str, str] = {}
