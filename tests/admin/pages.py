"""Reading admin pages as a browser does: each form's controls and what it would send untouched.

The fuzz test and the route walk post a page's own forms, with every hidden input the page put
there (the CSRF token, a one-time token), so they keep working as forms gain fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    method: str
    action: str
    #: (name, value) in page order, as a browser would send them with no one typing.
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


class PageReader(HTMLParser):
    """The forms on a page (every named control) and the links' paths and query strings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: str | None = None
        self._chosen: set[str] = set()
        self._textarea: str | None = None
        self._buttons: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        form = self.forms[-1] if self.forms else None
        name = attr.get("name", "")
        if tag == "a" and attr.get("href"):
            self.links.append(attr["href"])
        elif tag == "form":
            self.forms.append(Form(attr.get("method", "get").lower(), attr.get("action", "")))
            self._buttons = {}
        elif tag == "option" and form is not None and self._select:
            if self._select not in self._chosen or "selected" in attr:
                form.fields = [pair for pair in form.fields if pair[0] != self._select]
                form.fields.append((self._select, attr.get("value", "")))
                self._chosen.add(self._select)
        elif form is None or not name:
            return
        elif tag == "input":
            kind = attr.get("type", "text").lower()
            form.names.append(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    form.fields.append((name, attr.get("value", "on")))
            elif kind in ("submit", "button"):
                self._buttons[name] = attr.get("value", "")
            else:
                form.fields.append((name, attr.get("value", "")))
        elif tag == "button":
            form.names.append(name)
            self._buttons[name] = attr.get("value", "")  # the last: the page's safer choice
        elif tag == "select":
            form.names.append(name)
            self._select = name
            self._chosen.discard(name)
        elif tag == "textarea":
            form.names.append(name)
            self._textarea = name
            form.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            name, value = self.forms[-1].fields[-1]
            self.forms[-1].fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.forms:
            self.forms[-1].fields += list(self._buttons.items())
            self._buttons = {}


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader
