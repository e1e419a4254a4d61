"""Where the report notebooks are: shipped in the package, or a user's own ``./notebooks``.

The notebooks, their ``demo.plan.yaml`` and (in :mod:`rehab_eval.reports.params`) their
parameter specs are package data, found through :mod:`importlib.resources`, so an installed
wheel renders reports without a checkout of the repository.
"""

from __future__ import annotations

from pathlib import Path

from rehab_eval.errors import ConfigError

__all__ = ["find_notebooks_dir", "packaged_notebooks"]


def packaged_notebooks() -> Path:
    """The folder of the notebooks and ``demo.plan.yaml`` shipped inside the package.

    Found through :mod:`importlib.resources`, so it works from a wheel as from a checkout.

    Raises
    ------
    ConfigError
        When the package is installed in a form without real files (a zip archive).
    """
    from importlib import resources

    folder = resources.files("rehab_eval.reports") / "notebooks"
    if not isinstance(folder, Path) or not folder.is_dir():
        raise ConfigError(
            "the packaged report notebooks are not on the file system; reinstall rehab_eval "
            "from a wheel or pass notebooks_dir"
        )
    return folder.resolve()


def find_notebooks_dir(name: str, notebooks_dir: str | Path | None = None) -> Path:
    """The folder holding ``<name>``'s notebook.

    ``notebooks_dir`` when given; else ``./notebooks`` if it holds the notebook or its
    ``<name>.params.yaml`` (a user's own report notebooks); else the packaged notebooks
    (:func:`packaged_notebooks`).
    """
    if notebooks_dir is not None:
        folder = Path(notebooks_dir).resolve()
        if not folder.is_dir():
            raise ConfigError(f"notebooks folder {str(notebooks_dir)!r} does not exist")
        return folder
    local = Path.cwd() / "notebooks"
    if (local / f"{name}.ipynb").is_file() or (local / f"{name}.params.yaml").is_file():
        return local.resolve()
    return packaged_notebooks()
