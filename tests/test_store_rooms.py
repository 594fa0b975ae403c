"""Workshop rooms in the store: controls, anonymity, rejoin, deletion, retention (both DBs)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from ilp_core.errors import IlpInputError
from ilp_core.store import Actor, StoreConfig, config_from_env, open_store
from ilp_core.store import _schema as t

TIM = Actor("tim", roles={"trainer"})
ADMIN = Actor("ada", roles={"administrator"})
STEPS = ["ranking", "weights", "free"]


def _key(call, *args, **kwargs):
    with pytest.raises(IlpInputError) as err:
        call(*args, **kwargs)
    return err.value.message.key


def _count(store, table) -> int:
    with store._tx(write=False) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_room_has_a_name_a_short_code_and_lives_the_configured_days(store):
    room = store.create_room(TIM, language="ru", steps=STEPS, name="Seminar Kyiv")
    assert room.name == "Seminar Kyiv" and room.language == "ru" and room.steps == tuple(STEPS)
    assert len(room.code) == 6 and set(room.code) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    assert (
        room.expires_at - room.created_at
        == dt.timedelta(days=store.config.room_days)
        == (dt.timedelta(days=2))
    )
    assert room.open_steps == room.revealed_steps == () and room.round_of("free") == 0
    assert [r.code for r in store.trainer_rooms(TIM)] == [room.code]
    assert store.trainer_rooms(Actor("tom", roles={"trainer"})) == []
    assert _key(store.create_room, TIM, language="en", steps=[]) == "store.bad_room_steps"


def test_room_days_come_from_ilp_room_days():
    assert config_from_env({}).room_days == 2
    assert config_from_env({"ILP_ROOM_DAYS": "5"}).room_days == 5
    for bad in ("0", "366", "two"):
        assert _key(config_from_env, {"ILP_ROOM_DAYS": bad}) == "store.bad_room_days"


def test_the_room_days_of_the_configuration_set_the_expiry(tmp_path):
    config = StoreConfig(url=f"sqlite:///{tmp_path / 'x.sqlite3'}", data_dir=tmp_path, room_days=7)
    store = open_store(config)
    room = store.create_room(TIM, language="en", steps=STEPS)
    assert room.expires_at - room.created_at == dt.timedelta(days=7)
    store.close()


def test_no_nickname_beside_an_answer_unless_its_author_shows_it(store):
    room = store.create_room(TIM, language="en", steps=STEPS)
    store.open_steps(TIM, room.code, ["free"])
    alice, _ = store.join_room(room.code, name="Alice")
    bob, _ = store.join_room(room.code, name="Bob")
    anon, _ = store.join_room(room.code)
    store.save_answer(alice, room.code, "free", {"text": "patrols"}, show_name=True)
    store.save_answer(bob, room.code, "free", {"text": "prevention"})
    store.save_answer(anon, room.code, "free", {"text": "both"}, show_name=True)
    answers = store.room_answers(TIM, room.code)
    shown = dict(zip([a["text"] for a in answers["answers"]], answers["nickname"], strict=True))
    assert shown == {"patrols": "Alice", "prevention": "", "both": ""}
    assert "name" not in answers.columns and "Bob" not in answers.to_string()
    assert store.room_members(TIM, room.code) == 3
    # Alice changes her mind about showing her name: the next answer is anonymous
    store.save_answer(alice, room.code, "free", {"text": "patrols"})
    assert "Alice" not in store.room_answers(TIM, room.code).to_string()


def test_trainer_controls_open_close_reveal_reset(store):
    room = store.create_room(TIM, language="en", steps=STEPS)
    alice, _ = store.join_room(room.code, name="Alice")
    assert _key(store.save_answer, alice, room.code, "ranking", {"x": 1}) == "store.step_closed"
    room = store.open_steps(TIM, room.code, ["ranking", "weights"])
    assert room.open_steps == ("ranking", "weights")
    store.save_answer(alice, room.code, "ranking", {"own_ranking": ["a", "b"]})
    store.save_answer(alice, room.code, "weights", {"weights": {"harm": 2}})
    room = store.open_steps(TIM, room.code, ["weights"])  # ranking closed again
    assert _key(store.save_answer, alice, room.code, "ranking", {"x": 2}) == "store.step_closed"
    room = store.reveal_steps(TIM, room.code, ["ranking"])
    assert room.revealed_steps == ("ranking",)
    assert _key(store.reveal_steps, TIM, room.code, ["nope"]) == "store.bad_step"
    room = store.reset_step(TIM, room.code, "weights")
    assert room.round_of("weights") == 1 and room.round_of("ranking") == 0
    answers = store.room_answers(TIM, room.code)
    assert answers["step"].tolist() == ["ranking"]
    assert store.rejoin(room.code, store_token := store.join_room(room.code)[1]).answers == {}
    assert store_token
    other = Actor("tom", roles={"trainer"})
    for call, args in (
        (store.reveal_steps, (other, room.code, ["ranking"])),
        (store.reset_step, (other, room.code, "weights")),
        (store.delete_room, (other, room.code)),
        (store.room_members, (other, room.code)),
    ):
        assert _key(call, *args) == "store.forbidden"
    assert _key(store.reset_step, TIM, room.code, "nope") == "store.bad_step"
    changes = store.query_audit(ADMIN, action="change")
    assert set(changes["object_type"]) == {"room"}
    assert any('"reset":"weights"' in d for d in changes["details"])


def test_a_participant_who_reloads_rejoins_with_their_answers(store):
    room = store.create_room(TIM, language="fr", steps=STEPS)
    store.open_steps(TIM, room.code, ["ranking", "free"])
    alice, token = store.join_room(room.code, name="Alice")
    store.save_answer(alice, room.code, "ranking", {"own_ranking": ["b", "a"]})
    store.save_answer(alice, room.code, "free", {"text": "x"}, show_name=True)
    back = store.rejoin(room.code.lower(), token)
    assert back.actor == alice and back.name == "Alice"
    assert back.answers == {"ranking": {"own_ranking": ["b", "a"]}, "free": {"text": "x"}}
    assert back.show_name == {"ranking": False, "free": True}
    assert _key(store.rejoin, room.code, "wrong") == "store.not_found"


def test_two_rooms_at_once_stay_apart(store):
    one = store.create_room(TIM, language="en", steps=STEPS)
    two = store.create_room(TIM, language="es", steps=STEPS)
    assert one.code != two.code
    for room in (one, two):
        store.open_steps(TIM, room.code, ["free"])
    a, token_a = store.join_room(one.code)
    b, _ = store.join_room(two.code)
    store.save_answer(a, one.code, "free", {"text": "one"})
    store.save_answer(b, two.code, "free", {"text": "two"})
    assert [x["text"] for x in store.room_answers(TIM, one.code)["answers"]] == ["one"]
    assert [x["text"] for x in store.room_answers(TIM, two.code)["answers"]] == ["two"]
    # a participant of room one cannot answer in room two, nor rejoin it with their token
    assert _key(store.save_answer, a, two.code, "free", {"text": "x"}) == "store.not_found"
    assert _key(store.rejoin, two.code, token_a) == "store.not_found"


def test_close_and_delete_removes_the_data_and_keeps_the_fact(store):
    room = store.create_room(TIM, language="en", steps=STEPS, name="Secret seminar")
    kept = store.create_room(TIM, language="en", steps=STEPS)
    store.open_steps(TIM, room.code, ["free"])
    alice, token = store.join_room(room.code, name="Alice")
    store.save_answer(alice, room.code, "free", {"text": "a private thought"})
    store.delete_room(TIM, room.code)
    assert _key(store.room, room.code) == "store.room_not_found"
    assert _key(store.rejoin, room.code, token) == "store.room_not_found"
    assert _count(store, t.rooms) == 1 and store.room(kept.code).id == kept.id
    assert _count(store, t.room_members) == 0 and _count(store, t.room_answers) == 0
    [fact] = store.query_audit(ADMIN, action="delete").to_dict("records")
    assert fact["object_type"] == "room" and fact["object_id"] == room.id
    assert '"members":1' in fact["details"] and '"answers":1' in fact["details"]
    assert "private" not in "".join(store.query_audit(ADMIN)["details"])


def test_expired_rooms_are_purged_after_the_room_days(store):
    room = store.create_room(TIM, language="en", steps=STEPS)
    store.open_steps(TIM, room.code, ["free"])
    alice, _ = store.join_room(room.code)
    store.save_answer(alice, room.code, "free", {"text": "x"})
    assert store.purge(ADMIN).rooms == ()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2, minutes=1)
    assert store.purge(ADMIN, now=later).rooms == (room.id,)
    assert _count(store, t.rooms) == _count(store, t.room_answers) == 0
