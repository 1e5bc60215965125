"""Multi-word expressions (``defense_minister``) found by gensim's ``Phrases``."""
from __future__ import annotations

import numpy as np

PHRASE_DEFAULTS = {"min_count": 5, "threshold": 0.5, "passes": 2, "delimiter": "_"}


def phrase_options(phrases) -> dict | None:
    """Normalise the ``phrases`` argument (False, True or a dict of options) to a dict or None."""
    if phrases is False or phrases is None:
        return None
    if phrases is True:
        return dict(PHRASE_DEFAULTS)
    if isinstance(phrases, dict):
        unknown = set(phrases) - set(PHRASE_DEFAULTS)
        if unknown:
            raise ValueError(
                f"unknown `phrases` option(s) {sorted(unknown)}; the options are {sorted(PHRASE_DEFAULTS)}."
            )
        return {**PHRASE_DEFAULTS, **phrases}
    raise TypeError(f"`phrases` must be True, False or a dict of options; got {phrases!r}.")


def join_phrases(ids: np.ndarray, sent_offsets: np.ndarray, vocab: list[str], options: dict):
    """Join frequent word sequences into single terms with gensim's ``Phrases`` (npmi scoring).

    Each pass can join two units, so ``passes=2`` finds expressions of up to four words
    (``joint_command_system``). Expressions never cross a sentence boundary.

    Returns
    -------
    sentences : list of list of str, the re-segmented text of every sentence, in order
    """
    from gensim.models.phrases import Phrases

    vocab_arr = np.asarray(vocab, dtype=object)
    sentences = [vocab_arr[ids[s:e]].tolist() for s, e in zip(sent_offsets[:-1], sent_offsets[1:])]
    # gensim only joins tokens that do not already contain its delimiter, so every pass joins
    # with its own control character; they all become the user's delimiter at the end
    passes = int(options["passes"])
    delimiters = [chr(0x1F - i) for i in range(passes)]
    for delimiter in delimiters:
        model = Phrases(
            sentences,
            min_count=int(options["min_count"]),
            threshold=float(options["threshold"]),
            scoring="npmi",
            delimiter=delimiter,
        )
        frozen = model.freeze()
        sentences = [frozen[s] for s in sentences]
    table = str.maketrans({d: options["delimiter"] for d in delimiters})
    return [[t.translate(table) if t > "" else t for t in s] for s in sentences]
