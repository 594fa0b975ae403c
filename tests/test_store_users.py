"""Users and logins, workshop rooms for anonymous participants, and the store's configuration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import platformdirs
import pytest

from ilp_core.errors import IlpInputError
from ilp_core.store import Actor, StoreConfig, config_from_env, open_store

ADMIN = Actor("ada", roles={"administrator"})
TIM = Actor("tim", roles={"trainer"})


def _key(call, *args, **kwargs):
    with pytest.raises(IlpInputError) as err:
        call(*args, **kwargs)
    return err.value.message.key


def test_login_keeps_users_and_their_roles(store):
    meg = store.login("kc|meg", name="Meg", email="meg@example.org", roles=["manager"])
    assert meg.roles == {"manager"} and meg.name == "Meg"
    # no roles from the provider: those an administrator assigned stay
    store.set_user(ADMIN, "kc|meg", roles=["manager", "trainer"], unit="North")
    again = store.login("kc|meg", name="Meg M.", email="meg@example.org")
    assert again.roles == {"manager", "trainer"} and again.unit == "North"
    user = store.get_user(again, "kc|meg")
    assert user.name == "Meg M." and user.last_login >= user.created_at
    assert user.actor() == again
    users = store.list_users(ADMIN)
    assert users.loc[0, ["id", "roles", "unit"]].tolist() == ["kc|meg", "manager, trainer", "North"]
    assert _key(store.get_user, again, "someone-else") == "store.forbidden"
    assert _key(store.set_user, again, "kc|meg", roles=["administrator"]) == "store.forbidden"
    assert _key(store.set_user, ADMIN, "kc|meg", roles=["chief"]) == "store.bad_role"
    assert _key(store.set_user, ADMIN, "nobody", roles=[]) == "store.not_found"


def test_new_users_get_default_roles_and_listed_admins_administer(store_config):
    config = StoreConfig(
        url=store_config.url,
        data_dir=store_config.data_dir,
        admins=("Boss@Example.org",),
        default_roles=("participant",),
    )
    store = open_store(config)
    newcomer = store.login("u1", email="new@example.org")
    assert newcomer.roles == {"participant"}
    boss = store.login("u2", email="boss@example.org")
    assert boss.roles == {"participant", "administrator"}
    assert not store.list_users(boss).empty
    store.close()


def test_a_workshop_room_for_anonymous_participants(store):
    room = store.create_room(TIM, language="fr", steps=["where", "when", "priorities"])
    assert len(room.code) == 6 and room.open_steps == ()
    assert room.expires_at - room.created_at == dt.timedelta(days=2)
    alice, token = store.join_room(room.code.lower(), name="Alice")  # codes ignore case
    assert alice.kind == "participant" and alice.roles == {"participant"}
    assert store.participant(room.code, token) == alice  # a reload finds her again
    assert _key(store.participant, room.code, "wrong") == "store.not_found"
    assert _key(store.save_answer, alice, room.code, "where", {"q": 1}) == "store.step_closed"
    assert _key(store.open_steps, Actor("x", roles={"trainer"}), room.code, ["where"]) == (
        "store.forbidden"
    )
    store.open_steps(TIM, room.code, ["where"])
    store.save_answer(alice, room.code, "where", {"hotspot": "Harbour"})
    store.save_answer(alice, room.code, "where", {"hotspot": "Old Town"}, show_name=True)
    bob, _ = store.join_room(room.code)
    store.save_answer(bob, room.code, "where", {"hotspot": "Harbour"})
    answers = store.room_answers(TIM, room.code)
    assert sorted(
        zip(answers["nickname"], [a["hotspot"] for a in answers["answers"]], strict=True)
    ) == [
        ("", "Harbour"),
        ("Alice", "Old Town"),
    ]
    assert _key(store.room_answers, alice, room.code) == "store.forbidden"
    assert _key(store.create_room, alice, language="fr", steps=[]) == "store.forbidden"
    assert _key(store.join_room, "ZZZZZZ") == "store.room_not_found"
    assert _key(store.open_steps, TIM, room.code, ["nope"]) == "store.bad_step"


def test_the_configuration_comes_from_the_environment(tmp_path):
    default = config_from_env({})
    assert default.data_dir == Path(platformdirs.user_data_dir("ilp-dashboard"))
    assert default.embedded and default.url.endswith("/ilp.sqlite3")
    assert default.retention_days == 365 and default.cache_dir == default.data_dir / "cache"
    pg = config_from_env(
        {
            "ILP_DATABASE_URL": "postgres://ilp:pw@db:6432/ilp",
            "ILP_DATA_DIR": str(tmp_path),
            "ILP_RETENTION_DAYS": "90",
            "ILP_ADMINS": "a@x.org, b@x.org",
            "ILP_DEFAULT_ROLES": "manager",
        }
    )
    assert pg.url == "postgresql+psycopg://ilp:pw@db:6432/ilp" and not pg.embedded
    assert (pg.where, pg.retention_days, pg.admins) == ("db:6432/ilp", 90, ("a@x.org", "b@x.org"))
    assert pg.default_roles == ("manager",)
    assert "pw" not in repr(pg)
    assert _key(config_from_env, {"ILP_RETENTION_DAYS": "a year"}) == "store.bad_retention"
    assert _key(config_from_env, {"ILP_RETENTION_DAYS": "0"}) == "store.bad_retention"
    assert _key(config_from_env, {"ILP_DATABASE_URL": "mysql://x@y/z"}) == "store.bad_url"
    assert _key(config_from_env, {"ILP_DATABASE_URL": "not a url"}) == "store.bad_url"
