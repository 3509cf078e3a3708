"""StanceModel: a fitted pipeline plus its model card; verified save and load.

On disk a model is a directory holding ``card.json`` and the joblib file the card names
(``model-<sha12>.joblib``). The card pins the model file's sha256 and is checked before
anything is unpickled: a joblib file is code, so load models only from trusted sources.
Saving writes the model under a new name, then replaces the card atomically; the card
rename is the commit point, so an interrupted save leaves the previous model loadable.

Why one module over 400 lines: saving and loading are the two halves of one
verified format (card, model file, scoring arrays, their sha256s); splitting them would
put the format's rules in two places.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .atomic import AtomicFile, dir_lock
from .decision import DecisionRule
from .errors import InputError, ModelError
from .furniture import furniture_kind
from .lexicon import Lexicon, load_lexicon
from .normalize import is_arabic_char
from .results import ArticleScore, Prediction, SentenceScore, summarize
from .rounding import round_array
from .segment import segment
from .sniff import text_language, text_languages

if TYPE_CHECKING:
    from .lexicon import TermMatch

__all__ = [
    "StanceModel",
    "load_model",
    "default_model_dir",
    "resolve_model",
    "read_card",
    "CARD_NAME",
    "FORMAT_VERSION",
]

CARD_NAME = "card.json"
FORMAT_VERSION = 1
LOCK_NAME = ".stance-write.lock"
# Characters of one passage the classifier reads (loaded terms are found in all of it).
MAX_MODEL_CHARS = 100_000
MODEL_ENV = "STANCE_MODEL"


# Card entries of the scoring arrays (stance.linear); rewritten on every save.
SCORING_KEYS = ("scoring_file", "scoring_sha256")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    import joblib
    import pyarabic
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "pyarabic": getattr(pyarabic, "__version__", "unknown"),
    }


class RoundedScores:
    """Per text: the index of its label in ``classes``, its probabilities rounded to 6
    places (in ``classes`` order), its on-target probability rounded to 4 (None without
    a relevance stage), and whether it counts as on target; and the rounded numbers as
    ``repr`` writes them (the probabilities of all texts in one list)."""

    def __init__(
        self,
        classes: list[str],
        labels: list[int],
        probabilities: np.ndarray,
        on_target: np.ndarray | None,
        about_target: list[bool],
        probability_texts: list[str],
        on_target_texts: list[str | None],
    ) -> None:
        self.classes = classes
        self.labels = labels
        self._probabilities = probabilities
        self._on_target = on_target
        self.about_target = about_target
        self.probability_texts = probability_texts
        self.on_target_texts = on_target_texts

    @cached_property
    def probabilities(self) -> list[list[float]]:
        return self._probabilities.tolist()

    @cached_property
    def on_target(self) -> list[float | None]:
        if self._on_target is None:
            return [None] * len(self.labels)
        return self._on_target.tolist()

    def predictions(self) -> list[Prediction]:
        """A :class:`~stance.results.Prediction` per text."""
        classes = self.classes
        return [
            Prediction(classes[label], dict(zip(classes, row)), t, a)
            for label, row, t, a in zip(
                self.labels, self.probabilities, self.on_target, self.about_target
            )
        ]


class PassageScores(NamedTuple):
    """What :meth:`StanceModel.score_passages` finds in each text."""

    scores: RoundedScores
    loaded_terms: list[list[TermMatch]]
    languages: list[str]


def _check_texts(texts: Any, what: str) -> list[str]:
    # A bare string is iterable and would be scored character by character.
    if isinstance(texts, str):
        raise TypeError(f"{what} expects a list of sentences, got a single str; wrap it: [text]")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{what}: item {i} is {type(t).__name__}, expected str")
    return texts


class StanceModel:
    """A fitted stance classifier with its model card.

    ``classes_`` lists the labels in the column order of :meth:`predict_proba`.
    """

    def __init__(
        self,
        pipeline: Any,
        card: dict[str, Any] | None = None,
        lexicon: Lexicon | None = None,
        scorer: Any = None,
        pipeline_loader: Any = None,
    ) -> None:
        if pipeline is None and pipeline_loader is None:
            raise ModelError("StanceModel needs a fitted pipeline (or a loader for one)")
        if pipeline is not None and (
            not hasattr(pipeline, "predict_proba") or not hasattr(pipeline, "classes_")
        ):
            raise ModelError("StanceModel needs a fitted scikit-learn pipeline with predict_proba")
        if scorer is None and pipeline is not None:
            from .linear import Scorer

            scorer = Scorer.from_pipeline(pipeline)  # None for other pipeline shapes
        self._pipeline = pipeline
        self._pipeline_loader = pipeline_loader
        self._scorer = scorer  # a stance.linear.Scorer: blockwise, without scikit-learn
        self.card = dict(card or {})
        self._lexicon = lexicon
        self._explainer: Any = None  # stance.explain.Explainer, made on first use

    @property
    def pipeline(self) -> Any:
        """The fitted scikit-learn Pipeline (unpickled on first use when the model was
        loaded with its scoring arrays)."""
        if self._pipeline is None:
            self._pipeline = self._pipeline_loader()
        return self._pipeline

    @property
    def lexicon(self) -> Lexicon:
        """The loaded-term lexicon used in scoring (the shipped one unless given)."""
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    @property
    def classes_(self) -> list[str]:
        if self._scorer is not None:
            return list(self._scorer.classes_)
        return [str(c) for c in self.pipeline.classes_]

    @property
    def decision_rule(self) -> DecisionRule:
        """How probabilities become labels (on-target threshold, class weights)."""
        if self._scorer is not None:
            return self._scorer.rule
        return getattr(self.pipeline[-1], "decision_rule", DecisionRule())

    @property
    def has_relevance(self) -> bool:
        """Whether the model scores target relevance (models before it did not)."""
        if self._scorer is not None:
            return self._scorer.design != "stance"
        return getattr(self.pipeline[-1], "design_", "stance") != "stance"

    def _predict(self, texts: Iterable[str], what: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(probabilities, on-target probabilities or None) for ``texts``."""
        proba, on_target, _, _ = self._analyse(texts, what)
        return proba, on_target

    def _analyse(
        self, texts: Iterable[str], what: str, passages: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None, list[list[TermMatch]], list[str]]:
        """:meth:`_predict`, plus (with ``passages``) the loaded terms of each text by
        :attr:`lexicon` and its language (``text_language``): found in the classifier's
        own pass over the texts when it can, otherwise on their own."""
        texts = _check_texts(texts, what)
        if not texts:
            return np.zeros((0, len(self.classes_))), None, [], []
        # A passage longer than this reads like this much of it: the cut keeps a 10 MB
        # scraped "sentence" from costing gigabytes of character n-grams.
        cut = [t[:MAX_MODEL_CHARS] for t in texts]
        found = None
        if self._scorer is not None:
            proba, on_target, found = self._scorer.analyse(cut, passages, passages)
        else:
            pipe = self.pipeline
            if hasattr(pipe[-1], "predict_target_proba"):
                Xt = pipe[:-1].transform(cut)
                proba, on_target = pipe[-1].predict_proba(Xt), pipe[-1].predict_target_proba(Xt)
            else:
                proba, on_target = pipe.predict_proba(cut), None
        if not passages:
            return proba, on_target, [], []
        # The pass read the cut texts, with the shipped lexicon: reuse what applies.
        whole = [len(t) <= MAX_MODEL_CHARS for t in texts]
        terms = found.terms if found is not None and self.lexicon is load_lexicon() else None
        if terms is None or not all(whole):
            lexicon = self.lexicon
            terms = [
                terms[i] if terms is not None and whole[i] else lexicon.find(t)
                for i, t in enumerate(texts)
            ]
        languages = found.languages if found is not None else None
        if languages is None:
            languages = text_languages(texts)
        elif not all(whole):
            languages = [
                lang if w else text_language(t) for t, w, lang in zip(texts, whole, languages)
            ]
        return proba, on_target, terms, languages

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns in ``classes_`` order.
        An off-target text's probability mass is neutral (see ``stance.decision``)."""
        return self._predict(texts, "predict_proba")[0]

    def predict_on_target(self, texts: Iterable[str]) -> np.ndarray:
        """Probability that each text is about the target (all 1 without a relevance stage)."""
        proba, on = self._predict(texts, "predict_on_target")
        return np.ones(len(proba)) if on is None else on

    def predict(self, texts: Iterable[str]) -> list[str]:
        """The label of each text under the model's decision rule (off target: neutral)."""
        proba, on = self._predict(texts, "predict")
        classes = self.classes_
        return [classes[i] for i in self.decision_rule.labels(proba, on, classes)]

    def score_sentences(self, texts: Sequence[str]) -> list[Prediction]:
        """A :class:`~stance.results.Prediction` per text (probabilities rounded to 6
        places, on-target probability to 4)."""
        return self._rounded(*self._predict(texts, "score_sentences")).predictions()

    def score_passages(self, texts: Sequence[str]) -> PassageScores:
        """What ``score --jsonl`` writes of each text, from one pass over the texts: the
        figures of :meth:`score_sentences` (``scores.predictions()`` makes those), the
        loaded terms (``lexicon.find``) and the language (``text_language``)."""
        proba, on, terms, languages = self._analyse(texts, "score_passages", passages=True)
        return PassageScores(self._rounded(proba, on), terms, languages)

    def _rounded(self, proba: np.ndarray, on: np.ndarray | None) -> RoundedScores:
        """The figures of a :class:`~stance.results.Prediction` per row."""
        classes = self.classes_
        rule = self.decision_rule
        values, texts = round_array(proba, 6)
        targets, target_texts = (None, [None] * len(proba)) if on is None else round_array(on, 4)
        return RoundedScores(
            classes,
            rule.labels(proba, on, classes).tolist(),
            values,
            targets,
            rule.about_target(on, len(proba)).tolist(),
            texts,
            target_texts,  # type: ignore[arg-type]
        )

    @property
    def can_explain(self) -> bool:
        """Whether :meth:`explain` works (a model with scoring arrays)."""
        return self._scorer is not None

    def explain(
        self, texts: Sequence[str], labels: Sequence[str], top: int = 5
    ) -> list[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
        """Why each text got its label: ``(evidence, target evidence)`` per text, each
        the ``top`` :class:`~stance.explain.Evidence` items by absolute contribution to
        the label's linear score (signed: positive pushes toward the label). Target
        evidence (toward on target) exists for models with a relevance head, else None.
        Raises :class:`ModelError` for a model without scoring arrays."""
        from .explain import Explainer, label_column, target_column

        if self._scorer is None:
            raise ModelError("explanations need a model with scoring arrays (stance train)")
        texts = [t[:MAX_MODEL_CHARS] for t in _check_texts(texts, "explain")]
        sc = self._scorer
        if self._explainer is None:
            self._explainer = Explainer(sc)
        tcol = target_column(sc.classes_, sc.design)
        cols = [(label_column(lab, sc.classes_, sc.design), tcol) for lab in labels]
        return [(e or (), t) for e, t in self._explainer.explain(texts, cols, top)]

    def score_article(
        self, text: str, source: str | None = None, explain: bool = False
    ) -> ArticleScore:
        """Segment ``text`` into sentences, label each, and summarize the article.

        In an Arabic article, segments without any Arabic letter (share buttons, stray
        English lines) are not scored. A text whose main language is not Arabic is
        scored anyway, every segment with letters, and flagged ``arabic=False`` with its
        ``language``: the labels of a model trained on Arabic mean little there.
        Sentences that are page furniture (:mod:`stance.furniture`) are flagged and
        left out of the summary. With ``explain``, each sentence carries its evidence
        (:meth:`explain`; none for a model without scoring arrays).
        Raises :class:`InputError` if there is nothing to score.
        """
        if not isinstance(text, str):
            raise TypeError(f"score_article expects str, got {type(text).__name__}")
        language = text_language(text)
        if language == "arabic":
            sentences = [s for s in segment(text) if any(is_arabic_char(c) for c in s.text)]
        else:
            sentences = [s for s in segment(text) if any(c.isalnum() for c in s.text)]
        if not sentences:
            what = "is empty" if not text.strip() else "has no words"
            raise InputError(f"{source or 'article'} {what}: nothing to score")
        scored = self.score_sentences([s.text for s in sentences])
        matches = self.lexicon.find(text)
        texts = [s.text for s in sentences]
        why: list[Any] = [(None, None)] * len(texts)
        if explain and self.can_explain:
            why = self.explain(texts, [p.label for p in scored])
        rows = [
            SentenceScore(
                i,
                s.start,
                s.end,
                s.text,
                p.label,
                p.probabilities,
                tuple(m for m in matches if s.start <= m.start and m.end <= s.end),
                p.on_target,
                p.about_target,
                furniture_kind(s.text),
                why[i][0],
                why[i][1],
            )
            for i, (s, p) in enumerate(zip(sentences, scored))
        ]
        return ArticleScore(source, rows, summarize(rows, self.classes_), language)

    # -- persistence -------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the model and its card into ``directory`` atomically; return the card path."""
        import joblib

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with _write_lock(directory):
            return self._save_locked(directory, joblib)

    def _write_scoring(self, directory: Path, digest: str) -> dict[str, str]:
        """Write the scoring arrays beside the model (atomically); their card entries,
        or none when the pipeline has a shape :class:`~stance.linear.Scorer` lacks."""
        scorer = self._scorer
        if scorer is None:
            return {}
        name = f"model-{digest[:12]}.scoring.npz"
        with AtomicFile(directory / name) as af:
            scorer.save(af.file)
            scoring_sha = _sha256(af.finish())
        return {"scoring_file": name, "scoring_sha256": scoring_sha}

    def _save_locked(self, directory: Path, joblib: Any) -> Path:
        # The model file is named by its content, so it is hashed before the rename.
        with AtomicFile(directory / "model.joblib") as af:
            joblib.dump(self.pipeline, af.file, compress=3)
            digest = _sha256(af.finish())
            model_name = f"model-{digest[:12]}.joblib"
            af.commit(directory / model_name)
        scoring = self._write_scoring(directory, digest)
        card = {
            **{k: v for k, v in self.card.items() if k not in SCORING_KEYS},
            "format_version": FORMAT_VERSION,
            "labels": self.classes_,
            "versions": _versions(),
            "model_file": model_name,
            "model_sha256": digest,
            **scoring,
        }
        card.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        with AtomicFile(directory / CARD_NAME, "w", encoding="utf-8") as af:  # commit point
            json.dump(card, af.file, ensure_ascii=False, indent=2)
            af.file.write("\n")
        # Old model files are garbage once the new card is in place.
        keep = {model_name, card.get("scoring_file")}
        for old in [*directory.glob("model-*.joblib"), *directory.glob("model-*.scoring.npz")]:
            if old.name not in keep:
                old.unlink(missing_ok=True)
        self.card = card
        return directory / CARD_NAME


def _write_lock(directory: Path) -> Any:
    """An exclusive lock on ``directory/.stance-write.lock`` while writing, so two
    trainings saving into one directory cannot interleave: the second fails cleanly."""
    return dir_lock(
        directory,
        LOCK_NAME,
        lambda: ModelError(
            f"{directory}: another `stance train` is writing a model here; wait for it "
            "to finish, or train into another --out directory"
        ),
    )


def default_model_dir() -> Path:
    """The shipped model directory (``models/`` in the repo, installed as ``stance_models``)."""
    return Path(str(resources.files("stance_models")))


def resolve_model(path: str | Path | None) -> tuple[Path, Path | None]:
    """Return (model directory, explicitly named model file or None)."""
    if path is None:
        env = os.environ.get(MODEL_ENV)
        path = env if env else default_model_dir()
    p = Path(path)
    if p.is_dir():
        return p, None
    if p.is_file():
        return p.parent, p
    raise ModelError(
        f"model not found: {p} (give a model directory holding {CARD_NAME}, "
        "or run `stance train --out DIR` to make one)"
    )


def read_card(directory: str | Path) -> dict[str, Any]:
    """Read and sanity-check ``card.json`` without touching the model file."""
    card_path = Path(directory) / CARD_NAME
    if not card_path.is_file():
        raise ModelError(
            f"no model card at {card_path}: a model directory needs {CARD_NAME} "
            "beside the model file (made by `stance train`)"
        )
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"model card {card_path} is not valid JSON ({exc}); retrain with `stance train`"
        ) from None
    keys = ("model_file", "model_sha256", "labels", "versions")
    missing = [k for k in keys if k not in card] if isinstance(card, dict) else []
    if not isinstance(card, dict) or missing:
        raise ModelError(
            f"model card {card_path} lacks {', '.join(missing) or 'an object'}; "
            "retrain with `stance train`"
        )
    for key in ("model_file", "scoring_file"):
        name = card.get(key)
        # A bare file name in the model directory: never ../x.npz or /elsewhere/x.npz.
        if key in card and (
            not isinstance(name, str)
            or name in ("", ".", "..")
            or "\0" in name
            or Path(name).name != name
        ):
            raise ModelError(
                f"model card {card_path}: {key} {json.dumps(name)} is not a file name inside "
                f"{card_path.parent}; a card names files beside it. Retrain with `stance train`"
            )
    return card


