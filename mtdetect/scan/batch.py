"""Scoring a batch of records: the scan's configuration, the checks `score` applies to a file,
and one embedding call shared by every article of the batch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from mtdetect.inputs.documents import Document
from mtdetect.embed.minilm import BatchEncoder
from mtdetect.inputs.errors import InputError


ENGINES = ("local", "ray")
NO_REFERENCE = "no 'reference' in this record: give one, or scan with --index INDEX or --reference-free"


@dataclass(frozen=True)
class ScanConfig:
    """What a scan computes; the same for every worker and engine."""

    model: str | None = None  # model directory (None: the shipped model)
    threshold: float | None = None
    index: str | None = None  # archive index for records without a reference
    reference_free: bool = False  # score records without a reference reference-free
    batch_size: int = 32  # articles per shared embedding batch
    max_batch_chars: int = 4_000_000  # a batch is also closed at this many characters of text
    sentences: bool = True  # False: per-sentence results are left out (flagged_sentences instead)
    cache: bool = False  # read/write the on-disk embedding cache (cache.CachedEncoder)
    threads: int | None = None  # torch threads per worker (None: torch's default)
    embedder: str | None = None  # the aligning embedding: "minilm" or "static" (None: the default, static)
    device: str = "auto"  # where minilm runs: auto, cpu, cuda
    shift: bool = False  # also measure each article's translationese shift (shown, not used by the verdict)

    @property
    def mode(self) -> str:
        """How records without a reference are scored: "index", "reference-free" or "reference" (not at all)."""
        return "index" if self.index else "reference-free" if self.reference_free else "reference"


@dataclass
class BatchResult:
    """Output lines of one batch: (id, mode or None for an error, signature, line bytes with "\\n")."""

    lines: list[tuple[str, str | None, str, bytes]] = field(default_factory=list)
    sentences: int = 0  # suspect sentences in the scored articles
    errors: int = 0


def _encode_line(record: dict) -> bytes:
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a JSON escape): keep the line valid UTF-8
        return (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")


def _article_text(text: str, name: str) -> str:
    """The checks `score` applies to a file, applied to one record's text."""
    from mtdetect.inputs.guard import check_input_size, html_to_text, looks_like_html
    from mtdetect.text import is_empty, looks_binary

    check_input_size(len(text.encode("utf-8", "surrogatepass")), name)
    if looks_binary(text):  # as read_text refuses a file
        raise InputError(f"{name}: binary file, not text")
    if looks_like_html(text):
        text = html_to_text(text)
    if is_empty(text):
        raise InputError(f"{name}: empty (no text)")
    return text


class BatchScorer:
    """Scores batches of Documents with one Detector (and, for records without a reference,
    the `fallback` the mode chose: text -> ArticleResult)."""

    def __init__(self, detector: Any, encoder: BatchEncoder, config: ScanConfig,
                 fallback: Callable[[str], Any] | None = None) -> None:
        self.detector = detector
        self.encoder = encoder
        self.config = config
        self.fallback = fallback

    @property
    def signature(self) -> str:
        return self.detector.signature

    def _prepare(self, doc: Document) -> tuple[str, str | None]:
        from mtdetect.inputs.guard import check_article, check_article_pair, check_english

        if doc.error:
            raise InputError(doc.error)
        text = _article_text(doc.text or "", "text")
        if doc.reference is None:
            if self.fallback is None:
                raise InputError(NO_REFERENCE)
            check_article(text, "text")
            check_english(text, "text")
            return text, None
        reference = _article_text(doc.reference, "reference")
        check_article_pair(text, "text", reference, "reference")
        return text, reference

    def _record(self, doc_id: str, result: Any) -> dict:
        data = result.to_dict()
        if not self.config.sentences:
            sentences = data.pop("sentences")
            data["flagged_sentences"] = [s["index"] for s in sentences if s["flagged"]]
        return {"id": doc_id, **data}

    def score(self, docs: Sequence[Document]) -> BatchResult:
        """One output line per document (scored, or an error line); embeddings shared by the batch."""
        from mtdetect.text import split_sentences

        out = BatchResult()
        ready: list[tuple[Document, str, str | None, int]] = []
        sentences: list[str] = []
        for doc in docs:
            try:
                text, reference = self._prepare(doc)
            except InputError as exc:
                out.lines.append(self._error(doc.id, str(exc)))
                out.errors += 1
                continue
            sus = [s.text for s in split_sentences(text)]
            ref = [s.text for s in split_sentences(reference)] if reference is not None else []
            ready.append((doc, text, reference, len(sus)))
            sentences += sus + ref
        self.encoder.clear()  # vectors live for one batch: memory stays bounded
        self.encoder.prime(sentences)
        del sentences
        for doc, text, reference, n_suspect in ready:
            try:
                if reference is not None:
                    result = self.detector.score_article(text, reference)
                else:
                    result = self.fallback(text)  # type: ignore[misc]
            except InputError as exc:  # e.g. the index's match makes too large an alignment
                out.lines.append(self._error(doc.id, str(exc)))
                out.errors += 1
                continue
            except Exception as exc:  # one bad article must not stop a million-article job
                out.lines.append(self._error(doc.id, f"internal error: {type(exc).__name__}: {exc}"))
                out.errors += 1
                continue
            out.sentences += n_suspect
            out.lines.append((doc.id, result.mode, result.signature, _encode_line(self._record(doc.id, result))))
        self.encoder.clear()
        return out

    def _error(self, doc_id: str, message: str) -> tuple[str, None, str, bytes]:
        record = {"id": doc_id, "error": message, "signature": self.signature}
        return doc_id, None, self.signature, _encode_line(record)


def score_batch(scorer: BatchScorer, docs: Sequence[Document]) -> BatchResult:
    """The per-batch function every engine runs (in-process, process pool, Ray actor)."""
    return scorer.score(docs)
