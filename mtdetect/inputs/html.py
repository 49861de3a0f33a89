"""HTML pages: recognise one, and reduce it to its readable text (one line per block element).

Standard library only (html.parser).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|span|a|table|tr|td|article|section|meta|link|script)\b[^>]*>", re.I)
_SKIP = frozenset({"script", "style", "head", "nav", "footer", "noscript", "template"})
_BLOCK = frozenset({
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section", "header",
    "main", "aside", "blockquote", "figure", "figcaption", "ul", "ol", "dl", "dt", "dd", "table", "pre",
    "hr", "title", "body", "html",
})  # fmt: skip
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # HTML whitespace: a run of it is one space


def looks_like_html(text: str) -> bool:
    """An HTML document (doctype/<html>/<head>/<body> first), or text dense with HTML tags."""
    head = text[:65536].lstrip("\ufeff")
    if _HTML_START.match(head):
        return True
    tags = len(_HTML_TAG.findall(head))
    return tags >= 5 and tags * 200 >= len(head)  # at least one tag per 200 characters


class _TextExtractor(HTMLParser):
    """Collects text outside skipped elements; block elements become line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open skipped elements, innermost last

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002 - attrs unused
        if tag == "body":  # </head> may be omitted: the body ends the head
            self.skipping = [t for t in self.skipping if t != "head"]
        if tag in _SKIP:
            self.skipping.append(tag)
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK:  # <br/>, <hr/>
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(text: str) -> str:
    """The readable text of an HTML page: one line per block element, entities unescaped."""
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))  # entities: unescaped by the parser
    return "\n".join(line for line in lines if line)