def load_model(path: str | Path | None = None) -> StanceModel:
    """Load the shipped model, or the one at ``path`` (directory or model file).

    The card's sha256 of the model file and its label set are checked before anything
    is read; its scikit-learn version before the pipeline is unpickled (scoring with the
    card's scoring arrays needs no scikit-learn, so a model without them is checked
    here).
    """
    from .annotations import LABELS

    directory, named = resolve_model(path)
    card = read_card(directory)
    model_file = directory / str(card["model_file"])
    if named is not None and named.resolve() != model_file.resolve():
        raise ModelError(
            f"{named} is not the model its card names ({card['model_file']}); "
            f"pass the directory {directory} instead"
        )
    if not model_file.is_file():
        raise ModelError(f"model file {model_file} named by {directory / CARD_NAME} is missing")
    if sorted(card["labels"]) != sorted(LABELS):
        raise ModelError(
            f"model at {directory} has labels {card['labels']}, expected "
            f"{list(LABELS)}: it was trained for another label set"
        )
    digest = _sha256(model_file)
    if digest != card["model_sha256"]:
        raise ModelError(
            f"model file {model_file} does not match its card (sha256 {digest[:12]}… vs "
            f"{str(card['model_sha256'])[:12]}…): it was modified or corrupted; refusing to "
            "load it. Restore it or retrain with `stance train`"
        )

    def unpickle() -> Any:
        import joblib

        _check_sklearn(directory, card)
        try:
            return joblib.load(model_file)
        except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad file
            raise ModelError(
                f"cannot load model file {model_file}: {exc}; retrain with `stance train`"
            ) from None

    scorer = _load_scorer(directory, card)
    if scorer is None:
        return StanceModel(unpickle(), card)
    return StanceModel(None, card, scorer=scorer, pipeline_loader=unpickle)


