"""A fitted gradient-boosted tree ensemble as plain arrays, scored with numpy alone.

Training uses scikit-learn's ``HistGradientBoostingClassifier``; :meth:`Forest.from_sklearn`
copies its trees into flat node arrays so that suggesting needs neither scikit-learn (a second
of import time) nor a pickle of its classes (which breaks across library versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt


# Rows scored at once (with 120 trees: about 4 MB per temporary array).
_BLOCK = 4096


@dataclass(frozen=True)
class Forest:
    """Binary classifier: the sum of the trees' leaf values plus a baseline, through a sigmoid.

    All trees share flat node arrays; tree ``t`` starts at node ``roots[t]``. ``left`` and
    ``right`` are absolute node indexes; a leaf carries its value.

    Attributes:
        baseline: the raw score before any tree.
        roots: first node of each tree.
        feature: feature tested at each node.
        threshold: a row goes left when its feature is <= this.
        missing_left: where NaN goes.
        left: left child of each node.
        right: right child of each node.
        leaf: whether each node is a leaf.
        value: leaf values.
    """

    baseline: float
    roots: npt.NDArray[np.int64]
    feature: npt.NDArray[np.int64]
    threshold: npt.NDArray[np.float64]
    missing_left: npt.NDArray[np.bool_]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    leaf: npt.NDArray[np.bool_]
    value: npt.NDArray[np.float64]

    @classmethod
    def from_sklearn(cls, clf: Any) -> Forest:
        """Copy the trees of a fitted binary ``HistGradientBoostingClassifier``.

        Raises:
            ValueError: the model is not binary or uses categorical features.
        """
        if len(clf.classes_) != 2:
            raise ValueError("only binary classifiers are supported")
        parts, roots, offset = [], [], 0
        for (predictor,) in clf._predictors:  # one tree per iteration when binary
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            roots.append(offset)
            parts.append((nodes, offset))
            offset += len(nodes)
        cat = np.concatenate
        return cls(
            baseline=float(np.ravel(clf._baseline_prediction)[0]),
            roots=np.asarray(roots, dtype=np.int64),
            feature=cat([n["feature_idx"] for n, _o in parts]).astype(np.int64),
            threshold=cat([n["num_threshold"] for n, _o in parts]).astype(np.float64),
            missing_left=cat([n["missing_go_to_left"] for n, _o in parts]).astype(bool),
            left=cat([n["left"].astype(np.int64) + o for n, o in parts]),
            right=cat([n["right"].astype(np.int64) + o for n, o in parts]),
            leaf=cat([n["is_leaf"] for n, _o in parts]).astype(bool),
            value=cat([n["value"] for n, _o in parts]).astype(np.float64),
        )

    def predict_proba(self, rows: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """Probability of the positive class for each row (features as in training)."""
        x = np.asarray(rows, dtype=np.float64)
        # Each step holds rows x trees arrays: bounded blocks keep that to a few MB.
        if len(x) > _BLOCK:
            return np.concatenate(
                [self.predict_proba(x[i : i + _BLOCK]) for i in range(0, len(x), _BLOCK)]
            )
        if not len(x) or not len(self.roots):
            return _sigmoid(np.full(len(x), self.baseline))
        # All rows walk all trees at once, one level per step.
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        row = np.arange(len(x))[:, None]
        while True:
            inner = ~self.leaf[node]
            if not inner.any():
                break
            values = x[row, self.feature[node]]
            go_left = np.where(
                np.isnan(values), self.missing_left[node], values <= self.threshold[node]
            )
            step = np.where(go_left, self.left[node], self.right[node])
            node = np.where(inner, step, node)
        raw = self.baseline + self.value[node].sum(axis=1)
        return _sigmoid(raw)

    def to_arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """The arrays to save, keyed ``prefix + name``."""
        return {
            prefix + "baseline": np.asarray([self.baseline]),
            prefix + "roots": self.roots,
            prefix + "feature": self.feature,
            prefix + "threshold": self.threshold,
            prefix + "missing_left": self.missing_left,
            prefix + "left": self.left,
            prefix + "right": self.right,
            prefix + "leaf": self.leaf,
            prefix + "value": self.value,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]], prefix: str) -> Forest | None:
        """The forest saved by :meth:`to_arrays` under ``prefix`` (None when there is none)."""
        if prefix + "roots" not in arrays:
            return None
        return cls(
            baseline=float(arrays[prefix + "baseline"][0]),
            roots=arrays[prefix + "roots"],
            feature=arrays[prefix + "feature"],
            threshold=arrays[prefix + "threshold"],
            missing_left=arrays[prefix + "missing_left"],
            left=arrays[prefix + "left"],
            right=arrays[prefix + "right"],
            leaf=arrays[prefix + "leaf"],
            value=arrays[prefix + "value"],
        )


def _sigmoid(raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # tanh form: no overflow warning for large negative scores, unlike 1 / (1 + exp(-x)).
    out: npt.NDArray[np.float64] = 0.5 * (1.0 + np.tanh(0.5 * raw))
    return out
