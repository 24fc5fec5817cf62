import json

from hypothesis import given
from hypothesis import strategies as st

from directory.api.renderers import without_markup


@given(st.text())
def test_json_without_markup_reads_back_as_the_same_text_and_holds_no_markup_character(text):
    escaped = without_markup(json.dumps({"next": "?near=02108&page=2", "name": text}, ensure_ascii=False))
    assert not set("<>&") & set(escaped)
    assert json.loads(escaped) == {"next": "?near=02108&page=2", "name": text}


def test_each_markup_character_becomes_its_unicode_escape():
    assert without_markup('"<a href=x>&amp;</a>"') == '"\\u003ca href=x\\u003e\\u0026amp;\\u003c/a\\u003e"'
