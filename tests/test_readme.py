"""The README must stay true: every environment variable settings.py reads is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_variables() -> set[str]:
    source = (ROOT / "aftercare" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|parsed)\(\s*"([A-Z_]+)"', source))


def test_readme_documents_every_environment_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    variables = settings_variables()

    missing = sorted(name for name in variables if f"`{name}`" not in readme)

    assert len(variables) > 10, "the settings parser found too few variables to be right"
    assert missing == [], f"README's configuration table lacks {missing}"


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_code_block = readme.split("```")[1]
    assert "make demo" in first_code_block and "make test" in first_code_block
