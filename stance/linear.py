"""Scoring without scikit-learn: the fitted pipeline's numbers in one ``.npz`` file.

Importing scikit-learn takes 1-1.5 s (more with pandas installed), several times what
scoring an article costs, and unpickling the Pipeline needs it. ``stance train`` so
also writes the pipeline's vocabularies, idf weights and coefficients as plain arrays
(``model-<sha>.scoring.npz``, read with ``allow_pickle=False``: data, not code), and
scoring uses those with ``stance.vectorize``. The result equals the pipeline's
``predict_proba`` (tests/test_scoring.py); the pickle is still loaded for anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .decision import DecisionRule, heads_to_proba
from .vectorize import (
    LEXICON_COLUMNS,
    Block,
    CharBlock,
    LexiconBlock,
    OnePass,
    PassResult,
    WordBlock,
)

__all__ = ["Scorer", "FORMAT"]

# 2: the linear layer may hold a relevance head (``design``) and the decision rule.
FORMAT = 2
# Features never contain a newline (words are split on whitespace), so one string joined
# by newlines stores a vocabulary in a plain (non-object) array.
_SEP = "\n"


class Scorer:
    """Probabilities, on-target probabilities and labels of a fitted
    ``build_pipeline()`` pipeline, from plain arrays.

    ``coef``/``intercept`` are every head's linear layer stacked (see
    :func:`stance.decision.heads_to_proba` for ``design``); ``rule`` turns the
    probabilities into labels.
    """

    def __init__(
        self,
        classes: list[str],
        blocks: list[dict[str, Any]],
        coef: np.ndarray,
        intercept: np.ndarray,
        design: str = "stance",
        rule: DecisionRule | None = None,
    ) -> None:
        self.classes_ = list(classes)
        self.blocks = blocks
        self.coef = coef
        self.intercept = intercept
        self.design = design
        self.rule = rule or DecisionRule()
        self._fitted = [self._block_for(b) for b in blocks]
        self._pass = OnePass(self._fitted)
        # Each block's slice of the coefficients, transposed and contiguous once here
        # (a sparse matrix times a Fortran-ordered slice copies it on every call).
        self._slices: list[tuple[np.ndarray, np.ndarray]] = []
        lo = 0
        for b in blocks:
            hi = lo + (len(LEXICON_COLUMNS) if b["kind"] == "lexicon" else len(b["vocabulary"]))
            self._slices.append((self.coef[:, lo:hi], np.ascontiguousarray(self.coef[:, lo:hi].T)))
            lo = hi

    @staticmethod
    def _block_for(block: dict[str, Any]) -> Block:
        if block["kind"] == "lexicon":
            return LexiconBlock(float(block["scale"]))
        vocab = dict(zip(block["vocabulary"], range(len(block["vocabulary"]))))
        if block["kind"] == "char":
            return CharBlock(vocab, block["idf"], tuple(block["ngram_range"]))
        return WordBlock(vocab, block["idf"])

    @classmethod
    def from_pipeline(cls, pipe: Any) -> Scorer | None:
        """The scorer of a pipeline shaped like :func:`stance.features.build_pipeline`'s
        (word / char / lexicon blocks, multinomial logistic regression); None for any
        other shape, which then scores through scikit-learn."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion

        from .features import CharNgramTfidf, LexiconFeatures, TargetStanceClassifier, WordTfidf

        steps = dict(pipe.steps) if hasattr(pipe, "steps") else {}
        union, clf = steps.get("features"), steps.get("clf")
        if len(steps) != 2 or not isinstance(union, FeatureUnion) or union.transformer_weights:
            return None
        if isinstance(clf, TargetStanceClassifier):
            head = (clf.coef_, clf.intercept_, clf.design_, clf.decision_rule)
        elif isinstance(clf, LogisticRegression) and len(clf.classes_) >= 3:
            head = (clf.coef_, clf.intercept_, "stance", DecisionRule())  # models before FORMAT 2
        else:  # e.g. a binary LogisticRegression, which is not a softmax
            return None
        blocks: list[dict[str, Any]] = []
        for _, t in union.transformer_list:
            if isinstance(t, str) and t == "drop":
                continue
            if isinstance(t, (CharNgramTfidf, WordTfidf)):
                vocab = sorted(t.vocabulary_, key=t.vocabulary_.get)
                block = {"kind": "word", "vocabulary": vocab, "idf": np.asarray(t.idf_)}
                if isinstance(t, CharNgramTfidf):
                    block.update(kind="char", ngram_range=list(t.ngram_range))
                blocks.append(block)
            elif isinstance(t, LexiconFeatures):
                blocks.append({"kind": "lexicon", "scale": float(t.scale)})
            else:
                return None
        coef, intercept, design, rule = head
        classes = [str(c) for c in clf.classes_]
        return cls(classes, blocks, coef.copy(), intercept.copy(), design, rule)

    def block_matrices(self, texts: list[str]) -> list[tuple[Any, np.ndarray]]:
        """Per feature block: (texts x features matrix, that block's slice of the
        coefficients, heads x features). Their products, summed, plus ``intercept``
        are the linear scores: what :meth:`predict` and explanations are made of.
        All blocks come from one pass over the texts (:class:`stance.vectorize.OnePass`)."""
        matrices = self._pass.transform(texts).matrices
        return [(Xb, coef) for Xb, (coef, _) in zip(matrices, self._slices)]

    def block_matrices_per_block(self, texts: list[str]) -> list[tuple[Any, np.ndarray]]:
        """:meth:`block_matrices` computed block by block, each block normalizing and
        tokenizing the texts itself: slower, kept as the reference the one pass is
        tested against."""
        return [(b.transform(texts), coef) for b, (coef, _) in zip(self._fitted, self._slices)]

    def feature_names(self) -> list[list[str]]:
        """Per feature block, the names of its columns (in matrix order)."""
        return [
            list(LEXICON_COLUMNS) if b["kind"] == "lexicon" else list(b["vocabulary"])
            for b in self.blocks
        ]

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """(probabilities in ``classes_`` order, on-target probability or None) per text:
        each feature block times its slice of every head's coefficients."""
        proba, on_target, _ = self.analyse(texts)
        return proba, on_target

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """The probabilities of :meth:`predict`."""
        return self.predict(texts)[0]

    def analyse(
        self, texts: list[str], terms: bool = False, languages: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None, PassResult]:
        """:meth:`predict`, and the pass it was computed from: with ``terms`` the loaded
        terms of each text (``find`` of the shipped lexicon), with ``languages`` their
        languages (``text_language``), found in the same pass (:class:`PassResult`)."""
        found = self._pass.transform(texts, terms, languages)
        scores = np.tile(self.intercept, (len(texts), 1))
        for Xb, (_, coef_t) in zip(found.matrices, self._slices):
            scores += Xb @ coef_t
        proba, on_target = heads_to_proba(scores, self.design, self.classes_)
        return proba, on_target, found

    def save(self, fh: Any) -> None:
        """Write the arrays as ``.npz`` to an open binary file."""
        arrays: dict[str, np.ndarray] = {
            "format": np.array(FORMAT),
            "classes": np.array(_SEP.join(self.classes_)),
            "kinds": np.array(_SEP.join(b["kind"] for b in self.blocks)),
            "coef": self.coef,
            "intercept": self.intercept,
            "design": np.array(self.design),
            "rule": np.array(json.dumps(self.rule.to_dict(), sort_keys=True)),
        }
        for i, b in enumerate(self.blocks):
            if b["kind"] == "lexicon":
                arrays[f"b{i}_scale"] = np.array(b["scale"])
                continue
            arrays[f"b{i}_vocabulary"] = np.array(_SEP.join(b["vocabulary"]))
            arrays[f"b{i}_idf"] = b["idf"]
            if b["kind"] == "char":
                arrays[f"b{i}_ngram_range"] = np.array(b["ngram_range"])
        np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Scorer:
        """Read a scorer written by :meth:`save` (never unpickles)."""
        with np.load(path, allow_pickle=False) as z:
            if int(z["format"]) not in (1, FORMAT):
                raise ValueError(f"scoring format {int(z['format'])}, expected {FORMAT}")
            blocks: list[dict[str, Any]] = []
            for i, kind in enumerate(str(z["kinds"]).split(_SEP)):
                if kind == "lexicon":
                    blocks.append({"kind": kind, "scale": float(z[f"b{i}_scale"])})
                    continue
                vocab = str(z[f"b{i}_vocabulary"]).split(_SEP)
                block = {"kind": kind, "vocabulary": vocab, "idf": z[f"b{i}_idf"]}
                if kind == "char":
                    block["ngram_range"] = [int(v) for v in z[f"b{i}_ngram_range"]]
                blocks.append(block)
            design, rule = "stance", DecisionRule()
            if "design" in z:  # FORMAT 2
                design = str(z["design"])
                rule = DecisionRule.from_dict(json.loads(str(z["rule"])))
            classes = str(z["classes"]).split(_SEP)
            return cls(classes, blocks, z["coef"], z["intercept"], design, rule)
