"""The ``ilp`` command run as a subprocess, on SQLite and PostgreSQL, against the library path.

Each run is a real ``python -m ilp_core`` process with the store in its environment
(as a cron job or a systemd timer starts it): exit codes, what reaches stdout and
stderr, what lands in the store and in its audit trail, and that the report equals
the one the Report page's library call builds from the Data page's dataset.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import plotly.io as pio
import pytest
from conftest import ROOT

from ilp_core import i18n
from ilp_core.cli import EXIT_CODES, main
from ilp_core.cli._report import period
from ilp_core.data import classify, ingest
from ilp_core.data.dataset import SAMPLE_DIR, Dataset
from ilp_core.decide import priorities
from ilp_core.products import report, workspace
from ilp_core.store import Actor, open_store

SAMPLE = SAMPLE_DIR / "incidents.csv"
FIXTURES = ROOT / "tests" / "fixtures"
RANGE = "2025-01-01..2025-06-30"


def _env(config) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILP_")}
    env["ILP_DATA_DIR"] = str(config.data_dir)
    if not config.embedded:
        env["ILP_DATABASE_URL"] = config.url
    return env


def ilp(config, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
    env = _env(config)
    if user:
        env["ILP_USER"] = user
    return subprocess.run(
        [sys.executable, "-m", "ilp_core", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _mapping(path, tmp_path, *, classes: dict | None = None, **changes) -> str:
    raw = ingest.read_table(path)
    mapping = ingest.suggest_mapping(list(raw.frame.columns))
    data = json.loads(mapping.to_json())
    data["offence_classes"] = classes
    data.update(changes)
    out = tmp_path / f"{path.stem}-mapping.json"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(out)


def _all_classes(path) -> dict[str, str]:
    """What an analyst confirms on the Data page: every suggestion, down to 'medium'."""
    raw = ingest.read_table(path)
    mapping = ingest.suggest_mapping(list(raw.frame.columns))
    labels = ingest.offence_labels(raw, mapping)
    return classify.confirmed_classes(classify.suggest_classes(labels), at_least="none")


def _audit(config, **filters):
    store = open_store(config)
    try:
        return store.query_audit(Actor.system(), **filters)
    finally:
        store.close()


def _assessment(tmp_path) -> str:
    chosen = priorities.make_assessment(priorities.preset("risk_matrix"), fingerprint="other")
    out = tmp_path / "priorities.yaml"
    out.write_text(chosen.to_yaml(), encoding="utf-8")
    return str(out)


def _same_ids(html: str) -> str:
    """Folium names each map element with a random hex id: number them in order of appearance."""
    seen: dict[str, str] = {}
    return re.sub(
        r"_[0-9a-f]{32}(?![0-9a-f])", lambda m: seen.setdefault(m[0], f"_id{len(seen)}"), html
    )


def _app_report(path, mapping_file, assessment_file, lang: str, start, end) -> str:
    """The report as the app builds it: the Data page's dataset, the Report page's call."""
    raw = ingest.read_table(path.read_bytes(), path.name)
    mapping = ingest.ColumnMapping.from_json(Path(mapping_file).read_bytes())
    result = ingest.build_incidents(raw, mapping)
    data = Dataset(
        name=raw.filename,
        incidents=result.incidents,
        report=result.report,
        rejects=result.rejects,
        offence_classes=result.offence_classes,
    )
    loaded = priorities.load_assessment(Path(assessment_file).read_bytes())
    work = workspace.make_workspace(
        fingerprint=data.fingerprint,
        dataset=data.name,
        view={"start": start, "end": end, "offences": []},
        priority=loaded.assessment,
    )
    # Streamlit sets plotly's global default template in the app's process: the report
    # must not depend on it.
    before = pio.templates.default
    pio.templates.default = "ggplot2"
    try:
        content = report.build_report(
            data, work, lang=lang, sections=list(report.SECTIONS), wider_release=False, k=5
        )
        return report.to_html(content)  # the charts are drawn here
    finally:
        pio.templates.default = before


# -- in-process: help, usage, periods --------------------------------------------------------


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_help_lists_every_exit_code_in_the_users_language(lang, capsys):
    with pytest.raises(SystemExit) as ended:
        main(["--help", "--lang", lang])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    assert i18n.t("cli.exit_title", lang) in text
    for code, key in EXIT_CODES.items():
        assert f"  {code}  {i18n.t(key, lang)}" in text
    assert text.startswith(i18n.t("cli.usage", lang))
    with pytest.raises(SystemExit):
        main(["report", "--help", "--lang", lang])
    assert i18n.t("cli.report.wider", lang)[:30] in capsys.readouterr().out.replace("\n", " ")


def test_usage_errors_exit_1(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["report", "--lang", "fr"])  # --dataset and --out missing
    assert ended.value.code == 1
    said = capsys.readouterr().err
    assert "Erreur : appel incorrect :" in said and "--dataset" in said
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", "--dataset", "x", "--out", "/tmp/x.html", "--period", "q3", "--lang",
                 "es"], out=out, err=err)  # fmt: skip
    assert code == 1
    assert "«q3» no es un periodo" in err.getvalue()


#: Wrong calls, each making argparse say one of its own messages.
WRONG_CALLS = (
    ["report"],  # the following arguments are required
    ["report", "--dataset", "x", "--out", "x.html", "--format", "doc"],  # invalid choice
    ["sample", "--seed", "abc"],  # invalid int value
    ["sample", "--seed", "1", "--bogus"],  # unrecognized arguments
    ["sample", "--seed"],  # expected one argument
    ["repor"],  # invalid choice of a command
)


@pytest.mark.parametrize("lang", ["ru", "fr", "es"])
@pytest.mark.parametrize("call", WRONG_CALLS, ids=lambda c: " ".join(c[:2]))
def test_argparse_says_what_is_wrong_in_the_users_language(lang, call, capsys):
    with pytest.raises(SystemExit) as ended:
        main([*call, "--lang", lang] if call != ["sample", "--seed"] else ["--lang", lang, *call])
    assert ended.value.code == 1
    said = capsys.readouterr().err.splitlines()[-1]
    assert said.startswith(i18n.t("cli.error", lang))
    english = re.findall(
        r"\b(argument|arguments|invalid|choose|from|required|unrecognized|expected|value)\b", said
    )
    assert not english, said


def test_named_periods_are_the_last_complete_ones():
    today = dt.date(2025, 1, 1)  # a Wednesday
    assert period("last-week", today) == (dt.date(2024, 12, 23), dt.date(2024, 12, 29))
    assert period("last-month", today) == (dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    assert period("last-quarter", today) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert period("last-quarter", dt.date(2025, 5, 20)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 31),
    )
    assert period("last-year", today) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


# -- subprocess, on SQLite and PostgreSQL ----------------------------------------------------


def test_sample_load_and_report_equal_the_apps(store_config, tmp_path):
    mapping = _mapping(SAMPLE, tmp_path)
    loaded = ilp(store_config, "load", str(SAMPLE), "--mapping", mapping)
    assert loaded.returncode == 0, loaded.stderr
    assert "Rows read: 100,000; accepted: 100,000; rejected: 0." in loaded.stdout
    assert "version 1" in loaded.stdout
    assert "Storing the new version" in loaded.stderr  # progress on stderr, results on stdout
    # the same file through the library gives the same stored incidents
    store = open_store(store_config)
    [info] = store.list_datasets(Actor.local())
    [version] = store.list_versions(Actor.local(), info.id)
    raw = ingest.read_table(SAMPLE.read_bytes(), SAMPLE.name)
    built = ingest.build_incidents(
        raw, ingest.ColumnMapping.from_json(Path(mapping).read_text(encoding="utf-8"))
    )
    app = Dataset(name=SAMPLE.name, incidents=built.incidents, report=built.report,
                  rejects=built.rejects, offence_classes=built.offence_classes)  # fmt: skip
    assert (info.name, version.fingerprint, version.rows) == (SAMPLE.name, app.fingerprint, 100_000)
    store.close()

    assessment = _assessment(tmp_path)
    out = tmp_path / "assessment.html"
    args = ["report", "--dataset", SAMPLE.name, "--period", RANGE, "--assessment", assessment,
            "--format", "html", "--out", str(out), "--lang", "fr"]  # fmt: skip
    made = ilp(store_config, *args)
    assert made.returncode == 0, made.stderr
    assert "Rapport écrit" in made.stdout
    assert "Traceback" not in made.stderr
    expected = _app_report(SAMPLE, mapping, assessment, "fr", "2025-01-01", "2025-06-30")
    assert _same_ids(out.read_text(encoding="utf-8")) == _same_ids(expected)

    again = ilp(store_config, *args)
    assert again.returncode == 5
    assert "--force" in again.stderr
    assert _same_ids(out.read_text(encoding="utf-8")) == _same_ids(expected)  # left as it was
    assert ilp(store_config, *args, "--force").returncode == 0

    rows = _audit(store_config)
    actions = rows.sort_values("id")[["action", "object_type"]].apply(tuple, axis=1).tolist()
    assert actions.count(("load", "dataset")) == 1
    assert actions.count(("open", "dataset")) == 2  # each report opens the dataset
    exports = rows[rows["action"] == "export"]
    assert len(exports) == 2 and set(exports["object_id"]) == {info.id}
    assert json.loads(exports["details"].iloc[0])["product"] == "report"


def test_pdf_report_of_the_sample(tmp_path):
    from ilp_core.store import config_from_env

    store_config = config_from_env({"ILP_DATA_DIR": str(tmp_path)})  # no database in the PDF path
    mapping = _mapping(SAMPLE, tmp_path)
    assert (
        ilp(store_config, "load", str(SAMPLE), "--mapping", mapping, "--dataset", "S").returncode
        == 0
    )
    out = tmp_path / "a.pdf"
    made = ilp(store_config, "report", "--dataset", "S", "--period", RANGE, "--format", "pdf",
               "--wider-release", "--out", str(out), "--lang", "ru")  # fmt: skip
    assert made.returncode == 0, made.stderr
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(out).pages[:2])
    assert out.read_bytes()[:5] == b"%PDF-"
    assert "Стратегическая" in text or "стратегическ" in text.lower()


def test_real_layout_export_needs_its_classification(store_config, tmp_path):
    export = FIXTURES / "ru_cp1251.csv"
    classes = _all_classes(export)
    partial = dict(list(classes.items())[:-1])  # the analyst left one label out
    needs = ilp(store_config, "load", str(export), "--mapping",
                _mapping(export, tmp_path, classes=partial), "--lang", "ru")  # fmt: skip
    assert needs.returncode == 2
    missing = list(classes)[-1]
    assert "нет класса" in needs.stderr and missing in needs.stderr
    assert _audit(store_config, action="load").empty  # nothing half-loaded
    store = open_store(store_config)
    assert store.list_datasets(Actor.local()) == []
    store.close()

    full = _mapping(export, tmp_path, classes=classes)
    done = ilp(store_config, "load", str(export), "--mapping", full, "--dataset", "Москва",
               "--lang", "ru")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Прочитано строк: 220" in done.stdout
    again = ilp(store_config, "load", str(export), "--mapping",
                _mapping(export, tmp_path, classes=classes), "--dataset", "Москва")  # fmt: skip
    assert again.returncode == 0 and "version 2" in again.stdout
    store = open_store(store_config)
    [info] = store.list_datasets(Actor.local())
    opened = store.open_dataset(Actor.local(), info.id)
    store.close()
    assert info.versions == 2
    assert opened.privacy_actions == ("pseudonymise:Адрес",)
    assert not opened.dataset.incidents["location_id"].str.contains("ул.").any()
    assert opened.classification == {**dict.fromkeys(opened.classification), **classes}


def test_administrators_jobs_are_audited(store_config, tmp_path):
    added = ilp(store_config, "users", "add", "kc|7", "--name", "Kim", "--roles", "analyst")
    assert added.returncode == 0, added.stderr
    assert "kc|7" in ilp(store_config, "users", "list").stdout
    # an analyst may not purge nor read the audit: 4, and nothing is written
    refused = ilp(store_config, "purge", user="kc|7")
    assert refused.returncode == 4
    assert ilp(store_config, "purge", user="nobody").returncode == 4  # unknown user
    assert ilp(store_config, "users", "role", "kc|7", "--roles", "analyst,manager").returncode == 0
    assert ilp(store_config, "users", "add", "kc|7").returncode == 3  # exists already

    # a dataset named like a formula, loaded by the analyst
    export = FIXTURES / "police_uk_month.csv"
    name = '=HYPERLINK("http://x")'
    loaded = ilp(store_config, "load", str(export), "--mapping", _mapping(export, tmp_path),
                 "--dataset", name, "--allow-unclassified", user="kc|7")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    purged = ilp(store_config, "purge")
    assert purged.returncode == 0 and "Removed 0 datasets" in purged.stdout
    store = open_store(store_config)  # the dataset's retention date passes
    [info] = store.list_datasets(Actor.local())
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    store.set_retention(Actor.local(), info.id, past)
    store.close()
    purged = ilp(store_config, "purge", "--lang", "fr")
    assert purged.returncode == 0 and "Supprimés : 1 jeux de données" in purged.stdout
    gone = _audit(store_config, action="purge")
    assert list(gone["object_id"]) == [info.id]
    assert json.loads(gone["details"].iloc[0])["reason"] == "retention"

    out = tmp_path / "audit.csv"
    today = dt.date.today().isoformat()
    assert ilp(store_config, "audit", "--since", today, "--out", str(out)).returncode == 0
    assert ilp(store_config, "audit", "--since", today, "--out", str(out)).returncode == 5
    assert ilp(store_config, "audit", "--since", "31/12/2024", "--out", "x.csv").returncode == 1
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    seen = {(r["actor"], r["action"]) for r in rows}
    assert {("local", "users"), ("kc|7", "load")} <= seen
    load = next(r for r in rows if r["action"] == "load")
    assert not load["details"].startswith("=") and "HYPERLINK" in load["details"]
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values() if v)
    # the export of the audit is itself audited
    assert not _audit(store_config, action="export", object_type="audit").empty


# -- subprocess, SQLite only: every real layout, refusals, the sample command ------------------


@pytest.mark.parametrize("name", ["fr_latin1.csv", "es_export.csv", "police_uk_month.csv"])
def test_real_layouts_load_with_their_classification(name, tmp_path):
    from ilp_core.store import config_from_env

    config = config_from_env({"ILP_DATA_DIR": str(tmp_path)})
    export = FIXTURES / name
    mapping = _mapping(export, tmp_path, classes=_all_classes(export))
    done = ilp(config, "load", str(export), "--mapping", mapping)
    assert done.returncode == 0, done.stderr
    raw = ingest.read_table(export)
    built = ingest.build_incidents(
        raw, ingest.ColumnMapping.from_json(Path(mapping).read_text(encoding="utf-8"))
    )
    report_ = built.report
    counts = f"Rows read: {report_.rows_read:,}; accepted: {report_.accepted:,}; "
    assert counts in done.stdout
    assert report_.accepted + report_.rejected == report_.rows_read == len(raw.frame)


def test_open_questions_and_refusals(tmp_path):
    from ilp_core.store import config_from_env

    config = config_from_env({"ILP_DATA_DIR": str(tmp_path)})
    export = tmp_path / "dates.csv"
    export.write_text("Date,Crime\n03/04/2024,Theft\n05/06/2024,Theft\n", encoding="utf-8")
    mapping = _mapping(export, tmp_path, classes={"Theft": "0502"})
    asked = ilp(config, "load", str(export), "--mapping", mapping, "--lang", "fr")
    assert asked.returncode == 2
    assert "Question ouverte" in asked.stderr and "dmy, mdy" in asked.stderr
    answered = _mapping(export, tmp_path, classes={"Theft": "0502"}, date_order="dmy")
    assert ilp(config, "load", str(export), "--mapping", answered).returncode == 0

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    refused = ilp(config, "load", str(export), "--mapping", str(broken))
    assert refused.returncode == 3 and "Traceback" not in refused.stderr
    missing = ilp(config, "load", str(tmp_path / "none.csv"), "--mapping", answered)
    assert missing.returncode == 4 and "none.csv" in missing.stderr
    report_out = tmp_path / "r.html"
    nothing = ilp(config, "report", "--dataset", "absent", "--out", str(report_out))
    assert nothing.returncode == 4 and not report_out.exists()


def test_unreachable_database_exits_4(tmp_path):
    from ilp_core.store import StoreConfig

    config = StoreConfig(url="postgresql://ilp:secret@127.0.0.1:9/ilp", data_dir=tmp_path)
    ended = ilp(config, "purge", "--lang", "es")
    assert ended.returncode == 4
    assert "127.0.0.1" in ended.stderr and "secret" not in ended.stderr
    assert "Traceback" not in ended.stderr


def test_sample_command_regenerates_the_region(tmp_path):
    from ilp_core.store import config_from_env

    config = config_from_env({"ILP_DATA_DIR": str(tmp_path)})
    out = tmp_path / "region"
    made = ilp(config, "sample", "--out", str(out), "--incidents", "20000", "--seed", "7")
    assert made.returncode == 0, made.stderr
    first = (out / "incidents.csv").read_bytes()
    assert first.count(b"\n") == 20_001
    assert ilp(config, "sample", "--out", str(out), "--incidents", "20000").returncode == 5
    again = ilp(config, "sample", "--out", str(out), "--incidents", "20000", "--seed", "7",
                "--force")  # fmt: skip
    assert again.returncode == 0 and (out / "incidents.csv").read_bytes() == first


def test_districts_and_a_saved_session(tmp_path):
    """A load with boundaries, then a report from the app's saved-session file (its view kept)."""
    from ilp_core.store import config_from_env

    config = config_from_env({"ILP_DATA_DIR": str(tmp_path)})
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    export = tmp_path / "north.csv"
    export.write_text("".join(lines[:5001]), encoding="utf-8")
    districts = SAMPLE_DIR / "districts.geojson"
    loaded = ilp(config, "load", str(export), "--mapping", _mapping(export, tmp_path),
                 "--districts", str(districts), "--dataset", "North")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    store = open_store(config)
    [info] = store.list_datasets(Actor.local())
    data = store.open_dataset(Actor.local(), info.id).dataset
    store.close()
    assert data.districts is not None and len(data.districts) == len(
        ingest.load_boundaries(districts.read_bytes(), districts.name)
    )
    session = workspace.make_workspace(
        fingerprint=data.fingerprint, dataset="North",
        view={"start": "2024-01-01", "end": "2024-01-31", "offences": []},
    )  # fmt: skip
    saved = tmp_path / "session.json"
    saved.write_text(session.to_json(), encoding="utf-8")
    out = tmp_path / "north.html"
    made = ilp(config, "report", "--dataset", "North", "--assessment", str(saved),
               "--sections", "data,findings", "--out", str(out))  # fmt: skip
    assert made.returncode == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    assert "Jan 31, 2024" in html  # the saved view's period
    bad = ilp(config, "report", "--dataset", "North", "--sections", "data,gossip",
              "--out", str(tmp_path / "x.html"))  # fmt: skip
    assert bad.returncode == 3 and "gossip" in bad.stderr
