"""Who sees and does what: roles, ownership, and datasets shared by role, unit or user.

Each test runs on SQLite and on PostgreSQL (``store`` fixture).
"""

from __future__ import annotations

import pytest
from store_fixtures import renamed

from ilp_core.errors import IlpInputError
from ilp_core.store import ROLES, Actor, Share, policy

OWNER = Actor("ana", roles={"analyst"}, unit="North")
COLLEAGUE = Actor("bob", roles={"analyst"}, unit="South")
MANAGER_NORTH = Actor("meg", roles={"manager"}, unit="North")
MANAGER_SOUTH = Actor("max", roles={"manager"}, unit="South")
TRAINER = Actor("tim", roles={"trainer"})
ADMIN = Actor("ada", roles={"administrator"})


def _key(call, *args, **kwargs):
    with pytest.raises(IlpInputError) as err:
        call(*args, **kwargs)
    return err.value.message.key


def _ids(store, actor):
    return {d.id for d in store.list_datasets(actor)}


def test_a_dataset_not_shared_is_invisible_and_forbidden(store, upload):
    ds = store.save_dataset(OWNER, upload).dataset_id
    assert _ids(store, OWNER) == {ds}
    assert _ids(store, ADMIN) == {ds}  # administrators see every dataset
    for other in (COLLEAGUE, MANAGER_NORTH, MANAGER_SOUTH, TRAINER):
        assert _ids(store, other) == set()
        assert _key(store.open_dataset, other, ds) == "store.forbidden"
    assert _key(store.list_versions, MANAGER_SOUTH, ds) == "store.forbidden"
    assert _key(store.get_record, MANAGER_NORTH, "intel_log", dataset_id=ds) == "store.forbidden"
    assert len(store.open_dataset(ADMIN, ds).dataset.incidents) == 5


@pytest.mark.parametrize(
    ("share", "sees"),
    [
        (Share("role", "manager"), {"meg", "max"}),
        (Share("unit", "North"), {"meg"}),  # the owner's own unit is not shared by default
        (Share("unit", "South"), {"bob", "max"}),
        (Share("user", "max"), {"max"}),
    ],
)
def test_sharing_by_role_unit_or_user(store, upload, share, sees):
    ds = store.save_dataset(OWNER, upload).dataset_id
    store.share_dataset(OWNER, ds, [share])
    for actor in (COLLEAGUE, MANAGER_NORTH, MANAGER_SOUTH, TRAINER):
        assert (ds in _ids(store, actor)) == (actor.id in sees), actor.id
        if actor.id in sees:
            store.open_dataset(actor, ds)
        else:
            assert _key(store.open_dataset, actor, ds) == "store.forbidden"


def test_only_the_owner_or_an_administrator_shares_and_deletes(store, upload):
    ds = store.save_dataset(OWNER, upload, shares=[Share("unit", "South")]).dataset_id
    # bob sees it (unit South) and is an analyst, but it is not his
    assert _key(store.share_dataset, COLLEAGUE, ds, [Share("role", "manager")]) == "store.forbidden"
    assert _key(store.delete_dataset, COLLEAGUE, ds) == "store.forbidden"
    assert _key(store.delete_dataset, MANAGER_SOUTH, ds) == "store.forbidden"
    now = store.share_dataset(ADMIN, ds, [Share("user", "meg")], replace=True)
    assert now == (Share("user", "meg"),)
    assert ds not in _ids(store, COLLEAGUE) and ds in _ids(store, MANAGER_NORTH)
    store.delete_dataset(OWNER, ds)
    assert _ids(store, ADMIN) == set()
    assert _key(store.open_dataset, OWNER, ds) == "store.not_found"


def test_roles_limit_what_each_may_do(store, upload):
    for actor in (MANAGER_NORTH, TRAINER, ADMIN):
        assert _key(store.save_dataset, actor, upload) == "store.forbidden"
    ds = store.save_dataset(OWNER, upload, shares=[Share("role", "manager")]).dataset_id
    # a manager opens, decides and exports, but does not edit the log
    body = {"columns": ["x"], "rows": [[1]]}
    assert (
        _key(store.save_record, MANAGER_NORTH, "intel_log", body=body, dataset_id=ds)
        == "store.forbidden"
    )
    store.save_record(MANAGER_NORTH, "scenario", body={"hours": 40}, dataset_id=ds)
    store.save_record(MANAGER_NORTH, "report", data=b"%PDF-1.7", dataset_id=ds, name="q1")
    assert store.get_record(OWNER, "scenario", dataset_id=ds).body == {"hours": 40}
    # users, retention and the audit trail are the administrator's
    for call in (store.list_users, store.query_audit, store.purge):
        assert _key(call, OWNER) == "store.forbidden"
        call(ADMIN)
    participant = Actor("participant:x", roles={"participant"}, kind="participant")
    assert store.list_datasets(participant) == []
    assert _key(store.open_dataset, participant, ds) == "store.forbidden"


def test_the_local_user_holds_every_role(store, upload):
    local = Actor.local()
    assert local.roles == frozenset(ROLES) and local.kind == "local"
    ds = store.save_dataset(local, upload).dataset_id
    other = store.save_dataset(OWNER, renamed(upload, "other.csv")).dataset_id
    assert _ids(store, local) == {ds, other}  # an administrator too
    store.purge(local)


def test_records_follow_their_dataset_and_drafts_stay_private(store, upload):
    ds = store.save_dataset(OWNER, upload, shares=[Share("role", "manager")]).dataset_id
    store.save_record(OWNER, "intel_log", body={"rows": []}, dataset_id=ds)
    store.save_draft(OWNER, {"half": "typed"}, dataset_id=ds, name="intelligence")
    store.save_record(OWNER, "workspace", body={"mine": True}, name="personal")
    kinds = {r.kind for r in store.list_records(MANAGER_NORTH)}
    assert kinds == {"intel_log"}  # not ana's draft, not her personal workspace
    assert store.load_draft(MANAGER_NORTH, dataset_id=ds, name="intelligence") is None
    assert store.load_draft(OWNER, dataset_id=ds, name="intelligence") == {"half": "typed"}
    assert {r.kind for r in store.list_records(OWNER)} == {"intel_log", "draft", "workspace"}
    assert store.list_records(COLLEAGUE) == []


def test_unknown_roles_and_permissions_are_refused():
    assert _key(Actor, "x", roles={"chief"}) == "store.bad_role"
    assert _key(Actor, "", roles={"analyst"}) == "store.bad_actor"
    assert _key(OWNER.may, "fly") == "store.bad_permission"
    assert _key(Share, "team", "x") == "store.bad_share"
    assert set(policy().record_kinds) >= {"assessment", "intel_log", "draft", "report"}
    error = IlpInputError("store.forbidden", action="open", object="dataset")
    assert "открывать" in error.render("ru") and "набор данных" in error.render("ru")
