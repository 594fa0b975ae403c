"""ilp_core._yaml: libyaml's parser gives what ``yaml.safe_load`` gives, and no more."""

from importlib import resources

import pytest
import yaml

from ilp_core import _yaml


def test_the_c_parser_is_used_when_pyyaml_has_it():
    assert yaml.__with_libyaml__  # the pinned wheel ships it: the 10x is real here
    assert _yaml._LOADER is yaml.CSafeLoader


@pytest.mark.parametrize(
    "name",
    sorted(
        p.name
        for p in (resources.files("ilp_core") / "config").iterdir()
        if p.name.endswith(".yaml")
    ),
)
def test_every_bundled_settings_file_reads_as_safe_load_reads_it(name):
    text = (resources.files("ilp_core") / "config" / name).read_text(encoding="utf-8")
    assert _yaml.load(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 2024-01-31\nb: 1e3\nc: 0x1F\nd: .inf\ne: ~\nf: yes\ng: '010'",
        "Кража: {вес: 3.5, код: '0502'}\nvol: [« cambriolage », señal]",
        "- &a [1, 2]\n- *a\n- {<<: {k: 1}, j: 2}",
        "",
    ],
)
def test_scalars_anchors_and_any_alphabet_read_alike(text):
    assert _yaml.load(text) == yaml.safe_load(text)
    assert _yaml.load(text.encode("utf-8")) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text", ["a: [1, 2", "!!python/object/apply:os.system ['true']", "a: b: c"]
)
def test_broken_text_and_python_objects_are_refused_as_safe_load_refuses_them(text):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        _yaml.load(text)
