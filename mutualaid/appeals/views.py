"""Appeal pages, and the ``escalate-appeals`` command."""
from flask import Blueprint

from mutualaid.appeals.cli import escalate_appeals

bp = Blueprint("appeals", __name__, url_prefix="/appeals", cli_group=None)
bp.cli.add_command(escalate_appeals)
