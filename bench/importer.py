"""CPU cost of the article importer (content.importer.parse_article) on hostile input and on real articles.

Hostile input: markup that makes a naive tokenizer rescan the rest of the text at every '<' (unclosed tags,
comments, attribute values, CDATA sections) and Markdown that does the same to a naive Markdown parser
(open brackets, links, images, setext headings, table rows, definition lists), each repeated to just under
the importer's size limit (MAX_ARTICLE_BYTES, 1 MB) and uploaded as a saved page (.html), as Markdown (.md)
and as plain text (.txt). Real input: the five seed articles in tests/content/articles.

Prints the CPU seconds (time.process_time, this process) and the outcome of each: imported, or refused
with the ArticleError message a person importing would see. Exits non-zero when any input raises anything
other than an ArticleError, or (full mode only) takes more than BUDGET_SECONDS of CPU.
BENCH_QUICK=1 (CI): the same inputs at 16 KB, a couple of seconds in all, no time budget.
BENCH_IMPORTER_KB=<n>: another size (e.g. to time an older parser, which at 1 MB takes hours).
Pure Python, no database: nothing to set up or clean up.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content.importer import MAX_ARTICLE_BYTES, ArticleError, parse_article  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
SIZE = int(os.environ.get("BENCH_IMPORTER_KB", 0)) * 1024 or (
    16 * 1024 if QUICK else MAX_ARTICLE_BYTES - 1024
)
BUDGET_SECONDS = 5.0  # linear in size; the size, line and tag limits keep 1 MB within this
ARTICLES = ROOT / "tests" / "content" / "articles"

# Hostile in any of the three kinds: each pattern, repeated, never closes what it opens.
MARKUP = {
    "unclosed tags '<a '": "<a ",
    "bare '<'": "<",
    "unclosed comments '<!--'": "<!--",
    'unclosed attribute values "<div title=\'"': "<div title='",
    "many unclosed attributes": "x=' ",  # after one "<p "
    "unclosed end tags '</a '": "</a ",
    "unclosed CDATA '<![CDATA['": "<![CDATA[",
    "unclosed processing instructions '<?'": "<?",
}
# Hostile to a Markdown parser: open brackets and links that are never closed, and block structures.
MARKDOWN = {
    "open brackets '['": "[",
    "open links '[a]('": "[a](",
    "open images '![a]('": "![a](",
    "setext headings": "a\n=\n",
    "table rows": "|a|\n",  # after a header row
    "definition lists": "a\n: b\n",
    "emphasis runs '*a**'": "*a**",
}
PREFIX = {"many unclosed attributes": "<p ", "table rows": "|a|b|\n|-|-|\n"}


def repeated(name: str, pattern: str) -> bytes:
    prefix = PREFIX.get(name, "")
    return (prefix + pattern * ((SIZE - len(prefix)) // len(pattern))).encode()


def inputs() -> list[tuple[str, bytes, str]]:
    cases = []
    for name, pattern in MARKUP.items():
        raw = repeated(name, pattern)
        cases += [(f"{name} as {ext}", raw, f"hostile{ext}") for ext in (".html", ".md", ".txt")]
    for name, pattern in MARKDOWN.items():
        cases.append((f"{name} as .md", repeated(name, pattern), "hostile.md"))
    for path in sorted(ARTICLES.glob("00[0-4]_*.txt")):
        cases.append((f"seed article {path.name}", path.read_bytes(), path.name))
    return cases


def timed_parse(raw: bytes, file_name: str) -> tuple[float, str, bool]:
    """CPU seconds, outcome, and whether the outcome is acceptable (imported, or refused with ArticleError)."""
    start = time.process_time()
    try:
        article = parse_article(raw, file_name)
        outcome, ok = f"imported: {len(article.pieces)} pieces", True
    except ArticleError as refused:
        outcome, ok = f"refused: {str(refused)[:70]}", True
    except Exception as crash:  # reported, and fails the run
        outcome, ok = f"FAILED: {type(crash).__name__}: {str(crash)[:60]}", False
    return time.process_time() - start, outcome, ok


def main() -> int:
    mode = "quick" if QUICK else f"full, budget {BUDGET_SECONDS:.1f} s CPU each"
    print(f"article importer, hostile inputs of {len(repeated('x', 'x')) // 1024} KB ({mode})")
    failures = 0
    for label, raw, file_name in inputs():
        seconds, outcome, ok = timed_parse(raw, file_name)
        over_budget = not QUICK and seconds > BUDGET_SECONDS
        failures += not ok or over_budget
        flag = "  OVER BUDGET" if over_budget else ""
        print(f"{seconds:8.3f} s  {len(raw) // 1024:5d} KB  {label:58s} {outcome}{flag}", flush=True)
    if failures:
        print(f"{failures} input(s) failed or went over budget")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
