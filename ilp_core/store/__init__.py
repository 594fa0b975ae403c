"""The shared ILP workspace: datasets, saved work, users, workshop rooms and the audit trail.

Every browser session of every app process reads and writes one database, the
system of record, so an analyst's load is opened by a manager on another browser,
work survives a reload or a restart, and who consulted or changed what is logged
(EU Law Enforcement Directive, Article 25; Council of Europe Recommendation
R(87)15). A :class:`Store` comes from :func:`open_store`; each of its methods takes
the :class:`Actor` it acts for::

    store = open_store()                      # from the environment, migrated
    me = store.login(sub, name=..., email=..., roles=...)   # or store.login_local()
    v = store.save_dataset(me, dataset, mapping=..., privacy_actions=...)
    opened = store.open_dataset(me, v.dataset_id)            # -> StoredDataset
    log = store.get_record(me, "intel_log", dataset_id=v.dataset_id)
    store.save_record(me, "intel_log", body=table_body(frame), dataset_id=v.dataset_id,
                      expected_version=0 if log is None else log.info.version)

Configuration (:func:`config_from_env`, one :class:`StoreConfig`)
-----------------------------------------------------------------
``ILP_DATABASE_URL``
    A PostgreSQL server, ``postgresql://user:password@host:5432/ilp`` (the psycopg
    driver is used). Unset: the embedded SQLite database, nothing to set up.
``ILP_DATA_DIR``
    Folder of the embedded database (``ilp.sqlite3``) and of the cache of
    memory-mapped incident tables (``cache/``); default: the user's data folder
    (``platformdirs.user_data_dir("ilp-dashboard")``).
``ILP_RETENTION_DAYS``
    Days a dataset is kept after its last load (365).
``ILP_ROOM_DAYS``
    Days a workshop room and its answers are kept (2), then purged.
``ILP_ADMINS``, ``ILP_DEFAULT_ROLES``
    Comma-separated subjects or e-mails made administrators at login; roles of a
    new user (none: the sample region only).

Who may do what (:mod:`ilp_core/config/roles.yaml`)
---------------------------------------------------
Roles ``analyst`` (load, edit), ``manager`` (open, decide, export), ``trainer``
(rooms), ``participant`` (own answers), ``administrator`` (users, retention,
audit; sees every dataset). A dataset is visible to its owner, to the roles,
units and users it is shared with (:class:`Share`), and to administrators; any
other actor gets ``store.forbidden``. Without login the app acts as
:meth:`Actor.local`, which holds every role.

Tables
------
=================  ===========================================================
``users``          subject, name, e-mail, roles (JSON), unit, created, last login
``datasets``       id, name, description, owner, unit, created, retention_until,
                   deleted_at (set while its removal is under way)
``dataset_versions``  one row per load, never changed: number, created (by),
                   row and reject counts, fingerprint, mapping, classification
                   and quality report (JSON), privacy actions, districts
                   (GeoJSON), current allocation (Parquet)
``dataset_chunks`` the incidents and the rejected rows of a version, each as one
                   Parquet file (zstd, pandas dtypes kept) cut into 8 MiB rows:
                   the same bytes on SQLite and PostgreSQL
``dataset_shares`` dataset, kind (role, unit, user), value
``records``        saved work, one per (kind, dataset, name): ``assessment``,
                   ``intel_log``, ``requirements``, ``strategy``, ``pestel``,
                   ``swot``, ``scenario``, ``report`` (bytes), ``workspace``,
                   ``draft`` (the owner's own); body JSON or bytes; ``version``
                   for optimistic locking
``rooms``, ``room_members``, ``room_answers``  workshop rooms: code, name,
                   trainer, language, steps, open and revealed steps, resets,
                   expiry; anonymous members (hash of their token); answers per
                   member and step, with whether the author shows their nickname
``audit``          id, at, actor, roles, unit, action, object type and id,
                   details (JSON): append-only, enforced by database triggers
=================  ===========================================================

The schema is created and upgraded by the Alembic migrations shipped in
``ilp_core/store/migrations`` when the store opens. A version is written in one
transaction (a killed process leaves no half version); its incidents are then
read through one memory-mapped Arrow file per machine, shared by every session
(:meth:`Store.cache_path`). Deleting a dataset or passing its retention date
(:meth:`Store.purge`) removes its rows, records, reports and cache files; the
audit keeps the fact.
"""

from ilp_core.store._access import (
    LOCAL_USER,
    PERMISSIONS,
    ROLES,
    SHARE_KINDS,
    SYSTEM_USER,
    Actor,
    Permission,
    Role,
    policy,
)
from ilp_core.store._audit import AUDIT_COLUMNS
from ilp_core.store._base import AUDIT_ACTIONS, OBJECT_TYPES
from ilp_core.store._config import StoreConfig, config_from_env, describe_url
from ilp_core.store._datasets import DatasetInfo, Share, StoredDataset, VersionInfo
from ilp_core.store._records import DRAFT, Record, RecordInfo, body_table, table_body
from ilp_core.store._retention import PurgeResult
from ilp_core.store._rooms import Membership, Room
from ilp_core.store._store import Store, open_store
from ilp_core.store._users import User

__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_COLUMNS",
    "DRAFT",
    "LOCAL_USER",
    "OBJECT_TYPES",
    "PERMISSIONS",
    "ROLES",
    "SHARE_KINDS",
    "SYSTEM_USER",
    "Actor",
    "DatasetInfo",
    "Membership",
    "Permission",
    "PurgeResult",
    "Record",
    "RecordInfo",
    "Role",
    "Room",
    "Share",
    "Store",
    "StoreConfig",
    "StoredDataset",
    "User",
    "VersionInfo",
    "body_table",
    "config_from_env",
    "describe_url",
    "open_store",
    "policy",
    "table_body",
]
