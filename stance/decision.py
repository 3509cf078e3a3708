"""From linear scores to probabilities, target relevance and labels (numpy only).

A model has a stance head (softmax over critical / neutral / pro, trained on on-target
sentences) and a relevance head (the probability ``r`` that a sentence is about the
target: the accords and normalization with Israel). The reported probabilities are the
mixture over both: an off-target sentence is neutral, so

    P(critical) = r * q_critical,   P(pro) = r * q_pro,   P(neutral) = (1 - r) + r * q_neutral

where ``q`` is the stance head's distribution. The label follows :class:`DecisionRule`:
neutral when ``r`` is below the on-target threshold, otherwise the class with the
largest weighted probability (the weights correct for the balanced training corpus:
real coverage is mostly neutral).

Training (``stance.features``) and scoring without scikit-learn (``stance.linear``)
both call these functions, so the two paths cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "OFF_TARGET",
    "DESIGNS",
    "DecisionRule",
    "softmax",
    "sigmoid",
    "heads_to_proba",
    "mixture",
]

# The training label of an off-target sentence (its stance label is always neutral).
OFF_TARGET = "off_target"
# How the relevance is modelled: two linear heads (stance softmax + relevance sigmoid),
# or one softmax over four classes (critical, neutral, off_target, pro) collapsed to three.
DESIGNS = ("two_heads", "four_way")


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, in place on a float array (also returned)."""
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow warnings for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def mixture(stance: np.ndarray, on_target: np.ndarray, neutral: int) -> np.ndarray:
    """Mix a stance distribution (rows) with the on-target probability: off-target mass
    goes to the neutral column (index ``neutral``)."""
    out = stance * on_target[:, None]
    out[:, neutral] += 1.0 - on_target
    return out


def heads_to_proba(
    scores: np.ndarray, design: str, classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Linear scores of every head -> (mixture over ``classes``, on-target probability).

    ``two_heads``: columns are the stance classes, then one relevance logit.
    ``four_way``: columns are ``classes`` plus :data:`OFF_TARGET`, in sorted order.
    ``stance``: a plain softmax over ``classes`` (no relevance stage; on-target None).
    """
    classes = list(classes)
    if design == "stance":
        return softmax(scores), None
    neutral = classes.index("neutral")
    if design == "two_heads":
        k = len(classes)
        on = sigmoid(scores[:, k])
        return mixture(softmax(np.ascontiguousarray(scores[:, :k])), on, neutral), on
    if design == "four_way":
        joint = softmax(scores)
        order = sorted([*classes, OFF_TARGET])
        off = joint[:, order.index(OFF_TARGET)]
        proba = np.stack([joint[:, order.index(c)] for c in classes], axis=1)
        proba[:, neutral] += off
        return proba, 1.0 - off
    raise ValueError(f"unknown design {design!r}; expected one of {DESIGNS} or 'stance'")


@dataclass(frozen=True)
class DecisionRule:
    """How probabilities become a label.

    ``on_target_threshold``: a sentence whose on-target probability is below it is off
    target, and neutral. ``weights``: per-class multipliers of the probabilities before
    the argmax (1 for a class not named); a neutral weight below 1 undoes part of the
    balanced training corpus's pull away from neutral, and so on.
    """

    on_target_threshold: float = 0.5
    weights: Mapping[str, float] = field(default_factory=dict)

    def labels(
        self, proba: np.ndarray, on_target: np.ndarray | None, classes: Sequence[str]
    ) -> np.ndarray:
        """Index into ``classes`` of each row's label."""
        w = np.array([float(self.weights.get(c, 1.0)) for c in classes])
        idx = (proba * w).argmax(axis=1)
        if on_target is not None and "neutral" in classes:
            idx[on_target < self.on_target_threshold] = list(classes).index("neutral")
        return idx

    def about_target(self, on_target: np.ndarray | None, n: int) -> np.ndarray:
        """Whether each row counts as on target (all rows when there is no relevance)."""
        if on_target is None:
            return np.ones(n, dtype=bool)
        return on_target >= self.on_target_threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "on_target_threshold": float(self.on_target_threshold),
            "weights": {k: float(v) for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DecisionRule:
        return cls(float(d.get("on_target_threshold", 0.5)), dict(d.get("weights", {})))
