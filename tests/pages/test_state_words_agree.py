"""A ticket's state reads the same to a manager in the settings page's audit log
(settings-audit-words.js) and in the exports (reports/words.py): the two tables are kept in
their own language's files, so this test holds them together. No server: the files themselves.
The citizen's phone page words its states for the citizen (到您了 / It's your turn), on purpose."""

from __future__ import annotations

import re
from pathlib import Path

from callnext.reports.words import WORDS

AUDIT_WORDS = (
    Path(__file__).resolve().parents[2] / "displays/static/settings/settings-audit-words.js"
)


def audit_states() -> dict[str, dict[str, str]]:
    """Each language's `states: {key: "words", …}` table in the audit log's words."""
    text = AUDIT_WORDS.read_text(encoding="utf-8")
    tables = re.findall(r"\b(zh|en): \{.*?\bstates: \{(.*?)\}", text, re.S)
    return {lang: dict(re.findall(r'(\w+): "([^"]*)"', body)) for lang, body in tables}


def test_the_audit_log_and_the_exports_name_each_state_alike() -> None:
    audit = audit_states()
    assert set(audit) == {"zh", "en"}
    for lang, table in audit.items():
        exported = WORDS[lang].states
        shared = set(table) & set(exported)
        assert {"waiting", "called", "completed", "pending", "no_show", "cancelled"} <= shared
        differ = {key: (table[key], exported[key]) for key in shared
                  if table[key].casefold() != exported[key].casefold()}  # fmt: skip
        assert differ == {}, lang
