"""The shared workspace in the app: the store, who is acting, their datasets, drafts and logs.

One :class:`ilp_core.store.Store` serves every session of a process (a cached
resource: it holds no session's state). Each session acts as one
:class:`~ilp_core.store.Actor`:

- with ``[auth]`` in ``.streamlit/secrets.toml``, the user logged in through
  Streamlit's OpenID Connect (``st.login``, ``st.user``); before logging in, a
  visitor sees the sample region only (workshop participants need no account);
- without it, the single user of a local installation (``Actor.local``), labelled
  in the sidebar.

When the database cannot be reached the sidebar says so in the user's language and
the app goes on with the sample region (nothing is saved).

Keys in ``st.session_state`` (set here; pages only read them):

``ilp.actor``           the session's Actor, or ``None`` (nobody logged in, no store)
``ilp.identity``        who the actor was made for (a new login starts a new one)
``ilp.store_error``     the :class:`IlpInputError` met opening the store
``ilp.dataset_id``      the stored dataset open in this session (``""``: the sample)
``ilp.shared_versions`` ``{record kind: version}`` the session's shared tables started from
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAuthError

from ilp_core import i18n, markup
from ilp_core.data.dataset import Dataset
from ilp_core.data.ingest import ColumnMapping
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence, strategy, workspace
from ilp_core.store import (
    ROLES,
    Actor,
    Share,
    Store,
    StoreConfig,
    body_table,
    config_from_env,
    open_store,
    table_body,
)
from ui import state
from ui.state import tr

log = logging.getLogger(__name__)

ACTOR: Final[str] = "ilp.actor"
IDENTITY: Final[str] = "ilp.identity"
STORE_ERROR: Final[str] = "ilp.store_error"
DATASET_ID: Final[str] = "ilp.dataset_id"
VERSIONS: Final[str] = "ilp.shared_versions"
PRIVACY_ACTIONS: Final[str] = "ilp.privacy_actions"
#: The record kinds edited together by everyone who sees a dataset (version-checked).
SHARED_KINDS: Final[tuple[str, ...]] = ("intel_log", "requirements")
#: Name of the session's draft (one per user): what a reload must not lose.
DRAFT_NAME: Final[str] = "session"
#: Seconds before a session tries an unreachable database again.
RETRY_SECONDS: Final[float] = 60.0
_PICK = "ilp.dataset_pick"  # the selector's key: always shows ``ilp.dataset_id``
_REQUEST = "ilp.dataset_request"  # the dataset the user picked in it, opened at the next run
_DRAFT_DIGEST = "ilp.draft_digest"
_ERROR_AT = "ilp.store_error_at"
#: The library's check of each product table, applied to whatever the store hands back.
_CHECKS: dict[str, Any] = {
    "intel_log": lambda frame: intelligence.validate_log(frame).log,
    "requirements": strategy.check_requirements,
    "strategy": strategy.check_strategy,
    "pestel": strategy.check_pestel,
    "swot": strategy.check_swot,
}


# -- the store -------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _open(key: str, _config: StoreConfig) -> Store:  # noqa: ARG001 (the cache's key)
    # One per process and configuration (``key`` names it without the password). Opening
    # also runs the retention purge: datasets past their date go, the audit keeps the fact.
    opened = open_store(_config)
    with contextlib.suppress(IlpInputError):
        opened.purge(Actor.system())
    return opened


def store() -> Store | None:
    """The process's store, or ``None`` when it cannot be opened (the error is kept)."""
    session = st.session_state
    if session.get(STORE_ERROR) is not None:
        if time.monotonic() - session.get(_ERROR_AT, 0.0) < RETRY_SECONDS:
            return None
        session.pop(STORE_ERROR, None)
    try:
        config = config_from_env()
        key = "|".join(
            map(str, (config.url, config.data_dir, config.retention_days, config.admins,
                      config.default_roles))
        )  # fmt: skip
        return _open(hashlib.sha256(key.encode()).hexdigest(), config)
    except IlpInputError as error:
        session[STORE_ERROR] = error
        session[_ERROR_AT] = time.monotonic()
        return None


