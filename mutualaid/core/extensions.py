"""Flask extensions, created bare here and bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations deterministic on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every feature's models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


AFTER_COMMIT = "after_commit_work"  # session.info key: functions of the session


class Session(FlaskSession):
    """Flask-SQLAlchemy's session that, once a commit is complete, runs the work left in
    ``info[AFTER_COMMIT]`` (SQLAlchemy's own ``after_commit`` event may not query)."""

    def commit(self):
        super().commit()
        for work in self.info.pop(AFTER_COMMIT, ()):
            work(self)


class RouteLimiter(Limiter):
    """Flask-Limiter with limits only where a route asks for one (``@limiter.limit``, checked
    by the decorator). The app sets no default, application or blueprint limits, so the check
    Flask-Limiter also runs before every request could only find none; it cost ~65 µs a
    request, a quarter of a cached board answer (bench/realtime.py)."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if not in_middleware:
            super()._check_request_limit(callable_name=callable_name, in_middleware=False)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
socketio = SocketIO()
limiter = RouteLimiter(key_func=get_remote_address)
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
