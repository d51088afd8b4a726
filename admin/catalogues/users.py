"""Welsh for the users page(s), keyed by the English text."""

CY: dict[str, str] = {}