def actor() -> Actor | None:
    """The session's actor (``None``: no store, or nobody logged in)."""
    return st.session_state.get(ACTOR)


def is_admin() -> bool:
    """The session may see the administrators' pages (an administrator, or local mode)."""
    who = actor()
    return who is not None and who.is_admin


def administrator(refusal: str) -> tuple[Store, Actor]:
    """The store and the acting administrator; anyone else is shown ``refusal`` (page stopped)."""
    s, who = store(), actor()
    if s is None or who is None or not who.is_admin:
        st.error(tr(refusal), icon=":material/lock:")
        st.stop()
    return s, who


def _guard(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a store call; an IlpInputError (unreachable, forbidden, conflict) becomes a message."""
    try:
        return func(*args, **kwargs)
    except IlpInputError as error:
        st.error(error.render(state.lang(), escape=markup.markdown), icon=":material/error:")
        return None


# -- who is acting ---------------------------------------------------------------------


def auth_configured() -> bool:
    """An ``[auth]`` section is in the app's secrets (OpenID Connect login)."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except (FileNotFoundError, OSError):
        return False


def auth_problems(auth: Mapping[str, Any]) -> list[str]:
    """The keys missing from the ``[auth]`` secrets (empty: complete), for a clear message.

    Examples
    --------
    >>> auth_problems({"redirect_uri": "http://x/oauth2callback", "cookie_secret": "s"})
    ['client_id', 'client_secret', 'server_metadata_url']
    >>> auth_problems({"redirect_uri": "http://x", "cookie_secret": "s",
    ...                "kc": {"client_id": "a", "client_secret": "b"}})
    ['redirect_uri (…/oauth2callback)', 'kc.server_metadata_url']
    """
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    if auth.get("redirect_uri") and not str(auth["redirect_uri"]).endswith("/oauth2callback"):
        missing.append("redirect_uri (…/oauth2callback)")
    needed = ("client_id", "client_secret", "server_metadata_url")
    providers = {k: v for k, v in auth.items() if isinstance(v, Mapping)}
    if not providers:
        return missing + [k for k in needed if not auth.get(k)]
    for name, section in providers.items():
        missing += [f"{name}.{k}" for k in needed if not section.get(k)]
    return missing


def _provider(auth: Mapping[str, Any]) -> str | None:
    named = [k for k, v in auth.items() if isinstance(v, Mapping)]
    return named[0] if named else None


def _identity() -> tuple[str, ...] | None:
    """Who this run is for: ("local",), ("user", subject), or None (not logged in)."""
    if not auth_configured():
        return ("local",)
    if getattr(st.user, "is_logged_in", False):
        return ("user", str(st.user.get("sub") or st.user.get("email") or ""))
    return None


def _claimed_roles() -> list[str] | None:
    value = st.user.get("roles")
    if value is None:
        return None  # the roles an administrator assigned stay
    names = [value] if isinstance(value, str) else list(value)
    return [str(r) for r in names if str(r) in ROLES]


@st.cache_resource(show_spinner=False)
def _warm_up() -> subprocess.Popen[bytes] | None:
    """Once per server: compile the analyses' kernels into numba's disk cache, aside.

    The Knox test, the hot spots' binning and the weekly rhythm compile them at their
    first run on a new installation. A separate process compiles them at start, on the other core
    and outside this server's lock on Python (a thread doing it here slowed the
    first user's clicks for 20 s: the shared upload check saw the load unfinished);
    the server then loads them from the disk cache.
    """
    code = "from ilp_core.analysis import hotspots, near_repeat, temporal\n"
    code += "hotspots.warm_up()\nnear_repeat.warm_up()\ntemporal.warm_up()\n"
    try:
        return subprocess.Popen(  # this interpreter, fixed code
            [sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except OSError:  # an optimisation only: the first analysis compiles instead
        log.warning("warm-up of the compiled analyses could not start", exc_info=True)
        return None


#: Seconds :func:`preload` waits for the warm-up process (it takes 2-3 s when the
#: kernels are on disk: Python, the library's imports, loading them).
PRELOAD_WAIT: Final[float] = 5.0


@st.cache_resource(show_spinner=False)
def preload() -> float:
    """Once per server, after its first page is shown: import what the maps need.

    A server's first hot-spot map imported PySAL (1.0 s, with scikit-learn) and
    numba, and loaded the compiled kernels (0.4 s): 1.5 of the Where page's 4 s at
    10 million incidents. app.py calls this after the first run's page, in that
    run's own thread (importing beside other sessions' imports in a thread of its
    own raced them), so the first visitor's first page is drawn before it. The
    kernels are loaded once the warm-up process has them on disk, waiting for it
    :data:`PRELOAD_WAIT` seconds at most (a new installation compiles for longer:
    the first map then loads them; two processes would compile them twice). Returns
    the seconds it took.
    """
    began = time.perf_counter()
    try:
        import esda  # noqa: F401
        import libpysal  # noqa: F401

        from ilp_core.analysis import hotspots, near_repeat, temporal
        from ilp_core.decide import harm

        harm.harm_table()  # the bundled weights, parsed once (0.18 s of a first Priorities page)

        process = _warm_up()
        with contextlib.suppress(subprocess.TimeoutExpired):
            if process is None or process.wait(timeout=PRELOAD_WAIT) is not None:
                hotspots.warm_up()
                near_repeat.warm_up()
                temporal.warm_up()
    except Exception:  # an optimisation only: the first map imports them
        log.warning("the analyses could not be preloaded", exc_info=True)
    return time.perf_counter() - began


def start() -> None:
    """app.py, each run before the navigation: open the store and know who is acting.

    At the first run of a session (and after a login) the login is recorded and the
    user's draft restored, so a reload, a new tab, a restarted server or another
    browser of the same user continues where they left off. A login refused or not
    reached is tried again at the next run.

    Streamlit stops a run the user replaced by a click wherever the run reads or
    writes the session state; the identity is written last, so a start stopped
    half-way (the login done, the draft not yet restored) starts over at the next run
    instead of leaving the session without its user or its dataset.
    """
    _warm_up()
    session = st.session_state
    session.setdefault(DATASET_ID, "")
    s = store()
    who = _identity() if s is not None else None
    if who == session.get(IDENTITY) and ACTOR in session:
        return
    session[ACTOR] = None
    if s is None or who is None:
        session[IDENTITY] = who
        return
    if who[0] == "local":
        acting = _guard(s.login_local)
    else:
        acting = _guard(
            s.login,
            who[1],
            name=str(st.user.get("name") or ""),
            email=str(st.user.get("email") or ""),
            roles=_claimed_roles(),
            unit=st.user.get("unit"),
        )
    if acting is None:
        return  # the message is shown; the next run tries again
    session[ACTOR] = acting
    _restore_draft(s, acting)
    session[IDENTITY] = who


# -- the sidebar -----------------------------------------------------------------------


def sidebar() -> bool:
    """Who is acting, the store's state, and the stored datasets the user may open.

    Returns True when the dataset selector was drawn (the store serves this session).
    """
    s, who = store(), actor()
    error = st.session_state.get(STORE_ERROR)
    if error is not None:
        st.warning(error.render(state.lang(), escape=markup.markdown), icon=":material/cloud_off:")
        return False
    _login_box(who)
    if s is None or who is None:
        return False
    infos = _guard(s.list_datasets, who) or []
    names = {i.id: i.name for i in infos}
    session = st.session_state
    request = session.get(_REQUEST)
    if request is not None and request != session.get(DATASET_ID, ""):
        _activate(s, who, request if request in names else "")
    session.pop(_REQUEST, None)  # only now: a run stopped in the opening opens it at the next
    if session.get(DATASET_ID, "") not in ("", *names):  # deleted, or no longer shared
        _activate(s, who, "")
    # The selector shows the open dataset, whatever the client sent: a browser that lost
    # its widget states (or a test client) must not switch the dataset back.
    pick = session[_PICK] = session.get(DATASET_ID, "")
    sample = tr("app.sample_name")
    st.selectbox(
        tr("shared.dataset"),
        options=["", *names],
        format_func=lambda i: names.get(i, sample),
        key=_PICK,
        on_change=_picked,
        help=tr("shared.dataset_help"),
    )
    info = next((i for i in infos if i.id == pick), None)
    if info is not None:  # the name in full (a select box cuts a long file name)
        st.caption(
            tr(
                "shared.dataset_open",
                name=markup.markdown(info.name),
                version=info.latest_version,
                versions=info.versions,
                rows=i18n.number(info.rows, state.lang()),
            )
        )
        _manage(s, who, info)
    return True


def _picked() -> None:
    st.session_state[_REQUEST] = st.session_state.get(_PICK, "")


def _login_box(who: Actor | None) -> None:
    if not auth_configured():
        st.caption(tr("shared.local_mode"), help=tr("shared.local_mode_help"))
        return
    auth = st.secrets.get("auth", {})
    missing = auth_problems(auth)
    if missing:
        st.error(tr("shared.auth_broken", keys=", ".join(missing)), icon=":material/key_off:")
        return
    if who is None:
        st.caption(tr("shared.logged_out"))
        if st.button(tr("shared.login"), key="shared.login", icon=":material/login:"):
            try:
                provider = _provider(auth)
                if provider:
                    st.login(provider)
                else:
                    st.login()
            except StreamlitAuthError as error:
                st.error(tr("shared.auth_failed", reason=markup.markdown(str(error)[:300])))
        return
    roles = ", ".join(tr(f"shared.role.{r}") for r in sorted(who.roles)) or tr("shared.no_role")
    st.caption(tr("shared.logged_in", name=markup.markdown(who.name or who.id), roles=roles))
    if st.button(tr("shared.logout"), key="shared.logout", icon=":material/logout:"):
        st.logout()


def _manage(s: Store, who: Actor, info: Any) -> None:
    """Share and delete the open dataset (its owner or an administrator)."""
    if not (who.is_admin or who.id == info.owner):
        return
    with st.expander(tr("shared.manage")):
        current = [f"{sh.kind}:{sh.value}" for sh in info.shares]
        st.caption(tr("shared.shared_with", shares=markup.markdown(", ".join(current)) or "—"))
        roles = st.multiselect(
            tr("shared.share_roles"),
            options=["analyst", "manager", "administrator"],
            default=[sh.value for sh in info.shares if sh.kind == "role"],
            format_func=state.label("shared.role."),
            key=f"shared.roles.{info.id}",
        )
        if st.button(tr("shared.share_button"), key=f"shared.share.{info.id}"):
            kept = [sh for sh in info.shares if sh.kind != "role"]
            done = _guard(
                s.share_dataset, who, info.id, [*kept, *(Share("role", r) for r in roles)],
                replace=True,
            )  # fmt: skip
            if done is not None:
                st.rerun()
        confirm = st.checkbox(tr("shared.delete_confirm"), key=f"shared.delete_ok.{info.id}")
        clicked = st.button(
            tr("shared.delete_button"), key=f"shared.delete.{info.id}", disabled=not confirm
        )
        if clicked:
            _guard(s.delete_dataset, who, info.id)
            if not _exists(s, who, info.id):
                _activate(s, who, "")
                st.rerun()


def _exists(s: Store, who: Actor, dataset_id: str) -> bool:
    return any(i.id == dataset_id for i in (_guard(s.list_datasets, who) or []))


def _activate(s: Store, who: Actor, dataset_id: str) -> None:
    """Make a stored dataset (or the sample region, ``""``) the session's dataset."""
    session = st.session_state
    session[VERSIONS] = {}
    if not dataset_id:
        session[DATASET_ID] = ""
        session[state.SOURCE] = "sample"
        session.pop(state.UPLOAD, None)
        return
    opened = _guard(s.open_dataset, who, dataset_id)
    if opened is None:
        session[DATASET_ID] = ""
        return
    data = opened.dataset
    if opened.classification is not None:  # the wrapper only: the frames stay shared
        data = Dataset(**{**_fields(data), "offence_classes": opened.classification})
    state.set_upload(data)
    session[DATASET_ID] = dataset_id
    session[PRIVACY_ACTIONS] = list(opened.privacy_actions)
    for kind in SHARED_KINDS:
        _take_shared(s, who, kind, dataset_id)


def _fields(data: Dataset) -> dict[str, Any]:
    names = ("name", "incidents", "districts", "allocation", "report", "rejects", "is_sample",
             "offence_classes", "fingerprint")  # fmt: skip
    return {n: getattr(data, n) for n in names}


# -- loading on the Data page ----------------------------------------------------------


def load(data: Dataset, mapping: ColumnMapping | None = None) -> bool:
    """The Data page's load: stored as a new dataset version, then opened.

    Its personal columns were already dropped or pseudonymised (``ilp.privacy_actions``
    records which). Kept in memory only when the store cannot be reached. Returns False
    (with a message) when it was refused.
    """
    s, who = store(), actor()
    if s is None:
        state.set_upload(data)
        return True
    if who is None:
        st.error(tr("shared.login_to_load"), icon=":material/login:")
        return False
    version = _guard(
        s.save_dataset, who, data, mapping=mapping, classification=data.offence_classes,
        privacy_actions=st.session_state.get(PRIVACY_ACTIONS, ()),
    )  # fmt: skip
    if version is None:
        return False
    # asked of the sidebar too: a run stopped in the opening opens it at the next
    st.session_state[_REQUEST] = version.dataset_id
    _activate(s, who, version.dataset_id)
    save_draft()  # the new dataset is the one a reload comes back to, whatever happens next
    return True


# -- downloads in the audit trail ------------------------------------------------------


def audit_download(stem: str) -> Any:
    """A function recording, when called, that this session downloaded ``stem``.

    Made during the run (it keeps the store, the actor and the dataset), called when the
    user clicks a download button: the click runs outside the page's script.
    """
    s, who = store(), actor()
    dataset_id = st.session_state.get(DATASET_ID) or ""

    def record() -> None:
        if s is None or who is None:
            return
        kind = "dataset" if dataset_id else "session"
        # the download itself must not fail because the database is away
        with contextlib.suppress(IlpInputError):
            s.audit_event(who, "export", kind, dataset_id or who.id, {"file": str(stem)[:200]})

    return record


# -- the shared intelligence log and requirements --------------------------------------


def _take_shared(s: Store, who: Actor, kind: str, dataset_id: str) -> None:
    record = _guard(s.get_record, who, kind, dataset_id=dataset_id)
    if record is None:
        st.session_state.setdefault(VERSIONS, {})[kind] = 0
        return
    frame = _guard(_CHECKS[kind], body_table(record.body))
    if frame is not None:
        st.session_state[workspace.TABLES[kind]] = frame
    st.session_state.setdefault(VERSIONS, {})[kind] = record.info.version


def shared_table_panel(kind: str) -> None:
    """Save the session's ``kind`` table to the dataset's shared record, or take the shared one.

    The save is refused when someone saved since this session took its copy (version
    check): the user is told who and when, and nothing of theirs is lost (their table
    stays in the session and in their draft).
    """
    s, who = store(), actor()
    dataset_id = st.session_state.get(DATASET_ID) or ""
    if s is None or who is None or not dataset_id:
        st.caption(tr("shared.table_not_shared"))
        return
    version = st.session_state.setdefault(VERSIONS, {}).get(kind, 0)
    st.caption(tr("shared.table_shared", version=version))
    left, right = st.columns(2)
    if who.may("edit") and left.button(
        tr("shared.save_table"), key=f"shared.save.{kind}", icon=":material/cloud_upload:"
    ):
        frame = st.session_state.get(workspace.TABLES[kind])
        if isinstance(frame, pd.DataFrame):
            info = _guard(
                s.save_record, who, kind, body=table_body(frame), dataset_id=dataset_id,
                expected_version=version,
            )  # fmt: skip
            if info is not None:
                st.session_state[VERSIONS][kind] = info.version
                st.success(tr("shared.table_saved", version=info.version))
    if right.button(tr("shared.take_table"), key=f"shared.take.{kind}", icon=":material/sync:"):
        _take_shared(s, who, kind, dataset_id)
        st.rerun()


# -- drafts ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        items = [_plain(v) for v in value]
        kept = all(i is not None or v is None for i, v in zip(items, value, strict=True))
        return items if kept else None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return None


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    return value


def _draft_body() -> dict[str, Any]:
    session = st.session_state
    widgets = {}
    for key in list(session.keys()):
        if isinstance(key, str) and key.startswith(state.PERSIST_PREFIX):
            plain = _plain(session[key])
            if plain is not None:
                widgets[key] = plain
    tables = {
        name: table_body(session[key])
        for name, key in workspace.TABLES.items()
        if isinstance(session.get(key), pd.DataFrame)
    }
    return {
        "dataset_id": session.get(DATASET_ID) or "",
        "lang": state.lang(),
        "period": _plain(session.get(state.PERIOD)),
        "offences": _plain(list(session.get(state.OFFENCES) or [])),
        "tables": tables,
        "versions": dict(session.get(VERSIONS) or {}),
        "widgets": widgets,
    }


def save_draft() -> None:
    """app.py, after the page ran: keep the session's unsaved work as the user's draft.

    Written only when it changed since the last run (a digest), so a rerun that changed
    nothing costs no write.
    """
    s, who = store(), actor()
    if s is None or who is None:
        return
    body = _draft_body()
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if st.session_state.get(_DRAFT_DIGEST) == digest:
        return
    try:
        s.save_draft(who, body, dataset_id=None, name=DRAFT_NAME)
    except IlpInputError:
        return  # the database went away: the sidebar says so at the next run
    st.session_state[_DRAFT_DIGEST] = digest


def _restore_draft(s: Store, who: Actor) -> None:
    body = _guard(s.load_draft, who, dataset_id=None, name=DRAFT_NAME)
    if not isinstance(body, dict):
        return
    session = st.session_state
    if body.get("lang") and state.LANG not in session:
        session[state.LANG] = body["lang"]
    dataset_id = str(body.get("dataset_id") or "")
    if dataset_id and _exists(s, who, dataset_id):
        _activate(s, who, dataset_id)
    for key, value in (body.get("widgets") or {}).items():
        if isinstance(key, str) and key.startswith(state.PERSIST_PREFIX):
            session[key] = _unplain(value)
    for name, table in (body.get("tables") or {}).items():
        if name in workspace.TABLES:
            try:
                session[workspace.TABLES[name]] = _CHECKS[name](body_table(table))
            except IlpInputError:
                continue  # a table the library no longer accepts: the page starts it empty
    if session.get(DATASET_ID):
        session[VERSIONS] = {k: int(v) for k, v in (body.get("versions") or {}).items()}
        period = _unplain(body.get("period"))
        if isinstance(period, list) and period:
            session[state.PERIOD] = tuple(period)
        session[state.OFFENCES] = list(body.get("offences") or [])
    session[_DRAFT_DIGEST] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
