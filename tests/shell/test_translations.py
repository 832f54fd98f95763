"""Every user-visible string in the code and templates has its Chinese translation."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def test_every_message_has_a_chinese_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "N_",
                    "-k", "lazy_pgettext:1c,2", "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as handle:
        wanted = {(m.context, m.id) for m in read_po(handle) if m.id}
    with CATALOGUE.open("rb") as handle:
        translated = {(m.context, m.id) for m in read_po(handle, locale="zh_CN") if m.string}
    assert len(wanted) > 300  # the extraction really read the code and templates
    assert sorted(wanted - translated, key=str) == []
