"""Order pages: post a need, my orders, suggestions, the order page, ledger, staff lists."""
from flask import Blueprint

from mutualaid.orders.cli import expire_orders

bp = Blueprint("orders", __name__, cli_group=None)
bp.cli.add_command(expire_orders)