def _check_sklearn(directory: Path, card: dict[str, Any]) -> None:
    """Refuse to unpickle a pipeline built with another scikit-learn (major.minor)."""
    from importlib.metadata import version

    trained = str(card["versions"].get("scikit-learn", "?"))
    installed = version("scikit-learn")  # without importing it: that takes a second
    if trained.split(".")[:2] != installed.split(".")[:2]:
        raise ModelError(
            f"model at {directory} was built with scikit-learn {trained}, this is "
            f"{installed}; install scikit-learn=={trained} or retrain with `stance train`"
        )


def _load_scorer(directory: Path, card: dict[str, Any]) -> Any:
    """The verified scoring arrays named by the card, or None for a card without."""
    if "scoring_file" not in card:
        return None
    from .linear import Scorer

    path = directory / str(card["scoring_file"])
    if not path.is_file():
        raise ModelError(f"scoring file {path} named by {directory / CARD_NAME} is missing")
    digest = _sha256(path)
    if digest != card.get("scoring_sha256"):
        raise ModelError(
            f"scoring file {path} does not match its card (sha256 {digest[:12]}…): it was "
            "modified or corrupted; restore it or retrain with `stance train`"
        )
    try:
        scorer = Scorer.load(path)
    except Exception as exc:  # noqa: BLE001 - a bad file, whatever numpy says
        raise ModelError(
            f"cannot read scoring file {path}: {exc}; retrain with `stance train`"
        ) from None
    if sorted(scorer.classes_) != sorted(card["labels"]):
        raise ModelError(f"scoring file {path} has labels {scorer.classes_}, not the card's")
    return scorer
