"""The page's language for the browser and for Streamlit's own words.

Streamlit writes some words itself, in English, with no option to change them: the file
uploader's "Drag and drop a file here", "Upload" and "200MB per file", and the
"Choose an option" / "Choose options" / "No results" of its selects. The page's
``<html lang>`` also stays ``en``, so a screen reader reads Russian with English rules
and the browser offers to translate the page. :func:`apply` sets the attribute and
replaces those words with the catalog's (``streamlit.json``) from a zero-height
component, and keeps doing it as Streamlit redraws.
"""

from __future__ import annotations

import json

import streamlit as st

from ilp_core import i18n

#: Streamlit's own English words (exact texts) and their catalog keys.
WORDS: dict[str, str] = {
    "Drag and drop a file here": "streamlit.drop_file",
    "Drag and drop files here": "streamlit.drop_files",
    "Upload": "streamlit.upload",
    "Choose an option": "streamlit.choose_option",
    "Choose options": "streamlit.choose_options",
    "No results": "streamlit.no_results",
}

_SCRIPT = """<script>
(function () {
  var doc = window.parent.document, lang = %(lang)s, words = %(words)s, perFile = %(per_file)s;
  var DROPZONE = '[data-testid="stFileUploaderDropzoneInstructions"]';
  doc.documentElement.lang = lang;
  function fix(node) {
    var walker = doc.createTreeWalker(node, NodeFilter.SHOW_TEXT), text;
    while ((text = walker.nextNode())) {
      var value = text.nodeValue.trim();
      var next = null;
      if (Object.prototype.hasOwnProperty.call(words, value)) {
        next = words[value];
      } else if (/ per file$/.test(value) && text.parentNode.closest(DROPZONE)) {
        next = perFile.replace("{size}", value.replace(/ per file$/, ""));
      }
      if (next !== null && next !== text.nodeValue) { text.nodeValue = next; }
    }
    var inputs = node.querySelectorAll ? node.querySelectorAll("input[placeholder]") : [];
    inputs.forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(words, el.placeholder) &&
          words[el.placeholder] !== el.placeholder) {
        el.placeholder = words[el.placeholder];
      }
    });
  }
  if (window.parent.__ilpWords) { window.parent.__ilpWords.disconnect(); }
  if (lang === "en") { return; }  // Streamlit's words are English already
  fix(doc.body);
  var watch = new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (n) { if (n.nodeType === 1) { fix(n); } });
      var parent = change.target.parentNode;
      if (change.type === "characterData" && parent) { fix(parent); }
    });
  });
  watch.observe(doc.body, {childList: true, subtree: true, characterData: true});
  window.parent.__ilpWords = watch;
})();
</script>"""


def apply(code: str) -> None:
    """Set ``<html lang>`` to ``code`` and put Streamlit's own words in that language."""
    words = {} if code == "en" else {en: i18n.t(key, code) for en, key in WORDS.items()}
    per_file = "{size} per file" if code == "en" else i18n.t("streamlit.per_file", code)
    st.iframe(
        _SCRIPT % {
            "lang": json.dumps(code),
            "words": json.dumps(words, ensure_ascii=False),
            "per_file": json.dumps(per_file, ensure_ascii=False),
        },
        height=1,  # st.iframe takes no 0
    )  # fmt: skip
