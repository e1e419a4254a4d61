"""One name per concept across the public API (the README's "Conventions" section).

Every public function of the analysis modules is inspected: the old names must not come
back as parameters, and the shared column / option names must be keyword-only, so that
``kaplan_meier(fu, by="level")`` reads the same everywhere. Old names survive only inside
``**deprecated`` (one release, with a DeprecationWarning), which these checks skip.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import warnings

import pandas as pd
import pytest

MODULES = [
    "rehab_eval.change",
    "rehab_eval.recidivism",
    "rehab_eval.cohort",
    "rehab_eval.plots",
    "rehab_eval.scoring",
    "rehab_eval.effect",
    "rehab_eval.quality",
]
#: old names that must not be parameters of a public function any more
FORBIDDEN = {"id", "time", "confidence", "duration_unit", "by_facility", "group"}
#: shared names that must be keyword-only wherever they appear
KEYWORD_ONLY = {"duration", "event", "client", "timepoint", "by", "conf_level", "unit"}
KEYWORD_ONLY_EXCEPT = {("rehab_eval.recidivism", "followup")}  # data first, then keywords


def _public_callables():
    out = []
    for name in MODULES:
        module = importlib.import_module(name)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        for attr in names:
            obj = getattr(module, attr)
            if inspect.isfunction(obj):
                out.append((name, attr, obj))
            elif inspect.isclass(obj):  # public methods of the result objects
                for meth_name, meth in vars(obj).items():
                    if inspect.isfunction(meth) and not meth_name.startswith("_"):
                        out.append((name, f"{attr}.{meth_name}", meth))
    return out


CALLABLES = _public_callables()


def test_the_modules_have_public_functions():
    names = {n for _, n, _ in CALLABLES}
    assert {"kaplan_meier", "rates_at", "reliable_change", "paired", "plot_km", "reach"} <= names
    assert len(CALLABLES) > 30


@pytest.mark.parametrize(("module", "name", "func"), CALLABLES, ids=[n for _, n, _ in CALLABLES])
def test_no_old_parameter_names(module, name, func):
    params = inspect.signature(func).parameters
    named = {p.name for p in params.values() if p.kind is not inspect.Parameter.VAR_KEYWORD}
    assert not named & FORBIDDEN, f"{module}.{name} still takes {sorted(named & FORBIDDEN)}"


@pytest.mark.parametrize(("module", "name", "func"), CALLABLES, ids=[n for _, n, _ in CALLABLES])
def test_shared_names_are_keyword_only(module, name, func):
    params = inspect.signature(func).parameters
    wrong = [
        p.name
        for p in params.values()
        if p.name in KEYWORD_ONLY and p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]
    assert not wrong, f"{module}.{name}: {wrong} must be keyword-only"


def test_the_same_concept_has_the_same_default_everywhere():
    defaults: dict[str, set] = {}
    for _, _, func in CALLABLES:
        for p in inspect.signature(func).parameters.values():
            if p.name in {"client", "timepoint", "duration", "event", "conf_level"}:
                defaults.setdefault(p.name, set()).add(p.default)
    assert defaults == {
        "client": {"client_id"},
        "timepoint": {"timepoint"},
        "duration": {"duration"},
        "event": {"event"},
        "conf_level": {0.95},
    }


def _scores():
    return pd.DataFrame(
        {
            "client_id": ["a", "a", "b", "b", "c", "c"],
            "timepoint": ["pre", "post"] * 3,
            "score": [40.0, 62.5, 55.0, 50.0, 47.0, 49.0],
        }
    )


@pytest.mark.filterwarnings("ignore::rehab_eval.SmallSampleWarning")
def test_old_names_still_work_for_one_release_with_a_warning():
    from rehab_eval import change, recidivism

    s = _scores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = change.paired(s, "score", client="client_id", conf_level=0.9)
    with pytest.warns(DeprecationWarning) as caught:
        old = change.paired(s, "score", id="client_id", confidence=0.9)
    messages = " ".join(str(w.message) for w in caught)
    assert "id= is deprecated" in messages and "confidence= is deprecated" in messages
    pd.testing.assert_frame_equal(old, new)
    f = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 3.0], "event": [1, 1, 0, 1]})
    with pytest.warns(DeprecationWarning, match="conf_level"):
        km = recidivism.kaplan_meier(f, confidence=0.9)
    assert km.conf_level == 0.9
    with pytest.raises(TypeError, match="unexpected keyword"):
        recidivism.kaplan_meier(f, confidnce=0.9)
    with pytest.raises(TypeError):  # duration and event are keyword-only now
        recidivism.kaplan_meier(f, "duration", "event")


def test_results_are_frozen_with_short_reprs():
    from rehab_eval import change, recidivism

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = change.reliable_change(_scores(), "score", reliability=0.8, sd_pre=15, cutoff=None)
    f = pd.DataFrame(
        {"duration": [1.0, 2.0, 2.0, 3.0, 5.0, 6.0], "event": [1, 1, 0, 1, 0, 1], "x": range(6)}
    )
    km = recidivism.kaplan_meier(f)
    rates = recidivism.rates_at(f, windows=[2, 4], unit="months")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = recidivism.cox(f, ["x"])
    for result, name in ((rc, "ReliableChange"), (km, "KaplanMeier"), (rates, "RatesAt")):
        text = repr(result)
        assert text.startswith(f"{name}(") and "\n" not in text and len(text) < 300
        assert isinstance(result.table, pd.DataFrame) and isinstance(result.summary, pd.DataFrame)
        assert "<table" in result._repr_html_()
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.table = None
    text = repr(fit)
    assert "\n" not in text and "covariance" not in text and "n=6" in text
    assert fit.table is fit.summary
    assert rc.summary.loc[0, "s_diff"] == pytest.approx(rc.s_diff)
    assert "s_diff=" in repr(rc)
