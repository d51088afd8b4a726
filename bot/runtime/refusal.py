"""A request refused for a reason the person can put right, in words each interface can translate.

The message is kept as a template with its values apart ("Theme names must be {limit}
characters or fewer.", limit=80), so the admin says it in Welsh or English from its catalogue,
and the command line and the logs read the English with the values put in.
"""

from __future__ import annotations


class RefusalError(ValueError):
    """Raised by the service's own checks; `template` and `values` make up the message."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values) if values else template)
        self.template = template
        self.values = values
