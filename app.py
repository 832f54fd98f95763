"""Run Share Hut with the embedded server: migrations applied, demo seeded on first start."""
import gc

from mutualaid import create_app
from mutualaid.core.extensions import socketio

app = create_app()
# What starting made (~150,000 objects: mappers, schemas, translations) lives as long as the
# process. Left to the collector, every full collection walks it all while each request
# thread waits for the GIL: 70 ms or more, often enough to stall a busy worker for seconds
# (bench/load.py). Freezing sets it aside; later objects are collected as usual.
gc.freeze()

if __name__ == "__main__":
    from mutualaid.cli import prepare_database

    from mutualaid.notifications import worker

    with app.app_context():
        prepare_database(seed=app.config["SEED_DEMO"])
    if app.config["NOTIFY_WORKER"]:
        worker.start(app)  # deliveries from the persistent queue, in this process
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"], allow_unsafe_werkzeug=True)
