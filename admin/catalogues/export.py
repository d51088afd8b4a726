"""Welsh for the export page(s), keyed by the English text."""

CY: dict[str, str] = {}
