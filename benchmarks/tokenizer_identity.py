"""phraselint's tokenizer (TrieJieba: jieba's algorithm over jieba's dictionary in a marisa trie) against jieba,
cut for cut, on everything at hand (issue 13: the tokenizer may change only if no cut does). Never part of the test suite (tests/test_words.py holds the smaller sets in CI).

    python benchmarks/tokenizer_identity.py [--mb 20]

The texts: every utterance of tests/devsets/, the catalogue's examples, the fixture transcripts, HKCanCor's
Cantonese utterances (pycantonese), and every line of a generated corpus (bench_check.py's, a fifth of it in
traditional script, ASR lines without punctuation, ``--rude`` of the staff lines forbidden); each as written
and folded; and every text the engine itself hands the tokenizer while it checks that corpus (the regions
around candidates where word edges decide). Without the HMM, as phraselint cuts. Reports how many distinct
texts were compared and every one that differs (exit 1 if any), and the time each tokenizer takes to load.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_check import OUT, make_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=20.0, help="size of the generated corpus (MB)")
    parser.add_argument("--rude", type=float, default=0.2, help="share of staff lines that are forbidden")
    args = parser.parse_args()

    import pycantonese
    from test_words import utterances

    from phraselint.check.files import Roles, lint_file
    from phraselint.engine import words
    from phraselint.engine.linter import Linter
    from phraselint.engine.normalize import fold

    t0 = time.perf_counter()
    trie = words.TrieJieba()  # its dictionary built, or read from the cache
    trie.cut("你好", HMM=False)
    trie_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    jieba = words.jieba_tokenizer()
    jieba_load = time.perf_counter() - t0

    corpus = OUT / f"corpus-{int(args.mb)}mb-{args.rude:g}.txt"
    if not corpus.exists():
        make_corpus(corpus, args.mb, rude=args.rude)
    texts = set(utterances())
    texts.update("".join(t.word for t in u.tokens) for u in pycantonese.hkcancor().utterances())
    with corpus.open(encoding="utf-8") as fh:
        texts.update(line.rstrip("\n") for line in fh)
    texts.update([fold(t) for t in texts])

    # what the engine asks for while it checks the corpus
    asked: set[str] = set()

    class Recording:
        def cut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803
            asked.add(text)
            return trie.cut(text, HMM=HMM)

        def lcut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803
            return self.cut(text, HMM=HMM)

    words.tokenizer.cache_clear()
    original = words.tokenizer
    from phraselint.engine import confirm

    confirm.tokenizer = lambda: Recording()  # type: ignore[assignment,return-value]
    try:
        linter = Linter()
        findings = sum(1 for _ in lint_file(str(corpus), linter, Roles.build(linter)))
    finally:
        confirm.tokenizer = original
    texts.update(asked)

    differ = []
    for text in sorted(texts):
        mine, theirs = trie.cut(text, HMM=False), list(jieba.cut(text, HMM=False))
        if mine != theirs:
            differ.append(text)
            print(f"DIFFERS: {text!r}\n  trie  {mine}\n  jieba {theirs}")
    print(
        f"{len(texts):,} distinct texts ({len(asked):,} of them asked for by the engine over "
        f"{corpus.stat().st_size / 1e6:.1f} MB, {findings:,} findings): {len(differ)} cut otherwise"
    )
    print(f"load: trie {trie_load:.3f} s, jieba {jieba_load:.3f} s")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
