"""stance: stance and loaded-term analysis of Arabic coverage of the Abraham Accords.

Public API (imported lazily, so ``import stance`` does no heavy work)::

    import stance
    model = stance.load_model()              # the shipped model, verified by its card
    model.predict(["..."]); model.predict_proba(["..."]); model.score_article(text)
    pipe = stance.build_pipeline()           # the unfitted scikit-learn Pipeline
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "load_model": "stance.model",
    "StanceModel": "stance.model",
    "build_pipeline": "stance.features",
    "normalize": "stance.normalize",
    "normalize_with_offsets": "stance.normalize",
    "segment": "stance.segment",
    "load_annotations": "stance.annotations",
    "train_model": "stance.train",
    "evaluate": "stance.train",
    "StanceError": "stance.errors",
    "InputError": "stance.errors",
    "AnnotationError": "stance.errors",
    "ModelError": "stance.errors",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    if name == "__version__":  # importlib.metadata costs every command ~50 ms at start
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("stance")
        except PackageNotFoundError:  # running from a source tree that is not installed
            return "0.0.0"
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
