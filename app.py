"""Run Share Hut with the embedded server: migrations applied, demo seeded on first start."""
from mutualaid import create_app
from mutualaid.extensions import socketio

app = create_app()

if __name__ == "__main__":
    from mutualaid.cli import prepare_database

    with app.app_context():
        prepare_database(seed=app.config["SEED_DEMO"])
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"], allow_unsafe_werkzeug=True)
