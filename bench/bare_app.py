"""Bench only (not part of the product): the barest Flask JSON endpoint, the yardstick that
the board API's requests/s are compared with under the same gunicorn + nginx setup."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/api/v1/orders")
def board():
    """A constant JSON answer at the same path as the board API."""
    return jsonify(items=[], page=1, pages=1, total=0)


@app.get("/api/v1/communities/<int:community_id>/board")
def community_board(community_id):
    """A constant JSON answer at the same path as the community board."""
    return jsonify(items=[], version=0)
