"""The trained model file: numpy arrays and JSON in one ``.npz``, never a pickle.

Members: ``meta.json`` and ``vocab.json`` (UTF-8 JSON as uint8 arrays), then the fitted
parameters of the lexical (``lex.*``) and associative (``assoc.*``) members. Reading uses
``allow_pickle=False``: a file holding Python objects is refused, whatever wrote it.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from socsec.fileutil import atomic_file

if TYPE_CHECKING:
    import numpy.typing as npt

Arrays = dict[str, "npt.NDArray[Any]"]


def json_array(data: object) -> npt.NDArray[np.uint8]:
    """``data`` as UTF-8 JSON bytes in a uint8 array."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return np.frombuffer(raw, dtype=np.uint8)


def array_json(array: npt.NDArray[Any]) -> Any:
    """The JSON value stored by :func:`json_array`."""
    return json.loads(array.tobytes().decode("utf-8"))


def write(path: Path, arrays: Arrays) -> None:
    """Save ``arrays`` atomically (uncompressed: loading is then a plain read).

    Written straight into the temporary file: a copy of the whole model in memory was the
    last peak of training.
    """
    for name, array in arrays.items():
        if array.dtype.hasobject:  # np.savez would pickle it
            raise TypeError(f"{name}: object arrays cannot be saved")
    with atomic_file(path) as fh:
        np.savez(fh, allow_pickle=False, **arrays)


def read(path: Path) -> Arrays | None:
    """The arrays of a model file; None when it is unreadable or holds Python objects."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None
