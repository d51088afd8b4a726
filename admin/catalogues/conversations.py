"""Welsh for the conversations page(s), keyed by the English text."""

CY: dict[str, str] = {}
